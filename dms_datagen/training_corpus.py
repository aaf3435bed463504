"""Synthetic German training corpus for the document-type classifier, and the script that ships the model.

Usage: python -m dms_datagen.training_corpus --out dms_ingest/classifiers/model/
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import sys
from pathlib import Path
from typing import Callable, Sequence

from dms_ingest.classifiers.doctype import CORPUS_FILE, DEFAULT_TAXONOMY, MODEL_FILE, DocTypeClassifier
from dms_ingest.classifiers.persons import fold_name

from . import people as fd
from .letters import LetterParts, join_lines as _join
from .mrz import make_td3
from .ocr_noise import add_ocr_noise

DEFAULT_SEED = 20240611
DEFAULT_PER_CLASS = 55

_OFFICES = [
    "Stadt {city}\nDer Oberbürgermeister\nAusländerbehörde",
    "Landkreis {city}\nFachdienst Ausländerangelegenheiten",
    "Kreisverwaltung {city}\nAbteilung Ordnung und Migration\nAusländerwesen",
    "Stadtverwaltung {city}\nBürgerdienste – Ausländerbehörde",
]


class _Doc(LetterParts):
    """Shared random context for one synthetic document."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.person = fd.random_person(rng)
        self.street, self.city_line = fd.address(rng)
        self.city = self.city_line.split(" ", 1)[1]
        self.day = fd.random_date(rng, dt.date(2019, 1, 1), dt.date(2025, 6, 30))
        self.case_number = f"ABH-{rng.randint(2010, 2025)}-{rng.randint(1, 99999):05d}"

    def office(self) -> str:
        return self.rng.choice(_OFFICES).format(city=self.city)

    def salutation(self) -> str:
        return "Herr" if self.person.sex == "M" else "Frau"

    def dear(self) -> str:
        p = self.person
        return ("Sehr geehrter Herr " if p.sex == "M" else "Sehr geehrte Frau ") + p.surname + ","


# --------------------------------------------------------------------------- antrag

def _antrag_form(d: _Doc) -> str:
    p = d.person
    purpose = d.pick("Erwerbstätigkeit (§ 18a AufenthG)", "Studium (§ 16b AufenthG)", "Familiennachzug zum Ehegatten (§ 30 AufenthG)",
                     "Blaue Karte EU (§ 18g AufenthG)", "humanitäre Gründe (§ 25 Abs. 5 AufenthG)", "Berufsausbildung (§ 16a AufenthG)")
    return _join(
        d.office(),
        d.pick("Antrag auf Erteilung eines Aufenthaltstitels", "Antrag auf Erteilung / Verlängerung eines Aufenthaltstitels",
               "ANTRAG AUF ERTEILUNG EINER AUFENTHALTSERLAUBNIS"),
        d.maybe(0.6, "Bitte in Druckbuchstaben ausfüllen und vollständig unterschreiben."),
        "1. Angaben zur Person",
        f"Familienname: {p.surname}",
        f"Vorname(n): {p.given_names}",
        d.maybe(0.5, f"Geburtsname: {p.surname}"),
        f"Geburtsdatum: {d.date(p.date_of_birth)}   Geburtsort: {p.birthplace}",
        f"Staatsangehörigkeit(en): {p.nationality}",
        f"Geschlecht: {d.pick('männlich', 'weiblich', 'm', 'w')}",
        f"Familienstand: {d.pick('ledig', 'verheiratet seit ' + d.date(d.earlier(300, 3000)), 'geschieden', 'verwitwet')}",
        f"Anschrift: {d.street}, {d.city_line}",
        d.maybe(0.5, f"Telefon: 0{d.rng.randint(150, 179)} {d.rng.randint(1000000, 9999999)}"),
        "2. Aufenthaltszweck",
        f"Ich beantrage die {d.pick('Erteilung', 'Verlängerung')} der Aufenthaltserlaubnis zum Zweck: {purpose}",
        d.maybe(0.6, f"Gewünschte Geltungsdauer: {d.rng.randint(1, 3)} Jahre"),
        "3. Reisepass",
        f"Pass-Nr.: {d.rng.choice('CUPN')}{d.rng.randint(1000000, 9999999)}   gültig bis: {d.date(d.later(100, 3000))}",
        d.maybe(0.7, "4. Lebensunterhalt\nDer Lebensunterhalt wird gesichert durch: "
                + d.pick("eigenes Erwerbseinkommen", "Unterhalt durch den Ehegatten", "Stipendium", "Verpflichtungserklärung")),
        d.maybe(0.6, "5. Krankenversicherung: " + d.pick(*fd.INSURERS)),
        d.maybe(0.5, "Beigefügte Unterlagen: Reisepass, biometrisches Lichtbild, Arbeitsvertrag, Meldebescheinigung, Nachweis Krankenversicherung"),
        "Ich versichere, dass ich die vorstehenden Angaben nach bestem Wissen und Gewissen richtig und vollständig gemacht habe.",
        d.maybe(0.7, "Mir ist bekannt, dass falsche oder unvollständige Angaben zur Ablehnung des Antrags führen können (§ 55 Abs. 2 Nr. 1 AufenthG)."),
        f"{d.city}, den {d.date()}",
        "Unterschrift der Antragstellerin / des Antragstellers",
    )


def _antrag_letter(d: _Doc) -> str:
    p = d.person
    what = d.pick("Verlängerung meiner Aufenthaltserlaubnis", "Erteilung einer Niederlassungserlaubnis",
                  "Erteilung einer Erlaubnis zum Daueraufenthalt-EU", "Ausstellung einer Fiktionsbescheinigung",
                  "Erteilung einer Beschäftigungserlaubnis", "Umschreibung meines Aufenthaltstitels in den neuen Reisepass")
    return _join(
        f"{p.full_name}",
        f"{d.street}",
        f"{d.city_line}",
        "",
        d.office().replace("\n", ", "),
        f"{d.city}, {d.date()}",
        f"Betreff: Antrag auf {what}",
        d.maybe(0.6, f"Aktenzeichen: {d.case_number}"),
        "Sehr geehrte Damen und Herren,",
        f"hiermit {d.pick('beantrage ich', 'stelle ich den Antrag auf', 'möchte ich beantragen:')} die {what}.",
        d.pick(
            f"Meine derzeitige Aufenthaltserlaubnis ist gültig bis zum {d.date(d.later(10, 90))}.",
            "Mein Aufenthaltstitel läuft in Kürze ab, deshalb stelle ich den Antrag rechtzeitig vor Ablauf.",
            f"Ich lebe seit {d.rng.randint(2, 12)} Jahren in Deutschland und erfülle nach meiner Auffassung die Voraussetzungen.",
        ),
        d.pick("Die erforderlichen Unterlagen füge ich in Kopie bei:", "Als Anlage übersende ich folgende Nachweise:", "Anbei erhalten Sie:"),
        "- " + "\n- ".join(d.rng.sample(["Kopie Reisepass", "aktuelle Gehaltsabrechnungen", "Arbeitsvertrag", "Mietvertrag",
                                         "Nachweis Krankenversicherung", "Sprachzertifikat B1", "Meldebescheinigung", "biometrisches Foto"], 4)),
        d.maybe(0.6, "Bitte teilen Sie mir mit, ob weitere Unterlagen benötigt werden, und geben Sie mir einen Termin zur Vorsprache."),
        d.pick("Mit freundlichen Grüßen", "Vielen Dank im Voraus. Mit freundlichen Grüßen", "Freundliche Grüße"),
        p.full_name,
        d.maybe(0.5, f"geb. {d.date(p.date_of_birth)}"),
    )


def _antrag_mail(d: _Doc) -> str:
    """An application sent as an e-mail (an e-mail that only carries attachments is "sonstiges", see _sonst_mail)."""
    p = d.person
    what = d.pick("die Verlängerung meines Aufenthaltstitels", "eine Fiktionsbescheinigung", "eine Beschäftigungserlaubnis",
                  "die Niederlassungserlaubnis", "einen Termin zur Antragstellung auf Einbürgerung", "den Familiennachzug meiner Ehefrau")
    return _join(
        f"Von:        {p.full_name} <{fold_name(p.given_names).split()[0]}.{fold_name(p.surname).replace(' ', '')}@mail.example>",
        f"An:         {d.pick('abh', 'auslaenderbehoerde', 'migration')}@{fold_name(d.city).replace(' ', '')}.example",
        f"Betreff:    {d.pick('Antrag', 'Antragstellung', 'Bitte um Bearbeitung', 'Verlängerung')}" + d.maybe(0.4, f" – Az. {d.case_number}"),
        "-" * 40,
        d.pick("Guten Tag,", "Sehr geehrte Damen und Herren,", "Hallo,"),
        f"{d.pick('hiermit beantrage ich', 'ich möchte beantragen:', 'ich stelle den Antrag auf', 'bitte bearbeiten Sie meinen Antrag auf')} {what}.",
        d.pick(f"Mein Titel ist gültig bis {d.date(d.later(10, 90))}.", "Das ausgefüllte Antragsformular ist beigefügt.",
               "Bitte teilen Sie mir mit, welche Nachweise Sie noch benötigen."),
        d.maybe(0.5, f"Geburtsdatum: {d.date(p.date_of_birth)}"),
        d.pick("Vielen Dank und viele Grüße", "Mit freundlichen Grüßen", "Danke im Voraus"),
        p.full_name,
    )


