#!/bin/bash
# Regenerates the committed gallery under docs/gallery/ (all but grokking, whose runs take minutes) with the current
# build, in both styles. Run from the repository root after `swift build -c release`:
#   scripts/make_gallery.sh            # everything but circuits and grokking (about a minute)
#   scripts/make_gallery.sh circuits   # also circuits from seeds 0-3 (minutes: min trains 3 000 000 batches)
set -euo pipefail
RP=${RP:-.build/release/regionplot}
EX=${EX:-../shared/examples}
[ -d "$EX" ] || EX=Tests/NeuralNetTests/Fixtures/examples
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
q() { "$@" > /dev/null; }
# The gallery lives outside figures/ (the commands' default output, ignored by git), so running a command never
# rewrites it; GALLERY=DIR writes it elsewhere.
G=${GALLERY:-docs/gallery}

# The notebook style: the main job at three widths and the sweep summary.
q $RP batch --widths 2,20,100 --seeds 0 --out $G --force
q $RP nac --out $G/nac
q $RP backprop --out $G/backprop
q $RP abstraction --out $G/abstraction
q $RP digits --out "$TMP/digits"
mkdir -p $G/digits && cp "$TMP"/digits/*.png $G/digits/
q $RP slice --model $EX/ex_cnn.onnx --data $EX/digits_test_img.npy --labels $EX/digits_test_y.npy --through 0,1,2 \
    --out $G/slices/digits-cnn-0-1-2
q $RP slice --model $EX/ex_mlp.onnx --data $EX/digits_test_x.npy --labels $EX/digits_test_y.npy --through 0,1,2 \
    --out $G/slices/digits-mlp-0-1-2
q $RP slice --model $EX/ex_spiral.onnx --out $G/slices/spiral
if [ "${1:-}" = circuits ]; then
    # Several seeds: each circuit from a seed that learns it, beside one that gets stuck.
    rm -f $G/circuits/*.png
    q $RP circuits --seeds 0-3 --out $G/circuits
fi

# The paper style: a double column (6.75 in) for the main job and the other commands, a single column (3.25 in,
# side-by-side panels stacked) for the figures with two panels.
P=$G/paper
q $RP --width 20 --style paper --column double --dpi 150 --out $P/width-20-seed-0
q $RP --width 20 --style paper --column single --dpi 150 --out $P/width-20-seed-0-single \
    --only-figures linear-regions,training-a,surfaces,wireframes,training-steps-a,regions-over-training
q $RP nac --style paper --column double --dpi 150 --out $P/nac
q $RP digits --style paper --column double --dpi 150 --out "$TMP/digits-paper" \
    --only-figures r2-per-class,cluster-accuracy,local-maps,slice-a,training-steps-a,regions-over-training
mkdir -p $P/digits && cp "$TMP"/digits-paper/*.png $P/digits/
q $RP slice --style paper --column double --dpi 150 --model $EX/ex_cnn.onnx --data $EX/digits_test_img.npy \
    --labels $EX/digits_test_y.npy --through 0,1,2 --out $P/slices/digits-cnn-0-1-2
q $RP backprop --style paper --column double --dpi 150 --out $P/backprop
q $RP abstraction --style paper --column double --dpi 150 --out $P/abstraction
# The sweep summary in the paper style (the three runs take seconds), and with `circuits` one circuit (abs, which
# learns from seed 0 to 3 in a fraction of min's batches).
q $RP batch --widths 2,20,100 --seeds 0 --style paper --column double --dpi 150 --out "$TMP/sweep-paper"
cp "$TMP"/sweep-paper/summary.png $P/summary.png
if [ "${1:-}" = circuits ]; then
    q $RP circuits --seeds 0-3 --only abs --style paper --column double --dpi 150 --out "$TMP/circuits-paper"
    mkdir -p $P/circuits && cp "$TMP"/circuits-paper/function-abs.png $P/circuits/
fi
echo "gallery written under $G/"
