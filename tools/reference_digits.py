"""PyTorch training a 64-32-10 ReLU network on the digits data, for an exactness test
(tests/data/digits_adam.json).

Float64, ATEN_CPU_CAPABILITY=default, one thread: nn.Sequential(Linear(64, 32), ReLU(),
Linear(32, 10)) with PyTorch's default initialisation under torch.manual_seed(0),
CrossEntropyLoss on class indices, Adam (lr 1e-3, foreach=False), two epochs of
mini-batches of 32 in a random order drawn by torch.randperm. The inputs are
scikit-learn's load_digits() pixels divided by 16 (exact: a power of two), the same
values as backprop::datasets::digits. Written: the initial parameters and the batch
order (so the crate replays them), every step's loss and the final parameters, in
model.parameters() order (each weight row-major [out][in], then its bias).

Run from the repository root:
    ATEN_CPU_CAPABILITY=default /work/torchenv/bin/python tools/reference_digits.py
"""

import json

import torch
from sklearn.datasets import load_digits

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)


def flat(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()]).tolist()


def main():
    torch.manual_seed(0)
    digits = load_digits()
    x = torch.tensor(digits.data, dtype=torch.float64) / 16.0
    y = torch.tensor(digits.target, dtype=torch.long)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    initial = flat(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=False)
    loss_fn = torch.nn.CrossEntropyLoss()
    orders, losses = [], []
    for _ in range(2):
        order = torch.randperm(len(y))
        orders.append(order.tolist())
        for start in range(0, len(y), 32):
            batch = order[start:start + 32]
            optimizer.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    reference = {
        "torch_version": torch.__version__,
        "batch_size": 32,
        "initial_params": initial,
        "orders": orders,
        "losses": losses,
        "final_params": flat(model),
    }
    with open("tests/data/digits_adam.json", "w") as f:
        json.dump(reference, f)
        f.write("\n")


if __name__ == "__main__":
    main()
