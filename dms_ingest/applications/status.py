"""Is an application complete? Each requirement against the case's documents and their fields.

Pure logic over plain values (no database), so that every rule is tested with fast unit tests.
A requirement is satisfied only by documents that are certainly of its type, certainly the
applicant's, and whose fields were read and meet every condition; doubt is "unread", never "ok".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from rapidfuzz.distance import Levenshtein

from ..classifiers.persons import (TextNames, find_birth_dates, find_person_mentions, name_letters, person_name_score,
                                   lost_a_digit, name_tokens, reads_as_name, word_similarity)
from ..fields import ExtractedField
from ..fields.values import add_months, cefr_rank, month_label, previous_months
from .config import (ApplicationType, MinAmount, MinLevel, NotOlderThan, RecentMonths, Requirement, ValidFor,
                     ValidToday)

SATISFIED, MISSING, EXPIRED, UNREAD, INSUFFICIENT = "satisfied", "missing", "expired", "unread", "insufficient"
# What the applicant is asked for in a letter; "unread" is the office's to check first.
TO_REQUEST = (MISSING, EXPIRED, INSUFFICIENT)


@dataclass(frozen=True)
class Applicant:
    surname: str
    given_names: str
    date_of_birth: dt.date | None = None
    sponsor: "Applicant | None" = None   # the Referenzperson recorded in the registry


@dataclass
class CaseDocument:
    """A document of the case as the check needs it."""

    id: str
    doc_type: str | None
    fields: dict[str, ExtractedField]
    text: str = ""
    review: bool = False                 # type or case still in doubt: never counts
    title: str = ""
    created_at: str = ""
    outgoing: bool = False               # our own letters never satisfy a requirement


@dataclass
class DocumentCheck:
    """How one candidate document fared against a requirement."""

    id: str
    outcome: str                         # ok | expired | insufficient | unread | other_person | in_review
    reason: str = ""
    fields: dict[str, str | None] = field(default_factory=dict)


@dataclass
class RequirementStatus:
    key: str
    label: str
    doc_type: str
    count: int
    state: str                           # satisfied | missing | expired | unread | insufficient
    reason: str                          # German, one sentence for the clerk
    satisfied_by: list[str] = field(default_factory=list)
    documents: list[DocumentCheck] = field(default_factory=list)
    missing_months: list[str] = field(default_factory=list)


@dataclass
class ApplicationStatus:
    application_type: str
    title: str
    legal_basis: str
    complete: bool
    requirements: list[RequirementStatus]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.requirements:
            out[r.state] = out.get(r.state, 0) + 1
        return out

    def to_json(self) -> dict:
        return asdict(self) | {"counts": self.counts()}


def evaluate(type_key: str, app: ApplicationType, documents: list[CaseDocument], applicant: Applicant | None,
             today: dt.date, *, name_threshold: float = 85.0) -> ApplicationStatus:
    """The status of every requirement of *app* on the case's *documents* as of *today*."""
    results = [_requirement(req, documents, applicant, today, name_threshold) for req in app.requirements]
    return ApplicationStatus(type_key, app.title, app.legal_basis, all(r.state == SATISFIED for r in results), results)


# --------------------------------------------------------------------------- one requirement

def _requirement(req: Requirement, documents: list[CaseDocument], applicant: Applicant | None, today: dt.date,
                 name_threshold: float) -> RequirementStatus:
    candidates = [d for d in documents if d.doc_type == req.doc_type and not d.outgoing]
    checks = [_check_document(req, d, applicant, today, name_threshold) for d in candidates]
    status = RequirementStatus(req.key, req.label, req.doc_type, req.count, MISSING, "", documents=checks)
    ok = [c for c in checks if c.outcome == "ok"]
    months = next((c for c in req.conditions if isinstance(c, RecentMonths)), None)
    if months is not None:
        return _recent_months(status, months, ok, checks, today)
    if len(ok) >= req.count:
        status.state, status.satisfied_by = SATISFIED, [c.id for c in ok[:req.count]]
        status.reason = "erfüllt durch " + ", ".join(status.satisfied_by)
        return status
    return _shortfall(status, checks, len(ok))


