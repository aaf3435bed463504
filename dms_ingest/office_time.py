"""The office's calendar. The index keeps instants in UTC (a naive value is UTC); a day that a clerk
names or reads ("received on 3 March") is a day in Berlin, so a document received at 00:30 on
4 March local time belongs to 4 March although it is 3 March in UTC."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

OFFICE_TIME = ZoneInfo("Europe/Berlin")


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def local(value: datetime) -> datetime:
    """An instant on the office's clock."""
    return as_utc(value).astimezone(OFFICE_TIME)


def office_day(value: datetime | date) -> date:
    """The office day of an instant (a date is already one)."""
    return local(value).date() if isinstance(value, datetime) else value


def day_start(day: date) -> datetime:
    """The first instant (UTC) of an office day."""
    return datetime.combine(day, time.min, OFFICE_TIME).astimezone(timezone.utc)


def day_end(day: date) -> datetime:
    """The last instant (UTC) of an office day (23:59:59.999999 local)."""
    return day_start(day + timedelta(days=1)) - timedelta(microseconds=1)


def office_day_bounds(day_from: date | None, day_to: date | None) -> tuple[datetime | None, datetime | None]:
    """A from/to pair of office days as instants (None stays None, an open end): a document received
    at 00:30 on 4 March local time is found from 4 March, as `dms search --from`."""
    start = day_start(day_from) if day_from else None
    end = day_end(day_to) if day_to else None
    return start, end


def today() -> date:
    return datetime.now(OFFICE_TIME).date()
