#!/bin/bash
# The speed comparisons of docs/speed.md in one run, each peer beside regionplot on the same nets:
#   analysis  the vectorised NumPy analysis and `regionplot bench` on the same nets (NumPy draws them, rounds them to
#             float32 and saves them as PyTorch would; regionplot reads those files), both nets of every pair, then
#             regionplot's direct reference probe on the same nets;
#   figures   matplotlib drawing the notebook's three analysis figures and `regionplot bench --figures` drawing
#             them, for the nets of one `regionplot --width 100` run, best of REPEATS each;
#   process   the seed notebook's whole pipeline, headless (scripts/notebook_pipeline_bench.py, one run: it takes
#             about a minute) and the whole `regionplot --width 100` process, best of REPEATS, with all its figures
#             and with the notebook's nine only.
#
#   swift build -c release --static-swift-stdlib && scripts/speed_compare.sh [path/to/regionplot]
#   GRIDS=101,1001 NETS=20,1000 PARTS=analysis scripts/speed_compare.sh
#   PARTS=figures,process REPEATS=10 scripts/speed_compare.sh
set -euo pipefail
BIN=${1:-.build/release/regionplot}
GRIDS=${GRIDS:-1001}
NETS=${NETS:-20,100,1000,3x64}
PARTS=${PARTS:-analysis,figures,process}
REPEATS=${REPEATS:-5}
WIDTH=${WIDTH:-100}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
if [[ ,$PARTS, == *,analysis,* ]]; then
  echo "== python3 scripts/numpy_analysis_bench.py --grids $GRIDS --nets $NETS --save-nets DIR"
  python3 scripts/numpy_analysis_bench.py --grids "$GRIDS" --nets "$NETS" --save-nets "$DIR"
  echo "== $BIN bench --grids $GRIDS --nets $NETS --nets-from DIR --repeats 3"
  "$BIN" bench --grids "$GRIDS" --nets "$NETS" --nets-from "$DIR" --repeats 3
  echo "== $BIN bench --grids $GRIDS --nets $NETS --nets-from DIR --probe direct"
  "$BIN" bench --grids "$GRIDS" --nets "$NETS" --nets-from "$DIR" --probe direct
fi
if [[ ,$PARTS, == *,figures,* ]]; then
  echo "== $BIN --width $WIDTH --out DIR/w$WIDTH --save-nets DIR/w$WIDTH/nets"
  "$BIN" --width "$WIDTH" --out "$DIR/w$WIDTH" --save-nets "$DIR/w$WIDTH/nets" > /dev/null
  NETS_DIR=$DIR/w$WIDTH/nets
  echo "== python3 scripts/matplotlib_render_bench.py DIR/w$WIDTH/nets/a.safetensors DIR/w$WIDTH/nets/b.safetensors" \
    "$REPEATS"
  (cd scripts && python3 matplotlib_render_bench.py "$NETS_DIR/a.safetensors" "$NETS_DIR/b.safetensors" "$REPEATS")
  echo "== $BIN bench --figures --net-a DIR/w$WIDTH/nets/a.safetensors --net-b DIR/w$WIDTH/nets/b.safetensors" \
    "--repeats $REPEATS"
  "$BIN" bench --figures --net-a "$NETS_DIR/a.safetensors" --net-b "$NETS_DIR/b.safetensors" --repeats "$REPEATS"
fi
if [[ ,$PARTS, == *,process,* ]]; then
  echo "== python3 scripts/time_best.py 1 python3 scripts/notebook_pipeline_bench.py --width $WIDTH --out DIR/notebook"
  python3 scripts/time_best.py 1 python3 scripts/notebook_pipeline_bench.py --width "$WIDTH" --out "$DIR/notebook"
  echo "== python3 scripts/time_best.py $REPEATS $BIN --width $WIDTH --out DIR/run"
  python3 scripts/time_best.py "$REPEATS" "$BIN" --width "$WIDTH" --out "$DIR/run"
  # The same process drawing only the notebook's own nine figures (the analysis, snapshots included, is the same).
  NINE=xor-points,xor-3d,handcrafted-regions,handcrafted-wireframe,training-a,training-b,linear-regions,surfaces,wireframes
  echo "== python3 scripts/time_best.py $REPEATS $BIN --width $WIDTH --only-figures $NINE --out DIR/run9"
  python3 scripts/time_best.py "$REPEATS" "$BIN" --width "$WIDTH" --only-figures "$NINE" --out "$DIR/run9"
fi
