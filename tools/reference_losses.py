#!/usr/bin/env python3
"""Reference values for the crate's losses, computed by PyTorch.

For each case: a row-major batch of predictions and targets, the loss with
reduction='mean' and its gradient with respect to the predictions (autograd), all in
float64 (and, for the crate's f32 run, PyTorch's float32 results on the same inputs
rounded to float32). Also a few full training steps of nn.Linear(n, 1) (the crate's `Neuron`) so a
real `Trainer` step can be checked end to end.

Run from the repository root:

    ATEN_CPU_CAPABILITY=default /work/torchenv/bin/python tools/reference_losses.py

It writes tests/data/losses.json, read by tests/pytorch/pytorch_losses.rs. Floats are written
with Python's repr (json.dump), which round-trips exactly; no value is non-finite.
"""

import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
GEN = torch.Generator().manual_seed(20240521)


def randn(*shape, scale=1.0):
    return torch.randn(*shape, generator=GEN) * scale


def rand(*shape):
    return torch.rand(*shape, generator=GEN)


def torch_loss(loss, params, prediction, target):
    """The loss with reduction='mean', as the crate names it."""
    if loss == "mse":
        return F.mse_loss(prediction, target)
    if loss == "mae":
        return F.l1_loss(prediction, target)
    if loss == "huber":
        return F.huber_loss(prediction, target, delta=params["delta"])
    if loss == "smooth_l1":
        return F.smooth_l1_loss(prediction, target, beta=params["beta"])
    if loss == "bce":
        return F.binary_cross_entropy(prediction, target)
    if loss == "bce_with_logits":
        return F.binary_cross_entropy_with_logits(prediction, target)
    if loss == "cross_entropy":
        return F.cross_entropy(
            prediction, target, label_smoothing=params.get("label_smoothing", 0.0)
        )
    raise ValueError(loss)


def loss_and_gradient(loss, params, prediction, target, classes, dtype):
    """The mean loss and its gradient w.r.t. the prediction, computed in `dtype`."""
    x = prediction.detach().to(dtype).clone().requires_grad_(True)
    if classes is not None:
        value = torch_loss(loss, params, x, torch.tensor(classes, dtype=torch.long))
    else:
        value = torch_loss(loss, params, x, target.to(dtype))
    value.backward()
    return value.item(), x.grad.flatten().tolist()


def case(name, loss, prediction, target, params=None, classes=None):
    """One case; `classes` (a list of ints) replaces `target` for class-index targets.

    The f32 values are PyTorch's own float32 computation on the inputs rounded to
    float32, so the crate's f32 run is compared like with like.
    """
    params = params or {}
    prediction = torch.as_tensor(prediction, dtype=torch.float64)
    if prediction.dim() == 1:
        prediction = prediction.unsqueeze(1)
    if classes is None:
        target = torch.as_tensor(target, dtype=torch.float64).reshape(prediction.shape)
    value, gradient = loss_and_gradient(loss, params, prediction, target, classes, torch.float64)
    value32, gradient32 = loss_and_gradient(loss, params, prediction, target, classes, torch.float32)
    out = {
        "name": name,
        "loss": loss,
        "params": params,
        "batch": prediction.shape[0],
        "outputs": prediction.shape[1],
        "prediction": prediction.flatten().tolist(),
        "loss_value": value,
        "gradient": gradient,
        "loss_value_f32": value32,
        "gradient_f32": gradient32,
    }
    if classes is not None:
        out["classes"] = classes
    else:
        out["target"] = target.flatten().tolist()
    return out


def regression_cases():
    cases = []
    p, y = randn(4, 3, scale=2.0), randn(4, 3, scale=2.0)
    cases.append(case("mse random 4x3", "mse", p, y))
    cases.append(case("mae random 4x3", "mae", p, y))
    # exact zeros at the kink: prediction == target in some entries
    kink_p = [[0.5, -1.25, 3.0], [2.0, 0.0, -0.75]]
    kink_y = [[0.5, 0.25, 3.0], [-1.0, 0.0, -0.75]]
    cases.append(case("mae zeros at kink", "mae", kink_p, kink_y))
    for delta in [1.0, 0.5, 2.5]:
        cases.append(case(f"huber delta={delta} random", "huber", p, y, {"delta": delta}))
        # |d| = 0, |d| = delta exactly, inside, outside, both signs
        edge_p = [[0.0, delta, -delta, 0.25 * delta], [3.0 * delta, -4.0 * delta, 1.0, -0.5]]
        edge_y = [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.25]]
        cases.append(case(f"huber delta={delta} edges", "huber", edge_p, edge_y, {"delta": delta}))
    for beta in [1.0, 0.25, 3.0, 0.0]:
        cases.append(case(f"smooth_l1 beta={beta} random", "smooth_l1", p, y, {"beta": beta}))
        edge_p = [[0.0, beta, -beta, 0.5 * beta], [2.0 * beta + 1.0, -3.0 * beta - 1.0, 1.0, -0.5]]
        edge_y = [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.25]]
        cases.append(case(f"smooth_l1 beta={beta} edges", "smooth_l1", edge_p, edge_y, {"beta": beta}))
    return cases


