#!/usr/bin/env bash
# Builds and runs every sample, in the order the documentation teaches them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh

cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release --target samples
for sample in build/release/samples/[0-9][0-9]_*; do
    [ -x "$sample" ] || continue
    echo "== $(basename "$sample")"
    "$sample"
done
