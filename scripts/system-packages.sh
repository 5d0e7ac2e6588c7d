#!/usr/bin/env bash
# System packages the project needs beyond PyPI: Noto CJK fonts (embedded in PDFs by WeasyPrint)
# and poppler-utils (pdffonts/pdftotext, used by the tests to prove the fonts are embedded),
# HarfBuzz subsetting (WeasyPrint embeds font subsets with it), Chromium + ChromeDriver + npm for
# the accessibility tests.
# Installs only what is missing; called by the Makefile before the virtualenv is set up.
set -euo pipefail
missing=()
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing+=(fonts-noto-cjk)
command -v pdffonts >/dev/null 2>&1 || missing+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || missing+=(libharfbuzz-subset0)  # WeasyPrint font subsetting
# Browser tests (tests/a11y): Debian's Chromium and its driver; Node.js/npm install axe-core.
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
