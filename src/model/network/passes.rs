//! The network's forward and backward passes, over a batch split into fixed chunks.
//!
//! A batch of `B` rows is cut into `Chunks::count(B)` runs of consecutive rows, a number
//! that depends on `B` alone. Each chunk runs the passes on its rows in its own slice of
//! the workspace; with the `parallel` feature the chunks run on rayon's threads. The
//! parameter gradient is a sum over rows (docs/math.md, equation 11), so each chunk
//! writes its own and they are added in chunk order afterwards: the same additions in
//! the same order whatever the number of threads, hence bit-identical results (and the
//! same with or without the feature).

use core::ops::Range;
use num_traits::Float;

use super::{Layer, Network};
use crate::activation::ActivationFunction;
use crate::kernel::{join, ParallelSafe};

/// Fewest rows worth a chunk of their own: below this the products are too small for the
/// blocked kernel to pay off, and the summed gradients cost more than they save.
const MIN_ROWS_PER_CHUNK: usize = 128;

/// Most chunks: enough to balance a few cores, few enough that summing the chunks'
/// gradients stays negligible beside the products.
const MAX_CHUNKS: usize = 8;

/// How a batch splits into chunks and where each chunk's part of the workspace lies.
#[derive(Debug, Clone, Copy)]
pub(super) struct Chunks {
    count: usize,
    batch: usize,
    /// Workspace values per row of a chunk.
    per_row: usize,
    /// Workspace values per chunk besides its rows': the `Wᵀ` scratch, and its own
    /// gradient when there is more than one chunk.
    per_chunk: usize,
}

impl Chunks {
    pub fn new<T: Float, A>(network: &Network<T, A>, batch: usize) -> Self {
        let count = (batch / MIN_ROWS_PER_CHUNK).clamp(1, MAX_CHUNKS);
        let gradient = if count > 1 { network.params.len() } else { 0 };
        Self {
            count,
            batch,
            per_row: network.workspace_per_row(),
            per_chunk: network.widest_weights() + gradient,
        }
    }

    /// The workspace the whole batch needs.
    pub fn workspace_len(&self) -> usize {
        self.workspace_start(self.count)
    }

    /// The first row of chunk `c` (the batch's length for `c == count`).
    fn row_start(&self, c: usize) -> usize {
        let (base, extra) = (self.batch / self.count, self.batch % self.count);
        c * base + c.min(extra)
    }

    fn workspace_start(&self, c: usize) -> usize {
        self.row_start(c) * self.per_row + c * self.per_chunk
    }
}

/// One chunk's (or a range of chunks') slices of the pass's buffers.
struct Part<'a, T> {
    chunks: Range<usize>,
    inputs: &'a [T],
    outputs: &'a mut [T],
    workspace: &'a mut [T],
}

impl<'a, T> Part<'a, T> {
    /// The first half of the chunks, and the rest.
    fn split(self, plan: &Chunks, in_len: usize, out_len: usize) -> (Self, Self) {
        let mid = (self.chunks.start + self.chunks.end) / 2;
        let rows = plan.row_start(mid) - plan.row_start(self.chunks.start);
        let values = plan.workspace_start(mid) - plan.workspace_start(self.chunks.start);
        let (i0, i1) = self.inputs.split_at(rows * in_len);
        let (o0, o1) = self.outputs.split_at_mut(rows * out_len);
        let (w0, w1) = self.workspace.split_at_mut(values);
        let first = Part {
            chunks: self.chunks.start..mid,
            inputs: i0,
            outputs: o0,
            workspace: w0,
        };
        let rest = Part {
            chunks: mid..self.chunks.end,
            inputs: i1,
            outputs: o1,
            workspace: w1,
        };
        (first, rest)
    }
}

