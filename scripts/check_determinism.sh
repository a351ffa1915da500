#!/bin/bash
# Deterministic by default: runs each command twice (same flags, so the same default seed) and compares every file
# it writes byte for byte, report.json without its timings, paths and provenance. Swift seeds its hashing per
# process, so a Set or Dictionary walked in its own order shows up here as two runs that differ.
#   RP=.build/release/regionplot scripts/check_determinism.sh      (from the repository root; a minute or two)
set -uo pipefail
B=${RP:-.build/release/regionplot}
EX=${EX:-../shared/examples}
[ -d "$EX" ] || EX=Tests/NeuralNetTests/Fixtures/examples
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
status=0
run() { local name=$1; shift; for i in 1 2; do rm -rf $W/$name/$i; mkdir -p $W/$name; nice -n 5 $B "$@" --out $W/$name/$i > /dev/null 2>&1 || echo "$name run $i failed"; done
  python3 - "$name" "$W" <<'PY'
import sys, os, json, filecmp
n=sys.argv[1]; w=sys.argv[2]; a=f'{w}/{n}/1'; b=f'{w}/{n}/2'; bad=[]
for root,_,files in os.walk(a):
    for f in files:
        p=os.path.join(root,f); q=p.replace(a,b,1)
        if f=='report.json':
            x=json.load(open(p)); y=json.load(open(q))
            def strip(d):
                if isinstance(d,dict): return {k:strip(v) for k,v in d.items() if k not in ('timings','provenance','out','figures','files','program','seconds','renderSeconds','tableSeconds') and 'econds' not in k}
                if isinstance(d,list): return [strip(v) for v in d]
                return d
            if strip(x)!=strip(y): bad.append(f)
        elif not os.path.exists(q) or not filecmp.cmp(p,q,shallow=False): bad.append(os.path.relpath(p,a))
print(n, 'deterministic' if not bad else 'DIFFERS: '+' '.join(bad[:8]))
sys.exit(1 if bad else 0)
PY
  [ $? -eq 0 ] || status=1
}
run main-paper --width 20 --style paper --column single
run main-notebook --width 20
run slice-cnn slice --model $EX/ex_cnn.onnx --data $EX/digits_test_img.npy --labels $EX/digits_test_y.npy --through 0,1,2 --style paper --format png,svg
run compare compare --model-a $EX/ex_mlp.onnx --model-b $EX/ex_cnn.onnx --data $EX/digits_train_x.npy --labels $EX/digits_train_y.npy --test-data $EX/digits_test_x.npy --test-labels $EX/digits_test_y.npy --style paper
run digits digits --epochs 4 --clusters 10 --style paper
run backprop backprop --style paper
run nac nac --style paper --column single
run random-slices slice --model $EX/ex_mlp.onnx --data $EX/digits_test_x.npy --through-random 3 --style paper
run grokking grokking --epochs 300 --style paper --column single
run abstraction abstraction --style paper
run exact exact --net Tests/ExperimentsTests/Fixtures/deep-a.safetensors --style paper
exit $status
