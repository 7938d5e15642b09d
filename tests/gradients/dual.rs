//! Property tests of `Dual<f64>`: the arithmetic rules against their closed forms, and
//! every elementary function's tangent against central finite differences of the plain
//! `f64` function at random points of its domain.

use backprop::Dual;
use num_traits::Float;
use proptest::prelude::*;

type D = Dual<f64>;

const EPS: f64 = f64::EPSILON;

/// `(f(x + h) − f(x − h)) / 2h` with `h = ∛ε·max(1, |x|)`.
fn central_difference(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = EPS.cbrt() * x.abs().max(1.0);
    (f(x + h) - f(x - h)) / (2.0 * h)
}

/// A central difference carries ~1e-10 relative error here (truncation O(h²), rounding
/// O(ε/h)); 1e-6 of the magnitudes involved leaves room near the domains' edges.
fn assert_near_difference(tangent: f64, numeric: f64, value: f64, what: &str) {
    let tolerance = 1e-6 * (1.0 + value.abs() + numeric.abs());
    assert!(
        (tangent - numeric).abs() <= tolerance,
        "{what}: tangent {tangent} vs central difference {numeric}"
    );
}

/// A unary function in both types and the open interval its tests draw points from.
struct Unary {
    name: &'static str,
    plain: fn(f64) -> f64,
    dual: fn(D) -> D,
    domain: (f64, f64),
}

macro_rules! unary {
    ($($name:ident in $lo:expr, $hi:expr;)*) => {
        [$(Unary {
            name: stringify!($name),
            plain: |x| x.$name(),
            dual: |x| x.$name(),
            domain: ($lo, $hi),
        },)*]
    };
}

/// The elementary functions, each on its domain kept clear of singularities.
fn elementary() -> Vec<Unary> {
    unary! {
        exp in -20.0, 20.0;
        exp2 in -20.0, 20.0;
        exp_m1 in -20.0, 20.0;
        ln in 0.1, 100.0;
        ln_1p in -0.9, 100.0;
        log2 in 0.1, 100.0;
        log10 in 0.1, 100.0;
        sqrt in 0.1, 100.0;
        cbrt in 0.1, 100.0;
        recip in 0.1, 100.0;
        sin in -10.0, 10.0;
        cos in -10.0, 10.0;
        tan in -1.3, 1.3;
        asin in -0.9, 0.9;
        acos in -0.9, 0.9;
        atan in -10.0, 10.0;
        sinh in -10.0, 10.0;
        cosh in -10.0, 10.0;
        tanh in -10.0, 10.0;
        asinh in -10.0, 10.0;
        acosh in 1.05, 100.0;
        atanh in -0.9, 0.9;
        to_degrees in -10.0, 10.0;
        to_radians in -10.0, 10.0;
    }
    .into_iter()
    .collect()
}

/// A two-argument function in both types; `any_sign` if it takes negative arguments.
struct Binary {
    name: &'static str,
    plain: fn(f64, f64) -> f64,
    dual: fn(D, D) -> D,
    any_sign: bool,
}

/// A point of `(lo, hi)` from `u ∈ [0, 1)`.
fn within((lo, hi): (f64, f64), u: f64) -> f64 {
    lo + u * (hi - lo)
}

fn finite() -> impl Strategy<Value = f64> {
    -100.0..100.0f64
}

