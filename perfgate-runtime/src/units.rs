//! Units of the figures perfgate reports, each with the one formatter every output uses: the
//! summary, the HTML page, JUnit, the GitHub summary and the leak report print a figure alike.
//!
//! ```
//! use perfgate_runtime::units::{Allocs, Bytes, Micros};
//!
//! assert_eq!(Micros(6.4).to_string(), "6.40μs");
//! assert_eq!(Bytes(1536.0).to_string(), "1.5KB"); // 1 KB = 1024 bytes
//! assert_eq!(Allocs(3.0).to_string(), "3");
//! assert_eq!(Allocs(0.859).to_string(), "0.86");
//! ```

use std::fmt;

/// Microseconds, printed with a precision that suits their size (`612.3μs`, `6.40μs`, `0.058μs`).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Micros(pub f64);

/// Beyond this size a figure is printed in scientific notation: no real figure is that large, and
/// a corrupt one must not print as hundreds of digits.
const HUGE: f64 = 1e12;

/// `value` with `decimals` decimals, or in scientific notation when it is huge (or not finite).
fn fixed(value: f64, decimals: usize) -> String {
    if value.abs() >= HUGE {
        format!("{value:.3e}")
    } else {
        format!("{value:.decimals$}")
    }
}

impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        if us.abs() >= HUGE {
            write!(f, "{}μs", fixed(us, 1))
        } else if us >= 100.0 {
            write!(f, "{us:.1}μs")
        } else if us >= 1.0 {
            write!(f, "{us:.2}μs")
        } else {
            write!(f, "{us:.3}μs")
        }
    }
}

/// Bytes, printed as B, KB, MB or GB with 1 KB = 1024 bytes (the unit of `max_memory_kb`).
/// Negative amounts (memory given back) keep their sign.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Bytes(pub f64);

/// Bytes in a KB.
pub const KIB: f64 = 1024.0;

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0.0 { "-" } else { "" };
        let b = self.0.abs();
        if b >= HUGE * KIB * KIB * KIB {
            write!(f, "{}B", fixed(self.0, 0))
        } else if b < KIB {
            write!(f, "{sign}{b:.0}B")
        } else if b < KIB * KIB {
            write!(f, "{sign}{:.1}KB", b / KIB)
        } else if b < KIB * KIB * KIB {
            write!(f, "{sign}{:.1}MB", b / (KIB * KIB))
        } else {
            write!(f, "{sign}{:.1}GB", b / (KIB * KIB * KIB))
        }
    }
}

/// Allocations per call: whole numbers without decimals, others to two decimals.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Allocs(pub f64);

impl fmt::Display for Allocs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.abs() >= HUGE {
            f.write_str(&fixed(self.0, 0))
        } else if (self.0 - self.0.round()).abs() < 1e-9 {
            write!(f, "{:.0}", self.0)
        } else {
            write!(f, "{:.2}", self.0)
        }
    }
}

/// A rate of elements or bytes per second (`throughput`), to three significant digits: bytes
/// with 1024-based prefixes like [`Bytes`] (`1.52GB/s`), elements with decimal ones
/// (`12.3M elements/s`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// Per second.
    pub per_sec: f64,
    /// `"elements"` or `"bytes"`.
    pub unit: &'static str,
}

impl Rate {
    /// A rate in `unit` (`"bytes"`, else elements).
    pub fn new(per_sec: f64, unit: &str) -> Rate {
        let unit = if unit == "bytes" { "bytes" } else { "elements" };
        Rate { per_sec, unit }
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.per_sec;
        let bytes = self.unit == "bytes";
        if !v.is_finite() || v.abs() >= HUGE * 1e6 {
            let unit = if bytes { "B/s" } else { " elements/s" };
            return write!(f, "{}{unit}", fixed(v, 0));
        }
        // Bytes step by 1024 (the unit of every byte figure here), elements by 1000.
        let (step, prefixes): (f64, [&str; 5]) = if bytes {
            (KIB, ["B", "KB", "MB", "GB", "TB"])
        } else {
            (1e3, ["", "k", "M", "G", "T"])
        };
        let mut scaled = v;
        let mut prefix = 0;
        while scaled.abs() >= step && prefix + 1 < prefixes.len() {
            scaled /= step;
            prefix += 1;
        }
        // Three significant digits: 1.52GB/s, 15.2MB/s, 152KB/s.
        let decimals = match scaled.abs() {
            a if a < 10.0 => 2,
            a if a < 100.0 => 1,
            _ => 0,
        };
        if bytes {
            write!(f, "{scaled:.decimals$}{}/s", prefixes[prefix])
        } else {
            write!(f, "{scaled:.decimals$}{} elements/s", prefixes[prefix])
        }
    }
}

/// A share in 0..=1, printed as a percentage with two decimals (`99.90%`).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Share(pub f64);

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", fixed(self.0 * 100.0, 2))
    }
}

