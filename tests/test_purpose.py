"""The ticked purpose on application forms, on option lists as Tesseract read them from the generated
application sets (`dms eval --keep-pages`): which readings are accepted, and which are refused because a
wrong purpose would open the wrong application."""

from __future__ import annotations

import pytest

from dms_ingest.fields import PageText
from dms_ingest.fields.purpose import ticked_purpose

# The wording of config.yaml's application types.
PURPOSES = {"verlaengerung": ["Verlängerung der Aufenthaltserlaubnis", "Verlängerung des Aufenthaltstitels"],
            "niederlassungserlaubnis": ["Niederlassungserlaubnis"],
            "blaue_karte": ["Blaue Karte EU", "Blue Card"],
            "familiennachzug": ["Familiennachzug", "Ehegattennachzug", "Kindernachzug", "Familienzusammenführung"]}


def purpose_of(block: str):
    return ticked_purpose([PageText(1, "Antrag auf Erteilung oder Verlängerung eines Aufenthaltstitels\n"
                                       "Beantragt wird:\n" + block + "\nIch versichere die Richtigkeit meiner Angaben.")],
                          PURPOSES)


READ = [
    # A typed "[x]" beside empty boxes OCR garbled ("fe]", "=").
    ("[ ] Familiennachzug (§§ 27 ff. AufenthG)\n= Erteilung einer Aufenthaltserlaubnis\n"
     "fe] Niederlassungserlaubnis (§ 9 AufenthG) .\n[x] Verlängerung der Aufenthaltserlaubnis\n"
     "[ ] Blaue Karte EU (§ 18g AufenthG). : cs", "verlaengerung"),
    # "[.]" is an empty box, not a second tick (was refused as two ticks).
    ("[ ] Familiennachzug (§§ 27 ff. AufenthG)\n[ ] Blaue Karte EU (§ 18g AufenthG)\n"
     "[ ] Erteilung einer Aufenthaltserlaubnis\n[x] Niederlassungserlaubnis (§ 9 AufenthG)\n"
     "[.] Verlängerung der Aufenthaltserlaubnis", "niederlassungserlaubnis"),
    # An umlaut OCR added ("erlaübnis") and a space read as "’" or "-" still name the option.
    ("[ ] Erteilung einer Aufenthaltserlaubnis\n[x] Niederlassungserlaübnis (§ 9 AufenthG)\n"
     "- [|] Familiennachzug (§§ 27 ff. AufenthG) ae 3\n[ ] Blaue Karte EU (§ 18g AufenthG) :\n"
     "[ ] Verlängerung der Aufenthaltserlaubnis", "niederlassungserlaubnis"),
    ("[ ] Niederlassungserlaubnis (§ 9 AufenthG)\n[ ] Erteilung einer Aufenthaltserlaubnis\n"
     "[ ] Familiennachzug (§§ 27 ff. AufenthG) :\n[ ] Blaue Karte EU (§ 18g AufenthG) : .\n"
     "[x] Verlängerung-der Aufenthaltserlaubnis", "verlaengerung"),
    # A drawn cross read as "&" among drawn empty boxes ("Ol.", "O", "D"); the old rule chose "Ol." here.
    ("& Familiennachzug (§§ 27 ff. AufenthG)\nOl. Verlängerung der Aufenthaltserlaubnis\n"
     "O Blaue Karte EU (§ 18g AufenthG)\n. D Erteilung einer Aufenthaltserlaubnis\n"
     "Ol Niederlassungserlaubnis ($ 9 AufenthG)", "familiennachzug"),
    ("U] Familiennachzug (§§ 27 ff. AufenthG) =\nÜ Erteilung einer Aufenthaltserlaubnis x\n"
     "Ü Blaue Karte EU (§ 18g AufenthG)\nX] Niederlassungserlaubnis (§ 9 AufenthG)\n"
     "DO Verlängerung der Aufenthaltserlaubnis", "niederlassungserlaubnis"),
    ("&] Blaue Karte EU (§ 18g AufenthG)\nDO Verlängerung der Aufenthaltserlaubnis '\n"
     "U Familiennachzug (§§ 27 ff. AufenthG)\nDO Erteilung einer Aufenthaltserlaubnis\n"
     "EJ Niederlassungserlaubnis (§ 9 AufenthG) :", "blaue_karte"),
    # No cross read, one odd glyph ("[3", "B]", "i") where every other box reads plainly empty.
    ("DI Niederlassungserlaubnis (§ 9, AufenthG) S\n[3 Verlängerung der Aufenthaltserlaubnis\n"
     "DI Erteilung einer Aufenthaltserlaubnis\n. DI Familiennachzug (§§ 27 ff. AufenthG)\n"
     "DI Blaue Karte EU (§ 18g AufenthG)", "verlaengerung"),
    ("Ol Verlängerung der Aufenthaltserlaubnis . : eG\nOl Niederlassungserlaubnis (§ 9 AufenthG) a\n"
     "* B] Blaue Karte EU (§ 18g AufenthG)\nDO Erteilung einer Aufenthaltserlaubnis\n"
     "Ol Familiennachzug (§§ 27 ff. AufenthG)", "blaue_karte"),
    ("L] Erteilung einer Aufenthaltserlaubnis\ni Blaue Karte EU (§ 18g AufenthG)\n"
     "[L] Familiennachzug (88 27 ff. AufenthG)\nL] Verlängerung der Aufenthaltserlaubnis\n"
     "L] Niederlassungserlaubnis ($ 9 AufenthG)", "blaue_karte"),
    # The crossed box dropped, every other box plainly empty.
    ("L] Verlängerung der Aufenthaltserlaubnis\nBlaue Karte EU (§ 18g AufenthG)\n"
     "L] Niederlassungserlaubnis (§ 9 AufenthG)\nC1 Familiennachzug (88 27 ff. AufenthG)\n"
     "D Erteilung einer Aufenthaltserlaubnis", "blaue_karte"),
]


