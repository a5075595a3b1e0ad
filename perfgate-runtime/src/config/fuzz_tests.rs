//! Seeded mutations of valid budgets and settings files (byte flips, truncations, type swaps,
//! duplicated keys, deep nesting, huge numbers, odd Unicode, invalid UTF-8), read the way the gate
//! reads them: never a panic; either a file whose values are all within their documented ranges,
//! or an error at a real `file:line:column` that speaks JSON, not Rust.
//!
//! Deterministic (fixed seeds, so a failure names the case to replay) and fast: the loaders are
//! called directly, not one process per case.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use super::{
    BudgetFile, CiSettings, ConfigError, MAX_TIMEOUT_S, MIN_TIMEOUT_S, load_budget_file,
    load_ci_settings,
};

const CASES_PER_FILE: u64 = 400;

const VALID_BUDGETS: &str = r#"[
  {
    "operation_name": "mcp_message_decode",
    "description": "décodage: µs budget",
    "max_latency_us": 6.4,
    "max_p95_us": 9,
    "max_p99_us": 150.0,
    "max_allocs": 0,
    "max_memory_kb": 4.0,
    "max_instance_bytes": 300,
    "min_success_rate": 0.998,
    "max_regression_percent": 25.0,
    "timeout_s": 30,
    "min_ops_per_sec": 1000,
    "max_concurrent_p99_us": 500,
    "enable_memory_leak_check": true,
    "stage_requirements": {"pre_commit": false, "integration_tests": true, "pre_deployment": true}
  },
  {
    "operation_name": "config_instantiation",
    "max_latency_us": 8.4
  }
]
"#;

const VALID_SETTINGS: &str = r#"{
  "enable_performance_gates": true,
  "fail_on_critical_regression": true,
  "fail_on_memory_leaks": false,
  "baseline_comparison_days": 30,
  "min_samples_for_comparison": 5,
  "performance_test_timeout_minutes": 30,
  "history_dir": ".perfgate-history",
  "description": "the gate of the example"
}
"#;

/// splitmix64: small, fast, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const REPLACEMENT_VALUES: [&str; 24] = [
    "true",
    "false",
    "null",
    "\"fast\"",
    "\"\"",
    "[]",
    "[1, 2]",
    "{}",
    "{\"a\": 1}",
    "-1",
    "0",
    "-0",
    "0x10",
    "NaN",
    "Infinity",
    "+1",
    ".5",
    "1.",
    "007",
    "1_000",
    "True",
    "undefined",
    "'single'",
    "\"\\ud800\"",
];

const HUGE_NUMBERS: [&str; 10] = [
    "1e308",
    "-1e308",
    "1e309",
    "1e-400",
    "5e-324",
    "18446744073709551616",
    "-9223372036854775809",
    "123456789012345678901234567890123456789",
    "0.0000000000000000000000001",
    "1.7976931348623157e308",
];

const ODD_UNICODE: [&str; 10] = [
    "\u{feff}",
    "\u{2028}",
    "\u{202e}",
    "é",
    "😀",
    "\u{0}",
    "\u{301}",
    "\u{fffd}",
    "\u{200d}",
    "\u{10ffff}",
];

const INVALID_UTF8: [&[u8]; 6] = [
    &[0xff],
    &[0xc3],
    &[0xed, 0xa0, 0x80],
    &[0xf8, 0x88, 0x80, 0x80, 0x80],
    &[0xc0, 0xaf],
    &[0x80],
];

/// Offsets just after each `:` (most separate a key from its value).
fn value_starts(bytes: &[u8]) -> Vec<usize> {
    (0..bytes.len())
        .filter(|&i| bytes[i] == b':')
        .map(|i| i + 1)
        .collect()
}

/// The end of the value starting (after spaces) at `start`: a string's closing quote, or the
/// next `,`, `}`, `]` or newline.
fn value_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() && bytes[i] == b' ' {
        i += 1;
    }
    if bytes.get(i) == Some(&b'"') {
        i += 1;
        while i < bytes.len() && bytes[i] != b'"' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        return (i + 1).min(bytes.len());
    }
    while i < bytes.len() && !matches!(bytes[i], b',' | b'}' | b']' | b'\n') {
        i += 1;
    }
    i
}

fn replace_value(bytes: &mut Vec<u8>, rng: &mut Rng, with: &[u8]) {
    let starts = value_starts(bytes);
    if starts.is_empty() {
        return;
    }
    let start = *rng.pick(&starts);
    let end = value_end(bytes, start);
    bytes.splice(start..end, with.iter().copied());
}