def _antrag_einbuergerung(d: _Doc) -> str:
    p = d.person
    return _join(
        d.pick("Antrag auf Einbürgerung", "Einbürgerungsantrag", "Antrag auf Einbürgerung in den deutschen Staatsverband"),
        d.pick("nach § 10 StAG (Anspruchseinbürgerung)", "gemäß § 8 StAG (Ermessenseinbürgerung)", "nach §§ 8, 10 Staatsangehörigkeitsgesetz"),
        d.maybe(0.7, "Eingangsstempel der Behörde:"),
        "Angaben zur antragstellenden Person",
        f"Name, Vorname: {p.surname}, {p.given_names}",
        f"geboren am: {d.date(p.date_of_birth)} in {p.birthplace}",
        f"derzeitige Staatsangehörigkeit: {p.nationality}",
        f"Wohnsitz: {d.street}, {d.city_line}   seit: {d.date(d.earlier(400, 4000))}",
        f"Aufenthalt in Deutschland seit: {d.date(d.earlier(2500, 6000))}",
        "Miteinzubürgernde Familienangehörige: " + d.pick("keine", "Ehegatte", "minderjährige Kinder (siehe Beiblatt)"),
        "Erklärungen",
        "Ich bekenne mich zur freiheitlichen demokratischen Grundordnung des Grundgesetzes für die Bundesrepublik Deutschland.",
        d.maybe(0.7, "Ich erkläre, dass ich keine Bestrebungen verfolge oder unterstütze, die gegen diese Ordnung gerichtet sind."),
        d.maybe(0.7, "Nachweise über ausreichende Deutschkenntnisse (mindestens Niveau B1) und den Einbürgerungstest sind beigefügt."),
        d.maybe(0.6, "Ich bin in der Lage, den Lebensunterhalt für mich und meine Angehörigen ohne Inanspruchnahme von Leistungen nach SGB II oder SGB XII zu bestreiten."),
        d.maybe(0.5, f"Die Gebühr für die Einbürgerung in Höhe von {d.pick('255', '51', '191')} Euro wird entrichtet."),
        f"Ort, Datum: {d.city}, {d.date()}",
        "Unterschrift Antragsteller/in",
    )


def _antrag_familiennachzug(d: _Doc) -> str:
    p = d.person
    partner = fd.random_person(d.rng)
    return _join(
        d.office(),
        d.pick("Antrag auf Familienzusammenführung", "Antrag auf Zustimmung zum Familiennachzug", "Vorabzustimmung Familiennachzug – Antrag"),
        "Angaben zur in Deutschland lebenden Person (Referenzperson)",
        f"Name: {p.surname}   Vornamen: {p.given_names}",
        f"Geburtsdatum: {d.date(p.date_of_birth)}",
        f"Aufenthaltstitel: {d.pick('Aufenthaltserlaubnis', 'Niederlassungserlaubnis', 'Blaue Karte EU')} gültig bis {d.date(d.later(200, 1500))}",
        "Angaben zum nachziehenden Familienangehörigen",
        f"Name: {partner.surname}   Vornamen: {partner.given_names}",
        f"Verwandtschaftsverhältnis: {d.pick('Ehegatte', 'Ehefrau', 'Kind', 'Ehemann')}",
        f"derzeitiger Wohnort: {partner.birthplace}",
        d.maybe(0.7, f"Wohnraum: {d.rng.randint(45, 110)} m², {d.rng.randint(2, 5)} Zimmer"),
        d.maybe(0.6, f"Monatliches Nettoeinkommen: {fd.money(d.rng, 1500, 4200)} EUR"),
        "Hiermit beantrage ich die Zustimmung zur Einreise meines Familienangehörigen zum Zweck des Familiennachzugs.",
        "Ich versichere die Richtigkeit meiner Angaben.",
        f"{d.city}, {d.date()}   Unterschrift",
    )


# --------------------------------------------------------------------------- pass

def _mrz_lines(d: _Doc, prefix: str = "P<") -> str:
    p = d.person
    l1, l2 = make_td3(
        surname=fold_name(p.surname).upper(), given_names=fold_name(p.given_names).upper(),
        document_number=f"{d.rng.choice('ACUPN')}{d.rng.randint(10000000, 99999999)}", nationality=p.nationality,
        date_of_birth=p.date_of_birth, sex=p.sex, expiry_date=d.later(300, 3500),
    )
    return prefix + l1[2:] + "\n" + l2


def _pass_visual(d: _Doc) -> str:
    p = d.person
    return _join(
        d.pick("REISEPASS / PASSPORT / PASSEPORT", "PASSPORT", "PASS / PASSPORT"),
        d.pick(f"Typ/Type/Type P   Kode/Code {p.nationality}   Pass-Nr./Passport No. {d.rng.randint(10000000, 99999999)}",
               f"Type P  Code of issuing state {p.nationality}  Passport No. {d.rng.choice('NPU')}{d.rng.randint(1000000, 9999999)}"),
        f"Name/Surname/Nom\n{p.surname.upper()}",
        f"Vornamen/Given names/Prénoms\n{p.given_names.upper()}",
        f"Staatsangehörigkeit/Nationality/Nationalité\n{p.nationality}",
        f"Geburtsdatum/Date of birth/Date de naissance\n{p.date_of_birth.strftime('%d.%m.%Y')}",
        f"Geschlecht/Sex/Sexe {p.sex}   Geburtsort/Place of birth/Lieu de naissance {p.birthplace.upper()}",
        f"Ausstellungsdatum/Date of issue {d.date(d.earlier(100, 3000))}",
        f"Gültig bis/Date of expiry/Date d'expiration {d.date(d.later(100, 3000))}",
        d.maybe(0.6, "Behörde/Authority/Autorité " + d.pick("GENERAL DIRECTORATE OF SECURITY", "MINISTRY OF INTERIOR", "CONSULATE GENERAL")),
        d.maybe(0.5, "Unterschrift des Inhabers / Holder's signature"),
        _mrz_lines(d),
    )


def _pass_copy(d: _Doc) -> str:
    p = d.person
    return _join(
        d.pick("Kopie Reisepass", "Passkopie – Datenseite", "Reisepass (Kopie der Personaldatenseite)"),
        d.maybe(0.5, "Seite 2 und 3 des Passes"),
        f"Surname: {p.surname.upper()}",
        f"Given names: {p.given_names.upper()}",
        f"Date of birth: {p.date_of_birth.strftime('%d %b %Y').upper()}",
        f"Place of birth: {p.birthplace.upper()}",
        f"Nationality: {p.nationality}",
        f"Date of expiry: {d.later(100, 3000).strftime('%d %b %Y').upper()}",
        _mrz_lines(d),
        d.maybe(0.6, f"Die Übereinstimmung der Kopie mit dem vorgelegten Original wird hiermit bestätigt.\n{d.city}, {d.date()} Im Auftrag"),
        d.maybe(0.4, "Visum / Aufenthaltstitel siehe Folgeseite"),
    )


def _pass_foreign(d: _Doc) -> str:
    p = d.person
    heads = {
        "TUR": ("TÜRKİYE CUMHURİYETİ / REPUBLIC OF TÜRKIYE", "PASAPORT / PASSPORT", "Soyadı / Surname", "Adı / Given name(s)", "Doğum tarihi / Date of birth"),
        "UKR": ("UKRAINE", "PASSPORT", "Surname", "Given names", "Date of birth"),
        "SYR": ("SYRIAN ARAB REPUBLIC", "PASSPORT جواز سفر", "Surname", "Name", "Date of birth"),
    }
    country, title, sur, given, dob = heads.get(p.nationality, ("REPUBLIC", "PASSPORT", "Surname", "Given names", "Date of birth"))
    return _join(
        country, title,
        f"Type P   Country code {p.nationality}",
        f"{sur}\n{p.surname.upper()}",
        f"{given}\n{p.given_names.upper()}",
        f"{dob}\n{p.date_of_birth.strftime('%d.%m.%Y')}",
        f"Sex {p.sex}   Place of birth {p.birthplace.upper()}",
        f"Date of issue {d.date(d.earlier(100, 3000))}   Date of expiry {d.date(d.later(100, 3000))}",
        _mrz_lines(d),
    )


def _pass_reiseausweis(d: _Doc) -> str:
    p = d.person
    return _join(
        "BUNDESREPUBLIK DEUTSCHLAND",
        d.pick("REISEAUSWEIS FÜR FLÜCHTLINGE / TRAVEL DOCUMENT", "REISEAUSWEIS FÜR AUSLÄNDER / TRAVEL DOCUMENT",
               "Reiseausweis (Abkommen vom 28. Juli 1951)"),
        f"Name / Surname: {p.surname.upper()}",
        f"Vornamen / Given names: {p.given_names.upper()}",
        f"Geburtsdatum / Date of birth: {p.date_of_birth.strftime('%d.%m.%Y')}",
        f"Geburtsort / Place of birth: {p.birthplace.upper()}",
        "Ausstellende Behörde / Authority: " + d.office().split("\n")[0],
        f"Gültig bis / Date of expiry: {d.date(d.later(100, 1500))}",
        "Dieser Reiseausweis ist gültig für alle Staaten außer " + d.pick("dem Herkunftsstaat", p.nationality),
        _mrz_lines(d, "PP"),
    )


# --------------------------------------------------------------------------- meldebescheinigung

def _melde_einfach(d: _Doc) -> str:
    p = d.person
    return _join(
        d.pick(f"Stadt {d.city}\nBürgeramt", f"Bürgerbüro {d.city}", f"Einwohnermeldeamt {d.city}"),
        d.pick("Meldebescheinigung", "MELDEBESCHEINIGUNG", "Einfache Meldebescheinigung"),
        d.pick("nach § 18 Abs. 1 Bundesmeldegesetz (BMG)", "gemäß § 18 BMG", "zur Vorlage bei Behörden"),
        "Für die nachfolgend aufgeführte Person sind im Melderegister folgende Daten gespeichert:",
        f"Familienname: {p.surname}",
        f"Vornamen: {p.given_names}",
        d.maybe(0.5, "Doktorgrad: –"),
        f"Geburtsdatum: {d.date(p.date_of_birth)}",
        d.maybe(0.7, f"Geburtsort: {p.birthplace}"),
        f"Anschrift: {d.street}, {d.city_line}",
        f"Wohnungsstatus: {d.pick('Hauptwohnung', 'alleinige Wohnung', 'Nebenwohnung')}",
        f"Einzugsdatum: {d.date(d.earlier(30, 3000))}",
        d.maybe(0.6, f"Staatsangehörigkeit: {p.nationality}"),
        "Diese Bescheinigung wurde maschinell erstellt und ist ohne Unterschrift gültig.",
        f"{d.city}, {d.date()}",
        d.maybe(0.5, "Gebühr: 5,00 EUR"),
    )


