"""The office's calendar: a day a clerk names is a Berlin day, whatever the season."""

from __future__ import annotations

from datetime import date, datetime, timezone

from dms_ingest.office_time import office_day_bounds


def test_day_bounds_are_the_berlin_day_in_utc():
    winter = office_day_bounds(date(2026, 3, 4), date(2026, 3, 4))
    assert winter == (datetime(2026, 3, 3, 23, 0, tzinfo=timezone.utc),
                      datetime(2026, 3, 4, 22, 59, 59, 999999, tzinfo=timezone.utc))
    summer_start, _ = office_day_bounds(date(2026, 7, 2), None)
    assert summer_start == datetime(2026, 7, 1, 22, 0, tzinfo=timezone.utc)


def test_a_missing_day_leaves_that_end_open():
    assert office_day_bounds(None, None) == (None, None)
    assert office_day_bounds(None, date(2026, 3, 4))[0] is None
