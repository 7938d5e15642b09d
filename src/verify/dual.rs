//! Forward-mode dual numbers: derivatives exact to rounding, for any `Float`.
//!
//! Everything a user needs to know is on [`Dual`], the one public item.

use core::cmp::Ordering;
use core::fmt;
use core::iter::{Product, Sum};
use core::num::FpCategory;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign};
use core::ops::{Sub, SubAssign};

use num_traits::{Float, FloatConst, Num, NumCast, One, ToPrimitive, Zero};

/// A forward-mode dual number `value + derivative·ε` with `ε² = 0`: derivatives exact to
/// rounding, for any [`Float`] `T`.
///
/// A dual number `a + b·ε` carries a value `a` and a derivative (tangent) `b`. Taylor's
/// theorem, cut after the first term because `ε² = 0`, gives
///
/// ```text
/// f(a + b·ε) = f(a) + f'(a)·b·ε
/// ```
///
/// so evaluating any function on dual numbers computes its value and, alongside, its
/// derivative times the seed tangent: forward-mode automatic differentiation. Every
/// operation applies the chain rule to its operands' tangents; there are no step sizes,
/// so the result is the derivative up to floating-point rounding, where a finite
/// difference is only an approximation (truncation error O(h²) plus rounding error
/// O(ε/h)).
///
/// [`Dual<T>`] implements [`Float`], so every model, loss and optimizer of this crate
/// runs on it unchanged.
///
/// # Directional derivatives of a loss
///
/// A model's parameters are one flat buffer `θ`. Seed every parameter's tangent with the
/// matching entry of a direction `d` (inputs and targets are constants), run the forward
/// pass and the loss in `Dual<T>`, and the loss's tangent is the directional derivative
///
/// ```text
/// L(θ + d·ε) = L(θ) + (∇L · d)·ε
/// ```
///
/// With `d = eᵢ` (1 at parameter `i`, 0 elsewhere) it is the single partial `∂L/∂θᵢ`, so
/// one forward pass per parameter rebuilds the whole gradient that backpropagation
/// computes in one backward pass. This is how the crate's tests check its gradients.
///
/// ```
/// use backprop::{Activation, Dual, Loss, Model, Mse, Neuron};
///
/// // a = tanh(w₀x₀ + w₁x₁ + b), L = (a − y)², direction d = (1, −2, 0.5).
/// let neuron = Neuron::from_weights(vec![Dual::new(0.5, 1.0), Dual::new(-0.25, -2.0)])
///     .with_bias(Dual::new(0.1, 0.5))
///     .with_activation(Activation::Tanh);
/// let x = [Dual::constant(2.0), Dual::constant(4.0)];
/// let y = [Dual::constant(0.3)];
/// let loss = Mse.value(&neuron.predict(&x)?, &y);
///
/// // by hand: z = 0.1, ∇L = 2(a − y)(1 − a²)·(x₀, x₁, 1)
/// let a = 0.1f64.tanh();
/// let grad = [2.0, 4.0, 1.0].map(|xi| 2.0 * (a - 0.3) * (1.0 - a * a) * xi);
/// let expected = grad[0] * 1.0 + grad[1] * -2.0 + grad[2] * 0.5;
/// assert_eq!(loss.value(), (a - 0.3) * (a - 0.3));
/// assert!((loss.derivative() - expected).abs() <= 1e-15);
/// # Ok::<(), backprop::Error>(())
/// ```
///
/// # Conventions
///
/// - **Comparisons look at values only.** `==`, `<`, [`Zero::is_zero`] and every
///   classification (`is_nan`, `is_finite`, …) ignore the tangent, so generic code
///   branches exactly as it would on `T` (a ReLU takes the same side) and the value part
///   of every result is bit for bit what `T` computes.
/// - **A zero tangent stays zero.** Each rule multiplies an operand's tangent by its
///   partial derivative only if that tangent is non-zero, so constants never pick up a NaN
///   from a partial that is infinite or undefined where the function is evaluated
///   (`sqrt` at 0, `ln` of a negative base in `powf` with a constant exponent).
/// - **Kinks** take a documented one-sided or averaged derivative: `abs` has derivative
///   0 at 0 and `max`/`min` average the two tangents at a tie, both as PyTorch does.
///
/// # Math
///
/// ```text
/// (a + bε) ± (c + dε) = (a ± c) + (b ± d)ε
/// (a + bε) · (c + dε) = ac + (bc + ad)ε
/// (a + bε) / (c + dε) = q + ((b − q·d)/c)ε      with q = a/c
/// f(a + bε)           = f(a) + f'(a)·b ε
/// ```
///
/// Each `Float` method documents its own rule in one line.
///
/// ```
/// use backprop::Dual;
/// use num_traits::Float;
///
/// // d/dx (x² sin x) at x = 2 is 2x sin x + x² cos x.
/// let x = Dual::variable(2.0);
/// let y = x * x * x.sin();
/// assert_eq!(y.value(), 4.0 * 2f64.sin());
/// assert!((y.derivative() - (4.0 * 2f64.sin() + 4.0 * 2f64.cos())).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Dual<T> {
    value: T,
    derivative: T,
}

impl<T: Float> Dual<T> {
    /// The dual number `value + derivative·ε`.
    pub fn new(value: T, derivative: T) -> Self {
        Self { value, derivative }
    }

    /// A constant: derivative 0 (inputs, targets, hyper-parameters).
    pub fn constant(value: T) -> Self {
        Self::new(value, T::zero())
    }

    /// The variable of differentiation: derivative 1.
    pub fn variable(value: T) -> Self {
        Self::new(value, T::one())
    }

    /// The value `a` of `a + bε`.
    pub fn value(self) -> T {
        self.value
    }

    /// The derivative (tangent) `b` of `a + bε`.
    pub fn derivative(self) -> T {
        self.derivative
    }