def _melde_erweitert(d: _Doc) -> str:
    p = d.person
    old_street, old_city = fd.address(d.rng)
    return _join(
        d.pick(f"Landeshauptstadt {d.city}", f"Gemeinde {d.city}", f"Stadt {d.city}"),
        "Bürgerservice / Meldewesen",
        "Erweiterte Meldebescheinigung nach § 18 Abs. 2 BMG",
        "Personendaten",
        f"Name: {p.surname}",
        f"Vorname(n): {p.given_names}",
        f"Geschlecht: {d.pick('männlich', 'weiblich')}",
        f"Tag und Ort der Geburt: {d.date(p.date_of_birth)}, {p.birthplace}",
        f"Familienstand: {d.pick('ledig', 'verheiratet', 'geschieden')}",
        f"Staatsangehörigkeiten: {p.nationality}",
        "Wohnungen",
        f"gegenwärtige Anschrift: {d.street}, {d.city_line} (Hauptwohnung) seit {d.date(d.earlier(30, 2000))}",
        d.maybe(0.8, f"frühere Anschrift: {old_street}, {old_city}, ausgezogen am {d.date(d.earlier(2001, 4000))}"),
        d.maybe(0.5, "Auskunftssperren: keine"),
        d.maybe(0.5, "Übermittlungssperren nach § 42 Abs. 3 BMG: nein"),
        "Die Richtigkeit der Angaben wird bescheinigt.",
        f"{d.city}, den {d.date()}   Im Auftrag",
    )


def _melde_anmeldung(d: _Doc) -> str:
    p = d.person
    return _join(
        d.pick("Bestätigung der Anmeldung", "Anmeldebestätigung", "Bestätigung über die Anmeldung einer Wohnung"),
        d.pick("Meldebehörde", "Bürgeramt", "Meldestelle") + f" {d.city}",
        f"Sie haben sich am {d.date(d.earlier(1, 60))} bei der Meldebehörde angemeldet.",
        f"Neue Wohnung: {d.street}, {d.city_line}",
        f"Einzug am: {d.date(d.earlier(1, 60))}",
        "Angemeldete Personen:",
        f"1. {p.surname}, {p.given_names}, geb. {d.date(p.date_of_birth)}",
        d.maybe(0.5, f"2. {p.surname}, {fd.random_person(d.rng).given_names}, geb. {d.date(fd.random_date(d.rng, dt.date(2010, 1, 1), dt.date(2020, 1, 1)))}"),
        d.maybe(0.6, "Bisherige Wohnung: " + ", ".join(fd.address(d.rng))),
        "Bitte bewahren Sie diese Bestätigung sorgfältig auf. Sie dient als Nachweis der erfolgten Anmeldung.",
        d.maybe(0.5, "Hinweis: Die Wohnungsgeberbestätigung nach § 19 BMG wurde vorgelegt."),
    )


# --------------------------------------------------------------------------- arbeitsvertrag

def _arbeitsvertrag_standard(d: _Doc) -> str:
    p = d.person
    employer = d.rng.choice(fd.COMPANIES)
    job = d.rng.choice(fd.JOBS)
    start = d.later(5, 90)
    return _join(
        d.pick("Arbeitsvertrag", "ARBEITSVERTRAG", "Arbeitsvertrag (unbefristet)"),
        f"zwischen der Firma {employer}, {', '.join(fd.address(d.rng))} – nachfolgend „Arbeitgeber“ –",
        f"und {d.salutation()} {p.full_name}, geb. am {d.date(p.date_of_birth)}, wohnhaft {d.street}, {d.city_line} – nachfolgend „Arbeitnehmer“ –",
        "wird folgender Arbeitsvertrag geschlossen:",
        f"§ 1 Beginn des Arbeitsverhältnisses\nDas Arbeitsverhältnis beginnt am {d.date(start)}. Die ersten {d.pick('sechs', 'drei')} Monate gelten als Probezeit.",
        f"§ 2 Tätigkeit\nDer Arbeitnehmer wird als {job} eingestellt. Er verpflichtet sich, auch andere zumutbare Arbeiten auszuführen.",
        f"§ 3 Arbeitszeit\nDie regelmäßige wöchentliche Arbeitszeit beträgt {d.pick('40', '38,5', '39', '30', '20')} Stunden.",
        f"§ 4 Vergütung\nDer Arbeitnehmer erhält ein monatliches Bruttogehalt von {fd.money(d.rng, 2100, 5200)} EUR, zahlbar jeweils zum Monatsende.",
        f"§ 5 Urlaub\nDer Arbeitnehmer hat Anspruch auf {d.rng.randint(24, 30)} Arbeitstage Erholungsurlaub im Kalenderjahr.",
        d.maybe(0.7, "§ 6 Arbeitsverhinderung\nDie Arbeitsunfähigkeit ist unverzüglich anzuzeigen und durch ärztliche Bescheinigung nachzuweisen."),
        "§ 7 Kündigung\nNach der Probezeit gelten die gesetzlichen Kündigungsfristen nach § 622 BGB.",
        d.maybe(0.6, "§ 8 Verschwiegenheitspflicht\nDer Arbeitnehmer verpflichtet sich, über Betriebsgeheimnisse Stillschweigen zu bewahren."),
        d.maybe(0.5, "§ 9 Ausschlussfristen\nAnsprüche aus dem Arbeitsverhältnis verfallen, wenn sie nicht innerhalb von drei Monaten geltend gemacht werden."),
        f"{d.city}, {d.date()}",
        "Arbeitgeber                Arbeitnehmer",
    )


def _arbeitsvertrag_befristet(d: _Doc) -> str:
    p = d.person
    employer = d.rng.choice(fd.COMPANIES)
    start = d.later(5, 60)
    return _join(
        d.pick("Befristeter Arbeitsvertrag", "Arbeitsvertrag mit sachgrundloser Befristung (§ 14 Abs. 2 TzBfG)", "Zeitvertrag"),
        f"Arbeitgeber: {employer}",
        f"Arbeitnehmerin/Arbeitnehmer: {p.surname}, {p.given_names}",
        f"Anschrift: {d.street}, {d.city_line}",
        f"1. Das Arbeitsverhältnis beginnt am {d.date(start)} und ist befristet bis zum {d.date(start + dt.timedelta(days=365))}.",
        f"2. Die Einstellung erfolgt als {d.rng.choice(fd.JOBS)} in Vollzeit. Einsatzort ist {d.city}.",
        f"3. Die Vergütung beträgt {fd.money(d.rng, 13, 24)} EUR brutto je Stunde. Überstunden werden mit Freizeit ausgeglichen.",
        "4. Während der Befristung kann das Arbeitsverhältnis beiderseits mit den gesetzlichen Fristen ordentlich gekündigt werden.",
        d.maybe(0.7, "5. Auf das Arbeitsverhältnis findet der Tarifvertrag für das Gebäudereinigerhandwerk Anwendung."),
        d.maybe(0.6, "6. Der Arbeitnehmer versichert, dass er zur Aufnahme einer Beschäftigung in Deutschland berechtigt ist."),
        "7. Nebenabreden und Änderungen dieses Vertrages bedürfen der Schriftform.",
        f"Ort, Datum: {d.city}, {d.date()}",
        "Unterschrift Arbeitgeber / Unterschrift Arbeitnehmer",
    )


def _arbeitsvertrag_minijob(d: _Doc) -> str:
    p = d.person
    return _join(
        d.pick("Arbeitsvertrag für geringfügig Beschäftigte", "Vertrag über eine geringfügige Beschäftigung (Minijob)", "Minijob-Arbeitsvertrag"),
        f"Zwischen {d.rng.choice(fd.COMPANIES)} (Arbeitgeber) und {p.full_name} (Arbeitnehmer/in)",
        f"§ 1 Der Arbeitnehmer wird ab dem {d.date(d.later(1, 40))} als Aushilfe im Bereich {d.pick('Service', 'Küche', 'Lager', 'Reinigung', 'Verkauf')} beschäftigt.",
        f"§ 2 Die monatliche Arbeitszeit beträgt ca. {d.rng.randint(20, 43)} Stunden nach Dienstplan.",
        "§ 3 Das monatliche Arbeitsentgelt übersteigt die Geringfügigkeitsgrenze nicht. Der Stundenlohn entspricht mindestens dem gesetzlichen Mindestlohn.",
        "§ 4 Der Arbeitnehmer wurde auf die Möglichkeit der Befreiung von der Rentenversicherungspflicht hingewiesen.",
        "§ 5 Der Arbeitnehmer versichert, keine weiteren geringfügigen Beschäftigungen auszuüben.",
        d.maybe(0.6, "§ 6 Es besteht Anspruch auf bezahlten Erholungsurlaub nach dem Bundesurlaubsgesetz."),
        f"{d.city}, den {d.date()}",
    )


# --------------------------------------------------------------------------- gehaltsnachweis

def _gehalt_abrechnung(d: _Doc) -> str:
    p = d.person
    month = fd.MONTHS_DE[d.rng.randint(0, 11)]
    brutto = d.rng.uniform(1900, 5200)
    return _join(
        d.rng.choice(fd.COMPANIES),
        d.pick(f"Verdienstabrechnung {month} {d.day.year}", f"Abrechnung der Brutto-Netto-Bezüge für {month} {d.day.year}",
               f"Gehaltsabrechnung {month} {d.day.year}"),
        f"Personal-Nr. {d.rng.randint(1000, 99999)}   {p.surname}, {p.given_names}",
        f"{d.street}, {d.city_line}",
        f"Steuerklasse: {d.rng.randint(1, 5)}   Kinderfreibetrag: {d.pick('0,0', '0,5', '1,0')}   Konfession: {d.pick('--', 'rk', 'ev')}",
        f"Eintritt: {d.date(d.earlier(200, 3000))}   SV-Nummer: {d.rng.randint(10, 99)} {d.rng.randint(100000, 999999)} {d.pick('A', 'M', 'Y')} {d.rng.randint(100, 999)}",
        "Lohnart                     Betrag",
        f"Gehalt                      {fd.money(d.rng, brutto, brutto)}",
        d.maybe(0.5, f"Zuschlag Nachtarbeit          {fd.money(d.rng, 30, 300)}"),
        f"Gesamt-Brutto               {fd.money(d.rng, brutto, brutto + 200)}",
        f"Lohnsteuer                  {fd.money(d.rng, 150, 700)}",
        f"Solidaritätszuschlag        {fd.money(d.rng, 0, 20)}",
        d.maybe(0.4, f"Kirchensteuer                {fd.money(d.rng, 10, 60)}"),
        f"KV-Beitrag                  {fd.money(d.rng, 150, 400)}",
        f"RV-Beitrag                  {fd.money(d.rng, 180, 480)}",
        f"AV-Beitrag                  {fd.money(d.rng, 20, 70)}",
        f"PV-Beitrag                  {fd.money(d.rng, 30, 90)}",
        f"Netto-Verdienst             {fd.money(d.rng, 1400, 3300)}",
        f"Auszahlungsbetrag           {fd.money(d.rng, 1400, 3300)}",
        f"Überweisung an IBAN {fd.iban(d.rng)}",
        d.maybe(0.5, f"Urlaubsanspruch: {d.rng.randint(24, 30)} Tage, genommen: {d.rng.randint(0, 20)} Tage"),
    )


