#!/usr/bin/env bash
# One command: install, then ingest samples/ on the embedded default (SQLite index, local
# object store, in-process workers) and print a readable summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export DMS_HOME="${DMS_HOME:-$(pwd)/var}"
DMS=.venv/bin/dms
$DMS cases import samples/cases.csv          # the case registry the samples refer to
$DMS ingest samples/inbox
echo
$DMS review list
echo
echo "Search example: dms search 'Aufenthaltserlaubnis'"
$DMS search "Aufenthaltserlaubnis" --limit 5
