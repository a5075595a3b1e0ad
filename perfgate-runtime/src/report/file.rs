//! `report.json` on disk: written atomically, read back with positioned errors.

use std::io;
use std::path::{Path, PathBuf};

use super::{Report, SCHEMA_VERSION};

/// The largest report file read: far beyond any real run (a report of a thousand operations is a
/// few megabytes), small enough that a wrong path (a device, a log) fails quickly.
pub const MAX_REPORT_BYTES: u64 = 256 * 1024 * 1024;

/// A report file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Not a regular file of a sensible size.
    #[error("{}: {reason}", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        reason: String,
    },
    /// Not a perfgate report.
    #[error("{}:{line}:{column}: not a perfgate report.json: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Line of the problem, 1-based.
        line: usize,
        /// Column of the problem, 1-based.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Written by a newer perfgate, in a layout this version does not know.
    #[error(
        "{}: report schema_version {version} was written by a newer perfgate (this one reads up to {SCHEMA_VERSION}); upgrade perfgate to read it",
        path.display()
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        version: u64,
    },
}

impl Report {
    /// A report from its JSON text.
    pub fn from_json(text: &str) -> Result<Report, ReportError> {
        Report::parse(text, Path::new("report.json"))
    }

    /// Reads a `report.json` file.
    pub fn read(path: &Path) -> Result<Report, ReportError> {
        let read = |source| ReportError::Read {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(read)?;
        if !meta.is_file() {
            let what = if meta.is_dir() {
                "a directory"
            } else {
                "not a regular file (a device, a FIFO or a socket)"
            };
            return Err(ReportError::NotAFile {
                path: path.to_path_buf(),
                reason: format!("is {what}, not a report.json file"),
            });
        }
        if meta.len() > MAX_REPORT_BYTES {
            return Err(ReportError::NotAFile {
                path: path.to_path_buf(),
                reason: format!(
                    "is {} bytes, more than any report.json ({MAX_REPORT_BYTES} bytes at most)",
                    meta.len()
                ),
            });
        }
        let text = std::fs::read_to_string(path).map_err(read)?;
        Report::parse(&text, path)
    }

    fn parse(text: &str, path: &Path) -> Result<Report, ReportError> {
        let at = |error: serde_json::Error| ReportError::Parse {
            path: path.to_path_buf(),
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        };
        // The version first: a newer layout must say so, not fail on some field.
        let value: serde_json::Value = serde_json::from_str(text).map_err(at)?;
        if let Some(version) = value.get("schema_version").and_then(|v| v.as_u64())
            && version > u64::from(SCHEMA_VERSION)
        {
            return Err(ReportError::NewerSchema {
                path: path.to_path_buf(),
                version,
            });
        }
        serde_json::from_str(text).map_err(at)
    }

    /// The report as pretty-printed JSON, ending in a newline.
    pub fn to_json(&self) -> String {
        // A report holds only strings, numbers, bools and maps with string keys: it serialises.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Writes the report into `dir` (created if needed) as `file_name` and returns its path. The
    /// file is written beside and renamed, so a reader never sees half a report.
    pub fn write(&self, dir: &Path, file_name: &str) -> io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(file_name);
        let partial = dir.join(format!("{file_name}.partial"));
        std::fs::write(&partial, self.to_json())?;
        std::fs::rename(&partial, &path)?;
        Ok(path)
    }
}

/// Longest operation-name part of a per-process report file name, in bytes.
const MAX_NAME_PART: usize = 96;

/// The name of a run's report file: `report.json`, or, where every operation runs in a process of
/// its own (nextest), `report-<operations>-<hash>.json`, so that processes do not overwrite each
/// other (`perfgate report DIR` merges them). The operations' names are made safe for a file name
/// (anything but ASCII letters, digits, `-`, `_` and `.` becomes `_`, no `..`), bounded in
/// length, and kept apart by a hash of the full names; the real names are inside the file.
pub fn report_file_name(operations: &[&str], per_process: bool) -> String {
    if !per_process {
        return "report.json".to_string();
    }
    let joined = operations.join("+");
    let mut safe: String = joined
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        safe = "none".into();
    }
    safe.truncate(MAX_NAME_PART);
    format!("report-{safe}-{:016x}.json", fnv1a(joined.as_bytes()))
}

