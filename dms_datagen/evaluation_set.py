"""Labelled evaluation set: scanned-looking pages (or noisy OCR-like text) plus a registry full of traps.

The document templates here are deliberately different from those in training_corpus
(other wording, layouts and letterheads), so the classifier is measured on unseen text.

Usage: python -m dms_datagen.evaluation_set DIR --count N --seed S [--text]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from dms_ingest.classifiers.mrz import check_digit
from dms_ingest.classifiers.persons import fold_name, loose_name
from dms_ingest.classifiers.registry import CaseRecord, write_registry_csv

from . import people as fd
from .letters import LetterParts
from .mrz import make_td3
from .ocr_noise import add_ocr_noise, case_number_variant, mrz_variant, protect, strip_protection
from .scan import scanned_text_page

TODAY = dt.date(2025, 6, 30)


# --------------------------------------------------------------------------- registry with traps

@dataclass
class TrapRegistry:
    """The registry plus the groups of records that make it hard."""

    records: list[CaseRecord]
    plain: list[CaseRecord] = field(default_factory=list)
    same_name_pairs: list[tuple[CaseRecord, CaseRecord]] = field(default_factory=list)
    twins: list[tuple[CaseRecord, CaseRecord]] = field(default_factory=list)
    lookalike_same_dob: list[tuple[CaseRecord, CaseRecord]] = field(default_factory=list)
    zero_serials: list[CaseRecord] = field(default_factory=list)
    unambiguous: list[CaseRecord] = field(default_factory=list)
    spelling_variants: list[CaseRecord] = field(default_factory=list)


_LOOKALIKE_EDITS = [("y", "i"), ("i", "y"), ("ss", "s"), ("mm", "m"), ("a", "e"), ("ou", "u"), ("k", "c"), ("ch", "sch")]
_SPELLING_VARIANTS = {"ı": "i", "ş": "s", "ç": "c", "ğ": "g", "ö": "oe", "ü": "ue", "ä": "ae", "ß": "ss", "İ": "I", "Ş": "S", "Ç": "C", "Ö": "Oe", "Ü": "Ue"}


def _respell(name: str) -> str:
    """Spell a name the way a German form or a foreign keyboard might (Yılmaz → Yilmaz, Müller → Mueller)."""
    return "".join(_SPELLING_VARIANTS.get(ch, ch) for ch in name)


def _lookalike(surname: str, rng: random.Random) -> str | None:
    edits = _LOOKALIKE_EDITS[:]
    rng.shuffle(edits)
    for a, b in edits:
        if a in surname.lower():
            i = surname.lower().index(a)
            new = surname[:i] + (b.upper() if surname[i].isupper() else b) + surname[i + len(a):]
            if loose_name(new) != loose_name(surname):
                return new
    return None


def build_registry(rng: random.Random, size: int = 260) -> TrapRegistry:
    """A registry of invented people with same surnames, namesakes, twins and look-alike spellings."""
    used_numbers: set[str] = set()

    def number(zero_lead: bool = False) -> str:
        while True:
            serial = rng.randint(1, 9999) if zero_lead else rng.randint(10000, 99999)
            value = f"ABH-{rng.randint(2012, 2025)}-{serial:05d}"
            if value not in used_numbers:
                used_numbers.add(value)
                return value

    def record(person: fd.Person, zero_lead: bool = False) -> CaseRecord:
        return CaseRecord(number(zero_lead), person.surname, person.given_names, person.date_of_birth, person.nationality)

    trap = TrapRegistry(records=[])
    people_seen: set[tuple[str, str, dt.date]] = set()
    while len(trap.plain) < size:
        p = fd.random_person(rng)
        key = (loose_name(p.surname), loose_name(p.given_names), p.date_of_birth)
        if key in people_seen:
            continue
        people_seen.add(key)
        r = record(p, zero_lead=rng.random() < 0.25)
        trap.plain.append(r)
        if r.case_number.split("-")[2].startswith("0"):
            trap.zero_serials.append(r)
    trap.records.extend(trap.plain)

    # Namesakes: same surname and given names, another date of birth.
    for base in rng.sample(trap.plain, 20):
        other = CaseRecord(number(), base.surname, base.given_names,
                           fd.random_date(rng, dt.date(1955, 1, 1), dt.date(2005, 12, 31)), base.nationality)
        trap.same_name_pairs.append((base, other))
        trap.records.append(other)
    # Twins, or two registry entries with identical name and birthday.
    for _ in range(8):
        p = fd.random_person(rng)
        a, b = record(p), record(p)
        trap.twins.append((a, b))
        trap.records += [a, b]
    # Look-alike surnames born on the same day.
    for base in rng.sample(trap.plain, 60):
        variant = _lookalike(base.surname, rng)
        # Only surnames long enough that one edit keeps them confusable (a clerk would hesitate too).
        if variant is None or len(base.surname) < 6 or len(trap.lookalike_same_dob) >= 10:
            continue
        other = CaseRecord(number(), variant, base.given_names, base.date_of_birth, base.nationality)
        trap.lookalike_same_dob.append((base, other))
        trap.records.append(other)
    # Look-alike surnames born on other days: harmless, but they must not attract documents.
    for base in rng.sample(trap.plain, 30):
        variant = _lookalike(base.surname, rng)
        if variant:
            trap.records.append(CaseRecord(number(), variant, base.given_names,
                                           fd.random_date(rng, dt.date(1955, 1, 1), dt.date(2005, 12, 31)), base.nationality))
    # People with a same-birthday look-alike can never be identified by name and birthday alone.
    confusable = {a.case_number for a, _ in trap.lookalike_same_dob}
    trap.unambiguous = [r for r in trap.plain if r.case_number not in confusable]
    trap.same_name_pairs = [(a, b) for a, b in trap.same_name_pairs if a.case_number not in confusable]
    trap.spelling_variants = [r for r in trap.unambiguous if _respell(r.surname) != r.surname or _respell(r.given_names) != r.given_names]
    rng.shuffle(trap.records)
    return trap


def _unknown_similar_number(base: str, taken: set[str], rng: random.Random) -> str:
    """A case number that differs from a real one in one digit and is in nobody's file."""
    while True:
        chars = list(base)
        digit_positions = [i for i, c in enumerate(chars) if c.isdigit() and i > 8]
        i = rng.choice(digit_positions)
        chars[i] = str((int(chars[i]) + rng.randint(1, 9)) % 10)
        value = "".join(chars)
        if value not in taken:
            return value