def _gehalt_stunden(d: _Doc) -> str:
    p = d.person
    return _join(
        d.pick("Lohnabrechnung", "Entgeltnachweis", "Lohnzettel"),
        f"Abrechnungszeitraum: {fd.MONTHS_DE[d.rng.randint(0, 11)]} {d.day.year}",
        f"Mitarbeiter: {p.full_name}   Personalnummer {d.rng.randint(100, 9999)}",
        f"Geleistete Stunden: {d.rng.randint(60, 180)},00   Stundenlohn: {fd.money(d.rng, 12.5, 22)} EUR",
        f"Bruttolohn: {fd.money(d.rng, 900, 3500)} EUR",
        d.pick("Pauschale Abgaben Minijob durch den Arbeitgeber", f"Steuer-Brutto: {fd.money(d.rng, 900, 3500)}   SV-Brutto: {fd.money(d.rng, 900, 3500)}"),
        f"Gesetzliche Abzüge: {fd.money(d.rng, 0, 900)} EUR",
        f"Nettolohn: {fd.money(d.rng, 700, 2600)} EUR",
        f"Auszahlung per Überweisung am {d.date()}",
        d.maybe(0.6, f"Jahressummen: Brutto {fd.money(d.rng, 5000, 30000)}  Lohnsteuer {fd.money(d.rng, 0, 4000)}"),
    )


def _gehalt_bescheinigung(d: _Doc) -> str:
    p = d.person
    employer = d.rng.choice(fd.COMPANIES)
    return _join(
        employer,
        ", ".join(fd.address(d.rng)),
        d.pick("Verdienstbescheinigung", "Gehaltsbescheinigung", "Einkommensbescheinigung", "Bescheinigung über das Arbeitseinkommen"),
        f"Hiermit bescheinigen wir, dass {d.salutation()} {p.full_name}, geboren am {d.date(p.date_of_birth)}, seit dem {d.date(d.earlier(100, 3000))} in unserem Unternehmen beschäftigt ist.",
        f"Das monatliche Bruttoeinkommen beträgt {fd.money(d.rng, 1800, 5500)} EUR, das Nettoeinkommen {fd.money(d.rng, 1300, 3500)} EUR.",
        d.pick("Das Arbeitsverhältnis ist ungekündigt und unbefristet.", "Das Arbeitsverhältnis ist befristet bis zum " + d.date(d.later(100, 700)) + ".",
               "Eine Kündigung ist nicht beabsichtigt."),
        d.maybe(0.6, "Zusätzlich werden Urlaubs- und Weihnachtsgeld gezahlt."),
        "Diese Bescheinigung wird zur Vorlage bei der Ausländerbehörde ausgestellt.",
        f"{d.city}, {d.date()}",
        f"{fd.german_name(d.rng)}, Personalabteilung",
    )


# --------------------------------------------------------------------------- mietvertrag

def _miet_wohnraum(d: _Doc) -> str:
    p = d.person
    landlord = fd.german_name(d.rng)
    return _join(
        d.pick("Mietvertrag über Wohnraum", "Wohnungsmietvertrag", "MIETVERTRAG für Wohnräume"),
        f"Zwischen {landlord}, {', '.join(fd.address(d.rng))} – als Vermieter –",
        f"und {p.full_name}, bisher wohnhaft in {', '.join(fd.address(d.rng))} – als Mieter –",
        "wird folgender Mietvertrag geschlossen:",
        f"§ 1 Mietsache\nVermietet wird die Wohnung im {d.pick('Erdgeschoss', '1. Obergeschoss', '2. OG links', 'Dachgeschoss')} des Hauses {d.street}, {d.city_line}, bestehend aus {d.rng.randint(1, 5)} Zimmern, Küche, Bad, Flur, Wohnfläche ca. {d.rng.randint(30, 110)} m².",
        f"§ 2 Mietzeit\nDas Mietverhältnis beginnt am {d.date(d.later(5, 60))} und läuft auf unbestimmte Zeit.",
        f"§ 3 Miete\nDie monatliche Grundmiete beträgt {fd.money(d.rng, 350, 1400)} EUR. Hinzu kommt eine Vorauszahlung auf die Betriebskosten von {fd.money(d.rng, 80, 300)} EUR sowie für Heizung und Warmwasser von {fd.money(d.rng, 50, 150)} EUR.",
        "Die Miete ist monatlich im Voraus, spätestens am dritten Werktag, auf das Konto des Vermieters zu zahlen.",
        f"§ 4 Mietsicherheit\nDer Mieter leistet eine Kaution in Höhe von {fd.money(d.rng, 700, 3500)} EUR.",
        d.maybe(0.7, "§ 5 Schönheitsreparaturen\nDie Schönheitsreparaturen übernimmt der Mieter."),
        d.maybe(0.6, "§ 6 Tierhaltung\nDie Haltung von Kleintieren ist gestattet. Hunde und Katzen nur mit Zustimmung des Vermieters."),
        d.maybe(0.5, "§ 7 Hausordnung\nDie Hausordnung ist Bestandteil dieses Vertrages."),
        f"{d.city}, {d.date()}\nVermieter                       Mieter",
    )


def _miet_unter(d: _Doc) -> str:
    p = d.person
    main = fd.german_name(d.rng)
    return _join(
        d.pick("Untermietvertrag", "Untermietvertrag für ein möbliertes Zimmer", "Vertrag über die Untervermietung"),
        f"Hauptmieter: {main}",
        f"Untermieter: {p.full_name}",
        f"Mietobjekt: ein {d.pick('möbliertes', 'unmöbliertes')} Zimmer in der Wohnung {d.street}, {d.city_line}, zur Mitbenutzung von Küche und Bad.",
        f"Die Untermiete beginnt am {d.date(d.later(1, 60))}. Sie wird {d.pick('auf unbestimmte Zeit', 'befristet bis ' + d.date(d.later(200, 700)))} abgeschlossen.",
        f"Die Untermiete beträgt monatlich {fd.money(d.rng, 250, 700)} EUR inklusive aller Nebenkosten (Warmmiete).",
        d.maybe(0.7, f"Eine Kaution von {fd.money(d.rng, 300, 1000)} EUR ist bei Einzug zu zahlen."),
        "Die Zustimmung des Vermieters zur Untervermietung liegt vor.",
        d.maybe(0.5, "Der Untermieter erhält zwei Wohnungsschlüssel und einen Haustürschlüssel."),
        f"{d.city}, {d.date()}   Unterschriften Hauptmieter und Untermieter",
    )


def _miet_gesellschaft(d: _Doc) -> str:
    p = d.person
    company = d.pick("Wohnungsbaugesellschaft", "Immobilienverwaltung", "Wohnen GmbH", "Bauverein eG") + f" {d.city}"
    return _join(
        company,
        d.pick("Mietvertrag", "Wohnraummietvertrag Nr. " + str(d.rng.randint(10000, 99999))),
        f"Mieter: {p.surname}, {p.given_names}",
        f"Mietobjekt: {d.street}, {d.city_line}, Wohnungs-Nr. {d.rng.randint(1, 80)}",
        f"Mietbeginn: {d.date(d.later(1, 60))}",
        "Monatliche Zahlungen:",
        f"Nettokaltmiete {fd.money(d.rng, 300, 1200)} EUR",
        f"Betriebskostenvorauszahlung {fd.money(d.rng, 80, 300)} EUR",
        f"Heizkostenvorauszahlung {fd.money(d.rng, 40, 160)} EUR",
        f"Gesamtmiete {fd.money(d.rng, 500, 1600)} EUR",
        "Die Allgemeinen Vertragsbestimmungen und die Hausordnung sind Bestandteil dieses Mietvertrages.",
        d.maybe(0.6, "Die Übergabe der Wohnung erfolgt nach Protokoll. Zählerstände werden bei Übergabe festgehalten."),
        d.maybe(0.5, "Der Mieter ist verpflichtet, sich innerhalb von zwei Wochen bei der Meldebehörde anzumelden."),
    )


# --------------------------------------------------------------------------- krankenversicherung

def _kv_mitglied(d: _Doc) -> str:
    p = d.person
    insurer = d.rng.choice(fd.INSURERS)
    return _join(
        insurer,
        d.pick("Mitgliedsbescheinigung", "Versicherungsbescheinigung", "Bescheinigung über die Mitgliedschaft"),
        d.pick("zur Vorlage bei der Ausländerbehörde", "zur Vorlage beim Arbeitgeber", "zur Vorlage bei Behörden"),
        f"Hiermit bestätigen wir, dass {d.salutation()} {p.full_name}, geboren am {d.date(p.date_of_birth)},",
        f"seit dem {d.date(d.earlier(30, 3000))} bei uns {d.pick('pflichtversichert', 'freiwillig versichert', 'als Mitglied versichert')} ist.",
        f"Krankenversichertennummer: {d.rng.choice('ABCDEFGHKLMN')}{d.rng.randint(100000000, 999999999)}",
        d.pick("Die Versicherung umfasst auch die Pflegeversicherung.", "Der Versicherungsschutz besteht in vollem Umfang nach dem SGB V.",
               "Der Leistungsumfang entspricht den gesetzlichen Bestimmungen."),
        d.maybe(0.5, "Die Mitgliedschaft besteht bis auf Weiteres."),
        d.maybe(0.4, "Diese Bescheinigung wurde maschinell erstellt und ist ohne Unterschrift gültig."),
        f"Ihre {insurer}",
    )


