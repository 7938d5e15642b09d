//! The diabetes example's split, re-implemented in Python by tools/reference_diabetes.py
//! to fit scikit-learn's `LinearRegression` on the same rows: the indices must agree
//! (`tests/data/diabetes_split.json`), or the baseline recorded in the example is not
//! comparable.

use backprop::prepare::train_test_split;
use serde_json::Value;

use crate::common::floats;

#[test]
fn the_python_baseline_uses_the_crates_split() {
    let r: Value = serde_json::from_str(include_str!("../data/diabetes_split.json")).unwrap();
    let (train, test) = train_test_split(442, 0.2, 42).unwrap();
    let indices = |v: &Value| -> Vec<usize> { floats(v).iter().map(|&i| i as usize).collect() };
    assert_eq!(train, indices(&r["train"]));
    assert_eq!(test, indices(&r["test"]));
}
