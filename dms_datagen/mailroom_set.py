"""A harder evaluation set: a mailroom's day of weak scans, phone photos, faxes, mails and cover-sheet batches.

Nothing here is shared with the classifier's training corpus or the first evaluation set: other
letterheads and wording, other fonts (Liberation, GNU FreeFont), other damage (200 dpi, up to 4°
skew, pages turned 90° or 180°, phone photos with perspective, shading and no resolution tag, bilevel
TIFF G4 faxes, strong JPEG), and whole mails from the persons themselves, their relatives and their
employers. Every produced document is labelled with the evidence class that ought to decide it, so
that `dms eval` reports each class (EVIDENCE_CLASSES) on its own.

Usage: python -m dms_datagen.mailroom_set DIR --count N --seed S
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from dms_ingest.classifiers.persons import fold_name
from dms_ingest.classifiers.registry import CaseRecord, write_registry_csv

from . import people
from .evaluation_set import TrapRegistry, build_registry
from .pdf import add_image_page, new_pdf, save_pdf
from .scan import scan_damage, to_bilevel

# Evidence classes: which evidence ought to decide a document (issue 15's classes and the traps).
EVIDENCE_CLASSES = {
    "mail_attachment": "attachment inherits the case of its mail (Az in the subject or name and birthday in the body)",
    "relative_own_number": "attachment in a relative's mail prints its own owner's valid case number",
    "variant_case_number": "case number printed in a variant form on a weak scan",
    "name_dob": "name and date of birth in variant spellings and date forms on a weak scan",
    "cover_sheet": "document behind an AZ: cover sheet that names a person only by name",
    "mail_body": "the mail itself: Az in the subject or name and birthday in the text",
    "trap": "not assignable: must go to review",
}

FONT_DIRS = [Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/freefont")]
_FONTS = [("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf"), ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
          ("FreeSans.ttf", "FreeSansBold.ttf"), ("FreeSerif.ttf", "FreeSerifBold.ttf"), ("LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf")]


def _font_path(name: str) -> str:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    return "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # fonts-liberation2 / fonts-freefont-ttf missing


# --------------------------------------------------------------------------- what a document shows


@dataclass
class Shown:
    """The evidence one document shows about its person, as printed."""

    name: str | None = None          # already in the chosen spelling
    birth: str | None = None         # already in the chosen date form
    case_line: tuple[str, str] | None = None   # (label, number as printed)
    other_lines: list[str] = field(default_factory=list)


def _spell_name(record_surname: str, record_given: str, rng: random.Random) -> str:
    """A person's name as senders write it: upper case, ASCII-folded, surname first..."""
    style = rng.choice(["natural", "upper", "comma_upper", "ascii", "ascii_upper", "comma"])
    surname, given = record_surname, record_given
    if style.startswith("ascii"):
        surname = " ".join(w.capitalize() for w in fold_name(surname).split()) if "-" not in surname else surname
        given = " ".join(w.capitalize() for w in fold_name(given).split())
    if style in ("upper", "ascii_upper"):
        return f"{given.upper()} {surname.upper()}"
    if style == "comma_upper":
        return f"{surname.upper()}, {given}"
    if style == "comma":
        return f"{surname}, {given}"
    return f"{given} {surname}"


_MONTH_ABBR = ["JAN", "FEB", "MÄR", "APR", "MAI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEZ"]


def _spell_birth(value: dt.date, rng: random.Random) -> str:
    style = rng.randint(0, 5)
    if style == 0:
        return value.strftime("%d.%m.%y")
    if style == 1:
        return f"{value.day}. {people.MONTHS_DE[value.month - 1]} {value.year}"
    if style == 2:
        return f"{value.day:02d} {_MONTH_ABBR[value.month - 1]} {value.year}"
    if style == 3:
        return f"{value.day}.{value.month}.{value.year}"
    return value.strftime("%d.%m.%Y")


def _birth_label(rng: random.Random) -> str:
    return rng.choice(["geb.", "geboren am", "Geburtsdatum:", "Geb.-Datum:", "GEBURTSDATUM", "geb. am", "Date of birth / Geburtsdatum:"])


