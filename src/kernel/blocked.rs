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
    for j in (0..full).step_by(NR) {
        let mut i = 0;
        while i + MR <= a.rows {
            tile::<F, MR, NR, FUSED>(a, b, c, i, j);
            i += MR;
        }
        for i in i..a.rows {
            tile::<F, 1, NR, FUSED>(a, b, c, i, j);
        }
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

/// `C[i..i+R][j..j+NR]`, accumulated in registers.
#[inline(always)]
fn tile<F: Lane, const R: usize, const NR: usize, const FUSED: bool>(
    a: MatRef<'_, F>,
    b: MatRef<'_, F>,
    c: &mut [F],
    i: usize,
    j: usize,
) {
    let mut acc = [[F::ZERO; NR]; R];
    for p in 0..a.cols {
        let b_row: &[F; NR] = b.data[p * b.row_stride + j..][..NR]
            .try_into()
            .expect("NR values");
        for (r, acc_row) in acc.iter_mut().enumerate() {
            let x = a.at(i + r, p);
            for (v, &y) in acc_row.iter_mut().zip(b_row) {
                *v = F::multiply_add::<FUSED>(x, y, *v);
            }
        }
    }
    let n = b.cols;
    for (r, acc_row) in acc.iter().enumerate() {
        c[(i + r) * n + j..][..NR].copy_from_slice(acc_row);
    }
}
