"""A PyTorch nn.Sequential's state_dict in safetensors, with its outputs, for backprop.

Builds nn.Sequential(Linear(3, 5), Tanh(), Linear(5, 4, bias=False), ReLU(),
Linear(4, 2)) in float32 from a fixed seed, saves model.state_dict() with
safetensors.torch.save_file to tests/data/sequential.safetensors (keys 0.weight,
0.bias, 2.weight, 4.weight, 4.bias: the Linear layers sit at the even module indices),
and writes tests/data/sequential.json with inputs and PyTorch's float32 outputs
(every f32 is exact as a Python float, written with repr). tests/pytorch/safetensors.rs loads
the file into a backprop Network and predicts the same outputs.

Run:     ATEN_CPU_CAPABILITY=default /work/torchenv/bin/python tools/safetensors_roundtrip.py
Check a file written by backprop (e.g. by `cargo test --features safetensors --test
safetensors`, which writes target/tmp/sequential_from_rust.safetensors) loads in PyTorch
and gives the same outputs:
         /work/torchenv/bin/python tools/safetensors_roundtrip.py --check-rust PATH
"""

import json
import os
import sys

import safetensors
import torch
from safetensors.torch import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data")
WEIGHTS = os.path.join(DATA, "sequential.safetensors")
REFERENCE = os.path.join(DATA, "sequential.json")


def build():
    return torch.nn.Sequential(
        torch.nn.Linear(3, 5),
        torch.nn.Tanh(),
        torch.nn.Linear(5, 4, bias=False),
        torch.nn.ReLU(),
        torch.nn.Linear(4, 2),
    ).to(torch.float32)


def inputs():
    generator = torch.Generator().manual_seed(11)
    return torch.randn(7, 3, generator=generator, dtype=torch.float32)


def write_reference():
    torch.manual_seed(2024)
    model = build()
    x = inputs()
    with torch.no_grad():
        y = model(x)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, WEIGHTS)
    reference = {
        "torch_version": torch.__version__,
        "safetensors_version": safetensors.__version__,
        "script": "tools/safetensors_roundtrip.py",
        "model": "Sequential(Linear(3,5), Tanh, Linear(5,4,bias=False), ReLU, Linear(4,2)), float32",
        "keys": sorted(model.state_dict().keys()),
        "input_len": 3,
        "output_len": 2,
        "inputs": [float(v) for v in x.flatten().tolist()],
        "outputs": [float(v) for v in y.flatten().tolist()],
    }
    with open(REFERENCE, "w") as f:
        f.write(json_dump(reference))
    print(f"wrote {WEIGHTS} ({os.path.getsize(WEIGHTS)} bytes) and {REFERENCE}")


def json_dump(obj):
    # json.dumps writes floats with repr, which round-trips.
    return json.dumps(obj, indent=1) + "\n"


def check_rust(path):
    """Loads a backprop-written file into the same architecture; compares outputs."""
    model = build()
    state = load_file(path)
    model.load_state_dict({k: v.to(torch.float32) for k, v in state.items()}, strict=True)
    with open(REFERENCE) as f:
        reference = json.load(f)
    x = torch.tensor(reference["inputs"], dtype=torch.float32).reshape(-1, 3)
    with torch.no_grad():
        y = model(x).flatten().tolist()
    worst = max(abs(a - b) for a, b in zip(y, reference["outputs"]))
    print(f"{path}: keys {sorted(state)}, largest output difference {worst}")
    if worst > 1e-6:
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check-rust":
        check_rust(sys.argv[2])
    else:
        write_reference()
