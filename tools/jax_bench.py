"""W1-W4 in JAX (XLA, `jax.jit` on the CPU): the crate's benchmark workloads, same shapes,
same data, same step, so the comparison with benches/ can be repeated.

- W1 `w1_lecture_{f64,f32}`: the lecture's neuron (benches/lecture/mod.rs): one weight
  0.7, no bias, identity, x = 1.2, y = 0.4, SGD lr 0.1, MSE on one sample.
- W2 `w2_wide_batch_f32`: one neuron with 256 inputs and a bias, identity, batch 64, MSE,
  SGD lr 0.01, f32; data as in benches/step.rs (x = 0.1 sin(0.37 i), y = cos(0.21 i),
  w = 0.01 cos(0.11 i), b = 0).
- W3/W4 `w3_mlp_batch32_f32`, `w4_mlp_batch1024_{f32,f64}`: 16 -> 64 tanh -> 64 tanh -> 1
  identity with biases, MSE, SGD lr 0.01, batch 32 and 1024; data as in
  benches/network.rs (x = sin(0.37 i), y = cos(0.11 i)). The weights have the crate's
  shapes but are drawn PyTorch-style, U(-1/sqrt(in), 1/sqrt(in)) with a fixed seed, not
  the crate's seed-7 values: the time of a step does not depend on them (no branch or
  sparsity in the arithmetic; tanh is computed the same way for every input).

The step takes the parameters and the batch and returns the new parameters and the loss
(the mean over the batch of the squared error, gradient by `jax.value_and_grad`, then
p <- p - lr * g), jitted with the parameters donated. Each workload warms up (compiles and
runs WARMUP steps), then runs ROUNDS rounds of enough steps to take about ROUND_SECONDS,
blocking on the last result of each round (`block_until_ready`); it reports the median
over the rounds of the time per step, and for W3/W4 GFLOP/s as benches/network.rs counts
them: 6 x batch x (16*64 + 64*64 + 64*1) per step.

Threads. `--threads 1` pins the process to CPU 0 (`os.sched_setaffinity`, before jax is
imported, so every thread XLA starts inherits it) and sets
`XLA_FLAGS=--xla_cpu_multi_thread_eigen=false`; the equivalent from the shell is

    XLA_FLAGS=--xla_cpu_multi_thread_eigen=false taskset -c 0 \
        /work/jaxenv/bin/python tools/jax_bench.py

`--threads 2` pins to CPUs 0 and 1 and leaves XLA's defaults. With jax 0.10.2 it is the
pinning that holds XLA to one core: XLA sizes its worker pool from the CPUs it may use.
Per-thread CPU ticks (/proc/<pid>/task/*/stat, 2 s in the middle of a W4 run) show one
worker thread plus the Python thread, both on CPU 0, with `--threads 1` (also with the
pinning alone), and four worker threads sharing the two CPUs with `--threads 2`; the
flag alone, without pinning, still leaves four workers. (XLA rejects unknown `--` flags,
and a first word without `--` is taken as a file name: the often-quoted
`intra_op_parallelism_threads=1` is not an XLA flag.)

Set up and run (from the repository root; a virtual environment of its own, not a
dependency of the crate):

    python3 -m venv /work/jaxenv && /work/jaxenv/bin/pip install "jax[cpu]"
    /work/jaxenv/bin/python tools/jax_bench.py --threads 1
    /work/jaxenv/bin/python tools/jax_bench.py --threads 2
"""

import argparse
import os
import platform
import statistics
import sys
import time

WARMUP = 20
ROUNDS = 7
ROUND_SECONDS = 0.5

INPUTS, HIDDEN = 16, 64
MLP_FLOPS_PER_ROW = 6 * (INPUTS * HIDDEN + HIDDEN * HIDDEN + HIDDEN * 1)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, choices=(1, 2), default=1)
    parser.add_argument("--only", default="", help="run the workloads whose name contains this")
    parser.add_argument("--round-seconds", type=float, default=ROUND_SECONDS,
                        help="about how long each of the rounds runs")
    return parser.parse_args()


def pin(threads):
    """Restrict this process (and every thread it will start) to the first `threads` CPUs."""
    os.sched_setaffinity(0, set(range(threads)))
    if threads == 1:
        flags = "--xla_cpu_multi_thread_eigen=false"
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " " + flags).strip()


ARGS = parse_args()
pin(ARGS.threads)

import jax  # noqa: E402  (after pinning, so XLA's threads inherit the affinity)
import jax.numpy as jnp  # noqa: E402
import jaxlib  # noqa: E402
import numpy as np  # noqa: E402

jax.config.update("jax_enable_x64", True)  # f64 workloads; f32 arrays stay f32
jax.config.update("jax_platforms", "cpu")


def sgd_step(predict, lr):
    """The jitted step: MSE (mean over the batch) of `predict`, its gradient, p <- p - lr g."""

    def loss(params, x, y):
        return jnp.mean((predict(params, x) - y) ** 2)

    def step(params, x, y):
        value, grads = jax.value_and_grad(loss)(params, x, y)
        new = jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads)
        return new, value

    return jax.jit(step, donate_argnums=0)


