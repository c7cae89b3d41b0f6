#!/usr/bin/env bash
# The benchmark suite in one command: overhead against raw Beast, the JavaScript peers, streaming
# linearity, calls in flight, decode. Writes RESULTS.md and its plots (see benchmarks/README.md).
#
#   bash scripts/bench.sh [--quick] [--build-dir DIR] [--no-build] [--out DIR] [--against REF]
#
# instructor-mock runs on one core and every client on the other (taskset), one at a time, so each
# client's CPU per call is its own. --quick runs each benchmark briefly (about a minute: CI's
# smoke test); the full suite takes about 10 minutes. Default output: benchmarks/RESULTS.md with
# the plots in benchmarks/results/.
#
# Against the previous release: the full suite also builds the client of REF (default: the commit
# in benchmarks/previous_release; --against none skips it) from its own sources beside the build,
# and runs its call_bench and ours in turn against the same mock. The run fails when our CPU per
# call is more than 10 % above the previous release's, so no feature adds cost to every call
# unseen. --quick skips it (its counts are too small to tell 10 %).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0 build=1 build_dir=build/release out=benchmarks against=
while (($#)); do
    case $1 in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --build-dir) build_dir=$2; shift ;;
    --out) out=$2; shift ;;
    --against) against=$2; shift ;;
    *) echo "usage: bash scripts/bench.sh [--quick] [--build-dir DIR] [--no-build] [--out DIR] [--against REF|none]" >&2; exit 2 ;;
    esac
    shift
done

