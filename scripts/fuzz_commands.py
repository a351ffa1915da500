#!/usr/bin/env python3
"""Runs every command that takes a user's net or data on the random nets of scripts/make_random_nets.py, and
absurd flag values on a few of them, and classifies each run (docs/testing.md#command-fuzzing):

    python3 scripts/make_random_nets.py /tmp/nets --seed 0 --count 40
    python3 scripts/fuzz_commands.py /tmp/nets [--binary .build/release/regionplot] [--timeout 120] [--flags]
                                     [--only net007] [--coretypes Haswell,Zen,SkylakeX]

  success   exit 0; where an output exposes numbers they are checked: predict's logits.npy and slice's three
            points' logits against onnxruntime's (manifest.json; 1e-4 of their size, float32 models), slice's
            exactRegions against Regioncam's count where the manifest has one (equal), and the probes' patterns
            against the cells they hit (exactRegions − regionsMissedByProbes)
  refusal   a clean refusal: exit 1..127, exactly one stderr line `regionplot: error: …` (warnings before it
            are allowed if they are not errors), no report and nothing left in the (fresh) output folder
  FAILURE   anything else: a signal or trap, exit > 127, a timeout, a multi-line or missing error, files left
            by a refused run, a report whose numbers disagree with the oracle, or (with --coretypes) numbers that
            move with OPENBLAS_CORETYPE

Prints one line per FAILURE (with the command to rerun it), the refusal messages grouped, and the counts; writes
results.json into the nets' folder. Exit code 1 when anything failed.
"""
import argparse
import collections
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


class Runner:
    def __init__(self, binary, timeout, folder):
        self.binary, self.timeout, self.folder = binary, timeout, folder
        self.results = []
        self.scratch = tempfile.mkdtemp(prefix="regionplot-fuzz-")

    def run(self, label, args, check=None, env=None, out_flag=True):
        """Runs `regionplot ARGS --out DIR` (DIR fresh and not yet made) and classifies it."""
        out = os.path.join(self.scratch, "out%05d" % len(self.results))
        argv = [self.binary] + args + (["--out", out] if out_flag else [])
        environment = dict(os.environ, **(env or {}))
        start = time.time()
        try:
            proc = subprocess.run(argv, cwd=self.folder, capture_output=True, text=True, timeout=self.timeout,
                                  env=environment)
            code, stderr = proc.returncode, proc.stderr
        except subprocess.TimeoutExpired as timeout:
            code, stderr = None, (timeout.stderr or b"").decode(errors="replace") if isinstance(
                timeout.stderr, bytes) else (timeout.stderr or "")
        seconds = time.time() - start
        left = sorted(os.listdir(out)) if os.path.isdir(out) else []
        lines = [line for line in stderr.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("regionplot: error:")]
        outcome, why = "success", ""
        if code is None:
            outcome, why = "FAILURE", "timeout after %ds" % self.timeout
        elif code < 0 or code > 127:
            outcome, why = "FAILURE", "signal/exit %d: %s" % (code, " | ".join(lines[-3:])[:300])
        elif code != 0:
            traps = [line for line in lines if "Fatal error" in line or "Stack dump" in line or "#0 " in line]
            if len(errors) != 1 or traps or lines[-1] != errors[0]:
                outcome, why = "FAILURE", "exit %d, stderr not one error line: %s" % (code, " | ".join(lines)[:400])
            elif left:
                outcome, why = "FAILURE", "refused (%s) but left %s" % (errors[0][:120], left[:5])
            else:
                outcome, why = "refusal", errors[0]
        else:
            try:
                problem = check(out) if check else None
            except Exception as error:  # a missing or malformed output is a failure of the run, not the script
                problem = "check raised %s: %s" % (type(error).__name__, error)
            if problem:
                outcome, why = "FAILURE", problem
        record = {"label": label, "outcome": outcome, "why": why, "exit": code, "seconds": round(seconds, 2),
                  "command": "cd %s && %s%s" % (shlex.quote(self.folder),
                                                "".join("%s=%s " % kv for kv in (env or {}).items()),
                                                " ".join(shlex.quote(a) for a in argv))}
        self.results.append(record)
        mark = {"success": ".", "refusal": "r", "FAILURE": "F"}[outcome]
        print(mark, end="" if outcome != "FAILURE" else "\n  FAILURE %s: %s\n  %s\n" % (label, why, record["command"]),
              flush=True)
        if outcome == "success":
            shutil.rmtree(out, ignore_errors=True)
        return record


