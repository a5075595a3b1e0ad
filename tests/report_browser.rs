//! The HTML report in a real browser: live reports of the example application (three runs, so
//! its history has a trend) and of the fixture gate (failures, a panic, a timeout, an ignored
//! operation) are rendered, opened in headless Chromium, checked for console errors (an SVG
//! attribute the browser cannot parse, such as a `NaN` coordinate, is one) and for their charts in
//! the loaded DOM, and the example's page is saved as a screenshot for people to look at:
//! `target/tmp/report_browser/mcp/out/report.png`.
//!
//! Needs Chromium (`apt-get install -y chromium`; `PERFGATE_CHROMIUM` names another binary). Without
//! it the test fails: a skipped browser test would hide a broken page.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use perfgate_runtime::Report;
use perfgate_runtime::history::HistoryStore;
use perfgate_runtime::render::{self, Outputs};
use serde_json::Value;

const MCP_GATE: &str = env!("CARGO_BIN_EXE_mcp-gate");
const FIXTURE: &str = env!("CARGO_BIN_EXE_gate-fixture");

/// How long one Chromium invocation may take before the test gives up on it.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);

fn scratch(name: &str) -> PathBuf {
    support::scratch("report_browser", name)
}

fn chromium() -> PathBuf {
    let path = std::env::var_os("PERFGATE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.is_file(),
        "Chromium is needed to test the HTML report and was not found at {}. Install it with \
         `apt-get update && apt-get install -y chromium` (Debian), or point PERFGATE_CHROMIUM at a \
         Chromium or Chrome binary.",
        path.display()
    );
    path
}

/// Runs a gate binary with `dir/out` and `dir/history`; returns its report.
fn run_gate(binary: &str, dir: &Path, args: &[&str]) -> Value {
    support::run(binary, dir, args, &[]).report().clone()
}

/// Writes the report's HTML (with the history in `dir/history`) the way the gate does.
fn render(report: &Value, dir: &Path) -> PathBuf {
    let report = Report::from_json(&report.to_string()).expect("the live report reads");
    let history = HistoryStore::open(dir.join("history"))
        .and_then(|store| store.load())
        .map(|loaded| loaded.records)
        .unwrap_or_default();
    let written = render::write_all(
        &report,
        &history,
        &dir.join("out"),
        &Outputs::default(),
        &mut std::io::sink(),
    )
    .expect("the reports are written");
    written[0].clone()
}

/// What Chromium made of a page.
struct Browsed {
    /// The DOM after load (`--dump-dom`).
    dom: String,
    /// Console messages: the page has no scripts, so any is an error the browser found in it.
    console: Vec<String>,
}

fn browse(page: &Path, extra: &[String], scratch: &Path) -> Browsed {
    let profile = scratch.join(format!("profile-{}", extra.len()));
    let _ = std::fs::remove_dir_all(&profile);
    let url = format!(
        "file://{}",
        page.canonicalize().expect("the page exists").display()
    );
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Chromium starts");
    // Read both pipes while waiting, so a full pipe never stalls the browser.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for Chromium") {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Chromium did not finish within {BROWSER_TIMEOUT:?} on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let dom = out_reader.join().unwrap();
    let log = err_reader.join().unwrap();
    assert!(
        status.success(),
        "Chromium failed ({status}) on {url}:\n{log}"
    );
    let console = log
        .lines()
        .filter(|line| line.contains(":CONSOLE") || line.contains("CONSOLE("))
        .map(str::to_string)
        .collect();
    Browsed { dom, console }
}

fn assert_clean(browsed: &Browsed, what: &str) {
    assert!(
        browsed.console.is_empty(),
        "{what}: the browser reported errors in the page:\n{}",
        browsed.console.join("\n")
    );
    assert!(
        browsed.dom.contains("</html>"),
        "{what}: no DOM was dumped:\n{}",
        browsed.dom
    );
    assert!(!browsed.dom.contains("NaN"), "{what}: NaN in the page");
}

/// The loaded DOM's `<section>` of `op`.
fn section<'a>(dom: &'a str, op: &str) -> &'a str {
    let start = dom
        .find(&format!("data-op=\"{op}\""))
        .unwrap_or_else(|| panic!("no section for {op} in the DOM"));
    let end = dom[start..].find("</section>").expect("the section ends");
    &dom[start..start + end]
}

