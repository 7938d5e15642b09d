"""Reference trajectories of PyTorch's optimizers, for tests/pytorch/pytorch_optimizers.rs.

Run from the repository root with the project's PyTorch environment:

    ATEN_CPU_CAPABILITY=default /work/torchenv/bin/python tools/reference_optimizers.py

How the numbers are made, so that they are reproducible and comparable in f64:
- float64 everywhere (torch.set_default_dtype(torch.float64));
- ATEN_CPU_CAPABILITY=default: ATen's scalar kernels, no fused multiply-add (the script
  sets it itself before importing torch, and records the capability it got);
- foreach=False (and fused=False where the class has it): PyTorch's single-tensor code
  path, whose order of operations the Rust optimizers follow;
- one parameter tensor of 5 values; its gradient is set by hand (p.grad = ...) before
  each of 12 steps, from a fixed sequence generated below and stored in the JSON, so the
  test needs no model and no loss;
- for some cases the learning rate changes between steps (param_groups[0]["lr"]), as a
  schedule would, to check that every rule reads the current rate.

Writes tests/data/optimizers.json: the initial parameters, the gradients, and for each
case the optimizer, its options (PyTorch's argument names), the learning rate of each
step and the parameters after each step.
"""

import json
import math
import os
import sys

os.environ["ATEN_CPU_CAPABILITY"] = "default"

import torch  # noqa: E402  (must come after ATEN_CPU_CAPABILITY)

STEPS = 12
INITIAL = [0.5, -1.25, 2.0, -0.03, 0.8]


def gradients():
    """A fixed, varied sequence: signs flip, sizes span 1e-3 to ~3, one exact zero."""
    grads = []
    for t in range(STEPS):
        row = []
        for i in range(len(INITIAL)):
            g = math.sin(1.7 * t + 0.9 * i + 0.3) * (0.5 + 0.6 * i)
            g += 0.25 * math.cos(0.45 * t * t + i)
            row.append(g)
        grads.append(row)
    grads[3][1] = 1e-3
    grads[5][2] = 0.0
    grads[7][4] = -3.0
    return grads


# lr of each step for the cases that change it: a drop, a zero step, a restart
CHANGING = [0.05, 0.05, 0.05, 0.02, 0.02, 0.0, 0.01, 0.01, 0.03, 0.03, 0.005, 0.005]


def changing(scale):
    return [scale * lr / 0.05 for lr in CHANGING]


