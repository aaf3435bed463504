#!/usr/bin/env bash
# One command: install, make sure the local PostgreSQL and Redis are up, run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/services.sh || echo "warning: PostgreSQL/Redis could not be started; their tests will skip" >&2
export OMP_THREAD_LIMIT=1
exec .venv/bin/python -m pytest -q -rfEs -p no:cacheprovider "$@"
