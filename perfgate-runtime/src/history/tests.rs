use std::fs;
use std::path::PathBuf;
use std::process::Command;

use super::*;

/// A fresh, empty directory under the system temp dir, removed when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "perfgate-history-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        let _ = fs::remove_dir_all(&dir);
        Self(dir)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn fingerprint(cpu: &str) -> Fingerprint {
    Fingerprint {
        cpu_model: cpu.to_owned(),
        cores: 8,
        os: "linux x86_64".to_owned(),
        rustc: "rustc 1.95.0".to_owned(),
        opt_level: "3".to_owned(),
    }
}

fn record(op: &str, time_unix_ms: u64, mean_us: f64) -> Record {
    Record {
        schema_version: SCHEMA_VERSION,
        time_unix_ms,
        op: op.to_owned(),
        commit: Some("0123abcd".to_owned()),
        branch: Some("main".to_owned()),
        stage: Some("integration_tests".to_owned()),
        mode: "full".to_owned(),
        environment: None,
        fingerprint: fingerprint("Test CPU"),
        mean_us,
        ci95_low_us: mean_us * 0.98,
        ci95_high_us: mean_us * 1.02,
        p50_us: mean_us * 0.95,
        p95_us: mean_us * 1.3,
        p99_us: mean_us * 1.6,
        max_us: mean_us * 4.0,
        calls: 10_000,
        success_rate: 1.0,
        allocations_per_call: 3.0,
        bytes_per_call: 96.0,
        verdict: "PASS".to_owned(),
        histogram_b64: Some("HISTFAAAAB54nJNpmSzMwMDAxQABzFCaEUzOmNZg/wEi".to_owned()),
        retimed_share: 0.0,
        inconclusive: false,
        reference_ns: None,
        speed_sensitive: None,
        instructions_per_call: None,
        others_busy_cores: None,
    }
}

#[test]
fn round_trip_keeps_every_field_and_order() {
    let dir = ScratchDir::new("round-trip");
    let store = HistoryStore::open(&dir.0).expect("open");
    assert!(store.load().expect("load missing").records.is_empty());

    let first = vec![record("decode", 1_000, 6.1), record("encode", 1_000, 2.5)];
    let mut second = record("decode", 2_000, 6.3);
    second.commit = None;
    second.environment = Some("staging \"quoted\"\nnewline".to_owned());
    store.append(&first).expect("append first");
    store
        .append(std::slice::from_ref(&second))
        .expect("append second");

    let loaded = store.load().expect("load");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(
        loaded.records,
        vec![first[0].clone(), first[1].clone(), second]
    );
    let text = fs::read_to_string(store.path()).expect("read");
    assert_eq!(text.lines().count(), 3, "one line per record");
    assert!(text.ends_with('\n'));
}

#[test]
fn non_finite_figures_survive_as_nan_and_old_records_get_defaults() {
    let dir = ScratchDir::new("nan");
    let store = HistoryStore::open(&dir.0).expect("open");
    let mut nan = record("decode", 1_000, 6.1);
    nan.success_rate = f64::NAN;
    store.append(&[nan]).expect("append");
    // A minimal hand-written (or older) record: only the required fields.
    let minimal = r#"{"time_unix_ms":5,"op":"old","mode":"quick","mean_us":1.5}"#;
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(store.path())
        .expect("open file");
    std::io::Write::write_all(&mut file, format!("{minimal}\n").as_bytes()).expect("write");

    let loaded = store.load().expect("load");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.records.len(), 2);
    assert!(loaded.records[0].success_rate.is_nan());
    let old = &loaded.records[1];
    assert_eq!((old.op.as_str(), old.mean_us), ("old", 1.5));
    assert_eq!(old.schema_version, SCHEMA_VERSION);
    assert_eq!(old.fingerprint, Fingerprint::default());
    assert!(old.p99_us.is_nan() && old.histogram_b64.is_none());
}

