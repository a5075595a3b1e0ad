use super::compare::*;
use super::synthetic::Rng;
use super::trend::{GrowthModel, TREND_SIGNIFICANCE_LEVEL, trend};
use crate::severity::Severity;

/// Run-to-run noise of the synthetic histories, percent of the mean.
const NOISE_PERCENT: f64 = 3.0;
/// Baseline runs: a month of daily scheduled runs inside `baseline_comparison_days` gives 20 or
/// more. With only 10 the t quantile and the prediction interval widen, and a 15 % step is caught
/// in about 95.4 % of trials instead of 98.6 %.
const BASELINE_RUNS: usize = 20;
/// Synthetic histories per rate. The brief's 500 would estimate a rate with a sampling standard
/// deviation of about 1 point at 95 %, as large as the margins tested (the method's exact rates are
/// 0.90 % false alarms and 95.4 % detection of a 15 % step), so a 500-trial assertion would pass or
/// fail by the luck of the seed. 50 000 trials pin the rates to ±0.1 point.
const TRIALS: usize = 50_000;
const SEED: u64 = 0x9E3F_2024_0001;

/// How a slowdown changes a run's noise in the synthetic histories.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// The whole distribution shifts: same noise in microseconds (what the prediction interval
    /// assumes, and what "a 15 % step" means literally).
    Shift,
    /// The noise scales with the level: a 15 % slower run is also 15 % noisier.
    Scale,
}

/// Trials whose rate is also printed on its own: the 500 of the original requirement.
const FIRST_TRIALS: usize = 500;

/// Fraction of synthetic histories (`BASELINE_RUNS` baseline runs at 100 µs with 3 % noise, then one run
/// `step_percent` slower) reported as a regression: over all `TRIALS`, and over the first 500.
fn regression_rate(step_percent: f64, step: Step, rng: &mut Rng) -> (f64, f64) {
    let settings = RegressionSettings::default();
    let slower_us = 100.0 * (1.0 + step_percent / 100.0);
    let alarms: Vec<bool> = (0..TRIALS)
        .map(|_| {
            let baseline: Vec<f64> = (0..BASELINE_RUNS)
                .map(|_| rng.run_mean_us(100.0, NOISE_PERCENT))
                .collect();
            let current = match step {
                Step::Shift => slower_us - 100.0 + rng.run_mean_us(100.0, NOISE_PERCENT),
                Step::Scale => rng.run_mean_us(slower_us, NOISE_PERCENT),
            };
            matches!(
                compare(&baseline, current, &settings),
                Comparison::Regression { .. }
            )
        })
        .collect();
    let rate = |alarms: &[bool]| {
        alarms.iter().filter(|&&alarm| alarm).count() as f64 / alarms.len() as f64
    };
    (rate(&alarms), rate(&alarms[..FIRST_TRIALS]))
}

/// Run with `cargo test regression::tests::detection -- --nocapture` to see the rates.
#[test]
fn detection_and_false_alarm_rates_with_three_percent_noise() {
    let mut rng = Rng::new(SEED);
    let percent = |(all, first): (f64, f64)| {
        format!(
            "{:5.2} % (first {FIRST_TRIALS}: {:5.1} %)",
            all * 100.0,
            first * 100.0
        )
    };
    let false_alarms = regression_rate(0.0, Step::Shift, &mut rng);
    println!(
        "{TRIALS} trials each, {BASELINE_RUNS} baseline runs, {NOISE_PERCENT} % run-to-run noise, \
         default settings (99 % one-sided, 5 % minimum change)"
    );
    println!("false alarms, no change:   {}", percent(false_alarms));
    let mut shift_rates = Vec::new();
    for step in [5.0, 10.0, 15.0] {
        let shift = regression_rate(step, Step::Shift, &mut rng);
        let scale = regression_rate(step, Step::Scale, &mut rng);
        println!("{step:2} % step detected:      {}", percent(shift));
        println!("  if the noise scales too: {}", percent(scale));
        shift_rates.push(shift);
    }
    // The requirement, literally: over the first 500 seeded trials, at most 1 % false alerts and
    // at least 95 % of 15 % steps detected.
    assert!(
        false_alarms.1 <= 0.01,
        "false alerts in the first {FIRST_TRIALS}: {}",
        false_alarms.1
    );
    assert!(
        shift_rates[2].1 >= 0.95,
        "15 % steps detected in the first {FIRST_TRIALS}: {}",
        shift_rates[2].1
    );
    // Over all trials: the false-alarm rate is the interval's nominal 1 % (a 99 % one-sided
    // prediction interval), within three Monte-Carlo standard errors; detection stays above 95 %.
    let tolerance = 3.0 * (0.01 * 0.99 / TRIALS as f64).sqrt();
    assert!(
        false_alarms.0 <= 0.01 + tolerance,
        "false-alarm rate {}",
        false_alarms.0
    );
    assert!(
        shift_rates[2].0 >= 0.95,
        "15 % step detected in only {}",
        shift_rates[2].0
    );
    assert!(
        shift_rates.windows(2).all(|pair| pair[0].0 < pair[1].0),
        "power grows with the step: {shift_rates:?}"
    );
}

