//! Merging the reports of shards (parallel CI jobs, each gating some of the operations) into the
//! report one unsharded run would have written.

use std::collections::BTreeMap;

use super::{Merged, Operation, Report};
use crate::leak::{self, LeakAnalysis};
use crate::verdict::{GateCode, Verdict};

/// Merges shard reports into one.
///
/// - Operations: the union, sorted by name. An operation in several reports keeps the report in
///   which it was measured (not ignored); measured in two, it is a conflict: the worse verdict is
///   kept and a warning names both.
/// - Gate: the worst of the reports' codes (PASS < WARN < FAIL < BLOCK < ERROR), the policy each
///   shard already applied to its operations; a conflict makes it at least WARN.
/// - Warnings and alerts: concatenated in report order, exact repeats dropped (every shard of a
///   run reports the same unoptimised build or orphan budget).
/// - Leak totals: summed again over the merged operations.
/// - Everything else (settings, machine, tool, unknown fields) from the first report; `merged`
///   records how many reports went in and the conflicting operations.
///
/// Reports of different runs (`run_id`), stages, modes or schema versions are not one gate run:
/// an error.
pub fn merge(reports: &[Report]) -> Result<Report, String> {
    let first = reports.first().ok_or("no reports to merge")?;
    for (i, report) in reports.iter().enumerate().skip(1) {
        let n = i + 1;
        let differ = |what: &str, theirs: String, ours: String| {
            Err(format!(
                "report {n} has {what} {theirs} but report 1 has {ours}: not shards of one run"
            ))
        };
        if report.run_id != first.run_id {
            return Err(format!(
                "report {n} is of run {:?} but report 1 of run {:?}: not shards of one run (a \
                 report left from an earlier run? merge the reports of one run, or choose one \
                 with --run)",
                report.run_id, first.run_id
            ));
        }
        if report.schema_version != first.schema_version {
            return differ(
                "schema_version",
                report.schema_version.to_string(),
                first.schema_version.to_string(),
            );
        }
        if report.settings.stage != first.settings.stage {
            return differ(
                "stage",
                show_stage(&report.settings.stage),
                show_stage(&first.settings.stage),
            );
        }
        if report.settings.mode != first.settings.mode {
            return differ(
                "mode",
                format!("{:?}", report.settings.mode.name()),
                format!("{:?}", first.settings.mode.name()),
            );
        }
    }

    let mut warnings: Vec<String> = Vec::new();
    let mut alerts: Vec<String> = Vec::new();
    let push_unique = |list: &mut Vec<String>, item: &str| {
        if !list.iter().any(|x| x == item) {
            list.push(item.to_string());
        }
    };
    for report in reports {
        for warning in &report.warnings {
            push_unique(&mut warnings, warning);
        }
        for alert in &report.alerts {
            push_unique(&mut alerts, alert);
        }
    }
    for (i, report) in reports.iter().enumerate().skip(1) {
        if report.machine != first.machine {
            push_unique(
                &mut warnings,
                &format!(
                    "report {} was measured on another machine ({}) than report 1; its figures \
                     compare only with its own history",
                    i + 1,
                    report.machine.cpu_model
                ),
            );
        }
    }

    // Operation name -> (operation, index of its report).
    let mut operations: BTreeMap<&str, (&Operation, usize)> = BTreeMap::new();
    let mut conflicts: Vec<String> = Vec::new();
    for (i, report) in reports.iter().enumerate() {
        for op in &report.operations {
            let Some((kept, kept_from)) = operations.get(op.op.as_str()).copied() else {
                operations.insert(&op.op, (op, i));
                continue;
            };
            match (kept.verdict, op.verdict) {
                (_, Verdict::Ignored) => {}
                (Verdict::Ignored, _) => {
                    operations.insert(&op.op, (op, i));
                }
                _ => {
                    let keep_new = rank(op) > rank(kept);
                    let kept_verdict = if keep_new { op } else { kept }.verdict;
                    warnings.push(format!(
                        "conflict: `{}` was measured in report {} ({}) and in report {} ({}); kept {}",
                        op.op,
                        kept_from + 1,
                        kept.verdict.upper(),
                        i + 1,
                        op.verdict.upper(),
                        kept_verdict.upper()
                    ));
                    if !conflicts.contains(&op.op) {
                        conflicts.push(op.op.clone());
                    }
                    if keep_new {
                        operations.insert(&op.op, (op, i));
                    }
                }
            }
        }
    }

    let mut gate = reports
        .iter()
        .map(|r| r.gate)
        .max()
        .unwrap_or(GateCode::Pass);
    if !conflicts.is_empty() {
        gate = gate.max(GateCode::Warn);
    }
    let operations: Vec<Operation> = operations.into_values().map(|(op, _)| op.clone()).collect();
    let analyses: Vec<&LeakAnalysis> = operations
        .iter()
        .filter_map(|o| o.leak.as_ref().map(|l| &l.analysis))
        .collect();
    let leak_summary = (!analyses.is_empty()).then(|| leak::summarize(&analyses));
    // Shards run under one policy: a merged WARN exits 0 only if the shards ran as local runs
    // (a shard's WARN exited 0 and said why), and 1 otherwise.
    let exit = reports
        .iter()
        .find_map(|r| r.exit.as_ref().filter(|e| e.code == 0))
        .filter(|_| gate == GateCode::Warn)
        .cloned();
    let notes = super::build::debug_assertions_note(&operations)
        .into_iter()
        .collect();
    Ok(Report {
        gate,
        exit,
        warnings,
        notes,
        alerts,
        leak_summary,
        generated_unix_ms: reports
            .iter()
            .map(|r| r.generated_unix_ms)
            .max()
            .unwrap_or(first.generated_unix_ms),
        history_path: reports.iter().find_map(|r| r.history_path.clone()),
        merged: Some(Merged {
            reports: reports.len(),
            conflicts,
        }),
        operations,
        ..first.clone()
    })
}

