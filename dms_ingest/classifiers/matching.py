"""Deciding which case a document belongs to, or that a clerk has to decide.

Filing into the wrong person's case is the worst outcome, so every rule here prefers
sending a document to review over a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Callable

from .birth_rows import find_table_birth_dates
from .case_numbers import CaseNumberHit, CaseNumberPattern, find_case_numbers, find_malformed_case_numbers
from .mrz import MrzResult, find_mrz
from .persons import (PersonMention, TextNames, find_birth_dates, find_name_candidates, find_person_mentions,
                      find_unread_birth_dates, lost_a_digit, person_name_score, reads_as_name,
                      registry_name_score)
from .registry import CaseRecord, CaseRegistry

NAME_THRESHOLD = 85.0
AMBIGUITY_THRESHOLD = 75.0


# The order in which evidence decides (README: "Document type and case"). A higher source wins over
# a lower one that names another case; evidence in the document that identifies a different
# *person* than the chosen case (name and date of birth, a passport MRZ) always means review.
PRECEDENCE = ("cover sheet", "printed case number", "mail", "name and date of birth")

# The review reason of a sponsor's document that only lacks an open application on the applicant's
# case; opening one files it (applications/sponsor.py reads the case number back from this sentence).
SPONSOR_WAITING = "Wartet auf einen offenen Antrag der Akte "
_SPONSOR_WAITING = re.compile(re.escape(SPONSOR_WAITING) + r"(\S+?):")


def cases_waiting_for_application(reasons: list[str]) -> set[str]:
    """The cases whose opening application would take this sponsor document (see SPONSOR_WAITING)."""
    return {m.group(1) for r in reasons for m in [_SPONSOR_WAITING.match(r)] if m}


@dataclass(frozen=True)
class CaseHints:
    """Case numbers known from outside the page text."""

    barcode_case_number: str | None = None   # an AZ: cover sheet before the document
    email_case_number: str | None = None     # the case of the mail (or manifest row) the document came with
    email_evidence: str | None = None        # how that case was found, in the clerk's words
    # (first reading, agreeing enlarged re-readings) of a date of birth on the page (ingest/reread.py)
    birth_rereads: tuple[tuple[dt.date | None, dt.date], ...] = ()   # first None: no valid date read


@dataclass
class CaseDecision:
    """The outcome: a case number to file under, or review with the reasons and candidates."""

    case_number: str | None
    method: str | None
    review: bool
    reasons: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)


@dataclass
class _PeopleEvidence:
    # case number -> how the person was identified ('name_dob' and/or 'mrz')
    identified: dict[str, set[str]] = field(default_factory=dict)
    records: dict[str, CaseRecord] = field(default_factory=dict)
    ambiguous: list[list[CaseRecord]] = field(default_factory=list)
    mentions: list[PersonMention] = field(default_factory=list)
    valid_mrz: list[MrzResult] = field(default_factory=list)
    birth_dates: set[dt.date] = field(default_factory=set)
    # each date's digits as printed, with the text just before it (where its person is named)
    birth_printed: dict[dt.date, list[tuple[str, str]]] = field(default_factory=dict)
    unread_birth_dates: list[str] = field(default_factory=list)  # labelled, with digits that read as no date
    # a person named with the page's date of birth, and the other date that date was read as closer up
    disputed: list[tuple[CaseRecord, dt.date]] = field(default_factory=list)


def _who(record: CaseRecord) -> str:
    birth = record.date_of_birth.strftime("%d.%m.%Y") if record.date_of_birth else "?"
    return f"{record.case_number} ({record.full_name}, geb. {birth})"


def _record_from_hint(value: str, pattern: CaseNumberPattern, registry: CaseRegistry) -> CaseRecord | None:
    """The registry record a cover sheet or mail names (the value may be a whole subject line)."""
    value = value.strip()
    canonical = pattern.canonical(value)
    if canonical is None and registry.get(value) is None:
        hits = {h.canonical for h in find_case_numbers(value, pattern)}
        canonical = hits.pop() if len(hits) == 1 else None
    return registry.get(canonical or value)


def _pick_unique(
    scored: list[tuple[CaseRecord, float]], threshold: float, ambiguity: float
) -> tuple[CaseRecord | None, list[CaseRecord]]:
    """One clear winner, or the list of look-alikes that make it ambiguous."""
    strong = [r for r, s in scored if s >= threshold]
    close = [r for r, s in scored if s >= ambiguity]
    if len(strong) == 1 and len(close) == 1:
        winner = strong[0]
        # Same birthday and a name one OCR slip away (Arslan/Erslan): the text cannot be trusted to tell them apart.
        twins = [
            r for r, _ in scored
            if r is not winner and person_name_score(winner.surname, winner.given_names, r.surname, r.given_names) >= ambiguity
        ]
        return (None, [winner, *twins]) if twins else (winner, [])
    if strong:
        return None, close
    return None, []


def _collect_people(
    text: str, registry: CaseRegistry, names: TextNames, threshold: float, ambiguity: float, today: dt.date | None,
    rereads: tuple[tuple[dt.date | None, dt.date], ...] = (),
) -> tuple[_PeopleEvidence, list[str]]:
    evidence = _PeopleEvidence()
    notes: list[str] = []

    def add(record: CaseRecord, how: str) -> None:
        evidence.identified.setdefault(record.case_number, set()).add(how)
        evidence.records[record.case_number] = record

    for hit in find_birth_dates(text, today=today):
        evidence.birth_dates.add(hit.date)
        before = text[max(0, hit.span[0] - 120):hit.span[0]].rsplit("\n", 2)[-1]
        evidence.birth_printed.setdefault(hit.date, []).append((re.sub(r"\D", "", hit.printed), before))
    evidence.unread_birth_dates = find_unread_birth_dates(text, today=today)
    read_otherwise = {first: again for first, again in rereads if first is not None}

    def weigh(birth: dt.date, where: TextNames) -> None:
        scored = []
        for record in registry.born_on(birth):
            match = where.find(record.surname, record.given_names)
            scored.append((record, match.score if match else 0.0))
        winner, lookalikes = _pick_unique(scored, threshold, ambiguity)
        if winner is not None and birth in read_otherwise:
            # The speck that may have changed a digit may have made the page's date someone else's.
            evidence.disputed.append((winner, read_otherwise[birth]))
        elif winner is not None:
            add(winner, "name_dob")
        elif lookalikes:
            evidence.ambiguous.append(lookalikes)

    for birth in sorted(evidence.birth_dates):
        weigh(birth, names)
    rows = find_table_birth_dates(text, today=today)
    for row in rows:
        # A table row's birthday is looked up with the names on that row only, never another row's.
        if row.date not in evidence.birth_dates:
            weigh(row.date, TextNames(text[row.row[0]:row.row[1]]))
    evidence.birth_dates |= {row.date for row in rows}

    for first, again in rereads:
        record = _reread_bearer(first, again, registry, names, evidence.birth_dates, ambiguity)
        if record is not None and record.case_number not in evidence.identified:
            add(record, "name_dob")
            seen = f"zuerst als {first:%d.%m.%Y} gelesen" if first else "zuerst nicht lesbar"
            notes.append(f"Geburtsdatum {seen}, vergrößert zweimal als "
                         f"{again:%d.%m.%Y}; der Name {record.full_name} steht genau so im Dokument.")

    for mrz in find_mrz(text, today=today):
        if not mrz.valid:
            notes.append(
                f"MRZ gefunden ({mrz.surname or '?'}), aber Prüfziffern falsch ({', '.join(mrz.failed_checks)}) – nicht verwendet."
            )
            continue
        evidence.valid_mrz.append(mrz)
        if mrz.date_of_birth is None:
            continue
        scored = [
            (r, person_name_score(r.surname, r.given_names, mrz.surname, mrz.given_names))
            for r in registry.born_on(mrz.date_of_birth)
        ]
        winner, lookalikes = _pick_unique(scored, threshold, ambiguity)
        if winner is not None:
            add(winner, "mrz")
        elif lookalikes and lookalikes not in evidence.ambiguous:
            evidence.ambiguous.append(lookalikes)

    evidence.mentions = [m for m in find_person_mentions(text, today=today) if m.name.surname and m.name.given_names]
    return evidence, notes



def _reread_bearer(first: dt.date | None, again: dt.date, registry: CaseRegistry, names: TextNames,
                   read_dates: set[dt.date], ambiguity: float) -> CaseRecord | None:
    """The one registry person a re-read date of birth may stand for, or None.

    The page's first reading must be one digit away from the re-reading (a speck, a broken stroke)
    or none at all (the label's digits gave no valid date: then the re-reading is the only reading),
    the person's surname and a given name must stand in the text exactly, and no one else may come
    into question: nobody else born on either date is named, and no namesake in the registry (a
    father or son of the same name, twins) has a birthday within two digits of either reading.
    """
    if first is not None and (first not in read_dates or _digits_apart(first, again) != 1):
        return None
    readings = (again,) if first is None else (first, again)
    named = {r.case_number: m.score for d in readings for r in registry.born_on(d)
             if (m := names.find(r.surname, r.given_names)) is not None and m.score >= ambiguity}
    exact = [r for r in registry.born_on(again) if named.get(r.case_number) == 100.0]
    if len(exact) != 1 or len(named) != 1:
        return None
    record = exact[0]
    for other in registry.with_similar_surname(record.surname, ambiguity):
        if other is not record and person_name_score(
                record.surname, record.given_names, other.surname, other.given_names) >= ambiguity and (
                other.date_of_birth is None or min(_digits_apart(other.date_of_birth, d) for d in readings) <= 2):
            return None
    return record


def _digits_apart(a: dt.date, b: dt.date) -> int:
    """In how many of the eight digits (DDMMYYYY) two dates differ."""
    return sum(x != y for x, y in zip(f"{a:%d%m%Y}", f"{b:%d%m%Y}"))


def _mention_fits(mention_surname: str, mention_given: str, birth: dt.date | None, record: CaseRecord, threshold: float) -> bool:
    if birth != record.date_of_birth:
        return False
    if reads_as_name(record.surname, record.given_names, mention_surname, mention_given):
        return True
    return registry_name_score(record.surname, record.given_names, mention_surname, mention_given) >= threshold


def _contradictions(record: CaseRecord, people: _PeopleEvidence, threshold: float) -> tuple[list[str], list[str]]:
    """Reasons why person evidence speaks against filing under ``record``, plus other candidates."""
    supported = record.case_number in people.identified or any(
        _mention_fits(m.name.surname, m.name.given_names, m.date_of_birth, record, threshold) for m in people.mentions
    ) or any(_mention_fits(z.surname, z.given_names, z.date_of_birth, record, threshold) for z in people.valid_mrz)
    if supported:
        return [], []
    reasons: list[str] = []
    others = [people.records[c] for c in people.identified if c != record.case_number]
    if others:
        reasons.append(
            "Aktenzeichen gehört zu " + _who(record) + ", Name und Geburtsdatum im Dokument passen aber zu "
            + ", ".join(_who(o) for o in others) + "."
        )
    for group in people.ambiguous:
        if record not in group:
            reasons.append("Name und Geburtsdatum im Dokument passen zu anderen Personen: " + ", ".join(_who(o) for o in group) + ".")
            others.extend(group)
    for mention in people.mentions:
        reasons.append(
            f"Dokument nennt {mention.name.full}, geb. {mention.date_of_birth:%d.%m.%Y} – passt nicht zu {_who(record)}."
        )
    for mrz in people.valid_mrz:
        reasons.append(f"Pass-MRZ gehört zu {mrz.given_names} {mrz.surname}, nicht zu {_who(record)}.")
    foreign_births = [d for d in sorted(people.birth_dates - {record.date_of_birth})
                      if not _owner_birth_lost_a_digit(d, record, people)]
    if not reasons and foreign_births and record.date_of_birth not in people.birth_dates:
        # Someone's birthday is on the page, and it is not the case owner's.
        shown = ", ".join(f"{d:%d.%m.%Y}" for d in foreign_births[:3])
        reasons.append(f"Geburtsdatum im Dokument ({shown}) passt nicht zu {_who(record)}.")
    return reasons, [o.case_number for o in others]


def _owner_birth_lost_a_digit(date: dt.date, record: CaseRecord, people: _PeopleEvidence) -> bool:
    """The owner's birth date with one digit OCR lost ("13.2.1979" for 13.12.1979, seed 78's
    certificate), each time written right after the owner's name spelled exactly (the registry's
    letters as OCR reads them count: "Michat" for Michał): no one else's birthday, so no objection to
    the owner's case (it identifies no one either). A relative of the same name born on the date as
    read (a father) would have it printed in full."""
    if record.date_of_birth is None:
        return False
    printed = people.birth_printed.get(date, [])

    def named(before: str) -> bool:
        match = TextNames(before).find(record.surname, record.given_names)
        return match is not None and match.score == 100.0

    return bool(printed) and all(lost_a_digit(digits, record.date_of_birth) and named(before)
                                 for digits, before in printed)


def _named_registry_people(names: TextNames, registry: CaseRegistry, threshold: float) -> list[CaseRecord]:
    """Registry people whose surname and a given name stand close together anywhere in the text."""
    found: list[CaseRecord] = []
    for word in names.capitalised_words():
        for record in registry.with_similar_surname(word, threshold):
            if record in found:
                continue
            match = names.find(record.surname, record.given_names)
            if match is not None and match.score >= threshold:
                found.append(record)
    return found


def _name_only_candidates(text: str, names: TextNames, registry: CaseRegistry, threshold: float) -> list[CaseRecord]:
    """Registry people the text names (full name anywhere, or a surname after Herr/Frau/Name:)."""
    found = _named_registry_people(names, registry, threshold)
    for candidate in find_name_candidates(text):
        if candidate.given_names:
            continue
        for record in registry.with_similar_surname(candidate.surname or "", threshold):
            if record not in found:
                found.append(record)
    return found


def match_case(
    text: str,
    registry: CaseRegistry,
    *,
    pattern: CaseNumberPattern | None = None,
    hints: CaseHints | None = None,
    name_threshold: float = NAME_THRESHOLD,
    ambiguity_threshold: float = AMBIGUITY_THRESHOLD,
    today: dt.date | None = None,
    sponsor_accepted: Callable[[str], bool] | None = None,
) -> CaseDecision:
    """Decide the case for one document's OCR text; anything doubtful goes to review.

    Evidence decides in the order of PRECEDENCE: the cover sheet, then the document's own printed
    case number, then the case of the mail it came with, then name and date of birth (or a valid
    passport MRZ) in the document. Evidence in the document for a different person than the
    chosen case's owner always sends it to review - except the sponsor of a family reunification
    recorded in the registry, when *sponsor_accepted*(case number) says that the case has an open
    application accepting this (type of) document from its sponsor; see ``_Judge.sponsor_only``.
    """
    pattern = pattern or CaseNumberPattern()
    hints = hints or CaseHints()
    names = TextNames(text)
    people, notes = _collect_people(text, registry, names, name_threshold, ambiguity_threshold, today,
                                    hints.birth_rereads)
    judge = _Judge(registry, names, people, name_threshold, notes, sponsor_accepted)

    given: dict[str, CaseRecord] = {}
    for source, value in (("cover", hints.barcode_case_number), ("mail", hints.email_case_number)):
        if not value:
            continue
        record = _record_from_hint(value, pattern, registry)
        if record is None:
            return judge.review(f"{_HINT_NAMES[source]} {value!r} ist kein Aktenzeichen aus dem Register.")
        given[source] = record

    printed = _read_printed_numbers(text, pattern, registry)
    if "cover" in given:
        return judge.by_cover(given["cover"], printed)
    if printed.problem and printed.near_misses:
        return judge.by_near_miss(printed)
    if printed.problem:
        return judge.review(printed.problem, candidates=printed.candidates + judge.person_candidates())
    if printed.record is not None:
        return judge.by_printed_number(printed, given.get("mail"), hints.email_evidence)
    if "mail" in given:
        return judge.by_mail(given["mail"], hints.email_evidence)
    return judge.by_person(text)


_HINT_NAMES = {"cover": "Deckblatt", "mail": "E-Mail"}


@dataclass
class _PrintedNumbers:
    """What the document's own case numbers say."""

    record: CaseRecord | None = None           # the one registered number, when nothing speaks against it
    certain: bool = False
    label: str | None = None
    registered: list[CaseRecord] = field(default_factory=list)
    problem: str | None = None                 # why the printed numbers cannot be used on their own
    candidates: list[str] = field(default_factory=list)
    unknown: str | None = None                 # the one printed number that is not registered
    # Registered cases one digit away from that number (OCR read "2026" for "2016"): never taken on the
    # number alone, only where the document's people confirm exactly one of them (_Judge.by_near_miss).
    near_misses: list[CaseRecord] = field(default_factory=list)
    one_unread: bool = False                   # near_misses fill one unreadable character, not a wrong digit
    lost_digit: bool = False                   # near_misses have one digit more than the serial read


