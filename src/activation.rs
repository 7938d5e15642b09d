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

    /// `a = f(z)` for a whole slice: what a layer calls in its forward pass.
    ///
    /// The default calls [`value`](Self::value) per element; override it with a loop the
    /// compiler can vectorise if your activation is costly.
    ///
    /// # Panics
    ///
    /// If `z` and `a` differ in length.
    fn forward_slice(&self, z: &[T], a: &mut [T]) {
        assert_eq!(z.len(), a.len(), "activation length");
        for (a, &z) in a.iter_mut().zip(z) {
            *a = self.value(z);
        }
    }

    /// `∂L/∂z = ∂L/∂a · f'(z)` for one value, given `z`, `a = f(z)` and `upstream = ∂L/∂a`:
    /// one step of the chain rule, what a one-output layer calls per sample.
    ///
    /// The default multiplies by [`derivative`](Self::derivative); override it where the
    /// product is known without a multiplication (the identity's is `upstream` itself).
    ///
    /// ```
    /// use backprop::{Activation, ActivationFunction};
    ///
    /// let tanh = Activation::Tanh;
    /// let a = tanh.value(0.5f64);
    /// assert_eq!(tanh.backward(0.5, a, 2.0), 2.0 * (1.0 - a * a));
    /// assert_eq!(Activation::Identity.backward(0.5, 0.5, 2.0), 2.0);
    /// ```
    fn backward(&self, z: T, a: T, upstream: T) -> T {
        upstream * self.derivative(z, a)
    }

    /// `g ← g ⊙ f'(z)` for a whole slice, given `z` and `a = f(z)`: turns `∂L/∂A` into
    /// `∂L/∂Z` in a layer's backward pass.
    ///
    /// The default calls [`derivative`](Self::derivative) per element.
    ///
    /// # Panics
    ///
    /// If `z`, `a` and `g` differ in length.
    fn backward_slice(&self, z: &[T], a: &[T], g: &mut [T]) {
        assert_eq!(z.len(), g.len(), "activation length");
        assert_eq!(a.len(), g.len(), "activation length");
        for ((g, &z), &a) in g.iter_mut().zip(z).zip(a) {
            *g = *g * self.derivative(z, a);
        }
    }
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
    #[inline]
    fn value(&self, z: T) -> T {
        match *self {
            Activation::Identity => z,
            Activation::Sigmoid => sigmoid(z),
            Activation::Tanh => z.tanh(),
            Activation::Relu => relu(z),
            Activation::LeakyRelu(slope) => leaky_relu(z, slope),
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

    /// [`value`](ActivationFunction::value) for every element. (A
    /// [`Network`](crate::Network) in `f32` or `f64` runs tanh and sigmoid through a
    /// vectorised approximation instead, a few ulp from `std`'s.)
    ///
    /// Always inlined, as [`backward_slice`](Self::backward_slice) is, for the width of
    /// the wide-vector build that calls it.
    #[inline(always)]
    fn forward_slice(&self, z: &[T], a: &mut [T]) {
        // One loop per variant, with no match inside, so that it vectorises.
        assert_eq!(z.len(), a.len(), "activation length");
        match *self {
            // A copy: the identity stays an exact no-op.
            Activation::Identity => a.copy_from_slice(z),
            Activation::Sigmoid => map(a, z, sigmoid),
            Activation::Tanh => map(a, z, T::tanh),
            Activation::Relu => map(a, z, relu),
            Activation::LeakyRelu(slope) => map(a, z, |z| leaky_relu(z, slope)),
        }
    }

    /// The identity passes `upstream` through and the ReLUs pick it or zero; the rules
    /// are [`backward_slice`](Self::backward_slice)'s.
    fn backward(&self, z: T, a: T, upstream: T) -> T {
        match *self {
            Activation::Identity => upstream,
            Activation::Sigmoid => sigmoid_backward(upstream, a),
            Activation::Tanh => tanh_backward(upstream, a),
            Activation::Relu => relu_backward(upstream, z),
            Activation::LeakyRelu(slope) => leaky_relu_backward(upstream, z, slope),
        }
    }

    /// `g ← g ⊙ f'(z)` with the derivatives in [`Activation`]'s table; one loop per variant.
    ///
    /// Always inlined: called inside the wide-vector build of a layer's backward pass, its
    /// loops take that build's width only when compiled into it.
    #[inline(always)]
    fn backward_slice(&self, z: &[T], a: &[T], g: &mut [T]) {
        assert_eq!(z.len(), g.len(), "activation length");
        assert_eq!(a.len(), g.len(), "activation length");
        match *self {
            // f'(z) = 1: g stays exactly as it is.
            Activation::Identity => {}
            Activation::Sigmoid => each(g, a, sigmoid_backward),
            Activation::Tanh => each(g, a, tanh_backward),
            Activation::Relu => each(g, z, relu_backward),
            Activation::LeakyRelu(slope) => each(g, z, |g, z| leaky_relu_backward(g, z, slope)),
        }
    }
}

/// `σ(z) = 1 / (1 + e^(−z))`.
#[inline(always)]
fn sigmoid<T: Float>(z: T) -> T {
    T::one() / (T::one() + (-z).exp())
}

/// `z` where `z > 0`, else 0.
#[inline(always)]
fn relu<T: Float>(z: T) -> T {
    if z > T::zero() {
        z
    } else {
        T::zero()
    }
}

/// `z` where `z > 0`, else `z · slope`.
#[inline(always)]
fn leaky_relu<T: Float>(z: T, slope: T) -> T {
    if z > T::zero() {
        z
    } else {
        z * slope
    }
}

/// `a ← rule(z)` element-wise.
#[inline(always)]
fn map<T: Float>(a: &mut [T], z: &[T], rule: impl Fn(T) -> T) {
    for (a, &z) in a.iter_mut().zip(z) {
        *a = rule(z);
    }
}

/// `g · σ'(z)` with `σ'(z) = (1 − a) a`.
#[inline(always)]
fn sigmoid_backward<T: Float>(g: T, a: T) -> T {
    g * ((T::one() - a) * a)
}

/// `g · tanh'(z)` with `tanh'(z) = 1 − a²`.
#[inline(always)]
fn tanh_backward<T: Float>(g: T, a: T) -> T {
    g * (T::one() - a * a)
}

/// `g` where `z > 0`, else 0 (PyTorch's ReLU gradient at the kink, `z = 0`, is 0).
#[inline(always)]
fn relu_backward<T: Float>(g: T, z: T) -> T {
    if z > T::zero() {
        g
    } else {
        T::zero()
    }
}

/// `g` where `z > 0`, else `g · slope`.
#[inline(always)]
fn leaky_relu_backward<T: Float>(g: T, z: T, slope: T) -> T {
    if z > T::zero() {
        g
    } else {
        g * slope
    }
}

/// `g ← rule(g, v)` element-wise.
#[inline(always)]
fn each<T: Float>(g: &mut [T], v: &[T], rule: impl Fn(T, T) -> T) {
    for (g, &v) in g.iter_mut().zip(v) {
        *g = rule(*g, v);
    }
}

impl<T: Float> Activation<T> {
    /// The same activation in another number type: a leaky ReLU's slope converted by
    /// `convert` (a model lifted to dual numbers keeps its slope as a constant).
    pub(crate) fn map<D>(self, convert: impl Fn(T) -> D) -> Activation<D> {
        match self {
            Activation::Identity => Activation::Identity,
            Activation::Sigmoid => Activation::Sigmoid,
            Activation::Tanh => Activation::Tanh,
            Activation::Relu => Activation::Relu,
            Activation::LeakyRelu(slope) => Activation::LeakyRelu(convert(slope)),
        }
    }

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
    fn slices_give_the_bits_of_the_formulas_element_by_element() {
        let z: [f64; 9] = [-40.0, -2.5, -0.3, -0.0, 0.0, 1e-300, 0.4, 1.7, 40.0];
        let formula = |act: Activation<f64>, z: f64| match act {
            Activation::Identity => z,
            Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
            Activation::Tanh => z.tanh(),
            Activation::Relu => {
                if z > 0.0 {
                    z
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu(slope) => {
                if z > 0.0 {
                    z
                } else {
                    z * slope
                }
            }
        };
        for act in ALL {
            let mut a = [f64::NAN; 9];
            act.forward_slice(&z, &mut a);
            for (&z, &a) in z.iter().zip(&a) {
                let expected = formula(act, z);
                assert_eq!(a.to_bits(), expected.to_bits(), "{act:?} at {z}");
            }
            let mut g = [0.75; 9];
            act.backward_slice(&z, &a, &mut g);
            for ((&z, &a), &g) in z.iter().zip(&a).zip(&g) {
                assert_eq!(
                    g.to_bits(),
                    (0.75 * act.derivative(z, a)).to_bits(),
                    "{act:?} at {z}"
                );
            }
        }
    }

    #[test]
    fn kinks_follow_pytorch() {
        assert_eq!(Activation::Relu.derivative(0.0, 0.0), 0.0);
        assert_eq!(Activation::LeakyRelu(0.2).derivative(0.0, 0.0), 0.2);
    }
}
