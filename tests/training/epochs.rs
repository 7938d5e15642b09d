//! The epoch helper: every row once per epoch, batches as documented, reproducible.

use std::cell::RefCell;

use backprop::{Activation, Epochs, Error, Model, Mse, Network, Quantity, Sgd, Trainer};

/// The identity on one input, with one dummy parameter; remembers every batch it saw.
#[derive(Default)]
struct Recorder {
    param: [f64; 1],
    batches: RefCell<Vec<Vec<f64>>>,
}

impl Model<f64> for Recorder {
    fn input_len(&self) -> usize {
        1
    }
    fn output_len(&self) -> usize {
        1
    }
    fn params(&self) -> &[f64] {
        &self.param
    }
    fn params_mut(&mut self) -> &mut [f64] {
        &mut self.param
    }
    fn workspace_len(&self, _batch: usize) -> usize {
        0
    }
    fn forward(&self, inputs: &[f64], outputs: &mut [f64], _workspace: &mut [f64]) {
        self.batches.borrow_mut().push(inputs.to_vec());
        outputs.copy_from_slice(inputs);
    }
    fn backward(
        &self,
        _: &[f64],
        _: &[f64],
        _: &mut [f64],
        _: &mut [f64],
        grads: &mut [f64],
        _: Option<&mut [f64]>,
    ) {
        grads[0] = 0.0;
    }
}

fn rows(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64).collect()
}

fn recorded_epoch(epochs: &mut Epochs<f64>, n: usize) -> Vec<Vec<f64>> {
    let mut trainer = Trainer::new(Recorder::default(), Mse, Sgd::new(0.1)).unwrap();
    let data = rows(n);
    epochs.run(&mut trainer, &data, &data).unwrap();
    trainer.into_model().batches.into_inner()
}

#[test]
fn a_shuffled_epoch_visits_every_row_exactly_once_in_batches_of_the_given_size() {
    let mut epochs = Epochs::new(4).shuffle(11);
    let mut previous = Vec::new();
    for _ in 0..3 {
        let batches = recorded_epoch(&mut epochs, 10);
        let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
        assert_eq!(sizes, [4, 4, 2]); // the last batch is the remainder
        let mut seen: Vec<f64> = batches.concat();
        assert_ne!(
            seen,
            rows(10),
            "a shuffled order is (almost surely) not the identity"
        );
        assert_ne!(seen, previous, "each epoch draws a new order");
        previous = seen.clone();
        seen.sort_by(f64::total_cmp);
        assert_eq!(seen, rows(10));
    }
}

#[test]
fn without_shuffling_the_rows_come_in_order() {
    let batches = recorded_epoch(&mut Epochs::new(3), 7);
    assert_eq!(
        batches,
        [vec![0.0, 1.0, 2.0], vec![3.0, 4.0, 5.0], vec![6.0]]
    );
}

fn network() -> Network<f64> {
    Network::builder(2)
        .dense(3, Activation::Tanh)
        .dense(1, Activation::Identity)
        .seed(5)
        .build()
        .unwrap()
}

fn data() -> (Vec<f64>, Vec<f64>) {
    let inputs: Vec<f64> = (0..14).map(|i| (i as f64 * 0.37).sin()).collect();
    let targets: Vec<f64> = (0..7).map(|i| (i as f64 * 0.5).cos()).collect();
    (inputs, targets)
}

#[test]
fn an_epoch_of_one_whole_batch_is_one_step_batch() {
    let (x, y) = data();
    let mut by_epoch = Trainer::new(network(), Mse, Sgd::new(0.2)).unwrap();
    let mut by_step = by_epoch.clone();
    let epoch_loss = Epochs::new(7).run(&mut by_epoch, &x, &y).unwrap();
    let step = by_step.step_batch(&x, &y).unwrap();
    assert_eq!(epoch_loss, step.loss);
    assert_eq!(by_epoch.model(), by_step.model());
    // a batch larger than the data set is one batch too
    let mut larger = by_step.clone();
    let mut again = by_step.clone();
    Epochs::new(100).run(&mut larger, &x, &y).unwrap();
    again.step_batch(&x, &y).unwrap();
    assert_eq!(larger.model(), again.model());
}

#[test]
fn the_epoch_loss_is_the_row_weighted_mean_of_the_batch_losses() {
    let (x, y) = data();
    let mut by_epoch = Trainer::new(network(), Mse, Sgd::new(0.2)).unwrap();
    let mut by_step = by_epoch.clone();
    let epoch_loss = Epochs::new(3).run(&mut by_epoch, &x, &y).unwrap();
    let mut weighted = 0.0;
    for (start, end) in [(0, 3), (3, 6), (6, 7)] {
        let step = by_step
            .step_batch(&x[2 * start..2 * end], &y[start..end])
            .unwrap();
        weighted += step.loss * (end - start) as f64;
    }
    assert_eq!(epoch_loss, weighted / 7.0);
    assert_eq!(by_epoch.model(), by_step.model());
}

fn shuffled_run(seed: u64) -> (Vec<f64>, Vec<f64>) {
    let (x, y) = data();
    let mut trainer = Trainer::new(network(), Mse, Sgd::new(0.2)).unwrap();
    let mut epochs = Epochs::new(2).shuffle(seed);
    let losses = (0..5)
        .map(|_| epochs.run(&mut trainer, &x, &y).unwrap())
        .collect();
    (losses, trainer.model().params().to_vec())
}

#[test]
fn the_same_seed_gives_the_same_training_run() {
    assert_eq!(shuffled_run(9), shuffled_run(9));
    assert_ne!(shuffled_run(9), shuffled_run(10));
}

#[test]
fn bad_data_is_refused_before_any_step() {
    let (x, y) = data();
    let mut trainer = Trainer::new(network(), Mse, Sgd::new(0.2)).unwrap();
    let zero = Epochs::new(0).run(&mut trainer, &x, &y).unwrap_err();
    assert!(matches!(
        zero,
        Error::InvalidHyperparameter {
            name: "batch_size",
            ..
        }
    ));
    let short = Epochs::new(2).run(&mut trainer, &x, &y[..6]).unwrap_err();
    assert_eq!(
        short,
        Error::LengthMismatch {
            what: Quantity::Target,
            expected: 7,
            actual: 6
        }
    );
    let mut bad = y.clone();
    bad[6] = f64::NAN;
    let nan = Epochs::new(2).run(&mut trainer, &x, &bad).unwrap_err();
    assert_eq!(
        nan,
        Error::NonFinite {
            what: Quantity::Target,
            index: 6
        }
    );
    assert_eq!(
        Epochs::new(2).run(&mut trainer, &[], &[]).unwrap_err(),
        Error::EmptyBatch
    );
    assert_eq!(trainer.steps(), 0);
    assert_eq!(trainer.model(), &network());
}

#[test]
fn a_failing_step_stops_the_epoch_with_its_error() {
    let (x, y) = data();
    let mut trainer = Trainer::new(network(), Mse, Sgd::new(1e300)).unwrap();
    let err = Epochs::new(2).run(&mut trainer, &x, &y).unwrap_err();
    assert!(matches!(err, Error::Diverged { .. }), "{err:?}");
}
