"""Pipeline benchmark: the same scanned pages through (a) bare Tesseract, (b) dms-ingest, (c) OCRmyPDF.

Reports CPU seconds per page, pages per minute (wall), character error rate against the known
text, and archive bytes per page; ratios are against (a) measured in the same run.

    .venv/bin/python benchmarks/bench_pipeline.py [--pages N] [--workers 2]
    .venv/bin/python benchmarks/bench_pipeline.py --orientation-cost [--pages N] [--poor N]

--orientation-cost measures only the page stage, in this one process: CPU seconds per page and whole-page
OCR passes with and without the reading check that turns a poor page OSD could not turn (pages.py
`_better_turned`), on the samples' scanned pages (normal) and on upside-down 1-bit letters made with the
mailroom set's renderer and scan simulator (poor: the ones OSD is unsure of pay for it).

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


def upside_down_letters(count: int, workdir: Path) -> list[tuple[Path, int]]:
    """1-bit CCITT G4 letters scanned upside down as the mailroom set makes them (200-300 dpi, specks)."""
    import random

    from dms_datagen import mailroom_set as ms
    from dms_datagen.scan import to_bilevel

    templates = [ms._t_mitgliedsbescheinigung, ms._t_lohnabrechnung, ms._t_sprachzeugnis, ms._t_geburtsurkunde,
                 ms._t_arbeitgeberbescheinigung, ms._t_mietbescheinigung, ms._t_anhoerung, ms._t_kanzlei]
    out = []
    for seed in range(count):
        rng = random.Random(seed)
        dpi = rng.choice([200, 240, 300])
        shown = ms.Shown(name="Maria SCHMIDT", birth="12.03.1988", case_line=("Az.:", "ABH-2023-48213"))
        _, head, body = rng.choice(templates)(shown, rng)
        page = ms.render_letter(head, body, shown, rng, dpi)
        scanned = ms.scan_damage(page, skew_deg=rng.uniform(-4, 4), rotate=180, noise=rng.uniform(2, 7),
                                 blur=rng.uniform(0.3, 0.8), background=rng.uniform(0, 0.12),
                                 speckles=rng.randint(50, 400), seed=rng.randint(0, 2**31))
        path = workdir / f"upside-down-{seed}.tif"
        to_bilevel(scanned, rng.randint(130, 170)).save(path, compression="group4", dpi=(dpi, dpi))
        out.append((path, dpi))
    return out


class CountingEngine:
    """The real engine, counting whole-page OCR passes (the line re-reads are small crops)."""

    def __init__(self, engine):
        self.engine, self.passes = engine, 0

    def recognize(self, gray, dpi):
        if gray.size > 2_000_000:
            self.passes += 1
        return self.engine.recognize(gray, dpi)

    def detect_orientation(self, gray, dpi):
        return self.engine.detect_orientation(gray, dpi)


def orientation_cost(pages: int, poor: int) -> None:
    from unittest import mock

    from dms_ingest.ingest import pages as page_stage
    from dms_ingest.ingest.ocr import recognizer
    from dms_ingest.ingest.sources import PageSpec
    from dms_ingest.index.analysis import lexicon

    options = page_stage.PageOptions("deu", orientation=True, deskew=True, blank_ink_ratio=0.002, jpeg_quality=75,
                                     max_dpi=300)
    engine = CountingEngine(recognizer("deu"))
    lexicon()   # loaded once per worker process (~0.7 s CPU); not a page's cost

    def run(path: Path, media: str, dpi: int, check: bool) -> tuple[float, int, int]:
        with Image.open(path) as img:
            w, h = img.size
        spec = PageSpec(number=1, width_pt=w / dpi * 72, height_pt=h / dpi * 72, dpi=dpi)
        engine.passes = 0
        off = mock.patch.object(page_stage, "_better_turned", lambda first, *a, **k: first)
        started = time.process_time()
        if check:
            page = page_stage.process_page(path, media, spec, options, engine).page
        else:
            with off:
                page = page_stage.process_page(path, media, spec, options, engine).page
        return time.process_time() - started, engine.passes, page.rotation

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        normal = [(p["pdf"].with_suffix(".png"), "image/png", 300) for p in scanned_pages(pages, tmp)]
        turned = [(path, "image/tiff", dpi) for path, dpi in upside_down_letters(poor, tmp)]
        run(*normal[0], check=True)   # warm up: models loaded
        print(f"{'pages':44} {'n':>3} {'CPU s/page off':>14} {'on':>6} {'extra':>6} {'OCR passes off':>14} {'on':>5} "
              f"{'turned off':>10} {'on':>4}")
        groups: dict[str, list] = {"normal (samples, 300 dpi scans)": [], "upside-down 1-bit, OSD turned them": [],
                                   "upside-down 1-bit, OSD unsure (the gap)": []}
        for kind, items in (("normal", normal), ("poor", turned)):
            for item in items:
                cpu_off, passes_off, rot_off = run(*item, check=False)
                cpu_on, passes_on, rot_on = run(*item, check=True)
                row = (cpu_off, cpu_on, passes_off, passes_on, rot_off != 0, rot_on != 0)
                if kind == "normal":
                    groups["normal (samples, 300 dpi scans)"].append(row)
                else:
                    groups["upside-down 1-bit, OSD turned them" if rot_off
                           else "upside-down 1-bit, OSD unsure (the gap)"].append(row)
        for name, rows in groups.items():
            if not rows:
                continue
            n = len(rows)
            col = lambda k: sum(r[k] for r in rows) / n  # noqa: E731
            print(f"{name:44} {n:3d} {col(0):14.2f} {col(1):6.2f} {col(1) - col(0):+6.2f} {col(2):14.2f} {col(3):5.2f} "
                  f"{sum(r[4] for r in rows):10d} {sum(r[5] for r in rows):4d}")


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
    parser.add_argument("--orientation-cost", action="store_true", help="only the page stage's orientation cost (see above)")
    parser.add_argument("--poor", type=int, default=24, help="--orientation-cost: upside-down 1-bit letters to make")
    args = parser.parse_args()
    if args.orientation_cost:
        return orientation_cost(args.pages, args.poor)
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
