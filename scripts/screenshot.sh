#!/usr/bin/env bash
# Opens the real window under Xvfb twice and saves two screenshots in docs/:
#   batch-view.png     a batch of 104 labels (the samples four times) while it runs
#   evidence-view.png  a label whose warning was reworded: the changed words boxed on the image,
#                      the warning compared word by word with the statute
# Each run starts with a fresh data directory, so saved labels and settings don't change the
# picture. Usage: scripts/screenshot.sh   (BATCH_WAIT / EVIDENCE_WAIT: seconds before each shot)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_THREAD_LIMIT=1
cargo build --release --quiet --bin ttb-verifier
display=:97
Xvfb $display -screen 0 1400x880x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/xdg-$(id -u)}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
work=$(mktemp -d)
app=
trap '[ -n "$app" ] && kill $app 2>/dev/null; kill $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 1

# shot NAME WAIT IMAGE...: opens the app on IMAGE..., waits, saves docs/NAME.png, closes it.
shot() {
  local name=$1 wait=$2
  shift 2
  local state="$work/state-$name"
  mkdir -p "$state"
  # The pointer rests in a corner, so no tooltip covers the picture.
  DISPLAY=$display xdotool mousemove 1399 879 || true
  DISPLAY=$display XDG_DATA_HOME=$state XDG_CONFIG_HOME=$state HOME=$state target/release/ttb-verifier "$@" &
  app=$!
  sleep "$wait"
  DISPLAY=$display xdotool mousemove 1398 878 || true
  sleep 1
  DISPLAY=$display import -window root "docs/$name.png"
  kill $app 2>/dev/null || true
  wait $app 2>/dev/null || true
  app=
  echo "saved docs/$name.png"
}

batch="$work/batch"
mkdir -p "$batch"
for copy in a b c d; do
  for f in test_samples/label_*; do cp "$f" "$batch/${copy}_$(basename "$f")"; done
done
shot batch-view "${BATCH_WAIT:-25}" "$batch"
shot evidence-view "${EVIDENCE_WAIT:-12}" test_samples/label_bad_003.jpg test_samples/label_good_001.jpg \
  test_samples/label_bad_007.jpg
