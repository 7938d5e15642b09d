//! Activation functions and their derivatives.

use num_traits::Float;

/// An element-wise non-linearity `a = f(z)` and its derivative, as a layer uses them.
///
/// Implement it to plug in an activation of your own; the built-in ones are the variants
/// of [`Activation`].
///
/// # Math
///
/// The backward pass needs `da/dz = f'(z)`. It receives both `z` and `a = f(z)`, because
/// several derivatives are cheapest in terms of the output (sigmoid: `a (1 − a)`).
///
/// ```
/// use backprop::ActivationFunction;
///
/// /// softplus(z) = ln(1 + eᶻ), whose derivative is the logistic sigmoid.
/// struct Softplus;
///
/// impl ActivationFunction<f64> for Softplus {
///     fn value(&self, z: f64) -> f64 {
///         z.exp().ln_1p()
///     }
///     fn derivative(&self, z: f64, _a: f64) -> f64 {
///         1.0 / (1.0 + (-z).exp())
///     }
/// }
///
/// assert_eq!(Softplus.value(0.0), 2f64.ln());
/// ```
pub trait ActivationFunction<T: Float> {
    /// `f(z)`.
    fn value(&self, z: T) -> T;

    /// `f'(z)`, given `z` and `a = f(z)`.
    fn derivative(&self, z: T, a: T) -> T;
}

/// The built-in activations, with PyTorch's conventions at the kinks.
///
/// `T` is the number type of `LeakyRelu`'s slope, so it is converted once, not per call.
///
/// # Math
///
/// ```text
/// Identity      f(z) = z                        f'(z) = 1
/// Sigmoid       f(z) = 1 / (1 + e^(−z))         f'(z) = (1 − a) a
/// Tanh          f(z) = tanh z                   f'(z) = 1 − a²
/// Relu          f(z) = max(z, 0)                f'(z) = 1 if z > 0, else 0
/// LeakyRelu(s)  f(z) = z if z > 0, else s z     f'(z) = 1 if z > 0, else s
/// ```
///
/// At `z = 0` the derivatives of `Relu` and `LeakyRelu` take the value of their left
/// side, as `torch.nn.ReLU` and `torch.nn.LeakyReLU` do.
///
/// ```
/// use backprop::{Activation, ActivationFunction};
///
/// let relu = Activation::Relu;
/// assert_eq!(relu.value(-2.0), 0.0);
/// assert_eq!(relu.derivative(3.0, 3.0), 1.0);
/// assert_eq!(Activation::LeakyRelu(0.01).value(-2.0), -0.02);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Activation<T> {
    /// No non-linearity: the lecture's neuron.
    #[default]
    Identity,
    /// The logistic function.
    Sigmoid,
    /// The hyperbolic tangent.
    Tanh,
    /// The rectified linear unit.
    Relu,
    /// Relu with the given slope for negative inputs (PyTorch's default slope is 0.01).
    LeakyRelu(T),
}

impl<T: Float> ActivationFunction<T> for Activation<T> {
    fn value(&self, z: T) -> T {
        match *self {
            Activation::Identity => z,
            Activation::Sigmoid => T::one() / (T::one() + (-z).exp()),
            Activation::Tanh => z.tanh(),
            Activation::Relu => {
                if z > T::zero() {
                    z
                } else {
                    T::zero()
                }
            }
            Activation::LeakyRelu(slope) => {
                if z > T::zero() {
                    z
                } else {
                    z * slope
                }
            }
        }
    }

    fn derivative(&self, z: T, a: T) -> T {
        match *self {
            Activation::Identity => T::one(),
            Activation::Sigmoid => (T::one() - a) * a,
            Activation::Tanh => T::one() - a * a,
            Activation::Relu => {
                if z > T::zero() {
                    T::one()
                } else {
                    T::zero()
                }
            }
            Activation::LeakyRelu(slope) => {
                if z > T::zero() {
                    T::one()
                } else {
                    slope
                }
            }
        }
    }
}

impl<T: Float> Activation<T> {
    /// Whether the activation's own parameters are usable (a finite LeakyRelu slope).
    pub fn is_valid(&self) -> bool {
        match *self {
            Activation::LeakyRelu(slope) => slope.is_finite(),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Activation<f64>; 5] = [
        Activation::Identity,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu(0.1),
    ];

    #[test]
    fn derivatives_match_central_differences_away_from_kinks() {
        let h = 1e-6;
        for act in ALL {
            for &z in &[-2.5, -0.3, 0.4, 1.7] {
                let numeric = (act.value(z + h) - act.value(z - h)) / (2.0 * h);
                let analytic = act.derivative(z, act.value(z));
                approx::assert_abs_diff_eq!(analytic, numeric, epsilon = 1e-8);
            }
        }
    }

    #[test]
    fn kinks_follow_pytorch() {
        assert_eq!(Activation::Relu.derivative(0.0, 0.0), 0.0);
        assert_eq!(Activation::LeakyRelu(0.2).derivative(0.0, 0.0), 0.2);
    }
}
