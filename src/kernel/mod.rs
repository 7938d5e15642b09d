//! Matrix products for the dense layers: one generic loop for every `Float`, and
//! register-blocked kernels for `f32` and `f64` ([`blocked`]), built for AVX-512 and for
//! AVX2/FMA, the widest the CPU has chosen at run time ([`gemm`]).
//!
//! Activations run over whole slices too: [`Kernels::fast`] sends the built-in tanh and
//! sigmoid in `f32` and `f64` to the vectorisable [`fast_math`].
//!
//! The layers need three products per layer (docs/math.md, equations 4–7):
//! `Z = X Wᵀ`, `∂W = Δᵀ X` and `∂X = Δ W`. All three are `C = A B` with `A` or `B`
//! read transposed, so a matrix here is a view with a row stride and a column stride:
//! a transpose only swaps the strides.

mod blocked;
mod divisor;
pub(crate) use divisor::Divisor;
pub(crate) mod fast_math;
use fast_math::Curve;
mod gemm;
pub(crate) use gemm::{on_widest_vectors, on_widest_vectors_fusing};
// the explicit registers run only where the CPU's features can be detected
#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod simd;
mod transpose;
pub(crate) use transpose::transpose;

use core::any::Any;
use num_traits::Float;

use crate::activation::{Activation, ActivationFunction};

/// Runs both closures, on rayon's threads with the `parallel` feature.
#[cfg(feature = "parallel")]
pub(crate) fn join(first: impl FnOnce() + Send, second: impl FnOnce() + Send) {
    rayon::join(first, second);
}

/// The threads [`join`] may run on: those of the rayon pool the caller runs in.
#[cfg(feature = "parallel")]
pub(crate) fn threads() -> usize {
    rayon::current_num_threads()
}

/// The threads [`join`] may run on: one.
#[cfg(not(feature = "parallel"))]
pub(crate) fn threads() -> usize {
    1
}

/// Runs both closures, one after the other.
#[cfg(not(feature = "parallel"))]
pub(crate) fn join(first: impl FnOnce(), second: impl FnOnce()) {
    first();
    second();
}

/// The kernels a dense layer runs: its matrix product and its forward activation.
pub(crate) struct Kernels<T, A> {
    /// `C = A B`.
    pub matmul: Product<T>,
    /// `a = f(z)` element-wise.
    pub activate: fn(&A, &[T], &mut [T]),
    /// Whether a product of these sizes runs faster on a row-contiguous `B`.
    pub wants_contiguous: fn(Sizes) -> bool,
}

#[cfg(test)]
impl<T: Float, A: ActivationFunction<T>> Kernels<T, A> {
    /// The plain loops, for any `Float` and any activation: the reference other kernels
    /// are tested against.
    pub fn plain() -> Self {
        Self {
            matmul: plain_matmul,
            activate: A::forward_slice,
            wants_contiguous: |_| false,
        }
    }
}

impl<T: Float + 'static, A: ActivationFunction<T> + 'static> Kernels<T, A> {
    /// The blocked products and fast activations for `f32` and `f64`; the plain loops for
    /// any other type.
    pub fn fast() -> Self {
        Self {
            matmul,
            activate: activate_fast,
            wants_contiguous: wants_contiguous::<T>,
        }
    }
}

/// `a = f(z)`: the built-in tanh and sigmoid in `f32` and `f64` by [`fast_math`], every
/// other case by the activation's own [`ActivationFunction::forward_slice`].
fn activate_fast<T: Float + 'static, A: ActivationFunction<T> + 'static>(
    activation: &A,
    z: &[T],
    a: &mut [T],
) {
    assert_eq!(z.len(), a.len(), "activation length");
    let builtin = (activation as &dyn Any).downcast_ref::<Activation<T>>();
    let done = match builtin {
        Some(Activation::Tanh) => fast_math::dispatch(Curve::Tanh, z, a),
        Some(Activation::Sigmoid) => fast_math::dispatch(Curve::Sigmoid, z, a),
        _ => false,
    };
    if !done {
        // Called through a function pointer, this is compiled apart from the layer's
        // wide-vector build: ReLU's loop would run at the default target's width.
        gemm::on_widest_vectors(
            z.len(),
            #[inline(always)]
            || activation.forward_slice(z, a),
        );
    }
}

