#!/usr/bin/env bash
# Runs each libFuzzer target of a build for a bounded time, seeded from the wire transcripts and
# the conformance corpus: bash scripts/fuzz.sh <build dir> [seconds per target]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1
seconds=${2:-20}
wire=../shared/wire
corpus="$build/fuzz-corpus"
mkdir -p "$corpus/decode" "$corpus/sse" "$corpus/protocol"
if [ -d "$wire" ]; then
    cp -f "$wire"/*.json "$corpus/protocol/" 2>/dev/null || true
    cp -f "$wire"/*.sse "$corpus/sse/" 2>/dev/null || true
fi
# one instance a file from the conformance corpus seeds the decoder
node -e '
const fs = require("fs");
const c = JSON.parse(fs.readFileSync("test/conformance/corpus.json", "utf8"));
c.forEach((e, i) => fs.writeFileSync(process.argv[1] + "/c" + i + ".json", JSON.stringify(e.instance)));
' "$corpus/decode"
for target in decode sse protocol; do
    echo "-- ${target}_fuzz for ${seconds}s"
    log="$build/${target}_fuzz.log"
    if ! "$build/test/fuzz/${target}_fuzz" "$corpus/$target" -max_total_time="$seconds" \
        -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
        tail -60 "$log"
        echo "${target}_fuzz found a failure (input saved in the working directory as crash-*)"
        exit 1
    fi
    grep -E "^(stat::number_of_executed_units|Done)" "$log" || true
done
