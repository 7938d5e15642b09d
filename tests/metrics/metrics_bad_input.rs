//! Metrics refuse what scikit-learn refuses, with typed errors.

use backprop::metrics::*;
use backprop::{Error, Quantity};

#[test]
fn lengths_must_agree_and_rows_exist() {
    let mismatch = Error::LengthMismatch {
        what: Quantity::Prediction,
        expected: 2,
        actual: 3,
    };
    assert_eq!(
        accuracy_score(&[0.0, 1.0], &[0.0, 1.0, 1.0]).unwrap_err(),
        mismatch
    );
    assert_eq!(
        mean_squared_error(&[0.0, 1.0], &[0.0, 1.0, 1.0]).unwrap_err(),
        mismatch
    );
    assert_eq!(
        roc_auc_score(&[0.0, 1.0], &[0.0, 1.0, 1.0]).unwrap_err(),
        mismatch
    );
    let rows = Error::LengthMismatch {
        what: Quantity::Prediction,
        expected: 4,
        actual: 3,
    };
    assert_eq!(
        log_loss(&[0.0, 1.0], &[0.5, 0.5, 1.0], 2).unwrap_err(),
        rows
    );
    assert_eq!(r2_score::<f64>(&[], &[]).unwrap_err(), Error::EmptyBatch);
    assert_eq!(
        accuracy_score::<f64>(&[], &[]).unwrap_err(),
        Error::EmptyBatch
    );
}

#[test]
fn nan_scores_and_bad_class_indices_are_refused() {
    let nan = Error::NonFinite {
        what: Quantity::Prediction,
        index: 1,
    };
    assert_eq!(
        roc_auc_score(&[0.0, 1.0], &[0.5, f64::NAN]).unwrap_err(),
        nan
    );
    assert_eq!(r2_score(&[0.0, 1.0], &[0.5, f64::NAN]).unwrap_err(), nan);
    for bad in [2.0, 0.5, -1.0] {
        let refused = confusion_matrix(&[0.0, bad], &[0.0, 1.0], 2).unwrap_err();
        assert_eq!(
            refused,
            Error::InvalidClass {
                what: Quantity::Target,
                index: 1,
                value: bad,
                classes: Some(2)
            }
        );
        let refused = precision_recall_fscore_support(&[0.0, 1.0], &[bad, 1.0], 2).unwrap_err();
        assert_eq!(
            refused,
            Error::InvalidClass {
                what: Quantity::Prediction,
                index: 0,
                value: bad,
                classes: Some(2)
            }
        );
    }
    // with no class count, any whole number ≥ 0 is a class; the message names the slice
    assert_eq!(accuracy_score(&[7.0, 1e6], &[7.0, 3.0]), Ok(0.5));
    let refused = accuracy_score(&[0.0, 1.0], &[0.0, 0.5]).unwrap_err();
    assert_eq!(
        refused,
        Error::InvalidClass {
            what: Quantity::Prediction,
            index: 1,
            value: 0.5,
            classes: None
        }
    );
    assert_eq!(
        refused.to_string(),
        "prediction at index 1 = 0.5 is not a class index: expected a whole number, 0 or more"
    );
    let outside = log_loss(&[0.0], &[1.5, -0.5], 2).unwrap_err();
    assert_eq!(
        outside,
        Error::InvalidTarget {
            index: 0,
            value: 1.5
        }
    );
}

#[test]
fn roc_auc_needs_both_classes() {
    let refused = roc_auc_score(&[1.0, 1.0], &[0.2, 0.7]).unwrap_err();
    assert_eq!(
        refused,
        Error::TooFewRows {
            class: 0,
            rows: 0,
            needed: 1
        }
    );
    let refused = roc_auc_score(&[0.0, 2.0], &[0.2, 0.7]).unwrap_err();
    assert_eq!(
        refused,
        Error::InvalidClass {
            what: Quantity::Target,
            index: 1,
            value: 2.0,
            classes: Some(2)
        }
    );
}
