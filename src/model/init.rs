//! Seeded weight initialisation: PyTorch's Xavier (Glorot) and Kaiming (He) uniform.

use num_traits::Float;

use crate::activation::Activation;
use crate::error::invalid;
use crate::error::Error;
use crate::rng::{self, Stream};

/// How a [`Network`](crate::Network)'s random weights are drawn (biases always start at 0).
///
/// Both schemes draw every weight independently from `U(−a, a)`, with the bound `a` from
/// PyTorch's `torch.nn.init` and the gain of the layer's activation
/// ([`WeightInit::gain`], PyTorch's `calculate_gain`).
///
/// # Math
///
/// For a layer with `fan_in` inputs and `fan_out` outputs:
///
/// ```text
/// XavierUniform   a = gain · √(6 / (fan_in + fan_out))     (xavier_uniform_)
/// KaimingUniform  a = gain · √(3 / fan_in)                  (kaiming_uniform_, mode='fan_in')
/// Var[w] = a² / 3
/// ```
///
/// Biases are zero. PyTorch's own `nn.Linear` draws its bias from `U(−1/√fan_in, 1/√fan_in)`;
/// zero is the usual choice once the weights follow one of these schemes, and keeps the
/// outputs of a fresh network centred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Init {
    /// Per layer, what the activation recommends ([`WeightInit::recommended`]): Xavier for
    /// identity, sigmoid and tanh, Kaiming for ReLU and leaky ReLU.
    #[default]
    Recommended,
    /// Xavier/Glorot uniform for every layer.
    XavierUniform,
    /// Kaiming/He uniform (fan-in mode) for every layer.
    KaimingUniform,
}

/// What an activation tells the initialiser: its gain, and the scheme that suits it.
///
/// Implement it for an activation of your own to build a
/// [`Network`](crate::Network) with it.
///
/// ```
/// use backprop::{Activation, Init, WeightInit};
///
/// assert_eq!(Activation::<f64>::Tanh.gain()?, 5.0 / 3.0);
/// assert_eq!(Activation::<f64>::Relu.recommended(), Init::KaimingUniform);
/// # Ok::<(), backprop::Error>(())
/// ```
pub trait WeightInit<T> {
    /// PyTorch's `calculate_gain` for this activation, in `f64`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHyperparameter`] if the activation's own parameters are invalid.
    fn gain(&self) -> Result<f64, Error>;

    /// The scheme [`Init::Recommended`] uses for a layer followed by this activation.
    fn recommended(&self) -> Init;
}

/// # Math
///
/// ```text
/// Identity, Sigmoid  gain = 1
/// Tanh               gain = 5/3
/// Relu               gain = √2
/// LeakyRelu(s)       gain = √(2 / (1 + s²))
/// ```
impl<T: Float> WeightInit<T> for Activation<T> {
    fn gain(&self) -> Result<f64, Error> {
        Ok(match *self {
            Activation::Identity | Activation::Sigmoid => 1.0,
            Activation::Tanh => 5.0 / 3.0,
            Activation::Relu => 2f64.sqrt(),
            Activation::LeakyRelu(slope) => {
                let s = slope.to_f64().filter(|s| s.is_finite());
                let s = s.ok_or_else(|| invalid("negative_slope", slope, "a finite number"))?;
                (2.0 / (1.0 + s * s)).sqrt()
            }
        })
    }

    fn recommended(&self) -> Init {
        match self {
            Activation::Relu | Activation::LeakyRelu(_) => Init::KaimingUniform,
            _ => Init::XavierUniform,
        }
    }
}

/// The bound `a` of `U(−a, a)` for one layer; `scheme` is already resolved.
pub(crate) fn bound(scheme: Init, gain: f64, fan_in: usize, fan_out: usize) -> f64 {
    let (fan_in, fan_out) = (fan_in as f64, fan_out as f64);
    match scheme {
        Init::KaimingUniform => gain * (3.0 / fan_in).sqrt(),
        _ => gain * (6.0 / (fan_in + fan_out)).sqrt(),
    }
}

/// Fills `weights` in order with `a · (2u − 1)`, `u` uniform in `[0, 1)`, computed in f64
/// (exactly: `2u` and `− 1` are exact, one rounding in the product) and then converted
/// with `T::from`.
pub(crate) fn fill<T: Float>(stream: &mut Stream, bound: f64, weights: &mut [T]) {
    for w in weights {
        let u = rng::unit_f64(stream);
        let value = bound * (2.0 * u - 1.0);
        *w = T::from(value).unwrap_or_else(T::zero);
    }
}