# --------------------------------------------------------------------------- evidence and scenarios

@dataclass
class Evidence:
    """What a document shows about its owner, already formatted (protected from noise)."""

    surname: str | None = None
    given_names: str | None = None
    date_of_birth: dt.date | None = None
    case_line: str | None = None        # e.g. "Ihr Zeichen: ABH-2019-04711"
    case_value: str | None = None
    extra_case_value: str | None = None
    mrz: tuple[str, str] | None = None
    mrz_dob_visible: bool = True
    sex: str = "M"
    nationality: str = "TUR"
    birthplace: str = ""


@dataclass
class Sample:
    """One generated document and its truth."""

    doc_type: str
    text: str
    case_number: str | None
    assignable: bool
    scenario: str


# scenario name -> (weight, assignable)
SCENARIOS: dict[str, tuple[float, bool]] = {
    "case_number": (14, True),
    "case_number_ocr": (8, True),
    "case_number_bare": (5, True),
    "case_number_padded": (4, True),
    "case_number_and_person": (5, True),
    "name_dob": (12, True),
    "name_dob_respelled": (6, True),
    "namesake_other_birthday": (6, True),
    "name_only": (8, False),
    "unknown_case_number": (7, False),
    "twins": (5, False),
    "lookalike_same_birthday": (3, False),
    "wrong_birthday": (5, False),
    "not_in_registry": (4, False),
    "two_case_numbers": (4, False),
    "case_vs_person": (4, False),
    "no_evidence": (4, False),
}
PASS_SCENARIOS: dict[str, tuple[float, bool]] = {
    "mrz_valid": (10, True),
    "mrz_respelled": (3, True),
    "mrz_invalid": (5, False),
    "mrz_twins": (2, False),
    "mrz_not_in_registry": (2, False),
    "case_stamp_and_mrz": (3, True),
}
CASE_LABELS = ["Aktenzeichen", "Az.", "Ihr Zeichen", "Unser Zeichen", "Geschäftszeichen", "Geschaftszeichen", "Az", "AKTENZEICHEN"]


def _mrz_for(surname: str, given: str, nationality: str, birth: dt.date, sex: str, rng: random.Random) -> tuple[str, str]:
    return make_td3(
        surname=fold_name(surname).upper(), given_names=fold_name(given).upper(),
        document_number=f"{rng.choice('ACUPNX')}{rng.randint(10000000, 99999999)}", nationality=nationality,
        date_of_birth=birth, sex=sex, expiry_date=fd.random_date(rng, dt.date(2026, 1, 1), dt.date(2034, 12, 31)),
    )


def _break_mrz(lines: tuple[str, str], rng: random.Random) -> tuple[str, str]:
    """Change one digit of the birth date, expiry or document number so that a check digit fails."""
    l1, l2 = lines
    chars = list(l2)
    for _ in range(20):
        i = rng.choice([13, 14, 15, 16, 17, 18, 21, 22, 23, 24, 25, 26, 1, 2, 3, 4, 5, 6, 7])
        if chars[i].isdigit():
            chars[i] = str((int(chars[i]) + rng.randint(1, 9)) % 10)
            broken = "".join(chars)
            if check_digit(broken[13:19]) != int(broken[19]) or check_digit(broken[0:9]) != int(broken[9]) or check_digit(broken[21:27]) != int(broken[27]):
                return l1, broken
            chars = list(l2)
    raise RuntimeError("could not break MRZ")


def _subject_evidence(r: CaseRecord, sex: str, *, respell: bool = False, dob: bool = True, rng: random.Random) -> Evidence:
    surname, given = r.surname, r.given_names
    if respell:
        surname, given = _respell(surname), _respell(given)
        if len(given.split()) > 1 and rng.random() < 0.5:
            given = " ".join(reversed(given.split()))
    return Evidence(
        surname=surname, given_names=given, date_of_birth=r.date_of_birth if dob else None,
        sex=sex, nationality=r.nationality, birthplace=rng.choice(fd.BIRTHPLACES.get(r.nationality, ["Ankara"])),
    )


