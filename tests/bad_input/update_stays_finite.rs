//! `Optimizer::update_stays_finite` must predict exactly what `step` does: the trainer
//! trusts a `Some(true)` and updates in place with no copy kept for an undo.
//! `Optimizer::step_if_finite`, which the trainer calls, must step exactly then.

use backprop::{Adam, Optimizer, Sgd};

/// Values from tiny to the edge of overflow, both signs.
fn values(seed: u64, len: usize) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let exponent = (state % 40) as i32 * 8 - 16; // 1e-16 … 1e300
            let sign = if state & 1 == 0 { 1.0 } else { -1.0 };
            sign * 10f64.powi(exponent) * (1.0 + (state >> 40) as f64 / (1u64 << 24) as f64)
        })
        .collect()
}

fn check_prediction(optimizer: Sgd<f64>) {
    let mut predicted_false = 0;
    for seed in 0..300 {
        let len = 1 + (seed as usize % 19); // short slices and the eight-lane path
        let (params, grads) = (values(seed, len), values(seed + 1000, len));
        let mut opt = optimizer.clone();
        // give momentum a buffer from an earlier step on some seeds
        if seed % 2 == 1 {
            let mut warm = params.clone();
            opt.step(&mut warm, &values(seed + 2000, len));
        }
        let prediction = opt.update_stays_finite(&params, &grads);
        let mut stepped = params.clone();
        opt.step(&mut stepped, &grads);
        let finite = stepped.iter().all(|p| p.is_finite());
        assert_eq!(prediction, Some(finite), "seed {seed}");
        predicted_false += usize::from(!finite);
    }
    assert!(
        predicted_false > 10,
        "the values reach overflow often enough"
    );
}

/// `step_if_finite` steps as `step` does when the update stays finite, and otherwise
/// changes neither the parameters, the state nor the step count.
fn check_step_if_finite(optimizer: Sgd<f64>) {
    let mut refused = 0;
    for seed in 0..300 {
        let len = 1 + (seed as usize % 19);
        let (params, grads) = (values(seed, len), values(seed + 1000, len));
        let mut opt = optimizer.clone();
        if seed % 2 == 1 {
            let mut warm = params.clone();
            opt.step(&mut warm, &values(seed + 2000, len));
        }
        let (mut by_step, mut by_step_opt) = (params.clone(), opt.clone());
        by_step_opt.step(&mut by_step, &grads);
        let finite = by_step.iter().all(|p| p.is_finite());

        let (mut checked, before) = (params.clone(), opt.clone());
        assert_eq!(
            opt.step_if_finite(&mut checked, &grads),
            Some(finite),
            "seed {seed}"
        );
        if finite {
            assert_eq!((checked, opt), (by_step, by_step_opt), "seed {seed}");
        } else {
            assert_eq!((checked, opt), (params, before), "seed {seed}");
            refused += 1;
        }
    }
    assert!(refused > 10, "the values reach overflow often enough");
}

#[test]
fn sgd_steps_if_finite_exactly_as_it_predicts() {
    check_step_if_finite(Sgd::new(1e20));
    check_step_if_finite(Sgd::new(1e20).weight_decay(1e5).maximize(true));
    check_step_if_finite(Sgd::new(1e20).momentum(0.9).dampening(0.2));
    check_step_if_finite(Sgd::new(1e20).momentum(0.9).nesterov(true));
}

#[test]
fn sgd_predicts_its_step_exactly() {
    check_prediction(Sgd::new(1e20));
    check_prediction(Sgd::new(1e20).weight_decay(1e5).maximize(true));
    check_prediction(Sgd::new(1e20).momentum(0.9).dampening(0.2));
    check_prediction(
        Sgd::new(1e20)
            .momentum(0.9)
            .nesterov(true)
            .weight_decay(0.5),
    );
}

#[test]
fn adaptive_optimizers_leave_the_check_to_the_trainer() {
    assert_eq!(Adam::new(0.1).update_stays_finite(&[1.0], &[1.0]), None);
    let (mut adam, mut w) = (Adam::new(0.1), [1.0]);
    assert_eq!(adam.step_if_finite(&mut w, &[1.0]), None);
    assert_eq!((w, adam.step_count()), ([1.0], 0), "nothing changed");
}
