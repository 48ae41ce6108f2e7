#!/usr/bin/env bash
# Sets up the machine, builds ttb-verifier and opens the desktop app (arguments: label images to
# queue). Run `target/release/ttb-verifier verify ...` afterwards for the command line.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export OMP_THREAD_LIMIT=1
cargo build --release
exec target/release/ttb-verifier "$@"
