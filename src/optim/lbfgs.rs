//! L-BFGS: a quasi-Newton direction from the last steps' gradients, PyTorch's
//! `torch.optim.LBFGS`.

use num_traits::Float;

use super::strong_wolfe::{dot, python_min, strong_wolfe, Line};
use super::{Objective, Optimizer, UpdateRule};
use crate::cast::cast;
use crate::error::{check_non_negative, check_positive_count, invalid, Error};

/// How L-BFGS chooses the length of its step along the direction it computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum LineSearch {
    /// A fixed step of `lr` (the first iteration: `lr·min(1, 1/‖g‖₁)`), re-evaluating
    /// after it; PyTorch's `line_search_fn=None`, the default.
    None,
    /// A search satisfying the strong Wolfe conditions (docs/math.md, 46–47), PyTorch's
    /// `line_search_fn="strong_wolfe"`.
    StrongWolfe,
}

/// Limited-memory BFGS (PyTorch's `torch.optim.LBFGS`).
///
/// One step is PyTorch's `.step(closure)`: up to `max_iter` iterations, each a direction
/// from the two-loop recursion over the last `history_size` pairs of parameter and
/// gradient changes (docs/math.md, 41–45) and a step along it, evaluating the loss and
/// gradient again (through the [`Objective`]) as often as the algorithm needs, at most
/// `max_eval` times in all. The step's loss is that of the first evaluation, as
/// PyTorch's return value. Through a [`Trainer`](crate::Trainer), each evaluation is a
/// forward, loss and backward pass on the step's batch, and
/// [`Step::evaluations`](crate::Step::evaluations) counts them; it is meant for
/// full-batch training. After the step,
/// [`Trainer::gradients`](crate::Trainer::gradients) holds the first evaluation's
/// gradient and [`Trainer::prediction`](crate::Trainer::prediction) the last one's
/// outputs. Clipping, if set, applies to every evaluation's gradient, as a PyTorch
/// closure that clips would.
///
/// # Math
///
/// At iteration `k` with gradient `g`, history `sᵢ = θᵢ₊₁ − θᵢ`, `yᵢ = gᵢ₊₁ − gᵢ`:
///
/// ```text
/// d  = −H·g                 the two-loop recursion, H ≈ ∇²L⁻¹ (d = −g at first)
/// θ ← θ + t·d               t = lr, or the strong Wolfe line search's step
/// ```
///
/// An iteration stores `(s, y)` only if `y·s > 1e-10`. Iterations stop early when
/// `max|g| ≤ tolerance_grad`, when `g·d > −tolerance_change`, when
/// `max|t·d| ≤ tolerance_change` or when the loss changed by less than
/// `tolerance_change`, exactly as PyTorch's do.
///
/// Without an objective ([`Optimizer::step`]) an update is one iteration with a fixed
/// step and no re-evaluation: PyTorch's LBFGS with `max_iter=1`, `line_search_fn=None`.
///
/// # Defaults (PyTorch's)
///
/// lr 1 (given to [`new`](Self::new) here), max_iter 20, max_eval `max_iter·5/4`
/// (rounded down), tolerance_grad 1e-7, tolerance_change 1e-9, history_size 100, no line
/// search. PyTorch's `maximize` is not offered.
///
/// # State
///
/// With `n` parameters and `m = history_size`, `(2m + 7)·n + 2m + 6` values:
/// `[y… (m·n), s… (m·n), ρ (m), α (m), d (n), previous g (n), g (n), scratch (4n),
/// t, H_diag, n_iter, func_evals, history length, history start]`: PyTorch's
/// `old_dirs`, `old_stps`, `ro`, `al`, `d`, `prev_flat_grad`, `t`, `H_diag`, `n_iter`
/// and `func_evals` (the last two counted in `T`, exact below 2^mantissa), the history a
/// ring buffer instead of a list. `prev_loss` is not kept: PyTorch sets it before every
/// use.
///
/// # Errors
///
/// [`Optimizer::validate`] refuses an initial `lr` that is not positive and finite
/// (PyTorch refuses only a negative one), a `max_iter`, `max_eval` or `history_size` of 0
/// (PyTorch fails on them mid-step), a `history_size` that `T` cannot count exactly, and
/// a negative or non-finite `tolerance_grad` or `tolerance_change` (PyTorch does not
/// check them).
///
/// ```
/// use backprop::{Lbfgs, LineSearch, Optimizer};
///
/// // L(θ) = (θ₀ − 1)² + 10·(θ₁ + 2)²
/// let mut loss_and_gradient = |p: &[f64], g: &mut [f64]| {
///     g[0] = 2.0 * (p[0] - 1.0);
///     g[1] = 20.0 * (p[1] + 2.0);
///     Ok((p[0] - 1.0).powi(2) + 10.0 * (p[1] + 2.0).powi(2))
/// };
/// let mut lbfgs = Lbfgs::new(1.0).line_search(LineSearch::StrongWolfe);
/// lbfgs.validate()?;
/// let mut theta = [0.0, 0.0];
/// let mut g = [0.0; 2];
/// let loss = loss_and_gradient(&theta, &mut g)?;
/// let evaluations = lbfgs.step_with(&mut theta, &g, loss, &mut loss_and_gradient)?;
/// assert!((theta[0] - 1.0).abs() < 1e-6 && (theta[1] + 2.0).abs() < 1e-6);
/// assert!(evaluations > 2);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Lbfgs<T> {
    max_iter: usize,
    max_eval: Option<usize>,
    tolerance_grad: T,
    tolerance_change: T,
    history_size: usize,
    line_search: LineSearch,
}