/// `Σ lanes`, halving: lane `l` plus lane `l + L/2`, until one is left (`L` a power of two,
/// at most 64). Each level is written with a constant width, so the compiler unrolls it
/// into a few register operations instead of a loop over memory.
#[inline(always)]
pub(crate) fn pairwise_sum<T: Copy + core::ops::Add<Output = T>, const L: usize>(
    lanes: [T; L],
) -> T {
    debug_assert!(L.is_power_of_two() && L <= 64, "lane count");
    let mut s = lanes;
    for width in [32, 16, 8, 4, 2, 1] {
        if L > width {
            let (low, high) = s.split_at_mut(width);
            for (a, &b) in low.iter_mut().zip(&high[..width]) {
                *a = *a + b;
            }
        }
    }
    s[0]
}

/// [`pairwise_sum`] kept out of line. Inlined right after a loop that accumulates the
/// lanes, it can lead the compiler to keep them in vectors of two values instead of the
/// widest registers (a one-row dot product ran at about half speed): call this there.
#[inline(never)]
pub(crate) fn pairwise_sum_apart<T: Copy + core::ops::Add<Output = T>, const L: usize>(
    lanes: [T; L],
) -> T {
    pairwise_sum(lanes)
}

/// The sizes of `C = A B`: `A` is `rows × inner`, `B` is `inner × cols`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    pub rows: usize,
    pub inner: usize,
    pub cols: usize,
}

/// Below this many multiply-adds a product runs the plain loop: on tiny matrices (a batch
/// of one) the tiles are mostly edges and the forward pass's copy of `Wᵀ` costs more than
/// it saves.
const BLOCKED_MIN_MULTIPLY_ADDS: usize = 4096;

/// From this inner dimension on, a product the dot products run (a one-output layer's
/// forward pass) runs them at any size: they need no copy, and the plain loop's single
/// running sum per value is one chain of dependent additions.
const DOTS_MIN_INNER: usize = 16;

/// Below this many rows the copy of `Wᵀ` costs more than the tiles gain over the dot
/// products on `W` itself (a batch of one moves every weight to use it once).
const TRANSPOSE_MIN_ROWS: usize = 8;

/// A read-only matrix view: element `(i, j)` is `data[i · row_stride + j · col_stride]`.
#[derive(Debug)]
pub(crate) struct MatRef<'a, T> {
    data: &'a [T],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

// By hand: a view is `Copy` whatever `T` is (the derive would demand `T: Copy`).
impl<T> Clone for MatRef<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for MatRef<'_, T> {}