/// Away from 0, for divisors.
fn divisor() -> impl Strategy<Value = f64> {
    prop_oneof![-100.0..-1e-3f64, 1e-3..100.0f64]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn sums_differences_and_negation_are_exact(
        a in finite(), b in finite(), c in finite(), d in finite()
    ) {
        let (x, y) = (D::new(a, b), D::new(c, d));
        for (got, value, derivative) in [(x + y, a + c, b + d), (x - y, a - c, b - d), (-x, -a, -b)] {
            prop_assert_eq!(got.value().to_bits(), value.to_bits());
            prop_assert_eq!(got.derivative().to_bits(), derivative.to_bits());
        }
    }

    /// Rounding error of `bc + ad` is at most ~2ε of `|bc| + |ad|`.
    #[test]
    fn products_follow_the_product_rule(
        a in finite(), b in finite(), c in finite(), d in finite()
    ) {
        let got = D::new(a, b) * D::new(c, d);
        prop_assert_eq!(got.value().to_bits(), (a * c).to_bits());
        let bound = 2.0 * EPS * ((b * c).abs() + (a * d).abs());
        prop_assert!((got.derivative() - (b * c + a * d)).abs() <= bound);
    }

    /// `(b·c − a·d)/c²` from the textbook, to a few ε of its terms' magnitudes.
    #[test]
    fn quotients_follow_the_quotient_rule(
        a in finite(), b in finite(), c in divisor(), d in finite()
    ) {
        let got = D::new(a, b) / D::new(c, d);
        prop_assert_eq!(got.value().to_bits(), (a / c).to_bits());
        let expected = (b * c - a * d) / (c * c);
        let bound = 4.0 * EPS * ((b / c).abs() + (a * d / (c * c)).abs());
        prop_assert!((got.derivative() - expected).abs() <= bound);
    }

    /// `a % c = a − trunc(a/c)·c`, so the tangent is `b − trunc(a/c)·d` between jumps.
    #[test]
    fn remainders_follow_the_truncated_quotient(
        a in finite(), b in finite(), c in divisor(), d in finite()
    ) {
        let quotient = a / c;
        prop_assume!(quotient.fract().abs() > 1e-6 && quotient.fract().abs() < 1.0 - 1e-6);
        let got = D::new(a, b) % D::new(c, d);
        prop_assert_eq!(got.value().to_bits(), (a % c).to_bits());
        let expected = b - quotient.trunc() * d;
        prop_assert!((got.derivative() - expected).abs() <= 2.0 * EPS * (b.abs() + (quotient * d).abs()));
    }

    /// Value bit for bit, tangent against the central difference, and the tangent is
    /// linear in the seed: `f(x + tε)` has tangent `t·f'(x)` (to an ulp or two).
    #[test]
    fn elementary_functions_match_finite_differences(
        index in 0..24usize, u in 0.0..1.0f64, t in finite()
    ) {
        let f = &elementary()[index];
        let x = within(f.domain, u);
        let unit = (f.dual)(D::variable(x));
        prop_assert_eq!(unit.value().to_bits(), (f.plain)(x).to_bits(), "{}", f.name);
        let numeric = central_difference(f.plain, x);
        assert_near_difference(unit.derivative(), numeric, (f.plain)(x), f.name);
        let seeded = (f.dual)(D::new(x, t)).derivative();
        prop_assert!((seeded - t * unit.derivative()).abs() <= 2.0 * EPS * seeded.abs(), "{}", f.name);
    }

    /// Two-argument functions along a random direction `(da, dc)`: the tangent is the
    /// derivative of `s ↦ f(a + s·da, c + s·dc)` at 0.
    #[test]
    fn binary_functions_give_directional_derivatives(
        a in 0.2..20.0f64, c in 0.2..20.0f64, da in -1.0..1.0f64, dc in -1.0..1.0f64,
        sign_a in prop::bool::ANY, sign_c in prop::bool::ANY
    ) {
        let signed = |v: f64, negative: bool| if negative { -v } else { v };
        let binary = [
            Binary { name: "powf", plain: |x, y| x.powf(y), dual: |x, y| x.powf(y), any_sign: false },
            Binary { name: "log", plain: |x, y| x.log(y), dual: |x, y| x.log(y), any_sign: false },
            Binary { name: "atan2", plain: |x, y| x.atan2(y), dual: |x, y| x.atan2(y), any_sign: true },
            Binary { name: "hypot", plain: |x, y| x.hypot(y), dual: |x, y| x.hypot(y), any_sign: true },
            Binary {
                name: "mul_add",
                plain: |x, y| x.mul_add(y, x),
                dual: |x, y| x.mul_add(y, x),
                any_sign: true,
            },
        ];
        for Binary { name, plain, dual, any_sign } in binary {
            // powf and log need a positive base and argument; log also a base away from 1
            let (a, c) = if any_sign { (signed(a, sign_a), signed(c, sign_c)) } else { (a, c) };
            if name == "log" && (c - 1.0).abs() < 0.1 {
                continue;
            }
            let along = |s: f64| plain(a + s * da, c + s * dc);
            let got = dual(D::new(a, da), D::new(c, dc));
            prop_assert_eq!(got.value().to_bits(), plain(a, c).to_bits(), "{}", name);
            assert_near_difference(got.derivative(), central_difference(along, 0.0), got.value(), name);
        }
    }

    /// The chain rule through a composition: d/dx ln(1 + sin x · eˣ) against differences.
    #[test]
    fn compositions_follow_the_chain_rule(x in -1.0..1.0f64) {
        let plain = |x: f64| (x.sin() * x.exp()).ln_1p();
        let got = (D::variable(x).sin() * D::variable(x).exp()).ln_1p();
        prop_assert_eq!(got.value().to_bits(), plain(x).to_bits());
        let closed = (x.cos() + x.sin()) * x.exp() / (1.0 + x.sin() * x.exp());
        prop_assert!((got.derivative() - closed).abs() <= 16.0 * EPS * closed.abs().max(1.0));
        assert_near_difference(got.derivative(), central_difference(plain, x), plain(x), "composition");
    }
}

#[test]
fn the_table_covers_every_elementary_function() {
    assert_eq!(elementary().len(), 24);
}
