"""Reference learning rates and clipped gradients from PyTorch, for tests/pytorch_*.rs.

Run from the repository root:

    ATEN_CPU_CAPABILITY=default /work/torchenv/bin/python tools/reference_schedules.py

Writes tests/data/schedules.json and tests/data/clipping.json. Everything is float64.

Schedules: each case records `lrs[e]`, the learning rate in force during epoch `e`
(e = 0 at construction, then after each `scheduler.step()`), read from the optimizer's
param group, i.e. exactly what a PyTorch training loop uses. For CosineAnnealingLR it also
records torch's closed form (`_get_closed_form_lr`) and the largest relative difference
between the stepped (recursive) values and the closed form, so the comparison the crate's
docs state is measured here, not assumed.
"""

import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)

EPOCHS = 40


def optimizer(lr):
    param = torch.nn.Parameter(torch.zeros(1))
    return torch.optim.SGD([param], lr=lr, foreach=False)


def stepped(make, lr, epochs=EPOCHS):
    opt = optimizer(lr)
    sched = make(opt)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(epochs):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


def closed_form(make, lr, epochs=EPOCHS):
    """torch's own closed form for the same epochs."""
    opt = optimizer(lr)
    sched = make(opt)
    lrs = []
    for epoch in range(epochs + 1):
        sched.last_epoch = epoch
        lrs.append(sched._get_closed_form_lr()[0])
    return lrs


def max_rel_diff(a, b):
    return max(abs(x - y) / max(abs(y), 1e-300) for x, y in zip(a, b))


def max_abs_diff(a, b):
    return max(abs(x - y) for x, y in zip(a, b))


def schedules():
    lr_sched = torch.optim.lr_scheduler
    cases = []
    for lr, step_size, gamma in [(0.1, 3, 0.5), (1.0, 1, 0.9), (0.05, 7, 0.1), (0.3, 10, 2.0)]:
        cases.append({
            "kind": "StepLR", "base_lr": lr, "step_size": step_size, "gamma": gamma,
            "lrs": stepped(lambda o: lr_sched.StepLR(o, step_size, gamma), lr),
        })
    for lr, gamma in [(0.1, 0.9), (1.0, 0.5), (0.01, 0.99), (0.2, 1.05)]:
        cases.append({
            "kind": "ExponentialLR", "base_lr": lr, "gamma": gamma,
            "lrs": stepped(lambda o: lr_sched.ExponentialLR(o, gamma), lr),
        })
    for lr, t_max, eta_min in [(0.1, 10, 0.0), (1.0, 7, 0.01), (0.05, 40, 0.001),
                               (0.1, 3, 0.0), (0.2, 25, 0.1)]:
        make = lambda o: lr_sched.CosineAnnealingLR(o, t_max, eta_min)
        lrs = stepped(make, lr)
        closed = closed_form(make, lr)
        cases.append({
            "kind": "CosineAnnealingLR", "base_lr": lr, "T_max": t_max, "eta_min": eta_min,
            "lrs": lrs, "closed_form": closed,
            "stepped_vs_closed_max_rel": max_rel_diff(lrs, closed),
            "stepped_vs_closed_max_abs": max_abs_diff(lrs, closed),
        })
    for lr, start, end, total in [(0.1, 1.0 / 3, 1.0, 5), (1.0, 0.1, 1.0, 10),
                                  (0.05, 0.5, 0.25, 8), (0.2, 0.3, 0.0, 5),
                                  (0.1, 1.0, 0.5, 1)]:
        cases.append({
            "kind": "LinearLR", "base_lr": lr, "start_factor": start, "end_factor": end,
            "total_iters": total,
            "lrs": stepped(lambda o: lr_sched.LinearLR(o, start, end, total), lr),
        })
    return cases


