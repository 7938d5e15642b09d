//! The `parallel` feature: `Trainer::step_batch` on W4's network (16 → 64 tanh → 64 tanh
//! → 1 identity, biases, MSE, SGD lr 0.01, f32) at 256 and 1024 rows, in a rayon pool of
//! one thread and in one of two. The step runs inside the pool (`pool.install`), so its
//! chunks run on that pool's threads; the ratio of the two times is the speed-up.
//!
//! `forward` and `backward` time the model's two passes alone (the trainer's checks, loss
//! and update left out), to tell their share from the step's serial rest.
//! Figures: docs/performance.md, "`parallel`: one thread and two".

mod shared;

use backprop::{Model, Mse, Sgd, Trainer};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rayon::ThreadPool;
use shared::{data, flops, network};
use std::hint::black_box;

const BATCHES: [usize; 2] = [256, 1024];
const THREADS: [usize; 2] = [1, 2];

fn pool(threads: usize) -> ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// One step: checks, forward, loss, backward, update.
fn step_batch(c: &mut Criterion, batch: usize) {
    let (x, y) = data(batch);
    let mut group = c.benchmark_group(format!("parallel_step_batch{batch}"));
    group.throughput(Throughput::Elements(flops(batch)));
    for threads in THREADS {
        group.bench_function(BenchmarkId::new("threads", threads), |b| {
            pool(threads).install(|| {
                let mut trainer = Trainer::new(network(), Mse, Sgd::new(0.01)).unwrap();
                b.iter(|| trainer.step_batch(black_box(&x), &y).unwrap().loss)
            })
        });
    }
    group.finish();
}

/// The model's passes alone, through the [`Model`] calls the trainer makes.
fn passes(c: &mut Criterion, batch: usize) {
    let (x, _) = data(batch);
    let net = network();
    let mut workspace = vec![0.0; net.workspace_len(batch)];
    let (mut out, mut out_grads) = (vec![0.0; batch], vec![1.0 / batch as f32; batch]);
    let mut grads = vec![0.0; net.params().len()];
    let mut group = c.benchmark_group(format!("parallel_passes{batch}"));
    for threads in THREADS {
        let pool = pool(threads);
        group.bench_function(BenchmarkId::new("forward", threads), |b| {
            pool.install(|| b.iter(|| net.forward(black_box(&x), &mut out, &mut workspace)))
        });
        group.bench_function(BenchmarkId::new("backward", threads), |b| {
            pool.install(|| {
                b.iter(|| {
                    let io = (black_box(&x[..]), &out[..]);
                    net.backward(io.0, io.1, &mut out_grads, &mut workspace, &mut grads, None)
                })
            })
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    for batch in BATCHES {
        step_batch(c, batch);
        passes(c, batch);
    }
}

criterion_group!(parallel_benches, benches);
criterion_main!(parallel_benches);
