"""Deciding which case a document belongs to, or that a clerk has to decide.

Filing into the wrong person's case is the worst outcome, so every rule here prefers
sending a document to review over a guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .case_numbers import CaseNumberHit, CaseNumberPattern, find_case_numbers, find_malformed_case_numbers
from .mrz import MrzResult, find_mrz
from .persons import PersonMention, TextNames, find_name_candidates, find_birth_dates, find_person_mentions, person_name_score
from .registry import CaseRecord, CaseRegistry

NAME_THRESHOLD = 85.0
AMBIGUITY_THRESHOLD = 75.0


@dataclass(frozen=True)
class CaseHints:
    """Case numbers known from outside the page text."""

    barcode_case_number: str | None = None
    email_case_number: str | None = None


@dataclass
class CaseDecision:
    """The outcome: a case number to file under, or review with the reasons and candidates."""

    case_number: str | None
    method: str | None
    review: bool
    reasons: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _NumberEvidence:
    canonical: str
    source: str  # 'barcode', 'email' or 'text'
    certain: bool
    label: str | None = None


@dataclass
class _PeopleEvidence:
    # case number -> how the person was identified ('name_dob' and/or 'mrz')
    identified: dict[str, set[str]] = field(default_factory=dict)
    records: dict[str, CaseRecord] = field(default_factory=dict)
    ambiguous: list[list[CaseRecord]] = field(default_factory=list)
    mentions: list[PersonMention] = field(default_factory=list)
    valid_mrz: list[MrzResult] = field(default_factory=list)
    birth_dates: set[dt.date] = field(default_factory=set)


def _who(record: CaseRecord) -> str:
    birth = record.date_of_birth.strftime("%d.%m.%Y") if record.date_of_birth else "?"
    return f"{record.case_number} ({record.full_name}, geb. {birth})"


def _number_from_hint(value: str, pattern: CaseNumberPattern, registry: CaseRegistry) -> str | None:
    value = value.strip()
    canonical = pattern.canonical(value)
    if canonical:
        return canonical
    if registry.get(value) is not None:
        return registry.get(value).case_number
    hits = {h.canonical for h in find_case_numbers(value, pattern)}
    return hits.pop() if len(hits) == 1 else None


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
    text: str, registry: CaseRegistry, names: TextNames, threshold: float, ambiguity: float, today: dt.date | None
) -> tuple[_PeopleEvidence, list[str]]:
    evidence = _PeopleEvidence()
    notes: list[str] = []

    def add(record: CaseRecord, how: str) -> None:
        evidence.identified.setdefault(record.case_number, set()).add(how)
        evidence.records[record.case_number] = record

    evidence.birth_dates = {h.date for h in find_birth_dates(text, today=today)}
    for birth in sorted(evidence.birth_dates):
        scored = []
        for record in registry.born_on(birth):
            match = names.find(record.surname, record.given_names)
            scored.append((record, match.score if match else 0.0))
        winner, lookalikes = _pick_unique(scored, threshold, ambiguity)
        if winner is not None:
            add(winner, "name_dob")
        elif lookalikes:
            evidence.ambiguous.append(lookalikes)

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


def _mention_fits(mention_surname: str, mention_given: str, birth: dt.date | None, record: CaseRecord, threshold: float) -> bool:
    return birth == record.date_of_birth and person_name_score(
        record.surname, record.given_names, mention_surname, mention_given
    ) >= threshold


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
    foreign_births = sorted(people.birth_dates - {record.date_of_birth})
    if not reasons and foreign_births and record.date_of_birth not in people.birth_dates:
        # Someone's birthday is on the page, and it is not the case owner's.
        shown = ", ".join(f"{d:%d.%m.%Y}" for d in foreign_births[:3])
        reasons.append(f"Geburtsdatum im Dokument ({shown}) passt nicht zu {_who(record)}.")
    return reasons, [o.case_number for o in others]


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
) -> CaseDecision:
    """Decide the case for one document's OCR text; anything doubtful goes to review."""
    pattern = pattern or CaseNumberPattern()
    hints = hints or CaseHints()
    reasons: list[str] = []
    names = TextNames(text)

    numbers: list[_NumberEvidence] = []
    for source, value in (("barcode", hints.barcode_case_number), ("email", hints.email_case_number)):
        if not value:
            continue
        canonical = _number_from_hint(value, pattern, registry)
        if canonical is None:
            return CaseDecision(None, None, True, [f"{_SOURCE_NAMES[source]} {value!r} ist kein gültiges Aktenzeichen."], [])
        numbers.append(_NumberEvidence(canonical, source, certain=True))
    hits: list[CaseNumberHit] = find_case_numbers(text, pattern)
    numbers += [_NumberEvidence(h.canonical, "text", h.certain, h.label) for h in hits]

    people, notes = _collect_people(text, registry, names, name_threshold, ambiguity_threshold, today)
    reasons += notes

    distinct = list(dict.fromkeys(n.canonical for n in numbers))
    known = [c for c in distinct if registry.get(c) is not None]
    unknown = [c for c in distinct if registry.get(c) is None]
    person_candidates = list(people.identified) + [r.case_number for g in people.ambiguous for r in g]

    def review(*why: str, candidates: list[str] = ()) -> CaseDecision:
        ordered = list(dict.fromkeys(list(candidates)))
        return CaseDecision(None, None, True, reasons + list(why), ordered)

    malformed = find_malformed_case_numbers(text, pattern)
    if malformed:
        shown = ", ".join(f"„{fragment}“" for fragment, _ in malformed[:3])
        return review(
            f"Aktenzeichen-ähnliche Angabe {shown} ist nicht vollständig lesbar.",
            candidates=[registry.get(c).case_number for c in known] + person_candidates,
        )
    if unknown:
        where = ", ".join(f"{c} ({_sources(numbers, c)})" for c in unknown)
        return review(
            f"Aktenzeichen {where} steht nicht im Register; ähnliche Aktenzeichen werden nicht angenommen.",
            candidates=[registry.get(c).case_number for c in known] + person_candidates,
        )
    if len(known) > 1:
        where = ", ".join(f"{registry.get(c).case_number} ({_sources(numbers, c)})" for c in known)
        return review(f"Widersprüchliche Aktenzeichen: {where}.", candidates=[registry.get(c).case_number for c in known])

    if known:
        record = registry.get(known[0])
        own = [n for n in numbers if n.canonical == known[0]]
        sources = {n.source for n in own}
        named = names.find(record.surname, record.given_names)
        if not any(n.certain for n in own) and (named is None or named.score < name_threshold):
            return review(
                f"Aktenzeichen {record.case_number} nur unsicher gelesen (Ziffern ergänzt oder getrennt) "
                f"und der Name {record.full_name} steht nicht im Dokument.",
                candidates=[record.case_number],
            )
        against, others = _contradictions(record, people, name_threshold)
        if not against and (named is None or named.score < name_threshold):
            # A name alone never assigns, but it can veto: the page names someone else from the registry.
            strangers = [r for r in _named_registry_people(names, registry, name_threshold) if r.case_number != record.case_number]
            if strangers:
                against = [
                    f"Aktenzeichen gehört zu {_who(record)}, das Dokument nennt aber "
                    + ", ".join(_who(r) for r in strangers[:5]) + "."
                ]
                others = [r.case_number for r in strangers[:5]]
        if against:
            return review(*against, candidates=[record.case_number] + others)
        method = "barcode" if "barcode" in sources else "case_number"
        label = next((n.label for n in own if n.label), None)
        reasons.append(
            f"Aktenzeichen {record.case_number} ({_sources(numbers, known[0])}"
            + (f", nach „{label}“" if label else "")
            + f") ist im Register: {record.full_name}."
        )
        if record.case_number in people.identified:
            reasons.append("Name und Geburtsdatum im Dokument bestätigen die Akte.")
        return CaseDecision(record.case_number, method, False, reasons, [record.case_number])

    if people.ambiguous:
        who = ", ".join(_who(r) for g in people.ambiguous for r in g)
        return review(f"Name und Geburtsdatum passen zu mehreren Personen: {who}.", candidates=person_candidates)
    if len(people.identified) > 1:
        who = ", ".join(_who(people.records[c]) for c in people.identified)
        return review(f"Das Dokument nennt mehrere Personen aus dem Register: {who}.", candidates=person_candidates)
    if len(people.identified) == 1:
        case_number, how = next(iter(people.identified.items()))
        record = people.records[case_number]
        method = "mrz" if "mrz" in how else "name_dob"
        reasons.append(
            ("Gültige Pass-MRZ passt" if method == "mrz" else "Name und Geburtsdatum passen")
            + f" eindeutig zu {_who(record)}."
        )
        return CaseDecision(record.case_number, method, False, reasons, [record.case_number])

    name_only = _name_only_candidates(text, names, registry, name_threshold)
    if name_only:
        return review(
            "Name gefunden, aber kein passendes Geburtsdatum oder Aktenzeichen – ein Name allein reicht nicht: "
            + ", ".join(_who(r) for r in name_only[:10]) + ".",
            candidates=[r.case_number for r in name_only[:10]],
        )
    return review("Kein Aktenzeichen, keine Pass-MRZ und kein Name mit Geburtsdatum gefunden.")


_SOURCE_NAMES = {"barcode": "Barcode", "email": "E-Mail-Betreff", "text": "Text"}


def _sources(numbers: list[_NumberEvidence], canonical: str) -> str:
    return "/".join(dict.fromkeys(_SOURCE_NAMES[n.source] for n in numbers if n.canonical == canonical))