impl<'a, T> MatRef<'a, T> {
    /// `data` as a `rows × cols` row-major matrix.
    ///
    /// # Panics
    ///
    /// If `data` does not hold exactly `rows · cols` values.
    pub fn row_major(data: &'a [T], rows: usize, cols: usize) -> Self {
        assert_eq!(data.len(), rows * cols, "matrix size");
        Self {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose, without moving a value.
    pub fn t(self) -> Self {
        Self {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }

    fn at(&self, i: usize, j: usize) -> T
    where
        T: Copy,
    {
        self.data[i * self.row_stride + j * self.col_stride]
    }
}

/// `C = A B`, overwriting `c` (`a.rows × b.cols`, row-major).
///
/// Each `C[i][j]` is `Σ_p A[i][p] B[p][j]`. The plain loop sums from `p = 0` upwards
/// starting at zero (so a one-term sum is exactly that term). The blocked kernels, used
/// for `f32` and `f64` above [`BLOCKED_MIN_MULTIPLY_ADDS`], differ from it by rounding
/// only: the tiles (`B`'s rows contiguous) sum in the same order with fused multiply-adds
/// where the CPU has them; the dot products (`A`'s rows and `B`'s columns contiguous, few
/// columns) sum in 16 (f32) or 8 (f64) partial sums. Neither depends on which rows are
/// computed together, so a batch cut into chunks gives the same values.
///
/// `plus_row` (a layer's bias), if given, is added to every row of `C` once its sums are
/// complete, `C[i][j] = (Σ_p A[i][p] B[p][j]) + row[j]`: the bits of the product followed
/// by the addition, without another pass over `C`.
///
/// # Panics
///
/// If the inner dimensions differ, `c` does not hold `a.rows × b.cols` values or the row
/// does not hold `b.cols`.
pub(crate) fn matmul<T: Float + 'static>(
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    c: &mut [T],
    plus_row: Option<&[T]>,
) {
    assert_eq!(a.cols, b.rows, "inner dimensions");
    assert_eq!(c.len(), a.rows * b.cols, "output size");
    if let Some(row) = plus_row {
        assert_eq!(row.len(), b.cols, "row length");
    }
    let multiply_adds = a.rows * a.cols * b.cols;
    let worth_blocking = multiply_adds >= BLOCKED_MIN_MULTIPLY_ADDS
        || (a.cols >= DOTS_MIN_INNER && gemm::takes_dots(a, b));
    if worth_blocking && gemm::blocked(a, b, c, plus_row) {
        return;
    }
    // Small products (a one-output layer's gradients) run the plain loop, in wide vectors.
    gemm::on_widest_vectors(
        multiply_adds,
        #[inline(always)]
        || plain_matmul(a, b, c, plus_row),
    );
}

/// Whether [`matmul`] of these sizes would run the tiles if `B`'s rows were contiguous:
/// then a caller holding `B` transposed should copy it first. (With few columns the dot
/// products read `B` by columns and need no copy.)
pub(crate) fn wants_contiguous<T: 'static>(sizes: Sizes) -> bool {
    let multiply_adds = sizes.rows * sizes.inner * sizes.cols;
    multiply_adds >= BLOCKED_MIN_MULTIPLY_ADDS
        && sizes.rows >= TRANSPOSE_MIN_ROWS
        && sizes.cols >= gemm::FEW_COLUMNS
        && gemm::is_blocked_type::<T>()
}

/// A matrix product `C = A B` (plus a row) as the dense layer calls it: [`matmul`], or
/// [`plain_matmul`] where `T` need not be `'static`.
pub(crate) type Product<T> =
    for<'a, 'b, 'c, 'd> fn(MatRef<'a, T>, MatRef<'b, T>, &'c mut [T], Option<&'d [T]>);

/// `C = A B` by the plain loop only, for any `Float` (see [`matmul`]).
///
/// # Panics
///
/// As [`matmul`].
#[inline(always)]
pub(crate) fn plain_matmul<T: Float>(
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    c: &mut [T],
    plus_row: Option<&[T]>,
) {
    assert_eq!(a.cols, b.rows, "inner dimensions");
    assert_eq!(c.len(), a.rows * b.cols, "output size");
    if b.col_stride == 1 {
        rows_by_axpy(a, b, c);
    } else {
        rows_by_dot(a, b, c);
    }
    if let Some(row) = plus_row {
        assert_eq!(row.len(), b.cols, "row length");
        add_to_rows(c, row);
    }
}

/// `C[i][j] += row[j]` for every row of the row-major `c` (`row.len()` columns).
#[inline(always)]
pub(super) fn add_to_rows<T: Copy + core::ops::Add<Output = T>>(c: &mut [T], row: &[T]) {
    // One column (a one-output layer): rows of one value each, as one loop that
    // vectorises; by rows, each value took a loop of its own.
    if let [x] = *row {
        for v in c.iter_mut() {
            *v = *v + x;
        }
        return;
    }
    for c_row in c.chunks_exact_mut(row.len().max(1)) {
        for (v, &x) in c_row.iter_mut().zip(row) {
            *v = *v + x;
        }
    }
}

/// The plain loop when `B`'s rows are contiguous: `C[i] += A[i][p] · B[p]`, which the
/// compiler vectorises along the row.
#[inline(always)]
fn rows_by_axpy<T: Float>(a: MatRef<'_, T>, b: MatRef<'_, T>, c: &mut [T]) {
    let n = b.cols;
    for (i, c_row) in c.chunks_exact_mut(n.max(1)).enumerate().take(a.rows) {
        c_row.iter_mut().for_each(|v| *v = T::zero());
        for p in 0..a.cols {
            let scale = a.at(i, p);
            let b_row = &b.data[p * b.row_stride..][..n];
            for (v, &bv) in c_row.iter_mut().zip(b_row) {
                *v = *v + scale * bv;
            }
        }
    }
}

/// The plain loop otherwise: one dot product per element, in the same order.
#[inline(always)]
fn rows_by_dot<T: Float>(a: MatRef<'_, T>, b: MatRef<'_, T>, c: &mut [T]) {
    let n = b.cols;
    for (i, c_row) in c.chunks_exact_mut(n.max(1)).enumerate().take(a.rows) {
        for (j, v) in c_row.iter_mut().enumerate() {
            *v = (0..a.cols).fold(T::zero(), |acc, p| acc + a.at(i, p) * b.at(p, j));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec;
    use alloc::vec::Vec;

    /// `C = A B` by the definition, in f64 from exactly representable small integers.
    fn by_definition(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    fn small_integers(len: usize, seed: usize) -> Vec<f64> {
        (0..len)
            .map(|i| ((i * 7 + seed * 13) % 11) as f64 - 5.0)
            .collect()
    }

    /// Shapes of every class the layers meet: whole tiles and their remainders in rows
    /// and columns, one output, one input, a batch of one, an inner dimension past `KC`.
    fn shapes() -> &'static [(usize, usize, usize)] {
        // Under Miri (tools/miri.sh), shapes small enough to interpret; the last is a row
        // alone wide enough for the lone row's eight-vector tile in both types on AVX2 and
        // in f64 on AVX-512, with a masked column after it.
        if cfg!(miri) {
            &[(1, 1, 1), (3, 5, 2), (9, 23, 20), (5, 17, 1), (1, 2, 65)]
        } else {
            &[
                (1, 1, 1),
                (3, 5, 2),
                (33, 17, 65),
                (64, 128, 16),
                (9, 300, 20),
                (64, 256, 1),
                (1, 300, 1),
                (1, 64, 64),
                (100, 1, 64),
                (37, 64, 10),
                (13, 600, 33),
                (21, 40, 7),
            ]
        }
    }

    /// `m × k` values as the matrix and as the transpose of a `k × m` one.
    fn both_layouts<T: Copy + Default>(values: &[T], m: usize, k: usize, storage: &mut Vec<T>) {
        storage.clear();
        storage.resize(k * m, T::default());
        for i in 0..m {
            for p in 0..k {
                storage[p * m + i] = values[i * k + p];
            }
        }
    }

    fn views<'a>(
        direct: &'a [f64],
        transposed: &'a [f64],
        rows: usize,
        cols: usize,
    ) -> [MatRef<'a, f64>; 2] {
        [
            MatRef::row_major(direct, rows, cols),
            MatRef::row_major(transposed, cols, rows).t(),
        ]
    }

    /// Runs `C = A B` (plus `row` in every row) on every path: the dispatching `matmul`,
    /// the plain loop, and the blocked kernels built for every instruction set this CPU
    /// runs, in f64 and in f32 (`None` where the layout suits no blocked kernel).
    fn every_path(
        av: MatRef<'_, f64>,
        bv: MatRef<'_, f64>,
        row: Option<&[f64]>,
    ) -> Vec<(String, Vec<f64>)> {
        let len = av.rows * bv.cols;
        let mut results = Vec::new();
        let mut c = vec![f64::NAN; len];
        matmul(av, bv, &mut c, row);
        results.push(("matmul".into(), c.clone()));
        plain_matmul(av, bv, &mut c, row);
        results.push(("plain".into(), c.clone()));
        let a32: Vec<f32> = av.data.iter().map(|&v| v as f32).collect();
        let b32: Vec<f32> = bv.data.iter().map(|&v| v as f32).collect();
        let row32: Option<Vec<f32>> = row.map(|row| row.iter().map(|&v| v as f32).collect());
        let (a32, b32) = (
            MatRef {
                data: &a32,
                ..cast_view(av)
            },
            MatRef {
                data: &b32,
                ..cast_view(bv)
            },
        );
        for isa in gemm::Isa::supported() {
            let mut c = vec![f64::NAN; len];
            if gemm::blocked_on(isa, av, bv, &mut c, row) {
                results.push((format!("f64 {isa:?}"), c));
            }
            let mut c32 = vec![f32::NAN; len];
            if gemm::blocked_on(isa, a32, b32, &mut c32, row32.as_deref()) {
                let back = c32.iter().map(|&v| v as f64).collect();
                results.push((format!("f32 {isa:?}"), back));
            }
        }
        results
    }

    /// Integer products are exact in any summation order, so every path must agree
    /// exactly with the definition: plain loops, blocked kernels on every instruction set,
    /// every transpose, with and without a row added.
    #[test]
    fn every_layout_and_path_gives_the_definition() {
        let (mut a_t, mut b_t) = (Vec::new(), Vec::new());
        for &(m, k, n) in shapes() {
            let a = small_integers(m * k, 1);
            let b = small_integers(k * n, 2);
            let row = small_integers(n, 3);
            both_layouts(&a, m, k, &mut a_t);
            both_layouts(&b, k, n, &mut b_t);
            for plus_row in [None, Some(&row[..])] {
                let mut expected = by_definition(&a, &b, m, k, n);
                if let Some(row) = plus_row {
                    for (v, &x) in expected.iter_mut().zip(row.iter().cycle()) {
                        *v += x;
                    }
                }
                let mut blocked_runs = 0;
                for av in views(&a, &a_t, m, k) {
                    for bv in views(&b, &b_t, k, n) {
                        for (path, c) in every_path(av, bv, plus_row) {
                            assert_eq!(c, expected, "{path} {m}×{k}×{n} {plus_row:?}");
                            blocked_runs += usize::from(path.contains(' '));
                        }
                    }
                }
                // Every shape runs some blocked kernel on every instruction set, both types.
                assert!(
                    blocked_runs >= 2 * gemm::Isa::supported().len(),
                    "{m}×{k}×{n}"
                );
            }
        }
    }

    /// A row is added once each sum is complete, so on values that round every path gives
    /// the bits of its product alone followed by the addition, in its own type: what the
    /// layer's separate pass over `C` computed before the row moved into the kernels.
    #[test]
    #[cfg_attr(
        miri,
        ignore = "the same unsafe paths as every_layout_and_path_gives_the_definition, with rounding values"
    )]
    fn the_row_is_added_after_the_sum() {
        let (mut a_t, mut b_t) = (Vec::new(), Vec::new());
        for &(m, k, n) in shapes() {
            let a: Vec<f64> = (0..m * k).map(|i| (i as f64 * 0.618).sin()).collect();
            let b: Vec<f64> = (0..k * n).map(|i| (i as f64 * 0.377 + 1.0).cos()).collect();
            let row: Vec<f64> = (0..n)
                .map(|j| (j as f64 * 0.71 + 0.3).sin() * 1e3)
                .collect();
            both_layouts(&a, m, k, &mut a_t);
            both_layouts(&b, k, n, &mut b_t);
            for av in views(&a, &a_t, m, k) {
                for bv in views(&b, &b_t, k, n) {
                    let alone = every_path(av, bv, None);
                    let with_row = every_path(av, bv, Some(&row));
                    for ((path, c), (_, c_row)) in alone.iter().zip(&with_row) {
                        let then_added = c.iter().zip(row.iter().cycle()).map(|(&v, &x)| {
                            if path.starts_with("f32") {
                                (v as f32 + x as f32) as f64
                            } else {
                                v + x
                            }
                        });
                        for (expected, &got) in then_added.zip(c_row) {
                            assert_eq!(got.to_bits(), expected.to_bits(), "{path} {m}×{k}×{n}");
                        }
                    }
                }
            }
        }
    }

