"""People mentioned in German documents: dates of birth, name candidates, name folding and similarity."""

from __future__ import annotations

import bisect
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

# ---------------------------------------------------------------------------
# Name folding

# Letters that Unicode decomposition does not reduce to ASCII.
_SPECIAL_LETTERS = {
    "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "å": "a",
    "ı": "i", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ħ": "h", "ŀ": "l", "ʼ": "", "’": "", "'": "", "`": "",
}


def fold_name(name: str) -> str:
    """Fold a name to lower-case ASCII words (ü→ue, ß→ss, ı→i, ş→s, accents dropped)."""
    text = unicodedata.normalize("NFC", name).casefold()
    text = "".join(_SPECIAL_LETTERS.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^a-z]+", " ", text)
    return text.strip()


def loose_name(name: str) -> str:
    """Fold a name so that Müller, Mueller and Muller (and Strauß/Strauss) become equal."""
    return re.sub(r"([aou])e", r"\1", fold_name(name))


def name_tokens(name: str) -> list[str]:
    """Loose-folded words of a name, in order."""
    return loose_name(name).split()


def name_letters(name: str) -> str:
    """The loose-folded letters of a name without the spaces between its words ("Thi Hoa" = "ThiHoa")."""
    return "".join(name_tokens(name))


def _ocr_shape(word: str) -> str:
    # Glyphs OCR confuses in names: l/I/i ("lon" for "Ion"), rn/m and nr/m ("Yılnraz" for "Yılmaz"), vv/w,
    # cl/d, q/g ("Nagib" for "Naqib"), and an upper-case H split into F and I ("KFIALIL" for "KHALIL").
    return (word.replace("fi", "h").replace("rn", "m").replace("nr", "m").replace("vv", "w").replace("cl", "d")
            .replace("l", "i")
            .replace("j", "i").replace("q", "g"))


def word_similarity(a: str, b: str) -> float:
    """Similarity (0–100) of two folded name words, forgiving OCR glyph confusions."""
    if a == b:
        return 100.0
    return float(max(fuzz.ratio(a, b), fuzz.ratio(_ocr_shape(a), _ocr_shape(b))))


def name_similarity(a: str, b: str) -> float:
    """Token-set similarity (0–100) of two names after folding; word order does not matter."""
    return float(fuzz.token_set_ratio(loose_name(a), loose_name(b)))


def person_name_score(surname: str, given_names: str, other_surname: str, other_given: str) -> float:
    """How well two (surname, given names) pairs agree: surname and at least one given name must match."""
    s1, s2 = name_letters(surname), name_letters(other_surname)
    if not s1 or not s2:
        return 0.0
    surname_score = word_similarity(s1, s2)
    given_a, given_b = name_tokens(given_names), name_tokens(other_given)
    if not given_a or not given_b:
        return 0.0
    given_score = max(word_similarity(x, y) for x in given_a for y in given_b)
    return float(min(surname_score, given_score))


def reads_as_name(surname: str, given_names: str, read_surname: str, read_given: str) -> bool:
    """The text's name is a reading of exactly this name: the same letters in order, up to spaces OCR ran
    together or split ("ThiHoa Vu" for Thi Hoa Vu) and an n of the name read as "ri" ("Stefari" for
    Ștefan). Letter for letter, never merely similar: only for a name that comes with its birth date.
    A reading whose surname or given names are unknown (a name of unclear order) is none."""
    if not (surname and given_names and read_surname and read_given):
        return False
    return _reads_as(name_letters(given_names), name_letters(read_given)) and \
        _reads_as(name_letters(surname), name_letters(read_surname))


def _reads_as(letters: str, read: str) -> bool:
    if letters == read:
        return True
    return bool(letters) and "ri" in read and re.fullmatch("".join(
        "(?:n|ri)" if ch == "n" else re.escape(ch) for ch in letters), read) is not None


# Letters German OCR has no glyph for and reads as others: the registry spelling tells where to expect
# them ("Szymański" printed, "Szymariski" or "Szymafiski" read; "Łukasz" read "tukasz"; "Kılıç" read
# "Kılıg", the cedilla taken for a descender; "Nikolić" read "Nikolid" or "Nikolié"). Only the registry's
# own name gets the variants, never the text; each reading is one way of reading them all.
_OCR_READINGS_OF_LETTERS = ({"ń": "ri", "Ń": "RI", "Ł": "t", "ł": "t", "ç": "g", "Ç": "G", "ć": "d"},
                            {"ń": "fi", "Ń": "FI", "Ł": "t", "ł": "t", "ć": "é"})


