//! Hostile input to the data preparation and the metrics never panics: NaN, ±∞, huge,
//! subnormal and fractional values, empty and ragged slices, widths and class counts from
//! 0 to `usize::MAX`. A refused in-place call changes nothing, and what is accepted obeys
//! the definitions checked here independently: an accuracy is the share of equal pairs,
//! a confusion matrix counts every row once with the hits on its diagonal, a shuffle moves
//! whole rows, and a scaler's `inverse_transform` undoes its `transform` to rounding.

use backprop::metrics::{
    accuracy_score, balanced_accuracy_score, confusion_matrix, log_loss, mean_absolute_error,
    mean_squared_error, precision_recall_fscore_support, r2_score, roc_auc_score,
};
use backprop::prepare::{shuffle_rows, take_rows};
use backprop::Dataset;
use proptest::prelude::*;

use crate::scaler::Scaler;

/// A class index, or a value of `hostile_input`'s: one chosen to break arithmetic, or an
/// ordinary one.
fn hostile() -> impl Strategy<Value = f64> {
    prop_oneof![
        1 => (0..4u8).prop_map(f64::from),
        1 => crate::hostile_input::hostile(),
    ]
}

fn hostile_vec() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(hostile(), 0..10)
}

/// A width or class count: small, zero, or far beyond memory.
fn hostile_count() -> impl Strategy<Value = usize> {
    prop_oneof![
        4 => 1..5usize,
        1 => prop::sample::select(vec![0, 1 << 40, 1 << 62, usize::MAX]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn metrics_never_panic_and_accepted_scores_fit_their_definitions(
        y_true in hostile_vec(),
        y_pred in hostile_vec(),
        classes in hostile_count(),
    ) {
        if let Ok(accuracy) = accuracy_score(&y_true, &y_pred) {
            let hits = y_true.iter().zip(&y_pred).filter(|(t, p)| t == p).count();
            prop_assert_eq!(accuracy, hits as f64 / y_true.len() as f64);
        }
        if let Ok(matrix) = confusion_matrix(&y_true, &y_pred, classes) {
            prop_assert_eq!(matrix.len(), classes * classes);
            prop_assert_eq!(matrix.iter().sum::<usize>(), y_true.len());
            let diagonal: usize = (0..classes).map(|c| matrix[c * classes + c]).sum();
            let hits = y_true.iter().zip(&y_pred).filter(|(t, p)| t == p).count();
            prop_assert_eq!(diagonal, hits);
        }
        if let Ok(score) = balanced_accuracy_score(&y_true, &y_pred, classes) {
            prop_assert!((0.0..=1.0).contains(&score), "{}", score);
        }
        if let Ok(scores) = precision_recall_fscore_support(&y_true, &y_pred, classes) {
            prop_assert_eq!(scores.support().iter().sum::<usize>(), y_true.len());
            let all = [scores.precision(), scores.recall(), scores.f1()].concat();
            prop_assert!(all.iter().all(|s| (0.0..=1.0).contains(s)));
        }
        if let Ok(auc) = roc_auc_score(&y_true, &y_pred) {
            prop_assert!((0.0..=1.0).contains(&auc), "{}", auc);
        }
        if let Ok(loss) = log_loss(&y_true, &y_pred, classes) {
            prop_assert!(loss >= 0.0, "{}", loss);
        }
        if let Ok(mse) = mean_squared_error(&y_true, &y_pred) {
            prop_assert!(mse >= 0.0, "{}", mse);
        }
        if let Ok(mae) = mean_absolute_error(&y_true, &y_pred) {
            prop_assert!(mae >= 0.0, "{}", mae);
        }
        if let Ok(r2) = r2_score(&y_true, &y_pred) {
            prop_assert!(r2 <= 1.0, "{}", r2);
        }
    }

    #[test]
    fn preparation_never_panics_and_moves_whole_rows(
        rows in hostile_vec(),
        other in hostile_vec(),
        width in hostile_count(),
        indices in prop::collection::vec(prop_oneof![4 => 0..4usize, 1 => Just(usize::MAX)], 0..5),
        seed in any::<u64>(),
    ) {
        let mut shuffled = rows.clone();
        match shuffle_rows(&mut shuffled, width, seed) {
            Ok(()) => {
                let row_set = |v: &[f64]| {
                    let mut r: Vec<Vec<u64>> = v
                        .chunks(width)
                        .map(|row| row.iter().map(|x| x.to_bits()).collect())
                        .collect();
                    r.sort();
                    r
                };
                prop_assert_eq!(row_set(&shuffled), row_set(&rows));
            }
            Err(_) => prop_assert_eq!(bits(&shuffled), bits(&rows)),
        }
        if let Ok(taken) = take_rows(&rows, width, &indices) {
            prop_assert_eq!(taken.len(), indices.len() * width);
        }
        for scaler in Scaler::both(&rows, width).iter().flatten() {
            let mut x = other.clone();
            match scaler.transform(&mut x) {
                Ok(()) => {
                    if scaler.inverse_transform(&mut x).is_ok() {
                        // to the rounding of the largest magnitude in play: 1 − 1e300 is
                        // −1e300, whose inverse gives 0 back
                        let largest = rows.iter().fold(1.0f64, |m, v| m.max(v.abs()));
                        for (back, &original) in x.iter().zip(&other) {
                            let close = (back - original).abs() <= 1e-9 * original.abs().max(largest);
                            prop_assert!(close || !back.is_finite(), "{} became {}", original, back);
                        }
                    }
                }
                Err(_) => prop_assert_eq!(bits(&x), bits(&other)),
            }
        }
    }

    #[test]
    fn a_data_set_never_panics(
        inputs in hostile_vec(),
        targets in hostile_vec(),
        width in hostile_count(),
        classes in prop::option::of(hostile_count()),
        indices in prop::collection::vec(0..6usize, 0..5),
        fraction in prop_oneof![Just(0.25), Just(0.5), Just(f64::NAN), Just(1.0)],
        seed in any::<u64>(),
    ) {
        if let Ok(mut data) = Dataset::new(inputs, width, targets, classes) {
            if let Some(counts) = data.class_counts() {
                prop_assert_eq!(counts.iter().sum::<usize>(), data.len());
            }
            let before = data.class_counts();
            data.shuffle(seed);
            prop_assert_eq!(data.class_counts(), before);
            let _ = data.split(fraction, seed);
            let _ = data.stratified_split(fraction, seed);
            if let Ok(picked) = data.select(&indices) {
                prop_assert_eq!(picked.len(), indices.len());
            }
        }
    }
}

fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}
