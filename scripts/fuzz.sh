#!/usr/bin/env bash
# Builds a reader's fuzz target with libFuzzer and AddressSanitizer and runs it.
#
#   scripts/fuzz.sh safetensors|onnx|npy [SECONDS]      # default 600 s
#
# One target, Fuzz/FuzzReaders, serves every reader (REGIONPLOT_FUZZ_READER picks it); each reader's committed seed
# corpus is Fuzz/corpus/<reader>/ (scripts/make_fuzz_seeds.py writes it). New inputs the fuzzer finds go to
# .build-fuzz/corpus/<reader>/, crashes to .build-fuzz/artifacts/<reader>/.
# What counts as a failure: a crash or trap, an AddressSanitizer report, an input that runs longer than 10 s, a
# single allocation over 10 MiB — ten times the largest input (-max_len 1 MiB) —, or more than 2 GiB in all.
# Exit code: 0 when the whole run found nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/fuzz.sh safetensors|onnx|npy [SECONDS]}
seconds=${2:-600}
[ -d "Fuzz/corpus/$name" ] || { echo "no seed corpus Fuzz/corpus/$name" >&2; exit 2; }

swift build --scratch-path .build-fuzz --product FuzzReaders \
    -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address 2>&1 | grep -v "Cannot export local symbol" >&2

work=.build-fuzz/corpus/$name artifacts=.build-fuzz/artifacts/$name
mkdir -p "$work" "$artifacts"
# Two corpus folders: libFuzzer writes new inputs into the first and only reads the committed seeds.
REGIONPLOT_FUZZ_READER=$name exec .build-fuzz/debug/FuzzReaders "$work" "Fuzz/corpus/$name" \
    -max_total_time="$seconds" -max_len=1048576 -timeout=10 -malloc_limit_mb=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1