def _printed_spellings(name: str) -> list[str]:
    """The name as written, and as OCR reads its letters that the German model lacks."""
    variants = ["".join(reading.get(ch, ch) for ch in name) for reading in _OCR_READINGS_OF_LETTERS]
    return list(dict.fromkeys([name, *variants]))


def registry_name_score(surname: str, given_names: str, read_surname: str, read_given: str) -> float:
    """person_name_score of a registry name against one read in a text, also as OCR reads the registry
    name's letters that the German model lacks ("Nikolid" for Nikolić), as TextNames.find does."""
    return max(person_name_score(family, given, read_surname, read_given)
               for family in _printed_spellings(surname) for given in _printed_spellings(given_names))


def _joined_forms(surname: str, given_names: str) -> set[str]:
    """A name written without the space between given name and surname, either order, loose-folded."""
    family = "".join(fold_name(surname).split())
    givens = fold_name(given_names).split()
    parts = [g for g in givens if len(g) >= 2] + ([''.join(givens)] if len(givens) > 1 else [])
    forms = {loose_name(a + b) for g in parts for a, b in ((g, family), (family, g))}
    return {f for f in forms if len(f) >= 8} if len(family) >= 2 else set()


@dataclass(frozen=True)
class NameMatch:
    """Where and how well a known person's name shows up in a text."""

    score: float
    span: tuple[int, int]


# A field that introduces one family member ("Mutter:", "Vater:"): a name does not reach across it, so
# "Mutter: Dawit Sadeghi" above "Vater: Shirin Al-Ahmad" does not name a "Shirin Sadeghi".
_FAMILY_FIELD = re.compile(r"\b(?:Mutter|Vater|Kind|Sohn|Tochter|Ehemann|Ehefrau|Ehegatte|Ehegattin)[ \t]*[:;]",
                           re.IGNORECASE)


class TextNames:
    """The words of a text, indexed so that known names can be searched for quickly and fuzzily."""

    # Given name and surname must stand within this many words of each other.
    WINDOW = 6

    def __init__(self, text: str):
        self.text = text
        self._words: list[tuple[str, int, int]] = []
        self._fields: list[int] = []   # per word: how many family-member fields begin before it
        fields = [m.start() for m in _FAMILY_FIELD.finditer(text)]
        for m in re.finditer(r"[^\W\d_]+", text):
            folded = loose_name(m.group())
            for part in folded.split():
                self._words.append((part, m.start(), m.end()))
                self._fields.append(bisect.bisect_right(fields, m.start()))

    def find(self, surname: str, given_names: str) -> NameMatch | None:
        """Best place where the surname and at least one given name occur close together."""
        target = name_letters(surname)
        given = list(dict.fromkeys(g for spelling in _printed_spellings(given_names)
                                   for g in name_tokens(spelling) if len(g) >= 2))
        if len(target) < 2 or not given:
            return None
        targets = {name_letters(spelling) for spelling in _printed_spellings(surname)}
        words = self._words
        run_together = _joined_forms(surname, given_names)
        for word, start, end in words:
            # Given name and surname run together by OCR ("AISHAOKAFOR"): only the exact spelling counts.
            if word in run_together:
                return NameMatch(100.0, (start, end))
        n_parts = max(1, len(name_tokens(surname)))
        best: NameMatch | None = None
        for i in range(len(words)):
            # A surname may be split ("Al Hassan") or joined ("Alhassan") in the text.
            for width in range(1, n_parts + 2):
                if i + width > len(words):
                    break
                joined = "".join(w for w, _, _ in words[i:i + width])
                if min(abs(len(joined) - len(t)) for t in targets) > 3:
                    continue
                s_score = max(word_similarity(joined, t) for t in targets)
                if s_score < 60:
                    continue
                lo, hi = max(0, i - self.WINDOW), min(len(words), i + width + self.WINDOW)
                neighbours = [w for k, (w, _, _) in enumerate(words[lo:hi], start=lo)
                              if not i <= k < i + width and self._fields[k] == self._fields[i]]
                if not neighbours:
                    continue
                g_score = max(word_similarity(g, w) for g in given for w in neighbours)
                score = float(min(s_score, g_score))
                if best is None or score > best.score:
                    best = NameMatch(score, (words[i][1], words[i + width - 1][2]))
        return best

    def capitalised_words(self) -> list[str]:
        """Folded words (and adjacent pairs) that start with a capital letter in the text: possible surnames."""
        out: list[str] = []
        for k, (word, start, _) in enumerate(self._words):
            if not self.text[start].isupper():
                continue
            if len(word) >= 3:
                out.append(word)
            if k + 1 < len(self._words):
                out.append(word + self._words[k + 1][0])
        return list(dict.fromkeys(out))

    def has_surname(self, surname: str, threshold: float = 85.0) -> bool:
        """True if the surname alone occurs (used only as corroboration, never to assign)."""
        target = name_letters(surname)
        return bool(target) and any(word_similarity(w, target) >= threshold for w, _, _ in self._words)


