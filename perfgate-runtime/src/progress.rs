//! A progress bar on stderr for long measurements, when a person is watching.
//!
//! Shown only when stderr is a terminal, `CI` is not set, and an operation's measurement has
//! already taken [`SHOW_AFTER`]: short runs and CI logs get nothing extra. libtest has printed
//! `test NAME ... ` without a newline when an operation starts, so the bar opens a line of its own
//! below and, when the operation is done, clears it and puts the cursor back after the `... `,
//! where libtest prints `ok` or `FAILED`.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::measure::ProgressSink;

/// How long an operation runs before its bar appears.
pub const SHOW_AFTER: Duration = Duration::from_secs(2);

/// Whether this process may draw a bar: stderr is a terminal and this is not CI.
pub fn wanted(stderr_is_terminal: bool, ci: Option<&str>) -> bool {
    stderr_is_terminal && ci.is_none_or(|value| value.is_empty() || value == "false")
}

/// The bar of one operation.
pub struct Bar {
    op: String,
    started: Instant,
    /// Column just after libtest's `test NAME ... ` (1-based).
    column: usize,
    bar: Mutex<Option<ProgressBar>>,
}

impl Bar {
    /// A bar for `op`, or `None` when no bar may be drawn in this process.
    pub fn for_operation(op: &str, name_width: usize) -> Option<Bar> {
        let ci = std::env::var("CI").ok();
        wanted(std::io::stderr().is_terminal(), ci.as_deref()).then(|| Bar {
            op: op.to_string(),
            started: Instant::now(),
            column: "test ".len() + name_width + " ... ".len() + 1,
            bar: Mutex::new(None),
        })
    }

    /// Removes the bar, if it was shown, and puts the cursor back on libtest's line.
    pub fn finish(&self) {
        let shown = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(bar) = shown {
            bar.finish_and_clear();
            let mut stderr = std::io::stderr();
            let _ = write!(stderr, "\x1b[1A\x1b[{}G", self.column);
            let _ = stderr.flush();
        }
    }
}

impl ProgressSink for Bar {
    fn phase(&self, phase: &str, done: u64, total: u64) {
        if self.started.elapsed() < SHOW_AFTER {
            return;
        }
        let mut slot = self.bar.lock().unwrap_or_else(|e| e.into_inner());
        let bar = slot.get_or_insert_with(|| {
            // A line of its own, below libtest's `test NAME ... `.
            eprintln!();
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("  {msg} [{bar:24}] {percent:>3}%")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        bar.set_message(format!("{}: {phase}", self.op));
        bar.set_length(total);
        bar.set_position(done);
    }
}

#[cfg(test)]
mod tests {
    use super::wanted;

    #[test]
    fn only_on_a_terminal_and_never_in_ci() {
        assert!(wanted(true, None));
        assert!(wanted(true, Some("false")));
        assert!(!wanted(true, Some("true")));
        assert!(!wanted(true, Some("1")));
        assert!(!wanted(false, None));
    }
}
