//! Statistics of one run's samples: the mean's confidence interval and percentile intervals.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Number of contiguous chunks the samples are split into for the mean's interval.
///
/// Consecutive calls are correlated (caches, frequency scaling, a neighbour's load), so treating
/// every call as an independent observation would overstate confidence. Chunk means are much
/// closer to independent, and the t distribution over them gives an honest interval.
pub const CHUNKS: usize = 20;

/// Two-sided confidence level of the intervals.
pub const CONFIDENCE: f64 = 0.95;

/// A confidence interval, in the unit of the samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// The 95 % interval of the mean of `totals` over `counts` (per-chunk sums and call counts),
/// from the t distribution over chunk means.
pub fn mean_interval(samples: &[(f64, u64)]) -> Interval {
    let calls: u64 = samples.iter().map(|(_, n)| n).sum();
    let total: f64 = samples.iter().map(|(sum, _)| sum).sum();
    let mean = if calls == 0 {
        0.0
    } else {
        total / calls as f64
    };
    let chunks = CHUNKS.min(samples.len());
    if chunks < 2 {
        return Interval {
            low: mean,
            high: mean,
        };
    }
    let means: Vec<f64> = (0..chunks)
        .map(|k| {
            let (start, end) = (k * samples.len() / chunks, (k + 1) * samples.len() / chunks);
            let (sum, n) = samples[start..end]
                .iter()
                .fold((0.0, 0u64), |(s, c), (sum, n)| (s + sum, c + n));
            sum / n.max(1) as f64
        })
        .collect();
    let k = means.len() as f64;
    let chunk_mean = means.iter().sum::<f64>() / k;
    let variance = means.iter().map(|m| (m - chunk_mean).powi(2)).sum::<f64>() / (k - 1.0);
    let t = t_quantile(0.5 + CONFIDENCE / 2.0, k - 1.0);
    let half = t * (variance / k).sqrt();
    Interval {
        low: (mean - half).max(0.0),
        high: mean + half,
    }
}

/// The 95 % interval of a mean estimated as `center` from independent estimates `means` (round
/// means of equal weight): Student's t over their spread. With fewer than two, the interval is
/// the point.
pub fn interval_of_means(means: &[f64], center: f64) -> Interval {
    let k = means.len() as f64;
    if means.len() < 2 {
        return Interval {
            low: center,
            high: center,
        };
    }
    let average = means.iter().sum::<f64>() / k;
    let variance = means.iter().map(|m| (m - average).powi(2)).sum::<f64>() / (k - 1.0);
    let half = t_quantile(0.5 + CONFIDENCE / 2.0, k - 1.0) * (variance / k).sqrt();
    Interval {
        low: (center - half).max(0.0),
        high: center + half,
    }
}

/// The 95 % interval of the `q` quantile of `sorted` samples, by order statistics: the ranks
/// between which the true quantile lies with 95 % probability (normal approximation of the
/// binomial count of samples below it). Assumes independent samples.
pub fn quantile_interval(sorted: &[f64], q: f64) -> Interval {
    let n = sorted.len();
    if n == 0 {
        return Interval {
            low: 0.0,
            high: 0.0,
        };
    }
    let nf = n as f64;
    let spread = 1.959_963_985 * (nf * q * (1.0 - q)).sqrt();
    let low = ((nf * q - spread).floor().max(0.0) as usize).min(n - 1);
    let high = ((nf * q + spread).ceil().max(0.0) as usize).min(n - 1);
    Interval {
        low: sorted[low],
        high: sorted[high],
    }
}

/// The `p` quantile of Student's t distribution with `df` degrees of freedom.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::INFINITY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        assert!((t_quantile(0.975, 19.0) - 2.093).abs() < 1e-3);
        assert!((t_quantile(0.975, 1000.0) - 1.962).abs() < 1e-3);
    }

    #[test]
    fn constant_samples_have_a_zero_width_interval() {
        let samples = vec![(100.0, 10); 50];
        let ci = mean_interval(&samples);
        assert!((ci.low - 10.0).abs() < 1e-9 && (ci.high - 10.0).abs() < 1e-9);
    }

    #[test]
    fn interval_covers_the_true_mean_about_95_percent_of_the_time() {
        // Seeded uniform noise around 50; count how often the interval covers 50.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let trials = 400;
        let covered = (0..trials)
            .filter(|_| {
                let samples: Vec<(f64, u64)> =
                    (0..200).map(|_| (40.0 + 20.0 * next(), 1)).collect();
                let ci = mean_interval(&samples);
                ci.low <= 50.0 && 50.0 <= ci.high
            })
            .count();
        let rate = covered as f64 / trials as f64;
        assert!((0.90..=0.99).contains(&rate), "coverage {rate}");
    }

    #[test]
    fn quantile_interval_brackets_the_quantile() {
        let sorted: Vec<f64> = (0..1000).map(f64::from).collect();
        let ci = quantile_interval(&sorted, 0.95);
        assert!(
            ci.low < 950.0 && ci.high > 950.0 && ci.high - ci.low < 40.0,
            "{ci:?}"
        );
        let tiny = quantile_interval(&[5.0], 0.99);
        assert_eq!((tiny.low, tiny.high), (5.0, 5.0));
    }
}
