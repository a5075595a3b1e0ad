//! Golden tests of the renderers on a fixed report (`golden/report.json`: every verdict, an
//! operation that panicked, one ignored, names and messages full of characters each format must
//! escape, and fields this version does not know), and robustness on malformed reports.
//!
//! After an intended change of output, regenerate the golden files with
//! `PERFGATE_BLESS=1 cargo test -p perfgate-runtime --lib render` and review the diff.

use std::path::PathBuf;

use serde_json::json;

use super::*;
use crate::history::{Fingerprint, Record};
use crate::report::Report;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/render/golden")
}

fn fixture() -> Report {
    let text = std::fs::read_to_string(golden_dir().join("report.json")).expect("golden report");
    Report::from_json(&text).expect("the golden report reads")
}

/// Compares `actual` with the golden file `name` (or rewrites it with `PERFGATE_BLESS=1`).
fn assert_golden(name: &str, actual: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("PERFGATE_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (PERFGATE_BLESS=1 creates it)", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output at line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             (PERFGATE_BLESS=1 rewrites it after an intended change)\n--- actual ---\n{actual}",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line),
        );
    }
}

#[test]
fn junit_golden() {
    assert_golden("junit.xml", &junit(&fixture()));
}

#[test]
fn bmf_golden() {
    let text = serde_json::to_string_pretty(&bmf(&fixture())).unwrap() + "\n";
    assert_golden("bmf.json", &text);
}

#[test]
fn github_summary_golden() {
    assert_golden("summary.md", &github_summary_markdown(&fixture()));
}

#[test]
fn github_annotations_golden() {
    assert_golden(
        "annotations.txt",
        &(github_annotations(&fixture()).join("\n") + "\n"),
    );
}

