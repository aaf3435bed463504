"""How small the stored page text gets (index/page_text.py): generated pages, real OCR, peer-corpus text.

    .venv/bin/python benchmarks/bench_page_text.py                 # generated pages and peer-corpus text
    .venv/bin/python benchmarks/bench_page_text.py --ocr-samples   # also Tesseract (deu) on samples/inbox

Prints, per set of texts, the stored bytes as a share of the UTF-8 bytes: deflate alone (same
settings, no dictionary), with each earlier shipped dictionary and `page_text.pack` (with the
current dictionary), and the CPU per page.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_search import make_pool  # noqa: E402
from dms_ingest.index.page_text import _SHIPPED, CURRENT_VERSION, pack, unpack  # noqa: E402

PEER_CORPUS = ROOT.parent / "shared" / "peer-corpus"


def deflated(page_text: str) -> int:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    return len(compressor.compress(page_text.encode()) + compressor.flush()) + 2     # + the same 2-byte header


def ocr_samples() -> list[str]:
    """Every page of samples/inbox as Tesseract reads it (German, 200 dpi, one thread)."""
    texts = []
    with tempfile.TemporaryDirectory() as work:
        for source in sorted((ROOT / "samples" / "inbox").iterdir()):
            if source.suffix == ".pdf":
                subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", str(source), f"{work}/{source.stem}"], check=True)
            elif source.suffix in (".png", ".jpg", ".tif"):
                Path(work, source.name).write_bytes(source.read_bytes())
        for image in sorted(Path(work).iterdir()):
            result = subprocess.run(["tesseract", str(image), "-", "-l", "deu"], capture_output=True, text=True,
                                    env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
            texts.append(result.stdout)
    return texts


def report(name: str, texts: list[str]) -> None:
    texts = [t for t in texts if t.strip()]
    raw = sum(len(t.encode()) for t in texts)
    started = time.process_time()
    packed = [pack(t) for t in texts]
    pack_us = (time.process_time() - started) / len(texts) * 1e6
    started = time.process_time()
    assert [unpack(p) for p in packed] == texts
    unpack_us = (time.process_time() - started) / len(texts) * 1e6
    earlier = " | ".join(f"{sum(len(pack(t, version)) for t in texts) / raw:.3f}"
                         for version in sorted(_SHIPPED) if version != CURRENT_VERSION)
    print(f"| {name} | {len(texts):,} | {raw / len(texts):,.0f} | {sum(map(deflated, texts)) / raw:.3f} | {earlier} "
          f"| {sum(map(len, packed)) / raw:.3f} | {pack_us:.0f} / {unpack_us:.0f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="generated pages")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--ocr-samples", action="store_true", help="also OCR samples/inbox (about a minute)")
    args = parser.parse_args()
    earlier = [f"dictionary v{v}" for v in sorted(_SHIPPED) if v != CURRENT_VERSION]
    print(f"| texts | count | mean bytes | deflate alone | {' | '.join(earlier)} | page_text.pack (v{CURRENT_VERSION}) "
          "| µs CPU to pack / unpack |\n|---|---:|---:|---:|" + "---:|" * len(earlier) + "---:|---:|")
    report("bench_search's generated pages", [t for _, t, _ in make_pool(args.pages, random.Random(args.seed))])
    if args.ocr_samples:
        report("Tesseract deu on samples/inbox", ocr_samples())
    peer = [p.read_text(errors="replace") for p in sorted(PEER_CORPUS.rglob("*.txt"))]
    if peer:
        report("peer-corpus *.txt", peer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