/// The per-process reports (`report-*.json`) in `dir` of the run `run_id`, merged: what the run
/// has measured so far, when each of its operations is a process of its own. `None` when there
/// are none or they do not merge. Unreadable files are left out (another run's process may be
/// writing one).
pub fn run_so_far(dir: &Path, run_id: &str) -> Option<Report> {
    let mut reports: Vec<(PathBuf, Report)> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("report-") && n.ends_with(".json"))
        })
        .filter_map(|path| Report::read(&path).ok().map(|report| (path, report)))
        .filter(|(_, report)| report.run_id == run_id)
        .collect();
    reports.sort_by(|a, b| a.0.cmp(&b.0));
    let reports: Vec<Report> = reports.into_iter().map(|(_, report)| report).collect();
    if reports.is_empty() {
        return None;
    }
    super::merge(&reports).ok()
}

/// Where the named baseline `name` of runs writing into `output_dir` is kept.
pub fn baseline_path(output_dir: &Path, name: &str) -> PathBuf {
    output_dir.join("baselines").join(format!("{name}.json"))
}

impl Report {
    /// Stores this run as the named baseline `name` in `output_dir`. Processes of one run
    /// (nextest runs each operation in its own) add their operations to the same baseline; a
    /// later run replaces it.
    pub fn save_as_baseline(&self, output_dir: &Path, name: &str) -> Result<PathBuf, String> {
        let path = baseline_path(output_dir, name);
        let mut saved = self.clone();
        if let Ok(earlier) = Report::read(&path)
            && earlier.run_id == self.run_id
        {
            let mine: Vec<&str> = self.operations.iter().map(|o| o.op.as_str()).collect();
            saved.operations.extend(
                earlier
                    .operations
                    .into_iter()
                    .filter(|o| !mine.contains(&o.op.as_str())),
            );
            saved.operations.sort_by(|a, b| a.op.cmp(&b.op));
        }
        let dir = path.parent().unwrap_or(output_dir);
        saved
            .write(dir, &format!("{name}.json"))
            .map_err(|error| format!("cannot save the baseline {name:?}: {error}"))
    }

    /// The named baseline `name` of runs writing into `output_dir`; when there is none, an error
    /// naming the baselines there are.
    pub fn read_baseline(output_dir: &Path, name: &str) -> Result<Report, String> {
        let path = baseline_path(output_dir, name);
        if path.exists() {
            return Report::read(&path).map_err(|error| error.to_string());
        }
        let mut known: Vec<String> = std::fs::read_dir(output_dir.join("baselines"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|entry| {
                entry
                    .file_name()
                    .to_str()?
                    .strip_suffix(".json")
                    .map(str::to_owned)
            })
            .collect();
        known.sort();
        Err(format!(
            "there is no baseline {name:?} in {} ({}); save one with --save-baseline {name}",
            output_dir.join("baselines").display(),
            if known.is_empty() {
                "there are none".to_string()
            } else {
                format!("there are: {}", known.join(", "))
            }
        ))
    }
}

/// FNV-1a, 64 bits: a stable hash for file names (std's hasher may change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_process_names_are_safe_bounded_and_distinct() {
        assert_eq!(report_file_name(&["a"], false), "report.json");
        let hostile = report_file_name(&["x/../../../../tmp/pwned"], true);
        assert!(
            hostile.starts_with("report-x_____________tmp_pwned-"),
            "{hostile}"
        );
        assert!(!hostile.contains('/') && !hostile.contains(".."));
        let long = "a".repeat(400);
        assert!(report_file_name(&[&long], true).len() < 140);
        assert_ne!(
            report_file_name(&["api/decode"], true),
            report_file_name(&["api_decode"], true)
        );
        assert!(report_file_name(&[], true).starts_with("report-none-"));
    }
}
