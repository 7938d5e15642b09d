"""Side by side on the digits: scikit-learn's MLPClassifier, PyTorch and this crate.

The same architecture (64-64-10 ReLU), optimizer (Adam, lr 1e-3, no L2), batch size
(32), epochs and split (the crate's stratified 80/20 split, seed 42, which the crate's
example compare_digits prints), pixels divided by 16, float64 everywhere. PyTorch runs
on the CPU with one thread and a plain training loop. Each line: test accuracy and wall
time per epoch (training only, the median of REPEATS runs).

Run from the repository root (it builds and runs the crate's example in release mode):
    ATEN_CPU_CAPABILITY=default /work/torchenv/bin/python tools/compare.py [EPOCHS]
"""

import json
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
import sklearn
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 60
REPEATS = 3
torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)


def crate():
    command = ["cargo", "run", "--quiet", "--release", "--example", "compare_digits",
               "--features", "datasets", "--", str(EPOCHS)]
    runs = [json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
            for _ in range(REPEATS)]
    return runs[0], statistics.median(r["seconds_per_epoch"] for r in runs)


def sklearn_mlp(x, y, train, test):
    times, accuracy = [], None
    for seed in range(REPEATS):
        mlp = MLPClassifier(hidden_layer_sizes=(64,), activation="relu", solver="adam",
                            alpha=0.0, batch_size=32, learning_rate_init=1e-3,
                            max_iter=EPOCHS, tol=0.0, n_iter_no_change=EPOCHS + 1,
                            shuffle=True, random_state=seed)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            mlp.fit(x[train], y[train])
        times.append((time.perf_counter() - start) / EPOCHS)
        accuracy = accuracy if accuracy is not None else mlp.score(x[test], y[test])
    return accuracy, statistics.median(times)


def pytorch(x, y, train, test):
    xt, yt = torch.tensor(x), torch.tensor(y, dtype=torch.long)
    times, accuracy = [], None
    for seed in range(REPEATS):
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
        times.append((time.perf_counter() - start) / EPOCHS)
        if accuracy is None:
            with torch.no_grad():
                predicted = model(xt[test]).argmax(dim=1)
            accuracy = (predicted == yt[test]).double().mean().item()
    return accuracy, statistics.median(times)


def main():
    digits = load_digits()
    x, y = digits.data / 16.0, digits.target
    ours, ours_time = crate()
    train, test = ours["train"], ours["test"]
    rows = [
        ("backprop (this crate)", ours["accuracy"], ours_time),
        (f"scikit-learn {sklearn.__version__} MLPClassifier", *sklearn_mlp(x, y, train, test)),
        (f"PyTorch {torch.__version__} (CPU, 1 thread)", *pytorch(x, y, train, test)),
    ]
    print(f"| digits, {EPOCHS} epochs | test accuracy | time per epoch | vs this crate |")
    print("| --- | --- | --- | --- |")
    for name, accuracy, seconds in rows:
        print(f"| {name} | {accuracy:.4f} | {seconds * 1e3:.2f} ms | {seconds / ours_time:.1f}× |")


if __name__ == "__main__":
    main()