# ---------------------------------------------------------------------------
# Dates of birth

_MONTHS = {
    "januar": 1, "jan": 1, "january": 1, "janvier": 1, "februar": 2, "feb": 2, "february": 2, "fevrier": 2,
    "märz": 3, "maerz": 3, "marz": 3, "mär": 3, "maer": 3, "mrz": 3, "march": 3, "mar": 3, "mars": 3,
    "april": 4, "apr": 4, "avril": 4, "mai": 5, "may": 5, "juni": 6, "jun": 6, "june": 6, "juin": 6,
    "juli": 7, "jul": 7, "july": 7, "juillet": 7, "august": 8, "aug": 8, "aout": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11, "dezember": 12, "dez": 12, "december": 12, "dec": 12,
}
_OCR_DIGIT = "[0-9OoIl]"
# ":" and "°" are a dot OCR read with a speck ("24.6:1958", "19°04.99"); a speck after the dot reads as
# a quote ("25. ‚06. 2002"): the digits are all there, so the date is.
_DATE_SEP = r"(?:\s?[./,:°-]\s?(?:[‚‘’'`´]\s?)?|[ \t])"
_DATE = re.compile(
    rf"(?P<d>[0-3OoIl]?{_OCR_DIGIT}){_DATE_SEP}(?P<m>[01OoIl]?{_OCR_DIGIT}){_DATE_SEP}"
    # A two-digit "year" followed by ".2025" is a day and month split by a speck ("1 1.03.2025"), no date.
    rf"(?P<y>(?:[1lI][89]|2[0Oo]){_OCR_DIGIT}{{2}}|{_OCR_DIGIT}{{2}})(?![0-9A-Za-z]|[./-]\d)"
    # "3. April 1987", "03 APR/AVR 87", OCR-damaged month names ("Apri1") are checked in _month_number.
    # The month is the shortest word that fits, so a year run into it ("07 OKT1952") stays the year; a
    # year runs up to the word's end ("OKT19S2" is no 2019).
    rf"|(?<![^\W\d_])(?P<td>[0-3OoIl]?{_OCR_DIGIT})[.,]?\s*(?P<mon>[^\W\d_][^\W_]{{2,9}}?)\.?(?:\s*/\s*[A-Za-z]{{3,4}}\.?)?\s*(?P<ty>(?:19|20)\d{{2}}|\d{{2}})(?![^\W_])"
    rf"|(?P<iy>(?:19|20)\d{{2}})-(?P<im>\d{{2}})-(?P<id>\d{{2}})",
    re.IGNORECASE,
)
_MONTH_WORDS = sorted({name for name in _MONTHS if len(name) >= 4})


def _month_number(word: str) -> int | None:
    """The month a (possibly OCR-damaged) month name stands for: "Apri1" → 4, "Dezernber" → 12."""
    folded = fold_name(word.translate(str.maketrans("10|5", "lols"))).replace(" ", "")
    if folded in _MONTHS:
        return _MONTHS[folded]
    if len(folded) < 5:
        return None
    best = max(_MONTH_WORDS, key=lambda name: fuzz.ratio(folded, name))
    return _MONTHS[best] if fuzz.ratio(folded, best) >= 80 else None


