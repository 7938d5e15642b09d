"""Golden numbers for parameter groups, computed by PyTorch.

A 2-4-1 network (nn.Linear, Tanh, nn.Linear) in float64 from seeded parameters, a batch
of 8 samples and nn.MSELoss(reduction='mean'), trained STEPS steps on the full batch by
optimizers given `param_groups` (foreach=False):

- sgd_decay_on_weights: SGD(lr=0.1, momentum=0.9) with weight_decay=0.01 on the two
  weight matrices only (the biases, in the other group, take the defaults);
- adam_rate_per_layer: Adam(lr=0.005) with lr=0.01 for the first layer and 0.001 for
  the second;
- sgd_groups_step_lr: SGD(lr=0.1) with lr=0.2 for the biases, under
  lr_scheduler.StepLR(step_size=2, gamma=0.5) stepped after every step, so every
  group's rate is scaled from its own.

Records after each step the loss (before the update), the flat parameters and every
group's learning rate (weights group first).

The network, the batch (8 samples) and the flat layout are those of
tools/reference_lbfgs.py, with another seed.

Run:  ATEN_CPU_CAPABILITY=default /work/torchenv/bin/python tools/reference_groups.py
Writes tests/data/groups.json (read by tests/pytorch/pytorch_groups.rs).
"""

import os
import sys

import torch

from reference_lbfgs import flat, model_with, problem, write

torch.set_default_dtype(torch.float64)

SEED = 17
STEPS = 6


def optimizer_for(name, model):
    first, second = model[0], model[2]
    if name == "sgd_decay_on_weights":
        groups = [
            {"params": [first.weight, second.weight], "weight_decay": 0.01},
            {"params": [first.bias, second.bias]},
        ]
        return torch.optim.SGD(groups, lr=0.1, momentum=0.9, foreach=False), None
    if name == "adam_rate_per_layer":
        groups = [
            {"params": list(first.parameters()), "lr": 0.01},
            {"params": list(second.parameters()), "lr": 0.001},
        ]
        return torch.optim.Adam(groups, lr=0.005, foreach=False), None
    if name == "sgd_groups_step_lr":
        groups = [
            {"params": [first.weight, second.weight]},
            {"params": [first.bias, second.bias], "lr": 0.2},
        ]
        optimizer = torch.optim.SGD(groups, lr=0.1, foreach=False)
        return optimizer, torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    raise ValueError(name)


def case(name, params, inputs, targets):
    model = model_with(params)
    optimizer, scheduler = optimizer_for(name, model)
    criterion = torch.nn.MSELoss(reduction="mean")
    steps = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        steps.append(
            {
                "loss": float(loss.detach()),
                "params": flat(model.parameters()),
                "lrs": [float(g["lr"]) for g in optimizer.param_groups],
            }
        )
    return {"name": name, "steps": steps}


def main():
    if os.environ.get("ATEN_CPU_CAPABILITY") != "default":
        sys.exit("run with ATEN_CPU_CAPABILITY=default (scalar kernels, no fused multiply-add)")
    params, inputs, targets = problem(SEED)
    names = ["sgd_decay_on_weights", "adam_rate_per_layer", "sgd_groups_step_lr"]
    data = {
        "generator": "tools/reference_groups.py",
        "torch_version": torch.__version__,
        "dtype": "float64",
        "model": "Linear(2, 4), Tanh, Linear(4, 1)",
        "loss": "torch.nn.MSELoss(reduction='mean')",
        "params": params,
        "inputs": flat([inputs]),
        "targets": flat([targets]),
        "cases": [case(name, params, inputs, targets) for name in names],
    }
    write(data, "groups.json")


if __name__ == "__main__":
    main()
