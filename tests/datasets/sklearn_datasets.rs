//! Each data set's shape, class counts, names, first and last rows, sum, and a checksum
//! of every value's bits, against what scikit-learn's loaders return.

use backprop::datasets::{breast_cancer, diabetes, digits, iris, wine};
use backprop::Dataset;
use serde_json::Value;

use crate::common::floats;

fn reference(name: &str) -> Value {
    let text = include_str!("../data/datasets.json");
    let all: Value = serde_json::from_str(text).unwrap();
    all[name].clone()
}

/// Σᵢ (i + 1) · bits(xᵢ) mod 2⁶⁴, as tools/reference_datasets.py computes it.
fn checksum(values: impl IntoIterator<Item = u64>) -> u64 {
    values.into_iter().enumerate().fold(0u64, |sum, (i, bits)| {
        sum.wrapping_add((i as u64 + 1).wrapping_mul(bits))
    })
}

fn sequential_sum(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |sum, &v| sum + v)
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn check(name: &str, data: Dataset<f64>, data_f32: Dataset<f32>) {
    let r = reference(name);
    let rows = r["rows"].as_u64().unwrap() as usize;
    let width = r["input_len"].as_u64().unwrap() as usize;
    assert_eq!((data.len(), data.input_len()), (rows, width), "{name}");
    assert_eq!(
        (data.inputs().len(), data.targets().len()),
        (rows * width, rows)
    );
    assert_eq!(data.feature_names(), strings(&r["feature_names"]), "{name}");
    assert_eq!(&data.inputs()[..width], floats(&r["first_row"]), "{name}");
    assert_eq!(
        &data.inputs()[(rows - 1) * width..],
        floats(&r["last_row"]),
        "{name}"
    );
    assert_eq!(
        sequential_sum(data.inputs()),
        r["inputs_sum"].as_f64().unwrap(),
        "{name}"
    );
    assert_eq!(
        sequential_sum(data.targets()),
        r["targets_sum"].as_f64().unwrap(),
        "{name}"
    );
    let bits = |values: &[f64]| checksum(values.iter().map(|v| v.to_bits()));
    assert_eq!(
        bits(data.inputs()),
        r["inputs_checksum"].as_u64().unwrap(),
        "{name}"
    );
    assert_eq!(
        bits(data.targets()),
        r["targets_checksum"].as_u64().unwrap(),
        "{name}"
    );
    // f32: the decimal → f64 → f32 values are the decimals rounded directly to f32
    let bits_f32 = checksum(data_f32.inputs().iter().map(|v| u64::from(v.to_bits())));
    assert_eq!(
        bits_f32,
        r["inputs_checksum_f32"].as_u64().unwrap(),
        "{name} in f32"
    );
    match r.get("class_counts") {
        Some(counts) => {
            let counts: Vec<usize> = floats(counts).iter().map(|&c| c as usize).collect();
            assert_eq!(data.classes(), Some(counts.len()), "{name}");
            assert_eq!(data.class_counts(), Some(counts), "{name}");
            assert_eq!(data.target_names(), strings(&r["target_names"]), "{name}");
        }
        None => assert_eq!(
            (data.classes(), data.class_counts()),
            (None, None),
            "{name}"
        ),
    }
}

#[test]
fn iris_is_scikit_learns() {
    check("iris", iris(), iris());
}

#[test]
fn wine_is_scikit_learns() {
    check("wine", wine(), wine());
}

#[test]
fn breast_cancer_is_scikit_learns() {
    check("breast_cancer", breast_cancer(), breast_cancer());
}

#[test]
fn digits_is_scikit_learns() {
    let data = digits::<f64>();
    assert!(data
        .inputs()
        .iter()
        .all(|&v| v.fract() == 0.0 && (0.0..=16.0).contains(&v)));
    check("digits", data, digits());
}

#[test]
fn diabetes_is_scikit_learns_raw_data() {
    let data = diabetes::<f64>();
    assert_eq!(data.target_names(), ["target"]);
    check("diabetes", data, diabetes());
}

#[test]
fn the_shipped_files_stay_under_300_kb() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sklearn");
    let total: u64 = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().metadata().unwrap().len())
        .sum();
    assert!(total < 300_000, "data/sklearn holds {total} bytes");
}