    /// `f(a) + f'(a)·b ε`, given `f(a)` and `f'(a)`.
    fn chain(self, value: T, slope: T) -> Self {
        Self::new(value, scale(self.derivative, slope))
    }

    /// `f(a) + (b / q)ε` for a rule `f'(a) = 1/q`: one rounding fewer than `chain`.
    fn chain_over(self, value: T, quotient: T) -> Self {
        Self::new(value, divide(self.derivative, quotient))
    }
}

/// `tangent · partial`, and exactly 0 for a zero tangent even if `partial` is infinite
/// or NaN: a constant stays a constant.
///
/// "Zero" is of the value only, as [`Zero::is_zero`] sees it, and a nested dual
/// (`Dual<Dual<T>>`) can carry a second derivative behind a zero value, so a finite
/// partial is still multiplied in; `+ 0` keeps the zero's sign `+0` as for a constant.
fn scale<T: Float>(tangent: T, partial: T) -> T {
    if !tangent.is_zero() {
        tangent * partial
    } else if partial.is_finite() {
        tangent * partial + T::zero()
    } else {
        T::zero()
    }
}

/// `numerator / denominator`, and exactly 0 for a zero numerator where the quotient
/// would be NaN or infinite (the same rule as [`scale`]).
fn divide<T: Float>(numerator: T, denominator: T) -> T {
    if !numerator.is_zero() {
        numerator / denominator
    } else if denominator.is_finite() && !denominator.is_zero() {
        numerator / denominator + T::zero()
    } else {
        T::zero()
    }
}

fn two<T: Float>() -> T {
    T::one() + T::one()
}

/// `ln 2`, computed in `T` (no `FloatConst` bound needed).
fn ln_2<T: Float>() -> T {
    two::<T>().ln()
}

/// `ln 10`, computed in `T`; 10 = 2·2·2 + 2 is exact in every binary float.
fn ln_10<T: Float>() -> T {
    let two = two::<T>();
    (two * two * two + two).ln()
}

impl<T: Float> From<T> for Dual<T> {
    /// A constant.
    fn from(value: T) -> Self {
        Self::constant(value)
    }
}

impl<T: Float> Default for Dual<T> {
    /// The constant 0.
    fn default() -> Self {
        Self::zero()
    }
}

impl<T: Float + fmt::Display> fmt::Display for Dual<T> {
    /// `a + bε` (or `a - bε`), each number formatted with the given options.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)?;
        let (sign, magnitude) = if self.derivative.is_sign_negative() {
            (" - ", -self.derivative)
        } else {
            (" + ", self.derivative)
        };
        f.write_str(sign)?;
        fmt::Display::fmt(&magnitude, f)?;
        f.write_str("ε")
    }
}

// ---------------------------------------------------------------------------------------
// Comparisons: values only, so generic code takes the same branches as on `T`.
// ---------------------------------------------------------------------------------------

impl<T: Float> PartialEq for Dual<T> {
    /// Compares values only: `Dual::new(1.0, 2.0) == Dual::constant(1.0)`.
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Float> PartialOrd for Dual<T> {
    /// Orders by value only.
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

// ---------------------------------------------------------------------------------------
// Arithmetic: the sum, product and quotient rules.
// ---------------------------------------------------------------------------------------

impl<T: Float> Neg for Dual<T> {
    type Output = Self;
    /// `−(a + bε) = −a − bε`
    fn neg(self) -> Self {
        Self::new(-self.value, -self.derivative)
    }
}

impl<T: Float> Add for Dual<T> {
    type Output = Self;
    /// `(a + bε) + (c + dε) = (a + c) + (b + d)ε`
    fn add(self, rhs: Self) -> Self {
        Self::new(self.value + rhs.value, self.derivative + rhs.derivative)
    }
}

impl<T: Float> Sub for Dual<T> {
    type Output = Self;
    /// `(a + bε) − (c + dε) = (a − c) + (b − d)ε`
    fn sub(self, rhs: Self) -> Self {
        Self::new(self.value - rhs.value, self.derivative - rhs.derivative)
    }
}

// The product and quotient rules add and subtract inside `Mul` and `Div`; that is the
// math, not a typo.
#[allow(clippy::suspicious_arithmetic_impl)]
impl<T: Float> Mul for Dual<T> {
    type Output = Self;
    /// `(a + bε)(c + dε) = ac + (bc + ad)ε`
    fn mul(self, rhs: Self) -> Self {
        let derivative = scale(self.derivative, rhs.value) + scale(rhs.derivative, self.value);
        Self::new(self.value * rhs.value, derivative)
    }
}

#[allow(clippy::suspicious_arithmetic_impl)]
impl<T: Float> Div for Dual<T> {
    type Output = Self;
    /// `(a + bε)/(c + dε) = q + ((b − q·d)/c)ε` with `q = a/c`
    fn div(self, rhs: Self) -> Self {
        let q = self.value / rhs.value;
        let numerator = self.derivative - scale(rhs.derivative, q);
        Self::new(q, divide(numerator, rhs.value))
    }
}

#[allow(clippy::suspicious_arithmetic_impl)]
impl<T: Float> Rem for Dual<T> {
    type Output = Self;
    /// `a % c = a − n·c` with the integer `n = (a − a % c)/c`, so the tangent is `b − n·d`
    /// (the jumps where `n` changes are ignored).
    fn rem(self, rhs: Self) -> Self {
        let r = self.value % rhs.value;
        let n = ((self.value - r) / rhs.value).round();
        Self::new(r, self.derivative - scale(rhs.derivative, n))
    }
}

macro_rules! assign_ops {
    ($($Trait:ident $method:ident $op:tt;)*) => {$(
        impl<T: Float> $Trait for Dual<T> {
            fn $method(&mut self, rhs: Self) {
                *self = *self $op rhs;
            }
        }
    )*};
}

assign_ops! {
    AddAssign add_assign +;
    SubAssign sub_assign -;
    MulAssign mul_assign *;
    DivAssign div_assign /;
    RemAssign rem_assign %;
}

impl<T: Float> Sum for Dual<T> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::zero(), Add::add)
    }
}