    /// A product that reads `A` down its columns (`Δᵀ X`) runs its inner dimension in
    /// blocks, each tile going on from the sums in `C`: the bits of the same product on a
    /// row-major copy of `A`, which runs it in one pass, on every instruction set. Values
    /// that round, so a block added in another order, twice or not at all would show.
    #[test]
    fn blocks_of_the_inner_dimension_give_the_bits_of_one_pass() {
        // Under Miri the blocks are 1 KiB of `B` (see `INNER_BLOCK_BYTES`).
        let shapes: &[(usize, usize, usize)] = if cfg!(miri) {
            &[(9, 23, 20), (5, 40, 9)]
        } else {
            &[
                (64, 128, 64),
                (2, 96, 64),
                (9, 300, 20),
                (13, 600, 33),
                (7, 200, 64),
            ]
        };
        macro_rules! check {
            ($float:ty) => {{
                for &(m, k, n) in shapes {
                    let a: Vec<$float> = (0..m * k).map(|i| (i as $float * 0.618).sin()).collect();
                    let b: Vec<$float> = (0..k * n)
                        .map(|i| (i as $float * 0.377 + 1.0).cos())
                        .collect();
                    let row: Vec<$float> = (0..n).map(|j| (j as $float * 0.71).sin()).collect();
                    // `A` stored transposed (`k × m`), read through a transposed view
                    let mut a_t = Vec::new();
                    both_layouts(&a, m, k, &mut a_t);
                    let (direct, down_columns) = (
                        MatRef::row_major(&a, m, k),
                        MatRef::row_major(&a_t, k, m).t(),
                    );
                    let bv = MatRef::row_major(&b, k, n);
                    let depth = blocked::inner_block(down_columns, &bv);
                    assert!(depth.is_some_and(|d| d < k), "{m}×{k}×{n} runs in blocks");
                    assert_eq!(blocked::inner_block(direct, &bv), None);
                    for isa in gemm::Isa::supported() {
                        for plus_row in [None, Some(&row[..])] {
                            let mut one_pass = vec![<$float>::NAN; m * n];
                            let mut in_blocks = vec![<$float>::NAN; m * n];
                            assert!(gemm::blocked_on(isa, direct, bv, &mut one_pass, plus_row));
                            assert!(gemm::blocked_on(
                                isa,
                                down_columns,
                                bv,
                                &mut in_blocks,
                                plus_row
                            ));
                            let bits =
                                |c: &[$float]| c.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                            assert_eq!(
                                bits(&in_blocks),
                                bits(&one_pass),
                                "{isa:?} {m}×{k}×{n} {}",
                                stringify!($float)
                            );
                        }
                    }
                }
            }};
        }
        check!(f64);
        check!(f32);
    }