def _kv_privat(d: _Doc) -> str:
    p = d.person
    return _join(
        d.rng.choice(fd.PRIVATE_INSURERS),
        d.pick("Versicherungsbestätigung", "Bestätigung über bestehenden Krankenversicherungsschutz", "Nachtrag zum Versicherungsschein"),
        f"Versicherungsnummer: {d.rng.randint(10000000, 99999999)}",
        f"Versicherte Person: {p.full_name}, geb. {d.date(p.date_of_birth)}",
        f"Versicherungsbeginn: {d.date(d.earlier(30, 2000))}",
        f"Tarif: {d.pick('Krankheitskostenvollversicherung', 'Komfort 100', 'Vollschutz Ambulant/Stationär/Zahn')}",
        f"Monatlicher Beitrag: {fd.money(d.rng, 180, 780)} EUR",
        "Der Versicherungsschutz umfasst ambulante und stationäre Heilbehandlung sowie Zahnbehandlung ohne Leistungsausschlüsse.",
        d.maybe(0.7, "Die Pflegepflichtversicherung ist abgeschlossen."),
        d.maybe(0.6, "Der Versicherungsschutz entspricht den Anforderungen des § 193 Abs. 3 VVG."),
        f"{d.city}, {d.date()}",
    )


def _kv_familie(d: _Doc) -> str:
    p = d.person
    return _join(
        d.rng.choice(fd.INSURERS),
        d.pick("Bescheinigung über die Familienversicherung", "Bestätigung Familienversicherung nach § 10 SGB V"),
        f"Stammversicherte Person: {fd.german_name(d.rng) if d.rng.random() < 0.3 else fd.random_person(d.rng).full_name}",
        f"Familienversicherte Person: {p.full_name}",
        f"Geburtsdatum: {d.date(p.date_of_birth)}",
        f"Versichert ab: {d.date(d.earlier(10, 1000))}",
        "Die Familienversicherung ist beitragsfrei und umfasst Leistungen der Kranken- und Pflegeversicherung.",
        "Bitte teilen Sie uns Änderungen des Einkommens des Familienangehörigen umgehend mit.",
        d.maybe(0.6, "Ihre elektronische Gesundheitskarte erhalten Sie in den nächsten Tagen mit separater Post."),
    )


# --------------------------------------------------------------------------- anwaltsschreiben

def _lawyer_head(d: _Doc) -> str:
    firm = d.rng.choice(fd.LAW_FIRMS)
    return _join(
        firm,
        f"Rechtsanwältin {fd.german_name(d.rng)}" if d.rng.random() < 0.5 else f"Rechtsanwalt {fd.german_name(d.rng)}",
        d.maybe(0.6, "Fachanwalt für Migrationsrecht"),
        ", ".join(fd.address(d.rng)),
        d.maybe(0.5, f"Tel. 0{d.rng.randint(200, 899)} {d.rng.randint(100000, 999999)}   Fax -{d.rng.randint(10, 99)}"),
    )


def _anwalt_bestellung(d: _Doc) -> str:
    p = d.person
    return _join(
        _lawyer_head(d),
        d.office().replace("\n", " – "),
        f"Unser Zeichen: {d.rng.randint(10, 999)}/{d.day.year % 100}",
        d.maybe(0.6, f"Ihr Zeichen: {d.case_number}"),
        f"In Sachen {p.full_name}, geb. {d.date(p.date_of_birth)}",
        d.pick("Vertretungsanzeige", "Bestellung und Akteneinsichtsgesuch", "wegen aufenthaltsrechtlicher Angelegenheiten"),
        "Sehr geehrte Damen und Herren,",
        f"hiermit zeigen wir an, dass wir {d.pick('Herrn', 'Frau')} {p.full_name} anwaltlich vertreten. Eine auf uns lautende Vollmacht ist beigefügt.",
        d.pick("Wir beantragen Akteneinsicht gemäß § 29 VwVfG und bitten um Übersendung der Ausländerakte in unsere Kanzlei.",
               "Wir bitten darum, den weiteren Schriftverkehr ausschließlich über unsere Kanzlei zu führen.",
               "Namens und in Vollmacht unseres Mandanten beantragen wir die Verlängerung der Aufenthaltserlaubnis."),
        d.maybe(0.6, "Wir bitten um kurzfristige Bestätigung des Eingangs dieses Schreibens."),
        d.maybe(0.5, "Die Akte wird nach Einsichtnahme unverzüglich zurückgesandt."),
        "Mit freundlichen Grüßen",
        "Rechtsanwalt",
    )


def _anwalt_stellungnahme(d: _Doc) -> str:
    p = d.person
    return _join(
        _lawyer_head(d),
        f"{d.city}, {d.date()}",
        f"Ihr Aktenzeichen: {d.case_number}",
        f"Mandant: {p.surname}, {p.given_names}",
        d.pick("Stellungnahme zur Anhörung", "Stellungnahme im Rahmen der Anhörung nach § 28 VwVfG", "Anhörung zur beabsichtigten Ausweisung"),
        "Sehr geehrte Damen und Herren,",
        f"zu Ihrem Schreiben vom {d.date(d.earlier(10, 40))} nehmen wir namens und in Vollmacht unseres Mandanten wie folgt Stellung:",
        d.pick("Die beabsichtigte Ablehnung des Antrags ist rechtswidrig. Unser Mandant erfüllt die Voraussetzungen des § 25b AufenthG.",
               "Eine Ausweisung wäre unverhältnismäßig. Unser Mandant ist seit Jahren wirtschaftlich und sozial integriert.",
               "Der Lebensunterhalt ist entgegen Ihrer Annahme gesichert; aktuelle Gehaltsnachweise fügen wir bei."),
        d.maybe(0.7, "Zu berücksichtigen sind insbesondere die familiären Bindungen im Bundesgebiet (Art. 6 GG, Art. 8 EMRK)."),
        "Wir regen an, von der beabsichtigten Maßnahme abzusehen und die Aufenthaltserlaubnis zu verlängern.",
        d.maybe(0.6, "Für Rückfragen stehen wir gern zur Verfügung."),
        "Mit freundlichen Grüßen\nRechtsanwältin",
    )


def _anwalt_widerspruch(d: _Doc) -> str:
    p = d.person
    return _join(
        _lawyer_head(d),
        d.office().replace("\n", ", "),
        d.pick("Widerspruch", "Widerspruch gegen den Bescheid", "Einlegung eines Widerspruchs"),
        f"in der Angelegenheit {p.full_name} ./. {d.pick('Stadt', 'Landkreis')} {d.city}",
        f"Gegen den Bescheid vom {d.date(d.earlier(5, 25))}, Az. {d.case_number}, zugestellt am {d.date(d.earlier(3, 20))},",
        "legen wir namens und im Auftrag unseres Mandanten",
        "Widerspruch ein.",
        "Eine Begründung erfolgt nach Akteneinsicht mit gesondertem Schriftsatz.",
        d.maybe(0.7, "Zugleich beantragen wir, die Vollziehung des Bescheids auszusetzen (§ 80 Abs. 4 VwGO)."),
        d.maybe(0.5, "Die Vollmacht wird anwaltlich versichert."),
        "Mit freundlichen Grüßen",
    )


# --------------------------------------------------------------------------- bescheid

def _rechtsbehelf(d: _Doc) -> str:
    return d.pick(
        f"Rechtsbehelfsbelehrung:\nGegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Klage beim Verwaltungsgericht {d.city} erhoben werden.",
        "Rechtsbehelfsbelehrung\nGegen diesen Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe Widerspruch erhoben werden. Der Widerspruch ist schriftlich oder zur Niederschrift bei der oben genannten Behörde einzulegen.",
        "Rechtsbehelfsbelehrung: Gegen diesen Bescheid können Sie innerhalb eines Monats Klage erheben. Die Klage hat keine aufschiebende Wirkung (§ 84 Abs. 1 AufenthG).",
    )


def _bescheid_ablehnung(d: _Doc) -> str:
    p = d.person
    return _join(
        d.office(),
        d.pick("Postzustellungsurkunde", "Gegen Empfangsbekenntnis", ""),
        f"{d.salutation()}\n{p.full_name}\n{d.street}\n{d.city_line}",
        f"Aktenzeichen: {d.case_number}   Datum: {d.date()}",
        d.pick("Bescheid", "BESCHEID", "Ablehnungsbescheid"),
        d.dear(),
        "auf Ihren Antrag vom " + d.date(d.earlier(30, 300)) + " ergeht folgende Entscheidung:",
        d.pick("1. Der Antrag auf Verlängerung der Aufenthaltserlaubnis wird abgelehnt.",
               "1. Ihr Antrag auf Erteilung einer Niederlassungserlaubnis wird abgelehnt.",
               "1. Der Antrag auf Erteilung einer Aufenthaltserlaubnis nach § 25 Abs. 5 AufenthG wird abgelehnt."),
        d.maybe(0.8, "2. Sie werden aufgefordert, das Bundesgebiet innerhalb von 30 Tagen nach Bekanntgabe dieses Bescheides zu verlassen. Für den Fall der nicht fristgerechten Ausreise wird Ihnen die Abschiebung angedroht."),
        d.maybe(0.6, f"3. Die Kosten des Verfahrens tragen Sie. Die Gebühr wird auf {d.pick('98,00', '100,00', '75,00')} EUR festgesetzt."),
        "Begründung:",
        d.pick("Die Erteilungsvoraussetzungen liegen nicht vor, da der Lebensunterhalt nicht gesichert ist (§ 5 Abs. 1 Nr. 1 AufenthG).",
               "Sie haben trotz Aufforderung keinen gültigen Pass vorgelegt (§ 5 Abs. 1 Nr. 4 AufenthG).",
               "Es besteht ein Ausweisungsinteresse nach § 54 AufenthG, das der Erteilung entgegensteht."),
        d.maybe(0.6, "Im Rahmen der Anhörung haben Sie keine Gründe vorgetragen, die eine andere Entscheidung rechtfertigen."),
        _rechtsbehelf(d),
        "Mit freundlichen Grüßen\nIm Auftrag",
    )


