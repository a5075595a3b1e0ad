//! The charts of the HTML report, drawn from an operation's histogram and history: the latency
//! histogram, the percentile curve and the trend over runs.

use hdrhistogram::Histogram;

use super::markup::utc;
use super::svg::{self, Axis, Chart, Scale};
use crate::config::LimitKind;
use crate::history::{Fingerprint, Record};
use crate::report::{Operation, Report};
use crate::units::Micros;

/// Bars in a latency histogram.
const HISTOGRAM_BINS: usize = 48;

/// Runs shown in a trend chart (the latest ones).
pub const TREND_MAX_RUNS: usize = 200;

/// On a chart with a logarithmic axis (histogram, percentiles), a limit further than this factor
/// from the figures is named in a note instead of drawn: stretching the axis to it would crowd
/// the figures into a corner.
const DRAWN_LIMIT_FACTOR: f64 = 30.0;

/// On the trend chart's linear axis a limit above the figures is drawn only within this factor
/// of the highest figure, so that the series fills at least two thirds of the height: a 0.05 µs
/// series under a 1 µs budget would be a flat line at the bottom, and a 66 % jump invisible.
const TREND_LIMIT_FACTOR: f64 = 1.5;

/// A limit shown on a chart: its class (colour), value and label.
struct Reference {
    class: &'static str,
    value: f64,
    label: String,
}

impl Reference {
    fn new(class: &'static str, name: &str, value: Option<f64>) -> Option<Reference> {
        let value = value.filter(|v| v.is_finite() && *v > 0.0)?;
        Some(Reference {
            class,
            value,
            label: format!("{name} {}", Micros(value)),
        })
    }

    /// Within `factor` of the figures' range `lo..hi`.
    fn within_reach(&self, lo: f64, hi: f64, factor: f64) -> bool {
        self.value <= hi * factor && self.value >= lo / factor
    }
}

/// The figures' range `(lo, hi)` widened to the references within `factor` of it.
fn range_with(lo: f64, hi: f64, references: &[Reference], factor: f64) -> (f64, f64) {
    references
        .iter()
        .filter(|r| r.within_reach(lo, hi, factor))
        .fold((lo, hi), |(l, h), r| (l.min(r.value), h.max(r.value)))
}

/// Draws each reference within `factor` of the figures' range as a line (`vertical` or not), and
/// names the others, off the scale, in a note.
fn draw_references(
    chart: &mut Chart,
    references: &[Reference],
    (lo, hi): (f64, f64),
    factor: f64,
    vertical: bool,
) {
    for r in references {
        if !r.within_reach(lo, hi, factor) {
            let side = if r.value > hi { "above" } else { "below" };
            chart.note(&format!("{} ({side})", r.label));
        } else if vertical {
            chart.vline(r.class, r.value, &r.label);
        } else {
            chart.hline(r.class, r.value, &r.label);
        }
    }
}

/// Picoseconds (the histogram's unit) to microseconds.
fn ps_to_us(ps: u64) -> f64 {
    ps as f64 / 1e6
}

pub fn histogram_chart(op: &Operation, histogram: &Histogram<u64>, batched: bool) -> String {
    let recorded: Vec<(f64, u64)> = histogram
        .iter_recorded()
        .map(|v| (ps_to_us(v.value_iterated_to()), v.count_at_value()))
        .filter(|(us, _)| *us > 0.0)
        .collect();
    let data_lo = recorded.first().map(|r| r.0).unwrap_or(0.0);
    let data_hi = recorded.last().map(|r| r.0).unwrap_or(1.0);
    let references: Vec<Reference> =
        Reference::new("budget", "max_us", op.limit_value(LimitKind::MeanUs))
            .into_iter()
            .collect();
    let (lo, hi) = range_with(data_lo, data_hi, &references, DRAWN_LIMIT_FACTOR);
    // Latency distributions are skewed: a logarithmic axis as soon as the range is wide enough
    // for the bulk to crowd into a few bars of a linear one.
    let x = Scale::fit(lo, hi, 4.0, true);
    let mut bins = [0u64; HISTOGRAM_BINS];
    for (us, count) in &recorded {
        let i = ((x.frac(*us) * HISTOGRAM_BINS as f64) as usize).min(HISTOGRAM_BINS - 1);
        bins[i] += count;
    }
    let top = bins.iter().copied().max().unwrap_or(1).max(1) as f64;
    let unit = if batched { "batches" } else { "calls" };
    let mut chart = Chart::new(
        "histogram",
        &format!("{}: latency histogram", op.op),
        Axis::new(x, "latency per call (μs)"),
        Axis::new(Scale::fit(0.0, top, f64::INFINITY, true), unit),
    );
    for (i, count) in bins.iter().enumerate().filter(|(_, c)| **c > 0) {
        let (a, b) = (
            x.at(i as f64 / HISTOGRAM_BINS as f64),
            x.at((i + 1) as f64 / HISTOGRAM_BINS as f64),
        );
        chart.bar(
            a,
            b,
            *count as f64,
            &format!("{}–{}: {count} {unit}", Micros(a), Micros(b)),
        );
    }
    if let Some(mean) = op.mean_us {
        chart.vline("mean-line", mean, &format!("mean {}", Micros(mean)));
    }
    draw_references(
        &mut chart,
        &references,
        (data_lo, data_hi),
        DRAWN_LIMIT_FACTOR,
        true,
    );
    chart.finish()
}