def _case_line(value: str, rng: random.Random, *, bare: bool = False) -> tuple[str, str]:
    label = rng.choice(CASE_LABELS)
    if bare:
        return "", value
    sep = rng.choice([": ", " ", ".: ", ":  "]) if not label.endswith(".") else rng.choice([" ", ": "])
    return label + sep, value


def _plan(scenario: str, trap: TrapRegistry, rng: random.Random, taken: set[str]) -> tuple[Evidence, str | None]:
    """Build the evidence for a scenario; returns (evidence, expected case number)."""
    sex = rng.choice("MF")
    plain = rng.choice(trap.unambiguous)
    if scenario in ("case_number", "case_number_ocr", "case_number_bare", "case_number_and_person", "case_stamp_and_mrz"):
        ev = _subject_evidence(plain, sex, dob=scenario in ("case_number_and_person", "case_stamp_and_mrz"), rng=rng)
        label, value = _case_line(plain.case_number, rng, bare=scenario == "case_number_bare")
        if scenario == "case_number_ocr":
            value = case_number_variant(plain.case_number, rng, confusions=rng.randint(1, 3))
        ev.case_line, ev.case_value = label, value
        if scenario == "case_stamp_and_mrz":
            ev.mrz = _mrz_for(plain.surname, plain.given_names, plain.nationality, plain.date_of_birth, sex, rng)
        if rng.random() < 0.3 and scenario != "case_number_and_person":
            ev.surname = None  # a bare reference without the name
        return ev, plain.case_number
    if scenario == "case_number_padded":
        r = rng.choice(trap.zero_serials)
        ev = _subject_evidence(r, sex, dob=False, rng=rng)
        prefix, year, serial = r.case_number.split("-")
        label, _ = _case_line(r.case_number, rng)
        ev.case_line, ev.case_value = label, f"{prefix}-{year}-{serial[1:]}"
        return ev, r.case_number
    if scenario in ("name_dob", "name_dob_respelled"):
        r = rng.choice(trap.spelling_variants if scenario == "name_dob_respelled" else trap.unambiguous)
        return _subject_evidence(r, sex, respell=scenario == "name_dob_respelled", rng=rng), r.case_number
    if scenario == "namesake_other_birthday":
        r = rng.choice(rng.choice(trap.same_name_pairs))
        return _subject_evidence(r, sex, rng=rng), r.case_number
    if scenario == "name_only":
        r = rng.choice(rng.choice(trap.same_name_pairs)) if rng.random() < 0.5 else plain
        return _subject_evidence(r, sex, dob=False, rng=rng), None
    if scenario == "unknown_case_number":
        ev = _subject_evidence(plain, sex, dob=False, rng=rng)
        label, _ = _case_line(plain.case_number, rng)
        ev.case_line, ev.case_value = label, _unknown_similar_number(plain.case_number, taken, rng)
        return ev, None
    if scenario in ("twins", "mrz_twins"):
        r = rng.choice(rng.choice(trap.twins))
        ev = _subject_evidence(r, sex, rng=rng)
        if scenario == "mrz_twins":
            ev.mrz = _mrz_for(r.surname, r.given_names, r.nationality, r.date_of_birth, sex, rng)
        return ev, None
    if scenario == "lookalike_same_birthday":
        r = rng.choice(rng.choice(trap.lookalike_same_dob))
        return _subject_evidence(r, sex, rng=rng), None
    if scenario == "wrong_birthday":
        ev = _subject_evidence(plain, sex, rng=rng)
        ev.date_of_birth = plain.date_of_birth + dt.timedelta(days=rng.choice([1, -1, 31, 365, -365, 1200]))
        return ev, None
    if scenario in ("not_in_registry", "mrz_not_in_registry"):
        p = fd.random_person(rng)
        ev = Evidence(surname=p.surname, given_names=p.given_names + (" " + rng.choice(["Nour", "Emin", "Said"]) if rng.random() < 0.3 else ""),
                      date_of_birth=fd.random_date(rng, dt.date(2006, 1, 1), dt.date(2008, 12, 31)),
                      sex=p.sex, nationality=p.nationality, birthplace=p.birthplace)
        if scenario == "mrz_not_in_registry":
            ev.mrz = _mrz_for(ev.surname, ev.given_names, ev.nationality, ev.date_of_birth, ev.sex, rng)
        return ev, None
    if scenario == "two_case_numbers":
        other = rng.choice([r for r in trap.unambiguous if r is not plain])
        ev = _subject_evidence(plain, sex, dob=False, rng=rng)
        label, _ = _case_line(plain.case_number, rng)
        ev.case_line, ev.case_value, ev.extra_case_value = label, plain.case_number, other.case_number
        return ev, None
    if scenario == "case_vs_person":
        other = rng.choice([r for r in trap.unambiguous if r is not plain])
        ev = _subject_evidence(other, sex, rng=rng)
        label, _ = _case_line(plain.case_number, rng)
        ev.case_line, ev.case_value = label, plain.case_number
        return ev, None
    if scenario in ("mrz_valid", "mrz_respelled"):
        r = rng.choice(trap.spelling_variants if scenario == "mrz_respelled" else trap.unambiguous)
        ev = _subject_evidence(r, sex, respell=scenario == "mrz_respelled", rng=rng)
        ev.mrz = _mrz_for(r.surname, r.given_names, r.nationality, r.date_of_birth, sex, rng)
        return ev, r.case_number
    if scenario == "mrz_invalid":
        ev = _subject_evidence(plain, sex, rng=rng)
        ev.mrz = _break_mrz(_mrz_for(plain.surname, plain.given_names, plain.nationality, plain.date_of_birth, sex, rng), rng)
        ev.mrz_dob_visible = False
        return ev, None
    if scenario == "no_evidence":
        return Evidence(sex=sex), None
    raise ValueError(scenario)


