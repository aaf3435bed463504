import pytest

from dms_ingest.classifiers.case_numbers import CaseNumberPattern, find_case_numbers, normalise_case_number

DEFAULT = CaseNumberPattern()


def canon(text, pattern=DEFAULT):
    return [h.canonical for h in find_case_numbers(text, pattern)]


@pytest.mark.parametrize(
    "text",
    [
        "ABH-2019-04711",
        "ABH 2019 04711",
        "ABH2019-04711",
        "ABH201904711",
        "ABH/2019/04711",
        "ABH – 2019 – 04711",
        "ABH-2019–04711",
        "A8H-2019-04711",       # B read as 8
        "ABH-2O19-O4711",       # 0 read as O
        "ABH-2019-0471l",       # 1 read as l
        "ABH-2019-047I1",       # 1 read as I
        "ABH-Z019-04711",       # 2 read as Z
        "A BH-2019-04711",      # prefix split by OCR
        "ABH-2019-04 711",      # space inside the serial
        "abh-2019-04711",
        "ÄBH.2019.04711",       # a speck on the A (seed 83)
        "ÁBH-2019-04711",
        'ABH - 2019 "04711',   # a speck read as a quote (seed 71)
    ],
)
def test_ocr_variants_give_canonical_form(text):
    assert canon(f"Bitte stets angeben: {text}.") == ["ABH-2019-04711"]


def test_s_and_5_confusion_in_serial():
    assert canon("Az. ABH-2019-0S711") == ["ABH-2019-05711"]


def test_an_eight_read_as_ampersand_is_a_digit_not_a_lost_one():
    # Application set of seed 33: "Aktenzeichen: ABH-2025-1094&" was taken as a serial without its leading zero.
    (hit,) = find_case_numbers("Aktenzeichen: ABH-2025-1094&\n")
    assert (hit.canonical, hit.padded, hit.repaired) == ("ABH-2025-10948", False, True)


def test_dropped_leading_zero_is_padded_and_marked_uncertain():
    (hit,) = find_case_numbers("Aktenzeichen: ABH-2019-4711", DEFAULT)
    assert hit.canonical == "ABH-2019-04711"
    assert hit.padded and not hit.certain


def test_split_serial_is_uncertain():
    (hit,) = find_case_numbers("ABH 2019 04 711", DEFAULT)
    assert hit.split and not hit.certain


def test_clean_number_is_certain():
    (hit,) = find_case_numbers("Az.: ABH-2019-04711", DEFAULT)
    assert hit.certain and not hit.repaired


@pytest.mark.parametrize(
    "label_text, label",
    [
        ("Az.: ABH-2019-04711", "Az."),
        ("Aktenzeichen: ABH-2019-04711", "Aktenzeichen"),
        ("Ihr Zeichen: ABH-2019-04711", "Ihr Zeichen"),
        ("Unser Zeichen ABH-2019-04711", "Unser Zeichen"),
        ("Geschäftszeichen: ABH-2019-04711", "Geschäftszeichen"),
        ("Geschaftszeichen: ABH-2019-04711", "Geschäftszeichen"),
        ("Aktenzeichen\nABH-2019-04711", "Aktenzeichen"),
        ("Aktenzeighen: ABH-2019-04711", "Aktenzeichen"),      # c read as g (seed 83)
        ("Ihr Zeighen: ABH-2019-04711", "Ihr Zeichen"),
        ("ABH-2019-04711", None),
        ("Rechnung über ABH-2019-04711", None),
    ],
)
def test_labels(label_text, label):
    (hit,) = find_case_numbers(label_text, DEFAULT)
    assert hit.label == label


def test_span_points_at_raw_text():
    text = "Az.: A8H-2019-04711 vom 3.4."
    (hit,) = find_case_numbers(text, DEFAULT)
    assert text[hit.span[0]:hit.span[1]] == hit.raw == "A8H-2019-04711"


@pytest.mark.parametrize(
    "text",
    [
        "ABH-2019-047112",      # serial too long
        "XABH-2019-04711",      # glued to another word
        "ABH-1899-04711",       # implausible year
        "ABH-2019-4711 12",     # short serial followed by digits: ambiguous
        "ABC-2019-04711",       # other prefix
        "am 8. Mai 2019 um 04711",
        "ABH-SOIS-OOOOO",       # letters only, no digits at all
    ],
)
def test_no_false_hits(text):
    assert canon(text) == []


def test_similar_unknown_number_stays_itself():
    # A one-digit difference is a different case number, not a fuzzy match.
    assert canon("Az. ABH-2019-04712") == ["ABH-2019-04712"]


