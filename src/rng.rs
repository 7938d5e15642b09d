//! The crate's one random stream, turned into numbers the same way on every platform.
//!
//! The stream is xoshiro256++ (Blackman and Vigna) seeded by expanding a `u64` with
//! SplitMix64, which is exactly `rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64` (a test
//! compares the two). It is written out here, a dozen lines, so that its four words of
//! state can be saved in a checkpoint and restored, which the `rand_xoshiro` type does
//! not allow without its `serde` feature (and that would pull in `std`). Both are defined
//! bit for bit, and the two conversions below use only integer arithmetic and one exact
//! `f64` multiplication, so a seed gives the same weights and the same shuffles
//! everywhere.

/// xoshiro256++: 256 bits of state, never all zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stream {
    s: [u64; 4],
}

impl Stream {
    /// The next 64 random bits (the reference `next()` of xoshiro256plusplus.c).
    pub(crate) fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// The four words of state, to save.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    pub(crate) fn words(&self) -> [u64; 4] {
        self.s
    }

    /// The stream with saved state `words`; `None` for all zeros, the one state from
    /// which xoshiro never leaves (it would give only zeros, and shuffling would never
    /// end).
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    pub(crate) fn from_words(words: [u64; 4]) -> Option<Self> {
        (words != [0; 4]).then_some(Self { s: words })
    }
}

/// The stream for `seed`: four successive SplitMix64 outputs as its state.
pub(crate) fn stream(seed: u64) -> Stream {
    let mut x = seed;
    let mut splitmix = || {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    // Four consecutive outputs of a bijection of a counter: never all zero.
    Stream {
        s: [splitmix(), splitmix(), splitmix(), splitmix()],
    }
}

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
    use rand_core::{RngCore, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn the_stream_is_rand_xoshiro_s_bit_for_bit() {
        for seed in (0..64).chain([u64::MAX, 1 << 63, 0x0123_4567_89ab_cdef]) {
            let (mut ours, mut reference) = (stream(seed), Xoshiro256PlusPlus::seed_from_u64(seed));
            for _ in 0..200 {
                assert_eq!(ours.next_u64(), reference.next_u64(), "seed {seed}");
            }
        }
    }

    #[test]
    fn saved_words_continue_the_stream_and_zero_is_refused() {
        let mut s = stream(11);
        s.next_u64();
        let mut resumed = Stream::from_words(s.words()).unwrap();
        assert_eq!(resumed.next_u64(), s.next_u64());
        assert_eq!(Stream::from_words([0; 4]), None);
    }

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
