//! The dispatch of the kernels: the type-identity casts that send generic slices to the
//! `f32`/`f64` kernels, and the calls of their AVX-512 and AVX2/FMA builds, chosen at run
//! time. (The other `unsafe` code is the `simd` module's registers, and
//! [`blocked`](super::blocked) passing their contract on.)
//!
//! Each `unsafe` block below says why it is sound:
//! - reading a `&[T]` as `&[f32]` (or `f64`) once `TypeId` has shown `T` IS that type;
//! - calling a `#[target_feature]` build (`tiles_avx512`, `dots_avx512`,
//!   `curve_with_avx512`, `with_avx512` behind [`on_widest_vectors`], and their AVX2
//!   twins; built with `std` on x86-64 only) with an [`Isa`] that
//!   `is_x86_feature_detected!` has seen the CPU support; the tiles run the explicit
//!   registers of the `simd` module, whose functions need exactly that.
//!
//! Measured gain: docs/performance.md, section "Issue 17".
#![allow(unsafe_code)]

use core::any::TypeId;

use super::blocked::{self as kernel, Arrays, Lane};
use super::fast_math::{self, Curve, FastFloat};
#[cfg(all(feature = "std", target_arch = "x86_64"))]
use super::simd::{Vector, Vectors};
use super::MatRef;
#[cfg(all(feature = "std", target_arch = "x86_64"))]
use core::arch::x86_64::{__m256, __m256d, __m512, __m512d};

/// The instruction sets the kernels are built for, widest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Isa {
    /// AVX-512 (F) with fused multiply-adds: 16 f32 or 8 f64 per vector, 32 registers.
    Avx512,
    /// AVX2 with fused multiply-adds: 8 f32 or 4 f64 per vector, 16 registers.
    // detected only with std on x86-64; other builds name it in their matches alone
    #[cfg_attr(not(all(feature = "std", target_arch = "x86_64")), allow(dead_code))]
    Avx2Fma,
    /// Whatever the compile-time target has (SSE2 on a default x86-64 build).
    Baseline,
}

impl Isa {
    /// The widest this CPU runs (in tests, the one `with_isa` chose, if narrower).
    pub(super) fn detect() -> Self {
        #[cfg(all(test, feature = "std"))]
        if let Some(isa) = FORCED.with(|forced| forced.get()) {
            return isa.verified();
        }
        Self::widest()
    }

    /// The widest this CPU runs. `is_x86_feature_detected!` caches its answer, so asking
    /// costs a load.
    fn widest() -> Self {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        {
            let avx2_fma =
                std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
            let avx512 = std::is_x86_feature_detected!("avx512f")
                && std::is_x86_feature_detected!("avx512vl");
            if avx2_fma && avx512 {
                return Isa::Avx512;
            }
            if avx2_fma {
                return Isa::Avx2Fma;
            }
        }
        Isa::Baseline
    }

    /// `self` if the CPU runs it, else the widest it does: what makes calling a build
    /// for `self` sound, whoever chose it.
    fn verified(self) -> Self {
        let widest = Isa::widest();
        if widest == Isa::Baseline || (self == Isa::Avx512 && widest != Isa::Avx512) {
            widest
        } else {
            self
        }
    }

    /// Every instruction set this CPU runs (the tests run each).
    #[cfg(test)]
    pub(super) fn supported() -> alloc::vec::Vec<Self> {
        let all = [Isa::Avx512, Isa::Avx2Fma, Isa::Baseline];
        let widest = all
            .iter()
            .position(|&isa| isa == Isa::detect())
            .unwrap_or(2);
        all[widest..].to_vec()
    }
}

#[cfg(all(test, feature = "std"))]
std::thread_local! {
    /// The instruction set [`Isa::detect`] answers on this thread, if a test chose one.
    static FORCED: core::cell::Cell<Option<Isa>> = const { core::cell::Cell::new(None) };
}

/// Runs `f` with every kernel on this thread built for `isa` (or the widest the CPU
/// runs, if it does not run `isa`): how the tests run each build.
#[cfg(all(test, feature = "std"))]
pub(super) fn with_isa<R>(isa: Isa, f: impl FnOnce() -> R) -> R {
    let before = FORCED.with(|forced| forced.replace(Some(isa)));
    let result = f();
    FORCED.with(|forced| forced.set(before));
    result
}