# OCR-damaged spellings are accepted too ("gcb.", "qeb.", "Gebursdatum", "Geburtsdaturn", "geb. äm", "geb:" with
# a speck on its dot, "gb. am" without its e: only with the "am").
_GE = r"[gq][eéc]"
_BIRTH_LABEL = re.compile(
    rf"\b{_GE}b[uü]?r?t?s?[\s.-]{{0,3}}d[ao]t(?:um|urn|rn|nm|u)|\b{_GE}burtsta[gq]|tag\s+(?:und\s+ort\s+)?der\s+geburt"
    rf"|date\s+of\s+birth|date\s+de\s+naissance|\b{_GE}b[o0]r[eéc]n(?:\s+[aä]m)?|\b{_GE}b[.,:;](?:\s*[aä]m)?|\b[gq]b[.,]\s*[aä]m\b|born(?:\s+on)?"
    r"|(?<![\w*])\*(?=[\s.]?\d)",
    re.IGNORECASE,
)
# Between a label and its date: punctuation, a translation of the label, at most one line break.
_LABEL_GAP = re.compile(r"[\s:./,()-]*(?:(?:und\s+-?ort|/\s*date\s+of\s+birth|/\s*date\s+de\s+naissance)[\s:./,()-]*)?", re.IGNORECASE)


@dataclass(frozen=True)
class BirthDateHit:
    """A date the text labels as someone's date of birth."""

    date: dt.date
    span: tuple[int, int]
    label: str
    printed: str = ""          # the date as the text writes it


def lost_a_digit(printed: str, date: dt.date) -> bool:
    """*printed* is *date* written with one of its digits lost to OCR ("13.2.1979" for 13.12.1979)."""
    full = f"{date:%d%m%Y}"
    return re.sub(r"\D", "", printed) in {full[:i] + full[i + 1:] for i in range(len(full))}


def _digits(value: str) -> str:
    return value.translate(str.maketrans("OoIl", "0011"))


def _date_from_match(m: re.Match[str], today: dt.date) -> dt.date | None:
    try:
        if m.group("mon"):
            day, month, year = int(_digits(m.group("td"))), _month_number(m.group("mon")), int(m.group("ty"))
            if year < 100:
                year += 2000 if 2000 + year <= today.year else 1900
        elif m.group("iy"):
            day, month, year = int(m.group("id")), int(m.group("im")), int(m.group("iy"))
        else:
            day, month, year = int(_digits(m.group("d"))), int(_digits(m.group("m"))), int(_digits(m.group("y")))
            if year < 100:
                year += 2000 if 2000 + year <= today.year else 1900
        value = dt.date(year, month, day)
    except (ValueError, KeyError, TypeError):
        return None
    if not dt.date(1900, 1, 1) <= value <= today:
        return None
    return value


# Label words for the fuzzy fallback, letters only.
_LABEL_WORDS = ("geburtsdatum", "gebdatum", "geburtstag", "geboren", "geborenam", "gebam", "dateofbirth")


def _fuzzy_label(before: str) -> str | None:
    """The label in front of a date when OCR damaged it beyond the regular expression ("Gebnrttag:")."""
    words = re.findall(r"[^\W\d_]+", before.split("\n")[-1] or before)
    for n in (1, 2, 3):
        if len(words) < n:
            break
        if len(words[-n]) < 2:
            continue  # a speck read as a letter ("g Datum:") begins no label; a label split ("Geb.-Datu m:") ends one
        candidate = "".join(words[-n:]).casefold()
        if len(candidate) >= 6 and max(fuzz.ratio(candidate, w) for w in _LABEL_WORDS) >= 80:
            # "Datum:" alone is a letter's date: whatever stands before it must look like "Geb"/"Geburts".
            head = candidate[:-5] if candidate.endswith("datum") else None
            if head is not None and max(fuzz.ratio(head, "geb"), fuzz.ratio(head, "geburts")) < 60:
                continue
            return " ".join(words[-n:])
    return None


def _join_hyphenated(text: str) -> str:
    """Labels broken across lines by hyphenation ("Geb-\nurtstag") joined again (same length)."""
    return re.sub(r"([^\W\d_])-\n([^\W\d_])", lambda m: m.group(1) + "-" + m.group(2), text)


