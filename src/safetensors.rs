//! A [`Network`]'s parameters in the safetensors format, under PyTorch `state_dict` names.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use std::collections::HashMap;
use std::path::Path;

use ::safetensors::tensor::TensorView;
use ::safetensors::{Dtype, SafeTensorError, SafeTensors};
use num_traits::Float;

use crate::error::{io_error, Error};
use crate::model::{LayerShape, Model, Network};
use crate::ActivationFunction;

/// Which `state_dict` names a [`Network`]'s layers have, one weight and one bias per
/// layer.
///
/// # The naming rule
///
/// PyTorch names the parameters of an `nn.Sequential` by module index: the `i`-th module
/// (from 0) owns `"{i}.weight"` and `"{i}.bias"`. In the usual
/// `nn.Sequential(nn.Linear, activation, nn.Linear, activation, …, nn.Linear)` every
/// activation is a module of its own, so the `nn.Linear` layers sit at indices 0, 2, 4, …:
/// layer `l` of the network (0 nearest the input) is module `2l`. This is
/// [`sequential`](Self::sequential). A Sequential laid out otherwise (no activation
/// module between two layers, a `nn.Dropout` in between, …) names its `nn.Linear`
/// indices with [`indices`](Self::indices); any other naming is given outright with
/// [`explicit`](Self::explicit). A [`prefix`](Self::prefix) covers a Sequential held as
/// an attribute (`"net."` for `self.net = nn.Sequential(…)`).
///
/// ```
/// use backprop::StateDictNames;
///
/// let names = StateDictNames::sequential();
/// assert_eq!(names.layer(1), Some(("2.weight".into(), "2.bias".into())));
/// let names = StateDictNames::indices([0, 3, 5]).prefix("net.");
/// assert_eq!(names.layer(1), Some(("net.3.weight".into(), "net.3.bias".into())));
/// assert_eq!(names.layer(3), None); // only three layers named
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDictNames {
    prefix: String,
    layers: LayerNames,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum LayerNames {
    EveryOther,
    Indices(Vec<usize>),
    Explicit(Vec<(String, String)>),
}

impl StateDictNames {
    /// Layer `l` is module `2l`: `nn.Sequential(Linear, act, Linear, act, …)`.
    pub fn sequential() -> Self {
        Self {
            prefix: String::new(),
            layers: LayerNames::EveryOther,
        }
    }

    /// Layer `l` is module `indices[l]`, e.g. `[0, 1, 3]` for
    /// `nn.Sequential(Linear, Linear, ReLU, Linear)`.
    pub fn indices(indices: impl IntoIterator<Item = usize>) -> Self {
        Self {
            prefix: String::new(),
            layers: LayerNames::Indices(indices.into_iter().collect()),
        }
    }

    /// Layer `l` has the weight and bias names `names[l]` (the bias name is not used for
    /// a layer without bias).
    pub fn explicit<S: Into<String>>(names: impl IntoIterator<Item = (S, S)>) -> Self {
        let names = names.into_iter().map(|(w, b)| (w.into(), b.into()));
        Self {
            prefix: String::new(),
            layers: LayerNames::Explicit(names.collect()),
        }
    }

    /// Puts `prefix` before every name (e.g. `"net."`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The weight and bias names of layer `l`, or `None` if the rule names no such layer
    /// (for [`sequential`](Self::sequential): beyond `usize::MAX / 2`, where module `2l`
    /// cannot exist).
    pub fn layer(&self, l: usize) -> Option<(String, String)> {
        let p = &self.prefix;
        match &self.layers {
            LayerNames::EveryOther => {
                let i = l.checked_mul(2)?; // no module index beyond usize::MAX
                Some((format!("{p}{i}.weight"), format!("{p}{i}.bias")))
            }
            LayerNames::Indices(indices) => {
                let i = indices.get(l)?;
                Some((format!("{p}{i}.weight"), format!("{p}{i}.bias")))
            }
            LayerNames::Explicit(names) => {
                let (w, b) = names.get(l)?;
                Some((format!("{p}{w}"), format!("{p}{b}")))
            }
        }
    }

    /// How many layers an explicit list names (`None`: any number).
    fn named_layers(&self) -> Option<usize> {
        match &self.layers {
            LayerNames::EveryOther => None,
            LayerNames::Indices(indices) => Some(indices.len()),
            LayerNames::Explicit(names) => Some(names.len()),
        }
    }
}

impl Default for StateDictNames {
    /// [`StateDictNames::sequential`].
    fn default() -> Self {
        Self::sequential()
    }
}

/// The number format of saved tensors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Precision {
    /// 32-bit floats (`torch.float32`, PyTorch's default dtype).
    F32,
    /// 64-bit floats (`torch.float64`).
    F64,
}