#[test]
fn torn_last_line_is_skipped_with_warning_kept_on_disk_and_appends_still_load() {
    let dir = ScratchDir::new("torn");
    let store = HistoryStore::open(&dir.0).expect("open");
    store
        .append(&[record("decode", 1_000, 6.1)])
        .expect("append");
    // Simulate a crash half way through writing the second line.
    let full_line = serde_json::to_string(&record("decode", 2_000, 6.2)).expect("encode");
    let torn = &full_line[..full_line.len() / 2];
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(store.path())
        .expect("open file");
    std::io::Write::write_all(&mut file, torn.as_bytes()).expect("write torn");
    drop(file);

    let before = store.load().expect("load torn");
    assert_eq!(before.records.len(), 1);
    assert_eq!(before.warnings.len(), 1, "{:?}", before.warnings);
    let warning = &before.warnings[0];
    assert!(
        warning.contains(&format!("{}:2:", store.path().display())) && warning.contains("torn"),
        "warning names file and line: {warning}"
    );

    store
        .append(&[record("decode", 3_000, 6.3)])
        .expect("append after torn");
    let text = fs::read_to_string(store.path()).expect("read");
    assert!(
        text.contains(&format!("{torn}\n")),
        "torn line kept on its own line"
    );

    let after = store.load().expect("load after");
    let times: Vec<u64> = after.records.iter().map(|r| r.time_unix_ms).collect();
    assert_eq!(times, vec![1_000, 3_000]);
    assert_eq!(after.warnings.len(), 1, "{:?}", after.warnings);
    assert!(after.warnings[0].contains(":2:"));
}

#[test]
fn garbage_lines_are_skipped_with_their_line_numbers() {
    let dir = ScratchDir::new("garbage");
    let store = HistoryStore::open(&dir.0).expect("open");
    let good = serde_json::to_string(&record("decode", 1_000, 6.1)).expect("encode");
    let mut bytes = format!("{good}\nnot json\n\n{{\"op\":\"no fields\"}}\n").into_bytes();
    bytes.extend_from_slice(b"\xff\xfe binary\n");
    bytes.extend_from_slice(format!("{good}\n").as_bytes());
    fs::write(store.path(), &bytes).expect("write");

    let loaded = store.load().expect("load");
    assert_eq!(loaded.records.len(), 2);
    let lines: Vec<bool> = [":2:", ":4:", ":5:"]
        .iter()
        .map(|line| loaded.warnings.iter().any(|w| w.contains(line)))
        .collect();
    assert_eq!(lines, vec![true, true, true], "{:?}", loaded.warnings);
    assert_eq!(loaded.warnings.len(), 3, "blank line 3 is not a warning");
    assert_eq!(
        fs::read(store.path()).expect("read"),
        bytes,
        "nothing rewritten"
    );
}

#[test]
fn open_reports_the_directory_it_cannot_create() {
    let dir = ScratchDir::new("not-a-dir");
    fs::create_dir_all(&dir.0).expect("mkdir");
    let file = dir.0.join("file");
    fs::write(&file, b"x").expect("write");
    let error = HistoryStore::open(file.join("history")).expect_err("must fail");
    assert!(
        error.to_string().contains(&file.display().to_string()),
        "{error}"
    );
}

/// Environment variable telling a re-executed test binary to act as one appender of
/// [`four_processes_appending_at_once_lose_and_corrupt_nothing`]: `DIR|CHILD_INDEX`.
const CHILD_ENV: &str = "PERFGATE_HISTORY_TEST_APPENDER";
const RECORDS_PER_CHILD: u64 = 200;
/// Bigger than a pipe buffer (64 KiB), so a record's write cannot be atomic by luck.
const PAYLOAD_BYTES: usize = 70_000;

fn child_payload(child: usize, seq: u64) -> String {
    let unit = format!("c{child}s{seq};");
    unit.repeat(PAYLOAD_BYTES / unit.len() + 1)
}

/// One appender process; does nothing unless started by the concurrency test.
#[test]
fn child_appender() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (dir, child) = spec.rsplit_once('|').expect("DIR|CHILD");
    let child: usize = child.parse().expect("child index");
    let store = HistoryStore::open(dir).expect("open");
    for seq in 0..RECORDS_PER_CHILD {
        let mut r = record(&format!("child-{child}"), seq, seq as f64);
        r.calls = seq;
        r.histogram_b64 = Some(child_payload(child, seq));
        store.append(&[r]).expect("append");
    }
}