pub fn percentile_chart(op: &Operation, histogram: &Histogram<u64>) -> String {
    // x is the number of nines: 0 -> 0%, 1 -> 90%, 2 -> 99%, 3 -> 99.9%.
    // At least to 99 %: with fewer than 100 samples the p99 marker is at the maximum.
    let nines_max = (histogram.len() as f64).log10().clamp(2.0, 6.0);
    let steps = (nines_max * 20.0).ceil() as usize;
    let mut points: Vec<(f64, f64)> = (0..=steps)
        .map(|i| {
            let n = nines_max * i as f64 / steps as f64;
            let q = 1.0 - 10f64.powf(-n);
            (n, ps_to_us(histogram.value_at_quantile(q)))
        })
        .collect();
    points.push((nines_max, ps_to_us(histogram.max())));
    let references: Vec<Reference> = [
        Reference::new("budget-p99", "max_p95_us", op.limit_value(LimitKind::P95Us)),
        Reference::new("budget", "max_p99_us", op.limit_value(LimitKind::P99Us)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let data_lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let data_hi = points.iter().map(|p| p.1).fold(0.0, f64::max);
    let (lo, hi) = range_with(data_lo, data_hi, &references, DRAWN_LIMIT_FACTOR);
    let x = Scale::Linear {
        lo: 0.0,
        hi: nines_max.ceil(),
    };
    let ticks = (0..=nines_max.ceil() as i32)
        .map(|n| (f64::from(n), nines_label(n)))
        .collect();
    let mut chart = Chart::new(
        "percentiles",
        &format!("{}: latency by percentile", op.op),
        Axis {
            scale: x,
            ticks,
            title: "percentile".into(),
        },
        Axis::new(Scale::fit(lo, hi, 20.0, true), "latency per call (μs)"),
    );
    chart.line("curve", &points);
    for (label, figure, q) in [
        ("p50", op.p50_us, 0.5),
        ("p95", op.p95_us, 0.95),
        ("p99", op.p99_us, 0.99),
    ] {
        let value = figure
            .filter(|v| v.is_finite())
            .unwrap_or_else(|| ps_to_us(histogram.value_at_quantile(q)));
        let n = -(1.0f64 - q).log10();
        chart.marker(
            "percentile-mark",
            n,
            value,
            4.0,
            &format!("{label}: {}", Micros(value)),
        );
    }
    draw_references(
        &mut chart,
        &references,
        (data_lo, data_hi),
        DRAWN_LIMIT_FACTOR,
        false,
    );
    chart.finish()
}

fn nines_label(n: i32) -> String {
    match n {
        0 => "0%".into(),
        n => {
            let decimals = (n - 2).max(0) as usize;
            format!("{:.*}%", decimals, 100.0 - 100.0 * 10f64.powi(-n))
        }
    }
}

/// The history of one operation that compares with this report.
pub struct Runs<'a> {
    pub shown: Vec<&'a Record>,
    /// Comparable runs left out because there are more than [`TREND_MAX_RUNS`].
    pub older: usize,
    /// Runs of the operation on other machines or in other modes.
    pub other: usize,
}

/// Runs of `op` in the report's mode on a machine comparable with the report's, oldest first.
pub fn comparable_runs<'a>(report: &Report, op: &str, history: &'a [Record]) -> Runs<'a> {
    let mode = report.settings.mode.name();
    let machine = Fingerprint::of(&report.machine);
    let of_op: Vec<&Record> = history.iter().filter(|r| r.op == op).collect();
    let mut shown: Vec<&Record> = of_op
        .iter()
        .copied()
        .filter(|r| r.mode == mode && machine.comparable(&r.fingerprint, mode))
        .collect();
    let other = of_op.len() - shown.len();
    shown.sort_by_key(|r| r.time_unix_ms);
    let older = shown.len().saturating_sub(TREND_MAX_RUNS);
    shown.drain(..older);
    Runs {
        shown,
        older,
        other,
    }
}

