"""The second OCR look at doubtful lines that carry a field (ingest/field_lines.py)."""

import numpy as np

from dms_ingest.ingest.document import Page, Word
from dms_ingest.ingest.field_lines import reread_field_lines
from dms_ingest.ingest.ocr import OcrResult


def words_of(line: str, confidences, *, line_no=0, y=100.0):
    out, x = [], 100.0
    for token, confidence in zip(line.split(), confidences):
        out.append(Word(token, (x, y, x + 20 * len(token), y + 30), float(confidence), line_no))
        x += 20 * len(token) + 15
    return out


class ScriptedOcr:
    """Answers each re-read with the next scripted line (as-is image first, levelled second); the words
    stand in the middle of the cut-out, as the line the crop was made around."""

    def __init__(self, *readings):
        self.readings, self.calls = list(readings), []

    def recognize(self, gray, dpi):
        self.calls.append((gray.shape, dpi))
        text, confidence = self.readings[(len(self.calls) - 1) % len(self.readings)]
        middle = gray.shape[0] / 2
        each = confidence if isinstance(confidence, list) else [confidence] * len(text.split())
        return OcrResult(text, words_of(text, each, y=middle - 15), min(each))


def page_of(*lines):
    """Lines as (text, confidences); the page text is the lines as OCR wrote them."""
    words = [w for n, (text, conf) in enumerate(lines) for w in words_of(text, conf, line_no=n, y=100.0 + 60 * n)]
    return Page(number=1, dpi=200, words=words, text="\n".join(text for text, _ in lines), ocr_confidence=80.0)


GRAY = np.full((600, 1700), 255, np.uint8)
LETTERHEAD = ("Autohaus Brandt KG", [96, 71, 71])


def test_a_doubtful_letterhead_read_alike_twice_takes_the_surer_reading():
    page = page_of(LETTERHEAD, ("Gesamtbrutto 3.000,00 €", [95, 95, 95]))
    ocr = ScriptedOcr(("Autohaus Brandt KG", 96.0), ("Autohaus Brandt KG", 94.0))
    assert reread_field_lines(page, GRAY, ocr) == 1
    assert [round(w.confidence) for w in page.words[:3]] == [96, 94, 94]   # the weaker re-reading counts
    assert page.text.split("\n")[0] == "Autohaus Brandt KG"
    assert len(ocr.calls) == 2 and ocr.calls[0][1] > 400                   # enlarged, two ways
    assert ocr.calls[0][0][0] < 200                                        # only the line was cut out


def test_two_readings_that_agree_on_another_text_replace_the_line_and_its_words():
    page = page_of(("Herr Ali Kaya", [95, 95, 95]), ("Das Mietverhaltnis Po am 01.03.2024.", [93, 89, 16, 94, 94]))
    ocr = ScriptedOcr(("Das Mietverhältnis beginnt am 01.03.2024.", 95.0))
    assert reread_field_lines(page, GRAY, ocr) == 1
    assert page.text == "Herr Ali Kaya\nDas Mietverhältnis beginnt am 01.03.2024."
    new = [w for w in page.words if w.line == 1]
    assert [w.text for w in new] == "Das Mietverhältnis beginnt am 01.03.2024.".split()
    assert all(w.confidence == 95.0 for w in new)
    # Boxes back in page pixels: on the line's height, not the enlarged crop's.
    assert all(150 <= w.box[1] <= 170 and w.box[3] <= 200 for w in new)


def test_readings_that_disagree_change_nothing():
    page = page_of(("Das Mietverhaltnis Po am 01.03.2024.", [93, 89, 16, 94, 94]))
    before = (page.text, list(page.words))
    ocr = ScriptedOcr(("Das Mietverhältnis ae am 01.03.2024.", 90.0), ("Das Mietverhältnis beginnt am 01.03.2024.", 95.0),
                      ("Das Mietverhältnis bang am 01.03.2024.", 0.0), ("Das Mietverhältnis be am 01.03.2024.", 60.0))
    assert reread_field_lines(page, GRAY, ocr) == 0
    assert (page.text, page.words) == before
    assert len(ocr.calls) == 4                                      # another scale was asked to decide


def test_readings_at_another_scale_decide_between_two_that_disagree():
    page = page_of(("Das Mietverhaltnis Becher am 07.05.2016.", [93, 92, 39, 94, 94]))
    ocr = ScriptedOcr(("Das Mietverhältnis bang am 07.05.2016.", 0.0), ("Das Mietverhältnis beginnt am 07.05.2016.", 90.0),
                      ("Das Mietverhältnis beginnt am 07.05.2016.", 93.0), ("Das Mietverhältnis beg am 07.05.2016.", 40.0))
    assert reread_field_lines(page, GRAY, ocr) == 1
    assert page.text == "Das Mietverhältnis beginnt am 07.05.2016."
    assert [w.confidence for w in page.words] == [90.0] * 5            # the weaker of the two that agree