def _bescheid_gebuehr(d: _Doc) -> str:
    p = d.person
    return _join(
        d.office(),
        d.pick("Gebührenbescheid", "Kostenbescheid", "Gebührenfestsetzung"),
        f"Kassenzeichen: {d.rng.randint(10**9, 10**10 - 1)}",
        f"Aktenzeichen: {d.case_number}",
        f"{d.salutation()} {p.full_name}, {d.street}, {d.city_line}",
        f"Für die {d.pick('Erteilung der Aufenthaltserlaubnis', 'Ausstellung des elektronischen Aufenthaltstitels', 'Verlängerung des Aufenthaltstitels', 'Ausstellung einer Fiktionsbescheinigung')} "
        f"wird gemäß § {d.rng.randint(44, 48)} AufenthV eine Gebühr in Höhe von {d.pick('100,00', '98,00', '13,00', '93,00', '37,00')} EUR festgesetzt.",
        f"Bitte überweisen Sie den Betrag bis zum {d.date(d.later(14, 30))} unter Angabe des Kassenzeichens auf das Konto der Stadtkasse, IBAN {fd.iban(d.rng)}.",
        "Bei verspäteter Zahlung werden Säumniszuschläge erhoben.",
        _rechtsbehelf(d),
    )


def _bescheid_erteilung(d: _Doc) -> str:
    return _join(
        d.office(),
        f"Az.: {d.case_number}",
        d.pick("Bescheid über die Erteilung einer Aufenthaltserlaubnis", "Bescheid – Nebenbestimmungen zur Aufenthaltserlaubnis", "Zustimmungsbescheid"),
        d.dear(),
        d.pick(f"Ihnen wird eine Aufenthaltserlaubnis nach § {d.pick('18a', '18b', '28', '30', '16b')} AufenthG erteilt, gültig bis zum {d.date(d.later(300, 1100))}.",
               "Ihre Aufenthaltserlaubnis wird mit folgender Auflage versehen: Erwerbstätigkeit nur bei dem genannten Arbeitgeber gestattet.",
               "Die Wohnsitzauflage nach § 12a AufenthG wird aufgehoben."),
        "Der elektronische Aufenthaltstitel wird bei der Bundesdruckerei bestellt. Sie werden über die Abholung benachrichtigt.",
        d.maybe(0.7, "Die Entscheidung beruht auf § 71 Abs. 1 AufenthG in Verbindung mit den landesrechtlichen Zuständigkeitsvorschriften."),
        _rechtsbehelf(d),
        "Mit freundlichen Grüßen\nIm Auftrag",
    )


# --------------------------------------------------------------------------- urkunde

def _urkunde_geburt(d: _Doc) -> str:
    p = d.person
    mother, father = fd.random_person(d.rng), fd.random_person(d.rng)
    return _join(
        d.pick("Geburtsurkunde", "GEBURTSURKUNDE", "Auszug aus dem Geburtenregister"),
        f"(Standesamt {d.city}   Nr. G {d.rng.randint(100, 2999)}/{d.rng.randint(1980, 2024)})",
        f"Familienname: {p.surname}",
        f"Vornamen: {p.given_names}",
        f"Geschlecht: {d.pick('männlich', 'weiblich')}",
        f"Tag der Geburt: {d.date(p.date_of_birth)}",
        f"Ort der Geburt: {p.birthplace}",
        f"Mutter: {mother.given_names} {p.surname}, geb. {mother.surname}",
        f"Vater: {father.given_names} {p.surname}",
        d.maybe(0.6, "Änderungen der Eintragung: keine"),
        f"{d.city}, den {d.date()}",
        "Der Standesbeamte",
        d.maybe(0.5, "Siegel"),
    )


def _urkunde_ehe(d: _Doc) -> str:
    p = d.person
    partner = fd.random_person(d.rng)
    return _join(
        d.pick("Eheurkunde", "EHEURKUNDE", "Heiratsurkunde"),
        f"Standesamt {d.city}   Nr. E {d.rng.randint(10, 999)}/{d.rng.randint(1990, 2024)}",
        "Ehegatte 1",
        f"Familienname: {p.surname}   Vornamen: {p.given_names}",
        f"Tag und Ort der Geburt: {d.date(p.date_of_birth)}, {p.birthplace}",
        "Ehegatte 2",
        f"Familienname: {partner.surname}   Vornamen: {partner.given_names}",
        f"Tag und Ort der Geburt: {d.date(partner.date_of_birth)}, {partner.birthplace}",
        f"Tag und Ort der Eheschließung: {d.date(d.earlier(100, 5000))}, {d.city}",
        d.maybe(0.6, f"Familienname nach der Eheschließung: {p.surname}"),
        "Richtigkeit der Abschrift wird beglaubigt.",
        d.pick("Die Standesbeamtin", "Der Standesbeamte"),
    )


def _urkunde_uebersetzung(d: _Doc) -> str:
    p = d.person
    lang = d.pick("Arabischen", "Persischen (Dari)", "Türkischen", "Ukrainischen", "Tigrinya", "Rumänischen")
    return _join(
        f"Übersetzung aus dem {lang}",
        d.pick("Auszug aus dem Personenstandsregister", "Geburtsbescheinigung", "Heiratsvertrag", "Familienregisterauszug", "Nüfus Kayıt Örneği – Personenstandsauszug"),
        f"Name: {p.surname}",
        f"Vorname: {p.given_names}",
        f"Name des Vaters: {fd.random_person(d.rng).given_names}   Name der Mutter: {fd.random_person(d.rng).given_names}",
        f"Geburtsort und -datum: {p.birthplace}, {d.date(p.date_of_birth)}",
        f"Registernummer: {d.rng.randint(1000, 99999)}",
        d.maybe(0.6, "Stempel: Ministerium des Innern – Personenstandswesen"),
        d.maybe(0.6, "Legalisation durch die Deutsche Botschaft / Apostille liegt vor."),
        f"Die Richtigkeit und Vollständigkeit der vorstehenden Übersetzung aus dem {lang} wird bescheinigt.",
        f"{d.city}, {d.date()}   {fd.german_name(d.rng)}, öffentlich bestellte und beeidigte Übersetzerin",
    )


# Degree certificates, their recognition and marriage certificates in the wordings that reach an
# office (the Blue Card and family reunification need them): universities' letterheads, a degree
# statement in the foreign university's words, the ZAB's statement of comparability, a marriage
# entry as running text or as the multilingual extract.
_UNIVERSITIES = ["Technische Universität {city}", "Universität {city}", "Hochschule {city} – University of Applied "
                 "Sciences", "Fachhochschule {city}", "Ludwig-Maximilians-Universität", "Rheinische Friedrich-"
                 "Wilhelms-Universität", "National Technical University of Ukraine", "Cairo University",
                 "University of Lagos", "Universidade de São Paulo", "Anna University, Chennai", "Istanbul Teknik "
                 "Üniversitesi", "University of Tehran"]
_DEGREES = ["Master of Science (M.Sc.)", "Bachelor of Engineering (B.Eng.)", "Bachelor of Science (B.Sc.)",
            "Master of Arts (M.A.)", "Diplom-Ingenieur (Dipl.-Ing.)", "Doktor der Naturwissenschaften (Dr. rer. nat.)",
            "Master of Engineering (M.Eng.)", "Bachelor of Technology (B.Tech.)", "Master of Business Administration"]
_SUBJECTS = ["Informatik", "Maschinenbau", "Elektrotechnik", "Wirtschaftsinformatik", "Bauingenieurwesen", "Medizin",
             "Chemie", "Mathematik", "Computer Science", "Mechanical Engineering", "Data Science", "Pharmazie"]


def _urkunde_hochschule(d: _Doc) -> str:
    p = d.person
    university = d.pick(*_UNIVERSITIES).format(city=d.city)
    degree, subject = d.pick(*_DEGREES), d.pick(*_SUBJECTS)
    return _join(
        university,
        d.pick("Urkunde", "URKUNDE", "Masterurkunde", "Bachelorurkunde", "Diplomurkunde", "Hochschulabschlusszeugnis",
               "Degree Certificate / Urkunde"),
        d.pick(p.full_name, ("Herr " if p.sex == "M" else "Frau ") + p.full_name),
        f"geboren am {d.date(p.date_of_birth)} in {p.birthplace}",
        d.pick(f"hat die {d.pick('Masterprüfung', 'Bachelorprüfung', 'Diplomprüfung', 'Abschlussprüfung')} im "
               f"Studiengang {subject} {d.pick('mit Erfolg abgelegt', 'bestanden', 'erfolgreich abgeschlossen')}.",
               f"hat das Studium der Fachrichtung {subject} ordnungsgemäß abgeschlossen.",
               f"has successfully completed the degree programme in {subject}."),
        d.pick("Aufgrund dieser Prüfung wird der akademische Grad", "Die Hochschule verleiht ihr/ihm den Grad",
               "Ihm/Ihr wird hiermit der Hochschulgrad", "and is hereby awarded the degree of"),
        degree,
        d.pick("verliehen.", "", "zuerkannt."),
        d.maybe(0.6, f"Gesamtnote: {d.pick('sehr gut (1,3)', 'gut (2,0)', 'gut (1,8)', 'befriedigend (2,7)', 'mit Auszeichnung')}"),
        d.maybe(0.5, f"Regelstudienzeit: {d.pick('4', '6', '7', '10')} Semester   Abschluss: {d.date(d.earlier(200, 4000))}"),
        f"{d.city}, den {d.date()}",
        d.pick("Der Präsident", "Die Präsidentin", "Der Dekan der Fakultät", "Die Rektorin", "Prüfungsausschuss", "Rector"),
        d.maybe(0.5, "Siegel der Hochschule"),
    )


def _urkunde_anerkennung(d: _Doc) -> str:
    p = d.person
    subject, degree = d.pick(*_SUBJECTS), d.pick(*_DEGREES)
    return _join(
        d.pick("Zentralstelle für ausländisches Bildungswesen (ZAB)", "Kultusministerkonferenz – Zentralstelle für "
               "ausländisches Bildungswesen", "anabin – Zeugnisbewertung", "ZAB im Sekretariat der KMK"),
        d.pick("Zeugnisbewertung für ausländische Hochschulqualifikationen", "Bewertung eines ausländischen "
               "Hochschulabschlusses", "Anerkennung des ausländischen Hochschulabschlusses", "Statement of Comparability"),
        f"Inhaber/in der Qualifikation: {p.full_name}, geb. {d.date(p.date_of_birth)}",
        f"Ausländische Qualifikation: {degree} in {subject}, {d.pick(*_UNIVERSITIES).format(city=d.city)}",
        d.pick("Der Abschluss entspricht einem deutschen Hochschulabschluss auf Bachelor-Ebene.",
               "Der ausländische Hochschulabschluss ist einem deutschen Masterabschluss vergleichbar.",
               "Die Hochschule hat in der anabin-Datenbank den Status H+.",
               "Es handelt sich um einen abgeschlossenen Hochschulabschluss, der dem deutschen Diplom (Universität) "
               "gleichwertig ist."),
        d.maybe(0.6, f"Aktenzeichen der Zeugnisbewertung: {d.rng.randint(1000000, 9999999)}"),
        d.maybe(0.5, "Die Zeugnisbewertung ist kein Verwaltungsakt und keine berufsrechtliche Anerkennung."),
        f"Bonn, {d.date()}",
    )


