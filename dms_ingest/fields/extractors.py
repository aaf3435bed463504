"""Field extraction per document type. Each extractor returns its readings; `extract_fields` applies
the confidence bar. Patterns are anchored on the labels German documents use, never on position alone."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from ..classifiers.case_numbers import case_label_end
from ..classifiers.mrz import find_mrz, parse_td3
from .lexicon import (is_office_word, restore_street_umlauts, restore_stroked_given_names, restore_town_umlauts,
                      restore_trade_umlauts, restore_umlauts)
from .model import ExtractedField, PageText, unread
from .nationality_codes import NATIONALITY_CODES
from .reading import DATE_GAP, best, field_from, first_lines, labelled, search, tolerant
from .values import (ADDRESS, AMOUNT, CEFR, DATE, MONTH_NAME, MONTH_YEAR, cefr_from_match, month_from_match, month_key,
                     parse_amount, parse_date)

# The date pattern without its group names, to embed (more than once) in other patterns.
_DATE_VALUE = re.sub(r"\(\?P<\w+>", "(?:", DATE.pattern)
_AMOUNT_VALUE = re.sub(r"\(\?P<\w+>", "(?:", AMOUNT.pattern)


def _iso(text: str) -> str | None:
    value = parse_date(text)
    return value.isoformat() if value else None


def _amount(text: str) -> str | None:
    value = parse_amount(text)
    return f"{value:.2f}" if value is not None and value > 0 else None


# --------------------------------------------------------------------------- passport: the MRZ

def _mrz_readings(text: str, today: dt.date):
    """The MRZs of a page; an invalid one is read again without the stray marks OCR put at the
    ends of its lines (a speck read as "(" before the first character) - kept only if every check
    digit then passes. A letter OCR read in lower case after the speck ("‚c36803670...", seed 46) may
    be the line's first character or a speck too: both are tried, and only one may verify."""
    found = find_mrz(text, today=today)
    if found and all(m.valid for m in found):
        return found
    lines = [line.strip() for line in text.splitlines() if re.search(r"[A-Za-z0-9<]", line)]
    for first, second in zip(lines, lines[1:]):
        if not first.lstrip(" ‚,.'`").startswith("P"):
            continue
        verified = {}
        for head in (r"^[^A-Z0-9<]+", r"^[^A-Za-z0-9<]+"):
            trimmed = [re.sub(rf"{head}|[^A-Z0-9<]+$", "", line) for line in (first, second)]
            result = parse_td3(*trimmed, today=today)
            if result is not None and result.valid:
                verified[result.lines] = result
        if len(verified) == 1:
            return list(verified.values())
    return found


def passport(pages: list[PageText], today: dt.date) -> list[ExtractedField]:
    """Number, nationality, expiry, names and birth date from a TD3 MRZ; a failed check digit leaves
    its field unread."""
    for page in pages:
        for mrz in _mrz_readings(page.text, today):
            source = " / ".join(mrz.lines)
            failed = set(mrz.failed_checks)
            composite_ok = "composite" not in failed and "ambiguous_reading" not in failed

            def checked(name: str, value, check: str) -> ExtractedField:
                ok = composite_ok and check not in failed and f"{check}_unreadable" not in failed \
                    and f"{check}_format" not in failed and value
                if not ok:
                    return ExtractedField(name, None, 0.0, page.number, source, "unread")
                return ExtractedField(name, str(value), 0.99, page.number, source)

            nationality = mrz.nationality.replace("<", "")
            known = nationality in NATIONALITY_CODES      # a well-formed misreading ("IIN") is no code
            # No check digit covers it: trusted when every check passed, or when line 1's issuing
            # state (read independently) names the same code.
            nationality_ok = known and (mrz.valid or nationality == mrz.issuing_state)
            # The names in line 1 are not covered by check digits either way.
            names_ok = bool(mrz.surname) and bool(re.fullmatch(r"[A-Z ]+", mrz.surname + mrz.given_names))
            return [
                checked("document_number", mrz.document_number, "document_number"),
                checked("expiry_date", mrz.expiry_date and mrz.expiry_date.isoformat(), "expiry_date"),
                checked("date_of_birth", mrz.date_of_birth and mrz.date_of_birth.isoformat(), "date_of_birth"),
                # Not covered by a check digit, but read in a line whose every check passed.
                ExtractedField("nationality", nationality if nationality_ok else None, 0.95 if nationality_ok else 0.0,
                               page.number, source, "read" if nationality_ok else "unread"),
                ExtractedField("surname", mrz.surname if names_ok else None, 0.95 if names_ok else 0.0, page.number,
                               source, "read" if names_ok else "unread"),
                ExtractedField("given_names", mrz.given_names if names_ok else None, 0.95 if names_ok else 0.0,
                               page.number, source, "read" if names_ok else "unread"),
            ]
    return []


