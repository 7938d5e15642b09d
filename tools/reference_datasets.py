"""Reference numbers for the compiled-in data sets (tests/data/datasets.json).

What scikit-learn's own loaders return for the five data sets the crate ships (its
copies in data/sklearn/ are these loaders' files): shapes, class counts, names, the
first and last rows, the sum of every value in row-major order, and a checksum of the
exact bits of every value, so that the test proves each value parsed to the same f64.

checksum = Σᵢ (i + 1) · bits(xᵢ)  (mod 2⁶⁴), xᵢ the values row-major, bits the IEEE-754
binary64 pattern as an unsigned 64-bit integer.

`inputs_checksum_f32` is the same sum over the binary32 patterns of the decimals in the
files rounded directly to float32 (exactly, with fractions), which the crate's f32
values (decimal → f64 → f32) must match: no double rounding in these files.

Run from the repository root with scikit-learn 1.9.1 and NumPy:
    python tools/reference_datasets.py
"""

import gzip
import json
from fractions import Fraction

import numpy as np
import sklearn
from sklearn import datasets


def checksum(values):
    bits = np.ascontiguousarray(values, dtype=np.float64).ravel().view(np.uint64)
    weights = np.arange(1, bits.size + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return int(np.sum(bits * weights, dtype=np.uint64))


def nearest_f32(field):
    """The decimal `field` rounded to the nearest float32, ties to even, exactly."""
    exact = Fraction(field)
    guess = np.float32(float(field))
    candidates = [np.nextafter(guess, np.float32(-np.inf)), guess, np.nextafter(guess, np.float32(np.inf))]
    def key(c):
        even = int(np.array(c).view(np.uint32)) % 2
        return (abs(Fraction(float(c)) - exact), even)
    return min(candidates, key=key)


def checksum_f32(fields):
    bits = [int(np.array(nearest_f32(f), dtype=np.float32).view(np.uint32)) for f in fields]
    return sum((i + 1) * b for i, b in enumerate(bits)) % 2**64


def input_fields(name):
    """The input fields of a data file, as text, row-major."""
    path = "data/sklearn/" + name
    text = gzip.open(path, "rt").read() if path.endswith(".gz") else open(path).read()
    lines = [line for line in text.splitlines() if line.strip()]
    if name == "diabetes_data_raw.csv.gz":
        return [f for line in lines for f in line.split()]
    if name != "digits.csv.gz":
        lines = lines[1:]
    return [f for line in lines for f in line.split(",")[:-1]]


def sequential_sum(values):
    total = 0.0
    for v in np.asarray(values, dtype=np.float64).ravel():
        total += float(v)
    return total


def describe(bunch, classification, file):
    x, y = bunch.data.astype(np.float64), bunch.target.astype(np.float64)
    record = {
        "rows": int(x.shape[0]),
        "input_len": int(x.shape[1]),
        "feature_names": [str(n) for n in bunch.feature_names],
        "first_row": x[0].tolist(),
        "last_row": x[-1].tolist(),
        "inputs_sum": sequential_sum(x),
        "targets_sum": sequential_sum(y),
        "inputs_checksum": checksum(x),
        "inputs_checksum_f32": checksum_f32(input_fields(file)),
        "targets_checksum": checksum(y),
    }
    if classification:
        record["class_counts"] = np.bincount(bunch.target).tolist()
        record["target_names"] = [str(n) for n in bunch.target_names]
    return record


def main():
    reference = {
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "iris": describe(datasets.load_iris(), True, "iris.csv"),
        "wine": describe(datasets.load_wine(), True, "wine_data.csv"),
        "breast_cancer": describe(datasets.load_breast_cancer(), True, "breast_cancer.csv"),
        "digits": describe(datasets.load_digits(), True, "digits.csv.gz"),
        "diabetes": describe(datasets.load_diabetes(scaled=False), False, "diabetes_data_raw.csv.gz"),
    }
    with open("tests/data/datasets.json", "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