@pytest.mark.parametrize("block,expected", READ)
def test_a_legible_tick_is_read(block, expected):
    field = purpose_of(block)
    assert (field.status, field.value) == ("read", expected)


REFUSED = [
    # Set B (seed 15): the cross read as "]" and an empty box as "ED]" - the old rule chose "ED]".
    "O Blaue Karte EU (§ 18g AufenthG)\nDU Erteilung einer Aufenthaltserlaubnis\n"
    "ED] Familiennachzug (§§ 27 ff. AufenthG)\nO Niederlassungserlaubnis (§ 9 AufenthG)\n"
    "] Verlängerung’der Aufenthaltserlaubnis",
    # The crossed box dropped, but another box is odd too ("Gi"): two candidates.
    "OO Erteilung einer Aufenthaltserlaubnis\nU] . Familiennachzug (§§ 27 ff. AufenthG)\n"
    "Gi Niederlassungserlaubnis (§ 9 AufenthG)\nLI Verlängerung der Aufenthaltserlaubnis\n"
    "Blaue Karte EU (§ 18g AufenthG)",
    # Every box dropped.
    "Familiennachzug (88 27 ff. AufenthG)\nVerlängerung der Aufenthaltserlaubnis\n"
    "Niederlassungserlaubnis (§ 9 AufenthG)\nBlaue Karte EU (§ 18g AufenthG)\nErteilung einer Aufenthaltserlaubnis",
    # The cross stands before an option OCR garbled beyond recognition: which one is unknown.
    "[x]  essangserlaubnis (§ 9 AufenthG)\n[ ] Familiennachzug (§§ 27 ff. AufenthG)\n"
    "[ ] Blaue Karte EU (§ 18g AufenthG)\n[ ] Erteilung einer Aufenthaltserlaubnis\n"
    "[ ] Verlangerung der Aufenthaltserlaubnis",
    # Two crosses.
    "[x] Familiennachzug (§§ 27 ff. AufenthG)\n[ ] Blaue Karte EU (§ 18g AufenthG)\n"
    "X] Niederlassungserlaubnis (§ 9 AufenthG)\n[ ] Verlängerung der Aufenthaltserlaubnis",
    # A cross read as "&" while another box is not read as a box at all (the cross could be there).
    "& Familiennachzug (§§ 27 ff. AufenthG)\nBlaue Karte EU (§ 18g AufenthG)\n"
    "O Niederlassungserlaubnis (§ 9 AufenthG)\nO Verlängerung der Aufenthaltserlaubnis",
    # The option that names no configured application type is the ticked one.
    "[ ] Familiennachzug (§§ 27 ff. AufenthG)\n[x] Erteilung einer Aufenthaltserlaubnis\n"
    "[ ] Blaue Karte EU (§ 18g AufenthG)\n[ ] Niederlassungserlaubnis (§ 9 AufenthG)\n"
    "[ ] Verlängerung der Aufenthaltserlaubnis",
    # ... and its box dropped, one configured box odd ("EI"): that odd box is no tick.
    "O Familiennachzug (§§ 27 ff. AufenthG)\nErteilung einer Aufenthaltserlaubnis\n"
    "EI Blaue Karte EU (§ 18g AufenthG)\nO Niederlassungserlaubnis (§ 9 AufenthG)\n"
    "O Verlängerung der Aufenthaltserlaubnis",
]


@pytest.mark.parametrize("block", REFUSED)
def test_an_unsure_or_double_tick_is_refused(block):
    field = purpose_of(block)
    assert field.status == "unread" and field.value is None


def test_a_doubtful_ocr_word_in_the_wording_does_not_unread_a_clear_tick():
    # Set H32: "Verlängerung" of the ticked option read right, but at OCR confidence 0 (96 in the title).
    text = ("Antrag auf Erteilung oder Verlängerung eines Aufenthaltstitels\nBeantragt wird:\n"
            "[ ] Blaue Karte EU (§ 18g AufenthG)\n[ ] Familiennachzug (§§ 27 ff. AufenthG)\n"
            "[x] Verlängerung der Aufenthaltserlaubnis\n[ ] Niederlassungserlaubnis (§ 9 AufenthG)")
    page = PageText(1, text, {"Verlängerung": 0.0, "der": 96.7, "Aufenthaltserlaubnis": 91.0}, 88.4,
                    {"Verlängerung": [96.4, 0.0]})
    field = ticked_purpose([page], PURPOSES)
    assert (field.value, field.confidence) == ("verlaengerung", 0.95)
