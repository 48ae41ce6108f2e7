#!/usr/bin/env bash
# Seconds per label of two ttb-verifier builds on the same images, interleaved: for each image,
# each build runs `verify --jobs 1 --format json IMAGE` once per round, alternating, so that load
# from other work on the machine falls on both alike. Prints per label the median over the rounds
# of the whole process's wall time and of the report's processing_time_seconds, then the means
# and medians over all labels and their ratios (B over A).
# Usage: scripts/bench_compare.sh BINARY_A BINARY_B [FOLDER] [ROUNDS]
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 BINARY_A BINARY_B [FOLDER] [ROUNDS]" >&2
  exit 2
fi
export OMP_THREAD_LIMIT=1
python3 - "$1" "$2" "${3:-test_samples}" "${4:-3}" <<'PY'
import json, pathlib, statistics, subprocess, sys, time
a, b, folder, rounds = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]), int(sys.argv[4])
images = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
def run(binary, image):
    started = time.perf_counter()
    out = subprocess.run([binary, "verify", "--jobs", "1", "--format", "json", str(image)],
                         capture_output=True, check=False)
    wall = time.perf_counter() - started
    report = json.loads(out.stdout)[0]
    return wall, report["processing_time_seconds"]
rows = []
for image in images:
    runs = {a: [], b: []}
    for _ in range(rounds):
        for binary in (a, b):
            runs[binary].append(run(binary, image))
    med = lambda xs, i: statistics.median(x[i] for x in xs)
    rows.append((image.name, med(runs[a], 0), med(runs[b], 0), med(runs[a], 1), med(runs[b], 1)))
print(f"{'label':<28} {'A wall':>7} {'B wall':>7} {'A proc':>7} {'B proc':>7} {'B/A':>5}")
for name, aw, bw, ap, bp in rows:
    print(f"{name:<28} {aw:>7.3f} {bw:>7.3f} {ap:>7.3f} {bp:>7.3f} {bw / aw:>5.2f}")
for label, i, j in (("wall (whole process)", 1, 2), ("processing time", 3, 4)):
    ma, mb = statistics.mean(r[i] for r in rows), statistics.mean(r[j] for r in rows)
    da, db = statistics.median(r[i] for r in rows), statistics.median(r[j] for r in rows)
    print(f"{len(rows)} labels, {label}: mean A {ma:.3f} B {mb:.3f} (B/A {mb / ma:.2f}); "
          f"median A {da:.3f} B {db:.3f} (B/A {db / da:.2f})")
PY
