//! What the fuzz targets check, shared by `fuzz/fuzz_targets/*.rs` (libFuzzer, nightly)
//! and by `tests/fuzzing/corpus.rs`, which replays the committed corpus on stable.
//!
//! Each function takes the fuzzer's bytes and panics on a broken promise: a panic inside
//! the crate, a non-finite parameter, or a refused call that changed something.
#![allow(dead_code)] // each fuzz target uses one of the checks

#[path = "../common/scaler.rs"]
mod scaler;
#[path = "../common/snapshot.rs"]
mod snapshot;

use scaler::Scaler;
use serde::de::DeserializeOwned;
use serde::Serialize;
pub use snapshot::snapshot;

use backprop::metrics::{
    accuracy_score, balanced_accuracy_score, confusion_matrix, explained_variance_score, log_loss,
    mean_absolute_error, mean_squared_error, precision_recall_fscore_support, r2_score,
    roc_auc_score,
};
use backprop::prepare::{shuffle_rows, stratified_train_test_split, train_test_split};
use backprop::{
    Activation, Adagrad, Adam, Checkpoint, Dataset, Huber, Loss, Mae, Model, Momentum, Mse,
    Network, Neuron, Optimizer, RmsProp, Sgd, StateDictNames, Trainer, UpdateRule, WeightDecay,
};

/// The fuzzer's bytes, read front to back; zeros once they run out.
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// A float chosen to break arithmetic (one byte), or any bit pattern (nine bytes).
    pub fn float(&mut self) -> f64 {
        const HOSTILE: [f64; 16] = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            2.0,
            1e300,
            -1e300,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1.7e308,
        ];
        let b = self.byte();
        if b < 0xF0 {
            // Mostly ordinary values, so that steps succeed and reach deep states.
            return f64::from(b) / 32.0 - 3.75;
        }
        if b < 0xFF {
            return HOSTILE[usize::from(b - 0xF0)];
        }
        let mut bits = [0u8; 8];
        for slot in &mut bits {
            *slot = self.byte();
        }
        f64::from_le_bytes(bits)
    }

    pub fn floats(&mut self, len: usize) -> Vec<f64> {
        (0..len).map(|_| self.float()).collect()
    }
}

/// What the fuzzed trainers' rules support: everything a checkpoint file needs.
pub trait Rule:
    UpdateRule<f64> + Clone + PartialEq + core::fmt::Debug + Serialize + DeserializeOwned
{
}
impl<R> Rule for R where
    R: UpdateRule<f64> + Clone + PartialEq + core::fmt::Debug + Serialize + DeserializeOwned
{
}

/// What the fuzzed trainers' models support: a checkpoint file and a comparison.
pub trait FuzzModel:
    Model<f64> + Clone + PartialEq + core::fmt::Debug + Serialize + DeserializeOwned
{
}
impl<M> FuzzModel for M where
    M: Model<f64> + Clone + PartialEq + core::fmt::Debug + Serialize + DeserializeOwned
{
}

/// The network every check trains: 2 inputs, 3 tanh units, 1 output.
pub fn network() -> Network<f64> {
    Network::builder(2)
        .dense(3, Activation::Tanh)
        .dense(1, Activation::Identity)
        .seed(7)
        .build()
        .expect("a small network builds")
}

/// A trainer of the fuzzer's choice: model, loss, optimizer and clipping; `None` if the
/// fuzzer's clipping bound is refused (which must then be a typed error, not a panic).
/// The one-weight neurons with plain SGD take the step that runs in registers
/// (src/trainer/in_registers.rs); the others take the general one.
pub fn trainer_ops(data: &[u8]) {
    let mut bytes = Bytes::new(data);
    let choice = bytes.byte();
    match choice / 15 % 3 {
        0 => with_optimizer(&mut bytes, network(), choice),
        1 => with_optimizer(&mut bytes, Neuron::new(0.7), choice),
        _ => with_optimizer(
            &mut bytes,
            Neuron::new(0.7).with_activation(Activation::Tanh),
            choice,
        ),
    }
}

fn with_optimizer<M: FuzzModel>(bytes: &mut Bytes, model: M, choice: u8) {
    match choice % 5 {
        0 => with_loss(bytes, model, Sgd::new(0.1), choice / 5),
        1 => with_loss(
            bytes,
            model,
            Sgd::new(0.05).momentum(Momentum::Nesterov(0.9)),
            choice / 5,
        ),
        2 => with_loss(
            bytes,
            model,
            Adam::new(0.01)
                .amsgrad(true)
                .weight_decay(WeightDecay::Decoupled(0.01)),
            choice / 5,
        ),
        3 => with_loss(
            bytes,
            model,
            RmsProp::new(0.01).centered(true).momentum(0.5),
            choice / 5,
        ),
        _ => with_loss(bytes, model, Adagrad::new(0.1), choice / 5),
    }
}

