"""Evaluation set for applications: cases with their documents, scanned, and the truth about each.

Each case has an application type (§ 8 extension, § 9 settlement permit, § 18g Blue Card, §§ 27 ff.
family reunification) and the documents it needs, in one of five scenarios:

    complete     every required document, valid
    missing      one required document (or one month's payslip) left out
    expired      one document out of date (passport expiring, insurance ended, old registration
                 certificate, only old payslips)
    unreadable   one document's key line smudged (water damage) so that its field cannot be read
    relative     one document is a relative's (same surname, another first name and birthday)

Pages are drawn at 200-300 dpi and damaged like the sample scans (skew, blur, noise, dust), saved as
PNG, JPEG, TIFF or image PDF. labels.json holds per document its type, case and the true value of
every field; per case the application type, scenario and whether it is complete.

Usage: python -m dms_datagen.applications DIR --cases N --seed S   (then: dms eval DIR)
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageFilter

from dms_ingest.classifiers.persons import fold_name
from dms_ingest.classifiers.registry import CaseRecord, write_registry_csv

from . import people
from .letters import Sheet, a4_size_px
from .mrz import make_td3
from .pdf import write_pdf
from .scan import scan_damage

TODAY = dt.date(2025, 6, 30)
SCENARIOS = {"complete": 40, "missing": 15, "expired": 15, "unreadable": 15, "relative": 15}
# The documents each application type needs (as in config.yaml's defaults).
DOCUMENTS = {
    "verlaengerung": ["antrag", "pass", "gehaltsnachweis", "arbeitsvertrag", "krankenversicherung", "mietvertrag",
                      "meldebescheinigung"],
    "niederlassungserlaubnis": ["antrag", "pass", "gehaltsnachweis", "arbeitsvertrag", "krankenversicherung",
                                "mietvertrag", "meldebescheinigung", "sprachzertifikat"],
    "blaue_karte": ["antrag", "pass", "arbeitsvertrag", "urkunde", "krankenversicherung", "meldebescheinigung"],
    "familiennachzug": ["antrag", "pass", "urkunde", "sprachzertifikat", "gehaltsnachweis", "mietvertrag",
                        "krankenversicherung"],
}
PURPOSES = {"verlaengerung": "Verlängerung der Aufenthaltserlaubnis", "niederlassungserlaubnis":
            "Niederlassungserlaubnis (§ 9 AufenthG)", "blaue_karte": "Blaue Karte EU (§ 18g AufenthG)",
            "familiennachzug": "Familiennachzug (§§ 27 ff. AufenthG)"}
# Documents that must be the applicant's own (a relative's does not count); family reunification
# accepts the sponsor's income and housing.
SPONSORED = {("familiennachzug", "gehaltsnachweis"), ("familiennachzug", "mietvertrag")}
# The line a smudge destroys, per type (the field the requirement depends on), and every field on it.
KEY_FIELDS = {"pass": ("expiry_date", "document_number", "nationality"), "gehaltsnachweis": ("period",),
              "krankenversicherung": ("valid_from", "valid_to"), "meldebescheinigung": ("issue_date",),
              "sprachzertifikat": ("level",), "arbeitsvertrag": ("salary",)}
# Key fields only some applications check: a contract's salary counts for the Blue Card alone, so a
# smudged salary leaves an extension or settlement file complete (the configured requirements).
CHECKED_ONLY_BY = {"arbeitsvertrag": {"blaue_karte"}}


@dataclass
class Line:
    text: str
    style: str = "body"          # title | body | mono | small
    key: str | None = None       # the field whose value stands on this line (for smudging)
    box: str | None = None       # checkbox: "on" | "off" drawn before the text

    def as_text(self) -> str:
        """The line as a born-digital form writes it (a box as "[x]" or "[ ]")."""
        return self.text if self.box is None else ("[x] " if self.box == "on" else "[ ] ") + self.text


@dataclass
class GenDoc:
    doc_type: str
    lines: list[Line]
    fields: dict[str, str | None] = field(default_factory=dict)
    owner: str = "applicant"     # applicant | relative | sponsor
    smudged: tuple[str, ...] = ()  # the fields made unreadable (first: the key of their line)
    pages: int = 1


@dataclass
class Household:
    applicant: people.Person
    relative: people.Person      # same surname: spouse or sibling
    street: str
    city_line: str


def _name(p: people.Person) -> str:
    return f"{p.given_names} {p.surname}"


def _de(d: dt.date) -> str:
    return d.strftime("%d.%m.%Y")


def _amount(value: float) -> tuple[str, str]:
    """(German notation, normalised) of an amount."""
    return people.euro(value), f"{value:.2f}"


def _stamp(case_number: str, rng: random.Random, received: dt.date) -> Line:
    return Line(rng.choice([f"Eingang {_de(received)} · Az. {case_number}", f"Aktenzeichen: {case_number}",
                            f"Ihr Zeichen: {case_number}"]), "small")


# --------------------------------------------------------------------------- documents

def antrag(rng, hh: Household, app_type: str, case_number: str, today: dt.date) -> GenDoc:
    p = hh.applicant
    drawn = rng.random() < 0.5           # a drawn box with a cross, or "[x]" typed in a PDF form
    lines = [Line("Antrag auf Erteilung oder Verlängerung eines Aufenthaltstitels", "title"),
             Line(f"Aktenzeichen (falls bekannt): {case_number}"),
             Line(f"Familienname: {p.surname}"), Line(f"Vorname(n): {p.given_names}"),
             Line(f"Geburtsdatum: {_de(p.date_of_birth)}"), Line(f"Geburtsort: {p.birthplace}"),
             Line(f"Anschrift: {hh.street}, {hh.city_line}"), Line("Beantragt wird:", "body")]
    options = ["Erteilung einer Aufenthaltserlaubnis", *PURPOSES.values()]
    rng.shuffle(options)
    for option in options:
        on = option == PURPOSES[app_type]
        if drawn:
            lines.append(Line(option, box="on" if on else "off"))
        else:
            lines.append(Line(("[x] " if on else "[ ] ") + option))
    lines += [Line("Ich versichere die Richtigkeit meiner Angaben."),
              Line(f"{hh.city_line.split(' ', 1)[1]}, {_de(today - dt.timedelta(days=rng.randint(10, 40)))}")]
    return GenDoc("antrag", lines, {"purpose": app_type})


def passport(rng, p: people.Person, expiry: dt.date) -> GenDoc:
    number = f"{rng.choice('CUPNX')}{rng.randint(10000000, 99999999)}"
    issued = expiry.replace(year=expiry.year - 10) if not (expiry.month == 2 and expiry.day == 29) else \
        dt.date(expiry.year - 10, 2, 28)
    l1, l2 = make_td3(surname=fold_name(p.surname).upper(), given_names=fold_name(p.given_names).upper(),
                      document_number=number, nationality=p.nationality, date_of_birth=p.date_of_birth,
                      sex=p.sex, expiry_date=expiry)
    lines = [Line(rng.choice(["REISEPASS / PASSPORT", "PASSPORT / PASSEPORT"]), "title"),
             Line(f"Type P   Code {p.nationality}   Passport No. {number}"),
             Line("Surname / Nom"), Line(fold_name(p.surname).upper()),
             Line("Given names / Prénoms"), Line(fold_name(p.given_names).upper()),
             Line(f"Date of birth {p.date_of_birth:%d %b %Y}".upper()),
             Line(f"Sex {p.sex}   Place of birth {fold_name(p.birthplace).upper()}"),
             Line(f"Date of issue {issued:%d %b %Y}   Date of expiry {expiry:%d %b %Y}".upper()),
             Line(""), Line(l1, "mono", "expiry_date"), Line(l2, "mono", "expiry_date")]
    return GenDoc("pass", lines, {"document_number": number, "nationality": p.nationality,
                                  "expiry_date": expiry.isoformat()})


def payslip(rng, p: people.Person, year: int, month: int, employer: str, gross: float) -> GenDoc:
    label = people.MONTHS_DE[month - 1]
    head = rng.choice([f"Entgeltabrechnung für {label} {year}", f"Abrechnung der Brutto/Netto-Bezüge {label} {year}",
                       f"Bezügemitteilung {month:02d}/{year}", f"Verdienstabrechnung {label} {year}"])
    net = round(gross * rng.uniform(0.62, 0.72), 2)
    g_de, g = _amount(gross)
    n_de, n = _amount(net)
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    lines = [Line(employer, "title"), Line(f"{rng.choice(people.STREETS)} {rng.randint(1, 90)} · "
                                           f"{' '.join(rng.choice(people.CITIES))}", "small"),
             Line(head, "body", "period"),
             Line(f"Abrechnungszeitraum: 01.{month:02d}.{year} – {last}.{month:02d}.{year}", "body", "period"),
             Line(f"{'Herrn' if p.sex == 'M' else 'Frau'} {_name(p)}   Geburtsdatum: {_de(p.date_of_birth)}"),
             Line(f"Personal-Nr.: {rng.randint(1000, 99999)}   Steuerklasse: {rng.randint(1, 5)}"),
             Line(f"Grundgehalt {g_de} €"), Line(f"Gesamtbrutto {g_de} €"),
             Line(f"Lohnsteuer {people.euro(gross * 0.12)} €"),
             Line(f"Sozialversicherung {people.euro(gross - net - gross * 0.12)} €"),
             Line(f"{rng.choice(['Nettoentgelt', 'Nettobezüge', 'Nettoverdienst'])} {n_de} €"),
             Line(f"Auszahlungsbetrag {n_de} €")]
    return GenDoc("gehaltsnachweis", lines, {"employer": employer, "period": f"{year:04d}-{month:02d}",
                                             "gross_pay": g, "net_pay": n})


def contract(rng, p: people.Person, employer: str, start: dt.date, salary: float) -> GenDoc:
    s_de, s = _amount(salary)
    lines = [Line("Arbeitsvertrag", "title"),
             Line(f"zwischen der {employer} (Arbeitgeber)"),
             Line(f"und {'Herrn' if p.sex == 'M' else 'Frau'} {_name(p)}, geboren am {_de(p.date_of_birth)} (Arbeitnehmer)"),
             Line("§ 1 Beginn"), Line(f"Das Arbeitsverhältnis beginnt am {_de(start)}.", "body", "start_date"),
             Line("§ 2 Tätigkeit"), Line(f"Der Arbeitnehmer wird als {rng.choice(people.JOBS)} eingestellt."),
             Line("§ 3 Vergütung"), Line(f"Das Bruttomonatsgehalt beträgt {s_de} €.", "body", "salary"),
             Line("§ 4 Urlaub"), Line(f"Der Urlaub beträgt {rng.randint(24, 30)} Arbeitstage im Jahr."),
             Line(f"{rng.choice(people.CITIES)[1]}, {_de(start - dt.timedelta(days=rng.randint(20, 60)))}")]
    return GenDoc("arbeitsvertrag", lines, {"employer": employer, "start_date": start.isoformat(), "salary": s})


def insurance(rng, p: people.Person, start: dt.date, end: dt.date | None, issued: dt.date) -> GenDoc:
    insurer = rng.choice(people.INSURERS)
    lines = [Line(insurer, "title"), Line(f"Postfach {rng.randint(1000, 9999)} · {' '.join(rng.choice(people.CITIES))}",
                                          "small"),
             Line(f"Datum: {_de(issued)}"), Line("Versicherungsbescheinigung", "title"),
             Line(f"Versicherte Person: {_name(p)}, geb. {_de(p.date_of_birth)}")]
    if end is None:
        lines += [Line(f"Versicherungsschutz besteht seit dem {_de(start)} ohne zeitliche Begrenzung.", "body",
                       "valid_from")]
    else:
        lines += [Line(f"Versicherungsschutz vom {_de(start)} bis {_de(end)}.", "body", "valid_from")]
    lines += [Line("Der Schutz entspricht Art und Umfang der gesetzlichen Krankenversicherung."),
              Line("Diese Bescheinigung wurde maschinell erstellt und ist ohne Unterschrift gültig.")]
    return GenDoc("krankenversicherung", lines, {"insurer": insurer, "insured_person": _name(p),
                                                 "valid_from": start.isoformat(),
                                                 "valid_to": end.isoformat() if end else "open"})


def tenancy(rng, hh: Household, p: people.Person, start: dt.date) -> GenDoc:
    cold = round(rng.uniform(380, 1100), 0)
    extra = round(rng.uniform(90, 260), 0)
    c_de, c = _amount(cold)
    t_de, t = _amount(cold + extra)
    landlord = people.german_name(rng)
    lines = [Line("Mietvertrag über Wohnraum", "title"),
             Line(f"Vermieter: {landlord}, {rng.choice(people.STREETS)} {rng.randint(1, 99)}, "
                  f"{' '.join(rng.choice(people.CITIES))}"),
             Line(f"Mieter: {_name(p)}, geb. {_de(p.date_of_birth)}"),
             Line("§ 1 Mietsache"), Line(f"Vermietet wird die Wohnung im Hause {hh.street}, {hh.city_line},"),
             Line(f"bestehend aus {rng.randint(2, 4)} Zimmern, Küche und Bad."),
             Line("§ 2 Mietzeit"), Line(f"Das Mietverhältnis beginnt am {_de(start)}.", "body", "start_date"),
             Line("§ 3 Miete"), Line(f"Nettokaltmiete {c_de} €"), Line(f"Vorauszahlung Betriebskosten {people.euro(extra)} €"),
             Line(f"Gesamtmiete {t_de} €"), Line(f"{hh.city_line.split(' ', 1)[1]}, {_de(start - dt.timedelta(days=30))}")]
    return GenDoc("mietvertrag", lines, {"start_date": start.isoformat(), "rent": t,
                                         "address": f"{hh.street}, {hh.city_line}"})


def registration(rng, hh: Household, p: people.Person, issued: dt.date, moved_in: dt.date) -> GenDoc:
    city = hh.city_line.split(" ", 1)[1]
    lines = [Line(f"Stadt {city} – Bürgeramt", "title"), Line("Meldebescheinigung", "title"),
             Line("Für die nachstehend genannte Person sind im Melderegister folgende Daten gespeichert:"),
             Line(f"Familienname: {p.surname}"), Line(f"Vornamen: {p.given_names}"),
             Line(f"Geburtsdatum: {_de(p.date_of_birth)}"), Line(f"Anschrift: {hh.street}, {hh.city_line}"),
             Line(f"Einzugsdatum: {_de(moved_in)}"), Line("Art der Wohnung: alleinige Wohnung"),
             Line(f"{city}, {_de(issued)}", "body", "issue_date")]
    return GenDoc("meldebescheinigung", lines, {"issue_date": issued.isoformat(),
                                                "address": f"{hh.street}, {hh.city_line}"})


def language(rng, p: people.Person, level: str, exam: dt.date) -> GenDoc:
    lines = [Line(rng.choice(["Goethe-Institut Prüfungszentrum", "telc gGmbH", "Volkshochschule – Prüfungszentrum"]),
                  "title"),
             Line(rng.choice([f"Zertifikat Deutsch {level}", f"Deutsch-Test für Zuwanderer – Niveau {level}",
                              f"Goethe-Zertifikat {level}"]), "title", "level"),
             Line(f"{_name(p)}, geboren am {_de(p.date_of_birth)}"),
             Line(f"hat die Prüfung am {_de(exam)} mit folgendem Ergebnis bestanden:"),
             Line(f"Gesamtergebnis: {level} erreicht", "body", "level"),
             Line("Lesen 78/100 · Hören 71/100 · Schreiben 80/100 · Sprechen 84/100")]
    return GenDoc("sprachzertifikat", lines, {"level": level, "date": exam.isoformat()})


def certificate(rng, p: people.Person, spouse: people.Person, app_type: str) -> GenDoc:
    if app_type == "blaue_karte":
        lines = [Line(rng.choice(["Technische Universität", "Universität", "Hochschule"]) + " – Urkunde", "title"),
                 Line(f"{_name(p)}, geboren am {_de(p.date_of_birth)} in {p.birthplace},"),
                 Line("hat die Masterprüfung im Studiengang Informatik bestanden und erhält den Grad"),
                 Line("Master of Science (M.Sc.)"), Line("Anerkennung: Zentralstelle für ausländisches Bildungswesen")]
    else:
        lines = [Line("Heiratsurkunde", "title"), Line("Standesamt " + rng.choice(people.CITIES)[1]),
                 Line(f"{_name(p)}, geboren am {_de(p.date_of_birth)}"),
                 Line(f"und {_name(spouse)}, geboren am {_de(spouse.date_of_birth)},"),
                 Line(f"haben am {_de(people.random_date(rng, dt.date(2010, 1, 1), dt.date(2022, 12, 31)))} die Ehe geschlossen."),
                 Line("Beglaubigte Übersetzung")]
    return GenDoc("urkunde", lines, {})


def decision(rng, p: people.Person, hh: Household, case_number: str, day: dt.date) -> GenDoc:
    subject = rng.choice(["Bescheid über die Verlängerung Ihrer Aufenthaltserlaubnis",
                          "Bescheid über die Erteilung einer Beschäftigungserlaubnis",
                          "Bescheid über die Änderung einer Nebenbestimmung"])
    lines = [Line(f"Stadt {hh.city_line.split(' ', 1)[1]} – Ausländerbehörde", "title"),
             Line(f"{_name(p)}"), Line(hh.street), Line(hh.city_line),
             Line(f"Geschäftszeichen: {case_number}"), Line(f"Datum: {_de(day)}"),
             Line(subject, "title"), Line(f"Sehr geehrte{'r Herr' if p.sex == 'M' else ' Frau'} {p.surname},"),
             Line("auf Ihren Antrag ergeht folgende Entscheidung. Die Gebühr beträgt 100,00 €.")]
    return GenDoc("bescheid", lines, {"date": day.isoformat(), "subject": subject})


# --------------------------------------------------------------------------- one case

def build_case(rng: random.Random, hh: Household, app_type: str, scenario: str, case_number: str,
               today: dt.date) -> tuple[list[GenDoc], str]:
    """The documents of one case in *scenario*; returns them and what was changed (for the report)."""
    p, rel = hh.applicant, hh.relative
    sponsor = rel if app_type == "familiennachzug" else p
    employer = rng.choice(people.COMPANIES)
    gross = round(rng.uniform(2400, 5200), 2)
    salary = round(rng.uniform(4200, 7200), 2) if app_type == "blaue_karte" else gross

    def months(offset: int) -> list[tuple[int, int]]:
        first = (today.year * 12 + today.month - 1) - offset - 2
        return [((first + k) // 12, (first + k) % 12 + 1) for k in range(3)]

    docs: list[GenDoc] = []
    for kind in DOCUMENTS[app_type]:
        if kind == "antrag":
            docs.append(antrag(rng, hh, app_type, case_number, today))
        elif kind == "pass":
            docs.append(passport(rng, p, people.random_date(rng, today + dt.timedelta(days=300),
                                                              today + dt.timedelta(days=3000))))
        elif kind == "gehaltsnachweis":
            docs += [payslip(rng, sponsor, y, m, employer, gross) for y, m in months(1)]
        elif kind == "arbeitsvertrag":
            docs.append(contract(rng, p, employer, people.random_date(rng, dt.date(2015, 1, 1), today), salary))
        elif kind == "krankenversicherung":
            start = people.random_date(rng, dt.date(2016, 1, 1), today - dt.timedelta(days=30))
            end = None if rng.random() < 0.6 else people.random_date(rng, today + dt.timedelta(days=60),
                                                                      today + dt.timedelta(days=900))
            docs.append(insurance(rng, p, start, end, today - dt.timedelta(days=rng.randint(3, 40))))
        elif kind == "mietvertrag":
            docs.append(tenancy(rng, hh, sponsor, people.random_date(rng, dt.date(2014, 1, 1), today)))
        elif kind == "meldebescheinigung":
            docs.append(registration(rng, hh, p, today - dt.timedelta(days=rng.randint(3, 70)),
                                     people.random_date(rng, dt.date(2014, 1, 1), today - dt.timedelta(days=80))))
        elif kind == "sprachzertifikat":
            levels = ["B1", "B2", "C1"] if app_type == "niederlassungserlaubnis" else ["A1", "A2", "B1"]
            docs.append(language(rng, p, rng.choice(levels), people.random_date(rng, dt.date(2018, 1, 1), today)))
        elif kind == "urkunde":
            docs.append(certificate(rng, p, rel, app_type))
        if docs and (app_type, kind) in SPONSORED:
            for d in docs:
                if d.doc_type == kind:
                    d.owner = "sponsor"
    if rng.random() < 0.3:
        docs.append(decision(rng, p, hh, case_number, today - dt.timedelta(days=rng.randint(200, 900))))
    required = [d for d in docs if d.doc_type in DOCUMENTS[app_type]]
    change = ""
    if scenario == "missing":
        victim = rng.choice(required)
        docs.remove(victim)
        change = f"ohne {victim.doc_type}"
    elif scenario == "expired":
        options = [d for d in required if d.doc_type in ("pass", "krankenversicherung", "meldebescheinigung",
                                                          "gehaltsnachweis")]
        victim = rng.choice(options)
        index = docs.index(victim)
        if victim.doc_type == "pass":
            docs[index] = passport(rng, p, today + dt.timedelta(days=rng.randint(-200, 150)))
        elif victim.doc_type == "krankenversicherung":
            start = people.random_date(rng, dt.date(2018, 1, 1), dt.date(2023, 12, 31))
            docs[index] = insurance(rng, p, start, today - dt.timedelta(days=rng.randint(5, 200)),
                                    today - dt.timedelta(days=rng.randint(210, 400)))
        elif victim.doc_type == "meldebescheinigung":
            docs[index] = registration(rng, hh, p, today - dt.timedelta(days=rng.randint(110, 500)),
                                       people.random_date(rng, dt.date(2014, 1, 1), dt.date(2022, 1, 1)))
        else:
            docs = [d for d in docs if d.doc_type != "gehaltsnachweis"]
            docs += [payslip(rng, sponsor, y, m, employer, gross) for y, m in months(6)]
            for d in docs:
                if (app_type, d.doc_type) in SPONSORED:
                    d.owner = "sponsor"
        change = f"abgelaufen: {victim.doc_type}"
    elif scenario == "unreadable":
        options = [d for d in required if d.doc_type in KEY_FIELDS]
        victim = rng.choice(options)
        if app_type not in CHECKED_ONLY_BY.get(victim.doc_type, {app_type}):
            # Chosen without it first, so that every other set is drawn exactly as before.
            victim = next(d for d in options if app_type in CHECKED_ONLY_BY.get(d.doc_type, {app_type}))
        victim.smudged = KEY_FIELDS[victim.doc_type]
        change = f"unlesbar: {victim.doc_type}.{victim.smudged[0]}"
    elif scenario == "relative":
        options = [d for d in required if d.owner == "applicant" and d.doc_type in
                   ("pass", "gehaltsnachweis", "arbeitsvertrag", "krankenversicherung", "meldebescheinigung",
                    "sprachzertifikat")]
        victim = rng.choice(options)
        index = docs.index(victim)
        replacement = {
            "pass": lambda: passport(rng, rel, today + dt.timedelta(days=1500)),
            "gehaltsnachweis": lambda: payslip(rng, rel, *_period(victim), employer, gross),
            "arbeitsvertrag": lambda: contract(rng, rel, employer, dt.date(2019, 3, 1), salary),
            "krankenversicherung": lambda: insurance(rng, rel, dt.date(2019, 1, 1), None, today - dt.timedelta(days=9)),
            "meldebescheinigung": lambda: registration(rng, hh, rel, today - dt.timedelta(days=20), dt.date(2019, 5, 1)),
            "sprachzertifikat": lambda: language(rng, rel, "B2", dt.date(2022, 5, 5)),
        }[victim.doc_type]()
        replacement.owner = "relative"
        docs[index] = replacement
        change = f"Angehörige(r): {victim.doc_type}"
    return docs, change


def _period(doc: GenDoc) -> tuple[int, int]:
    year, month = doc.fields["period"].split("-")
    return int(year), int(month)


# --------------------------------------------------------------------------- drawing and scanning

def draw(doc: GenDoc, rng: random.Random, dpi: int, stamp: Line) -> Image.Image:
    scale = dpi / 300
    size = a4_size_px(dpi)
    sheet = Sheet(size, left=round(236 * scale), right=round(200 * scale), top=round(190 * scale))
    body = round(rng.choice([40, 42, 44, 46]) * scale)
    family = rng.choice(["sans", "serif", "cond"])
    smudge_rows: list[tuple[int, int]] = []
    sheet.text(stamp.text, size=round(34 * scale), family="sans", x=sheet.right - round(1100 * scale))
    sheet.gap(round(30 * scale))
    for line in doc.lines:
        if line.style == "title":
            y = sheet.text(line.text, size=round(52 * scale), family=family, bold=True)
        elif line.style == "mono":
            y = sheet.text(line.text, size=round(48 * scale), family="mono", lead=1.6)
        elif line.style == "small":
            y = sheet.text(line.text, size=round(32 * scale), family=family)
        elif line.box is not None:
            box = round(36 * scale)
            sheet.checkbox(sheet.left + round(10 * scale), sheet.y + round(6 * scale), line.box == "on", size=box)
            y = sheet.text(line.text, size=body, family=family, x=sheet.left + round(80 * scale))
        else:
            y = sheet.text(line.text, size=body, family=family)
        if doc.smudged and line.key == doc.smudged[0]:
            smudge_rows.append((y, sheet.y))
    image = sheet.img
    for top, bottom in smudge_rows:
        # Water damage over the line: the ink runs until nothing is legible.
        box = (0, max(0, top - round(10 * scale)), size[0], min(size[1], bottom + round(4 * scale)))
        region = image.crop(box).filter(ImageFilter.GaussianBlur(round(14 * scale)))
        region = region.point(lambda v: int(v * 0.55 + 70))
        image.paste(region, box)
    return scan_damage(image, skew_deg=rng.uniform(-2.0, 2.0), noise=rng.uniform(2, 7), blur=rng.uniform(0.4, 1.1),
                       background=rng.uniform(0.0, 0.12), speckles=rng.randint(40, 300), seed=rng.randint(0, 2**31))


def save(image: Image.Image, path_stem: Path, rng: random.Random, dpi: int) -> Path:
    kind = rng.choice(["png", "jpg", "tif", "pdf"])
    path = path_stem.with_suffix("." + kind)
    if kind == "png":
        image.save(path, dpi=(dpi, dpi))
    elif kind == "jpg":
        image.save(path, "JPEG", quality=82, dpi=(dpi, dpi))
    elif kind == "tif":
        image.save(path, "TIFF", compression="tiff_deflate", dpi=(dpi, dpi))
    else:
        image.info["dpi"] = (dpi, dpi)
        write_pdf(path, [image])
    return path


# --------------------------------------------------------------------------- the set

def _household(rng: random.Random) -> Household:
    applicant = people.random_person(rng, born_after=dt.date(1960, 1, 1), born_before=dt.date(2002, 12, 31))
    while True:
        other = people.random_person(rng, born_after=dt.date(1960, 1, 1), born_before=dt.date(2004, 12, 31))
        if fold_name(other.given_names) != fold_name(applicant.given_names):
            break
    relative = people.Person(applicant.surname, other.given_names, other.date_of_birth, applicant.nationality,
                             other.sex, applicant.birthplace)
    street, city_line = people.address(rng)
    return Household(applicant, relative, street, city_line)


def write_application_set(directory: str | Path, cases: int = 40, seed: int = 14, *,
                          today: dt.date = TODAY, only: list[str] | None = None) -> dict:
    """Write the documents, registry.csv and labels.json of *cases* cases into *directory*;
    *only*: these scenarios in turn (e.g. more complete cases for the recall measurement)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    scenarios = list(SCENARIOS)
    records: list[CaseRecord] = []
    labels: dict = {"kind": "applications", "today": today.isoformat(), "seed": seed, "cases": {}, "documents": {}}
    used: set[str] = set()
    for i in range(cases):
        hh = _household(rng)
        while True:
            case_number = f"ABH-{rng.randint(2014, 2025)}-{rng.randint(1, 99999):05d}"
            if case_number not in used:
                used.add(case_number)
                break
        own = len(records)
        records.append(CaseRecord(case_number, hh.applicant.surname, hh.applicant.given_names,
                                  hh.applicant.date_of_birth, hh.applicant.nationality))
        relative_in_registry = rng.random() < 0.5
        if relative_in_registry:
            other = f"ABH-{rng.randint(2014, 2025)}-{rng.randint(1, 99999):05d}"
            if other not in used:
                used.add(other)
                records.append(CaseRecord(other, hh.relative.surname, hh.relative.given_names,
                                          hh.relative.date_of_birth, hh.relative.nationality))
        app_type = rng.choice(list(DOCUMENTS))
        if app_type == "familiennachzug":
            # The office records the sponsor (Referenzperson) of a reunification: their case if they have one.
            sponsor_case = records[-1].case_number if records[-1].case_number != case_number else ""
            records[own] = dataclasses.replace(
                records[own], sponsor_case_number=sponsor_case, sponsor_surname=hh.relative.surname,
                sponsor_given_names=hh.relative.given_names, sponsor_date_of_birth=hh.relative.date_of_birth)
        if only:
            scenario = only[i % len(only)]
        else:
            scenario = scenarios[i % len(scenarios)] if i < len(scenarios) else \
                rng.choices(scenarios, weights=[SCENARIOS[s] for s in scenarios])[0]
        docs, change = build_case(rng, hh, app_type, scenario, case_number, today)
        names = []
        for k, doc in enumerate(docs, start=1):
            dpi = rng.choice([200, 240, 300])
            stamp = _stamp(case_number, rng, today - dt.timedelta(days=rng.randint(1, 20)))
            path = save(draw(doc, rng, dpi, stamp), directory / f"{case_number}_{k:02d}_{doc.doc_type}", rng, dpi)
            names.append(path.name)
            labels["documents"][path.name] = {
                "case_number": case_number, "doc_type": doc.doc_type, "fields": doc.fields, "owner": doc.owner,
                "smudged": list(doc.smudged), "dpi": dpi}
        labels["cases"][case_number] = {
            "application_type": app_type, "scenario": scenario, "change": change,
            "complete": scenario == "complete", "documents": names, "relative_in_registry": relative_in_registry,
            "applicant": f"{hh.applicant.given_names} {hh.applicant.surname}"}
    write_registry_csv(records, directory / "registry.csv")
    (directory / "labels.json").write_text(json.dumps(labels, indent=1, ensure_ascii=False), encoding="utf-8")
    return labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=TODAY)
    parser.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS), help="only these, in turn")
    args = parser.parse_args(argv)
    labels = write_application_set(args.dir, args.cases, args.seed, today=args.today, only=args.scenarios)
    scenarios: dict[str, int] = {}
    for case in labels["cases"].values():
        scenarios[case["scenario"]] = scenarios.get(case["scenario"], 0) + 1
    print(f"{len(labels['cases'])} cases, {len(labels['documents'])} documents -> {args.dir} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(scenarios.items()))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
