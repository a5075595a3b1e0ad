//! One operation's trial: measure it (again, when the first result is marginal), judge it against
//! its budget, its history and its leak check, report it and record it in the history.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use libtest_mimic::{Completion, Failed, Trial};

use super::setup::{History, Setup};
use crate::config::{Budget, LimitKind, RunSettings};
use crate::history::{self, HistoryStore, Record, RunStamp};
use crate::leak::{self, LeakSettings};
use crate::measure::{self, MeasureError, Measurement, Plan, Timing, callgrind};
use crate::progress;
use crate::registry::Entry;
use crate::report::{Operation, OperationParts};
use crate::stats::{self, Comparison, RegressionSettings};
use crate::verdict::{self, Compliance, RegressionFinding, Verdict};

/// What every trial shares: the run's settings, the history, and what the trials produced.
pub struct Shared {
    settings: RunSettings,
    fail_on_critical: bool,
    fail_on_memory_leaks: bool,
    /// When the run started, and how long it may take (`performance_test_timeout_minutes`).
    started: Instant,
    run_timeout: Duration,
    /// Width libtest pads operation names to (for putting the cursor back after a progress bar).
    name_width: usize,
    baseline: Baseline,
    stamp: RunStamp,
    /// The reference chain's time at this machine's full speed in the history (the median of its
    /// runs'), nanoseconds.
    full_speed_ns: Option<f64>,
    /// The history this run is appended to, one record as each operation is judged (so that an
    /// operation that brings the process down loses no earlier record).
    store: Option<HistoryStore>,
    produced: Mutex<Produced>,
}

/// What the trials produced.
#[derive(Default)]
struct Produced {
    operations: Vec<Operation>,
    /// This run's records, appended or not (`--no-history`), for the HTML report's trends.
    records: Vec<Record>,
    warnings: Vec<String>,
    append_failed: bool,
}

/// What the trials produced, once they are done.
pub struct Measured {
    pub operations: Vec<Operation>,
    /// The history loaded before the run plus this run's records: what the HTML trends draw.
    pub records: Vec<Record>,
    pub warnings: Vec<String>,
    /// Where this run was recorded; `None` when it was not (`--no-history`, or appending failed).
    pub recorded_in: Option<PathBuf>,
}

/// The history a run is compared with.
struct Baseline {
    records: Vec<Record>,
    window_days: f64,
    settings: RegressionSettings,
}

impl Shared {
    pub fn new(setup: &Setup, history: History) -> Shared {
        let stamp = RunStamp::of_this_run(
            &setup.machine,
            setup.settings.stage.clone(),
            setup.settings.mode,
            setup.settings.instructions,
            |key| std::env::var(key).ok(),
        );
        let mut references: Vec<f64> = history
            .records
            .iter()
            .filter(|r| r.fingerprint == stamp.fingerprint)
            .filter_map(|r| r.reference_ns)
            .filter(|r| r.is_finite() && *r > 0.0)
            .collect();
        references.sort_by(f64::total_cmp);
        let full_speed_ns = references.get(references.len() / 2).copied();
        Shared {
            full_speed_ns,
            settings: setup.settings.clone(),
            fail_on_critical: setup.ci.fail_on_critical_regression,
            fail_on_memory_leaks: setup.ci.fail_on_memory_leaks,
            started: setup.started,
            run_timeout: setup.run_timeout,
            name_width: setup.name_width(),
            baseline: Baseline {
                records: history.records,
                window_days: setup.ci.baseline_comparison_days,
                settings: RegressionSettings {
                    min_samples: setup.ci.min_samples_for_comparison,
                    ..Default::default()
                },
            },
            stamp,
            store: history.store,
            produced: Mutex::new(Produced {
                warnings: history.warnings,
                ..Produced::default()
            }),
        }
    }

