#!/usr/bin/env bash
# Installs what instructor-cpp needs on Debian bookworm. Idempotent, and silent when nothing is
# missing. With --npm, also fetches the npm tools the tests use: ajv into build/npm, and the
# official SDKs the conformance suite drives, pinned by test/sdk/package-lock.json, into build/sdk.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake ninja-build g++ clang-14 ccache pkg-config
          libboost1.81-all-dev libboost-json1.81-dev libboost-url1.81-dev
          libssl-dev libgtest-dev libgmock-dev libbenchmark-dev
          libkainjow-mustache-dev libhiredis-dev redis-server tinyproxy gnuplot-nox)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "deps: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--npm" ] && [ ! -f build/npm/node_modules/ajv/package.json ]; then
    echo "deps: installing ajv into build/npm"
    mkdir -p build/npm
    npm install --silent --no-audit --no-fund --prefix build/npm ajv@8 >/dev/null
fi

if [ "${1:-}" = "--npm" ] && ! cmp -s test/sdk/package-lock.json build/sdk/package-lock.json; then
    echo "deps: installing the official SDKs (test/sdk/package-lock.json) into build/sdk"
    rm -rf build/sdk
    mkdir -p build/sdk
    cp test/sdk/package.json test/sdk/package-lock.json build/sdk/
    # The lock marks a finished install: a failed one is tried again next time.
    npm ci --silent --no-audit --no-fund --prefix build/sdk >/dev/null ||
        { rm -f build/sdk/package-lock.json; exit 1; }
fi
