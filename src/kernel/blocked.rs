//! Register-blocked `C = A B` for `f32` and `f64`, in safe code the compiler vectorises.
//!
//! Two shapes of inner loop, chosen by the layout:
//!
//! - **Tiles** ([`product`]), when `B`'s rows are contiguous: `C` is computed in tiles of
//!   `MR × NR` values held in registers; for each `p`, one row of `B` (`NR` contiguous
//!   values, one or two SIMD vectors) is multiplied by `MR` values of `A` and added to the
//!   tile. How a block of rows is computed is a [`RowBlocks`]: explicit vectors (the
//!   `simd` module, with `std` on x86-64) on AVX-512 and AVX2, arrays the compiler
//!   vectorises otherwise. Every value of `C` is the sum over `p` in order from zero, as
//!   in the plain loop; only the fused multiply-add (on CPUs that have it) rounds
//!   differently. Columns left over after the whole tiles take narrower tiles (16, 8, 4,
//!   then 1 wide), in the same order of operations. An inner dimension of one runs a
//!   loop along each row instead ([`outer_product`]), with the tiles' values. A product
//!   that reads `A` down its columns (a weight gradient `Δᵀ X`) runs in blocks of the
//!   inner dimension ([`inner_block`]), each tile going on from the sums the block before
//!   left in `C`: the same operations in the same order.
//! - **Dot products** ([`dots`]), when `A`'s rows and `B`'s columns are contiguous (the
//!   forward pass of a layer with few outputs reads `W` itself as `Wᵀ`): each
//!   `C[i][j] = A[i]·B[.., j]` is summed in `L` independent partial sums, lane `l` taking
//!   the terms `p ≡ l (mod L)`, which are then added pairwise and followed by the `k mod L`
//!   last terms in order. `L` is fixed per type (16 for `f32`, 8 for `f64`) whatever the
//!   vector width, so the result does not depend on the CPU.
//!
//! Either way a value of `C` depends only on its row of `A` and its column of `B`, never
//! on how many rows are computed together: the batch can be cut into chunks (the
//! `parallel` feature) without changing a bit.
//!
//! At the sizes of a network layer (up to a few hundred units) a `k × NR` panel of `B`
//! stays in the L1 or L2 cache while the tiles down its columns are computed, so `B` needs
//! no packing (and no buffer to allocate). The register tiles read `A` where it lies; the
//! array tiles pack `A`'s rows `KC` columns at a time into a buffer on the stack.

// `unsafe` only passes on the contract of the SIMD tiles (see `RowBlocks`): the CPU must
// support their instructions. The loops themselves are safe code.
#![allow(unsafe_code)]

use core::ops::{Add, Mul, Range};

use super::{add_to_rows, pairwise_sum, pairwise_sum_apart, MatRef};

/// Columns of `A` the array tiles pack at a time (4 rows of them: 4 KiB of f32, 8 KiB of
/// f64, in L1 beside `B`'s rows).
const KC: usize = 256;

/// The element types of the blocked kernel.
pub(super) trait Lane: Copy + Add<Output = Self> + Mul<Output = Self> + 'static {
    /// 0.
    const ZERO: Self;

    /// `a · b + c`, fused (one rounding) when `FUSED`.
    fn multiply_add<const FUSED: bool>(a: Self, b: Self, c: Self) -> Self;
}

macro_rules! lane {
    ($float:ty) => {
        impl Lane for $float {
            const ZERO: Self = 0.0;

            #[inline(always)]
            fn multiply_add<const FUSED: bool>(a: Self, b: Self, c: Self) -> Self {
                #[cfg(feature = "std")]
                if FUSED {
                    return a.mul_add(b, c);
                }
                a * b + c
            }
        }
    };
}

lane!(f32);
lane!(f64);

/// How a build computes rows `i..i+R` of `C = A B`: in tiles (`B`'s rows contiguous) or
/// by dot products (`A`'s rows and `B`'s columns contiguous).
pub(super) trait RowBlocks<F: Lane> {
    /// Whether its multiply-adds round once.
    const FUSED: bool;