def _urkunde_ehe_eintrag(d: _Doc) -> str:
    p = d.person
    partner = fd.random_person(d.rng)
    married = d.date(d.earlier(300, 6000))
    return _join(
        d.pick(f"Standesamt {d.city}", f"Der Standesbeamte des Standesamtes {d.city}", "Republik Türkei – "
               "Personenstandsamt", "Internationale Heiratsurkunde (CIEC)", "Auszug aus dem Heiratseintrag"),
        d.pick("Heiratsurkunde", "Eheurkunde", "Auszug aus dem Eheregister", "Bescheinigung über die Eheschließung",
               "Marriage certificate / Heiratsurkunde"),
        d.pick(f"Die Ehe wurde am {married} in {d.city} geschlossen zwischen",
               f"Vor dem Standesbeamten haben am {married} die Ehe geschlossen:",
               f"Tag der Eheschließung: {married}"),
        f"{p.full_name}, geboren am {d.date(p.date_of_birth)} in {p.birthplace},",
        f"{d.pick('und', 'Ehemann/Ehefrau:', 'sowie')} {partner.full_name}, geboren am {d.date(partner.date_of_birth)} in {partner.birthplace}.",
        d.maybe(0.6, f"Ehename: {p.surname}"),
        d.maybe(0.5, d.pick("Beglaubigte Übersetzung aus dem Arabischen", "Übersetzung: vereidigte Dolmetscherin",
                            "Apostille vom " + d.date(d.earlier(10, 200)))),
        d.pick("Die Übereinstimmung mit dem Eintrag wird bestätigt.", "Für die Richtigkeit", "Beglaubigt"),
        f"{d.city}, {d.date()}",
    )


# --------------------------------------------------------------------------- sprachzertifikat

def _sprach_goethe(d: _Doc) -> str:
    p = d.person
    level = d.pick("A2", "B1", "B2", "C1")
    return _join(
        d.pick("GOETHE-INSTITUT", "Goethe-Institut e.V."),
        d.pick(f"Goethe-Zertifikat {level}", f"GOETHE-ZERTIFIKAT {level}", f"Zertifikat Deutsch {level}"),
        "Prüfungsergebnis",
        f"{p.surname}, {p.given_names}",
        f"geboren am {d.date(p.date_of_birth)} in {p.birthplace}",
        f"hat am {d.date(d.earlier(10, 700))} die Prüfung {d.pick('bestanden', 'mit folgendem Ergebnis abgelegt')}:",
        f"Lesen {d.rng.randint(60, 100)}   Hören {d.rng.randint(60, 100)}   Schreiben {d.rng.randint(60, 100)}   Sprechen {d.rng.randint(60, 100)}",
        f"Gesamtergebnis: {d.pick('gut', 'befriedigend', 'sehr gut', 'ausreichend')}",
        f"Die Prüfung entspricht der Kompetenzstufe {level} des Gemeinsamen europäischen Referenzrahmens für Sprachen (GER).",
        f"Prüfungszentrum: {d.city}   Teilnehmernummer: {d.rng.randint(100000, 999999)}",
    )


def _sprach_telc(d: _Doc) -> str:
    p = d.person
    return _join(
        "telc gGmbH",
        d.pick("Deutsch-Test für Zuwanderer", "telc Deutsch B1 – Zertifikat Deutsch", "Zertifikat Deutsch-Test für Zuwanderer (DTZ)"),
        f"Name: {p.surname}   Vorname: {p.given_names}",
        f"Geburtsdatum: {d.date(p.date_of_birth)}   Geburtsort: {p.birthplace}",
        f"Prüfungsdatum: {d.date(d.earlier(10, 500))}",
        "Ergebnis der Prüfung:",
        f"Hören/Lesen: {d.rng.randint(20, 45)} Punkte   Schreiben: {d.rng.randint(10, 20)} Punkte   Sprechen: {d.rng.randint(50, 100)} Punkte",
        d.pick("Gesamtergebnis: B1", "Gesamtergebnis: A2", "Niveau B1 erreicht"),
        "Die Teilnehmerin / der Teilnehmer hat die Prüfung im Rahmen des Integrationskurses abgelegt.",
        d.maybe(0.6, "Dieses Zertifikat ist ohne Unterschrift gültig. Die Echtheit kann online überprüft werden."),
        f"Prüfungszentrum: Volkshochschule {d.city}",
    )


def _sprach_oesd(d: _Doc) -> str:
    p = d.person
    level = d.pick("B1", "B2", "C1")
    return _join(
        d.pick("ÖSD Österreichisches Sprachdiplom Deutsch", "ÖSD-Zertifikat"),
        f"ÖSD Zertifikat {level}",
        f"Kandidat/in: {p.full_name}",
        f"geb. {d.date(p.date_of_birth)}",
        f"Prüfungstermin: {d.date(d.earlier(10, 500))}   Prüfungsort: {d.city}",
        "Modul Lesen: bestanden   Modul Hören: bestanden   Modul Schreiben: bestanden   Modul Sprechen: bestanden",
        f"Punkte gesamt: {d.rng.randint(60, 100)} von 100",
        f"Das Zertifikat bescheinigt Sprachkenntnisse auf der Stufe {level} des Europäischen Referenzrahmens.",
        d.maybe(0.6, "Prüfungsleitung"),
    )


def _sprach_integrationskurs(d: _Doc) -> str:
    """The BAMF certificate at the end of an integration course (language test and orientation test)."""
    p = d.person
    return _join(
        d.pick("Bundesamt für Migration und Flüchtlinge", f"Integrationskursträger: Volkshochschule {d.city}", f"Sprachschule {d.city} GmbH"),
        d.pick("Zertifikat Integrationskurs", "Bestätigung über den erfolgreichen Abschluss des Integrationskurses",
               "Nachweis über die Teilnahme am Integrationskurs (§ 43 AufenthG)"),
        d.pick(f"{p.full_name}, geb. {d.date(p.date_of_birth)}", f"Kursteilnehmer/in: {p.surname}, {p.given_names}"),
        f"hat den Integrationskurs mit {d.pick('600', '900', '1000')} Unterrichtseinheiten besucht.",
        f"Sprachprüfung Deutsch-Test für Zuwanderer: {d.pick('B1', 'A2', 'B1')} erreicht",
        d.maybe(0.8, f"Test „Leben in Deutschland“: {d.rng.randint(15, 33)} von 33 Punkten – bestanden"),
        d.pick("Damit ist der Integrationskurs erfolgreich abgeschlossen.", "Der Sprachkurs und der Orientierungskurs wurden abgeschlossen."),
        f"{d.city}, {d.date()}",
    )


# --------------------------------------------------------------------------- sonstiges

def _sonst_schule(d: _Doc) -> str:
    p = d.person
    return _join(
        d.pick(f"Gesamtschule {d.city}-Mitte", f"Grundschule am Park, {d.city}", f"Berufskolleg {d.city}"),
        d.pick("Schulbescheinigung", "Schulbesuchsbescheinigung", "Bescheinigung über den Schulbesuch"),
        f"Hiermit wird bescheinigt, dass {p.full_name} die Klasse {d.rng.randint(1, 12)}{d.pick('a', 'b', 'c')} unserer Schule im Schuljahr {d.day.year}/{d.day.year + 1} besucht.",
        d.maybe(0.6, f"Der Schulbesuch endet voraussichtlich am {d.date(d.later(100, 900))}."),
        "Die Bescheinigung wird zur Vorlage bei Behörden ausgestellt.",
        f"{d.city}, {d.date()}   Schulleitung",
    )


def _sonst_konto(d: _Doc) -> str:
    p = d.person
    lines = [f"{d.date(d.earlier(1, 30))}  {d.pick('Lastschrift', 'Gutschrift', 'Kartenzahlung', 'Dauerauftrag')} {d.pick('Miete', 'Lohn', 'REWE', 'Stadtwerke', 'Telekom', 'Kindergeld')}  {fd.money(d.rng, 5, 2500)}" for _ in range(d.rng.randint(4, 9))]
    return _join(
        d.rng.choice(fd.BANKS) + " " + d.city,
        d.pick("Kontoauszug", "Kontoauszug Nr. " + str(d.rng.randint(1, 12)), "Umsatzübersicht Girokonto"),
        f"Kontoinhaber: {p.full_name}",
        f"IBAN: {fd.iban(d.rng)}",
        f"Alter Kontostand: {fd.money(d.rng, 0, 5000)} EUR",
        *lines,
        f"Neuer Kontostand: {fd.money(d.rng, 0, 5000)} EUR",
    )


def _sonst_arzt(d: _Doc) -> str:
    p = d.person
    return _join(
        f"Praxis Dr. med. {fd.german_name(d.rng)}",
        d.pick("Facharzt für Allgemeinmedizin", "Fachärztin für Innere Medizin", "Kinder- und Jugendmedizin"),
        d.pick("Ärztliches Attest", "Ärztliche Bescheinigung", "Arztbrief"),
        f"Patient/in: {p.full_name}, geb. {d.date(p.date_of_birth)}",
        d.pick("Der Patient befindet sich seit längerem in meiner Behandlung.",
               "Aufgrund einer akuten Erkrankung ist die Patientin derzeit nicht reisefähig.",
               "Es besteht eine chronische Erkrankung, die regelmäßige ärztliche Kontrollen erfordert."),
        d.maybe(0.7, f"Diagnose: {d.pick('J06.9', 'M54.5', 'F43.1', 'E11.9')} (ICD-10)"),
        f"{d.city}, {d.date()}   Stempel und Unterschrift des Arztes",
    )


