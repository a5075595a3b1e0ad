//! Minimal SVG charts for the HTML report: axes with tick labels, bars, lines, markers.
//!
//! Drawn by hand rather than with a plotting crate: the report needs three chart shapes (bars,
//! polylines, reference lines), a plotting crate would bring a font stack and far more compile time
//! than these ~250 lines, and hand-written SVG is plain markup the browser test can inspect.
//! Every coordinate passes through [`Chart::px`]/[`Chart::py`], which clamp to the plot area and
//! map non-finite input to its edge, so no input can produce `NaN` in the markup.

use std::fmt::Write;

use super::markup::escape;

/// How values map onto an axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    Linear {
        lo: f64,
        hi: f64,
    },
    /// Base 10; `lo` > 0.
    Log {
        lo: f64,
        hi: f64,
    },
}

impl Scale {
    /// A scale covering `[lo, hi]` with round ends: logarithmic when the values span more than
    /// `log_above` times (and are positive), else linear from zero (or from `lo` when `from_zero`
    /// is false).
    pub fn fit(lo: f64, hi: f64, log_above: f64, from_zero: bool) -> Scale {
        let (mut lo, mut hi) = finite_range(lo, hi);
        if lo > 0.0 && hi / lo > log_above {
            return Scale::Log {
                lo: round_125(lo, false),
                hi: round_125(hi, true),
            };
        }
        if from_zero && lo >= 0.0 {
            lo = 0.0;
        }
        if hi <= lo {
            let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
            lo -= if from_zero && lo == 0.0 { 0.0 } else { pad };
            hi += pad;
        }
        let step = nice_step((hi - lo) / 5.0);
        Scale::Linear {
            lo: (lo / step).floor() * step,
            hi: (hi / step).ceil() * step,
        }
    }

    /// Where `v` falls, 0 at `lo` and 1 at `hi`, clamped to `[0, 1]` (NaN -> 0).
    pub fn frac(self, v: f64) -> f64 {
        let f = match self {
            Scale::Linear { lo, hi } => (v - lo) / (hi - lo),
            Scale::Log { lo, hi } => {
                (v.max(f64::MIN_POSITIVE).log10() - lo.log10()) / (hi / lo).log10()
            }
        };
        if f.is_nan() { 0.0 } else { f.clamp(0.0, 1.0) }
    }

    /// The value at fraction `f` of the axis.
    pub fn at(self, f: f64) -> f64 {
        match self {
            Scale::Linear { lo, hi } => lo + f * (hi - lo),
            Scale::Log { lo, hi } => lo * (hi / lo).powf(f),
        }
    }

    /// Round values along the axis, labelled.
    pub fn ticks(self) -> Vec<(f64, String)> {
        match self {
            Scale::Linear { lo, hi } => {
                let step = nice_step((hi - lo) / 5.0);
                let first = (lo / step).ceil() as i64;
                let last = (hi / step).floor() as i64;
                (first..=last)
                    .take(50)
                    .map(|i| i as f64 * step)
                    .map(|v| (v, label(v)))
                    .collect()
            }
            Scale::Log { lo, hi } => {
                let decades = (hi / lo).log10();
                let mantissas: &[f64] = if decades <= 3.0 {
                    &[1.0, 2.0, 5.0]
                } else {
                    &[1.0]
                };
                let mut ticks = Vec::new();
                let mut exponent = lo.log10().floor() as i32;
                while ticks.len() < 50 && 10f64.powi(exponent) <= hi * 1.0001 {
                    for m in mantissas {
                        let v = m * 10f64.powi(exponent);
                        if v >= lo * 0.9999 && v <= hi * 1.0001 {
                            ticks.push((v, label(v)));
                        }
                    }
                    exponent += 1;
                }
                ticks
            }
        }
    }
}

