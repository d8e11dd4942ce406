#!/usr/bin/env bash
# WeasyPrint needs Pango (and through it HarfBuzz, fontconfig) and HarfBuzz-Subset to subset the
# embedded fonts. Install them when missing; we ship our own fonts, so no font package is needed.
# Runs as part of `make install`.
set -euo pipefail
have() { ldconfig -p 2>/dev/null | grep -q "$1"; }
if have 'libpango-1.0.so.0' && have 'libpangoft2-1.0.so.0' && have 'libharfbuzz-subset.so.0'; then
  exit 0
fi
packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
echo "Cài thư viện hệ thống cho WeasyPrint: $packages" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "Cần quyền root: sudo apt-get install -y $packages" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq $packages >/dev/null
