#!/usr/bin/env python3
"""Rewrites this folder's inbox/, cases.csv and expected.json byte for byte (fixed seeds).

``.venv/bin/python samples/make_samples.py`` regenerates them here; ``make_samples.py OUTDIR`` writes
them somewhere else. The generator itself is dms_datagen.samples.
"""

import sys
from pathlib import Path

from dms_datagen.samples import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or [str(Path(__file__).resolve().parent)]))