CASES = [
    # SGD
    ("sgd_plain", "SGD", {"lr": 0.1}),
    ("sgd_momentum", "SGD", {"lr": 0.1, "momentum": 0.9}),
    ("sgd_momentum_dampening", "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    ("sgd_nesterov", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("sgd_weight_decay", "SGD", {"lr": 0.1, "weight_decay": 0.05}),
    ("sgd_maximize", "SGD", {"lr": 0.1, "maximize": True}),
    ("sgd_maximize_weight_decay", "SGD", {"lr": 0.1, "maximize": True, "weight_decay": 0.05}),
    ("sgd_momentum_weight_decay", "SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1}),
    (
        "sgd_all",
        "SGD",
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.1, "weight_decay": 0.05, "maximize": True},
    ),
    (
        "sgd_nesterov_weight_decay_maximize",
        "SGD",
        {"lr": 0.05, "momentum": 0.7, "nesterov": True, "weight_decay": 0.02, "maximize": True},
    ),
    ("sgd_momentum_changing_lr", "SGD", {"lr": 0.1, "momentum": 0.9}, changing(0.1)),
    # Adam
    ("adam_default", "Adam", {"lr": 0.05}),
    ("adam_betas", "Adam", {"lr": 0.05, "betas": [0.8, 0.99]}),
    ("adam_small_betas", "Adam", {"lr": 0.05, "betas": [0.3, 0.6]}),
    ("adam_eps", "Adam", {"lr": 0.05, "eps": 1e-3}),
    ("adam_weight_decay", "Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("adam_amsgrad", "Adam", {"lr": 0.05, "amsgrad": True}),
    ("adam_maximize", "Adam", {"lr": 0.05, "maximize": True}),
    (
        "adam_all",
        "Adam",
        {
            "lr": 0.05,
            "betas": [0.85, 0.95],
            "eps": 1e-6,
            "weight_decay": 0.1,
            "amsgrad": True,
            "maximize": True,
        },
    ),
    ("adam_changing_lr", "Adam", {"lr": 0.05}, changing(0.05)),
    # AdamW
    ("adamw_default", "AdamW", {"lr": 0.05}),
    ("adamw_weight_decay", "AdamW", {"lr": 0.05, "weight_decay": 0.2}),
    ("adamw_zero_weight_decay", "AdamW", {"lr": 0.05, "weight_decay": 0.0}),
    ("adamw_small_betas", "AdamW", {"lr": 0.05, "betas": [0.3, 0.6]}),
    ("adamw_amsgrad", "AdamW", {"lr": 0.05, "amsgrad": True}),
    ("adamw_maximize", "AdamW", {"lr": 0.05, "maximize": True}),
    (
        "adamw_all",
        "AdamW",
        {
            "lr": 0.05,
            "betas": [0.85, 0.95],
            "eps": 1e-6,
            "weight_decay": 0.3,
            "amsgrad": True,
            "maximize": True,
        },
    ),
    ("adamw_changing_lr", "AdamW", {"lr": 0.05, "weight_decay": 0.5}, changing(0.05)),
    # RMSprop
    ("rmsprop_default", "RMSprop", {"lr": 0.01}),
    ("rmsprop_alpha", "RMSprop", {"lr": 0.01, "alpha": 0.9}),
    ("rmsprop_eps", "RMSprop", {"lr": 0.01, "eps": 1e-3}),
    ("rmsprop_momentum", "RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("rmsprop_centered", "RMSprop", {"lr": 0.01, "centered": True}),
    ("rmsprop_centered_small_alpha", "RMSprop", {"lr": 0.01, "alpha": 0.4, "centered": True}),
    ("rmsprop_weight_decay", "RMSprop", {"lr": 0.01, "weight_decay": 0.1}),
    ("rmsprop_maximize", "RMSprop", {"lr": 0.01, "maximize": True}),
    (
        "rmsprop_centered_momentum",
        "RMSprop",
        {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True},
    ),
    (
        "rmsprop_all",
        "RMSprop",
        {
            "lr": 0.01,
            "alpha": 0.95,
            "eps": 1e-6,
            "momentum": 0.7,
            "centered": True,
            "weight_decay": 0.1,
            "maximize": True,
        },
    ),
    ("rmsprop_momentum_changing_lr", "RMSprop", {"lr": 0.01, "momentum": 0.9}, changing(0.01)),
    # Adagrad
    ("adagrad_default", "Adagrad", {"lr": 0.1}),
    ("adagrad_lr_decay", "Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("adagrad_initial_accumulator_value", "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5}),
    ("adagrad_eps", "Adagrad", {"lr": 0.1, "eps": 1e-3}),
    ("adagrad_weight_decay", "Adagrad", {"lr": 0.1, "weight_decay": 0.1}),
    ("adagrad_maximize", "Adagrad", {"lr": 0.1, "maximize": True}),
    (
        "adagrad_all",
        "Adagrad",
        {
            "lr": 0.1,
            "lr_decay": 0.05,
            "initial_accumulator_value": 0.5,
            "eps": 1e-6,
            "weight_decay": 0.1,
            "maximize": True,
        },
    ),
    ("adagrad_lr_decay_changing_lr", "Adagrad", {"lr": 0.1, "lr_decay": 0.05}, changing(0.1)),
]

HAS_FUSED = {"SGD", "Adam", "AdamW", "Adagrad"}


def run(optimizer, options, lrs, grads):
    param = torch.tensor(INITIAL, dtype=torch.float64, requires_grad=True)
    kwargs = dict(options)
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    kwargs["foreach"] = False
    if optimizer in HAS_FUSED:
        kwargs["fused"] = False
    opt = getattr(torch.optim, optimizer)([param], **kwargs)
    trajectory = []
    for lr, g in zip(lrs, grads):
        opt.param_groups[0]["lr"] = lr
        param.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        trajectory.append([float(x) for x in param.detach().tolist()])
    return trajectory


def main():
    torch.set_default_dtype(torch.float64)
    grads = gradients()
    cases = []
    for case in CASES:
        name, optimizer, options = case[:3]
        lrs = case[3] if len(case) > 3 else [options["lr"]] * STEPS
        cases.append(
            {
                "name": name,
                "optimizer": optimizer,
                "options": options,
                "lrs": lrs,
                "trajectory": run(optimizer, options, lrs, grads),
            }
        )
    out = {
        "generated_by": "tools/reference_optimizers.py",
        "torch_version": torch.__version__,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "dtype": "float64",
        "foreach": False,
        "initial_params": INITIAL,
        "grads": grads,
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "optimizers.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(path)}", file=sys.stderr)


if __name__ == "__main__":
    main()