    /// What the trials produced, sorted by operation.
    pub fn finish(&self) -> Measured {
        let produced = std::mem::take(&mut *self.lock());
        let recorded = !self.settings.no_history && !produced.append_failed;
        let mut records = self.baseline.records.clone();
        records.extend(produced.records);
        Measured {
            operations: produced.operations,
            records,
            warnings: produced.warnings,
            recorded_in: self
                .store
                .as_ref()
                .filter(|_| recorded)
                .map(HistoryStore::path),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Produced> {
        self.produced.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps an operation's report and appends its record to the history.
    fn push(&self, operation: Operation) {
        let record = self.stamp.record(&operation);
        let mut produced = self.lock();
        if let Some(record) = record {
            if let Some(store) = self.store.as_ref().filter(|_| !self.settings.no_history)
                && let Err(error) = store.append(std::slice::from_ref(&record))
            {
                produced.warnings.push(format!(
                    "`{}` was not added to the history: {error}",
                    operation.op
                ));
                produced.append_failed = true;
            }
            produced.records.push(record);
        }
        produced.operations.push(operation);
    }

    /// The past runs of `op` a new timing compares with: same operation, machine fingerprint
    /// and mode, within the window, not too noisy; and, once there are enough of them to
    /// compare with, measured at this run's machine speed (their reference chains within
    /// [`SAME_SPEED`] of this run's: a run of a host-slowed machine compares with nothing). An
    /// operation whose timing the machine's speed does not move (it waits on a clock or on I/O)
    /// compares with its past runs at any speed.
    /// From `past`, the runs [`Shared::alike`] found; returns them and how many were left out
    /// for their speed.
    fn comparable<'a>(&self, past: &[&'a Record], timing: &Timing) -> (Vec<&'a Record>, usize) {
        let follows_speed = follows_speed(timing, past);
        let same_speed = |r: &&Record| match r.reference_ns {
            Some(theirs) if timing.reference_ns.is_finite() && theirs > 0.0 => {
                let ratio = timing.reference_ns / theirs;
                (1.0 / SAME_SPEED..=SAME_SPEED).contains(&ratio)
            }
            _ => true,
        };
        let by_speed = follows_speed && past.len() >= self.baseline.settings.min_samples;
        let comparable: Vec<&Record> = past
            .iter()
            .copied()
            .filter(|r| !by_speed || same_speed(r))
            .collect();
        let other_speed = past.len() - comparable.len();
        (comparable, other_speed)
    }

    /// The past runs of `op` whose machine was about as busy, for an operation that waits on
    /// another party (its time is mostly wake-ups, which the machine's state sets: an idle core
    /// wakes slowly, a shared one hands over at once); all past runs for any other. Also how many
    /// were left out.
    fn alike<'a>(&'a self, op: &str, timing: &Timing) -> (Vec<&'a Record>, LeftOut) {
        let past = self.past_runs(op);
        let Some(now) = timing.others_busy_cores else {
            return (past, LeftOut::default());
        };
        let mut left_out = LeftOut::default();
        let alike: Vec<&Record> = past
            .into_iter()
            .filter(|r| match r.others_busy_cores {
                Some(theirs) if (now - theirs).abs() <= SAME_LOAD_CORES => true,
                Some(_) => {
                    left_out.other_load += 1;
                    false
                }
                None => {
                    left_out.unknown_load += 1;
                    false
                }
            })
            .collect();
        (alike, left_out)
    }

    /// The past runs of `op` on a comparable machine, in this mode, within the window, at any
    /// speed ([`history::baseline`]).
    fn past_runs(&self, op: &str) -> Vec<&Record> {
        history::baseline(
            &self.baseline.records,
            op,
            &self.stamp.fingerprint,
            &self.stamp.mode,
            self.stamp.time_unix_ms,
            self.baseline.window_days,
        )
    }

    /// Widens the timing's interval of the mean to cover the next unchanged run's mean: with
    /// comparable past runs, from their run-to-run spread (Student's t over them), which a single
    /// run cannot see in itself; without, it stays the interval of this run's rounds.
    fn run_to_run(&self, op: &str, timing: &mut Timing) {
        let (past, _) = self.comparable(&self.alike(op, timing).0, timing);
        let means: Vec<f64> = past.iter().map(|r| r.mean_us * 1000.0).collect();
        let Some(spread) = stats::run_to_run_spread(&means) else {
            return;
        };
        let mean = timing.mean_ns;
        let within = (timing.mean_ci_ns.high - timing.mean_ci_ns.low) / 2.0;
        let half = spread.half_width(within);
        timing.mean_ci_ns = stats::Interval {
            low: (mean - half).max(0.0),
            high: mean + half,
        };
        timing.interval_runs = spread.runs;
    }

