"""Migration benchmark: a generated legacy archive through `dms migrate` with 1 and 2 worker processes.

The archive imitates the office's paper files: every file starts with a cover sheet (QR code
``AZ:<case number>``), documents are separated by separator sheets (QR ``DMS-SEPARATOR``), some
sheets have a blank back page; pages are 300 dpi greyscale scans (skew, noise, dust, uneven
light) of German letters, stored as folders of JPEG pages, image PDFs and bilevel G4 TIFFs.

Measured per run (fresh DMS_HOME, local store, SQLite index, as on one machine):
wall time, pages per minute, pages per CPU-second (CPU time of the worker processes: user +
system, Tesseract included), scaling efficiency (speed-up / workers), peak RSS per worker.

    .venv/bin/python benchmarks/bench_migrate.py                 # 52 files, ~330 pages, 1 and 2 workers
    .venv/bin/python benchmarks/bench_migrate.py --files 60 --workers 1 2 --out results.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import zxingcpp
from PIL import Image

from dms_datagen.letters import A4_PX, Sheet
from dms_datagen.pdf import save_jpeg, write_pdf
from dms_datagen.scan import scan_damage, to_bilevel

REPO = Path(__file__).resolve().parent.parent

DPI = 300
WORDS = ("Aufenthaltserlaubnis Verlängerung Antrag Ausländerbehörde Bescheid Unterlagen Nachweis Einkommen "
         "Arbeitgeber Krankenversicherung Mietvertrag Wohnung Meldebescheinigung Reisepass Gültigkeit "
         "Familiennachzug Sprachkenntnisse Integrationskurs Frist Termin Vorsprache Gebühren Zahlung "
         "Beschäftigung Erwerbstätigkeit Niederlassungserlaubnis Stellungnahme Rechtsanwalt Widerspruch "
         "Anhörung Entscheidung Prüfung Zustimmung Bundesagentur Lebensunterhalt Sicherung Ehegatte Kinder "
         "Schule Bescheinigung Urkunde Geburtsurkunde Übersetzung beglaubigt vollständig vorgelegt eingereicht "
         "gemäß Absatz Satz Gesetz bitte mitzubringen innerhalb von Wochen nach Zugang dieses Schreibens").split()


def _sentence(rng: np.random.Generator) -> str:
    words = [WORDS[i] for i in rng.integers(0, len(WORDS), int(rng.integers(8, 16)))]
    return " ".join(words).capitalize() + "."


def letter_page(rng: np.random.Generator, case: str, page_no: int) -> Image.Image:
    sheet = Sheet()
    sheet.text("Landeshauptstadt - Ausländerbehörde", size=52, bold=True)
    sheet.text("Abteilung Aufenthalt, Zimmer 2.14", size=40)
    sheet.gap(90)
    sheet.text(f"Aktenzeichen: {case}   Seite {page_no}", size=44)
    sheet.gap(50)
    for _ in range(int(rng.integers(4, 7))):
        sheet.para(" ".join(_sentence(rng) for _ in range(int(rng.integers(2, 4)))), size=44, after=30)
    sheet.gap(60)
    sheet.text("Mit freundlichen Grüßen", size=44)
    sheet.text("Im Auftrag", size=44)
    return scan_damage(sheet.img, skew_deg=float(rng.uniform(-1.2, 1.2)), noise=2.0, blur=0.8,
                          background=0.06, speckles=80, seed=int(rng.integers(0, 2**31)))


def qr_sheet(payload: str, title: str, rng: np.random.Generator) -> Image.Image:
    sheet = Sheet()
    code = Image.fromarray(np.asarray(zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode)
                                      .to_image(scale=14)))
    sheet.img.paste(code, (sheet.left, sheet.y))
    sheet.gap(code.height + 80)
    sheet.text(title, size=70, bold=True)
    return scan_damage(sheet.img, skew_deg=float(rng.uniform(-0.6, 0.6)), noise=1.5, blur=0.6,
                          background=0.03, speckles=40, seed=int(rng.integers(0, 2**31)))


def blank_page(rng: np.random.Generator) -> Image.Image:
    return scan_damage(Image.new("L", A4_PX, 255), noise=2.0, blur=0.8, background=0.05, speckles=60,
                          seed=int(rng.integers(0, 2**31)))


def paper_file(rng: np.random.Generator, case: str) -> tuple[list[Image.Image], dict]:
    """Cover, 1-3 documents of 1-3 pages (separators between them), some blank back pages."""
    pages = [qr_sheet(f"AZ:{case}", f"Aktendeckblatt {case}", rng)]
    documents = int(rng.integers(1, 4))
    counts = {"documents": documents, "sheets": 1, "blank": 0, "text": 0}
    for d in range(documents):
        if d:
            pages.append(qr_sheet("DMS-SEPARATOR", "Trennblatt", rng))
            counts["sheets"] += 1
        for p in range(int(rng.integers(1, 4))):
            pages.append(letter_page(rng, case, p + 1))
            counts["text"] += 1
            if rng.random() < 0.2:
                pages.append(blank_page(rng))
                counts["blank"] += 1
    counts["pages"] = len(pages)
    return pages, counts


def write(kind: str, path: Path, pages: list[Image.Image]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "folder":
        path.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(pages, start=1):
            save_jpeg(page, path / f"{n:04d}.jpg")
        return path
    if kind == "pdf":
        write_pdf(path.with_suffix(".pdf"), pages)
        return path.with_suffix(".pdf")
    target = path.with_suffix(".tif")
    frames = [to_bilevel(p) for p in pages]
    frames[0].save(target, save_all=True, append_images=frames[1:], compression="group4", dpi=(DPI, DPI))
    return target


def generate(root: Path, files: int, seed: int) -> dict:
    """The archive under *root* (reused if it was generated with the same parameters)."""
    stamp = root / "archive.json"
    if stamp.exists():
        info = json.loads(stamp.read_text())
        if info["files"] == files and info["seed"] == seed:
            return info
    shutil.rmtree(root, ignore_errors=True)
    (root / "archiv").mkdir(parents=True)
    rng = np.random.default_rng(seed)
    totals = defaultdict(int)
    started = time.monotonic()
    for i in range(files):
        case = f"ABH-{2015 + i % 9}-{10000 + i:05d}"
        pages, counts = paper_file(rng, case)
        kind = ("folder", "pdf", "tiff")[i % 3]
        write(kind, root / "archiv" / f"regal-{i // 20 + 1}" / f"akte-{i + 1:04d}", pages)
        for k, v in counts.items():
            totals[k] += v
        totals[kind] += 1
    info = {"files": files, "seed": seed, **totals, "generate_seconds": round(time.monotonic() - started, 1)}
    stamp.write_text(json.dumps(info, indent=1))
    return info


def run(archive: Path, workers: int, work: Path, sheets: int) -> dict:
    home = work / f"home-{workers}"
    shutil.rmtree(home, ignore_errors=True)
    report = work / f"report-{workers}.csv"
    env = {**os.environ, "DMS_HOME": str(home), "OMP_THREAD_LIMIT": "1"}
    started = time.monotonic()
    done = subprocess.run([str(REPO / ".venv" / "bin" / "dms"), "migrate", str(archive), "--workers", str(workers),
                           "--report", str(report), "--json"], env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"dms migrate failed ({done.returncode}): {done.stderr[-2000:]}")
    summary = json.loads(done.stdout)
    peak: dict[str, int] = defaultdict(int)
    import csv

    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{home / 'index.sqlite'}")
    with engine.connect() as conn:
        for worker, rss in conn.execute(text("SELECT worker, max(max_rss_kb) FROM migration_items GROUP BY worker")):
            peak[worker] = int(rss)
    rows = list(csv.DictReader(open(report, encoding="utf-8")))
    r = summary["run"]
    content = r["pages"] - sheets      # pages that are OCR'd and archived (cover/separator sheets are cheap)
    return {
        "workers": workers, "files": r["files"], "pages": r["pages"], "content_pages": content,
        "content_pages_per_cpu_second": round(content / r["cpu_seconds"], 3),
        "content_pages_per_minute": round(content / wall * 60, 1), "wall_seconds": round(wall, 1),
        "run_wall_seconds": r["wall_seconds"], "cpu_seconds": r["cpu_seconds"],
        "pages_per_minute": round(r["pages"] / wall * 60, 1), "pages_per_cpu_second": r["pages_per_cpu_second"],
        "peak_rss_mb_per_worker": sorted(round(v / 1024, 1) for v in peak.values()),
        "documents": summary["documents"], "review": summary["review"], "complete": summary["complete"],
        "failed": summary["files"]["failed"], "equation_holds": sum(1 for x in rows if x["complete"] == "yes"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=52)
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "dms-bench-migrate")
    parser.add_argument("--out", type=Path, default=None, help="Write the results as JSON here.")
    args = parser.parse_args(argv)
    info = generate(args.data, args.files, args.seed)
    print(f"archive: {info['files']} paper files, {info['pages']} pages ({info['text']} text, {info['blank']} blank "
          f"back pages, {info['sheets']} cover/separator sheets), {info['documents']} documents; "
          f"{info.get('folder', 0)} folders of JPEG pages, {info.get('pdf', 0)} image PDFs, "
          f"{info.get('tiff', 0)} G4 TIFFs; generated in {info['generate_seconds']} s", flush=True)
    results = []
    for workers in args.workers:
        result = run(args.data / "archiv", workers, args.data, info["sheets"])
        results.append(result)
        print(json.dumps(result), flush=True)
    base = next((r for r in results if r["workers"] == 1), None)
    print()
    print("| workers | pages (content) | wall time | pages/min (content) | pages per CPU-second (content) "
          "| speed-up | scaling efficiency | peak RSS per worker |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        speedup = base["wall_seconds"] / r["wall_seconds"] if base else None
        r["speedup"] = round(speedup, 2) if speedup else None
        r["scaling_efficiency"] = round(speedup / r["workers"], 2) if speedup else None
        print(f"| {r['workers']} | {r['pages']} ({r['content_pages']}) | {r['wall_seconds']} s | "
              f"{r['pages_per_minute']} ({r['content_pages_per_minute']}) | {r['pages_per_cpu_second']} "
              f"({r['content_pages_per_cpu_second']}) | {r['speedup']}x | {r['scaling_efficiency']:.0%} | "
              f"{', '.join(f'{m} MB' for m in r['peak_rss_mb_per_worker'])} |")
    if results:
        rate = min(r["content_pages_per_cpu_second"] for r in results)
        cpu_hours = 3_000_000 / rate / 3600
        print(f"\n3,000,000 pages at {rate} content pages per CPU-second: {cpu_hours:,.0f} CPU-hours")
    if args.out:
        args.out.write_text(json.dumps({"archive": info, "runs": results, "cpus": os.cpu_count()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
