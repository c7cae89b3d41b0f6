#!/usr/bin/env bash
# No include in lib/ runs from a lower layer to a higher one. The layers, lowest first (a layer may
# include its own and any lower one): net, decode and schema (side by side); protocol (the API
# table, the wires, the batch services); engine (the operations' vocabulary); cache and limit (the
# rate limiters), side by side; client (the
# call core, the driver, the client's state and exit); batch (the batch operations); testing (the
# mock, on top of all).
set -euo pipefail
cd "$(dirname "$0")/../lib"
rank() {
    case $1 in
    net | decode | schema) echo 0 ;;
    protocol) echo 1 ;;
    engine) echo 2 ;;
    cache | limit) echo 3 ;;
    client) echo 4 ;;
    batch) echo 5 ;;
    testing) echo 6 ;;
    *) echo "unknown layer $1" >&2; exit 2 ;;
    esac
}
bad=0
for dir in */; do
    layer=${dir%/}
    own=$(rank "$layer")
    while IFS=: read -r file line; do
        to=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$line")
        [ -d "$to" ] || continue
        if [ "$(rank "$to")" -gt "$own" ]; then
            echo "lib/$file: $layer includes the higher layer $to: $line"
            bad=1
        fi
    done < <(grep -rn '#include "[a-z_]*/' "$layer" | sed -E 's/^([^:]+):[0-9]+:/\1:/')
done
exit $bad