fn finite_range(lo: f64, hi: f64) -> (f64, f64) {
    match (lo.is_finite(), hi.is_finite()) {
        (true, true) if lo <= hi => (lo, hi),
        (true, true) => (hi, lo),
        (true, false) => (lo, lo),
        (false, true) => (hi, hi),
        (false, false) => (0.0, 1.0),
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * 0.999_999)
        .unwrap_or(10.0 * magnitude)
}

/// The nearest of 1, 2, 5 times a power of ten below (or above, when `up`) `v` > 0.
fn round_125(v: f64, up: bool) -> f64 {
    let magnitude = 10f64.powf(v.log10().floor());
    let candidates = [1.0, 2.0, 5.0, 10.0].map(|m| m * magnitude);
    if up {
        candidates
            .into_iter()
            .find(|c| *c >= v * 0.999_999)
            .unwrap_or(v)
    } else {
        candidates
            .into_iter()
            .rev()
            .find(|c| *c <= v * 1.000_001)
            .unwrap_or(magnitude)
    }
}

/// A tick label: as few digits as the value needs (`0.05`, `2`, `1500`, `2.5e-7`).
pub fn label(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-4..1e7).contains(&a) {
        format!("{v:e}")
    } else {
        let text = format!("{v:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// An axis: its scale, tick labels and title.
pub struct Axis {
    pub scale: Scale,
    pub ticks: Vec<(f64, String)>,
    pub title: String,
}

impl Axis {
    pub fn new(scale: Scale, title: impl Into<String>) -> Axis {
        Axis {
            scale,
            ticks: scale.ticks(),
            title: title.into(),
        }
    }
}

/// A chart being drawn: the SVG text and the mapping from values to pixels.
pub struct Chart {
    pub svg: String,
    x: Axis,
    y: Axis,
    width: f64,
    height: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    /// Reference values beyond the axes, listed above the plot by [`Chart::finish`].
    notes: Vec<String>,
}

impl Chart {
    /// Starts a chart of class `class` with its axes, grid and `title` (also the SVG's `<title>`).
    pub fn new(class: &str, title: &str, x: Axis, y: Axis) -> Chart {
        let mut chart = Chart {
            svg: String::new(),
            x,
            y,
            width: 560.0,
            height: 300.0,
            left: 64.0,
            right: 30.0,
            top: 58.0,
            bottom: 48.0,
            notes: Vec::new(),
        };
        let _ = write!(
            chart.svg,
            r#"<svg class="chart {class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{t}"><title>{t}</title>"#,
            w = chart.width,
            h = chart.height,
            t = escape(title),
        );
        let _ = write!(
            chart.svg,
            r#"<text class="chart-title" x="{:.1}" y="17">{}</text>"#,
            chart.left,
            escape(title)
        );
        chart.axes();
        chart
    }

    /// Pixel x of value `v` (clamped to the plot area).
    pub fn px(&self, v: f64) -> f64 {
        self.left + self.x.scale.frac(v) * (self.width - self.left - self.right)
    }

    /// Pixel y of value `v` (clamped to the plot area).
    pub fn py(&self, v: f64) -> f64 {
        self.height - self.bottom - self.y.scale.frac(v) * (self.height - self.top - self.bottom)
    }

    fn axes(&mut self) {
        let (x0, x1) = (self.left, self.width - self.right);
        let (y0, y1) = (self.height - self.bottom, self.top);
        let mut svg = String::from(r#"<g class="axes">"#);
        for (v, text) in &self.x.ticks {
            let x = self.px(*v);
            let _ = write!(
                svg,
                r#"<line class="grid" x1="{x:.1}" y1="{y1:.1}" x2="{x:.1}" y2="{y0:.1}"/><line class="tick" x1="{x:.1}" y1="{y0:.1}" x2="{x:.1}" y2="{:.1}"/><text class="tick-label" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                y0 + 5.0,
                y0 + 18.0,
                escape(text)
            );
        }
        for (v, text) in &self.y.ticks {
            let y = self.py(*v);
            let _ = write!(
                svg,
                r#"<line class="grid" x1="{x0:.1}" y1="{y:.1}" x2="{x1:.1}" y2="{y:.1}"/><line class="tick" x1="{:.1}" y1="{y:.1}" x2="{x0:.1}" y2="{y:.1}"/><text class="tick-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                x0 - 5.0,
                x0 - 8.0,
                y + 4.0,
                escape(text)
            );
        }
        let _ = write!(
            svg,
            r#"<line class="axis" x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y0:.1}"/><line class="axis" x1="{x0:.1}" y1="{y0:.1}" x2="{x0:.1}" y2="{y1:.1}"/>"#
        );
        let _ = write!(
            svg,
            r#"<text class="axis-title" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            (x0 + x1) / 2.0,
            self.height - 8.0,
            escape(&self.x.title)
        );
        let _ = write!(
            svg,
            r#"<text class="axis-title" transform="translate(14 {:.1}) rotate(-90)" text-anchor="middle">{}</text></g>"#,
            (y0 + y1) / 2.0,
            escape(&self.y.title)
        );
        self.svg.push_str(&svg);
    }

    /// A bar from `x_lo` to `x_hi`, from the x axis up to `y`, with a tooltip.
    pub fn bar(&mut self, x_lo: f64, x_hi: f64, y: f64, tooltip: &str) {
        let (a, b) = (self.px(x_lo), self.px(x_hi));
        let top = self.py(y);
        let base = self.height - self.bottom;
        let _ = write!(
            self.svg,
            r#"<rect class="bar" x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}"><title>{}</title></rect>"#,
            a.min(b),
            (b - a).abs().max(0.5),
            (base - top).max(0.0),
            escape(tooltip)
        );
    }

    /// A polyline through `points` (value pairs; non-finite pairs are skipped).
    pub fn line(&mut self, class: &str, points: &[(f64, f64)]) {
        let coords: Vec<String> = points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|(x, y)| format!("{:.1},{:.1}", self.px(*x), self.py(*y)))
            .collect();
        if coords.is_empty() {
            return;
        }
        let _ = write!(
            self.svg,
            r#"<polyline class="{class}" points="{}"/>"#,
            coords.join(" ")
        );
    }

    /// A circle marker at a value pair, with a tooltip.
    pub fn marker(&mut self, class: &str, x: f64, y: f64, radius: f64, tooltip: &str) {
        if !(x.is_finite() && y.is_finite()) {
            return;
        }
        let _ = write!(
            self.svg,
            r#"<circle class="{class}" cx="{:.1}" cy="{:.1}" r="{radius:.1}"><title>{}</title></circle>"#,
            self.px(x),
            self.py(y),
            escape(tooltip)
        );
    }

    /// A horizontal reference line at `y`, labelled at its right end.
    pub fn hline(&mut self, class: &str, y: f64, text: &str) {
        if !y.is_finite() {
            return;
        }
        let py = self.py(y);
        let (x0, x1) = (self.left, self.width - self.right);
        let _ = write!(
            self.svg,
            r#"<g class="{class}"><line x1="{x0:.1}" y1="{py:.1}" x2="{x1:.1}" y2="{py:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><title>{}</title></g>"#,
            x1 - 2.0,
            py - 4.0,
            escape(text),
            escape(text)
        );
    }

    /// A vertical reference line at `x`, labelled at its top.
    pub fn vline(&mut self, class: &str, x: f64, text: &str) {
        if !x.is_finite() {
            return;
        }
        let px = self.px(x);
        let (y0, y1) = (self.height - self.bottom, self.top);
        let anchor = if px > self.width * 0.7 {
            "end"
        } else {
            "start"
        };
        let dx = if anchor == "end" { -4.0 } else { 4.0 };
        let _ = write!(
            self.svg,
            r#"<g class="{class}"><line x1="{px:.1}" y1="{y0:.1}" x2="{px:.1}" y2="{y1:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="{anchor}">{}</text><title>{}</title></g>"#,
            px + dx,
            y1 + 12.0,
            escape(text),
            escape(text)
        );
    }

    /// A reference value beyond the axis, named (in a line above the plot) rather than drawn at a
    /// clamped, wrong place.
    pub fn note(&mut self, text: &str) {
        self.notes.push(text.to_string());
    }

    /// A legend (a short line or dot of each `class`, and its text) under the title.
    pub fn legend(&mut self, entries: &[(&str, &str)]) {
        let mut x = self.left;
        let y = 34.0;
        let mut svg = String::from(r#"<g class="legend">"#);
        for (class, text) in entries {
            // Markers are drawn as a dot, series and reference lines as a short line.
            if *class == "failed-run" {
                let _ = write!(
                    svg,
                    r#"<circle class="{class} legend-mark" cx="{:.1}" cy="{:.1}" r="5"/>"#,
                    x + 10.0,
                    y - 4.0
                );
            } else {
                let _ = write!(
                    svg,
                    r#"<line class="{class}" x1="{x:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>"#,
                    y - 4.0,
                    x + 20.0,
                    y - 4.0
                );
            }
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
                x + 24.0,
                y,
                escape(text)
            );
            x += 6.6 * text.chars().count() as f64 + 36.0;
        }
        svg.push_str("</g>");
        self.svg.push_str(&svg);
    }

    pub fn finish(mut self) -> String {
        if !self.notes.is_empty() {
            let _ = write!(
                self.svg,
                r#"<g class="off-scale"><text x="{:.1}" y="48">off the scale, not drawn: {}</text></g>"#,
                self.left,
                escape(&self.notes.join("; "))
            );
        }
        self.svg.push_str("</svg>");
        self.svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_scales_have_round_ends_and_ticks() {
        let scale = Scale::fit(1.3, 8.4, 20.0, true);
        assert_eq!(scale, Scale::Linear { lo: 0.0, hi: 10.0 });
        let labels: Vec<String> = scale.ticks().into_iter().map(|(_, l)| l).collect();
        assert_eq!(labels, ["0", "2", "4", "6", "8", "10"]);
    }

    #[test]
    fn wide_positive_ranges_are_logarithmic_with_decade_ticks() {
        let scale = Scale::fit(0.145, 34.7, 20.0, true);
        assert_eq!(scale, Scale::Log { lo: 0.1, hi: 50.0 });
        let labels: Vec<String> = scale.ticks().into_iter().map(|(_, l)| l).collect();
        assert_eq!(
            labels,
            ["0.1", "0.2", "0.5", "1", "2", "5", "10", "20", "50"]
        );
        assert!((scale.frac(1.0) - (1.0f64 / 0.1).log10() / 500f64.log10()).abs() < 1e-12);
    }

    #[test]
    fn degenerate_input_never_yields_nan() {
        for (lo, hi) in [
            (f64::NAN, f64::NAN),
            (5.0, 5.0),
            (0.0, 0.0),
            (f64::INFINITY, 1.0),
            (-3.0, -3.0),
        ] {
            let scale = Scale::fit(lo, hi, 20.0, true);
            for v in [lo, hi, f64::NAN, 1e300, -1e300] {
                assert!(scale.frac(v).is_finite(), "{scale:?} {v}");
            }
            assert!(!scale.ticks().is_empty(), "{scale:?}");
        }
        let chart = Chart::new(
            "t",
            "t",
            Axis::new(Scale::fit(1.0, 2.0, 20.0, true), "x"),
            Axis::new(Scale::fit(1.0, 2.0, 20.0, true), "y"),
        );
        assert!(chart.px(f64::NAN).is_finite() && chart.py(f64::INFINITY).is_finite());
    }

    #[test]
    fn tick_labels_use_few_digits() {
        assert_eq!(label(0.05), "0.05");
        assert_eq!(label(1500.0), "1500");
        assert_eq!(label(2.5), "2.5");
        assert_eq!(label(0.0), "0");
    }
}
