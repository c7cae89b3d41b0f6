#!/usr/bin/env bash
# Runs each libFuzzer target of a build for a bounded time, seeded from the wire transcripts and
# the conformance corpus: bash scripts/fuzz.sh <build dir> [seconds per target]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1
seconds=${2:-20}
wire=../shared/wire
corpus="$build/fuzz-corpus"
mkdir -p "$corpus/decode" "$corpus/sse" "$corpus/protocol" "$corpus/net" "$corpus/differential"
if [ -d "$wire" ]; then
    cp -f "$wire"/*.json "$corpus/protocol/" 2>/dev/null || true
    cp -f "$wire"/*.sse "$corpus/sse/" 2>/dev/null || true
    cp -f "$wire"/*.sse "$corpus/protocol/" 2>/dev/null || true
fi
# No recorded Responses, Converse or Gemini traffic: a reply (and a stream delta) of each, in
# the references' shapes.
printf '{"status":"completed","output":[{"type":"message","content":[{"type":"output_text","text":"{}"}]},{"type":"function_call","call_id":"c","name":"U","arguments":"{}"}],"usage":{"input_tokens":1,"output_tokens":2,"input_tokens_details":{"cached_tokens":0}}}' >"$corpus/protocol/responses"
printf '{"output":{"message":{"role":"assistant","content":[{"text":"x"},{"toolUse":{"toolUseId":"t","name":"U","input":{"a":[1,2.5,null]}}}]}},"stopReason":"tool_use","usage":{"inputTokens":1,"outputTokens":2,"totalTokens":3}}' >"$corpus/protocol/converse"
printf '{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"{"}' >"$corpus/protocol/responses_delta"
printf '{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\\"a\\":"}},"p":"abcd"}' >"$corpus/protocol/converse_delta"
printf '{"candidates":[{"content":{"parts":[{"text":"x"},{"functionCall":{"name":"U","args":{"a":[1,null]}}}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":2,"totalTokenCount":3}}' >"$corpus/protocol/gemini"
printf '{"candidates":[{"content":{"parts":[{"text":"{\\"a\\":"},{"text":"1}"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":1,"totalTokenCount":1}}' >"$corpus/protocol/gemini_event"
# the transport's inputs: HTTP responses, retry headers, URLs
printf 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}' >"$corpus/net/plain"
printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\n{}\r\n0\r\nT: v\r\n\r\n' >"$corpus/net/chunked"
printf 'Sun, 06 Nov 1994 08:49:37 GMT' >"$corpus/net/date"
printf 'Friday, 31-Dec-99 23:59:59 GMT' >"$corpus/net/date850"
printf '1.5e3' >"$corpus/net/number"
printf 'https://user@[::1]:8443/v1/chat?key=x' >"$corpus/net/url"
# one instance a file from the conformance corpus seeds the decoder
node -e '
const fs = require("fs");
const c = JSON.parse(fs.readFileSync("test/conformance/corpus.json", "utf8"));
c.forEach((e, i) => fs.writeFileSync(process.argv[1] + "/c" + i + ".json", JSON.stringify(e.instance)));
' "$corpus/decode"
# the repair corpus's replies seed the differential target (mode, piece, read, model, text)
node -e '
const fs = require("fs");
const c = JSON.parse(fs.readFileSync("test/data/repair_corpus.json", "utf8"));
c.forEach((e, i) => fs.writeFileSync(process.argv[1] + "/r" + i,
    Buffer.concat([Buffer.from([i % 8, i % 64, i % 128, e.model === "User" ? 0 : 1]),
                   Buffer.from(e.text, "utf8")])));
' "$corpus/differential"
# message templates (a NUL, then a context of the seed's own)
mkdir -p "$corpus/template"
printf 'Hi {{s}}\n{{#a}}- {{.}}\n{{/a}}{{^f}}no{{/f}} {{o.s}} {{{s}}} {{&x}}{{! note}}' >"$corpus/template/sections"
printf '{{=<%% %%>=}}<%%#o%%><%%#a%%><%%#.%%>[<%%.%%>]<%%/.%%><%%/a%%><%%/o%%> {{>p}}' >"$corpus/template/delimiters"
printf '{{#l}}{{#l}}{{v}}{{/l}}{{/l}}\0{"l": [1, 2, 3], "v": "value"}' >"$corpus/template/context"
# Redis replies: the shapes the cache takes, and an array it refuses
mkdir -p "$corpus/redis_reply"
printf '+OK\r\n-ERR wrong\r\n$3\r\nabc\r\n$-1\r\n' >"$corpus/redis_reply/taken"
printf '$5\r\nab' >"$corpus/redis_reply/cut"
printf '*1000000\r\n:1\r\n:1\r\n' >"$corpus/redis_reply/array"
# event-stream frames: botocore's published ones and a Bedrock messageStart, alone and together
mkdir -p "$corpus/event_stream"
node -e '
const fs = require("fs");
const frames = ["000000100000000005c248eb7d98c8ff",
  "0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1",
  "00000081000000526cc176930b3a6576656e742d7479706507000c6d65737361676553746172740d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b2270223a2261626364222c22726f6c65223a22617373697374616e74227df512a005"];
frames.forEach((h, i) => fs.writeFileSync(process.argv[1] + "/f" + i, Buffer.from(h, "hex")));
fs.writeFileSync(process.argv[1] + "/all", Buffer.from(frames.join(""), "hex"));
' "$corpus/event_stream"
# Two targets at a time on two cores (each runs alone on one core for the same bounded time).
targets=(decode sse protocol net differential template redis_reply event_stream)
at_once=$(nproc)
fuzz_one() {  # target: its log, and a .failed mark when it found a failure
    local target=$1
    rm -f "$build/${target}_fuzz.failed"
    "$build/test/fuzz/${target}_fuzz" "$corpus/$target" -max_total_time="$seconds" \
        -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$build/${target}_fuzz.log" 2>&1 || touch "$build/${target}_fuzz.failed"
}
running=()
for target in "${targets[@]}"; do
    echo "-- ${target}_fuzz for ${seconds}s"
    fuzz_one "$target" &
    running+=($!)
    if ((${#running[@]} >= at_once)); then
        wait "${running[0]}"
        running=("${running[@]:1}")
    fi
done
wait
for target in "${targets[@]}"; do
    log="$build/${target}_fuzz.log"
    if [ -e "$build/${target}_fuzz.failed" ]; then
        tail -60 "$log"
        echo "${target}_fuzz found a failure (input saved in the working directory as crash-*)"
        exit 1
    fi
    echo "-- ${target}_fuzz: $(grep -E "^(stat::number_of_executed_units|Done)" "$log" | tr '\n' ' ' || true)"
done