def _read_printed_numbers(text: str, pattern: CaseNumberPattern, registry: CaseRegistry) -> _PrintedNumbers:
    hits: list[CaseNumberHit] = find_case_numbers(text, pattern)
    distinct = list(dict.fromkeys(h.canonical for h in hits))
    registered = [registry.get(c) for c in distinct if registry.get(c) is not None]
    unknown = [c for c in distinct if registry.get(c) is None]
    out = _PrintedNumbers(registered=registered, candidates=[r.case_number for r in registered])
    malformed = find_malformed_case_numbers(text, pattern)
    if malformed:
        shown = ", ".join(f"„{fragment}“" for fragment, _ in malformed[:3])
        out.problem = f"Aktenzeichen-ähnliche Angabe {shown} ist nicht vollständig lesbar."
        if len(malformed) == 1 and not distinct:
            # The fragment stops at the first character no number has ("%"); the word it starts is read.
            start = malformed[0][1][0]
            out.unknown = text[start:].split(None, 1)[0] if text[start:].strip() else malformed[0][0]
            out.near_misses = _one_character_unread(out.unknown, pattern, registry)
            out.one_unread = True
    elif unknown:
        out.problem = (f"Aktenzeichen {', '.join(unknown)} (Text) steht nicht im Register; "
                       "ein ähnliches nur, wenn Name und Geburtsdatum im Dokument allein dessen Akte bestätigen.")
        own = [h for h in hits if h.canonical == unknown[0]]
        others_certain = len(unknown) == 1 and len(registered) <= 1 and all(h.certain for h in hits if h not in own)
        near: list[CaseRecord] = []
        if others_certain and all(h.certain for h in own):
            out.unknown = unknown[0]
            near = _one_digit_away(own[0], pattern, registry)
        elif others_certain and all(_plain_short_serial(h, pattern) for h in own):
            # A serial one digit short, read without guessing: the digit may have been lost, not a zero.
            out.unknown, out.lost_digit = own[0].raw.strip(), True
            near = _one_digit_lost(own[0], pattern, registry)
        # Printed twice, read once right and once a digit off ("91926" in the header, "91026" in
        # the field): only the printed registered number may be the one meant.
        out.near_misses = [r for r in near if r in registered] if registered else near
    elif len(registered) > 1:
        out.problem = "Widersprüchliche Aktenzeichen im Text: " + ", ".join(out.candidates) + "."
    elif registered:
        out.record = registered[0]
        own = [h for h in hits if registry.get(h.canonical) is out.record]
        out.certain = any(h.certain or _unmistakable_short_serial(h, pattern, registry) for h in own)
        out.label = next((h.label for h in own if h.label), None)
    return out


