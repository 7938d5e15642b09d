//! `dst = srcᵀ` for a row-major `rows × cols` matrix: the copy of `Wᵀ` a forward pass
//! makes once for all its rows.
//!
//! The plain loop moves one value per store, each to another row of `dst`. On CPUs with
//! AVX, `f32` goes in 8 × 8 blocks and `f64` in 4 × 4: a block's rows are loaded as
//! vectors, exchanged in registers (unpack, shuffle, swap of 128-bit halves) and stored
//! as the block's columns, a whole vector per store. Values are only moved, never
//! computed, so every build gives the same bits.

// `unsafe` only for the vector loads and stores (pointers into bounds-checked slices)
// and for calling the AVX builds once the CPU has been seen to run them.
#![allow(unsafe_code)]

use core::ops::Range;

#[cfg(all(feature = "std", target_arch = "x86_64"))]
use super::gemm::{same_mut, same_slice, Isa};
#[cfg(all(feature = "std", target_arch = "x86_64"))]
use core::arch::x86_64::{
    _mm256_loadu_pd, _mm256_loadu_ps, _mm256_permute2f128_pd, _mm256_permute2f128_ps,
    _mm256_shuffle_ps, _mm256_storeu_pd, _mm256_storeu_ps, _mm256_unpackhi_pd, _mm256_unpackhi_ps,
    _mm256_unpacklo_pd, _mm256_unpacklo_ps,
};

/// `dst[j · rows + i] = src[i · cols + j]` for every `i < rows`, `j < cols`.
///
/// # Panics
///
/// If `src` or `dst` holds fewer than `rows · cols` values.
pub(crate) fn transpose<T: Copy + 'static>(src: &[T], rows: usize, cols: usize, dst: &mut [T]) {
    let len = rows.checked_mul(cols).expect("matrix size");
    assert!(src.len() >= len && dst.len() >= len, "matrix size");
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if Isa::detect() != Isa::Baseline {
        if let (Some(src), Some(dst)) = (same_slice::<T, f32>(src), same_mut::<T, f32>(dst)) {
            // SAFETY: `detect` saw AVX2 (hence AVX) on this CPU.
            unsafe { blocks_f32(src, (rows, cols), dst) };
            return;
        }
        if let (Some(src), Some(dst)) = (same_slice::<T, f64>(src), same_mut::<T, f64>(dst)) {
            // SAFETY: as above.
            unsafe { blocks_f64(src, (rows, cols), dst) };
            return;
        }
    }
    plain(src, (rows, cols), (0..rows, 0..cols), dst);
}

/// The plain loop over the rows `row_range` and columns `col_range` of the matrix.
fn plain<T: Copy>(
    src: &[T],
    (rows, cols): (usize, usize),
    (row_range, col_range): (Range<usize>, Range<usize>),
    dst: &mut [T],
) {
    for i in row_range {
        let row = &src[i * cols..][..cols];
        for j in col_range.clone() {
            dst[j * rows + i] = row[j];
        }
    }
}

/// The matrix in `B × B` blocks, each moved by `block(from, to)`; the rows and columns
/// left over by the plain loop.
///
/// `from` points at a block's first value in `src`, whose rows lie `cols` values apart;
/// `to` at the first value of its transpose in `dst`, whose rows lie `rows` values apart.
/// Pointers, not slices: a bounds check per row of a block cost more instructions than
/// moving its values (5 per value at 64 × 64).
///
/// # Safety of `block`'s accesses
///
/// Every block lies inside both matrices: `i + B ≤ rows` and `j + B ≤ cols` for its first
/// row `i` and column `j`, and both slices hold at least `rows · cols` values (asserted
/// here), so `from + r·cols + c` and `to + c·rows + r` for `r, c < B` are in bounds.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[inline(always)]
fn by_blocks<T: Copy, const B: usize>(
    src: &[T],
    (rows, cols): (usize, usize),
    dst: &mut [T],
    mut block: impl FnMut(*const T, *mut T),
) {
    let len = rows * cols; // no overflow: `transpose` checked it
    assert!(src.len() >= len && dst.len() >= len, "matrix size");
    let (whole_rows, whole_cols) = (rows - rows % B, cols - cols % B);
    let (from, to) = (src.as_ptr(), dst.as_mut_ptr());
    for i in (0..whole_rows).step_by(B) {
        for j in (0..whole_cols).step_by(B) {
            // SAFETY: in bounds, as the doc comment shows; `src` and `dst` are distinct
            // borrows, so the pointers never alias.
            unsafe { block(from.add(i * cols + j), to.add(j * rows + i)) };
        }
    }
    let right = (0..whole_rows, whole_cols..cols);
    plain(src, (rows, cols), right, dst);
    plain(src, (rows, cols), (whole_rows..rows, 0..cols), dst);
}

