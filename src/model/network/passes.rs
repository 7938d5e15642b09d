//! The network's forward and backward passes over a run of consecutive rows: docs/math.md
//! equations (9)–(12), one layer at a time, in a workspace cut into the matrices those
//! equations name.

use core::ops::Range;
use num_traits::Float;

use super::{Layer, Network};
use crate::activation::ActivationFunction;
use crate::kernel::transpose;

/// The layers' `W_lᵀ`, each at its layer's parameter offset in `values`, for the layers
/// whose product over `rows` rows reads it ([`Dense::transposes`](crate::model::dense::Dense::transposes)).
#[derive(Debug)]
pub(super) struct WeightsT<'w, T> {
    values: &'w [T],
    rows: usize,
}

// By hand: a shared view is `Copy` whatever `T` is.
impl<T> Clone for WeightsT<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for WeightsT<'_, T> {}

/// A run of `rows` rows' workspace, as the passes see it: every layer's `Z_l` and every
/// hidden layer's `A_l`, and the δ buffers. Each matrix is `rows × units` row-major.
struct RowsWorkspace<'w, T> {
    values: LayerValues<'w, T>,
    deltas: Deltas<'w, T>,
}

/// `Z_l` of every layer and `A_l` of every hidden layer, each at `rows · unit_offset` of
/// its buffer. `A₀ = X` and `A_L = Ŷ` are the pass's inputs and outputs, not kept here.
struct LayerValues<'w, T> {
    rows: usize,
    z: &'w mut [T],
    a: &'w mut [T],
}

/// Two buffers as wide as the widest hidden layer, which the layers below the output take
/// turns in: layer `l` turns its `G_l` into `Δ_l` in one and writes `G_{l−1}` into the
/// other, where layer `l − 1` finds it.
struct Deltas<'w, T> {
    first: &'w mut [T],
    second: &'w mut [T],
}

/// What layer `l` reads and writes in the forward pass.
struct ForwardView<'v, T> {
    /// `A_{l−1}`, the layer's input (`X` for the first layer).
    a_prev: &'v [T],
    /// `Z_l`, written.
    z: &'v mut [T],
    /// `A_l`, written (`Ŷ` for the last layer).
    a: &'v mut [T],
}

/// What layer `l` reads in the backward pass: the forward pass's values.
struct LayerView<'v, T> {
    /// `A_{l−1}` (`X` for the first layer).
    a_prev: &'v [T],
    /// `Z_l`.
    z: &'v [T],
    /// `A_l` (`Ŷ` for the last layer).
    a: &'v [T],
}

impl<'w, T> RowsWorkspace<'w, T> {
    /// Cuts `buffers` (`rows · workspace_per_row()` values) into its matrices.
    fn new<A>(network: &Network<T, A>, rows: usize, buffers: &'w mut [T]) -> Self
    where
        T: Float,
    {
        let (z, rest) = buffers.split_at_mut(rows * network.total_units());
        let (a, rest) = rest.split_at_mut(rows * network.hidden_units());
        let (first, rest) = rest.split_at_mut(rows * network.widest_hidden());
        let second = &mut rest[..rows * network.widest_hidden()];
        Self {
            values: LayerValues { rows, z, a },
            deltas: Deltas { first, second },
        }
    }
}

impl<T> LayerValues<'_, T> {
    /// Layer `l`'s rows in `z` (and, for a hidden layer, in `a`).
    fn rows_of<A>(&self, layer: &Layer<A>) -> Range<usize> {
        let start = self.rows * layer.unit_offset;
        start..start + self.rows * layer.shape.outputs
    }

    /// Where `A_{l−1}` lies in `a`, for `l > 0`: it ends where `A_l` starts (for the
    /// output layer, at the end of the hidden layers' `A`).
    fn prev_rows_of<A>(&self, layer: &Layer<A>) -> Range<usize> {
        let start = self.rows * layer.unit_offset;
        start - self.rows * layer.shape.inputs..start
    }

    /// Layer `l`'s matrices for the forward pass; `x` is `A₀` and `y_hat` is `A_L`.
    fn forward_view<'v, A>(
        &'v mut self,
        layers: &[Layer<A>],
        l: usize,
        (x, y_hat): (&'v [T], &'v mut [T]),
    ) -> ForwardView<'v, T> {
        let (layer, last) = (&layers[l], l + 1 == layers.len());
        let (here, prev) = (
            self.rows_of(layer),
            (l > 0).then(|| self.prev_rows_of(layer)),
        );
        let (below, above) = self.a.split_at_mut(here.start);
        ForwardView {
            a_prev: prev.map_or(x, |prev| &below[prev]),
            a: if last {
                y_hat
            } else {
                &mut above[..here.len()]
            },
            z: &mut self.z[here],
        }
    }

    /// Layer `l`'s matrices for the backward pass; `x` is `A₀` and `y_hat` is `A_L`.
    fn view<'v, A>(
        &'v self,
        layers: &[Layer<A>],
        l: usize,
        (x, y_hat): (&'v [T], &'v [T]),
    ) -> LayerView<'v, T> {
        let (layer, last) = (&layers[l], l + 1 == layers.len());
        let here = self.rows_of(layer);
        LayerView {
            a_prev: if l == 0 {
                x
            } else {
                &self.a[self.prev_rows_of(layer)]
            },
            a: if last { y_hat } else { &self.a[here.clone()] },
            z: &self.z[here],
        }
    }
}

