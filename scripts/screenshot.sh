#!/usr/bin/env bash
# Opens the real window under Xvfb with sample labels, waits for them to be verified, and saves a
# screenshot. Usage: scripts/screenshot.sh [OUT.png] [IMAGE...]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshot.png}
shift || true
images=("$@")
[ ${#images[@]} -gt 0 ] || images=(test_samples/label_bad_007.jpg test_samples/label_good_001.jpg test_samples/label_good_002.jpg test_samples/label_bad_001.jpg)
export OMP_THREAD_LIMIT=1
cargo build --release --quiet
display=:97
Xvfb $display -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/xdg-$(id -u)}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
state=$(mktemp -d)
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$state"' EXIT
sleep 1
# A fresh data directory, so saved settings don't change the picture.
DISPLAY=$display XDG_DATA_HOME=$state HOME=$state target/release/ttb-verifier "${images[@]}" &
app=$!
sleep "${WAIT_SECONDS:-12}"
DISPLAY=$display import -window root "$out"
echo "saved $out"