# --------------------------------------------------------------------------- payslip

_PAY_PERIOD_LABEL = (r"(?:entgelt|gehalts|lohn|bezüge|verdienst|brutto/netto-?)?abrechnung"
                     r"(?:\s+der\s+brutto\s?/?\s?netto-?\s?bez(?:ü|u|ii)ge)?"
                     r"(?:\s+f[üu]r(?:\s+den\s+monat)?)?|bezügemitteilung|abrechnungsmonat|abrechnungszeitraum|"
                     r"lohnzettel|gehaltsnachweis|verdienstnachweis|monat|zeitraum|periode")


def _employer(pages: list[PageText], labels: str) -> list[ExtractedField]:
    found = []
    pattern = re.compile(rf"(?:{tolerant(labels)})[\s:.,–-]{{0,6}}(?P<v>[^\n]{{3,80}})", re.IGNORECASE)
    for hit in search(pages, pattern):
        name = _company(hit.match.group("v"))
        if name:
            # OCR's doubt counts for the name only, not for the debris around it ("‘der", "(Arbeitgeber)").
            found.append(field_from("employer", name, hit, _doubtful_part(name), 0.95))
    if not found and pages:
        # Letterhead: the first line that names a company.
        for line in letterhead(pages[0]):
            name = _company(line)
            if name:
                hit = next(search(pages[:1], re.compile(re.escape(line))), None)
                if hit is not None:
                    found.append(field_from("employer", name, hit, _doubtful_part(name), 0.9))
                break
    return found


def _doubtful_part(name: str) -> str:
    """The words of a company name whose reading OCR's doubt speaks for: a legal form read exactly
    ("gGmbH", unsure at 64 % for its odd shape) is a closed vocabulary, as office words in a subject are."""
    rest = _LEGAL_FORM_END.sub("", name).strip()
    return rest if re.search(r"\w", rest) else name


def letterhead(page: PageText, count: int = 4) -> list[str]:
    """The page's first lines of substance: specks and a case-number stamp above the letterhead skipped."""
    lines = [line for line in first_lines(page, count + 6)
             if len(re.findall(r"\w", line)) >= 3 and case_label_end(line) is None]
    return lines[:count]


_LEGAL_FORM = re.compile(r"\b(?:GmbH(?:\s*&\s*Co\.?\s*KG)?|gGmbH|AG|KG|OHG|e\.\s?V\.|mbH|SE|UG|GbR|KGaA)\b"
                         r"|\b(?:B[äa]ckerei|Gasthaus|Restaurant|Hotel|Klinikum|Friseursalon|Seniorenresidenz|Kita|Autohaus|"
                         r"Pflegedienst|Supermarkt|Elektro|Metallbau|Baufirma|Softwarehaus|Logistik|Lagerhaus)\b")


_LEGAL_FORM_END = re.compile(r"\b(?:GmbH\s*&\s*Co\.?\s*KG|gGmbH|GmbH|AG|KG|OHG|e\.\s?V\.|mbH|SE|UG|GbR|KGaA)(?=\W|$)")


