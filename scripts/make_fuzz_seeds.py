#!/usr/bin/env python3
"""Writes the seed corpora of the readers' fuzz target (Fuzz/corpus/safetensors/, onnx/, npy/).

safetensors and .npy: hand-built files, no third-party package — valid files in every dtype the readers take, and
a few near misses (each a different check), so the fuzzer starts from inputs that reach deep into the reader.
ONNX: the small models of the test fixtures (scripts/make_onnx_fixtures.py), both exporters.
Rerun: python3 scripts/make_fuzz_seeds.py
"""
import json
import os
import shutil
import struct

ROOT = os.path.join(os.path.dirname(__file__), "..")
OUT = os.path.join(ROOT, "Fuzz", "corpus", "safetensors")


def pack(values, dtype):
    if dtype == "F64":
        return struct.pack("<%dd" % len(values), *values)
    if dtype == "F32":
        return struct.pack("<%df" % len(values), *values)
    if dtype == "F16":
        return struct.pack("<%de" % len(values), *values)
    if dtype == "BF16":
        return b"".join(struct.pack("<f", v)[2:] for v in values)
    raise ValueError(dtype)


def safetensors(tensors, metadata=None, pad=True):
    """tensors: list of (name, dtype, shape, values)."""
    header, payload = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, values in tensors:
        data = pack(values, dtype)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(payload), len(payload) + len(data)]}
        payload += data
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + payload


def mlp(dtype, widths, names="fc"):
    tensors = []
    for i, (n_in, n_out) in enumerate(zip(widths, widths[1:])):
        prefix = "fc%d" % (i + 1) if names == "fc" else str(2 * i)
        tensors.append((prefix + ".weight", dtype, [n_out, n_in], [0.25 * ((k % 7) - 3) for k in range(n_in * n_out)]))
        tensors.append((prefix + ".bias", dtype, [n_out], [0.1 * k for k in range(n_out)]))
    return tensors


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        "f32-sequential": safetensors(mlp("F32", [2, 2, 1], names="seq")),
        "f64-fc": safetensors(mlp("F64", [2, 3, 1]), metadata={"format": "pt"}),
        "f16-deep": safetensors(mlp("F16", [2, 4, 4, 1])),
        "bf16-wide-out": safetensors(mlp("BF16", [3, 2, 4])),
        # json.dumps writes the non-ASCII text as \\u escapes, a surrogate pair among them.
        "escaped-metadata": safetensors(mlp("F32", [2, 1]), metadata={"note": "gr\u00fc\U0001F600\"\\/"}),
        "empty-object": safetensors([]),
        "int-dtype": safetensors([("fc1.weight", "F32", [1, 2], [1, 2])])
        .replace(b'"F32"', b'"I32"'),
        "unpadded": safetensors(mlp("F32", [2, 1]), pad=False),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name + ".safetensors"), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(seeds), os.path.normpath(OUT)))
    write_npy_seeds()
    copy_onnx_seeds()


def npy(descr, shape, payload, version=1, fortran=False):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, fortran, "".join("%d," % d for d in shape) if len(shape) == 1 else ", ".join(map(str, shape)))
    length_size = 2 if version == 1 else 4
    total = 6 + 2 + length_size + len(header) + 1
    header += " " * (-total % 64) + "\n"
    length = struct.pack("<H" if version == 1 else "<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + length + header.encode("latin1") + payload


def write_npy_seeds():
    out = os.path.join(ROOT, "Fuzz", "corpus", "npy")
    os.makedirs(out, exist_ok=True)
    seeds = {
        "f4-matrix": npy("<f4", [3, 2], struct.pack("<6f", *range(6))),
        "f8-vector": npy("<f8", [4], struct.pack("<4d", 0.5, -1, 2, 3)),
        "u1-images": npy("|u1", [2, 1, 2, 2], bytes(range(8))),
        "i8-labels": npy("<i8", [3], struct.pack("<3q", 0, 9, 4)),
        "i4-v2": npy("<i4", [2], struct.pack("<2i", 1, 2), version=2),
        "fortran": npy("<f8", [2, 2], struct.pack("<4d", 1, 2, 3, 4), fortran=True),
        "scalar": npy("<f8", [], struct.pack("<d", 7)),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name + ".npy"), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(seeds), os.path.normpath(out)))


def copy_onnx_seeds():
    fixtures = os.path.join(ROOT, "Tests", "NeuralNetTests", "Fixtures", "onnx")
    out = os.path.join(ROOT, "Fuzz", "corpus", "onnx")
    os.makedirs(out, exist_ok=True)
    names = [n for n in sorted(os.listdir(fixtures)) if n.endswith(".onnx") and os.path.getsize(os.path.join(fixtures, n)) < 20000]
    for name in names:
        shutil.copy(os.path.join(fixtures, name), os.path.join(out, name))
    print("copied %d seeds to %s" % (len(names), os.path.normpath(out)))


if __name__ == "__main__":
    main()