def _variant_number(case_number: str, rng: random.Random) -> str:
    """The case number as other offices and senders print it ("ABH 2024 08018", "ABH-2019-8509")."""
    prefix, year, serial = case_number.split("-")
    forms = [f"{prefix} {year} {serial}", f"{prefix}/{year}/{serial}", f"{prefix} - {year} - {serial}", f"{prefix}.{year}.{serial}",
             f"{prefix}-{year}-{serial}"]
    if serial.startswith("0") and not serial.startswith("00"):
        forms += [f"{prefix}-{year}-{serial[1:]}"] * 3
    return rng.choice(forms)


_CASE_LABELS = ["Aktenzeichen", "Ihr Zeichen:", "Ihr Az.:", "Az.", "AZ:", "Unser Zeichen / Ihr Zeichen:", "Aktenzeichen:", "Ihr Aktenzeichen"]


# --------------------------------------------------------------------------- templates (new letterheads and wording)


def _today(rng: random.Random) -> str:
    return people.random_date(rng, dt.date(2024, 1, 1), dt.date(2025, 6, 1)).strftime("%d.%m.%Y")


def _person_block(shown: Shown, rng: random.Random, role: str) -> list[str]:
    if not shown.name:
        return [rng.choice(["Betrifft: Ihre Anfrage", f"{role}: siehe Anschreiben", "Kunden-Nr. " + str(rng.randint(10**6, 10**7))])]
    line = f"{role}: {shown.name}"
    if shown.birth:
        line += rng.choice([f", {_birth_label(rng)} {shown.birth}", f"\n{_birth_label(rng)} {shown.birth}"])
    return line.split("\n")


def _t_mitgliedsbescheinigung(shown: Shown, rng: random.Random) -> tuple[str, list[str], list[str]]:
    kasse = rng.choice(["Hanseatische Krankenkasse", "BKK Mittelrhein", "Knappschaft Regionaldirektion", "IKK Südwest"])
    head = [kasse, "Postfach " + str(rng.randint(1000, 9999)) + " · " + people.address(rng)[1]]
    body = ["Mitgliedsbescheinigung zur Vorlage bei der Ausländerbehörde", *_person_block(shown, rng, "Mitglied"),
            f"ist seit dem {_today(rng)} bei uns {rng.choice(['pflichtversichert', 'freiwillig versichert', 'familienversichert'])}.",
            "Der Versicherungsschutz umfasst die Leistungen nach dem Fünften Buch Sozialgesetzbuch.",
            "Diese Bescheinigung wurde maschinell erstellt und ist ohne Unterschrift gültig."]
    return "krankenversicherung", head, body


def _t_lohnabrechnung(shown: Shown, rng: random.Random) -> tuple[str, list[str], list[str]]:
    firm = rng.choice(["Spedition Albers & Söhne KG", "Klinikum am Stadtpark gGmbH", "Gebäudereinigung Blitzblank GmbH", "Hotel Zur Post"])
    month = rng.choice(people.MONTHS_DE)
    head = [firm, "Lohnbüro · " + ", ".join(people.address(rng))]
    body = [f"Abrechnung der Brutto/Netto-Bezüge für {month} {rng.randint(2023, 2025)}", *_person_block(shown, rng, "Arbeitnehmer"),
            f"Personal-Nr. {rng.randint(1000, 99999)}   Eintritt {_today(rng)}   Steuerklasse {rng.randint(1, 5)}",
            f"Stundenlohn {people.money(rng, 13, 25)} EUR x {rng.randint(120, 175)} Std.",
            f"Gesamt-Brutto {people.money(rng, 1900, 4200)}   Lohnsteuer {people.money(rng, 100, 600)}",
            f"KV/RV/AV/PV-Beiträge {people.money(rng, 350, 850)}   Auszahlungsbetrag {people.money(rng, 1400, 2900)}"]
    return "gehaltsnachweis", head, body


