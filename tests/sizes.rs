//! Operations over input sizes (`sizes = [...]`, `setup(n)`, `max_complexity`): every size is
//! timed and reported, the growth is fitted, and cost growing faster than declared fails.
//! Drives `sizes-fixture` (tests/fixtures/sizes_fixture.rs).

mod support;

use support::{Run, operation, scratch};

const FIXTURE: &str = env!("CARGO_BIN_EXE_sizes-fixture");

/// A quick run of `op`. A size timed while the machine was too noisy leaves the growth unjudged
/// (WARN, by design); such a run is measured again, up to three times in all.
fn gate(name: &str, op: &str) -> Run {
    gate_with(name, op, "[]")
}

/// As [`gate`], with the budgets file `budgets`.
fn gate_with(name: &str, op: &str, budgets: &str) -> Run {
    let mut run = gate_once(name, op, budgets);
    for _ in 0..2 {
        if !run.stdout.contains("max_complexity not judged") {
            break;
        }
        run = gate_once(name, op, budgets);
    }
    run
}

fn gate_once(name: &str, op: &str, budgets: &str) -> Run {
    let dir = scratch("sizes", name);
    let budgets = support::write(dir.join("budgets.json"), budgets);
    support::run(
        FIXTURE,
        &dir,
        &[
            "--quick",
            "--concurrent-sessions",
            "0",
            "--no-history",
            "--budgets",
            &budgets,
            "--exact",
            op,
        ],
        &[],
    )
}

#[test]
fn linear_cost_meets_a_linear_class_and_every_size_is_reported() {
    let run = gate("linear", "linear_sum");
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let op = operation(run.report(), "linear_sum");
    let sizes: Vec<u64> = op["sizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["n"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [1_000, 4_000, 16_000]);
    for point in op["sizes"].as_array().unwrap() {
        assert!(point["mean_us"].as_f64().unwrap() > 0.0, "{point}");
        assert!(point["calls"].as_u64().unwrap() >= 10, "{point}");
    }
    let complexity = &op["complexity"];
    assert_eq!(complexity["exceeded"], false, "{complexity}");
    assert_eq!(complexity["max_complexity"], "n");
    let exponent = complexity["fitted_exponent"].as_f64().unwrap();
    assert!((0.6..1.4).contains(&exponent), "a linear sum: n^{exponent}");
    assert!(
        run.stdout.contains("Sizes: n=1000 ")
            && run.stdout.contains("Complexity: cost grows as n^"),
        "{}",
        run.stdout
    );
}

#[test]
fn quadratic_cost_declared_linear_fails_naming_the_class_exponent_and_sizes() {
    let run = gate("quadratic", "pairwise_inversions");
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let op = operation(run.report(), "pairwise_inversions");
    assert_eq!(op["verdict"], "fail");
    let complexity = &op["complexity"];
    assert_eq!(complexity["exceeded"], true, "{complexity}");
    let exponent = complexity["fitted_exponent"].as_f64().unwrap();
    assert!((1.6..2.4).contains(&exponent), "every pair: n^{exponent}");
    assert_eq!(complexity["nearest_class"], "n^2");
    let reason = op["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r.as_str())
        .find(|r| r.contains("max_complexity"))
        .unwrap_or_else(|| panic!("{op:#}"));
    assert!(
        reason.contains("beyond max_complexity \"n\"")
            && reason.contains("over sizes 50, 200, 800"),
        "{reason}"
    );
}

/// The budgets file's max_complexity overrides the attribute's; it must name a class, and the
/// operation must have 3 sizes or more.
#[test]
fn max_complexity_in_the_budgets_file() {
    let stricter = gate_with(
        "file_stricter",
        "linear_sum",
        r#"[{"operation_name": "linear_sum", "max_complexity": "1"}]"#,
    );
    assert_eq!(stricter.code, 2, "{}\n{}", stricter.stdout, stricter.stderr);
    let op = operation(stricter.report(), "linear_sum");
    assert_eq!(op["complexity"]["max_complexity"], "1");
    assert!(
        op["reasons"]
            .to_string()
            .contains("beyond max_complexity \\\"1\\\""),
        "{op:#}"
    );

    let unknown = gate_with(
        "file_unknown",
        "linear_sum",
        r#"[{"operation_name": "linear_sum", "max_complexity": "quadratic"}]"#,
    );
    assert_eq!(unknown.code, 4, "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains("budgets.json:1:")
            && unknown
                .stderr
                .contains("\"quadratic\" is not a complexity class"),
        "{}",
        unknown.stderr
    );

    let without_sizes = gate_with(
        "file_without_sizes",
        "unsized_constant",
        r#"[{"operation_name": "unsized_constant", "max_complexity": "n"}]"#,
    );
    assert_eq!(without_sizes.code, 4, "{}", without_sizes.stderr);
    assert!(
        without_sizes
            .stderr
            .contains("needs at least 3 input sizes")
            && without_sizes.stderr.contains("unsized_constant"),
        "{}",
        without_sizes.stderr
    );
}