    /// Whether [`product`] runs the inner dimension in blocks ([`inner_block`]) for it.
    const BLOCKS_INNER: bool;

    /// `C[i..i+R]` summed over `B`'s rows `inner` (the terms `p` in `inner` of each sum):
    /// overwritten if `inner` starts at 0, else added to the sums `C` holds over the rows
    /// before it; `plus_row` added to each row after its sum. `B` by reference: a view
    /// passed by value was copied to the stack for every block.
    ///
    /// # Safety
    ///
    /// The CPU must support the instructions the implementation uses.
    unsafe fn rows<const R: usize>(
        a: MatRef<'_, F>,
        b: &MatRef<'_, F>,
        c: (&mut [F], Option<&[F]>),
        i: usize,
        inner: Range<usize>,
    );

    /// `C[i..i+R][j] = A[i..i+R]·B[.., j]` for every column `j`, each in `L` partial sums
    /// (see [`dots`]; `A`'s rows and `B`'s columns contiguous).
    ///
    /// # Safety
    ///
    /// As for [`rows`](Self::rows).
    unsafe fn dot_rows<const R: usize, const L: usize>(
        a: MatRef<'_, F>,
        b: MatRef<'_, F>,
        c: &mut [F],
        i: usize,
    );
}

/// Tiles of `NR`-value arrays (then narrower ones), vectorised by the compiler for the
/// compile-time target, with `A`'s rows packed `KC` columns at a time.
pub(super) struct Arrays<const NR: usize, const FUSED: bool>;

impl<F: Lane, const NR: usize, const FUSED: bool> RowBlocks<F> for Arrays<NR, FUSED> {
    const FUSED: bool = FUSED;
    // They pack `A` in panels of KC columns already; blocks were measured only in vectors.
    const BLOCKS_INNER: bool = false;

    #[inline(always)]
    unsafe fn dot_rows<const R: usize, const L: usize>(
        a: MatRef<'_, F>,
        b: MatRef<'_, F>,
        c: &mut [F],
        i: usize,
    ) {
        dot_rows::<F, R, L, FUSED>(a, b, c, i);
    }

    #[inline(always)]
    unsafe fn rows<const R: usize>(
        a: MatRef<'_, F>,
        b: &MatRef<'_, F>,
        (c, plus_row): (&mut [F], Option<&[F]>),
        i: usize,
        inner: Range<usize>,
    ) {
        let b = *b;
        let mut packed = [[F::ZERO; R]; KC];
        let (start, end) = (inner.start, inner.end);
        // An empty inner dimension still writes C (as zeros): one pass with no terms.
        for p0 in (start..end.max(start + 1)).step_by(KC) {
            let depth = KC.min(end - p0.min(end));
            for (p, column) in packed[..depth].iter_mut().enumerate() {
                for (r, v) in column.iter_mut().enumerate() {
                    *v = a.at(i + r, p0 + p);
                }
            }
            let panel = Panel {
                packed: &packed[..depth],
                b,
                p0,
                accumulate: p0 > 0,
                // the last panel completes the sums
                plus_row: plus_row.filter(|_| p0 + KC >= end),
            };
            let mut j = panel.tiles::<NR, FUSED>(c, i, 0);
            j = panel.tiles::<16, FUSED>(c, i, j);
            j = panel.tiles::<8, FUSED>(c, i, j);
            j = panel.tiles::<4, FUSED>(c, i, j);
            panel.tiles::<1, FUSED>(c, i, j);
        }
    }
}

