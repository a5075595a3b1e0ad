//! One operation's budget: its limits (each with its source), stages and timeout.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::values::number_text;
use super::{BudgetFile, ConfigError, MAX_TIMEOUT_S, MIN_TIMEOUT_S};
use crate::registry::{AttrLimits, Entry};
use crate::units::Unit;

/// What a limit bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LimitKind {
    /// Mean latency per call, µs (`max_us`; `max_latency_us` in the budgets file).
    MeanUs,
    /// 95th percentile latency, µs.
    P95Us,
    /// 99th percentile latency, µs.
    P99Us,
    /// Allocations per call.
    AllocsPerCall,
    /// Heap bytes allocated per call, in KiB.
    MemoryKbPerCall,
    /// Memory one returned value holds: heap bytes still owned plus `size_of`.
    InstanceBytes,
    /// Share of calls that returned `Ok` (minimum).
    SuccessRate,
    /// Degradation against the history baseline, percent.
    RegressionPercent,
    /// Throughput of the concurrent phase, calls per second (minimum).
    OpsPerSec,
    /// 99th percentile latency under concurrency, µs.
    ConcurrentP99Us,
    /// Instructions per call, counted under Valgrind (`--instructions`).
    InstructionsPerCall,
    /// Elements processed per second, from the mean latency (`throughput = "elements"`; minimum).
    ElementsPerSec,
    /// Bytes processed per second, from the mean latency (`throughput = "bytes"`; minimum).
    BytesPerSec,
}

impl LimitKind {
    /// Every kind, in the order limits are listed in reports.
    pub const ALL: [LimitKind; 13] = [
        LimitKind::MeanUs,
        LimitKind::P95Us,
        LimitKind::P99Us,
        LimitKind::AllocsPerCall,
        LimitKind::MemoryKbPerCall,
        LimitKind::InstanceBytes,
        LimitKind::SuccessRate,
        LimitKind::RegressionPercent,
        LimitKind::OpsPerSec,
        LimitKind::ConcurrentP99Us,
        LimitKind::InstructionsPerCall,
        LimitKind::ElementsPerSec,
        LimitKind::BytesPerSec,
    ];

