#!/usr/bin/env python3
"""Writes the seed corpora of the analysis fuzz target (Fuzz/corpus-analysis/safetensors/, onnx/, npy/).

safetensors: the readers' valid named seeds (Fuzz/corpus/safetensors/*.safetensors), small 2-input MLPs that the
exact partition takes, and the small finite-but-absurd nets of scripts/make_absurd_nets.py (overflowing, huge,
growing), so the fuzzer starts on both sides of the value checks.
onnx: the readers' ONNX seeds that fit the target's budget (at most 64 hidden units), and a short Add(v, v) chain.
npy: small [N, d] float tables (through the target's small model), including rows that are collinear or repeated.
Rerun: python3 scripts/make_analysis_seeds.py
"""
import glob
import os
import shutil

import numpy as np

import make_absurd_nets as absurd

ROOT = os.path.join(os.path.dirname(__file__), "..")
OUT = os.path.join(ROOT, "Fuzz", "corpus-analysis")


def npy_bytes(array):
    import io
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def main():
    for reader in ("safetensors", "onnx", "npy"):
        os.makedirs(os.path.join(OUT, reader), exist_ok=True)
    seeds = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "Fuzz", "corpus", "safetensors", "*.safetensors"))):
        seeds["safetensors/" + os.path.basename(path)] = open(path, "rb").read()
    for name in ("mlp_ts", "leaky_ts", "residual_mlp_ts", "two_input_ts", "normalised_mlp_ts"):
        path = os.path.join(ROOT, "Fuzz", "corpus", "onnx", name + ".onnx")
        seeds["onnx/" + name + ".onnx"] = open(path, "rb").read()
    s = absurd.safetensors
    q = absurd.sequential
    seeds.update({
        "safetensors/xor-2-8-1.safetensors": s(q(absurd.mlp([2, 8, 1], 0.7))),
        "safetensors/deep-2-6-6-6-1.safetensors": s(q(absurd.mlp([2, 6, 6, 6, 1], 0.5))),
        "safetensors/three-class.safetensors": s(q(absurd.mlp([2, 5, 3], 0.5, np.float32))),
        "safetensors/overflow-1e308.safetensors": s(q(absurd.mlp([2, 8, 1], 1e308))),
        "safetensors/huge-1e150.safetensors": s(q(absurd.mlp([2, 4, 1], 1e150))),
        "safetensors/grows-1e11.safetensors": s(q(absurd.mlp([2] + [3] * 12 + [1], 1e11))),
        "safetensors/near-limit-1e49.safetensors": s(q(absurd.mlp([2, 4, 1], 1e49))),
        "onnx/add-chain-40.onnx": absurd.add_chain(40),
        "onnx/deep-chain-30.onnx": absurd.deep_chain(30, 1.141),
    })
    rng = np.random.default_rng(0)
    seeds.update({
        "npy/table-10x2.npy": npy_bytes(rng.uniform(-1, 1, (10, 2))),
        "npy/table-5x64-f32.npy": npy_bytes(rng.uniform(0, 16, (5, 64)).astype(np.float32)),
        "npy/collinear-3x3.npy": npy_bytes(np.array([[0, 0, 0], [1, 1, 1], [2, 2, 2]], np.float64)),
        "npy/repeated-4x2.npy": npy_bytes(np.array([[1, 1], [1, 1], [0, 1], [2, 3]], np.float64)),
        "npy/huge-3x2.npy": npy_bytes(np.array([[1e300, 0], [0, 1e300], [-1e300, 1]], np.float64)),
        "npy/ints-3x4.npy": npy_bytes(np.arange(12, dtype=np.int64).reshape(3, 4)),
    })
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(seeds), os.path.normpath(OUT)))


if __name__ == "__main__":
    main()