def test_specks_at_the_ends_of_a_reading_do_not_count():
    page = page_of(("Pflegedienst Lebensfreude gGmbH", [96, 96, 68]))
    ocr = ScriptedOcr(("_ Pflegedienst Lebensfreude gGmbH", 87.0))
    assert reread_field_lines(page, GRAY, ocr) == 1
    assert page.text == "Pflegedienst Lebensfreude gGmbH" and [round(w.confidence) for w in page.words] == [96, 96, 87]


def test_sure_lines_and_lines_without_a_field_cost_nothing():
    ocr = ScriptedOcr(("never asked", 99.0))
    page = page_of(("Autohaus Brandt KG", [96, 92, 95]), ("Arbeitsvertrag", [95]), ("§ 4 Urlaub", [90, 90, 90]),
                   ("Der Urlaub betragt 30 Tage", [90, 40, 60, 95, 95]))   # below the letterhead, no field
    assert reread_field_lines(page, GRAY, ocr) == 0
    page = page_of(("Eingang 15.06.2025 - Az.:ABH-2020-40925", [90, 60, 90, 70]))     # reread.py's line
    assert reread_field_lines(page, GRAY, ocr) == 0
    assert ocr.calls == []


def test_a_page_read_as_noise_is_not_looked_at_line_by_line():
    ocr = ScriptedOcr(("never asked", 99.0))
    page = page_of(("~ ,. l1 i| ::", [20, 20, 20, 20, 20]))
    page.ocr_confidence = 20.0
    assert reread_field_lines(page, GRAY, ocr) == 0 and ocr.calls == []


def test_each_word_keeps_its_own_sureness_where_the_readings_split_the_line_alike():
    page = page_of(("Das Mietverhaltnis afm 17.01.2024.", [59, 59, 20, 59]))
    ocr = ScriptedOcr(("Das Mietverhältnis beginnt am 17.01.2024.", [85.0, 90.0, 91.0, 95.0, 96.0]),
                      ("Das Mietverhältnis beginnt am 17.01.2024.", [88.0, 92.0, 90.0, 97.0, 94.0]))
    assert reread_field_lines(page, GRAY, ocr) == 1
    assert [w.confidence for w in page.words] == [85.0, 90.0, 90.0, 95.0, 94.0]
    assert len(ocr.calls) == 2                                      # sure enough: no other scale asked


def test_birth_date_lines_are_left_to_the_guarded_re_reading():
    # Whose file a page goes into hangs on the birth date: a closer look there may only add a reading
    # that matching weighs against the registry (reread.reread_birth_dates), never replace the page's.
    for lines in ([("Geburtsdatum: 11.05.2009", [95, 41])],
                  [("Geburtsdatum:", [95]), ("11.05.2009", [41])]):
        page = page_of(*lines)
        before = (page.text, list(page.words))
        ocr = ScriptedOcr(("Geburtsdatum: 11.05.2000", 96.0), ("11.05.2000", 96.0))
        assert reread_field_lines(page, GRAY, ocr) == 0
        assert (page.text, page.words) == before and not ocr.calls


# Lines as the page OCR of the generated application sets F and G (seeds 24, 25) read them.
REGISTRATION_DATE = ("Hamburg, 20.06.2025 °", [96, 60, 72])
INSURANCE_PERIOD = ("Versicherungsschutz vom 31.01.2021 bis 25.02.2027.", [92, 97, 55, 97, 96])


def test_a_date_left_doubtful_by_two_agreeing_readings_is_read_at_another_scale_both_ways():
    # Enlarged to 450 dpi the date came out at 0 and 73 % (the line above's descenders in the margin);
    # at 300 dpi at 97 % both ways. Two readings at least 97 % sure of the same text confirm it.
    page = page_of(REGISTRATION_DATE)
    ocr = ScriptedOcr(("Hamburg, 20.06.2025 °", [97.0, 0.0, 71.0]), ("Hamburg, 20.06.2025 °", [97.0, 73.0, 73.0]),
                      ("Hamburg, 20.06.2025", [95.0, 97.0]), ("Hamburg, 20.06.2025", [96.0, 97.0]))
    assert reread_field_lines(page, GRAY, ocr) == 1
    assert page.text == "Hamburg, 20.06.2025 °"
    assert [round(w.confidence) for w in page.words] == [97, 97, 72]
    assert len(ocr.calls) == 4 and ocr.calls[2][1] != ocr.calls[0][1]      # the other scale


