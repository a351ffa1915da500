#!/usr/bin/env python3
"""Reference trajectories of PyTorch's optimizers, for the tests of regionplot's (NeuralNetTests, OptimizerTests).

Each case starts from fixed parameters and applies a fixed sequence of gradients (independent of the parameters,
so that only the update rule is compared), recording the parameters after every step:

    python3 scripts/make_optimizer_fixtures.py   # writes Tests/NeuralNetTests/Fixtures/optimizers/trajectories.json

torch.optim.SGD, Adam (with and without L2 weight decay), AdamW and RMSprop, in float64 and (Adam, AdamW) float32,
on the CPU with the single-tensor implementation (foreach=False), 11 parameters (more than one group of eight,
plus a tail) and 25 steps.
"""
import json
import math
import os

import torch

COUNT, STEPS = 11, 25
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "NeuralNetTests", "Fixtures", "optimizers",
                   "trajectories.json")


def initial():
    return [math.cos(1.7 * k + 0.3) * (1 + k % 3) for k in range(COUNT)]


def gradients():
    # Mixed signs and magnitudes (1e-3 to 3), a zero now and then.
    return [[0.0 if (t + k) % 7 == 0 else math.sin(0.9 * t + 1.3 * k) * 10 ** ((k % 4) - 2.5)
             for k in range(COUNT)] for t in range(STEPS)]


CASES = [
    ("sgd", "float64", lambda p: torch.optim.SGD([p], lr=0.1), {"learningRate": 0.1}),
    ("adam", "float64", lambda p: torch.optim.Adam([p], lr=1e-2, foreach=False), {"learningRate": 1e-2}),
    ("adam-l2", "float64", lambda p: torch.optim.Adam([p], lr=1e-2, weight_decay=0.1, foreach=False),
     {"learningRate": 1e-2, "weightDecay": 0.1}),
    ("adamw", "float64", lambda p: torch.optim.AdamW([p], lr=1e-2, weight_decay=0.05, foreach=False),
     {"learningRate": 1e-2, "weightDecay": 0.05}),
    ("adam", "float32", lambda p: torch.optim.Adam([p], lr=1e-3, foreach=False), {"learningRate": 1e-3}),
    ("adamw", "float32", lambda p: torch.optim.AdamW([p], lr=3e-3, weight_decay=1.0, foreach=False),
     {"learningRate": 3e-3, "weightDecay": 1.0}),
    ("rmsprop", "float64", lambda p: torch.optim.RMSprop([p], lr=1e-2, foreach=False), {"learningRate": 1e-2}),
]


def main():
    grads = gradients()
    cases = []
    for name, dtype, make, settings in CASES:
        torch_dtype = torch.float64 if dtype == "float64" else torch.float32
        p = torch.tensor(initial(), dtype=torch_dtype, requires_grad=True)
        optimizer = make(p)
        trajectory = []
        for g in grads:
            p.grad = torch.tensor(g, dtype=torch_dtype)
            optimizer.step()
            trajectory.append([float(v) for v in p.detach()])
        cases.append({"optimizer": name, "dtype": dtype, "settings": settings, "trajectory": trajectory})
    # float32 cases: their initial values and gradients as float32 holds them.
    document = {"torch": torch.__version__, "initial": initial(), "gradients": grads, "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)}: {len(cases)} cases of {STEPS} steps")


if __name__ == "__main__":
    main()
