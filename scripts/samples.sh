#!/usr/bin/env bash
# Builds and runs every sample, in the order the documentation teaches them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh

cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release --target samples
# Sample 22 shares a rate limit between two processes through a Redis of its own.
if command -v redis-server >/dev/null; then
    redis_port=$((20000 + RANDOM % 20000))
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
    redis_pid=$!
    trap 'kill "$redis_pid" 2>/dev/null || true' EXIT
    export INSTRUCTOR_REDIS_URL="redis://127.0.0.1:$redis_port"
fi
for sample in build/release/samples/[0-9][0-9]_*; do
    [ -x "$sample" ] || continue
    echo "== $(basename "$sample")"
    "$sample"
done