impl<T: Float> Product for Dual<T> {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::one(), Mul::mul)
    }
}

// ---------------------------------------------------------------------------------------
// The numeric supertraits of `Float`.
// ---------------------------------------------------------------------------------------

impl<T: Float> Zero for Dual<T> {
    fn zero() -> Self {
        Self::constant(T::zero())
    }
    /// Whether the value is 0 (the tangent is ignored, as by `==`).
    fn is_zero(&self) -> bool {
        self.value.is_zero()
    }
}

impl<T: Float> One for Dual<T> {
    fn one() -> Self {
        Self::constant(T::one())
    }
}

impl<T: Float> Num for Dual<T> {
    type FromStrRadixErr = T::FromStrRadixErr;
    /// Parses a constant.
    fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
        T::from_str_radix(s, radix).map(Self::constant)
    }
}

impl<T: Float> NumCast for Dual<T> {
    /// Converts to a constant.
    fn from<N: ToPrimitive>(n: N) -> Option<Self> {
        <T as NumCast>::from(n).map(Self::constant)
    }
}

macro_rules! to_primitive {
    ($($method:ident -> $Int:ty;)*) => {$(
        fn $method(&self) -> Option<$Int> {
            self.value.$method()
        }
    )*};
}

/// Converts the value; the tangent is dropped.
impl<T: Float> ToPrimitive for Dual<T> {
    to_primitive! {
        to_isize -> isize; to_i8 -> i8; to_i16 -> i16; to_i32 -> i32; to_i64 -> i64;
        to_i128 -> i128; to_usize -> usize; to_u8 -> u8; to_u16 -> u16; to_u32 -> u32;
        to_u64 -> u64; to_u128 -> u128; to_f32 -> f32; to_f64 -> f64;
    }
}

macro_rules! constants {
    ($($name:ident)*) => {$(
        fn $name() -> Self {
            Self::constant(T::$name())
        }
    )*};
}

/// `T`'s mathematical constants, as constants (derivative 0).
impl<T: Float + FloatConst> FloatConst for Dual<T> {
    constants! {
        E FRAC_1_PI FRAC_1_SQRT_2 FRAC_2_PI FRAC_2_SQRT_PI FRAC_PI_2 FRAC_PI_3 FRAC_PI_4
        FRAC_PI_6 FRAC_PI_8 LN_10 LN_2 LOG10_E LOG2_E PI SQRT_2 TAU LOG10_2 LOG2_10
    }
}

// ---------------------------------------------------------------------------------------
// `Float`: every method with its derivative rule, one line of math each.
// ---------------------------------------------------------------------------------------

impl<T: Float> Float for Dual<T> {
    // Special values: constants, derivative 0.
    constants! {
        nan infinity neg_infinity neg_zero min_value min_positive_value epsilon max_value
    }

    // Classification: of the value.
    fn is_nan(self) -> bool {
        self.value.is_nan()
    }
    fn is_infinite(self) -> bool {
        self.value.is_infinite()
    }
    fn is_finite(self) -> bool {
        self.value.is_finite()
    }
    fn is_normal(self) -> bool {
        self.value.is_normal()
    }
    fn is_subnormal(self) -> bool {
        self.value.is_subnormal()
    }
    fn classify(self) -> FpCategory {
        self.value.classify()
    }
    fn is_sign_positive(self) -> bool {
        self.value.is_sign_positive()
    }
    fn is_sign_negative(self) -> bool {
        self.value.is_sign_negative()
    }
    /// The decomposition of the value.
    fn integer_decode(self) -> (u64, i16, i8) {
        self.value.integer_decode()
    }

    // Rounding: piecewise constant (derivative 0), except fract = a − trunc(a) (1).
    fn floor(self) -> Self {
        Self::constant(self.value.floor())
    }
    fn ceil(self) -> Self {
        Self::constant(self.value.ceil())
    }
    fn round(self) -> Self {
        Self::constant(self.value.round())
    }
    fn trunc(self) -> Self {
        Self::constant(self.value.trunc())
    }
    fn fract(self) -> Self {
        Self::new(self.value.fract(), self.derivative)
    }

    // Sign and magnitude.

    /// `|a|' = sign(a)`, and 0 at `a = 0` (PyTorch's choice: the subgradient 0).
    fn abs(self) -> Self {
        let sign = match self.value.partial_cmp(&T::zero()) {
            Some(Ordering::Greater) => T::one(),
            Some(Ordering::Less) => -T::one(),
            Some(Ordering::Equal) => T::zero(),
            None => T::nan(),
        };
        self.chain(self.value.abs(), sign)
    }
    /// `signum' = 0` (the jump at 0 has no derivative).
    fn signum(self) -> Self {
        Self::constant(self.value.signum())
    }
    /// `copysign(a, s)' = ±1`: −1 when it flips the sign of `a`; `s` contributes 0.
    fn copysign(self, sign: Self) -> Self {
        let flips = self.value.is_sign_negative() != sign.value.is_sign_negative();
        let slope = if flips { -T::one() } else { T::one() };
        self.chain(self.value.copysign(sign.value), slope)
    }
    /// `max(a − c, 0)`: tangent `b − d` where `a > c`, else 0.
    fn abs_sub(self, other: Self) -> Self {
        let value = Float::abs_sub(self.value, other.value);
        if self.value > other.value {
            Self::new(value, self.derivative - other.derivative)
        } else {
            Self::constant(value)
        }
    }
    /// The tangent of the larger side; at a tie the mean of both (PyTorch's
    /// `torch.maximum`); a NaN side is ignored, as `T::max` does.
    fn max(self, other: Self) -> Self {
        let derivative = pick(self, other, Ordering::Greater);
        Self::new(self.value.max(other.value), derivative)
    }
    /// The tangent of the smaller side; at a tie the mean of both (`torch.minimum`).
    fn min(self, other: Self) -> Self {
        let derivative = pick(self, other, Ordering::Less);
        Self::new(self.value.min(other.value), derivative)
    }
    /// The tangent of the bound below `min` or above `max`, else of `self` (bounds
    /// included).
    fn clamp(self, min: Self, max: Self) -> Self {
        let value = Float::clamp(self.value, min.value, max.value);
        let derivative = if self.value < min.value {
            min.derivative
        } else if self.value > max.value {
            max.derivative
        } else {
            self.derivative
        };
        Self::new(value, derivative)
    }

