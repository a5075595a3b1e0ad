//! How an operation's cost grows with its input size: the exponent fitted by least squares on
//! log(cost) against log(n), with its interval, the nearest growth class, and whether the growth
//! is clearly beyond a declared class (`max_complexity`).
//!
//! A class is judged by the slope it would itself show over the same sizes (n log n over 10³–10⁵
//! fits a slope of about 1.1, not 1), plus an allowance ([`allowance`]). Timed costs get
//! [`TOLERANCE`], for constant overheads at small sizes and for caches at large ones, which move
//! with the machine: a linear sum over 8–128 KB fitted n^0.86–1.00 alone but n^1.15 while other
//! test processes shared the caches. Exact instruction counts, which neither moves, get at most
//! half the way to the next faster class's slope, so that a cost nearer that class is not called
//! the declared one (an n log n sort declared `"n"` fails in instruction mode; over 10³–10⁵ the
//! two slopes are only 0.1 apart, too close to tell apart by timing). The cost grows clearly
//! faster than the class when the lower end of the fitted exponent's 95 % interval is above the
//! class's slope plus its allowance.
//!
//! The interval is that of the measurements: each size's mean is known within its own interval,
//! and the slope's uncertainty is theirs carried through the fit. (An interval from the fit's
//! residuals would measure how far the cost is from a pure power law — constant overheads at
//! small sizes, caches at large ones — and with three sizes its t quantile, 12.7, would make it
//! too wide ever to judge.)

use crate::config::COMPLEXITY_CLASSES as CLASSES;

/// The most exponent slack above a class's own slope before the cost is said to grow faster
/// than it (see [`allowance`]).
pub const TOLERANCE: f64 = 0.25;

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The fitted growth of cost with size.
#[derive(Clone, Debug, PartialEq)]
pub struct Growth {
    /// Slope of log(cost) on log(n).
    pub exponent: f64,
    /// Its 95 % interval, from the sizes' intervals of the mean.
    pub interval: (f64, f64),
    /// The class whose own slope over these sizes is nearest the fitted exponent.
    pub nearest: &'static str,
}

/// The class `name`'s cost at size `n`, up to a constant; `None` for an unknown class.
pub fn class_cost(name: &str, n: f64) -> Option<f64> {
    let log = n.max(2.0).ln();
    Some(match name {
        "1" => 1.0,
        "log n" => log,
        "n" => n,
        "n log n" => n * log,
        "n^2" => n * n,
        "n^3" => n * n * n,
        _ => return None,
    })
}

/// Least-squares slope of `y` on `x`, and each point's weight in it (the slope is
/// `Σ weight_i · y_i`).
fn least_squares(x: &[f64], y: &[f64]) -> (f64, Vec<f64>) {
    let k = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / k, y.iter().sum::<f64>() / k);
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let weights = x.iter().map(|a| (a - mx) / sxx).collect();
    (sxy / sxx, weights)
}

/// The slope class `name` shows over `sizes`.
pub fn class_slope(name: &str, sizes: &[f64]) -> Option<f64> {
    let x: Vec<f64> = sizes.iter().map(|n| n.ln()).collect();
    let y: Vec<f64> = sizes
        .iter()
        .map(|n| class_cost(name, *n).map(f64::ln))
        .collect::<Option<_>>()?;
    Some(least_squares(&x, &y).0)
}