    /// The key in the attribute (and, except for the mean, in the budgets file).
    pub fn key(self) -> &'static str {
        match self {
            LimitKind::MeanUs => "max_us",
            LimitKind::P95Us => "max_p95_us",
            LimitKind::P99Us => "max_p99_us",
            LimitKind::AllocsPerCall => "max_allocs",
            LimitKind::MemoryKbPerCall => "max_memory_kb",
            LimitKind::InstanceBytes => "max_instance_bytes",
            LimitKind::SuccessRate => "min_success_rate",
            LimitKind::RegressionPercent => "max_regression_percent",
            LimitKind::OpsPerSec => "min_ops_per_sec",
            LimitKind::ConcurrentP99Us => "max_concurrent_p99_us",
            LimitKind::InstructionsPerCall => "max_instructions",
            LimitKind::ElementsPerSec => "min_elements_per_sec",
            LimitKind::BytesPerSec => "min_bytes_per_sec",
        }
    }

    /// The field in the budgets file.
    pub fn file_field(self) -> &'static str {
        match self {
            LimitKind::MeanUs => "max_latency_us",
            other => other.key(),
        }
    }

    /// A limit that is a floor (the figure must be at least the limit) rather than a ceiling.
    pub fn is_minimum(self) -> bool {
        matches!(
            self,
            LimitKind::SuccessRate
                | LimitKind::OpsPerSec
                | LimitKind::ElementsPerSec
                | LimitKind::BytesPerSec
        )
    }

    /// For a throughput limit, the `throughput` unit the operation must declare.
    pub fn throughput_unit(self) -> Option<&'static str> {
        match self {
            LimitKind::ElementsPerSec => Some("elements"),
            LimitKind::BytesPerSec => Some("bytes"),
            _ => None,
        }
    }

    /// A limit judged only by a wall-clock run (not in instruction mode).
    pub fn is_wall_clock(self) -> bool {
        matches!(
            self,
            LimitKind::MeanUs
                | LimitKind::P95Us
                | LimitKind::P99Us
                | LimitKind::ConcurrentP99Us
                | LimitKind::OpsPerSec
                | LimitKind::ElementsPerSec
                | LimitKind::BytesPerSec
        )
    }

    /// A limit on a latency (or a rate computed from one), which noise can make worse.
    pub fn is_timed(self) -> bool {
        matches!(
            self,
            LimitKind::MeanUs
                | LimitKind::P95Us
                | LimitKind::P99Us
                | LimitKind::ConcurrentP99Us
                | LimitKind::ElementsPerSec
                | LimitKind::BytesPerSec
        )
    }

    /// The unit of the limit and of its figure.
    pub fn unit(self) -> Unit {
        match self {
            LimitKind::MeanUs
            | LimitKind::P95Us
            | LimitKind::P99Us
            | LimitKind::ConcurrentP99Us => Unit::Micros,
            LimitKind::AllocsPerCall => Unit::Allocs,
            LimitKind::MemoryKbPerCall => Unit::Kilobytes,
            LimitKind::InstanceBytes => Unit::Bytes,
            LimitKind::SuccessRate => Unit::Share,
            LimitKind::RegressionPercent => Unit::Percent,
            LimitKind::OpsPerSec => Unit::PerSecond,
            LimitKind::InstructionsPerCall => Unit::Instructions,
            LimitKind::ElementsPerSec => Unit::ElementsPerSecond,
            LimitKind::BytesPerSec => Unit::BytesPerSecond,
        }
    }

    /// What the limit bounds, in a few words ("mean latency").
    pub fn describe(self) -> &'static str {
        match self {
            LimitKind::MeanUs => "mean latency",
            LimitKind::P95Us => "p95 latency",
            LimitKind::P99Us => "p99 latency",
            LimitKind::AllocsPerCall => "allocations per call",
            LimitKind::MemoryKbPerCall => "heap allocated per call",
            LimitKind::InstanceBytes => "memory per instance",
            LimitKind::SuccessRate => "success rate",
            LimitKind::RegressionPercent => "regression",
            LimitKind::OpsPerSec => "concurrent throughput",
            LimitKind::ConcurrentP99Us => "p99 latency under concurrency",
            LimitKind::InstructionsPerCall => "instructions per call",
            LimitKind::ElementsPerSec => "throughput",
            LimitKind::BytesPerSec => "throughput",
        }
    }

    /// The kind whose [`key`](Self::key) is `key`.
    pub fn from_key(key: &str) -> Option<LimitKind> {
        LimitKind::ALL.into_iter().find(|kind| kind.key() == key)
    }
}

/// In `report.json` a kind is its key (`"max_us"`).
impl serde::Serialize for LimitKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.key())
    }
}

impl<'de> serde::Deserialize<'de> for LimitKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = String::deserialize(deserializer)?;
        LimitKind::from_key(&key).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown limit `{key}` (this perfgate knows {})",
                LimitKind::ALL.map(LimitKind::key).join(", ")
            ))
        })
    }
}

/// Where a limit was set.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// The `#[perf_budget]` attribute at `file:line`.
    Attribute { file: &'static str, line: u32 },
    /// The budgets file.
    BudgetFile { path: PathBuf },
    /// perfgate's default, where neither the attribute nor the file sets the limit.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Attribute { file, line } => write!(f, "attribute at {file}:{line}"),
            Source::BudgetFile { path } => write!(f, "{}", path.display()),
            Source::Default => f.write_str("perfgate's default"),
        }
    }
}

/// One limit of one operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    pub kind: LimitKind,
    /// In the kind's unit (µs, allocations, KiB, bytes, fraction, percent).
    pub value: f64,
    pub source: Source,
}

/// At which stages an operation runs.
#[derive(Clone, Debug, PartialEq)]
pub enum StageRule {
    /// No stage was named: the operation runs at every stage.
    Every,
    /// Only at these stages, named by the attribute or by `stage_requirements` (which wins).
    Only { stages: Vec<String>, source: Source },
}