/// Runs `C = A B` (plus `plus_row` in every row) with the blocked kernels if `T` is `f32`
/// or `f64` and the layout suits one of them (see [`kernel`]); returns whether it did
/// (otherwise `c` is untouched).
///
/// # Panics
///
/// If the shapes disagree or a view reaches past its slice.
pub(super) fn blocked<T: 'static>(
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    c: &mut [T],
    plus_row: Option<&[T]>,
) -> bool {
    blocked_on(Isa::detect(), a, b, c, plus_row)
}

/// [`blocked`] built for `isa` (or the widest the CPU runs, if it does not run `isa`).
pub(super) fn blocked_on<T: 'static>(
    isa: Isa,
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    c: &mut [T],
    plus_row: Option<&[T]>,
) -> bool {
    let Some(layout) = Layout::of(a, b) else {
        return false;
    };
    if let (Some(a), Some(b), Some(c)) = (same::<T, f32>(a), same::<T, f32>(b), same_mut(c)) {
        let plus_row = plus_row.map(|row| same_slice(row).expect("the type of C"));
        // Dot products in 16 lanes whatever the vector width: the same sums on every CPU.
        run::<f32, 16, 16>(isa, layout, (a, b), (c, plus_row));
        return true;
    }
    if let (Some(a), Some(b), Some(c)) = (same::<T, f64>(a), same::<T, f64>(b), same_mut(c)) {
        let plus_row = plus_row.map(|row| same_slice(row).expect("the type of C"));
        run::<f64, 8, 8>(isa, layout, (a, b), (c, plus_row));
        return true;
    }
    false
}

/// Whether [`blocked`] would run `C = A B` as dot products.
pub(super) fn takes_dots<T>(a: MatRef<'_, T>, b: MatRef<'_, T>) -> bool {
    Layout::of(a, b) == Some(Layout::Dots)
}

/// Which loop a product runs: dot products where `A`'s rows and `B`'s columns are
/// contiguous and `B` has few columns (or no contiguous rows), tiles where `B`'s rows are
/// contiguous.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Dots,
    Tiles,
}

/// Below this many columns of `B`, dot products beat tiles, whose narrowest columns each
/// run one long chain of dependent multiply-adds.
pub(super) const FEW_COLUMNS: usize = 8;

impl Layout {
    fn of<T>(a: MatRef<'_, T>, b: MatRef<'_, T>) -> Option<Self> {
        let dots = kernel::dots_fit(a, b);
        if dots && (b.cols < FEW_COLUMNS || b.col_stride != 1) {
            Some(Layout::Dots)
        } else if b.col_stride == 1 {
            Some(Layout::Tiles)
        } else {
            None
        }
    }
}

/// The vector registers of `f32` and `f64` on x86-64.
pub(super) trait Registers: Lane {
    /// An AVX-512 register of `Self`.
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    type Avx512: Vector<Self>;
    /// An AVX register of `Self`.
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    type Avx2: Vector<Self>;
}

impl Registers for f32 {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    type Avx512 = __m512;
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    type Avx2 = __m256;
}

impl Registers for f64 {
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    type Avx512 = __m512d;
    #[cfg(all(feature = "std", target_arch = "x86_64"))]
    type Avx2 = __m256d;
}

/// The build of the kernels for `isa`: on AVX-512 and AVX2 tiles of two registers, else
/// tiles of `ARRAY`-value arrays; dot products in `LANES` partial sums.
fn run<F: Registers, const ARRAY: usize, const LANES: usize>(
    isa: Isa,
    layout: Layout,
    (a, b): (MatRef<'_, F>, MatRef<'_, F>),
    (c, plus_row): (&mut [F], Option<&[F]>),
) {
    match (isa.verified(), layout) {
        (_, Layout::Dots) => dots::<F, LANES>(isa, a, b, c, plus_row),
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        // SAFETY: a verified `Avx512` means `is_x86_feature_detected!` saw AVX-512F and FMA.
        (Isa::Avx512, Layout::Tiles) => unsafe { tiles_avx512::<F>(a, b, c, plus_row) },
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        // SAFETY: as above, for AVX2 and FMA.
        (Isa::Avx2Fma, Layout::Tiles) => unsafe { tiles_avx2_fma::<F>(a, b, c, plus_row) },
        // SAFETY: `Arrays` tiles are safe code for the compile-time target.
        _ => unsafe { kernel::product::<F, Arrays<ARRAY, false>, 4>(a, b, c, plus_row) },
    }
}