/// One mutation, and its name for the failure message.
fn mutate(bytes: &mut Vec<u8>, rng: &mut Rng) -> &'static str {
    let at = rng.below(bytes.len() + 1);
    match rng.below(10) {
        0 => {
            if let Some(byte) = bytes.get_mut(at) {
                *byte ^= (rng.below(255) + 1) as u8;
            }
            "byte flip"
        }
        1 => {
            bytes.truncate(at);
            "truncation"
        }
        2 => {
            let with = *rng.pick(&REPLACEMENT_VALUES);
            replace_value(bytes, rng, with.as_bytes());
            "type swap"
        }
        3 => {
            // Files are one field per line: a copied line is a duplicated key.
            let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
            let index = rng.below(lines.len());
            let mut out = Vec::with_capacity(bytes.len() * 2);
            for (i, line) in lines.iter().enumerate() {
                out.extend_from_slice(line);
                out.push(b'\n');
                if i == index {
                    out.extend_from_slice(line);
                    out.push(b'\n');
                }
            }
            *bytes = out;
            "duplicated line"
        }
        4 => {
            let depth = *rng.pick(&[64, 127, 128, 129, 1000, 100_000]);
            let (open, close) = *rng.pick(&[("[", "]"), ("{\"a\": ", "}")]);
            let nested = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            if rng.below(4) == 0 {
                *bytes = format!(
                    "{}{}{}",
                    open.repeat(depth),
                    String::from_utf8_lossy(bytes),
                    close.repeat(depth)
                )
                .into_bytes();
            } else {
                replace_value(bytes, rng, nested.as_bytes());
            }
            "deep nesting"
        }
        5 => {
            let with = *rng.pick(&HUGE_NUMBERS);
            replace_value(bytes, rng, with.as_bytes());
            "huge number"
        }
        6 => {
            let odd = *rng.pick(&ODD_UNICODE);
            let at = if rng.below(5) == 0 { 0 } else { at };
            bytes.splice(at..at, odd.bytes());
            "odd unicode"
        }
        7 => {
            let invalid = *rng.pick(&INVALID_UTF8);
            if rng.below(6) == 0 {
                bytes.splice(0..0, [0xff, 0xfe]);
            } else {
                bytes.splice(at..at, invalid.iter().copied());
            }
            "invalid utf-8"
        }
        8 => {
            if at < bytes.len() {
                bytes.remove(at);
            }
            "deleted byte"
        }
        _ => {
            let punctuation = *rng.pick(b",:{}[]\"\\ ");
            bytes.insert(at, punctuation);
            "inserted punctuation"
        }
    }
}

/// Rust's names, which must never reach a user.
const INTERNAL_NAMES: [&str; 10] = [
    "f64",
    "f32",
    "usize",
    "u64",
    "u32",
    "i64",
    "struct ",
    "BudgetRecord",
    "CiSettings",
    "sequence",
];

/// Checks an error of `bytes` read from `path`: a real position and JSON vocabulary.
fn check_error(path: &Path, bytes: &[u8], error: &ConfigError) -> Result<(), String> {
    let ConfigError::JsonFile {
        line,
        column,
        message,
        ..
    } = error
    else {
        return Err(format!("not an error at a position: {error}"));
    };
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.split('\n').collect();
    if *line == 0 || *line > lines.len() {
        return Err(format!("line {line} of {}: {error}", lines.len()));
    }
    let width = lines[line - 1].chars().count();
    if *column == 0 || *column > width + 1 {
        return Err(format!("column {column} of a line of {width}: {error}"));
    }
    if message.trim().is_empty() {
        return Err(format!("empty message: {error}"));
    }
    if let Some(name) = INTERNAL_NAMES.iter().find(|name| {
        // Outside backticks, which quote the file's own keys and values.
        message
            .split('`')
            .step_by(2)
            .any(|outside| outside.contains(*name))
    }) {
        return Err(format!("internal name {name:?} in: {error}"));
    }
    let shown = error.to_string();
    let prefix = format!("{}:{line}:{column}: ", path.display());
    if !shown.starts_with(&prefix) {
        return Err(format!("does not start with {prefix:?}: {shown}"));
    }
    Ok(())
}

