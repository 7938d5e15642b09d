//! A batch split into fixed chunks of consecutive rows, for the `parallel` feature.
//!
//! A batch of `B` rows is cut into `Chunks::count(B)` runs of consecutive rows, a number
//! that depends on `B` alone. Each chunk runs the passes on its rows (src/model/network/
//! passes.rs) in its own slice of the workspace; with the `parallel` feature the chunks
//! run on rayon's threads. The parameter gradient is a sum over rows (docs/math.md,
//! equation 11), so each chunk writes its own and they are added pairwise along the same
//! halving that hands the chunks out: `((g₀ + g₁) + (g₂ + g₃)) + ((g₄ + g₅) + (g₆ + g₇))`
//! for eight. The halving depends on the chunk count alone, so these are the same
//! additions in the same order whatever the number of threads, hence bit-identical results
//! (and the same with or without the feature); and each addition runs on the thread that
//! joins its two halves, so all but the last run in parallel.

use core::ops::Range;
use num_traits::Float;

use super::passes::WeightsT;
use super::Network;
use crate::activation::ActivationFunction;
use crate::kernel::{join, threads};

/// Fewest rows worth a chunk of their own: below this the products are too small for the
/// blocked kernel to pay off, and the summed gradients cost more than they save.
const MIN_ROWS_PER_CHUNK: usize = 128;

/// Most chunks: enough to balance a few cores, few enough that summing the chunks'
/// gradients stays negligible beside the products.
const MAX_CHUNKS: usize = 8;

/// Bytes of a cache line: the gap left between two chunks' parts of the workspace, so
/// that two threads never write to the same line (false sharing).
const CACHE_LINE: usize = 64;

/// How a batch splits into chunks and where each chunk's part of the workspace lies.
///
/// The workspace holds each chunk's rows, chunk after chunk, then the gradients of the
/// chunks after the first (the first writes into the caller's gradient, which ends up
/// holding the sum), each part followed by a cache line's gap; then the layers' `Wᵀ`,
/// copied once per forward pass, each at its layer's parameter offset: with `parallel`
/// and more than one chunk, one copy per half of the batch, which the thread running
/// that half writes (on one thread, only the first is written and read).
#[derive(Debug, Clone, Copy)]
pub(super) struct Chunks {
    count: usize,
    batch: usize,
    /// Workspace values per row of a chunk.
    per_row: usize,
    /// Workspace values per chunk besides its rows': the gap.
    per_chunk: usize,
    /// Workspace values per chunk gradient: the parameters' count and the gap.
    per_gradient: usize,
    /// The parameters' count.
    params: usize,
}

impl Chunks {
    pub fn new<T: Float, A>(network: &Network<T, A>, batch: usize) -> Self {
        let count = (batch / MIN_ROWS_PER_CHUNK).clamp(1, MAX_CHUNKS);
        // A single chunk shares no line with another thread: no gap.
        let line = CACHE_LINE.div_ceil(core::mem::size_of::<T>().max(1));
        let gap = if count > 1 { line } else { 0 };
        let params = network.params.len();
        Self {
            count,
            batch,
            per_row: network.workspace_per_row(),
            per_chunk: gap,
            per_gradient: params.saturating_add(gap),
            params,
        }
    }

    /// Copies of the layers' `Wᵀ`: one per half of the batch where two threads may run
    /// them, else one.
    fn transposed_copies(&self) -> usize {
        if cfg!(feature = "parallel") && self.count > 1 {
            2
        } else {
            1
        }
    }

    /// The workspace the whole batch needs.
    pub fn workspace_len(&self) -> usize {
        let copies_before_last = (self.transposed_copies() - 1).saturating_mul(self.per_gradient);
        self.transposed_start()
            .saturating_add(copies_before_last)
            .saturating_add(self.params)
    }

    /// Where the layers' `Wᵀ` start: after the chunks' rows and gradients.
    fn transposed_start(&self) -> usize {
        let gradients = (self.count - 1).saturating_mul(self.per_gradient);
        self.workspace_start(self.count).saturating_add(gradients)
    }

    /// The rows of the smallest chunk, which decide for every chunk whether a layer's
    /// product reads `Wᵀ` (so every chunk runs the same kernels).
    fn decisive_rows(&self) -> usize {
        self.batch / self.count
    }

    /// The first row of chunk `c` (the batch's length for `c == count`).
    fn row_start(&self, c: usize) -> usize {
        let (base, extra) = (self.batch / self.count, self.batch % self.count);
        c * base + c.min(extra)
    }

    /// Saturates at `usize::MAX` for a batch too large to address, which the allocator
    /// then refuses: [`Error::TooLarge`](crate::Error::TooLarge), never a wrapped size.
    fn workspace_start(&self, c: usize) -> usize {
        let rows = self.row_start(c).saturating_mul(self.per_row);
        rows.saturating_add(c.saturating_mul(self.per_chunk))
    }

