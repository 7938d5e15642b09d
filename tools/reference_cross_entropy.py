"""Reference numbers for CrossEntropy with class-index targets and class weights
(tests/data/cross_entropy.json), from PyTorch in float64.

Each case is one SGD step (lr 0.1) of nn.Linear(3, 4) on a batch of 5 samples with
nn.CrossEntropyLoss(weight=..., label_smoothing=..., reduction='mean') and class-index
targets: the loss, the gradients of weight and bias, and the parameters after the step.
PyTorch's weighted mean divides by the sum of the batch's target weights Σ_b w[y_b].

Run from the repository root:
    ATEN_CPU_CAPABILITY=default /work/torchenv/bin/python tools/reference_cross_entropy.py
"""

import json

import torch

torch.set_default_dtype(torch.float64)
GEN = torch.Generator().manual_seed(20261205)


def case(name, weight, smoothing, targets):
    linear = torch.nn.Linear(3, 4)
    with torch.no_grad():
        linear.weight.copy_(torch.randn(4, 3, generator=GEN))
        linear.bias.copy_(torch.randn(4, generator=GEN))
    params = torch.cat([linear.weight.flatten(), linear.bias]).tolist()
    x = torch.randn(len(targets), 3, generator=GEN) * 2.0
    y = torch.tensor(targets)
    w = None if weight is None else torch.tensor(weight)
    loss_fn = torch.nn.CrossEntropyLoss(weight=w, label_smoothing=smoothing)
    opt = torch.optim.SGD(linear.parameters(), lr=0.1, foreach=False)
    loss = loss_fn(linear(x), y)
    loss.backward()
    grads = torch.cat([linear.weight.grad.flatten(), linear.bias.grad]).tolist()
    opt.step()
    after = torch.cat([linear.weight.detach().flatten(), linear.bias.detach()]).tolist()
    return {
        "name": name,
        "weight": weight,
        "label_smoothing": smoothing,
        "inputs": x.flatten().tolist(),
        "targets": [float(t) for t in targets],
        "params": params,
        "loss": loss.item(),
        "gradients": grads,
        "params_after": after,
    }


def main():
    targets = [2, 0, 3, 2, 1]
    cases = [
        case("plain", None, 0.0, targets),
        case("weighted", [0.5, 2.0, 1.0, 3.5], 0.0, targets),
        case("smoothed", None, 0.1, targets),
        case("weighted_smoothed", [0.5, 2.0, 1.0, 3.5], 0.2, targets),
        case("weighted_one_row", [0.5, 2.0, 1.0, 3.5], 0.0, [3]),
        case("weighted_one_row_smoothed", [0.5, 2.0, 1.0, 3.5], 0.3, [1]),
        case("zero_weight_class", [0.0, 1.0, 2.0, 1.0], 0.0, targets),
    ]
    with open("tests/data/cross_entropy.json", "w") as f:
        json.dump({"torch_version": torch.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