def close(a, b, relative=1e-4):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return "shape %s, onnxruntime %s" % (a.shape, b.shape)
    if not np.all(np.isfinite(b)):
        return None  # onnxruntime overflowed in float32: nothing to hold regionplot to
    scale = max(1e-30, float(np.max(np.abs(b))))
    worst = float(np.max(np.abs(a - b))) if a.size else 0.0
    return None if worst <= relative * scale + 1e-6 * (scale >= 1e-3) else \
        "logits differ from onnxruntime by %.3g (size %.3g)" % (worst, scale)


def report(out):
    with open(os.path.join(out, "report.json")) as f:
        return json.load(f)


def predict_check(reference, reference64=None):
    """Against onnxruntime's logits, or PyTorch's in float64 where float32 overflowed inside the net."""
    def check(out):
        logits = np.load(os.path.join(out, "logits.npy"))
        if reference is None:
            return None
        problem = close(logits.reshape(len(reference), -1), reference)
        if problem and reference64 is not None and not close(logits.reshape(len(reference), -1), reference64):
            return None
        return problem
    return check


def slice_check(reference, regioncam):
    def check(out):
        r = report(out)
        problems = []
        if reference is not None and r.get("logits") is not None:
            problem = close(np.asarray(r["logits"]).reshape(3, -1), reference)
            if problem:
                problems.append("points' " + problem)
        if regioncam is not None and r.get("exactRegions") != regioncam:
            problems.append("exactRegions %s, Regioncam %s" % (r.get("exactRegions"), regioncam))
        # Every probe's pattern is one cell's, and cells' patterns differ: the probes' patterns are the cells
        # they hit.
        exact, missed, patterns = r.get("exactRegions"), r.get("regionsMissedByProbes"), r.get("activationPatterns")
        if None not in (exact, missed, patterns) and exact - missed != patterns:
            problems.append("probes see %d patterns but hit %d - %d cells" % (patterns, exact, missed))
        return "; ".join(problems) or None
    return check


def exact_check(regioncam):
    """exact's regions on [-1, 1]² against Regioncam's, where the manifest has a count."""
    def check(out):
        regions = report(out)["files"][0]["exactRegions"]
        if regioncam is not None and regions != regioncam:
            return "exactRegions %s, Regioncam %s" % (regions, regioncam)
        return None
    return check


def exists(*names):
    def check(out):
        missing = [n for n in names if not os.path.exists(os.path.join(out, n))]
        return "missing %s" % missing if missing else None
    return check


