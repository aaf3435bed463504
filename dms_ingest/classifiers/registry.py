"""The case registry: who owns which case number, loaded from the office's CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .case_numbers import CaseNumberPattern, normalise_case_number
from rapidfuzz import fuzz, process

from .persons import loose_name, word_similarity

COLUMNS = ("case_number", "surname", "given_names", "date_of_birth", "nationality")
# Optional: the sponsor (Referenzperson) of a family reunification - by case number if they have one
# here, else by name and date of birth. Only a sponsor recorded here may have their income and housing
# proofs filed into the applicant's case (README "Is the file complete?").
SPONSOR_COLUMNS = ("sponsor_case_number", "sponsor_surname", "sponsor_given_names", "sponsor_date_of_birth")


class RegistryError(ValueError):
    """A registry CSV that cannot be trusted; the message names the line."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(frozen=True)
class CaseRecord:
    """One person with one case number."""

    case_number: str
    surname: str
    given_names: str
    date_of_birth: dt.date | None
    nationality: str
    team: str = ""          # optional `team` column: overrides the surname-letter rule for this case
    sponsor_case_number: str = ""
    sponsor_surname: str = ""
    sponsor_given_names: str = ""
    sponsor_date_of_birth: dt.date | None = None

    @property
    def full_name(self) -> str:
        """Given names followed by surname, for display."""
        return f"{self.given_names} {self.surname}".strip()


def parse_date(value: str) -> dt.date:
    """Parse YYYY-MM-DD or DD.MM.YYYY; raise ValueError otherwise."""
    value = value.strip()
    if "-" in value:
        return dt.date.fromisoformat(value)
    day, month, year = value.split(".")
    if len(year) != 4:
        raise ValueError("year must have four digits")
    return dt.date(int(year), int(month), int(day))


def parse_registry_csv(path: str | Path) -> list[CaseRecord]:
    """Read and validate a registry CSV (comma or semicolon separated, BOM optional)."""
    raw = Path(path).read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryError(f"file is not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    return parse_registry_text(content)


def parse_registry_text(content: str) -> list[CaseRecord]:
    """Parse registry CSV content already decoded to text."""
    content = content.lstrip("\ufeff")
    first_line = content.split("\n", 1)[0]
    # Spreadsheets set to German locale export with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise RegistryError("file is empty", 1) from None
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RegistryError(f"missing column(s): {', '.join(missing)}", 1)
    index = {name: header.index(name) for name in COLUMNS}

    records: list[CaseRecord] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise RegistryError(f"expected {len(header)} columns, found {len(row)}", line)
        values = {name: row[i].strip() for name, i in index.items()}
        if not values["case_number"]:
            raise RegistryError("case_number is empty", line)
        if not values["surname"]:
            raise RegistryError("surname is empty", line)
        key = normalise_case_number(values["case_number"])
        if key in seen:
            raise RegistryError(
                f"duplicate case number {values['case_number']!r} (first on line {seen[key]})", line
            )
        seen[key] = line
        birth = _optional_date(values["date_of_birth"], "date_of_birth", line)
        sponsor = {name: row[header.index(name)].strip() if name in header else "" for name in SPONSOR_COLUMNS}
        records.append(
            CaseRecord(
                case_number=values["case_number"],
                surname=values["surname"],
                given_names=values["given_names"],
                date_of_birth=birth,
                nationality=values["nationality"].upper(),
                team=row[header.index("team")].strip() if "team" in header else "",
                sponsor_case_number=sponsor["sponsor_case_number"],
                sponsor_surname=sponsor["sponsor_surname"],
                sponsor_given_names=sponsor["sponsor_given_names"],
                sponsor_date_of_birth=_optional_date(sponsor["sponsor_date_of_birth"], "sponsor_date_of_birth", line),
            )
        )
    return records


def record_of(row, *, team: str = "") -> CaseRecord:
    """The registry record of a stored case (any object with the registry's attributes)."""
    return CaseRecord(row.case_number, row.surname, row.given_names, row.date_of_birth, row.nationality, team,
                      row.sponsor_case_number or "", row.sponsor_surname or "", row.sponsor_given_names or "",
                      row.sponsor_date_of_birth)


def _optional_date(value: str, column: str, line: int) -> dt.date | None:
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError:
        raise RegistryError(f"bad {column} {value!r} (use YYYY-MM-DD or DD.MM.YYYY)", line) from None


def _has_sponsor(record: CaseRecord) -> bool:
    return bool(record.sponsor_case_number or record.sponsor_surname)


def write_registry_csv(records: Iterable[CaseRecord], path: str | Path) -> None:
    """Write records in the format parse_registry_csv reads."""
    records = list(records)
    sponsors = any(_has_sponsor(r) for r in records)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS + (SPONSOR_COLUMNS if sponsors else ()))
        for r in records:
            birth = r.date_of_birth.isoformat() if r.date_of_birth else ""
            row = [r.case_number, r.surname, r.given_names, birth, r.nationality]
            if sponsors:
                sponsor_birth = r.sponsor_date_of_birth.isoformat() if r.sponsor_date_of_birth else ""
                row += [r.sponsor_case_number, r.sponsor_surname, r.sponsor_given_names, sponsor_birth]
            writer.writerow(row)


