#!/usr/bin/env bash
# Sets up the machine and runs every test: unit tests, the golden samples through the real
# Tesseract, and the desktop app driven by egui_kittest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export OMP_THREAD_LIMIT=1
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi
