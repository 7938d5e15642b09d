//! Weights from PyTorch in safetensors: a `state_dict` saved by PyTorch 2.15
//! (`tools/safetensors_roundtrip.py`, `tests/data/sequential.safetensors`) loads into a
//! `Network` that then predicts PyTorch's outputs (`tests/data/sequential.json`); saving
//! from Rust and loading back is exact; every malformed file is refused with its error.
#![cfg(feature = "safetensors")]

use std::collections::HashMap;

use backprop::{
    Activation, Error, Model, Network, NetworkBuilder, Precision, SafetensorsError, StateDictNames,
};
use safetensors::tensor::TensorView;
use safetensors::Dtype;
use serde::Deserialize;

const WEIGHTS: &[u8] = include_bytes!("../data/sequential.safetensors");

#[derive(Deserialize)]
struct Reference {
    torch_version: String,
    inputs: Vec<f32>,
    outputs: Vec<f32>,
}

fn reference() -> Reference {
    serde_json::from_str(include_str!("../data/sequential.json")).unwrap()
}

/// The script's nn.Sequential(Linear(3, 5), Tanh, Linear(5, 4, bias=False), ReLU,
/// Linear(4, 2)).
fn architecture<T: num_traits::Float>() -> NetworkBuilder<T, Activation<T>> {
    Network::builder(3)
        .dense(5, Activation::Tanh)
        .dense_no_bias(4, Activation::Relu)
        .dense(2, Activation::Identity)
}

#[test]
fn pytorch_weights_predict_pytorchs_outputs_in_f32() {
    let reference = reference();
    assert!(reference.torch_version.starts_with("2.15"));
    let mut net = architecture::<f32>().build().unwrap();
    net.load_safetensors(WEIGHTS, &StateDictNames::sequential())
        .unwrap();
    let outputs = net.predict(&reference.inputs).unwrap();
    assert_eq!(outputs.len(), reference.outputs.len());
    for (ours, theirs) in outputs.iter().zip(&reference.outputs) {
        assert!(
            (ours - theirs).abs() <= 1e-6,
            "{ours} vs PyTorch's {theirs}"
        );
    }
    assert!(
        reference.outputs.iter().any(|y| y.abs() > 0.1),
        "the outputs are not all ~0"
    );
}

#[test]
fn pytorch_f32_weights_load_into_an_f64_network() {
    let reference = reference();
    let mut net = architecture::<f64>().build().unwrap();
    net.load_safetensors(WEIGHTS, &StateDictNames::sequential())
        .unwrap();
    let inputs: Vec<f64> = reference.inputs.iter().map(|&x| x.into()).collect();
    let outputs = net.predict(&inputs).unwrap();
    for (ours, &theirs) in outputs.iter().zip(&reference.outputs) {
        assert!(
            (ours - f64::from(theirs)).abs() <= 1e-6,
            "{ours} vs PyTorch's {theirs}"
        );
    }
}

#[test]
fn saving_and_loading_back_is_exact_in_both_precisions() {
    let mut from_pytorch = architecture::<f32>().build().unwrap();
    from_pytorch
        .load_safetensors(WEIGHTS, &StateDictNames::sequential())
        .unwrap();
    for precision in [Precision::F32, Precision::F64] {
        let bytes = from_pytorch
            .to_safetensors(&StateDictNames::sequential(), precision)
            .unwrap();
        let mut back = architecture::<f32>().seed(1).build().unwrap();
        back.load_safetensors(&bytes, &StateDictNames::sequential())
            .unwrap();
        assert_eq!(back.params(), from_pytorch.params());
    }
    // The F32 file holds the very tensors PyTorch wrote (same names, shapes and bytes).
    let bytes = from_pytorch
        .to_safetensors(&StateDictNames::sequential(), Precision::F32)
        .unwrap();
    let ours = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let theirs = safetensors::SafeTensors::deserialize(WEIGHTS).unwrap();
    let mut names = ours.names();
    names.sort();
    let mut their_names = theirs.names();
    their_names.sort();
    assert_eq!(names, their_names);
    for name in names {
        let (a, b) = (ours.tensor(name).unwrap(), theirs.tensor(name).unwrap());
        assert_eq!(
            (a.dtype(), a.shape(), a.data()),
            (b.dtype(), b.shape(), b.data()),
            "{name}"
        );
    }
    // For tools/safetensors_roundtrip.py --check-rust (PyTorch loads what Rust wrote).
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(dir.join("sequential_from_rust.safetensors"), &bytes).unwrap();
}

