//! The examples reach what their doc comments and issue 14 say: each example's training
//! (examples/shared/) runs here exactly as the example runs it.
//!
//! Issue 14's bars: the digits at least 97 % test accuracy, the breast cancer data at
//! least 95 %, and the diabetes regression a test R² at least that of scikit-learn's
//! `LinearRegression` on the same split (tests/data/diabetes_split.json). The figures the
//! doc comments print are checked to their printed digits, and the confusion matrices
//! they describe value for value. (These are the bits of the fused multiply-add builds,
//! which every x86-64 CPU with AVX2 runs; a CPU without them rounds differently.)

#[path = "../../examples/shared/classify.rs"]
mod classify;
#[path = "../../examples/shared/diabetes.rs"]
mod diabetes;
#[path = "../../examples/shared/digits.rs"]
mod digits;

use backprop::datasets;
use serde_json::Value;

fn printed(value: f64) -> String {
    format!("{value:.4}")
}

#[test]
fn iris_misses_one_virginica_of_thirty() {
    let outcome = classify::train_and_test(datasets::iris()).unwrap();
    assert_eq!(outcome.test_rows, 30);
    assert_eq!(printed(outcome.accuracy), "0.9667");
    // rows the true species (setosa, versicolor, virginica), columns the predicted
    assert_eq!(outcome.confusion, [10, 0, 0, 0, 10, 0, 0, 1, 9]);
}

#[test]
fn wine_is_all_right() {
    let outcome = classify::train_and_test(datasets::wine()).unwrap();
    assert_eq!(outcome.test_rows, 36);
    assert_eq!(outcome.accuracy, 1.0);
    assert_eq!(outcome.confusion, [12, 0, 0, 0, 14, 0, 0, 0, 10]);
}

#[test]
fn breast_cancer_reaches_95_percent() {
    let outcome = classify::train_and_test(datasets::breast_cancer()).unwrap();
    assert_eq!(outcome.test_rows, 114);
    assert!(outcome.accuracy >= 0.95, "{}", outcome.accuracy);
    assert_eq!(printed(outcome.accuracy), "0.9737");
}

#[test]
fn digits_reach_97_percent() {
    let outcome = digits::train_and_test().unwrap();
    assert!(outcome.accuracy >= 0.97, "{}", outcome.accuracy);
    assert_eq!(printed(outcome.accuracy), "0.9722");
    // the misclassified digits the figure draws are those the matrix counts off its diagonal
    let wrong = (outcome.truth.iter().zip(&outcome.predicted)).filter(|(t, p)| t != p);
    let diagonal: usize = (0..10).map(|d| outcome.confusion[d * 11]).sum();
    assert_eq!((wrong.count(), diagonal), (10, 350));
    assert_eq!(outcome.test_x.len(), 360 * 64);
}

#[test]
fn diabetes_beats_linear_regression() {
    let reference: Value =
        serde_json::from_str(include_str!("../data/diabetes_split.json")).unwrap();
    let linear = reference["linear_regression_r2"].as_f64().unwrap();
    let outcome = diabetes::train_and_test().unwrap();
    assert_eq!(outcome.test_rows, 89);
    assert!(outcome.r2 >= linear, "R² {} against {linear}", outcome.r2);
    assert_eq!(printed(outcome.r2), "0.4442");
}