# A metric with improvements, plateaus, tiny (sub-threshold) improvements and relapses.
METRIC_MIN = [
    10.0, 9.0, 8.0, 8.0, 8.0, 7.9995, 8.1, 8.2, 7.0, 7.0,
    7.0, 7.0, 6.99999, 7.5, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0,
    5.0, 5.0, 5.5, 5.5, 5.5, 5.5, 4.0, 4.0, 4.0, 4.0,
    3.9, 3.9, 3.9, 3.9, 3.9, 3.9, 3.9, 3.9, 3.9, 3.9,
]
METRIC_MAX = [-m for m in METRIC_MIN[:20]] + [1.0 / m for m in METRIC_MIN[20:]]


def plateaus():
    cases = []
    settings = [
        dict(),  # PyTorch's defaults
        dict(factor=0.5, patience=2),
        dict(factor=0.5, patience=0),
        dict(factor=0.5, patience=1, cooldown=2),
        dict(factor=0.1, patience=1, min_lr=1e-3),
        dict(factor=0.5, patience=1, threshold=0.05),
        dict(factor=0.5, patience=1, threshold=0.05, threshold_mode="abs"),
        dict(factor=0.5, patience=2, threshold=0.5, threshold_mode="abs", cooldown=1),
        dict(factor=0.9, patience=0, eps=1e-3),
        dict(factor=0.0, patience=1, min_lr=0.01),
    ]
    for mode, metrics in [("min", METRIC_MIN), ("max", METRIC_MAX)]:
        for kwargs in settings:
            lr = 0.1
            opt = optimizer(lr)
            sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode=mode, **kwargs)
            lrs = [opt.param_groups[0]["lr"]]
            for m in metrics:
                opt.step()
                sched.step(m)
                lrs.append(opt.param_groups[0]["lr"])
            case = {"mode": mode, "base_lr": lr, "metrics": metrics, "lrs": lrs}
            case.update(kwargs)
            cases.append(case)
    return cases


def clipping():
    gen = torch.Generator().manual_seed(7)
    vectors = [
        [3.0, 4.0],
        [0.3, -0.4],
        [0.0, 0.0, 0.0],
        [1e-3, -2e-3, 5e-4],
        [1.0],
        [-7.5],
        [0.6, 0.8],  # norm 1: the 1e-6 in the scale rule still shrinks it
    ]
    vectors += [(torch.randn(n, generator=gen) * s).tolist()
                for n, s in [(5, 1.0), (17, 3.0), (64, 0.1), (100, 10.0)]]
    norm_cases, value_cases = [], []
    for grads in vectors:
        for max_norm in [0.0, 0.5, 1.0, 5.0, 1e3]:
            g = torch.tensor(grads)
            p = torch.nn.Parameter(torch.zeros_like(g))
            p.grad = g.clone()
            total = torch.nn.utils.clip_grad_norm_([p], max_norm, foreach=False)
            norm_cases.append({"grads": grads, "max_norm": max_norm,
                               "total_norm": total.item(), "clipped": p.grad.tolist()})
        for clip_value in [0.0, 0.1, 1.0, 2.5]:
            g = torch.tensor(grads)
            p = torch.nn.Parameter(torch.zeros_like(g))
            p.grad = g.clone()
            torch.nn.utils.clip_grad_value_([p], clip_value, foreach=False)
            value_cases.append({"grads": grads, "clip_value": clip_value,
                                "clipped": p.grad.tolist()})
    return norm_cases, value_cases


def dump(path, payload):
    # json writes floats with repr, which round-trips every float64 exactly.
    with open(path, "w") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")


def main():
    assert os.environ.get("ATEN_CPU_CAPABILITY") == "default", "run with ATEN_CPU_CAPABILITY=default"
    meta = {"torch_version": torch.__version__, "dtype": "float64",
            "script": "tools/reference_schedules.py"}
    dump("tests/data/schedules.json",
         dict(meta, epochs=EPOCHS, schedules=schedules(), plateaus=plateaus()))
    norm_cases, value_cases = clipping()
    dump("tests/data/clipping.json",
         dict(meta, clip_grad_norm=norm_cases, clip_grad_value=value_cases))


if __name__ == "__main__":
    main()