# --------------------------------------------------------------------------- document templates (evaluation only)

class _Page(LetterParts):
    """Helpers for one evaluation document: rendering of the subject's evidence in a template."""

    def __init__(self, rng: random.Random, ev: Evidence):
        self.rng = rng
        self.ev = ev
        self.street, self.city_line = fd.address(rng)
        self.city = self.city_line.split(" ", 1)[1]
        self.day = fd.random_date(rng, dt.date(2023, 1, 1), dt.date(2025, 6, 1))
        self.case_used = False

    # --- the subject
    def name(self, style: str = "natural") -> str:
        ev = self.ev
        if not ev.surname:
            return self.pick("der Antragsteller", "die betroffene Person", "Ihr Kunde", "die genannte Person")
        if style == "comma":
            return protect(f"{ev.surname}, {ev.given_names}")
        if style == "upper":
            return protect(f"{ev.surname.upper()}, {ev.given_names}")
        return protect(f"{ev.given_names} {ev.surname}")

    def mr(self) -> str:
        return "Herrn" if self.ev.sex == "M" else "Frau"

    def born(self, label: str | None = None) -> str:
        ev = self.ev
        if not ev.date_of_birth or not ev.surname:
            return ""
        label = label or self.pick("geb.", "geboren am", "Geburtsdatum:", "*", "geb. am")
        glue = "" if label == "*" else " "
        return protect(f"{label}{glue}{fd.de_date(ev.date_of_birth, self.rng)}")

    def with_born(self, style: str = "natural") -> str:
        b = self.born()
        return f"{self.name(style)}, {b}" if b else self.name(style)

    def case(self, natural_label: str | None = None) -> str:
        """The case reference line, if the scenario has one (used once per document)."""
        ev = self.ev
        if not ev.case_value or self.case_used:
            return ""
        self.case_used = True
        label = ev.case_line or ""
        if natural_label and label and self.rng.random() < 0.5:
            label = natural_label + ": "
        line = protect(f"{label}{ev.case_value}")
        if ev.extra_case_value:
            line += "\n" + protect(f"{self.pick('sowie', 'auch', 'und Az.')} {ev.extra_case_value}")
        return line

    def stamp(self) -> str:
        """A receipt stamp or a handwritten note carrying the case number, for documents without a slot."""
        ref = self.case()
        if not ref:
            return ""
        return self.pick(f"EINGEGANGEN {self.date()}  {ref}", f"[Stempel Eingang {self.date()}]\n{ref}", f"handschriftlich: {ref}", ref)


def _letterhead_authority(pg: _Page) -> str:
    return pg.pick(
        f"Landesamt für Einwanderung {pg.city}\nReferat Aufenthalt",
        f"Zentrale Ausländerbehörde Bezirk {pg.city}",
        f"Bürgerservice Migration & Integration\nStadt {pg.city}",
        f"Amt für Migration und Einbürgerung – {pg.city}",
    )


def _e_antrag_checkbox(pg: _Page) -> str:
    ev = pg.ev
    return "\n".join(x for x in [
        pg.stamp(),
        pg.pick("ANTRAG – NIEDERLASSUNGSERLAUBNIS / DAUERAUFENTHALT-EU", "Antragsformular Daueraufenthalt", "Formular: Antrag auf unbefristeten Aufenthaltstitel"),
        "[x] Niederlassungserlaubnis   [ ] Erlaubnis zum Daueraufenthalt-EU   [ ] Verlängerung",
        "A. Persönliche Angaben",
        f"Nachname, Vorname(n): {pg.name('comma')}" if ev.surname else "Nachname, Vorname(n): ________",
        protect(f"Geburtstag: {fd.de_date(ev.date_of_birth, pg.rng)}") if ev.date_of_birth and ev.surname else "Geburtstag: __.__.____",
        f"Geburtsort/-land: {ev.birthplace or '________'}",
        f"Wohnort: {pg.street}, {pg.city_line}",
        "B. Bisherige Aufenthalte in Deutschland",
        f"von {pg.date(pg.day - dt.timedelta(days=3000))} bis heute in {pg.city}",
        "C. Sicherung des Lebensunterhalts",
        pg.pick("[x] Erwerbstätigkeit  [ ] Rente  [ ] Sonstiges", "[ ] Erwerbstätigkeit  [x] Selbständigkeit"),
        f"Rentenversicherung: {pg.rng.randint(60, 200)} Monate Pflichtbeiträge nachgewiesen",
        "D. Kenntnisse der deutschen Sprache: Zertifikat B1 liegt bei",
        "Mit meiner Unterschrift bestätige ich die Richtigkeit und Vollständigkeit meiner Angaben.",
        f"{pg.city}, {pg.date()}   __________________ (Unterschrift)",
    ] if x)