def nets_runs(runner, manifest, settings):
    for net in manifest["nets"]:
        name, data, labels = net["name"], net["data"], net["labels"]
        rows = net["rows"]
        models = sorted(net["models"]) + ([net["safetensors"]] if net.get("safetensors") else [])
        for model in models:
            act = ["--activation", net["activation"]] if model.endswith(".safetensors") else []
            logits = net["models"].get(model) or next(iter(net["models"].values()), None)
            reference = np.asarray(logits["logits"]) if logits else None
            reference64 = np.asarray(net["logits64"]) if net.get("logits64") else None
            label = "%s %s" % (name, model)
            runner.run(label + " predict", ["predict", "--model", model, "--data", data, "--labels", labels] + act,
                       predict_check(reference, reference64))
            if net.get("npz"):
                runner.run(label + " predict npz", ["predict", "--model", model, "--data", net["npz"] + ":x",
                                                    "--labels", net["npz"] + ":y"] + act,
                           predict_check(reference, reference64))
            through = "0,1,2" if rows >= 3 else "0,0,0"
            runner.run(label + " slice", ["slice", "--model", model, "--data", data, "--labels", labels,
                                          "--through", through, "--grid", "21", "--exact-runs", "1",
                                          "--only-figures", "slice"] + act + settings,
                       slice_check(reference[:3] if reference is not None and rows >= 3 else None,
                                   net.get("regioncamThrough012")))
            if net["inputShape"] == [2]:
                runner.run(label + " slice own plane", ["slice", "--model", model, "--grid", "21", "--format",
                                                        "svg"] + act + settings,
                           slice_check(None, net.get("regioncamOwnPlane")))
            runner.run(label + " through-random", ["slice", "--model", model, "--data", data, "--through-random",
                                                   "2", "--grid", "11", "--seed", str(net["index"])] + act + settings,
                       exists("planes.csv"))
            runner.run(label + " line", ["slice", "--model", model, "--through-random", "2", "--line",
                                         "--line-samples", "5", "--scale", "2"] + act + settings, exists("lines.csv"))
            runner.run(label + " local complexity", ["slice", "--model", model, "--data", data, "--through-random",
                                                     "1", "--grid", "5", "--local-complexity", "0.5",
                                                     "--local-complexity-grid", "3", "--frame-directions", "4"]
                       + act + settings, exists("local-complexity.csv"))
            if model.endswith(".safetensors") or net["inputShape"] == [2]:
                runner.run(label + " exact", ["exact", "--net", model, "--grid", "11", "--format", "svg"] + act
                           + settings, exact_check(net.get("regioncamSquare1")))
        onnx_models = sorted(net["models"])
        if onnx_models:
            a, b = onnx_models[0], onnx_models[-1]
            runner.run("%s compare" % name, ["compare", "--model-a", a, "--model-b", b, "--data", data, "--labels",
                                             labels, "--clusters", "1,2", "--grid", "11", "--through",
                                             "0,1,2" if rows >= 3 else "0,0,0", "--only-figures",
                                             "r2-per-class"] + settings, exists("report.json"))
            runner.run("%s compare no-slices" % name, ["compare", "--model-a", a, "--model-b", b, "--data", data,
                                                       "--labels", labels, "--test-data", data, "--test-labels",
                                                       labels, "--no-slices", "--clusters", "3",
                                                       "--format", "pdf"] + settings, exists("report.json"))
        if net.get("safetensors") and net["inputShape"] == [2] and net["outputs"] == 1:
            s = net["safetensors"]
            act = ["--activation", net["activation"]]
            runner.run("%s xor" % name, ["xor", "--net-a", s, "--net-b", s, "--grid", "11"] + act + settings,
                       exists("report.json"))


