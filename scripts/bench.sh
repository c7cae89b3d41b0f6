#!/usr/bin/env bash
# Builds and runs the benchmarks (see benchmarks/README.md for what they measure).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release --target benchmarks
for b in build/release/benchmarks/*_bench; do
    echo "== $(basename "$b")"
    "$b" "$@"
done