def test_two_agreeing_readings_that_stay_unsure_confirm_nothing_more():
    page = page_of(REGISTRATION_DATE)
    ocr = ScriptedOcr(("Hamburg, 20.06.2025", [97.0, 0.0]), ("Hamburg, 20.06.2025", [97.0, 73.0]),
                      ("Hamburg, 20.06.2025", [95.0, 40.0]), ("Hamburg, 20.06.2025", [96.0, 20.0]))
    assert reread_field_lines(page, GRAY, ocr) == 1
    assert [round(w.confidence) for w in page.words] == [97, 60, 72]       # the page's 60 stays the best


def test_a_speck_that_makes_a_dates_dot_a_colon_does_not_split_the_readings():
    # "31:01.2021" is the same date as "31.01.2021" (one dot suffices): the readings agree on it.
    page = page_of(INSURANCE_PERIOD)
    ocr = ScriptedOcr(("Versicherungsschutz vom 31.01.2021 bis 25.02.2027.", [91.0, 97.0, 51.0, 97.0, 96.0]),
                      ("Versicherungsschutz vom 31.01.2021 bis 25.02.2027.", [92.0, 97.0, 96.0, 97.0, 97.0]),
                      ("Versicherungsschutz vom 31.01.2021 bis 25.02.2027.", [92.0, 96.0, 21.0, 97.0, 96.0]),
                      ("Versicherungsschutz vom 31:01.2021 bis 25.02.2027.", [91.0, 93.0, 92.0, 97.0, 97.0]))
    assert reread_field_lines(page, GRAY, ocr) == 1
    assert page.text == INSURANCE_PERIOD[0]
    assert round(page.words[2].confidence) == 92


def test_as_many_readings_for_another_text_decide_nothing():
    page = page_of(INSURANCE_PERIOD)
    before = (page.text, list(page.words))
    ocr = ScriptedOcr(("Versicherungsschutz vom 31.01.2021 bis 25.02.2027.", [91.0, 97.0, 51.0, 97.0, 96.0]),
                      ("Versicherungsschutz vom 31.01.2021 bis 25.02.2027.", [92.0, 97.0, 60.0, 97.0, 97.0]),
                      ("Versicherungsschutz vom 81.01.2021 bis 25.02.2027.", [92.0, 96.0, 95.0, 97.0, 96.0]),
                      ("Versicherungsschutz vom 81.01.2021 bis 25.02.2027.", [91.0, 93.0, 92.0, 97.0, 97.0]))
    assert reread_field_lines(page, GRAY, ocr) == 0
    assert (page.text, page.words) == before


def test_a_page_scanned_finer_than_every_scale_is_not_read_twice_alike():
    # At 600 dpi every target is the crop as it is: a "third" reading would be the first again and
    # agree with it by construction. Two readings that disagree then decide nothing.
    page = page_of(("Das Mietverhaltnis Becher am 07.05.2016.", [93, 92, 39, 94, 94]))
    page.dpi = 600
    ocr = ScriptedOcr(("Das Mietverhältnis bang am 07.05.2016.", 91.0), ("Das Mietverhältnis beginnt am 07.05.2016.", 90.0))
    assert reread_field_lines(page, GRAY, ocr) == 0
    assert len(ocr.calls) == 2


def test_the_halves_of_neighbouring_lines_are_whitened_before_the_line_is_read():
    from dms_ingest.ingest.field_lines import _without_neighbours
    crop = np.full((60, 300), 245, np.uint8)
    crop[0:12, 20:280] = 30        # the line above, cut by the margin (set D: "wwe gummi oe ..." in the reading)
    crop[52:60, 40:60] = 30        # a descender of the line below
    crop[20:42, 30:270] = 20       # the line's own words, a margin away from both edges
    crop[45:47, 200:204] = 40      # a speck near the line stays: it is not the neighbours'
    clean = _without_neighbours(crop)
    assert (clean[0:12, 20:280] == 255).all() and (clean[52:60, 40:60] == 255).all()
    assert (clean[20:42, 30:270] == 20).all() and (clean[45:47, 200:204] == 40).all()


def test_a_speck_read_as_an_accent_does_not_split_the_readings():
    # Seed 30: a speck above the 'e' of "Begrenzung" ("Bégrenzung", "B&grenzung") at 450 dpi; at 300
    # dpi the word as the page has it. Three readings agree; the second surest (76 %) confirms it.
    line = "Versicherungsschutz besteht seit dem 04.10.2016 ohne zeitliche Begrenzung."
    page = page_of((line, [92, 97, 96, 97, 96, 97, 96, 63]))
    ocr = ScriptedOcr((line.replace("Begr", "B&gr"), [92, 97, 97, 96, 96, 97, 93, 88]),
                      (line.replace("Begr", "Bégr"), [92, 97, 96, 96, 96, 97, 93, 88]),
                      (line, [92, 97, 97, 97, 97, 97, 96, 61]), (line, [92, 96, 96, 97, 96, 97, 96, 76]))
    assert reread_field_lines(page, GRAY, ocr) == 1
    assert page.text == line and round(page.words[-1].confidence) == 76


