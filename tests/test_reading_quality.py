"""The measure that decides whether a poor page is read again turned and which reading is kept
(ingest/reading_quality.py), on the text Tesseract really read of tests/pages/upside_down_letter_g4.tif."""

from __future__ import annotations

import pytest

from dms_ingest.index.analysis import lexicon
from dms_ingest.ingest.ocr import OcrResult
from dms_ingest.ingest.reading_quality import Quality, clearly_better, is_poor, quality

pytestmark = pytest.mark.skipif(not lexicon(), reason="hunspell-de-de not installed")

# The page read as scanned (upside down) and turned 180°, as Tesseract 5 deu read them (abridged).
UPSIDE_DOWN = ('.\n.\n.\n. .\n®\n.\n..\nYa UOYASOq SPUEISPNÄIN\n"STOT’TO\'EO TURBO UNI 86 Z91 uosoyuagaN "ANF SL\'ssc '
               'NUpunId\nzu gg NOWUNZ g) Urrgy m npyurıg g E09 TE SGENSEIOg Sunugom Ip Juyonag\n® . BRET’KO\'TI WR '
               'uarogad "LAEWHIS TERN MOIN\nZundtursyasagiatg -\n\nSCHI TOYL une]\nEITSTECOCHAV TV B\n\n1 Fi\n\n'
               'gun peyyangqumayy\n\nUISIIPA FunyemasasneH\n\n.')
TURNED = ('.\n\nHausverwaltung Petersen\n\nMictenbuchhaltung\n\n* *\nFar Az.: ABH-2023-48213\nDatum: 16.02.2025\n\n'
          '- Mietbescheinigung\nMieter: Maria SCHMIDT. geboren am 12.03. 1988 “ ;\nbewohnt die Wohnung Bergstraße '
          '12.6031 1 Frankfurt am Main (3 Zimmer. 86 m?).\nGrundmiete 395.75 EUR. Nebenkosten 167.98 EUR. '
          'Mietbeginn 03.02.2025.\n\nMietrückstände bestehen nicht.\n\n.\n.\n* .\n.\n..\n.\n. .\n‘ .\n.r\n.')


def reading(text: str, confidence: float) -> Quality:
    return quality(OcrResult(text, [], confidence))


def test_an_upside_down_reading_is_poor_and_the_turned_one_clearly_better():
    first, turned = reading(UPSIDE_DOWN, 29.5), reading(TURNED, 66.0)
    assert is_poor(first) and not is_poor(turned)
    assert first.known_share < 0.2 < 0.5 < turned.known_share
    assert clearly_better(turned, first) and not clearly_better(first, turned)


def test_dust_specks_read_as_dots_do_not_count_as_words():
    assert reading(TURNED, 66.0) == reading(TURNED.replace("\n.\n", "\n"), 66.0)


def test_a_turned_reading_with_lower_confidence_or_too_few_german_words_is_doubtful_and_not_kept():
    first = reading(UPSIDE_DOWN, 29.5)
    assert not clearly_better(reading(TURNED, 25.0), first)
    assert not clearly_better(reading("Miete bestehen nicht Xqvt", 90.0), first)   # 3 German words
    assert not clearly_better(reading(UPSIDE_DOWN.swapcase(), 90.0), first)       # still letter soup


def test_a_confident_reading_with_few_german_words_is_not_poor():
    # An upright payslip of a generated application set as Tesseract read it: names, amounts, compounds
    # the word list lacks; read with confidence, it is not read again.
    payslip = ('vend\n\n.\n\nAktenzeichen: ABH-2019-72282: "\n\nBäckerei Sonnenschein : ;\n" * Bergstraße 33 - '
               '45127 Essen :\n\nFrau Agnieszka Joanna Kravchenko Geb\nPersonal-Nr.: 45195 Steuerklasse: 2\n\n'
               'Grundgehalt 3.813,52 €\n\nGesamtbrutto 3.813,52 €\n\nLohnsteuer 457,62 €\n\nSozialversicherung '
               '732,65 € ; :\nNettoverdienst 2.623,25 € : .\nAuszahlungsbetrag 2.623,25 € .\n\nte')
    assert reading(payslip, 85.0).known_share < 0.35
    assert not is_poor(reading(payslip, 85.0)) and is_poor(reading(payslip, 45.0))


def test_a_reading_with_no_words_is_poor_but_nothing_is_poor_without_the_word_list():
    assert is_poor(reading(". . ®", 10.0))
    assert not is_poor(Quality(10.0, None, 12)) and not clearly_better(Quality(90.0, None, 30), Quality(10.0, None, 30))