/// What can go wrong reading or writing safetensors.
///
/// It converts into [`Error`] (as [`Error::Safetensors`]), so
/// `?` works in a function returning the crate's error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SafetensorsError {
    /// The bytes are not a well-formed safetensors file: the `safetensors` crate's
    /// message.
    Format(String),
    /// The naming rule names fewer layers than the network has.
    UnnamedLayer {
        /// The first layer without names.
        layer: usize,
        /// The network's layer count.
        layers: usize,
    },
    /// A tensor the network needs is not in the file.
    MissingTensor {
        /// Its name.
        name: String,
    },
    /// The file holds a tensor the network has no place for (PyTorch's
    /// `load_state_dict(strict=True)` refuses these too): a bias for a layer built
    /// without one, or a layer the network does not have.
    UnexpectedTensor {
        /// Its name.
        name: String,
    },
    /// A tensor's shape is not the layer's: weight `[outputs, inputs]`, bias `[outputs]`.
    WrongShape {
        /// Its name.
        name: String,
        /// The shape the layer needs.
        expected: Vec<usize>,
        /// The shape in the file.
        actual: Vec<usize>,
    },
    /// A tensor is stored in a format other than F32 or F64.
    WrongDtype {
        /// Its name.
        name: String,
        /// Its format in the file.
        dtype: Dtype,
    },
    /// A value is NaN or infinite (in the file, or in the network being saved, or
    /// beyond the range of the format it is converted to).
    NonFinite {
        /// The tensor's name.
        name: String,
        /// The value's position in the flattened tensor.
        index: usize,
    },
}

impl fmt::Display for SafetensorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Format(message) => write!(f, "not a valid safetensors file: {message}"),
            Self::UnnamedLayer { layer, layers } => write!(
                f,
                "the names given cover {layer} layers, the network has {layers}"
            ),
            Self::MissingTensor { name } => write!(f, "tensor `{name}` is missing"),
            Self::UnexpectedTensor { name } => {
                write!(f, "tensor `{name}` has no place in the network")
            }
            Self::WrongShape {
                name,
                expected,
                actual,
            } => write!(
                f,
                "tensor `{name}` has shape {actual:?}, expected {expected:?}"
            ),
            Self::WrongDtype { name, dtype } => {
                write!(f, "tensor `{name}` is {dtype:?}, expected F32 or F64")
            }
            Self::NonFinite { name, index } => {
                write!(f, "tensor `{name}` at index {index} is NaN or infinite")
            }
        }
    }
}

impl std::error::Error for SafetensorsError {}

/// The `safetensors` crate's error, kept as its message so that the crate's errors stay
/// `Clone` and comparable.
fn format_error(error: SafeTensorError) -> SafetensorsError {
    SafetensorsError::Format(error.to_string())
}

/// One tensor of a layer: its name, shape and place in the flat parameters.
struct Slot {
    name: String,
    shape: Vec<usize>,
    range: core::ops::Range<usize>,
}

/// The tensors of every layer, in parameter order.
fn slots(
    shapes: impl Iterator<Item = LayerShape>,
    names: &StateDictNames,
) -> Result<Vec<Slot>, SafetensorsError> {
    let shapes: Vec<LayerShape> = shapes.collect();
    if let Some(named) = names.named_layers() {
        if named < shapes.len() {
            return Err(SafetensorsError::UnnamedLayer {
                layer: named,
                layers: shapes.len(),
            });
        }
    }
    let mut slots = Vec::with_capacity(2 * shapes.len());
    for (l, shape) in shapes.iter().enumerate() {
        let (weight, bias) = names.layer(l).ok_or(SafetensorsError::UnnamedLayer {
            layer: l,
            layers: shapes.len(),
        })?;
        let start = shape.param_range().start;
        let weights_end = start + shape.outputs() * shape.inputs();
        slots.push(Slot {
            name: weight,
            shape: vec![shape.outputs(), shape.inputs()],
            range: start..weights_end,
        });
        if shape.has_bias() {
            slots.push(Slot {
                name: bias,
                shape: vec![shape.outputs()],
                range: weights_end..shape.param_range().end,
            });
        }
    }
    Ok(slots)
}

