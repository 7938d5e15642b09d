//! The one module with `unsafe` code: `C = A B` through `matrixmultiply`'s blocked,
//! run-time-dispatched SIMD kernels (AVX2/FMA and others) for `f32` and `f64`.
//!
//! Two things need `unsafe`, and each block below says why it is sound:
//! - reading a `&[T]` as `&[f32]` (or `f64`) once `TypeId` has shown `T` IS that type
//!   (also used to send slices to the `f32`/`f64` activations of `fast_math`);
//! - calling `matrixmultiply::{sgemm, dgemm}`, which take raw pointers and strides. The
//!   views were bounds-checked when built, and [`check_bounds`] proves every element the
//!   kernel touches lies inside its slice before the call.
//!
//! Measured gain: docs/performance.md, section "benches/network.rs".
#![allow(unsafe_code)]

use core::any::TypeId;

use super::MatRef;

/// Runs `C = A B` with the blocked kernel if `T` is `f32` or `f64`; returns whether it
/// did (otherwise `c` is untouched and the caller runs the plain loop).
///
/// # Panics
///
/// If a view reaches past its slice or `c` is not `a.rows × b.cols` (callers check both).
pub(super) fn blocked<T: 'static>(a: MatRef<'_, T>, b: MatRef<'_, T>, c: &mut [T]) -> bool {
    if let (Some(a), Some(b), Some(c)) = (same::<T, f32>(a), same::<T, f32>(b), same_mut(c)) {
        sgemm(a, b, c);
        return true;
    }
    if let (Some(a), Some(b), Some(c)) = (same::<T, f64>(a), same::<T, f64>(b), same_mut(c)) {
        dgemm(a, b, c);
        return true;
    }
    false
}

/// `values` read as `&[U]`, if `T` is `U`.
pub(super) fn same_slice<T: 'static, U: 'static>(values: &[T]) -> Option<&[U]> {
    if TypeId::of::<T>() != TypeId::of::<U>() {
        return None;
    }
    // SAFETY: `T` and `U` are the same type (equal `TypeId`s), so the pointer, length,
    // alignment and lifetime of `values` describe a valid `&[U]`.
    Some(unsafe { core::slice::from_raw_parts(values.as_ptr().cast::<U>(), values.len()) })
}

/// The view with its data read as `U`, if `T` is `U`.
fn same<T: 'static, U: 'static>(view: MatRef<'_, T>) -> Option<MatRef<'_, U>> {
    if TypeId::of::<T>() != TypeId::of::<U>() {
        return None;
    }
    // SAFETY: `T` and `U` are the same type (equal `TypeId`s), so the pointer, length,
    // alignment and lifetime of `view.data` describe a valid `&[U]`.
    let data =
        unsafe { core::slice::from_raw_parts(view.data.as_ptr().cast::<U>(), view.data.len()) };
    Some(MatRef {
        data,
        rows: view.rows,
        cols: view.cols,
        row_stride: view.row_stride,
        col_stride: view.col_stride,
    })
}

/// `c` read as `&mut [U]`, if `T` is `U`.
pub(super) fn same_mut<T: 'static, U: 'static>(c: &mut [T]) -> Option<&mut [U]> {
    if TypeId::of::<T>() != TypeId::of::<U>() {
        return None;
    }
    // SAFETY: `T` and `U` are the same type (equal `TypeId`s); the exclusive borrow of `c`
    // moves into the result, so no other reference to these values exists meanwhile.
    Some(unsafe { core::slice::from_raw_parts_mut(c.as_mut_ptr().cast::<U>(), c.len()) })
}

/// Asserts every element `(i, j)` of the view lies inside its slice and its strides fit
/// `isize`.
fn check_bounds<T>(view: &MatRef<'_, T>) {
    let fits = |stride: usize| isize::try_from(stride).is_ok();
    assert!(
        fits(view.row_stride) && fits(view.col_stride),
        "stride overflow"
    );
    if view.rows == 0 || view.cols == 0 {
        return;
    }
    let last = (view.rows - 1)
        .checked_mul(view.row_stride)
        .and_then(|r| (view.cols - 1).checked_mul(view.col_stride).map(|c| (r, c)))
        .and_then(|(r, c)| r.checked_add(c));
    assert!(
        matches!(last, Some(last) if last < view.data.len()),
        "matrix view out of bounds"
    );
}

/// The arguments both kernels take, checked.
struct Checked {
    m: usize,
    k: usize,
    n: usize,
}

fn checked<T>(a: &MatRef<'_, T>, b: &MatRef<'_, T>, c: &[T]) -> Checked {
    assert_eq!(a.cols, b.rows, "inner dimensions");
    assert_eq!(c.len(), a.rows * b.cols, "output size");
    check_bounds(a);
    check_bounds(b);
    Checked {
        m: a.rows,
        k: a.cols,
        n: b.cols,
    }
}

fn sgemm(a: MatRef<'_, f32>, b: MatRef<'_, f32>, c: &mut [f32]) {
    let Checked { m, k, n } = checked(&a, &b, c);
    // SAFETY: `checked` asserted that every element `A[i][p]` (i < m, p < k) and
    // `B[p][j]` (p < k, j < n) lies inside `a.data` and `b.data`, and that `c` holds
    // exactly m × n values, which row stride n and column stride 1 address without
    // aliasing. `check_bounds` asserted the strides fit `isize`, and n ≤ c.len() does too,
    // so the `as isize` casts are exact.
    // `c` is borrowed exclusively and `a`, `b` shared, so C overlaps neither. β = 0:
    // matrixmultiply then never reads C, so its previous values (even NaN) do not matter.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.data.as_ptr(),
            a.row_stride as isize,
            a.col_stride as isize,
            b.data.as_ptr(),
            b.row_stride as isize,
            b.col_stride as isize,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

fn dgemm(a: MatRef<'_, f64>, b: MatRef<'_, f64>, c: &mut [f64]) {
    let Checked { m, k, n } = checked(&a, &b, c);
    // SAFETY: as in `sgemm`, with f64: every element read lies inside `a.data` and
    // `b.data`, `c` holds exactly m × n values addressed without aliasing, the strides fit
    // `isize`, C overlaps neither operand, and β = 0 means C is only written.
    unsafe {
        matrixmultiply::dgemm(
            m,
            k,
            n,
            1.0,
            a.data.as_ptr(),
            a.row_stride as isize,
            a.col_stride as isize,
            b.data.as_ptr(),
            b.row_stride as isize,
            b.col_stride as isize,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}