def _e_antrag_mail(pg: _Page) -> str:
    return "\n".join(x for x in [
        f"Von: {pg.name() if pg.ev.surname else 'info@example.org'}",
        f"An: {pg.pick('auslaenderbehoerde', 'migration', 'abh-service')}@{pg.city.lower().replace(' ', '')}.de",
        f"Betreff: {pg.pick('Bitte um Fiktionsbescheinigung', 'Antrag Beschäftigungserlaubnis', 'Verlängerung Aufenthaltstitel – Antrag')}",
        pg.case("Vorgang"),
        "Guten Tag,",
        pg.pick("ich bitte um Ausstellung einer Fiktionsbescheinigung, da mein Titel nächste Woche abläuft und ich noch keinen Termin bekommen habe.",
                "hiermit möchte ich die Erlaubnis zur Aufnahme einer Beschäftigung beantragen. Ein Stellenangebot liegt vor.",
                "ich möchte meinen Aufenthaltstitel verlängern lassen und bitte Sie, meinen Antrag zu bearbeiten."),
        pg.maybe(0.7, "Die notwendigen Nachweise (Pass, Lohnzettel, Mietvertrag) habe ich eingescannt und angehängt."),
        f"Meine Daten: {pg.with_born()}" if pg.ev.surname else "",
        "Vielen Dank und viele Grüße",
    ] if x)


def _e_pass_datapage(pg: _Page) -> str:
    ev = pg.ev
    lines = [
        pg.stamp(),
        pg.pick("PASSPORT", "ПАСПОРТ / PASSPORT", "PASAPORTE / PASSPORT", "PASSEPORT / PASSPORT"),
        pg.pick(f"Country code / Code du pays: {ev.nationality}", f"Issuing State {ev.nationality}"),
        f"1. Surname / Nom\n{protect(ev.surname.upper())}" if ev.surname else "1. Surname",
        f"2. Given names / Prénoms\n{protect(ev.given_names.upper())}" if ev.surname else "2. Given names",
        f"3. Nationality\n{ev.nationality}",
    ]
    if ev.date_of_birth and ev.mrz_dob_visible:
        lines.append(protect(f"4. Date of birth / Date de naissance\n{ev.date_of_birth.strftime('%d.%m.%Y')}"))
    else:
        lines.append("4. Date of birth\n[unleserlich / illegible]")
    lines += [
        f"5. Sex {ev.sex}   6. Place of birth {ev.birthplace.upper()}",
        f"7. Date of issue {pg.date(pg.day - dt.timedelta(days=900))}",
        "8. Authority " + pg.pick("MIGRATION SERVICE", "PASSPORT OFFICE", "EMBASSY"),
    ]
    if ev.mrz:
        a, b = ev.mrz
        lines.append(protect(a) + "\n" + protect(b))
    return "\n".join(x for x in lines if x)


def _e_melde_register(pg: _Page) -> str:
    ev = pg.ev
    return "\n".join(x for x in [
        pg.pick(f"Einwohnerwesen {pg.city}", f"Bürgeramt {pg.city}-Nord – Meldestelle"),
        pg.stamp(),
        pg.pick("Melderegisterauskunft", "Bescheinigung über die Wohnsitzanmeldung", "Meldebestätigung – Wohnsitz"),
        "Hiermit wird bestätigt, dass die nachstehend genannte Person im Melderegister eingetragen ist:",
        f"Person: {pg.name('upper')}" if ev.surname else "Person: (siehe Rückseite)",
        protect(f"Geburtsdatum: {fd.de_date(ev.date_of_birth, pg.rng)}") if ev.date_of_birth and ev.surname else "",
        f"Wohnanschrift seit {pg.date(pg.day - dt.timedelta(days=pg.rng.randint(30, 2000)))}: {pg.street}, {pg.city_line}",
        pg.pick("Art der Wohnung: Hauptwohnsitz", "Hauptwohnsitz: ja"),
        "Ausgestellt zur Vorlage bei: Ausländerbehörde",
        pg.maybe(0.6, "Dieses Dokument wurde elektronisch erzeugt."),
        f"{pg.city}, {pg.date()}",
    ] if x)


def _e_arbeit_anstellung(pg: _Page) -> str:
    employer = pg.rng.choice(fd.COMPANIES)
    return "\n".join(x for x in [
        pg.stamp(),
        pg.pick("Anstellungsvertrag", "Dienstvertrag", "Berufsausbildungsvertrag"),
        f"Die {employer} (im Folgenden: Firma) stellt {pg.mr()} {pg.with_born()} (im Folgenden: Mitarbeiter/in) ein.",
        f"1. Einstellung: Das Anstellungsverhältnis beginnt am {pg.date(pg.day + dt.timedelta(days=30))}.",
        f"2. Aufgabengebiet: {pg.rng.choice(fd.JOBS)}; Weisungen erteilt die Abteilungsleitung.",
        f"3. Gehalt: {fd.money(pg.rng, 2200, 4800)} € brutto monatlich; Sonderzahlungen nach Betriebsvereinbarung.",
        f"4. Wochenstunden: {pg.pick('40', '35', '37,5')}; Mehrarbeit wird vergütet oder durch Freizeit abgegolten.",
        f"5. Jahresurlaub: {pg.rng.randint(25, 30)} Werktage.",
        "6. Beendigung: Es gelten die gesetzlichen Kündigungsfristen; in der Probezeit zwei Wochen.",
        pg.maybe(0.6, "7. Nebentätigkeiten bedürfen der vorherigen Zustimmung der Firma."),
        f"{pg.city}, {pg.date()}   Firma / Mitarbeiter/in",
    ] if x)