    // Powers and roots.

    /// `(a·m + s)' = b·m + a·dm + ds`
    fn mul_add(self, m: Self, s: Self) -> Self {
        let value = self.value.mul_add(m.value, s.value);
        let derivative =
            scale(self.derivative, m.value) + scale(m.derivative, self.value) + s.derivative;
        Self::new(value, derivative)
    }
    /// `(1/a)' = −1/a²`
    fn recip(self) -> Self {
        let r = self.value.recip();
        self.chain(r, -(r * r))
    }
    /// `(aⁿ)' = n·aⁿ⁻¹`, and 0 for `n = 0`.
    fn powi(self, n: i32) -> Self {
        if n == 0 {
            return Self::constant(self.value.powi(0));
        }
        // only a narrow `T` (f16) cannot hold `n`, and then aⁿ⁻¹ is 0 or infinite anyway
        let n_t = <T as NumCast>::from(n).unwrap_or_else(|| {
            if n < 0 {
                T::neg_infinity()
            } else {
                T::infinity()
            }
        });
        let previous = match n.checked_sub(1) {
            Some(m) => self.value.powi(m),
            None => self.value.powi(n) / self.value, // n = i32::MIN
        };
        self.chain(self.value.powi(n), n_t * previous)
    }
    /// `(aᶜ)' = c·aᶜ⁻¹·b + aᶜ·ln(a)·d`
    fn powf(self, n: Self) -> Self {
        let value = self.value.powf(n.value);
        let by_base = n.value * self.value.powf(n.value - T::one());
        let derivative =
            scale(self.derivative, by_base) + scale(n.derivative, value * self.value.ln());
        Self::new(value, derivative)
    }
    /// `√a' = 1/(2√a)`
    fn sqrt(self) -> Self {
        let s = self.value.sqrt();
        self.chain_over(s, s + s)
    }
    /// `∛a' = 1/(3∛a²)`
    fn cbrt(self) -> Self {
        let c = self.value.cbrt();
        self.chain_over(c, (c * c) * (two::<T>() + T::one()))
    }
    /// `hypot(a, c)' = (a·b + c·d)/h` with `h = √(a² + c²)`
    fn hypot(self, other: Self) -> Self {
        let h = self.value.hypot(other.value);
        let derivative =
            scale(self.derivative, self.value / h) + scale(other.derivative, other.value / h);
        Self::new(h, derivative)
    }

    // Exponentials and logarithms.

    /// `(eᵃ)' = eᵃ`
    fn exp(self) -> Self {
        let e = self.value.exp();
        self.chain(e, e)
    }
    /// `(2ᵃ)' = 2ᵃ·ln 2`
    fn exp2(self) -> Self {
        let e = self.value.exp2();
        self.chain(e, e * ln_2())
    }
    /// `(eᵃ − 1)' = eᵃ`
    fn exp_m1(self) -> Self {
        self.chain(self.value.exp_m1(), self.value.exp())
    }
    /// `ln' a = 1/a`
    fn ln(self) -> Self {
        self.chain_over(self.value.ln(), self.value)
    }
    /// `ln(1 + a)' = 1/(1 + a)`
    fn ln_1p(self) -> Self {
        self.chain_over(self.value.ln_1p(), T::one() + self.value)
    }
    /// `log₂' a = 1/(a·ln 2)`
    fn log2(self) -> Self {
        self.chain_over(self.value.log2(), self.value * ln_2())
    }
    /// `log₁₀' a = 1/(a·ln 10)`
    fn log10(self) -> Self {
        self.chain_over(self.value.log10(), self.value * ln_10())
    }
    /// `log_c(a) = ln a / ln c`: tangent `b/(a·ln c) − log_c(a)·d/(c·ln c)`
    fn log(self, base: Self) -> Self {
        let value = self.value.log(base.value);
        let ln_base = base.value.ln();
        let by_self = (self.value * ln_base).recip();
        let by_base = -value / (base.value * ln_base);
        let derivative = scale(self.derivative, by_self) + scale(base.derivative, by_base);
        Self::new(value, derivative)
    }

    // Trigonometry.