def tidy(text: str) -> str:
    """A value without OCR's trailing debris: stray punctuation marks (an abbreviation's dot stays)."""
    text = re.sub(r"(?:\s+[^\w\s]{1,3})+$", "", text.strip())
    if not re.search(r"\b(?:e\.\s?V|a\.\s?G|Co|Nr|St|mbH)\.$", text):
        text = text.rstrip(" .")
    return text.strip(" ,:;_–|-")


def _company(text: str) -> str | None:
    """A company name from a line: up to and including its legal form; letterhead tails removed."""
    text = re.split(r"\s+[–·|-]\s+|\s{2,}|,\s", text.strip())[0].strip(" :")
    # A speck before the letterhead (". Lagerhaus Süd AG", "+ Softwarehaus Nordlicht GmbH").
    text = re.sub(r"^[^\w(]+", "", text)
    # "zwischen der Kranich Digital GmbH", "Die Logistik Nord GmbH (im Folgenden ...)": the name only.
    text = re.sub(r"^(?:[^\w\s(]*[a-zäöüß]+\s+|(?:Die|Der|Das|Firma)\s+)+", "", text)
    text = re.split(r"\s+\(", text)[0].strip()
    # A speck read as a dot between two words ("Paketdienst.Schnell GmbH", seed 44; "Stadtpark.gGmbH",
    # seed 71); "Co.KG" stays.
    text = re.sub(r"(?<=[a-zäöüß]{4})\.(?=[A-ZÄÖÜ][a-zäöüß]|gGmbH\b)", " ", text)
    # "(Arbeitgeber)" with its opening bracket lost to OCR ("Bäckerei Sonnenschein beitgeber)").
    text = re.sub(r"\s+[^\s()]*\)$", "", text)
    form = list(_LEGAL_FORM_END.finditer(text))
    if form:
        text = text[:form[-1].end()]
    text = restore_trade_umlauts(tidy(text))
    if not _LEGAL_FORM.search(text) or len(text) < 3 or len(text) > 70:
        return None
    return text


# Between a pay label and its amount: spaces, a colon, the euro sign - or a speck read as a quote
# ("Nettoentgelt‘3. 266,37") or as a dash glued to the label ("Gesamtbrutto-4.468,79"; no pay is negative).
_PAY_GAP = r"(?:[\s:.€‘’'‚]{0,40}|(?<=[a-zäöü])[-–][\s:.€]{0,4})"


def _tt(label: str) -> str:
    """A pay label whose "tt" (netto, brutto) OCR may read with an 'f' for a 't'."""
    return label.replace("tto", "(?:tt|ft|tf)o")


def payslip(pages: list[PageText], today: dt.date) -> list[ExtractedField]:
    periods: list[ExtractedField] = []
    label = re.compile(rf"(?:{_PAY_PERIOD_LABEL})[\s:;.]{{0,4}}(?P<v>(?:{MONTH_NAME})\.?\s+(?:19|20)\d{{2}}|"
                       rf"(?:0?[1-9]|1[0-2])\s?[/.-]\s?(?:19|20)\d{{2}}(?![\d./]))", re.IGNORECASE)
    for hit in search(pages, label):
        m = MONTH_YEAR.search(hit.match.group("v"))
        if m:
            year, month = month_from_match(m)
            periods.append(field_from("period", month_key(year, month), hit, hit.match.group("v")))
    span = re.compile(rf"(?:zeitraum|periode|vom)[\s:;.°'‚,]{{0,4}}(?P<a>{_DATE_VALUE})\s*(?:[–-]|bis)\s*(?P<b>{_DATE_VALUE})",
                      re.IGNORECASE)
    for hit in search(pages, span):
        start, end = parse_date(hit.match.group("a")), parse_date(hit.match.group("b"))
        if start and end and (start.year, start.month) == (end.year, end.month) and start <= end:
            # OCR's doubt of the dates counts, not of the label ("Abrechnungszeitraum;" at 21 %, seed 57).
            dates = hit.page.text[hit.match.start("a"):hit.match.end("b")]
            periods.append(field_from("period", month_key(start.year, start.month), hit, dates, 0.95))
    # OCR reads "brutto" as "hrutto", "brütto" or "bratto" (seed 57) at times, a speck on "Gesamt" as an
    # umlaut ("Gesämtbrutto", seed 73), and a 't' of "brutto" or "netto" as 'f' ("Gesamtbrutfo", seed 72;
    # "Netfoentgelt", seed 75).
    gross = labelled(pages, "gross_pay", _tt(r"ges[^\W\d_]{2,5}-?\s?[bh]r(?:ü|a)tto|brutto-?\s?(?:bezüge|entgelt|verdienst|lohn|gehalt)|"
                                            r"summe\s+brutto|bruttobetrag|brutto\s+gesamt|gesamtbezüge"), _AMOUNT_VALUE, _amount,
                     gap=_PAY_GAP)
    # OCR reads the 'ü' of "Nettobezüge" as "ii" at times ("Nettobeziige").
    net = labelled(pages, "net_pay", _tt(r"netto-?\s?(?:entgelt|bez(?:ü|u|ii)ge|verdienst|lohn|gehalt|betrag)|nettobezug|"
                                        r"netto\s+gesamt|gesetzliches\s+netto"), _AMOUNT_VALUE, _amount, gap=_PAY_GAP)
    return [f for f in (best(periods), best(_employer(pages, r"arbeitgeber(?:in)?|firma|betrieb")),
                        best(gross), best(net)) if f]


