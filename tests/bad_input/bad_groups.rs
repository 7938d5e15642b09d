//! Parameter groups that do not fit the model are refused when the trainer is built:
//! empty, out-of-range and overlapping ranges, groups with an invalid rate or rule
//! value, and groups for L-BFGS (which PyTorch's LBFGS refuses too).

// `Optimizer::group` takes a list of ranges; a list of one is meant.
#![allow(clippy::single_range_in_vec_init)]

use backprop::{
    Activation, Error, Lbfgs, Momentum, Mse, Network, Optimizer, Sgd, Trainer, UpdateRule,
    WeightDecay,
};

/// A 2-3-1 network: 13 parameters, weights 0..6 and 9..12, biases 6..9 and 12..13.
fn net() -> Network<f64> {
    Network::builder(2)
        .dense(3, Activation::Tanh)
        .dense(1, Activation::Identity)
        .build()
        .unwrap()
}

fn refused<R: UpdateRule<f64>>(optimizer: Optimizer<f64, R>) -> Error {
    Trainer::new(net(), Mse, optimizer).err().expect("refused")
}

fn invalid_group(group: usize, start: usize, end: usize) -> Error {
    Error::InvalidGroup {
        group,
        start,
        end,
        params: 13,
    }
}

#[test]
fn the_network_names_its_ranges() {
    let net = net();
    assert_eq!(net.params().len(), 13);
    assert_eq!((net.weights(0), net.bias(0)), (Some(0..6), Some(6..9)));
    assert_eq!((net.weights(1), net.bias(1)), (Some(9..12), Some(12..13)));
    assert_eq!((net.weights(2), net.bias(2)), (None, None));
    let no_bias = Network::<f64>::builder(2)
        .dense_no_bias(3, Activation::Tanh)
        .build()
        .unwrap();
    assert_eq!(no_bias.bias(0), None);
    assert_eq!(no_bias.all_biases().count(), 0);
}

#[test]
fn a_range_beyond_the_parameters_is_refused() {
    let sgd = Sgd::new(0.1).group([9..14], |g| g.lr(0.01));
    assert_eq!(refused(sgd), invalid_group(0, 9, 14));
}

#[test]
fn an_empty_range_is_refused() {
    let sgd = Sgd::new(0.1).group([0..6, 7..7], |g| g.lr(0.01));
    assert_eq!(refused(sgd), invalid_group(0, 7, 7));
}

#[test]
fn overlapping_ranges_are_refused_across_and_within_groups() {
    let across = Sgd::new(0.1)
        .group([0..6], |g| g.lr(0.01))
        .group([5..9], |g| g.lr(0.02));
    assert_eq!(refused(across), invalid_group(0, 0, 6));
    let within = Sgd::new(0.1).group([0..6, 3..4], |g| g.lr(0.01));
    assert_eq!(refused(within), invalid_group(0, 0, 6));
}

#[test]
fn a_groups_invalid_rate_or_rule_value_is_refused_by_name() {
    let lr = Sgd::new(0.1).group([0..6], |g| g.lr(-0.01));
    assert!(matches!(
        refused(lr),
        Error::InvalidHyperparameter { name: "lr", .. }
    ));
    let momentum = Sgd::new(0.1).group([0..6], |g| g.momentum(Momentum::Classic(1.5)));
    assert!(matches!(
        refused(momentum),
        Error::InvalidHyperparameter {
            name: "momentum",
            ..
        }
    ));
    let decay = Sgd::new(0.1).group([0..6], |g| g.weight_decay(WeightDecay::L2(f64::NAN)));
    assert!(matches!(
        refused(decay),
        Error::InvalidHyperparameter {
            name: "weight_decay",
            ..
        }
    ));
}

#[test]
fn lbfgs_refuses_groups_as_pytorch_does() {
    let lbfgs = Lbfgs::new(1.0).group([0..6], |g| g.lr(0.5));
    assert_eq!(
        refused(lbfgs),
        Error::IncompatibleHyperparameters {
            name: "param_groups",
            conflicts_with: "evaluating rule"
        }
    );
}

/// A bad group refused by `Optimizer::step` outside a trainer changes nothing.
#[test]
fn a_refused_standalone_step_changes_nothing() {
    let mut sgd = Sgd::new(0.1)
        .momentum(Momentum::Classic(0.9))
        .group([2..5], |g| g.lr(0.01));
    let mut params = [1.0, 2.0, 3.0];
    assert_eq!(
        sgd.step(&mut params, &[1.0, 1.0, 1.0]),
        Err(Error::InvalidGroup {
            group: 0,
            start: 2,
            end: 5,
            params: 3
        })
    );
    assert_eq!(params, [1.0, 2.0, 3.0]);
    assert_eq!((sgd.step_count(), sgd.state()), (0, &[][..]));
}