#[test]
fn severity_bands_have_their_documented_boundaries() {
    let cases = [
        (f64::NAN, None),
        (-20.0, None),
        (4.999, None),
        (5.0, Some(Severity::Low)),
        (14.999, Some(Severity::Low)),
        (15.0, Some(Severity::Medium)),
        (29.999, Some(Severity::Medium)),
        (30.0, Some(Severity::High)),
        (50.0, Some(Severity::High)),
        (50.001, Some(Severity::Critical)),
        (400.0, Some(Severity::Critical)),
    ];
    for (percent, expected) in cases {
        assert_eq!(
            Severity::from_degradation_percent(percent),
            expected,
            "{percent} %"
        );
    }
    let names: Vec<String> = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(names, ["LOW", "MEDIUM", "HIGH", "CRITICAL"]);
}

/// Ten runs at 98 and 102 µs: mean 100 µs, s = 2.108 µs.
fn two_level_baseline() -> Vec<f64> {
    [98.0, 102.0].repeat(5)
}

#[test]
fn regressions_get_the_severity_of_their_degradation() {
    let baseline = two_level_baseline();
    let settings = RegressionSettings::default();
    for (current, expected) in [
        (107.0, Severity::Low),
        (114.9, Severity::Low),
        (115.0, Severity::Medium),
        (130.0, Severity::High),
        (150.0, Severity::High),
        (150.1, Severity::Critical),
    ] {
        match compare(&baseline, current, &settings) {
            Comparison::Regression {
                severity,
                degradation_percent,
                degradation_ci_percent: (low, high),
                baseline_mean_us,
                ..
            } => {
                assert_eq!(severity, expected, "{current} µs");
                assert!((degradation_percent - (current - 100.0)).abs() < 1e-9);
                assert!(low < degradation_percent && degradation_percent < high);
                assert!((baseline_mean_us - 100.0).abs() < 1e-9);
            }
            other => panic!("{current} µs: {other:?}"),
        }
    }
}