def _e_gehalt_entgelt(pg: _Page) -> str:
    ev = pg.ev
    return "\n".join(x for x in [
        pg.rng.choice(fd.COMPANIES) + " – Personalwesen",
        pg.stamp(),
        pg.pick(f"Entgeltabrechnung {fd.MONTHS_DE[pg.day.month - 1]} {pg.day.year}", f"Bezügemitteilung {pg.day.month:02d}/{pg.day.year}"),
        f"Empfänger/in: {pg.name('comma')}" if ev.surname else "Empfänger/in: siehe Adressfeld",
        pg.born("Geb.-Datum:"),
        f"Steuer-ID: {pg.rng.randint(10**10, 10**11 - 1)}   StKl {pg.rng.randint(1, 5)}",
        f"Grundvergütung ........ {fd.money(pg.rng, 2000, 4500)}",
        f"Gesamtbrutto ........... {fd.money(pg.rng, 2000, 4800)}",
        f"Steuerrechtliche Abzüge  {fd.money(pg.rng, 200, 900)}",
        f"SV-rechtliche Abzüge ... {fd.money(pg.rng, 300, 900)}",
        f"Nettobezüge ............ {fd.money(pg.rng, 1500, 3000)}",
        f"Überweisung: {fd.money(pg.rng, 1500, 3000)} auf Konto {fd.iban(pg.rng)}",
    ] if x)


def _e_miet_anmietung(pg: _Page) -> str:
    ev = pg.ev
    owner = fd.german_name(pg.rng)
    return "\n".join(x for x in [
        pg.stamp(),
        pg.pick("Vertrag über die Anmietung einer Wohnung", "Nutzungsvertrag (Genossenschaftswohnung)", "Wohnraum-Überlassungsvertrag"),
        f"Eigentümer/Vermieterseite: {owner}",
        f"Mieterseite: {pg.with_born()}" if ev.surname else "Mieterseite: siehe Anlage",
        f"Objekt: {pg.street}, {pg.city_line}; {pg.rng.randint(2, 4)} Räume, ca. {pg.rng.randint(40, 95)} qm, Kellerabteil",
        f"Kaltmiete: {fd.money(pg.rng, 380, 1100)} € / Monat",
        f"Betriebskostenvorauszahlung: {fd.money(pg.rng, 90, 260)} €",
        "Mietsicherheit: drei Nettokaltmieten",
        f"Übergabe der Schlüssel am {pg.date(pg.day + dt.timedelta(days=14))}.",
        pg.maybe(0.6, "Die Nutzungsgebühr ist bis zum dritten Werktag des Monats an die Genossenschaft zu entrichten."),
        "Gelesen, genehmigt und unterschrieben.",
    ] if x)


def _e_kv_nachweis(pg: _Page) -> str:
    ev = pg.ev
    return "\n".join(x for x in [
        pg.rng.choice(fd.INSURERS + fd.PRIVATE_INSURERS),
        pg.stamp(),
        pg.pick("Nachweis über den Krankenversicherungsschutz", "Versicherungsnachweis für Aufenthaltszwecke", "Reisekrankenversicherung – Versicherungsnachweis"),
        f"Versicherte/r: {pg.with_born('comma')}" if ev.surname else "Versicherte/r: laut Antrag",
        f"Versicherungsschutz ab {pg.date(pg.day - dt.timedelta(days=200))} ohne zeitliche Begrenzung",
        pg.pick("Der Versicherungsumfang entspricht Art und Umfang der gesetzlichen Krankenversicherung (SGB V).",
                "Deckungssumme 30.000 EUR, gültig im gesamten Schengen-Raum, inklusive Rücktransport."),
        f"Beitrag monatlich: {fd.money(pg.rng, 40, 600)} €",
        pg.maybe(0.5, "Vorerkrankungen sind mitversichert."),
        f"Ausgestellt am {pg.date()}",
    ] if x)


def _e_anwalt_sachstand(pg: _Page) -> str:
    return "\n".join(x for x in [
        pg.rng.choice(fd.LAW_FIRMS) + f" · {', '.join(fd.address(pg.rng))}",
        pg.pick("per Fax vorab", "per beA", ""),
        pg.case("Ihr Zeichen"),
        f"Unser Az.: {pg.rng.randint(100, 999)}/{pg.day.year % 100} {pg.pick('MR', 'AR', 'ST')}",
        f"Mandat: {pg.with_born()}" if pg.ev.surname else "",
        pg.pick("Sachstandsanfrage", "Eilt! Fristverlängerung", "Erinnerung an unseren Antrag"),
        "Sehr geehrte Damen und Herren,",
        pg.pick("unser Mandant wartet seit über drei Monaten auf eine Entscheidung. Wir bitten um Mitteilung des Bearbeitungsstandes binnen zwei Wochen; andernfalls behalten wir uns eine Untätigkeitsklage vor.",
                "für die Vorlage der angeforderten Unterlagen beantragen wir eine Verlängerung der Frist um vier Wochen, da die Urkunden aus dem Heimatland noch nicht vorliegen.",
                "wir erinnern an unseren Antrag vom " + pg.date(pg.day - dt.timedelta(days=60)) + " und bitten um Übersendung einer Kopie der Verwaltungsakte."),
        "Hochachtungsvoll",
        f"{fd.german_name(pg.rng)}, Rechtsanwältin",
    ] if x)


