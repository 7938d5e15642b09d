//! Hessian-vector products against central differences of the backward pass's gradient,
//! in f64 and f32: `H v ≈ (∇L(θ + h v) − ∇L(θ − h v)) / 2h`, which shares nothing with
//! the dual numbers but the backward pass itself.
//!
//! `h = ∛ε` (the direction has entries in [−1, 1]): truncation and rounding errors both
//! about `ε^(2/3)` of the gradient's scale, so `|Hv − numeric| ≤ tol · max(1, |numeric|)`
//! with `tol` = 1e-7 in f64 and 5e-3 in f32. The Hessian's columns are Hessian-vector
//! products, and it is symmetric to rounding.

use backprop::derivatives::{hessian, hessian_vector_product};
use backprop::{Activation, Dual, Loss, Model, Mse, Network};
use num_traits::Float;

/// The mean-squared-error gradient of a batch (one row per output's row) at `params`.
fn gradient<T: Float + Send + Sync + 'static>(
    net: &Network<T>,
    params: &[T],
    x: &[T],
    y: &[T],
) -> Vec<T> {
    let mut net = net.clone();
    net.params_mut().copy_from_slice(params);
    let rows = y.len() / net.output_len();
    let mut outputs = vec![T::zero(); y.len()];
    let mut workspace = vec![T::zero(); net.workspace_len(rows)];
    net.forward(x, &mut outputs, &mut workspace);
    let mut g = vec![T::zero(); y.len()];
    for ((p, t), g) in outputs
        .chunks(net.output_len())
        .zip(y.chunks(net.output_len()))
        .zip(g.chunks_mut(net.output_len()))
    {
        Mse.gradient(p, t, g);
        g.iter_mut().for_each(|g| *g = *g / T::from(rows).unwrap());
    }
    let mut grads = vec![T::zero(); net.params().len()];
    net.backward(x, &outputs, &mut g, &mut workspace, &mut grads, None);
    grads
}

fn check<T>(tol: f64)
where
    T: Float + Send + Sync + 'static,
    Mse: Loss<T> + Loss<Dual<T>>,
{
    let c = |v: f64| T::from(v).unwrap();
    let net: Network<T> = Network::builder(2)
        .dense(4, Activation::Tanh)
        .dense(3, Activation::Sigmoid)
        .dense(1, Activation::Identity)
        .seed(21)
        .build()
        .unwrap();
    let (x, y) = ([0.3, -0.9, 1.2, 0.4].map(c), [0.5, -0.2].map(c));
    let n = net.params().len();
    let v: Vec<T> = (0..n)
        .map(|i| c(((i * 7) % 11) as f64 / 5.0 - 1.0))
        .collect();
    let hv = hessian_vector_product(&net, &Mse, &x, &y, &v).unwrap();
    let h = T::epsilon().cbrt();
    let moved = |s: T| -> Vec<T> {
        let p: Vec<T> = net
            .params()
            .iter()
            .zip(&v)
            .map(|(p, v)| *p + s * *v)
            .collect();
        gradient(&net, &p, &x, &y)
    };
    let (plus, minus) = (moved(h), moved(-h));
    for i in 0..n {
        let numeric = ((plus[i] - minus[i]) / (h + h)).to_f64().unwrap();
        let ours = hv[i].to_f64().unwrap();
        assert!(
            (ours - numeric).abs() <= tol * numeric.abs().max(1.0),
            "Hv[{i}] = {ours:e}, central difference {numeric:e}"
        );
    }
    let full = hessian(&net, &Mse, &x, &y).unwrap();
    for i in 0..n {
        let row: T = (0..n).fold(T::zero(), |s, j| s + full[i * n + j] * v[j]);
        let scale = full[i * n..][..n]
            .iter()
            .fold(T::one(), |m, h| m.max(h.abs()));
        assert!((row - hv[i]).abs() <= c(8.0) * T::epsilon() * scale * c(n as f64));
        for j in 0..i {
            let (a, b) = (full[i * n + j], full[j * n + i]);
            assert!(
                (a - b).abs() <= c(8.0) * T::epsilon() * scale,
                "H[{i}][{j}]"
            );
        }
    }
}

#[test]
fn hessian_vector_products_match_differences_of_the_gradient_in_f64() {
    check::<f64>(1e-7);
}

#[test]
fn hessian_vector_products_match_differences_of_the_gradient_in_f32() {
    check::<f32>(5e-3);
}
