//! PyTorch's strong Wolfe line search (`_strong_wolfe` and `_cubic_interpolate` in
//! `torch/optim/lbfgs.py`, ported from Torch7's `lswolfe.lua`), step for step.

use num_traits::Float;

use super::Objective;
use crate::cast::cast;
use crate::error::Error;

/// The line `x + t·d` being searched, and the loss `f` and slope `gtd = g·d` at `t = 0`.
pub(super) struct Line<'a, T> {
    pub(super) x: &'a [T],
    pub(super) d: &'a [T],
    pub(super) f: T,
    pub(super) gtd: T,
}

/// Where the search stopped: the step `t` and the loss there (its gradient is in `grad`).
pub(super) struct Found<T> {
    pub(super) t: T,
    pub(super) loss: T,
    pub(super) evaluations: usize,
}

/// One end of a bracket: a step, its loss, its slope and the slot holding its gradient.
#[derive(Clone, Copy)]
struct Point<T> {
    t: T,
    f: T,
    gtd: T,
    slot: usize,
}

/// The search's evaluations: the point `x + t·d` is built in `trial`, the gradient
/// written into one of three slots of `slots` (PyTorch's `g_prev`, `g_new` and the
/// bracket's gradients, which it clones; here they change slots instead).
struct Probe<'o, 'a, 's, T> {
    objective: &'o mut Objective<'a, T>,
    trial: &'s mut [T],
    slots: &'s mut [T],
    evaluations: usize,
}

impl<T: Float> Probe<'_, '_, '_, T> {
    /// Loss and slope at `x + t·d`, the gradient into `slot` (`_directional_evaluate`).
    fn at(&mut self, line: &Line<'_, T>, t: T, slot: usize) -> Result<(T, T), Error> {
        for ((p, &x), &d) in self.trial.iter_mut().zip(line.x).zip(line.d) {
            *p = x + t * d;
        }
        let n = self.trial.len();
        let g = &mut self.slots[slot * n..(slot + 1) * n];
        let f = self.objective.evaluate(self.trial, g)?;
        self.evaluations += 1;
        Ok((f, dot(self.slot(slot), line.d)))
    }

    fn slot(&mut self, k: usize) -> &mut [T] {
        let n = self.trial.len();
        &mut self.slots[k * n..(k + 1) * n]
    }
}

/// Searches `line` from step `t` for a point satisfying the strong Wolfe conditions
/// (docs/math.md, 46–47) with PyTorch's `c1 = 1e-4`, `c2 = 0.9`, `tolerance_change =
/// 1e-9` (its defaults, which `LBFGS.step` never overrides) and at most `max_ls`
/// iterations, always evaluating at least once. `grad` holds the gradient at `t = 0` and
/// receives the one at the step found; `scratch` holds `4·n` values.
pub(super) fn strong_wolfe<T: Float>(
    objective: &mut Objective<'_, T>,
    line: &Line<'_, T>,
    t: T,
    grad: &mut [T],
    scratch: &mut [T],
    max_ls: usize,
) -> Result<Found<T>, Error> {
    let (trial, slots) = scratch.split_at_mut(grad.len());
    let mut probe = Probe {
        objective,
        trial,
        slots,
        evaluations: 0,
    };
    let (c1, c2): (T, T) = (cast(1e-4), cast(0.9));
    let sufficient = |t: T, f_new: T| f_new > line.f + c1 * t * line.gtd;
    let curvature = |gtd_new: T| gtd_new.abs() <= -c2 * line.gtd;

    // Bracketing: slots 0, 1, 2 hold g_prev, g_new and a spare.
    let (mut prev_slot, mut new_slot) = (0, 1);
    let (mut f_new, mut gtd_new) = probe.at(line, t, new_slot)?;
    probe.slot(prev_slot).copy_from_slice(grad);
    let mut prev = Point {
        t: T::zero(),
        f: line.f,
        gtd: line.gtd,
        slot: prev_slot,
    };
    let mut t = t;
    let mut done = false;
    let mut ls_iter = 0;
    let mut bracket = None;
    while ls_iter < max_ls {
        let new = Point {
            t,
            f: f_new,
            gtd: gtd_new,
            slot: new_slot,
        };
        if sufficient(t, f_new) || (ls_iter > 1 && f_new >= prev.f) {
            bracket = Some([prev, new]);
            break;
        }
        if curvature(gtd_new) {
            bracket = Some([new, new]);
            done = true;
            break;
        }
        if gtd_new >= T::zero() {
            bracket = Some([prev, new]);
            break;
        }
        let min_step = t + cast::<T>(0.01) * (t - prev.t);
        let max_step = t * cast(10);
        t = cubic_interpolate(prev, new, Some((min_step, max_step)));
        prev = new;
        core::mem::swap(&mut prev_slot, &mut new_slot);
        (f_new, gtd_new) = probe.at(line, t, new_slot)?;
        ls_iter += 1;
    }
    let mut bracket = bracket.unwrap_or_else(|| {
        // out of iterations: the bracket is [0, t], with the gradient at 0 in g_prev's slot
        probe.slot(prev_slot).copy_from_slice(grad);
        let start = Point {
            t: T::zero(),
            f: line.f,
            gtd: line.gtd,
            slot: prev_slot,
        };
        [
            start,
            Point {
                t,
                f: f_new,
                gtd: gtd_new,
                slot: new_slot,
            },
        ]
    });

    // Zoom: shrink the bracket around a point satisfying both conditions.
    let taken = |k: &usize| *k == bracket[0].slot || *k == bracket[1].slot;
    let mut spare = (0..3).find(|k| !taken(k)).unwrap_or(2);
    let order = |b: &[Point<T>; 2]| if b[0].f <= b[1].f { (0, 1) } else { (1, 0) };
    let (mut low, mut high) = order(&bracket);
    let d_norm = line.d.iter().fold(T::zero(), |m, d| python_max(m, d.abs()));
    let mut insuf_progress = false;
    while !done && ls_iter < max_ls {
        if (bracket[1].t - bracket[0].t).abs() * d_norm < cast(1e-9) {
            break;
        }
        let t = away_from_ends(
            &bracket,
            cubic_interpolate(bracket[0], bracket[1], None),
            &mut insuf_progress,
        );
        let (f_new, gtd_new) = probe.at(line, t, spare)?;
        ls_iter += 1;
        let new = Point {
            t,
            f: f_new,
            gtd: gtd_new,
            slot: spare,
        };
        if sufficient(t, f_new) || f_new >= bracket[low].f {
            spare = bracket[high].slot;
            bracket[high] = new;
            (low, high) = order(&bracket);
        } else {
            if curvature(gtd_new) {
                done = true;
            } else if gtd_new * (bracket[high].t - bracket[low].t) >= T::zero() {
                spare = bracket[high].slot; // the old high's gradient is dropped
                bracket[high] = bracket[low];
                bracket[low] = new;
                continue;
            }
            spare = bracket[low].slot;
            bracket[low] = new;
        }
    }

    let found = bracket[low];
    grad.copy_from_slice(probe.slot(found.slot));
    Ok(Found {
        t: found.t,
        loss: found.f,
        evaluations: probe.evaluations,
    })
}

