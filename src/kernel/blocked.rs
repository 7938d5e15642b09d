//! A register-blocked `C = A B` for `f32` and `f64`, in safe code the compiler vectorises.
//!
//! `C` is computed in tiles of `MR × NR` values held in registers: for each `p`, one row
//! of `B` (NR contiguous values, one or two SIMD vectors) is multiplied by `MR` values of
//! `A` and added to the tile. Every value of `C` is still the sum over `p` in order from
//! zero, as in the plain loop; only the fused multiply-add (on CPUs that have it) rounds
//! differently. It needs `B`'s rows contiguous (`col_stride == 1`), which the layers
//! provide: `∂W = Δᵀ X` and `∂X = Δ W` read `X` and `W` by rows, and the forward pass
//! reads a transposed copy of `W`.
//!
//! At the sizes of a network layer (up to a few hundred units) a `k × NR` panel of `B`
//! stays in the L1 or L2 cache while the tiles down its columns are computed, so no
//! packing (and no buffer to allocate) is needed.

use core::ops::{Add, Mul};

use super::MatRef;

/// Rows of `C` per tile.
const MR: usize = 4;

/// Columns of `A` packed at a time (4 KiB of f32, 8 KiB of f64: in L1 with `B`'s rows).
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

/// `C = A B` (overwriting the row-major `c`), `NR` columns per tile.
///
/// # Panics
///
/// If `B`'s rows are not contiguous, the shapes disagree, or a view reaches past its slice.
#[inline(always)]
pub(super) fn product<F: Lane, const NR: usize, const FUSED: bool>(
    a: MatRef<'_, F>,
    b: MatRef<'_, F>,
    c: &mut [F],
) {
    assert_eq!(b.col_stride, 1, "contiguous rows of B");
    assert_eq!(a.cols, b.rows, "inner dimensions");
    assert_eq!(c.len(), a.rows * b.cols, "output size");
    let full = b.cols - b.cols % NR;
    let mut i = if full == 0 { a.rows } else { 0 }; // no whole tile: only the edge loop
    while i + MR <= a.rows {
        row_block::<F, MR, NR, FUSED>(a, b, c, i, full);
        i += MR;
    }
    for i in i..a.rows {
        row_block::<F, 1, NR, FUSED>(a, b, c, i, full);
    }
    for i in 0..a.rows {
        for j in full..b.cols {
            let mut sum = F::ZERO;
            for p in 0..a.cols {
                sum = F::multiply_add::<FUSED>(a.at(i, p), b.at(p, j), sum);
            }
            c[i * b.cols + j] = sum;
        }
    }
}

/// Rows `i..i+R` of `C` up to column `full`: `A`'s rows copied (packed) into a small
/// buffer, `KC` columns at a time, so the tiles read them contiguously.
#[inline(always)]
fn row_block<F: Lane, const R: usize, const NR: usize, const FUSED: bool>(
    a: MatRef<'_, F>,
    b: MatRef<'_, F>,
    c: &mut [F],
    i: usize,
    full: usize,
) {
    let mut packed = [[F::ZERO; R]; KC];
    for p0 in (0..a.cols).step_by(KC) {
        let depth = KC.min(a.cols - p0);
        for (p, column) in packed[..depth].iter_mut().enumerate() {
            for (r, v) in column.iter_mut().enumerate() {
                *v = a.at(i + r, p0 + p);
            }
        }
        for j in (0..full).step_by(NR) {
            tile::<F, R, NR, FUSED>(&packed[..depth], b, p0, c, (i, j), p0 > 0);
        }
    }
}

/// `C[i..i+R][j..j+NR]` (plus its value so far if `accumulate`), accumulated in
/// registers over `B`'s rows `p0..p0 + packed.len()`.
#[inline(always)]
fn tile<F: Lane, const R: usize, const NR: usize, const FUSED: bool>(
    packed: &[[F; R]],
    b: MatRef<'_, F>,
    p0: usize,
    c: &mut [F],
    (i, j): (usize, usize),
    accumulate: bool,
) {
    let n = b.cols;
    let mut acc = [[F::ZERO; NR]; R];
    if accumulate {
        for (r, acc_row) in acc.iter_mut().enumerate() {
            acc_row.copy_from_slice(&c[(i + r) * n + j..][..NR]);
        }
    }
    let b_rows = b.data[p0 * b.row_stride + j..].chunks(b.row_stride);
    for (column, b_row) in packed.iter().zip(b_rows) {
        let b_row: &[F; NR] = b_row[..NR].try_into().expect("NR values");
        for (acc_row, &x) in acc.iter_mut().zip(column) {
            for (v, &y) in acc_row.iter_mut().zip(b_row) {
                *v = F::multiply_add::<FUSED>(x, y, *v);
            }
        }
    }
    for (r, acc_row) in acc.iter().enumerate() {
        c[(i + r) * n + j..][..NR].copy_from_slice(acc_row);
    }
}
