#!/usr/bin/env python3
"""OCR check of the generated samples (slow; not part of the unit tests).

For every scanned page listed in ``expected.json`` this turns the page upright
(undoing ``rotation``), runs the ``tesseract`` command line (``-l deu``) and
reports which of the document's ``phrases`` were found and how similar the OCR
text is to the ground truth.  Born-digital pages are read with pdfplumber
instead.  Usage::

    .venv/bin/python samples/check_ocr.py [SAMPLES_DIR]

Exit status 1 if a phrase of a document was found on none of its pages.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pdfplumber
import pikepdf
from PIL import Image, ImageSequence

HERE = Path(__file__).resolve().parent


def page_images(path: Path, fmt: str) -> list[Image.Image | None]:
    """Raster of each page (None for a page without an image)."""
    if fmt == "pdf":
        out: list[Image.Image | None] = []
        with pikepdf.open(path) as pdf:
            for page in pdf.pages:
                imgs = list(page.get_images().values())
                out.append(pikepdf.PdfImage(imgs[0]).as_pil_image() if imgs else None)
        return out
    with Image.open(path) as im:
        return [fr.copy() for fr in ImageSequence.Iterator(im)]


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip().lower()


def tesseract(img: Image.Image) -> str:
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300))
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    res = subprocess.run(["tesseract", "stdin", "stdout", "-l", "deu", "--dpi", "300"],
                         input=buf.getvalue(), capture_output=True, env=env, check=True)
    return res.stdout.decode("utf-8")


def check_page(base: Path, entry: dict, info: dict, img: Image.Image | None) -> dict:
    if info["born_digital"]:
        with pdfplumber.open(base / "inbox" / entry["file"]) as pdf:
            text = pdf.pages[info["page"] - 1].extract_text() or ""
        how = "pdfplumber"
    elif info["blank"]:
        text, how = tesseract(img), "tesseract"
    else:
        rot = info["rotation"]
        upright = img.rotate(rot, expand=True) if rot else img
        text, how = tesseract(upright), "tesseract"
    ratio = difflib.SequenceMatcher(None, norm(info["text"]), norm(text), autojunk=False).ratio()
    return {"text": text, "how": how, "similarity": ratio}


def main(argv: list[str]) -> int:
    base = Path(argv[0]) if argv else HERE
    entries = json.loads((base / "expected.json").read_text(encoding="utf-8"))
    jobs = []
    for e in entries:
        imgs = page_images(base / "inbox" / e["file"], e["format"])
        for info, img in zip(e["per_page"], imgs):
            jobs.append((e, info, img))
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as ex:
        results = list(ex.map(lambda j: check_page(base, *j), jobs))
    bad = 0
    by_file: dict[str, list[tuple[dict, dict]]] = {}
    for (e, info, _), r in zip(jobs, results):
        by_file.setdefault(e["file"], []).append((info, r))
    for e in entries:
        pages = by_file[e["file"]]
        all_text = norm(" ".join(r["text"] for _, r in pages))
        found = [p for p in e["phrases"] if norm(p) in all_text]
        missing = [p for p in e["phrases"] if norm(p) not in all_text]
        bad += bool(missing)
        print(f"{e['file']} ({e['doc_type']})")
        for info, r in pages:
            extra = " blank" if info["blank"] else ""
            chars = len(r["text"].strip())
            print(f"  p{info['page']}: rot={info['rotation']:3d} skew={info['skew_deg']:+.1f}{extra}"
                  f"  {r['how']:10s} similarity={r['similarity']:.3f} chars={chars}")
        print(f"  phrases found {len(found)}/{len(e['phrases'])}" +
              (f"  MISSING: {missing}" if missing else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