def _e_bescheid_verfuegung(pg: _Page) -> str:
    return "\n".join(x for x in [
        _letterhead_authority(pg),
        pg.case("Geschäftszeichen"),
        f"{pg.mr()} {pg.name()}\n{pg.street}\n{pg.city_line}",
        pg.pick("Verfügung", "Widerspruchsbescheid", "Entscheidung über Ihren Antrag"),
        pg.born("Betrifft Person, geb.") if pg.ev.date_of_birth else "",
        "Tenor:",
        pg.pick("I. Der Antrag auf Aufenthaltserlaubnis wird zurückgewiesen.", "I. Der Widerspruch wird als unbegründet zurückgewiesen.",
                "I. Die Aufenthaltserlaubnis wird nachträglich befristet."),
        "II. Die sofortige Vollziehung wird angeordnet.",
        "Begründung:\nSachverhalt: Sie reisten im Jahr " + str(pg.rng.randint(2012, 2022)) + " in das Bundesgebiet ein.",
        "Rechtliche Würdigung: Die Voraussetzungen des § 81 Abs. 4 AufenthG liegen nicht vor.",
        pg.pick("Belehrung über Rechtsbehelfe: Binnen eines Monats nach Zustellung kann Klage zum Verwaltungsgericht erhoben werden.",
                "Belehrung: Gegen diese Verfügung ist die Klage zulässig. Sie ist innerhalb eines Monats schriftlich beim Verwaltungsgericht einzureichen."),
        "Im Auftrag\ngez. " + fd.german_name(pg.rng),
    ] if x)


def _e_urkunde_heirat(pg: _Page) -> str:
    ev = pg.ev
    partner = fd.random_person(pg.rng)
    return "\n".join(x for x in [
        pg.stamp(),
        pg.pick("Internationale Heiratsurkunde / Extrait d'acte de mariage", "Auszug aus dem Heiratseintrag", "Geburtsbescheinigung (mit Apostille)"),
        pg.maybe(0.6, "APOSTILLE (Convention de La Haye du 5 octobre 1961)"),
        f"Standesamt/Registry office: {pg.city}",
        f"Person 1: {pg.name('upper')}" if ev.surname else "Person 1: —",
        pg.born("geboren am"),
        f"Person 2: {partner.surname.upper()}, {partner.given_names}",
        f"Datum des Eintrags / Date: {pg.date(pg.day - dt.timedelta(days=900))}",
        "Für die Richtigkeit des Auszugs: Die Urkundsperson (Siegel)",
    ] if x)


def _e_sprach_testdaf(pg: _Page) -> str:
    ev = pg.ev
    return "\n".join(x for x in [
        pg.pick("TestDaF-Institut", "g.a.s.t. e.V.", "telc – language tests"),
        pg.stamp(),
        pg.pick("Zeugnis über den Test Deutsch als Fremdsprache", "Zertifikat Deutsch für den Beruf B2 (DTB)", "Sprachnachweis – Deutsch B2 Beruf"),
        f"Teilnehmende Person: {pg.name()}" if ev.surname else "Teilnehmende Person: —",
        pg.born("geboren am"),
        pg.pick("Leseverstehen TDN 4 · Hörverstehen TDN 4 · Schriftlicher Ausdruck TDN 3 · Mündlicher Ausdruck TDN 4",
                "Schriftliche Prüfung: 142/180 · Mündliche Prüfung: 88/120 · Niveau B2 erreicht"),
        "Das Niveau entspricht dem Gemeinsamen Europäischen Referenzrahmen.",
        f"Prüfungsort: {pg.city} · Datum: {pg.date()}",
    ] if x)


def _e_sonstiges(pg: _Page) -> str:
    ev = pg.ev
    kind = pg.rng.randint(0, 3)
    head = [
        pg.pick(f"Stromrechnung – Stadtwerke {pg.city}", "Rundfunkbeitrag – Anmeldebestätigung", "Bankbestätigung Sperrkonto", f"Einladung zum Elternabend – Schule {pg.city}"),
    ][0]
    body = {
        0: ["Verbrauch 2.341 kWh · Abschlag neu: 68,00 € · Zählernummer 1ESY" + str(pg.rng.randint(10**6, 10**7))],
        1: ["Ihr Beitragskonto wurde eingerichtet. Der Rundfunkbeitrag beträgt 18,36 € monatlich."],
        2: [f"Auf dem Sperrkonto wurde ein Betrag von {fd.money(pg.rng, 11000, 12000)} € eingezahlt. Monatliche Auszahlung bis 992,00 €."],
        3: ["Wir laden Sie herzlich zum Elternabend am Donnerstag um 19 Uhr in der Aula ein."],
    }[kind]
    return "\n".join(x for x in [
        head,
        pg.stamp(),
        f"Kunde / Empfänger: {pg.name()}" if ev.surname else "",
        pg.born("geb."),
        *body,
        f"{pg.city}, {pg.date()}",
    ] if x)


