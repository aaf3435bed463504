"""The synthetic sample inbox of dms-ingest: 13 invented documents of a German Ausländerbehörde.

``samples/make_samples.py`` (or ``python -m dms_datagen.samples DIR``) writes, deterministically,

* ``inbox/*``       -- the documents, rendered at 300 dpi and made to look scanned,
* ``cases.csv``     -- the case registry (all persons are invented),
* ``expected.json`` -- the ground truth for every inbox file.

Every name, address, number and organisation in here is invented.

Conventions used in ``expected.json`` (see also ``samples/README.md``):

* ``rotation``: 0/90/180/270 -- degrees *clockwise* by which the page content
  was turned after rendering (a page with ``rotation: 90`` is undone by turning
  it 90 degrees counter-clockwise).
* ``skew_deg``: small skew, same sense as ``rotation``: positive means the
  content was turned *clockwise* by that many degrees (the scanned sheet lay
  askew on the glass).  Skew is applied before ``rotation``.
* ``text``: exactly the strings that were drawn, one drawn line per line,
  in drawing order (which follows reading order); the cells of a table row
  (or several items drawn on one line) are joined with a single space.
  Graphics (boxes, signatures, logos without letters) carry no text.

The building blocks (pages, stamps, scan damage, PDF writing) live in the sibling modules.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from .letters import A4_PX, DPI, Sheet, city_letterhead, stamp
from .mrz import make_td3
from .pdf import PdfPage, PdfText, save_jpeg, write_pdf
from .people import euro
from .scan import scan_damage, to_bilevel

MASTER_SEED = 20250314


# --------------------------------------------------------------------------
# The documents
# --------------------------------------------------------------------------


@dataclass
class Doc:
    file: str
    fmt: str
    doc_type: str
    case_number: str | None
    phrases: list[str]
    description: str
    pages: list[dict]
    extra: dict = field(default_factory=dict)

    def entry(self) -> dict:
        e = {"file": self.file, "format": self.fmt, "pages": len(self.pages),
             "doc_type": self.doc_type, "case_number": self.case_number,
             "phrases": self.phrases, "description": self.description}
        e.update(self.extra)
        e["per_page"] = [dict(page=i + 1, **p) for i, p in enumerate(self.pages)]
        return e


def _page(lines: list[str], *, rotation: int = 0, skew: float = 0.0, blank: bool = False,
          born_digital: bool = False, colour: str = "grey", size_px=None, **extra) -> dict:
    d = {"text": "\n".join(lines), "rotation": rotation, "skew_deg": skew, "blank": blank,
         "born_digital": born_digital, "colour": colour}
    if not born_digital:
        d["dpi"] = DPI
    if size_px is not None:
        d["size_px"] = list(size_px)
    d.update(extra)
    return d


# 1 -- Antrag auf Erteilung eines Aufenthaltstitels (2 pages, greyscale image PDF)

def doc_antrag(out: Path, seed: int) -> Doc:
    rng = np.random.default_rng(seed)
    # page 1
    s = Sheet()
    city_letterhead(s, office="Der Oberbürgermeister – Ausländerbehörde", colour=0)
    s.text("Antrag auf Erteilung eines Aufenthaltstitels", size=71, bold=True)
    s.text("nach dem Aufenthaltsgesetz (AufenthG)", size=46)
    s.gap(20)
    s.row([(s.left, "Aktenzeichen: ABH-2019-04711", "left"),
           (s.right, "Eingangsdatum: 14.01.2025", "right")])
    s.text("Antragsteller: Chinedu Emmanuel Okonkwo, geb. 03.04.1987")
    s.gap(30)
    vx = s.left + 760

    def field_row(label: str, value: str) -> None:
        y = s.y
        s.row([(s.left, label, "left"), (vx, value, "left")])
        s.hline(y + 58, vx - 10, s.right, width=2, fill=110)

    s.band("1. Angaben zur Person")
    field_row("Familienname:", "Okonkwo")
    field_row("Vorname(n):", "Chinedu Emmanuel")
    field_row("Geburtsname:", "Okonkwo")
    field_row("Geburtsdatum:", "03.04.1987")
    field_row("Geburtsort / -land:", "Enugu / Nigeria")
    field_row("Geschlecht:", "männlich")
    field_row("Staatsangehörigkeit:", "nigerianisch")
    field_row("Familienstand:", "verheiratet seit 22.08.2015")
    field_row("Größe / Augenfarbe:", "178 cm / braun")
    s.gap(20)
    s.band("2. Anschrift im Bundesgebiet")
    field_row("Straße, Hausnummer:", "Lindenstraße 27")
    field_row("PLZ, Wohnort:", "21903 Elbhausen")
    field_row("E-Mail:", "c.okonkwo@example.org")
    s.gap(20)
    s.band("3. Angaben zum Pass")
    field_row("Passnummer:", "A09876543")
    field_row("Ausstellungsbehörde:", "Nigeria Immigration Service")
    field_row("gültig bis:", "11.02.2029")
    s.gap(20)
    s.band("4. Beantragter Aufenthaltstitel")
    for checked, label in [(False, "Erteilung einer Aufenthaltserlaubnis"),
                           (True, "Verlängerung der Aufenthaltserlaubnis"),
                           (False, "Niederlassungserlaubnis (§ 9 AufenthG)"),
                           (False, "Blaue Karte EU (§ 18g AufenthG)")]:
        s.checkbox(s.left + 10, s.y + 4, checked)
        s.text(label, x=s.left + 80)
    field_row("Aufenthaltszweck:", "Beschäftigung (§ 18b AufenthG)")
    s.text("Seite 1 von 2", y=A4_PX[1] - 200, align="right", size=38)
    p1_lines, p1 = s.lines, s.img

    # page 2
    s = Sheet()
    s.text("Antrag auf Erteilung eines Aufenthaltstitels – Fortsetzung", size=50, bold=True)
    s.text("Aktenzeichen: ABH-2019-04711", size=42)
    s.gap(30)
    vx = s.left + 820
    s.band("5. Sicherung des Lebensunterhalts")
    field_row("Arbeitgeber:", "Nordlicht Logistik GmbH")
    field_row("Anschrift Arbeitgeber:", "Hafenstraße 112, 21905 Elbhausen")
    field_row("beschäftigt seit:", "01.09.2019")
    field_row("Nettoeinkommen mtl.:", "2.640,00 €")
    field_row("Krankenversicherung:", "Elbtal Krankenkasse")
    s.gap(20)
    s.band("6. Familienangehörige")
    s.table([["Familienname", "Vorname", "Geburtsdatum", "Verhältnis"],
             ["Okonkwo", "Ngozi Adaeze", "12.11.1990", "Ehefrau"],
             ["Okonkwo", "David Chukwudi", "09.06.2018", "Sohn"]],
            [s.left, s.left + 520, s.left + 1060, s.left + 1480, s.right])
    s.band("7. Erklärung")
    s.para("Ich versichere, dass ich die vorstehenden Angaben nach bestem Wissen und "
           "Gewissen richtig und vollständig gemacht habe. Mir ist bekannt, dass "
           "unrichtige oder unvollständige Angaben zur Erlangung eines Aufenthaltstitels "
           "nach § 95 Abs. 2 Nr. 2 AufenthG strafbar sind und ausländerrechtliche "
           "Folgen haben können.", after=30)
    s.para("Änderungen meiner Anschrift oder meines Arbeitsverhältnisses teile ich der "
           "Ausländerbehörde unverzüglich mit.", after=120)
    y = s.y
    s.text("Elbhausen, 14.01.2025", x=s.left + 20, y=y - 60, advance=False)
    s.signature(s.left + 1200, y - 130, 600, 110, rng, fill=20)
    s.hline(y + 10, s.left, s.left + 800, width=2)
    s.hline(y + 10, s.left + 1100, s.right, width=2)
    s.y = y + 25
    s.row([(s.left, "Ort, Datum", "left"), (s.left + 1100, "Unterschrift Antragsteller/in", "left")],
          size=38)
    s.gap(80)
    s.band("Vermerke der Behörde (nicht vom Antragsteller auszufüllen)", size=38, fill=235)
    s.rect((s.left, s.y, s.right, s.y + 360), width=2)
    s.text("Seite 2 von 2", y=A4_PX[1] - 200, align="right", size=38)
    p2_lines, p2 = s.lines, s.img

    i1 = scan_damage(p1, skew_deg=1.5, noise=1.2, background=0.06, speckles=150, seed=seed + 1)
    i2 = scan_damage(p2, skew_deg=-2.5, noise=1.2, background=0.07, speckles=150,
                     edge_shadow=0.25, seed=seed + 2)
    name = "scan_20250114_083012.pdf"
    write_pdf(out / name, [i1, i2], info={"Producer": "ScanStation 4 PDF", "Title": "Scan"})
    return Doc(name, "pdf", "antrag", "ABH-2019-04711",
               ["Aufenthaltstitels", "ABH-2019-04711", "Okonkwo", "Lindenstraße", "Staatsangehörigkeit"],
               "Antragsformular, 2 Seiten, Graustufen-Scan als Bild-PDF",
               [_page(p1_lines, skew=1.5, size_px=i1.size), _page(p2_lines, skew=-2.5, size_px=i2.size)])


# 2 -- Passport copy (colour JPEG)

PASS_MRZ = make_td3(issuing_state="COL", surname="RODRIGUEZ PEREZ", given_names="VALENTINA",
                     document_number="CL7315924", nationality="COL", date_of_birth=dt.date(1994, 12, 8), sex="F",
                     expiry_date=dt.date(2031, 5, 16), optional_data="1020745811")


def _guilloche(sheet: Sheet, box, colour, rng, n: int = 26) -> None:
    x0, y0, x1, y1 = box
    for k in range(n):
        amp = rng.uniform(8, 30)
        per = rng.uniform(120, 320)
        ph = rng.uniform(0, 2 * math.pi)
        base = y0 + (y1 - y0) * (k + 0.5) / n
        pts = [(x, base + amp * math.sin(x / per * 2 * math.pi + ph)) for x in range(x0, x1, 6)]
        sheet.d.line(pts, fill=sheet.c(colour), width=2)


def doc_pass(out: Path, seed: int) -> Doc:
    rng = np.random.default_rng(seed)
    W, H = 1700, 2300  # 144 x 195 mm at 300 dpi
    s = Sheet((W, H), colour=True, left=0, right=0, top=0)
    s.rect((0, 0, W, H), outline=None, fill=(252, 252, 250))
    # booklet cover and the two open pages
    s.d.rounded_rectangle((92, 96, 1622, 2206), radius=40, fill=(92, 20, 36))
    up = (110, 112, 1604, 1150)
    lo = (110, 1160, 1604, 2190)
    s.rect(up, outline=None, fill=(232, 240, 236))
    s.rect(lo, outline=None, fill=(244, 232, 226))
    _guilloche(s, up, (200, 222, 212), rng)
    _guilloche(s, lo, (232, 208, 204), rng)
    s.d.line([(110, 1155), (1604, 1155)], fill=(150, 130, 130), width=10)

    # upper (visa) page: page number, entry and exit stamps
    s.text("OBSERVACIONES / OBSERVATIONS", x=857, y=150, size=36, align="center", fill=(90, 90, 90))
    stamp(s, ["D EINREISE", "FRANKFURT/M", "14.09.18", "0417"], centre=(520, 560),
          colour=(30, 60, 170), angle=6, rng=rng, size=44)
    stamp(s, ["D AUSREISE", "MÜNCHEN", "02.01.23", "1182"], centre=(1190, 760),
          colour=(190, 30, 40), angle=-9, rng=rng, size=44)
    s.text("7", x=1560, y=1080, size=36, align="right", fill=(90, 90, 90))

    # lower (data) page
    dx = 160
    s.text("REPÚBLICA DE COLOMBIA", x=857, y=1190, size=50, bold=True, align="center",
           fill=(40, 40, 90))
    s.text("PASAPORTE / PASSPORT", x=857, y=1258, size=42, align="center", fill=(40, 40, 90))
    # photo box
    px0, py0, px1, py1 = dx, 1350, dx + 400, 1350 + 500
    s.rect((px0, py0, px1, py1), outline=(120, 120, 120), fill=(178, 206, 232), width=3)
    s.d.ellipse((px0 + 90, py0 + 330, px1 - 90, py1 + 200), fill=(40, 60, 110))  # shoulders
    s.d.ellipse((px0 + 120, py0 + 70, px1 - 120, py0 + 360), fill=(70, 45, 30))  # hair
    s.d.ellipse((px0 + 135, py0 + 110, px1 - 135, py0 + 360), fill=(214, 170, 135))  # face
    s.rect((px0, py1, px1, py1 + 140), outline=None, fill=(244, 232, 226))
    lx = dx + 450
    c2, c3 = lx + 260, lx + 560
    fields = [[(lx, "Tipo / Type", "P"), (c2, "Código / Code", "COL"),
               (c3, "Pasaporte No. / Passport No.", "CL7315924")],
              [(lx, "Apellidos / Surname", "RODRIGUEZ PEREZ")],
              [(lx, "Nombres / Given names", "VALENTINA")],
              [(lx, "Nacionalidad / Nationality", "COLOMBIANA")],
              [(lx, "Fecha de nacimiento / Date of birth", "08 DIC/DEC 1994"),
               (c3, "Sexo / Sex", "F")],
              [(lx, "Lugar de nacimiento / Place of birth", "MEDELLIN")],
              [(lx, "Fecha de expedición / Date of issue", "17 MAY/MAY 2021"),
               (c3, "Vencimiento / Date of expiry", "16 MAY/MAY 2031")]]
    y = 1345
    for row in fields:
        s.row([(x, label, "left") for x, label, _ in row], y=y, size=27, fill=(70, 60, 60))
        s.row([(x, value, "left") for x, _, value in row], y=y + 32, size=38, bold=True,
              fill=(15, 15, 15))
        y += 88
    s.text("Firma / Signature", x=dx, y=1880, size=27, fill=(70, 60, 60), advance=False)
    s.signature(dx + 20, 1905, 340, 60, rng, fill=(20, 20, 60), width=4)
    # MRZ (OCR-B-ish monospace)
    s.rect((130, 1990, 1584, 2180), outline=None, fill=(250, 244, 240))
    s.text(PASS_MRZ[0], x=170, y=2005, size=50, family="mono", fill=10, advance=False)
    s.text(PASS_MRZ[1], x=170, y=2090, size=50, family="mono", fill=10, advance=False)

    img = scan_damage(s.img, skew_deg=0.6, noise=2.0, blur=0.8, background=0.04, speckles=60,
                      paper=(250, 249, 245), ink=20, seed=seed + 1)
    name = "IMG_20250203_101544.jpg"
    save_jpeg(img, out / name)
    return Doc(name, "jpeg", "pass", "ABH-2018-07342",
               ["PASAPORTE", "RODRIGUEZ", "VALENTINA", "CL7315924"],
               "Reisepass, aufgeschlagene Datenseite mit Einreise-/Ausreisestempel, Farb-JPEG",
               [_page(s.lines, skew=0.6, colour="rgb", size_px=img.size)],
               extra={"mrz": list(PASS_MRZ)})


# 3 -- Payslip (bilevel PNG)

def doc_payslip(out: Path, seed: int) -> Doc:
    s = Sheet()
    s.text("Brinkmann Haustechnik GmbH", size=62, bold=True)
    s.text("Werkstraße 9 · 21907 Elbhausen · Tel. 04120 5566-0", size=38)
    s.gap(40)
    s.text("Entgeltabrechnung für Februar 2025", size=67, bold=True)
    s.gap(20)
    cx = s.left + 1100
    rows = [("Personal-Nr.: 000417", "Abrechnungszeitraum: 01.02.2025 – 28.02.2025"),
            ("Herrn Oleksandr Petrenko", "Eintritt: 15.08.2022"),
            ("Kastanienweg 3", "Geburtsdatum: 25.07.1983"),
            ("21907 Elbhausen", "Steuerklasse / Kinder: 3 / 1,0"),
            ("", "Krankenkasse: Elbtal Krankenkasse"),
            ("", "SV-Nummer: 17 250783 P 014")]
    for a, b in rows:
        cells = [(s.left, a, "left")] if a else []
        cells.append((cx, b, "left"))
        s.row(cells, size=40)
    s.gap(30)
    base, hours, rate, travel = 3150.00, 8, 21.80, 40.00
    ot = round(hours * rate, 2)
    gross = round(base + ot + travel, 2)
    cols = [s.left, s.left + 230, s.left + 1130, s.left + 1420, s.right]
    s.text("Bezüge", size=46, bold=True)
    s.table([["Lohnart", "Bezeichnung", "Menge", "Betrag"],
             ["1000", "Grundgehalt", "", f"{euro(base)} €"],
             ["1200", f"Überstunden à {euro(rate)} €", f"{hours},00 Std.", f"{euro(ot)} €"],
             ["2300", "Fahrtkostenzuschuss", "", f"{euro(travel)} €"],
             ["", "Gesamtbrutto", "", f"{euro(gross)} €"]],
            cols, aligns=["left", "left", "right", "right"], size=40, bold_last=True)
    ded = [("Lohnsteuer", 392.58), ("Solidaritätszuschlag", 0.00), ("Kirchensteuer", 0.00),
           ("Krankenversicherung", round(gross * 0.0815, 2)),
           ("Rentenversicherung", round(gross * 0.093, 2)),
           ("Arbeitslosenversicherung", round(gross * 0.013, 2)),
           ("Pflegeversicherung", round(gross * 0.018, 2))]
    total = round(sum(v for _, v in ded), 2)
    net = round(gross - total, 2)
    s.text("Abzüge", size=46, bold=True)
    s.table([["Bezeichnung", "", "Betrag"]] + [[k, "", f"{euro(v)} €"] for k, v in ded]
            + [["Summe gesetzliche Abzüge", "", f"{euro(total)} €"]],
            [s.left, s.left + 1130, s.left + 1420, s.right], aligns=["left", "left", "right"],
            size=40, bold_last=True)
    s.gap(10)
    s.row([(s.left, "Nettoentgelt", "left"), (s.right, f"{euro(net)} €", "right")], size=50, bold=True)
    s.row([(s.left, "Auszahlungsbetrag", "left"), (s.right, f"{euro(net)} €", "right")], size=50,
          bold=True)
    s.hline(width=4)
    s.gap(30)
    s.text("Überweisung an: IBAN DE44 2005 0550 1234 5678 90 (Elbhausener Sparkasse)", size=38)
    s.gap(40)
    s.text("Jahressummen 2025", size=42, bold=True)
    s.table([["", "Steuerbrutto", "Lohnsteuer", "SV-Brutto"],
             ["Januar – Februar", f"{euro(2 * gross)} €", f"{euro(2 * 392.58)} €",
              f"{euro(2 * gross)} €"]],
            [s.left, s.left + 600, s.left + 1100, s.left + 1600, s.right],
            aligns=["left", "right", "right", "right"], size=38)
    s.text("Diese Abrechnung wurde maschinell erstellt und ist ohne Unterschrift gültig.",
           size=34, y=A4_PX[1] - 260)
    grey = scan_damage(s.img, skew_deg=0.4, noise=3.0, blur=0.9, background=0.03, speckles=90,
                       seed=seed + 1)
    img = to_bilevel(grey, 145)
    name = "Entgeltabrechnung_02-2025.png"
    img.save(out / name, "PNG", dpi=(DPI, DPI), optimize=True)
    return Doc(name, "png", "gehaltsnachweis", "ABH-2022-05518",
               ["Entgeltabrechnung", "Petrenko", "Brinkmann Haustechnik", "Auszahlungsbetrag"],
               "Entgeltabrechnung, bitonal, PNG 1 bit",
               [_page(s.lines, skew=0.4, colour="bilevel", size_px=img.size)],
               extra={"net_pay_eur": net, "gross_pay_eur": gross})


# 4 -- Rental contract (3-page G4 TIFF; page 2 upside down; page 3 blank)

def doc_mietvertrag(out: Path, seed: int) -> Doc:
    rng = np.random.default_rng(seed)
    serif = "serif"
    s = Sheet()
    s.text("Mietvertrag über Wohnraum", size=75, bold=True, family=serif, align="center")
    s.gap(30)
    s.text("Zwischen", family=serif)
    s.text("Hausverwaltung Sommerfeld GmbH, Kastanienallee 3, 21901 Elbhausen,", family=serif)
    s.text("vertreten durch die Geschäftsführerin Marlene Sommerfeld", family=serif)
    s.text("– nachfolgend „Vermieter“ genannt –", family=serif)
    s.text("und", family=serif)
    s.text("Herrn Emre Kaya, geb. 05.05.1990, bisher wohnhaft Bahnhofstraße 41, 21902 Elbhausen", family=serif)
    s.text("– nachfolgend „Mieter“ genannt –", family=serif)
    s.text("wird folgender Mietvertrag geschlossen:", family=serif)
    s.gap(30)
    s.text("§ 1 Mietsache", bold=True, family=serif)
    s.para("Vermietet wird die Wohnung im 2. Obergeschoss links des Hauses Gartenstraße 14, "
           "21904 Elbhausen, bestehend aus 3 Zimmern, Küche, Bad mit WC, Flur und Balkon. "
           "Die Wohnfläche beträgt ca. 68 m². Mitvermietet ist der Kellerraum Nr. 5.",
           family=serif, after=20)
    s.text("§ 2 Mietzeit", bold=True, family=serif)
    s.para("Das Mietverhältnis beginnt am 01.03.2025 und läuft auf unbestimmte Zeit. "
           "Die Kündigung richtet sich nach den gesetzlichen Vorschriften (§ 573c BGB).",
           family=serif, after=20)
    s.text("§ 3 Miete und Nebenkosten", bold=True, family=serif)
    s.para("Die Miete ist monatlich im Voraus, spätestens am dritten Werktag eines Monats, "
           "kostenfrei auf das Konto des Vermieters zu zahlen. Sie beträgt:",
           family=serif, after=10)
    s.table([["Position", "Betrag monatlich"],
             ["Grundmiete (Nettokaltmiete)", "620,00 €"],
             ["Vorauszahlung Betriebskosten", "145,00 €"],
             ["Vorauszahlung Heizung und Warmwasser", "85,00 €"],
             ["Gesamtmiete", "850,00 €"]],
            [s.left, s.left + 1350, s.right], aligns=["left", "right"], size=44, bold_last=True)
    s.para("Über die Vorauszahlungen wird jährlich abgerechnet. Die Abrechnung erfolgt "
           "spätestens zwölf Monate nach Ende des Abrechnungszeitraums.", family=serif)
    s.text("Seite 1 von 2", y=A4_PX[1] - 200, align="center", size=38, family=serif)
    p1_lines, p1 = s.lines, s.img

    s = Sheet()
    s.text("§ 4 Mietsicherheit", bold=True, family=serif)
    s.para("Der Mieter leistet eine Mietsicherheit in Höhe von 1.860,00 € (drei "
           "Nettokaltmieten). Er ist berechtigt, die Kaution in drei gleichen monatlichen "
           "Teilzahlungen zu erbringen. Die erste Teilzahlung ist zu Beginn des "
           "Mietverhältnisses fällig.", family=serif, after=20)
    s.text("§ 5 Schönheitsreparaturen", bold=True, family=serif)
    s.para("Die Wohnung wird in renoviertem Zustand übergeben. Der Mieter übernimmt die "
           "während der Mietzeit erforderlichen Schönheitsreparaturen in angemessenen "
           "Abständen.", family=serif, after=20)
    s.text("§ 6 Tierhaltung", bold=True, family=serif)
    s.para("Die Haltung von Kleintieren ist gestattet. Hunde und Katzen dürfen nur mit "
           "vorheriger Zustimmung des Vermieters gehalten werden.", family=serif, after=20)
    s.text("§ 7 Hausordnung und Schlüssel", bold=True, family=serif)
    s.para("Die Hausordnung ist Bestandteil dieses Vertrages. Der Mieter erhält bei Einzug "
           "zwei Wohnungsschlüssel, zwei Haustürschlüssel und einen Briefkastenschlüssel.",
           family=serif, after=20)
    s.text("§ 8 Sonstige Vereinbarungen", bold=True, family=serif)
    s.para("Mündliche Nebenabreden bestehen nicht. Änderungen und Ergänzungen dieses "
           "Vertrages bedürfen der Schriftform.", family=serif, after=140)
    y = s.y
    s.text("Elbhausen, den 10.02.2025", x=s.left, y=y - 70, family=serif, advance=False)
    s.text("Elbhausen, den 10.02.2025", x=s.left + 1150, y=y - 70, family=serif, advance=False)
    s.signature(s.left + 60, y - 190, 560, 100, rng, fill=0)
    s.signature(s.left + 1200, y - 190, 520, 100, rng, fill=0)
    s.lines.append("Elbhausen, den 10.02.2025 Elbhausen, den 10.02.2025")
    s.hline(y + 10, s.left, s.left + 850, width=2)
    s.hline(y + 10, s.left + 1150, s.right, width=2)
    s.y = y + 25
    s.row([(s.left, "Vermieter", "left"), (s.left + 1150, "Mieter", "left")], family=serif)
    s.text("Seite 2 von 2", y=A4_PX[1] - 200, align="center", size=38, family=serif)
    p2_lines, p2 = s.lines, s.img

    blank = Image.new("L", A4_PX, 255)
    pages_img = []
    for i, (img, skew, rot) in enumerate([(p1, 0.3, 0), (p2, -0.5, 180), (blank, 0.0, 0)]):
        g = scan_damage(img, skew_deg=skew, rotate=rot, noise=3.0, blur=0.8, background=0.03,
                        speckles=40 if i == 2 else 80, seed=seed + 1 + i)
        pages_img.append(to_bilevel(g, 140))
    name = "scan_20250211_141500.tif"
    pages_img[0].save(out / name, save_all=True, append_images=pages_img[1:],
                      compression="group4", dpi=(DPI, DPI))
    return Doc(name, "tiff", "mietvertrag", "ABH-2020-03141",
               ["Mietvertrag", "Kaya", "Gartenstraße", "Mietsicherheit"],
               "Mietvertrag, 3 Seiten bitonal G4-TIFF; Seite 2 kopfüber, Seite 3 leere Rückseite",
               [_page(p1_lines, skew=0.3, colour="bilevel", size_px=A4_PX),
                _page(p2_lines, rotation=180, skew=-0.5, colour="bilevel", size_px=A4_PX),
                _page([], blank=True, colour="bilevel", size_px=A4_PX)])


# 5 -- Lawyer's letter (image PDF, landscape scan of a portrait page = rotated 90)

def doc_anwalt(out: Path, seed: int) -> Doc:
    rng = np.random.default_rng(seed)
    s = Sheet()
    s.text("Rechtsanwaltskanzlei Hoffmann & Demir", size=67, bold=True, family="serif")
    s.text("Fachanwälte für Migrationsrecht · Domplatz 2 · 21900 Elbhausen", size=38, family="serif")
    s.hline(width=3)
    s.gap(60)
    s.text("Hoffmann & Demir · Domplatz 2 · 21900 Elbhausen", size=30, family="serif")
    s.gap(10)
    top = s.y
    for line in ["Stadt Elbhausen", "Ausländerbehörde", "Rathausplatz 4", "21900 Elbhausen"]:
        s.text(line, family="serif")
    y_after = s.y
    s.y = top
    rx = s.left + 1350
    for line in ["Ihr Zeichen: ABH-2021-00815", "Unser Zeichen: 117/24 HD", "Datum: 04.03.2025"]:
        s.text(line, x=rx, size=40, family="serif")
    s.y = max(y_after, s.y) + 100
    s.text("Unser Mandant: Rami Haddad, geb. 17.06.1992, syrischer Staatsangehöriger", bold=True,
           family="serif")
    s.text("hier: Antrag auf Ausstellung einer Fiktionsbescheinigung", bold=True, family="serif")
    s.gap(50)
    s.text("Sehr geehrte Damen und Herren,", family="serif")
    s.gap(20)
    paras = [
        "hiermit zeigen wir unter Vorlage einer auf uns lautenden Vollmacht an, dass wir "
        "die rechtlichen Interessen von Herrn Rami Haddad vertreten.",
        "Unser Mandant hat mit Schreiben vom 12.01.2025 und damit vor Ablauf seiner bis zum "
        "31.01.2025 gültigen Aufenthaltserlaubnis deren Verlängerung beantragt. Gemäß "
        "§ 81 Abs. 4 AufenthG gilt der bisherige Aufenthaltstitel vom Zeitpunkt seines "
        "Ablaufs bis zur Entscheidung der Ausländerbehörde als fortbestehend.",
        "Bis heute hat unser Mandant weder eine Entscheidung noch eine Bescheinigung über "
        "die Fortgeltung erhalten. Sein Arbeitgeber verlangt jedoch einen Nachweis über "
        "den rechtmäßigen Aufenthalt und die Erlaubnis zur Beschäftigung.",
        "Wir beantragen daher, unserem Mandanten unverzüglich eine Fiktionsbescheinigung "
        "nach § 81 Abs. 5 AufenthG auszustellen, und bitten um Akteneinsicht. "
        "Für eine Bestätigung des Eingangs dieses Schreibens bis zum 18.03.2025 wären wir "
        "dankbar.",
    ]
    for p in paras:
        s.para(p, family="serif", after=30)
    s.text("Mit freundlichen Grüßen", family="serif")
    s.signature(s.left + 20, s.y + 10, 480, 110, rng, fill=(20, 30, 110))
    s.gap(160)
    s.text("Jonas Hoffmann", family="serif")
    s.text("Rechtsanwalt", family="serif")
    s.gap(60)
    s.text("Anlage: Vollmacht", size=40, family="serif")
    s.hline(y=A4_PX[1] - 250, width=2)
    s.text("Elbhausener Sparkasse · IBAN DE61 2005 0550 0042 1178 00 · USt-IdNr. DE 999 999 999",
           y=A4_PX[1] - 220, size=30, align="center", family="serif")
    grey = scan_damage(s.img, skew_deg=-0.7, rotate=90, noise=3.0, blur=0.8, background=0.05,
                       speckles=120, seed=seed + 1)
    img = to_bilevel(grey, 145)
    name = "Schreiben_RA_Hoffmann.pdf"
    write_pdf(out / name, [img], info={"Producer": "ScanStation 4 PDF"})
    return Doc(name, "pdf", "anwaltsschreiben", "ABH-2021-00815",
               ["Rechtsanwaltskanzlei", "ABH-2021-00815", "81 Abs. 4 AufenthG", "Fiktionsbescheinigung"],
               "Anwaltsschreiben, Hochformat quer gescannt (Inhalt 90° im Uhrzeigersinn gedreht), "
               "bitonales Bild-PDF (CCITT G4)",
               [_page(s.lines, rotation=90, skew=-0.7, colour="bilevel", size_px=img.size)])


# 6 -- Decision letter (born-digital PDF, 2 pages)

def _pdf_letterhead(pg: PdfPage) -> float:
    blue = (0.0, 0.27, 0.55)
    pg.items.append(PdfText("Stadt Elbhausen", 70.87, 60, 18, True, blue))
    pg.items.append(PdfText("Der Oberbürgermeister – Ausländerbehörde", 70.87, 80, 11, False, blue))
    pg.rules.append((70.87, 90, 538.6, 90, 1.2, blue))
    return 110.0


def doc_bescheid(out: Path, seed: int) -> Doc:
    L = 70.87
    R = 360.0
    p1 = PdfPage()
    y = _pdf_letterhead(p1)

    def t(page: PdfPage, text: str, x: float = L, size: float = 11, bold: bool = False) -> None:
        nonlocal y
        if text.startswith(" "):  # indentation is positioning, not text
            x += 12.0
            text = text.lstrip()
        if text:
            page.items.append(PdfText(text, x, y, size, bold))
        y += size * 1.38

    t(p1, "Stadt Elbhausen · Rathausplatz 4 · 21900 Elbhausen", size=7.5)
    y += 8
    y0 = y
    for line in ["Frau", "Thi Lan Nguyen", "Neue Straße 12", "21902 Elbhausen"]:
        t(p1, line)
    y = y0
    for line in ["Geschäftszeichen: ABH-2020-01234", "Sachbearbeitung: Frau Schneider",
                 "Zimmer 2.14, Telefon 04120 700-2314", "Datum: 10.03.2025"]:
        t(p1, line, x=R, size=9.5)
    y = y0 + 110
    t(p1, "Bescheid", size=16, bold=True)
    t(p1, "über die Änderung einer Nebenbestimmung zu Ihrer Aufenthaltserlaubnis", bold=True)
    y += 8
    t(p1, "Sehr geehrte Frau Nguyen,")
    y += 6
    body1 = [
        "auf Ihren Antrag vom 20.02.2025 ergeht folgende Entscheidung:",
        "",
        "1. Die Nebenbestimmung zu Ihrer Aufenthaltserlaubnis nach § 18a AufenthG",
        "   „Beschäftigung nur als Pflegefachkraft bei der Seniorenresidenz Elbblick gGmbH",
        "   gestattet.“ wird aufgehoben.",
        "2. Die Nebenbestimmung erhält folgende Fassung: „Erwerbstätigkeit erlaubt.“",
        "3. Die Gültigkeit der Aufenthaltserlaubnis bis zum 30.09.2026 bleibt unberührt.",
        "4. Für diese Amtshandlung wird eine Gebühr in Höhe von 50,00 € festgesetzt.",
        "",
    ]
    for line in body1:
        t(p1, line)
    t(p1, "Begründung", bold=True)
    body2 = [
        "Sie sind im Besitz einer Aufenthaltserlaubnis nach § 18a AufenthG. Mit Schreiben vom",
        "20.02.2025 haben Sie unter Vorlage eines neuen Arbeitsvertrages die Änderung der",
        "Nebenbestimmung beantragt. Die Voraussetzungen für die Änderung liegen vor, da die",
        "Beschäftigung keiner Zustimmung der Bundesagentur für Arbeit mehr bedarf.",
        "",
        "Die Gebührenentscheidung beruht auf der Aufenthaltsverordnung (AufenthV). Bitte",
        "überweisen Sie die Gebühr innerhalb von zwei Wochen unter Angabe des",
        "Geschäftszeichens auf das Konto der Stadtkasse Elbhausen.",
    ]
    for line in body2:
        t(p1, line)
    p1.items.append(PdfText("Seite 1 von 2", 470, 800, 8))

    p2 = PdfPage()
    y = _pdf_letterhead(p2)
    t(p2, "Geschäftszeichen: ABH-2020-01234 – Seite 2", size=9.5)
    y += 10
    t(p2, "Rechtsbehelfsbelehrung", bold=True)
    for line in [
        "Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Klage bei dem",
        "Verwaltungsgericht Elbhausen, Gerichtsstraße 1, 21900 Elbhausen, erhoben werden.",
        "Die Klage ist schriftlich oder zur Niederschrift des Urkundsbeamten der Geschäftsstelle",
        "zu erheben.",
        "",
    ]:
        t(p2, line)
    t(p2, "Hinweise", bold=True)
    for line in [
        "Bitte legen Sie Ihren elektronischen Aufenthaltstitel (eAT) innerhalb von vier Wochen",
        "zur Änderung der Nebenbestimmung im Zusatzblatt vor. Eine Änderung Ihrer Anschrift",
        "(Straße, Hausnummer, Wohnort) ist der Ausländerbehörde mitzuteilen.",
        "",
        "Mit freundlichen Grüßen",
        "Im Auftrag",
        "",
        "Schneider",
        "",
        "Dieses Schreiben wurde elektronisch erstellt und ist ohne Unterschrift gültig.",
    ]:
        t(p2, line)
    p2.items.append(PdfText("Seite 2 von 2", 470, 800, 8))
    name = "Bescheid_ABH-2020-01234.pdf"
    write_pdf(out / name, [p1, p2], info={
        "Title": "Bescheid ABH-2020-01234", "Author": "Stadt Elbhausen – Ausländerbehörde",
        "Creator": "Fachverfahren Ausländerwesen", "Producer": "dms-ingest samples",
        "CreationDate": "D:20250310101500+01'00'"})
    return Doc(name, "pdf", "bescheid", "ABH-2020-01234",
               ["Bescheid", "ABH-2020-01234", "Änderung", "Aufenthaltserlaubnis", "Straße"],
               "Bescheid, born-digital (Helvetica, WinAnsiEncoding), 2 Seiten, keine Bilder",
               [_page(p1.lines, born_digital=True, colour="rgb"),
                _page(p2.lines, born_digital=True, colour="rgb")])


# 7 -- Mixed PDF: born-digital cover letter + scanned Meldebescheinigung

def doc_mixed(out: Path, seed: int) -> Doc:
    L = 70.87
    pg = PdfPage()
    y = 70.0
    items = []

    def t(text: str, x: float = L, size: float = 11, bold: bool = False) -> None:
        nonlocal y
        if text:
            items.append(PdfText(text, x, y, size, bold))
        y += size * 1.4

    for line in ["Emre Kaya", "Gartenstraße 14", "21904 Elbhausen", "E-Mail: emre.kaya@example.net"]:
        t(line)
    y += 30
    for line in ["Stadt Elbhausen", "Ausländerbehörde", "Rathausplatz 4", "21900 Elbhausen"]:
        t(line)
    y += 20
    t("Elbhausen, 12.03.2025", x=390)
    y += 20
    t("Nachreichung von Unterlagen – Aktenzeichen ABH-2020-03141", bold=True)
    y += 10
    for line in [
        "Sehr geehrte Damen und Herren,",
        "",
        "wie in Ihrem Schreiben vom 26.02.2025 erbeten, reiche ich die Meldebescheinigung für",
        "meine neue Wohnung in der Gartenstraße 14 nach. Den Mietvertrag hatte ich bereits am",
        "11.02.2025 übersandt.",
        "",
        "Ich bitte darum, die neue Anschrift in meiner Akte zu vermerken und mir mitzuteilen,",
        "ob für die Verlängerung meiner Aufenthaltserlaubnis weitere Unterlagen benötigt werden.",
        "",
        "Mit freundlichen Grüßen",
        "",
        "Emre Kaya",
        "",
        "Anlage: Meldebescheinigung vom 05.03.2025",
    ]:
        t(line)
    pg.items = items

    s = Sheet()
    city_letterhead(s, office="Bürgeramt – Meldebehörde", colour=0)
    s.text("Meldebescheinigung", size=75, bold=True)
    s.text("(einfache Meldebescheinigung nach § 18 Abs. 1 Bundesmeldegesetz)", size=40)
    s.gap(50)
    s.para("Für die nachstehend genannte Person sind im Melderegister folgende Daten "
           "gespeichert:", after=30)
    s.table([["Familienname", "Kaya"], ["Vornamen", "Emre"], ["Geburtsdatum", "05.05.1990"],
             ["Geburtsort", "Izmir (Türkei)"], ["Staatsangehörigkeit", "türkisch"],
             ["Anschrift", "Gartenstraße 14, 21904 Elbhausen"],
             ["Art der Wohnung", "alleinige Wohnung"], ["Einzugsdatum", "01.03.2025"]],
            [s.left, s.left + 700, s.right], header=False, size=44, row_h=92)
    s.gap(40)
    s.para("Diese Bescheinigung wurde maschinell erstellt und ist ohne Unterschrift gültig. "
           "Sie gilt nur in Verbindung mit einem gültigen Ausweisdokument.", size=40, after=40)
    s.text("Elbhausen, 05.03.2025", size=44)
    s.text("Stadt Elbhausen – Der Oberbürgermeister – Bürgeramt", size=44)
    stamp(s, ["Bürgeramt", "Elbhausen"], centre=(s.right - 330, s.y + 220), colour=70, angle=12,
          rng=np.random.default_rng(seed), size=38, kind="round", ring_text="STADT ELBHAUSEN")
    img = scan_damage(s.img, skew_deg=-1.1, noise=1.2, background=0.05, speckles=100, seed=seed + 1)
    name = "Nachreichung_Kaya.pdf"
    write_pdf(out / name, [pg, img], info={"Title": "Nachreichung", "Producer": "dms-ingest samples"})
    return Doc(name, "pdf", "meldebescheinigung", "ABH-2020-03141",
               ["Nachreichung", "Meldebescheinigung", "Kaya", "Gartenstraße", "Bundesmeldegesetz"],
               "Gemischtes PDF: Seite 1 Anschreiben mit Textebene, Seite 2 gescannte Meldebescheinigung",
               [_page(pg.lines, born_digital=True, colour="rgb", page_doc_type="sonstiges"),
                _page(s.lines, skew=-1.1, size_px=img.size, page_doc_type="meldebescheinigung")])


# 8 -- Employment contract (greyscale JPEG, skew 0.8)

def doc_arbeitsvertrag(out: Path, seed: int) -> Doc:
    rng = np.random.default_rng(seed)
    s = Sheet()
    s.text("KRANICH DIGITAL GMBH", size=58, bold=True, align="right")
    s.text("Speicherstadt 7 · 21900 Elbhausen", size=36, align="right")
    s.gap(60)
    s.text("Arbeitsvertrag", size=80, bold=True, align="center")
    s.gap(20)
    s.para("zwischen der Kranich Digital GmbH, Speicherstadt 7, 21900 Elbhausen, vertreten durch "
           "den Geschäftsführer Tobias Kranich (Arbeitgeber), und Frau Priya Sharma, geboren am "
           "11.10.1996 in Pune (Indien), wohnhaft Am Stadtpark 22, 21906 Elbhausen "
           "(Arbeitnehmerin).", after=30)
    secs = [
        ("§ 1 Beginn und Probezeit",
         "Das Arbeitsverhältnis beginnt am 01.04.2025 und wird auf unbestimmte Zeit geschlossen. "
         "Die ersten sechs Monate gelten als Probezeit."),
        ("§ 2 Tätigkeit",
         "Die Arbeitnehmerin wird als Softwareentwicklerin (Backend) eingestellt. Arbeitsort ist "
         "Elbhausen; mobiles Arbeiten ist an bis zu zwei Tagen pro Woche möglich."),
        ("§ 3 Arbeitszeit",
         "Die regelmäßige wöchentliche Arbeitszeit beträgt 40 Stunden."),
        ("§ 4 Vergütung",
         "Die Arbeitnehmerin erhält ein Bruttomonatsgehalt von 4.850,00 €, zahlbar jeweils zum "
         "Monatsende. Das Jahresbruttogehalt beträgt somit 58.200,00 €."),
        ("§ 5 Urlaub",
         "Der Urlaubsanspruch beträgt 30 Arbeitstage im Kalenderjahr."),
        ("§ 6 Kündigung",
         "Nach Ablauf der Probezeit gelten die gesetzlichen Kündigungsfristen (§ 622 BGB)."),
        ("§ 7 Aufenthaltsrechtliche Bedingung",
         "Die Aufnahme der Tätigkeit setzt einen Aufenthaltstitel voraus, der die Beschäftigung "
         "erlaubt. Die Arbeitnehmerin verpflichtet sich, den Aufenthaltstitel vor "
         "Arbeitsbeginn vorzulegen."),
    ]
    for title, text in secs:
        s.text(title, bold=True)
        s.para(text, after=24)
    s.gap(120)
    y = s.y
    s.signature(s.left + 60, y - 150, 520, 100, rng, fill=0)
    s.signature(s.left + 1200, y - 150, 500, 100, rng, fill=0)
    s.hline(y, s.left, s.left + 850, width=2)
    s.hline(y, s.left + 1150, s.right, width=2)
    s.y = y + 15
    s.row([(s.left, "Elbhausen, 03.03.2025 – Arbeitgeber", "left"),
           (s.left + 1150, "Elbhausen, 03.03.2025 – Arbeitnehmerin", "left")], size=38)
    img = scan_damage(s.img, skew_deg=0.8, noise=2.0, background=0.07, speckles=220,
                      edge_shadow=0.2, seed=seed + 1)
    name = "scan_20250320_093011.jpg"
    save_jpeg(img, out / name)
    return Doc(name, "jpeg", "arbeitsvertrag", "ABH-2023-00421",
               ["Arbeitsvertrag", "Sharma", "Softwareentwicklerin", "Bruttomonatsgehalt"],
               "Arbeitsvertrag, Graustufen-JPEG, Schräglage 0,8°",
               [_page(s.lines, skew=0.8, size_px=img.size)])


# 9 -- Health insurance certificate (colour JPEG with colour logo)

def doc_krankenkasse(out: Path, seed: int) -> Doc:
    s = Sheet(colour=True)
    green, blue = (0, 140, 90), (0, 80, 160)
    x, y = s.left, s.y
    s.d.ellipse((x, y, x + 190, y + 190), fill=green)
    s.d.arc((x + 25, y + 40, x + 165, y + 150), 200, 340, fill=(255, 255, 255), width=16)
    s.d.arc((x + 25, y + 80, x + 165, y + 190), 200, 340, fill=(255, 255, 255), width=16)
    s.text("Elbtal Krankenkasse", x=x + 230, y=y + 20, size=75, bold=True, fill=blue, advance=False)
    s.text("Die Gesundheitskasse an der Elbe", x=x + 230, y=y + 115, size=42, fill=green,
           advance=False)
    s.y = y + 230
    s.rect((0, s.y, A4_PX[0], s.y + 22), outline=None, fill=green)
    s.gap(80)
    s.text("Elbtal Krankenkasse · Postfach 1180 · 21890 Elbhausen", size=30)
    s.gap(10)
    top = s.y
    for line in ["Frau", "Priya Sharma", "Am Stadtpark 22", "21906 Elbhausen"]:
        s.text(line)
    end = s.y
    s.y = top
    for line in ["Ihre Versichertennummer:", "S482915736", "Datum: 07.04.2025"]:
        s.text(line, x=s.left + 1400, size=40)
    s.y = max(end, s.y) + 80
    s.text("Versicherungsbescheinigung", size=71, bold=True, fill=blue)
    s.text("zur Vorlage bei der Ausländerbehörde", size=46)
    s.gap(40)
    s.para("Hiermit bestätigen wir, dass Frau Priya Sharma, geboren am 11.10.1996, seit dem "
           "01.04.2025 bei der Elbtal Krankenkasse als versicherungspflichtiges Mitglied "
           "gesetzlich krankenversichert ist.", after=30)
    s.table([["Versicherungsverhältnis", "Angaben"],
             ["Art der Versicherung", "Pflichtversicherung (Beschäftigte)"],
             ["Beginn der Mitgliedschaft", "01.04.2025"],
             ["Arbeitgeber", "Kranich Digital GmbH"],
             ["Pflegeversicherung", "ja, bei der Elbtal Pflegekasse"],
             ["Familienversicherte Angehörige", "keine"]],
            [s.left, s.left + 900, s.right], size=42, header_fill=(210, 232, 220), line=(60, 90, 80))
    s.para("Der Versicherungsschutz umfasst alle Leistungen nach dem Fünften Buch "
           "Sozialgesetzbuch (SGB V) und entspricht damit den Anforderungen an einen "
           "ausreichenden Krankenversicherungsschutz im Sinne des Aufenthaltsgesetzes.", after=30)
    s.para("Diese Bescheinigung wurde maschinell erstellt und ist ohne Unterschrift gültig.",
           size=40, after=60)
    s.text("Mit freundlichen Grüßen")
    s.text("Ihre Elbtal Krankenkasse", bold=True, fill=blue)
    s.rect((0, A4_PX[1] - 170, A4_PX[0], A4_PX[1] - 150), outline=None, fill=green)
    s.text("Elbtal Krankenkasse · Körperschaft des öffentlichen Rechts · Servicetelefon 0800 111 2233",
           y=A4_PX[1] - 130, size=30, align="center", fill=(80, 80, 80))
    img = scan_damage(s.img, skew_deg=-0.4, noise=1.0, background=0.04, speckles=60,
                      paper=(248, 247, 242), ink=25, seed=seed + 1)
    name = "Versicherungsbescheinigung.jpg"
    save_jpeg(img, out / name)
    return Doc(name, "jpeg", "krankenversicherung", "ABH-2023-00421",
               ["Versicherungsbescheinigung", "Elbtal Krankenkasse", "Sharma", "Pflichtversicherung"],
               "Versicherungsbescheinigung der Krankenkasse, Farb-JPEG mit farbigem Logo",
               [_page(s.lines, skew=-0.4, colour="rgb", size_px=img.size)])


# 10 -- Language certificate (colour image PDF)

def doc_zertifikat(out: Path, seed: int) -> Doc:
    rng = np.random.default_rng(seed)
    s = Sheet(colour=True, left=300, right=300, top=330)
    navy, gold = (20, 50, 120), (196, 150, 40)
    s.rect((110, 110, A4_PX[0] - 110, A4_PX[1] - 110), outline=navy, width=18)
    s.rect((150, 150, A4_PX[0] - 150, A4_PX[1] - 150), outline=gold, width=6)
    s.text("Sprachinstitut Elbhausen e. V. – Prüfungszentrum", size=46, align="center", fill=navy)
    s.gap(80)
    s.text("Zertifikat Deutsch B1", size=110, bold=True, align="center", fill=navy, family="serif")
    s.text("Gemeinsamer Europäischer Referenzrahmen für Sprachen (GER)", size=46, align="center")
    s.gap(90)
    s.text("Farid Ahmadi", size=80, bold=True, align="center", family="serif")
    s.text("geboren am 01.01.1998 in Herat, Afghanistan", size=50, align="center")
    s.gap(50)
    s.para("hat die Prüfung Zertifikat Deutsch B1 am 18.11.2024 in Elbhausen mit folgenden "
           "Ergebnissen bestanden:", size=50, after=40)
    s.table([["Prüfungsteil", "Punkte", "Maximal"],
             ["Lesen", "78", "100"], ["Hören", "71", "100"],
             ["Schreiben", "81", "100"], ["Sprechen", "84", "100"],
             ["Gesamtergebnis", "314", "400"]],
            [s.left + 100, s.left + 1000, s.left + 1440, s.right - 100],
            aligns=["left", "right", "right"], size=48, header_fill=(220, 228, 245), line=navy,
            bold_last=True)
    s.text("Prädikat: gut", size=56, bold=True, align="center")
    s.gap(60)
    s.text("Zertifikatsnummer: SIE-B1-2024-118734", size=42, align="center")
    s.gap(150)
    y = s.y
    s.signature(s.left + 80, y - 130, 500, 100, rng, fill=(20, 40, 120))
    s.hline(y, s.left, s.left + 750, width=2)
    s.y = y + 15
    s.text("Dr. Helene Vogt, Prüfungsleitung", size=40)
    s.text("Elbhausen, 06.12.2024", size=40)
    # seal
    cx, cy, r = A4_PX[0] - 640, y + 40, 200
    s.d.regular_polygon((cx, cy, r), 24, fill=gold)
    s.d.ellipse((cx - r + 40, cy - r + 40, cx + r - 40, cy + r - 40), outline=(255, 240, 200), width=8)
    s.text("B1", x=cx, y=cy - 60, size=100, bold=True, align="center", fill=(255, 250, 235),
           advance=False)
    s.lines.append("B1")
    img = scan_damage(s.img, skew_deg=0.9, noise=1.0, background=0.04, speckles=60,
                      paper=(250, 248, 240), ink=25, seed=seed + 1)
    name = "B1_Zertifikat_Ahmadi.pdf"
    write_pdf(out / name, [img], info={"Producer": "MobileScan 2.3"})
    return Doc(name, "pdf", "sprachzertifikat", "ABH-2022-06060",
               ["Zertifikat Deutsch B1", "Ahmadi", "Gesamtergebnis", "Referenzrahmen"],
               "Sprachzertifikat B1, farbiger Scan als Bild-PDF",
               [_page(s.lines, skew=0.9, colour="rgb", size_px=img.size)])


# 11 -- Birth certificate translation (greyscale single-page TIFF)

def doc_geburtsurkunde(out: Path, seed: int) -> Doc:
    rng = np.random.default_rng(seed)
    s = Sheet()
    s.text("Beglaubigte Übersetzung aus der arabischen Sprache", size=46, bold=True, align="center")
    s.gap(40)
    s.text("[Wappen]", size=40, align="center")
    s.text("Syrische Arabische Republik", size=50, align="center", family="serif")
    s.text("Innenministerium – Allgemeines Personenstandsamt", size=46, align="center", family="serif")
    s.gap(40)
    s.text("Geburtsurkunde", size=90, bold=True, align="center", family="serif")
    s.text("(Auszug aus dem Personenstandsregister)", size=46, align="center", family="serif")
    s.gap(50)
    s.table([["Name", "Lina"], ["Familienname", "Haddad"], ["Geschlecht", "weiblich"],
             ["Geburtsdatum", "30.01.2016"], ["Geburtsort", "Homs"],
             ["Name des Vaters", "Rami Haddad"], ["Name der Mutter", "Salma Khoury"],
             ["Registernummer", "Homs / 1284 / 2016"], ["Tag der Eintragung", "08.02.2016"]],
            [s.left, s.left + 820, s.right], header=False, size=46, row_h=96)
    s.para("[Rundstempel des Personenstandsamtes Homs]  [Unterschrift des Standesbeamten]",
           size=40, family="serif-italic", after=60)
    s.hline(width=2)
    s.gap(30)
    s.para("Die Richtigkeit und Vollständigkeit der vorstehenden Übersetzung der mir im "
           "Original vorgelegten Urkunde in arabischer Sprache wird hiermit bescheinigt.",
           family="serif", after=30)
    s.text("Elbhausen, 05.12.2024", family="serif")
    s.gap(40)
    y = s.y
    s.signature(s.left + 40, y, 520, 100, rng, fill=0)
    stamp(s, ["Übersetzerin", "für Arabisch"], centre=(s.left + 1350, y + 150), colour=60,
          angle=-8, rng=rng, size=34, kind="round", ring_text="NADIA FAROUK · ELBHAUSEN")
    s.y = y + 180
    s.text("Nadia Farouk", family="serif")
    s.text("Öffentlich bestellte und allgemein beeidigte Übersetzerin", size=40, family="serif")
    img = scan_damage(s.img, skew_deg=-0.6, noise=2.0, background=0.06, speckles=100,
                      white_clip=220, levels=16, seed=seed + 1)
    name = "geburtsurkunde_uebersetzung.tif"
    img.save(out / name, compression="tiff_adobe_deflate", dpi=(DPI, DPI))
    return Doc(name, "tiff", "urkunde", "ABH-2021-00816",
               ["Geburtsurkunde", "Haddad", "Übersetzung", "Personenstandsregister"],
               "Übersetzung einer Geburtsurkunde, Graustufen-TIFF (Deflate), 1 Seite",
               [_page(s.lines, skew=-0.6, size_px=img.size)])


# 12 -- Wohnungsgeberbestätigung: a JPEG saved with a .png name

def doc_wohnungsgeber(out: Path, seed: int) -> Doc:
    rng = np.random.default_rng(seed)
    s = Sheet()
    s.text("Wohnungsgeberbestätigung", size=75, bold=True)
    s.text("nach § 19 des Bundesmeldegesetzes (BMG)", size=46)
    s.gap(40)
    s.band("Angaben zum Wohnungsgeber")
    s.row([(s.left, "Name:", "left"), (s.left + 620, "Gerda Lehmann", "left")])
    s.row([(s.left, "Anschrift:", "left"), (s.left + 620, "Ahornweg 5, 21906 Elbhausen", "left")])
    s.text("Der Wohnungsgeber ist zugleich Eigentümer der Wohnung.", size=42)
    s.gap(20)
    s.band("Angaben zur Wohnung")
    s.row([(s.left, "Anschrift:", "left"), (s.left + 620, "Ahornweg 5, 21906 Elbhausen, Dachgeschoss", "left")])
    for checked, label in [(True, "Einzug"), (False, "Auszug")]:
        s.checkbox(s.left + 10, s.y + 4, checked)
        s.text(label, x=s.left + 80)
    s.row([(s.left, "Datum des Einzugs:", "left"), (s.left + 620, "15.10.2024", "left")])
    s.gap(20)
    s.band("Meldepflichtige Person")
    s.table([["Familienname", "Vorname", "Geburtsdatum"],
             ["Ahmadi", "Farid", "01.01.1998"]],
            [s.left, s.left + 700, s.left + 1300, s.right], size=44)
    s.para("Ich bestätige mit meiner Unterschrift den Ein- bzw. Auszug der oben genannten "
           "Person in die bzw. aus der Wohnung. Es ist verboten, eine Wohnanschrift für eine "
           "Anmeldung anzubieten oder zur Verfügung zu stellen, obwohl ein tatsächlicher Bezug "
           "der Wohnung nicht stattfindet oder nicht beabsichtigt ist (§ 19 Abs. 6 BMG).",
           size=42, after=160)
    y = s.y
    s.text("Elbhausen, 16.10.2024", y=y - 70, advance=False)
    s.signature(s.left + 1150, y - 130, 520, 100, rng, fill=0)
    s.hline(y, s.left, s.left + 800, width=2)
    s.hline(y, s.left + 1100, s.right, width=2)
    s.lines.append("Elbhausen, 16.10.2024")
    s.y = y + 15
    s.row([(s.left, "Ort, Datum", "left"), (s.left + 1100, "Unterschrift des Wohnungsgebers", "left")],
          size=38)
    img = scan_damage(s.img, skew_deg=-1.8, noise=1.2, background=0.08, speckles=150, seed=seed + 1)
    name = "Wohnungsgeberbestaetigung.png"  # deliberately wrong: the bytes are JPEG
    save_jpeg(img, out / name)
    return Doc(name, "jpeg", "sonstiges", "ABH-2022-06060",
               ["Wohnungsgeber", "Bundesmeldegesetzes", "Ahmadi", "Ahornweg"],
               "Wohnungsgeberbestätigung; JPEG-Daten mit Dateiendung .png",
               [_page(s.lines, skew=-1.8, size_px=img.size)],
               extra={"extension_mismatch": True})


# 13 -- Schulbescheinigung: a greyscale PNG with a meaningless .dat name

def doc_schule(out: Path, seed: int) -> Doc:
    rng = np.random.default_rng(seed)
    s = Sheet()
    s.text("Grundschule am Lindenpark", size=67, bold=True, align="center")
    s.text("Städtische Grundschule · Lindenpark 1 · 21903 Elbhausen", size=40, align="center")
    s.hline(width=3)
    s.gap(140)
    s.text("Schulbescheinigung", size=80, bold=True, align="center")
    s.gap(80)
    s.para("Hiermit wird bescheinigt, dass die Schülerin", after=20)
    s.text("Lina Haddad, geboren am 30.01.2016,", size=54, bold=True, align="center")
    s.gap(20)
    s.para("wohnhaft Bergstraße 17, 21903 Elbhausen, im Schuljahr 2024/2025 die Klasse 3b "
           "unserer Schule besucht. Sie ist seit dem 01.08.2022 Schülerin der Grundschule am "
           "Lindenpark.", after=30)
    s.para("Die Bescheinigung wird zur Vorlage bei der Ausländerbehörde ausgestellt.", after=200)
    y = s.y
    s.text("Elbhausen, 20.01.2025", y=y - 70, advance=False)
    s.lines.append("Elbhausen, 20.01.2025")
    s.signature(s.left + 1150, y - 130, 480, 100, rng, fill=0)
    stamp(s, ["Lindenpark"], centre=(s.left + 1500, y + 260), colour=80, angle=5, rng=rng,
          size=34, kind="round", ring_text="GRUNDSCHULE ELBHAUSEN")
    s.hline(y, s.left, s.left + 800, width=2)
    s.hline(y, s.left + 1100, s.right, width=2)
    s.y = y + 15
    s.row([(s.left, "Ort, Datum", "left"), (s.left + 1100, "Schulleitung", "left")], size=38)
    img = scan_damage(s.img, skew_deg=1.2, noise=2.0, background=0.05, speckles=80,
                      white_clip=226, levels=16, seed=seed + 1)
    name = "scan_0042.dat"  # PNG data, meaningless extension
    img.save(out / name, "PNG", dpi=(DPI, DPI), optimize=True)
    return Doc(name, "png", "sonstiges", "ABH-2021-00816",
               ["Schulbescheinigung", "Haddad", "Lindenpark", "Ausländerbehörde"],
               "Schulbescheinigung, Graustufen-PNG mit Endung .dat",
               [_page(s.lines, skew=1.2, size_px=img.size)],
               extra={"extension_mismatch": True})


DOCUMENTS = [doc_antrag, doc_pass, doc_payslip, doc_mietvertrag, doc_anwalt, doc_bescheid,
             doc_mixed, doc_arbeitsvertrag, doc_krankenkasse, doc_zertifikat,
             doc_geburtsurkunde, doc_wohnungsgeber, doc_schule]

# --------------------------------------------------------------------------
# Case registry
# --------------------------------------------------------------------------

CASES = [
    # case_number, surname, given_names, date_of_birth, nationality
    ("ABH-2019-04711", "Okonkwo", "Chinedu Emmanuel", "1987-04-03", "nigerianisch"),
    ("ABH-2023-01102", "Okonkwo", "Chinedu", "04.03.1987", "nigerianisch"),  # trap: day/month swapped
    ("ABH-2022-03390", "Okonkwo", "Ngozi Adaeze", "12.11.1990", "nigerianisch"),  # trap: same surname
    ("ABH-2020-01234", "Nguyen", "Thi Lan", "1985-09-21", "vietnamesisch"),
    ("ABH-2021-02277", "Nguyen", "Van Duc", "14.02.1979", "vietnamesisch"),  # trap: same surname
    ("ABH-2021-00815", "Haddad", "Rami", "1992-06-17", "syrisch"),
    ("ABH-2021-00816", "Haddad", "Lina", "30.01.2016", "syrisch"),
    ("ABH-2021-00817", "Haddad", "Salma", "1994-03-02", "syrisch"),
    ("ABH-2018-07342", "Rodríguez Pérez", "Valentina", "08.12.1994", "kolumbianisch"),
    ("ABH-2022-05518", "Petrenko", "Oleksandr", "1983-07-25", "ukrainisch"),
    ("ABH-2022-05520", "Petrenko", "Oleksandr", "02.10.1961", "ukrainisch"),  # trap: same name, other birthday
    ("ABH-2020-03141", "Kaya", "Emre", "05.05.1990", "türkisch"),
    ("ABH-2019-08800", "Kaya", "Elif", "1993-03-19", "türkisch"),  # trap: same surname
    ("ABH-2023-00421", "Sharma", "Priya", "11.10.1996", "indisch"),
    ("ABH-2022-06060", "Ahmadi", "Farid", "1998-01-01", "afghanisch"),
    ("ABH-2024-00077", "Ahmadi", "Farida", "15.08.2001", "afghanisch"),  # trap: similar given name
    ("ABH-2017-09912", "Mensah", "Kwame", "1975-03-03", "ghanaisch"),
]


def write_cases(path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["case_number", "surname", "given_names", "date_of_birth", "nationality"])
        w.writerows(CASES)


def generate(out_dir: Path) -> list[dict]:
    """Write all documents, cases.csv and expected.json into out_dir; returns the expected entries."""
    base = Path(out_dir)
    inbox = base / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    entries = []
    for i, fn in enumerate(DOCUMENTS):
        doc = fn(inbox, MASTER_SEED + 1000 * (i + 1))
        entries.append(doc.entry())
    write_cases(base / "cases.csv")
    with open(base / "expected.json", "w", encoding="utf-8") as fh:
        json.dump(entries, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    return entries


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: write the sample inbox into DIR and list what was written."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m dms_datagen.samples DIR", file=sys.stderr)
        return 2
    base = Path(argv[0])
    entries = generate(base)
    total = 0
    for e in entries:
        size = (base / "inbox" / e["file"]).stat().st_size
        total += size
        print(f"{e['file']:40s} {e['format']:5s} {e['pages']} p  {size / 1024:8.1f} KiB  {e['doc_type']}")
    print(f"total inbox: {total / 1024 / 1024:.2f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
