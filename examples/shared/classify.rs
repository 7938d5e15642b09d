//! The training the iris, wine and breast_cancer examples share, which
//! tests/datasets/examples.rs runs as well to check their results.
//!
//! Stratified 80/20 split (seed 42), standardized with the training rows' statistics, an
//! `inputs`-16-`classes` ReLU network (seed 1), Adam (lr 0.01), cross-entropy on class
//! indices, 100 epochs of mini-batches of 16 (shuffle seed 7).

use backprop::datasets::Dataset;
use backprop::metrics::{accuracy_score, confusion_matrix};
use backprop::prepare::Standardize;
use backprop::{Activation, Adam, CrossEntropy, Epochs, Fit, Network, Trainer};

/// A classifier's result on the test rows.
pub struct Outcome {
    pub accuracy: f64,
    pub test_rows: usize,
    /// Row-major `classes × classes`: rows the true class, columns the predicted one.
    pub confusion: Vec<usize>,
}

/// Trains on 80 % of `data` and predicts the other 20 %.
pub fn train_and_test(data: Dataset<f64>) -> Result<Outcome, backprop::Error> {
    let classes = data.classes().unwrap_or(2);
    let (train, test) = data.stratified_split(0.2, 42)?;
    let scaler = Standardize::fit(train.inputs(), train.input_len())?;
    let (mut train_x, mut test_x) = (train.inputs().to_vec(), test.inputs().to_vec());
    scaler.transform(&mut train_x)?;
    scaler.transform(&mut test_x)?;

    let net = Network::builder(data.input_len())
        .dense(16, Activation::Relu)
        .dense(classes, Activation::Identity)
        .seed(1)
        .build()?;
    let mut trainer = Trainer::new(net, CrossEntropy::class_indices(), Adam::new(0.01))?;
    let mut fit = Fit::new(Epochs::new(16).shuffle(7), 100);
    trainer.fit(&mut fit, &train_x, train.targets())?;

    let predicted = trainer.predict_classes(&test_x)?;
    Ok(Outcome {
        accuracy: accuracy_score(test.targets(), &predicted)?,
        test_rows: test.len(),
        confusion: confusion_matrix(test.targets(), &predicted, classes)?,
    })
}
