//! Huber loss: quadratic near the target, linear beyond `delta`.

use num_traits::Float;

use super::{
    elementwise::{mean_and_gradient, mean_of},
    Loss,
};
use crate::cast::cast;
use crate::error::{check_positive, Error};

/// Huber loss over the outputs of a sample (PyTorch's `nn.HuberLoss`).
///
/// # Math
///
/// For `n` outputs, with `dᵢ = ŷᵢ − yᵢ` and `δ = delta > 0`:
///
/// ```text
/// ℓ(d)   = ½ d²              if |d| < δ
///          δ (|d| − ½ δ)     otherwise
/// L      = (1/n) Σᵢ ℓ(dᵢ)
/// ∂L/∂ŷᵢ = (1/n) clamp(dᵢ, −δ, δ)
/// ```
///
/// Both pieces and their slopes meet at `|d| = δ`, so the gradient is continuous there.
/// With `δ = 1` it equals [`SmoothL1`](crate::SmoothL1) with `beta = 1`.
///
/// ```
/// use backprop::{Huber, Loss};
///
/// let huber = Huber::new(1.0);
/// let mut grad = [0.0; 2];
/// let loss = huber.gradient(&[0.5, 3.0], &[0.0, 0.0], &mut grad);
/// assert_eq!(loss, (0.125 + 2.5) / 2.0); // ½·0.5², 1·(3 − ½)
/// assert_eq!(grad, [0.25, 0.5]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Huber<T> {
    delta: T,
}

impl<T: Float> Huber<T> {
    /// Huber loss with threshold `delta` (PyTorch's default is `1.0`).
    ///
    /// This only stores `delta`; [`Trainer::new`](crate::Trainer::new) refuses a `delta`
    /// that is not finite and positive (PyTorch refuses `delta ≤ 0` too, and accepts
    /// `+∞`, where the loss is `½ d²`: use [`Mse`](crate::Mse) for that).
    pub fn new(delta: T) -> Self {
        Self { delta }
    }

    /// The threshold between the quadratic and the linear piece.
    pub fn delta(&self) -> T {
        self.delta
    }

    fn elementwise(&self, d: T) -> T {
        let half: T = cast(0.5);
        let z = d.abs();
        if z < self.delta {
            half * z * z
        } else {
            self.delta * (z - half * self.delta)
        }
    }
}

impl<T: Float> Huber<T> {
    /// `clamp(d, −δ, δ)`, written out so that a NaN `d` stays NaN.
    fn slope(&self, d: T) -> T {
        if d < -self.delta {
            -self.delta
        } else if d > self.delta {
            self.delta
        } else {
            d
        }
    }
}

impl<T: Float> Loss<T> for Huber<T> {
    fn value(&self, prediction: &[T], target: &[T]) -> T {
        mean_of(prediction, target, |p, y| self.elementwise(p - y))
    }

    fn gradient(&self, prediction: &[T], target: &[T], grad: &mut [T]) -> T {
        mean_and_gradient(
            prediction,
            target,
            grad,
            |p, y| self.elementwise(p - y),
            |p, y| self.slope(p - y),
        )
    }

    fn validate(&self) -> Result<(), Error> {
        check_positive("delta", self.delta)
    }
}