pub fn trend_chart(op: &Operation, runs: &[&Record]) -> String {
    let n = runs.len() as f64;
    let references: Vec<Reference> = [
        Reference::new("budget", "max_us", op.limit_value(LimitKind::MeanUs)),
        Reference::new("budget-p99", "max_p99_us", op.limit_value(LimitKind::P99Us)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let (data_lo, data_hi) = runs
        .iter()
        .flat_map(|r| [r.mean_us, r.p99_us])
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let (lo, hi) = range_with(data_lo, data_hi, &references, TREND_LIMIT_FACTOR);
    let step = svg::nice_step(n / 8.0).max(1.0);
    let x = Scale::Linear {
        lo: 0.5,
        hi: n + 0.5,
    };
    let ticks = (1..=runs.len())
        .filter(|i| (*i as f64 % step) == 0.0 || *i == 1)
        .map(|i| (i as f64, i.to_string()))
        .collect();
    let mut chart = Chart::new(
        "trend",
        &format!("{}: mean and p99 over runs", op.op),
        Axis {
            scale: x,
            ticks,
            title: "run (oldest first)".into(),
        },
        Axis::new(Scale::fit(lo, hi, 20.0, true), "latency per call (μs)"),
    );
    let means: Vec<(f64, f64)> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| ((i + 1) as f64, r.mean_us))
        .collect();
    let p99s: Vec<(f64, f64)> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| ((i + 1) as f64, r.p99_us))
        .collect();
    draw_references(
        &mut chart,
        &references,
        (data_lo, data_hi),
        TREND_LIMIT_FACTOR,
        false,
    );
    chart.line("series-p99", &p99s);
    chart.line("series-mean", &means);
    let radius = if runs.len() > 60 { 1.5 } else { 2.5 };
    for (i, r) in runs.iter().enumerate() {
        let describe = |what: &str, v: f64| {
            let commit = r
                .commit
                .as_deref()
                .map(|c| format!(" {}", c.chars().take(8).collect::<String>()))
                .unwrap_or_default();
            format!(
                "run {} ({} UTC{commit}): {} {what} {}",
                i + 1,
                utc(r.time_unix_ms),
                if r.verdict.is_empty() {
                    "-"
                } else {
                    &r.verdict
                },
                Micros(v)
            )
        };
        let x = (i + 1) as f64;
        chart.marker("point-p99", x, r.p99_us, radius, &describe("p99", r.p99_us));
        chart.marker("point", x, r.mean_us, radius, &describe("mean", r.mean_us));
    }
    for (i, r) in runs.iter().enumerate() {
        if matches!(r.verdict.as_str(), "FAIL" | "BLOCK") {
            let text = format!(
                "run {} ({} UTC): {}, mean {}",
                i + 1,
                utc(r.time_unix_ms),
                r.verdict,
                Micros(r.mean_us)
            );
            chart.marker("failed-run", (i + 1) as f64, r.mean_us, 5.5, &text);
        }
    }
    let mut legend = vec![("series-mean", "mean"), ("series-p99", "p99")];
    for r in references
        .iter()
        .filter(|r| r.within_reach(data_lo, data_hi, TREND_LIMIT_FACTOR))
    {
        let name = if r.class == "budget" {
            "max_us"
        } else {
            "max_p99_us"
        };
        legend.push((r.class, name));
    }
    if runs
        .iter()
        .any(|r| matches!(r.verdict.as_str(), "FAIL" | "BLOCK"))
    {
        legend.push(("failed-run", "FAIL/BLOCK"));
    }
    chart.legend(&legend);
    chart.finish()
}