def _t_sprachzeugnis(shown: Shown, rng: random.Random) -> tuple[str, list[str], list[str]]:
    school = rng.choice(["Volkshochschule Kreis Wesermarsch", "Sprachinstitut Lingua Viva", "Bildungswerk der Wirtschaft"])
    head = [school, "Prüfungszentrum – Integrationskurse"]
    body = [rng.choice(["Zertifikat Deutsch-Test für Zuwanderer (DTZ)", "Goethe-Zertifikat B1", "Bescheinigung über die erfolgreiche Teilnahme am Integrationskurs"]),
            *_person_block(shown, rng, rng.choice(["Teilnehmerin/Teilnehmer", "Prüfling", "Kursteilnehmer"])),
            f"Gesamtergebnis: Niveau {rng.choice(['A2', 'B1', 'B1'])} · Hören {rng.randint(12, 20)}/20 · Lesen {rng.randint(12, 25)}/25",
            "Der Orientierungskurs wurde mit dem Test „Leben in Deutschland“ abgeschlossen.",
            f"Ausgestellt am {_today(rng)}"]
    return "sprachzertifikat", head, body


def _t_geburtsurkunde(shown: Shown, rng: random.Random) -> tuple[str, list[str], list[str]]:
    head = [f"Standesamt {rng.choice(['Oldenburg', 'Bremerhaven', 'Delmenhorst', 'Nordenham'])}", "Personenstandsregister"]
    body = ["Geburtsurkunde", *_person_block(shown, rng, "Kind"),
            f"Geburtsort: {rng.choice(['Damaskus', 'Kabul', 'Izmir', 'Lagos', 'Charkiw', 'Oldenburg'])}",
            f"Mutter: {people.random_person(rng).given_names} {people.random_person(rng).surname}",
            f"Vater: {people.random_person(rng).given_names} {people.random_person(rng).surname}",
            "Die Übereinstimmung mit dem Eintrag im Geburtenregister wird beglaubigt."]
    return "urkunde", head, body


def _t_arbeitgeberbescheinigung(shown: Shown, rng: random.Random) -> tuple[str, list[str], list[str]]:
    firm = rng.choice(["Metallbau Kruse GmbH", "Pflegeheim Haus Abendsonne", "Bäckerei Kornblume", "IT-Service Nordwest UG"])
    head = [firm, "Personalabteilung"]
    body = ["Arbeitsvertrag (Auszug) und Beschäftigungsbestätigung", *_person_block(shown, rng, "Beschäftigte Person"),
            f"wird ab dem {_today(rng)} unbefristet als {rng.choice(['Lagerist', 'Pflegehelferin', 'Bäcker', 'Netzwerktechniker'])} beschäftigt.",
            f"Wöchentliche Arbeitszeit {rng.choice(['39', '40', '30'])} Stunden, Monatsgehalt brutto {people.money(rng, 2100, 3900)} EUR.",
            "Die Probezeit beträgt sechs Monate. Es gilt der Tarifvertrag der Branche."]
    return "arbeitsvertrag", head, body


def _t_mietbescheinigung(shown: Shown, rng: random.Random) -> tuple[str, list[str], list[str]]:
    head = [rng.choice(["Wohnungsbaugenossenschaft Eintracht eG", "Hausverwaltung Petersen", "GEWOBA Nord"]), "Mietenbuchhaltung"]
    street, city = people.address(rng)
    body = ["Mietbescheinigung", *_person_block(shown, rng, "Mieter"),
            f"bewohnt die Wohnung {street}, {city} ({rng.randint(2, 4)} Zimmer, {rng.randint(45, 90)} m²).",
            f"Grundmiete {people.money(rng, 380, 900)} EUR, Nebenkosten {people.money(rng, 90, 250)} EUR, Mietbeginn {_today(rng)}.",
            "Mietrückstände bestehen nicht."]
    return "mietvertrag", head, body


def _t_anhoerung(shown: Shown, rng: random.Random) -> tuple[str, list[str], list[str]]:
    head = [f"Landkreis {rng.choice(['Ammerland', 'Wesermarsch', 'Friesland'])} – Der Landrat", "Fachdienst Ausländerangelegenheiten"]
    body = [rng.choice(["Anhörung vor Ablehnung Ihres Antrags", "Gebührenbescheid", "Aufforderung zur Mitwirkung"]),
            *_person_block(shown, rng, "Betroffene Person"),
            "Sie erhalten Gelegenheit, sich innerhalb von zwei Wochen zu äußern (§ 28 VwVfG).",
            f"Die Gebühr beträgt {people.money(rng, 50, 120)} EUR und ist binnen eines Monats zu zahlen."]
    return "bescheid", head, body