# --------------------------------------------------------------------------- tenancy

def tenancy(pages: list[PageText], today: dt.date) -> list[ExtractedField]:
    start = labelled(pages, "start_date", r"mietbeginn|beginn\s+des\s+mietverhältnisses|mietverhältnis\s+beginnt\s+am|"
                     r"mietzeit\s+beginnt\s+am|beginnt\s+am|mietbeginn\s+ist\s+der|vermietet\s+ab(?:\s+dem)?",
                     _DATE_VALUE, _iso, gap=DATE_GAP)
    total = labelled(pages, "rent", r"gesamtmiete|warmmiete|monatliche\s+gesamtmiete|miete\s+gesamt|"
                     r"gesamtbetrag(?:\s+monatlich)?", _AMOUNT_VALUE, _amount, gap=r"[\s:.€]{0,30}")
    cold = labelled(pages, "cold_rent", r"(?:netto)?kaltmiete|grundmiete(?:\s*\(nettokaltmiete\))?|nettomiete",
                    _AMOUNT_VALUE, _amount, gap=r"[\s:.€()a-zA-Z]{0,30}")
    address = []
    anchor = re.compile(r"(?:mietsache|mietobjekt|objekt|des\s+hauses|wohnung\s+(?:in|im|gelegen)|lage\s+der\s+wohnung|"
                        r"anschrift\s+der\s+wohnung|adresse\s+der\s+wohnung)(?P<rest>[\s\S]{0,220})", re.IGNORECASE)
    for hit in search(pages, anchor):
        m = ADDRESS.search(hit.match.group("rest"))
        if m:
            address.append(_address_field(hit, m))
            break
    out = [best(start), best(total) or best(cold), best(cold), best(address)]
    return [f for f in out if f]


# --------------------------------------------------------------------------- health insurance

_INSURER = re.compile(r"krankenkasse|krankenversicherung|\bAOK\b|\bBKK\b|\bIKK\b|techniker|barmer|\bDAK\b|\bhkk\b|"
                      r"knappschaft|gesundheitskasse|versicherungs-?\s?(?:ag|verein)|\ba\.\s?G\.", re.IGNORECASE)
