"""Peak memory (RSS) of one ingest process per hostile input: the target is < 1 GB for each.

    .venv/bin/python benchmarks/bench_memory.py              # the sizes of the hostile probe (issue 10)
    .venv/bin/python benchmarks/bench_memory.py --small      # a smoke run with small inputs
    .venv/bin/python benchmarks/bench_memory.py --only png   # inputs whose name contains "png"

Every input is built here (tests/hostile/inputs.py) and ingested by a fresh
`python -m dms_ingest ingest --json --workers 1 FILE` (page work in the same process, so one
process does everything) on a fresh DMS_HOME. The peak is the child's ru_maxrss from wait4(), the
kernel's own high-water mark of that process. 1 MB = 2**20 bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile import inputs  # noqa: E402

MB = 1 << 20


def build(folder: Path, small: bool) -> list[tuple[str, Path]]:
    """(label, file) for each hostile input, in the probe's sizes (or small ones)."""
    scale = 8 if small else 1
    made = [
        ("normal: 5-page scan PDF", inputs.image_pdf(folder / "scan5.pdf", 5, pixels=(1240, 1754))),
        ("normal: born-digital letter", inputs.text_pdf(folder / "letter.pdf", [inputs.letter(1)])),
        (f"RGBA PNG {14000 // scale}x{14000 // scale}",
         inputs.png_rgba(folder / "rgba.png", 14000 // scale, 14000 // scale)),
        (f"PDF, content stream inflating to {2048 // scale} MB",
         inputs.flate_bomb_pdf(folder / "flatebomb.pdf", 2048 // scale)),
        ("PDF, one 190x190-inch page", inputs.huge_page_pdf(folder / "page190.pdf", 190)),
        ("PDF, one 200x200-inch page", inputs.huge_page_pdf(folder / "page200.pdf", 200)),
        ("PDF, 3000 nested form XObjects", inputs.nested_forms_pdf(folder / "nested.pdf", 3000)),
        ("PDF cut off at 60 %", inputs.truncated(folder / "scan5.pdf", folder / "cut.pdf", 0.6)),
        (f"e-mail of {281 // scale} MB", inputs.big_mail(folder / "big.eml", 281 // scale)),
        # the largest inputs the default budget accepts: the cost models must keep these under 1 GB too
        (f"accepted: RGB JPEG {6400 // scale}x{6400 // scale}",
         _photo(folder / "photo.jpg", 6400 // scale, "RGB")),
        (f"accepted: grey PNG {6800 // scale}x{6800 // scale}",
         _photo(folder / "grey.png", 6800 // scale, "L")),
        (f"accepted: e-mail of {60 // scale} MB", inputs.big_mail(folder / "mail60.eml", 60 // scale)),
    ]
    return made


def _photo(path: Path, side: int, mode: str) -> Path:
    """A page-like image (text lines on paper) of side x side pixels."""
    from PIL import Image, ImageDraw

    image = Image.new(mode, (side, side), "white" if mode == "RGB" else 255)
    draw = ImageDraw.Draw(image)
    for y in range(side // 10, side - side // 10, max(side // 60, 12)):
        draw.rectangle([side // 10, y, side - side // 10, y + max(side // 400, 2)], fill=0)
    image.save(path, quality=85) if path.suffix == ".jpg" else image.save(path)
    return path


def measure(path: Path, home: Path) -> tuple[float, float, list[dict], int]:
    """(peak RSS in MB, seconds, result lines, exit code) of one `dms ingest` of *path*."""
    env = {**os.environ, "DMS_HOME": str(home), "OMP_THREAD_LIMIT": "1"}
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "dms_ingest", "ingest", "--json", "--workers", "1", str(path)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    stdout = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    lines = [json.loads(line) for line in stdout.decode().splitlines() if line.strip().startswith("{")]
    return usage.ru_maxrss / 1024, time.monotonic() - started, lines, child.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="small inputs (smoke run)")
    parser.add_argument("--only", default="", help="only inputs whose label contains this text")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        folder = Path(tmp) / "inputs"
        folder.mkdir()
        cases = [(label, path) for label, path in build(folder, args.small) if args.only.lower() in label.lower()]
        print(f"{'input':<42} {'size':>10} {'peak RSS':>9} {'time':>7}  outcome")
        worst = 0.0
        for number, (label, path) in enumerate(cases):
            peak, seconds, lines, code = measure(path, Path(tmp) / f"home-{number}")
            worst = max(worst, peak)
            outcome = "; ".join(f"{r['status']}" + (f" ({r.get('reason_code')}: {r.get('error')})"
                                                    if r["status"] != "archived" else f" {r['pages']} p")
                                for r in lines) or f"no result, exit {code}"
            size = path.stat().st_size
            shown = f"{size / MB:.1f} MB" if size >= MB else f"{size / 1024:.1f} KB"
            print(f"{label:<42} {shown:>10} {peak:>6.0f} MB {seconds:>6.1f}s  {outcome[:160]}", flush=True)
        print(f"worst peak RSS: {worst:.0f} MB (target < 1024 MB)")


if __name__ == "__main__":
    main()