def find_birth_dates(text: str, *, today: dt.date | None = None) -> list[BirthDateHit]:
    """Dates of birth introduced by 'geb.', 'geboren am', 'Geburtsdatum:', '*' and similar labels."""
    today = today or dt.date.today()
    text = _join_hyphenated(text)
    hits: list[BirthDateHit] = []
    for label in _BIRTH_LABEL.finditer(text):
        gap = _LABEL_GAP.match(text, label.end())
        start = gap.end() if gap else label.end()
        if text[label.end():start].count("\n") > 1:
            continue
        # Matched on the text from the label's end: a day run into the label ("geb. am07 OKT 1952") is no
        # number inside a word.
        m = _DATE.match(text[start:start + 80])
        value = _date_from_match(m, today) if m is not None else None
        if value is not None:
            hits.append(BirthDateHit(value, (start + m.start(), start + m.end()), label.group().strip(), m.group()))
        # A '*' may be a speck ("Datum:*1 1.03.2025"): only a written label takes a date OCR split.
        elif label.group().strip() != "*" and (split := _date_split_by_a_space(text[start:start + 80], today)):
            value, length = split
            hits.append(BirthDateHit(value, (start, start + length), label.group().strip(), text[start:start + length]))
    taken = [h.span for h in hits]
    for m in _DATE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        before = text[max(0, m.start() - 40):m.start()]
        label_end = before.rstrip(" \t\n:.,-/*")
        # The label stands on the date's line or the line above; digits before the date make it part of
        # a longer number ("21.1 1.1989" is not "1 1.1989").
        if before[len(label_end):].count("\n") > 1 or label_end[-1:].isdigit():
            continue
        label = _fuzzy_label(label_end)
        value = _date_from_match(m, today) if label else None
        if value is not None:
            hits.append(BirthDateHit(value, (m.start(), m.end()), label, m.group()))
    hits.sort(key=lambda h: h.span)
    return hits


def _date_split_by_a_space(chunk: str, today: dt.date) -> tuple[dt.date, int] | None:
    """A date right after its label that reads as one only without a space OCR put between two of its
    digits ("geboren am 21.1 1.1989", seed 78's certificate: otherwise "1 1.1989" was taken for the
    1st of January): the date and how many characters of *chunk* it takes. Every digit is as read."""
    head = re.match(r"[0-9OoIl][0-9OoIl. ]{5,12}", chunk)
    if head is None or head.group().count(" ") != 1:
        return None
    joined = re.sub(r"(?<=[0-9OoIl]) (?=[0-9OoIl])", "", head.group())
    m = _DATE.match(joined)
    if m is None or m.group("y") is None or len(m.group("y")) != 4 or " " in joined[:m.end()]:
        return None
    value = _date_from_match(m, today)
    return (value, m.end() + 1) if value is not None else None


# What a birth-date label must be followed by to count as a date that could not be read: a year's digits.
_UNREAD_DATE_DIGITS = 4
_UNREAD_DATE_REACH = 16


def find_unread_birth_dates(text: str, *, today: dt.date | None = None, stars: bool = False) -> list[str]:
    """Birth-date labels with digits after them that give no valid date ("geb. am 07 OKT19S2",
    "Geburtsdatum: 2B.l2.19S8"), as shown.

    Someone's birthday stands on the page, but whose cannot be told: the page may be about another
    person than the case it is headed for. A star before a number counts only with *stars* (a line
    worth reading again; as evidence, a star is a label only when a date reads).
    """
    text = _join_hyphenated(text)
    read = [h.span[0] for h in find_birth_dates(text, today=today)]
    found = []
    for label in _BIRTH_LABEL.finditer(text):
        if label.group().startswith("*") and not stars:
            continue
        gap = _LABEL_GAP.match(text, label.end())
        start = gap.end() if gap else label.end()
        if text[label.end():start].count("\n") > 1:
            continue
        value = text[start:start + _UNREAD_DATE_REACH].split("\n", 1)[0]
        if sum(ch.isdigit() for ch in value) >= _UNREAD_DATE_DIGITS and not any(
                label.end() <= s <= start + len(value) for s in read):
            found.append(f"{label.group().strip()} {value.strip()}")
    return found


def unread_birth_date(text: str, *, today: dt.date | None = None) -> bool:
    """A birth-date label with digits after it that give no valid date ("geb. 28.l2.19S8", "Geburtsdatum: 2B 12. 1958")."""
    return bool(find_unread_birth_dates(text, today=today, stars=True))