impl StageRule {
    pub fn runs_at(&self, stage: &str) -> bool {
        match self {
            StageRule::Every => true,
            StageRule::Only { stages, .. } => stages.iter().any(|s| s == stage),
        }
    }
}

/// Everything an operation must meet, resolved from its attribute and the budgets file.
#[derive(Clone, Debug)]
pub struct Budget {
    pub op: String,
    pub function: &'static str,
    pub module_path: &'static str,
    pub file: &'static str,
    pub line: u32,
    pub limits: Vec<Limit>,
    pub stages: StageRule,
    pub timeout: Duration,
    pub leak_check: bool,
    /// The operation's crate was built with debug assertions.
    pub debug_assertions: bool,
    /// How fast the cost may grow over the operation's sizes: the budgets file's
    /// `max_complexity`, else the attribute's.
    pub max_complexity: Option<String>,
    /// `throughput`: what a call processes (`"elements"` or `"bytes"`), from the attribute.
    pub throughput: Option<String>,
    /// Limits the budgets file scopes to one input size (`size_limits`), by size: at that size
    /// they replace the limits of the same kind ([`Budget::at_size`]).
    pub size_limits: std::collections::BTreeMap<usize, Vec<Limit>>,
}

impl Budget {
    pub fn limit(&self, kind: LimitKind) -> Option<&Limit> {
        self.limits.iter().find(|limit| limit.kind == kind)
    }

    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    /// The budget at input size `n`: its limits, with those scoped to `n` in their place.
    pub fn at_size(&self, n: usize) -> Budget {
        let mut budget = self.clone();
        for scoped in self.size_limits.get(&n).into_iter().flatten() {
            budget.limits.retain(|l| l.kind != scoped.kind);
            budget.limits.push(scoped.clone());
        }
        budget
            .limits
            .sort_by_key(|l| LimitKind::ALL.iter().position(|k| *k == l.kind));
        budget
    }
}

/// The attribute's value for a limit.
fn attribute_limit(limits: &AttrLimits, kind: LimitKind) -> Option<f64> {
    match kind {
        LimitKind::MeanUs => limits.max_us,
        LimitKind::P95Us => limits.max_p95_us,
        LimitKind::P99Us => limits.max_p99_us,
        LimitKind::AllocsPerCall => limits.max_allocs,
        LimitKind::MemoryKbPerCall => limits.max_memory_kb,
        LimitKind::InstanceBytes => limits.max_instance_bytes,
        LimitKind::SuccessRate => limits.min_success_rate,
        LimitKind::RegressionPercent => limits.max_regression_percent,
        LimitKind::OpsPerSec => limits.min_ops_per_sec,
        LimitKind::ConcurrentP99Us => limits.max_concurrent_p99_us,
        LimitKind::InstructionsPerCall => limits.max_instructions,
        LimitKind::ElementsPerSec => limits.min_elements_per_sec,
        LimitKind::BytesPerSec => limits.min_bytes_per_sec,
    }
}

/// The `min_success_rate` of an operation whose budget sets none: an operation may fail on one
/// call in a thousand (a realistic mix has some invalid inputs), not more.
pub const DEFAULT_MIN_SUCCESS_RATE: f64 = 0.999;

/// Budgets for the registered operations, and the names in the file that match no operation.
pub fn resolve_budgets(
    entries: &[&Entry],
    file: &BudgetFile,
    default_timeout: Duration,
) -> Result<(Vec<Budget>, Vec<String>), ConfigError> {
    let mut budgets = Vec::with_capacity(entries.len());
    for entry in entries {
        budgets.push(resolve(entry, file, default_timeout)?);
    }
    let orphans = file
        .records
        .iter()
        .filter(|record| {
            !entries
                .iter()
                .any(|entry| entry.op == record.operation_name)
        })
        .map(|record| record.operation_name.clone())
        .collect();
    Ok((budgets, orphans))
}