def _t_kanzlei(shown: Shown, rng: random.Random) -> tuple[str, list[str], list[str]]:
    head = [rng.choice(["Rechtsanwältin Dr. Meike Janssen", "Kanzlei Oltmanns & Berisha", "Anwaltsbüro am Hafen"]), "Fachanwälte für Migrationsrecht"]
    body = [rng.choice(["Akteneinsicht", "Antrag auf Fristverlängerung", "Vollmacht und Bestellung"]),
            *_person_block(shown, rng, "In der Aufenthaltssache"),
            "zeigen wir an, dass wir die Interessen der oben genannten Person vertreten. Eine Vollmacht liegt bei.",
            "Wir bitten um Übersendung der Ausländerakte in unsere Kanzlei."]
    return "anwaltsschreiben", head, body


TEMPLATES = [_t_mitgliedsbescheinigung, _t_lohnabrechnung, _t_sprachzeugnis, _t_geburtsurkunde, _t_arbeitgeberbescheinigung,
             _t_mietbescheinigung, _t_anhoerung, _t_kanzlei]


# --------------------------------------------------------------------------- rendering and damage


def render_letter(head: list[str], body: list[str], shown: Shown, rng: random.Random, dpi: int) -> Image.Image:
    """An A4 letter at ``dpi``: letterhead left, a reference column right (where "Ihr Zeichen" stands)."""
    scale = dpi / 300
    width, height = round(2480 * scale), round(3508 * scale)
    regular, bold = rng.choice(_FONTS)
    size = rng.choice([36, 38, 42])
    font = ImageFont.truetype(_font_path(regular), round(size * scale))
    head_font = ImageFont.truetype(_font_path(bold), round(size * 1.35 * scale))
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    x, y = round(200 * scale), round(170 * scale)
    step = round(size * 1.55 * scale)
    for k, line in enumerate(head):
        draw.text((x, y), line, fill=0, font=head_font if k == 0 else font)
        y += round(step * (1.3 if k == 0 else 1))
    draw.rectangle([x, y, width - x, y + max(2, round(5 * scale))], fill=rng.choice([0, 90, 150]))
    y += step
    refs = [f"Datum: {_today(rng)}"]
    if shown.case_line:
        label, value = shown.case_line
        refs.insert(0, f"{label} {value}")
    right = round(width * rng.choice([0.55, 0.6]))
    ry = y
    for line in refs:
        # A long label with the number must stay on the page (it ran past the edge in mono fonts).
        draw.text((min(right, width - x // 2 - round(font.getlength(line))), ry), line, fill=0, font=font)
        ry += step
    y = max(y, ry) + step
    for line in body + shown.other_lines:
        for part in _wrap(line, font, width - 2 * x):
            draw.text((x, y), part, fill=0, font=font)
            y += step
    return page


def _wrap(line: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    words, out, current = line.split(), [], ""
    for word in words:
        trial = f"{current} {word}".strip()
        if current and font.getlength(trial) > width:
            out.append(current)
            current = word
        else:
            current = trial
    return out + [current] if current else out or [""]


def cover_sheet(case_number: str | None, dpi: int) -> Image.Image:
    """A cover sheet (QR `AZ:<case>`) or a separator sheet (QR `DMS-SEPARATOR`)."""
    scale = dpi / 300
    page = Image.new("L", (round(2480 * scale), round(3508 * scale)), 255)
    payload = f"AZ:{case_number}" if case_number else "DMS-SEPARATOR"
    code = Image.fromarray(np.asarray(zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode).to_image(scale=max(4, round(10 * scale)))))
    page.paste(code, (round(900 * scale), round(1200 * scale)))
    draw = ImageDraw.Draw(page)
    draw.text((round(300 * scale), round(600 * scale)), "DECKBLATT" if case_number else "TRENNBLATT", fill=0,
              font=ImageFont.truetype(_font_path("LiberationSans-Bold.ttf"), round(90 * scale)))
    return page


def phone_photo(page: Image.Image, rng: random.Random) -> Image.Image:
    """A page photographed with a phone: perspective, uneven light, colour cast, no resolution tag."""
    rgb = np.asarray(page.convert("RGB"), dtype=np.float32)
    h, w = rgb.shape[:2]
    border = int(0.06 * w)
    canvas = np.full((h + 2 * border, w + 2 * border, 3), (95, 85, 70), np.float32)  # the table under the sheet
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]]) + border
    jitter = lambda: rng.uniform(-0.035, 0.035) * w  # noqa: E731
    dst = np.float32([[border + jitter(), border + jitter()], [w + border + jitter(), border + jitter()],
                      [w + border + jitter(), h + border + jitter()], [border + jitter(), h + border + jitter()]])
    canvas[border:border + h, border:border + w] = rgb
    warped = cv2.warpPerspective(canvas, cv2.getPerspectiveTransform(src, dst), (w + 2 * border, h + 2 * border),
                                 flags=cv2.INTER_LINEAR, borderValue=(95, 85, 70))
    yy, xx = np.mgrid[0:warped.shape[0], 0:warped.shape[1]].astype(np.float32)
    light = 0.78 + 0.22 * (xx / xx.max() if rng.random() < 0.5 else yy / yy.max())
    cast = np.float32([1.0, rng.uniform(0.93, 0.99), rng.uniform(0.82, 0.92)])
    photo = np.clip(warped * light[..., None] * cast + np.random.default_rng(rng.randint(0, 2**31)).normal(0, 4, warped.shape), 0, 255)
    image = Image.fromarray(photo.astype(np.uint8), "RGB")
    return image.resize((round(image.width * 0.8), round(image.height * 0.8)), Image.LANCZOS)


