//! Checkpoint files (features `serde` + `std`): `Trainer::save` and `Trainer::load` round
//! trip bit for bit, and `load` refuses a truncated, corrupted, foreign-version or foreign
//! file with the fault named, the trainer untouched.
//!
//! The header layout the faults are checked against is `Checkpoint::to_bytes`'s,
//! written out here independently: magic `BPROPCK\n`, version u32, payload length u64,
//! CRC-32 u32 (all little-endian), then the JSON payload.

use std::path::PathBuf;

use backprop::{Adam, Checkpoint, CheckpointFault, Error, Mse, Neuron, Sgd, Trainer};

type Lecture = Trainer<Neuron<f64>, Mse, backprop::Adam<f64>, f64>;

fn fresh() -> Lecture {
    Trainer::new(Neuron::new(0.7), Mse, Adam::new(0.1).amsgrad(true)).unwrap()
}

fn trained(steps: usize) -> Lecture {
    let mut trainer = fresh();
    for _ in 0..steps {
        trainer.step(&[1.2], &[0.4]).unwrap();
    }
    trainer
}

/// A path of its own in a fresh directory under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("files-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("trainer.ckpt")
}

fn bits(trainer: &Lecture) -> (Vec<u64>, Vec<u64>, u64) {
    let b = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect();
    (
        b(trainer.model().params()),
        b(trainer.optimizer().state()),
        trainer.steps(),
    )
}

#[test]
fn a_saved_trainer_loads_and_continues_bit_for_bit() {
    let path = scratch("roundtrip");
    let mut whole = trained(5);
    trained(3).save(&path).unwrap();
    trained(2).save(&path).unwrap(); // replaces the first
    let mut resumed = fresh();
    resumed.load(&path).unwrap();
    assert_eq!(resumed.steps(), 2);
    for _ in 0..3 {
        resumed.step(&[1.2], &[0.4]).unwrap();
    }
    assert_eq!(bits(&resumed), bits(&whole));
    whole.step(&[1.2], &[0.4]).unwrap();
    // Only the checkpoint is left in the directory: the temporary file was renamed.
    let names = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
    assert_eq!(names, 1);
}

/// `load` of `bytes` fails with `reason`, and the trainer is untouched.
fn assert_load_refused(name: &str, bytes: &[u8], reason: CheckpointFault) {
    let path = scratch(name);
    std::fs::write(&path, bytes).unwrap();
    let mut trainer = trained(1);
    let before = bits(&trainer);
    assert_eq!(
        trainer.load(&path),
        Err(Error::InvalidCheckpoint { reason }),
        "{name}"
    );
    assert_eq!(bits(&trainer), before, "{name}");
}

fn saved_bytes() -> Vec<u8> {
    trained(3).checkpoint().to_bytes().unwrap()
}

#[test]
fn the_header_is_as_documented() {
    let bytes = saved_bytes();
    assert_eq!(&bytes[..8], b"BPROPCK\n");
    assert_eq!(bytes[8..12], 3u32.to_le_bytes());
    let payload = &bytes[24..];
    assert_eq!(bytes[12..20], (payload.len() as u64).to_le_bytes());
    assert_eq!(bytes[20..24], crc32fast::hash(payload).to_le_bytes());
    let json: serde_json::Value = serde_json::from_slice(payload).unwrap();
    assert_eq!(json["steps"], 3);
}

#[test]
fn every_truncation_is_refused() {
    let bytes = saved_bytes();
    let payload = (bytes.len() - 24) as u64;
    for cut in [0, 1, 8, 23] {
        let reason = CheckpointFault::NotACheckpointFile;
        assert_load_refused("cut-header", &bytes[..cut], reason);
    }
    for cut in [24, 25, bytes.len() / 2, bytes.len() - 1] {
        let reason = CheckpointFault::Length {
            expected: payload,
            actual: (cut - 24) as u64,
        };
        assert_load_refused("cut-payload", &bytes[..cut], reason);
    }
    let extended = [&bytes[..], b" "].concat();
    let reason = CheckpointFault::Length {
        expected: payload,
        actual: payload + 1,
    };
    assert_load_refused("extended", &extended, reason);
}

#[test]
fn a_corrupted_payload_is_refused_by_its_checksum() {
    let bytes = saved_bytes();
    let expected = crc32fast::hash(&bytes[24..]);
    for at in [24, bytes.len() / 2, bytes.len() - 1] {
        let mut corrupted = bytes.clone();
        corrupted[at] ^= 0x04; // one bit: a digit stays a digit
        let actual = crc32fast::hash(&corrupted[24..]);
        let reason = CheckpointFault::Checksum { expected, actual };
        assert_load_refused("corrupted", &corrupted, reason);
    }
}

#[test]
fn a_foreign_version_or_file_is_refused() {
    let mut bytes = saved_bytes();
    bytes[8..12].copy_from_slice(&4u32.to_le_bytes());
    let reason = CheckpointFault::Version {
        expected: 3,
        actual: 4,
    };
    assert_load_refused("version", &bytes, reason);
    let json = serde_json::to_vec(&trained(1).checkpoint()).unwrap();
    assert_load_refused("bare-json", &json, CheckpointFault::NotACheckpointFile);
    // A sound file of another optimizer: its payload is not this trainer's checkpoint.
    let sgd = Trainer::new(Neuron::new(0.7), Mse, Sgd::new(0.1)).unwrap();
    let other = sgd.checkpoint().to_bytes().unwrap();
    assert_load_refused("other-types", &other, CheckpointFault::Payload);
}

#[test]
fn a_file_of_another_configuration_is_refused_by_restore() {
    let path = scratch("configuration");
    let plain = Trainer::new(Neuron::new(0.7), Mse, Adam::new(0.1)).unwrap();
    plain.save(&path).unwrap();
    let mut trainer = trained(1);
    let before = bits(&trainer);
    let reason = CheckpointFault::Configuration { what: "amsgrad" };
    assert_eq!(
        trainer.load(&path),
        Err(Error::InvalidCheckpoint { reason })
    );
    assert_eq!(bits(&trainer), before);
}

#[test]
fn input_output_errors_are_typed_and_leave_everything_as_it_was() {
    let path = scratch("io");
    let mut trainer = trained(1);
    let before = bits(&trainer);
    let missing = path.with_file_name("missing.ckpt");
    let not_found = |path: &std::path::Path| Error::Io {
        path: path.to_path_buf(),
        kind: std::io::ErrorKind::NotFound,
    };
    assert_eq!(trainer.load(&missing), Err(not_found(&missing)));
    assert_eq!(bits(&trainer), before);
    // Saving into a directory that does not exist fails, and writes nothing.
    let nowhere = path.with_file_name("no-such-dir").join("trainer.ckpt");
    assert_eq!(trainer.save(&nowhere), Err(not_found(&nowhere)));
    // A path that names no file cannot be saved to.
    assert!(matches!(trainer.save(""), Err(Error::Io { .. })));
    assert_eq!(
        std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
        0
    );
}

#[test]
fn from_bytes_reads_what_to_bytes_wrote() {
    let trainer = trained(4);
    let bytes = trainer.checkpoint().to_bytes().unwrap();
    let back = Checkpoint::<Neuron<f64>, Adam<f64>, f64>::from_bytes(&bytes).unwrap();
    assert_eq!(back, trainer.checkpoint());
}
