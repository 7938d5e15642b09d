//! PyTorch's own numbers: losses, optimizers, schedules, clipping and multi-layer
//! networks against references that PyTorch produced (`tests/data/`, written by the
//! scripts in `tools/`), and weights exchanged in safetensors.
//!
//! - `pytorch_losses`: every loss and its gradient, plus full trainer steps.
//! - `pytorch_cross_entropy`: class-index targets with class weights (weighted mean).
//! - `pytorch_optimizers`: every optimizer and option replays PyTorch's trajectory.
//! - `pytorch_schedules`: learning rates against `torch.optim.lr_scheduler`.
//! - `pytorch_clipping`: `clip_grad_norm_` and `clip_grad_value_`.
//! - `pytorch_groups`: parameter groups replay `param_groups`, with a schedule.
//! - `pytorch_lbfgs`: L-BFGS replays `torch.optim.LBFGS`, line search included.
//! - `pytorch_mlp`: networks' outputs, loss, gradient and SGD steps.
//! - `pytorch_derivatives`: input gradients, Jacobians, Hessian-vector products and
//!   Hessians (`backprop::derivatives`).
//! - `safetensors` (feature `safetensors`): a PyTorch `state_dict` loads and predicts
//!   PyTorch's outputs; saving and loading back is exact; malformed files are refused.

#[path = "../common/mod.rs"]
mod common;

mod pytorch_clipping;
mod pytorch_cross_entropy;
mod pytorch_derivatives;
mod pytorch_groups;
mod pytorch_lbfgs;
mod pytorch_losses;
mod pytorch_mlp;
mod pytorch_optimizers;
mod pytorch_schedules;
mod safetensors;