def lecture(dtype):
    """W1: a = w x, one sample."""
    params = jnp.asarray(0.7, dtype)
    x = jnp.asarray([1.2], dtype)
    y = jnp.asarray([0.4], dtype)
    return sgd_step(lambda w, x: w * x, dtype(0.1)), params, x, y


def check_lecture():
    """The lecture's first step by hand: a = 0.84, loss (a - y)^2 = 0.1936,
    w <- 0.7 - 0.1 * 2 (a - y) x = 0.5944."""
    step, params, x, y = lecture(np.float64)
    w, loss = step(params, x, y)
    assert abs(float(loss) - 0.1936) < 1e-12 and abs(float(w) - 0.5944) < 1e-12, (w, loss)


def wide_neuron():
    """W2: z = X w + b for 64 rows of 256 inputs."""
    n, batch = 256, 64
    i = np.arange(n * batch, dtype=np.float32)
    x = jnp.asarray((np.sin(i * np.float32(0.37)) * np.float32(0.1)).reshape(batch, n))
    y = jnp.asarray(np.cos(np.arange(batch, dtype=np.float32) * np.float32(0.21)))
    w = jnp.asarray(np.cos(np.arange(n, dtype=np.float32) * np.float32(0.11)) * np.float32(0.01))
    params = (w, jnp.zeros((), jnp.float32))
    return sgd_step(lambda p, x: x @ p[0] + p[1], np.float32(0.01)), params, x, y


def mlp(batch, dtype):
    """W3/W4: 16 -> 64 tanh -> 64 tanh -> 1, weights out x in as the crate lays them out."""
    rng = np.random.default_rng(7)
    params = []
    for inputs, outputs in ((INPUTS, HIDDEN), (HIDDEN, HIDDEN), (HIDDEN, 1)):
        bound = 1.0 / np.sqrt(inputs)
        params.append((jnp.asarray(rng.uniform(-bound, bound, (outputs, inputs)), dtype),
                       jnp.asarray(rng.uniform(-bound, bound, outputs), dtype)))
    i = np.arange(batch * INPUTS, dtype=dtype)
    x = jnp.asarray(np.sin(i * dtype(0.37)).reshape(batch, INPUTS))
    y = jnp.asarray(np.cos(np.arange(batch, dtype=dtype) * dtype(0.11)))

    def predict(params, x):
        (w1, b1), (w2, b2), (w3, b3) = params
        h = jnp.tanh(x @ w1.T + b1)
        h = jnp.tanh(h @ w2.T + b2)
        return (h @ w3.T + b3)[:, 0]

    return sgd_step(predict, dtype(0.01)), tuple(params), x, y


def time_per_step(step, params, x, y):
    """Median over ROUNDS of the seconds per step, after WARMUP steps."""
    for _ in range(WARMUP):
        params, loss = step(params, x, y)
    jax.block_until_ready((params, loss))
    start = time.perf_counter()
    steps = 0
    while time.perf_counter() - start < 0.1:
        params, loss = step(params, x, y)
        steps += 1
    jax.block_until_ready((params, loss))
    per_round = max(1, int(steps * ARGS.round_seconds / (time.perf_counter() - start)))
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(per_round):
            params, loss = step(params, x, y)
        jax.block_until_ready((params, loss))
        rounds.append((time.perf_counter() - start) / per_round)
    assert np.isfinite(float(loss)), "the step diverged"
    return statistics.median(rounds), min(rounds), max(rounds)


WORKLOADS = [
    ("w1_lecture_f64", lambda: lecture(np.float64), None),
    ("w1_lecture_f32", lambda: lecture(np.float32), None),
    ("w2_wide_batch_f32", wide_neuron, None),
    ("w3_mlp_batch32_f32", lambda: mlp(32, np.float32), 32),
    ("w4_mlp_batch1024_f32", lambda: mlp(1024, np.float32), 1024),
    ("w4_mlp_batch1024_f64", lambda: mlp(1024, np.float64), 1024),
]


def show(seconds):
    return f"{seconds * 1e6:.2f} us" if seconds < 1e-3 else f"{seconds * 1e3:.3f} ms"


def main():
    with open("/proc/loadavg") as f:
        load = f.read().strip()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    print(f"jax {jax.__version__}, jaxlib {jaxlib.__version__}, python {platform.python_version()}")
    print(f"cpu: {cpu}; threads: {ARGS.threads} (affinity {sorted(os.sched_getaffinity(0))}); "
          f"XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}")
    print(f"load before: {load}")
    check_lecture()
    print(f"{'workload':<24} {'median':>12} {'min':>12} {'max':>12} {'GFLOP/s':>8}")
    for name, build, batch in WORKLOADS:
        if ARGS.only not in name:
            continue
        median, low, high = time_per_step(*build())
        gflops = f"{batch * MLP_FLOPS_PER_ROW / median / 1e9:8.1f}" if batch else f"{'':8}"
        print(f"{name:<24} {show(median):>12} {show(low):>12} {show(high):>12} {gflops}")
        sys.stdout.flush()
    with open("/proc/loadavg") as f:
        print(f"load after: {f.read().strip()}")


if __name__ == "__main__":
    main()