def _sonst_termin(d: _Doc) -> str:
    p = d.person
    return _join(
        d.pick("Terminbestätigung", "Ihre Terminbuchung", "Bestätigung Ihres Termins"),
        f"{d.dear()}" if d.rng.random() < 0.5 else "Guten Tag,",
        f"Ihr Termin am {d.date(d.later(3, 40))} um {d.rng.randint(8, 15)}:{d.pick('00', '15', '30', '45')} Uhr wurde erfolgreich gebucht.",
        f"Buchungsnummer: {d.rng.randint(100000, 999999)}",
        "Bitte bringen Sie alle erforderlichen Unterlagen mit und erscheinen Sie pünktlich.",
        "Falls Sie den Termin nicht wahrnehmen können, sagen Sie ihn bitte rechtzeitig online ab.",
        d.maybe(0.5, f"Name: {p.full_name}"),
    )


def _sonst_misc(d: _Doc) -> str:
    p = d.person
    kind = d.rng.randint(0, 4)
    if kind == 0:
        return _join(f"Universität {d.city}", "Immatrikulationsbescheinigung", f"{p.full_name}, geb. {d.date(p.date_of_birth)}",
                     f"ist im {d.pick('Sommersemester', 'Wintersemester')} {d.day.year} im Studiengang {d.pick('Informatik', 'Maschinenbau', 'BWL', 'Medizin')} eingeschrieben.",
                     f"Fachsemester: {d.rng.randint(1, 10)}   Matrikelnummer: {d.rng.randint(100000, 999999)}")
    if kind == 1:
        return _join(f"Kindertagesstätte {d.pick('Sonnenblume', 'Regenbogen', 'Pusteblume')}", "Betreuungsbestätigung",
                     f"Das Kind {p.given_names} {p.surname} wird seit {d.date(d.earlier(30, 900))} in unserer Einrichtung betreut.",
                     f"Betreuungsumfang: {d.rng.randint(25, 45)} Stunden pro Woche.", f"{d.city}, {d.date()}   Kita-Leitung")
    if kind == 2:
        return _join(d.pick("Stadtwerke " + d.city, "Telekom Deutschland GmbH", "Vodafone GmbH"), "Rechnung",
                     f"Kundennummer {d.rng.randint(10**6, 10**7)}   Rechnungsdatum {d.date()}", f"{p.full_name}, {d.street}, {d.city_line}",
                     f"Rechnungsbetrag: {fd.money(d.rng, 20, 300)} EUR", "Der Betrag wird von Ihrem Konto abgebucht.")
    if kind == 3:
        return _join("Bundesamt für Migration und Flüchtlinge", d.pick("Bescheinigung über die Teilnahme am Orientierungskurs", "Test „Leben in Deutschland“ – Ergebnis"),
                     f"{p.full_name}, geb. {d.date(p.date_of_birth)}", f"hat am {d.date(d.earlier(10, 300))} den Test mit {d.rng.randint(15, 33)} von 33 Punkten bestanden.")
    return _join(d.pick("Sportverein", "Förderverein", "Kulturverein") + f" {d.city} e.V.", d.pick("Mitgliedsbestätigung", "Bestätigung ehrenamtlicher Tätigkeit"),
                 f"Hiermit bestätigen wir, dass {p.full_name} seit {d.date(d.earlier(200, 3000))} aktives Mitglied unseres Vereins ist.",
                 d.maybe(0.7, "Er/Sie engagiert sich regelmäßig als Trainer/in in der Jugendabteilung."), f"{d.city}, {d.date()}   Der Vorstand")


def _sonst_mail(d: _Doc) -> str:
    """A short e-mail that only carries attachments, as the mail path renders its body (header block, text)."""
    p = d.person
    sender = d.pick(f"{p.full_name} <{fold_name(p.surname).replace(' ', '')}@{d.pick('web.example', 'gmx.example', 'posteo.example')}>",
                    f"Lohnbuchhaltung <lohn@{fold_name(d.city).replace(' ', '')}-logistik.example>",
                    f"Sekretariat <info@schule-{fold_name(d.city).replace(' ', '')}.example>")
    note = d.pick(
        "im Anhang sende ich Ihnen die fehlenden Nachweise.",
        "wie telefonisch besprochen erhalten Sie beigefügt die Kopien.",
        "bitte finden Sie beigefügt die gewünschten Unterlagen zu meinem Vorgang.",
        "hiermit reiche ich die angeforderten Papiere nach.",
        f"beiliegend die Bescheinigung für {p.full_name}, wie von Ihnen erbeten.",
        "ich hoffe, die Scans sind gut lesbar. Bei Fragen melden Sie sich gerne.",
    )
    return _join(
        f"Von:        {sender}",
        f"An:         {d.pick('abh', 'auslaenderamt', 'poststelle')}@{fold_name(d.city).replace(' ', '')}.example",
        f"Datum:      {d.day:%a, %d %b %Y} {d.rng.randint(7, 19):02d}:{d.rng.randint(0, 59):02d}:00 +0200",
        f"Betreff:    {d.pick('Nachweise', 'Unterlagen Aufenthaltstitel', 'Fw: Scans', 'AW: Ihr Schreiben', 'Kopien')}"
        + d.maybe(0.4, f" – Az. {d.case_number}"),
        f"Anhänge:    {d.pick('Scan', 'Dokument', 'IMG')}_{d.rng.randint(1, 40)}.{d.pick('pdf', 'jpg', 'png')}",
        "-" * 40,
        d.pick("Guten Tag,", "Hallo,", "Sehr geehrte Damen und Herren,", d.dear()),
        note,
        d.maybe(0.4, f"Geburtsdatum: {d.date(p.date_of_birth)}"),
        d.pick("Viele Grüße", "Mit freundlichen Grüßen", "Beste Grüße", "Danke und Gruß"),
        d.pick(p.full_name, p.given_names, "Lohnbuchhaltung"),
    )


TEMPLATES: dict[str, list[Callable[[_Doc], str]]] = {
    "antrag": [_antrag_form, _antrag_letter, _antrag_einbuergerung, _antrag_familiennachzug, _antrag_mail],
    "pass": [_pass_visual, _pass_copy, _pass_foreign, _pass_reiseausweis],
    "meldebescheinigung": [_melde_einfach, _melde_erweitert, _melde_anmeldung],
    "arbeitsvertrag": [_arbeitsvertrag_standard, _arbeitsvertrag_befristet, _arbeitsvertrag_minijob],
    "gehaltsnachweis": [_gehalt_abrechnung, _gehalt_stunden, _gehalt_bescheinigung],
    "mietvertrag": [_miet_wohnraum, _miet_unter, _miet_gesellschaft],
    "krankenversicherung": [_kv_mitglied, _kv_privat, _kv_familie],
    "anwaltsschreiben": [_anwalt_bestellung, _anwalt_stellungnahme, _anwalt_widerspruch],
    "bescheid": [_bescheid_ablehnung, _bescheid_gebuehr, _bescheid_erteilung],
    "urkunde": [_urkunde_geburt, _urkunde_ehe, _urkunde_uebersetzung],
    "sprachzertifikat": [_sprach_goethe, _sprach_telc, _sprach_oesd, _sprach_integrationskurs],
    "sonstiges": [_sonst_schule, _sonst_konto, _sonst_arzt, _sonst_termin, _sonst_misc, _sonst_mail],
}

# Degree certificates, their recognition and marriage entries: the Blue Card and family reunification
# need them, and a model that knew only the three kinds above typed them below the review threshold.
EXTRA_TEMPLATES: dict[str, list[Callable[[_Doc], str]]] = {
    "urkunde": [_urkunde_hochschule, _urkunde_anerkennung, _urkunde_ehe_eintrag],
}


def _page_excerpt(text: str, rng: random.Random) -> str:
    """A part of a document, as when only one page of several was scanned."""
    lines = text.splitlines()
    if len(lines) < 8:
        return text
    start = rng.randint(0, len(lines) // 2)
    return "\n".join(lines[start:start + rng.randint(len(lines) // 2, len(lines))])


def write_corpus(path: str | Path, texts: Sequence[str], labels: Sequence[str]) -> None:
    """Write a training corpus as gzip JSON lines (reproducible bytes: no timestamp)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        for text, label in zip(texts, labels):
            handle.write((json.dumps({"label": label, "text": text}, ensure_ascii=False) + "\n").encode("utf-8"))


def generate_corpus(per_class: int = DEFAULT_PER_CLASS, seed: int = DEFAULT_SEED) -> tuple[list[str], list[str]]:
    """Generate (texts, labels): per_class noisy synthetic documents for every type."""
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[str] = []
    for label in DEFAULT_TAXONOMY:
        templates = TEMPLATES[label]
        for i in range(per_class):
            texts.append(_sample(templates[i % len(templates)], rng))
            labels.append(label)
    # Kinds of paper added later come from a generator of their own, so that the examples above
    # (and what the model learned from them) stay as they were.
    extra = random.Random(seed + 1)
    for label, templates in EXTRA_TEMPLATES.items():
        for i in range(round(per_class * len(templates) / 3)):
            texts.append(_sample(templates[i % len(templates)], extra))
            labels.append(label)
    return texts, labels


def _sample(template: Callable[[_Doc], str], rng: random.Random) -> str:
    """One noisy document from *template* (sometimes only a page of it)."""
    text = template(_Doc(rng))
    if rng.random() < 0.15:
        text = _page_excerpt(text, rng)
    return add_ocr_noise(text, rng, level=rng.choice([0.0, 0.01, 0.02, 0.03, 0.05]))


def main(argv: list[str] | None = None) -> int:
    """Generate the corpus, train the classifier and write both into --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for doctype.joblib and training.jsonl.gz")
    parser.add_argument("--per-class", type=int, default=DEFAULT_PER_CLASS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)

    texts, labels = generate_corpus(args.per_class, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    corpus_path = args.out / CORPUS_FILE.name
    model_path = args.out / MODEL_FILE.name
    write_corpus(corpus_path, texts, labels)
    classifier = DocTypeClassifier.train(texts, labels, seed=args.seed)
    classifier.save(model_path)
    print(f"{len(texts)} texts -> {corpus_path} ({corpus_path.stat().st_size / 1e6:.2f} MB)")
    print(f"model -> {model_path} ({model_path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
