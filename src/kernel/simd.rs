//! The matrix tiles, and the dot products' blocks of rows, in explicit AVX-512 and AVX2
//! vectors.
//!
//! The compiler's own vectorisation of [`blocked`](super::blocked)'s array tiles is
//! fragile: at AVX-512 widths it turns them into scalar loops or gathers. Here a tile is
//! `R` rows of `NV` vectors held in registers, and each step over `p` is `R × NV` fused
//! multiply-adds of a broadcast `A[i + r][p]` with `NV` vectors loaded from `B`'s row `p`.
//! The arithmetic per value is that of the array tiles: the sum over `p` in order from
//! zero, one fused multiply-add per term.
//!
//! Every function here is `unsafe` for one reason: it executes instructions of
//! [`Vector`]'s instruction set, which the CPU must support. The callers are the
//! `#[target_feature]` builds in [`gemm`](super::gemm), reached only once the CPU has been
//! seen to support it. Every memory access is checked against its slice first: a load or
//! store by itself, or, in a tile's loop, the rows of `A` and columns of `B` it reads, once
//! before the loop.
#![allow(unsafe_code)]

#[cfg(all(feature = "std", target_arch = "x86_64"))]
use core::arch::x86_64::*;
use core::marker::PhantomData;
use core::ops::Range;

use super::blocked::{dot_sum, rows_of, Lane, RowBlocks};
use super::MatRef;

/// One SIMD register of `LANES` values of `F`.
///
/// # Safety
///
/// Every method needs the CPU to support the vector's instruction set.
pub(super) trait Vector<F>: Copy {
    /// Values per vector.
    const LANES: usize;
    /// All zeros.
    unsafe fn zero() -> Self;
    /// `x` in every lane.
    unsafe fn splat(x: F) -> Self;
    /// The first `LANES` values of `src`.
    ///
    /// # Panics
    ///
    /// If `src` holds fewer.
    unsafe fn load(src: &[F]) -> Self;
    /// Writes the lanes into the first `LANES` values of `dst`.
    ///
    /// # Panics
    ///
    /// If `dst` holds fewer.
    unsafe fn store(self, dst: &mut [F]);
    /// `self · b + c` per lane, rounded once.
    unsafe fn mul_add(self, b: Self, c: Self) -> Self;
    /// `self + b` per lane.
    unsafe fn add(self, b: Self) -> Self;
    /// The first `len` values of `src` (`len < LANES`), zeros in the other lanes; only
    /// those `len` values are read.
    ///
    /// # Panics
    ///
    /// If `src` holds fewer than `len`.
    unsafe fn load_first(src: &[F], len: usize) -> Self;
    /// Writes the first `len` lanes (`len < LANES`) into the first `len` values of `dst`;
    /// nothing else is written.
    ///
    /// # Panics
    ///
    /// If `dst` holds fewer than `len`.
    unsafe fn store_first(self, dst: &mut [F], len: usize);
}

