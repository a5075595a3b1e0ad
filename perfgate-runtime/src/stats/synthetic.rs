//! Seeded synthetic run histories for the statistics tests: no timing, fully reproducible.

/// A small seeded pseudo-random generator (SplitMix64) with normal draws by Box–Muller.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1]: never 0, so its logarithm is finite.
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1_u64 << 53) as f64
    }

    /// A standard normal draw (Box–Muller; the second value of each pair is discarded).
    pub(super) fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// A run mean of an operation whose true mean is `level_us`, with run-to-run noise whose
    /// standard deviation is `noise_percent` of the level (noise scales with the level).
    pub(super) fn run_mean_us(&mut self, level_us: f64, noise_percent: f64) -> f64 {
        level_us * (1.0 + noise_percent / 100.0 * self.normal())
    }
}