/// State values after the vectors: t, H_diag, n_iter, func_evals, history length, start.
const SCALARS: usize = 6;
/// Scratch vectors: the line search's trial point and three gradients.
const SCRATCH: usize = 4;

impl<T: Float> Lbfgs<T> {
    /// L-BFGS at learning rate `lr`, with PyTorch's defaults for the rest.
    ///
    /// The builder methods below set the other hyper-parameters; [`Optimizer::validate`]
    /// (which [`Trainer::new`](crate::Trainer::new) calls) checks them.
    pub fn new(lr: T) -> Optimizer<T, Self> {
        let rule = Self {
            max_iter: 20,
            max_eval: None,
            tolerance_grad: cast(1e-7),
            tolerance_change: cast(1e-9),
            history_size: 100,
            line_search: LineSearch::None,
        };
        Optimizer::new(rule, lr)
    }

    /// The evaluation budget of one step: `max_eval`, or PyTorch's `max_iter·5/4`.
    fn max_evaluations(&self) -> usize {
        self.max_eval.unwrap_or(self.max_iter.saturating_mul(5) / 4)
    }
}

impl<T: Float> Optimizer<T, Lbfgs<T>> {
    /// Iterations per step at most (default 20).
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.rule.max_iter = max_iter;
        self
    }

    /// Evaluations of the loss and gradient per step at most, the first included
    /// (default `max_iter·5/4`, rounded down). The line search always evaluates at least
    /// once, so a step may exceed it by one, as in PyTorch.
    pub fn max_eval(mut self, max_eval: usize) -> Self {
        self.rule.max_eval = Some(max_eval);
        self
    }

    /// The step ends once every gradient component is at most this in magnitude
    /// (default 1e-7).
    pub fn tolerance_grad(mut self, tolerance_grad: T) -> Self {
        self.rule.tolerance_grad = tolerance_grad;
        self
    }

    /// The step ends once the loss, the parameters or the slope along the direction
    /// change by less than this (default 1e-9).
    pub fn tolerance_change(mut self, tolerance_change: T) -> Self {
        self.rule.tolerance_change = tolerance_change;
        self
    }

    /// How many pairs of changes the inverse Hessian is built from (default 100).
    pub fn history_size(mut self, history_size: usize) -> Self {
        self.rule.history_size = history_size;
        self
    }

    /// How the step length is chosen (default [`LineSearch::None`]).
    pub fn line_search(mut self, line_search: LineSearch) -> Self {
        self.rule.line_search = line_search;
        self
    }
}

impl<T: Float> UpdateRule<T> for Lbfgs<T> {
    fn state_len(&self, params: usize) -> usize {
        let m = self.history_size;
        (2 * m + 3 + SCRATCH)
            .saturating_mul(params)
            .saturating_add(2 * m + SCALARS)
    }

    fn update(&self, _t: u64, lr: T, params: &mut [T], grads: &[T], state: &mut [T]) {
        let mut never = |_: &[T], _: &mut [T]| Err(Error::EmptyBatch);
        let mut objective = Objective::new(T::zero(), &mut never);
        let once = Plan {
            max_iter: 1,
            max_eval: 1,
            line_search: LineSearch::None,
        };
        // one fixed step never re-evaluates, so this cannot fail
        let _ = self.run(once, lr, params, grads, state, &mut objective);
    }

    fn evaluates(&self) -> bool {
        true
    }

    fn update_with(
        &self,
        _t: u64,
        lr: T,
        params: &mut [T],
        grads: &[T],
        state: &mut [T],
        objective: &mut Objective<'_, T>,
    ) -> Result<(), Error> {
        let plan = Plan {
            max_iter: self.max_iter,
            max_eval: self.max_evaluations(),
            line_search: self.line_search,
        };
        self.run(plan, lr, params, grads, state, objective)
    }