/// The tiles in AVX-512 registers: 8 rows by two registers (16 of the 32 accumulate).
///
/// # Safety
///
/// The CPU must support AVX-512F and FMA.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
unsafe fn tiles_avx512<F: Registers>(
    a: MatRef<'_, F>,
    b: MatRef<'_, F>,
    c: &mut [F],
    plus_row: Option<&[F]>,
) {
    // SAFETY: the caller guarantees AVX-512F and FMA, all `Vectors<F::Avx512, _>` uses.
    unsafe { kernel::product::<F, Vectors<F::Avx512, 2>, 8>(a, b, c, plus_row) }
}

/// The tiles in AVX registers: 6 rows by two registers (12 of the 16 accumulate, the
/// rest hold `B`'s row and `A`'s value). A multiply-add takes 4 cycles and two start per
/// cycle on Zen 3, so 8 running sums (4 rows) kept the units busy only with nothing else
/// in the way; with 12 a W4 step in f64 took 7 % less time there.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx2,fma")]
unsafe fn tiles_avx2_fma<F: Registers>(
    a: MatRef<'_, F>,
    b: MatRef<'_, F>,
    c: &mut [F],
    plus_row: Option<&[F]>,
) {
    // SAFETY: the caller guarantees AVX2 and FMA, all `Vectors<F::Avx2, _>` uses.
    unsafe { kernel::product::<F, Vectors<F::Avx2, 2>, 6>(a, b, c, plus_row) }
}

/// The dot products built for `isa` (or the widest the CPU runs, if it does not run `isa`).
fn dots<F: Registers, const LANES: usize>(
    isa: Isa,
    a: MatRef<'_, F>,
    b: MatRef<'_, F>,
    c: &mut [F],
    plus_row: Option<&[F]>,
) {
    match isa.verified() {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        // SAFETY: a verified `Avx512` means the CPU has AVX-512F and FMA; the body is safe.
        Isa::Avx512 => unsafe { dots_avx512::<F, LANES>(a, b, c, plus_row) },
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        // SAFETY: a verified `Avx2Fma` means the CPU has AVX2 and FMA; the body is safe.
        Isa::Avx2Fma => unsafe { dots_avx2_fma::<F, LANES>(a, b, c, plus_row) },
        // SAFETY: `Arrays` are safe code for the compile-time target (their tile width
        // is not used by the dot products).
        _ => unsafe { kernel::dots::<F, Arrays<LANES, false>, LANES, false>(a, b, c, plus_row) },
    }
}

/// The dot products compiled for AVX-512.
///
/// # Safety
///
/// The CPU must support AVX-512F and FMA.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
unsafe fn dots_avx512<F: Registers, const LANES: usize>(
    a: MatRef<'_, F>,
    b: MatRef<'_, F>,
    c: &mut [F],
    plus_row: Option<&[F]>,
) {
    // SAFETY: the caller guarantees AVX-512F and FMA, all `Vectors<F::Avx512, _>` uses.
    unsafe { kernel::dots::<F, Vectors<F::Avx512, 2>, LANES, true>(a, b, c, plus_row) }
}

/// The dot products compiled for AVX2 with fused multiply-adds.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx2,fma")]
unsafe fn dots_avx2_fma<F: Registers, const LANES: usize>(
    a: MatRef<'_, F>,
    b: MatRef<'_, F>,
    c: &mut [F],
    plus_row: Option<&[F]>,
) {
    // SAFETY: the caller guarantees AVX2 and FMA, all `Vectors<F::Avx2, _>` uses.
    unsafe { kernel::dots::<F, Vectors<F::Avx2, 2>, LANES, true>(a, b, c, plus_row) }
}

