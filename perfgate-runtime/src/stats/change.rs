//! The change between two runs' means, each known with its 95 % interval: how large, within
//! which bounds, and whether it is more than the two runs' noise (`perfgate compare`).

/// A mean with its 95 % interval, as a report gives it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The mean.
    pub mean: f64,
    /// Lower end of its 95 % interval.
    pub low: f64,
    /// Upper end of its 95 % interval.
    pub high: f64,
}

/// How a new mean differs from an old one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Change {
    /// `new / old - 1`, percent.
    pub percent: f64,
    /// The 95 % interval of that change, percent.
    pub low_percent: f64,
    /// Upper end.
    pub high_percent: f64,
    /// The interval excludes no change: more than the two runs' noise.
    pub significant: bool,
}

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The change from `old` to `new` with its 95 % interval, from both intervals: each half-width is
/// read as 1.96 standard errors, and the ratio's interval is formed on the log scale (delta
/// method: the relative errors add in quadrature), so that it is asymmetric as ratios are.
/// `None` when either mean or interval is not a positive finite figure.
pub fn change_between(old: Estimate, new: Estimate) -> Option<Change> {
    let usable = |e: &Estimate| {
        [e.mean, e.low, e.high].iter().all(|v| v.is_finite())
            && e.mean > 0.0
            && e.low <= e.mean
            && e.mean <= e.high
    };
    if !usable(&old) || !usable(&new) {
        return None;
    }
    let relative_se = |e: &Estimate| (e.high - e.low) / (2.0 * Z95) / e.mean;
    let log_ratio = (new.mean / old.mean).ln();
    let se = relative_se(&old).hypot(relative_se(&new));
    let percent = |log: f64| (log.exp() - 1.0) * 100.0;
    let (low, high) = (log_ratio - Z95 * se, log_ratio + Z95 * se);
    Some(Change {
        percent: percent(log_ratio),
        low_percent: percent(low),
        high_percent: percent(high),
        significant: low > 0.0 || high < 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::interval_of_means;

    fn estimate(mean: f64, half: f64) -> Estimate {
        Estimate {
            mean,
            low: mean - half,
            high: mean + half,
        }
    }

    #[test]
    fn overlapping_runs_are_within_noise_and_separate_ones_significant() {
        let same = change_between(estimate(2.0, 0.1), estimate(2.05, 0.1)).unwrap();
        assert!(!same.significant, "{same:?}");
        assert!(same.low_percent < 0.0 && same.high_percent > 0.0);
        assert!((same.percent - 2.5).abs() < 1e-9);
        let slower = change_between(estimate(2.0, 0.05), estimate(3.0, 0.05)).unwrap();
        assert!(
            slower.significant && slower.low_percent > 40.0,
            "{slower:?}"
        );
        let faster = change_between(estimate(3.0, 0.05), estimate(2.0, 0.05)).unwrap();
        assert!(
            faster.significant && faster.high_percent < -25.0,
            "{faster:?}"
        );
        assert_eq!(change_between(estimate(0.0, 0.0), estimate(1.0, 0.1)), None);
        let reversed = Estimate {
            mean: 1.0,
            low: 2.0,
            high: 3.0,
        };
        assert_eq!(change_between(reversed, estimate(1.0, 0.1)), None);
    }

    /// Two runs of the same thing, each with its t interval over 10 rounds: "significant" about
    /// 1 time in 20 or less (the intervals add in quadrature, so slightly less); a true 10 %
    /// change with the same noise (2 % per round) is found nearly always.
    #[test]
    fn unchanged_runs_are_rarely_called_significant() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut normal = || {
            // Box-Muller from two xorshift draws.
            let mut uniform = || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 11) as f64 / (1u64 << 53) as f64
            };
            let (u, v) = (uniform().max(1e-12), uniform());
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        };
        let mut run = |true_mean: f64| {
            let rounds: Vec<f64> = (0..10)
                .map(|_| true_mean * (1.0 + 0.02 * normal()))
                .collect();
            let mean = rounds.iter().sum::<f64>() / 10.0;
            let ci = interval_of_means(&rounds, mean);
            Estimate {
                mean,
                low: ci.low,
                high: ci.high,
            }
        };
        let trials = 4000;
        let mut false_alarms = 0;
        let mut found = 0;
        for _ in 0..trials {
            let (a, b) = (run(1.0), run(1.0));
            false_alarms += usize::from(change_between(a, b).unwrap().significant);
            let (c, d) = (run(1.0), run(1.1));
            found += usize::from(change_between(c, d).unwrap().significant);
        }
        let false_rate = false_alarms as f64 / trials as f64;
        let power = found as f64 / trials as f64;
        println!(
            "unchanged called significant: {:.2} %; 10 % change found: {:.1} %",
            false_rate * 100.0,
            power * 100.0
        );
        assert!(false_rate < 0.06, "{false_rate}");
        assert!(power > 0.95, "{power}");
    }
}