/// `C = A B` by blocks of `MR` rows (then 4, then 1), each computed by `Blocks`
/// (overwriting the row-major `c`), with `plus_row` added to each row after its sum; the
/// inner dimension in blocks where [`inner_block`] gives them, all of `C` for each.
///
/// # Safety
///
/// The CPU must support the instructions `Blocks` uses.
///
/// # Panics
///
/// If `B`'s rows are not contiguous, the shapes disagree, or a view reaches past its slice.
#[inline(always)]
pub(super) unsafe fn product<F: Lane, Blocks: RowBlocks<F>, const MR: usize>(
    a: MatRef<'_, F>,
    b: MatRef<'_, F>,
    c: &mut [F],
    plus_row: Option<&[F]>,
) {
    assert_eq!(b.col_stride, 1, "contiguous rows of B");
    assert_eq!(a.cols, b.rows, "inner dimensions");
    assert_eq!(c.len(), a.rows * b.cols, "output size");
    if let Some(row) = plus_row {
        assert_eq!(row.len(), b.cols, "row length");
    }
    if a.cols == 1 {
        if Blocks::FUSED {
            outer_product::<F, true>(a, &b, c, plus_row);
        } else {
            outer_product::<F, false>(a, &b, c, plus_row);
        }
        return;
    }
    let depth = inner_block::<F>(a, &b).filter(|_| Blocks::BLOCKS_INNER);
    let Some(depth) = depth.filter(|&depth| a.cols > depth) else {
        // SAFETY: passed on from the caller.
        unsafe { by_row_blocks::<F, Blocks, MR>(a, &b, (c, plus_row), 0..a.cols) };
        return;
    };
    for p0 in (0..a.cols).step_by(depth) {
        let end = a.cols.min(p0 + depth);
        // the last block completes the sums
        let plus_row = plus_row.filter(|_| end == a.cols);
        // SAFETY: passed on from the caller.
        unsafe { by_row_blocks::<F, Blocks, MR>(a, &b, (c, plus_row), p0..end) };
    }
}

/// The rows of `C` by blocks of `MR` rows, then 4, then 1, summed over `B`'s rows `inner`
/// (see [`RowBlocks::rows`]).
///
/// # Safety
///
/// The CPU must support the instructions `Blocks` uses.
#[inline(always)]
unsafe fn by_row_blocks<F: Lane, Blocks: RowBlocks<F>, const MR: usize>(
    a: MatRef<'_, F>,
    b: &MatRef<'_, F>,
    (c, plus_row): (&mut [F], Option<&[F]>),
    inner: Range<usize>,
) {
    let (whole, fours) = row_blocks(a.rows, MR);
    // SAFETY (the three loops): passed on from the caller.
    for i in (0..whole * MR).step_by(MR) {
        unsafe { Blocks::rows::<MR>(a, b, (c, plus_row), i, inner.clone()) };
    }
    for i in (whole * MR..).step_by(4).take(fours) {
        unsafe { Blocks::rows::<4>(a, b, (c, plus_row), i, inner.clone()) };
    }
    for i in whole * MR + fours * 4..a.rows {
        unsafe { Blocks::rows::<1>(a, b, (c, plus_row), i, inner.clone()) };
    }
}

/// Bytes of `B`'s rows a block of the inner dimension takes: half the 32 KiB L1 data
/// cache of the CPUs measured, so that they and the lines of `A` beside them stay there.
/// Small under Miri, so that its small shapes run in blocks too.
const INNER_BLOCK_BYTES: usize = if cfg!(miri) { 1024 } else { 16 * 1024 };

/// How many of `B`'s rows a block of the inner dimension takes, for a product whose every
/// step over `p` reads a new cache line of `A` (`A` read down its columns, as `Δᵀ` in a
/// weight gradient `Δᵀ X`); `None` for the others.
///
/// Each block of rows of `C` reads all of `B` and, when `A` is read down its columns, a
/// line of `A` per row of `B`. Past the L1 cache, `B` evicted the lines of `A` that the
/// next tile read again: W4's weight gradient (64 × 128 × 64, eight chunks) ran at 76
/// GFLOP/s in f32 and 31 in f64 on the Zen 3, and at 85 and 39.5 in blocks. Products
/// that read `A` along its rows need a line of it every 16 values and keep one pass: a
/// 256-input forward product ran 7–11 % slower in blocks.
pub(super) fn inner_block<F>(a: MatRef<'_, F>, b: &MatRef<'_, F>) -> Option<usize> {
    let row_bytes = b.cols.saturating_mul(core::mem::size_of::<F>()).max(1);
    let depth = INNER_BLOCK_BYTES / row_bytes;
    (a.col_stride != 1 && depth >= MIN_INNER_BLOCK).then_some(depth)
}

