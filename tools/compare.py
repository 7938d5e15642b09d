"""Side by side on the digits: scikit-learn's MLPClassifier, PyTorch and this crate.

The same architecture (64-64-10 ReLU), optimizer (Adam, lr 1e-3, no L2), batch size
(32), epochs and split (the crate's stratified 80/20 split, seed 42, which the crate's
example compare_digits prints), pixels divided by 16, in one float type everywhere:
float64 unless told (scikit-learn's choice for float64 data), or float32 (PyTorch's
default; scikit-learn keeps float32 data in float32, and the table shows the type its
weights ended in). PyTorch runs on the CPU with one thread and a plain training loop.
Each line: test accuracy and wall time per epoch (training only, the median of REPEATS
rounds, each running the three in turn), and each round's ratios; then the fastest
round of each and their ratios, which a machine with loud neighbours can only slow.

Run from the repository root (it builds and runs the crate's example in release mode):
    /work/torchenv/bin/python tools/compare.py [EPOCHS] [f64|f32] [REPEATS]
(PyTorch with its default kernels, as its users run it.) Where PyTorch is not installed
(its wheel index unreachable, say), the table has scikit-learn alone and says so.
"""

import json
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 60
FLOAT = sys.argv[2] if len(sys.argv) > 2 else "f64"
NUMPY_FLOAT = {"f64": np.float64, "f32": np.float32}[FLOAT]
REPEATS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
try:
    import torch
except ImportError:
    torch = None
else:
    torch.set_num_threads(1)
    torch.set_default_dtype({"f64": torch.float64, "f32": torch.float32}[FLOAT])


def crate_once():
    command = ["cargo", "run", "--quiet", "--release", "--example", "compare_digits",
               "--features", "datasets", "--", str(EPOCHS), FLOAT]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def sklearn_once(x, y, train, test, seed):
    mlp = MLPClassifier(hidden_layer_sizes=(64,), activation="relu", solver="adam",
                        alpha=0.0, batch_size=32, learning_rate_init=1e-3,
                        max_iter=EPOCHS, tol=0.0, n_iter_no_change=EPOCHS + 1,
                        shuffle=True, random_state=seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(x[train], y[train])
    seconds = (time.perf_counter() - start) / EPOCHS
    return mlp.score(x[test], y[test]), seconds, mlp.coefs_[0].dtype


def pytorch_once(x, y, train, test, seed):
    xt, yt = torch.tensor(x), torch.tensor(y, dtype=torch.long)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    rows = torch.tensor(train)
    start = time.perf_counter()
    for _ in range(EPOCHS):
        order = rows[torch.randperm(len(rows))]
        for b in range(0, len(order), 32):
            batch = order[b:b + 32]
            optimizer.zero_grad()
            loss_fn(model(xt[batch]), yt[batch]).backward()
            optimizer.step()
    seconds = (time.perf_counter() - start) / EPOCHS
    with torch.no_grad():
        predicted = model(xt[test]).argmax(dim=1)
    return (predicted == yt[test]).double().mean().item(), seconds


def main():
    digits = load_digits()
    x, y = (digits.data / 16.0).astype(NUMPY_FLOAT), digits.target
    # The three run in turn, REPEATS rounds: on a machine whose speed drifts, each
    # round's ratios compare runs made minutes apart at most.
    rounds = []
    for seed in range(REPEATS):
        ours = crate_once()
        train, test = ours["train"], ours["test"]
        theirs = pytorch_once(x, y, train, test, seed) if torch else None
        rounds.append((ours, sklearn_once(x, y, train, test, seed), theirs))
    ours_time = statistics.median(r[0]["seconds_per_epoch"] for r in rounds)
    first_ours, first_sk, first_torch = rounds[0]
    rows = [
        ("backprop (this crate)", first_ours["accuracy"], ours_time),
        (f"scikit-learn {sklearn.__version__} MLPClassifier (weights {first_sk[2]})",
         first_sk[0], statistics.median(r[1][1] for r in rounds)),
    ]
    if torch:
        rows.append((f"PyTorch {torch.__version__} (CPU, 1 thread)",
                     first_torch[0], statistics.median(r[2][1] for r in rounds)))
    print(f"| digits, {EPOCHS} epochs, {FLOAT} | test accuracy | time per epoch | vs this crate |")
    print("| --- | --- | --- | --- |")
    for name, accuracy, seconds in rows:
        print(f"| {name} | {accuracy:.4f} | {seconds * 1e3:.2f} ms | {seconds / ours_time:.1f}× |")
    for k, name in [(1, "scikit-learn"), (2, "PyTorch")][:2 if torch else 1]:
        ratios = [r[k][1] / r[0]["seconds_per_epoch"] for r in rounds]
        print(f"{name} ÷ this crate by round: " + ", ".join(f"{v:.1f}×" for v in ratios))
    fastest = [min(r[0]["seconds_per_epoch"] for r in rounds), min(r[1][1] for r in rounds)]
    if torch:
        fastest.append(min(r[2][1] for r in rounds))
    names = ["this crate", "scikit-learn", "PyTorch"]
    print("fastest round of each: " + ", ".join(
        f"{name} {seconds * 1e3:.2f} ms ({seconds / fastest[0]:.1f}×)"
        for name, seconds in zip(names, fastest)))
    if not torch:
        print("PyTorch is not installed here: its column is left out.")


if __name__ == "__main__":
    main()