impl<T, A> Network<T, A>
where
    T: Float + Send + Sync + 'static,
    A: ActivationFunction<T> + Send + Sync + 'static,
{
    /// Loads the parameters from a safetensors file's bytes, each layer's weight and bias
    /// from the tensors `names` gives it (e.g. what PyTorch's
    /// `safetensors.torch.save_file(model.state_dict(), path)` writes for an
    /// `nn.Sequential`).
    ///
    /// Every tensor is checked before any parameter changes: its shape (weight
    /// `[outputs, inputs]` as `nn.Linear.weight`, bias `[outputs]`), its dtype (F32 or
    /// F64, converted to `T`) and its values (finite). Tensors the network has no place
    /// for are refused, as PyTorch's `load_state_dict(strict=True)` does; the file's
    /// metadata is ignored.
    ///
    /// # Errors
    ///
    /// Nothing changes when this returns an error: [`SafetensorsError::Format`] for bytes
    /// that are not safetensors, then for the first tensor at fault in layer order
    /// [`UnnamedLayer`](SafetensorsError::UnnamedLayer),
    /// [`MissingTensor`](SafetensorsError::MissingTensor),
    /// [`WrongDtype`](SafetensorsError::WrongDtype),
    /// [`WrongShape`](SafetensorsError::WrongShape),
    /// [`NonFinite`](SafetensorsError::NonFinite), and last
    /// [`UnexpectedTensor`](SafetensorsError::UnexpectedTensor).
    ///
    /// ```
    /// use backprop::{Activation, Model, Network, Precision, StateDictNames};
    ///
    /// let build = || Network::<f64>::builder(2).dense(3, Activation::Tanh).dense(1, Activation::Identity);
    /// let trained = build().seed(7).build()?;
    /// let bytes = trained.to_safetensors(&StateDictNames::sequential(), Precision::F64)?;
    ///
    /// let mut loaded = build().build()?; // seed 0: other weights
    /// loaded.load_safetensors(&bytes, &StateDictNames::sequential())?;
    /// assert_eq!(loaded.params(), trained.params());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_safetensors(
        &mut self,
        bytes: &[u8],
        names: &StateDictNames,
    ) -> Result<(), SafetensorsError> {
        let file = SafeTensors::deserialize(bytes).map_err(format_error)?;
        let slots = slots(self.layer_shapes(), names)?;
        let mut params = vec![T::zero(); self.params().len()];
        for slot in &slots {
            let tensor = file
                .tensor(&slot.name)
                .map_err(|_| SafetensorsError::MissingTensor {
                    name: slot.name.clone(),
                })?;
            read_tensor(
                &slot.name,
                &tensor,
                &slot.shape,
                &mut params[slot.range.clone()],
            )?;
        }
        let expected: Vec<&str> = slots.iter().map(|s| s.name.as_str()).collect();
        let mut found = file.names();
        found.sort();
        if let Some(name) = found.into_iter().find(|n| !expected.contains(&n.as_str())) {
            return Err(SafetensorsError::UnexpectedTensor { name: name.clone() });
        }
        self.params_mut().copy_from_slice(&params);
        Ok(())
    }

    /// The parameters as a safetensors file, each layer's weight and bias under the names
    /// `names` gives it, in `precision` (little-endian, as the format requires). The
    /// metadata says `{"format": "pt"}`, as PyTorch-side tools write it.
    ///
    /// `safetensors.torch.load_file` reads the result back into a `state_dict` for
    /// `model.load_state_dict`.
    ///
    /// # Errors
    ///
    /// [`SafetensorsError::UnnamedLayer`] if `names` covers too few layers,
    /// [`SafetensorsError::NonFinite`] for a parameter that is NaN, infinite or too large
    /// for `precision`.
    pub fn to_safetensors(
        &self,
        names: &StateDictNames,
        precision: Precision,
    ) -> Result<Vec<u8>, SafetensorsError> {
        let slots = slots(self.layer_shapes(), names)?;
        let mut buffers = Vec::with_capacity(slots.len());
        for slot in &slots {
            buffers.push(write_tensor(
                &slot.name,
                &self.params()[slot.range.clone()],
                precision,
            )?);
        }
        let dtype = match precision {
            Precision::F32 => Dtype::F32,
            Precision::F64 => Dtype::F64,
        };
        let mut views = Vec::with_capacity(slots.len());
        for (slot, bytes) in slots.iter().zip(&buffers) {
            let view = TensorView::new(dtype, slot.shape.clone(), bytes).map_err(format_error)?;
            views.push((slot.name.as_str(), view));
        }
        let metadata = Some(HashMap::from([("format".into(), "pt".into())]));
        ::safetensors::serialize(views, &metadata).map_err(format_error)
    }

    /// [`load_safetensors`](Self::load_safetensors) from the file at `path` (what
    /// `safetensors.torch.save_file(model.state_dict(), path)` wrote).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] with the path if the file cannot be read, else
    /// [`Error::Safetensors`] as `load_safetensors`; nothing changes then.
    pub fn read_safetensors(
        &mut self,
        path: impl AsRef<Path>,
        names: &StateDictNames,
    ) -> Result<(), Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
        Ok(self.load_safetensors(&bytes, names)?)
    }

    /// [`to_safetensors`](Self::to_safetensors) written to the file at `path`, for
    /// `safetensors.torch.load_file(path)`.
    ///
    /// # Errors
    ///
    /// [`Error::Safetensors`] as `to_safetensors` (nothing is written then), and
    /// [`Error::Io`] with the path if the file cannot be written.
    pub fn write_safetensors(
        &self,
        path: impl AsRef<Path>,
        names: &StateDictNames,
        precision: Precision,
    ) -> Result<(), Error> {
        let path = path.as_ref();
        let bytes = self.to_safetensors(names, precision)?;
        std::fs::write(path, bytes).map_err(|e| io_error(path, &e))
    }
}

