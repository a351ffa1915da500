#!/usr/bin/env python3
"""Writes the seed corpus of the safetensors fuzz target (Fuzz/corpus/safetensors/).

Hand-built files, no third-party package: valid MLPs in every dtype the reader takes, with and without metadata,
and a few near misses (each a different check), so the fuzzer starts from inputs that reach deep into the reader.
Rerun: python3 scripts/make_fuzz_seeds.py
"""
import json
import os
import struct

OUT = os.path.join(os.path.dirname(__file__), "..", "Fuzz", "corpus", "safetensors")


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


if __name__ == "__main__":
    main()
