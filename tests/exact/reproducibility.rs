//! The same seeds give the same training run, bit for bit: the initial weights, the
//! shuffled order of every epoch, every epoch's loss and the final parameters. Different
//! seeds give a different run.
//!
//! Both runs happen in one process here; across platforms the weights and shuffles are
//! fixed by the seed alone (`src/rng.rs` uses only integer arithmetic and exact f64
//! steps, and its stream is checked against the published xoshiro256++ there).

use backprop::{Activation, Adam, Epochs, Mse, Network, Trainer};
use num_traits::Float;

/// Everything a run produces, as bits so that comparing is exact (and -0.0 ≠ 0.0).
#[derive(Debug, PartialEq)]
struct Run {
    initial: Vec<u64>,
    orders: Vec<Vec<usize>>,
    losses: Vec<u64>,
    last: Vec<u64>,
}

fn bits<T: Float>(values: &[T]) -> Vec<u64> {
    values
        .iter()
        .map(|v| v.to_f64().unwrap().to_bits())
        .collect()
}

/// Six epochs of shuffled mini-batches of 4 on 12 samples of a 2-5-1 tanh network.
fn run<T: Float + Send + Sync + 'static>(init_seed: u64, shuffle_seed: u64) -> Run {
    let net = Network::<T>::builder(2)
        .dense(5, Activation::Tanh)
        .dense(1, Activation::Identity)
        .seed(init_seed)
        .build()
        .unwrap();
    let initial = bits(net.params());
    let cast = |v: f64| T::from(v).unwrap();
    let inputs: Vec<T> = (0..24).map(|i| cast((i as f64 * 0.37).sin())).collect();
    let targets: Vec<T> = inputs.chunks(2).map(|x| x[0] * x[1] + cast(0.25)).collect();
    let mut trainer = Trainer::new(net, Mse, Adam::new(cast(0.01))).unwrap();
    let mut epochs = Epochs::new(4).shuffle(shuffle_seed);
    let (mut orders, mut losses) = (Vec::new(), Vec::new());
    for _ in 0..6 {
        losses.push(epochs.run(&mut trainer, &inputs, &targets).unwrap());
        orders.push(epochs.order().to_vec());
    }
    Run {
        initial,
        orders,
        losses: bits(&losses),
        last: bits(trainer.model().params()),
    }
}

fn assert_reproducible<T: Float + Send + Sync + 'static>() {
    let first = run::<T>(7, 11);
    let second = run::<T>(7, 11);
    assert_eq!(first, second);
    // the shuffles really shuffle: not the identity, and not the same every epoch
    assert_ne!(first.orders[0], (0..12).collect::<Vec<_>>());
    assert_ne!(first.orders[0], first.orders[1]);

    let other_init = run::<T>(8, 11);
    assert_ne!(other_init.initial, first.initial);
    assert_eq!(other_init.orders, first.orders); // the two streams are independent
    assert_ne!(other_init.last, first.last);

    let other_shuffle = run::<T>(7, 12);
    assert_eq!(other_shuffle.initial, first.initial);
    assert_ne!(other_shuffle.orders, first.orders);
    assert_ne!(other_shuffle.losses, first.losses);
    assert_ne!(other_shuffle.last, first.last);
}

#[test]
fn the_same_seeds_give_the_same_run_bit_for_bit_in_f64() {
    assert_reproducible::<f64>();
}

#[test]
fn the_same_seeds_give_the_same_run_bit_for_bit_in_f32() {
    assert_reproducible::<f32>();
}