def _one_digit_away(hit: CaseNumberHit, pattern: CaseNumberPattern, registry: CaseRegistry) -> list[CaseRecord]:
    """Registered case numbers that differ from *hit* in exactly one digit of year or serial, except the
    serial just before or after it: a case opened the same day may not be in the register yet."""
    prefix, year, serial = hit.parts[0], hit.parts[1], hit.parts[2].zfill(pattern.serial_digits)
    digits = year + serial
    found = []
    for position in range(len(digits)):
        for other, record in _registered_digit_variants(prefix, digits, position, len(year), pattern, registry):
            if other == digits or (other[:len(year)] == year and abs(int(other[len(year):]) - int(serial)) == 1):
                continue
            found.append(record)
    return found


def _plain_short_serial(hit: CaseNumberHit, pattern: CaseNumberPattern) -> bool:
    """A serial one digit short of the pattern, read as printed digits (no look-alike letter, no split)."""
    serial = hit.parts[2]
    return hit.padded and not hit.split and len(serial) == pattern.serial_digits - 1 \
        and re.sub(r"\D", "", hit.raw).endswith(hit.parts[1] + serial)


def _one_digit_lost(hit: CaseNumberHit, pattern: CaseNumberPattern, registry: CaseRegistry) -> list[CaseRecord]:
    """Registered case numbers whose serial is the short serial read with one digit put back anywhere
    ("ABH-2019-1092" for ABH-2019-10921); a leading zero gives the number as read, which is not registered."""
    prefix, year, serial = hit.parts
    found: list[CaseRecord] = []
    for position in range(len(serial) + 1):
        for digit in "0123456789":
            record = registry.get(pattern.format(prefix, year, serial[:position] + digit + serial[position:]))
            if record is not None and record not in found:
                found.append(record)
    return found


