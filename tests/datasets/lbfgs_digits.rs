//! L-BFGS on the digits, as issue 16 asks and scikit-learn's own tests ask of its lbfgs
//! solver: a 64-32-10 network on the full batch of the training split reaches at least
//! 95 % training accuracy within 150 iterations (one `step_batch` of `max_iter = 150`).

use backprop::datasets::digits;
use backprop::metrics::accuracy_score;
use backprop::{Activation, CrossEntropy, Lbfgs, LineSearch, Network, Trainer};

#[test]
fn lbfgs_fits_the_digits_training_split_within_150_iterations() {
    let (train, _test) = digits::<f64>().stratified_split(0.2, 0).unwrap();
    let inputs: Vec<f64> = train.inputs().iter().map(|v| v / 16.0).collect();
    let net = Network::builder(64)
        .dense(32, Activation::Tanh)
        .dense(10, Activation::Identity)
        .seed(1)
        .build()
        .unwrap();
    let lbfgs = Lbfgs::new(1.0)
        .max_iter(150)
        .line_search(LineSearch::StrongWolfe);
    let mut trainer = Trainer::new(net, CrossEntropy::class_indices(), lbfgs).unwrap();
    let step = trainer.step_batch(&inputs, train.targets()).unwrap();
    assert!(
        step.evaluations <= 150 * 5 / 4,
        "{} evaluations",
        step.evaluations
    );
    let predicted = trainer.predict_classes(&inputs).unwrap();
    let accuracy = accuracy_score(train.targets(), &predicted).unwrap();
    assert!(accuracy >= 0.95, "training accuracy {accuracy}");
}