    /// What the history says of a new timing of `op`. A timing too noisy to trust is not
    /// compared.
    fn finding(&self, op: &str, timing: &Timing, budget_us: Option<f64>) -> RegressionFinding {
        let mean_us = timing.mean_ns / 1000.0;
        let (alike, left_out) = self.alike(op, timing);
        let (comparable, other_speed) = self.comparable(&alike, timing);
        let all = comparable.len() + other_speed;
        let means: Vec<f64> = comparable.iter().map(|r| r.mean_us).collect();
        let comparison = match &timing.inconclusive {
            Some(noise) if means.len() >= self.baseline.settings.min_samples => {
                Comparison::InvalidInput {
                    reason: format!("not compared with its history: {noise}"),
                }
            }
            _ => match stats::compare(&means, mean_us, &self.baseline.settings) {
                Comparison::NoBaseline { have, need }
                    if left_out.total() > 0 && have + left_out.total() >= need =>
                {
                    Comparison::InvalidInput {
                        reason: format!(
                            "not compared with its history: the operation waits on another party, \
                             whose wake-ups cost what the machine's background load makes them \
                             ({:.1} cores busy with other processes now), and {}; {have} alike",
                            timing.others_busy_cores.unwrap_or(f64::NAN),
                            left_out.phrase()
                        ),
                    }
                }
                Comparison::NoBaseline { have, need }
                    if other_speed > 0 && have + other_speed >= need =>
                {
                    Comparison::InvalidInput {
                        reason: format!(
                            "not compared with its history: {other_speed} of its {all} past runs were \
                             measured on a machine running at another speed (reference chain more \
                             than {:.0} % apart), {have} at this speed",
                            (SAME_SPEED - 1.0) * 100.0
                        ),
                    }
                }
                comparison => comparison,
            },
        };
        // A run that cannot be compared finely (too noisy, or its machine at another speed) is
        // still compared coarsely: past runs scaled by the machines' speed ratio, and only a
        // change beyond +100 % judged. A gross regression must not pass because the machine was
        // busy.
        let (comparison, note) = match comparison {
            // Never across wake-up latencies: the past runs alike only.
            Comparison::InvalidInput { reason } => {
                let follows_speed = follows_speed(timing, &alike);
                let scaled: Vec<f64> = alike
                    .iter()
                    .map(|r| match r.reference_ns {
                        Some(theirs)
                            if follows_speed && timing.reference_ns.is_finite() && theirs > 0.0 =>
                        {
                            r.mean_us * timing.reference_ns / theirs
                        }
                        _ => r.mean_us,
                    })
                    .collect();
                match stats::compare_coarsely(
                    &scaled,
                    mean_us,
                    COARSE_CHANGE_PERCENT,
                    self.baseline.settings.min_samples,
                ) {
                    Some(gross) => (
                        gross,
                        Some(format!(
                            "{reason}; compared coarsely instead (past runs scaled by the \
                             machine's speed; only changes beyond +{COARSE_CHANGE_PERCENT:.0} % \
                             judged)"
                        )),
                    ),
                    None => (Comparison::InvalidInput { reason }, None),
                }
            }
            comparison => (comparison, None),
        };
        let series: Vec<f64> = means.iter().copied().chain([mean_us]).collect();
        let note = [note, self.machine_note(&comparable)]
            .into_iter()
            .flatten()
            .reduce(|a, b| format!("{a}; {b}"));
        RegressionFinding {
            comparison,
            baseline_runs: means.len(),
            trend: stats::trend(&series, budget_us),
            confirmation: note,
            instructions: false,
        }
    }

    /// What differs between this run's machine and its baseline runs' (a compiler, a kernel, or
    /// for instruction counts a CPU model), said with the comparison: a change may come from there.
    fn machine_note(&self, past: &[&Record]) -> Option<String> {
        let mut changes: Vec<String> = past
            .iter()
            .filter_map(|r| self.stamp.fingerprint.changes(&r.fingerprint))
            .collect();
        let differing = changes.len();
        changes.dedup();
        let newest = changes.pop()?;
        Some(format!(
            "{differing} of the {} baseline runs were on another machine or build: {newest}; a \
             change may come from there",
            past.len()
        ))
    }

    /// What the history's instruction counts say of a new count: exact, no interval needed.
    fn instruction_finding(&self, op: &str, instructions: f64) -> RegressionFinding {
        let past = self.past_runs(op);
        let counts: Vec<f64> = past
            .iter()
            .filter_map(|r| r.instructions_per_call)
            .collect();
        RegressionFinding {
            comparison: stats::compare_exact(
                &counts,
                instructions,
                self.baseline.settings.min_change_percent,
            ),
            baseline_runs: counts.len(),
            trend: None,
            confirmation: self.machine_note(&past),
            instructions: true,
        }
    }

    /// What is left of the run's time limit.
    fn remaining(&self) -> Duration {
        self.run_timeout.saturating_sub(self.started.elapsed())
    }
}

