"""Pipeline benchmark: the same scanned pages through (a) bare Tesseract, (b) dms-ingest, (c) OCRmyPDF.

Reports CPU seconds per page, pages per minute (wall), character error rate against the known
text, and archive bytes per page; ratios are against (a) measured in the same run.

    .venv/bin/python benchmarks/bench_pipeline.py [--pages N] [--workers 2]

OCRmyPDF is a development-only dependency: `pip install 'ocrmypdf>=17'` and Debian's ghostscript.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import img2pdf
from PIL import Image
from rapidfuzz.distance import Levenshtein

REPO = Path(__file__).resolve().parent.parent
from dms_datagen.scan import undo_rotation

FLOOR_SCRIPT = r"""
import sys, json, numpy as np
from PIL import Image
from dms_ingest.ingest.ocr import recognizer
r = recognizer("deu+eng")
out = {}
for path in sys.argv[1:]:
    img = Image.open(path).convert("L")
    out[path] = r.recognize(np.asarray(img), img.info.get("dpi", (300, 300))[0]).text
print(json.dumps(out))
"""


def scanned_pages(limit: int, workdir: Path, upright_only: bool = False) -> list[dict]:
    """Single-page PDFs of the samples' 300-dpi scanned pages, each with its ground truth."""
    expected = json.loads((REPO / "samples" / "expected.json").read_text())
    pages = []
    for entry in expected:
        source = REPO / "samples" / "inbox" / entry["file"]
        for page in entry["per_page"]:
            if page["blank"] or page.get("born_digital") or len(pages) >= limit:
                continue
            if upright_only and page["rotation"]:
                continue
            image = _page_image(source, entry["format"], page["page"])
            if image is None:
                continue
            stem = f"{source.stem}-p{page['page']}"
            scan_png = workdir / f"{stem}.png"
            image.save(scan_png, dpi=(300, 300))
            upright_png = workdir / f"{stem}-upright.png"
            undo_rotation(image, page["rotation"]).save(upright_png, dpi=(300, 300))
            pdf = workdir / f"{stem}.pdf"
            pdf.write_bytes(img2pdf.convert(str(scan_png), layout_fun=img2pdf.get_fixed_dpi_layout_fun((300, 300))))
            pages.append({"name": stem, "pdf": pdf, "upright": upright_png, "truth": page["text"]})
    return pages


def _page_image(source: Path, fmt: str, number: int) -> Image.Image | None:
    if fmt == "pdf":
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(str(source))
        image = doc[number - 1].render(scale=300 / 72).to_pil().convert("L")
        doc.close()
        return image
    with Image.open(source) as img:
        img.seek(number - 1)
        return img.convert("RGB" if img.mode in ("RGB", "RGBA", "P") else "L")


def _repeated(pages: list[dict], times: int, workdir: Path) -> list[dict]:
    """The same pages again as distinct files (a comment after %%EOF changes the bytes, not the page)."""
    out = list(pages)
    for round_ in range(1, times):
        for page in pages:
            copy = workdir / f"{page['name']}-r{round_}.pdf"
            copy.write_bytes(page["pdf"].read_bytes() + f"% copy {round_}\n".encode())
            out.append({**page, "name": copy.stem, "pdf": copy})
    return out


def cer(text: str, truth: str) -> float:
    a, b = " ".join(text.split()), " ".join(truth.split())
    return Levenshtein.distance(a, b) / max(1, len(b))


PEAK_RSS_MB: list[float] = []  # largest resident set of any finished child process so far


