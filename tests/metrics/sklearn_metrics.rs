//! Each metric equals scikit-learn's on the same inputs, to a few units in the last place
//! (NumPy may sum in another order).

use backprop::metrics::*;
use serde_json::Value;

use crate::common::floats;

fn reference(part: &str) -> Vec<Value> {
    let all: Value = serde_json::from_str(include_str!("../data/metrics.json")).unwrap();
    all[part].as_array().unwrap().clone()
}

fn close(actual: f64, expected: &Value, what: &str) {
    let e = expected.as_f64().unwrap();
    assert!(
        (actual - e).abs() <= 4.0 * f64::EPSILON * e.abs().max(1.0),
        "{what}: {actual} vs {e}"
    );
}

fn all_close(actual: &[f64], expected: &Value, what: &str) {
    let expected = expected.as_array().unwrap();
    assert_eq!(actual.len(), expected.len(), "{what}");
    actual
        .iter()
        .zip(expected)
        .for_each(|(a, e)| close(*a, e, what));
}

#[test]
fn classification_metrics_are_scikit_learns() {
    for case in reference("classification") {
        let (t, p) = (floats(&case["y_true"]), floats(&case["y_pred"]));
        let classes = case["classes"].as_u64().unwrap() as usize;
        close(
            accuracy_score(&t, &p).unwrap(),
            &case["accuracy"],
            "accuracy",
        );
        let balanced = balanced_accuracy_score(&t, &p, classes).unwrap();
        close(balanced, &case["balanced_accuracy"], "balanced accuracy");
        let matrix: Vec<f64> = confusion_matrix(&t, &p, classes)
            .unwrap()
            .iter()
            .map(|&c| c as f64)
            .collect();
        assert_eq!(matrix, floats(&case["confusion_matrix"]));
        let scores = precision_recall_fscore_support(&t, &p, classes).unwrap();
        all_close(scores.precision(), &case["precision"], "precision");
        all_close(scores.recall(), &case["recall"], "recall");
        all_close(scores.f1(), &case["f1"], "f1");
        let support: Vec<f64> = scores.support().iter().map(|&s| s as f64).collect();
        assert_eq!(support, floats(&case["support"]));
        for (averages, key) in [
            (scores.macro_average(), "macro"),
            (scores.weighted_average(), "weighted"),
        ] {
            all_close(
                &[averages.precision, averages.recall, averages.f1],
                &case[key],
                key,
            );
        }
    }
}

#[test]
fn roc_auc_and_log_loss_are_scikit_learns() {
    for case in reference("roc_auc") {
        let auc = roc_auc_score(&floats(&case["y_true"]), &floats(&case["y_score"])).unwrap();
        close(auc, &case["auc"], "roc auc");
    }
    for case in reference("log_loss") {
        let classes = case["classes"].as_u64().unwrap() as usize;
        let loss = log_loss(&floats(&case["y_true"]), &floats(&case["y_prob"]), classes).unwrap();
        close(loss, &case["log_loss"], "log loss");
    }
}

#[test]
fn binary_log_loss_takes_the_probability_of_class_1_alone() {
    let all: Value = serde_json::from_str(include_str!("../data/metrics.json")).unwrap();
    let case = &all["binary_log_loss"];
    let (y, p1) = (floats(&case["y_true"]), floats(&case["y_prob"]));
    let loss = log_loss(&y, &p1, 2).unwrap();
    close(loss, &case["log_loss"], "binary log loss");
    // scikit-learn's own reading: the rows [1 − p, p]
    let rows: Vec<f64> = p1.iter().flat_map(|&p| [1.0 - p, p]).collect();
    assert_eq!(log_loss(&y, &rows, 2).unwrap(), loss);
    // one class: a row of one probability is that class's, not class 1's
    assert_eq!(log_loss(&[0.0], &[0.25], 1).unwrap(), -(0.25f64.ln()));
}

#[test]
fn r2_on_one_sample_is_refused_where_scikit_learn_gives_nan() {
    let all: Value = serde_json::from_str(include_str!("../data/metrics.json")).unwrap();
    let case = &all["r2_single_sample"];
    assert_eq!(case["is_nan"], Value::Bool(true));
    let defined = floats(&case["explained_variance"]);
    for ((y, p), defined) in [(1.0, 1.0), (1.0, 2.0)].into_iter().zip(defined) {
        assert_eq!(
            r2_score(&[y], &[p]),
            Err(backprop::Error::TooFewSamples {
                metric: "r2_score",
                samples: 1,
                needed: 2
            })
        );
        assert_eq!(explained_variance_score(&[y], &[p]), Ok(defined));
    }
    assert_eq!(r2_score(&[1.0, 2.0], &[1.0, 2.0]), Ok(1.0)); // two are enough
}

#[test]
fn regression_metrics_are_scikit_learns() {
    for case in reference("regression") {
        let (t, p) = (floats(&case["y_true"]), floats(&case["y_pred"]));
        close(mean_squared_error(&t, &p).unwrap(), &case["mse"], "mse");
        close(mean_absolute_error(&t, &p).unwrap(), &case["mae"], "mae");
        close(r2_score(&t, &p).unwrap(), &case["r2"], "r2");
        close(
            explained_variance_score(&t, &p).unwrap(),
            &case["explained_variance"],
            "ev",
        );
    }
}

#[test]
fn probabilities_and_classes_are_scikit_learns() {
    use backprop::{BceWithLogits, CrossEntropy, Probabilities};
    let all: Value = serde_json::from_str(include_str!("../data/metrics.json")).unwrap();
    let r = &all["probabilities"];
    let ce = CrossEntropy::<f64>::class_indices();
    let logits = floats(&r["logits"]);
    let mut p = vec![0.0; logits.len()];
    for (x, p) in logits.chunks(4).zip(p.chunks_mut(4)) {
        ce.probabilities(x, p);
    }
    all_close(&p, &r["softmax"], "softmax");
    let classes: Vec<f64> = logits.chunks(4).map(|x| ce.class(x)).collect();
    assert_eq!(classes, floats(&r["classes"]));
    let binary = floats(&r["binary_logits"]);
    let mut p = vec![0.0; binary.len()];
    BceWithLogits.probabilities(&binary, &mut p);
    all_close(&p, &r["sigmoid"], "sigmoid");
    let classes: Vec<f64> = binary.iter().map(|&x| BceWithLogits.class(&[x])).collect();
    assert_eq!(classes, floats(&r["binary_classes"]));
}