def _shortfall(status: RequirementStatus, checks: list[DocumentCheck], have: int) -> RequirementStatus:
    """Not enough good documents: say why, the most actionable doubt first."""
    outcomes = {c.outcome for c in checks if c.outcome != "ok"}
    needed = status.count - have
    if outcomes & {"unread", "in_review"}:
        status.state = UNREAD
        doubtful = [c for c in checks if c.outcome in ("unread", "in_review")]
        status.reason = "bitte prüfen: " + "; ".join(f"{c.id}: {c.reason}" for c in doubtful)
    elif "expired" in outcomes:
        status.state = EXPIRED
        status.reason = "; ".join(f"{c.id}: {c.reason}" for c in checks if c.outcome == "expired")
    elif "insufficient" in outcomes:
        status.state = INSUFFICIENT
        status.reason = "; ".join(f"{c.id}: {c.reason}" for c in checks if c.outcome == "insufficient")
    else:
        status.state = MISSING
        others = [c for c in checks if c.outcome == "other_person"]
        status.reason = (f"es fehlen {needed} von {status.count}" if status.count > 1 else "kein Dokument vorhanden")
        if others:
            status.reason += "; nur Dokument(e) einer anderen Person: " + ", ".join(c.id for c in others)
    if have:
        status.satisfied_by = [c.id for c in checks if c.outcome == "ok"]
    return status


def _recent_months(status: RequirementStatus, rule: RecentMonths, ok: list[DocumentCheck],
                   checks: list[DocumentCheck], today: dt.date) -> RequirementStatus:
    by_month: dict[str, str] = {}
    for c in ok:
        by_month.setdefault(c.fields.get(rule.field) or "", c.id)
    for offset in range(0, rule.grace_months + 2):
        window = previous_months(today, rule.months, offset=offset)
        if all(m in by_month for m in window):
            status.state, status.satisfied_by = SATISFIED, [by_month[m] for m in window]
            status.reason = "erfüllt für " + ", ".join(month_label(m) for m in window)
            return status
    # The months the applicant is asked for: the last full months before this one.
    wanted = previous_months(today, rule.months, offset=1)
    status.missing_months = [m for m in wanted if m not in by_month]
    shown = ", ".join(month_label(m) for m in status.missing_months)
    doubtful = [c for c in checks if c.outcome in ("unread", "in_review")]
    if doubtful:
        status.state = UNREAD
        status.reason = f"fehlend: {shown}; bitte prüfen: " + "; ".join(f"{c.id}: {c.reason}" for c in doubtful)
    elif by_month and max(by_month) < wanted[0]:
        status.state = EXPIRED
        status.reason = f"nur ältere Abrechnungen (bis {month_label(max(by_month))}); fehlend: {shown}"
    else:
        status.state = MISSING
        status.reason = f"fehlend: {shown}"
        others = [c for c in checks if c.outcome == "other_person"]
        if others:
            status.reason += "; Dokument(e) einer anderen Person: " + ", ".join(c.id for c in others)
    status.satisfied_by = [by_month[m] for m in wanted if m in by_month]
    return status


# --------------------------------------------------------------------------- one document

_FIELD_NAMES_DE = {
    "expiry_date": "Ablaufdatum", "valid_from": "Beginn des Versicherungsschutzes", "valid_to": "Ende des "
    "Versicherungsschutzes", "issue_date": "Ausstellungsdatum", "level": "Sprachniveau", "period": "Abrechnungsmonat",
    "salary": "Gehalt", "date": "Datum", "rent": "Miete", "start_date": "Beginn",
}


def _de(name: str) -> str:
    return _FIELD_NAMES_DE.get(name, name)


field_label = _de       # the case file names the fields as the reasons do