def _registered_digit_variants(prefix: str, digits: str, position: int, year_digits: int,
                               pattern: CaseNumberPattern, registry: CaseRegistry):
    """(year and serial, record) of every registered case whose year and serial are *digits* with any
    digit at *position*."""
    for digit in "0123456789":
        other = digits[:position] + digit + digits[position + 1:]
        record = registry.get(pattern.format(prefix, other[:year_digits], other[year_digits:]))
        if record is not None:
            yield other, record


def _one_character_unread(fragment: str, pattern: CaseNumberPattern, registry: CaseRegistry) -> list[CaseRecord]:
    """Registered cases that an illegible number fits when exactly one of its characters is unreadable:
    a digit read as no digit ("ABH-2024-9%327"), one letter of the office's prefix read as another
    ("ABN-2023-39842"), a speck glued before the prefix ("AktenzeichensABH-2023-31257") or a year digit
    that makes a year no case has ("ABH-2920-35990"); year and serial complete in length, every other
    character plain. Like a number one digit off, never taken on the number alone."""
    # A speck after the number reads as a quote or a stop ("ABM-2014-21986‘"): no character of it.
    parts = re.split(r"[ \t]*[-–/. ][ \t]*", fragment.strip().rstrip("‘’‚'`´\"“”„.,:;"))
    if len(parts) != 3:
        return []
    read_prefix, year, serial = parts
    if len(year) != pattern.year_digits or len(serial) != pattern.serial_digits:
        return []
    unread = [i for i, c in enumerate(year + serial) if not c.isdigit()]
    if not unread and read_prefix in pattern.prefixes and pattern.year_digits == 4 \
            and not pattern.year_range[0] <= int(year) <= pattern.year_range[1]:
        return [record for position in range(len(year))
                for _, record in _registered_digit_variants(read_prefix, year + serial, position, len(year),
                                                            pattern, registry)]
    if not unread and read_prefix[1:] in pattern.prefixes and not read_prefix[0].isdigit():
        record = registry.get(pattern.format(read_prefix[1:], year, serial))
        return [record] if record is not None else []
    # Or the prefix with one letter read as another ("ABN-2023-39842") and every digit plain.
    prefix = next((p for p in pattern.prefixes if len(p) == len(read_prefix)
                   and sum(a != b for a, b in zip(p, read_prefix)) == (0 if unread else 1)), None)
    if prefix is None or len(unread) > 1:
        return []
    if not unread:
        record = registry.get(pattern.format(prefix, year, serial))
        return [record] if record is not None else []
    return [record for _, record in _registered_digit_variants(prefix, year + serial, unread[0], len(year),
                                                                pattern, registry)]