    /// `sin' = cos`
    fn sin(self) -> Self {
        self.chain(self.value.sin(), self.value.cos())
    }
    /// `cos' = −sin`
    fn cos(self) -> Self {
        self.chain(self.value.cos(), -self.value.sin())
    }
    /// `tan' = 1 + tan²`
    fn tan(self) -> Self {
        let t = self.value.tan();
        self.chain(t, T::one() + t * t)
    }
    /// Both, each with its rule.
    fn sin_cos(self) -> (Self, Self) {
        let (s, c) = self.value.sin_cos();
        (self.chain(s, c), self.chain(c, -s))
    }
    /// `asin' a = 1/√((1 − a)(1 + a))`
    fn asin(self) -> Self {
        self.chain_over(self.value.asin(), one_minus_square(self.value).sqrt())
    }
    /// `acos' a = −1/√((1 − a)(1 + a))`
    fn acos(self) -> Self {
        self.chain_over(self.value.acos(), -one_minus_square(self.value).sqrt())
    }
    /// `atan' a = 1/(1 + a²)`
    fn atan(self) -> Self {
        self.chain_over(self.value.atan(), T::one() + self.value * self.value)
    }
    /// `atan2(a, c)`, the angle of `(c, a)`: tangent `(c·b − a·d)/(a² + c²)`
    fn atan2(self, other: Self) -> Self {
        let r2 = self.value * self.value + other.value * other.value;
        let derivative =
            scale(self.derivative, other.value / r2) - scale(other.derivative, self.value / r2);
        Self::new(self.value.atan2(other.value), derivative)
    }
    /// Linear: the tangent is converted too.
    fn to_degrees(self) -> Self {
        Self::new(self.value.to_degrees(), self.derivative.to_degrees())
    }
    /// Linear: the tangent is converted too.
    fn to_radians(self) -> Self {
        Self::new(self.value.to_radians(), self.derivative.to_radians())
    }

    // Hyperbolic functions.

    /// `sinh' = cosh`
    fn sinh(self) -> Self {
        self.chain(self.value.sinh(), self.value.cosh())
    }
    /// `cosh' = sinh`
    fn cosh(self) -> Self {
        self.chain(self.value.cosh(), self.value.sinh())
    }
    /// `tanh' a = 1/cosh² a` (not `1 − tanh²`, which cancels for large `|a|`)
    fn tanh(self) -> Self {
        let c = self.value.cosh();
        self.chain_over(self.value.tanh(), c * c)
    }
    /// `asinh' a = 1/√(a² + 1)`
    fn asinh(self) -> Self {
        self.chain_over(self.value.asinh(), self.value.hypot(T::one()))
    }
    /// `acosh' a = 1/(√(a − 1)·√(a + 1))`
    fn acosh(self) -> Self {
        let root = (self.value - T::one()).sqrt() * (self.value + T::one()).sqrt();
        self.chain_over(self.value.acosh(), root)
    }
    /// `atanh' a = 1/((1 − a)(1 + a))`
    fn atanh(self) -> Self {
        self.chain_over(self.value.atanh(), one_minus_square(self.value))
    }
}

/// `1 − a²` as `(1 − a)(1 + a)`: no cancellation near `|a| = 1`.
fn one_minus_square<T: Float>(a: T) -> T {
    (T::one() - a) * (T::one() + a)
}

