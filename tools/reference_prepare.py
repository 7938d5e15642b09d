"""Reference numbers for backprop::prepare (tests/data/prepare.json), from scikit-learn.

- scalers: StandardScaler's mean_, var_, scale_ and MinMaxScaler's data_min_, data_max_,
  scale_, min_ fitted on real data sets (float64), with transform and inverse_transform
  of some rows;
- split_sizes: the train and test sizes of train_test_split(..., test_size=f);
- stratified: the per-class train and test counts of train_test_split(..., stratify=y)
  for seeds 0..29; where scikit-learn breaks a tie between classes at random the seeds
  give several outcomes, and every one is listed.

Run from the repository root with scikit-learn 1.9.1 and NumPy:
    python tools/reference_prepare.py
"""

import json

import numpy as np
import sklearn
from sklearn import datasets
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler, StandardScaler

FRACTIONS = [0.1, 0.15, 0.2, 0.25, 0.3, 1 / 3, 0.5, 0.7, 0.9]


def matrices():
    iris = datasets.load_iris().data
    wine = datasets.load_wine().data
    digits = datasets.load_digits().data  # constant (all-zero) columns
    diabetes = datasets.load_diabetes(scaled=False).data
    # a constant column, and one that varies by one unit in the last place around 1e8:
    # StandardScaler counts both as constant (scale 1)
    up = np.nextafter(1e8, 2e8)
    constant = np.array(
        [[1.0, 0.1, -3.0, 1e8], [2.0, 0.1, 4.5, up], [4.0, 0.1, 1e-3, 1e8], [8.0, 0.1, 7.25, up]]
    )
    return {
        "iris": iris,
        "wine_first_100": wine[:100],
        "digits": digits,
        "diabetes": diabetes,
        "constant_column": constant,
    }


def scaler_case(name, x):
    rows = x[:7]
    standard = StandardScaler().fit(x)
    minmax = MinMaxScaler().fit(x)
    return {
        "name": name,
        "input_len": int(x.shape[1]),
        "source": name,
        "standard": {
            "mean": standard.mean_.tolist(),
            "var": standard.var_.tolist(),
            "scale": standard.scale_.tolist(),
            "transformed": standard.transform(rows).ravel().tolist(),
            "inverse": standard.inverse_transform(rows).ravel().tolist(),
        },
        "minmax": {
            "data_min": minmax.data_min_.tolist(),
            "data_max": minmax.data_max_.tolist(),
            "scale": minmax.scale_.tolist(),
            "min": minmax.min_.tolist(),
            "transformed": minmax.transform(rows).ravel().tolist(),
            "inverse": minmax.inverse_transform(rows).ravel().tolist(),
        },
        "fit_rows": x.ravel().tolist() if name == "constant_column" else None,
    }


def split_sizes():
    out = []
    for n in [2, 3, 7, 10, 150, 178, 442, 569, 1797]:
        for f in FRACTIONS:
            try:
                train, test = train_test_split(np.arange(n), test_size=f, random_state=0)
                out.append({"rows": n, "fraction": f, "train": len(train), "test": len(test)})
            except ValueError:
                out.append({"rows": n, "fraction": f, "refused": True})
    return out


def stratified():
    labels = {
        "iris": datasets.load_iris().target,
        "wine": datasets.load_wine().target,
        "breast_cancer": datasets.load_breast_cancer().target,
        "digits": datasets.load_digits().target,
        "uneven": np.repeat(np.arange(5), [5, 4, 3, 2, 2]),
    }
    out = []
    for name, y in labels.items():
        classes = int(y.max()) + 1
        for f in FRACTIONS:
            outcomes, refused = set(), False
            for seed in range(30):
                try:
                    train, test = train_test_split(y, test_size=f, stratify=y, random_state=seed)
                except ValueError:
                    refused = True
                    break
                outcomes.add((tuple(np.bincount(train, minlength=classes).tolist()),
                              tuple(np.bincount(test, minlength=classes).tolist())))
            case = {"labels": name, "fraction": f}
            if refused:
                case["refused"] = True
            else:
                case["outcomes"] = [{"train": list(a), "test": list(b)} for a, b in sorted(outcomes)]
            out.append(case)
    return out


def main():
    reference = {
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "scalers": [scaler_case(name, x) for name, x in matrices().items()],
        "split_sizes": split_sizes(),
        "stratified": stratified(),
    }
    with open("tests/data/prepare.json", "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