def flag_runs(runner, folder, manifest):
    """Absurd flag values and paths on the first net with each property; each must succeed or be refused."""
    def first(predicate):
        return next((n for n in manifest["nets"] if predicate(n)), None)
    mlp = first(lambda n: n["kind"] == "mlp" and n["rows"] >= 3 and n["models"] and n["weights"] == "none"
                and n["dataKind"] == "normal")
    cnn = first(lambda n: n["kind"] == "cnn" and n["rows"] >= 3 and n["models"] and n["weights"] == "none")
    for net in [n for n in (mlp, cnn) if n]:
        model = sorted(net["models"])[0]
        base = ["slice", "--model", model, "--data", net["data"], "--through", "0,1,2", "--grid", "11"]
        absurd = {
            "--size": ["0", "-1", "1e308", "nan", "inf", "1e-300", "1e30"],
            "--grid": ["0", "1", "2", "-5", "1000000000", "nan"],
            "--threads": ["0", "1000", "-1", "1"],
            "--max-regions": ["0", "1", "-1", "99999999999999999999"],
            "--exact-runs": ["0", "-1", "1000000000000"],
            "--dpi": ["0", "-1", "nan", "1e308", "100000"],
            "--figsize": ["0x0", "1e308x2", "nanx2", "3x", "-3x2", "1000x1000"],
            "--font-size": ["0", "-1", "nan", "1e308"],
            "--through": ["", "0,1", "0,1,2,3", "-1,0,1", "0,1,99999999999999999999", "a,b,c", "0,,1"],
            "--format": ["", "png,", "bmp"],
            "--only-figures": ["", "nothing"],
            "--class-names": ["", "a", ",,,"],
        }
        for flag, values in absurd.items():
            for value in values:
                args = [a for a in base]
                if flag == "--through":
                    args[args.index("--through") + 1] = value
                elif flag == "--grid":
                    args[args.index("--grid") + 1] = value
                else:
                    args += [flag, value]
                runner.run("%s %s=%r" % (net["name"], flag, value), args)
        random_base = ["slice", "--model", model, "--data", net["data"], "--through-random"]
        for value in ["0", "-1", "1000000000000", "nan"]:
            runner.run("%s --through-random %s" % (net["name"], value), random_base + [value, "--grid", "5"])
        for flag, value in [("--scale", "0"), ("--scale", "nan"), ("--scale", "1e308"), ("--scale", "-1"),
                            ("--local-complexity", "0"), ("--local-complexity", "-1"),
                            ("--local-complexity", "1e308"), ("--local-complexity", "nan"),
                            ("--local-complexity-grid", "0"), ("--local-complexity-grid", "100000"),
                            ("--frame-directions", "0"), ("--frame-directions", "100000000"),
                            ("--line-samples", "0"), ("--line-samples", "1000000000"), ("--shard", "0/0"),
                            ("--shard", "3/2"), ("--seed", "-1"), ("--seed", "99999999999999999999999")]:
            extra = ["--line"] if flag == "--line-samples" else []
            extra += ["--local-complexity", "0.5"] if flag in ("--local-complexity-grid", "--frame-directions") else []
            runner.run("%s through-random %s=%s" % (net["name"], flag, value),
                       random_base + ["2", "--grid", "5", flag, value] + extra)
        cbase = ["compare", "--model-a", model, "--model-b", model, "--data", net["data"], "--labels",
                 net["labels"], "--no-slices"]
        for flag, value in [("--clusters", "0"), ("--clusters", "-1"), ("--clusters", "1000000"),
                            ("--clusters", ""), ("--max-iterations", "0"), ("--max-iterations", "-1"),
                            ("--threads", "0"), ("--seed", "-5")]:
            runner.run("%s compare %s=%r" % (net["name"], flag, value), cbase + [flag, value])
        runner.run("%s predict no labels" % net["name"], ["predict", "--model", model, "--data", net["data"]])
    # Paths: directories, missing and unwritable files, the model given as data and the reverse.
    net = mlp or cnn
    if net:
        model, data = sorted(net["models"])[0], net["data"]
        unwritable = os.path.join(runner.scratch, "readonly")
        os.makedirs(unwritable, exist_ok=True)
        os.chmod(unwritable, 0o555)
        a_file = os.path.join(folder, data)
        for label, args, out_flag in [
            ("model is a directory", ["predict", "--model", folder, "--data", data], True),
            ("model missing", ["predict", "--model", "missing.onnx", "--data", data], True),
            ("data is a directory", ["predict", "--model", model, "--data", folder], True),
            ("data is the model", ["predict", "--model", model, "--data", model], True),
            ("model is the data", ["predict", "--model", data, "--data", data], True),
            ("npz of a .npy", ["predict", "--model", model, "--data", data + ":x"], True),
            ("json is a directory", ["predict", "--model", model, "--data", data, "--json", folder], False),
            ("json unwritable", ["predict", "--model", model, "--data", data, "--json",
                                 os.path.join(unwritable, "x.json")], False),
            ("out is a file", ["predict", "--model", model, "--data", data, "--out", a_file], False),
            ("out unwritable", ["slice", "--model", model, "--data", data, "--through", "0,1,2", "--grid", "5",
                                "--out", os.path.join(unwritable, "sub")], False),
            ("out under a file", ["slice", "--model", model, "--data", data, "--through", "0,1,2", "--grid", "5",
                                  "--out", os.path.join(a_file, "sub")], False),
            ("empty model path", ["predict", "--model", "", "--data", data], True),
            ("/dev/null model", ["predict", "--model", "/dev/null", "--data", data], True),
            ("/dev/zero data", ["predict", "--model", model, "--data", "/dev/zero"], True),
        ]:
            runner.run(label, args, out_flag=out_flag)
        os.chmod(unwritable, 0o755)


