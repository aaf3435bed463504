"""The quick fold of plain German page text (phrases.plain_keys_text) against `folding.keys`, which
decides what the index holds: a page that holds a phrase by its keys must never be rejected by the
quick path (nor a page that does not be let through). Pure functions: no database."""

from __future__ import annotations

import random
import re

from dms_ingest.index.folding import MAX_KEY_LENGTH, keys
from dms_ingest.index.phrases import PhraseCheck, holds_phrase, plain_keys_text
from dms_ingest.index.query import parse

RUNS = re.compile(r"[a-z0-9]+")


def quick_keys(page_text: str) -> list[str] | None:
    """The keys the quick fold leaves: its runs of [a-z0-9], debris (too long a run) left out."""
    folded = plain_keys_text(page_text)
    return None if folded is None else [run for run in RUNS.findall(folded) if len(run) <= MAX_KEY_LENGTH]


def test_every_character_the_quick_fold_accepts_folds_to_the_keys_of_folding():
    """Each code point alone and inside a word: where the quick fold takes the text, its words are
    the keys `folding.keys` makes (so a phrase it finds or misses is one the index's keys would)."""
    taken = 0
    for code in range(0x110000):
        char = chr(code)
        if 0xD800 <= code < 0xE000 or plain_keys_text(char) is None:
            continue
        taken += 1
        for page_text in (char, f"Wa{char}e", f"{char}ue 1{char}ss", f"A{char}{char}E"):
            assert quick_keys(page_text) == keys(page_text), (hex(code), page_text)
    assert 500 < taken < 1000         # ASCII, Latin letters beyond it, German punctuation


TRICKY = ["Antrag", "auf", "ANTRAG", "Änderung", "Aenderung", "Anderung", "AENDERUNG", "Straße", "Strasse",
          "STRASSE", "Grüße", "Gruesse", "GRÜSSE", "Grusse", "gemäß", "gemaess", "§", "28", "VwVfG", "Fassung",
          "in", "der", "ÖFFNUNG", "Oeffnung", "uee", "aee", "Mitglied", "Müller", "Mueller", "Muller",
          "Café", "İbrahim", "Yılmaz", "ﬁnal", "x²", "a\u0308nderung", "K", "Straẞe",
          "x" * 121, "Ä" * 120 + "E", "a" * 120, "Ö" * 60 + "x" * 61]      # OCR debris, and words just short of it
GLUE = [" ", "  ", "\n", "-\n", "-", ", ", ". ", " – ", "_", "/", " „", "“ ", "\xa0", "\u00ad", "", "'"]


def test_a_phrase_is_decided_as_the_keys_decide_on_random_pages_of_tricky_spellings():
    """Random pages of umlaut, ß, case, OCR-lost umlaut and punctuation variants (and characters
    the quick fold leaves to `keys`): the check says what `holds_phrase` on the keys says."""
    rng = random.Random(11)
    phrases = ['"Antrag auf Änderung"', '"Grüße gemäß"', '"gemäß § 28 VwVfG"', '"in der Fassung"',
               '"Straße Mitglied"', '"Müller Aenderung"', '"uee aee"', '"auf auf"', '"der Vorstand"']
    checks = [(PhraseCheck(parse(p)), parse(p).required[0].keys) for p in phrases]
    quick = 0
    for _ in range(3000):
        page_text = "".join(rng.choice(TRICKY) + rng.choice(GLUE) for _ in range(rng.randint(1, 12)))
        words = keys(page_text)
        quick += plain_keys_text(page_text) is not None
        for check, phrase in checks:
            assert check(page_text) == holds_phrase(words, phrase), (page_text, phrase)
    assert quick > 300                # both paths were tried


def test_spellings_of_one_phrase_that_the_quick_fold_must_find():
    check = PhraseCheck(parse('"Antrag auf Änderung der Straße"'))
    for page_text in ["Antrag auf Änderung der Straße", "ANTRAG AUF ÄNDERUNG DER STRASSE",
                      "antrag auf aenderung der strasse", "Antrag auf Anderung der Strase".replace("Strase", "Strasse"),
                      "Antrag\nauf Ände-\nrung".replace("Ände-\nrung", "Änderung") + " der Straße",
                      "Ihr Antrag, auf: Änderung – der „Straße“", "xx Antrag_auf Aenderung der STRASSE."]:
        assert plain_keys_text(page_text) is not None and check(page_text), page_text
    for page_text in ["Antrag auf Änderungen der Straße", "Antrag auf Änderung in der Straße",
                      "Antrag auf Ände-\nrung der Straße", "Gegenantrag auf Änderung der Straße"]:
        assert not check(page_text), page_text
    assert plain_keys_text("Łukasz Wójcik, İbrahim Yılmaz, 12 m²") == "lukasz wojcik, ibrahim yilmaz, 12 m2"
    for page_text in ["ﬁnal", "Ba\u0308r", "Ωmega"]:          # left to `keys`
        assert plain_keys_text(page_text) is None, page_text


def test_ocr_debris_between_a_phrases_words_is_stepped_over_as_the_keys_leave_it_out():
    """A run of letters too long for a word (`keys` leaves it out) joins the words around it, on
    the quick fold as in the index; a word just short of that length still parts them."""
    check = PhraseCheck(parse('"Antrag auf Änderung"'))
    debris = "Ix" * 61
    for page_text in [f"Antrag {debris} auf Änderung", f"Antrag, {debris}\n{debris}: auf Änderung",
                      f"{debris} Antrag auf {debris} Änderung {debris}"]:
        assert plain_keys_text(page_text) is not None and check(page_text), page_text
        assert holds_phrase(keys(page_text), ("antrag", "auf", "anderung"))
    for page_text in [f"Antrag {'x' * 120} auf Änderung", f"Antrag{debris} auf Änderung", f"Antrag {debris}auf Änderung"]:
        assert not check(page_text), page_text
        assert not holds_phrase(keys(page_text), ("antrag", "auf", "anderung"))