/// [`transpose`] of `f32` in 8 × 8 blocks.
///
/// # Safety
///
/// The CPU must support AVX.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx")]
unsafe fn blocks_f32(src: &[f32], (rows, cols): (usize, usize), dst: &mut [f32]) {
    by_blocks::<f32, 8>(src, (rows, cols), dst, |from, to| {
        // SAFETY (loads and stores): eight values from each row of a block inside the
        // matrices (see `by_blocks`); AVX is enabled in this function.
        let row = |k: usize| unsafe { _mm256_loadu_ps(from.add(k * cols)) };
        let r = [
            row(0),
            row(1),
            row(2),
            row(3),
            row(4),
            row(5),
            row(6),
            row(7),
        ];
        // Pairs of rows interleaved, then pairs of pairs: t holds 2 × 2, s 4 × 4 blocks.
        let t = [
            _mm256_unpacklo_ps(r[0], r[1]),
            _mm256_unpackhi_ps(r[0], r[1]),
            _mm256_unpacklo_ps(r[2], r[3]),
            _mm256_unpackhi_ps(r[2], r[3]),
            _mm256_unpacklo_ps(r[4], r[5]),
            _mm256_unpackhi_ps(r[4], r[5]),
            _mm256_unpacklo_ps(r[6], r[7]),
            _mm256_unpackhi_ps(r[6], r[7]),
        ];
        let s = [
            _mm256_shuffle_ps::<0x44>(t[0], t[2]),
            _mm256_shuffle_ps::<0xEE>(t[0], t[2]),
            _mm256_shuffle_ps::<0x44>(t[1], t[3]),
            _mm256_shuffle_ps::<0xEE>(t[1], t[3]),
            _mm256_shuffle_ps::<0x44>(t[4], t[6]),
            _mm256_shuffle_ps::<0xEE>(t[4], t[6]),
            _mm256_shuffle_ps::<0x44>(t[5], t[7]),
            _mm256_shuffle_ps::<0xEE>(t[5], t[7]),
        ];
        // Column c of the block: the low halves of s[c] and s[c + 4] for c < 4, the high
        // halves for c ≥ 4.
        for c in 0..4 {
            let low = _mm256_permute2f128_ps::<0x20>(s[c], s[c + 4]);
            let high = _mm256_permute2f128_ps::<0x31>(s[c], s[c + 4]);
            unsafe { _mm256_storeu_ps(to.add(c * rows), low) };
            unsafe { _mm256_storeu_ps(to.add((c + 4) * rows), high) };
        }
    });
}

/// [`transpose`] of `f64` in 4 × 4 blocks.
///
/// # Safety
///
/// The CPU must support AVX.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx")]
unsafe fn blocks_f64(src: &[f64], (rows, cols): (usize, usize), dst: &mut [f64]) {
    by_blocks::<f64, 4>(src, (rows, cols), dst, |from, to| {
        // SAFETY (loads and stores): four values from each row of a block inside the
        // matrices (see `by_blocks`); AVX is enabled in this function.
        let row = |k: usize| unsafe { _mm256_loadu_pd(from.add(k * cols)) };
        let r = [row(0), row(1), row(2), row(3)];
        // t[0] = (r0[0], r1[0], r0[2], r1[2]), t[1] the odd columns, t[2], t[3] for r2, r3.
        let t = [
            _mm256_unpacklo_pd(r[0], r[1]),
            _mm256_unpackhi_pd(r[0], r[1]),
            _mm256_unpacklo_pd(r[2], r[3]),
            _mm256_unpackhi_pd(r[2], r[3]),
        ];
        let columns = [
            _mm256_permute2f128_pd::<0x20>(t[0], t[2]),
            _mm256_permute2f128_pd::<0x20>(t[1], t[3]),
            _mm256_permute2f128_pd::<0x31>(t[0], t[2]),
            _mm256_permute2f128_pd::<0x31>(t[1], t[3]),
        ];
        for (c, column) in columns.into_iter().enumerate() {
            unsafe { _mm256_storeu_pd(to.add(c * rows), column) };
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    const ROWS: [usize; 11] = [0, 1, 3, 4, 5, 7, 8, 9, 16, 17, 33];
    const COLS: [usize; 11] = [0, 1, 2, 4, 6, 8, 9, 15, 16, 24, 31];

    /// Every shape around the block sizes, on every instruction set the CPU runs: the
    /// definition, value for value (each value distinct, so a misplaced one shows).
    #[test]
    #[cfg(feature = "std")]
    fn every_shape_is_the_definition() {
        use super::super::gemm::{with_isa, Isa};
        for isa in Isa::supported() {
            for (rows, cols) in ROWS.into_iter().flat_map(|r| COLS.map(|c| (r, c))) {
                with_isa(isa, || check(rows, cols));
            }
        }
    }

    /// The same without `std`: the plain loop only.
    #[test]
    #[cfg(not(feature = "std"))]
    fn every_shape_is_the_definition() {
        for (rows, cols) in ROWS.into_iter().flat_map(|r| COLS.map(|c| (r, c))) {
            check(rows, cols);
        }
    }

    fn check(rows: usize, cols: usize) {
        let src: Vec<f64> = (0..rows * cols).map(|v| v as f64).collect();
        let expected: Vec<f64> = (0..rows * cols)
            .map(|k| src[(k % rows) * cols + k / rows])
            .collect();
        let mut dst = alloc::vec![f64::NAN; rows * cols];
        transpose(&src, rows, cols, &mut dst);
        assert_eq!(dst, expected, "f64 {rows} × {cols}");
        let src32: Vec<f32> = src.iter().map(|&v| v as f32).collect();
        let mut dst32 = alloc::vec![f32::NAN; rows * cols];
        transpose(&src32, rows, cols, &mut dst32);
        let expected32: Vec<f32> = expected.iter().map(|&v| v as f32).collect();
        assert_eq!(dst32, expected32, "f32 {rows} × {cols}");
    }
}