_OPEN_END = r"ohne\s+zeitliche\s+begrenzung|unbefristet|auf\s+unbestimmte\s+zeit|bis\s+auf\s+weiteres"
# "geb." or "geboren" after a name - not a surname that begins so ("Gebremedhin").
_BORN = r"\s+geb(?:\.|oren\b)"
# "bis" as OCR reads it at times ("vom 04.06.2017 his 09.10.2025", "b1s"): only right after a date.
_UNTIL = r"[bh][il1|]s"
# "dem" before the start date, its letters as OCR may garble them ("seit dei 26.05.2020", seed 235): an
# article carries no value, a word of more letters is no article.
_DEM = r"(?:\s+d[^\W\d_]{1,2}(?!\w))?"
_INSURED_FROM = (rf"versicherungsschutz\s+(?:besteht\s+)?(?:ab|seit){_DEM}|versichert\s+(?:ab|seit){_DEM}|"
                 rf"gültig\s+(?:ab|vom|von){_DEM}|versicherungsbeginn|beginn\s+der\s+(?:mitgliedschaft|versicherung)|"
                 rf"\bseit{_DEM}|vom")
_INSURED_TO = (r"gültig\s+bis(?:\s+zum)?|versicherungsende|ende\s+der\s+(?:versicherung|mitgliedschaft)|"
               r"(?:endet|endete|beendet)\s+(?:am|zum|mit\s+dem)|"
               rf"versichert\s+bis(?:\s+zum)?|läuft\s+bis|(?<=\d{{4}})[.,:;]?\s*{_UNTIL}(?:\s+zum)?|bis\s+einschließlich")


def health_insurance(pages: list[PageText], today: dt.date) -> list[ExtractedField]:
    insurer = []
    for page in pages[:1]:
        for line in letterhead(page):
            if _INSURER.search(line) and len(line) <= 80 and not re.search(r"nachweis|bescheinigung|bestätigung",
                                                                            line, re.IGNORECASE):
                # A speck before the name (".KKH Kaufmännische Krankenkasse") is no part of it.
                name = re.sub(r"^[^\w(]+", "", re.split(r"\s+[–·|]\s+|\s{2,}", line)[0])
                # Specks after it read as one letter or digit or as marks ("Krankenkasse . ü", seed 59).
                name = tidy(re.sub(r"(?:\s+(?:\w|[^\w\s]{1,3}))+$", "", name))
                hit = next(search([page], re.compile(re.escape(line))), None)
                if hit is not None:
                    insurer.append(field_from("insurer", name, hit, name, 0.95))
                break
    insured = labelled(pages, "insured_person", r"versicherte(?:/r|r)?(?:\s+person)?|versicherungsnehmer(?:in)?|"
                       r"mitglied|name\s+der\s+versicherten\s+person",
                       rf"[A-ZÄÖÜ][^\n,:]{{2,60}}?(?=,|{_BORN}|\n|$)", lambda v: _person_name(v), gap=r"\s*:\s*")
    insured += labelled(pages, "insured_person", r"bestätigen\s+wir,?\s+dass\s+(?:herr|frau)?",
                        rf"[A-ZÄÖÜ][^\n,]{{2,60}}?(?=,|{_BORN})", lambda v: _person_name(v), gap=r"\s*")
    valid_from = labelled(pages, "valid_from", _INSURED_FROM, _DATE_VALUE, _iso, gap=DATE_GAP)
    valid_to = labelled(pages, "valid_to", _INSURED_TO, _DATE_VALUE, _iso, gap=DATE_GAP)
    valid_from, valid_to = _ordered_period(valid_from, valid_to)
    open_end = list(search(pages, re.compile(_OPEN_END, re.IGNORECASE)))
    if not valid_to and open_end:
        hit = open_end[0]
        valid_to = [field_from("valid_to", "open", hit, hit.match.group(0))]
    if (not valid_to or valid_to[0].value == "open") and valid_from \
            and any(re.search(r"seit", f.text, re.IGNORECASE) for f in valid_from) \
            and next(search(pages, re.compile(_INSURED_TO, re.IGNORECASE)), None) is None:
        # "ist seit dem ... versichert": a running membership, whether or not an open end is named
        # (an "ohne zeitliche Begrenzung" OCR doubted, a speck on its last word, says no less); not
        # where an end is named whose date OCR garbled ("bis 3l.12.2O25"): that end is unread.
        top = best(valid_from)
        running = ExtractedField("valid_to", "open", round(top.confidence * 0.95, 3), top.page, top.text)
        if not valid_to or valid_to[0].confidence < running.confidence:
            valid_to = [running]
    issued = _issue_date(pages)
    return [f for f in (best(insurer), best(insured), best(valid_from), best(valid_to), issued) if f]