/// The growth of `costs` over `sizes`: each cost per call (any unit) with its 95 % interval, as
/// `(mean, low, high)`. `None` with fewer than 3 points or a mean that is not positive and finite.
pub fn growth(sizes: &[f64], costs: &[(f64, f64, f64)]) -> Option<Growth> {
    let usable = |v: &f64| v.is_finite() && *v > 0.0;
    if sizes.len() < 3
        || sizes.len() != costs.len()
        || !sizes.iter().chain(costs.iter().map(|c| &c.0)).all(usable)
    {
        return None;
    }
    let x: Vec<f64> = sizes.iter().map(|n| n.ln()).collect();
    let y: Vec<f64> = costs.iter().map(|c| c.0.ln()).collect();
    let (exponent, weights) = least_squares(&x, &y);
    // Each log-mean's standard error: its interval's half-width over 1.96, relative to the mean.
    let variance: f64 = weights
        .iter()
        .zip(costs)
        .map(|(w, (mean, low, high))| {
            let se = ((high - low) / (2.0 * Z95) / mean).abs();
            (w * if se.is_finite() { se } else { 0.0 }).powi(2)
        })
        .sum();
    let half = Z95 * variance.sqrt();
    let nearest = CLASSES
        .into_iter()
        .min_by(|a, b| {
            let distance = |c: &str| (class_slope(c, sizes).unwrap_or(f64::NAN) - exponent).abs();
            distance(a).total_cmp(&distance(b))
        })
        .unwrap_or("n");
    Some(Growth {
        exponent,
        interval: (exponent - half, exponent + half),
        nearest,
    })
}

/// What a growth was fitted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// Timed means: caches and the machine's load move the slope.
    Timing,
    /// Instruction counts: exact, the same on any machine.
    Instructions,
}

/// The slack allowed above class `max`'s own slope over `sizes`: [`TOLERANCE`]; for exact
/// counts, half the gap to the next faster class's slope when that is less. `None` for an
/// unknown class.
pub fn allowance(max: &str, sizes: &[f64], basis: Basis) -> Option<f64> {
    let own = class_slope(max, sizes)?;
    if basis == Basis::Timing {
        return Some(TOLERANCE);
    }
    let position = CLASSES.iter().position(|c| *c == max)?;
    let half_gap = CLASSES
        .get(position + 1)
        .and_then(|next| class_slope(next, sizes))
        .map(|next| (next - own) / 2.0)
        .filter(|gap| gap.is_finite() && *gap > 0.0);
    Some(half_gap.map_or(TOLERANCE, |gap| gap.min(TOLERANCE)))
}