#[test]
fn prediction_bound_and_p_value_follow_the_t_formula() {
    // s = sqrt(40 / 9); bound = 100 + t(0.99; 9) * s * sqrt(1.1), t(0.99; 9) = 2.821437925.
    let s = (40.0_f64 / 9.0).sqrt();
    let bound = 100.0 + 2.821_437_925 * s * 1.1_f64.sqrt();
    let settings = RegressionSettings::default();
    let below = compare(&two_level_baseline(), bound - 0.01, &settings);
    let above = compare(&two_level_baseline(), bound + 0.01, &settings);
    match below {
        Comparison::Unchanged { p_value, .. } => assert!(p_value > 0.01 && p_value < 0.0101),
        other => panic!("{other:?}"),
    }
    match above {
        Comparison::Regression {
            p_value,
            degradation_ci_percent: (low, high),
            ..
        } => {
            assert!(p_value < 0.01 && p_value > 0.0099, "{p_value}");
            // Baseline mean's 99 % CI: 100 ± t(0.995; 9) * s / sqrt(10), t(0.995; 9) = 3.249835542.
            let half = 3.249_835_542 * s / 10.0_f64.sqrt();
            let x = bound + 0.01;
            assert!((low - (x / (100.0 + half) - 1.0) * 100.0).abs() < 1e-6);
            assert!((high - (x / (100.0 - half) - 1.0) * 100.0).abs() < 1e-6);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn significant_but_small_changes_are_unchanged() {
    // A very quiet baseline: 4 % slower is far outside the noise but under the 5 % floor.
    let baseline = [100.0, 100.1, 99.9, 100.0, 100.05, 99.95];
    match compare(&baseline, 104.0, &RegressionSettings::default()) {
        Comparison::Unchanged {
            change_percent,
            p_value,
        } => {
            assert!((change_percent - 4.0).abs() < 1e-9);
            assert!(p_value < 0.01, "{p_value}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn identical_baseline_means_use_the_noise_floor() {
    let baseline = [100.0; 8];
    let settings = RegressionSettings::default();
    assert_eq!(
        compare(&baseline, 100.0, &settings),
        Comparison::Unchanged {
            change_percent: 0.0,
            p_value: 0.5
        }
    );
    assert!(matches!(
        compare(&baseline, 104.9, &settings),
        Comparison::Unchanged { .. }
    ));
    assert!(matches!(
        compare(&baseline, 106.0, &settings),
        Comparison::Regression {
            severity: Severity::Low,
            ..
        }
    ));
    // Even with no floor at all: no NaN, no panic.
    let no_floor = RegressionSettings {
        noise_floor_percent: 0.0,
        ..settings
    };
    match compare(&baseline, 100.0, &no_floor) {
        Comparison::Unchanged {
            change_percent,
            p_value,
        } => assert!(change_percent == 0.0 && !p_value.is_nan()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn improvements_are_reported_as_percent_faster() {
    let mut rng = Rng::new(SEED ^ 0x1A);
    let baseline: Vec<f64> = (0..BASELINE_RUNS)
        .map(|_| rng.run_mean_us(100.0, NOISE_PERCENT))
        .collect();
    let mean = baseline.iter().sum::<f64>() / baseline.len() as f64;
    match compare(&baseline, 57.7, &RegressionSettings::default()) {
        Comparison::Improvement {
            improvement_percent,
            p_value,
            baseline_mean_us,
        } => {
            assert!((baseline_mean_us - mean).abs() < 1e-9);
            assert!((improvement_percent - (1.0 - 57.7 / mean) * 100.0).abs() < 1e-9);
            assert!(improvement_percent > 40.0 && p_value < 1e-6);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn too_few_runs_is_no_baseline() {
    let settings = RegressionSettings {
        min_samples: 5,
        ..RegressionSettings::default()
    };
    assert_eq!(
        compare(&[100.0, 101.0, 99.0, 100.0], 500.0, &settings),
        Comparison::NoBaseline { have: 4, need: 5 }
    );
    // Non-finite means do not count.
    assert_eq!(
        compare(
            &[100.0, f64::NAN, 101.0, f64::INFINITY, 99.0, 100.0],
            500.0,
            &settings
        ),
        Comparison::NoBaseline { have: 4, need: 5 }
    );
    // A spread needs two runs, whatever the setting.
    let one = RegressionSettings {
        min_samples: 0,
        ..settings
    };
    assert_eq!(
        compare(&[100.0], 500.0, &one),
        Comparison::NoBaseline { have: 1, need: 2 }
    );
}

#[test]
fn unusable_inputs_are_reported_not_panicked_on() {
    let baseline = two_level_baseline();
    let settings = RegressionSettings::default();
    assert!(matches!(
        compare(&baseline, f64::NAN, &settings),
        Comparison::InvalidInput { .. }
    ));
    assert!(matches!(
        compare(&[-1.0, 0.0, 1.0, -2.0, 0.5], 1.0, &settings),
        Comparison::InvalidInput { .. }
    ));
    // Means whose sum overflows (once made statrs panic on a NaN scale).
    assert!(matches!(
        compare(&[1e308, 1e308, 1e308, 1e308, 1e308], 1.0, &settings),
        Comparison::InvalidInput { .. }
    ));
    assert!(matches!(
        compare(&[1.0, 1e308, 1.0, 1e308, 1.0], 1.0, &settings),
        Comparison::InvalidInput { .. } | Comparison::NoBaseline { .. }
    ));
    for confidence in [f64::NAN, -1.0, 0.0, 1.0, 2.0] {
        let odd = RegressionSettings {
            confidence,
            ..settings.clone()
        };
        let outcome = compare(&baseline, 1000.0, &odd);
        assert!(
            matches!(outcome, Comparison::Regression { .. }),
            "{confidence}: {outcome:?}"
        );
    }
}

// ---- trends ----

fn noisy_series(rng: &mut Rng, runs: usize, level_us: impl Fn(f64) -> f64) -> Vec<f64> {
    (0..runs)
        .map(|i| rng.run_mean_us(level_us(i as f64), 1.0))
        .collect()
}

#[test]
fn linear_and_exponential_growth_are_told_apart() {
    let mut rng = Rng::new(SEED ^ 0x7E);
    let (mut linear_right, mut exponential_right) = (0, 0);
    const SERIES: usize = 50;
    for _ in 0..SERIES {
        let linear = noisy_series(&mut rng, 20, |i| 100.0 + 5.0 * i);
        let exponential = noisy_series(&mut rng, 20, |i| 100.0 * 1.08_f64.powf(i));
        let linear = trend(&linear, None).expect("trend");
        let exponential = trend(&exponential, None).expect("trend");
        linear_right += usize::from(linear.model == GrowthModel::Linear);
        exponential_right += usize::from(exponential.model == GrowthModel::Exponential);
        assert!((exponential.growth_percent_per_run - 8.0).abs() < 1.0);
        assert!((linear.slope_us_per_run - 5.0).abs() < 1.0);
    }
    println!(
        "20 runs, 1 % noise: linear recognised {linear_right}/{SERIES}, \
         exponential {exponential_right}/{SERIES}"
    );
    assert_eq!((linear_right, exponential_right), (SERIES, SERIES));
}

#[test]
fn projection_finds_the_known_crossing_of_an_exact_line() {
    // y = 10 + 2i for i = 0..=9 (last 28 µs) reaches 40 µs at i = 15: six runs after the last.
    let line: Vec<f64> = (0..10).map(|i| 10.0 + 2.0 * f64::from(i)).collect();
    let fit = trend(&line, Some(40.0)).expect("trend");
    assert_eq!(fit.model, GrowthModel::Linear);
    assert!((fit.slope_us_per_run - 2.0).abs() < 1e-12);
    assert!(fit.slope_p_value < 1e-12 && fit.r_squared_linear > 1.0 - 1e-12);
    let runs = fit.runs_until_budget.expect("projection");
    assert!((runs - 6.0).abs() < 1e-9, "{runs}");

    // y = 10 · 1.1^i for i = 0..=9 reaches 10 · 1.1^14 five runs after the last.
    let curve: Vec<f64> = (0..10).map(|i| 10.0 * 1.1_f64.powi(i)).collect();
    let fit = trend(&curve, Some(10.0 * 1.1_f64.powi(14))).expect("trend");
    assert_eq!(fit.model, GrowthModel::Exponential);
    assert!((fit.growth_percent_per_run - 10.0).abs() < 1e-9);
    let runs = fit.runs_until_budget.expect("projection");
    assert!((runs - 5.0).abs() < 1e-9, "{runs}");
}

#[test]
fn no_projection_without_significant_growth_or_once_over_budget() {
    let flat = [50.0; 6];
    let fit = trend(&flat, Some(100.0)).expect("trend");
    assert_eq!(fit.model, GrowthModel::Flat);
    assert_eq!(
        (
            fit.slope_us_per_run,
            fit.slope_p_value,
            fit.runs_until_budget
        ),
        (0.0, 1.0, None)
    );

    let falling: Vec<f64> = (0..8).map(|i| 100.0 - 3.0 * f64::from(i)).collect();
    let fit = trend(&falling, Some(200.0)).expect("trend");
    assert_eq!(fit.model, GrowthModel::Linear);
    assert!(fit.slope_us_per_run < 0.0 && fit.runs_until_budget.is_none());

    let rising: Vec<f64> = (0..8).map(|i| 100.0 + 3.0 * f64::from(i)).collect();
    assert!(
        trend(&rising, Some(110.0))
            .expect("trend")
            .runs_until_budget
            .is_none()
    );
    assert!(
        trend(&rising, Some(f64::NAN))
            .expect("trend")
            .runs_until_budget
            .is_none()
    );
    assert!(
        trend(&rising, None)
            .expect("trend")
            .runs_until_budget
            .is_none()
    );

    // Noise around a level without a slope is Flat.
    let wobble = [100.0, 103.0, 98.0, 101.0, 97.0, 102.0, 99.0, 100.0];
    let fit = trend(&wobble, Some(200.0)).expect("trend");
    assert_eq!(fit.model, GrowthModel::Flat);
    assert!(fit.slope_p_value > TREND_SIGNIFICANCE_LEVEL && fit.runs_until_budget.is_none());
}

#[test]
fn trend_needs_three_finite_points_and_logs_only_of_positive_ones() {
    assert!(trend(&[], None).is_none());
    assert!(trend(&[1.0, 2.0], None).is_none());
    assert!(trend(&[1.0, f64::NAN, 3.0], None).is_none());
    let fit = trend(&[0.0, 1.0, 2.0, 3.0], None).expect("trend");
    assert_eq!(fit.r_squared_log, None);
    assert_eq!(fit.model, GrowthModel::Linear);
    assert!((fit.growth_percent_per_run - 1.0 / 1.5 * 100.0).abs() < 1e-9);
    let around_zero = trend(&[-1.0, 0.0, 1.0], Some(5.0)).expect("trend");
    assert_eq!(around_zero.growth_percent_per_run, 0.0);
    assert_eq!(around_zero.runs_until_budget, Some(4.0)); // -1 + i reaches 5 at i = 6
}

#[test]
fn one_stalled_baseline_run_neither_shifts_nor_widens_the_baseline() {
    // Ten runs at 100 µs ± 2 %, then one stalled at 740 µs: a +40 % run must still be a regression.
    // (Before the outlying run was left out, the stalled run made the +40 % \"within noise\".)
    let mut baseline = vec![
        100.0, 101.5, 98.7, 100.9, 99.2, 102.0, 98.1, 100.4, 99.8, 101.1,
    ];
    let settings = RegressionSettings::default();
    let clean = compare(&baseline, 140.0, &settings);
    baseline.push(740.0);
    let stalled = compare(&baseline, 140.0, &settings);
    for outcome in [&clean, &stalled] {
        assert!(
            matches!(
                outcome,
                Comparison::Regression {
                    severity: Severity::High,
                    ..
                }
            ),
            "{outcome:?}"
        );
    }
    let degradation = |c: &Comparison| match c {
        Comparison::Regression {
            degradation_percent,
            ..
        } => *degradation_percent,
        _ => f64::NAN,
    };
    assert!((degradation(&clean) - degradation(&stalled)).abs() < 1e-9);
}

#[test]
fn a_history_with_a_real_step_is_not_trimmed_to_one_side() {
    // Half the runs before a change, half after: no side is an outlier of the other.
    let baseline: Vec<f64> = (0..10)
        .map(|i| {
            if i < 5 {
                100.0 + i as f64 * 0.3
            } else {
                130.0 + i as f64 * 0.3
            }
        })
        .collect();
    assert_eq!(without_outlying_runs(&baseline).len(), 10);
}

#[test]
fn the_run_to_run_interval_covers_the_next_run_about_95_percent_of_the_time() {
    // Runs whose means scatter by 3 % from run to run, each with a narrow interval of its own:
    // the widened interval of run k must hold run k + 1's mean in about 95 % of cases.
    let mut rng = Rng::new(0xC0FFEE);
    let trials = 4000;
    let mut covered = 0;
    for _ in 0..trials {
        let past: Vec<f64> = (0..15).map(|_| rng.run_mean_us(100.0, 3.0)).collect();
        let this = rng.run_mean_us(100.0, 3.0);
        let next = rng.run_mean_us(100.0, 3.0);
        let half = run_to_run_spread(&past).unwrap().half_width(0.3);
        covered += usize::from((this - half..=this + half).contains(&next));
    }
    let rate = covered as f64 / trials as f64;
    assert!((0.93..=0.975).contains(&rate), "coverage {rate}");
    assert!(run_to_run_spread(&[1.0, 2.0]).is_none());
}

#[test]
fn a_coarse_comparison_judges_only_gross_changes() {
    let baseline = [2.0, 2.1, 1.9, 2.05, 2.0];
    assert_eq!(
        compare_coarsely(&baseline, 3.5, 100.0, 5),
        None,
        "+75 % is not judged"
    );
    match compare_coarsely(&baseline, 11.6, 100.0, 5) {
        Some(Comparison::Regression {
            severity,
            degradation_percent,
            p_value,
            ..
        }) => {
            assert_eq!(severity, Severity::Critical);
            assert!((degradation_percent - 480.0).abs() < 1e-9);
            assert!(p_value.is_nan(), "a coarse comparison has no p-value");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(compare_coarsely(&baseline[..3], 11.6, 100.0, 5), None);
}