def _check_document(req: Requirement, doc: CaseDocument, applicant: Applicant | None, today: dt.date,
                    name_threshold: float) -> DocumentCheck:
    used = {n: (doc.fields[n].value if n in doc.fields and doc.fields[n].read else None) for n in req.fields_used()}
    check = DocumentCheck(doc.id, "ok", fields=used)
    if doc.review:
        check.outcome, check.reason = "in_review", "Dokumenttyp oder Akte noch in Prüfung"
        return check
    if req.from_sponsor and applicant is not None and applicant.sponsor is not None \
            and belongs_to_applicant(doc, applicant.sponsor, name_threshold) is True:
        check.reason = "Nachweis der Referenzperson " + f"{applicant.sponsor.given_names} {applicant.sponsor.surname}"
    elif req.applicant_only and applicant is not None:
        owner = belongs_to_applicant(doc, applicant, name_threshold)
        if owner is False:
            check.outcome, check.reason = "other_person", "Dokument nennt eine andere Person"
            return check
        if owner is None:
            check.outcome, check.reason = "unread", "Name des Antragstellers nicht sicher erkannt"
            return check
    for condition in req.conditions:
        outcome, reason = _condition(condition, doc.fields, today)
        if outcome != "ok":
            check.outcome, check.reason = outcome, reason
            return check
    return check


def _date_field(fields: dict[str, ExtractedField], name: str) -> tuple[dt.date | None, str | None]:
    f = fields.get(name)
    if f is None or not f.read:
        return None, f"{_de(name)} nicht lesbar"
    if f.value == "open":
        return None, None
    try:
        return dt.date.fromisoformat(f.value), None
    except ValueError:
        return None, f"{_de(name)} nicht lesbar"


def _read_value(fields: dict[str, ExtractedField], name: str) -> str | None:
    f = fields.get(name)
    return f.value if f is not None and f.read else None


def _condition(condition, fields: dict[str, ExtractedField], today: dt.date) -> tuple[str, str]:
    if isinstance(condition, ValidFor):
        expiry, problem = _date_field(fields, condition.field)
        if problem or expiry is None:
            return "unread", problem or f"{_de(condition.field)} nicht lesbar"
        needed = add_months(today, condition.months)
        if expiry < needed:
            return "expired", (f"gültig bis {expiry:%d.%m.%Y}, verlangt mindestens bis {needed:%d.%m.%Y}")
        return "ok", ""
    if isinstance(condition, ValidToday):
        start, problem = _date_field(fields, condition.from_field)
        if problem:
            return "unread", problem
        end_field = fields.get(condition.to_field)
        end, end_problem = _date_field(fields, condition.to_field)
        if end_problem:
            return "unread", end_problem
        if start is not None and start > today:
            return "insufficient", f"gilt erst ab {start:%d.%m.%Y}"
        if end is None and (end_field is None or end_field.value != "open"):
            return "unread", f"{_de(condition.to_field)} nicht lesbar"
        if end is not None and end < today:
            return "expired", f"gültig nur bis {end:%d.%m.%Y}"
        return "ok", ""
    if isinstance(condition, NotOlderThan):
        issued, problem = _date_field(fields, condition.field)
        if problem or issued is None:
            return "unread", problem or f"{_de(condition.field)} nicht lesbar"
        oldest = add_months(today, -condition.months)
        if issued < oldest:
            return "expired", f"vom {issued:%d.%m.%Y}, älter als {condition.months} Monate"
        if issued > today:
            return "unread", f"{_de(condition.field)} liegt in der Zukunft ({issued:%d.%m.%Y})"
        return "ok", ""
    value = _read_value(fields, condition.field)
    if value is None:
        return "unread", f"{_de(condition.field)} nicht lesbar"
    try:
        if isinstance(condition, MinLevel) and cefr_rank(value) < cefr_rank(condition.level):
            return "insufficient", f"Niveau {value}, verlangt {condition.level}"
        if isinstance(condition, MinAmount) and Decimal(value) < condition.amount:
            return "insufficient", f"{_de(condition.field)} {value} €, verlangt {condition.amount} €"
    except (ValueError, InvalidOperation):
        return "unread", f"{_de(condition.field)} nicht lesbar"
    if isinstance(condition, (MinLevel, MinAmount, RecentMonths)):
        return "ok", ""
    raise TypeError(condition)


