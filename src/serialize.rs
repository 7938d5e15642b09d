//! Serialize and Deserialize (feature `serde`) for the types whose invariants a loaded
//! value must keep: a [`Network`]'s layers must chain and match its parameter count, and
//! an [`Epochs`]'s shuffling stream must not be all zeros. They are written through their
//! public shape (layers, weights, bias) and read back through their checked constructors,
//! so a loaded value is one the API could have built; anything else is a deserialization
//! error carrying the crate's [`Error`](crate::Error) message.
//!
//! The plain types (activations, optimizers, schedules, [`Checkpoint`](crate::Checkpoint))
//! derive their impls beside their definitions.

use alloc::vec::Vec;
use num_traits::Float;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::activation::ActivationFunction;
use crate::model::{Model, Network, Neuron, WeightInit};
use crate::rng::Stream;
use crate::trainer::Epochs;

/// A neuron as its weights, optional bias and activation.
#[derive(Serialize, Deserialize)]
struct NeuronRecord<W, T, A> {
    weights: W,
    bias: Option<T>,
    activation: A,
}

impl<T: Float + Serialize, A: Serialize> Serialize for Neuron<T, A> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        NeuronRecord {
            weights: self.weights(),
            bias: self.bias(),
            activation: self.activation(),
        }
        .serialize(serializer)
    }
}

impl<'de, T, A> Deserialize<'de> for Neuron<T, A>
where
    T: Float + Deserialize<'de>,
    A: ActivationFunction<T> + Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let record = NeuronRecord::<Vec<T>, T, A>::deserialize(deserializer)?;
        let neuron = Neuron::from_weights(record.weights);
        let neuron = match record.bias {
            Some(b) => neuron.with_bias(b),
            None => neuron,
        };
        Ok(neuron.with_activation(record.activation))
    }
}

/// One layer of a network: its units, whether it has a bias, its activation.
#[derive(Serialize, Deserialize)]
struct LayerRecord<A> {
    units: usize,
    bias: bool,
    activation: A,
}

/// A network as its input count, its layers and its flat parameters.
#[derive(Serialize, Deserialize)]
struct NetworkRecord<P, A> {
    inputs: usize,
    layers: Vec<LayerRecord<A>>,
    params: P,
}

impl<T, A> Serialize for Network<T, A>
where
    T: Float + Serialize + Send + Sync + 'static,
    A: ActivationFunction<T> + Serialize + Send + Sync + 'static,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let layers = self
            .layer_shapes()
            .enumerate()
            .filter_map(|(index, shape)| {
                Some(LayerRecord {
                    units: shape.outputs(),
                    bias: shape.has_bias(),
                    activation: self.activation(index)?,
                })
            })
            .collect();
        NetworkRecord {
            inputs: self.input_len(),
            layers,
            params: self.params(),
        }
        .serialize(serializer)
    }
}

impl<'de, T, A> Deserialize<'de> for Network<T, A>
where
    T: Float + Deserialize<'de>,
    A: ActivationFunction<T> + WeightInit<T> + Deserialize<'de>,
{
    /// Rebuilds the network with
    /// [`NetworkBuilder::build_with_params`](crate::NetworkBuilder::build_with_params), so
    /// every check of the builder applies.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let record = NetworkRecord::<Vec<T>, A>::deserialize(deserializer)?;
        let mut builder = Network::builder(record.inputs);
        for layer in record.layers {
            builder = if layer.bias {
                builder.dense(layer.units, layer.activation)
            } else {
                builder.dense_no_bias(layer.units, layer.activation)
            };
        }
        builder
            .build_with_params(&record.params)
            .map_err(D::Error::custom)
    }
}

/// The mini-batch loop's configuration and shuffling state; its buffers are scratch.
#[derive(Serialize, Deserialize)]
struct EpochsRecord {
    batch_size: usize,
    /// xoshiro256++'s four words of state, `None` without shuffling.
    shuffle: Option<[u64; 4]>,
}

impl<T: Float> Serialize for Epochs<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        EpochsRecord {
            batch_size: self.batch_size(),
            shuffle: self.shuffle_stream().map(Stream::words),
        }
        .serialize(serializer)
    }
}

impl<'de, T> Deserialize<'de> for Epochs<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let record = EpochsRecord::deserialize(deserializer)?;
        let shuffle = match record.shuffle {
            None => None,
            Some(words) => Some(Stream::from_words(words).ok_or_else(|| {
                D::Error::custom("the shuffling state is all zeros, which xoshiro never reaches")
            })?),
        };
        Ok(Epochs::resumed(record.batch_size, shuffle))
    }
}
