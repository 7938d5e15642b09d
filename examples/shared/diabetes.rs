//! The diabetes example's training, which tests/datasets/examples.rs runs as well to
//! check its result.
//!
//! 80/20 split (seed 42), inputs and target standardized with the training rows'
//! statistics, a 10-16-1 tanh network (seed 1), Adam (lr 1e-3), batches of 32 (shuffle
//! seed 7), 200 epochs, mean squared error.

use backprop::metrics::r2_score;
use backprop::prepare::Standardize;
use backprop::{Activation, Adam, Epochs, Fit, Mse, Network, Trainer};

/// The regression's result on the test rows.
pub struct Outcome {
    /// R² of the predictions, in the target's own units.
    pub r2: f64,
    pub test_rows: usize,
}

/// Trains on 80 % of the diabetes data and predicts the other 20 %.
pub fn train_and_test() -> Result<Outcome, backprop::Error> {
    let (train, test) = backprop::datasets::diabetes::<f64>().split(0.2, 42)?;
    let inputs = Standardize::fit(train.inputs(), 10)?;
    let target = Standardize::fit(train.targets(), 1)?;
    let (mut train_x, mut test_x) = (train.inputs().to_vec(), test.inputs().to_vec());
    let mut train_y = train.targets().to_vec();
    inputs.transform(&mut train_x)?;
    inputs.transform(&mut test_x)?;
    target.transform(&mut train_y)?;

    let net = Network::builder(10)
        .dense(16, Activation::Tanh)
        .dense(1, Activation::Identity);
    let mut trainer = Trainer::new(net.seed(1).build()?, Mse, Adam::new(1e-3))?;
    trainer.fit(
        &mut Fit::new(Epochs::new(32).shuffle(7), 200),
        &train_x,
        &train_y,
    )?;

    let mut predicted = trainer.predict(&test_x)?;
    target.inverse_transform(&mut predicted)?;
    Ok(Outcome {
        r2: r2_score(test.targets(), &predicted)?,
        test_rows: test.len(),
    })
}