    fn validate(&self) -> Result<(), Error> {
        check_positive_count("max_iter", self.max_iter)?;
        check_positive_count("max_eval", self.max_evaluations())?;
        check_positive_count("history_size", self.history_size)?;
        let counted: T = cast(self.history_size);
        if counted.to_usize() != Some(self.history_size) {
            let value: f64 = cast(self.history_size);
            return Err(invalid(
                "history_size",
                value,
                "a count the float type represents exactly",
            ));
        }
        check_non_negative("tolerance_grad", self.tolerance_grad)?;
        check_non_negative("tolerance_change", self.tolerance_change)
    }
}

/// What one call runs: the limits and the line search.
#[derive(Clone, Copy)]
struct Plan {
    max_iter: usize,
    max_eval: usize,
    line_search: LineSearch,
}

impl<T: Float> Lbfgs<T> {
    /// PyTorch's `LBFGS.step`, its loop and its stopping tests in its order.
    fn run(
        &self,
        plan: Plan,
        lr: T,
        x: &mut [T],
        grads: &[T],
        state: &mut [T],
        objective: &mut Objective<'_, T>,
    ) -> Result<(), Error> {
        let mut h = History::split(state, x.len(), self.history_size);
        let tolerance_change = self.tolerance_change;
        let mut loss = objective.loss();
        h.grad.copy_from_slice(grads);
        h.count_evaluations(1);
        let converged = |g: &[T]| max_abs(g) <= self.tolerance_grad;
        if converged(h.grad) {
            return Ok(());
        }
        let mut current_evals = 1;
        for n_iter in 1..=plan.max_iter {
            let first = h.next_iteration();
            if first {
                h.steepest_descent();
            } else {
                h.remember();
                h.two_loop();
            }
            h.prev_grad.copy_from_slice(h.grad);
            let prev_loss = loss;
            let mut t = if first {
                python_min(T::one(), T::one() / sum_abs(h.grad)) * lr
            } else {
                lr
            };
            h.scalars[T_STEP] = t;
            let gtd = dot(h.grad, h.d);
            if gtd > -tolerance_change {
                break;
            }
            let mut opt_cond = false;
            let evaluations = match plan.line_search {
                LineSearch::StrongWolfe => {
                    let line = Line {
                        x,
                        d: h.d,
                        f: loss,
                        gtd,
                    };
                    let max_ls = plan.max_eval.saturating_sub(current_evals);
                    let found = strong_wolfe(objective, &line, t, h.grad, h.scratch, max_ls)?;
                    (loss, t) = (found.loss, found.t);
                    add_scaled(x, t, h.d);
                    opt_cond = converged(h.grad);
                    found.evaluations
                }
                LineSearch::None => {
                    add_scaled(x, t, h.d);
                    if n_iter == plan.max_iter {
                        0
                    } else {
                        loss = objective.evaluate(x, h.grad)?;
                        opt_cond = converged(h.grad);
                        1
                    }
                }
            };
            h.scalars[T_STEP] = t;
            current_evals += evaluations;
            h.count_evaluations(evaluations);

            let no_progress = max_abs_scaled(h.d, t) <= tolerance_change
                || (loss - prev_loss).abs() < tolerance_change;
            if n_iter == plan.max_iter || current_evals >= plan.max_eval || opt_cond || no_progress
            {
                break;
            }
        }
        Ok(())
    }
}

const T_STEP: usize = 0;
const H_DIAG: usize = 1;
const N_ITER: usize = 2;
const FUNC_EVALS: usize = 3;
const LEN: usize = 4;
const START: usize = 5;

/// The state, split into its named parts (see [`Lbfgs`]'s `# State`).
struct History<'s, T> {
    n: usize,
    m: usize,
    dirs: &'s mut [T],
    stps: &'s mut [T],
    ro: &'s mut [T],
    al: &'s mut [T],
    d: &'s mut [T],
    prev_grad: &'s mut [T],
    grad: &'s mut [T],
    scratch: &'s mut [T],
    scalars: &'s mut [T],
}

impl<'s, T: Float> History<'s, T> {
    fn split(state: &'s mut [T], n: usize, m: usize) -> Self {
        let (dirs, rest) = state.split_at_mut(m * n);
        let (stps, rest) = rest.split_at_mut(m * n);
        let (ro, rest) = rest.split_at_mut(m);
        let (al, rest) = rest.split_at_mut(m);
        let (d, rest) = rest.split_at_mut(n);
        let (prev_grad, rest) = rest.split_at_mut(n);
        let (grad, rest) = rest.split_at_mut(n);
        let (scratch, scalars) = rest.split_at_mut(SCRATCH * n);
        Self {
            n,
            m,
            dirs,
            stps,
            ro,
            al,
            d,
            prev_grad,
            grad,
            scratch,
            scalars,
        }
    }

    fn count_evaluations(&mut self, evaluations: usize) {
        self.scalars[FUNC_EVALS] = self.scalars[FUNC_EVALS] + cast(evaluations);
    }

