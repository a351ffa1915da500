#!/usr/bin/env python3
"""Puts regionplot's `grokking --diagram liu2022` beside Liu et al.'s own run of the same diagram.

The paper's cells come from their repository (ejmichaud/grokking-squared, MIT licence, commit 0229df9,
phase_diagram_plot/train_steps.txt and test_steps.txt, copied to scripts/reference/liu2022/): the steps at which
train and test accuracy first reached 0.9 for decoder learning rate (rows, 1e-4 … 1e-2, 11 log steps) × decoder
weight decay (columns, 0 … 10), seed 58, 1e5 steps, 99999 meaning never. Both are classified with the same rule
(comprehension when test follows train within 1e3 steps, grokking later, memorisation never, confusion when train
never reaches it).

    python3 scripts/compare_liu2022.py FOLDER

FOLDER is the sweep's folder: its report.json when the sweep is summarised, otherwise the records the shards have
written so far in FOLDER/runs (cells without a record are shown as '.'). Prints both diagrams (weight decay up,
learning rate across) and the cells that agree.
"""
import glob
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
NEVER = 99999
LRS = [10 ** (-4 + 0.2 * k) for k in range(11)]
WDS = list(range(11))
LETTER = {"comprehension": "C", "grokking": "G", "memorisation": "M", "confusion": "X"}


def phase(first_train, first_test, delay=1000):
    if first_train is None:
        return "confusion"
    if first_test is None:
        return "memorisation"
    return "grokking" if first_test - first_train > delay else "comprehension"


def paper_cells():
    train = np.loadtxt(os.path.join(HERE, "reference/liu2022/train_steps.txt"))
    test = np.loadtxt(os.path.join(HERE, "reference/liu2022/test_steps.txt"))
    cells = {}
    for j in range(11):          # learning rate
        for k in range(11):      # weight decay
            a = None if train[j, k] >= NEVER else int(train[j, k])
            b = None if test[j, k] >= NEVER else int(test[j, k])
            cells[(j, k)] = phase(a, b)
    return cells


def nearest(values, x):
    return min(range(len(values)), key=lambda i: abs(math.log10(values[i] + 1e-300) - math.log10(x + 1e-300)))


def regionplot_cells(folder):
    cells = {}
    report = os.path.join(folder, "report.json")
    if os.path.exists(report):
        diagrams = json.load(open(report))["diagrams"]
        for cell in diagrams[0]["cells"]:
            j = nearest(LRS, cell["decoderLearningRate"])
            cells[(j, int(round(cell["weightDecay"])))] = cell["phase"]
        return cells
    for path in glob.glob(os.path.join(folder, "runs", "*.json")):
        run = json.load(open(path))
        s = run["settings"]
        j = nearest(LRS, s["decoderLearningRate"])
        if run.get("failure"):
            cells[(j, int(round(s["weightDecay"])))] = "confusion"
        else:
            cells[(j, int(round(s["weightDecay"])))] = phase(run.get("firstTrain"), run.get("firstTest"))
    return cells


def table(cells):
    lines = ["wd \\ lr " + " ".join("%6.0e" % lr for lr in LRS)]
    for k in reversed(WDS):
        lines.append("%7d  " % k + " ".join("%6s" % LETTER.get(cells.get((j, k)), ".") for j in range(11)))
    return "\n".join(lines)


def main():
    folder = sys.argv[1]
    paper, ours = paper_cells(), regionplot_cells(folder)
    print("Liu et al. (their run, seed 58):\n" + table(paper))
    print("\nregionplot:\n" + table(ours))
    shared = [key for key in ours if key in paper]
    agree = [key for key in shared if ours[key] == paper[key]]
    print("\n%d of %d cells agree" % (len(agree), len(shared)))
    for name in LETTER:
        mine = [key for key in shared if paper[key] == name]
        same = [key for key in mine if ours[key] == name]
        print("  paper's %s cells: %d, regionplot agrees on %d" % (name, len(mine), len(same)))


if __name__ == "__main__":
    main()
