//! Replays the committed, minimised fuzzing corpus (`fuzz/corpus/<target>/`) through the
//! checks the fuzz targets run, so CI checks every input the fuzzer kept without nightly.

use std::path::PathBuf;

use crate::checks;

/// Every file of `fuzz/corpus/<target>/`, through `check`; returns how many there were.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let run = std::panic::catch_unwind(|| check(&bytes));
        assert!(run.is_ok(), "{path:?} fails its check");
        count += 1;
    }
    count
}

#[test]
fn the_checkpoint_corpus_passes() {
    assert!(replay("checkpoint_bytes", checks::checkpoint_bytes) > 0);
}

#[test]
fn the_safetensors_corpus_passes() {
    assert!(replay("safetensors_bytes", checks::safetensors_bytes) > 0);
}

#[test]
fn the_trainer_corpus_passes() {
    assert!(replay("trainer_ops", checks::trainer_ops) > 0);
}

#[test]
fn the_preparation_and_metrics_corpus_passes() {
    assert!(replay("prepare_and_metrics", checks::prepare_and_metrics) > 0);
}

/// Writes seed inputs for the checkpoint and safetensors targets (a valid checkpoint
/// file, its payload, a valid safetensors file): `cargo test --all-features --test
/// fuzzing -- --ignored write_seeds`, before a first fuzzing run.
#[test]
#[ignore]
fn write_seeds() {
    use backprop::{Precision, StateDictNames};
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let file = checks::checkpoint_trainer()
        .checkpoint()
        .to_bytes()
        .unwrap();
    let dir = root.join("checkpoint_bytes");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("seed-file"), [&[1u8][..], &file].concat()).unwrap();
    std::fs::write(dir.join("seed-payload"), [&[0u8][..], &file[24..]].concat()).unwrap();
    let tensors = checks::network()
        .to_safetensors(&StateDictNames::sequential(), Precision::F64)
        .unwrap();
    let dir = root.join("safetensors_bytes");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("seed-f64"), tensors).unwrap();
}