if ((build)); then
    bash scripts/deps.sh
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$build_dir" --target benchmarks
fi
bin=$build_dir/benchmarks
mock_cmd=$build_dir/instructor-mock
work=$(mktemp -d)
mock_pid=
cleanup() {
    [ -z "$mock_pid" ] || kill "$mock_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The peers, pinned by benchmarks/peers/package-lock.json, installed beside the build.
# Without npm's registry they are skipped, and RESULTS.md says so.
peers=$build_dir/peers
have_peers=1
if ! cmp -s benchmarks/peers/package-lock.json "$peers/package-lock.json" 2>/dev/null; then
    mkdir -p "$peers"
    cp benchmarks/peers/package.json benchmarks/peers/package-lock.json "$peers/"
    if ! npm ci --silent --no-audit --no-fund --prefix "$peers" >/dev/null 2>"$work/npm.err"; then
        echo "bench: the JavaScript peers could not be installed (npm ci): skipped" >&2
        rm -f "$peers/package-lock.json"  # tried again next time
        have_peers=0
    fi
fi
cp benchmarks/peers/peer.mjs "$peers/"

# More descriptors than 10,000 connections need, for both ends.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# The mock on the first CPU this process may use, the clients on the second (a container's
# cpuset need not start at 0); no pinning with fewer than two.
mapfile -t allowed < <(taskset -pc $$ 2>/dev/null | sed 's/.*: //' | tr ',' '\n' |
    awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }' | head -n 2)
pin_mock=() pin_client=()
if ((${#allowed[@]} >= 2)); then
    pin_mock=(taskset -c "${allowed[0]}") pin_client=(taskset -c "${allowed[1]}")
fi
failed=0  # a benchmark that failed or crashed: the run goes on, and exits 1 at the end

start_mock() {  # instructor-mock flags...; sets url
    "${pin_mock[@]}" "$mock_cmd" --port 0 --record 0 "$@" >"$work/mock.out" 2>&1 &
    mock_pid=$!
    for _ in $(seq 100); do
        url=$(grep -o 'http://[^ ]*' "$work/mock.out" || true)
        [ -z "$url" ] || return 0
        sleep 0.05
    done
    echo "bench: instructor-mock did not start: $(cat "$work/mock.out")" >&2
    exit 1
}
stop_mock() {
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
    mock_pid=
}
client() { "${pin_client[@]}" "$@"; }
# A peer's JSON line into a file, with extra members first; a line saying so when it did not
# finish within the cap or failed.
peer() {  # file, extra members ("" or '"a":1,'), cap seconds, peer.mjs flags (--lib first)...
    local file=$1 extra=$2 cap=$3 line rc=0
    shift 3
    # The last line only: a library that prints to stdout must not break the JSON lines.
    line=$(client timeout "$cap" node "$peers/peer.mjs" "$@" | tail -n 1) || rc=$?
    if ((rc == 124)); then
        line="{\"lib\":\"$2\",\"capped_seconds\":$cap}"
    elif ((rc != 0)) || [ -z "$line" ]; then
        line="{\"lib\":\"$2\",\"exit_status\":$rc}"
    fi
    echo "{$extra${line#\{}" >>"$file"
}

[ -n "$against" ] || against=$(cat benchmarks/previous_release 2>/dev/null || echo none)
((quick == 0)) || against=none

if ((quick)); then
    calls1=200 calls64=640 peer_calls1=40 peer_calls64=128 bench_calls=640 bench_slow_calls=128
    sizes=(10240) stream_calls=(3) peer_stream_cap=60
    in_flight=(10 100) scale_latency=300 decode_flags=(--benchmark_min_time=0.05) batch_lines=(500 5000)
    sized_calls=200 realistic_in_flight=100 regression_calls=0
else
    calls1=4000 calls64=16000 peer_calls1=400 peer_calls64=1600 bench_calls=20000 bench_slow_calls=2000
    sizes=(10240 102400 1048576) stream_calls=(20 30 5) peer_stream_cap=300
    in_flight=(10 100 1000 10000) scale_latency=3000 batch_lines=(5000 50000)
    # Each time the median of five repetitions taken in turns (ours, the baseline, ...): a slow
    # patch of a shared host falls on both sides of a ratio.
    decode_flags=(--benchmark_min_time=0.2 --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true)
    sized_calls=4000 realistic_in_flight=1000 regression_calls=4000
fi
libs=(instructor openai ai)

echo "== 1, 2. calls: ours and raw Beast at concurrency 1 and 64, and the peers"
start_mock
client "$bin/call_bench" calls --url "$url" --concurrency 1 --requests $calls1 >>"$work/calls.jsonl" ||
    failed=1
client "$bin/call_bench" calls --url "$url" --concurrency 64 --requests $calls64 >>"$work/calls.jsonl" ||
    failed=1
((have_peers)) || libs=()
for lib in "${libs[@]}"; do
    peer "$work/peers.jsonl" "" 600 --lib "$lib" --url "$url" --concurrency 1 --requests $peer_calls1
    peer "$work/peers.jsonl" "" 600 --lib "$lib" --url "$url" --concurrency 64 --requests $peer_calls64
done
stop_mock

echo "== 1. calls with a realistic answer (1.5 KB of JSON)"
start_mock --answer-bytes 1536
client "$bin/call_bench" calls --url "$url" --concurrency 1 --requests $sized_calls |
    sed 's/^{/{"answer_bytes":1536,/' >>"$work/calls_sized.jsonl" || failed=1
stop_mock

echo "== instructor-bench against its embedded mock, instant and with a provider's latency and pace"
realistic=(--mock-latency 300:100 --mock-tokens-per-second 100)
for stream in "" --stream; do
    for mock in instant realistic; do
        flags=()
        [ "$mock" = instant ] || flags=("${realistic[@]}")
        n=$bench_calls
        [ "$mock" = instant ] || n=$bench_slow_calls
        # Unpinned: its mock runs in-process, on a thread of its own.
        "$build_dir/instructor-bench" --json --concurrency 64 --requests "$n" $stream "${flags[@]}" |
            sed "s/^{/{\"mock_kind\":\"$mock\",/" >>"$work/bench.jsonl" || failed=1
    done
done

echo "== 2, 3. streams in 4-byte deltas: ours, raw Beast and the peers against the answer's size"
for i in "${!sizes[@]}"; do
    size=${sizes[$i]}
    start_mock --chunk 4 --write-bytes 65536 --answer-bytes "$size"
    client "$bin/call_bench" stream --url "$url" --requests "${stream_calls[$i]}" |
        sed "s/^{/{\"answer_bytes\":$size,/" >>"$work/stream.jsonl" || failed=1
    if ((size <= 102400)); then  # the peers re-parse on every delta: 1 MB takes them hours
        for lib in "${libs[@]}"; do
            peer "$work/peer_stream.jsonl" "\"answer_bytes\":$size," "$peer_stream_cap" \
                --lib "$lib" --url "$url" --requests 1 --stream
        done
    fi
    stop_mock
done

echo "== 4. scale: calls in flight at once on one thread"
for n in "${in_flight[@]}"; do
    start_mock --latency "$scale_latency"
    client "$bin/call_bench" scale --url "$url" --in-flight "$n" >>"$work/scale.jsonl" || failed=1
    stop_mock
done

echo "== 4. calls in flight with a provider's latency (300 ms +/- 100)"
start_mock --latency 300:100
client "$bin/call_bench" scale --url "$url" --in-flight $realistic_in_flight |
    sed 's/^{/{"latency":"300:100",/' >>"$work/scale_realistic.jsonl" || failed=1
stop_mock

echo "== 5. decode"
client "$bin/decode_bench" "${decode_flags[@]}" --benchmark_color=false \
    >"$work/decode.txt" 2>&1 || failed=1

echo "== 6. batches: N lines built and uploaded, then read and decoded (each in a process of its own)"
start_mock --max-request-bytes 536870912
for n in "${batch_lines[@]}"; do
    line=$(client "$bin/batch_bench" create --url "$url" --lines "$n") || failed=1
    echo "$line" >>"$work/batch.jsonl"
    id=$(echo "$line" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
    [ -z "$id" ] || client "$bin/batch_bench" results --url "$url" --id "$id" >>"$work/batch.jsonl" ||
        failed=1
done
stop_mock

if [ "$against" != none ]; then
    echo "== 7. against the previous release ($against): its client built from its sources, then in turn with ours"
    prev_src=$build_dir/previous-src prev_build=$build_dir/previous
    # A failure here (an unknown ref, a build that breaks) is reported; the rest of the run stands.
    if ! ref=$(git rev-parse --verify --quiet "$against^{commit}"); then
        echo "bench: $against is not a commit here: the previous release is not measured" >&2
        failed=1
    elif [ "$(cat "$prev_build/built-from" 2>/dev/null)" != "$ref" ] &&
        ! { rm -rf "$prev_src" "$prev_build" && mkdir -p "$prev_src" &&
            git archive "$ref" | tar -x -m -C "$prev_src" &&
            cmake -S "$prev_src" -B "$prev_build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
                -DCMAKE_CXX_COMPILER_LAUNCHER="$PWD/cmake/ccache.sh" >/dev/null &&
            cmake --build "$prev_build" --target call_bench && echo "$ref" >"$prev_build/built-from"; }; then
        echo "bench: the previous release ($against) did not build: not measured" >&2
        failed=1
    else
        start_mock
        for round in 1 2 3; do  # in turn, so a slow patch of the machine hits both
            client "$prev_build/benchmarks/call_bench" calls --url "$url" --concurrency 1 \
                --requests $regression_calls | sed "s/^{/{\"build\":\"previous\",\"ref\":\"${ref:0:12}\",/" \
                >>"$work/regression.jsonl" || failed=1
            client "$bin/call_bench" calls --url "$url" --concurrency 1 --requests $regression_calls |
                sed 's/^{/{"build":"current",/' >>"$work/regression.jsonl" || failed=1
        done
        stop_mock
    fi
fi

mkdir -p "$out/results"
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
status=0
node benchmarks/report.mjs "$work" "$out" "$machine" "$(git describe --always --dirty 2>/dev/null || echo '?')" \
    "$( ((quick)) && echo quick || echo full)" || status=$?
if ((status == 0 || status == 3 || status == 4)); then  # written; 3: failed calls, 4: slower
    echo "bench: wrote $out/RESULTS.md"
    if ((status == 4)); then
        echo "bench: CPU per call rose more than 10 % against the previous release (see RESULTS.md)" >&2
    fi
else
    echo "bench: report.mjs failed ($status)" >&2
fi
if ((failed)); then
    echo "bench: a benchmark program failed (see above)" >&2
    ((status)) || status=1
fi
exit $status