    /// Counts an iteration; true for the first one ever (PyTorch's `n_iter == 1`).
    fn next_iteration(&mut self) -> bool {
        self.scalars[N_ITER] = self.scalars[N_ITER] + T::one();
        self.scalars[N_ITER] == T::one()
    }

    fn len(&self) -> usize {
        self.scalars[LEN].to_usize().unwrap_or(0)
    }

    /// The ring-buffer position of the `i`-th oldest pair.
    fn position(&self, i: usize) -> usize {
        (self.scalars[START].to_usize().unwrap_or(0) + i) % self.m
    }

    /// `d = −g`, an empty history and `H_diag = 1`.
    fn steepest_descent(&mut self) {
        for (d, &g) in self.d.iter_mut().zip(self.grad.iter()) {
            *d = -g;
        }
        self.scalars[LEN] = T::zero();
        self.scalars[START] = T::zero();
        self.scalars[H_DIAG] = T::one();
    }

    /// Stores `y = g − g_prev`, `s = t·d` if `y·s > 1e-10`, dropping the oldest pair
    /// when full, and rescales `H_diag = y·s / y·y` (docs/math.md, 41).
    fn remember(&mut self) {
        let t = self.scalars[T_STEP];
        let ys = self
            .grad
            .iter()
            .zip(self.prev_grad.iter())
            .zip(self.d.iter())
            .fold(T::zero(), |sum, ((&g, &p), &d)| sum + (g - p) * (d * t));
        if ys <= cast(1e-10) {
            return;
        }
        let mut len = self.len();
        if len == self.m {
            self.scalars[START] = cast(self.position(1));
            len -= 1;
        }
        let slot = self.position(len);
        self.scalars[LEN] = cast(len + 1);
        let rows = slot * self.n..(slot + 1) * self.n;
        let (y, s) = (&mut self.dirs[rows.clone()], &mut self.stps[rows]);
        for (((y, s), (&g, &p)), &d) in y
            .iter_mut()
            .zip(s.iter_mut())
            .zip(self.grad.iter().zip(self.prev_grad.iter()))
            .zip(self.d.iter())
        {
            *y = g - p;
            *s = d * t;
        }
        self.ro[slot] = T::one() / ys;
        self.scalars[H_DIAG] = ys / dot(y, y);
    }

    /// `d = −H·g` by the two-loop recursion (docs/math.md, 42–45), in PyTorch's order.
    fn two_loop(&mut self) {
        let (n, len) = (self.n, self.len());
        for (d, &g) in self.d.iter_mut().zip(self.grad.iter()) {
            *d = -g;
        }
        for i in (0..len).rev() {
            let k = self.position(i);
            let (y, s) = (
                &self.dirs[k * n..(k + 1) * n],
                &self.stps[k * n..(k + 1) * n],
            );
            let al = dot(s, self.d) * self.ro[k];
            self.al[i] = al;
            add_scaled(self.d, -al, y);
        }
        let h_diag = self.scalars[H_DIAG];
        self.d.iter_mut().for_each(|d| *d = *d * h_diag);
        for i in 0..len {
            let k = self.position(i);
            let (y, s) = (
                &self.dirs[k * n..(k + 1) * n],
                &self.stps[k * n..(k + 1) * n],
            );
            let be = dot(y, self.d) * self.ro[k];
            add_scaled(self.d, self.al[i] - be, s);
        }
    }
}

/// `x ← x + a·v`, PyTorch's `x.add_(v, alpha=a)`.
fn add_scaled<T: Float>(x: &mut [T], a: T, v: &[T]) {
    for (x, &v) in x.iter_mut().zip(v) {
        *x = *x + a * v;
    }
}

fn max_abs<T: Float>(v: &[T]) -> T {
    v.iter().fold(T::zero(), |m, x| m.max(x.abs()))
}

fn max_abs_scaled<T: Float>(v: &[T], t: T) -> T {
    v.iter().fold(T::zero(), |m, x| m.max((*x * t).abs()))
}

fn sum_abs<T: Float>(v: &[T]) -> T {
    v.iter().fold(T::zero(), |s, x| s + x.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_without_an_objective_is_one_fixed_iteration() {
        // PyTorch with max_iter=1: d = −g, t = lr·min(1, 1/‖g‖₁), no re-evaluation
        let mut lbfgs = Lbfgs::new(0.1).line_search(LineSearch::StrongWolfe);
        let mut theta = [1.0, 2.0];
        lbfgs.step(&mut theta, &[2.0, -1.0]).unwrap();
        let t = 0.1 * (1.0 / 3.0);
        assert_eq!(theta, [1.0 + t * -2.0, 2.0 + t * 1.0]);
        let scalars = &lbfgs.state()[lbfgs.state().len() - SCALARS..];
        assert_eq!(scalars, [t, 1.0, 1.0, 1.0, 0.0, 0.0]);
    }
}