fn with_loss<M, R>(bytes: &mut Bytes, model: M, optimizer: Optimizer<f64, R>, choice: u8)
where
    M: FuzzModel,
    R: Rule,
{
    match choice % 3 {
        0 => with_clipping(bytes, Trainer::new(model, Mse, optimizer)),
        1 => with_clipping(bytes, Trainer::new(model, Mae, optimizer)),
        _ => with_clipping(bytes, Trainer::new(model, Huber::new(1.0), optimizer)),
    }
}

fn with_clipping<M, L, R>(
    bytes: &mut Bytes,
    trainer: Result<Trainer<M, L, R, f64>, backprop::Error>,
) where
    M: FuzzModel,
    L: Loss<f64>,
    R: Rule,
{
    let trainer = trainer.expect("valid hyper-parameters");
    let bound = bytes.float();
    let clipped = match bytes.byte() % 3 {
        0 => Ok(trainer),
        1 => trainer.clip_grad_norm(bound),
        _ => trainer.clip_grad_value(bound),
    };
    match clipped {
        Ok(trainer) => run_ops(bytes, trainer),
        Err(e) => assert!(
            bound.is_nan() || bound < 0.0,
            "clipping bound {bound} refused: {e}"
        ),
    }
}

/// Runs the fuzzer's operations, checking after each that every parameter is finite and
/// that a refused call changed nothing.
fn run_ops<M, L, R>(bytes: &mut Bytes, mut trainer: Trainer<M, L, R, f64>)
where
    M: FuzzModel,
    L: Loss<f64>,
    R: Rule,
{
    let inputs = trainer.model().input_len();
    let mut saved: Option<Checkpoint<M, R, f64>> = None;
    let mut ops = 0;
    while !bytes.is_empty() && ops < 64 {
        ops += 1;
        let before = snapshot(&trainer);
        let op = bytes.byte();
        let result = match op % 7 {
            0 => {
                let x = bytes.floats(inputs);
                let y = bytes.floats(1);
                trainer.step(&x, &y).map(|_| ())
            }
            1 => {
                let rows = usize::from(bytes.byte() % 4);
                let x = bytes.floats(inputs * rows + usize::from(op / 7 % 2));
                let y = bytes.floats(rows);
                trainer.step_batch(&x, &y).map(|_| ())
            }
            2 => {
                let lr = bytes.float();
                trainer.optimizer_mut().set_learning_rate(lr)
            }
            3 => {
                saved = Some(trainer.checkpoint());
                Ok(())
            }
            4 => match saved.clone() {
                Some(checkpoint) => {
                    let expected = snapshot_of(&checkpoint);
                    let result = trainer.restore(checkpoint);
                    if result.is_ok() {
                        assert_eq!(expected.0, snapshot(&trainer).params);
                    }
                    result
                }
                None => Ok(()),
            },
            5 if op % 2 == 1 => {
                // A checkpoint file's bytes and back: what a restart reads.
                let bytes = trainer.checkpoint().to_bytes().expect("encodes");
                let checkpoint = Checkpoint::from_bytes(&bytes).expect("decodes");
                let expected = snapshot(&trainer);
                trainer
                    .restore(checkpoint)
                    .expect("its own checkpoint restores");
                assert_eq!(snapshot(&trainer), expected);
                Ok(())
            }
            5 => {
                let rows = usize::from(bytes.byte() % 3);
                let x = bytes.floats(inputs * rows);
                trainer.predict(&x).map(|_| ())
            }
            _ => {
                let x = bytes.floats(inputs);
                let y = bytes.floats(1);
                trainer.input_gradients(&x, &y).map(|_| ())
            }
        };
        let params = trainer.model().params();
        assert!(
            params.iter().all(|p| p.is_finite()),
            "{params:?} after op {op}"
        );
        let state = trainer.optimizer().state();
        assert!(
            state.iter().all(|s| s.is_finite()),
            "{state:?} after op {op}"
        );
        if let Err(e) = result {
            assert_eq!(
                snapshot(&trainer),
                before,
                "op {op} refused ({e}) but changed the trainer"
            );
        }
    }
}

fn snapshot_of<M: Model<f64>, R>(checkpoint: &Checkpoint<M, R, f64>) -> (Vec<u64>,) {
    (checkpoint
        .model()
        .params()
        .iter()
        .map(|p| p.to_bits())
        .collect(),)
}