/// The unit a limit and its figure are in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Microseconds per call.
    Micros,
    /// Allocations per call.
    Allocs,
    /// Kilobytes (1024 bytes) per call.
    Kilobytes,
    /// Bytes.
    Bytes,
    /// A share in 0..=1.
    Share,
    /// Percent.
    Percent,
    /// Calls per second.
    PerSecond,
    /// Instructions (per call).
    Instructions,
    /// Elements processed per second ([`Rate`]).
    ElementsPerSecond,
    /// Bytes processed per second ([`Rate`]).
    BytesPerSecond,
}

impl Unit {
    /// `value` printed in this unit.
    pub fn show(self, value: f64) -> String {
        match self {
            Unit::Micros => Micros(value).to_string(),
            Unit::Allocs => Allocs(value).to_string(),
            Unit::Kilobytes => format!("{}KB", fixed(value, 2)),
            Unit::Bytes => format!("{}B", fixed(value, 0)),
            Unit::Share => Share(value).to_string(),
            Unit::Percent => format!("{}%", fixed(value, 1)),
            Unit::PerSecond => format!("{} ops/s", fixed(value, 0)),
            Unit::Instructions => format!("{} instructions", fixed(value, 0)),
            Unit::ElementsPerSecond => Rate::new(value, "elements").to_string(),
            Unit::BytesPerSecond => Rate::new(value, "bytes").to_string(),
        }
    }
}

/// A number that may be absent, printed in a unit or as `-`.
pub fn or_dash<T: fmt::Display>(value: Option<T>) -> String {
    value
        .map(|v| v.to_string())
        .unwrap_or_else(|| "-".to_string())
}

/// A count with its noun, singular for one: `1 allocation`, `3 allocations`.
pub fn counted(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_singular_for_one() {
        assert_eq!(counted(1, "allocation"), "1 allocation");
        assert_eq!(counted(0, "allocation"), "0 allocations");
        assert_eq!(counted(12, "allocation"), "12 allocations");
    }

    #[test]
    fn rates_are_bytes_per_second_or_elements_with_a_decimal_prefix() {
        let gib = 1024.0 * 1024.0 * 1024.0;
        assert_eq!(Rate::new(1.5 * gib, "bytes").to_string(), "1.50GB/s");
        assert_eq!(Rate::new(512.0, "bytes").to_string(), "512B/s");
        assert_eq!(
            Rate::new(15.25 * 1024.0 * 1024.0, "bytes").to_string(),
            "15.2MB/s"
        );
        assert_eq!(
            Rate::new(12_345_678.0, "elements").to_string(),
            "12.3M elements/s"
        );
        assert_eq!(Rate::new(999.0, "elements").to_string(), "999 elements/s");
        assert_eq!(Rate::new(2.5e9, "elements").to_string(), "2.50G elements/s");
        assert_eq!(Unit::BytesPerSecond.show(2048.0), "2.00KB/s");
        assert_eq!(Rate::new(1e15, "bytes").to_string(), "909TB/s");
    }

    #[test]
    fn bytes_are_1024_based_and_keep_their_sign() {
        assert_eq!(Bytes(0.0).to_string(), "0B");
        assert_eq!(Bytes(1023.0).to_string(), "1023B");
        assert_eq!(Bytes(1024.0).to_string(), "1.0KB");
        assert_eq!(Bytes(12_345.0).to_string(), "12.1KB");
        assert_eq!(Bytes(23_712_345.0).to_string(), "22.6MB");
        assert_eq!(Bytes(-1_500_000_000.0).to_string(), "-1.4GB");
        assert_eq!(Bytes(-512.0).to_string(), "-512B");
    }

    #[test]
    fn micros_precision_follows_size() {
        assert_eq!(Micros(150.0).to_string(), "150.0μs");
        assert_eq!(Micros(6.4).to_string(), "6.40μs");
        assert_eq!(Micros(0.0581).to_string(), "0.058μs");
    }

    #[test]
    fn units_of_limits() {
        assert_eq!(Unit::Micros.show(6.4), "6.40μs");
        assert_eq!(Unit::Allocs.show(12.0), "12");
        assert_eq!(Unit::Kilobytes.show(4.0), "4.00KB");
        assert_eq!(Unit::Bytes.show(400.0), "400B");
        assert_eq!(Unit::Share.show(0.999), "99.90%");
        assert_eq!(Unit::Percent.show(25.0), "25.0%");
        assert_eq!(Unit::PerSecond.show(10_000.0), "10000 ops/s");
        assert_eq!(or_dash(None::<Micros>), "-");
    }

    #[test]
    fn absurd_figures_print_short() {
        assert_eq!(Micros(1e308).to_string(), "1.000e308μs");
        assert_eq!(Bytes(1e308).to_string(), "1.000e308B");
        assert_eq!(Allocs(1e300).to_string(), "1.000e300");
        assert_eq!(Unit::PerSecond.show(1e308), "1.000e308 ops/s");
        assert_eq!(Micros(f64::INFINITY).to_string(), "infμs");
    }
}
