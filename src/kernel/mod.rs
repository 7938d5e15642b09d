//! Matrix products for the dense layers: one generic loop for every `Float`, and a
//! register-blocked kernel for `f32` and `f64` ([`blocked`]), built for AVX2/FMA and
//! chosen at run time where the CPU has them ([`gemm`]).
//!
//! Activations run over whole slices too: [`Kernels::fast`] sends the built-in tanh and
//! sigmoid in `f32` and `f64` to the vectorisable [`fast_math`].
//!
//! The layers need three products per layer (docs/math.md, equations 4–7):
//! `Z = X Wᵀ`, `∂W = Δᵀ X` and `∂X = Δ W`. All three are `C = A B` with `A` or `B`
//! read transposed, so a matrix here is a view with a row stride and a column stride:
//! a transpose only swaps the strides.

mod blocked;
pub(crate) mod fast_math;
use fast_math::Curve;
mod gemm;

use core::any::Any;
use num_traits::Float;

use crate::activation::{Activation, ActivationFunction};

/// Runs both closures, on rayon's threads with the `parallel` feature.
#[cfg(feature = "parallel")]
pub(crate) fn join(first: impl FnOnce() + Send, second: impl FnOnce() + Send) {
    rayon::join(first, second);
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
    /// Whether a product of this many multiply-adds runs faster on a row-contiguous `B`.
    pub wants_contiguous: fn(usize) -> bool,
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
        activation.forward_slice(z, a);
    }
}

/// Below this many multiply-adds a product runs the plain loop: on tiny matrices (a batch
/// of one) the tiles are mostly edges and the forward pass's copy of `Wᵀ` costs more than
/// it saves.
const BLOCKED_MIN_MULTIPLY_ADDS: usize = 4096;

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
/// starting at zero (so a one-term sum is exactly that term). The blocked kernel, used for
/// `f32` and `f64` above [`BLOCKED_MIN_MULTIPLY_ADDS`] when `B`'s rows are contiguous
/// (see [`wants_contiguous`]), sums in the same order, with fused multiply-adds where the
/// CPU has them: it differs from the loop by rounding only.
///
/// # Panics
///
/// If the inner dimensions differ or `c` does not hold `a.rows × b.cols` values.
pub(crate) fn matmul<T: Float + 'static>(a: MatRef<'_, T>, b: MatRef<'_, T>, c: &mut [T]) {
    assert_eq!(a.cols, b.rows, "inner dimensions");
    assert_eq!(c.len(), a.rows * b.cols, "output size");
    let multiply_adds = a.rows * a.cols * b.cols;
    if multiply_adds >= BLOCKED_MIN_MULTIPLY_ADDS && gemm::blocked(a, b, c) {
        return;
    }
    plain_matmul(a, b, c);
}

/// Whether [`matmul`] of this many multiply-adds would run the blocked kernel if `B`'s
/// rows were contiguous: then a caller holding `B` transposed should copy it first.
pub(crate) fn wants_contiguous<T: 'static>(multiply_adds: usize) -> bool {
    multiply_adds >= BLOCKED_MIN_MULTIPLY_ADDS && gemm::is_blocked_type::<T>()
}

/// A matrix product `C = A B` as the dense layer calls it: [`matmul`], or
/// [`plain_matmul`] where `T` need not be `'static`.
pub(crate) type Product<T> = for<'a, 'b, 'c> fn(MatRef<'a, T>, MatRef<'b, T>, &'c mut [T]);

/// `C = A B` by the plain loop only, for any `Float` (see [`matmul`]).
///
/// # Panics
///
/// As [`matmul`].
pub(crate) fn plain_matmul<T: Float>(a: MatRef<'_, T>, b: MatRef<'_, T>, c: &mut [T]) {
    assert_eq!(a.cols, b.rows, "inner dimensions");
    assert_eq!(c.len(), a.rows * b.cols, "output size");
    if b.col_stride == 1 {
        rows_by_axpy(a, b, c);
    } else {
        rows_by_dot(a, b, c);
    }
}

/// The plain loop when `B`'s rows are contiguous: `C[i] += A[i][p] · B[p]`, which the
/// compiler vectorises along the row.
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

    /// Integer products are exact in any summation order, so every path must agree
    /// exactly with the definition: plain loops, blocked kernels, every transpose.
    #[test]
    fn every_layout_and_path_gives_the_definition() {
        // Under Miri (tools/miri.sh), shapes small enough to interpret; 9×23×20 is above
        // BLOCKED_MIN_MULTIPLY_ADDS, so the blocked kernels run, with whole tiles and
        // remainders in rows and columns.
        let shapes: &[(usize, usize, usize)] = if cfg!(miri) {
            &[(1, 1, 1), (3, 5, 2), (9, 23, 20)]
        } else {
            &[
                (1, 1, 1),
                (3, 5, 2),
                (33, 17, 65),
                (64, 128, 16),
                (9, 300, 20),
            ]
        };
        for &(m, k, n) in shapes {
            let a = small_integers(m * k, 1);
            let b = small_integers(k * n, 2);
            let expected = by_definition(&a, &b, m, k, n);
            let mut a_transposed = vec![0.0; k * m];
            for i in 0..m {
                for p in 0..k {
                    a_transposed[p * m + i] = a[i * k + p];
                }
            }
            let mut b_transposed = vec![0.0; n * k];
            for p in 0..k {
                for j in 0..n {
                    b_transposed[j * k + p] = b[p * n + j];
                }
            }
            let a_views = [
                MatRef::row_major(&a[..], m, k),
                MatRef::row_major(&a_transposed[..], k, m).t(),
            ];
            let b_views = [
                MatRef::row_major(&b[..], k, n),
                MatRef::row_major(&b_transposed[..], n, k).t(),
            ];
            for av in a_views {
                for bv in b_views {
                    let mut c = vec![f64::NAN; m * n];
                    matmul(av, bv, &mut c);
                    assert_eq!(c, expected, "f64 {m}×{k}×{n}");
                    let a32: Vec<f32> = av.data.iter().map(|&v| v as f32).collect();
                    let b32: Vec<f32> = bv.data.iter().map(|&v| v as f32).collect();
                    let mut c32 = vec![f32::NAN; m * n];
                    matmul(
                        MatRef {
                            data: &a32,
                            ..cast_view(av)
                        },
                        MatRef {
                            data: &b32,
                            ..cast_view(bv)
                        },
                        &mut c32,
                    );
                    let back: Vec<f64> = c32.iter().map(|&v| v as f64).collect();
                    assert_eq!(back, expected, "f32 {m}×{k}×{n}");
                    let mut plain = vec![f64::NAN; m * n];
                    plain_matmul(av, bv, &mut plain);
                    assert_eq!(plain, expected, "plain {m}×{k}×{n}");
                }
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
        );
    }
}
