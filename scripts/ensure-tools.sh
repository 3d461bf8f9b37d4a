#!/usr/bin/env bash
# Tools the tests need beyond the Rust toolchain: headless Chromium and
# chromedriver (page tests), CJK fonts (screenshots, and the fonts embedded
# in the PDF documents), pdftotext (PDF text assertions), Node.js/npm
# (front-end assets), and cargo-nextest. Installs whatever is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
[ -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] &&
  [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v npm >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}…" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "installing cargo-nextest…" >&2
  cargo install --locked cargo-nextest >/dev/null
fi
