"""Where things are, for tests and their helpers."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
PEER_CORPUS = REPO.parent / "shared" / "peer-corpus"