#[test]
fn four_processes_appending_at_once_lose_and_corrupt_nothing() {
    const CHILDREN: usize = 4;
    let dir = ScratchDir::new("concurrent");
    let store = HistoryStore::open(&dir.0).expect("open");
    let exe = std::env::current_exe().expect("current exe");
    // `module_path!()` is `crate::history::tests`; libtest names tests without the crate.
    let test_name = format!(
        "{}::child_appender",
        module_path!().split_once("::").map_or("", |(_, rest)| rest)
    );

    let children: Vec<_> = (0..CHILDREN)
        .map(|child| {
            Command::new(&exe)
                .args(["--exact", &test_name, "--test-threads=1", "--quiet"])
                .env(CHILD_ENV, format!("{}|{child}", dir.0.display()))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn appender")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("wait");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "appender failed: {}\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }

    let loaded = store.load().expect("load");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(loaded.records.len(), CHILDREN * RECORDS_PER_CHILD as usize);
    for child in 0..CHILDREN {
        let op = format!("child-{child}");
        let mine: Vec<&Record> = loaded.records.iter().filter(|r| r.op == op).collect();
        let seqs: Vec<u64> = mine.iter().map(|r| r.calls).collect();
        assert_eq!(seqs, (0..RECORDS_PER_CHILD).collect::<Vec<_>>(), "{op}");
        for r in mine {
            assert_eq!(
                r.histogram_b64.as_deref(),
                Some(child_payload(child, r.calls).as_str()),
                "{op} record {} payload intact",
                r.calls
            );
        }
    }
    // Interleaving really happened (otherwise the test proved little); report it, don't require it.
    let switches = loaded
        .records
        .windows(2)
        .filter(|pair| pair[0].op != pair[1].op)
        .count();
    println!("appenders took turns {switches} times");
}

#[test]
fn baseline_keeps_same_op_fingerprint_mode_within_window_oldest_first() {
    let day_ms = 86_400_000;
    let now = 100 * day_ms;
    let fp = fingerprint("Test CPU");
    let mut records = vec![
        record("decode", now - day_ms, 3.0),
        record("decode", now - 40 * day_ms, 0.5), // outside a 30-day window
        record("decode", now - 5 * day_ms, 1.0),
        record("encode", now - 2 * day_ms, 9.0), // other op
        record("decode", now - 3 * day_ms, 2.0),
        record("decode", now + 1_000, 4.0), // a slightly fast clock elsewhere
    ];
    let mut other_machine = record("decode", now - day_ms, 9.0);
    other_machine.fingerprint = fingerprint("Other CPU");
    let mut quick = record("decode", now - day_ms, 9.0);
    quick.mode = "quick".to_owned();
    records.extend([other_machine, quick]);

    let means = |selected: Vec<&Record>| selected.iter().map(|r| r.mean_us).collect::<Vec<_>>();
    assert_eq!(
        means(baseline(&records, "decode", &fp, "full", now, 30.0)),
        vec![1.0, 2.0, 3.0, 4.0]
    );
    assert_eq!(
        means(baseline(&records, "decode", &fp, "full", now, 2.5)),
        vec![3.0, 4.0]
    );
    assert_eq!(
        means(baseline(
            &records,
            "decode",
            &fp,
            "full",
            now,
            f64::INFINITY
        )),
        vec![0.5, 1.0, 2.0, 3.0, 4.0]
    );
    assert_eq!(
        means(baseline(&records, "decode", &fp, "quick", now, 30.0)),
        vec![9.0]
    );
    assert_eq!(
        means(baseline(
            &records,
            "decode",
            &fingerprint("Other CPU"),
            "full",
            now,
            30.0
        )),
        vec![9.0]
    );
    assert!(baseline(&records, "decode", &fp, "full", now, f64::NAN).len() == 1);
}

#[test]
fn fingerprint_key_is_unambiguous() {
    // Joined without escaping, both would read "A|8 cores|X|8 cores|Y|...".
    let mut a = fingerprint("A|8 cores|X");
    a.os = "Y".to_owned();
    let mut b = fingerprint("A");
    b.os = "X|8 cores|Y".to_owned();
    assert_ne!(a.key(), b.key());
    assert_eq!(a.key(), a.clone().key());
}

/// `record` as a line of JSON with `field` set to the raw JSON `value`.
fn line_with(record: &Record, field: &str, value: &str) -> String {
    let mut json: serde_json::Value = serde_json::to_value(record).expect("encode");
    json[field] = serde_json::from_str(value).expect("a JSON value");
    json.to_string()
}

fn write_lines(store: &HistoryStore, lines: &[String]) {
    fs::write(store.path(), lines.join("\n") + "\n").expect("write");
}

#[test]
fn records_of_an_unknown_schema_version_are_skipped_naming_the_line() {
    let dir = ScratchDir::new("schema");
    let store = HistoryStore::open(&dir.0).expect("open");
    let good = record("decode", 1_000, 6.1);
    write_lines(
        &store,
        &[
            serde_json::to_string(&good).expect("encode"),
            line_with(&record("decode", 2_000, 6100.0), "schema_version", "999"),
            line_with(&record("decode", 3_000, 6100.0), "schema_version", "0"),
        ],
    );
    let loaded = store.load().expect("load");
    assert_eq!(loaded.records, vec![good]);
    assert_eq!(loaded.warnings.len(), 2, "{:?}", loaded.warnings);
    let path = store.path().display().to_string();
    assert!(
        loaded.warnings[0].starts_with(&format!("{path}:2: "))
            && loaded.warnings[0].contains("schema version 999 (written by a newer perfgate?)")
            && loaded.warnings[0].contains("reads version 1"),
        "{}",
        loaded.warnings[0]
    );
    assert!(
        loaded.warnings[1].starts_with(&format!("{path}:3: ")),
        "{}",
        loaded.warnings[1]
    );
    assert!(
        loaded.warnings[0].contains("`perfgate history --repair`"),
        "the warning says how to stop it: {}",
        loaded.warnings[0]
    );
}

#[test]
fn impossible_figures_are_skipped_naming_the_line_so_baselines_stay_finite() {
    let dir = ScratchDir::new("figures");
    let store = HistoryStore::open(&dir.0).expect("open");
    let base = record("decode", 1_000, 6.1);
    let bad = [
        ("mean_us", "1e308"),
        ("mean_us", "-1"),
        ("mean_us", "null"),
        ("p99_us", "1e300"),
        ("ci95_low_us", "-0.5"),
        ("success_rate", "2"),
        ("bytes_per_call", "1e30"),
    ];
    let mut lines = vec![serde_json::to_string(&base).expect("encode")];
    lines.extend(
        bad.iter()
            .map(|(field, value)| line_with(&base, field, value)),
    );
    // Optional figures may be null (NaN): kept.
    lines.push(line_with(&base, "p99_us", "null"));
    write_lines(&store, &lines);

    let loaded = store.load().expect("load");
    assert_eq!(loaded.records.len(), 2, "{:?}", loaded.warnings);
    assert!(loaded.records[1].p99_us.is_nan());
    assert_eq!(loaded.warnings.len(), bad.len(), "{:?}", loaded.warnings);
    for (index, (field, _)) in bad.iter().enumerate() {
        let warning = &loaded.warnings[index];
        assert!(
            warning.contains(&format!(":{}: ", index + 2)) && warning.contains(field),
            "{warning}"
        );
    }
    assert!(
        loaded.warnings[0].contains("mean_us 1e308"),
        "{}",
        loaded.warnings[0]
    );
    let sum: f64 = loaded.records.iter().map(|r| r.mean_us).sum();
    assert!(sum.is_finite());
}

#[test]
fn future_dated_records_are_left_out_of_the_baseline() {
    let now = 100 * 86_400_000;
    let fp = fingerprint("Test CPU");
    let records = vec![
        record("decode", now - 1_000, 1.0),
        record("decode", now + CLOCK_SKEW_ALLOWANCE_MS, 2.0),
        record("decode", now + CLOCK_SKEW_ALLOWANCE_MS + 1, 3.0),
        record("decode", now + 365 * 86_400_000, 4.0),
        record("decode", u64::MAX, 5.0),
    ];
    let means: Vec<f64> = baseline(&records, "decode", &fp, "full", now, 30.0)
        .iter()
        .map(|r| r.mean_us)
        .collect();
    assert_eq!(means, vec![1.0, 2.0]);
    assert_eq!(
        baseline(&records, "decode", &fp, "full", u64::MAX, f64::INFINITY).len(),
        5,
        "no overflow at the end of time"
    );
}

#[test]
fn repair_moves_unusable_lines_to_the_quarantine_once_and_keeps_every_byte() {
    let dir = ScratchDir::new("repair");
    let store = HistoryStore::open(&dir.0).expect("open");
    assert_eq!(
        store.repair().expect("repair of nothing"),
        Repaired::default()
    );

    let first = serde_json::to_string(&record("decode", 1_000, 6.1)).expect("encode");
    let second = serde_json::to_string(&record("decode", 2_000, 6.2)).expect("encode");
    let newer = line_with(&record("decode", 1_500, 6100.0), "schema_version", "999");
    let huge = line_with(&record("decode", 1_600, 6.0), "mean_us", "1e308");
    let torn = &second[..second.len() / 2];
    let mut bytes = format!("{first}\nnot json\n{newer}\n\n{huge}\n").into_bytes();
    bytes.extend_from_slice(b"\xff\xfe binary\n");
    bytes.extend_from_slice(format!("{second}\n{torn}").as_bytes());
    fs::write(store.path(), &bytes).expect("write");
    assert_eq!(store.load().expect("load").warnings.len(), 5);

    let repaired = store.repair().expect("repair");
    assert_eq!(repaired.kept, 2);
    let numbers: Vec<&str> = repaired
        .moved
        .iter()
        .map(|m| {
            m.rsplit_once(".jsonl:")
                .unwrap()
                .1
                .split(':')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(numbers, ["2", "3", "5", "6", "8"], "{:?}", repaired.moved);
    let quarantine = dir.0.join(QUARANTINE_FILE_NAME);
    assert_eq!(repaired.quarantine.as_deref(), Some(quarantine.as_path()));
    let mut moved = format!("not json\n{newer}\n{huge}\n").into_bytes();
    moved.extend_from_slice(b"\xff\xfe binary\n");
    moved.extend_from_slice(format!("{torn}\n").as_bytes());
    assert_eq!(fs::read(&quarantine).expect("quarantine"), moved);
    assert_eq!(
        fs::read_to_string(store.path()).expect("history"),
        format!("{first}\n{second}\n")
    );
    assert!(!dir.0.join(REPAIRING_FILE_NAME).exists());

    let after = store.load().expect("load after");
    assert!(after.warnings.is_empty(), "{:?}", after.warnings);
    assert_eq!(after.records.len(), 2);
    // Once: a second repair moves nothing and leaves both files alone.
    let again = store.repair().expect("repair again");
    assert_eq!((again.kept, again.moved.len()), (2, 0));
    assert_eq!(fs::read(&quarantine).expect("quarantine"), moved);
    store
        .append(&[record("decode", 3_000, 6.3)])
        .expect("append after repair");
    assert_eq!(store.load().expect("load").records.len(), 3);
}

#[test]
fn repair_refuses_to_run_after_an_interrupted_one() {
    let dir = ScratchDir::new("repair-interrupted");
    let store = HistoryStore::open(&dir.0).expect("open");
    fs::write(store.path(), "not json\n").expect("write");
    fs::write(dir.0.join(REPAIRING_FILE_NAME), "").expect("write copy");
    let error = store.repair().expect_err("must refuse");
    assert!(
        matches!(error, HistoryError::InterruptedRepair { .. })
            && error.to_string().contains(REPAIRING_FILE_NAME),
        "{error}"
    );
    assert_eq!(fs::read_to_string(store.path()).unwrap(), "not json\n");
}

#[cfg(unix)]
#[test]
fn devices_pipes_and_huge_files_are_refused_without_reading() {
    let dir = ScratchDir::new("devices");
    let store = HistoryStore::open(&dir.0).expect("open");
    // `/dev/null` stands for `/dev/zero` (the same kind of file, checked the same way): if the
    // check ever broke, reading it would end at once instead of exhausting memory.
    std::os::unix::fs::symlink("/dev/null", store.path()).expect("symlink");
    let error = store.load().expect_err("a device is no history");
    assert!(
        error.to_string().contains("character device")
            && error.to_string().contains("history.jsonl"),
        "{error}"
    );
    assert!(matches!(store.repair(), Err(HistoryError::NotAFile { .. })));
    fs::remove_file(store.path()).expect("unlink");
    std::os::unix::fs::symlink("/dev/full", store.path()).expect("symlink");
    let error = store
        .append(&[record("decode", 1, 1.0)])
        .expect_err("a device is no history");
    assert!(matches!(error, HistoryError::NotAFile { .. }), "{error}");
    fs::remove_file(store.path()).expect("unlink");

    let made = Command::new("mkfifo").arg(store.path()).status();
    if made.is_ok_and(|status| status.success()) {
        // Opening a FIFO without a writer would block forever.
        let error = store.load().expect_err("a pipe is no history");
        assert!(error.to_string().contains("named pipe"), "{error}");
        fs::remove_file(store.path()).expect("unlink");
    }

    // Sparse: no disk space used.
    fs::File::create(store.path())
        .expect("create")
        .set_len(MAX_HISTORY_BYTES + 1)
        .expect("set_len");
    let error = store.load().expect_err("too large");
    assert!(
        matches!(error, HistoryError::TooLarge { .. }) && error.to_string().contains("1024 MiB"),
        "{error}"
    );
}

#[test]
fn an_overlong_line_is_skipped_without_being_parsed() {
    let dir = ScratchDir::new("long-line");
    let store = HistoryStore::open(&dir.0).expect("open");
    let good = serde_json::to_string(&record("decode", 1_000, 6.1)).expect("encode");
    let long = format!(
        "{{\"histogram_b64\": \"{}\"}}",
        "A".repeat(MAX_RECORD_LINE_BYTES)
    );
    write_lines(&store, &[long, good]);
    let loaded = store.load().expect("load");
    assert_eq!(loaded.records.len(), 1);
    assert!(
        loaded.warnings.len() == 1
            && loaded.warnings[0].contains(":1: ")
            && loaded.warnings[0].contains("longer than any record"),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn a_comparable_machine_is_the_platform_build_and_for_timings_the_cpu() {
    let here = fingerprint("Test CPU");
    let mut newer_compiler = here.clone();
    newer_compiler.rustc = "rustc 9.9.9".into();
    let mut newer_kernel = here.clone();
    newer_kernel.os = format!("{} 9.9.9-new", here.os);
    let other_cpu = fingerprint("Other CPU");
    let mut other_opt = here.clone();
    other_opt.opt_level = "0".into();
    let mut other_arch = here.clone();
    other_arch.os = "linux aarch64".into();
    for mode in ["full", "quick", "instructions"] {
        assert!(
            here.comparable(&newer_compiler, mode),
            "{mode}: a rustc upgrade is a change, not a new baseline"
        );
        assert!(
            here.comparable(&newer_kernel, mode),
            "{mode}: kernel release"
        );
        assert!(!here.comparable(&other_opt, mode), "{mode}: opt-level");
        assert!(!here.comparable(&other_arch, mode), "{mode}: architecture");
    }
    assert!(
        !here.comparable(&other_cpu, "full"),
        "timings need the same CPU"
    );
    assert!(here.comparable(&other_cpu, "instructions"), "counts do not");
    let said = here.changes(&newer_compiler).unwrap();
    assert!(
        said.contains("rustc 9.9.9") && said.contains(&here.rustc),
        "{said}"
    );
    assert_eq!(here.changes(&here.clone()), None);
}

#[test]
fn an_instruction_count_is_never_an_inconclusive_record() {
    // An operation whose (informational) timing was too noisy to trust.
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("../render/golden/report.json")).unwrap();
    let mut op = golden["operations"][1].clone();
    op["noise"] = serde_json::json!({
        "batches": 10, "retimed": 5, "retimed_percent": 50.0, "unresolved": 5, "rounds": 10,
        "inconclusive": "too noisy to judge"
    });
    let op: crate::report::Operation = serde_json::from_value(op).unwrap();
    let machine = crate::machine::Machine::current();
    let stamp = |instructions| {
        RunStamp::of_this_run(
            &machine,
            None,
            crate::config::Mode::Full,
            instructions,
            |_| None,
        )
    };
    assert!(
        stamp(false).record(&op).unwrap().inconclusive,
        "a noisy timing is left out"
    );
    let counted = stamp(true).record(&op).unwrap();
    assert_eq!(counted.mode, "instructions");
    assert!(
        !counted.inconclusive,
        "a count is exact, whatever the timing beside it"
    );
}