macro_rules! vector {
    ($vector:ty, $float:ty, $lanes:expr, $zero:ident, $splat:ident, $load:ident, $store:ident,
     $fma:ident, $add:ident, $mask:expr, $load_first:expr, $store_first:expr) => {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        impl Vector<$float> for $vector {
            const LANES: usize = $lanes;

            #[inline(always)]
            unsafe fn zero() -> Self {
                // SAFETY: the caller guarantees the instruction set (trait contract).
                unsafe { $zero() }
            }

            #[inline(always)]
            unsafe fn splat(x: $float) -> Self {
                // SAFETY: as `zero`.
                unsafe { $splat(x) }
            }

            #[inline(always)]
            unsafe fn load(src: &[$float]) -> Self {
                let src = &src[..$lanes];
                // SAFETY: `src` holds `LANES` readable values (checked just above); the
                // load is unaligned; the instruction set is the caller's guarantee.
                unsafe { $load(src.as_ptr()) }
            }

            #[inline(always)]
            unsafe fn store(self, dst: &mut [$float]) {
                let dst = &mut dst[..$lanes];
                // SAFETY: `dst` holds `LANES` writable values, borrowed exclusively
                // (checked just above); the store is unaligned.
                unsafe { $store(dst.as_mut_ptr(), self) }
            }

            #[inline(always)]
            unsafe fn mul_add(self, b: Self, c: Self) -> Self {
                // SAFETY: as `zero`.
                unsafe { $fma(self, b, c) }
            }

            #[inline(always)]
            unsafe fn add(self, b: Self) -> Self {
                // SAFETY: as `zero`.
                unsafe { $add(self, b) }
            }

            #[inline(always)]
            unsafe fn load_first(src: &[$float], len: usize) -> Self {
                let src = &src[..len];
                // SAFETY: the mask enables the first `len < LANES` lanes, which `src` holds
                // (checked just above); masked-off lanes are neither read nor can fault.
                unsafe {
                    let mask = $mask(len);
                    $load_first(src.as_ptr(), mask)
                }
            }

            #[inline(always)]
            unsafe fn store_first(self, dst: &mut [$float], len: usize) {
                let dst = &mut dst[..len];
                // SAFETY: as `load_first`; `dst` is borrowed exclusively, and masked-off
                // lanes are not written.
                unsafe {
                    let mask = $mask(len);
                    $store_first(dst.as_mut_ptr(), mask, self)
                }
            }
        }
    };
}

// The masks: AVX-512 takes a bit per lane; AVX2 the sign bit of each lane of an integer
// vector (lane index < len).
vector!(
    __m512,
    f32,
    16,
    _mm512_setzero_ps,
    _mm512_set1_ps,
    _mm512_loadu_ps,
    _mm512_storeu_ps,
    _mm512_fmadd_ps,
    _mm512_add_ps,
    |len: usize| ((1u32 << len) - 1) as __mmask16,
    |src, mask| _mm512_maskz_loadu_ps(mask, src),
    |dst, mask, v| _mm512_mask_storeu_ps(dst, mask, v)
);
vector!(
    __m512d,
    f64,
    8,
    _mm512_setzero_pd,
    _mm512_set1_pd,
    _mm512_loadu_pd,
    _mm512_storeu_pd,
    _mm512_fmadd_pd,
    _mm512_add_pd,
    |len: usize| ((1u32 << len) - 1) as __mmask8,
    |src, mask| _mm512_maskz_loadu_pd(mask, src),
    |dst, mask, v| _mm512_mask_storeu_pd(dst, mask, v)
);
vector!(
    __m256,
    f32,
    8,
    _mm256_setzero_ps,
    _mm256_set1_ps,
    _mm256_loadu_ps,
    _mm256_storeu_ps,
    _mm256_fmadd_ps,
    _mm256_add_ps,
    |len: usize| _mm256_cmpgt_epi32(
        _mm256_set1_epi32(len as i32),
        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)
    ),
    |src, mask| _mm256_maskload_ps(src, mask),
    |dst, mask, v| _mm256_maskstore_ps(dst, mask, v)
);
vector!(
    __m256d,
    f64,
    4,
    _mm256_setzero_pd,
    _mm256_set1_pd,
    _mm256_loadu_pd,
    _mm256_storeu_pd,
    _mm256_fmadd_pd,
    _mm256_add_pd,
    |len: usize| _mm256_cmpgt_epi64(
        _mm256_set1_epi64x(len as i64),
        _mm256_setr_epi64x(0, 1, 2, 3)
    ),
    |src, mask| _mm256_maskload_pd(src, mask),
    |dst, mask, v| _mm256_maskstore_pd(dst, mask, v)
);

/// Row blocks in tiles `NV` vectors `V` wide, then one vector, then a masked vector for
/// the last columns. `A` is read where it lies (no packing): each value is broadcast
/// from memory straight into the multiply-adds.
pub(super) struct Vectors<V, const NV: usize>(PhantomData<V>);

impl<F: Lane, V: Vector<F>, const NV: usize> RowBlocks<F> for Vectors<V, NV> {
    const FUSED: bool = true;
    const BLOCKS_INNER: bool = true;