#[test]
fn the_example_report_renders_in_chromium_with_its_charts() {
    let dir = scratch("mcp");
    // Three runs into one history: the last report has a trend, and its page a trend chart.
    let mut report = Value::Null;
    for _ in 0..3 {
        report = run_gate(MCP_GATE, &dir, &["--quick"]);
    }
    let page = render(&report, &dir);
    let browsed = browse(&page, &["--dump-dom".to_string()], &dir);
    assert_clean(&browsed, "the example's report");

    let ops: Vec<&str> = report["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["op"].as_str().unwrap())
        .collect();
    assert_eq!(
        ops,
        [
            "config_instantiation",
            "mcp_decode_by_size",
            "mcp_message_decode",
            "metrics_collection",
            "session_cache_lookup",
            "user_record_query"
        ]
    );
    // The operation over message sizes has its cost-against-size chart, loaded in the browser.
    assert!(
        section(&browsed.dom, "mcp_decode_by_size").contains("<svg class=\"chart sizes\""),
        "mcp_decode_by_size: no size chart in the loaded page"
    );
    // The I/O operations run without their servers' URLs here: ignored, and shown so.
    let io = [
        ("session_cache_lookup", "REDIS_URL"),
        ("user_record_query", "DATABASE_URL"),
    ];
    for (op, var) in io {
        let section = section(&browsed.dom, op);
        assert!(
            section.contains(&format!("requires_env: {var} is not set")),
            "{op}: the reason it was ignored: {section}"
        );
        assert!(!section.contains("<svg class=\"chart"), "{op}: no chart");
    }
    for op in ops
        .iter()
        .copied()
        .filter(|op| io.iter().all(|(io_op, _)| io_op != op))
    {
        let section = section(&browsed.dom, op);
        for chart in ["histogram", "percentiles", "trend"] {
            assert!(
                section.contains(&format!("<svg class=\"chart {chart}\"")),
                "{op}: no {chart} chart in the loaded page"
            );
        }
        assert!(
            section.contains("<rect class=\"bar\""),
            "{op}: histogram bars"
        );
        assert!(
            section.contains("<polyline class=\"curve\""),
            "{op}: percentile curve"
        );
        let trend = &section[section.find("<svg class=\"chart trend\"").unwrap()..];
        let trend = &trend[..trend.find("</svg>").unwrap()];
        assert_eq!(
            trend.matches("<polyline class=\"series-mean\"").count(),
            1,
            "{op}: the trend of the mean"
        );
        assert!(
            section.contains("<g class=\"budget\">"),
            "{op}: the budget line"
        );
        assert!(
            section.contains("3 runs of this operation"),
            "{op}: the trend covers the three runs"
        );
    }

    let screenshot = dir.join("out/report.png");
    browse(
        &page,
        &[
            format!("--screenshot={}", screenshot.display()),
            "--window-size=1280,2000".to_string(),
        ],
        &dir,
    );
    let png = std::fs::read(&screenshot).expect("the screenshot was written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 2000));
    assert!(png.len() > 50_000, "a blank screenshot is tiny");
    println!("screenshot: {}", screenshot.display());
}

#[test]
fn a_failing_report_renders_in_chromium() {
    let dir = scratch("fixture");
    let report = run_gate(
        FIXTURE,
        &dir,
        &[
            "--quick",
            "--budgets",
            "tests/fixtures/budgets.json",
            "--stage",
            "integration_tests",
        ],
    );
    let page = render(&report, &dir);
    let browsed = browse(&page, &["--dump-dom".to_string()], &dir);
    assert_clean(&browsed, "the fixture's report");
    assert!(section(&browsed.dom, "over_budget").contains("EXCEEDS TARGET"));
    assert!(section(&browsed.dom, "panics").contains("panicked"));
    assert!(!section(&browsed.dom, "panics").contains("<svg"));
    assert!(section(&browsed.dom, "pre_commit_only").contains("not required at stage"));
    assert!(section(&browsed.dom, "fast_pass").contains("<svg class=\"chart histogram\""));
}

/// The check can fail: a page with an unparsable SVG attribute and a script error is caught.
#[test]
fn the_console_check_catches_a_broken_page() {
    let dir = scratch("broken");
    let page = dir.join("broken.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><head><title>broken</title></head><body>\
         <svg width=\"10\" height=\"10\"><polyline points=\"NaN,1 2,3\"/></svg>\
         <script>undefinedFunction();</script></body></html>",
    )
    .unwrap();
    let browsed = browse(&page, &["--dump-dom".to_string()], &dir);
    assert_eq!(browsed.console.len(), 2, "{:#?}", browsed.console);
    assert!(browsed.console[0].contains("attribute points"));
    assert!(browsed.console[1].contains("undefinedFunction"));
}
