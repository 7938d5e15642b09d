//! Exact numbers: the lecture's printed trace digit for digit, one generic training
//! function in every float type, seeded runs reproduced bit for bit, initialisation as
//! PyTorch documents it, and the examples' training runs converging.
//!
//! - `seed_trace`: the lecture's printed trace, reproduced through the public API.
//! - `generic_numerics`: one generic function trains the lecture's neuron in `f32`,
//!   `f64`, `half::f16`, `half::bf16` and `Dual<f64>`.
//! - `reproducibility`: the same seeds give the same training run, bit for bit.
//! - `init`: seeded initialisation, reproducible and distributed as torch.nn.init says.
//! - `examples_converge`: the xor, sine and physics-informed (pinn) examples converge.
//! - `one_parameter_step`: the one-parameter step, run in local values, gives the
//!   general step's bits.

mod examples_converge;
mod generic_numerics;
mod init;
mod one_parameter_step;
mod reproducibility;
mod seed_trace;
