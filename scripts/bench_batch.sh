#!/usr/bin/env bash
# The desktop app's batch benchmark. Makes LABELS labels from test_samples/
# (every 5th a 12-megapixel photo, made by upscaling) in target/bench-batch/, runs them through
# the desktop app's batch machinery headless (tools/bench-batch: the real VerifierApp,
# frame by frame, WORKERS workers), and `ttb-verifier verify --jobs WORKERS` on the same images.
# ROUNDS rounds, the order of the two swapped each round, so that load from other work on a
# shared machine falls on both alike. Prints each run, then labels per minute (median over the
# rounds), the longest UI frame and the peak memory (/usr/bin/time -v) of both (the largest over
# the rounds), and the app's throughput as a share of the command line's.
# Targets: peak memory under 1 GiB, longest frame under 50 ms, throughput within 10 % of verify.
# Usage: scripts/bench_batch.sh [LABELS] [WORKERS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
labels=${1:-300}
workers=${2:-2}
rounds=${3:-2}
dir=target/bench-batch
export OMP_THREAD_LIMIT=1
cargo build --release --quiet -p ttb-verifier -p ttb-bench-batch
target/release/ttb-bench-batch --generate-only --dir "$dir" --labels "$labels"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run_app() {
  echo "== round $1: desktop app, headless: $labels labels, $workers workers"
  /usr/bin/time -v target/release/ttb-bench-batch --dir "$dir" --labels "$labels" --workers "$workers" \
    2> "$out/app$1.time" | tee "$out/app$1.txt"
}
run_cli() {
  echo "== round $1: ttb-verifier verify --jobs $workers on the same images"
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -v target/release/ttb-verifier verify --jobs "$workers" --format json "$dir" > "$out/cli$1.json" \
    2> "$out/cli$1.time" || true   # exit 1 or 2: some samples are meant to fail
  end=$(date +%s.%N)
  echo "$start $end" > "$out/cli$1.span"
  echo "wall time: $(python3 -c "print(f'{$end - $start:.1f}')") s"
}
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then run_app "$round"; run_cli "$round"; else run_cli "$round"; run_app "$round"; fi
done

python3 - "$out" "$rounds" <<'PY'
import json, pathlib, re, statistics, sys
out, rounds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
def rss(name):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", (out / name).read_text())
    return int(m.group(1)) / 1024 if m else float("nan")
app_rates, cli_rates, longest, app_rss, cli_rss = [], [], [], [], []
for r in range(1, rounds + 1):
    app = (out / f"app{r}.txt").read_text()
    app_rates.append(float(re.search(r"throughput: ([\d.]+) labels per minute", app).group(1)))
    longest.append(float(re.search(r"longest ([\d.]+) ms", app).group(1)))
    start, end = map(float, (out / f"cli{r}.span").read_text().split())
    cli_rates.append(len(json.loads((out / f"cli{r}.json").read_text())) * 60 / (end - start))
    app_rss.append(rss(f"app{r}.time"))
    cli_rss.append(rss(f"cli{r}.time"))
app_rate, cli_rate = statistics.median(app_rates), statistics.median(cli_rates)
each = lambda xs: ", ".join(f"{x:.1f}" for x in xs)
print()
print(f"{'':34} {'app':>10} {'verify':>10}")
print(f"{'labels per minute (median)':34} {app_rate:>10.1f} {cli_rate:>10.1f}")
print(f"{'peak memory (MiB, /usr/bin/time)':34} {max(app_rss):>10.0f} {max(cli_rss):>10.0f}")
print(f"{'longest UI frame (ms)':34} {max(longest):>10.1f} {'':>10}")
print(f"each round, labels per minute: app {each(app_rates)}; verify {each(cli_rates)}")
print(f"app throughput / verify throughput: {app_rate / cli_rate:.2f} (target at least 0.90); "
      f"by round {', '.join(f'{a / c:.2f}' for a, c in zip(app_rates, cli_rates))}")
print(f"targets: peak memory < 1024 MiB: {'met' if max(app_rss) < 1024 else 'NOT met'}; "
      f"longest frame < 50 ms: {'met' if max(longest) < 50 else 'NOT met'}; "
      f"throughput within 10 %: {'met' if app_rate >= 0.9 * cli_rate else 'NOT met'}")
PY