    /// An inner dimension of one (a one-output layer's `∂L/∂X`) gives each value as a tile
    /// does, `0 + a·b` in one rounding on the builds that fuse (else two), then the row's
    /// term. A product that underflows tells the two apart: −0 fused, +0 rounded twice.
    #[test]
    fn an_inner_dimension_of_one_is_a_multiply_add_from_zero() {
        macro_rules! check {
            ($float:ty, $tiny:expr) => {{
                let (m, n) = (100, 64);
                let mut a: Vec<$float> = (0..m).map(|i| (i as $float * 0.618).sin()).collect();
                let mut b: Vec<$float> =
                    (0..n).map(|j| (j as $float * 0.377 + 1.0).cos()).collect();
                let row: Vec<$float> = (0..n).map(|j| (j as $float * 0.71).sin() * 1e3).collect();
                (a[7], b[3]) = (-$tiny, $tiny);
                let (av, bv) = (MatRef::row_major(&a, m, 1), MatRef::row_major(&b, 1, n));
                for isa in gemm::Isa::supported() {
                    let fused = isa != gemm::Isa::Baseline;
                    for plus_row in [None, Some(&row[..])] {
                        let mut c = vec![<$float>::NAN; m * n];
                        assert!(gemm::blocked_on(isa, av, bv, &mut c, plus_row));
                        for (k, &got) in c.iter().enumerate() {
                            let (x, y) = (a[k / n], b[k % n]);
                            let product = if fused {
                                x.mul_add(y, 0.0)
                            } else {
                                x * y + 0.0
                            };
                            let want = plus_row.map_or(product, |row| product + row[k % n]);
                            let at = (k / n, k % n);
                            assert_eq!(
                                got.to_bits(),
                                want.to_bits(),
                                "{isa:?} {at:?} {got:e} {want:e}"
                            );
                        }
                    }
                }
            }};
        }
        check!(f64, 1e-200);
        check!(f32, 1e-30);
    }

