#!/bin/bash
# README's speed comparison in one run: the vectorised NumPy analysis and `regionplot bench` on the same nets
# (NumPy draws them, rounds them to float32 and saves them as PyTorch would; regionplot reads those files), both
# nets of every pair, then regionplot's direct reference probe on the same nets.
#
#   swift build -c release && scripts/speed_compare.sh [path/to/regionplot]
#   GRIDS=101,1001 NETS=20,1000 scripts/speed_compare.sh
set -euo pipefail
BIN=${1:-.build/release/regionplot}
GRIDS=${GRIDS:-1001}
NETS=${NETS:-20,100,1000,3x64}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
echo "== python3 scripts/numpy_analysis_bench.py --grids $GRIDS --nets $NETS --save-nets DIR"
python3 scripts/numpy_analysis_bench.py --grids "$GRIDS" --nets "$NETS" --save-nets "$DIR"
echo "== $BIN bench --grids $GRIDS --nets $NETS --nets-from DIR --repeats 3"
"$BIN" bench --grids "$GRIDS" --nets "$NETS" --nets-from "$DIR" --repeats 3
echo "== $BIN bench --grids $GRIDS --nets $NETS --nets-from DIR --probe direct"
"$BIN" bench --grids "$GRIDS" --nets "$NETS" --nets-from "$DIR" --probe direct