    #[inline(always)]
    unsafe fn dot_rows<const R: usize, const L: usize>(
        a: MatRef<'_, F>,
        b: MatRef<'_, F>,
        c: &mut [F],
        i: usize,
    ) {
        // SAFETY: passed on from the caller (trait contract).
        unsafe { Self::dot_rows_in::<F, R, L>(a, b, c, i) }
    }

    #[inline(always)]
    unsafe fn rows<const R: usize>(
        a: MatRef<'_, F>,
        b: &MatRef<'_, F>,
        (c, plus_row): (&mut [F], Option<&[F]>),
        i: usize,
        inner: Range<usize>,
    ) {
        let (n, lanes) = (b.cols, V::LANES);
        let rows = Rows::new(a, i);
        let mut j = 0;
        // SAFETY (the four calls): passed on from the caller (trait contract).
        if R == 1 {
            while j + LONE_ROW_VECTORS * lanes <= n {
                unsafe {
                    tile::<F, V, R, LONE_ROW_VECTORS>(
                        &rows,
                        (b, inner.clone()),
                        (c, plus_row),
                        (i, j),
                        lanes,
                    )
                };
                j += LONE_ROW_VECTORS * lanes;
            }
        }
        while j + NV * lanes <= n {
            unsafe { tile::<F, V, R, NV>(&rows, (b, inner.clone()), (c, plus_row), (i, j), lanes) };
            j += NV * lanes;
        }
        while j + lanes <= n {
            unsafe { tile::<F, V, R, 1>(&rows, (b, inner.clone()), (c, plus_row), (i, j), lanes) };
            j += lanes;
        }
        if j < n {
            unsafe { tile::<F, V, R, 1>(&rows, (b, inner.clone()), (c, plus_row), (i, j), n - j) };
        }
    }
}

/// The dot products' blocks of rows ([`blocked::dots`](super::blocked::dots)) in explicit vectors:
/// the `L` partial sums of a value in one or two vectors, lane `l` in lane `l mod LANES` of
/// vector `l / LANES`, so each lane sums the same terms in the same order as the arrays'
/// loop, and the lanes are then summed pairwise as there. Left to the compiler, the `f64`
/// sums were vectorised across the rows instead, with shuffles at every step.
impl<V, const NV: usize> Vectors<V, NV> {
    /// `C[i..i+R][j] = A[i..i+R]·B[.., j]` for every column `j` (see
    /// [`RowBlocks::dot_rows`]).
    ///
    /// # Safety
    ///
    /// The CPU must support `V`'s instruction set.
    #[inline(always)]
    unsafe fn dot_rows_in<F: Lane, const R: usize, const L: usize>(
        a: MatRef<'_, F>,
        b: MatRef<'_, F>,
        c: &mut [F],
        i: usize,
    ) where
        V: Vector<F>,
    {
        let (k, lanes) = (a.cols, V::LANES);
        let halves = L / lanes;
        assert!(
            halves * lanes == L && (halves == 1 || halves == 2),
            "sums in one or two vectors"
        );
        let rows = rows_of::<F, R>(a, i);
        let whole = k - k % L;
        for j in 0..b.cols {
            let column = &b.data[j * b.col_stride..][..k];
            // SAFETY (every block): the caller guarantees V's instruction set; `Vector`
            // checks every load and store against its slice.
            let mut acc = [[unsafe { V::zero() }; 2]; R];
            for p0 in (0..whole).step_by(L) {
                let mut y = [unsafe { V::zero() }; 2];
                for (h, y) in y.iter_mut().enumerate().take(halves) {
                    *y = unsafe { V::load(&column[p0 + h * lanes..]) };
                }
                for (acc_row, row) in acc.iter_mut().zip(&rows) {
                    for (h, (v, &y)) in acc_row.iter_mut().zip(&y).enumerate().take(halves) {
                        *v = unsafe { V::load(&row[p0 + h * lanes..]).mul_add(y, *v) };
                    }
                }
            }
            for (r, (acc_row, row)) in acc.iter().zip(&rows).enumerate() {
                let mut sums = [F::ZERO; L];
                for (h, v) in acc_row.iter().enumerate().take(halves) {
                    unsafe { v.store(&mut sums[h * lanes..]) };
                }
                c[(i + r) * b.cols + j] =
                    dot_sum::<F, L, true>(sums, &row[whole..], &column[whole..]);
            }
        }
    }
}