@dataclass
class RegistryDiff:
    """What changed between two registry exports, keyed by case number."""

    added: list[CaseRecord] = field(default_factory=list)
    changed: list[tuple[CaseRecord, CaseRecord]] = field(default_factory=list)
    removed: list[CaseRecord] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when both exports hold the same records."""
        return not (self.added or self.changed or self.removed)


def diff_registry(old: list[CaseRecord], new: list[CaseRecord]) -> RegistryDiff:
    """Compare two registry snapshots; changed entries are (old, new) pairs."""
    old_by_key = {normalise_case_number(r.case_number): r for r in old}
    new_by_key = {normalise_case_number(r.case_number): r for r in new}
    diff = RegistryDiff()
    for key, record in new_by_key.items():
        before = old_by_key.get(key)
        if before is None:
            diff.added.append(record)
        elif before != record:
            diff.changed.append((before, record))
    diff.removed = [r for key, r in old_by_key.items() if key not in new_by_key]
    return diff


class CaseRegistry:
    """In-memory registry with lookups by case number and by date of birth."""

    def __init__(self, records: Iterable[CaseRecord], pattern: CaseNumberPattern | None = None):
        self._records = list(records)
        self._by_number: dict[str, CaseRecord] = {}
        self._by_birth: dict[dt.date, list[CaseRecord]] = defaultdict(list)
        self._by_surname: dict[str, list[CaseRecord]] = defaultdict(list)
        self._surname_keys: list[str] | None = None
        for record in self._records:
            keys = {normalise_case_number(record.case_number)}
            if pattern is not None:
                # Index the canonical form too, in case the export drops leading zeros.
                canonical = pattern.canonical(record.case_number)
                if canonical:
                    keys.add(normalise_case_number(canonical))
            for key in keys:
                if key in self._by_number and self._by_number[key] != record:
                    raise RegistryError(f"case number {record.case_number!r} is not unique")
                self._by_number[key] = record
            if record.date_of_birth is not None:
                self._by_birth[record.date_of_birth].append(record)
            self._by_surname[loose_name(record.surname).replace(" ", "")].append(record)

    @classmethod
    def from_csv(cls, path: str | Path, pattern: CaseNumberPattern | None = None) -> "CaseRegistry":
        """Load a registry from a CSV file."""
        return cls(parse_registry_csv(path), pattern)

    def get(self, case_number: str) -> CaseRecord | None:
        """Return the record for a case number in any spacing or case, or None."""
        return self._by_number.get(normalise_case_number(case_number))

    def __contains__(self, case_number: object) -> bool:
        return isinstance(case_number, str) and self.get(case_number) is not None

    def sponsor_of(self, record: CaseRecord) -> CaseRecord | None:
        """The registered sponsor (Referenzperson) of *record*'s case: their own case if they have one
        here, else a person of the recorded name and birth date; None without a certain birth date."""
        if record.sponsor_case_number:
            own = self.get(record.sponsor_case_number)
            if own is not None and own.case_number != record.case_number:
                return own if own.date_of_birth is not None else None
            return None  # a sponsor case number not in the registry identifies nobody
        if record.sponsor_surname and record.sponsor_date_of_birth is not None:
            return CaseRecord("", record.sponsor_surname, record.sponsor_given_names, record.sponsor_date_of_birth, "")
        return None

    def born_on(self, date_of_birth: dt.date) -> list[CaseRecord]:
        """All records with exactly this date of birth."""
        return list(self._by_birth.get(date_of_birth, ()))

    def with_similar_surname(self, surname: str, threshold: float = 85.0) -> list[CaseRecord]:
        """Records whose folded surname is within OCR distance of the given one (best first)."""
        key = loose_name(surname).replace(" ", "")
        if len(key) < 2:
            return []
        if self._surname_keys is None:
            self._surname_keys = list(self._by_surname)
        matches = process.extract(key, self._surname_keys, scorer=fuzz.ratio, score_cutoff=threshold - 15, limit=None)
        ranked = sorted(
            ((word_similarity(key, k), k) for k, _, _ in matches), key=lambda x: x[0], reverse=True
        )
        return [r for score, k in ranked if score >= threshold for r in self._by_surname[k]]

    def with_surname(self, surname: str) -> list[CaseRecord]:
        """All records whose surname is equal after folding (Müller = Mueller = Muller)."""
        return list(self._by_surname.get(loose_name(surname).replace(" ", ""), ()))

    def __iter__(self) -> Iterator[CaseRecord]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)