/// The libtest trial of one operation. Whatever happens inside — a panic of the gate itself
/// included — the trial reports its operation, and a failure fails the trial.
pub fn trial(budget: Budget, entry: &'static Entry, shared: Arc<Shared>) -> Trial {
    Trial::ignorable_test(budget.op.clone(), move || {
        if let Some(stage) = shared
            .settings
            .stage
            .as_ref()
            .filter(|stage| !budget.stages.runs_at(stage))
        {
            let reason = format!("not required at stage {stage}");
            shared.push(Operation::ignored(&budget, reason.clone()));
            return Ok(Completion::ignored_with(reason));
        }
        if let Some(reason) = entry.missing_environment() {
            shared.push(Operation::ignored(&budget, reason.clone()));
            return Ok(Completion::ignored_with(reason));
        }
        super::exit_guard::measuring(Some(&budget.op));
        let operation = catch_unwind(AssertUnwindSafe(|| {
            measure_and_judge(entry, &budget, &shared)
        }))
        .unwrap_or_else(|payload| {
            let message = format!(
                "perfgate failed while judging this operation: {}",
                measure::panic_message(payload.as_ref())
            );
            Operation::failed(&budget, message.clone(), message)
        });
        super::exit_guard::measuring(None);
        let failed = operation
            .verdict
            .is_failure()
            .then(|| operation.reasons.join("\n"));
        shared.push(operation);
        match failed {
            Some(reasons) => Err(Failed::from(reasons)),
            None => Ok(Completion::Completed),
        }
    })
}

fn measure_and_judge(entry: &Entry, budget: &Budget, shared: &Shared) -> Operation {
    // With sizes, the operation's own measurement is its largest size, judged by the limits
    // scoped to that size where the budgets file scopes some.
    let own = match entry.sizes.last() {
        Some(&(largest, _)) => budget.at_size(largest),
        None => budget.clone(),
    };
    let mut operation = if shared.settings.instructions {
        count_and_judge(entry, &own, shared)
    } else {
        measure_and_judge_largest(entry, &own, shared)
    };
    if !entry.sizes.is_empty() && operation.mean_us.is_some() {
        judge_sizes(entry, budget, shared, &mut operation);
    }
    operation
}