/// Cost against input size for an operation with `sizes`, both axes logarithmic: the mean of each
/// size with its interval, the fitted power law, and the declared class (`max_complexity`) drawn
/// through the smallest size. `None` with fewer than two sizes.
pub fn size_chart(op: &Operation) -> Option<String> {
    let points: Vec<&crate::report::SizePoint> = op
        .sizes
        .iter()
        .filter(|p| p.mean_us.is_finite() && p.mean_us > 0.0)
        .collect();
    if points.len() < 2 {
        return None;
    }
    let (n_lo, n_hi) = (points[0].n as f64, points[points.len() - 1].n as f64);
    let fitted = op.complexity.as_ref().map(|c| {
        // The least-squares line passes through the mean of the logs.
        let k = points.len() as f64;
        let mx = points.iter().map(|p| (p.n as f64).ln()).sum::<f64>() / k;
        let my = points.iter().map(|p| p.mean_us.ln()).sum::<f64>() / k;
        let at = move |n: f64| (my + c.fitted_exponent * (n.ln() - mx)).exp();
        (at(n_lo), at(n_hi))
    });
    let declared = op
        .complexity
        .as_ref()
        .and_then(|c| c.max_complexity.clone())
        .map(|class| {
            // The class through the smallest size: where the cost may be at the largest.
            let steps = 24;
            let y0 = points[0].mean_us;
            let f0 = crate::stats::class_cost(&class, n_lo).unwrap_or(n_lo);
            let line: Vec<(f64, f64)> = (0..=steps)
                .map(|i| {
                    let n = n_lo * (n_hi / n_lo).powf(i as f64 / steps as f64);
                    (
                        n,
                        y0 * crate::stats::class_cost(&class, n).unwrap_or(n) / f0,
                    )
                })
                .collect();
            (class, line)
        });
    let values = points
        .iter()
        .flat_map(|p| [p.ci95_low_us, p.ci95_high_us, p.mean_us])
        .chain(fitted.iter().flat_map(|(a, b)| [*a, *b]))
        .chain(
            declared
                .iter()
                .flat_map(|(_, line)| line.iter().map(|p| p.1)),
        )
        .filter(|v| v.is_finite() && *v > 0.0);
    let (lo, hi) = values.fold((f64::INFINITY, 0.0f64), |(l, h), v| (l.min(v), h.max(v)));
    let mut chart = Chart::new(
        "sizes",
        &format!("{}: cost against input size", op.op),
        Axis::new(
            Scale::Log {
                lo: svg_floor(n_lo),
                hi: svg_ceil(n_hi),
            },
            "input size n",
        ),
        Axis::new(
            Scale::Log {
                lo: svg_floor(lo),
                hi: svg_ceil(hi),
            },
            "mean latency per call (μs)",
        ),
    );
    let mut legend = vec![("point", "mean at each size")];
    if let Some((class, line)) = &declared {
        chart.line("budget", line);
        legend.push(("budget", class.as_str()));
    }
    if let Some((a, b)) = fitted {
        chart.line("series-mean", &[(n_lo, a), (n_hi, b)]);
        legend.push(("series-mean", "fitted"));
    }
    for p in &points {
        let tip = format!(
            "n = {}: mean {} (95% CI {}–{})",
            p.n,
            Micros(p.mean_us),
            Micros(p.ci95_low_us),
            Micros(p.ci95_high_us)
        );
        chart.line(
            "whisker",
            &[(p.n as f64, p.ci95_low_us), (p.n as f64, p.ci95_high_us)],
        );
        chart.marker("point", p.n as f64, p.mean_us, 3.5, &tip);
    }
    chart.legend(&legend);
    Some(chart.finish())
}

/// The power of ten at or below `v` (a log axis's end).
fn svg_floor(v: f64) -> f64 {
    10f64.powf(v.max(f64::MIN_POSITIVE).log10().floor())
}

/// The power of ten at or above `v`.
fn svg_ceil(v: f64) -> f64 {
    10f64.powf(v.max(f64::MIN_POSITIVE).log10().ceil())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_far_from_the_figures_are_named_not_drawn() {
        let report =
            Report::from_json(include_str!("golden/report.json")).expect("the golden report");
        let decode = report
            .operations
            .iter()
            .find(|o| o.op == "mcp_message_decode")
            .unwrap();
        let histogram =
            crate::measure::decode_histogram(decode.histogram_b64.as_deref().unwrap()).unwrap();
        let with_budget = |max_us: f64| {
            let mut op = decode.clone();
            op.limits = vec![crate::report::LimitResult {
                name: LimitKind::MeanUs,
                value: max_us,
                source: "test".into(),
                measured: None,
                outcome: None,
            }];
            histogram_chart(&op, &histogram, true)
        };
        let near = with_budget(6.4);
        assert!(near.contains(r#"<g class="budget"><line"#) && !near.contains("off the scale"));
        let far = with_budget(100_000.0);
        assert!(!far.contains(r#"<g class="budget"><line"#));
        assert!(
            far.contains("off the scale, not drawn: max_us 100000.0μs (above)"),
            "{far}"
        );
        // The axis stays on the figures (at most 50 μs here), not stretched to the limit.
        assert!(!far.contains(">100000<") && far.contains(">50<"));
        let below = with_budget(0.000_1);
        assert!(below.contains("max_us 0.000μs (below)"), "{below}");
    }

    #[test]
    fn percentile_axis_labels() {
        let labels: Vec<String> = (0..5).map(nines_label).collect();
        assert_eq!(labels, ["0%", "90%", "99%", "99.9%", "99.99%"]);
    }
}
