//! The reproducers of issue 13's audit, each now a typed error or a documented result:
//! allocation failures as `Error::TooLarge` (never an abort), no overflow in state-dict
//! names, clipping of a gradient whose norm overflows, and predictions that overflow.
//!
//! The sizes are chosen to be refused at once: each request is terabytes, which the
//! allocator refuses without touching memory, so these tests stay fast.

use backprop::{
    clip_grad_norm, gradcheck, Activation, Epochs, Error, Mae, Model, Mse, Network, Neuron,
    Quantity, Sgd, Trainer,
};

/// A request for `rows` rows of a network that is small itself but whose batch
/// buffers are terabytes: 1 input, `width` tanh units, 1 output.
fn wide(width: usize) -> Network<f32> {
    Network::<f32>::builder(1)
        .dense(width, Activation::Tanh)
        .dense(1, Activation::Identity)
        .build()
        .unwrap()
}

const TOO_LARGE: Error = Error::TooLarge {
    what: Quantity::Input,
};

#[test]
fn a_step_on_a_batch_whose_workspace_cannot_be_allocated_is_refused() {
    // 2²⁰ rows × 3·2²⁰ workspace values per row: 2⁴³ floats (32 TiB).
    let mut trainer = Trainer::new(wide(1 << 20), Mse, Sgd::new(0.1)).unwrap();
    let before = trainer.model().params().to_vec();
    let rows = 1 << 20;
    let (inputs, targets) = (vec![0.5f32; rows], vec![0.25f32; rows]);
    assert_eq!(trainer.step_batch(&inputs, &targets), Err(TOO_LARGE));
    assert_eq!(trainer.model().params(), &before[..]);
    assert_eq!(trainer.steps(), 0);
    // The trainer still works on a batch that fits.
    trainer.step_batch(&inputs[..4], &targets[..4]).unwrap();
}

#[test]
fn a_prediction_whose_outputs_cannot_be_allocated_is_refused() {
    // 2²⁰ rows × 2²² outputs: 2⁴² floats (16 TiB).
    let net = Network::<f32>::builder(1)
        .dense(1 << 22, Activation::Identity)
        .build()
        .unwrap();
    let inputs = vec![1.0f32; 1 << 20];
    assert_eq!(net.predict(&inputs), Err(TOO_LARGE));
    let trainer = Trainer::new(net, Mse, Sgd::new(0.1)).unwrap();
    assert_eq!(trainer.predict(&inputs), Err(TOO_LARGE));
    assert_eq!(trainer.predict(&inputs[..2]).unwrap().len(), 2 << 22);
}

#[test]
fn epochs_input_gradients_and_gradcheck_refuse_what_cannot_be_allocated() {
    let mut trainer = Trainer::new(wide(1 << 20), Mse, Sgd::new(0.1)).unwrap();
    let rows = 1 << 20;
    let (inputs, targets) = (vec![0.5f32; rows], vec![0.25f32; rows]);
    let mut epochs = Epochs::new(rows).shuffle(3);
    assert_eq!(epochs.run(&mut trainer, &inputs, &targets), Err(TOO_LARGE));
    assert_eq!(trainer.input_gradients(&inputs, &targets), Err(TOO_LARGE));
    let mut net = wide(1 << 20);
    let report = gradcheck::check(&mut net, &Mse, &inputs, &targets);
    assert_eq!(report.err(), Some(TOO_LARGE));
    assert_eq!(trainer.steps(), 0);
}

#[test]
fn a_workspace_size_that_overflows_saturates() {
    // The Model contract: a count beyond usize is usize::MAX, which no allocator grants.
    let net = wide(4);
    assert_eq!(net.workspace_len(usize::MAX / 2), usize::MAX);
    // Z, A, δ, δ', and the layers' Wᵀ at their parameters' offsets (1·4 + 4 + 4·1 + 1).
    assert_eq!(net.workspace_len(1), 4 + 4 + 1 + 2 * 4 + 13);
}

#[cfg(feature = "safetensors")]
#[test]
fn the_last_sequential_layer_names_are_none_not_an_overflow() {
    use backprop::StateDictNames;
    let names = StateDictNames::sequential();
    assert_eq!(names.layer(usize::MAX), None);
    assert_eq!(names.layer(usize::MAX / 2 + 1), None);
    let last = usize::MAX / 2; // module 2l = usize::MAX − 1
    let expected = (
        format!("{}.weight", usize::MAX - 1),
        format!("{}.bias", usize::MAX - 1),
    );
    assert_eq!(names.layer(last), Some(expected));
}

#[test]
fn a_gradient_whose_norm_overflows_is_still_clipped() {
    // ‖[MAX, MAX]‖ = √2·MAX > MAX: the norm is +∞, the clipped gradient [1/√2, 1/√2].
    let mut grads = [f64::MAX, f64::MAX];
    assert_eq!(clip_grad_norm(&mut grads, 1.0), Ok(f64::INFINITY));
    let half_root = 1.0 / 2f64.sqrt();
    assert_eq!(grads, [half_root, half_root]);
    let mut grads = [-f64::MAX, 0.0, f64::MAX];
    clip_grad_norm(&mut grads, 2.0).unwrap();
    assert_eq!(grads, [-2.0 * half_root, 0.0, 2.0 * half_root]);
    let mut never = [f64::MAX, f64::MAX];
    assert_eq!(clip_grad_norm(&mut never, f64::INFINITY), Ok(f64::INFINITY));
    assert_eq!(never, [f64::MAX, f64::MAX]); // an infinite bound never clips
}

#[test]
fn a_clipped_step_on_huge_inputs_moves_the_weights() {
    // a = 0.5x − 0.25x = 0.425e308 > 0 = y, so ∂L/∂w = sign(a − y)·x = [x, x] for Mae:
    // norm √2·1.7e308 overflows, clipped to [1/√2, 1/√2] (it used to be zeroed, a step
    // that changed nothing yet counted).
    let neuron = Neuron::from_weights(vec![0.5, -0.25]);
    let mut trainer = Trainer::new(neuron, Mae, Sgd::new(0.1))
        .unwrap()
        .clip_grad_norm(1.0)
        .unwrap();
    trainer.step(&[1.7e308, 1.7e308], &[0.0]).unwrap();
    let g = 1.0 / 2f64.sqrt();
    assert_eq!(trainer.model().weights(), &[0.5 - 0.1 * g, -0.25 - 0.1 * g]);
    assert_eq!(trainer.grad_norm(), Some(f64::INFINITY));
    assert_eq!(trainer.steps(), 1);
}

#[test]
fn a_prediction_that_overflows_is_returned_as_computed() {
    // Documented behaviour (Trainer::predict, Model::predict): finite inputs whose output
    // overflows give +∞ in that row, the other rows stay right; a step refuses it.
    let mut trainer = Trainer::new(Neuron::<f32>::new(2.0), Mse, Sgd::new(0.1)).unwrap();
    assert_eq!(
        trainer.predict(&[f32::MAX, 1.5]).unwrap(),
        &[f32::INFINITY, 3.0]
    );
    assert_eq!(
        trainer.model().predict(&[-f32::MAX]).unwrap(),
        [f32::NEG_INFINITY]
    );
    assert_eq!(
        trainer.step(&[f32::MAX], &[0.0]),
        Err(Error::Diverged {
            step: 0,
            what: Quantity::Loss
        })
    );
}
