"""The mailroom evaluation set: inputs and labels that fit together (the heavy OCR run is `dms eval`)."""

import email
import random

from PIL import Image

from dms_datagen.evaluation_set import build_registry
from dms_datagen.mailroom_set import EVIDENCE_CLASSES, _Day, _families, phone_photo, render_letter, Shown


def test_one_scan_mail_and_batch_are_labelled_document_by_document(tmp_path):
    rng = random.Random(5)
    trap = build_registry(rng, size=60)
    day = _Day(tmp_path, rng, trap, _families(trap, rng, count=6), resolutions=(100,))  # small pages: fast
    day.scan(0), day.mail(1), day.batch(2)
    registered = {r.case_number for r in trap.records}
    by_file: dict[str, list] = {}
    for truth in day.truths:
        by_file.setdefault(truth.file, []).append(truth)
        assert truth.evidence in EVIDENCE_CLASSES
        assert (truth.case_number is not None) == truth.assignable
        assert truth.case_number is None or truth.case_number in registered
        assert truth.owner in registered
    assert {f.split("_")[0] for f in by_file} == {"scan", "mail", "batch"}
    mail_name = next(f for f in by_file if f.startswith("mail"))
    msg = email.message_from_bytes((tmp_path / mail_name).read_bytes())
    attached = {part.get_filename() for part in msg.walk() if part.get_filename()}
    assert {t.key.split("#", 1)[1] for t in by_file[mail_name]} == attached | {"body"}
    batch_name = next(f for f in by_file if f.startswith("batch"))
    with Image.open(tmp_path / batch_name) as batch:
        pages = getattr(batch, "n_frames", 1)
    if batch_name.endswith(".pdf"):
        import pikepdf

        pages = len(pikepdf.open(tmp_path / batch_name).pages)
    documents = len(by_file[batch_name])
    assert pages == 1 + documents + (documents - 1)  # cover sheet, documents with separators between them
    assert not list(tmp_path.glob(".attachment*"))


def test_phone_photo_has_no_resolution_tag_and_perspective():
    rng = random.Random(1)
    page = render_letter(["Kopf"], ["Text"], Shown(name="Ali Hassan"), rng, 100)
    photo = phone_photo(page, rng)
    assert photo.mode == "RGB" and "dpi" not in photo.info
    assert photo.size != page.size


def test_the_longest_case_line_stays_on_the_page():
    import random

    import numpy as np

    from dms_datagen.mailroom_set import Shown, render_letter

    shown = Shown(name="PARWANA SHABNAM REDDY", case_line=("Unser Zeichen / Ihr Zeichen:", "ABH - 2021 - 16345"))
    for seed in range(12):   # every font and column position
        page = np.asarray(render_letter(["Hotel Zur Post", "Lohnbüro"], ["Abrechnung"], shown, random.Random(seed), 200))
        assert page[:, -50:].min() == 255, seed   # a glyph is narrower than 50 px: none stands in the margin