def _ordered_period(valid_from: list[ExtractedField], valid_to: list[ExtractedField]):
    """A period whose end comes before its start is misread somewhere: neither date is to be trusted."""
    start, end = best(valid_from), best(valid_to)
    if start is None or end is None or start.value is None or end.value is None or start.value <= end.value:
        return valid_from, valid_to
    return ([replace(f, confidence=round(f.confidence * 0.5, 3)) for f in valid_from],
            [replace(f, confidence=round(f.confidence * 0.5, 3)) for f in valid_to])


def _address_field(hit, m: re.Match[str]) -> ExtractedField:
    """The address an ADDRESS match (in the hit's group "rest") names. OCR's doubt counts for each of its
    words where they stand, the city's too (a city read "Hasaiors" at 0 % is no address to write to)."""
    at = hit.match.start("rest")
    sure = min(hit.page.confidence_of(m.group(part), at + m.start(part)) for part in ("street", "plz", "city"))
    return ExtractedField("address", _address(m), round(0.95 * sure, 3), hit.page.number, hit.source)


def _address(m: re.Match[str]) -> str:
    # OCR reads 'ß' as 'B' ("BlumenstraBe"): the street word is restored, nothing else; a speck
    # between street and number read as a quote ("Ringstraße’70") is a space.
    street = re.sub(r"\s*[’'‚]\s*(?=\d)", " ", m.group("street"))
    street = restore_street_umlauts(re.sub(r"straBe\b", "straße", re.sub(r"\s+", " ", street).strip()))
    # The full stop of the sentence the address ends ("... 65183 Wiesbaden.") is no part of the town.
    city = restore_town_umlauts(re.sub(r"(?<=\w{3})\.$", "", m.group("city")))
    return f"{street}, {m.group('plz').replace(' ', '')} {city}"


def _person_name(text: str) -> str | None:
    text = re.sub(r"\s+", " ", text).strip(" .:")
    # Names start with a capital: a leading 'l' before lower case is OCR's 'I' ("lonescu" = "Ionescu").
    text = re.sub(r"\bl(?=[a-zäöüß]{2})(?!(?:os|as|es|ui)\b)", "I", text)  # "lon" = "Ion"; not "la", "los", "las"
    words = text.split()
    if not 2 <= len(words) <= 6 or any(ch.isdigit() for ch in text):
        return None
    return restore_stroked_given_names(text)


# --------------------------------------------------------------------------- language certificate

def language_certificate(pages: list[PageText], today: dt.date) -> list[ExtractedField]:
    strong = re.compile(r"(?:niveau(?:stufe)?|stufe|level|deutsch|zertifikat|gesamtergebnis|ger|erreicht|bestanden|"
                        r"sprachniveau)[\s:\-–]{0,4}(?:deutsch\s+|german\s+)?(?P<v>[ABC]\s?[12lI|])(?![A-Za-z0-9])"
                        r"|(?P<w>[ABC]\s?[12lI|])\s+(?:erreicht|bestanden)", re.IGNORECASE)
    levels = []
    for hit in search(pages, strong):
        raw = hit.match.group("v") or hit.match.group("w")
        m = CEFR.fullmatch(raw.strip().upper().replace("L", "1").replace("|", "1").replace("I", "1"))
        if m:
            levels.append(field_from("level", cefr_from_match(m), hit, raw))
    level = best(levels, conflict_factor=0.3)
    # "am" with a speck above the 'a' comes out as "äm" (the label tolerates lost umlauts, this an added
    # one), its 'm' as "rn" or "fn" ("Prüfung afn 09.06.2025", seed 58).
    on = r"(?:am|äm|arn|afn)"
    exam = labelled(pages, "date", rf"prüfungsdatum|datum\s+der\s+prüfung|prüfungstermin|prüfung\s+{on}|"
                    rf"(?:bestanden|abgelegt)\s+{on}|(?:[ABC]\s?[12lI|])\s+{on}|datum", _DATE_VALUE, _iso,
                    gap=r"[\s:.·]{0,6}")
    date = best(exam, conflict_factor=0.9) if exam else _issue_date(pages, "date")
    return [f for f in (level, date) if f]


