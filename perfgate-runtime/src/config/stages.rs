//! The stage a run gates (`--stage`): one of the standard CI stages, or one that a budget names.
//!
//! A stage filters operations out, so a misspelled one (`pre_deploymnet`) would skip every staged
//! operation and pass; it is a configuration error instead.

use std::collections::BTreeSet;

use super::{BudgetFile, ConfigError};
use crate::registry::Entry;

/// The stages of a CI pipeline that perfgate knows without being told, in pipeline order.
pub const STANDARD_STAGES: [&str; 5] = [
    "pre_commit",
    "unit_tests",
    "integration_tests",
    "performance_tests",
    "pre_deployment",
];

/// Checks that `stage` is a standard stage or one named by an attribute's `stages` or a budget's
/// `stage_requirements` (whether `true` or `false` there).
pub fn check_stage(
    stage: Option<&str>,
    entries: &[&Entry],
    file: &BudgetFile,
) -> Result<(), ConfigError> {
    let Some(stage) = stage else {
        return Ok(());
    };
    let known = known_stages(entries, file);
    if known.iter().any(|known| known == stage) {
        return Ok(());
    }
    Err(ConfigError::UnknownStage {
        stage: stage.to_string(),
        suggestion: closest(stage, &known),
        known,
    })
}

/// The standard stages in pipeline order, then the others named by budgets, sorted.
pub fn known_stages(entries: &[&Entry], file: &BudgetFile) -> Vec<String> {
    let from_attributes = entries
        .iter()
        .flat_map(|entry| entry.stages.iter().copied());
    let from_file = file
        .records
        .iter()
        .filter_map(|record| record.stage_requirements.as_ref())
        .flat_map(|requirements| requirements.keys().map(String::as_str));
    let custom: BTreeSet<&str> = from_attributes
        .chain(from_file)
        .filter(|stage| !STANDARD_STAGES.contains(stage))
        .collect();
    STANDARD_STAGES
        .into_iter()
        .chain(custom)
        .map(str::to_string)
        .collect()
}

/// The known stage `stage` is most likely a misspelling of, if any is close.
fn closest(stage: &str, known: &[String]) -> Option<String> {
    let lower = stage.to_lowercase();
    known
        .iter()
        .map(|candidate| (edit_distance(&lower, &candidate.to_lowercase()), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.chars().count() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate.clone())
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
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

    fn entry(stages: &'static [&'static str]) -> Entry {
        Entry {
            op: "a",
            function: "a",
            module_path: "app",
            file: "src/lib.rs",
            line: 7,
            limits: AttrLimits::default(),
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

    fn file_naming(stage: &str, required: bool) -> BudgetFile {
        BudgetFile {
            path: "budgets.json".into(),
            found: true,
            records: vec![BudgetRecord {
                operation_name: "b".into(),
                stage_requirements: Some(BTreeMap::from([(stage.to_string(), required)])),
                ..Default::default()
            }],
        }
    }

    #[test]
    fn standard_and_named_stages_are_accepted() {
        let attribute = entry(&["canary"]);
        let file = file_naming("nightly", false);
        for stage in ["pre_commit", "performance_tests", "canary", "nightly"] {
            assert!(
                check_stage(Some(stage), &[&attribute], &file).is_ok(),
                "{stage}"
            );
        }
        assert!(check_stage(None, &[], &BudgetFile::default()).is_ok());
        assert_eq!(
            known_stages(&[&attribute], &file)[3..],
            ["performance_tests", "pre_deployment", "canary", "nightly"]
        );
    }

    #[test]
    fn a_misspelled_stage_is_an_error_listing_the_known_ones() {
        let attribute = entry(&["canary"]);
        let error = check_stage(
            Some("pre_deploymnet"),
            &[&attribute],
            &BudgetFile::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("unknown stage `pre_deploymnet`"), "{error}");
        assert!(error.contains("did you mean `pre_deployment`?"), "{error}");
        for stage in STANDARD_STAGES.iter().chain(&["canary"]) {
            assert!(error.contains(stage), "{stage} missing: {error}");
        }
        // Stages are exact: no silent case folding, but a suggestion.
        let error = check_stage(Some("Pre_Commit"), &[], &BudgetFile::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("did you mean `pre_commit`?"), "{error}");
        let error = check_stage(Some("zzz"), &[], &BudgetFile::default())
            .unwrap_err()
            .to_string();
        assert!(!error.contains("did you mean"), "{error}");
    }

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("pre_deploymnet", "pre_deployment"), 2);
        assert_eq!(edit_distance("é", "e"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
