//! The outputs of a [`Report`]: the summary printed after libtest's lines, JUnit XML, Bencher
//! Metric Format, the GitHub job summary and annotations, and a self-contained HTML page. Each
//! takes the report by reference and only formats it; nothing here computes a statistic.
//!
//! ```
//! use perfgate_runtime::render;
//! use perfgate_runtime::report::Report;
//!
//! let report = Report::from_json(r#"{
//!   "schema_version": 1, "gate": { "code": 2, "status": "FAIL" },
//!   "settings": { "stage": null, "mode": "quick", "operations": 1000,
//!                 "budgets_path": "b.json", "output_dir": "out" },
//!   "machine": { "cpu_model": "x", "cores": 2, "os": "linux", "rustc": "rustc 1.95.0",
//!                "opt_level": "3", "profile": "release" },
//!   "operations": [{
//!     "op": "decode", "verdict": "fail", "file": "src/lib.rs", "line": 12,
//!     "reasons": ["mean latency 12.47μs exceeds max_us 6.40μs"],
//!     "mean_us": 12.47, "ci95_low_us": 11.76, "ci95_high_us": 13.18
//!   }]
//! }"#).unwrap();
//! assert!(render::junit(&report).contains(r#"<failure message="mean latency 12.47μs exceeds max_us 6.40μs""#));
//! assert_eq!(render::bmf(&report)["decode"]["latency"]["value"], 12470.0);
//! assert_eq!(
//!     render::github_annotations(&report),
//!     ["::error file=src/lib.rs,line=12,title=perfgate%3A decode::mean latency 12.47μs exceeds max_us 6.40μs"]
//! );
//! ```

mod bmf;
mod charts;
mod github;
mod html;
mod junit;
mod look;
mod markup;
mod svg;
mod text;

pub use bmf::bmf;
pub use github::{github_annotations, github_summary_markdown};
pub use html::html;
pub use junit::junit;
pub use markup::utc;
pub use text::{change_phrase, figures_text, gate_line, history_phrase, summary, trend_line};

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::history::Record;
use crate::report::Report;

/// The JSON Schema (draft 2020-12) of `report.json`, as published in `schema/report.schema.json`.
pub const REPORT_SCHEMA: &str = include_str!("../../schema/report.schema.json");

/// Which reports [`write_all`] writes besides `report.html`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outputs {
    /// Where to write JUnit XML.
    pub junit: Option<PathBuf>,
    /// Where to write Bencher Metric Format JSON.
    pub bmf: Option<PathBuf>,
    /// The file the GitHub job summary (markdown) is appended to: `$GITHUB_STEP_SUMMARY`.
    pub github_step_summary: Option<PathBuf>,
    /// Print GitHub annotations (workflow commands): `$GITHUB_ACTIONS` is `true`.
    pub github_annotations: bool,
}

impl Outputs {
    /// The GitHub outputs the environment asks for (`GITHUB_STEP_SUMMARY`, `GITHUB_ACTIONS`),
    /// read through `env` so tests need not set process variables.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Outputs {
        Outputs {
            github_step_summary: env("GITHUB_STEP_SUMMARY")
                .filter(|path| !path.is_empty())
                .map(PathBuf::from),
            github_annotations: env("GITHUB_ACTIONS").as_deref() == Some("true"),
            ..Outputs::default()
        }
    }
}

/// Writes `report.html` into `out_dir` (created if needed) and the other reports `outputs` asks
/// for: JUnit and BMF files, the job summary appended to `$GITHUB_STEP_SUMMARY`, annotations
/// printed to `annotations` (the process's stdout, where GitHub reads workflow commands).
/// Returns the files written (the step summary included), `report.html` first.
///
/// `history` is the history the trend charts draw from: the records loaded before the run plus the
/// ones it appended (see [`html`]). Paths in errors name the file that could not be written.
pub fn write_all(
    report: &Report,
    history: &[Record],
    out_dir: &Path,
    outputs: &Outputs,
    annotations: &mut dyn Write,
) -> io::Result<Vec<PathBuf>> {
    let with_path = |path: &Path| {
        let path = path.to_path_buf();
        move |error: io::Error| io::Error::new(error.kind(), format!("{}: {error}", path.display()))
    };
    let mut written = Vec::new();
    std::fs::create_dir_all(out_dir).map_err(with_path(out_dir))?;
    let html_path = out_dir.join("report.html");
    write_atomically(&html_path, &html(report, history))?;
    written.push(html_path);
    if let Some(path) = &outputs.junit {
        write_atomically(path, &junit(report))?;
        written.push(path.clone());
    }
    if let Some(path) = &outputs.bmf {
        let text = serde_json::to_string_pretty(&bmf(report)).map_err(io::Error::other)?;
        write_atomically(path, &(text + "\n"))?;
        written.push(path.clone());
    }
    if let Some(path) = &outputs.github_step_summary {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut file| file.write_all(github_summary_markdown(report).as_bytes()))
            .map_err(with_path(path))?;
        written.push(path.clone());
    }
    if outputs.github_annotations {
        for line in github_annotations(report) {
            writeln!(annotations, "{line}")?;
        }
        annotations.flush()?;
    }
    Ok(written)
}

/// Writes `report.html` of `report` into `out_dir`, and returns its path.
pub fn write_html(report: &Report, history: &[Record], out_dir: &Path) -> io::Result<PathBuf> {
    let path = out_dir.join("report.html");
    write_atomically(&path, &html(report, history))?;
    Ok(path)
}

/// Writes beside, then renames: a reader never sees half a file.
fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let context =
        |error: io::Error| io::Error::new(error.kind(), format!("{}: {error}", path.display()));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(context)?;
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, text).map_err(context)?;
    std::fs::rename(&partial, path).map_err(context)
}

#[cfg(test)]
mod tests;