EVAL_TEMPLATES: dict[str, list[Callable[[_Page], str]]] = {
    "antrag": [_e_antrag_checkbox, _e_antrag_mail],
    "pass": [_e_pass_datapage],
    "meldebescheinigung": [_e_melde_register],
    "arbeitsvertrag": [_e_arbeit_anstellung],
    "gehaltsnachweis": [_e_gehalt_entgelt],
    "mietvertrag": [_e_miet_anmietung],
    "krankenversicherung": [_e_kv_nachweis],
    "anwaltsschreiben": [_e_anwalt_sachstand],
    "bescheid": [_e_bescheid_verfuegung],
    "urkunde": [_e_urkunde_heirat],
    "sprachzertifikat": [_e_sprach_testdaf],
    "sonstiges": [_e_sonstiges],
}


def _weighted(rng: random.Random, table: dict[str, tuple[float, bool]]) -> str:
    names = list(table)
    return rng.choices(names, weights=[table[n][0] for n in names])[0]


def generate_samples(count: int, seed: int) -> tuple[TrapRegistry, list[Sample]]:
    """Generate the trap registry and `count` labelled documents (text with protection marks)."""
    rng = random.Random(seed)
    trap = build_registry(rng)
    taken = {r.case_number for r in trap.records}
    types = list(EVAL_TEMPLATES)
    samples: list[Sample] = []
    for i in range(count):
        doc_type = types[i % len(types)] if i < len(types) * (count // len(types)) else rng.choice(types)
        table = PASS_SCENARIOS if doc_type == "pass" else SCENARIOS
        scenario = _weighted(rng, table)
        ev, expected = _plan(scenario, trap, rng, taken)
        page = _Page(rng, ev)
        text = rng.choice(EVAL_TEMPLATES[doc_type])(page)
        if ev.case_value and not page.case_used:
            text = page.stamp() + "\n" + text
        if ev.mrz and doc_type != "pass":
            text += "\n" + protect(ev.mrz[0]) + "\n" + protect(ev.mrz[1])
        samples.append(Sample(doc_type, text, expected, table[scenario][1], scenario))
    return trap, samples


# --------------------------------------------------------------------------- writing: text and images

def _noisy_text(sample: Sample, rng: random.Random, *, damage_evidence: bool = False) -> str:
    text = sample.text
    if damage_evidence:
        # Stress mode: names, dates and case numbers are damaged too, so "assignable" becomes optimistic;
        # useful to check that damage never turns into a wrong assignment.
        text = "\n".join(line if _is_mrz_line(line) else strip_protection(line) for line in text.split("\n"))
    text = add_ocr_noise(text, rng, level=rng.choice([0.0, 0.01, 0.02, 0.03]))
    # MRZ lines get OCR-typical damage that the parser is expected to survive.
    lines = text.split("\n")
    for i in range(len(lines) - 1):
        if lines[i].startswith("P") and len(lines[i]) == 44 and len(lines[i + 1]) == 44 and "<" in lines[i]:
            lines[i], lines[i + 1] = mrz_variant(lines[i], lines[i + 1], rng)
    return "\n".join(lines)


def _is_mrz_line(line: str) -> bool:
    return re.fullmatch(r"[A-Z0-9<]{44}", strip_protection(line)) is not None


def write_evaluation_set(
    directory: str | Path, count: int = 200, seed: int = 7, *, text_mode: bool = False, damage_evidence: bool = False
) -> dict:
    """Write documents, labels.json and registry.csv into directory; return the labels."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    trap, samples = generate_samples(count, seed)
    rng = random.Random(seed + 1)
    write_registry_csv(trap.records, directory / "registry.csv")
    labels: dict[str, dict] = {}
    for i, sample in enumerate(samples):
        stem = f"doc_{i:04d}_{sample.doc_type}"
        if text_mode:
            name = stem + ".txt"
            (directory / name).write_text(_noisy_text(sample, rng, damage_evidence=damage_evidence), encoding="utf-8")
        else:
            name = stem + ".png"
            scanned_text_page(strip_protection(sample.text), rng).save(directory / name, dpi=(300, 300))
        labels[name] = {
            "doc_type": sample.doc_type,
            "case_number": sample.case_number,
            "assignable": sample.assignable,
            "scenario": sample.scenario,
        }
    (directory / "labels.json").write_text(json.dumps(labels, indent=1, ensure_ascii=False), encoding="utf-8")
    return labels


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: write an evaluation set into DIR."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--text", action="store_true", help="write noisy .txt files instead of page images")
    parser.add_argument("--damage-evidence", action="store_true", help="text mode: let OCR noise hit names, dates and case numbers too")
    args = parser.parse_args(argv)
    labels = write_evaluation_set(args.dir, args.count, args.seed, text_mode=args.text, damage_evidence=args.damage_evidence)
    assignable = sum(v["assignable"] for v in labels.values())
    print(f"{len(labels)} documents ({assignable} assignable) -> {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
