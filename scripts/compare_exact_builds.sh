#!/bin/bash
# Two builds of regionplot on one net, taking turns so both see the same load: prints each run's exact region count
# and `exactSeconds` (the enumeration alone), BEFORE then AFTER, N times.
#
#   scripts/compare_exact_builds.sh BEFORE_BIN AFTER_BIN NET.safetensors [N=7]
#
# The nets of docs/speed.md ("Exact regions, against Regioncam") come from `make_nets` in scripts/regioncam_compare.py.
set -euo pipefail
before=$1; after=$2; net=$3; n=${4:-7}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for _ in $(seq "$n"); do
  for tag in before after; do
    bin=$before; [ "$tag" = after ] && bin=$after
    "$bin" exact --net "$net" --json "$out/$tag.json" --grid 11 > /dev/null 2>&1
    python3 -c "import json, sys; d = json.load(open(sys.argv[1]))[0]; print(sys.argv[2], d['exactRegions'], d['exactSeconds'])" \
      "$out/$tag.json" "$tag"
  done
done
