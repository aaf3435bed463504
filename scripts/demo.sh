#!/usr/bin/env bash
# One command: install, ingest samples/ on the embedded default (SQLite index, local object store,
# in-process workers), print a summary, create demo accounts and start the web application.
# In a terminal the web application runs on loopback until Ctrl-C; without one (CI, scripts) the
# command to start it is printed instead.
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
echo "Applications: the sample application form (ticked: extension, § 8) opened one on ABH-2019-04711;"
echo "its checklist, and the letter asking for what is missing (PDF/A, filed into the case):"
$DMS cases apply ABH-2019-04711 --type verlaengerung   # kept if the form already opened it
$DMS cases status ABH-2019-04711
$DMS cases request ABH-2019-04711
echo
echo "Search example: dms search 'Aufenthaltserlaubnis'"
$DMS search "Aufenthaltserlaubnis" --limit 5
echo
.venv/bin/python -m dms_ingest.web.demo_accounts
PORT="${DMS_DEMO_PORT:-8080}"
SERVE=(env DMS_HOME="$DMS_HOME" "$(pwd)/.venv/bin/dms" serve --host 127.0.0.1 --port "$PORT")
echo
if [ -t 0 ] && [ -t 1 ]; then
  echo "Web application: http://127.0.0.1:$PORT/  (Ctrl-C ends it)"
  exec "${SERVE[@]}"
else
  echo "Start the web application with:"
  printf ' %q' "${SERVE[@]}"; echo
  echo "then open http://127.0.0.1:$PORT/ and log in with one of the accounts above."
fi
