//! Every invalid hyper-parameter is refused with a typed error naming it (PyTorch's
//! name) before anything is trained, and a refused learning-rate change changes nothing.

use backprop::{
    Adagrad, Adam, AdamW, Error, Lbfgs, Momentum, Mse, Neuron, Optimizer, RmsProp, Sgd, Trainer,
    UpdateRule, WeightDecay,
};

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

fn assert_invalid(error: Option<Error>, name: &str, value: f64) {
    match error {
        Some(Error::InvalidHyperparameter {
            name: n, value: v, ..
        }) => {
            assert_eq!(n, name);
            assert!(
                v == value || (v.is_nan() && value.is_nan()),
                "{v} vs {value}"
            );
        }
        other => panic!("expected InvalidHyperparameter {name} = {value}, got {other:?}"),
    }
}

/// `Trainer::new` (which runs `validate`) refuses `$optimizer` for `$name` = `$value`.
macro_rules! refused {
    ($($test:ident: $optimizer:expr, $name:literal, $value:expr;)*) => {$(
        #[test]
        fn $test() {
            let optimizer = $optimizer;
            assert_invalid(optimizer.validate().err(), $name, $value);
            let trainer = Trainer::new(Neuron::new(0.7), Mse, optimizer);
            assert_invalid(trainer.err(), $name, $value);
        }
    )*};
}

