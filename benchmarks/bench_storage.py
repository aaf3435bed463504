"""Object store throughput: verified uploads into the local store and into S3 (SeaweedFS).

    .venv/bin/python benchmarks/bench_storage.py            # whole run, well under 3 minutes
    .venv/bin/python benchmarks/bench_storage.py --quick    # a smoke run

Every upload is the product's own ``put_file``: for S3 that is a conditional PUT with Content-MD5,
x-amz-checksum-sha256 and x-amz-meta-sha256, followed by the read-back (stat + streamed SHA-256 of
the stored object); for the local store a write, fsync, rename and re-hash. Each cell writes fresh
objects (new document ids, fresh local folder), so nothing is deduplicated. SeaweedFS is started by
the benchmark itself (``weed mini`` on 127.0.0.1, data in a temporary directory, see
tests/plugins/s3.py). 1 MB = 2**20 bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dms_ingest.storage.local import LocalStore  # noqa: E402
from dms_ingest.storage.s3 import S3Store  # noqa: E402
from tests.plugins.s3 import SeaweedServer  # noqa: E402

MB = 1 << 20


def make_files(folder: Path, size: int, count: int) -> list[tuple[Path, str]]:
    """*count* distinct files of *size* bytes (random base, unique prefix) with their SHA-256."""
    base = bytearray(os.urandom(size))
    files = []
    for number in range(count):
        base[:16] = number.to_bytes(8, "big") + os.urandom(8)
        path = folder / f"{size}-{number:05d}.bin"
        path.write_bytes(base)
        files.append((path, hashlib.sha256(base).hexdigest()))
    return files


def run_cell(store, files, concurrency: int) -> float:
    run = uuid.uuid4().hex[:8]

    def put(item):
        number, (path, sha256) = item
        store.put_file(f"bench-{run}-{number:05d}", "original", path, sha256, "bin")

    started = time.perf_counter()
    if concurrency == 1:
        for item in enumerate(files):
            put(item)
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(put, enumerate(files)))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=600, help="number of 100 KB objects per cell")
    parser.add_argument("--large", type=int, default=60, help="number of 5 MB objects per cell")
    parser.add_argument("--quick", action="store_true", help="a few objects only")
    args = parser.parse_args()
    if args.quick:
        args.small, args.large = 40, 6
    logging.basicConfig(level=logging.ERROR)

    sizes = [("100 KB", 100 * 1024, args.small), ("5 MB", 5 * MB, args.large)]
    concurrencies = [1, 4]
    rows = []
    total_started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp:
        tmp = Path(tmp)
        sources = {}
        for label, size, count in sizes:
            folder = tmp / f"src-{size}"
            folder.mkdir()
            sources[label] = (size, make_files(folder, size, count))

        with SeaweedServer() as server:
            s3 = S3Store(server.config("dms-bench"))
            s3.put_bytes("warm-up", "metadata-1", b"{}", "json")  # bucket creation is not measured
            cell = 0
            for store_name in ("local", "s3 (SeaweedFS)"):
                for label, (size, files) in sources.items():
                    for concurrency in concurrencies:
                        cell += 1
                        if store_name == "local":
                            store = LocalStore(tmp / f"local-{cell}")
                        else:
                            store = s3
                        seconds = run_cell(store, files, concurrency)
                        count = len(files)
                        rows.append((store_name, label, concurrency, count, seconds,
                                     count / seconds, count * size / MB / seconds))
                        print(f"  {store_name:15s} {label:>6s} x{count:<4d} c={concurrency}: {seconds:6.2f} s",
                              file=sys.stderr, flush=True)
            s3.close()

    print()
    print(f"{'store':16s} {'object':>7s} {'conc':>5s} {'objects':>8s} {'seconds':>8s} "
          f"{'objects/s':>10s} {'MB/s':>8s}")
    print("-" * 69)
    for store_name, label, concurrency, count, seconds, ops, mbps in rows:
        print(f"{store_name:16s} {label:>7s} {concurrency:>5d} {count:>8d} {seconds:>8.2f} "
              f"{ops:>10.1f} {mbps:>8.1f}")
    print(f"\n(total run {time.perf_counter() - total_started:.0f} s; every upload verified by read-back)")


if __name__ == "__main__":
    main()