# --------------------------------------------------------------------------- registration certificate

def registration(pages: list[PageText], today: dt.date) -> list[ExtractedField]:
    # A cover letter may come with it: read the page that is the certificate.
    own = [p for p in pages if re.search(r"meldebescheinigung|melderegister|meldebestätigung|wohnsitzanmeldung",
                                         "\n".join(first_lines(p, 6)), re.IGNORECASE)]
    pages = own or pages
    address = []
    anchor = re.compile(r"(?:anschrift|wohnung|wohnhaft|hauptwohnsitz|adresse|wohnanschrift)(?P<rest>[\s\S]{0,160})",
                        re.IGNORECASE)
    for hit in search(pages, anchor):
        m = ADDRESS.search(hit.match.group("rest"))
        if m:
            address.append(_address_field(hit, m))
    moved_in = labelled(pages, "moved_in", r"einzugsdatum|(?:datum\s+des\s+|tag\s+des\s+)?einzugs?|eingezogen\s+am|wohnhaft\s+seit|"
                        r"(?:wohn)?anschrift\s+seit|angemeldet\s+seit|seit", _DATE_VALUE, _iso, gap=DATE_GAP)
    issued = _issue_date(pages)
    return [f for f in (issued, best(address[:1]), best(moved_in, conflict_factor=0.9)) if f]


# --------------------------------------------------------------------------- decision letter

def decision(pages: list[PageText], today: dt.date) -> list[ExtractedField]:
    date = _issue_date(pages[:1], "date")
    subjects = []
    label = re.compile(r"^\s*(?:betreff|betr\.|hier|gegenstand)\s*:\s*(?P<v>[^\n]{4,160})", re.IGNORECASE | re.MULTILINE)
    for hit in search(pages[:1], label):
        subjects.append(_subject(hit, hit.match.group("v"), 0.95))
    if not subjects:
        heading = re.compile(tolerant(r"^\s*(?P<v>(?:[\w-]*bescheid|verfügung|entscheidung\s+über\s+ihren\s+antrag|"
                                      r"ordnungsverfügung)(?:[ \t]+[^\n]{0,120})?(?:\n\s*über[^\n]{3,140})?)\s*$"),
                             re.IGNORECASE | re.MULTILINE)
        for hit in search(pages[:1], heading):
            subjects.append(_subject(hit, re.sub(r"\s+", " ", hit.match.group("v")), 0.9))
            break
    return [f for f in (date, best(subjects)) if f]


def _subject(hit, raw: str, weight: float) -> ExtractedField:
    """A subject line with the umlauts OCR lost restored; OCR's doubt counts only for words that are
    not office words (a bold heading of known words is read, however unsure OCR was of its strokes)."""
    value = restore_umlauts(tidy(raw))
    doubtful = " ".join(t for t in raw.split() if re.search(r"\w", t) and not is_office_word(restore_umlauts(t)))
    confidence = hit.page.confidence_of(doubtful) if doubtful else 1.0
    return ExtractedField("subject", value, round(weight * confidence, 3), hit.page.number, hit.source)


# --------------------------------------------------------------------------- employment contract

def employment_contract(pages: list[PageText], today: dt.date) -> list[ExtractedField]:
    start = labelled(pages, "start_date", r"(?:arbeits|anstellungs|dienst|beschäftigungs)verhältnis\s+beginnt\s+am|"
                     r"beginnt\s+am|beginn\s+der\s+tätigkeit|eintrittsdatum|eintritt|arbeitsbeginn|tätigkeit\s+ab",
                     _DATE_VALUE, _iso, gap=DATE_GAP)
    salary = labelled(pages, "salary", r"bruttomonatsgehalt(?:\s+von)?|monatsgehalt(?:\s+von)?|gehalt|vergütung|"
                      r"arbeitsentgelt|lohn", _AMOUNT_VALUE, _amount, gap=r"[\s:.€a-zäöü]{0,40}")
    return [f for f in (best(start), best(salary, conflict_factor=0.9),
                        best(_employer(pages, r"arbeitgeber(?:in)?|firma|zwischen(?:\s+(?:der|dem|den))?"))) if f]