/// The fewest of `B`'s rows in a block. Each block loads and stores every tile of `C`
/// once more (on W4's shape blocks of 16 rows were slower than 32 or 64); and a `B` so
/// wide that fewer rows fill the block is read from L2 by every block of rows of `C`
/// whatever the order, so it keeps one pass.
const MIN_INNER_BLOCK: usize = if cfg!(miri) { 4 } else { 32 };

/// `C = A B` (plus `plus_row`) for an inner dimension of one, as a one-output layer's
/// `∂L/∂X = Δ W` is: row `i` of `C` is `A[i][0]` times `B`'s row. Each value is what a
/// tile computes, `0 + a·b` (in one rounding if `FUSED`) and then the row's term; but a
/// tile spent its set-up and its stores on a single multiply-add (1 024 × 64 values: 5.2
/// µs this way, 7.7–11.4 in tiles on the Zen 3).
#[inline(always)]
fn outer_product<F: Lane, const FUSED: bool>(
    a: MatRef<'_, F>,
    b: &MatRef<'_, F>,
    c: &mut [F],
    plus_row: Option<&[F]>,
) {
    let n = b.cols;
    if n == 0 {
        return;
    }
    let b_row = &b.data[..n];
    let product = |x, y| F::multiply_add::<FUSED>(x, y, F::ZERO);
    for (i, c_row) in c.chunks_exact_mut(n).enumerate() {
        let x = a.at(i, 0);
        match plus_row {
            Some(row) => {
                for ((v, &y), &term) in c_row.iter_mut().zip(b_row).zip(row) {
                    *v = product(x, y) + term;
                }
            }
            None => {
                for (v, &y) in c_row.iter_mut().zip(b_row) {
                    *v = product(x, y);
                }
            }
        }
    }
}

/// How many blocks of `mr` rows, then of 4, cover `rows` (the rest go one at a time).
/// One row alone runs two chains of dependent multiply-adds where the units take eight,
/// so an `mr` block is given up where 4-row blocks then leave fewer rows alone: 32 rows
/// in blocks of 6 are 4 × 6 + 2 × 4, not 5 × 6 + 1 + 1.
fn row_blocks(rows: usize, mr: usize) -> (usize, usize) {
    let whole = rows / mr;
    let alone = |rest: usize| rest % 4;
    if whole > 0 && alone(rows % mr + mr) < alone(rows % mr) {
        (whole - 1, (rows % mr + mr) / 4)
    } else {
        (whole, rows % mr / 4)
    }
}

/// `R` packed rows of `A` over `B`'s rows `p0..p0 + packed.len()`.
struct Panel<'p, F, const R: usize> {
    /// `A[i + r][p0 + p]` at `[p][r]`.
    packed: &'p [[F; R]],
    b: MatRef<'p, F>,
    p0: usize,
    /// Whether `C` already holds the sum over the rows before `p0`.
    accumulate: bool,
    /// Added to each row of the tile once its sums are complete (on the last panel).
    plus_row: Option<&'p [F]>,
}

impl<F: Lane, const R: usize> Panel<'_, F, R> {
    /// As many `W`-wide tiles as fit from column `j`; returns the first column left.
    #[inline(always)]
    fn tiles<const W: usize, const FUSED: bool>(&self, c: &mut [F], i: usize, j: usize) -> usize {
        let mut j = j;
        while j + W <= self.b.cols {
            self.tile::<W, FUSED>(c, (i, j));
            j += W;
        }
        j
    }

    /// `C[i..i+R][j..j+W]` (plus its value so far if `accumulate`), accumulated in
    /// registers, then `plus_row[j..j+W]` added.
    #[inline(always)]
    fn tile<const W: usize, const FUSED: bool>(&self, c: &mut [F], (i, j): (usize, usize)) {
        let (b, n) = (self.b, self.b.cols);
        let mut acc = [[F::ZERO; W]; R];
        if self.accumulate {
            for (r, acc_row) in acc.iter_mut().enumerate() {
                acc_row.copy_from_slice(&c[(i + r) * n + j..][..W]);
            }
        }
        for (p, column) in (self.p0..).zip(self.packed) {
            let b_row: &[F; W] = b.data[p * b.row_stride + j..][..W]
                .try_into()
                .expect("W values");
            for (acc_row, &x) in acc.iter_mut().zip(column) {
                for (v, &y) in acc_row.iter_mut().zip(b_row) {
                    *v = F::multiply_add::<FUSED>(x, y, *v);
                }
            }
        }
        if let Some(row) = self.plus_row {
            let row = &row[j..][..W];
            for acc_row in &mut acc {
                for (v, &x) in acc_row.iter_mut().zip(row) {
                    *v = *v + x;
                }
            }
        }
        for (r, acc_row) in acc.iter().enumerate() {
            c[(i + r) * n + j..][..W].copy_from_slice(acc_row);
        }
    }
}

