"""Writes the digits data set that ships with regionplot: Sources/Experiments/Digits/Data/*.npy.

scikit-learn's bundled 8×8 digits (1 797 images, values 0..16; BSD licensed, from the UCI repository), split 80/20
with train_test_split(test_size=0.2, random_state=0, stratify=y) — the split of /work/shared/examples — and stored
unscaled as uint8 (pixels [N, 64] row-major, labels [N]); regionplot divides the pixels by 16.

    python scripts/make_digits_data.py        # needs numpy and scikit-learn; deterministic
"""
import os

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "Experiments", "Digits", "Data")
digits = load_digits()
x = digits.data.astype(np.uint8)
y = digits.target.astype(np.uint8)
assert x.shape == (1797, 64) and x.max() == 16 and x.min() == 0
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)
os.makedirs(root, exist_ok=True)
for name, array in [("digits_train_x", x_train), ("digits_train_y", y_train),
                    ("digits_test_x", x_test), ("digits_test_y", y_test)]:
    np.save(os.path.join(root, name + ".npy"), np.ascontiguousarray(array))
    print(name, array.shape, array.dtype)