    /// On values that round, the blocked kernels stay within the documented bound of the
    /// plain loop: `|Δc| ≤ 2 k ε Σ_p |A[i][p] B[p][j]|` (a sum of k terms in any order).
    #[test]
    fn blocked_kernels_round_within_the_bound() {
        let (mut a_t, mut b_t) = (Vec::new(), Vec::new());
        for &(m, k, n) in shapes() {
            let a: Vec<f64> = (0..m * k).map(|i| (i as f64 * 0.618).sin()).collect();
            let b: Vec<f64> = (0..k * n).map(|i| (i as f64 * 0.377 + 1.0).cos()).collect();
            both_layouts(&a, m, k, &mut a_t);
            both_layouts(&b, k, n, &mut b_t);
            let abs = |v: &[f64]| v.iter().map(|x| x.abs()).collect::<Vec<_>>();
            let magnitude = by_definition(&abs(&a), &abs(&b), m, k, n);
            for av in views(&a, &a_t, m, k) {
                for bv in views(&b, &b_t, k, n) {
                    let paths = every_path(av, bv, None);
                    let plain = &paths[1].1;
                    for (path, c) in &paths {
                        let eps = if path.starts_with("f32") {
                            f32::EPSILON as f64
                        } else {
                            f64::EPSILON
                        };
                        for ((x, y), size) in c.iter().zip(plain).zip(&magnitude) {
                            let bound = 2.0 * k as f64 * eps * size;
                            assert!((x - y).abs() <= bound, "{path} {m}×{k}×{n}: {x} vs {y}");
                        }
                    }
                }
            }
        }
    }

