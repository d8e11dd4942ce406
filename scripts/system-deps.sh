#!/usr/bin/env bash
# WeasyPrint needs Pango (and through it HarfBuzz, fontconfig). Install it when missing; we ship our
# own fonts, so no font package is needed. Runs as part of `make install`.
set -euo pipefail
if ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' && ldconfig -p | grep -q 'libpangoft2-1.0.so.0'; then
  exit 0
fi
echo "Cài thư viện hệ thống cho WeasyPrint (Pango)…" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "Cần quyền root để cài libpango: sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
