#!/usr/bin/env python3
"""Simulates deuteranopia and protanopia on figure PNGs and checks that colours which mean different things stay apart.

Machado, Oliveira and Fernandes (2009), severity 1.0, applied in linear RGB. For each PNG it writes
<stem>-deuteranopia.png and <stem>-protanopia.png beside it (with --write) and, given pairs of colours that must stay
distinguishable (the paper style's class colours, net colours), prints their CIE76 distance (ΔE*ab) after
simulation. Usage:

    python3 scripts/colorblind_check.py [--write] FIGURE.png ...

Exits non-zero when a pair drawn together in one figure (the two classes, the two nets) falls below 20 ΔE under
either simulation; the pairs of a net and a class, which share no figure, are printed for information.
"""
import sys
import numpy as np
from PIL import Image

MACHADO = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}

# Colours that must stay apart in the paper style: the two classes / signs (vermillion, blue), nets a and b
# (bluish green, orange), and each net against each class colour.
PAIRS = {
    "classes (vermillion / blue)": ("#D55E00", "#0072B2"),
    "nets (bluish green / orange)": ("#009E73", "#E69F00"),
    "net a / class blue": ("#009E73", "#0072B2"),
    "net b / class vermillion": ("#E69F00", "#D55E00"),
    "net a / class vermillion": ("#009E73", "#D55E00"),
    "net b / class blue": ("#E69F00", "#0072B2"),
}


def to_linear(c):
    c = np.asarray(c, dtype=float) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def to_srgb(c):
    c = np.clip(c, 0, 1)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055) * 255


def simulate(rgb, kind):
    return to_srgb(to_linear(rgb) @ MACHADO[kind].T)


def lab(rgb):
    lin = to_linear(rgb)
    xyz = lin @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def hex_rgb(h):
    return np.array([int(h[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def main(argv):
    write = "--write" in argv
    files = [a for a in argv if a != "--write"]
    worst = 1e9
    for k, (name, (p, q)) in enumerate(PAIRS.items()):
        for kind in MACHADO:
            d = float(np.linalg.norm(lab(simulate(hex_rgb(p), kind)) - lab(simulate(hex_rgb(q), kind))))
            if k < 2:
                worst = min(worst, d)
            print(f"{name:32s} {kind:13s} ΔE {d:5.1f}")
    for path in files:
        rgb = np.asarray(Image.open(path).convert("RGB"), dtype=float)
        for kind in MACHADO:
            out = simulate(rgb, kind)
            if write:
                Image.fromarray(out.round().astype(np.uint8)).save(path[:-4] + f"-{kind}.png")
    print(f"smallest distance {worst:.1f} (20 needed)")
    return 0 if worst >= 20 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