/// The zoom's safeguard: a trial within a tenth of the bracket's width of an end moves
/// that tenth inside if it is at or beyond the end, or if the last trial was also that
/// close (`insuf_progress`).
fn away_from_ends<T: Float>(bracket: &[Point<T>; 2], t: T, insuf_progress: &mut bool) -> T {
    let (hi, lo) = (
        python_max(bracket[0].t, bracket[1].t),
        python_min(bracket[0].t, bracket[1].t),
    );
    let eps = cast::<T>(0.1) * (hi - lo);
    if python_min(hi - t, t - lo) >= eps {
        *insuf_progress = false;
        return t;
    }
    if *insuf_progress || t >= hi || t <= lo {
        *insuf_progress = false;
        if (t - hi).abs() < (t - lo).abs() {
            hi - eps
        } else {
            lo + eps
        }
    } else {
        *insuf_progress = true;
        t
    }
}

/// The minimizer of the cubic through two points with their losses and slopes, kept
/// within `bounds` (default: between the points); their midpoint when the cubic has no
/// minimum (docs/math.md, 48).
fn cubic_interpolate<T: Float>(p1: Point<T>, p2: Point<T>, bounds: Option<(T, T)>) -> T {
    let (x1, f1, g1, x2, f2, g2) = (p1.t, p1.f, p1.gtd, p2.t, p2.f, p2.gtd);
    let (lo, hi) = bounds.unwrap_or(if x1 <= x2 { (x1, x2) } else { (x2, x1) });
    let d1 = g1 + g2 - cast::<T>(3) * (f1 - f2) / (x1 - x2);
    let d2_square = d1 * d1 - g1 * g2;
    if d2_square >= T::zero() {
        let d2 = d2_square.sqrt();
        let two = cast::<T>(2);
        let min_pos = if x1 <= x2 {
            x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + two * d2))
        } else {
            x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + two * d2))
        };
        python_min(python_max(min_pos, lo), hi)
    } else {
        (lo + hi) / cast(2)
    }
}

/// Python's `max(a, b)`: `a` unless `b` is greater (so NaN in `b` keeps `a`).
fn python_max<T: Float>(a: T, b: T) -> T {
    if b > a {
        b
    } else {
        a
    }
}

/// Python's `min(a, b)`: `a` unless `b` is smaller.
pub(super) fn python_min<T: Float>(a: T, b: T) -> T {
    if b < a {
        b
    } else {
        a
    }
}

/// `Σ aᵢ·bᵢ`, in order.
pub(super) fn dot<T: Float>(a: &[T], b: &[T]) -> T {
    a.iter().zip(b).fold(T::zero(), |sum, (&a, &b)| sum + a * b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(t: f64, f: f64, gtd: f64) -> Point<f64> {
        Point { t, f, gtd, slot: 0 }
    }

    #[test]
    fn the_cubic_through_a_parabola_finds_its_minimum() {
        // f(x) = (x − 1)², f' = 2(x − 1): the cubic through two points is the parabola
        let (p1, p2) = (point(0.0, 1.0, -2.0), point(3.0, 4.0, 4.0));
        assert_eq!(cubic_interpolate(p1, p2, None), 1.0);
        assert_eq!(cubic_interpolate(p2, p1, None), 1.0); // either order
        assert_eq!(cubic_interpolate(p1, p2, Some((1.5, 2.0))), 1.5); // clamped
    }

    #[test]
    fn a_cubic_without_a_minimum_gives_the_midpoint_of_the_bounds() {
        // g₁ = g₂ = 2, f₂ − f₁ = x₂ − x₁ = 1: d₁ = 4 − 3 = 1, d₁² − g₁g₂ = −3 < 0
        let (p1, p2) = (point(0.0, 0.0, 2.0), point(1.0, 1.0, 2.0));
        assert_eq!(cubic_interpolate(p1, p2, Some((0.0, 0.5))), 0.25);
    }
}
