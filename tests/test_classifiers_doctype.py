import pytest

from dms_ingest.classifiers import doctype
from dms_ingest.classifiers.doctype import (
    CORPUS_FILE,
    DEFAULT_TAXONOMY,
    MODEL_FILE,
    DocTypeClassifier,
    OverrideRule,
    load_default_classifier,
    normalise_text,
    read_corpus,
)

# Hand-written texts in wording that the training templates do not use.
UNSEEN = {
    "mietvertrag": "Zwischen Frau Sabine Koch (Vermieterin) und Herrn Emre Kaya (Mieter) wird die Zweizimmerwohnung im "
                   "3. OG vermietet. Kaltmiete 540 Euro, Nebenkosten 120 Euro, die Mietkaution beträgt zwei Monatsmieten.",
    "gehaltsnachweis": "Lohn- und Gehaltsabrechnung 03/2024 Bruttobezüge 2.950,00 Lohnsteuer 301,16 Krankenversicherung "
                       "242,00 Rentenversicherung 274,35 Nettobezüge 1.987,12 Auszahlung auf IBAN DE12 3456",
    "sprachzertifikat": "Hiermit wird bestätigt, dass die Kandidatin die Sprachprüfung Deutsch auf dem Niveau B1 des "
                        "Europäischen Referenzrahmens bestanden hat. Teilprüfungen Hören, Lesen, Schreiben, Sprechen.",
    "anwaltsschreiben": "Sehr geehrte Damen und Herren, in der Ausländerangelegenheit unseres Mandanten zeigen wir die "
                        "Vertretung an. Vollmacht anbei. Wir bitten um Akteneinsicht. Mit freundlichen Grüßen, Rechtsanwalt",
    "bescheid": "Ihr Antrag wird abgelehnt. Begründung: Der Lebensunterhalt ist nicht gesichert. Rechtsbehelfsbelehrung: "
                "Gegen diesen Bescheid kann binnen eines Monats Klage beim Verwaltungsgericht erhoben werden.",
    "urkunde": "Standesamt Köln. Geburtsurkunde. Familienname des Kindes, Vornamen, Tag und Ort der Geburt, Eltern: "
               "Mutter und Vater. Der Standesbeamte.",
    "meldebescheinigung": "Bürgeramt. Meldebescheinigung. Die Person ist mit Hauptwohnung unter der folgenden Anschrift "
                          "im Melderegister gemeldet. Einzugsdatum 01.03.2022.",
    "krankenversicherung": "Die AOK bestätigt, dass Frau Ayşe Demir seit dem 01.01.2020 Mitglied der gesetzlichen "
                           "Kranken- und Pflegeversicherung ist. Versichertennummer A123456789.",
}


@pytest.fixture(scope="module")
def shipped():
    return load_default_classifier()


def test_shipped_model_is_small_and_loads():
    assert MODEL_FILE.stat().st_size < 5_000_000
    classifier = DocTypeClassifier.load(MODEL_FILE)
    assert set(classifier.taxonomy) == set(DEFAULT_TAXONOMY)


@pytest.mark.parametrize("label", sorted(UNSEEN))
def test_unseen_texts(shipped, label):
    predicted, probability, top3 = shipped.predict(UNSEEN[label])
    assert predicted == label, top3
    assert 0 < probability <= 1
    assert len(top3) == 3 and top3[0] == (predicted, probability)
    assert top3[0][1] >= top3[1][1] >= top3[2][1]


def test_passport_with_mrz(shipped):
    text = ("REPUBLIC OF TÜRKIYE PASSPORT Surname YILMAZ Given names MEHMET Date of birth 03.04.1987\n"
            "P<TURYILMAZ<<MEHMET<<<<<<<<<<<<<<<<<<<<<<<<<<<\nU123456784TUR8704038M3001019<<<<<<<<<<<<<<<6")
    assert shipped.predict(text)[0] == "pass"


def test_override_rules_come_first(shipped):
    ruled = shipped.with_rules([{"type": "sonstiges", "all": ["Rundfunkbeitrag"], "any": ["Beitragsnummer", "Beitragskonto"]}])
    assert ruled.predict("Rundfunkbeitrag – Ihre Beitragsnummer 123")[0:2] == ("sonstiges", 1.0)
    # any-list not satisfied: the model decides
    assert ruled.predict("Rundfunkbeitrag " + UNSEEN["bescheid"])[0] == "bescheid"
    assert OverrideRule("pass", all=("Reisepass",)).matches(normalise_text("REISEPASS Nr. 1"))


def test_train_save_load_round_trip(tmp_path):
    texts, labels = read_corpus(CORPUS_FILE)
    subset = [i for i in range(len(texts)) if labels[i] in ("mietvertrag", "pass", "bescheid")]
    classifier = DocTypeClassifier.train([texts[i] for i in subset], [labels[i] for i in subset],
                                         taxonomy=["mietvertrag", "pass", "bescheid"])
    classifier.save(tmp_path / "m.joblib")
    again = DocTypeClassifier.load(tmp_path / "m.joblib")
    assert again.predict(UNSEEN["mietvertrag"]) == classifier.predict(UNSEEN["mietvertrag"])
    assert again.predict(UNSEEN["mietvertrag"])[0] == "mietvertrag"


def test_labels_outside_taxonomy_are_rejected():
    with pytest.raises(ValueError):
        DocTypeClassifier.train(["a b c"] * 4, ["pass", "pass", "foo", "foo"])


def test_model_from_other_sklearn_version_is_refused(tmp_path, shipped):
    stale = DocTypeClassifier(shipped.pipeline, shipped.taxonomy, [], "0.0.1")
    stale.save(tmp_path / "old.joblib")
    with pytest.raises(ValueError, match="scikit-learn"):
        DocTypeClassifier.load(tmp_path / "old.joblib")


def test_default_loader_never_trains_a_broken_model(tmp_path, monkeypatch):
    broken = tmp_path / "doctype.joblib"
    broken.write_bytes(b"not a pickle")
    monkeypatch.setattr(doctype, "MODEL_FILE", broken)
    monkeypatch.setattr(doctype.DocTypeClassifier, "train", lambda *a, **k: pytest.fail("trained at run time"))
    load_default_classifier.cache_clear()
    try:
        with pytest.raises(doctype.ModelUnavailable, match="dms train"):
            load_default_classifier()
    finally:
        load_default_classifier.cache_clear()


def test_normalise_text_joins_hyphenated_words_and_hides_digits():
    assert normalise_text("Melde-\nbescheinigung vom 03.04.2020") == "meldebescheinigung vom 00.00.0000"
