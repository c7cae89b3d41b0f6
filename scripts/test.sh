#!/usr/bin/env bash
# Builds and runs every test: clang 14 compiles the library and its headers and runs the
# libFuzzer targets for a bounded time; then everything is built and tested plain
# (RelWithDebInfo), the multi-threaded tests under ThreadSanitizer, and everything again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh --npm

jobs=$(nproc)
leg_start=$SECONDS
leg() {  # prints how long the previous leg took, then the next leg's title
    [ "$leg_start" -eq "$SECONDS" ] || echo "   (took $((SECONDS - leg_start)) s)"
    leg_start=$SECONDS
    echo "== $1"
}
node_modules="$PWD/build/npm/node_modules"
# ccache's settings (depend mode, its namespace, PCH sloppiness): cmake/ccache.sh, the launcher
# every build of the project uses.

configure() {  # dir, extra cmake args...
    local dir=$1
    shift
    # Line tables only (-g1): stack traces and profiles keep file:line, and full debug info
    # costs a third of the compile time.
    cmake -S . -B "$dir" -G Ninja -DINSTRUCTOR_NODE_MODULES="$node_modules" \
        -DCMAKE_CXX_FLAGS_DEBUG="-g1" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
        "$@" >/dev/null
}

leg "clang 14: the library, every public header alone, and bounded fuzzing"
configure build/clang -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 \
    -DINSTRUCTOR_FUZZ=ON -DINSTRUCTOR_BUILD_BENCHMARKS=OFF -DINSTRUCTOR_BUILD_SAMPLES=OFF \
    -DINSTRUCTOR_LIBRARY_PCH=ON
cmake --build build/clang --target instructor instructor_standalone_headers fuzzers
bash scripts/fuzz.sh build/clang "${FUZZ_SECONDS:-20}"

leg "plain build and tests"
# The library at -O2, the test programs and samples at -Og (code generation is most of a test
# TU's compile time; -Og halves it; its maybe-uninitialized warnings, inside libstdc++'s regex,
# are false positives).
configure build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINSTRUCTOR_TEST_COMPILE_OPTIONS="-Og;-Wno-maybe-uninitialized"
cmake --build build/release
# A test that hangs fails after 10 minutes, with its output (the longest takes about a minute
# under the sanitizers; ctest's own default is 25).
ctest --test-dir build/release --output-on-failure --timeout 600 -j "$jobs"

leg "ThreadSanitizer: the multi-threaded tests"
# The library at -O1 (TSan's own advice; a third less compile time than -O2) with its headers
# precompiled, the test program as a unity build.
configure build/tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINSTRUCTOR_TSAN=ON -DINSTRUCTOR_TEST_COMPILE_OPTIONS="-Og;-Wno-maybe-uninitialized" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DINSTRUCTOR_LIBRARY_PCH=ON -DINSTRUCTOR_UNITY_TESTS=ON \
    -DINSTRUCTOR_BUILD_BENCHMARKS=OFF -DINSTRUCTOR_BUILD_SAMPLES=OFF
cmake --build build/tsan --target instructor_thread_tests
# A client shared by a thread pool (calls, streams, cancellation from another thread, pool
# hand-over), the fail and cancel matrices, the hostile servers, the Redis cache's thread; the
# mock's thread under all.
# (The long-answer stream, 10 MB of SSE, is left to the other builds: it is slow under TSan.)
# Two shards side by side: one test program would leave a core idle. A shard that hangs is
# stopped after 15 minutes (the two take about two).
tsan_shard() {  # index: runs that shard, its output in build/tsan/shard-<index>.log
    GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX=$1 TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
        timeout 900 build/tsan/test/instructor_thread_tests \
        --gtest_filter=-HostileServer.ALongAnswerInTinyDeltasStreamsToTheEnd \
        >"build/tsan/shard-$1.log" 2>&1
}
tsan_shard 0 & shard0=$!
tsan_shard 1 & shard1=$!
tsan_failed=0
wait "$shard0" || tsan_failed=1
wait "$shard1" || tsan_failed=1
for i in 0 1; do
    if ((tsan_failed)); then cat "build/tsan/shard-$i.log"; else tail -n 3 "build/tsan/shard-$i.log"; fi
done
((tsan_failed == 0)) || { echo "ThreadSanitizer: a test failed"; exit 1; }

leg "sanitized build (ASan + UBSan) and tests"
# The library's headers precompiled (no CMake consumer test here to need the plain commands), the
# test programs as unity builds (half their compile time; the plain leg compiles each file alone).
# The core at -O1 (the judgment tests spend their time in it: at -O0 under ASan they take six
# minutes), the I/O layers, tools and test programs at -O0 (UBSan at -O1 takes four minutes on
# one coroutine-heavy file, a minute at -O0).
configure build/asan -DCMAKE_BUILD_TYPE=Debug -DINSTRUCTOR_SANITIZE=ON \
    -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DINSTRUCTOR_TEST_COMPILE_OPTIONS=-O0 \
    -DINSTRUCTOR_IO_COMPILE_OPTIONS=-O0 -DINSTRUCTOR_BUILD_BENCHMARKS=OFF -DINSTRUCTOR_BUILD_SAMPLES=OFF \
    -DINSTRUCTOR_LIBRARY_PCH=ON -DINSTRUCTOR_UNITY_TESTS=ON
cmake --build build/asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build/asan --output-on-failure --timeout 600 -j "$jobs"
echo "   (took $((SECONDS - leg_start)) s; all legs $SECONDS s)"