/// The tangent of `max` (`wins = Greater`) or `min` (`wins = Less`): that of the winning
/// side, the mean at a tie, and that of the non-NaN side, as `T::max`/`T::min` choose.
fn pick<T: Float>(x: Dual<T>, y: Dual<T>, wins: Ordering) -> T {
    match x.value.partial_cmp(&y.value) {
        Some(Ordering::Equal) => (x.derivative + y.derivative) / two(),
        Some(order) if order == wins => x.derivative,
        Some(_) => y.derivative,
        None if y.value.is_nan() => x.derivative,
        None => y.derivative,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    type D = Dual<f64>;

    /// `v` in the type of `x` (`f64` or a constant `Dual<f64>`), so one expression
    /// serves both types.
    fn like<F: Float>(_x: F, v: f64) -> F {
        F::from(v).unwrap()
    }

    /// `|actual − expected| ≤ ulps·ε·max(|actual|, |expected|)`: equal to rounding.
    fn assert_ulps(actual: f64, expected: f64, ulps: f64, what: &str) {
        let bound = ulps * f64::EPSILON * actual.abs().max(expected.abs());
        assert!(
            (actual - expected).abs() <= bound,
            "{what}: {actual} vs {expected} (off by {} ulps)",
            (actual - expected).abs() / (f64::EPSILON * expected.abs().max(f64::MIN_POSITIVE)),
        );
    }

    /// `(f(x + h) − f(x − h)) / 2h` with `h = ∛ε·max(1, |x|)`, which balances the O(h²)
    /// truncation error against the O(ε/h) rounding error.
    fn central_difference(f: impl Fn(f64) -> f64, x: f64) -> f64 {
        let h = f64::EPSILON.cbrt() * x.abs().max(1.0);
        (f(x + h) - f(x - h)) / (2.0 * h)
    }

    /// One derivative rule: at each point the dual value is bit for bit the `f64` value,
    /// the tangent matches the closed form to 8 ulps and the central difference to
    /// 1e-7 relative (its error is ~1e-10 for these smooth functions and points).
    macro_rules! rule {
        ($name:ident: |$x:ident| $f:expr, d/dx = |$y:ident| $df:expr, at $points:expr) => {
            #[test]
            fn $name() {
                for x in $points {
                    let plain = |$x: f64| -> f64 { $f };
                    let dual = (|$x: D| -> D { $f })(D::variable(x));
                    let what = format!("{} at {x}", stringify!($name));
                    assert_eq!(dual.value().to_bits(), plain(x).to_bits(), "{what}: value");
                    let closed: f64 = (|$y: f64| $df)(x);
                    assert_ulps(dual.derivative(), closed, 8.0, &what);
                    let numeric = central_difference(plain, x);
                    let tolerance = 1e-7 * (1.0 + plain(x).abs() + numeric.abs());
                    assert!(
                        (dual.derivative() - numeric).abs() <= tolerance,
                        "{what}: {} vs central difference {numeric}",
                        dual.derivative()
                    );
                }
            }
        };
    }

    const SPREAD: [f64; 5] = [-2.3, -0.7, 0.4, 1.1, 3.9];
    const POSITIVE: [f64; 4] = [0.2, 0.9, 2.5, 17.0];
    const INSIDE_UNIT: [f64; 4] = [-0.8, -0.3, 0.1, 0.75];

    // Arithmetic.
    rule!(neg: |x| -x, d/dx = |_x| -1.0, at SPREAD);
    rule!(add: |x| x + like(x, 3.0), d/dx = |_x| 1.0, at SPREAD);
    rule!(sub_from: |x| like(x, 3.0) - x, d/dx = |_x| -1.0, at SPREAD);
    rule!(mul_constant: |x| x * like(x, 3.0), d/dx = |_x| 3.0, at SPREAD);
    rule!(mul_self: |x| x * x, d/dx = |y| 2.0 * y, at SPREAD);
    rule!(div_by_constant: |x| x / like(x, 3.0), d/dx = |_x| 1.0 / 3.0, at SPREAD);
    rule!(div_constant_by: |x| like(x, 3.0) / x, d/dx = |y| -3.0 / (y * y), at SPREAD);
    rule!(div_self: |x| (x * x + like(x, 1.0)) / x, d/dx = |y| 1.0 - 1.0 / (y * y), at SPREAD);
    rule!(rem_by_constant: |x| x % like(x, 0.75), d/dx = |_x| 1.0, at [0.4, 1.1, 3.9, -2.3]);
    rule!(rem_constant_by: |x| like(x, 5.3) % x, d/dx = |y| -(5.3 / y).trunc(), at [1.2, 2.0, -3.1]);

    // Powers and roots.
    rule!(recip: |x| x.recip(), d/dx = |y| -1.0 / (y * y), at SPREAD);
    rule!(powi_3: |x| x.powi(3), d/dx = |y| 3.0 * y * y, at SPREAD);
    rule!(powi_minus_2: |x| x.powi(-2), d/dx = |y| -2.0 / (y * y * y), at SPREAD);
    rule!(powi_0: |x| x.powi(0), d/dx = |_x| 0.0, at SPREAD);
    rule!(powf_base: |x| x.powf(like(x, 2.5)), d/dx = |y| 2.5 * y.powf(1.5), at POSITIVE);
    rule!(powf_exponent: |x| Float::powf(like(x, 1.7), x), d/dx = |y| 1.7f64.powf(y) * 1.7f64.ln(), at SPREAD);
    rule!(powf_both: |x| x.powf(x), d/dx = |y| y.powf(y) * (y.ln() + 1.0), at POSITIVE);
    rule!(sqrt: |x| x.sqrt(), d/dx = |y| 0.5 / y.sqrt(), at POSITIVE);
    rule!(cbrt: |x| x.cbrt(), d/dx = |y| 1.0 / (3.0 * y.cbrt().powi(2)), at SPREAD);
    rule!(hypot_first: |x| x.hypot(like(x, 3.0)), d/dx = |y| y / y.hypot(3.0), at SPREAD);
    rule!(hypot_second: |x| Float::hypot(like(x, 3.0), x), d/dx = |y| y / y.hypot(3.0), at SPREAD);
    rule!(mul_add_self: |x| x.mul_add(like(x, 2.0), like(x, 1.0)), d/dx = |_x| 2.0, at SPREAD);
    rule!(mul_add_factor: |x| Float::mul_add(like(x, 2.0), x, like(x, 1.0)), d/dx = |_x| 2.0, at SPREAD);
    rule!(mul_add_addend: |x| Float::mul_add(like(x, 2.0), like(x, 3.0), x), d/dx = |_x| 1.0, at SPREAD);
    rule!(mul_add_all: |x| x.mul_add(x, x), d/dx = |y| 2.0 * y + 1.0, at SPREAD);

    // Exponentials and logarithms.
    rule!(exp: |x| x.exp(), d/dx = |y| y.exp(), at SPREAD);
    rule!(exp2: |x| x.exp2(), d/dx = |y| y.exp2() * core::f64::consts::LN_2, at SPREAD);
    rule!(exp_m1: |x| x.exp_m1(), d/dx = |y| y.exp(), at SPREAD);
    rule!(ln: |x| x.ln(), d/dx = |y| 1.0 / y, at POSITIVE);
    rule!(ln_1p: |x| x.ln_1p(), d/dx = |y| 1.0 / (1.0 + y), at INSIDE_UNIT);
    rule!(log2: |x| x.log2(), d/dx = |y| 1.0 / (y * core::f64::consts::LN_2), at POSITIVE);
    rule!(log10: |x| x.log10(), d/dx = |y| 1.0 / (y * core::f64::consts::LN_10), at POSITIVE);
    rule!(log_of: |x| x.log(like(x, 3.0)), d/dx = |y| 1.0 / (y * 3f64.ln()), at POSITIVE);
    rule!(log_base: |x| Float::log(like(x, 5.0), x), d/dx = |y| -5f64.ln() / (y * y.ln().powi(2)), at [0.2, 2.5, 17.0]);

    // Trigonometry.
    rule!(sin: |x| x.sin(), d/dx = |y| y.cos(), at SPREAD);
    rule!(cos: |x| x.cos(), d/dx = |y| -y.sin(), at SPREAD);
    rule!(tan: |x| x.tan(), d/dx = |y| 1.0 / y.cos().powi(2), at [-1.2, -0.3, 0.4, 1.1]);
    rule!(sin_cos_sin: |x| x.sin_cos().0, d/dx = |y| y.cos(), at SPREAD);
    rule!(sin_cos_cos: |x| x.sin_cos().1, d/dx = |y| -y.sin(), at SPREAD);
    rule!(asin: |x| x.asin(), d/dx = |y| 1.0 / (1.0 - y * y).sqrt(), at INSIDE_UNIT);
    rule!(acos: |x| x.acos(), d/dx = |y| -1.0 / (1.0 - y * y).sqrt(), at INSIDE_UNIT);
    rule!(atan: |x| x.atan(), d/dx = |y| 1.0 / (1.0 + y * y), at SPREAD);
    rule!(atan2_y: |x| x.atan2(like(x, 2.0)), d/dx = |y| 2.0 / (y * y + 4.0), at SPREAD);
    rule!(atan2_x: |x| Float::atan2(like(x, 2.0), x), d/dx = |y| -2.0 / (y * y + 4.0), at SPREAD);
    rule!(to_degrees: |x| x.to_degrees(), d/dx = |_x| 180.0 / core::f64::consts::PI, at SPREAD);
    rule!(to_radians: |x| x.to_radians(), d/dx = |_x| core::f64::consts::PI / 180.0, at SPREAD);

    // Hyperbolic functions.
    rule!(sinh: |x| x.sinh(), d/dx = |y| y.cosh(), at SPREAD);
    rule!(cosh: |x| x.cosh(), d/dx = |y| y.sinh(), at SPREAD);
    rule!(tanh: |x| x.tanh(), d/dx = |y| 1.0 / y.cosh().powi(2), at SPREAD);
    rule!(asinh: |x| x.asinh(), d/dx = |y| 1.0 / (y * y + 1.0).sqrt(), at SPREAD);
    rule!(acosh: |x| x.acosh(), d/dx = |y| 1.0 / (y * y - 1.0).sqrt(), at [1.5, 2.5, 17.0]);
    rule!(atanh: |x| x.atanh(), d/dx = |y| 1.0 / (1.0 - y * y), at INSIDE_UNIT);

    // Piecewise rules, away from their kinks and jumps.
    rule!(abs: |x| x.abs(), d/dx = |y| y.signum(), at SPREAD);
    rule!(signum: |x| x.signum(), d/dx = |_x| 0.0, at SPREAD);
    rule!(copysign_flip: |x| x.copysign(like(x, -1.0)), d/dx = |y| -y.signum(), at SPREAD);
    rule!(copysign_sign: |x| Float::copysign(like(x, 2.0), x), d/dx = |_x| 0.0, at SPREAD);
    rule!(floor: |x| x.floor(), d/dx = |_x| 0.0, at SPREAD);
    rule!(ceil: |x| x.ceil(), d/dx = |_x| 0.0, at SPREAD);
    rule!(round: |x| x.round(), d/dx = |_x| 0.0, at SPREAD);
    rule!(trunc: |x| x.trunc(), d/dx = |_x| 0.0, at SPREAD);
    rule!(fract: |x| x.fract(), d/dx = |_x| 1.0, at SPREAD);
    rule!(max_first: |x| x.max(like(x, 0.5)), d/dx = |y| if y > 0.5 { 1.0 } else { 0.0 }, at SPREAD);
    rule!(max_second: |x| Float::max(like(x, 0.5), x), d/dx = |y| if y > 0.5 { 1.0 } else { 0.0 }, at SPREAD);
    rule!(min_first: |x| x.min(like(x, 0.5)), d/dx = |y| if y < 0.5 { 1.0 } else { 0.0 }, at SPREAD);
    rule!(min_second: |x| Float::min(like(x, 0.5), x), d/dx = |y| if y < 0.5 { 1.0 } else { 0.0 }, at SPREAD);
    rule!(abs_sub_first: |x| Float::abs_sub(x, like(x, 0.5)), d/dx = |y| if y > 0.5 { 1.0 } else { 0.0 }, at SPREAD);
    rule!(abs_sub_second: |x| Float::abs_sub(like(x, 0.5), x), d/dx = |y| if y < 0.5 { -1.0 } else { 0.0 }, at SPREAD);
    rule!(clamp: |x| x.clamp(like(x, -1.0), like(x, 1.0)), d/dx = |y| if y.abs() < 1.0 { 1.0 } else { 0.0 }, at SPREAD);

    #[test]
    fn kinks_take_the_documented_derivative() {
        assert_eq!(D::variable(0.0).abs().derivative(), 0.0);
        assert_eq!(D::variable(-0.0).abs().derivative(), 0.0);
        let (x, y) = (D::new(2.0, 1.0), D::new(2.0, 3.0));
        assert_eq!(x.max(y).derivative(), 2.0); // tie: the mean, as torch.maximum
        assert_eq!(x.min(y).derivative(), 2.0);
        let x = D::variable(1.0);
        assert_eq!(
            x.clamp(D::new(1.0, 5.0), D::constant(2.0)).derivative(),
            1.0
        );
        assert_eq!(Float::abs_sub(x, D::new(1.0, 7.0)).derivative(), 0.0);
    }

    #[test]
    fn powi_at_the_smallest_exponent_does_not_overflow() {
        // d/da a^n = n·a^(n−1), and (−1)^(i32::MIN − 1) = −1
        let got = D::variable(-1.0).powi(i32::MIN);
        assert_eq!((got.value(), got.derivative()), (1.0, 2f64.powi(31)));
    }

    #[test]
    fn nan_sides_of_max_and_min_are_ignored_as_by_f64() {
        let nan = D::new(f64::NAN, 9.0);
        let x = D::new(1.5, 2.0);
        for picked in [x.max(nan), nan.max(x), x.min(nan), nan.min(x)] {
            assert_eq!((picked.value(), picked.derivative()), (1.5, 2.0));
        }
    }

    #[test]
    fn zero_tangents_stay_zero_where_partials_are_undefined() {
        assert_eq!(D::constant(0.0).sqrt().derivative(), 0.0);
        assert_eq!(D::constant(0.0).ln().derivative(), 0.0);
        assert_eq!(D::constant(1.0).acosh().derivative(), 0.0);
        assert_eq!((D::constant(1.0) / D::constant(0.0)).derivative(), 0.0);
        // ln(−2) is NaN, but a constant exponent never needs it.
        let cube = D::variable(-2.0).powf(D::constant(3.0));
        assert_eq!((cube.value(), cube.derivative()), (-8.0, 12.0));
        // a constant times infinity stays a constant
        assert_eq!(
            (D::constant(f64::INFINITY) * D::constant(2.0)).derivative(),
            0.0
        );
        // ... while a real dependence on an infinite partial shows up
        assert_eq!(D::variable(0.0).sqrt().derivative(), f64::INFINITY);
    }

    #[test]
    fn special_values_are_constants_of_the_value_type() {
        let constants = [
            (D::nan(), f64::NAN),
            (D::infinity(), f64::INFINITY),
            (D::neg_infinity(), f64::NEG_INFINITY),
            (D::neg_zero(), -0.0),
            (D::min_value(), f64::MIN),
            (D::min_positive_value(), f64::MIN_POSITIVE),
            (D::epsilon(), f64::EPSILON),
            (D::max_value(), f64::MAX),
            (<D as FloatConst>::PI(), core::f64::consts::PI),
            (<D as FloatConst>::LN_10(), core::f64::consts::LN_10),
            (<D as FloatConst>::TAU(), core::f64::consts::TAU),
            (D::zero(), 0.0),
            (D::one(), 1.0),
            (D::default(), 0.0),
        ];
        for (dual, plain) in constants {
            assert_eq!(dual.value().to_bits(), plain.to_bits());
            assert_eq!(dual.derivative(), 0.0);
        }
    }

    #[test]
    fn classification_looks_at_the_value_only() {
        let odd = D::new(-1.5, f64::NAN);
        assert!(!odd.is_nan() && odd.is_finite() && odd.is_normal() && !odd.is_infinite());
        assert!(odd.is_sign_negative() && !odd.is_sign_positive() && !odd.is_subnormal());
        assert_eq!(odd.classify(), FpCategory::Normal);
        assert_eq!(odd.integer_decode(), (-1.5f64).integer_decode());
        assert!(D::new(f64::MIN_POSITIVE / 2.0, 1.0).is_subnormal());
        assert!(D::new(f64::NAN, 0.0).is_nan());
        assert!(D::new(0.0, 1.0).is_zero());
    }

    #[test]
    fn comparisons_ignore_the_tangent() {
        assert_eq!(D::new(1.0, 2.0), D::new(1.0, -7.0));
        assert!(D::new(1.0, 9.0) < D::new(2.0, 0.0));
        assert_eq!(
            D::new(3.0, 1.0).partial_cmp(&D::new(3.0, 2.0)),
            Some(Ordering::Equal)
        );
        assert_eq!(D::nan().partial_cmp(&D::one()), None);
    }

    #[test]
    fn conversions_read_and_write_constants() {
        let parsed = D::from_str_radix("ff", 16).unwrap();
        assert_eq!((parsed.value(), parsed.derivative()), (255.0, 0.0));
        assert!(D::from_str_radix("not a number", 10).is_err());
        let cast = <D as NumCast>::from(3u8).unwrap();
        assert_eq!((cast.value(), cast.derivative()), (3.0, 0.0));
        let x = D::new(-2.7, 5.0);
        assert_eq!(
            (x.to_i32(), x.to_u8(), x.to_f32()),
            (Some(-2), None, Some(-2.7f32))
        );
        assert_eq!(x.to_f64(), Some(-2.7));
        let converted: D = 4.5.into();
        assert_eq!(converted.derivative(), 0.0);
    }

    #[test]
    fn display_writes_value_and_tangent() {
        assert_eq!(format!("{}", D::new(1.5, -2.0)), "1.5 - 2ε");
        assert_eq!(format!("{:.2}", D::new(0.5, 0.25)), "0.50 + 0.25ε");
        assert_eq!(
            format!("{:?}", D::variable(1.0)),
            "Dual { value: 1.0, derivative: 1.0 }"
        );
    }

    #[test]
    fn assignment_ops_and_folds_match_the_binary_ops() {
        let (x, y) = (D::new(1.25, -0.5), D::new(-3.0, 2.0));
        let bits = |d: D| (d.value().to_bits(), d.derivative().to_bits());
        let mut z = x;
        z += y;
        assert_eq!(bits(z), bits(x + y));
        z = x;
        z -= y;
        assert_eq!(bits(z), bits(x - y));
        z = x;
        z *= y;
        assert_eq!(bits(z), bits(x * y));
        z = x;
        z /= y;
        assert_eq!(bits(z), bits(x / y));
        z = x;
        z %= y;
        assert_eq!(bits(z), bits(x % y));
        assert_eq!(bits([x, y, x].into_iter().sum()), bits(x + y + x));
        assert_eq!(
            bits([x, y, x].into_iter().product()),
            bits(D::one() * x * y * x)
        );
    }

    #[test]
    fn nested_tangents_behind_a_zero_value_are_kept() {
        // a = 2 + 0·ε₂ + 1·ε₁ε₂: its outer tangent's value is 0, its second part is not.
        let a = Dual::new(Dual::constant(2.0), Dual::new(0.0, 1.0));
        let three = Dual::constant(Dual::constant(3.0));
        let second = |d: Dual<Dual<f64>>| d.derivative().derivative();
        assert_eq!(second(a * three), 3.0);
        assert_eq!(second(a / three), 1.0 / 3.0);
        assert_eq!(second(a.exp()), 2f64.exp());
        let c = 2f64.cosh();
        assert_eq!(second(a.tanh()), 1.0 / (c * c)); // chain_over
                                                     // A constant still stays a constant where its partial is infinite.
        let zero = Dual::constant(Dual::constant(0.0));
        assert_eq!(zero.sqrt().derivative().derivative(), 0.0);
        assert_eq!(zero.sqrt().derivative().value(), 0.0);
    }

    #[test]
    fn other_float_types_work_too() {
        let x = Dual::variable(0.5f32);
        let y = (x * x).exp();
        assert_eq!(y.value(), 0.25f32.exp());
        assert!((y.derivative() - 0.25f32.exp()).abs() <= 2.0 * f32::EPSILON);
    }
}
