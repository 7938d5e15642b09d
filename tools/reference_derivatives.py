"""Golden numbers for derivatives beyond the gradient, computed by PyTorch.

For three small nn.Sequential MLPs in float64 with seeded parameters and a batch under
nn.MSELoss(reduction='mean'), records:

- input_grads: d loss / d inputs (autograd), the layout of the inputs;
- jacobian: torch.autograd.functional.jacobian of the network on each row alone,
  laid out [batch][outputs][inputs];
- hvp: torch.autograd.functional.hvp of the loss as a function of the flat parameters,
  for a seeded direction v;
- hessian: torch.autograd.functional.hessian of the same function, n x n row-major.

Flat layout: model.parameters() in order, each tensor flattened row-major (for every
nn.Linear its weight [out][in], then its bias): the layout of backprop's Network.

Run:  ATEN_CPU_CAPABILITY=default /work/torchenv/bin/python tools/reference_derivatives.py
Writes tests/data/derivatives.json (read by tests/pytorch/pytorch_derivatives.rs).
"""

import json
import os
import sys

import torch
from torch.func import functional_call

# The same networks as the MLP references: nn.Linear layers seeded uniform on [-1, 1).
from reference_mlp import build, flat

torch.set_default_dtype(torch.float64)

# (name, input_len, [(units, activation, slope, bias)], batch, seed)
CASES = [
    ("tanh_identity", 2, [(3, "tanh", None, True), (2, "identity", None, True)], 4, 11),
    (
        "sigmoid_tanh_identity",
        3,
        [(4, "sigmoid", None, True), (3, "tanh", None, False), (1, "identity", None, True)],
        3,
        12,
    ),
    (
        "leaky_relu_sigmoid",
        2,
        [(5, "leaky_relu", 0.1, True), (2, "sigmoid", None, True)],
        5,
        13,
    ),
]


def loss_of_params(model, inputs, targets):
    """The mean loss as a function of one flat parameter vector."""
    names = [n for n, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    sizes = [p.numel() for _, p in model.named_parameters()]

    def f(theta):
        pieces = torch.split(theta, sizes)
        params = {n: t.reshape(s) for n, t, s in zip(names, pieces, shapes)}
        outputs = functional_call(model, params, (inputs,))
        return torch.nn.functional.mse_loss(outputs, targets)

    return f


def case(name, input_len, layers, batch, seed):
    generator = torch.Generator().manual_seed(seed)
    model = build(input_len, layers, generator)
    out_len = layers[-1][0]
    inputs = torch.rand((batch, input_len), generator=generator) * 4.0 - 2.0
    targets = torch.rand((batch, out_len), generator=generator) * 2.0 - 1.0
    theta = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    v = torch.rand(theta.shape, generator=generator) * 2.0 - 1.0

    x = inputs.clone().requires_grad_(True)
    torch.nn.functional.mse_loss(model(x), targets).backward()
    jacobian = [
        torch.autograd.functional.jacobian(model, inputs[b]) for b in range(batch)
    ]
    f = loss_of_params(model, inputs, targets)
    _, hvp = torch.autograd.functional.hvp(f, theta, v)
    hessian = torch.autograd.functional.hessian(f, theta)

    return {
        "name": name,
        "input_len": input_len,
        "layers": [
            {"units": u, "activation": a, "negative_slope": s, "bias": b}
            for u, a, s, b in layers
        ],
        "params": flat([theta]),
        "inputs": flat([inputs]),
        "targets": flat([targets]),
        "loss": float(f(theta)),
        "input_grads": flat([x.grad]),
        "jacobian": flat(jacobian),
        "v": flat([v]),
        "hvp": flat([hvp]),
        "hessian": flat([hessian]),
    }


def main():
    if os.environ.get("ATEN_CPU_CAPABILITY") != "default":
        sys.exit("run with ATEN_CPU_CAPABILITY=default (scalar kernels, no fused multiply-add)")
    data = {
        "generator": "tools/reference_derivatives.py",
        "torch_version": torch.__version__,
        "dtype": "float64",
        "loss": "torch.nn.MSELoss(reduction='mean')",
        "cases": [case(*c) for c in CASES],
    }
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "derivatives.json")
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
