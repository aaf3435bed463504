import pytest

from dms_ingest.classifiers.textfix import restore_paragraph_signs


@pytest.mark.parametrize(
    "ocr, fixed",
    [
        ("8 81 Abs. 4 AufenthG", "§ 81 Abs. 4 AufenthG"),
        ("88 60a AufenthG", "§§ 60a AufenthG"),
        ("gemäß 8 25 Abs 5 AufenthG", "gemäß § 25 Abs 5 AufenthG"),
        ("nach 8 10 StAG", "nach § 10 StAG"),
        ("8 2 S. 1 AufenthG", "§ 2 S. 1 AufenthG"),
        ("8 5 Abs. 1 Nr. 1 AufenthG", "§ 5 Abs. 1 Nr. 1 AufenthG"),
        ("8 7 Satz 2 VwVfG", "§ 7 Satz 2 VwVfG"),
        ("8 14 SGB II", "§ 14 SGB II"),
        ("8 1 FreizügG/EU", "§ 1 FreizügG/EU"),
        ("8 39 BeschV", "§ 39 BeschV"),
        ("8 47 AufenthV", "§ 47 AufenthV"),
        ("8 622 BGB", "§ 622 BGB"),
        ("88 53, 54 AufenthG", "§§ 53, 54 AufenthG"),
        ("88 60a bis 60d AufenthG", "§§ 60a bis 60d AufenthG"),
        ("8 8 Abs. 1 StAG", "§ 8 Abs. 1 StAG"),
        ("(8 81 Abs. 3 AufenthG)", "(§ 81 Abs. 3 AufenthG)"),
        ("8 3 AsylG und 8 80 VwGO", "§ 3 AsylG und § 80 VwGO"),
    ],
)
def test_section_signs_restored(ocr, fixed):
    assert restore_paragraph_signs(ocr) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "8 Stunden täglich",
        "am 8. Mai 2023",
        "Art. 8 EMRK",
        "Art. 8 Abs. 1 EMRK",
        "8 81 qm Wohnfläche",
        "Zimmer 8 81",
        "18 81 Abs. 4 AufenthG",
        "8 Personen, 12 Nr. 5",
        "§ 81 Abs. 4 AufenthG",
        "Seite 8 von 12",
        "8 12 Stunden",
        "Tel. 0201 8 81 23",
    ],
)
def test_ordinary_numbers_untouched(text):
    assert restore_paragraph_signs(text) == text
