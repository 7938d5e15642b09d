//! Numbers into `T`: the one conversion the crate's formulas use.

use num_traits::{Float, ToPrimitive};

/// `value` (a constant of a formula, a count of rows or steps) as a `T`.
///
/// Every float type the crate is used with converts these, rounding where it must
/// (`f32` above 2²⁴, `f16` overflowing to ∞). A type that cannot represent the value at
/// all gets NaN: it poisons the result, so the finite checks of a step or a restore
/// refuse it loudly instead of computing on with a stand-in.
pub(crate) fn cast<T: Float>(value: impl ToPrimitive) -> T {
    T::from(value).unwrap_or_else(T::nan)
}
