"""scikit-learn's LinearRegression on the diabetes example's split
(tests/data/diabetes_split.json), the baseline examples/diabetes.rs compares with.

The split is the crate's `train_test_split(442, 0.2, 42)`: the crate's permutation
(SplitMix64-seeded xoshiro256++, Lemire's bounded integers, Fisher–Yates; src/rng.rs and
src/prepare/split.rs) is re-implemented here, and tests/datasets checks that the indices
agree. LinearRegression is fitted on the raw training rows (standardizing does not
change a least-squares fit's predictions) and scored by r2_score on the test rows.

Run from the repository root with scikit-learn 1.9.1:
    python tools/reference_diabetes.py
"""

import json
import math

import numpy as np
import sklearn
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

MASK = (1 << 64) - 1


def stream(seed):
    x = seed
    words = []
    for _ in range(4):
        x = (x + 0x9E3779B97F4A7C15) & MASK
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        words.append(z ^ (z >> 31))
    return words


def rotl(v, k):
    return ((v << k) | (v >> (64 - k))) & MASK


def next_u64(s):
    result = (rotl((s[0] + s[3]) & MASK, 23) + s[0]) & MASK
    t = (s[1] << 17) & MASK
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = rotl(s[3], 45)
    return result


def below(s, n):
    threshold = (-n % (1 << 64)) % n
    while True:
        product = next_u64(s) * n
        if product & MASK >= threshold:
            return product >> 64


def permutation(rows, seed):
    order = list(range(rows))
    s = stream(seed)
    for i in range(rows - 1, 0, -1):
        j = below(s, i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def main():
    x, y = load_diabetes(scaled=False, return_X_y=True)
    n_test = math.ceil(0.2 * len(y))
    order = permutation(len(y), 42)
    test, train = order[:n_test], order[n_test:]
    model = LinearRegression().fit(x[train], y[train])
    r2 = r2_score(y[test], model.predict(x[test]))
    with open("tests/data/diabetes_split.json", "w") as f:
        json.dump({"sklearn_version": sklearn.__version__, "seed": 42, "test_fraction": 0.2,
                   "train": train, "test": test, "linear_regression_r2": r2}, f)
        f.write("\n")
    print(f"LinearRegression test R² {r2:.4f}")


if __name__ == "__main__":
    main()
