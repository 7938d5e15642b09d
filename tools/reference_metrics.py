"""Reference numbers for backprop::metrics (tests/data/metrics.json), from scikit-learn.

Classification cases (class indices, labels=range(classes), zero_division=0), including
a class never predicted and a class absent from y_true; binary scores with ties for
roc_auc_score; probability rows with zeros and ones for log_loss, and binary log_loss on
one probability per row (that of class 1); regression cases, including a constant y_true
(force_finite=True), and r2_score on one sample (NaN: undefined); softmax rows and
sigmoids of logits with their predicted classes (predict_proba and predict).

Run from the repository root with scikit-learn 1.9.1 and NumPy:
    python tools/reference_metrics.py

The binary log_loss and one-sample r2_score entries came later (NumPy 2.4.6) and draw
after all the others. That NumPy writes a few of the older entries' normalised
probabilities one unit in the last place apart from the committed ones, well within the
tests' tolerance; the committed file keeps the older values.
"""

import json

import numpy as np
import sklearn
from sklearn import metrics

RNG = np.random.default_rng(20261205)


def classification_case(y_true, y_pred, classes):
    labels = list(range(classes))
    p, r, f, s = metrics.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    averages = {}
    for average in ["macro", "weighted"]:
        ap, ar, af, _ = metrics.precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average=average, zero_division=0
        )
        averages[average] = [ap, ar, af]
    return {
        "classes": classes,
        "y_true": [float(v) for v in y_true],
        "y_pred": [float(v) for v in y_pred],
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "balanced_accuracy": metrics.balanced_accuracy_score(y_true, y_pred),
        "confusion_matrix": metrics.confusion_matrix(y_true, y_pred, labels=labels).ravel().tolist(),
        "precision": p.tolist(),
        "recall": r.tolist(),
        "f1": f.tolist(),
        "support": s.tolist(),
        "macro": averages["macro"],
        "weighted": averages["weighted"],
    }


def classification():
    cases = []
    for n, classes in [(20, 3), (57, 4), (200, 10)]:
        y_true = RNG.integers(0, classes, n)
        y_pred = np.where(RNG.random(n) < 0.6, y_true, RNG.integers(0, classes, n))
        cases.append(classification_case(y_true, y_pred, classes))
    # class 3 never predicted, class 4 never true
    cases.append(classification_case([0, 1, 2, 3, 3, 1, 0], [0, 2, 2, 0, 1, 4, 0], 5))
    return cases


def roc_auc():
    cases = []
    for n in [10, 37, 200]:
        y = RNG.integers(0, 2, n)
        y[0], y[1] = 0, 1
        score = np.round(RNG.random(n) + 0.3 * y, 1)  # ties
        cases.append({"y_true": y.astype(float).tolist(), "y_score": score.tolist(),
                      "auc": metrics.roc_auc_score(y, score)})
    return cases


def log_loss():
    cases = []
    for n, classes in [(12, 3), (40, 5)]:
        y = RNG.integers(0, classes, n)
        p = RNG.random((n, classes)) ** 3
        p[0, :] = 0.0
        p[0, y[0]] = 1.0  # a certain, correct row
        p[1, :] = 1.0 / (classes - 1)
        p[1, y[1]] = 0.0  # a zero on the true class: clipped to eps
        p /= p.sum(axis=1, keepdims=True)
        cases.append({"classes": classes, "y_true": y.astype(float).tolist(),
                      "y_prob": p.ravel().tolist(),
                      "log_loss": metrics.log_loss(y, p, labels=list(range(classes)))})
    return cases


def regression():
    cases = []
    for n in [5, 50]:
        y = RNG.normal(3.0, 2.0, n)
        pred = y + RNG.normal(0.5, 1.0, n)
        cases.append((y, pred))
    cases.append((np.full(4, 2.5), np.array([2.5, 2.0, 3.0, 2.5])))  # constant y_true
    cases.append((np.full(3, 1.0), np.full(3, 1.0)))
    return [{
        "y_true": y.tolist(), "y_pred": p.tolist(),
        "mse": metrics.mean_squared_error(y, p),
        "mae": metrics.mean_absolute_error(y, p),
        "r2": metrics.r2_score(y, p),
        "explained_variance": metrics.explained_variance_score(y, p),
    } for y, p in cases]


def probabilities():
    """Softmax rows (scikit-learn's extmath.softmax, as MLPClassifier.predict_proba) and
    sigmoids (scipy's expit) of logits, with the predicted classes."""
    from scipy.special import expit
    from sklearn.utils.extmath import softmax

    logits = RNG.normal(0.0, 3.0, (6, 4))
    logits[0] = [800.0, -800.0, 0.0, 799.0]  # huge logits
    logits[1] = [1.0, 1.0, 0.5, 1.0]  # a tie: the first wins
    binary = np.concatenate([RNG.normal(0.0, 4.0, 6), [0.0, -700.0, 700.0]])
    return {
        "logits": logits.ravel().tolist(),
        "softmax": softmax(logits.copy()).ravel().tolist(),
        "classes": np.argmax(logits, axis=1).astype(float).tolist(),
        "binary_logits": binary.tolist(),
        "sigmoid": expit(binary).tolist(),
        "binary_classes": (expit(binary) > 0.5).astype(float).tolist(),
    }


def binary_log_loss():
    """log_loss on one probability per row, of class 1 (a sigmoid's output), drawn after
    every other case so that theirs stay as they were."""
    y = RNG.integers(0, 2, 30)
    p = RNG.random(30)
    p[0], y[0] = 1.0, 1  # certain and right: clipped to 1 - eps
    p[1], y[1] = 1.0, 0  # certain and wrong: 1 - p = 0, clipped to eps
    p[2], y[2] = 0.0, 0
    return {"y_true": y.astype(float).tolist(), "y_prob": p.tolist(),
            "log_loss": metrics.log_loss(y, p, labels=[0, 1])}


def r2_single_sample():
    """scikit-learn's r2_score is NaN (undefined) on one sample, whatever it holds; its
    explained_variance_score is defined there (force_finite=True)."""
    import warnings

    pairs = [(1.0, 1.0), (1.0, 2.0)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = [metrics.r2_score([y], [p]) for y, p in pairs]
    return {"is_nan": bool(np.all(np.isnan(values))),
            "explained_variance": [metrics.explained_variance_score([y], [p]) for y, p in pairs]}


def main():
    reference = {
        "sklearn_version": sklearn.__version__,
        "classification": classification(),
        "roc_auc": roc_auc(),
        "log_loss": log_loss(),
        "regression": regression(),
        "probabilities": probabilities(),
        "binary_log_loss": binary_log_loss(),
        "r2_single_sample": r2_single_sample(),
    }
    with open("tests/data/metrics.json", "w") as f:
        json.dump(reference, f, indent=1, default=float)
        f.write("\n")


if __name__ == "__main__":
    main()