    /// Where a range of chunks splits in two: the first chunk of its second half, and
    /// the rows and workspace values of its first half.
    fn midpoint(&self, chunks: &Range<usize>) -> (usize, usize, usize) {
        let mid = (chunks.start + chunks.end) / 2;
        let rows = self.row_start(mid) - self.row_start(chunks.start);
        let values = self.workspace_start(mid) - self.workspace_start(chunks.start);
        (mid, rows, values)
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
        let (mid, rows, values) = plan.midpoint(&self.chunks);
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

/// A [`Part`] of the backward pass: its `outputs` are the output gradients (written), the
/// forward pass's outputs ride along (read), and so do the rows' input gradients if the
/// caller wants them (written: each row's are its own, so a chunk writes its rows' and
/// nothing needs summing). `spare` holds the gradients of its chunks after the first,
/// each `per_gradient` values (the first writes into the gradient its caller gives).
struct BackwardPart<'a, T> {
    outputs: &'a [T],
    input_grads: Option<&'a mut [T]>,
    spare: &'a mut [T],
    part: Part<'a, T>,
}

impl<'a, T> BackwardPart<'a, T> {
    /// The first half of the chunks, the rest, and the gradient of the rest's first chunk.
    fn split(self, plan: &Chunks, in_len: usize, out_len: usize) -> (Self, Self, &'a mut [T]) {
        let (mid, rows, _) = plan.midpoint(&self.part.chunks);
        let first_spare = (mid - self.part.chunks.start - 1) * plan.per_gradient;
        let (spare0, rest_grads) = self.spare.split_at_mut(first_spare);
        let (rest_grads, spare1) = rest_grads.split_at_mut(plan.per_gradient);
        let (o0, o1) = self.outputs.split_at(rows * out_len);
        let (g0, g1) = match self.input_grads {
            Some(input_grads) => {
                let (g0, g1) = input_grads.split_at_mut(rows * in_len);
                (Some(g0), Some(g1))
            }
            None => (None, None),
        };
        let (first, rest) = self.part.split(plan, in_len, out_len);
        let first = BackwardPart {
            outputs: o0,
            input_grads: g0,
            spare: spare0,
            part: first,
        };
        let rest = BackwardPart {
            outputs: o1,
            input_grads: g1,
            spare: spare1,
            part: rest,
        };
        (first, rest, &mut rest_grads[..plan.params])
    }
}

impl<T, A> Network<T, A>
where
    T: Float + Send + Sync + 'static,
    A: ActivationFunction<T> + Send + Sync + 'static,
{
    /// The forward pass over every chunk of the batch.
    pub(super) fn forward_chunks(
        &self,
        plan: &Chunks,
        inputs: &[T],
        outputs: &mut [T],
        ws: &mut [T],
    ) {
        let (chunks, rest) =
            ws[..plan.workspace_len()].split_at_mut(plan.workspace_start(plan.count));
        let transposed = &mut rest[plan.transposed_start() - plan.workspace_start(plan.count)..];
        let rows = plan.decisive_rows();
        let all = Part {
            chunks: 0..plan.count,
            inputs,
            outputs,
            workspace: chunks,
        };
        if plan.transposed_copies() == 1 || threads() == 1 {
            let weights_t = self.transpose_weights(rows, transposed);
            return self.forward_part(plan, all, weights_t);
        }
        // Each half writes its own copy: one the other core had read would move to this
        // core line by line as it is written, and back as it is read, every pass.
        let (copy0, copy1) = transposed.split_at_mut(plan.per_gradient);
        let (first, rest) = all.split(plan, self.input_len_of_first(), self.output_len_of_last());
        join(
            || self.forward_part(plan, first, self.transpose_weights(rows, copy0)),
            || self.forward_part(plan, rest, self.transpose_weights(rows, copy1)),
        );
    }

    fn forward_part(&self, plan: &Chunks, part: Part<'_, T>, weights_t: WeightsT<'_, T>) {
        if part.chunks.len() == 1 {
            let rows = part.inputs.len() / self.input_len_of_first();
            let buffers = &mut part.workspace[..rows * plan.per_row];
            return self.forward_rows(rows, part.inputs, part.outputs, buffers, weights_t);
        }
        let (first, rest) = part.split(plan, self.input_len_of_first(), self.output_len_of_last());
        join(
            || self.forward_part(plan, first, weights_t),
            || self.forward_part(plan, rest, weights_t),
        );
    }

    /// The backward pass over every chunk, their gradients summed into `grads`.
    pub(super) fn backward_chunks(
        &self,
        plan: &Chunks,
        (inputs, outputs): (&[T], &[T]),
        output_grads: &mut [T],
        ws: &mut [T],
        grads: &mut [T],
        input_grads: Option<&mut [T]>,
    ) {
        let (chunks, spare) =
            ws[..plan.workspace_len()].split_at_mut(plan.workspace_start(plan.count));
        let all = BackwardPart {
            outputs,
            input_grads,
            spare,
            part: Part {
                chunks: 0..plan.count,
                inputs,
                outputs: output_grads,
                workspace: chunks,
            },
        };
        self.backward_part(plan, all, grads);
    }

    /// The backward pass over a range of chunks, their gradients summed into `grads`:
    /// each half's, then `g_first ← g_first + g_rest`.
    fn backward_part(&self, plan: &Chunks, b: BackwardPart<'_, T>, grads: &mut [T]) {
        if b.part.chunks.len() == 1 {
            let part = b.part;
            let rows = part.inputs.len() / self.input_len_of_first();
            let buffers = &mut part.workspace[..rows * plan.per_row];
            let io = (part.inputs, b.outputs);
            return self.backward_rows(rows, io, part.outputs, buffers, grads, b.input_grads);
        }
        let (first, rest, rest_grads) =
            b.split(plan, self.input_len_of_first(), self.output_len_of_last());
        join(
            || self.backward_part(plan, first, &mut *grads),
            || self.backward_part(plan, rest, &mut *rest_grads),
        );
        for (g, &v) in grads.iter_mut().zip(rest_grads.iter()) {
            *g = *g + v;
        }
    }
}
