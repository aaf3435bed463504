"""Item 8: kill -9 leaves work folders with extracted files; the next process sweeps them. A process
that ends normally removes its own."""

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


def test_a_run_that_ends_normally_leaves_no_work_folder(tmp_path, settings):
    """Else the next command warns of killed processes that never were (the demo's output)."""
    from dms_datagen.pdf import born_digital_pdf

    letter = born_digital_pdf([["Meldebescheinigung", "Aktenzeichen: ABH-2020-00001"]], tmp_path / "brief.pdf")
    env = {**os.environ, "DMS_HOME": str(settings.home), "OMP_THREAD_LIMIT": "1"}
    subprocess.run([sys.executable, "-m", "dms_ingest", "ingest", "--workers", "1", str(letter)], env=env, check=True,
                   capture_output=True)
    assert settings.work_dir.is_dir() and list(settings.work_dir.iterdir()) == []
