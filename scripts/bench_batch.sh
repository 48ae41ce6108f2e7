#!/usr/bin/env bash
# The desktop app's batch benchmark. Makes LABELS labels from test_samples/
# (every 5th a 12-megapixel photo, made by upscaling) in target/bench-batch/, runs them through
# the desktop app's batch machinery headless (tools/bench-batch: the real VerifierApp,
# frame by frame, WORKERS workers), then `ttb-verifier verify --jobs WORKERS` on the same images.
# Prints labels per minute, the longest UI frame, peak memory (/usr/bin/time -v) of both, and
# the app's throughput as a share of the command line's.
# Targets: peak memory under 1 GiB, longest frame under 50 ms, throughput within 10 % of verify.
# Usage: scripts/bench_batch.sh [LABELS] [WORKERS]
set -euo pipefail
cd "$(dirname "$0")/.."
labels=${1:-300}
workers=${2:-2}
dir=target/bench-batch
export OMP_THREAD_LIMIT=1
cargo build --release --quiet -p ttb-verifier -p ttb-bench-batch
target/release/ttb-bench-batch --generate-only --dir "$dir" --labels "$labels"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== desktop app, headless: $labels labels, $workers workers"
/usr/bin/time -v target/release/ttb-bench-batch --dir "$dir" --labels "$labels" --workers "$workers" \
  2> "$out/app.time" | tee "$out/app.txt"
echo "== ttb-verifier verify --jobs $workers on the same images"
start=$(date +%s.%N)
/usr/bin/time -v target/release/ttb-verifier verify --jobs "$workers" --format json "$dir" > "$out/cli.json" \
  2> "$out/cli.time" || true   # exit 1 or 2: some samples are meant to fail
end=$(date +%s.%N)

python3 - "$out" "$labels" "$start" "$end" <<'PY'
import json, pathlib, re, sys
out, labels, start, end = pathlib.Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
def rss(name):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", (out / name).read_text())
    return int(m.group(1)) / 1024 if m else float("nan")
app = (out / "app.txt").read_text()
app_rate = float(re.search(r"throughput: ([\d.]+) labels per minute", app).group(1))
longest = float(re.search(r"longest ([\d.]+) ms", app).group(1))
reports = json.loads((out / "cli.json").read_text())
cli_rate = len(reports) * 60 / (end - start)
print()
print(f"{'':34} {'app':>10} {'verify':>10}")
print(f"{'labels per minute':34} {app_rate:>10.1f} {cli_rate:>10.1f}")
print(f"{'peak memory (MiB, /usr/bin/time)':34} {rss('app.time'):>10.0f} {rss('cli.time'):>10.0f}")
print(f"{'longest UI frame (ms)':34} {longest:>10.1f} {'':>10}")
print(f"app throughput / verify throughput: {app_rate / cli_rate:.2f} (target at least 0.90)")
print(f"targets: peak memory < 1024 MiB: {'met' if rss('app.time') < 1024 else 'NOT met'}; "
      f"longest frame < 50 ms: {'met' if longest < 50 else 'NOT met'}; "
      f"throughput within 10 %: {'met' if app_rate >= 0.9 * cli_rate else 'NOT met'}")
PY