/// Whether `growth` over `sizes` is clearly beyond the class `max`: the lower end of its interval
/// above the class's own slope plus its [`allowance`]. `None` for an unknown class.
pub fn exceeds(growth: &Growth, max: &str, sizes: &[f64], basis: Basis) -> Option<bool> {
    Some(growth.interval.0 > class_slope(max, sizes)? + allowance(max, sizes, basis)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZES: [f64; 3] = [1_000.0, 10_000.0, 100_000.0];

    /// Costs `f(n)` off by `noise`, each known within ±2 %.
    fn costs(f: impl Fn(f64) -> f64, noise: [f64; 3]) -> Vec<(f64, f64, f64)> {
        SIZES
            .iter()
            .zip(noise)
            .map(|(n, e)| {
                let c = f(*n) * (1.0 + e);
                (c, c * 0.98, c * 1.02)
            })
            .collect()
    }

    #[test]
    fn linear_cost_fits_n_and_quadratic_cost_exceeds_it() {
        let linear = growth(&SIZES, &costs(|n| 0.003 * n + 0.2, [0.02, -0.03, 0.01])).unwrap();
        assert!((linear.exponent - 1.0).abs() < 0.05, "{linear:?}");
        assert_eq!(linear.nearest, "n");
        assert_eq!(exceeds(&linear, "n", &SIZES, Basis::Timing), Some(false));
        assert_eq!(
            exceeds(&linear, "n log n", &SIZES, Basis::Timing),
            Some(false)
        );
        assert_eq!(exceeds(&linear, "1", &SIZES, Basis::Timing), Some(true));

        let quadratic = growth(&SIZES, &costs(|n| 1e-6 * n * n, [0.01, 0.02, -0.02])).unwrap();
        assert!((quadratic.exponent - 2.0).abs() < 0.05, "{quadratic:?}");
        assert_eq!(quadratic.nearest, "n^2");
        assert_eq!(exceeds(&quadratic, "n", &SIZES, Basis::Timing), Some(true));
        assert_eq!(
            exceeds(&quadratic, "n log n", &SIZES, Basis::Timing),
            Some(true)
        );
        assert_eq!(
            exceeds(&quadratic, "n^2", &SIZES, Basis::Timing),
            Some(false)
        );
    }

    #[test]
    fn n_log_n_is_judged_by_its_own_slope_and_constants_do_not_fail_a_class() {
        let sorted = growth(&SIZES, &costs(|n| 0.01 * n * n.ln(), [0.0; 3])).unwrap();
        assert_eq!(sorted.nearest, "n log n");
        assert_eq!(
            exceeds(&sorted, "n log n", &SIZES, Basis::Timing),
            Some(false)
        );
        let slope = class_slope("n log n", &SIZES).unwrap();
        assert!((1.08..1.15).contains(&slope), "{slope}");
        // A large constant overhead flattens the slope: never a failure of a higher class.
        let overhead = growth(&SIZES, &costs(|n| 50.0 + 0.001 * n, [0.0; 3])).unwrap();
        assert_eq!(exceeds(&overhead, "n", &SIZES, Basis::Timing), Some(false));
        // Measurements known within ±2 %: the slope within a few hundredths.
        assert!(
            overhead.interval.1 - overhead.interval.0 < 0.05,
            "{overhead:?}"
        );
    }

    #[test]
    fn an_n_log_n_count_is_nearer_its_class_than_n_and_fails_n() {
        let sorted = growth(&SIZES, &costs(|n| 0.01 * n * n.ln(), [0.01, -0.01, 0.0])).unwrap();
        assert_eq!(
            exceeds(&sorted, "n", &SIZES, Basis::Instructions),
            Some(true),
            "{sorted:?}"
        );
        // By timing, the two are too close to tell apart (caches move a timed slope by more).
        assert_eq!(exceeds(&sorted, "n", &SIZES, Basis::Timing), Some(false));
        assert_eq!(allowance("n", &SIZES, Basis::Timing), Some(TOLERANCE));
        // "n" may grow by half the way to n log n (0.1 apart over these sizes), no more.
        let allowed = allowance("n", &SIZES, Basis::Instructions).unwrap();
        let gap = class_slope("n log n", &SIZES).unwrap() - 1.0;
        assert!((allowed - gap / 2.0).abs() < 1e-12, "{allowed} vs {gap}");
        // Classes far apart keep the full tolerance; the fastest class has no next one.
        assert_eq!(
            allowance("n log n", &SIZES, Basis::Instructions),
            Some(TOLERANCE)
        );
        assert_eq!(
            allowance("n^3", &SIZES, Basis::Instructions),
            Some(TOLERANCE)
        );
        assert_eq!(allowance("quadratic", &SIZES, Basis::Instructions), None);
    }

    #[test]
    fn noisy_sizes_widen_the_interval_and_nothing_is_claimed_from_them() {
        // Means known within ±90 %: a doubling per decade is not called beyond "1".
        let noisy: Vec<(f64, f64, f64)> = [1.0, 2.0, 4.0]
            .iter()
            .map(|c| (*c, c * 0.1, c * 1.9))
            .collect();
        let unsure = growth(&SIZES, &noisy).unwrap();
        assert_eq!(
            exceeds(&unsure, "1", &SIZES, Basis::Timing),
            Some(false),
            "{unsure:?}"
        );
        // Known within ±2 %, the same doubling is a cost that grows: beyond "1".
        let sure = growth(&SIZES, &costs(|n| n.log10().exp2(), [0.0; 3])).unwrap();
        assert_eq!(
            exceeds(&sure, "1", &SIZES, Basis::Timing),
            Some(true),
            "{sure:?}"
        );
    }

    #[test]
    fn too_few_or_unusable_points_are_not_fitted() {
        let exact = |c: f64| (c, c, c);
        assert_eq!(growth(&SIZES[..2], &[exact(1.0), exact(2.0)]), None);
        assert_eq!(
            growth(&SIZES, &[exact(1.0), exact(f64::NAN), exact(3.0)]),
            None
        );
        assert_eq!(growth(&SIZES, &[exact(1.0), exact(0.0), exact(3.0)]), None);
        let g = growth(&SIZES, &[exact(1.0), exact(2.0), exact(4.0)]).unwrap();
        assert_eq!(exceeds(&g, "n^4", &SIZES, Basis::Timing), None);
    }
}
