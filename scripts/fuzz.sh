#!/usr/bin/env bash
# Builds a fuzz target with libFuzzer and AddressSanitizer and runs it.
#
#   scripts/fuzz.sh safetensors|onnx|npy [SECONDS]                            # a reader, default 600 s
#   scripts/fuzz.sh analysis-safetensors|analysis-onnx|analysis-npy [SECONDS]  # the analysis behind a reader
#
# Fuzz/FuzzReaders serves every reader, and as analysis-READER what slice, exact and predict compute on what a
# reader parsed (small budgets); REGIONPLOT_FUZZ_READER picks the target. Committed seed corpora:
# Fuzz/corpus/<reader>/ (scripts/make_fuzz_seeds.py) and Fuzz/corpus-analysis/<reader>/
# (scripts/make_analysis_seeds.py). New inputs the fuzzer finds go to .build-fuzz/corpus/<name>/, crashes to
# .build-fuzz/artifacts/<name>/.
# What counts as a failure: a crash or trap, an AddressSanitizer report, an input that runs longer than 10 s, a
# single allocation over 10 MiB (readers; ten times the largest input, -max_len 1 MiB) or 64 MiB (analysis), or
# more than 2 GiB in all.
# Exit code: 0 when the whole run found nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/fuzz.sh [analysis-]safetensors|onnx|npy [SECONDS]}
seconds=${2:-600}
case $name in
    analysis-*) seeds=Fuzz/corpus-analysis/${name#analysis-} malloc=64 ;;
    *) seeds=Fuzz/corpus/$name malloc=10 ;;
esac
[ -d "$seeds" ] || { echo "no seed corpus $seeds" >&2; exit 2; }

swift build --scratch-path .build-fuzz --product FuzzReaders \
    -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address 2>&1 | grep -v "Cannot export local symbol" >&2

work=.build-fuzz/corpus/$name artifacts=.build-fuzz/artifacts/$name
mkdir -p "$work" "$artifacts"
# Two corpus folders: libFuzzer writes new inputs into the first and only reads the committed seeds.
REGIONPLOT_FUZZ_READER=$name exec ".build-fuzz/debug/FuzzReaders" "$work" "$seeds" \
    -max_total_time="$seconds" -max_len=1048576 -timeout=10 -malloc_limit_mb="$malloc" -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1
