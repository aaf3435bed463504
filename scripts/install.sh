#!/usr/bin/env bash
# Installs everything dms-ingest needs on a fresh Debian 12 machine (run as root, or with sudo):
# Debian packages (Tesseract with German, English and OSD data, qpdf, fonts, Java + PDFBox for the
# independent PDF/A check, Dovecot for the IMAP test, Chromium + chromedriver for the browser tests),
# then a virtualenv with the package.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng tesseract-ocr-osd
  qpdf poppler-utils fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 fonts-freefont-ttf
  python3 python3-venv python3-dev
  default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java
  dovecot-imapd
  slapd ldap-utils openssl
  chromium chromium-driver
  hunspell-de-de
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# pip runs again only when pyproject.toml changed (the package itself is installed editable),
# so scripts/test.sh starts quickly and works offline once installed.
STAMP=.venv/.installed-pyproject
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$wanted" ]; then
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
  if ! .venv/bin/python -m pip install -q -e '.[test]' >.venv/pip-install.log 2>&1; then
    grep -v "^WARNING: Location" .venv/pip-install.log >&2
    echo "installation incomplete: pip could not install the package (log: .venv/pip-install.log)" >&2
    exit 1
  fi
  .venv/bin/python -c "import dms_ingest, dms_datagen, tesserocr, pikepdf.pdfa, cv2, zxingcpp" \
    || { echo "installation incomplete: a Python dependency failed to install" >&2; exit 1; }
  echo "$wanted" >"$STAMP"
fi
echo "dms-ingest installed in $(pwd)/.venv"
