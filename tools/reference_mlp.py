"""Golden numbers for multi-layer networks, computed by PyTorch.

Builds small nn.Sequential MLPs in float64 from seeded parameters, runs a batch through
them with nn.MSELoss(reduction='mean'), and records the outputs, the loss, the flat
gradient and the flat parameters after 3 torch.optim.SGD steps (foreach=False).

Flat layout: model.parameters() in order, each tensor flattened row-major, i.e. for every
nn.Linear its weight [out][in] and then its bias [out] if it has one: the layout of
backprop's Network.

Run:  ATEN_CPU_CAPABILITY=default /work/torchenv/bin/python tools/reference_mlp.py
Writes tests/data/mlp.json (read by tests/pytorch/pytorch_mlp.rs).
"""

import json
import os
import sys

import torch

torch.set_default_dtype(torch.float64)

LR = 0.1
STEPS = 3
BATCH = 6

# (name, input_len, [(units, activation, slope, bias)], seed)
CASES = [
    (
        "tanh_sigmoid_identity",
        3,
        [(5, "tanh", None, True), (4, "sigmoid", None, False), (2, "identity", None, True)],
        1,
    ),
    (
        "relu_leaky_relu_identity",
        3,
        [(6, "relu", None, True), (4, "leaky_relu", 0.1, True), (2, "identity", None, False)],
        2,
    ),
]


def activation(name, slope):
    if name == "tanh":
        return torch.nn.Tanh()
    if name == "sigmoid":
        return torch.nn.Sigmoid()
    if name == "relu":
        return torch.nn.ReLU()
    if name == "leaky_relu":
        return torch.nn.LeakyReLU(negative_slope=slope)
    if name == "identity":
        return torch.nn.Identity()
    raise ValueError(name)


def build(input_len, layers, generator):
    modules = []
    fan_in = input_len
    for units, act, slope, bias in layers:
        linear = torch.nn.Linear(fan_in, units, bias=bias)
        with torch.no_grad():
            for p in linear.parameters():
                p.copy_(torch.rand(p.shape, generator=generator) * 2.0 - 1.0)
        modules += [linear, activation(act, slope)]
        fan_in = units
    return torch.nn.Sequential(*modules)


def flat(tensors):
    return [float(v) for t in tensors for v in t.detach().reshape(-1).tolist()]


def case(name, input_len, layers, seed):
    generator = torch.Generator().manual_seed(seed)
    model = build(input_len, layers, generator)
    out_len = layers[-1][0]
    inputs = torch.rand((BATCH, input_len), generator=generator) * 4.0 - 2.0
    targets = torch.rand((BATCH, out_len), generator=generator) * 2.0 - 1.0
    params = flat(model.parameters())

    criterion = torch.nn.MSELoss(reduction="mean")
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, foreach=False)
    losses = []
    for step in range(STEPS):
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        if step == 0:
            first_outputs = flat([outputs])
            first_loss = float(loss.detach())
            first_grad = flat(p.grad for p in model.parameters())
        losses.append(float(loss.detach()))
        optimizer.step()

    return {
        "name": name,
        "input_len": input_len,
        "layers": [
            {"units": u, "activation": a, "negative_slope": s, "bias": b}
            for u, a, s, b in layers
        ],
        "params": params,
        "inputs": flat([inputs]),
        "targets": flat([targets]),
        "outputs": first_outputs,
        "loss": first_loss,
        "grad": first_grad,
        "lr": LR,
        "losses": losses,
        "params_after": flat(model.parameters()),
    }


def main():
    if os.environ.get("ATEN_CPU_CAPABILITY") != "default":
        sys.exit("run with ATEN_CPU_CAPABILITY=default (scalar kernels, no fused multiply-add)")
    data = {
        "generator": "tools/reference_mlp.py",
        "torch_version": torch.__version__,
        "dtype": "float64",
        "loss": "torch.nn.MSELoss(reduction='mean')",
        "optimizer": f"torch.optim.SGD(lr={LR}, foreach=False), {STEPS} steps on the same batch",
        "cases": [case(*c) for c in CASES],
    }
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "mlp.json")
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
