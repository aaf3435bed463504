"""Which pages of a mailroom set were scanned turned: the labels do not say, so generate the set again
(same seed, byte-identical files) recording the `rotate` that `scan_damage` was given for each saved page.

    PYTHONPATH=. .venv/bin/python scripts/mailroom_turns.py DIR COUNT SEED TURNS.json

TURNS.json maps each saved file (mail attachments as `.attachment_<mail>_<k>`: the k-th attachment of
mail_<mail>.eml) to {"rotate": degrees the content was turned clockwise, "form": suffix, "dpi": dpi}.
Used for README "Seed 131's upside-down scan".
"""

import json
import sys

from dms_datagen import mailroom_set


def main(directory: str, count: int, seed: int, out: str) -> None:
    turns, given = {}, []
    scan_damage, save_page = mailroom_set.scan_damage, mailroom_set.save_page

    def recording_scan_damage(img, **kw):
        given.append(kw.get("rotate", 0))
        return scan_damage(img, **kw)

    def recording_save_page(page, stem, rng, dpi, **kw):
        given.clear()
        path = save_page(page, stem, rng, dpi, **kw)
        turns[path.name] = {"rotate": given[-1] if given else 0, "form": path.suffix, "dpi": dpi}
        return path

    mailroom_set.scan_damage, mailroom_set.save_page = recording_scan_damage, recording_save_page
    mailroom_set.write_mailroom_set(directory, count, seed)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(turns, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
