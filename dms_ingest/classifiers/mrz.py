"""Machine readable zone (MRZ) of TD3 passports: detection in OCR text, parsing, check digits."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

LINE_LENGTH = 44

_FILLER_LOOKALIKES = str.maketrans({"‹": "<", "≤": "<", "〈": "<", "＜": "<"})
# OCR often reads the pair "<<" as one guillemet.
_GUILLEMET = "«"
_TO_DIGIT = str.maketrans({
    "O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8", "G": "6", "T": "7",
    # Lower case never occurs in an MRZ; in digit positions these shapes are the usual misreadings.
    "o": "0", "q": "9", "g": "9", "l": "1", "i": "1", "s": "5", "z": "2", "b": "6", "t": "7",
})
_TO_LETTER = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "7": "T", "4": "A"})
_MRZ_CHARS = re.compile(r"^[A-Z0-9<]+$")


def check_digit(field_value: str) -> int:
    """ICAO 9303 check digit (weights 7, 3, 1) of a field of digits, letters and '<'."""
    total = 0
    for i, ch in enumerate(field_value):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - ord("A") + 10
        elif ch == "<":
            value = 0
        else:
            raise ValueError(f"invalid MRZ character {ch!r}")
        total += value * (7, 3, 1)[i % 3]
    return total % 10


@dataclass(frozen=True)
class MrzResult:
    """A parsed TD3 MRZ; ``valid`` is True only if every check digit and date is right."""

    document_type: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    date_of_birth: dt.date | None
    sex: str
    expiry_date: dt.date | None
    optional_data: str
    valid: bool
    failed_checks: tuple[str, ...] = field(default=())
    lines: tuple[str, str] = ("", "")


def _clean(line: str) -> str:
    """Remove spaces and read filler look-alikes as '<' (case is kept: digit positions need it)."""
    line = re.sub(r"\s+", "", line.translate(_FILLER_LOOKALIKES))
    # Tesseract reads runs of '<' in non-OCR-B fonts as "cccece"; lower case next to a filler is a filler,
    # and so is a run of such letters where OCR read no filler at all ("MAGDALENAccccccccecece", seed 75):
    # an MRZ holds no lower case.
    line = re.sub(r"[cekx]{4,}", lambda m: "<" * len(m.group()), line)
    previous = None
    while previous != line:
        previous = line
        line = re.sub(r"(?<=<)[cekx]|[cekx](?=<)", "<", line)
    return line


def _without_stray_marks(line: str) -> str:
    """A line 2 too long by a speck OCR read as a mark after or before it ("...<<<Q,", "_1465...", seeds
    75 and 62) without that mark: no MRZ character is one. A line of the right length keeps its marks,
    which leave the place they stand on unreadable."""
    if len(line) > LINE_LENGTH:
        line = re.sub(r"[^A-Za-z0-9<«]+$", "", line)
    if len(line) > LINE_LENGTH:
        line = re.sub(r"^[^A-Za-z0-9<«]+", "", line)
    return line


def _line2_readings(line: str) -> list[str]:
    """Expand each guillemet to '<' or '<<' so that the line gets its 44 characters."""
    count = line.count(_GUILLEMET)
    if count == 0:
        return [line]
    if count > 8:
        return [line.replace(_GUILLEMET, "<")]
    readings = []
    for mask in range(2 ** count):
        parts = line.split(_GUILLEMET)
        out = parts[0]
        for k, part in enumerate(parts[1:]):
            out += ("<<" if mask >> k & 1 else "<") + part
        if len(out) == LINE_LENGTH:
            readings.append(out)
    return readings or [line.replace(_GUILLEMET, "<")]


def _k_fillers(segment: str) -> str:
    """Read 'K' as '<' where a real letter K is implausible: runs of 3+ or between fillers."""
    segment = re.sub(r"K{3,}", lambda m: "<" * len(m.group()), segment)
    # A lone K (or KK) wedged between fillers, or between a filler and the line end.
    previous = None
    while previous != segment:
        previous = segment
        segment = re.sub(r"(?<=<)K{1,2}(?=<|$)", lambda m: "<" * len(m.group()), segment)
    return segment


def _two_digit_year(yy: int, *, birth: bool, today: dt.date) -> int:
    if birth:
        # A birth date cannot lie in the future.
        return 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    return 2000 + yy if yy < 70 else 1900 + yy


def _date(value: str, *, birth: bool, today: dt.date) -> dt.date | None:
    if not value.isdigit():
        return None
    yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:6])
    try:
        return dt.date(_two_digit_year(yy, birth=birth, today=today), mm, dd)
    except ValueError:
        return None


def _repair_line1(line: str) -> str:
    head, names = line[:5], line[5:]
    head = head[:2] + head[2:5].translate(_TO_LETTER)
    # Names hold no digits, so digits there are misread letters.
    names = _k_fillers(names.translate(_TO_LETTER))
    line = (head + names)[:LINE_LENGTH] if len(head + names) >= LINE_LENGTH else (head + names).ljust(LINE_LENGTH, "<")
    return line


# After the expiry's check digit: the optional data, a run of fillers, its check digit and the composite.
_LINE2_TAIL = re.compile(r"(?P<data>(?:[A-Z0-9]+<?)*?[A-Z0-9]*)(?P<run><+)(?P<checks>[A-Z0-9]{1,2})")


def _refill_tail(tail: str) -> str | None:
    """The 16 characters after the expiry's check digit, when OCR lost or added fillers '<' in the run
    before the check digits (their count is all it gets wrong there: the digits still verify it).
    None when the shape does not say where the fillers belong."""
    m = _LINE2_TAIL.fullmatch(tail)
    if m is None:
        return None
    data, checks = m.group("data"), m.group("checks")
    if not data and len(checks) == 1:
        # Empty optional data: its check digit is a filler too, and the run swallowed it.
        return "<" * 15 + checks
    if len(checks) != 2 or len(data) > 14:
        return None
    return data.ljust(14, "<") + checks


def _repair_line2(line: str) -> str | None:
    if len(line) != LINE_LENGTH:
        tail = _refill_tail(line[28:]) if len(line) >= 29 else None
        if tail is None:
            return None
        line = line[:28] + tail
    chars = list(line)

    def digits(lo: int, hi: int) -> None:
        for i in range(lo, hi):
            chars[i] = chars[i].translate(_TO_DIGIT)

    digits(9, 10)
    digits(13, 20)
    digits(21, 28)
    chars[10:13] = list("".join(chars[10:13]).translate(_TO_LETTER))
    for i in (9, 19, 27, 42, 43):
        chars[i] = "<" if chars[i] == "K" else chars[i].translate(_TO_DIGIT)
    if chars[20] not in "MFX<":
        chars[20] = "<" if chars[20] == "K" else chars[20]
    chars[28:42] = list(_k_fillers("".join(chars[28:42]).upper()))
    return "".join(chars).upper()


def parse_td3(line1: str, line2: str, *, today: dt.date | None = None) -> MrzResult | None:
    """Parse two TD3 lines (after light OCR repair); None if they are not a TD3 MRZ at all."""
    today = today or dt.date.today()
    line1 = _clean(line1).replace(_GUILLEMET, "<<").upper()
    if not line1.startswith("P") or len(line1) < 30:
        return None
    line1 = _repair_line1(line1)
    # A symbol among the names ("STANIKZAI<&£MARIAM") is a misread filler or letter: no check digit
    # covers the names, and the fields that count are in line 2.
    line1 = line1[:5] + re.sub(r"[^A-Z0-9<]", "<", line1[5:])
    if not _MRZ_CHARS.match(line1):
        return None
    readings = _line2_readings(_without_stray_marks(_clean(line2)))
    results = _parse_readings(line1, readings, today)
    if not any(r.valid for r in results.values()):
        # OCR doubled a glyph ("1I" read "11I" in "...571IND"): each single undoubling is tried, and
        # below, as for any reading, only one of them may verify.
        undoubled = _parse_readings(line1, [d for r in readings for d in _undoubled(r)], today)
        if any(r.valid for r in undoubled.values()):
            results = undoubled
    if not results:
        return None
    valid = [r for r in results.values() if r.valid]
    if len(valid) == 1:
        return valid[0]
    first = next(iter(results.values()))
    if len(valid) > 1:
        # Two different readings both pass: the check digits prove nothing then.
        return replace(first, valid=False, failed_checks=("ambiguous_reading",))
    return first


def _parse_readings(line1: str, readings: list[str], today: dt.date) -> dict[str, MrzResult]:
    results: dict[str, MrzResult] = {}
    for reading in readings:
        repaired = _repair_line2(reading)
        if repaired is not None:
            # Characters no MRZ contains stay visible as '?' so the result is reported, not dropped.
            repaired = re.sub(r"[^A-Z0-9<]", "?", repaired)
        if repaired is not None and repaired.count("?") <= 3 and repaired not in results:
            results[repaired] = _parse_lines(line1, repaired, today)
    return results


def _undoubled(line: str) -> list[str]:
    """Line 2 without one of its doubled letters or digits before the optional data (where check
    digits cover every position); only for a line that is not too short for that."""
    if len(line) < LINE_LENGTH:
        return []
    return list(dict.fromkeys(line[:i] + line[i + 1:] for i in range(27)
                              if line[i] == line[i + 1] and line[i] not in "<" + _GUILLEMET))


def _parse_lines(line1: str, line2: str, today: dt.date) -> MrzResult:

    names = line1[5:].rstrip("<")
    surname_part, _, given_part = names.partition("<<")
    surname = surname_part.replace("<", " ").strip()
    given = re.sub(r"<+", " ", given_part).strip()

    number, number_cd = line2[0:9], line2[9]
    birth, birth_cd = line2[13:19], line2[19]
    expiry, expiry_cd = line2[21:27], line2[27]
    optional, optional_cd = line2[28:42], line2[42]
    composite_cd = line2[43]

    failed: list[str] = []

    def verify(name: str, value: str, digit: str, *, empty_ok: bool = False) -> None:
        if empty_ok and digit == "<" and set(value) <= {"<"}:
            return
        if not digit.isdigit() or "?" in value:
            failed.append(f"{name}_unreadable")
        elif check_digit(value) != int(digit):
            failed.append(name)

    verify("document_number", number, number_cd)
    verify("date_of_birth", birth, birth_cd)
    verify("expiry_date", expiry, expiry_cd)
    verify("optional_data", optional, optional_cd, empty_ok=True)
    verify("composite", line2[0:10] + line2[13:20] + line2[21:43], composite_cd)

    birth_date = _date(birth, birth=True, today=today)
    expiry_date = _date(expiry, birth=False, today=today)
    if birth_date is None:
        failed.append("date_of_birth_format")
    if expiry_date is None:
        failed.append("expiry_date_format")
    if not surname:
        failed.append("name")

    return MrzResult(
        document_type=line1[0:2].replace("<", ""),
        issuing_state=line1[2:5].replace("<", ""),
        surname=surname,
        given_names=given,
        document_number=number.replace("<", ""),
        nationality=line2[10:13].replace("<", ""),
        date_of_birth=birth_date,
        sex=line2[20].replace("<", "X"),
        expiry_date=expiry_date,
        optional_data=optional.replace("<", ""),
        valid=not failed,
        failed_checks=tuple(failed),
        lines=(line1, line2),
    )


def _looks_like_mrz(line: str) -> bool:
    cleaned = _clean(line)
    if not 30 <= len(cleaned) <= 48:
        return False
    allowed = sum(ch.isalnum() and ch.isascii() or ch in "<" + _GUILLEMET for ch in cleaned)
    return allowed / len(cleaned) > 0.95 and any(c in cleaned for c in "<K" + _GUILLEMET)


def find_mrz(text: str, *, today: dt.date | None = None) -> list[MrzResult]:
    """Find TD3 MRZs in OCR text, valid or not (check ``valid`` before trusting one)."""
    # A speck read as a line of its own ('.') may stand between the two MRZ lines.
    lines = [line for line in text.splitlines() if re.search(r"[A-Za-z0-9<«]", line)]
    results: list[MrzResult] = []
    i = 0
    while i < len(lines):
        cleaned = _clean(lines[i])
        # Both MRZ lines may come out of OCR as one line.
        if len(cleaned) in range(86, 91) and cleaned.startswith("P"):
            result = parse_td3(cleaned[:LINE_LENGTH], cleaned[LINE_LENGTH:], today=today)
            if result is not None:
                results.append(result)
                i += 1
                continue
        if cleaned.startswith("P") and _looks_like_mrz(lines[i]) and i + 1 < len(lines) and _looks_like_mrz(lines[i + 1]):
            result = parse_td3(lines[i], lines[i + 1], today=today)
            if result is not None:
                results.append(result)
                i += 2
                continue
        i += 1
    return results