def run_measured(cmd: list[str], env: dict) -> tuple[float, float, subprocess.CompletedProcess]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    PEAK_RSS_MB.append(after.ru_maxrss / 1024)
    if done.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed: {done.stderr[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall, done


def pdf_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-ocrmypdf", action="store_true")
    parser.add_argument("--repeat", type=int, default=3,
                        help="feed (a) and (b) each page this many times (distinct bytes), so start-up costs "
                             "(imports, model loading) weigh as little as in a long batch")
    parser.add_argument("--upright-only", action="store_true",
                        help="leave out the pages scanned sideways or upside down (they cost a second OCR pass)")
    args = parser.parse_args()
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    python = sys.executable
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = scanned_pages(args.pages, tmp, args.upright_only)
        pages = _repeated(base, args.repeat, tmp)
        n = len(pages)
        print(f"{len(base)} scanned 300-dpi pages from samples/ (German text), each fed {args.repeat}x "
              f"to (a) and (b): {n} pages; OCRmyPDF gets each page once", flush=True)

        # (a) the floor: recognition only, pages already upright, no PDF, one process.
        cpu, wall, done = run_measured([python, "-c", FLOOR_SCRIPT, *[str(p["upright"]) for p in pages]], env)
        texts = json.loads(done.stdout)
        rows.append(("a) bare Tesseract (floor)", cpu, wall, [cer(texts[str(p["upright"])], p["truth"]) for p in pages], None))

        # (b) dms-ingest end to end: sniff, orient, deskew, OCR, PDF/A (validated), store, index.
        home = tmp / "home"
        inputs = tmp / "inputs"
        inputs.mkdir()
        for p in pages:
            shutil.copy(p["pdf"], inputs / p["pdf"].name)
        dms = [python, "-m", "dms_ingest", "--home", str(home), "ingest", "--json", "--workers", str(args.workers),
               str(inputs)]
        cpu, wall, done = run_measured(dms, env)
        results = {Path(json.loads(l)["source"]).stem: json.loads(l) for l in done.stdout.splitlines() if l.strip()}
        errors, sizes = [], []
        for p in pages:
            result = results[p["name"]]
            assert result["status"] == "archived", result
            archive = home / "objects" / result["archive_sha256"][:2] / result["archive_sha256"][2:4] / result["archive_sha256"]
            sizes.append(archive.stat().st_size)
            errors.append(cer(pdf_text(archive), p["truth"]))
        rows.append((f"b) dms-ingest ({args.workers} workers)", cpu, wall, errors, sum(sizes) / n))

        # (c) OCRmyPDF with deskew, rotation and PDF/A.
        if not args.skip_ocrmypdf and shutil.which("gs"):
            errors, sizes, cpu_total, wall_total = [], [], 0.0, 0.0
            for p in base:
                out = tmp / f"{p['name']}-ocrmypdf.pdf"
                cmd = [python, "-m", "ocrmypdf", "--output-type", "pdfa", "--deskew", "--rotate-pages", "-l", "deu",
                       "--jobs", "1", "-q", str(p["pdf"]), str(out)]
                cpu, wall, _ = run_measured(cmd, env)
                cpu_total += cpu
                wall_total += wall
                sizes.append(out.stat().st_size)
                errors.append(cer(pdf_text(out), p["truth"]))
            # scaled to the same page count as (a) and (b), so the per-page columns compare
            scale = n / len(base)
            rows.append(("c) OCRmyPDF 17 (1 job per file)", cpu_total * scale, wall_total * scale,
                         errors * args.repeat, sum(sizes) / len(base)))

    floor_cpu = rows[0][1] / n
    print(f"\n{'variant':34} {'CPU s/page':>10} {'x floor':>8} {'pages/min':>10} {'CER %':>7} {'KB/page':>8}")
    for name, cpu, wall, errors, size in rows:
        per_page = cpu / n
        print(f"{name:34} {per_page:10.2f} {per_page / floor_cpu:8.2f} {n / wall * 60:10.1f} "
              f"{100 * sum(errors) / n:7.2f} {(size or 0) / 1024:8.1f}")
    # ru_maxrss of children is a running maximum: after run (b) it covers the floor and dms-ingest.
    print(f"\npeak resident memory of one process, floor and dms-ingest runs: {PEAK_RSS_MB[1]:.0f} MB")
    if len(rows) == 3:
        ours, theirs = rows[1][1] / n, rows[2][1] / n
        print(f"\npages per CPU-second: dms-ingest {1 / ours:.2f}, OCRmyPDF {1 / theirs:.2f} "
              f"(ratio {theirs / ours:.2f}x)")


if __name__ == "__main__":
    main()