#[test]
fn junit_counts_and_escapes() {
    let xml = junit(&fixture());
    assert!(xml.contains(
        r#"<testsuites name="perfgate" tests="6" failures="2" errors="1" skipped="1" time="0.071">"#
    ));
    assert!(xml.contains(r#"name="slow&lt;&amp;&quot;quoted&quot;&gt;, 100%: op" classname="mcp_service::jsonrpc::de""#));
    // Newlines inside attributes survive as character references.
    assert!(xml.contains("second line:&#10;100% &lt;wrong&gt;"));
    assert!(xml.contains(r#"<skipped message="not required at stage pre_deployment"/>"#));
    assert!(xml.contains(r#"<error message="panicked: fixture: the limit was never configured" type="perfgate.error">"#));
    assert!(xml.contains(r#"type="perfgate.block""#));
    // Nothing unescaped: every `<` opens a known element.
    for tag in xml.split('<').skip(1) {
        let name: String = tag
            .trim_start_matches(['/', '?'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(
            [
                "xml",
                "testsuites",
                "testsuite",
                "properties",
                "property",
                "testcase",
                "failure",
                "error",
                "skipped",
                "system-out"
            ]
            .contains(&name.as_str()),
            "unexpected markup <{name} in:\n{xml}"
        );
    }
}

#[test]
fn bmf_latency_is_nanoseconds_from_the_confidence_interval() {
    let out = bmf(&fixture());
    assert_eq!(
        out["config_instantiation"]["latency"],
        json!({ "value": 8310.0, "lower_value": 8020.0, "upper_value": 8600.0 })
    );
    assert_eq!(out["config_instantiation"]["allocations"]["value"], 2.0);
    assert!(out.get("panics").is_none() && out.get("pre_commit_only").is_none());
    assert_eq!(
        out["slow<&\"quoted\">, 100%: op"]["throughput"]["value"],
        15000.5
    );
}

#[test]
fn annotations_point_at_the_function_and_escape_properties() {
    let lines = github_annotations(&fixture());
    assert!(lines.contains(&"::warning file=examples/mcp-service/src/config/mod.rs,line=91,title=perfgate%3A config_instantiation::mean latency 8.31μs is within measurement noise of max_us 8.40μs (95%25 CI 8.02μs–8.60μs); limit from .performance/performance_budgets.json".to_string()), "{lines:#?}");
    let slow = lines
        .iter()
        .find(|l| l.contains("de.rs"))
        .expect("an annotation for the slow operation");
    assert!(slow.starts_with(
        "::error file=examples/mcp-service/src/jsonrpc/de.rs,line=7,title=perfgate%3A slow<&\"quoted\">%2C 100%25%3A op::"
    ));
    assert!(slow.contains("%0A100%25 <wrong> & \"quoted\", with: colons%0D%0Aend"));
    assert!(!lines.iter().any(|l| l.contains("pre_commit_only")));
    assert!(lines.iter().all(|l| !l.contains('\n') && !l.contains('\r')));
}

fn record(op: &str, i: u64, mean_us: f64, verdict: &str) -> Record {
    Record {
        schema_version: crate::history::SCHEMA_VERSION,
        time_unix_ms: 1_795_000_000_000 + i * 3_600_000,
        op: op.into(),
        commit: Some(format!("{i:040x}")),
        branch: Some("main".into()),
        stage: None,
        mode: "full".into(),
        environment: None,
        fingerprint: Fingerprint {
            cpu_model: "AMD EPYC 7763 64-Core Processor".into(),
            cores: 2,
            os: "linux x86_64".into(),
            rustc: "rustc 1.95.0 (59807616e 2026-04-14)".into(),
            opt_level: "3".into(),
        },
        mean_us,
        ci95_low_us: mean_us * 0.95,
        ci95_high_us: mean_us * 1.05,
        p50_us: mean_us * 0.9,
        p95_us: mean_us * 2.0,
        p99_us: mean_us * 6.0,
        max_us: mean_us * 20.0,
        calls: 10_000,
        success_rate: 1.0,
        allocations_per_call: 1.0,
        bytes_per_call: 16.0,
        verdict: verdict.into(),
        histogram_b64: None,
        retimed_share: 0.0,
        inconclusive: false,
        reference_ns: None,
        speed_sensitive: None,
        instructions_per_call: None,
        others_busy_cores: None,
    }
}

#[test]
fn html_is_self_contained_with_charts_and_trend() {
    let mut history: Vec<Record> = (0..12)
        .map(|i| {
            let verdict = if i == 7 { "FAIL" } else { "PASS" };
            record("mcp_message_decode", i, 1.8 + 0.05 * i as f64, verdict)
        })
        .collect();
    // Another machine and another mode: not comparable, not drawn.
    let mut other = record("mcp_message_decode", 20, 9.0, "BLOCK");
    other.fingerprint.cores = 64;
    history.push(other);
    let mut quick = record("mcp_message_decode", 21, 9.0, "FAIL");
    quick.mode = "quick".into();
    history.push(quick);
    let page = html(&fixture(), &history);

    for external in [
        "<script", "<link", "src=", "@import", "url(", "http://", "https://",
    ] {
        let found = page
            .match_indices(external)
            .filter(|(at, _)| !page[..*at].ends_with("xmlns=\""))
            .count();
        assert_eq!(
            found, 0,
            "the page refers to something outside it: {external}"
        );
    }
    let decode = section(&page, "mcp_message_decode");
    assert!(decode.contains(r#"<svg class="chart histogram""#));
    assert!(decode.contains(r#"<svg class="chart percentiles""#));
    assert!(decode.contains(r#"<svg class="chart trend""#));
    assert!(decode.contains(r#"<g class="budget">"#), "budget line");
    assert_eq!(decode.matches(r#"<circle class="failed-run""#).count(), 1);
    assert!(decode.contains("12 runs of this operation in full mode on this machine"));
    assert!(decode.contains("2 runs on other machines or in other modes not shown"));
    assert!(decode.matches(r#"<rect class="bar""#).count() > 3);
    // An operation without history has no trend chart; one that panicked has no charts at all.
    assert!(!section(&page, "config_instantiation").contains("chart trend"));
    assert!(!section(&page, "panics").contains("<svg"));
    // The concurrent phase and the leak check have tables of their own.
    let slow = section(&page, "slow&lt;&amp;&quot;quoted&quot;&gt;, 100%: op");
    assert!(slow.contains("<h3>Concurrency</h3>") && slow.contains("15000.5 ops/s"));
    assert!(slow.contains("<h3>Memory-leak check</h3>") && slow.contains("src/jsonrpc/de.rs:40"));
    // Fields of a newer perfgate are shown, escaped.
    assert!(slow.contains("future_figure") && slow.contains("1234.5"));
    assert!(!page.contains("slow<&"));
    assert!(!page.contains("NaN") && !page.contains("inf"));
    // The overview says why each operation did not pass.
    let row = |op: &str| -> &str {
        let at = page
            .find(&format!("<code>{op}</code></a>"))
            .expect("an overview row");
        &page[at..at + page[at..].find("</tr>").unwrap()]
    };
    assert!(row("config_instantiation").contains("max_us marginal"));
    assert!(row("metrics_collection").contains("CRITICAL regression"));
    assert!(
        row("slow&lt;&amp;&quot;quoted&quot;&gt;, 100%: op")
            .contains("max_us exceeded, min_ops_per_sec exceeded")
    );
    assert!(row("pre_commit_only").contains("not required at stage pre_deployment"));
    assert!(row("mcp_message_decode").contains(r#"<td class="why"></td>"#));
}

/// The trend chart's axis follows the figures: a budget far above them is named off the scale,
/// not drawn, so a jump in a 0.05 µs series stays visible.
#[test]
fn the_trend_axis_follows_the_figures_not_a_distant_budget() {
    let mut runs: Vec<Record> = (0..6)
        .map(|i| record("metrics_collection", i, 0.05, "PASS"))
        .collect();
    runs.push(record("metrics_collection", 6, 0.083, "PASS"));
    let refs: Vec<&Record> = runs.iter().collect();
    let mut op = fixture()
        .operations
        .into_iter()
        .find(|o| o.op == "metrics_collection")
        .unwrap();
    op.limits
        .retain(|l| l.name == crate::config::LimitKind::MeanUs);
    op.limits[0].value = 1.0;
    let chart = super::charts::trend_chart(&op, &refs);
    assert!(!chart.contains(r#"<g class="budget"><line"#), "{chart}");
    assert!(
        chart.contains("off the scale, not drawn: max_us 1.00μs (above)"),
        "{chart}"
    );
    // Near the figures (p99 here is 6x the mean, 0.5 µs), the budget is drawn.
    op.limits[0].value = 0.6;
    let chart = super::charts::trend_chart(&op, &refs);
    assert!(chart.contains(r#"<g class="budget"><line"#), "{chart}");
}

/// The `<section>` of operation `op` (its escaped name).
fn section<'a>(page: &'a str, op: &str) -> &'a str {
    let start = page
        .find(&format!("data-op=\"{op}\""))
        .unwrap_or_else(|| panic!("no section for {op}"));
    let end = page[start..].find("</section>").expect("section end");
    &page[start..start + end]
}

#[test]
fn extreme_figures_render_without_panicking_or_nan() {
    let mut report = fixture();
    let extreme = &mut report.operations[1];
    extreme.mean_us = Some(1e308);
    extreme.p99_us = Some(-5.0);
    extreme.ci95_low_us = Some(1e308);
    extreme.ci95_high_us = Some(f64::INFINITY);
    extreme.histogram_b64 = Some("HISTE".into());
    extreme.line = 0;
    extreme.file = String::new();
    let mut empty = fixture();
    empty.operations.clear();
    let history = [
        record("mcp_message_decode", 1, f64::NAN, ""),
        record("mcp_message_decode", 2, f64::INFINITY, "FAIL"),
    ];
    for report in [&report, &empty] {
        let _ = junit(report);
        let _ = bmf(report);
        let _ = github_summary_markdown(report);
        let _ = github_annotations(report);
        let page = html(report, &history);
        assert!(!page.contains("NaN"), "{page}");
        let _ = crate::report::merge(std::slice::from_ref(report));
    }
}

#[test]
fn write_all_writes_html_and_asked_outputs() {
    let dir = std::env::temp_dir().join(format!("perfgate-formats-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let summary = dir.join("step_summary.md");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&summary, "earlier step\n").unwrap();
    let env = |key: &str| match key {
        "GITHUB_STEP_SUMMARY" => Some(summary.display().to_string()),
        "GITHUB_ACTIONS" => Some("true".to_string()),
        _ => None,
    };
    let outputs = Outputs {
        junit: Some(dir.join("reports/junit.xml")),
        bmf: Some(dir.join("bmf.json")),
        ..Outputs::from_env(env)
    };
    let mut stdout = Vec::new();
    let written = write_all(&fixture(), &[], &dir.join("out"), &outputs, &mut stdout).unwrap();
    assert_eq!(
        written,
        [
            dir.join("out/report.html"),
            dir.join("reports/junit.xml"),
            dir.join("bmf.json"),
            summary.clone()
        ]
    );
    for path in &written {
        assert!(path.is_file(), "{}", path.display());
    }
    let appended = std::fs::read_to_string(&summary).unwrap();
    assert!(appended.starts_with("earlier step\n## perfgate: 🛑 BLOCK (exit code 3)"));
    let printed = String::from_utf8(stdout).unwrap();
    assert_eq!(
        printed.lines().count(),
        github_annotations(&fixture()).len()
    );
    assert!(printed.starts_with("::warning file="));

    // Outside GitHub Actions: the page only, nothing printed.
    let quiet = Outputs::from_env(|_| None);
    assert_eq!(quiet, Outputs::default());
    let mut stdout = Vec::new();
    let written = write_all(&fixture(), &[], &dir.join("plain"), &quiet, &mut stdout).unwrap();
    assert_eq!(written, [dir.join("plain/report.html")]);
    assert!(stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A limit that was not judged says why in the HTML limits table.
#[test]
fn limits_that_were_not_judged_say_why() {
    let mut report = fixture();
    let decode = report
        .operations
        .iter_mut()
        .find(|o| o.op == "mcp_message_decode")
        .unwrap();
    decode.limits.push(crate::report::LimitResult {
        name: crate::config::LimitKind::InstructionsPerCall,
        value: 50_000.0,
        source: "test".into(),
        measured: None,
        outcome: None,
    });
    let page = html(&report, &[]);
    let decode = section(&page, "mcp_message_decode");
    assert!(decode.contains("(not measured in this mode)"), "{decode}");
}

/// An operation with sizes has a cost-against-size chart with the fitted line and the declared
/// class.
#[test]
fn sized_operations_have_a_cost_against_size_chart() {
    let mut report = fixture();
    let decode = report
        .operations
        .iter_mut()
        .find(|o| o.op == "mcp_message_decode")
        .unwrap();
    decode.sizes = [(50u64, 1.3), (200, 21.5), (800, 213.0)]
        .into_iter()
        .map(|(n, mean)| crate::report::SizePoint {
            n,
            mean_us: mean,
            ci95_low_us: mean * 0.98,
            ci95_high_us: mean * 1.02,
            p99_us: mean * 1.5,
            allocations_per_call: 0.0,
            bytes_per_call: 0.0,
            calls: 100,
            units_per_call: None,
            per_sec: None,
            instructions_per_call: None,
        })
        .collect();
    decode.complexity = Some(crate::report::Complexity {
        fitted_exponent: 1.83,
        exponent_ci: (1.80, 1.86),
        nearest_class: "n^2".into(),
        max_complexity: Some("n".into()),
        max_class_exponent: Some(1.0),
        exceeded: true,
        basis: "mean_us".to_string(),
    });
    let page = html(&report, &[]);
    let decode = section(&page, "mcp_message_decode");
    assert!(decode.contains(r#"<svg class="chart sizes""#), "{decode}");
    assert!(decode.contains("fitted cost grows as n^1.83, beyond it"));
    assert_eq!(decode.matches(r#"<circle class="point""#).count(), 3);
    assert!(!section(&page, "config_instantiation").contains("chart sizes"));
    assert!(!page.contains("NaN") && !page.contains("inf"));
}