def _unmistakable_short_serial(hit: CaseNumberHit, pattern: CaseNumberPattern, registry: CaseRegistry) -> bool:
    """A labelled number printed without its leading zero ("Ihr Zeichen: ABH-2019-8509") is taken as
    written when it was read without repairs and no other registered case is one lost digit away."""
    if hit.label is None or not _plain_short_serial(hit, pattern):
        return False
    own = registry.get(hit.canonical)
    return all(record is own for record in _one_digit_lost(hit, pattern, registry))


class _Judge:
    """Weighs one document's evidence against the case that a higher source points to."""

    def __init__(self, registry: CaseRegistry, names: TextNames, people: _PeopleEvidence, threshold: float,
                 notes: list[str], sponsor_accepted: Callable[[str], bool] | None = None):
        self.registry, self.names, self.people, self.threshold = registry, names, people, threshold
        self.reasons = list(notes)
        self.sponsor_accepted = sponsor_accepted

    def review(self, *why: str, candidates: list[str] = ()) -> CaseDecision:
        return CaseDecision(None, None, True, self.reasons + list(why), list(dict.fromkeys(candidates)))

    def assign(self, record: CaseRecord, method: str, *why: str) -> CaseDecision:
        if record.case_number in self.people.identified:
            why += ("Name und Geburtsdatum im Dokument bestätigen die Akte.",)
        return CaseDecision(record.case_number, method, False, self.reasons + list(why), [record.case_number])

    def person_candidates(self) -> list[str]:
        return list(self.people.identified) + [r.case_number for g in self.people.ambiguous for r in g]

    def names_owner(self, record: CaseRecord) -> bool:
        named = self.names.find(record.surname, record.given_names)
        return record.case_number in self.people.identified or (named is not None and named.score >= self.threshold)

    def objections(self, record: CaseRecord, *, name_only_veto: bool) -> tuple[list[str], list[str]]:
        """Evidence in the document for someone other than ``record``'s owner (or their registered sponsor,
        where the case accepts this document from the sponsor)."""
        against, others = self.other_people(record, name_only_veto=name_only_veto)
        if against and self.sponsor_accepted is not None:
            sponsor = self.registry.sponsor_of(record)
            if sponsor is not None and self.sponsor_only(record, sponsor):
                birth = sponsor.date_of_birth.strftime("%d.%m.%Y") if sponsor.date_of_birth else "?"
                who = f"{sponsor.full_name} (geb. {birth}{', ' + sponsor.case_number if sponsor.case_number else ''})"
                if self.sponsor_accepted(record.case_number):
                    self.reasons.append(
                        f"Das Dokument nennt die im Register eingetragene Referenzperson {who}; die Akte hat einen "
                        "offenen Antrag auf Familiennachzug, der diesen Nachweis der Referenzperson verlangt.")
                    return [], []
                against = [f"{SPONSOR_WAITING}{record.case_number}: das Dokument nennt die im Register eingetragene "
                           f"Referenzperson {who}, aber dort ist noch kein Antrag offen, der diesen Nachweis "
                           "verlangt.", *against]
        return against, others

    def sponsor_only(self, record: CaseRecord, sponsor: CaseRecord) -> bool:
        """The document names the registered sponsor by name and birth date, and no third person:
        every person evidence on it is the owner's or the sponsor's."""
        named = (sponsor.case_number in self.people.identified) or any(
            _mention_fits(m.name.surname, m.name.given_names, m.date_of_birth, sponsor, self.threshold)
            for m in self.people.mentions)
        return named and self.only_people(record, sponsor)

    def only_people(self, record: CaseRecord, sponsor: CaseRecord | None) -> bool:
        """Every person evidence in the document (names with birth dates, MRZ, birth dates, registry
        people named) is ``record``'s owner's or, if given, the sponsor's."""
        people = self.people
        allowed = {record.case_number} | ({sponsor.case_number} - {""} if sponsor else set())
        known = [record, sponsor] if sponsor else [record]
        fits = lambda surname, given, birth: any(  # noqa: E731
            _mention_fits(surname, given, birth, r, self.threshold) for r in known)
        if people.ambiguous or set(people.identified) - allowed:
            return False
        if not all(fits(m.name.surname, m.name.given_names, m.date_of_birth) for m in people.mentions):
            return False
        if not all(fits(z.surname, z.given_names, z.date_of_birth) for z in people.valid_mrz):
            return False
        if people.birth_dates - {r.date_of_birth for r in known} or people.unread_birth_dates or people.disputed:
            return False
        strangers = [r for r in _named_registry_people(self.names, self.registry, self.threshold)
                     if r.case_number not in allowed]
        return not strangers

    def other_people(self, record: CaseRecord, *, name_only_veto: bool) -> tuple[list[str], list[str]]:
        """Evidence in the document for someone other than ``record``'s owner."""
        against, others = _contradictions(record, self.people, self.threshold)
        if not against and self.people.unread_birth_dates and not self.names_owner(record):
            # A birthday that could not be read, on a page that does not name the owner: maybe someone else's.
            shown = ", ".join(f"„{fragment}“" for fragment in self.people.unread_birth_dates[:3])
            against = [f"Geburtsdatum im Dokument nicht lesbar ({shown}), und {_who(record)} wird nicht genannt."]
        if not against and name_only_veto and not self.names_owner(record):
            # A name alone never assigns, but it can veto: the page names someone else from the registry.
            strangers = [r for r in _named_registry_people(self.names, self.registry, self.threshold)
                         if r.case_number != record.case_number]
            if strangers:
                against = [f"Aktenzeichen gehört zu {_who(record)}, das Dokument nennt aber "
                           + ", ".join(_who(r) for r in strangers[:5]) + "."]
                others = [r.case_number for r in strangers[:5]]
        return against, others

    def by_cover(self, record: CaseRecord, printed: _PrintedNumbers) -> CaseDecision:
        """The cover sheet decides for the pages behind it, unless the pages show another person."""
        for other in printed.registered:
            if other is not record and self.names_owner(other) and not self.names_owner(record):
                return self.review(
                    f"Deckblatt nennt {_who(record)}, das Dokument trägt aber Aktenzeichen und Namen von {_who(other)}.",
                    candidates=[record.case_number, other.case_number])
        # Behind a cover sheet a bare name is no objection (a family member, a colleague).
        against, others = self.objections(record, name_only_veto=False)
        if against:
            return self.review(*against, candidates=[record.case_number] + others)
        why = [f"Deckblatt (Barcode) nennt {record.case_number}: {record.full_name}."]
        overruled = [r.case_number for r in printed.registered if r is not record]
        if overruled or printed.problem:
            why.append("Das Deckblatt hat Vorrang vor Aktenzeichen im Text"
                       + (f" ({', '.join(overruled)})" if overruled else "") + ".")
        return self.assign(record, "barcode", *why)

    def by_printed_number(self, printed: _PrintedNumbers, mail: CaseRecord | None, mail_how: str | None) -> CaseDecision:
        record = printed.record
        confirmed_by_mail = mail is record
        if not printed.certain and not confirmed_by_mail and not self.names_owner(record):
            return self.review(
                f"Aktenzeichen {record.case_number} nur unsicher gelesen (Ziffern ergänzt oder getrennt) "
                f"und der Name {record.full_name} steht nicht im Dokument.",
                candidates=[record.case_number])
        against, others = self.objections(record, name_only_veto=True)
        if against:
            return self.review(*against, candidates=[record.case_number] + others)
        why = [f"Aktenzeichen {record.case_number} (Text" + (f", nach „{printed.label}“" if printed.label else "")
               + f") ist im Register: {record.full_name}."]
        if confirmed_by_mail:
            why.append(f"Die E-Mail gehört zur selben Akte ({mail_how or 'E-Mail'}).")
        elif mail is not None:
            why.append(f"Die E-Mail gehört zu {mail.case_number} ({mail_how or 'E-Mail'}); das eigene "
                       "Aktenzeichen des Dokuments hat Vorrang.")
        return self.assign(record, "case_number", *why)

    def by_near_miss(self, printed: _PrintedNumbers) -> CaseDecision:
        """The printed number is not registered but one digit away from registered ones: taken only for
        the one of them whose owner (or registered sponsor) the document names with birth date, where
        no one else appears in it - the number alone, however close, never decides."""
        confirmed = [r for r in printed.near_misses if self.confirms(r)]
        if len(confirmed) != 1:
            return self.review(printed.problem, candidates=printed.candidates + self.person_candidates())
        record = confirmed[0]
        against, others = self.objections(record, name_only_veto=True)
        if against:
            return self.review(printed.problem, *against, candidates=[record.case_number] + others)
        how = ("ist in einem Zeichen unlesbar und passt dort zu" if printed.one_unread
               else "steht nicht im Register, ihm fehlt eine Ziffer von" if printed.lost_digit
               else "steht nicht im Register und weicht in einer Ziffer ab von")
        return self.assign(record, "case_number", (
            f"Aktenzeichen „{printed.unknown}“ (Text) {how} {record.case_number}; "
            f"das Dokument nennt nur die Person dieser Akte"
            f"{' oder ihre Referenzperson' if record.case_number not in self.people.identified else ''} "
            "mit Name und Geburtsdatum: die Akte ist bestätigt."))

    def confirms(self, record: CaseRecord) -> bool:
        """Name and birth date in the document are those of ``record``'s owner or registered sponsor,
        and nobody else's."""
        sponsor = self.registry.sponsor_of(record)
        if record.case_number in self.people.identified and self.only_people(record, sponsor):
            return True
        return sponsor is not None and self.sponsor_only(record, sponsor)

    def by_mail(self, record: CaseRecord, how: str | None) -> CaseDecision:
        """An attachment without a number of its own follows its mail, unless it shows another person."""
        against, others = self.objections(record, name_only_veto=True)
        if against:
            return self.review(f"Die E-Mail gehört zu {_who(record)}, aber:", *against,
                               candidates=[record.case_number] + others)
        return self.assign(record, "mail", f"Die E-Mail gehört zu {record.case_number} ({how or 'E-Mail'}): "
                           f"{record.full_name}; das Dokument nennt kein anderes Aktenzeichen und keine andere Person.")

    def by_person(self, text: str) -> CaseDecision:
        people = self.people
        candidates = self.person_candidates()
        if people.disputed:
            return self.review(*(f"Name und Geburtsdatum passen zu {_who(r)}, aber das Geburtsdatum, vergrößert "
                                 f"gelesen, heißt zweimal {again:%d.%m.%Y}." for r, again in people.disputed),
                               candidates=[r.case_number for r, _ in people.disputed] + candidates)
        if people.ambiguous:
            who = ", ".join(_who(r) for g in people.ambiguous for r in g)
            return self.review(f"Name und Geburtsdatum passen zu mehreren Personen: {who}.", candidates=candidates)
        if len(people.identified) > 1:
            who = ", ".join(_who(people.records[c]) for c in people.identified)
            return self.review(f"Das Dokument nennt mehrere Personen aus dem Register: {who}.", candidates=candidates)
        if len(people.identified) == 1:
            case_number, how = next(iter(people.identified.items()))
            record = people.records[case_number]
            method = "mrz" if "mrz" in how else "name_dob"
            return CaseDecision(record.case_number, method, False, self.reasons + [
                ("Gültige Pass-MRZ passt" if method == "mrz" else "Name und Geburtsdatum passen")
                + f" eindeutig zu {_who(record)}."], [record.case_number])
        name_only = _name_only_candidates(text, self.names, self.registry, self.threshold)
        if name_only:
            return self.review(
                "Name gefunden, aber kein passendes Geburtsdatum oder Aktenzeichen – ein Name allein reicht nicht: "
                + ", ".join(_who(r) for r in name_only[:10]) + ".",
                candidates=[r.case_number for r in name_only[:10]])
        return self.review("Kein Aktenzeichen, keine Pass-MRZ und kein Name mit Geburtsdatum gefunden.")