refused! {
    lbfgs_lr_negative: Lbfgs::new(-1.0), "lr", -1.0;
    lbfgs_lr_zero: Lbfgs::new(0.0), "lr", 0.0;
    lbfgs_lr_nan: Lbfgs::new(NAN), "lr", NAN;
    lbfgs_max_iter_zero: Lbfgs::new(1.0).max_iter(0), "max_iter", 0.0;
    lbfgs_max_eval_zero: Lbfgs::new(1.0).max_eval(0), "max_eval", 0.0;
    lbfgs_default_max_eval_zero: Lbfgs::new(1.0).max_iter(0).max_eval(3), "max_iter", 0.0;
    lbfgs_history_size_zero: Lbfgs::new(1.0).history_size(0), "history_size", 0.0;
    lbfgs_tolerance_grad_negative: Lbfgs::new(1.0).tolerance_grad(-1e-7), "tolerance_grad", -1e-7;
    lbfgs_tolerance_grad_nan: Lbfgs::new(1.0).tolerance_grad(NAN), "tolerance_grad", NAN;
    lbfgs_tolerance_change_negative: Lbfgs::new(1.0).tolerance_change(-1e-9), "tolerance_change", -1e-9;
    lbfgs_tolerance_change_infinite: Lbfgs::new(1.0).tolerance_change(INF), "tolerance_change", INF;

    sgd_lr_negative: Sgd::new(-0.1), "lr", -0.1;
    sgd_lr_zero: Sgd::new(0.0), "lr", 0.0;
    sgd_lr_nan: Sgd::new(NAN), "lr", NAN;
    sgd_lr_infinite: Sgd::new(INF), "lr", INF;
    sgd_momentum_negative: Sgd::new(0.1).momentum(Momentum::Classic(-0.5)), "momentum", -0.5;
    sgd_momentum_one: Sgd::new(0.1).momentum(Momentum::Classic(1.0)), "momentum", 1.0;
    sgd_momentum_nan: Sgd::new(0.1).momentum(Momentum::Classic(NAN)), "momentum", NAN;
    sgd_dampening_negative: Sgd::new(0.1).momentum(Momentum::Classic(0.9)).dampening(-0.1), "dampening", -0.1;
    sgd_dampening_above_one: Sgd::new(0.1).momentum(Momentum::Classic(0.9)).dampening(1.5), "dampening", 1.5;
    sgd_dampening_nan: Sgd::new(0.1).dampening(NAN), "dampening", NAN;
    sgd_weight_decay_negative: Sgd::new(0.1).weight_decay(WeightDecay::L2(-1e-4)), "weight_decay", -1e-4;
    sgd_weight_decay_infinite: Sgd::new(0.1).weight_decay(WeightDecay::L2(INF)), "weight_decay", INF;

    adam_lr_negative: Adam::new(-1e-3), "lr", -1e-3;
    adam_lr_zero: Adam::new(0.0), "lr", 0.0;
    adam_eps_zero: Adam::new(1e-3).eps(0.0), "eps", 0.0;
    adam_eps_negative: Adam::new(1e-3).eps(-1e-8), "eps", -1e-8;
    adam_eps_nan: Adam::new(1e-3).eps(NAN), "eps", NAN;
    adam_beta1_one: Adam::new(1e-3).betas(1.0, 0.999), "betas[0]", 1.0;
    adam_beta1_negative: Adam::new(1e-3).betas(-0.9, 0.999), "betas[0]", -0.9;
    adam_beta2_one: Adam::new(1e-3).betas(0.9, 1.0), "betas[1]", 1.0;
    adam_beta2_nan: Adam::new(1e-3).betas(0.9, NAN), "betas[1]", NAN;
    adam_weight_decay_negative: Adam::new(1e-3).weight_decay(WeightDecay::L2(-0.1)), "weight_decay", -0.1;
    adam_weight_decay_nan: Adam::new(1e-3).weight_decay(WeightDecay::L2(NAN)), "weight_decay", NAN;

    adamw_lr_nan: AdamW::new(NAN), "lr", NAN;
    adamw_eps_zero: AdamW::new(1e-3).eps(0.0), "eps", 0.0;
    adamw_beta1_above_one: AdamW::new(1e-3).betas(1.5, 0.999), "betas[0]", 1.5;
    adamw_beta2_negative: AdamW::new(1e-3).betas(0.9, -0.1), "betas[1]", -0.1;
    adamw_weight_decay_negative: AdamW::new(1e-3).weight_decay(WeightDecay::Decoupled(-0.01)), "weight_decay", -0.01;
    adamw_weight_decay_infinite: AdamW::new(1e-3).weight_decay(WeightDecay::Decoupled(INF)), "weight_decay", INF;

    rmsprop_lr_infinite: RmsProp::new(INF), "lr", INF;
    rmsprop_lr_negative: RmsProp::new(-0.01), "lr", -0.01;
    rmsprop_eps_zero: RmsProp::new(0.01).eps(0.0), "eps", 0.0;
    rmsprop_eps_infinite: RmsProp::new(0.01).eps(INF), "eps", INF;
    rmsprop_momentum_one: RmsProp::new(0.01).momentum(1.0), "momentum", 1.0;
    rmsprop_momentum_negative: RmsProp::new(0.01).momentum(-0.9), "momentum", -0.9;
    rmsprop_weight_decay_negative: RmsProp::new(0.01).weight_decay(WeightDecay::L2(-0.1)), "weight_decay", -0.1;
    rmsprop_alpha_one: RmsProp::new(0.01).alpha(1.0), "alpha", 1.0;
    rmsprop_alpha_negative: RmsProp::new(0.01).alpha(-0.99), "alpha", -0.99;
    rmsprop_alpha_nan: RmsProp::new(0.01).alpha(NAN), "alpha", NAN;

    adagrad_lr_negative: Adagrad::new(-0.01), "lr", -0.01;
    adagrad_lr_decay_negative: Adagrad::new(0.01).lr_decay(-0.1), "lr_decay", -0.1;
    adagrad_lr_decay_nan: Adagrad::new(0.01).lr_decay(NAN), "lr_decay", NAN;
    adagrad_weight_decay_negative: Adagrad::new(0.01).weight_decay(WeightDecay::L2(-0.1)), "weight_decay", -0.1;
    adagrad_initial_accumulator_value_negative:
        Adagrad::new(0.01).initial_accumulator_value(-1.0), "initial_accumulator_value", -1.0;
    adagrad_initial_accumulator_value_infinite:
        Adagrad::new(0.01).initial_accumulator_value(INF), "initial_accumulator_value", INF;
    adagrad_eps_zero: Adagrad::new(0.01).eps(0.0), "eps", 0.0;
    adagrad_eps_negative: Adagrad::new(0.01).eps(-1e-10), "eps", -1e-10;
}

fn assert_incompatible(optimizer: Optimizer<f64, Sgd<f64>>, conflicts_with: &'static str) {
    let expected = Error::IncompatibleHyperparameters {
        name: "nesterov",
        conflicts_with,
    };
    assert_eq!(optimizer.validate(), Err(expected.clone()));
    let trainer = Trainer::new(Neuron::new(0.7), Mse, optimizer);
    assert_eq!(trainer.err(), Some(expected));
}

#[test]
fn sgd_nesterov_without_momentum() {
    assert_incompatible(Sgd::new(0.1).momentum(Momentum::Nesterov(0.0)), "momentum");
}

