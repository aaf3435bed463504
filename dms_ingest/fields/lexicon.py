"""The office's own vocabulary, to read the subject of its letters as a person reads it.

OCR often loses the dots of an umlaut ("Beschaftigungserlaubnis") and is unsure of a large bold
heading although every word of it is an ordinary office word. A word found in this vocabulary is
restored to its spelling, and counts as read: a misreading that lands exactly on another office
word is far less likely than one that lands on no word at all. Words outside it keep OCR's doubt.
"""

from __future__ import annotations

import re

# Stems with umlauts as they occur in the office's decisions, also inside compounds
# ("Beschäftigungserlaubnis", "Verlängerungsantrag").
_UMLAUT_STEMS = ("Verlängerung", "Beschäftigung", "Änderung", "Gebühr", "Gültigkeit", "Bestätigung", "Erklärung",
                 "Zurückweisung", "Rücknahme", "Anhörung", "Verfügung", "Zuständigkeit", "Einbürgerung",
                 "Angehörig", "Ausländer", "Aufenthaltsgestattung", "Befürwortung", "Erlöschen", "Ermäßigung",
                 "Härtefall", "Nachträglich", "Übermittlung")
# Short words with umlauts: restored only as whole words.
_UMLAUT_WORDS = ("über", "für", "gemäß", "zurück")
# Office words without umlauts (and the function words of a subject line).
_PLAIN = """
bescheid bescheide bescheinigung erteilung einer eines einen ihrer ihres ihre ihren die der des dem den das zu zur zum
und oder mit ohne von vom auf aus bei nach wegen sowie im in am an hier betreff antrag antrags aufenthaltserlaubnis
aufenthaltstitel aufenthaltstitels niederlassungserlaubnis erlaubnis beschäftigungserlaubnis nebenbestimmung
nebenbestimmungen ablehnung ausweisung abschiebung abschiebungsandrohung duldung visum visums blaue karte eu
familiennachzug familiennachzugs daueraufenthalt fiktionsbescheinigung passpflicht widerruf widerrufs
aufenthaltsgenehmigung entscheidung ausreisepflicht ausreiseaufforderung anordnung wohnsitzauflage auflage
auflagen befristung zustimmung ehegattennachzug aufenthaltsgestattung verpflichtungserklärung
"""

_UMLAUT_FOLD = str.maketrans("äöüÄÖÜ", "aouAOU")
_STEM_BY_FOLDED = {s.lower().translate(_UMLAUT_FOLD): s for s in _UMLAUT_STEMS}
_WORD_BY_FOLDED = {w.lower().translate(_UMLAUT_FOLD): w for w in _UMLAUT_WORDS}
_KNOWN = set(_PLAIN.split()) | {w.lower() for w in _UMLAUT_WORDS}


def _cased(original: str, replacement: str) -> str:
    return replacement[0].upper() + replacement[1:] if original[:1].isupper() else replacement.lower()


def _fold(word: str) -> str:
    return word.translate(_UMLAUT_FOLD)


def restore_umlauts(text: str) -> str:
    """'Bescheid uber die Verlangerung' → 'Bescheid über die Verlängerung' (known office words only);
    a speck read as an umlaut on a known word ('Nebenbestimmüng', seed 57) is no part of it."""
    def word(m: re.Match[str]) -> str:
        token = m.group()
        if re.search("[äöüÄÖÜ]", token):
            if is_office_word(token):
                return token
            restored = _restored(_fold(token))
            return restored if is_office_word(restored) else token
        return _restored(token)

    return re.sub(r"[A-Za-zÄÖÜäöüß]+", word, text)


def _restored(token: str) -> str:
    """A word without umlauts with those of the office word it is (else as it is); 'ü' read as "ii"
    ("iiber", seed 44) as well."""
    for lower in dict.fromkeys((token.lower(), token.lower().replace("ii", "u"))):
        restored = _restored_lower(token, lower)
        if restored is not None:
            return restored
    return token


def _restored_lower(token: str, lower: str) -> str | None:
    if lower in _WORD_BY_FOLDED:
        return _cased(token, _WORD_BY_FOLDED[lower])
    for folded, stem in _STEM_BY_FOLDED.items():
        at = lower.find(folded)
        if at >= 0:
            return _cased(token, lower[:at] + stem.lower() + lower[at + len(folded):])
    return None


def is_office_word(token: str) -> bool:
    """A word of the office's vocabulary (an umlaut stem also inside a compound)."""
    lower = token.lower().strip(".,:;")
    if lower in _KNOWN:
        return True
    return any(stem.lower() in lower for stem in _UMLAUT_STEMS)


