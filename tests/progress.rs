//! The progress bar: shown on a terminal for a long measurement, then cleared so that libtest's
//! `ok` lands on its own line; nothing at all when stderr is not a terminal or under CI.

mod support;

use std::process::{Command, Stdio};

const FIXTURE: &str = env!("CARGO_BIN_EXE_gate-fixture");

/// About three seconds of measurement: past the two seconds after which a bar appears.
const LONG_RUN: [&str; 9] = [
    "--budgets",
    "tests/fixtures/budgets.json",
    "--exact",
    "tunable_spin",
    "--operations",
    "150000",
    "--concurrent-sessions",
    "0",
    "--no-history",
];

#[test]
fn a_terminal_shows_a_bar_that_is_cleared_before_the_verdict() {
    let dir = support::scratch("progress", "terminal");
    let typescript = dir.join("typescript");
    let command = format!(
        "{FIXTURE} {} --output-dir {}",
        LONG_RUN.join(" "),
        dir.join("out").display()
    );
    // util-linux `script` runs the gate on a pseudo-terminal and records what it drew.
    let status = Command::new("script")
        .args(["-qec", &command])
        .arg(&typescript)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .stdout(Stdio::null())
        .status()
        .expect("util-linux `script` is installed");
    assert!(status.success());
    let screen = String::from_utf8_lossy(&std::fs::read(&typescript).unwrap()).into_owned();
    assert!(
        screen.contains("tunable_spin: timing ["),
        "no bar drawn:\n{screen}"
    );
    // Cleared (erase line), then back up to libtest's line, after `test tunable_spin ... `.
    let column = "test tunable_spin ... ".len() + 1;
    assert!(
        screen.contains(&format!("\x1b[2K\x1b[1A\x1b[{column}G")),
        "bar not cleared:\n{screen:?}"
    );
}

#[test]
fn ci_logs_get_nothing_extra() {
    for (name, ci) in [("piped", false), ("ci", true)] {
        let dir = support::scratch("progress", name);
        let run = if ci {
            support::run(FIXTURE, &dir, &LONG_RUN, &[])
        } else {
            support::run_locally(FIXTURE, &dir, &LONG_RUN, &[])
        };
        assert_eq!(run.code, 0, "{}", run.stdout);
        assert!(
            !run.stderr.contains('\r') && !run.stderr.contains("\x1b["),
            "{name}: {:?}",
            run.stderr
        );
        assert!(!run.stderr.contains("timing ["), "{name}: {:?}", run.stderr);
    }
}