#[test]
fn sgd_nesterov_with_dampening() {
    let optimizer = Sgd::new(0.1)
        .momentum(Momentum::Nesterov(0.9))
        .dampening(0.1);
    assert_incompatible(optimizer, "dampening");
}

#[test]
fn the_first_invalid_hyperparameter_is_reported_in_pytorchs_order() {
    // Adam checks lr, eps, betas, weight_decay in that order
    let adam = Adam::new(-1.0)
        .eps(0.0)
        .betas(2.0, 2.0)
        .weight_decay(WeightDecay::L2(-1.0));
    assert_invalid(adam.validate().err(), "lr", -1.0);
    let adam = Adam::new(1e-3)
        .eps(0.0)
        .betas(2.0, 2.0)
        .weight_decay(WeightDecay::L2(-1.0));
    assert_invalid(adam.validate().err(), "eps", 0.0);
}

#[test]
fn defaults_and_edge_values_are_valid() {
    fn boxed<R: UpdateRule<f64> + Clone + 'static>(
        o: Optimizer<f64, R>,
    ) -> Box<dyn UpdateRule<f64>> {
        Box::new(o.rule().clone())
    }
    let edges: Vec<(f64, Box<dyn UpdateRule<f64>>)> = vec![
        (0.1, boxed(Sgd::new(0.1))),
        (
            1e-300,
            boxed(
                Sgd::new(1e-300)
                    .momentum(Momentum::Classic(0.0))
                    .dampening(1.0),
            ),
        ),
        (
            0.1,
            boxed(Sgd::new(0.1).momentum(Momentum::Nesterov(0.999))),
        ),
        (1e-3, boxed(Adam::new(1e-3))),
        (1e-3, boxed(Adam::new(1e-3).betas(0.0, 0.0).eps(1e-300))),
        (
            1e-3,
            boxed(AdamW::new(1e-3).weight_decay(WeightDecay::Decoupled(0.0))),
        ),
        (1e-2, boxed(RmsProp::new(1e-2).alpha(0.0).momentum(0.0))),
        (
            1e-2,
            boxed(
                Adagrad::new(1e-2)
                    .lr_decay(0.0)
                    .initial_accumulator_value(0.0),
            ),
        ),
    ];
    let edges = edges.into_iter().map(|(lr, rule)| Optimizer::new(rule, lr));
    for optimizer in edges {
        assert_eq!(
            optimizer.validate(),
            Ok(()),
            "{:?}",
            optimizer.learning_rate()
        );
    }
}

/// A schedule may set any finite rate ≥ 0; anything else is refused and the optimizer,
/// and so the next step, is exactly as before.
fn refused_rate_changes_nothing<O: UpdateRule<f64> + Clone>(optimizer: Optimizer<f64, O>) {
    let mut trainer = Trainer::new(Neuron::new(0.7), Mse, optimizer.clone()).unwrap();
    let mut twin = Trainer::new(Neuron::new(0.7), Mse, optimizer).unwrap();
    trainer.step(&[1.2], &[0.4]).unwrap();
    twin.step(&[1.2], &[0.4]).unwrap();
    let lr = trainer.optimizer().learning_rate();
    for bad in [-1e-3, NAN, INF, -INF] {
        let refused = trainer.optimizer_mut().set_learning_rate(bad);
        assert_invalid(refused.err(), "lr", bad);
        assert_eq!(trainer.optimizer().learning_rate().to_bits(), lr.to_bits());
    }
    trainer.step(&[1.2], &[0.4]).unwrap();
    twin.step(&[1.2], &[0.4]).unwrap();
    assert_eq!(trainer.model().weights(), twin.model().weights());
    assert_eq!(trainer.optimizer().state(), twin.optimizer().state());

    trainer.optimizer_mut().set_learning_rate(0.0).unwrap();
    assert_eq!(trainer.optimizer().learning_rate(), 0.0);
}

#[test]
fn set_learning_rate_refuses_negative_and_non_finite_rates_and_accepts_zero() {
    refused_rate_changes_nothing(Sgd::new(0.1).momentum(Momentum::Classic(0.9)));
    refused_rate_changes_nothing(Adam::new(0.1));
    refused_rate_changes_nothing(AdamW::new(0.1));
    refused_rate_changes_nothing(RmsProp::new(0.1).centered(true));
    refused_rate_changes_nothing(Adagrad::new(0.1).lr_decay(0.5));
}
