//! With the `parallel` feature, a step gives bit-identical results on any number of
//! threads: the batch's chunks and the order their gradients are summed in depend on the
//! batch size alone.
#![cfg(feature = "parallel")]

use backprop::{Activation, Mse, Network, Sgd, Trainer};

/// Three steps of a 16-64-64-1 network on a batch of `rows`, in a pool of `threads`
/// threads: the losses, then the parameters.
fn train(rows: usize, threads: usize) -> (Vec<f32>, Vec<f32>) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let net = Network::<f32>::builder(16)
            .dense(64, Activation::Tanh)
            .dense(64, Activation::Tanh)
            .dense(1, Activation::Identity)
            .seed(3)
            .build()
            .unwrap();
        let mut trainer = Trainer::new(net, Mse, Sgd::new(0.01)).unwrap();
        let x: Vec<f32> = (0..16 * rows).map(|i| (i as f32 * 0.37).sin()).collect();
        let y: Vec<f32> = (0..rows).map(|i| (i as f32 * 0.11).cos()).collect();
        let losses = (0..3)
            .map(|_| trainer.step_batch(&x, &y).unwrap().loss)
            .collect();
        (losses, backprop::Model::params(trainer.model()).to_vec())
    })
}

fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|x| x.to_bits()).collect()
}

/// Two chunks (256 rows), eight (1024) and seven of unequal sizes (999 rows: 143 or 142
/// each, split three and four at the top).
#[test]
fn one_two_and_three_threads_agree_bit_for_bit() {
    for rows in [256, 999, 1024] {
        let one = train(rows, 1);
        assert!(one.0[2] < one.0[0], "training made progress, {rows} rows");
        for threads in [2, 3] {
            let other = train(rows, threads);
            let what = format!("{rows} rows, {threads} threads");
            assert_eq!(bits(&other.0), bits(&one.0), "losses, {what}");
            assert_eq!(bits(&other.1), bits(&one.1), "parameters, {what}");
        }
    }
}

/// allocation-counter counts the current thread only, so the steps run inside a pool of
/// one thread: every chunk then runs on the thread being counted.
#[test]
fn chunks_on_a_worker_allocate_nothing_after_warm_up() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    pool.install(|| {
        let net = Network::<f32>::builder(16)
            .dense(64, Activation::Tanh)
            .dense(64, Activation::Tanh)
            .dense(1, Activation::Identity)
            .build()
            .unwrap();
        let mut trainer = Trainer::new(net, Mse, Sgd::new(0.01)).unwrap();
        let x: Vec<f32> = (0..16 * 512).map(|i| (i as f32 * 0.37).sin()).collect();
        let y: Vec<f32> = (0..512).map(|i| (i as f32 * 0.11).cos()).collect();
        trainer.step_batch(&x, &y).unwrap();
        let counted = allocation_counter::measure(|| {
            trainer.step_batch(&x, &y).unwrap();
        });
        assert_eq!(counted.count_total, 0);
    });
}