def binary_cases():
    cases = []
    probs, y = torch.sigmoid(randn(5, 2, scale=2.0)), rand(5, 2)
    cases.append(case("bce random 5x2", "bce", probs, y))
    hard = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    cases.append(case("bce random, hard targets", "bce", probs, hard))
    # predictions at 0 and 1: the log clamp at -100 and the backward's eps = 1e-12
    edge_p = [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [1e-13, 1.0 - 1e-13, 0.5]]
    edge_y = [[0.0, 1.0, 1.0], [0.0, 0.3, 0.7], [1.0, 0.0, 0.5]]
    cases.append(case("bce predictions 0 and 1", "bce", edge_p, edge_y))
    logits = randn(5, 2, scale=3.0)
    cases.append(case("bce_with_logits random 5x2", "bce_with_logits", logits, y))
    cases.append(case("bce_with_logits random, hard targets", "bce_with_logits", logits, hard))
    edge_x = [[50.0, -50.0, 800.0, -800.0], [50.0, -50.0, 800.0, -800.0],
              [50.0, -50.0, 800.0, -800.0], [0.0, 0.0, 1e-8, -36.0]]
    edge_y = [[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0],
              [0.3, 0.3, 0.75, 0.75], [0.0, 1.0, 0.5, 0.25]]
    cases.append(case("bce_with_logits |x| = 50 and 800", "bce_with_logits", edge_x, edge_y))
    return cases


def cross_entropy_cases():
    cases = []
    logits = randn(4, 5, scale=2.0)
    probs = torch.softmax(randn(4, 5), dim=1)
    classes = [3, 0, 4, 1]
    large = [[1000.0, -1000.0, 0.0], [30.0, 0.0, -1.5], [-700.0, -705.0, -690.0],
             [50.0, 49.0, -30.0]]
    large_classes = [1, 0, 2, 1]
    for s in [0.0, 0.1, 0.5, 1.0]:
        params = {"label_smoothing": s}
        cases.append(case(f"cross_entropy s={s} probabilities", "cross_entropy", logits, probs, params))
        cases.append(case(f"cross_entropy s={s} classes", "cross_entropy", logits, None, params, classes))
        cases.append(case(f"cross_entropy s={s} large logits", "cross_entropy", large, None, params,
                          large_classes))
    # soft targets that do not sum to 1 (PyTorch does not require it)
    cases.append(case("cross_entropy unnormalised targets", "cross_entropy", logits, rand(4, 5),
                      {"label_smoothing": 0.0}))
    return cases


def trainer_cases():
    """One step of nn.Linear(3, 1) + loss + SGD(lr), the crate's Neuron + Trainer."""
    cases = []
    inputs = randn(4, 3)
    for loss, params, targets in [
        ("bce_with_logits", {}, torch.tensor([[1.0], [0.0], [0.25], [1.0]])),
        ("huber", {"delta": 0.5}, randn(4, 1)),
        ("bce", {}, torch.tensor([[1.0], [0.0], [0.6], [0.0]])),
    ]:
        layer = torch.nn.Linear(3, 1)
        with torch.no_grad():
            layer.weight.copy_(torch.tensor([[0.4, -0.3, 0.2]]))
            layer.bias.fill_(0.1)
        weights = layer.weight.flatten().tolist() + [layer.bias.item()]
        lr = 0.1
        opt = torch.optim.SGD(layer.parameters(), lr=lr, foreach=False)
        out = layer(inputs)
        if loss == "bce":
            out = torch.sigmoid(out)
        value = torch_loss(loss, params, out, targets)
        opt.zero_grad()
        value.backward()
        grads = layer.weight.grad.flatten().tolist() + [layer.bias.grad.item()]
        opt.step()
        cases.append({
            "loss": loss,
            "params": params,
            "activation": "sigmoid" if loss == "bce" else "identity",
            "weights": weights,
            "lr": lr,
            "inputs": inputs.flatten().tolist(),
            "targets": targets.flatten().tolist(),
            "loss_value": value.item(),
            "param_gradient": grads,
            "updated": layer.weight.flatten().tolist() + [layer.bias.item()],
        })
    return cases


def main():
    data = {
        "generator": "tools/reference_losses.py",
        "torch_version": torch.__version__,
        "dtype": "float64",
        "aten_cpu_capability": os.environ.get("ATEN_CPU_CAPABILITY", "unset"),
        "cases": regression_cases() + binary_cases() + cross_entropy_cases(),
        "trainer_cases": trainer_cases(),
    }
    path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "losses.json")
    with open(path, "w") as f:
        json.dump(data, f, indent=1, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