/// Whether [`dots`] can run `C = A B`: `A`'s rows and `B`'s columns contiguous.
pub(super) fn dots_fit<F>(a: MatRef<'_, F>, b: MatRef<'_, F>) -> bool {
    a.col_stride == 1 && b.row_stride == 1
}

/// `C = A B` by dot products of `A`'s rows and `B`'s columns, `L` partial sums each,
/// four rows at a time (they share each load of `B`; `Blocks` computes them); the rows
/// left over four columns at a time (they share each load of `A`'s row). `plus_row[j]` is
/// then added to each `C[i][j]`. `FUSED` must be whether `Blocks` fuses its multiply-adds.
///
/// # Panics
///
/// If `A`'s rows or `B`'s columns are not contiguous, the shapes disagree, or a view
/// reaches past its slice.
///
/// # Safety
///
/// The CPU must support the instructions `Blocks` uses.
#[inline(always)]
pub(super) unsafe fn dots<F: Lane, Blocks: RowBlocks<F>, const L: usize, const FUSED: bool>(
    a: MatRef<'_, F>,
    b: MatRef<'_, F>,
    c: &mut [F],
    plus_row: Option<&[F]>,
) {
    assert!(dots_fit(a, b), "contiguous rows of A and columns of B");
    assert_eq!(a.cols, b.rows, "inner dimensions");
    assert_eq!(c.len(), a.rows * b.cols, "output size");
    if let Some(row) = plus_row {
        assert_eq!(row.len(), b.cols, "row length");
    }
    let mut i = 0;
    while i + 4 <= a.rows {
        // SAFETY: passed on from the caller.
        unsafe { Blocks::dot_rows::<4, L>(a, b, c, i) };
        i += 4;
    }
    for i in i..a.rows {
        let mut j = 0;
        while j + 4 <= b.cols {
            dot_columns::<F, 4, L, FUSED>(a, b, c, (i, j));
            j += 4;
        }
        for j in j..b.cols {
            dot_columns::<F, 1, L, FUSED>(a, b, c, (i, j));
        }
    }
    // A pass of its own: the dot products run small outputs (few columns, or a batch of
    // a few rows), and in the loops above the addition moved the sums out of registers
    // (seen in the assembly).
    if let Some(row) = plus_row {
        add_to_rows(c, row);
    }
}

/// `C[i..i+R][j] = A[i..i+R]·B[.., j]` for every column `j`.
#[inline(always)]
fn dot_rows<F: Lane, const R: usize, const L: usize, const FUSED: bool>(
    a: MatRef<'_, F>,
    b: MatRef<'_, F>,
    c: &mut [F],
    i: usize,
) {
    let k = a.cols;
    let rows = rows_of::<F, R>(a, i);
    for j in 0..b.cols {
        let column = &b.data[j * b.col_stride..][..k];
        let mut acc = [[F::ZERO; L]; R];
        let whole = k - k % L;
        for (p0, y) in (0..whole).step_by(L).zip(column.chunks_exact(L)) {
            for (acc_row, row) in acc.iter_mut().zip(&rows) {
                let x = &row[p0..p0 + L];
                for ((v, &x), &y) in acc_row.iter_mut().zip(x).zip(y) {
                    *v = F::multiply_add::<FUSED>(x, y, *v);
                }
            }
        }
        for (r, (acc_row, row)) in acc.iter().zip(&rows).enumerate() {
            c[(i + r) * b.cols + j] =
                dot_sum::<F, L, FUSED>(*acc_row, &row[whole..], &column[whole..]);
        }
    }
}

