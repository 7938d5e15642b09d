//! Every message a first hour runs into says what was wrong, what was expected and the
//! likely fix: read here as a user reads them.

use backprop::{Activation, CrossEntropy, Mse, Network, Neuron, Sgd, Trainer};

fn message(error: backprop::Error) -> String {
    error.to_string()
}

#[test]
fn an_invalid_hyperparameter_names_its_valid_range() {
    let refused = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.0))
        .err()
        .unwrap();
    assert_eq!(
        message(refused),
        "hyper-parameter `lr` = 0 is outside its valid range: expected a finite number above 0"
    );
}

#[test]
fn a_loss_that_is_not_finite_at_the_start_is_not_blamed_on_the_learning_rate() {
    // (0.7·1.2 − 1e200)² overflows before any update.
    let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1)).unwrap();
    let text = message(trainer.step(&[1.2], &[1e200]).unwrap_err());
    assert!(text.starts_with("step 0 was refused: the loss is NaN or infinite at the current parameters, before any update (nothing changed"), "{text}");
}

#[test]
fn an_update_that_would_diverge_says_training_can_go_on() {
    let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(f64::MAX)).unwrap();
    let text = message(trainer.step(&[1.2], &[0.4]).unwrap_err());
    assert!(
        text.contains("its update would have made the parameters NaN or infinite"),
        "{text}"
    );
    assert!(
        text.contains("training can go on from the kept parameters; lower the learning rate"),
        "{text}"
    );
}

#[test]
fn a_network_without_inputs_is_not_a_slice_of_the_wrong_length() {
    let refused = Network::<f64>::builder(0)
        .dense(3, Activation::Tanh)
        .build()
        .unwrap_err();
    assert!(message(refused).starts_with("the model has no inputs"));
}

#[test]
fn class_indices_given_to_a_loss_of_probability_rows_point_to_one_hot() {
    let net = Network::<f64>::builder(2)
        .dense(3, Activation::Identity)
        .build()
        .unwrap();
    let mut trainer = Trainer::new(net, CrossEntropy::new(), Sgd::new(0.1)).unwrap();
    let class_indices = [2.0, 0.0];
    let text = message(
        trainer
            .step_batch(&[0.1, 0.2, 0.3, 0.4], &class_indices)
            .unwrap_err(),
    );
    assert!(
        text.starts_with("target has length 2, expected 6"),
        "{text}"
    );
    assert!(text.contains("`CrossEntropy::class_indices()`"), "{text}");
    assert!(text.contains("`CrossEntropy::one_hot`"), "{text}");
}

#[test]
fn an_lbfgs_search_that_overflows_blames_the_step_not_the_parameters() {
    use backprop::Lbfgs;
    let mut trainer = Trainer::new(Neuron::new(0.7), Mse, Lbfgs::new(f64::MAX)).unwrap();
    let text = message(trainer.step(&[1.2], &[0.4]).unwrap_err());
    assert!(
        text.starts_with(
            "step 0 was refused: its update would have made the loss or gradient at a point \
             the optimizer tried NaN or infinite (nothing changed"
        ),
        "{text}"
    );
}
