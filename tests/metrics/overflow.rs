//! Finite values whose squares overflow the type: R² and the explained variance are
//! ratios that do not change when every value is multiplied by the same power of two, so
//! on values scaled up until their sums of squares overflow they must give the unscaled
//! values' scores (scikit-learn gives NaN there).

use backprop::metrics::{explained_variance_score, r2_score};

fn scaled(values: &[f64], exponent: i32) -> Vec<f64> {
    values.iter().map(|v| v * 2f64.powi(exponent)).collect()
}

#[test]
fn r2_and_explained_variance_survive_squares_beyond_the_range() {
    let (y, p) = ([1.0, 2.0, 3.0, -4.5], [1.5, 2.0, 2.5, -4.0]);
    for exponent in [510, 600, 1020] {
        let (big_y, big_p) = (scaled(&y, exponent), scaled(&p, exponent));
        assert!(
            (big_y[3] * big_y[3]).is_infinite(),
            "the squares overflow at 2^{exponent}"
        );
        assert_eq!(r2_score(&big_y, &big_p), r2_score(&y, &p), "2^{exponent}");
        assert_eq!(
            explained_variance_score(&big_y, &big_p),
            explained_variance_score(&y, &p),
            "2^{exponent}"
        );
    }
    // the doc example, 0.5, and f32, whose squares overflow near 1.8e19
    let (y32, p32) = ([1.0e20f32, 2.0e20, 3.0e20], [1.0e20f32, 2.0e20, 4.0e20]);
    assert_eq!(r2_score(&y32, &p32).unwrap(), 0.5);
}
