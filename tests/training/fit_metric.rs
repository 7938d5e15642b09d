//! `Fit::validation_metric`: the chosen metric is reported per epoch, equals the metric
//! of the model's own predictions, and early stopping monitors it in mode Max.

use backprop::metrics::{accuracy_of_logits, accuracy_score, r2_score};
use backprop::{
    Activation, Control, CrossEntropy, EarlyStopping, Epochs, Error, Event, Fit, Mse, Network,
    PlateauMode, Quantity, Sgd, Trainer,
};

/// Three overlapping classes on a line with noise-like offsets: not separable, so the
/// validation accuracy moves up and down between epochs.
fn data(rows: usize, offset: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut x, mut y) = (vec![], vec![]);
    for i in 0..rows {
        let class = (i + offset) % 3;
        let wobble = (((i * 7919 + offset * 104_729) % 97) as f64 / 97.0 - 0.5) * 2.4;
        x.extend([
            class as f64 + wobble,
            1.0 - 0.5 * class as f64 - 0.3 * wobble,
        ]);
        y.push(class as f64);
    }
    (x, y)
}

#[test]
fn the_metric_is_reported_and_monitored_in_max_mode() {
    let (x, y) = data(60, 0);
    let (vx, vy) = data(30, 1);
    let net = Network::builder(2)
        .dense(6, Activation::Tanh)
        .dense(3, Activation::Identity);
    let net = net.seed(4).build().unwrap();
    let mut trainer = Trainer::new(net, CrossEntropy::class_indices(), Sgd::new(0.5)).unwrap();
    let mut fit = Fit::new(Epochs::new(8).shuffle(2), 40)
        .validation(&vx, &vy)
        .validation_metric(accuracy_of_logits, PlateauMode::Max)
        .early_stopping(EarlyStopping::new(6).restore_best(true));
    let mut metrics = vec![];
    let summary = trainer
        .fit_observed(&mut fit, &x, &y, |event| {
            if let Event::Epoch {
                validation_metric, ..
            } = *event
            {
                metrics.push(validation_metric.unwrap());
            }
            Control::Continue
        })
        .unwrap();
    let best = metrics.iter().cloned().fold(f64::MIN, f64::max);
    let first_best = metrics.iter().position(|&m| m == best).unwrap();
    assert_eq!(summary.best_validation_metric, Some(best), "{metrics:?}");
    assert_eq!(summary.best_epoch, Some(first_best), "{metrics:?}");
    assert!(summary.restored_best);
    // the restored model's accuracy, computed from its own predicted classes, is the best
    let predicted = trainer.predict_classes(&vx).unwrap();
    assert_eq!(accuracy_score(&vy, &predicted).unwrap(), best);
    assert!(best > 0.6, "{metrics:?}");
}

/// R² as a validation metric, NaN where it is undefined (scikit-learn's value there).
fn r2_or_nan(outputs: &[f64], targets: &[f64], _output_len: usize) -> f64 {
    r2_score(targets, outputs).unwrap_or(f64::NAN)
}

#[test]
fn a_metric_that_cannot_score_the_validation_set_is_refused_before_any_step() {
    let net = Network::builder(1).dense(1, Activation::Identity);
    let mut trainer = Trainer::new(net.seed(3).build().unwrap(), Mse, Sgd::new(0.1)).unwrap();
    let before = trainer.model().params().to_vec();
    let (x, y) = ([0.0, 0.5, 1.0, 1.5], [1.0, 2.0, 3.0, 4.0]);
    // one validation row: R² is undefined, so there would be nothing to monitor
    let mut fit = Fit::new(Epochs::new(2), 5)
        .validation(&[0.25], &[1.5])
        .validation_metric(r2_or_nan, PlateauMode::Max);
    assert_eq!(
        trainer.fit(&mut fit, &x, &y).unwrap_err(),
        Error::NonFinite {
            what: Quantity::Metric,
            index: 0
        }
    );
    assert_eq!(trainer.model().params(), &before[..]);
    assert_eq!(trainer.steps(), 0);
    // two rows are enough
    let mut fit = Fit::new(Epochs::new(2), 5)
        .validation(&[0.25, 1.25], &[1.5, 3.5])
        .validation_metric(r2_or_nan, PlateauMode::Max);
    let summary = trainer.fit(&mut fit, &x, &y).unwrap();
    assert_eq!(summary.epochs, 5);
}

#[test]
fn early_stopping_in_max_mode_waits_for_a_rise() {
    let mut stopper = EarlyStopping::new(2).mode(PlateauMode::Max).min_delta(0.01);
    assert!(stopper.update(0.5).unwrap().improved);
    assert!(stopper.update(0.6).unwrap().improved);
    let verdict = stopper.update(0.605).unwrap(); // higher, but not by more than 0.01
    assert!(!verdict.improved && !verdict.stop);
    let verdict = stopper.update(0.3).unwrap();
    assert!(!verdict.improved && verdict.stop);
    assert_eq!(stopper.best(), Some(0.6));
}

#[test]
fn accuracy_of_logits_reads_class_indices_and_one_hot_rows() {
    let logits = [2.0, -1.0, 0.5, 3.0, 0.0, 0.0];
    assert_eq!(accuracy_of_logits(&logits, &[0.0, 1.0, 1.0], 2), 2.0 / 3.0);
    assert_eq!(
        accuracy_of_logits(&logits, &[1.0, 0.0, 0.0, 1.0, 1.0, 0.0], 2),
        1.0
    );
    assert_eq!(accuracy_of_logits(&[0.3, -0.2], &[1.0, 1.0], 1), 0.5); // binary logits
    assert!(accuracy_of_logits::<f64>(&logits, &[0.0], 2).is_nan());
}
