//! The one module with `unsafe` code: the type-identity casts that send generic slices to
//! the `f32`/`f64` kernels, and the call of the AVX2/FMA build of the blocked kernel.
//!
//! Each `unsafe` block below says why it is sound:
//! - reading a `&[T]` as `&[f32]` (or `f64`) once `TypeId` has shown `T` IS that type;
//! - calling [`with_avx2_fma`] and [`curve_with_avx2`], `#[target_feature]` functions,
//!   once the CPU has been seen to have those features (`is_x86_feature_detected!`).
//!
//! The kernel itself ([`blocked`](super::blocked)) is safe code, bounds-checked.
//! Measured gain: docs/performance.md, section "benches/network.rs".
#![allow(unsafe_code)]

use core::any::TypeId;

use super::blocked::{self as kernel, Lane};
use super::fast_math::{self, Curve, FastFloat};
use super::MatRef;

/// Runs `C = A B` with the blocked kernel if `T` is `f32` or `f64` and `B`'s rows are
/// contiguous; returns whether it did (otherwise `c` is untouched).
///
/// # Panics
///
/// If the shapes disagree or a view reaches past its slice.
pub(super) fn blocked<T: 'static>(a: MatRef<'_, T>, b: MatRef<'_, T>, c: &mut [T]) -> bool {
    if b.col_stride != 1 {
        return false;
    }
    if let (Some(a), Some(b), Some(c)) = (same::<T, f32>(a), same::<T, f32>(b), same_mut(c)) {
        // 16 f32 per tile row: two AVX vectors.
        run::<f32, 16>(a, b, c);
        return true;
    }
    if let (Some(a), Some(b), Some(c)) = (same::<T, f64>(a), same::<T, f64>(b), same_mut(c)) {
        run::<f64, 8>(a, b, c);
        return true;
    }
    false
}

/// `a = curve(z)`: the AVX2 build where the CPU has it, else the compile-time target's.
pub(super) fn run_curve<F: FastFloat>(curve: Curve, z: &[F], a: &mut [F]) {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: `curve_with_avx2` only assumes the CPU supports AVX2, which was just
        // detected; its body is safe code.
        unsafe { curve_with_avx2(curve, z, a) };
        return;
    }
    fast_math::apply(curve, z, a);
}

/// The activations of `fast_math` compiled for AVX2 (eight f32 or four f64 per vector).
///
/// # Safety
///
/// The CPU must support AVX2.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx2")]
unsafe fn curve_with_avx2<F: FastFloat>(curve: Curve, z: &[F], a: &mut [F]) {
    fast_math::apply(curve, z, a);
}

/// Whether `T` is `f32` or `f64`, the types of the blocked kernel.
pub(super) fn is_blocked_type<T: 'static>() -> bool {
    TypeId::of::<T>() == TypeId::of::<f32>() || TypeId::of::<T>() == TypeId::of::<f64>()
}

/// The AVX2/FMA build where the CPU has it, else the build for the compile-time target.
fn run<F: Lane, const NR: usize>(a: MatRef<'_, F>, b: MatRef<'_, F>, c: &mut [F]) {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        // SAFETY: `with_avx2_fma` only assumes the CPU supports AVX2 and FMA, which was
        // just detected; its body is safe code.
        unsafe { with_avx2_fma::<F, NR>(a, b, c) };
        return;
    }
    kernel::product::<F, NR, false>(a, b, c);
}

/// The blocked kernel compiled for AVX2 with fused multiply-adds.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx2,fma")]
unsafe fn with_avx2_fma<F: Lane, const NR: usize>(a: MatRef<'_, F>, b: MatRef<'_, F>, c: &mut [F]) {
    kernel::product::<F, NR, true>(a, b, c);
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
    Some(MatRef {
        data: same_slice(view.data)?,
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
