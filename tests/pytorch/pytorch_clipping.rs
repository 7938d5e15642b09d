//! Gradient clipping against PyTorch 2.15's `torch.nn.utils.clip_grad_norm_`
//! (`foreach=False`) and `clip_grad_value_`. The numbers are in
//! `tests/data/clipping.json`, made by `tools/reference_schedules.py` (float64,
//! `ATEN_CPU_CAPABILITY=default`).
//!
//! Tolerances: f64 agrees within `1e-12 · |torch| + 1e-15` (PyTorch's norm reduction may
//! sum in another order); f32 within `1e-6 · |torch| + 1e-7` (a few f32 roundings of
//! the sum, the square root and the scale).

use backprop::{clip_grad_norm, clip_grad_value};
use num_traits::Float;
use serde_json::Value;

fn data() -> Value {
    serde_json::from_str(include_str!("../data/clipping.json")).expect("valid JSON")
}

fn floats<T: Float>(v: &Value) -> Vec<T> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| T::from(x.as_f64().expect("a number")).unwrap())
        .collect()
}

fn assert_close<T: Float>(ours: T, torch: f64, rel: f64, abs: f64, what: &str) {
    let ours = ours.to_f64().unwrap();
    assert!(
        (ours - torch).abs() <= rel * torch.abs() + abs,
        "{what}: ours {ours:e}, torch {torch:e}"
    );
}

fn check_norm<T: Float>(rel: f64, abs: f64) {
    let data = data();
    let cases = data["clip_grad_norm"].as_array().unwrap();
    assert_eq!(cases.len(), 55);
    let mut clipped_some = 0;
    for case in cases {
        let mut grads = floats::<T>(&case["grads"]);
        let before = grads.clone();
        let max_norm = T::from(case["max_norm"].as_f64().unwrap()).unwrap();
        let norm = clip_grad_norm(&mut grads, max_norm).unwrap();
        let what = format!("{case:.0}");
        assert_close(norm, case["total_norm"].as_f64().unwrap(), rel, abs, &what);
        for (&ours, torch) in grads.iter().zip(floats::<f64>(&case["clipped"])) {
            assert_close(ours, torch, rel, abs, &what);
        }
        clipped_some += usize::from(grads != before);
    }
    assert!(
        clipped_some > 20,
        "the cases exercise clipping: {clipped_some}"
    );
}

fn check_value<T: Float>(rel: f64, abs: f64) {
    let data = data();
    let cases = data["clip_grad_value"].as_array().unwrap();
    assert_eq!(cases.len(), 44);
    for case in cases {
        let mut grads = floats::<T>(&case["grads"]);
        let clip_value = T::from(case["clip_value"].as_f64().unwrap()).unwrap();
        clip_grad_value(&mut grads, clip_value).unwrap();
        for (&ours, torch) in grads.iter().zip(floats::<f64>(&case["clipped"])) {
            assert_close(ours, torch, rel, abs, &format!("{case:.0}"));
        }
    }
}

#[test]
fn clip_grad_norm_matches_pytorch_in_f64() {
    check_norm::<f64>(1e-12, 1e-15);
}

#[test]
fn clip_grad_norm_matches_pytorch_in_f32() {
    check_norm::<f32>(1e-6, 1e-7);
}

#[test]
fn clip_grad_value_matches_pytorch_in_f64() {
    check_value::<f64>(1e-12, 1e-15);
}

#[test]
fn clip_grad_value_matches_pytorch_in_f32() {
    check_value::<f32>(1e-6, 1e-7);
}

/// `0.6² + 0.8² = 1`: at the bound, PyTorch's `+ 1e-6` still scales the gradient down.
#[test]
fn a_gradient_at_the_bound_still_shrinks_as_in_pytorch() {
    let data = data();
    let case = data["clip_grad_norm"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["grads"] == serde_json::json!([0.6, 0.8]) && c["max_norm"] == 1.0)
        .expect("the case is in the data");
    let torch = floats::<f64>(&case["clipped"]);
    assert!(torch[0] < 0.6);
    let mut grads = [0.6, 0.8];
    clip_grad_norm(&mut grads, 1.0).unwrap();
    assert_close(grads[0], torch[0], 1e-15, 0.0, "first");
    assert_close(grads[1], torch[1], 1e-15, 0.0, "second");
}