/// Safetensors bytes loaded into the check network: refused with nothing changed, or
/// loaded with finite parameters.
pub fn safetensors_bytes(data: &[u8]) {
    let mut net = network();
    let before = net.params().to_vec();
    match net.load_safetensors(data, &StateDictNames::sequential()) {
        Ok(()) => assert!(net.params().iter().all(|p| p.is_finite())),
        Err(_) => assert_eq!(
            net.params().iter().map(|p| p.to_bits()).collect::<Vec<_>>(),
            before.iter().map(|p| p.to_bits()).collect::<Vec<_>>()
        ),
    }
}

/// The trainer [`checkpoint_bytes`] restores into: Adam with AMSGrad, after one step.
pub fn checkpoint_trainer() -> Trainer<Network<f64>, Mse, Adam<f64>, f64> {
    let mut trainer = Trainer::new(network(), Mse, Adam::new(0.01).amsgrad(true))
        .expect("valid hyper-parameters");
    trainer.step(&[0.5, -1.0], &[0.25]).expect("a finite step");
    trainer
}

/// The bytes of a checkpoint file around `payload`, with a right header and checksum
/// (the layout `Checkpoint::to_bytes` documents), so the fuzzer reaches the payload.
pub fn checkpoint_file(payload: &[u8]) -> Vec<u8> {
    let mut bytes = b"BPROPCK\n".to_vec();
    bytes.extend_from_slice(&2u32.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

/// Checkpoint bytes restored into a trainer: refused with nothing changed, or restored
/// into a trainer whose values are all finite and whose next step works or is refused
/// with nothing changed. The first byte chooses whether the rest is a whole file (odd) or
/// a payload given a right header (even), so both the container and the JSON get fuzzed.
pub fn checkpoint_bytes(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let file = if mode % 2 == 1 {
        rest.to_vec()
    } else {
        checkpoint_file(rest)
    };
    let mut trainer = checkpoint_trainer();
    let before = snapshot(&trainer);
    let loaded = Checkpoint::from_bytes(&file).and_then(|c| trainer.restore(c));
    match loaded {
        Ok(()) => {
            assert!(trainer.model().params().iter().all(|p| p.is_finite()));
            assert!(trainer.optimizer().state().iter().all(|p| p.is_finite()));
            let now = snapshot(&trainer);
            match trainer.step(&[0.5, -1.0], &[0.25]) {
                Ok(_) => assert!(trainer.model().params().iter().all(|p| p.is_finite())),
                Err(e) => assert_eq!(snapshot(&trainer), now, "refused ({e}) but changed"),
            }
        }
        Err(_) => assert_eq!(snapshot(&trainer), before),
    }
}

/// A class index (mostly 0–3), or a float of [`Bytes::float`]'s.
fn class_or_float(bytes: &mut Bytes) -> f64 {
    let b = bytes.byte();
    if b < 0xC0 {
        f64::from(b % 4)
    } else {
        bytes.float()
    }
}

/// A split's test fraction: an ordinary one, one at or past the edges, or any float.
fn fraction(bytes: &mut Bytes) -> f64 {
    const EDGES: [f64; 8] = [0.25, 0.5, 0.2, 0.0, 1.0, -0.5, 1e-300, 0.999_999];
    let b = bytes.byte();
    match EDGES.get(usize::from(b % 9)) {
        Some(&f) => f,
        None => bytes.float(),
    }
}

/// Data preparation and the metrics on the fuzzer's slices, widths, class counts and
/// fractions: no panic; a refused in-place call changes nothing; and what is accepted
/// obeys the definitions checked here independently (an accuracy is the share of equal
/// pairs, a split covers every row once with `⌈f·n⌉` test rows, a shuffle moves whole
/// rows, a scaler's `inverse_transform` undoes its `transform` to rounding).
pub fn prepare_and_metrics(data: &[u8]) {
    let mut bytes = Bytes::new(data);
    let width = usize::from(bytes.byte() % 5);
    let classes = match bytes.byte() % 7 {
        0 => 0,
        6 => usize::MAX,
        k => usize::from(k),
    };
    let n = usize::from(bytes.byte() % 24);
    let odd = usize::from(bytes.byte().is_multiple_of(3));
    let y_true: Vec<f64> = (0..n).map(|_| class_or_float(&mut bytes)).collect();
    let y_pred: Vec<f64> = (0..n + odd).map(|_| class_or_float(&mut bytes)).collect();
    let seed = u64::from(bytes.byte());
    metrics_obey_their_definitions(&y_true, &y_pred, classes);
    splits_cover_every_row(&y_true, n, fraction(&mut bytes), seed);
    let rows = bytes.floats(n * width + odd);
    let other = bytes.floats(n.saturating_sub(1) * width);
    preparation_moves_whole_rows(&rows, &other, width, seed);
    let dataset = Dataset::new(rows, width, y_true, Some(classes).filter(|&c| c > 0));
    if let Ok(mut dataset) = dataset {
        let counts = dataset.class_counts();
        if let Some(counts) = &counts {
            assert_eq!(counts.iter().sum::<usize>(), dataset.len());
        }
        dataset.shuffle(seed);
        assert_eq!(dataset.class_counts(), counts);
        let f = fraction(&mut bytes);
        for (train, test) in [dataset.split(f, seed), dataset.stratified_split(f, seed)]
            .into_iter()
            .flatten()
        {
            assert_eq!(train.len() + test.len(), dataset.len());
        }
    }
}

fn metrics_obey_their_definitions(y_true: &[f64], y_pred: &[f64], classes: usize) {
    let hits = y_true.iter().zip(y_pred).filter(|(t, p)| t == p).count();
    if let Ok(accuracy) = accuracy_score(y_true, y_pred) {
        assert_eq!(accuracy, hits as f64 / y_true.len() as f64);
    }
    if let Ok(matrix) = confusion_matrix(y_true, y_pred, classes) {
        assert_eq!(matrix.len(), classes * classes);
        assert_eq!(matrix.iter().sum::<usize>(), y_true.len());
        let diagonal: usize = (0..classes).map(|c| matrix[c * classes + c]).sum();
        assert_eq!(diagonal, hits);
    }
    let share = |s: f64| (0.0..=1.0).contains(&s);
    if let Ok(score) = balanced_accuracy_score(y_true, y_pred, classes) {
        assert!(share(score), "balanced accuracy {score}");
    }
    if let Ok(scores) = precision_recall_fscore_support(y_true, y_pred, classes) {
        assert_eq!(scores.support().iter().sum::<usize>(), y_true.len());
        let all = [scores.precision(), scores.recall(), scores.f1()].concat();
        assert!(all.iter().all(|&s| share(s)), "{all:?}");
    }
    if let Ok(auc) = roc_auc_score(y_true, y_pred) {
        assert!(share(auc), "AUC {auc}");
    }
    if let Ok(loss) = log_loss(y_true, y_pred, classes) {
        assert!(loss >= 0.0, "log loss {loss}");
    }
    let errors = [
        mean_squared_error(y_true, y_pred),
        mean_absolute_error(y_true, y_pred),
    ];
    for error in errors.into_iter().flatten() {
        assert!(error >= 0.0, "error {error}");
    }
    let scores = [
        r2_score(y_true, y_pred),
        explained_variance_score(y_true, y_pred),
    ];
    for score in scores.into_iter().flatten() {
        assert!(score <= 1.0, "score {score}");
    }
}

fn splits_cover_every_row(classes: &[f64], n: usize, fraction: f64, seed: u64) {
    let covered = |(train, test): &(Vec<usize>, Vec<usize>)| {
        let mut all = [train.as_slice(), test.as_slice()].concat();
        all.sort_unstable();
        assert_eq!(all, (0..n).collect::<Vec<_>>());
    };
    if let Ok(split) = train_test_split(n, fraction, seed) {
        covered(&split);
        assert_eq!(split.1.len() as f64, (fraction * n as f64).ceil());
    }
    if let Ok(split) = stratified_train_test_split(classes, fraction, seed) {
        covered(&split);
        assert_eq!(split.1.len() as f64, (fraction * n as f64).ceil());
    }
}

fn preparation_moves_whole_rows(rows: &[f64], other: &[f64], width: usize, seed: u64) {
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let mut shuffled = rows.to_vec();
    match shuffle_rows(&mut shuffled, width, seed) {
        Ok(()) => {
            let sorted_rows = |v: &[f64]| {
                let mut r: Vec<Vec<u64>> = v.chunks(width).map(bits).collect();
                r.sort();
                r
            };
            assert_eq!(sorted_rows(&shuffled), sorted_rows(rows));
        }
        Err(_) => assert_eq!(bits(&shuffled), bits(rows)),
    }
    for scaler in Scaler::both(rows, width).iter().flatten() {
        let mut x = other.to_vec();
        match scaler.transform(&mut x) {
            Ok(()) => {
                if scaler.inverse_transform(&mut x).is_ok() {
                    // to the rounding of the largest magnitude in play
                    let largest = rows.iter().fold(1.0f64, |m, v| m.max(v.abs()));
                    for (back, &original) in x.iter().zip(other) {
                        let close = (back - original).abs() <= 1e-9 * original.abs().max(largest);
                        assert!(close || !back.is_finite(), "{original} became {back}");
                    }
                }
            }
            Err(_) => assert_eq!(bits(&x), bits(other)),
        }
    }
}