def test_several_hits_in_order():
    assert canon("ABH-2019-04711 und ABH-2020-00012") == ["ABH-2019-04711", "ABH-2020-00012"]


def test_other_office_style():
    pattern = CaseNumberPattern(prefixes=["AB"], layout="{prefix}-{serial}/{year}", serial_digits=5)
    assert canon("Aktenzeichen AB-12345/2020", pattern) == ["AB-12345/2020"]
    assert canon("AB 12345 / 2O20", pattern) == ["AB-12345/2020"]
    assert canon("AB-2345/2020", pattern) == ["AB-02345/2020"]
    assert canon("ABH-2019-04711", pattern) == []


def test_several_prefixes():
    pattern = CaseNumberPattern(prefixes=["ABH", "EBH"])
    assert canon("ABH-2019-04711, E8H-2020-00001", pattern) == ["ABH-2019-04711", "EBH-2020-00001"]


def test_custom_regex():
    pattern = CaseNumberPattern(prefixes=["AZ"], regex=r"(?P<prefix>AZ)\s*(?P<serial>\d{5})\s*-\s*(?P<year>\d{4})", layout="{prefix} {serial}-{year}")
    assert canon("Vorgang AZ 12345 - 2021", pattern) == ["AZ 12345-2021"]


def test_pattern_validation():
    with pytest.raises(ValueError):
        CaseNumberPattern(layout="{prefix}-{year}")
    with pytest.raises(ValueError):
        CaseNumberPattern(prefixes=["AB1"])
    with pytest.raises(ValueError):
        CaseNumberPattern(regex=r"(?P<prefix>AB)(?P<serial>\d+)")


def test_pattern_from_config_dict():
    pattern = CaseNumberPattern.model_validate({"prefixes": ["abh"], "year_digits": 4, "serial_digits": 5})
    assert pattern.prefixes == ["ABH"]
    assert pattern.canonical("ABH 2019 04711") == "ABH-2019-04711"
    assert pattern.canonical("nonsense") is None


def test_normalise_case_number():
    assert normalise_case_number("abh-2019/04711 ") == "ABH201904711"


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("Aktenzeichen: ABH-2O19-O47", "ABH-2O19-O47"),
        ("Ihr Zeichen BH-2023-53207", "BH-2023-53207"),
        ("auch\nAB-2021-40223", "AB-2021-40223"),
        ("sowie ABH-201`2-61448", "ABH-201`2-61448"),
        ("Az. 12345/2023", "12345/2023"),
        ("Prüfling: Phan Thi Mai\nARH.2013.64549", "ARH.2013.64549"),   # a prefix letter read as another
        ("sowie BH.2019.04711", "BH.2019.04711"),
        ("Aktenzeichen: ABH - 2019 #04711", "ABH"),   # the prefix, then digits that do not fit
    ],
)
def test_malformed_case_numbers(text, fragment):
    from dms_ingest.classifiers.case_numbers import find_malformed_case_numbers

    assert [f for f, _ in find_malformed_case_numbers(text, DEFAULT)] == [fragment]


@pytest.mark.parametrize(
    "text",
    ["Az.: ABH-2019-04711 vom 12.03.2024", "Unser Az.: 290/23 ST", "bei der ABH 2019 vorgesprochen", "GÜLTIG AB 01.01.2023", "Abholung 12.03.2024"],
)
def test_not_malformed(text):
    from dms_ingest.classifiers.case_numbers import find_malformed_case_numbers

    assert find_malformed_case_numbers(text, DEFAULT) == []


def test_separators_misread_as_plus_or_star():
    assert [h.canonical for h in find_case_numbers("Ihr Az.: ABH +2014 * 06036")] == ["ABH-2014-06036"]


@pytest.mark.parametrize(
    "ocr_line, expected",
    [
        # Real OCR lines of 200-dpi scans (mailroom set, seed 31): a speck read as punctuation beside a separator.
        ("AZ: ABH,: 2013 - 58104", "ABH-2013-58104"),
        ("ei . Az. ABH - 2017°- 30941.", "ABH-2017-30941"),
        ("Ihr Zeichen: ABH;- 2019 / 04711", "ABH-2019-04711"),
    ],
)
def test_a_speck_beside_a_separator_does_not_hide_the_number(ocr_line, expected):
    hits = find_case_numbers(ocr_line)
    assert [h.canonical for h in hits] == [expected] and hits[0].certain


def test_specks_do_not_join_what_letters_separate():
    # Two punctuation marks are tolerated, a word between the parts is not.
    assert canon("ABH, Jahr 2013, Nr. 58104") == []
    assert canon("ABH ,:; 2013 58104") == []
