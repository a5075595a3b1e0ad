//! Least-squares line and median: the two statistics the classification is built from.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// A least-squares line `y = a + b·x`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct LineFit {
    /// `b`, in units of `y` per unit of `x`.
    pub slope: f64,
    /// Share of the variance of `y` the line explains, 0..=1; 1 for a constant `y`, which a flat
    /// line fits exactly (the convention of the regression module's trends).
    pub r_squared: f64,
    /// One-sided p-value of "the slope is greater than 0" (t test, `n - 2` degrees of freedom):
    /// 0 for an exactly fitting rising line, 1 when there are too few points to tell.
    pub rising_p_value: f64,
}

/// Fits a line through the points `(xs[i], ys[i])`. Never panics; degenerate input (fewer than two
/// points, all `x` equal, non-finite values) gives a flat line that is not rising.
pub(super) fn line(xs: &[f64], ys: &[f64]) -> LineFit {
    let not_rising = |r_squared| LineFit {
        slope: 0.0,
        r_squared,
        rising_p_value: 1.0,
    };
    let n = xs.len().min(ys.len());
    if n < 2 {
        return not_rising(1.0);
    }
    let (xs, ys) = (&xs[..n], &ys[..n]);
    let mean_x = xs.iter().sum::<f64>() / n as f64;
    let mean_y = ys.iter().sum::<f64>() / n as f64;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let (dx, dy) = (x - mean_x, y - mean_y);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if !(sxx > 0.0 && sxx.is_finite() && syy.is_finite() && sxy.is_finite()) {
        return not_rising(if syy == 0.0 { 1.0 } else { 0.0 });
    }
    let slope = sxy / sxx;
    let r_squared = if syy > 0.0 {
        (sxy * sxy / (sxx * syy)).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let rising_p_value = if n < 3 {
        1.0
    } else {
        let rss: f64 = xs
            .iter()
            .zip(ys)
            .map(|(x, y)| (y - mean_y - slope * (x - mean_x)).powi(2))
            .sum();
        let std_error = (rss / (n - 2) as f64 / sxx).sqrt();
        // Allocation counts are exact, so a series is often an exact line: the residuals are then
        // rounding, and the t statistic is as large as the evidence is strong.
        if std_error <= f64::EPSILON * slope.abs() {
            if slope > 0.0 { 0.0 } else { 1.0 }
        } else {
            StudentsT::new(0.0, 1.0, (n - 2) as f64)
                .map(|t| 1.0 - t.cdf(slope / std_error))
                .unwrap_or(1.0)
        }
    };
    LineFit {
        slope,
        r_squared,
        rising_p_value,
    }
}

/// The median of `values` (the mean of the middle two for an even count); 0 for no values.
pub(super) fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}