def test_umlaut_dots_the_page_lost_and_every_agreeing_reading_has_are_the_line_s():
    # Seed 59: the letterhead under specks read as lines and the case-number stamp, "Kruger" at 84 %
    # (sure enough to be read, not to be right); enlarged, the line read "Krüger" both ways.
    page = page_of((".", [62]), ("Aktenzeichen: ABH-2018-25670", [93, 92]), (".", [60]),
                   ("Metallbau Kruger GmbH & Co. KG", [97, 84, 93, 91, 95, 97]),
                   ("Verdienstabrechnung Mai 2025", [95, 96, 97]))
    ocr = ScriptedOcr(("Metallbau Krüger GmbH & Co. KG", [97, 96, 93, 91, 95, 97]),
                      ("Metallbau Krüger GmbH & Co. KG", [96, 96, 93, 93, 96, 97]))
    assert reread_field_lines(page, GRAY, ocr) == 1
    assert page.text.split("\n")[3] == "Metallbau Krüger GmbH & Co. KG"
    assert [w.text for w in page.words if w.line == 3][1] == "Krüger"


def test_an_umlaut_only_one_reading_has_leaves_the_page_s_word():
    page = page_of(("Metallbau Kruger GmbH", [97, 84, 93]), ("Gesamtbrutto 3.000,00 €", [95, 95, 95]))
    ocr = ScriptedOcr(("Metallbau Krüger GmbH", 96.0), ("Metallbau Kruger GmbH", 95.0))
    assert reread_field_lines(page, GRAY, ocr) == 1
    assert page.text.split("\n")[0] == "Metallbau Kruger GmbH"


def test_a_date_no_calendar_has_is_read_again_however_sure_ocr_was():
    # Seed 44: the insurance's start "16.04.2620" at 96 % (a 6 for a 0): the period's start unread and
    # the case not complete. Enlarged, both readings say 2020.
    line = "Versicherungsschutz besteht seit dem 16.04.2620 ohne zeitliche Begrenzung."
    page = page_of(("Versicherte Person: Jelena Markovic", [95, 96, 95, 93]), (line, [92, 96, 96, 97, 96, 97, 96, 97]))
    ocr = ScriptedOcr((line.replace("2620", "2020"), [92, 96, 96, 97, 96, 97, 96, 97]),
                      (line.replace("2620", "2020"), [91, 96, 96, 97, 95, 96, 96, 96]))
    assert reread_field_lines(page, GRAY, ocr) == 1
    assert page.text.split("\n")[1] == line.replace("2620", "2020")


class GlyphOcr(ScriptedOcr):
    """Scripted readings whose date words carry their characters' confidences (as ocr.Recognizer gives)."""

    def __init__(self, *readings, glyphs):
        super().__init__(*readings)
        self.glyphs = list(glyphs)

    def recognize(self, gray, dpi):
        result = super().recognize(gray, dpi)
        for w in result.words:
            if any(ch.isdigit() for ch in w.text):
                w.glyphs = tuple(self.glyphs[(len(self.calls) - 1) % len(self.glyphs)] for _ in w.text)
        return result


def test_words_of_a_confirmed_or_replaced_line_keep_their_characters_confidences():
    # Confirmed: the page's own words, with their own characters' confidences.
    page = page_of(("Versicherungsschutz vom 26.06.2021 bis 09.09.2025.", [92, 96, 95, 96, 62]))
    page.words[-1].glyphs = (99.5,) * 11
    assert reread_field_lines(page, GRAY, GlyphOcr(("Versicherungsschutz vom 26.06.2021 bis 09.09.2025.", 75.0),
                                                   glyphs=[99.0])) == 1
    assert page.words[-1].glyphs == (99.5,) * 11 and page.words[2].glyphs is None
    # Replaced: each character the second surest of the agreeing readings'.
    page = page_of(("Versicherungsschutz vom 26.06.2021 bis O9.09.2O25.", [92, 96, 95, 96, 40]))
    ocr = GlyphOcr(("Versicherungsschutz vom 26.06.2021 bis 09.09.2025.", 90.0), glyphs=[99.6, 99.2])
    assert reread_field_lines(page, GRAY, ocr) == 1
    assert page.text.endswith("bis 09.09.2025.") and page.words[-1].glyphs == (99.2,) * 11