fn resolve(
    entry: &Entry,
    file: &BudgetFile,
    default_timeout: Duration,
) -> Result<Budget, ConfigError> {
    let record = file.get(entry.op);
    let attribute = Source::Attribute {
        file: entry.file,
        line: entry.line,
    };
    let from_file = Source::BudgetFile {
        path: file.path.clone(),
    };
    let pairs = LimitKind::ALL.map(|kind| {
        (
            kind,
            attribute_limit(&entry.limits, kind),
            record.and_then(|r| r.limit(kind)),
        )
    });
    let mut limits: Vec<Limit> = pairs
        .into_iter()
        .filter_map(
            |(kind, in_attribute, in_file)| match (in_file, in_attribute) {
                (Some(value), _) => Some(Limit {
                    kind,
                    value,
                    source: from_file.clone(),
                }),
                (None, Some(value)) => Some(Limit {
                    kind,
                    value,
                    source: attribute.clone(),
                }),
                (None, None) => None,
            },
        )
        .collect();
    // A rate of elements or bytes needs the operation to say what it processes per call.
    check_throughput_units(entry, &limits, None)?;
    if limits.is_empty() {
        return Err(ConfigError::NoBudget {
            op: entry.op.to_string(),
            location: entry.location(),
            path: file.path.clone(),
        });
    }
    // An operation whose calls fail is broken, whatever its speed: unless a budget says how many
    // may fail, at most one in a thousand.
    if !limits.iter().any(|l| l.kind == LimitKind::SuccessRate) {
        limits.push(Limit {
            kind: LimitKind::SuccessRate,
            value: DEFAULT_MIN_SUCCESS_RATE,
            source: Source::Default,
        });
        limits.sort_by_key(|l| LimitKind::ALL.iter().position(|k| *k == l.kind));
    }
    let stages = match record.and_then(|r| r.stage_requirements.as_ref()) {
        Some(requirements) => StageRule::Only {
            stages: requirements
                .iter()
                .filter(|(_, on)| **on)
                .map(|(s, _)| s.clone())
                .collect(),
            source: from_file.clone(),
        },
        None if entry.stages.is_empty() => StageRule::Every,
        None => StageRule::Only {
            stages: entry.stages.iter().map(|s| s.to_string()).collect(),
            source: attribute.clone(),
        },
    };
    let timeout_s = match record.and_then(|r| r.timeout_s) {
        // Checked when the file was read.
        Some(from_file) => Some(from_file),
        None => entry
            .timeout_s
            .map(|s| attribute_timeout(entry, s))
            .transpose()?,
    };
    Ok(Budget {
        op: entry.op.to_string(),
        function: entry.function,
        module_path: entry.module_path,
        file: entry.file,
        line: entry.line,
        limits,
        stages,
        timeout: timeout_s
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .unwrap_or(default_timeout),
        leak_check: record
            .and_then(|r| r.enable_memory_leak_check)
            .or(entry.enable_memory_leak_check)
            .unwrap_or(false),
        debug_assertions: entry.debug_assertions,
        max_complexity: match record.and_then(|r| r.max_complexity.clone()) {
            Some(class) if entry.sizes.len() < 3 => {
                return Err(ConfigError::Attribute {
                    op: entry.op.to_string(),
                    location: entry.location(),
                    message: format!(
                        "{} sets max_complexity {class:?}, which needs at least 3 input sizes to \
                         fit how the cost grows; the operation has {} (give the attribute \
                         `sizes = [1_000, 10_000, 100_000]` and a `setup` taking `n: usize`)",
                        file.path.display(),
                        entry.sizes.len()
                    ),
                });
            }
            Some(class) => Some(class),
            None => entry.max_complexity.map(str::to_string),
        },
        throughput: entry.throughput.map(str::to_string),
        size_limits: scoped_limits(entry, record, &from_file, &file.path)?,
    })
}