# --------------------------------------------------------------------------- whose document is it?

def _printed_page_names(doc: CaseDocument, applicant: Applicant, mrz_surname: str, mrz_given: str,
                        birth: ExtractedField | None, threshold: float) -> bool:
    """A passport whose MRZ line 1 misread the applicant's name: no check digit covers line 1's names, so
    the data page printed above it decides - when it names the applicant and the MRZ's verified birth
    date is theirs. Line 1 must still read as the applicant's name with OCR's slips: the surname with
    another given name ("PETROVIC<<MISS" for MILOS) or one letter misread ("YILDEZ"), the given names
    exactly with two letters of a surname of seven or more misread ("NIKOLTE<<MARKO<DRAGAN" for NIKOLIC,
    seed 201), or
    no name read at all (no given names, the surname letter soup: "ORTOOSESOEDESSETSESOOSOE", seed 230).
    A relative's passport (a twin: same surname and birthday) prints the relative's given name there;
    another surname with the applicant's given names ("PETERS<<MILOS") is someone else's."""
    if birth is None or not birth.read or applicant.date_of_birth is None:
        return False
    own, read = name_letters(applicant.surname), name_letters(mrz_surname)
    one_letter_off = len(own) == len(read) >= 4 and sum(a != b for a, b in zip(own, read)) == 1
    given_exact = bool(name_tokens(mrz_given)) and name_tokens(mrz_given) == name_tokens(applicant.given_names)
    # Two slips in a long surname only (in "YILDIZ", "YELDEZ" is another name).
    two_letters_off = given_exact and len(own) >= 7 and Levenshtein.distance(own, read) <= 2
    unread = not name_tokens(mrz_given) and word_similarity(own, read) < threshold
    if word_similarity(own, read) < threshold and not (one_letter_off or two_letters_off or unread):
        return False
    printed = TextNames(doc.text).find(applicant.surname, applicant.given_names)
    return printed is not None and printed.score >= threshold


def belongs_to_applicant(doc: CaseDocument, applicant: Applicant, threshold: float = 85.0) -> bool | None:
    """True if the document is certainly the applicant's, False if it names someone else, None if unsure."""
    surname, given = doc.fields.get("surname"), doc.fields.get("given_names")
    if doc.doc_type == "pass":
        if not (surname and surname.read and given and given.read):
            return None
        birth = doc.fields.get("date_of_birth")
        if applicant.date_of_birth and birth and birth.read and birth.value != applicant.date_of_birth.isoformat():
            return False
        if person_name_score(applicant.surname, applicant.given_names, surname.value, given.value) < threshold:
            return _printed_page_names(doc, applicant, surname.value, given.value, birth, threshold)
        return True
    match = TextNames(doc.text).find(applicant.surname, applicant.given_names)
    if match is not None and match.score >= threshold:
        hits = find_birth_dates(doc.text)
        births = {hit.date for hit in hits}
        # A namesake in the family (father and son): the birth dates tell them apart. The applicant's
        # own date with a digit OCR lost ("13.2.1979", seed 78) beside their exact name is theirs.
        if applicant.date_of_birth and births and applicant.date_of_birth not in births:
            return match.score == 100.0 and all(lost_a_digit(hit.printed, applicant.date_of_birth) for hit in hits)
        return True
    # A name OCR misread letter for letter ("Stefari Stan" for Ștefan Stan) beside the applicant's birth date.
    if applicant.date_of_birth and any(
            m.date_of_birth == applicant.date_of_birth
            and reads_as_name(applicant.surname, applicant.given_names, m.name.surname, m.name.given_names)
            for m in find_person_mentions(doc.text)):
        return True
    # Someone of the same family name but another first name: a relative's document.
    if TextNames(doc.text).has_surname(applicant.surname, threshold):
        return False
    return None