def weak_scan(page: Image.Image, rng: random.Random, *, turn: bool) -> Image.Image:
    """A flatbed or feeder scan with up to 4° skew, maybe turned by 90° or 180°."""
    rotate = rng.choice([90, 180, 270]) if turn and rng.random() < 0.5 else 0
    return scan_damage(page, skew_deg=rng.uniform(-4.0, 4.0), rotate=rotate, noise=rng.uniform(2, 7), blur=rng.uniform(0.3, 0.8),
                       background=rng.uniform(0.0, 0.12), speckles=rng.randint(50, 400), seed=rng.randint(0, 2**31))


def save_page(page: Image.Image, stem: Path, rng: random.Random, dpi: int, *, turn: bool = True) -> Path:
    """Damage and save one page in one of the office's input forms; returns the path written."""
    form = rng.choice(["png", "jpeg", "tiff_g4", "phone", "pdf"])
    if form == "phone":
        path = stem.with_suffix(".jpg")
        phone_photo(weak_scan(page, rng, turn=False), rng).save(path, "JPEG", quality=rng.randint(60, 80))
        return path
    scanned = weak_scan(page, rng, turn=turn)
    if form == "tiff_g4":
        path = stem.with_suffix(".tif")
        to_bilevel(scanned, rng.randint(130, 170)).save(path, compression="group4", dpi=(dpi, dpi))
    elif form == "jpeg":
        path = stem.with_suffix(".jpg")
        scanned.convert("L").save(path, "JPEG", quality=rng.randint(35, 70), dpi=(dpi, dpi))
    elif form == "pdf":
        path = stem.with_suffix(".pdf")
        write_image_pdf(path, [scanned.convert("L")], dpi)
    else:
        path = stem.with_suffix(".png")
        scanned.convert("L").save(path, dpi=(dpi, dpi), compress_level=1)
    return path


def write_image_pdf(path: Path, pages: list[Image.Image], dpi: int) -> None:
    pdf = new_pdf({"Producer": "Scanner"})
    for page in pages:
        add_image_page(pdf, page, dpi=dpi, quality=60)
    save_pdf(pdf, path)


# --------------------------------------------------------------------------- the day's inputs


@dataclass
class Truth:
    """The label of one produced document."""

    key: str              # file name, "mail.eml#attachment name", "mail.eml#body" or "batch.pdf#N"
    file: str
    doc_type: str
    case_number: str | None
    assignable: bool
    evidence: str
    scenario: str
    owner: str | None = None   # the person the document is really about, even when it is not assignable