/// `a = curve(z)`: the widest build the CPU runs.
pub(super) fn run_curve<F: FastFloat>(curve: Curve, z: &[F], a: &mut [F]) {
    run_curve_on(Isa::detect(), curve, z, a);
}

/// `a = curve(z)` built for `isa` (or the widest the CPU runs, if it does not run `isa`).
pub(super) fn run_curve_on<F: FastFloat>(isa: Isa, curve: Curve, z: &[F], a: &mut [F]) {
    match isa.verified() {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        // SAFETY: a verified `Avx512` means the CPU has AVX-512F (see `Isa::detect`).
        Isa::Avx512 => unsafe { curve_with_avx512(curve, z, a) },
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        // SAFETY: a verified `Avx2Fma` means the CPU has AVX2 (see `Isa::detect`).
        Isa::Avx2Fma => unsafe { curve_with_avx2(curve, z, a) },
        _ => fast_math::apply::<F, false, false>(curve, z, a),
    }
}

/// The activations of `fast_math` compiled for AVX-512 (16 f32 or 8 f64 per vector).
///
/// # Safety
///
/// The CPU must support AVX-512F.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
unsafe fn curve_with_avx512<F: FastFloat>(curve: Curve, z: &[F], a: &mut [F]) {
    fast_math::apply::<F, true, true>(curve, z, a);
}

/// The activations of `fast_math` compiled for AVX2 (eight f32 or four f64 per vector).
///
/// # Safety
///
/// The CPU must support AVX2.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx2,fma")]
unsafe fn curve_with_avx2<F: FastFloat>(curve: Curve, z: &[F], a: &mut [F]) {
    fast_math::apply::<F, true, false>(curve, z, a);
}

/// `f()`, over `len` values, compiled for the widest vectors the CPU has if `len` is at
/// least [`WIDE_MIN`]: the loops inlined into it (an update rule's, a finiteness check's)
/// vectorise at that width for any number type. The compiler never fuses or reorders
/// floating-point operations for a target feature, so the results are the same bits on
/// every build.
#[inline(always)]
pub(crate) fn on_widest_vectors<R>(len: usize, f: impl FnOnce() -> R) -> R {
    on_widest_vectors_fusing(
        len,
        #[inline(always)]
        |_| f(),
    )
}

/// [`on_widest_vectors`], telling `f` whether its build has fused multiply-adds
/// (AVX-512 or AVX2 with FMA): a constant in each build once inlined, so a loop that
/// asks is compiled twice, never branching.
#[inline(always)]
pub(crate) fn on_widest_vectors_fusing<R>(len: usize, f: impl FnOnce(bool) -> R) -> R {
    if len < WIDE_MIN {
        return f(false);
    }
    match Isa::detect() {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        // SAFETY: `detect` saw AVX-512F/VL, AVX2 and FMA; the closure is safe code.
        Isa::Avx512 => unsafe {
            with_avx512(
                #[inline(always)]
                || f(true),
            )
        },
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        // SAFETY: `detect` saw AVX2 and FMA; the closure is safe code.
        Isa::Avx2Fma => unsafe {
            with_avx2(
                #[inline(always)]
                || f(true),
            )
        },
        _ => f(false),
    }
}

/// Below this many values the out-of-line call costs more than wide vectors save (a
/// one-weight step is a few nanoseconds).
const WIDE_MIN: usize = 64;

/// `f()` compiled for AVX-512.
///
/// # Safety
///
/// The CPU must support AVX-512F/VL, AVX2 and FMA.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
unsafe fn with_avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// `f()` compiled for AVX2.
///
/// # Safety
///
/// The CPU must support AVX2 and FMA.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx2,fma")]
unsafe fn with_avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Whether `T` is `f32` or `f64`, the types of the blocked kernel.
pub(super) fn is_blocked_type<T: 'static>() -> bool {
    TypeId::of::<T>() == TypeId::of::<f32>() || TypeId::of::<T>() == TypeId::of::<f64>()
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
