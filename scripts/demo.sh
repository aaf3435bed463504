#!/usr/bin/env bash
# One command: install, then ingest samples/ on the embedded default (SQLite index, local
# object store, in-process workers) and print a readable summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export DMS_HOME="${DMS_HOME:-$(pwd)/var}"
DMS=.venv/bin/dms
if $DMS cases --help >/dev/null 2>&1 && [ -f samples/cases.csv ]; then
  $DMS cases import samples/cases.csv
fi
$DMS ingest samples/inbox
echo
echo "Search example: dms search 'Aufenthaltserlaubnis'"
$DMS search "Aufenthaltserlaubnis" --limit 5