class _Day:
    """Builds the inputs of one generated mailroom day into ``directory``."""

    def __init__(self, directory: Path, rng: random.Random, trap: TrapRegistry, families: list[tuple[CaseRecord, CaseRecord]],
                 *, resolutions: tuple[int, ...] = (200, 200, 240, 300)):
        self.dir, self.rng, self.trap, self.families = directory, rng, trap, families
        self.resolutions = resolutions
        self.truths: list[Truth] = []
        self.taken = {r.case_number for r in trap.records}

    def dpi(self) -> int:
        return self.rng.choice(self.resolutions)

    def shown(self, record: CaseRecord | None, *, name: bool = True, birth: bool = False, number: bool = False,
              number_text: str | None = None) -> Shown:
        rng = self.rng
        shown = Shown()
        if record is not None and name:
            shown.name = _spell_name(record.surname, record.given_names, rng)
        if record is not None and birth:
            shown.birth = _spell_birth(record.date_of_birth, rng)
        if number or number_text:
            shown.case_line = (rng.choice(_CASE_LABELS), number_text or _variant_number(record.case_number, rng))
        return shown

    def page(self, shown: Shown, dpi: int) -> tuple[str, Image.Image]:
        doc_type, head, body = self.rng.choice(TEMPLATES)(shown, self.rng)
        return doc_type, render_letter(head, body, shown, self.rng, dpi)

    def plain(self) -> CaseRecord:
        return self.rng.choice(self.trap.unambiguous)

    # -- single scans
    def scan(self, i: int) -> None:
        rng, r = self.rng, self.plain()
        kind = rng.choices(["variant_case_number", "name_dob", "trap"], weights=[4, 4, 3])[0]
        expected, owner, scenario = r.case_number, r.case_number, kind
        if kind == "variant_case_number":
            zero = [x for x in self.trap.zero_serials if x.case_number.split("-")[2][:2] != "00"]
            r = rng.choice(zero) if zero and rng.random() < 0.35 else r
            expected = owner = r.case_number
            shown = self.shown(r, name=rng.random() < 0.5, number=True)
        elif kind == "name_dob":
            shown = self.shown(r, birth=True)
        else:
            scenario = rng.choice(["name_only", "twins", "wrong_birthday", "unknown_case_number", "lookalike_same_birthday",
                                   "case_vs_person"])
            expected = None
            shown = self._trap_shown(scenario, r)
        dpi = self.dpi()
        doc_type, page = self.page(shown, dpi)
        path = save_page(page, self.dir / f"scan_{i:04d}", rng, dpi)
        self.truths.append(Truth(path.name, path.name, doc_type, expected, expected is not None, kind, scenario, owner))

    def _trap_shown(self, scenario: str, r: CaseRecord) -> Shown:
        rng = self.rng
        if scenario == "name_only":
            return self.shown(r)
        if scenario == "twins":
            return self.shown(rng.choice(rng.choice(self.trap.twins)), birth=True)
        if scenario == "wrong_birthday":
            shown = self.shown(r)
            shown.birth = _spell_birth(r.date_of_birth + dt.timedelta(days=rng.choice([1, -1, 31, 365, -366])), rng)
            return shown
        if scenario == "unknown_case_number":
            prefix, year, serial = r.case_number.split("-")
            while True:
                other = f"{prefix}-{year}-{rng.randint(10000, 99999)}"
                if other not in self.taken:
                    return self.shown(r, number_text=_variant_number(other, rng))
        if scenario == "lookalike_same_birthday":
            return self.shown(rng.choice(rng.choice(self.trap.lookalike_same_dob)), birth=True)
        other = rng.choice([x for x in self.trap.unambiguous if x is not r])   # case_vs_person
        shown = self.shown(other, birth=True)
        shown.case_line = (rng.choice(_CASE_LABELS), _variant_number(r.case_number, rng))
        return shown

    # -- mails
    def mail(self, i: int) -> None:
        rng = self.rng
        kind = rng.choices(["self", "employer", "relative", "unresolved"], weights=[3, 3, 3, 1])[0]
        name = f"mail_{i:04d}.eml"
        attachments: list[tuple[str, bytes, Truth]] = []
        if kind == "relative":
            parent, child = rng.choice(self.families)
            mail_case, about = parent, child
        else:
            mail_case = about = self.plain()
        by_subject = kind != "unresolved" and rng.random() < 0.5
        subject, body, sender = self._mail_text(kind, mail_case, about, by_subject)
        for k in range(rng.choice([1, 1, 2, 3])):
            if kind == "relative":
                roll = rng.random()
                if roll < 0.7:
                    shown, expected, evidence, scenario = self.shown(about, name=rng.random() < 0.7, number=True), about.case_number, "relative_own_number", "relative_own_number"
                elif roll < 0.85:
                    shown, expected, evidence, scenario = self.shown(about, birth=True), None, "trap", "attachment_of_another_person"
                else:
                    shown, expected, evidence, scenario = self.shown(parent, name=rng.random() < 0.5), parent.case_number, "mail_attachment", "mail_attachment"
            elif kind == "unresolved":
                shown, expected, evidence, scenario = self.shown(about), None, "trap", "mail_without_evidence"
            else:
                shown, expected, evidence, scenario = self.shown(about, name=rng.random() < 0.7), about.case_number, "mail_attachment", "mail_attachment"
            dpi = self.dpi()
            doc_type, page = self.page(shown, dpi)
            path = save_page(page, self.dir / f".attachment_{i}_{k}", rng, dpi)
            filename = f"{rng.choice(['Scan', 'Dokument', 'Anlage', 'IMG_2025'])}_{k + 1}{path.suffix}"
            attachments.append((filename, path.read_bytes(), Truth(f"{name}#{filename}", name, doc_type, expected, expected is not None,
                                                                    evidence, scenario, about.case_number)))
            path.unlink()
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = sender, "auslaenderbehoerde@landkreis.example", subject
        msg["Date"] = format_datetime(dt.datetime(2025, 5, rng.randint(1, 28), rng.randint(7, 18), rng.randint(0, 59), tzinfo=dt.timezone.utc))
        msg["Message-ID"] = f"<mailroom-{i}-{rng.randint(0, 10**9)}@example.org>"
        msg.set_content(body)
        for filename, data, truth in attachments:
            maintype, subtype = _mime_type(filename)
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
            self.truths.append(truth)
        (self.dir / name).write_bytes(msg.as_bytes())
        resolved = kind != "unresolved"
        self.truths.append(Truth(f"{name}#body", name, "sonstiges", mail_case.case_number if resolved else None, resolved,
                                 "mail_body" if resolved else "trap", f"mail_{kind}", mail_case.case_number))

    def _mail_text(self, kind: str, case: CaseRecord, about: CaseRecord, by_subject: bool) -> tuple[str, str, str]:
        rng = self.rng
        who = f"{case.given_names} {case.surname}"
        birth = _spell_birth(case.date_of_birth, rng)
        number = _variant_number(case.case_number, rng)
        subject = rng.choice(["Unterlagen", "Nachreichung", "Ihre Anforderung vom " + _today(rng), "Dokumente"])
        if by_subject:
            subject += f" – {rng.choice(['Az.', 'Aktenzeichen', 'Ihr Zeichen'])} {number}"
        if kind == "employer":
            firm = rng.choice(["Spedition Albers & Söhne KG", "Klinikum am Stadtpark gGmbH", "Hotel Zur Post"])
            intro = f"anbei übersenden wir die angeforderten Nachweise für unseren Mitarbeiter {who}"
            body = f"Sehr geehrte Damen und Herren,\n\n{intro}" + ("." if by_subject else f" ({_birth_label(rng)} {birth}).")
            body += f"\n\nMit freundlichen Grüßen\nPersonalabteilung\n{firm}"
            return subject, body, f"Personalabteilung <personal@{fold_name(firm).split()[0]}.example>"
        if kind == "relative":
            child = f"{about.given_names} {about.surname}"
            body = (f"Guten Tag,\n\nich schicke Ihnen die Unterlagen meines Kindes {child.split()[0]}.\n"
                    + ("" if by_subject else f"Meine Daten: {who}, {_birth_label(rng)} {birth}\n")
                    + f"\nViele Grüße\n{who}")
            return subject, body, f"{who} <{fold_name(case.given_names).split()[0]}.{fold_name(case.surname).replace(' ', '')}@mail.example>"
        if kind == "unresolved":
            return subject, f"Hallo,\n\nhier die Dokumente.\n\nGruß\n{case.given_names}", f"<{rng.randint(100, 999)}@mail.example>"
        body = "Sehr geehrte Damen und Herren,\n\nanbei meine Unterlagen.\n" + ("" if by_subject else f"{who}, {_birth_label(rng)} {birth}\n")
        body += f"\nMit freundlichen Grüßen\n{who}"
        return subject, body, f"{who} <{fold_name(case.surname).replace(' ', '')}@mail.example>"

    # -- batches behind cover sheets
    def batch(self, i: int) -> None:
        rng = self.rng
        owner = self.plain()
        dpi = rng.choice([d for d in self.resolutions if d != 240])
        pages = [cover_sheet(owner.case_number, dpi)]
        name = f"batch_{i:04d}." + rng.choice(["pdf", "tif"])
        for k in range(rng.choice([1, 2, 3])):
            if k:
                pages.append(cover_sheet(None, dpi))
            roll = rng.random()
            if roll < 0.45:
                shown, expected, scenario = self.shown(owner), owner.case_number, "owner_named"
            elif roll < 0.65:
                relative = next((c for p, c in self.families if p is owner), None) or rng.choice(self.trap.unambiguous)
                shown, expected, scenario = self.shown(relative), owner.case_number, "someone_else_named"
            elif roll < 0.85:
                shown, expected, scenario = Shown(), owner.case_number, "nobody_named"
            else:
                other = rng.choice([x for x in self.trap.unambiguous if x is not owner])
                shown, expected, scenario = self.shown(other, birth=True), None, "cover_vs_person"
            doc_type, page = self.page(shown, dpi)
            pages.append(page)
            self.truths.append(Truth(f"{name}#{k + 1}", name, doc_type, expected, expected is not None,
                                     "cover_sheet" if expected else "trap", scenario, owner.case_number))
        scanned = [scan_damage(p, skew_deg=rng.uniform(-2.5, 2.5), noise=rng.uniform(2, 5), blur=0.5, background=0.05,
                               seed=rng.randint(0, 2**31)).convert("L") for p in pages]
        path = self.dir / name
        if name.endswith(".tif"):
            bilevel = [to_bilevel(p, 150) for p in scanned]
            bilevel[0].save(path, compression="group4", dpi=(dpi, dpi), save_all=True, append_images=bilevel[1:])
        else:
            write_image_pdf(path, scanned, dpi)