/// Vectors of a row computed alone: a multiply-add takes 4 cycles and two start per
/// cycle, so a row needs eight running sums to keep the units busy; two vectors of one row
/// (a matrix with one row: the weight gradient of a layer with one output) waited on
/// their own chains.
const LONE_ROW_VECTORS: usize = 8;

/// `R` rows of `A` from row `i`, checked once to lie within its slice, each its own
/// slice: computing every address from both strides at each step over `p` took a third
/// of the tile loop's instructions.
struct Rows<'a, F, const R: usize> {
    /// `A[i + r][0..]`.
    rows: [&'a [F]; R],
    col_stride: usize,
    cols: usize,
}

impl<'a, F: Copy, const R: usize> Rows<'a, F, R> {
    /// # Panics
    ///
    /// If `A[i + R − 1][cols − 1]` lies past `A`'s slice.
    #[inline(always)]
    fn new(a: MatRef<'a, F>, i: usize) -> Self {
        let start = i * a.row_stride;
        if a.cols > 0 {
            let last = start + (R - 1) * a.row_stride + (a.cols - 1) * a.col_stride;
            assert!(last < a.data.len(), "rows of A within its slice");
        }
        let mut rows = [a.data; R];
        for (r, row) in rows.iter_mut().enumerate() {
            *row = &a.data[(start + r * a.row_stride).min(a.data.len())..];
        }
        Self {
            rows,
            col_stride: a.col_stride,
            cols: a.cols,
        }
    }

    /// `A[i + r][p]`, for `r < R` and `p < cols`.
    #[inline(always)]
    fn at(&self, r: usize, p: usize) -> F {
        // The callers' loops bound both, so the compiler drops this check.
        assert!(p < self.cols, "a column of A");
        // SAFETY: `r < R` (indexing `rows`) and `p < cols`, so the value lies at most at
        // the `last` that `new` checked to lie within the slice.
        unsafe { *self.rows[r].get_unchecked(p * self.col_stride) }
    }
}

/// Columns `j..j + width` of `B`'s rows, checked once to lie within its slice: checked
/// at each step over `p`, they cost as many instructions as their loads.
struct Columns<'a, F> {
    /// `B`'s values, and what locating a row needs of its view (the fields alone: copied
    /// whole at each tile, the view went through the stack and back).
    data: &'a [F],
    rows: usize,
    row_stride: usize,
    j: usize,
    width: usize,
}

impl<'a, F> Columns<'a, F> {
    /// # Panics
    ///
    /// If `B[rows − 1][j + width − 1]` lies past `B`'s slice (`B`'s rows contiguous).
    #[inline(always)]
    fn new(b: &MatRef<'a, F>, j: usize, width: usize) -> Self {
        debug_assert_eq!(b.col_stride, 1);
        if b.rows > 0 {
            let end = (b.rows - 1)
                .checked_mul(b.row_stride)
                .and_then(|start| start.checked_add(j)?.checked_add(width));
            assert!(
                end.is_some_and(|end| end <= b.data.len()),
                "columns of B within its slice"
            );
        }
        Self {
            data: b.data,
            rows: b.rows,
            row_stride: b.row_stride,
            j,
            width,
        }
    }

    /// `B[p][j..j + width]`, for `p < rows`.
    #[inline(always)]
    fn row(&self, p: usize) -> &'a [F] {
        // The caller's loop bounds `p`, so the compiler drops this check.
        assert!(p < self.rows, "a row of B");
        let start = p * self.row_stride + self.j;
        // SAFETY: `p < rows`, so `start + width` is at most the `end` that `new` checked to
        // lie within the slice.
        unsafe { self.data.get_unchecked(start..start + self.width) }
    }
}

