#!/usr/bin/env bash
# Seconds per label: `ttb-verifier verify` on each image of a folder (default test_samples/),
# side by side with the plain `tesseract` command on the same image, and their ratio.
# Each command is one whole process per label, timed by hyperfine (median of --runs runs).
# Usage: scripts/bench_speed.sh [FOLDER] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
folder=${1:-test_samples}
runs=${2:-3}
export OMP_THREAD_LIMIT=1
cargo build --release --quiet
bin=target/release/ttb-verifier
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
i=0
for image in $(find "$folder" -maxdepth 2 -type f \( -name '*.jpg' -o -name '*.png' \) | sort); do
  i=$((i + 1))
  hyperfine --shell=none --ignore-failure --warmup 1 --runs "$runs" --style none --export-json "$out/$i.json" \
    -n verify "$bin verify --jobs 1 --format json $image" \
    -n tesseract "tesseract $image - --psm 3" >/dev/null 2>&1 \
    || { echo "hyperfine failed on $image" >&2; exit 1; }
  echo "$image" > "$out/$i.name"
done
python3 - "$out" <<'PY'
import json, pathlib, statistics, sys
out = pathlib.Path(sys.argv[1])
rows = []
for f in sorted(out.glob("*.json"), key=lambda p: int(p.stem)):
    name = (out / f"{f.stem}.name").read_text().strip()
    r = {x["command"]: x["median"] for x in json.loads(f.read_text())["results"]}
    rows.append((name, r["verify"], r["tesseract"]))
print(f"{'label':<44} {'verify s':>9} {'tesseract s':>12} {'ratio':>6}")
for name, v, t in rows:
    print(f"{name:<44} {v:>9.3f} {t:>12.3f} {v / t:>6.2f}")
mv = statistics.median(v for _, v, _ in rows)
mt = statistics.median(t for _, _, t in rows)
print(f"{len(rows)} labels; median seconds per label: verify {mv:.3f}, tesseract {mt:.3f}; "
      f"ratio of medians {mv / mt:.2f}; median of ratios {statistics.median(v / t for _, v, t in rows):.2f}")
PY