# --------------------------------------------------------------------------- shared

def _issue_date(pages: list[PageText], name: str = "issue_date") -> ExtractedField | None:
    """The date a document was issued: 'Datum:', 'ausgestellt am', or the place-and-date line."""
    labelled_dates = labelled(pages, name, r"ausstellungsdatum|ausgestellt\s+am|datum\s+der\s+ausstellung|"
                              r"bescheinigt\s+am|(?<![\w-])datum|erstellt\s+am", _DATE_VALUE, _iso, gap=DATE_GAP)
    if labelled_dates:
        return best(labelled_dates, conflict_factor=0.9)
    # A speck before the date may come out as a quote mark ("Nurnberg, ‘25.06.2025"), before the place as
    # any mark ("“Bonn, 23.04.2025", seed 201; "«Berlin, 13.06.2025", seed 231); the comma as ';'
    # ("Frankfurt am Main; 10.05.2025", seed 231).
    place = re.compile(rf"^(?:[^\w\n]|_)*[A-ZÄÖÜ][\wäöüß./ -]{{1,40}}[,;]\s*(?:den\s+)?[‘’'‚\"“„]?(?P<v>{_DATE_VALUE})",
                       re.MULTILINE)
    found = [field_from(name, _iso(h.match.group("v")), h, h.match.group("v"), 0.95)
             for h in search(pages, place) if _iso(h.match.group("v"))]
    return best(found[:1]) if found else None


EXTRACTORS = {
    "pass": passport,
    "gehaltsnachweis": payslip,
    "mietvertrag": tenancy,
    "krankenversicherung": health_insurance,
    "sprachzertifikat": language_certificate,
    "meldebescheinigung": registration,
    "bescheid": decision,
    "arbeitsvertrag": employment_contract,
}

# The fields each type is expected to yield: the missing ones are reported as unread.
EXPECTED_FIELDS = {
    "pass": ("document_number", "nationality", "expiry_date"),
    "gehaltsnachweis": ("employer", "period", "gross_pay", "net_pay"),
    "mietvertrag": ("start_date", "rent", "address"),
    "krankenversicherung": ("insurer", "insured_person", "valid_from", "valid_to"),
    "sprachzertifikat": ("level", "date"),
    "meldebescheinigung": ("issue_date", "address"),
    "bescheid": ("date", "subject"),
    "arbeitsvertrag": ("employer", "start_date", "salary"),
}


# Every field an extractor may yield (conditions in config.yaml may name only these).
KNOWN_FIELDS = {
    **{t: set(names) for t, names in EXPECTED_FIELDS.items()},
    "pass": {"document_number", "nationality", "expiry_date", "date_of_birth", "surname", "given_names"},
    "mietvertrag": {"start_date", "rent", "cold_rent", "address"},
    "krankenversicherung": {"insurer", "insured_person", "valid_from", "valid_to", "issue_date"},
    "meldebescheinigung": {"issue_date", "address", "moved_in"},
    "antrag": {"purpose"},
}


def run_extractor(doc_type: str, pages: list[PageText], today: dt.date) -> list[ExtractedField]:
    extractor = EXTRACTORS.get(doc_type)
    found = {f.name: f for f in (extractor(pages, today) if extractor else [])}
    for name in EXPECTED_FIELDS.get(doc_type, ()):
        found.setdefault(name, unread(name, "nicht gefunden"))
    return list(found.values())


__all__ = ["EXPECTED_FIELDS", "EXTRACTORS", "KNOWN_FIELDS", "run_extractor"]
