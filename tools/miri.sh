#!/usr/bin/env bash
# Runs the kernel's `unsafe` paths (src/kernel/gemm.rs, simd.rs and transpose.rs: the
# type-identity casts, the `#[target_feature]` calls, the explicit AVX2 and AVX-512
# registers and the transposition's AVX loads and stores) and a small set of tests under
# Miri, the interpreter that detects undefined behaviour, three times: as built for the
# baseline x86-64 CPU (the portable kernels), with AVX2 and FMA enabled at compile time,
# and with AVX-512 as well, so that `is_x86_feature_detected!` is true inside Miri and
# each SIMD path runs.
#
# Floats are deterministic (-Zmiri-deterministic-floats: no extra rounding error that
# Miri would otherwise inject into the float intrinsics), so the exact assertions hold.
#
# Usage: tools/miri.sh   (timings and the last result: docs/reliability.md, section 14)
set -euo pipefail
cd "$(dirname "$0")/.."

# A nightly toolchain if there is none (an existing one is used as it is, not updated).
rustup run nightly rustc --version >/dev/null 2>&1 ||
    rustup toolchain install nightly --profile minimal >/dev/null
rustup component add miri rust-src --toolchain nightly >/dev/null
cargo +nightly miri setup >/dev/null

export MIRIFLAGS="${MIRIFLAGS:--Zmiri-deterministic-floats}"

# The unsafe paths: the kernel's product test (every layout through the blocked and SIMD
# kernels, the type-identity casts), the transposition's (every shape around its blocks),
# the network's tests (tanh through the AVX2 curve dispatch), and the lecture's trace
# through the whole trainer. The fast tanh/sigmoid accuracy sweeps are safe code and take
# hours under Miri: they are left out.
unit_tests=(kernel::tests:: kernel::transpose::tests:: model::network::tests::)
run() {
    echo "== miri ($1): unit tests ${unit_tests[*]}"
    cargo +nightly miri test --lib -- "${unit_tests[@]}"
    echo "== miri ($1): tests/exact seed_trace"
    cargo +nightly miri test --test exact -- seed_trace
}

run "baseline x86-64, portable kernels"
RUSTFLAGS="-C target-feature=+avx2,+fma" CARGO_TARGET_DIR=target/miri-avx2 \
    run "AVX2 and FMA enabled"
RUSTFLAGS="-C target-feature=+avx2,+fma,+avx512f,+avx512vl" CARGO_TARGET_DIR=target/miri-avx512 \
    run "AVX-512 enabled"
echo "== miri: no undefined behaviour found"