# Words of company names whose umlauts OCR loses ("Backerei Sonnenschein", "Lagerhaus Sud AG").
_TRADE_WORDS = {"backerei": "Bäckerei", "gartnerei": "Gärtnerei", "sohne": "Söhne", "bruder": "Brüder", "sud": "Süd"}


def restore_trade_umlauts(name: str) -> str:
    """A company name with the umlauts of its trade words restored (whole words only)."""
    return re.sub(r"[A-Za-z]+", lambda m: _cased(m.group(), _TRADE_WORDS[m.group().lower()])
                  if m.group().lower() in _TRADE_WORDS else m.group(), name)


# Towns whose umlauts OCR loses or reads as "ii" ("Munchen", "Miinster"): a town's name is a closed
# vocabulary, restored whole-word only.
_TOWNS = ("München", "Köln", "Düsseldorf", "Nürnberg", "Münster", "Lübeck", "Saarbrücken", "Osnabrück", "Göttingen",
          "Würzburg", "Fürth", "Tübingen", "Mönchengladbach", "Gütersloh", "Lüneburg", "Düren", "Lünen", "Lüdenscheid",
          "Böblingen", "Lörrach", "Zweibrücken", "Jülich", "Hürth", "Brühl", "Mülheim", "Überlingen", "Königswinter",
          "Bünde", "Nördlingen", "Völklingen", "Fürstenfeldbruck", "Schwäbisch", "Gmünd", "Dülmen", "Büdingen")
_TOWN_BY_FOLDED = {t.lower().translate(_UMLAUT_FOLD): t for t in _TOWNS}


def restore_town_umlauts(city: str) -> str:
    """'Munchen' → 'München', 'Miinster' or 'Minster' → 'Münster' (known towns, whole words only; an 'i'
    for the 'ü' whose dots ran together only in a word that is no known town as read)."""
    def word(m: re.Match[str]) -> str:
        token = m.group()
        lower = token.lower()
        one_i = [lower[:k] + "u" + lower[k + 1:] for k, ch in enumerate(lower) if ch == "i"]
        for folded in (lower, lower.replace("ii", "u"), *one_i):
            if folded in _TOWN_BY_FOLDED:
                return _TOWN_BY_FOLDED[folded]
        return token

    return re.sub(r"[A-Za-z]+", word, city)


# Polish given names with 'ł', which the German OCR model lacks and reads as 't' ("Pawet", seed 59;
# "Matgorzata", seed 57). Read so, none of them is another name ("Rafat" is one: Rafał is left out).
_GIVEN_NAMES_WITH_STROKE = ("Paweł", "Michał", "Małgorzata", "Stanisław", "Władysław", "Jarosław", "Mirosław",
                            "Bolesław", "Wiesław", "Zdzisław", "Przemysław", "Radosław", "Bogusław", "Czesław",
                            "Wacław", "Sławomir", "Mikołaj", "Łukasz", "Bartłomiej", "Łucja")
_GIVEN_NAME_BY_READING = {n.replace("ł", "t").replace("Ł", "t").lower(): n for n in _GIVEN_NAMES_WITH_STROKE}


def restore_stroked_given_names(name: str) -> str:
    """'Pawet Dabrowski' → 'Paweł Dabrowski': known given names whose 'ł' OCR read as 't' (whole words)."""
    return re.sub(r"[A-Za-z]+", lambda m: _GIVEN_NAME_BY_READING.get(m.group().lower(), m.group()), name)


# Street-name words whose umlauts OCR loses ("Muhlenweg", seed 44), at the start of the street's name.
_STREET_STEMS = ("Mühlen", "Brücken", "Schützen", "Römer", "König", "Fürsten", "Gärtner", "Jäger", "Förster",
                 "Hölderlin", "Lärchen")
_STREET_STEM_BY_FOLDED = {t.lower().translate(_UMLAUT_FOLD): t for t in _STREET_STEMS}


def restore_street_umlauts(street: str) -> str:
    """'Muhlenweg 158a' → 'Mühlenweg 158a': a known stem beginning one of the street's words."""
    def word(m: re.Match[str]) -> str:
        token = m.group()
        for folded, stem in _STREET_STEM_BY_FOLDED.items():
            if token.lower().startswith(folded):
                return stem + token[len(stem):]
        return token

    return re.sub(r"\b[A-Z][a-z]+", word, street)