/// The budgets file's `size_limits` of `entry`: each size must be one of the operation's, and a
/// rate limit needs the operation's `throughput` unit, as for the operation's own limits.
fn scoped_limits(
    entry: &Entry,
    record: Option<&super::budgets::BudgetRecord>,
    from_file: &Source,
    path: &std::path::Path,
) -> Result<std::collections::BTreeMap<usize, Vec<Limit>>, ConfigError> {
    let mut scoped = std::collections::BTreeMap::new();
    let Some(sizes) = record.and_then(|r| r.size_limits.as_ref()) else {
        return Ok(scoped);
    };
    let error = |message: String| ConfigError::Attribute {
        op: entry.op.to_string(),
        location: entry.location(),
        message,
    };
    let known: Vec<String> = entry.sizes.iter().map(|(n, _)| n.to_string()).collect();
    for (&n, size) in sizes {
        if !entry.sizes.iter().any(|(m, _)| *m == n) {
            return Err(error(format!(
                "{} sets size_limits for size {n}, which is not one of the operation's sizes ({})",
                path.display(),
                if known.is_empty() {
                    "it has none: give the attribute `sizes = [...]`".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
        let limits: Vec<Limit> = LimitKind::ALL
            .into_iter()
            .filter_map(|kind| {
                size.limit(kind).map(|value| Limit {
                    kind,
                    value,
                    source: from_file.clone(),
                })
            })
            .collect();
        check_throughput_units(entry, &limits, Some(n))?;
        scoped.insert(n, limits);
    }
    Ok(scoped)
}

/// A rate limit (elements or bytes per second) among `limits` needs the operation's `throughput`
/// in that unit: otherwise an error naming the limit, where it was set, the size it is scoped to
/// (when it is) and what the attribute should say.
fn check_throughput_units(
    entry: &Entry,
    limits: &[Limit],
    size: Option<usize>,
) -> Result<(), ConfigError> {
    let Some(limit) = limits.iter().find(|l| {
        l.kind
            .throughput_unit()
            .is_some_and(|unit| entry.throughput != Some(unit))
    }) else {
        return Ok(());
    };
    let unit = limit.kind.throughput_unit().unwrap_or_default();
    Err(ConfigError::Attribute {
        op: entry.op.to_string(),
        location: entry.location(),
        message: format!(
            "{} sets {}{}, which needs the attribute to count what a call processes: {} \
             (with `setup`; the count per input is its `len()` or `throughput_count = path`)",
            limit.source,
            limit.kind.key(),
            size.map(|n| format!(" for size {n}")).unwrap_or_default(),
            match entry.throughput {
                Some(other) =>
                    format!("it declares `throughput = \"{other}\"`, not `throughput = \"{unit}\"`"),
                None => format!("add `throughput = \"{unit}\"`"),
            }
        ),
    })
}

/// The attribute's `timeout_s`, if within [`MIN_TIMEOUT_S`]..=[`MAX_TIMEOUT_S`]: the macro only
/// knows it is positive, and `5e-324` is too.
fn attribute_timeout(entry: &Entry, seconds: f64) -> Result<f64, ConfigError> {
    if (MIN_TIMEOUT_S..=MAX_TIMEOUT_S).contains(&seconds) {
        return Ok(seconds);
    }
    Err(ConfigError::Attribute {
        op: entry.op.to_string(),
        location: entry.location(),
        message: format!(
            "timeout_s {} is not allowed: expected a number of seconds from 0.001 (1 ms) to \
             10000000 (about 115 days)",
            number_text(seconds)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BudgetRecord;
    use crate::registry::{AttrLimits, Routine, routine};
    use std::collections::BTreeMap;

    fn noop() -> Box<dyn Routine> {
        routine(vec![()], |_: &()| true, |_: &(), _: &mut dyn FnMut()| 0)
    }

    fn entry(op: &'static str, limits: AttrLimits, stages: &'static [&'static str]) -> Entry {
        Entry {
            op,
            function: op,
            module_path: "app",
            file: "src/lib.rs",
            line: 7,
            limits,
            stages,
            requires_env: &[],
            timeout_s: None,
            enable_memory_leak_check: None,
            debug_assertions: false,
            sizes: &[],
            max_complexity: None,
            throughput: None,
            routine: noop,
        }
    }

    fn file(records: Vec<BudgetRecord>) -> BudgetFile {
        BudgetFile {
            path: "budgets.json".into(),
            found: true,
            records,
        }
    }

    #[test]
    fn the_file_overrides_the_attribute_and_sources_are_kept() {
        let e = entry(
            "a",
            AttrLimits {
                max_us: Some(5.0),
                max_allocs: Some(3.0),
                ..Default::default()
            },
            &[],
        );
        let f = file(vec![BudgetRecord {
            operation_name: "a".into(),
            max_latency_us: Some(6.4),
            ..Default::default()
        }]);
        let (budgets, orphans) = resolve_budgets(&[&e], &f, Duration::from_secs(60)).unwrap();
        let mean = budgets[0].limit(LimitKind::MeanUs).unwrap();
        assert_eq!(mean.value, 6.4);
        assert_eq!(
            mean.source,
            Source::BudgetFile {
                path: "budgets.json".into()
            }
        );
        let allocs = budgets[0].limit(LimitKind::AllocsPerCall).unwrap();
        assert_eq!(
            allocs.source,
            Source::Attribute {
                file: "src/lib.rs",
                line: 7
            }
        );
        assert!(orphans.is_empty());
    }

    #[test]
    fn an_operation_without_any_limit_is_an_error() {
        let e = entry("naked", AttrLimits::default(), &[]);
        let error = resolve_budgets(&[&e], &file(vec![]), Duration::from_secs(60)).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("`naked`") && text.contains("src/lib.rs:7"),
            "{text}"
        );
    }

    #[test]
    fn absurd_attribute_timeouts_are_errors_naming_the_attribute() {
        let limits = AttrLimits {
            max_us: Some(1.0),
            ..Default::default()
        };
        for seconds in [5e-324, 1e-4, 1e20] {
            let mut e = entry("tiny", limits, &[]);
            e.timeout_s = Some(seconds);
            let error = resolve_budgets(&[&e], &file(vec![]), Duration::from_secs(60))
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("`tiny` (attribute at src/lib.rs:7)")
                    && error.contains("timeout_s")
                    && error.contains("0.001 (1 ms)"),
                "{error}"
            );
        }
        let mut e = entry("ok", limits, &[]);
        e.timeout_s = Some(0.001);
        let (budgets, _) = resolve_budgets(&[&e], &file(vec![]), Duration::from_secs(60)).unwrap();
        assert_eq!(budgets[0].timeout, Duration::from_millis(1));
    }

    #[test]
    fn budgets_for_unknown_operations_are_orphans() {
        let e = entry(
            "a",
            AttrLimits {
                max_us: Some(1.0),
                ..Default::default()
            },
            &[],
        );
        let f = file(vec![BudgetRecord {
            operation_name: "gone".into(),
            max_latency_us: Some(1.0),
            ..Default::default()
        }]);
        let (_, orphans) = resolve_budgets(&[&e], &f, Duration::from_secs(60)).unwrap();
        assert_eq!(orphans, ["gone"]);
    }

    #[test]
    fn stages_from_the_file_win_and_no_stages_means_every_stage() {
        let limits = AttrLimits {
            max_us: Some(1.0),
            ..Default::default()
        };
        let a = entry("a", limits, &["pre_commit"]);
        let b = entry("b", limits, &["pre_commit"]);
        let c = entry("c", limits, &[]);
        let mut requirements = BTreeMap::new();
        requirements.insert("pre_deployment".to_string(), true);
        requirements.insert("pre_commit".to_string(), false);
        let f = file(vec![BudgetRecord {
            operation_name: "b".into(),
            stage_requirements: Some(requirements),
            ..Default::default()
        }]);
        let (budgets, _) = resolve_budgets(&[&a, &b, &c], &f, Duration::from_secs(60)).unwrap();
        assert!(
            budgets[0].stages.runs_at("pre_commit") && !budgets[0].stages.runs_at("pre_deployment")
        );
        assert!(
            !budgets[1].stages.runs_at("pre_commit") && budgets[1].stages.runs_at("pre_deployment")
        );
        assert!(budgets[2].stages.runs_at("anything"));
    }
}
