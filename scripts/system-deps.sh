#!/usr/bin/env bash
# System packages, installed when missing. Runs as part of `make install` (as root in CI).
# - WeasyPrint needs Pango (and through it HarfBuzz, fontconfig) and HarfBuzz-Subset to subset the
#   embedded fonts. We ship our own fonts, so no font package is needed. Without them no PDF can be
#   made: this part stops the install when it cannot be done.
# - With --browser (what `make test` passes): the status page's browser test
#   (tests/test_status_page.py) drives Debian's chromium (/usr/bin/chromium). Reports do not need
#   it, so `make install` alone does not install it; when it cannot be installed the tests go on,
#   and that test fails saying why (PIPELINE_NO_BROWSER=1 skips it on a machine without a browser).
set -euo pipefail
want_browser=""
case "${1:-}" in
  --browser) want_browser=1 ;;
  "") ;;
  *) echo "scripts/system-deps.sh: tham số không biết: $1 (chỉ có --browser)" >&2; exit 2 ;;
esac
have() { ldconfig -p 2>/dev/null | grep -q "$1"; }

pango=""
if ! { have 'libpango-1.0.so.0' && have 'libpangoft2-1.0.so.0' && have 'libharfbuzz-subset.so.0'; }; then
  pango="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
fi
browser=""
if [ -n "$want_browser" ] && [ ! -x /usr/bin/chromium ]; then
  browser="chromium"
fi
if [ -z "$pango" ] && [ -z "$browser" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if [ -n "$browser" ]; then
    echo "Chưa có trình duyệt chromium cho kiểm thử trang tình hình (không cần để làm báo cáo):" \
         "sudo apt-get install -y chromium" >&2
  fi
  if [ -n "$pango" ]; then
    echo "Cài thư viện hệ thống cho WeasyPrint: $pango" >&2
    echo "Cần quyền root: sudo apt-get install -y $pango" >&2
    exit 1
  fi
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ -n "$pango" ]; then
  echo "Cài thư viện hệ thống cho WeasyPrint: $pango" >&2
  apt-get install -y -qq $pango >/dev/null
fi
if [ -n "$browser" ]; then
  echo "Cài trình duyệt chromium cho kiểm thử trang tình hình" >&2
  if ! apt-get install -y -qq chromium >/dev/null || [ ! -x /usr/bin/chromium ]; then
    echo "Không cài được chromium: báo cáo vẫn làm được; kiểm thử trang tình hình sẽ báo lỗi" \
         "(đặt PIPELINE_NO_BROWSER=1 để bỏ qua kiểm thử đó)." >&2
  fi
fi