# ---------------------------------------------------------------------------
# Name candidates

_WORD = r"[A-ZÄÖÜÇŞĞİÁÉÍÓÚÀÈÂÊÎÔÛŁŽŠČĆ][\w'’]*(?:-[A-ZÄÖÜÇŞĞİ][\w'’]*)?"
# A given name whose capital I OCR read as "l" ("lon Karimi" for Ion), only before a capitalised word.
_L_FOR_I = r"l[a-zäöü]{1,10}(?=[ \t]+[A-ZÄÖÜ])"
# Capitalised words that follow names in forms but are not names.
_NOT_NAMES = {
    "geb", "geboren", "geburtsdatum", "geburtsort", "staatsangehörigkeit", "anschrift", "wohnhaft",
    "straße", "str", "aktenzeichen", "az", "sehr", "ihr", "ihre", "mit", "der", "die", "das", "den", "und",
    "vorname", "vornamen", "name", "nachname", "familienname", "geburtsname", "herr", "herrn", "herm", "frau",
    "dr", "prof", "in", "im", "von", "vom", "zu", "zur", "wegen", "antrag", "datum", "tel", "telefon",
    "betreff", "betr", "geschlecht", "nationalität", "pass", "passnummer", "adresse", "wohnort", "seit",
    "als", "bei", "für", "an", "am", "auf", "aus", "sowie", "bzw", "ehefrau", "ehemann", "kind", "sohn",
    "tochter", "mutter", "vater", "gemäß", "nach", "hiermit", "bitte", "ist", "wird", "hat", "war",
}
_NAME_RUN = rf"(?:{_L_FOR_I}|{_WORD})(?:[ \t]+{_WORD}){{0,4}}"     # up to five words: "Quang Huy Van Minh Pham"
_ROLE = (
    r"Antragsteller(?:in)?|Mandant(?:in)?|Arbeitnehmer(?:in)?|Mieter(?:in)?|Versicherte[rn]?|Inhaber(?:in)?"
    r"|Prüfungsteilnehmer(?:in)?|Teilnehmer(?:in)?|Beschäftigte[rn]?|Mitarbeiter(?:in)?|Kind|Ehemann|Ehefrau"
    r"|Ehegatte|Ehegattin|Person|Betroffene[rn]?|Kläger(?:in)?|in\s+Sachen|betreffend|Betr\.|Betreff"
)
_CANDIDATE_PATTERNS = [
    # "Name: Yılmaz, Mehmet" / "Antragsteller: YILMAZ, Mehmet Ali"
    ("comma", re.compile(
        rf"(?:Name(?:,\s*Vorname)?|Familienname|Nachname|{_ROLE})[ \t]*:?[ \t]*(?P<surname>{_WORD}(?:[ \t]+{_WORD})?)[ \t]*,[ \t]*(?P<given>{_NAME_RUN})"
    )),
    # "Herr Mehmet Yılmaz", "Frau Dr. Ayşe Demir"
    # "Herm" is how OCR often reads "Herrn" (rn as m).
    ("salutation", re.compile(rf"\b(?:Herrn?|Herm|Frau)[ \t]+(?:(?:Dr|Prof)\.[ \t]+)*(?P<full>{_NAME_RUN})")),
    # "Antragsteller: Mehmet Yılmaz"
    ("role", re.compile(rf"(?:{_ROLE})[ \t]*:?[ \t]*(?:(?:Herr|Frau|Herrn)[ \t]+)?(?P<full>{_NAME_RUN})")),
]
_SURNAME_FIELD = re.compile(rf"(?:Familienname|Nachname|Name)[ \t]*(?:/[ \t]*Surname)?[ \t]*:?[ \t]*(?P<surname>{_WORD}(?:[ \t]+{_WORD})?)[ \t]*$", re.MULTILINE)
_GIVEN_FIELD = re.compile(rf"Vorname(?:n|\(n\))?[ \t]*(?:/[ \t]*Given names?)?[ \t]*:?[ \t]*(?P<given>{_NAME_RUN})", re.MULTILINE)


@dataclass(frozen=True)
class NameCandidate:
    """A personal name found in text; surname is None when the order is unknown."""

    surname: str | None
    given_names: str | None
    span: tuple[int, int]
    source: str

    @property
    def full(self) -> str:
        """The whole name as one string."""
        return " ".join(p for p in (self.given_names, self.surname) if p)