/// `A[i..i+R]`'s rows, each its `A.cols` values (`A`'s rows contiguous).
#[inline(always)]
pub(super) fn rows_of<F, const R: usize>(a: MatRef<'_, F>, i: usize) -> [&[F]; R] {
    // A loop, not `array::from_fn`, which the compiler kept out of line: a call per block.
    let mut rows: [&[F]; R] = [&[]; R];
    for (r, row) in rows.iter_mut().enumerate() {
        *row = &a.data[(i + r) * a.row_stride..][..a.cols];
    }
    rows
}

/// A dot product from its `L` partial sums: added pairwise, then the terms left over
/// after the whole blocks of `L` (`x_tail · y_tail`) in order.
#[inline(always)]
pub(super) fn dot_sum<F: Lane, const L: usize, const FUSED: bool>(
    lanes: [F; L],
    x_tail: &[F],
    y_tail: &[F],
) -> F {
    let mut sum = pairwise_sum(lanes);
    for (&x, &y) in x_tail.iter().zip(y_tail) {
        sum = F::multiply_add::<FUSED>(x, y, sum);
    }
    sum
}

/// `C[i][j..j+N] = A[i]·B[.., j..j+N]`: the same sums as [`dot_rows`], one row at a time.
/// (One function for blocks of `R × N` values, tried instead of the two, ran one-row
/// batches about a third slower.)
#[inline(always)]
fn dot_columns<F: Lane, const N: usize, const L: usize, const FUSED: bool>(
    a: MatRef<'_, F>,
    b: MatRef<'_, F>,
    c: &mut [F],
    (i, j): (usize, usize),
) {
    let k = a.cols;
    let row = &a.data[i * a.row_stride..][..k];
    let mut columns: [&[F]; N] = [&[]; N];
    for (n, column) in columns.iter_mut().enumerate() {
        *column = &b.data[(j + n) * b.col_stride..][..k];
    }
    let mut acc = [[F::ZERO; L]; N];
    let whole = k - k % L;
    for (p0, x) in (0..whole).step_by(L).zip(row.chunks_exact(L)) {
        for (acc_column, column) in acc.iter_mut().zip(&columns) {
            let y = &column[p0..p0 + L];
            for ((v, &x), &y) in acc_column.iter_mut().zip(x).zip(y) {
                *v = F::multiply_add::<FUSED>(x, y, *v);
            }
        }
    }
    for (n, (acc_column, column)) in acc.iter().zip(&columns).enumerate() {
        // A single column alone: its lanes' sum inlined would narrow the loop's vectors.
        let mut sum = if N == 1 {
            pairwise_sum_apart(*acc_column)
        } else {
            pairwise_sum(*acc_column)
        };
        for (&x, &y) in row[whole..].iter().zip(&column[whole..]) {
            sum = F::multiply_add::<FUSED>(x, y, sum);
        }
        c[i * b.cols + j + n] = sum;
    }
}

#[cfg(test)]
mod tests {
    use super::row_blocks;

    /// Every row is covered once, and no split into `mr` and 4-row blocks leaves fewer
    /// rows alone (found by trying every count of `mr` blocks).
    #[test]
    fn row_blocks_leave_the_fewest_rows_alone() {
        for mr in [4, 6, 8] {
            for rows in 0..200 {
                let (whole, fours) = row_blocks(rows, mr);
                let covered = whole * mr + fours * 4;
                assert!(covered <= rows && rows - covered < 4, "{rows} rows by {mr}");
                let fewest = (0..=rows / mr).map(|n| (rows - n * mr) % 4).min();
                assert_eq!(Some(rows - covered), fewest, "{rows} rows by {mr}");
            }
        }
        assert_eq!(row_blocks(32, 6), (4, 2));
        assert_eq!(row_blocks(1024, 6), (170, 1));
        assert_eq!(row_blocks(1024, 8), (128, 0));
    }
}
