//! The lecture's step (W1) for the benches that time it: its numbers, its trainer and
//! the hand-written loop it is measured against.

use backprop::{Mse, Neuron, Sgd, Trainer};
use criterion::measurement::WallTime;
use criterion::BenchmarkGroup;
use num_traits::Float;
use std::hint::black_box;

/// The lecture's trainer: `Neuron::new(0.7)`, MSE, SGD with learning rate `lr`.
pub type Lecture<T> = Trainer<Neuron<T>, Mse, Sgd<T>, T>;

/// The lecture's input, target and learning rate: 1.2, 0.4 and 0.1.
pub fn numbers<T: Float>() -> (T, T, T) {
    let cast = |v: f64| T::from(v).unwrap();
    (cast(1.2), cast(0.4), cast(0.1))
}

/// The lecture's trainer with learning rate `lr`, starting from the weight 0.7.
pub fn trainer<T: Float>(lr: T) -> Lecture<T> {
    Trainer::new(Neuron::new(T::from(0.7).unwrap()), Mse, Sgd::new(lr)).unwrap()
}

/// The lecture's step by hand: a = x·w, d = a − y, g = 2d·x, w ← w − lr·g.
fn lecture_by_hand<T: Float>(w: &mut T, x: T, y: T, lr: T) -> T {
    let a = x * *w;
    let d = a - y;
    let loss = d * d;
    let two = T::one() + T::one();
    *w = *w - lr * ((two * d) * x);
    loss
}

/// The same step with the trainer's stage boundaries: the output, `∂L/∂ŷ` and the
/// gradient each stored to a buffer and loaded back (`black_box` keeps the compiler from
/// passing them in registers), as `Model::forward`, `Loss::gradient` and
/// `Model::backward` hand them on. Not a baseline to meet: it times what those three
/// round trips through memory add to the chain of dependent operations on their own.
fn lecture_staged<T: Float>(w: &mut T, stages: &mut [T; 3], x: T, y: T, lr: T) -> T {
    stages[0] = x * *w; // forward: the output
    let a = black_box(&mut *stages)[0];
    let d = a - y;
    let loss = d * d;
    stages[1] = (T::one() + T::one()) * d; // loss: ∂L/∂ŷ
    let grad_out = black_box(&mut *stages)[1];
    stages[2] = grad_out * x; // backward: ∂L/∂w
    let grad = black_box(&mut *stages)[2];
    *w = *w - lr * grad;
    loss
}

/// Times the hand-written step as `hand_written` in `group`, its inputs hidden from the
/// compiler as the trainer's are.
pub fn hand_written<T: Float>(group: &mut BenchmarkGroup<'_, WallTime>, x: T, y: T, lr: T) {
    group.bench_function("hand_written", |b| {
        let mut w = T::from(0.7).unwrap();
        b.iter(|| lecture_by_hand(&mut w, black_box(x), black_box(y), lr))
    });
}

/// Times [`lecture_staged`] as `hand_written_staged` in `group`.
pub fn hand_written_staged<T: Float>(group: &mut BenchmarkGroup<'_, WallTime>, x: T, y: T, lr: T) {
    group.bench_function("hand_written_staged", |b| {
        let (mut w, mut stages) = (T::from(0.7).unwrap(), [T::zero(); 3]);
        b.iter(|| lecture_staged(&mut w, &mut stages, black_box(x), black_box(y), lr))
    });
}