/// An operation with `sizes`: each size timed (the largest is the operation's own measurement,
/// with every phase), the points reported, and the growth of the mean with the size fitted and
/// judged against `max_complexity`. Larger sizes are timed with proportionally fewer calls (at
/// least 10), so that each size takes about as long as the smallest: `--quick` stays quick.
fn judge_sizes(entry: &Entry, budget: &Budget, shared: &Shared, op: &mut Operation) {
    use crate::report::{Complexity, SizePoint};
    let counting = shared.settings.instructions;
    let base = if counting {
        instruction_mode_plan(shared, budget.timeout.min(shared.remaining()))
    } else {
        plan(&shared.settings, budget)
    };
    let smallest = entry.sizes[0].0;
    let largest = entry.sizes[entry.sizes.len() - 1].0;
    let mut points = Vec::new();
    let mut noisy: Vec<usize> = Vec::new();
    for &(n, build) in entry.sizes {
        if n == largest {
            if op
                .noise
                .as_ref()
                .is_some_and(|noise| noise.inconclusive.is_some())
            {
                noisy.push(n);
            }
            points.push(SizePoint {
                n: n as u64,
                mean_us: op.mean_us.unwrap_or(f64::NAN),
                ci95_low_us: op.ci95_low_us.unwrap_or(f64::NAN),
                ci95_high_us: op.ci95_high_us.unwrap_or(f64::NAN),
                p99_us: op.p99_us.unwrap_or(f64::NAN),
                allocations_per_call: op.allocations_per_call.unwrap_or(f64::NAN),
                bytes_per_call: op.bytes_per_call.unwrap_or(f64::NAN),
                calls: op
                    .noise
                    .as_ref()
                    .map_or(op.calls.unwrap_or(0), |n| n.timed_calls),
                units_per_call: op.throughput.as_ref().map(|t| t.per_call),
                per_sec: op.throughput.as_ref().map(|t| t.per_sec),
                instructions_per_call: op.instructions.as_ref().map(|i| i.per_call),
            });
            continue;
        }
        let scaled = |calls: u64| calls_at_size(calls, smallest, n);
        let size_plan = Plan {
            calls: scaled(base.calls),
            alloc_calls: scaled(base.alloc_calls),
            concurrent_sessions: 0,
            memory_calls: 0,
            hotspot_calls: 0,
            progress: None,
            full_speed_hint_ns: shared.full_speed_ns,
            timeout: budget.timeout.min(shared.remaining()),
            ..base.clone()
        };
        let measured = measure::measure(build, &size_plan, &budget.op)
            .map_err(|error| error.to_string())
            .and_then(|mut m| {
                // In instruction mode each size is counted under Valgrind too, with the calls
                // scaled like the timed ones.
                if counting {
                    let calls = scaled(instruction_calls(&shared.settings));
                    m.instructions = Some(count_instructions(budget, shared, Some(n), calls)?);
                }
                Ok(m)
            });
        match measured {
            Ok(m) => {
                if m.timing.inconclusive.is_some() {
                    noisy.push(n);
                }
                // The operation's limits hold at every size, not only the largest (with those
                // scoped to this size in their place).
                let assessment = verdict::assess(&budget.at_size(n), &m);
                for check in assessment
                    .checks
                    .iter()
                    .filter(|c| c.compliance != Compliance::Met)
                {
                    let verdict = if check.compliance == Compliance::Exceeded {
                        Verdict::Fail
                    } else {
                        Verdict::Warn
                    };
                    op.add_ruling(
                        verdict,
                        format!("at size n = {n}: {}", verdict::reason(check)),
                    );
                }
                points.push(SizePoint::of(n, &m));
            }
            Err(error) => {
                op.add_ruling(
                    Verdict::Fail,
                    format!("size n = {n} could not be measured: {error}"),
                );
                return;
            }
        }
    }
    points.sort_by_key(|p| p.n);
    let ns: Vec<f64> = points.iter().map(|p| p.n as f64).collect();
    let basis = if counting {
        stats::Basis::Instructions
    } else {
        stats::Basis::Timing
    };
    // Instruction counts are exact: their fit has an interval of no width, and no size is noisy.
    let means: Vec<(f64, f64, f64)> = points
        .iter()
        .map(|p| match (counting, p.instructions_per_call) {
            (true, Some(i)) => (i, i, i),
            (true, None) => (f64::NAN, f64::NAN, f64::NAN),
            (false, _) => (p.mean_us, p.ci95_low_us, p.ci95_high_us),
        })
        .collect();
    if counting {
        noisy.clear();
    }
    op.sizes = points;
    let Some(growth) = stats::growth(&ns, &means) else {
        if budget.max_complexity.is_some() {
            op.add_ruling(
                Verdict::Warn,
                "max_complexity not judged: the growth could not be fitted (fewer than 3 sizes \
                 with a usable mean)"
                    .into(),
            );
        }
        return;
    };
    let max_exponent = budget
        .max_complexity
        .as_deref()
        .and_then(|class| stats::class_slope(class, &ns));
    // A size timed while the machine was too noisy to trust is reported, but the growth is not
    // judged on it.
    let exceeded = noisy.is_empty()
        && budget
            .max_complexity
            .as_deref()
            .and_then(|class| stats::exceeds(&growth, class, &ns, basis))
            .unwrap_or(false);
    if !noisy.is_empty() && budget.max_complexity.is_some() {
        op.add_ruling(
            Verdict::Warn,
            format!(
                "max_complexity not judged: the timing of size{} {} was too noisy to trust",
                if noisy.len() > 1 { "s" } else { "" },
                noisy
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    if exceeded {
        let sizes: Vec<String> = ns.iter().map(|n| format!("{n}")).collect();
        op.add_ruling(
            Verdict::Fail,
            format!(
                "{} grows as n^{:.2} (95% CI {:.2}–{:.2}, nearest class {}) over sizes {}: beyond \
             max_complexity \"{}\" (whose own slope over these sizes is {:.2}, with {:.2} allowed \
             for constant overheads and caches)",
                if counting {
                    "instruction count"
                } else {
                    "cost"
                },
                growth.exponent,
                growth.interval.0,
                growth.interval.1,
                growth.nearest,
                sizes.join(", "),
                budget.max_complexity.as_deref().unwrap_or_default(),
                max_exponent.unwrap_or(f64::NAN),
                budget
                    .max_complexity
                    .as_deref()
                    .and_then(|class| stats::allowance(class, &ns, basis))
                    .unwrap_or(f64::NAN),
            ),
        );
    }
    op.complexity = Some(Complexity {
        fitted_exponent: growth.exponent,
        exponent_ci: growth.interval,
        nearest_class: growth.nearest.to_string(),
        max_complexity: budget.max_complexity.clone(),
        max_class_exponent: max_exponent,
        exceeded,
        basis: if counting { "instructions" } else { "mean_us" }.to_string(),
    });
}

/// The operation measured and judged as it is (with `sizes`, at the largest).
fn measure_and_judge_largest(entry: &Entry, budget: &Budget, shared: &Shared) -> Operation {
    let plan = Plan {
        full_speed_hint_ns: shared.full_speed_ns,
        ..plan(&shared.settings, budget)
    };
    let bar = progress::Bar::for_operation(&budget.op, shared.name_width).map(Arc::new);
    let plan = Plan {
        progress: bar.clone().map(|b| b as Arc<dyn measure::ProgressSink>),
        ..plan
    };
    let attempt = || {
        // Each attempt may take the operation's timeout, or what is left of the run's.
        let remaining = shared.remaining();
        if remaining.is_zero() {
            return Err(MeasureError::RunTimeLimit);
        }
        let run_limited = remaining < budget.timeout;
        let plan = Plan {
            timeout: budget.timeout.min(remaining),
            ..plan.clone()
        };
        match measure::measure(entry.routine, &plan, &budget.op) {
            Ok(mut m) => {
                shared.run_to_run(&budget.op, &mut m.timing);
                let assessment = verdict::assess(budget, &m);
                Ok((m, assessment))
            }
            // The run's limit, not the operation's, cut it short: say so.
            Err(MeasureError::TimedOut(_)) if run_limited => Err(MeasureError::RunTimeLimit),
            Err(error) => Err(error),
        }
    };
    let mut result = attempt();
    let mut remeasured = false;
    if matches!(&result, Ok((_, assessment)) if assessment.is_marginal()) {
        result = attempt();
        remeasured = true;
    }
    if let Some(bar) = &bar {
        bar.finish();
    }
    let (mut measurement, mut assessment) = match result {
        Ok(done) => done,
        Err(error) => {
            let message = format!("{} ({} at {})", error, budget.function, budget.location());
            return Operation::failed(budget, error.to_string(), message);
        }
    };
    // A timing the machine's state made untrustworthy (a host that slowed the whole timed
    // phase, a neighbour that disturbed most batches) is not a verdict: wait for the machine to
    // run at full speed again, and time once more. The second timing is kept whatever it says,
    // if it can be trusted.
    if measurement.timing.inconclusive.is_some() {
        let waited = shared
            .full_speed_ns
            .and_then(|hint| measure::wait_for_full_speed(hint, FULL_SPEED_WAIT));
        let timing_only = Plan {
            timeout: budget.timeout.min(shared.remaining()),
            progress: None,
            ..plan.clone().timing_only()
        };
        if let Some(waited) = waited
            && let Ok(mut second) = measure::measure(entry.routine, &timing_only, &budget.op)
            && second.timing.inconclusive.is_none()
        {
            shared.run_to_run(&budget.op, &mut second.timing);
            let first = measurement.timing.inconclusive.take().unwrap_or_default();
            measurement.timing = second.timing;
            measurement.timing.notes.push(format!(
                "timed again after waiting {:.2} s for the machine to run at full speed (the \
                 first timing: {first})",
                waited.as_secs_f64()
            ));
            assessment = verdict::assess(budget, &measurement);
            remeasured = true;
        }
    }
    let budget_us = budget.limit(LimitKind::MeanUs).map(|l| l.value);
    let mut finding = shared.finding(&budget.op, &measurement.timing, budget_us);
    if matches!(finding.comparison, Comparison::Regression { .. }) {
        // A regression is raised only if a second timing confirms it: one disturbed or unlucky
        // measurement must not fail a build. The smaller of the two slowdowns is reported.
        let timing_only = Plan {
            timeout: budget.timeout.min(shared.remaining()),
            ..plan.clone().timing_only()
        };
        if let Ok(mut second) = measure::measure(entry.routine, &timing_only, &budget.op) {
            shared.run_to_run(&budget.op, &mut second.timing);
            let first_change = change_percent(&finding);
            let second_finding = shared.finding(&budget.op, &second.timing, budget_us);
            let second_change = change_percent(&second_finding);
            let confirmed = matches!(second_finding.comparison, Comparison::Regression { .. });
            let keep_second = !confirmed || second.timing.mean_ns < measurement.timing.mean_ns;
            if keep_second {
                measurement.timing = second.timing;
                assessment = verdict::assess(budget, &measurement);
                finding = second_finding;
            }
            let earlier = finding.confirmation.take();
            let said = if confirmed {
                format!(
                    "confirmed by a second timing: {first_change:+.1}% then {second_change:+.1}%"
                )
            } else {
                format!(
                    "a first timing was {first_change:+.1}% against the baseline, a second \
                     {second_change:+.1}%: not confirmed, not a regression"
                )
            };
            finding.confirmation = Some(match earlier {
                Some(earlier) => format!("{earlier}; {said}"),
                None => said,
            });
            remeasured = true;
        }
    }
    let history = verdict::judge_regression(
        &finding,
        budget.limit(LimitKind::RegressionPercent),
        shared.fail_on_critical,
    );
    let leak = leak_analysis(&measurement);
    if let Some(analysis) = leak.as_ref().filter(|a| a.is_leak()) {
        // Where the leaked memory is allocated: a sampled pass long enough to see the leak
        // retain at least twice.
        let memory_calls = measurement.memory.as_ref().map_or(0, |m| m.calls);
        let calls = measure::hotspot_calls(memory_calls, analysis.period_calls());
        let timeout = budget.timeout.min(shared.remaining());
        measurement.hotspots =
            measure::find_hotspots(entry.routine, calls, HOTSPOTS, timeout, &budget.op).ok();
    }
    let hotspot = measurement
        .hotspots
        .as_ref()
        .and_then(|h| h.hotspots.first())
        .map(|h| h.location.as_str());
    let leak_ruling = match &leak {
        Some(analysis) => verdict::judge_leak(
            analysis,
            shared.fail_on_memory_leaks || budget.leak_check,
            hotspot,
            measurement
                .memory
                .as_ref()
                .map_or(0, |run| run.foreign_allocations),
        ),
        None => verdict::Ruling::PASS,
    };
    let judgement = verdict::judge(assessment, history, leak_ruling);
    Operation::measured(
        budget,
        OperationParts {
            measurement: &measurement,
            judgement,
            finding: Some(&finding),
            leak,
            remeasured,
        },
    )
}

/// Instruction mode: the allocations natively (exact; with a short timing that is only
/// informational here), then the instructions of the operation counted under Valgrind, judged
/// exactly and against the history's counts.
fn count_and_judge(entry: &Entry, budget: &Budget, shared: &Shared) -> Operation {
    let failed = |error: String| {
        let message = format!("{error} ({} at {})", budget.function, budget.location());
        Operation::failed(budget, error, message)
    };
    let timeout = budget.timeout.min(shared.remaining());
    if timeout.is_zero() {
        return failed(MeasureError::RunTimeLimit.to_string());
    }
    let plan = instruction_mode_plan(shared, timeout);
    let mut measurement = match measure::measure(entry.routine, &plan, &budget.op) {
        Ok(m) => m,
        Err(error) => return failed(error.to_string()),
    };
    // With sizes, the largest is counted with the calls scaled by smallest/largest, as its
    // timing is: counts are exact, and a large input under Valgrind is slow.
    let calls = match (entry.sizes.first(), entry.sizes.last()) {
        (Some(&(smallest, _)), Some(&(largest, _))) => {
            calls_at_size(instruction_calls(&shared.settings), smallest, largest)
        }
        _ => instruction_calls(&shared.settings),
    };
    let counts = match count_instructions(budget, shared, None, calls) {
        Ok(counts) => counts,
        Err(error) => return failed(error),
    };
    let finding = shared.instruction_finding(&budget.op, counts.instructions);
    measurement.instructions = Some(counts);
    let assessment = verdict::assess(budget, &measurement);
    let history = verdict::judge_regression(
        &finding,
        budget.limit(LimitKind::RegressionPercent),
        shared.fail_on_critical,
    );
    let judgement = verdict::judge(assessment, history, verdict::Ruling::PASS);
    Operation::measured(
        budget,
        OperationParts {
            measurement: &measurement,
            judgement,
            finding: Some(&finding),
            leak: None,
            remeasured: false,
        },
    )
}

/// The native (informational) timing of instruction mode.
fn instruction_mode_plan(shared: &Shared, timeout: Duration) -> Plan {
    Plan::new(
        shared
            .settings
            .operations
            .min(NATIVE_CALLS_IN_INSTRUCTION_MODE),
        Duration::from_millis(10),
        timeout,
    )
}

/// The instructions of `calls` calls of the operation (at input size `size`, for one with
/// sizes; its largest when `None`), counted by running this perf binary under Valgrind.
fn count_instructions(
    budget: &Budget,
    shared: &Shared,
    size: Option<usize>,
    calls: u64,
) -> Result<callgrind::InstructionCounts, String> {
    let exe = std::env::current_exe().map_err(|error| {
        format!("cannot find this perf binary to run it under Valgrind: {error}")
    })?;
    callgrind::count(
        &exe,
        &budget.op,
        size,
        calls,
        &shared.settings.output_dir.join("callgrind"),
        budget.timeout.min(shared.remaining()),
    )
    .map_err(|error| error.to_string())
}

/// `calls` scaled for input size `n` of an operation whose smallest size is `smallest`: by
/// smallest/n, at least 10, so that each size takes about as long as the smallest.
fn calls_at_size(calls: u64, smallest: usize, n: usize) -> u64 {
    (calls.saturating_mul(smallest.max(1) as u64) / (n.max(1) as u64)).max(10)
}

/// Calls timed natively in instruction mode (their figures are informational).
const NATIVE_CALLS_IN_INSTRUCTION_MODE: u64 = 1000;

/// Calls counted under Valgrind (20–50× slower than native): a tenth of `--operations`, at least
/// 100, at most 2000 — rounded up by the child to whole passes over the inputs.
fn instruction_calls(settings: &RunSettings) -> u64 {
    (settings.operations / 10).clamp(100, 2000)
}

/// The change against the baseline a finding reports, percent (NaN without one).
fn change_percent(finding: &RegressionFinding) -> f64 {
    match &finding.comparison {
        Comparison::Regression {
            degradation_percent,
            ..
        } => *degradation_percent,
        Comparison::Unchanged { change_percent, .. } => *change_percent,
        Comparison::Improvement {
            improvement_percent,
            ..
        } => -improvement_percent,
        _ => f64::NAN,
    }
}

/// The memory run's samples classified, when the check ran.
fn leak_analysis(measurement: &Measurement) -> Option<leak::LeakAnalysis> {
    let run = measurement.memory.as_ref()?;
    let checkpoints: Vec<leak::Checkpoint> = run
        .samples
        .iter()
        .map(|s| leak::Checkpoint {
            calls: s.calls,
            live_bytes: s.live_bytes,
            allocated_bytes: s.allocated_bytes,
            freed_bytes: s.freed_bytes,
        })
        .collect();
    Some(leak::analyze(&checkpoints, &LeakSettings::default()))
}

/// Whether the machine's speed moves the operation's timing: as this run saw it, or, when the
/// run could not tell (it ran at one speed throughout), as most of its past runs that could tell
/// saw it; assumed when nothing could tell.
fn follows_speed(timing: &Timing, past: &[&Record]) -> bool {
    if timing.speed_seen {
        return timing.speed_sensitive;
    }
    let (sensitive, insensitive) =
        past.iter()
            .fold((0, 0), |(yes, no), r| match r.speed_sensitive {
                Some(true) => (yes + 1, no),
                Some(false) => (yes, no + 1),
                None => (yes, no),
            });
    insensitive <= sensitive
}

/// Past runs of an operation that waits, left out of its comparison: how many, and why.
#[derive(Clone, Copy, Debug, Default)]
struct LeftOut {
    /// Their machine's background load was more than [`SAME_LOAD_CORES`] apart.
    other_load: usize,
    /// They did not record it (written before perfgate recorded it).
    unknown_load: usize,
}

impl LeftOut {
    fn total(self) -> usize {
        self.other_load + self.unknown_load
    }

    fn phrase(self) -> String {
        let mut parts = Vec::new();
        if self.other_load > 0 {
            parts.push(format!(
                "{} of its past runs had other processes keep more than {SAME_LOAD_CORES} cores \
                 more or less busy",
                self.other_load
            ));
        }
        if self.unknown_load > 0 {
            parts.push(format!(
                "{} did not record the machine's load (written by an earlier perfgate)",
                self.unknown_load
            ));
        }
        parts.join(", and ")
    }
}

/// Runs of an operation that waits on another party compare when other processes kept about as
/// many cores busy (within this many). An unchanged Redis lookup on the 2-core VM took 72–82 µs
/// with the neighbour core idle and 22–23 µs with it busy ([`crate::measure::clock::Load`]).
const SAME_LOAD_CORES: f64 = 0.5;

/// How long an operation whose timing could not be trusted waits for the machine to run at full
/// speed again before it is timed once more (host slowdowns last from a fraction of a
/// millisecond to seconds).
const FULL_SPEED_WAIT: Duration = Duration::from_secs(5);

/// Runs compare when their machines' full speeds (the fastest reference chain of each run) are
/// within this factor: a host that slows the machine by more (it happens: up to 1.85× on shared
/// VMs) would otherwise read as a regression of the code.
const SAME_SPEED: f64 = 1.15;

/// A run that cannot be compared finely with its history judges only changes beyond this,
/// percent (more than twice as slow, after scaling by the machines' speed ratio).
const COARSE_CHANGE_PERCENT: f64 = 100.0;

/// Allocation sites listed for a leak.
const HOTSPOTS: usize = 5;

/// How to measure an operation in this run. The sampled pass over allocation sites runs only
/// when the leak check finds a leak, sized by its pattern.
fn plan(settings: &RunSettings, budget: &Budget) -> Plan {
    let leak_check = settings.memory_test || budget.leak_check;
    Plan::new(settings.operations, settings.mode.warmup(), budget.timeout)
        .with_min_duration(settings.mode.min_timing())
        .with_concurrency(
            settings.concurrent_sessions,
            settings.mode.concurrent_duration(),
        )
        .with_leak_check(if leak_check {
            settings.memory_operations
        } else {
            0
        })
        .without_hotspots()
}