/// `C[i..i+R][j..j+(NV − 1)·LANES + last]` accumulated in `R × NV` registers over `B`'s
/// rows `inner` (from the sums in `C` if `inner` starts past 0), then `plus_row`'s
/// columns added; the last register holds `last ≤ LANES` columns.
///
/// # Safety
///
/// The CPU must support `V`'s instruction set.
#[inline(always)]
unsafe fn tile<F: Lane, V: Vector<F>, const R: usize, const NV: usize>(
    rows: &Rows<'_, F, R>,
    // `B` by reference: passed by value, the view was copied to the stack at every tile
    // and its fields read back from there before the loop could start.
    (b, inner): (&MatRef<'_, F>, Range<usize>),
    (c, plus_row): (&mut [F], Option<&[F]>),
    (i, j): (usize, usize),
    last: usize,
) {
    let (n, lanes) = (b.cols, V::LANES);
    let width = (NV - 1) * lanes + last;
    let partial = last < lanes;
    // SAFETY (every block below): the caller guarantees V's instruction set; `Vector`
    // checks every load and store against its slice (`rows` and `columns` are checked).
    let mut acc = [[unsafe { V::zero() }; NV]; R];
    if inner.start > 0 {
        for (r, acc_row) in acc.iter_mut().enumerate() {
            *acc_row = unsafe { load_vectors(&c[(i + r) * n + j..][..width], last) };
        }
    }
    let columns = Columns::new(b, j, width);
    // Said once here, so that the loop's own bound settles `at`'s check of `p`.
    assert_eq!(rows.cols, b.rows, "inner dimensions");
    assert!(inner.end <= b.rows, "rows of B");
    for p in inner {
        let y: [V; NV] = unsafe { load_vectors(columns.row(p), last) };
        for (r, acc_row) in acc.iter_mut().enumerate() {
            let x = unsafe { V::splat(rows.at(r, p)) };
            for (v, &y) in acc_row.iter_mut().zip(&y) {
                *v = unsafe { x.mul_add(y, *v) };
            }
        }
    }
    if let Some(row) = plus_row {
        let terms: [V; NV] = unsafe { load_vectors(&row[j..][..width], last) };
        for acc_row in &mut acc {
            for (v, &term) in acc_row.iter_mut().zip(&terms) {
                *v = unsafe { v.add(term) };
            }
        }
    }
    for (r, acc_row) in acc.iter().enumerate() {
        let c_row = &mut c[(i + r) * n + j..][..width];
        // Whole vectors in chunks of `LANES`: one check per row, not three per store.
        let mut dsts = c_row.chunks_exact_mut(lanes);
        for (v, dst) in acc_row.iter().zip(&mut dsts) {
            unsafe { v.store(dst) };
        }
        if partial {
            unsafe { acc_row[NV - 1].store_first(dsts.into_remainder(), last) };
        }
    }
}

/// `values` (`(NV − 1)·LANES + last` of them) in `NV` vectors, the last holding `last ≤
/// LANES` values and zeros.
///
/// # Safety
///
/// The CPU must support `V`'s instruction set.
#[inline(always)]
unsafe fn load_vectors<F: Lane, V: Vector<F>, const NV: usize>(
    values: &[F],
    last: usize,
) -> [V; NV] {
    let lanes = V::LANES;
    // A plain loop, not `array::from_fn`: nothing here may be left to the inliner's
    // judgement, or the registers become calls.
    // SAFETY (every block): the caller guarantees V's instruction set; `Vector` checks
    // every load against its slice.
    let mut vectors = [unsafe { V::zero() }; NV];
    for (h, v) in vectors.iter_mut().enumerate() {
        *v = unsafe {
            if last < lanes && h + 1 == NV {
                V::load_first(&values[h * lanes..], last)
            } else {
                V::load(&values[h * lanes..])
            }
        };
    }
    vectors
}
