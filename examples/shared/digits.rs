//! The digits example's training, which tests/datasets/examples.rs runs as well to check
//! its result.
//!
//! Stratified 80/20 split (seed 42), pixels / 16, a 64-64-10 ReLU network (seed 2), Adam
//! (lr 1e-3), cross-entropy on class indices, batches of 32 (shuffle seed 7), 60 epochs.

use backprop::metrics::{accuracy_score, confusion_matrix};
use backprop::{Activation, Adam, CrossEntropy, Epochs, Fit, Network, Trainer};

/// The classifier's result on the 360 test digits.
pub struct Outcome {
    pub accuracy: f64,
    /// Row-major `10 × 10`: rows the true digit, columns the predicted one.
    pub confusion: Vec<usize>,
    /// The test images, 64 pixels each in [0, 1].
    pub test_x: Vec<f64>,
    pub truth: Vec<f64>,
    pub predicted: Vec<f64>,
}

/// Trains on 80 % of the digits and predicts the other 20 %.
pub fn train_and_test() -> Result<Outcome, backprop::Error> {
    let (train, test) = backprop::datasets::digits::<f64>().stratified_split(0.2, 42)?;
    let scale = |x: &[f64]| x.iter().map(|p| p / 16.0).collect::<Vec<_>>();
    let (train_x, test_x) = (scale(train.inputs()), scale(test.inputs()));
    let net = Network::builder(64)
        .dense(64, Activation::Relu)
        .dense(10, Activation::Identity);
    let (loss, adam) = (CrossEntropy::class_indices(), Adam::new(1e-3));
    let mut trainer = Trainer::new(net.seed(2).build()?, loss, adam)?;
    let mut fit = Fit::new(Epochs::new(32).shuffle(7), 60);
    trainer.fit(&mut fit, &train_x, train.targets())?;
    let predicted = trainer.predict_classes(&test_x)?;
    let truth = test.targets().to_vec();
    Ok(Outcome {
        accuracy: accuracy_score(&truth, &predicted)?,
        confusion: confusion_matrix(&truth, &predicted, 10)?,
        test_x,
        truth,
        predicted,
    })
}
