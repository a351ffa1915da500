#!/usr/bin/env python3
"""Times Regioncam and `regionplot slice` on the same MLP slices, side by side (best of --repeat runs each).

    pip install regioncam onnx numpy
    python3 scripts/regioncam_slice_bench.py [--binary .build/release/regionplot] [--repeat 20]

Slices: the shared digits MLP (ex_mlp.onnx) through test rows 0,1,2 and 10,20,30, and the 2-input fixture on its
own plane. Regioncam's time is `Regioncam.through_points(points, size=1.5)` + `add(net)` + `decision_boundary()`,
in process; regionplot's is the report's `timings.exact` with `--exact-runs` the same number (the fastest of that
many partitions with their decision regions, in one process, after the model is read).
"""
import argparse, json, os, subprocess, sys, tempfile, time
import numpy as np
import regioncam
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_slice_fixtures as fx  # noqa: E402
import make_onnx_fixtures as onnx_fx  # noqa: E402

ROOT = os.path.join(HERE, "..")
EXAMPLES = os.path.join(ROOT, "Tests", "NeuralNetTests", "Fixtures", "examples")
ONNX_DIR = os.path.join(ROOT, "Tests", "NeuralNetTests", "Fixtures", "onnx")


def best(f, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - start)
    return min(times), result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "regionplot"))
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    mlp = regioncam.nn.convert(fx.onnx_gemm_mlp(os.path.join(EXAMPLES, "ex_mlp.onnx")))
    x = np.load(os.path.join(EXAMPLES, "digits_test_x.npy")).astype(np.float32)
    torch.manual_seed(26)
    two = regioncam.nn.convert(dict((n, b) for n, _, _, b in onnx_fx.models())["two_input"]().eval())
    cases = [("ex_mlp.onnx", "digits_test_x.npy", "0,1,2", mlp, x[[0, 1, 2]]),
             ("ex_mlp.onnx", "digits_test_x.npy", "10,20,30", mlp, x[[10, 20, 30]]),
             ("two_input_ts.onnx", None, None, two, None)]
    print(f"{'slice':32s} {'regioncam':>10s} {'ms':>8s} {'regionplot':>11s} {'ms':>8s}")
    for model, data, rows, net, points in cases:
        def run_regioncam():
            rc = regioncam.Regioncam(size=1.5) if points is None else regioncam.Regioncam.through_points(points)
            rc.add(net)
            rc.decision_boundary()
            return rc.num_faces
        rc_time, rc_count = best(run_regioncam, args.repeat)
        folder = EXAMPLES if model.startswith("ex_") else ONNX_DIR
        command = [args.binary, "slice", "--model", os.path.join(folder, model), "--grid", "2", "--format", "svg",
                   "--exact-runs", str(args.repeat)]
        if data:
            command += ["--data", os.path.join(folder, data), "--through", rows]
        out = tempfile.mkdtemp()
        subprocess.run(command + ["--out", out], check=True, stdout=subprocess.DEVNULL)
        report = json.load(open(os.path.join(out, "report.json")))
        count, ours = report["exactRegionsWithDecision"], report["timings"]["exact"]
        print(f"{model + ' ' + (rows or 'own plane'):32s} {rc_count:10d} {1e3 * rc_time:8.3f} {count:11d} "
              f"{1e3 * ours:8.3f}", flush=True)


if __name__ == "__main__":
    main()
