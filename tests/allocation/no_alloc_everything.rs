//! Zero heap allocations per step after the first, for every model, loss and optimizer,
//! with gradient clipping and a learning-rate schedule, across batch sizes up to the
//! largest seen, epochs ending, predictions and a diverged step that is rolled back.
//! Counted with a counting global allocator.

use allocation_counter::measure;
use backprop::{
    Activation, Adagrad, Adam, AdamW, Bce, BceWithLogits, CrossEntropy, Huber, Loss, Mae, Model,
    Momentum, Mse, Network, Neuron, Optimizer, ReduceLrOnPlateau, RmsProp, Sgd, SmoothL1, StepLr,
    Trainer, UpdateRule, WeightDecay,
};

const INPUTS: usize = 3;
const ROWS: usize = 8;

/// `ROWS` samples: inputs in [−1, 1], targets a distribution over `outputs` classes (so
/// that every loss accepts them, cross-entropy and BCE included).
fn data(outputs: usize) -> (Vec<f64>, Vec<f64>) {
    let x = (0..INPUTS * ROWS).map(|i| (i as f64 * 0.7).sin()).collect();
    let y = (0..ROWS)
        .flat_map(|r| {
            let t = 0.5 + 0.4 * (r as f64 * 0.3).cos();
            (0..outputs).map(move |o| match (outputs, o) {
                (1, _) => t,
                (_, 0) => t,
                _ => (1.0 - t) / (outputs - 1) as f64,
            })
        })
        .collect();
    (x, y)
}

/// Warms the trainer up with one step at the largest batch, then counts the
/// allocations of everything a training loop does afterwards.
fn assert_steady<M, L, O>(mut trainer: Trainer<M, L, O, f64>, what: &str)
where
    M: Model<f64>,
    L: Loss<f64>,
    O: UpdateRule<f64>,
{
    let outputs = trainer.model().output_len();
    let (x, y) = data(outputs);
    trainer.step_batch(&x, &y).unwrap();
    trainer.end_epoch(Some(1.0)).unwrap();
    let mut predicted = vec![0.0; y.len()];
    trainer.predict_into(&x, &mut predicted).unwrap();
    let counted = measure(|| {
        for rows in [ROWS, 3, 1, ROWS] {
            trainer
                .step_batch(&x[..INPUTS * rows], &y[..outputs * rows])
                .unwrap();
            trainer
                .predict_into(&x[..INPUTS * rows], &mut predicted[..outputs * rows])
                .unwrap();
        }
        trainer.step(&x[..INPUTS], &y[..outputs]).unwrap();
        trainer.end_epoch(Some(0.5)).unwrap();
        // last, a step at a huge rate: refused and rolled back if it overflows (it may
        // not, for an optimizer whose step is bounded), in any case without allocating
        trainer.optimizer_mut().set_learning_rate(f64::MAX).unwrap();
        let _ = trainer.step_batch(&x, &y);
        let _ = trainer.step_batch(&x, &y);
    });
    assert_eq!(counted.count_total, 0, "{what}");
}

/// Every optimizer, clipped by norm with a step schedule and clipped by value with
/// reduce-on-plateau.
fn every_optimizer<M, L>(model: M, loss: L, what: &str)
where
    M: Model<f64> + Clone,
    L: Loss<f64> + Clone,
{
    fn both<M, L, O>(model: M, loss: L, optimizer: Optimizer<f64, O>, what: &str)
    where
        M: Model<f64> + Clone,
        L: Loss<f64> + Clone,
        O: UpdateRule<f64> + Clone,
    {
        let by_norm = Trainer::new(model.clone(), loss.clone(), optimizer.clone())
            .unwrap()
            .clip_grad_norm(1.0)
            .unwrap()
            .schedule(StepLr::new(2, 0.5))
            .unwrap();
        assert_steady(by_norm, &format!("{what}, clip by norm, StepLr"));
        let by_value = Trainer::new(model, loss, optimizer)
            .unwrap()
            .clip_grad_value(0.5)
            .unwrap()
            .reduce_lr_on_plateau(ReduceLrOnPlateau::new().patience(0))
            .unwrap();
        assert_steady(by_value, &format!("{what}, clip by value, plateau"));
    }
    let lr = 0.01;
    both(
        model.clone(),
        loss.clone(),
        Sgd::new(lr),
        &format!("{what}, Sgd"),
    );
    let nesterov = Sgd::new(lr)
        .momentum(Momentum::Nesterov(0.9))
        .weight_decay(WeightDecay::L2(0.01));
    both(
        model.clone(),
        loss.clone(),
        nesterov,
        &format!("{what}, Sgd nesterov"),
    );
    both(
        model.clone(),
        loss.clone(),
        Adam::new(lr),
        &format!("{what}, Adam"),
    );
    let adamw = AdamW::new(lr).amsgrad(true);
    both(
        model.clone(),
        loss.clone(),
        adamw,
        &format!("{what}, AdamW amsgrad"),
    );
    let rmsprop = RmsProp::new(lr).momentum(0.5).centered(true);
    both(
        model.clone(),
        loss.clone(),
        rmsprop,
        &format!("{what}, RmsProp"),
    );
    both(model, loss, Adagrad::new(lr), &format!("{what}, Adagrad"));
}

/// Every loss, on a model whose last activation suits it.
fn every_loss<M: Model<f64> + Clone>(linear: M, probabilities: M, what: &str) {
    every_optimizer(linear.clone(), Mse, &format!("{what}, Mse"));
    every_optimizer(linear.clone(), Mae, &format!("{what}, Mae"));
    every_optimizer(linear.clone(), Huber::new(1.0), &format!("{what}, Huber"));
    every_optimizer(
        linear.clone(),
        SmoothL1::new(1.0),
        &format!("{what}, SmoothL1"),
    );
    every_optimizer(
        linear.clone(),
        BceWithLogits,
        &format!("{what}, BceWithLogits"),
    );
    every_optimizer(
        linear,
        CrossEntropy::new(),
        &format!("{what}, CrossEntropy"),
    );
    every_optimizer(probabilities, Bce, &format!("{what}, Bce"));
}

#[test]
fn neuron_steps_allocate_nothing_after_the_first() {
    let neuron = |activation| {
        Neuron::from_weights(vec![0.3, -0.2, 0.1])
            .with_bias(0.05)
            .with_activation(activation)
    };
    every_loss(
        neuron(Activation::Tanh),
        neuron(Activation::Sigmoid),
        "Neuron",
    );
}

#[test]
fn network_steps_allocate_nothing_after_the_first() {
    let network = |last| {
        Network::builder(INPUTS)
            .dense(5, Activation::Tanh)
            .dense_no_bias(4, Activation::Relu)
            .dense(2, last)
            .seed(7)
            .build()
            .unwrap()
    };
    every_loss(
        network(Activation::Identity),
        network(Activation::Sigmoid),
        "Network",
    );
}
