#!/bin/bash
# Regenerates the committed gallery under docs/gallery/ with the current build. Run from the repository root after
# `swift build -c release`:
#   scripts/make_gallery.sh            # README's gallery: one figure of every command that draws, in the notebook
#                                      # and paper styles at a single column (3.25 in), small settings (minutes)
#   scripts/make_gallery.sh full       # also the full gallery docs/figures.md shows (all but grokking and circuits)
#   scripts/make_gallery.sh circuits   # the full gallery and the circuits from seeds 0-3 (minutes: min trains
#                                      # 3 000 000 batches)
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

# README's gallery: docs/gallery/single/<command>-<style>.png, each command's most telling figure at a single
# column, from small settings (short trainings: the figures show what each command draws, not converged results).
S=$G/single
mkdir -p "$S"
one() {  # one NAME FIGURE ARGS...: draws FIGURE of `regionplot ARGS` in both styles into $S/NAME-<style>.png
    local name=$1 figure=$2; shift 2
    for style in notebook paper; do
        rm -rf "$TMP/one"
        q $RP "$@" --style $style --column single --dpi 150 --only-figures "$figure" --out "$TMP/one"
        cp "$TMP/one/$figure.png" "$S/$name-$style.png"
    done
}
one main partition-a --width 20
one exact partition-deep-a exact --net Tests/ExperimentsTests/Fixtures/deep-a.safetensors
one slice slice slice --model $EX/ex_cnn.onnx --data $EX/digits_test_img.npy --labels $EX/digits_test_y.npy --through 0,1,2
one compare r2-per-class compare --model-a $EX/ex_mlp.onnx --model-b $EX/ex_cnn.onnx --data $EX/digits_train_x.npy \
    --labels $EX/digits_train_y.npy --test-data $EX/digits_test_x.npy --test-labels $EX/digits_test_y.npy
one digits regions-over-training digits --epochs 8 --clusters 10
one backprop gradients backprop
one abstraction residuals abstraction
one grokking accuracy grokking --epochs 3000
one nac matrices nac --iterations 3000
one circuits function-abs circuits --only abs --seeds 0-3 --batches 300000
# batch writes its summary in the sweep's folder, beside one run folder per width and seed.
for style in notebook paper; do
    rm -rf "$TMP/one"
    q $RP batch --widths 2,20,100 --seeds 0 --style $style --column single --dpi 150 --out "$TMP/one"
    cp "$TMP/one/summary.png" "$S/batch-$style.png"
done
[ "${1:-}" = full ] || [ "${1:-}" = circuits ] || { echo "gallery written under $S/"; exit 0; }

# The full gallery (docs/figures.md).

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