/// Checks one tensor and converts its values into `out`.
fn read_tensor<T: Float>(
    name: &str,
    tensor: &TensorView<'_>,
    shape: &[usize],
    out: &mut [T],
) -> Result<(), SafetensorsError> {
    let width = match tensor.dtype() {
        Dtype::F32 => 4,
        Dtype::F64 => 8,
        dtype => {
            return Err(SafetensorsError::WrongDtype {
                name: name.into(),
                dtype,
            })
        }
    };
    if tensor.shape() != shape {
        return Err(SafetensorsError::WrongShape {
            name: name.into(),
            expected: shape.to_vec(),
            actual: tensor.shape().to_vec(),
        });
    }
    for (index, (bytes, value)) in tensor
        .data()
        .chunks_exact(width)
        .zip(out.iter_mut())
        .enumerate()
    {
        let x = match width {
            4 => f64::from(f32::from_le_bytes(bytes.try_into().unwrap_or_default())),
            _ => f64::from_le_bytes(bytes.try_into().unwrap_or_default()),
        };
        *value =
            T::from(x)
                .filter(|v| v.is_finite())
                .ok_or_else(|| SafetensorsError::NonFinite {
                    name: name.into(),
                    index,
                })?;
    }
    Ok(())
}

/// One tensor's values as little-endian bytes in `precision`.
fn write_tensor<T: Float>(
    name: &str,
    values: &[T],
    precision: Precision,
) -> Result<Vec<u8>, SafetensorsError> {
    let mut bytes = Vec::with_capacity(values.len() * 8);
    for (index, value) in values.iter().enumerate() {
        let non_finite = || SafetensorsError::NonFinite {
            name: name.into(),
            index,
        };
        let x = value
            .to_f64()
            .filter(|x| x.is_finite())
            .ok_or_else(non_finite)?;
        match precision {
            Precision::F32 => {
                let narrow = x as f32;
                if !narrow.is_finite() {
                    return Err(non_finite());
                }
                bytes.extend_from_slice(&narrow.to_le_bytes());
            }
            Precision::F64 => bytes.extend_from_slice(&x.to_le_bytes()),
        }
    }
    Ok(bytes)
}
