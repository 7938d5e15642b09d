"""Golden numbers for L-BFGS, computed by PyTorch's torch.optim.LBFGS.

A 2-4-1 network (nn.Linear, Tanh, nn.Linear) in float64, seeded parameters, a batch of
8 samples and nn.MSELoss(reduction='mean'). Each case runs CALLS calls of
`optimizer.step(closure)` on the full batch, the closure doing zero_grad, forward, loss
and backward, and records after each call the loss it returned (the first evaluation's),
the flat parameters, and the number of closure evaluations the call made (the growth of
state['func_evals']).

L-BFGS amplifies rounding, so each case also records its sensitivity: the same run
started from every parameter moved up by one ulp (numpy.nextafter towards +inf). For
each call, `spread` is the largest absolute difference of the parameters between the
two runs; a faithful implementation whose sums round differently can differ from
PyTorch's trajectory by about that much.

Flat layout: model.parameters() in order (weight [out][in], then bias), the layout of
backprop's Network.

Run:  ATEN_CPU_CAPABILITY=default /work/torchenv/bin/python tools/reference_lbfgs.py
Writes tests/data/lbfgs.json (read by tests/pytorch/pytorch_lbfgs.rs).
"""

import json
import os
import sys

import numpy
import torch

torch.set_default_dtype(torch.float64)

SEED = 16
BATCH = 8
CALLS = 5

# (name, LBFGS keyword arguments)
CASES = [
    ("fixed_step", {"lr": 0.5}),
    ("strong_wolfe", {"lr": 1.0, "line_search_fn": "strong_wolfe"}),
    ("strong_wolfe_history_3", {"lr": 1.0, "line_search_fn": "strong_wolfe", "history_size": 3}),
    ("fixed_step_max_iter_4", {"lr": 0.5, "max_iter": 4}),
    ("strong_wolfe_max_iter_3", {"lr": 1.0, "line_search_fn": "strong_wolfe", "max_iter": 3}),
]


def problem(seed=SEED):
    generator = torch.Generator().manual_seed(seed)
    params = (torch.rand(17, generator=generator) * 2.0 - 1.0).tolist()
    inputs = torch.rand((BATCH, 2), generator=generator) * 4.0 - 2.0
    targets = torch.sin(inputs[:, :1]) * torch.cos(inputs[:, 1:])
    return params, inputs, targets


def model_with(params):
    model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    with torch.no_grad():
        torch.nn.utils.vector_to_parameters(torch.tensor(params), model.parameters())
    return model


def flat(tensors):
    return [float(v) for t in tensors for v in t.detach().reshape(-1).tolist()]


def run(params, inputs, targets, options):
    model = model_with(params)
    criterion = torch.nn.MSELoss(reduction="mean")
    optimizer = torch.optim.LBFGS(model.parameters(), **options)

    def closure():
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        return loss

    calls = []
    evals = 0
    for _ in range(CALLS):
        loss = float(optimizer.step(closure).detach())
        state = optimizer.state[optimizer._params[0]]
        calls.append(
            {
                "loss": loss,
                "params": flat(model.parameters()),
                "evaluations": state["func_evals"] - evals,
            }
        )
        evals = state["func_evals"]
    return calls


def case(name, options, params, inputs, targets):
    calls = run(params, inputs, targets, options)
    nudged = [float(numpy.nextafter(p, numpy.inf)) for p in params]
    moved = run(nudged, inputs, targets, options)
    for call, other in zip(calls, moved):
        call["spread"] = max(abs(a - b) for a, b in zip(call["params"], other["params"]))
        call["spread_evaluations"] = other["evaluations"]
    settings = {
        "lr": options["lr"],
        "max_iter": options.get("max_iter", 20),
        "history_size": options.get("history_size", 100),
        "line_search": options.get("line_search_fn"),
    }
    return {"name": name, **settings, "calls": calls}


def main():
    if os.environ.get("ATEN_CPU_CAPABILITY") != "default":
        sys.exit("run with ATEN_CPU_CAPABILITY=default (scalar kernels, no fused multiply-add)")
    params, inputs, targets = problem()
    data = {
        "generator": "tools/reference_lbfgs.py",
        "torch_version": torch.__version__,
        "dtype": "float64",
        "model": "Linear(2, 4), Tanh, Linear(4, 1)",
        "loss": "torch.nn.MSELoss(reduction='mean')",
        "params": params,
        "inputs": flat([inputs]),
        "targets": flat([targets]),
        "cases": [case(name, options, params, inputs, targets) for name, options in CASES],
    }
    write(data, "lbfgs.json")


def write(data, name):
    """Writes `data` to tests/data/`name`, one value per line."""
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", name)
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
