"""Scratch folders per process (ingest/workdirs.py): gone when the process ends normally; a killed
process's folder is swept by the next one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from .paths import REPO

_MAKE = ("import sys, time; from pathlib import Path; from dms_ingest.ingest.workdirs import process_work_dir; "
         "folder = process_work_dir(Path(sys.argv[1])); (folder / 'part.pdf').write_bytes(b'%PDF'); "
         "print(folder, flush=True); time.sleep(float(sys.argv[2]))")


def _run(root, linger: float) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", _MAKE, str(root), str(linger)], stdout=subprocess.PIPE, text=True,
                            env=env)


def test_a_process_that_ends_normally_leaves_no_work_folder(tmp_path):
    process = _run(tmp_path, 0)
    folder = process.stdout.readline().strip()
    assert process.wait() == 0 and folder.startswith(str(tmp_path))
    assert list(tmp_path.iterdir()) == []          # nothing for the next process to sweep (and warn about)


def test_a_killed_processs_folder_is_swept_by_the_next_process(tmp_path, caplog):
    from dms_ingest.ingest.workdirs import sweep

    process = _run(tmp_path, 60)
    folder = process.stdout.readline().strip()
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert [str(p) for p in tmp_path.iterdir()] == [folder]
    assert [str(p) for p in sweep(tmp_path)] == [folder] and list(tmp_path.iterdir()) == []
    assert "killed" in caplog.text