fn check_budgets(file: &BudgetFile) -> Result<(), String> {
    let mut names = std::collections::BTreeSet::new();
    for record in &file.records {
        if record.operation_name.trim().is_empty() || !names.insert(&record.operation_name) {
            return Err(format!("bad or duplicate name {:?}", record.operation_name));
        }
        let positive = [
            record.max_latency_us,
            record.max_p95_us,
            record.max_p99_us,
            record.max_regression_percent,
            record.min_ops_per_sec,
            record.max_concurrent_p99_us,
        ];
        let non_negative = [
            record.max_allocs,
            record.max_memory_kb,
            record.max_instance_bytes,
        ];
        let ok = positive.iter().flatten().all(|v| v.is_finite() && *v > 0.0)
            && non_negative
                .iter()
                .flatten()
                .all(|v| v.is_finite() && *v >= 0.0)
            && record.min_success_rate.is_none_or(|v| v > 0.0 && v <= 1.0)
            && record
                .timeout_s
                .is_none_or(|v| (MIN_TIMEOUT_S..=MAX_TIMEOUT_S).contains(&v));
        if !ok {
            return Err(format!("a value out of range was accepted: {record:?}"));
        }
    }
    Ok(())
}

fn check_settings(settings: &CiSettings) -> Result<(), String> {
    let ok = (0.001..=36_500.0).contains(&settings.baseline_comparison_days)
        && (2..=1_000_000).contains(&settings.min_samples_for_comparison)
        && (0.001..=MAX_TIMEOUT_S / 60.0).contains(&settings.performance_test_timeout_minutes)
        && settings
            .history_dir
            .as_ref()
            .is_none_or(|dir| !dir.as_os_str().to_string_lossy().trim().is_empty());
    if ok {
        Ok(())
    } else {
        Err(format!("a value out of range was accepted: {settings:?}"))
    }
}

/// Runs `CASES_PER_FILE` mutations of `valid` through `load`, checking each outcome.
fn fuzz<T>(
    name: &str,
    valid: &str,
    seed: u64,
    load: fn(&Path) -> Result<T, ConfigError>,
    check: fn(&T) -> Result<(), String>,
) -> (usize, usize) {
    let dir = scratch_dir();
    let path = dir.join(name);
    let valid_outcome = load_from(&path, valid.as_bytes(), load);
    assert!(
        matches!(&valid_outcome, Ok(Ok(value)) if check(value).is_ok()),
        "the unmutated {name} must load"
    );
    let (mut accepted, mut rejected) = (0, 0);
    for case in 0..CASES_PER_FILE {
        let mut rng = Rng(seed ^ case.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let mut bytes = valid.as_bytes().to_vec();
        let mutations: Vec<&str> = (0..1 + rng.below(3))
            .map(|_| mutate(&mut bytes, &mut rng))
            .collect();
        let verdict = match load_from(&path, &bytes, load) {
            Err(panic) => Err(format!("panicked: {panic}")),
            Ok(Ok(value)) => {
                accepted += 1;
                check(&value)
            }
            Ok(Err(error)) => {
                rejected += 1;
                check_error(&path, &bytes, &error)
            }
        };
        if let Err(problem) = verdict {
            let shown = String::from_utf8_lossy(&bytes);
            let shown: String = shown.chars().take(2000).collect();
            panic!("{name} case {case} ({mutations:?}): {problem}\ninput:\n{shown}");
        }
    }
    let _ = std::fs::remove_file(&path);
    // The other file's test may still be running: whichever ends last removes the directory.
    let _ = std::fs::remove_dir(&dir);
    (accepted, rejected)
}

/// A directory of this test process's own under the system temp dir.
fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("perfgate-config-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `bytes` to `path` and loads it, catching a panic as its message.
fn load_from<T>(
    path: &Path,
    bytes: &[u8],
    load: fn(&Path) -> Result<T, ConfigError>,
) -> Result<Result<T, ConfigError>, String> {
    std::fs::write(path, bytes).unwrap();
    catch_unwind(AssertUnwindSafe(|| load(path))).map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

#[test]
fn mutated_budgets_files_never_panic_and_fail_at_a_position_in_json_terms() {
    let (accepted, rejected) = fuzz(
        "budgets.json",
        VALID_BUDGETS,
        0x5EED_B0D6,
        load_budget_file,
        check_budgets,
    );
    // Most mutations break the file; some (a flipped letter in a description) do not.
    assert!(
        rejected > accepted && accepted > 0,
        "{accepted} accepted, {rejected} rejected"
    );
}

#[test]
fn mutated_settings_files_never_panic_and_fail_at_a_position_in_json_terms() {
    let (accepted, rejected) = fuzz(
        "ci_settings.json",
        VALID_SETTINGS,
        0x5EED_5E77,
        load_ci_settings,
        check_settings,
    );
    assert!(
        rejected > accepted && accepted > 0,
        "{accepted} accepted, {rejected} rejected"
    );
}
