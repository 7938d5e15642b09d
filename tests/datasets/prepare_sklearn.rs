//! Splits and scalers against scikit-learn (`tests/data/prepare.json`, written by
//! `tools/reference_prepare.py`): split sizes, stratified per-class counts, and the
//! attributes and transforms of `StandardScaler` and `MinMaxScaler`, to the last bit
//! (NumPy sums a C-ordered matrix's columns row after row, as `Standardize` does).

use backprop::datasets::{breast_cancer, diabetes, digits, iris, wine};
use backprop::prepare::{stratified_train_test_split, train_test_split, MinMax, Standardize};
use backprop::Error;
use serde_json::Value;

use crate::common::floats;

fn reference() -> Value {
    serde_json::from_str(include_str!("../data/prepare.json")).unwrap()
}

fn counts(value: &Value) -> Vec<usize> {
    floats(value).iter().map(|&c| c as usize).collect()
}

fn matrix(name: &str, case: &Value) -> Vec<f64> {
    match name {
        "iris" => iris::<f64>().inputs().to_vec(),
        "wine_first_100" => wine::<f64>().inputs()[..100 * 13].to_vec(),
        "digits" => digits::<f64>().inputs().to_vec(),
        "diabetes" => diabetes::<f64>().inputs().to_vec(),
        _ => floats(&case["fit_rows"]),
    }
}

#[test]
fn scalers_match_scikit_learns_attributes_and_transforms() {
    for case in reference()["scalers"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let width = case["input_len"].as_u64().unwrap() as usize;
        let x = matrix(name, case);
        let rows = &x[..7.min(x.len() / width) * width];

        let s = Standardize::fit(&x, width).unwrap();
        let r = &case["standard"];
        assert_eq!(s.mean(), floats(&r["mean"]), "{name}");
        assert_eq!(s.var(), floats(&r["var"]), "{name}");
        assert_eq!(s.scale(), floats(&r["scale"]), "{name}");
        let mut out = rows.to_vec();
        s.transform(&mut out).unwrap();
        assert_eq!(out, floats(&r["transformed"]), "{name}");
        let mut out = rows.to_vec();
        s.inverse_transform(&mut out).unwrap();
        assert_eq!(out, floats(&r["inverse"]), "{name}");

        let m = MinMax::fit(&x, width).unwrap();
        let r = &case["minmax"];
        assert_eq!(m.data_min(), floats(&r["data_min"]), "{name}");
        assert_eq!(m.data_max(), floats(&r["data_max"]), "{name}");
        assert_eq!(m.scale(), floats(&r["scale"]), "{name}");
        assert_eq!(m.min(), floats(&r["min"]), "{name}");
        let mut out = rows.to_vec();
        m.transform(&mut out).unwrap();
        assert_eq!(out, floats(&r["transformed"]), "{name}");
        let mut out = rows.to_vec();
        m.inverse_transform(&mut out).unwrap();
        assert_eq!(out, floats(&r["inverse"]), "{name}");
    }
}

#[test]
fn split_sizes_are_scikit_learns() {
    for case in reference()["split_sizes"].as_array().unwrap() {
        let n = case["rows"].as_u64().unwrap() as usize;
        let f = case["fraction"].as_f64().unwrap();
        let split = train_test_split(n, f, 3);
        if case.get("refused").is_some() {
            assert!(matches!(
                split,
                Err(Error::InvalidHyperparameter {
                    name: "test_size",
                    ..
                })
            ));
            continue;
        }
        let (train, test) = split.unwrap();
        let expected = (
            case["train"].as_u64().unwrap(),
            case["test"].as_u64().unwrap(),
        );
        assert_eq!(
            (train.len() as u64, test.len() as u64),
            expected,
            "{n} rows, {f}"
        );
        let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..n).collect::<Vec<_>>(), "every row once");
    }
}

fn labels(name: &str) -> Vec<f64> {
    match name {
        "iris" => iris().targets().to_vec(),
        "wine" => wine().targets().to_vec(),
        "breast_cancer" => breast_cancer().targets().to_vec(),
        "digits" => digits().targets().to_vec(),
        _ => [5, 4, 3, 2, 2]
            .iter()
            .enumerate()
            .flat_map(|(class, &n)| std::iter::repeat_n(class as f64, n))
            .collect(),
    }
}

fn per_class(y: &[f64], rows: &[usize], classes: usize) -> Vec<usize> {
    let mut counts = vec![0; classes];
    rows.iter().for_each(|&i| counts[y[i] as usize] += 1);
    counts
}

#[test]
fn stratified_counts_are_scikit_learns() {
    for case in reference()["stratified"].as_array().unwrap() {
        let name = case["labels"].as_str().unwrap();
        let f = case["fraction"].as_f64().unwrap();
        let y = labels(name);
        let classes = y.iter().fold(0.0f64, |m, &c| m.max(c)) as usize + 1;
        for seed in 0..20 {
            let split = stratified_train_test_split(&y, f, seed);
            if case.get("refused").is_some() {
                assert!(
                    matches!(
                        split,
                        Err(Error::InvalidHyperparameter {
                            name: "test_size",
                            ..
                        })
                    ),
                    "{name} {f}"
                );
                break;
            }
            let (train, test) = split.unwrap();
            let got = (
                per_class(&y, &train, classes),
                per_class(&y, &test, classes),
            );
            let outcomes = case["outcomes"].as_array().unwrap();
            let known = outcomes
                .iter()
                .any(|o| (counts(&o["train"]), counts(&o["test"])) == got);
            assert!(
                known,
                "{name} {f} seed {seed}: {got:?} is not among {outcomes:?}"
            );
        }
    }
}