impl<T> Deltas<'_, T> {
    /// Layer `l`'s δ buffer, holding `G_l` (to become `Δ_l`), and the buffer for
    /// `G_{l−1}`. The output layer's `G_L` is the output gradient `g_last`; the layer
    /// below it takes the first buffer, the next the second, and so on alternately.
    fn of_layer<'v>(
        &'v mut self,
        l: usize,
        last: usize,
        g_last: &'v mut [T],
    ) -> (&'v mut [T], &'v mut [T]) {
        let (first, second) = (&mut *self.first, &mut *self.second);
        if l == last {
            (g_last, first)
        } else if (last - 1 - l).is_multiple_of(2) {
            (first, second)
        } else {
            (second, first)
        }
    }
}

impl<T, A> Network<T, A>
where
    T: Float + 'static,
    A: ActivationFunction<T> + 'static,
{
    /// `W_lᵀ` of every layer whose forward product over `rows` rows runs faster on it,
    /// written into `into` at the layer's parameter offset.
    pub(super) fn transpose_weights<'w>(&self, rows: usize, into: &'w mut [T]) -> WeightsT<'w, T> {
        for layer in &self.layers {
            if self.dense(layer).transposes(rows) {
                let weights = &self.params_of(layer)[..layer.shape.inputs * layer.shape.outputs];
                let w_t = &mut into[layer.param_offset..][..weights.len()];
                transpose(weights, layer.shape.outputs, layer.shape.inputs, w_t);
            }
        }
        WeightsT { values: into, rows }
    }

    /// The forward pass over `rows` rows, equation (9) from the input side: `buffers`
    /// receives their `Z_l` and hidden `A_l`; `weights_t` holds the `W_lᵀ` that help.
    pub(super) fn forward_rows(
        &self,
        rows: usize,
        x: &[T],
        y_hat: &mut [T],
        buffers: &mut [T],
        weights_t: WeightsT<'_, T>,
    ) {
        let RowsWorkspace { mut values, .. } = RowsWorkspace::new(self, rows, buffers);
        for (l, layer) in self.layers.iter().enumerate() {
            let ForwardView { a_prev, z, a } =
                values.forward_view(&self.layers, l, (x, &mut *y_hat));
            // (9): Z_l = A_{l−1} W_lᵀ + b_l, A_l = f_l(Z_l).
            let (params_l, dense) = (self.params_of(layer), self.dense(layer));
            let w_t = dense
                .transposes(weights_t.rows)
                .then(|| &weights_t.values[layer.param_offset..]);
            dense.forward(params_l, a_prev, (z, a), w_t);
        }
    }

    /// The backward pass over `rows` rows, equations (10)–(12) from the output side,
    /// starting from `G_L = ∂L/∂Ŷ` in `g_last`: writes their gradient into `grads`, and
    /// `G₀ = ∂L/∂X` into `input_grads` if it is given.
    pub(super) fn backward_rows(
        &self,
        rows: usize,
        (x, y_hat): (&[T], &[T]),
        g_last: &mut [T],
        buffers: &mut [T],
        grads: &mut [T],
        mut input_grads: Option<&mut [T]>,
    ) {
        let RowsWorkspace { values, mut deltas } = RowsWorkspace::new(self, rows, buffers);
        let last = self.layers.len() - 1;
        for (l, layer) in self.layers.iter().enumerate().rev() {
            let LayerView { a_prev, z, a } = values.view(&self.layers, l, (x, y_hat));
            let (g_l, g_prev) = deltas.of_layer(l, last, &mut *g_last);
            let delta_l = &mut g_l[..rows * layer.shape.outputs];
            let grads_l = &mut grads[layer.param_offset..][..layer.shape.param_len()];
            let dense = self.dense(layer);
            // (10)–(11): Δ_l = f_l'(Z_l) ⊙ G_l, ∂L/∂W_l = Δ_lᵀ A_{l−1}, ∂L/∂b_l = Σ_rows Δ_l.
            dense.backward_params(a_prev, (z, a), delta_l, grads_l);
            // (12): G_{l−1} = Δ_l W_l, the lower layer's δ before its derivative; below
            // the first layer, G₀ = ∂L/∂X, made only for a caller who asks for it.
            let g_prev = if l > 0 {
                Some(&mut g_prev[..rows * layer.shape.inputs])
            } else {
                input_grads.take()
            };
            if let Some(g_prev) = g_prev {
                dense.backward_inputs(self.params_of(layer), delta_l, g_prev);
            }
        }
    }
}

impl<T: Float, A> Network<T, A> {
    /// Workspace values per row: every layer's `Z`, every hidden layer's `A`, and two δ
    /// buffers as wide as the widest hidden layer (the output layer's `A` is the outputs,
    /// its δ the output gradient).
    pub(super) fn workspace_per_row(&self) -> usize {
        let deltas = self.widest_hidden().saturating_mul(2); // saturates: see Chunks
        (self.total_units() + self.hidden_units()).saturating_add(deltas)
    }
}