impl<T, A> Network<T, A>
where
    T: Float + ParallelSafe + 'static,
    A: ActivationFunction<T> + ParallelSafe + 'static,
{
    /// The forward pass over every chunk of the batch.
    pub(super) fn forward_chunks(
        &self,
        plan: &Chunks,
        inputs: &[T],
        outputs: &mut [T],
        ws: &mut [T],
    ) {
        let all = Part {
            chunks: 0..plan.count,
            inputs,
            outputs,
            workspace: &mut ws[..plan.workspace_len()],
        };
        self.forward_part(plan, all);
    }

    fn forward_part(&self, plan: &Chunks, part: Part<'_, T>) {
        if part.chunks.len() == 1 {
            let rows = part.inputs.len() / self.input_len_of_first();
            let (buffers, scratch) = part.workspace.split_at_mut(rows * plan.per_row);
            let scratch = &mut scratch[..self.widest_weights()];
            return self.forward_rows(rows, part.inputs, part.outputs, buffers, scratch);
        }
        let (first, rest) = part.split(plan, self.input_len_of_first(), self.output_len_of_last());
        join(
            || self.forward_part(plan, first),
            || self.forward_part(plan, rest),
        );
    }

    /// The backward pass over every chunk, then the chunks' gradients summed in order.
    pub(super) fn backward_chunks(
        &self,
        plan: &Chunks,
        (inputs, outputs): (&[T], &[T]),
        output_grads: &mut [T],
        ws: &mut [T],
        grads: &mut [T],
    ) {
        if plan.count == 1 {
            let rows = plan.batch;
            let buffers = &mut ws[..rows * plan.per_row];
            return self.backward_rows(rows, (inputs, outputs), output_grads, buffers, grads);
        }
        let all = BackwardPart {
            outputs,
            part: Part {
                chunks: 0..plan.count,
                inputs,
                outputs: output_grads,
                workspace: &mut ws[..plan.workspace_len()],
            },
        };
        self.backward_part(plan, all);
        // Σ over chunks in chunk order: a fixed order, whatever ran where.
        grads.iter_mut().for_each(|g| *g = T::zero());
        for c in 0..plan.count {
            let end = plan.workspace_start(c + 1);
            let chunk_grads = &ws[end - self.params.len()..end];
            for (g, &v) in grads.iter_mut().zip(chunk_grads) {
                *g = *g + v;
            }
        }
    }

    fn backward_part(&self, plan: &Chunks, b: BackwardPart<'_, T>) {
        let part = b.part;
        if part.chunks.len() == 1 {
            let rows = part.inputs.len() / self.input_len_of_first();
            let (buffers, rest) = part.workspace.split_at_mut(rows * plan.per_row);
            let grads = &mut rest[self.widest_weights()..];
            let io = (part.inputs, b.outputs);
            return self.backward_rows(rows, io, part.outputs, buffers, grads);
        }
        let out_len = self.output_len_of_last();
        let rows = plan.row_start((part.chunks.start + part.chunks.end) / 2)
            - plan.row_start(part.chunks.start);
        let (o0, o1) = b.outputs.split_at(rows * out_len);
        let (first, rest) = part.split(plan, self.input_len_of_first(), out_len);
        join(
            || {
                self.backward_part(
                    plan,
                    BackwardPart {
                        outputs: o0,
                        part: first,
                    },
                )
            },
            || {
                self.backward_part(
                    plan,
                    BackwardPart {
                        outputs: o1,
                        part: rest,
                    },
                )
            },
        );
    }

    /// The forward pass over `rows` rows: `buffers` holds their `Z`s and hidden `A`s.
    fn forward_rows(
        &self,
        rows: usize,
        inputs: &[T],
        outputs: &mut [T],
        buffers: &mut [T],
        scratch: &mut [T],
    ) {
        let (pre_all, rest) = buffers.split_at_mut(rows * self.total_units());
        let hidden = &mut rest[..rows * self.hidden_units()];
        let last = self.layers.len() - 1;
        for (l, layer) in self.layers.iter().enumerate() {
            let start = rows * layer.unit_offset;
            let len = rows * layer.shape.outputs;
            // A_{l−1} ends where A_l starts (for the output layer: at the end of `hidden`).
            let (below, here) = hidden.split_at_mut(start);
            let input: &[T] = if l == 0 {
                inputs
            } else {
                &below[start - rows * layer.shape.inputs..]
            };
            let out: &mut [T] = if l == last {
                &mut *outputs
            } else {
                &mut here[..len]
            };
            let pre = &mut pre_all[start..start + len];
            let params = self.params_of(layer);
            self.dense(layer)
                .forward(params, input, (pre, out), Some(&mut *scratch));
        }
    }

    /// The backward pass over `rows` rows, writing their gradient into `grads`.
    fn backward_rows(
        &self,
        rows: usize,
        (inputs, outputs): (&[T], &[T]),
        output_grads: &mut [T],
        buffers: &mut [T],
        grads: &mut [T],
    ) {
        let (pre_all, rest) = buffers.split_at_mut(rows * self.total_units());
        let (hidden, deltas) = rest.split_at_mut(rows * self.hidden_units());
        let half = rows * self.widest_hidden();
        let last = self.layers.len() - 1;
        // Which δ buffer holds this layer's G: None = output_grads, Some(k) = deltas' k-th half.
        let mut slot: Option<usize> = None;
        for (l, layer) in self.layers.iter().enumerate().rev() {
            let start = rows * layer.unit_offset;
            let len = rows * layer.shape.outputs;
            let pre = &pre_all[start..start + len];
            let out = if l == last {
                outputs
            } else {
                &hidden[start..start + len]
            };
            let input = if l == 0 {
                inputs
            } else {
                &hidden[start - rows * layer.shape.inputs..start]
            };
            let (first, second) = deltas[..2 * half].split_at_mut(half);
            let (delta, below) = match slot {
                None => (&mut *output_grads, first),
                Some(0) => (first, second),
                Some(_) => (second, first),
            };
            let delta = &mut delta[..len];
            let layer_grads = &mut grads[layer.param_offset..][..layer.shape.param_len()];
            // (10)–(11): Δ_l = f_l'(Z_l) ⊙ G_l, ∂L/∂W_l = Δ_lᵀ A_{l−1}, ∂L/∂b_l = Σ_rows Δ_l.
            let dense = self.dense(layer);
            dense.backward_params(input, (pre, out), delta, layer_grads);
            if l > 0 {
                // (12): G_{l−1} = Δ_l W_l, the lower layer's δ before its derivative.
                let below = &mut below[..rows * layer.shape.inputs];
                dense.backward_inputs(self.params_of(layer), delta, below);
                slot = Some(if slot == Some(0) { 1 } else { 0 });
            }
        }
    }

    fn input_len_of_first(&self) -> usize {
        self.layers[0].shape.inputs
    }
}

/// A [`Part`] of the backward pass: its `outputs` are the output gradients (written), and
/// the forward pass's outputs ride along (read).
struct BackwardPart<'a, T> {
    outputs: &'a [T],
    part: Part<'a, T>,
}

impl<T: Float, A> Network<T, A> {
    /// Workspace values per row: every layer's `Z`, every hidden layer's `A`, and two δ
    /// buffers as wide as the widest hidden layer (the output layer's `A` is the outputs,
    /// its δ the output gradient).
    pub(super) fn workspace_per_row(&self) -> usize {
        self.total_units() + self.hidden_units() + 2 * self.widest_hidden()
    }

    /// The largest weight matrix: the size of the `Wᵀ` scratch.
    pub(super) fn widest_weights(&self) -> usize {
        let weights = |l: &Layer<A>| l.shape.inputs * l.shape.outputs;
        self.layers.iter().map(weights).max().unwrap_or(0)
    }
}
