//! The crate's one random stream, turned into numbers the same way on every platform.
//!
//! `Xoshiro256PlusPlus::seed_from_u64(seed)` gives a stream of `u64`s fixed by the seed
//! alone (the generator and its SplitMix64 seeding are defined bit for bit). The two
//! conversions below use only integer arithmetic and one exact `f64` multiplication, so
//! a seed gives the same weights and the same shuffles everywhere.

use rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator every seeded operation of the crate draws from.
pub(crate) type Stream = Xoshiro256PlusPlus;

/// A stream fixed by `seed`.
pub(crate) fn stream(seed: u64) -> Stream {
    Xoshiro256PlusPlus::seed_from_u64(seed)
}

/// A uniform `f64` in `[0, 1)`: the top 53 bits of one draw, times `2⁻⁵³`.
///
/// Every value `k · 2⁻⁵³` (`k < 2⁵³`) is equally likely; the product is exact, so there
/// is no rounding that a platform could do differently.
pub(crate) fn unit_f64(stream: &mut Stream) -> f64 {
    const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
    (stream.next_u64() >> 11) as f64 * SCALE
}

/// A uniform integer in `[0, n)`, `n ≥ 1`, by Lemire's multiply-and-reject method.
///
/// The 128-bit product `draw · n` has its high half in `[0, n)`; draws whose low half
/// falls below `2⁶⁴ mod n` are rejected and redrawn, which removes the bias exactly.
pub(crate) fn below(stream: &mut Stream, n: u64) -> u64 {
    debug_assert!(n > 0, "an empty range has no values");
    let threshold = n.wrapping_neg() % n; // 2⁶⁴ mod n
    loop {
        let product = u128::from(stream.next_u64()) * u128::from(n);
        if (product as u64) >= threshold {
            return (product >> 64) as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_the_published_xoshiro256_plus_plus() {
        // seed_from_u64 expands the seed with SplitMix64; the first SplitMix64 outputs for
        // seed 0 are 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f,
        // 0xf88bb8a8724c81ec (Vigna's reference splitmix64.c), and xoshiro256++'s first
        // output is rotl(s0 + s3, 23) + s0.
        let s0: u64 = 0xe220a8397b1dcdaf;
        let s3: u64 = 0xf88bb8a8724c81ec;
        let expected = s0.wrapping_add(s3).rotate_left(23).wrapping_add(s0);
        assert_eq!(stream(0).next_u64(), expected);
    }

    #[test]
    fn unit_values_lie_in_the_half_open_interval() {
        let mut s = stream(7);
        for _ in 0..10_000 {
            let u = unit_f64(&mut s);
            assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn below_covers_its_range_evenly() {
        let mut s = stream(3);
        let mut counts = [0u32; 6];
        for _ in 0..60_000 {
            counts[below(&mut s, 6) as usize] += 1;
        }
        // each count is Binomial(60000, 1/6): mean 10000, sd ≈ 91; 6 sd either side
        assert!(
            counts.iter().all(|&c| (9_450..=10_550).contains(&c)),
            "{counts:?}"
        );
        assert_eq!(below(&mut s, 1), 0);
    }
}
