#!/usr/bin/env bash
# Install the Debian packages the rendering and browser tests need, when missing.
# Idempotent and quiet when everything is present. Without root (or apt) it says what is
# missing and returns 0: those tests then skip locally (CI sets QBANK_REQUIRE_TOOLS=1 so they fail).
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
# Calc: the spreadsheet import test converts a CSV to .xlsx with LibreOffice
[ -e /usr/lib/libreoffice/program/libsclo.so ] || need+=(libreoffice-calc-nogui)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
[ -e /usr/share/fonts/truetype/liberation2 ] || need+=(fonts-liberation2)
[ -e /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)
# an OpenType MATH font, so that MathML brackets and roots stretch in the maths screenshots
[ -e /usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf ] || need+=(fonts-dejavu-extra)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# ImageMagick's MagickWand: moodle2amc (amc2moodle) reads our Moodle XML with it
ls /usr/lib/*/libMagickWand-6.Q16.so.6* >/dev/null 2>&1 || need+=(libmagickwand-6.q16-6)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing ${need[*]} (install them with apt to run every test)" >&2
  exit 0
fi
echo "system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