#[test]
fn other_module_indices_and_prefixes_name_the_same_tensors() {
    let renamed = rename(WEIGHTS, |name| {
        let (index, rest) = name.split_once('.').unwrap();
        let index = match index {
            "0" => 0,
            "2" => 3,
            _ => 5,
        };
        format!("net.{index}.{rest}")
    });
    let mut expected = architecture::<f32>().build().unwrap();
    expected
        .load_safetensors(WEIGHTS, &StateDictNames::sequential())
        .unwrap();

    let mut net = architecture::<f32>().build().unwrap();
    let names = StateDictNames::indices([0, 3, 5]).prefix("net.");
    net.load_safetensors(&renamed, &names).unwrap();
    assert_eq!(net.params(), expected.params());

    let mut net = architecture::<f32>().build().unwrap();
    let names = StateDictNames::explicit([
        ("0.weight", "0.bias"),
        ("3.weight", "-"),
        ("5.weight", "5.bias"),
    ])
    .prefix("net.");
    net.load_safetensors(&renamed, &names).unwrap();
    assert_eq!(net.params(), expected.params());
}

/// Tensors as (name, dtype, shape, bytes), written as a safetensors file.
fn file(tensors: &[(&str, Dtype, Vec<usize>, Vec<u8>)]) -> Vec<u8> {
    let views: Vec<(&str, TensorView<'_>)> = tensors
        .iter()
        .map(|(name, dtype, shape, bytes)| {
            (
                *name,
                TensorView::new(*dtype, shape.clone(), bytes).unwrap(),
            )
        })
        .collect();
    safetensors::serialize(views, &None).unwrap()
}

/// The PyTorch file with every tensor renamed by `f`.
fn rename(bytes: &[u8], f: impl Fn(&str) -> String) -> Vec<u8> {
    let tensors = safetensors::SafeTensors::deserialize(bytes).unwrap();
    let owned: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = tensors
        .tensors()
        .into_iter()
        .map(|(name, t)| (f(&name), t.dtype(), t.shape().to_vec(), t.data().to_vec()))
        .collect();
    let borrowed: Vec<(&str, Dtype, Vec<usize>, Vec<u8>)> = owned
        .iter()
        .map(|(n, d, s, b)| (n.as_str(), *d, s.clone(), b.clone()))
        .collect();
    file(&borrowed)
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A 2-1 layer with bias, whose tensors are `0.weight` [1, 2] and `0.bias` [1].
fn small() -> Network<f64> {
    Network::builder(2)
        .dense(1, Activation::Identity)
        .build_with_params(&[0.5, -0.5, 0.25])
        .unwrap()
}

fn refused(bytes: &[u8]) -> SafetensorsError {
    let mut net = small();
    let error = net
        .load_safetensors(bytes, &StateDictNames::sequential())
        .unwrap_err();
    assert_eq!(net, small(), "a refused file changed the network");
    error
}

#[test]
fn malformed_files_are_refused_and_change_nothing() {
    let weight = ("0.weight", Dtype::F32, vec![1, 2], f32_bytes(&[1.0, 2.0]));
    let bias = ("0.bias", Dtype::F32, vec![1], f32_bytes(&[3.0]));

    let mut net = small();
    net.load_safetensors(
        &file(&[weight.clone(), bias.clone()]),
        &StateDictNames::sequential(),
    )
    .unwrap();
    assert_eq!(net.params(), [1.0, 2.0, 3.0]);

    assert!(matches!(
        refused(b"not a safetensors file"),
        SafetensorsError::Format(_)
    ));
    assert!(matches!(
        refused(&file(std::slice::from_ref(&weight))),
        SafetensorsError::MissingTensor { name } if name == "0.bias"
    ));
    let transposed = ("0.weight", Dtype::F32, vec![2, 1], f32_bytes(&[1.0, 2.0]));
    assert!(matches!(
        refused(&file(&[transposed, bias.clone()])),
        SafetensorsError::WrongShape { name, expected, actual }
            if name == "0.weight" && expected == [1, 2] && actual == [2, 1]
    ));
    let half = ("0.bias", Dtype::F16, vec![1], vec![0, 0x3c]);
    assert!(matches!(
        refused(&file(&[weight.clone(), half])),
        SafetensorsError::WrongDtype { name, dtype: Dtype::F16 } if name == "0.bias"
    ));
    let nan = (
        "0.weight",
        Dtype::F64,
        vec![1, 2],
        [1.0, f64::NAN]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
    );
    assert!(matches!(
        refused(&file(&[nan, bias.clone()])),
        SafetensorsError::NonFinite { name, index: 1 } if name == "0.weight"
    ));
    let extra = ("2.weight", Dtype::F32, vec![1, 1], f32_bytes(&[1.0]));
    assert!(matches!(
        refused(&file(&[weight.clone(), bias.clone(), extra])),
        SafetensorsError::UnexpectedTensor { name } if name == "2.weight"
    ));

    let mut net = small();
    let too_few = StateDictNames::indices([]);
    let error = net
        .load_safetensors(&file(&[weight, bias]), &too_few)
        .unwrap_err();
    assert!(matches!(
        error,
        SafetensorsError::UnnamedLayer {
            layer: 0,
            layers: 1
        }
    ));
    assert_eq!(
        error.to_string(),
        "the names given cover 0 layers, the network has 1"
    );
}

#[test]
fn parameters_too_large_for_f32_are_refused_when_saving() {
    let mut net = small();
    net.params_mut()[2] = 1e300;
    let error = net
        .to_safetensors(&StateDictNames::sequential(), Precision::F32)
        .unwrap_err();
    assert!(matches!(error, SafetensorsError::NonFinite { name, index: 0 } if name == "0.bias"));
    assert!(net
        .to_safetensors(&StateDictNames::sequential(), Precision::F64)
        .is_ok());
}

#[test]
fn the_metadata_says_pytorch() {
    let bytes = small()
        .to_safetensors(&StateDictNames::sequential(), Precision::F64)
        .unwrap();
    let (_, metadata) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let expected: HashMap<String, String> = [("format".to_string(), "pt".to_string())].into();
    assert_eq!(metadata.metadata(), &Some(expected));
}

/// The file forms read what PyTorch wrote and write what reads back the same; a file that
/// cannot be read is `Error::Io` with its path, a malformed one `Error::Safetensors`, and
/// both reach a caller's `?` as `backprop::Error`.
#[test]
fn files_round_trip_and_their_errors_compose_into_the_crates_error() {
    let dir = std::env::temp_dir().join(format!("backprop-safetensors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let names = StateDictNames::sequential();
    let from_pytorch = dir.join("pytorch.safetensors");
    std::fs::write(&from_pytorch, WEIGHTS).unwrap();

    let round_trip = || -> Result<Network<f32>, Error> {
        let mut net = architecture::<f32>().build()?;
        net.read_safetensors(&from_pytorch, &names)?;
        net.write_safetensors(dir.join("ours.safetensors"), &names, Precision::F32)?;
        let mut again = architecture::<f32>().build()?;
        again.read_safetensors(dir.join("ours.safetensors"), &names)?;
        assert_eq!(again, net);
        Ok(net)
    };
    let net = round_trip().unwrap();
    let mut expected = architecture::<f32>().build().unwrap();
    expected.load_safetensors(WEIGHTS, &names).unwrap();
    assert_eq!(net, expected);

    let missing = dir.join("missing.safetensors");
    let mut untouched = small();
    let error = untouched.read_safetensors(&missing, &names).unwrap_err();
    let not_found = Error::Io {
        path: missing.clone(),
        kind: std::io::ErrorKind::NotFound,
    };
    assert_eq!(error, not_found);
    assert!(error.to_string().contains("missing.safetensors"), "{error}");

    std::fs::write(&missing, b"not safetensors").unwrap();
    let error = untouched.read_safetensors(&missing, &names).unwrap_err();
    assert!(
        matches!(error, Error::Safetensors(SafetensorsError::Format(_))),
        "{error:?}"
    );
    assert_eq!(untouched, small());
    std::fs::remove_dir_all(&dir).unwrap();
}
