"""Item 8: kill -9 leaves work folders with extracted files; the next process sweeps them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from dms_ingest.ingest.context import Context

from .inputs import image_pdf


def test_work_folder_of_a_killed_ingest_is_swept_by_the_next_process(tmp_path, settings):
    scan = image_pdf(tmp_path / "scan.pdf", 6, pixels=(1240, 1754))
    env = {**os.environ, "DMS_HOME": str(settings.home), "OMP_THREAD_LIMIT": "1"}
    run = subprocess.Popen([sys.executable, "-m", "dms_ingest", "ingest", "--workers", "1", str(scan)], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    work = settings.work_dir
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(work.glob("*/tmp*")):
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    left = [p for p in work.iterdir()]
    assert left and any(p.glob("tmp*") for p in left), "the killed run had a scratch folder"
    with Context(settings, workers=1) as ctx:
        mine = ctx.work_dir()
    assert [p for p in work.iterdir()] == [mine], "the dead process's folder must be gone"
