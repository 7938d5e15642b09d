//! W1 with slices whose lengths the compiler cannot see: `Trainer::step` on the lecture's
//! neuron called as `step(black_box(&[x]), black_box(&[y]))`, as for rows cut from data
//! at run time, beside the same hand-written loops as in `benches/step.rs`.
//!
//! A file of its own: a second call of `Trainer::step` in `benches/step.rs` would change
//! how the compiler inlines the first. Figures: docs/performance.md.

mod lecture;

use criterion::{criterion_group, criterion_main, Criterion};
use num_traits::Float;
use std::hint::black_box;

/// W1 with opaque slice lengths.
fn lecture_neuron<T: Float + 'static>(c: &mut Criterion, name: &str) {
    let (x, y, lr) = lecture::numbers::<T>();
    let mut group = c.benchmark_group(format!("w1_opaque_lengths_{name}"));
    group.bench_function("trainer", |b| {
        let mut trainer = lecture::trainer(lr);
        b.iter(|| trainer.step(black_box(&[x]), black_box(&[y])).unwrap().loss)
    });
    lecture::hand_written(&mut group, x, y, lr);
    lecture::hand_written_staged(&mut group, x, y, lr);
    group.finish();
}

fn benches(c: &mut Criterion) {
    lecture_neuron::<f64>(c, "f64");
    lecture_neuron::<f32>(c, "f32");
}

criterion_group!(step_opaque, benches);
criterion_main!(step_opaque);