def _mime_type(filename: str) -> tuple[str, str]:
    suffix = filename.rsplit(".", 1)[-1].lower()
    return {"pdf": ("application", "pdf"), "jpg": ("image", "jpeg"), "png": ("image", "png"), "tif": ("image", "tiff")}[suffix]


def _families(trap: TrapRegistry, rng: random.Random, count: int = 24) -> list[tuple[CaseRecord, CaseRecord]]:
    """Parents with a child of the same surname, each with a case of their own."""
    numbers = {r.case_number for r in trap.records}
    families = []
    for parent in rng.sample(trap.unambiguous, count):
        kid = people.random_person(rng, born_after=dt.date(2003, 1, 1), born_before=dt.date(2012, 12, 31))
        while True:
            number = f"ABH-{rng.randint(2015, 2025)}-{rng.randint(10000, 99999)}"
            if number not in numbers:
                numbers.add(number)
                break
        child = CaseRecord(number, parent.surname, kid.given_names, kid.date_of_birth, parent.nationality)
        trap.records.append(child)
        families.append((parent, child))
    return families


def write_mailroom_set(directory: str | Path, count: int = 150, seed: int = 15) -> dict:
    """Write ``count`` inputs (scans, mails, batches), registry.csv and labels.json; return the labels."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    trap = build_registry(rng, size=240)
    families = _families(trap, rng)
    day = _Day(directory, rng, trap, families)
    for i in range(count):
        rng.choices([day.scan, day.mail, day.batch], weights=[4, 4, 2])[0](i)
    write_registry_csv(trap.records, directory / "registry.csv")
    labels = {t.key: {"file": t.file, "doc_type": t.doc_type, "case_number": t.case_number, "assignable": t.assignable,
                      "evidence": t.evidence, "scenario": t.scenario, "owner": t.owner} for t in day.truths}
    (directory / "labels.json").write_text(json.dumps(labels, indent=1, ensure_ascii=False), encoding="utf-8")
    return labels


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: write a mailroom evaluation set into DIR."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--count", type=int, default=150, help="number of inputs (scans, mails, batches)")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    labels = write_mailroom_set(args.dir, args.count, args.seed)
    inputs = len({v["file"] for v in labels.values()})
    assignable = sum(v["assignable"] for v in labels.values())
    print(f"{inputs} inputs, {len(labels)} documents ({assignable} assignable) -> {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