/// How bad an operation's outcome is, for keeping the worse of two: an operation that could not
/// be measured ranks above a measured failure, below a block.
fn rank(op: &Operation) -> (Verdict, bool) {
    (op.verdict, op.is_error())
}

fn show_stage(stage: &Option<String>) -> String {
    match stage {
        Some(stage) => format!("{stage:?}"),
        None => "none".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::{operation, report};

    #[test]
    fn a_merged_warn_exits_as_its_shards_did() {
        let local = crate::verdict::WarnExit::new(None, false, None);
        let ci = crate::verdict::WarnExit::new(None, true, None);
        let shard = |op: &str, verdict, policy: &crate::verdict::WarnExit| {
            let gate = GateCode::for_run([verdict], false, None);
            report(gate, vec![operation(op, verdict)]).with_warn_exit(policy)
        };
        let merged = merge(&[
            shard("a", Verdict::Warn, &local),
            shard("b", Verdict::Pass, &local),
        ])
        .unwrap();
        assert_eq!((merged.gate, merged.exit_code()), (GateCode::Warn, 0));
        let merged = merge(&[
            shard("a", Verdict::Warn, &ci),
            shard("b", Verdict::Pass, &ci),
        ])
        .unwrap();
        assert_eq!((merged.gate, merged.exit_code()), (GateCode::Warn, 1));
        // A failure exits 2 whatever the policy.
        let merged = merge(&[
            shard("a", Verdict::Warn, &local),
            shard("b", Verdict::Fail, &local),
        ])
        .unwrap();
        assert_eq!((merged.gate, merged.exit_code()), (GateCode::Fail, 2));
    }

    #[test]
    fn measured_beats_ignored_and_two_measurements_conflict() {
        let a = report(
            GateCode::Fail,
            vec![
                operation("b", Verdict::Ignored),
                operation("c", Verdict::Fail),
            ],
        );
        let b = report(
            GateCode::Pass,
            vec![
                operation("b", Verdict::Pass),
                operation("c", Verdict::Pass),
                operation("a", Verdict::Ignored),
            ],
        );
        let merged = merge(&[a, b]).unwrap();
        let ops: Vec<(&str, Verdict)> = merged
            .operations
            .iter()
            .map(|o| (o.op.as_str(), o.verdict))
            .collect();
        assert_eq!(
            ops,
            [
                ("a", Verdict::Ignored),
                ("b", Verdict::Pass),
                ("c", Verdict::Fail)
            ]
        );
        assert_eq!(merged.gate, GateCode::Fail);
        assert_eq!(merged.merged.as_ref().unwrap().conflicts, ["c"]);
        let warning = &merged.warnings[0];
        assert!(
            warning.contains("`c`") && warning.contains("kept FAIL"),
            "{warning}"
        );
    }

    #[test]
    fn a_conflict_alone_warns_and_repeated_warnings_appear_once() {
        let mut a = report(GateCode::Pass, vec![operation("x", Verdict::Pass)]);
        a.warnings = vec!["unoptimised".into()];
        let b = a.clone();
        let merged = merge(&[a, b]).unwrap();
        assert_eq!(merged.gate, GateCode::Warn);
        assert_eq!(merged.warnings[0], "unoptimised");
        assert_eq!(merged.warnings.len(), 2);
    }

    #[test]
    fn different_stages_are_not_one_run() {
        let a = report(GateCode::Pass, vec![]);
        let mut b = report(GateCode::Pass, vec![]);
        b.settings.stage = Some("pre_deployment".into());
        let error = merge(&[a, b]).unwrap_err();
        assert!(
            error.contains("report 2 has stage \"pre_deployment\""),
            "{error}"
        );
        assert!(merge(&[]).is_err());
    }
}