def _label_word(word: str) -> bool:
    """A birth-date label OCR damaged beyond _NOT_NAMES ("Geburtsdätum"): never part of a name."""
    folded = word.casefold().rstrip(".:")
    return len(folded) >= 6 and max(fuzz.ratio(folded, label) for label in _LABEL_WORDS) >= 85


def _trim_run(run: str) -> str:
    words = run.split()
    kept: list[str] = []
    for word in words:
        if word.lower().rstrip(".") in _NOT_NAMES or _label_word(word):
            break
        kept.append(word)
    return " ".join(kept)


def find_name_candidates(text: str) -> list[NameCandidate]:
    """Names after salutations (Herr/Frau), 'Name:'-style fields and role labels (Antragsteller: ...)."""
    found: list[NameCandidate] = []
    taken: list[tuple[int, int]] = []

    def overlaps(span: tuple[int, int]) -> bool:
        return any(span[0] < e and s < span[1] for s, e in taken)

    for source, rx in _CANDIDATE_PATTERNS:
        for m in rx.finditer(text):
            if "surname" in rx.groupindex:
                surname, given = _trim_run(m.group("surname")), _trim_run(m.group("given"))
                span = (m.start("surname"), m.start("given") + len(given))
                if not surname or not given:
                    continue
            else:
                full = _trim_run(m.group("full"))
                if not full:
                    continue
                parts = full.split()
                # With a salutation the last word is the surname; a lone word is a surname.
                surname, given = parts[-1], " ".join(parts[:-1]) or None
                span = (m.start("full"), m.start("full") + len(full))
            if overlaps(span):
                continue
            taken.append(span)
            found.append(NameCandidate(surname, given, span, source))

    # Form layout: "Familienname: Yılmaz" and "Vorname(n): Mehmet" on nearby lines.
    for sm in _SURNAME_FIELD.finditer(text):
        surname = _trim_run(sm.group("surname"))
        if not surname:
            continue
        window = text[max(0, sm.start() - 200): sm.end() + 200]
        gm = _GIVEN_FIELD.search(window)
        if gm is None:
            continue
        given = _trim_run(gm.group("given"))
        span = (sm.start("surname"), sm.end("surname"))
        if given and not overlaps(span):
            taken.append(span)
            found.append(NameCandidate(surname, given, span, "form"))
    found.sort(key=lambda c: c.span)
    return found


@dataclass(frozen=True)
class PersonMention:
    """A name and a date of birth that the text states together."""

    name: NameCandidate
    date_of_birth: dt.date
    span: tuple[int, int]


def find_person_mentions(text: str, *, today: dt.date | None = None, reach: int = 120) -> list[PersonMention]:
    """Pair each date of birth with the closest name candidate just before it (or right after it)."""
    names = find_name_candidates(text)
    mentions = []
    previous_end = 0
    for hit in find_birth_dates(text, today=today):
        # A name belongs to the first date of birth after it, not to later ones.
        before = [
            c for c in names
            if previous_end <= c.span[0] and c.span[1] <= hit.span[0] and hit.span[0] - c.span[1] <= reach
        ]
        previous_end = hit.span[1]
        after = [c for c in names if c.span[0] >= hit.span[1] and c.span[0] - hit.span[1] <= 40]
        chosen = before[-1] if before else (after[0] if after else None)
        if chosen is not None:
            mentions.append(PersonMention(_hyphen_for_a_space(chosen), hit.date, (chosen.span[0], hit.span[1])))
    return mentions


def _hyphen_for_a_space(name: NameCandidate) -> NameCandidate:
    """A salutation's one word of two names joined by a hyphen ("Frau Katarzyna-Sharma, Geburtsdatum:
    13.01.1972", unseen set 81): OCR's hyphen for the space between given name and surname. Read so, it
    fits a registry person only with exactly their letters and birth date; left whole, a mention
    without given names was no mention at all, and the birth date alone vetoed even the sponsor."""
    if name.given_names or not name.surname or name.source != "salutation" or name.surname.count("-") != 1:
        return name
    given, surname = name.surname.split("-")
    if len(given) < 2 or len(surname) < 2:
        return name
    return replace(name, surname=surname, given_names=given)