def coretype_runs(runner, manifest, coretypes):
    """The same slices and compares under each OPENBLAS_CORETYPE: counts must not move, and real numbers only in
    their last bits (docs/reliability.md: what goes through OpenBLAS may differ there; 1e-9 of their size)."""
    def numbers(out):
        r = report(out)
        return {k: r.get(k) for k in ("exactRegions", "exactRegionsWithDecision", "probeRegions",
                                      "activationPatterns", "regionsMissedByProbes", "logits", "classAreas",
                                      "accuracy", "r2", "transferredAccuracy", "distinctMaps", "clusterAccuracy")}

    def differ(a, b):
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() != b.keys() or any(differ(a[k], b[k]) for k in a)
        if isinstance(a, list) and isinstance(b, list):
            return len(a) != len(b) or any(differ(x, y) for x, y in zip(a, b))
        if isinstance(a, float) or isinstance(b, float):
            return not (isinstance(a, (int, float)) and isinstance(b, (int, float))) or \
                abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b))
        return a != b
    for net in [n for n in manifest["nets"] if n["models"] and n["rows"] >= 3][:6]:
        model = sorted(net["models"])[0]
        for args in (["slice", "--model", model, "--data", net["data"], "--through", "0,1,2", "--grid", "21",
                      "--only-figures", "slice"],
                     ["compare", "--model-a", model, "--model-b", model, "--data", net["data"], "--labels",
                      net["labels"], "--no-slices", "--clusters", "2"]):
            seen = {}

            def check(out, core=None):
                seen[core] = numbers(out)
                first = next(iter(seen.values()))
                if not differ(seen[core], first):
                    return None
                return "numbers move with OPENBLAS_CORETYPE=%s: %s vs %s" % (core, json.dumps(seen[core])[:200],
                                                                              json.dumps(first)[:200])
            for core in [None] + coretypes:
                runner.run("%s %s OPENBLAS_CORETYPE=%s" % (net["name"], args[0], core), args,
                           lambda out, core=core: check(out, core), env={"OPENBLAS_CORETYPE": core} if core else {})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder")
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "regionplot"))
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--only", default=None, help="only this net (e.g. net007)")
    ap.add_argument("--flags", action="store_true", help="also the absurd flag values and paths")
    ap.add_argument("--no-nets", action="store_true", help="skip the per-net runs")
    ap.add_argument("--coretypes", default="", help="comma list of OPENBLAS_CORETYPE values to compare")
    ap.add_argument("--threads", default=None, help="pass --threads N to every analysis run")
    args = ap.parse_args()
    folder = os.path.abspath(args.folder)
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    if args.only:
        manifest["nets"] = [n for n in manifest["nets"] if n["name"] == args.only]
    runner = Runner(os.path.abspath(args.binary), args.timeout, folder)
    settings = ["--threads", args.threads] if args.threads else []
    if not args.no_nets:
        nets_runs(runner, manifest, settings)
    if args.flags:
        flag_runs(runner, folder, manifest)
    if args.coretypes:
        coretype_runs(runner, manifest, [c for c in args.coretypes.split(",") if c])
    print()
    counts = collections.Counter(r["outcome"] for r in runner.results)
    refusals = collections.Counter(r["why"].split(": error: ")[-1][:110] for r in runner.results
                                   if r["outcome"] == "refusal")
    print("refusals by message:")
    for message, n in refusals.most_common():
        print("  %4d  %s" % (n, message))
    for r in runner.results:
        if r["outcome"] == "FAILURE":
            print("FAILURE", r["label"], "-", r["why"][:300])
    print("runs %d: success %d, refusal %d, FAILURE %d" % (len(runner.results), counts["success"],
                                                           counts["refusal"], counts["FAILURE"]))
    with open(os.path.join(folder, "results.json"), "w") as f:
        json.dump(runner.results, f, indent=1)
    shutil.rmtree(runner.scratch, ignore_errors=True) if not counts["FAILURE"] else None
    return 1 if counts["FAILURE"] else 0


if __name__ == "__main__":
    sys.exit(main())