    /// The same training on every instruction set this CPU runs: the same bits on the
    /// two with fused multiply-adds (AVX-512 and AVX2 tiles sum in the same order, and the
    /// wide builds of the update rules and checks are the same operations), and within
    /// rounding on the compile-time target's build, which multiplies and adds apart.
    #[cfg(feature = "std")]
    #[test]
    #[cfg_attr(
        miri,
        ignore = "hours under Miri; the kernels' own tests cover the unsafe paths"
    )]
    fn every_instruction_set_trains_alike() {
        use crate::{Activation, Adam, Mse, Network, Sgd, Trainer};
        let (x, y): (Vec<f64>, Vec<f64>) = (
            (0..40 * 16).map(|i| (i as f64 * 0.37).sin()).collect(),
            (0..40 * 3).map(|i| (i as f64 * 0.11).cos()).collect(),
        );
        let train = |isa: gemm::Isa| {
            gemm::with_isa(isa, || {
                let network = || {
                    Network::builder(16)
                        .dense(40, Activation::Tanh)
                        .dense(3, Activation::Identity)
                        .seed(3)
                        .build()
                        .unwrap()
                };
                let mut adam = Trainer::new(network(), Mse, Adam::new(1e-2)).unwrap();
                let sgd = Sgd::new(1e-2).momentum(crate::Momentum::Nesterov(0.9));
                let mut sgd = Trainer::new(network(), Mse, sgd).unwrap();
                for _ in 0..5 {
                    adam.step_batch(&x, &y).unwrap();
                    sgd.step_batch(&x, &y).unwrap();
                }
                let mut params = adam.model().params().to_vec();
                params.extend_from_slice(sgd.model().params());
                params
            })
        };
        let isas = gemm::Isa::supported();
        let results: Vec<Vec<f64>> = isas.iter().map(|&isa| train(isa)).collect();
        for (isa, params) in isas.iter().zip(&results) {
            let reference = &results[0];
            if *isa == gemm::Isa::Baseline && isas[0] != gemm::Isa::Baseline {
                for (a, b) in params.iter().zip(reference) {
                    assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "{isa:?}: {a} {b}");
                }
                assert_ne!(params, reference, "{isa:?} rounds differently");
            } else {
                let differ = params.iter().zip(reference).position(|(a, b)| a != b);
                assert_eq!(differ, None, "{isa:?} against {:?}", isas[0]);
            }
        }
    }

    /// The shape of a view, over an empty f32 slice (its data is replaced by the caller).
    fn cast_view(v: MatRef<'_, f64>) -> MatRef<'static, f32> {
        MatRef {
            data: &[],
            rows: v.rows,
            cols: v.cols,
            row_stride: v.row_stride,
            col_stride: v.col_stride,
        }
    }

    #[test]
    #[should_panic(expected = "inner dimensions")]
    fn mismatched_shapes_panic() {
        let a = [1.0; 6];
        let mut c = [0.0; 4];
        matmul(
            MatRef::row_major(&a[..], 2, 3),
            MatRef::row_major(&a[..], 2, 3),
            &mut c,
            None,
        );
    }
}
