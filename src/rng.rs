//! The random generator behind `rand`, `randn`, `randint`, `permutation`,
//! `choice`, `bernoulli` and `seed`.
//!
//! A named, portable algorithm written out here — xoshiro256++ seeded by
//! SplitMix64, normals by Box–Muller, integers by rejection, shuffles by
//! Fisher–Yates — so a script prints the same numbers on every platform and
//! after every crate upgrade.

/// xoshiro256++ (Blackman & Vigna, 2019).
#[derive(Debug, Clone, PartialEq)]
pub struct Rng {
    state: [u64; 4],
    /// The second normal of the last Box–Muller pair, not yet handed out.
    spare_normal: Option<f64>,
}

impl Rng {
    /// Expands `seed` into the 256-bit state with SplitMix64.
    pub fn new(seed: u64) -> Self {
        let mut sm = seed;
        let mut next = || {
            sm = sm.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = sm;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            state: [next(), next(), next(), next()],
            spare_normal: None,
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
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

    /// Uniform on [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on 0..n for n >= 1, without modulo bias: outputs below
    /// 2^64 mod n are rejected, so the accepted ones are a whole number of
    /// copies of 0..n before `% n` (the OpenBSD `arc4random_uniform` method).
    pub fn below(&mut self, n: u64) -> u64 {
        let n = n.max(1);
        let threshold = n.wrapping_neg() % n;
        loop {
            let x = self.next_u64();
            if x >= threshold {
                return x % n;
            }
        }
    }

    /// `k` distinct numbers of 0..n in random order (k <= n), by the first
    /// k steps of a Fisher–Yates shuffle: for i in 0..k, entry i swaps with
    /// entry i + below(n - i). With k = n, a uniform permutation.
    pub fn choose(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut items: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            let j = i + self.below((n - i) as u64) as usize;
            items.swap(i, j);
        }
        items.truncate(k);
        items
    }

    /// Standard normal (Box–Muller; both values of a pair are used in turn).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        // 1 - U lies in (0, 1], so the logarithm is finite.
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        let r = (-2.0 * u1.ln()).sqrt();
        let theta = std::f64::consts::TAU * u2;
        self.spare_normal = Some(r * theta.sin());
        r * theta.cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    /// The first outputs for seed 0 are pinned: a change here changes every
    /// golden file, so it must be deliberate.
    #[test]
    fn stream_is_pinned() {
        let mut r = Rng::new(0);
        let first: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(
            first,
            vec![0x53175d61490b23df, 0x61da6f3dc380d507, 0x5c0fdf91ec9a7bfc]
        );
    }

    /// Counts of `draws` over `bins` equally likely outcomes give a
    /// chi-square statistic below a bound far in its tail (the mean is
    /// bins - 1; a biased method fails by orders of magnitude).
    fn chi_square_ok(counts: &[u64], draws: u64) {
        let bins = counts.len() as f64;
        let expected = draws as f64 / bins;
        let chi2: f64 = counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum();
        // mean + 6 standard deviations of chi-square with bins - 1 dof.
        let bound = (bins - 1.0) + 6.0 * (2.0 * (bins - 1.0)).sqrt();
        assert!(chi2 < bound, "chi-square {chi2} over {bins} bins");
    }

    #[test]
    fn below_is_uniform() {
        let mut r = Rng::new(3);
        for n in [1u64, 2, 7, 10, 97] {
            let mut counts = vec![0u64; n as usize];
            let draws = 20_000 * n;
            for _ in 0..draws {
                counts[r.below(n) as usize] += 1;
            }
            if n > 1 {
                chi_square_ok(&counts, draws);
            }
        }
    }

    /// Near 2^63 a plain `% n` would make the low half twice as likely.
    #[test]
    fn below_has_no_modulo_bias_for_huge_ranges() {
        let mut r = Rng::new(5);
        let n = (1u64 << 63) + (1u64 << 62);
        let draws = 100_000;
        let low = (0..draws).filter(|_| r.below(n) < n / 2).count() as f64;
        // Unbiased: one half; modulo bias would give two thirds.
        assert!((low / draws as f64 - 0.5).abs() < 0.01);
    }

    #[test]
    fn every_permutation_of_four_is_equally_likely() {
        let mut r = Rng::new(11);
        let mut counts = std::collections::HashMap::new();
        let draws = 240_000;
        for _ in 0..draws {
            *counts.entry(r.choose(4, 4)).or_insert(0u64) += 1;
        }
        assert_eq!(counts.len(), 24);
        chi_square_ok(&counts.into_values().collect::<Vec<_>>(), draws);
    }

    #[test]
    fn choices_are_distinct_and_every_item_equally_likely() {
        let mut r = Rng::new(13);
        let (n, k, rounds) = (10, 3, 50_000u64);
        let mut counts = vec![0u64; n];
        for _ in 0..rounds {
            let pick = r.choose(n, k);
            let mut sorted = pick.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), k);
            for i in pick {
                counts[i] += 1;
            }
        }
        chi_square_ok(&counts, rounds * k as u64);
    }

    #[test]
    fn moments_are_plausible() {
        let mut r = Rng::new(1);
        let n = 100_000;
        let u: f64 = (0..n).map(|_| r.uniform()).sum::<f64>() / n as f64;
        let z: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = z.iter().sum::<f64>() / n as f64;
        let var = z.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((u - 0.5).abs() < 0.01);
        assert!(mean.abs() < 0.01 && (var - 1.0).abs() < 0.02);
    }
}
