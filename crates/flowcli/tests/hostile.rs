//! The binary as a hostile user and an unlucky operator treat it: extreme values, stray rows,
//! devices, huge sizes in files and flags, concurrent and interrupted runs, a stuck meter among many
//! sites, and content real exports have. Each case: one clear line or a correct result, no hang, no
//! panic, nothing half-written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use std::fmt::Write as _;
use std::path::Path;

mod common;
use common::{assert_refused, files_under, fixture, flow, stderr, stdout, write};

/// `time,value` text of `hours` hourly readings from 2021-01-01 with a daily cycle.
fn hourly(hours: usize) -> String {
    let mut text = String::from("time,value\n");
    for h in 0..hours {
        let value = 300.0 + 40.0 * ((h % 24) as f64 / 24.0 * std::f64::consts::TAU).sin() + (h % 7) as f64;
        let _ = writeln!(text, "2021-01-{:02} {:02}:00,{value:.1}", 1 + h / 24, h % 24);
    }
    text
}

const QUICK: [&str; 6] = ["--interval", "hourly", "--epochs", "2", "--hidden", "4"];

#[test]
fn extreme_readings_are_data_errors_and_nothing_infinite_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = hourly(14 * 24);
    text = text.replacen(",300.0\n", ",1e308\n", 1);
    text.push_str("2021-01-15 00:00,-1e308\n");
    let input = write(dir.path(), "extreme.csv", text.as_bytes());
    let mut args = vec!["run", "--input", input.to_str().unwrap()];
    args.extend(QUICK);
    let output = flow(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.contains(
            "out of range     2 readings beyond ±1e12 treated as missing (data errors); first: line 2 `1e308`"
        ),
        "{out}"
    );
    let root = dir.path().join("Output/jangmyeong");
    let criteria = std::fs::read_to_string(root.join("Data_preprocessing/criteria.csv")).unwrap();
    let model = std::fs::read_to_string(root.join("Learning_lstm/model.json")).unwrap();
    for text in [&criteria, &model] {
        assert!(
            !text.contains("inf") && !text.contains("null") && !text.contains("NaN"),
            "{text}"
        );
    }
    assert!(root.join("Prediction/anomaly_scan.png").is_file());
}

/// A two-column file under its own header stands in for the default site: the terminal, report.json
/// and the model name the column read, and a model trained on one such file's `value` refuses
/// another's `pressure` (both were labelled with the Jeongeup column, and the second was accepted).
#[test]
fn a_two_column_file_is_named_by_its_own_header() {
    let dir = tempfile::tempdir().unwrap();
    let flows = write(dir.path(), "flows.csv", hourly(14 * 24).as_bytes());
    let mut args = vec!["run", "--input", flows.to_str().unwrap()];
    args.extend(QUICK);
    let output = flow(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("== Preprocessing: jangmyeong (value) =="),
        "{}",
        stdout(&output)
    );
    let root = dir.path().join("Output/jangmyeong");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["column"], "value");
    let pressure = write(
        dir.path(),
        "pressure.csv",
        hourly(14 * 24).replacen("time,value", "time,pressure", 1).as_bytes(),
    );
    let output = flow(dir.path(), &["predict", "--input", pressure.to_str().unwrap()]);
    assert_refused(&output, "it was trained on column `value`, not `pressure`");
    // Other commands write the other meter's files beside the first's: said, with the way out.
    let output = flow(dir.path(), &["night", "--input", pressure.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(
            "its files so far are of column `value`; flow night writes column `pressure`'s beside them (--site or --column gives each its own folder)"
        ),
        "{}",
        stdout(&output)
    );
    let output = flow(dir.path(), &["night", "--input", flows.to_str().unwrap()]);
    assert!(!stdout(&output).contains("its files so far"), "{}", stdout(&output));
    // A folder where `flow night` alone ran, with no alarm to log: its night.json names the
    // column (before it, nothing did, and the next meter's nights went beside them unsaid).
    let night = |input: &std::path::Path| {
        flow(
            dir.path(),
            &["night", "--input", input.to_str().unwrap(), "--output-dir", "nights"],
        )
    };
    let output = night(&pressure);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("nights/jangmyeong/Night/night.json")).unwrap())
            .unwrap();
    assert_eq!(
        (summary["site"].as_str(), summary["column"].as_str()),
        (Some("jangmyeong"), Some("pressure"))
    );
    assert_eq!(summary["nights"], 14);
    let output = night(&flows);
    assert!(
        stdout(&output)
            .contains("its files so far are of column `pressure`; flow night writes column `value`'s beside them"),
        "{}",
        stdout(&output)
    );
}

/// Hourly readings asked into 10-minute buckets: five of six would be invented. Refused as what it
/// is (it was blamed on a stray timestamp), before anything is written.
#[test]
fn an_interval_finer_than_the_readings_is_refused_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "hours.csv", hourly(14 * 24).as_bytes());
    for command in ["preprocess", "run"] {
        let output = flow(
            dir.path(),
            &[command, "--input", input.to_str().unwrap(), "--interval", "10min"],
        );
        assert_refused(
            &output,
            "hours.csv: the readings are hourly: --interval 10min is finer than they are, so most of its buckets would be invented; use hourly or coarser",
        );
        assert!(!dir.path().join("Output").exists(), "{command} wrote files");
    }
}

#[test]
fn a_stray_timestamp_is_named_and_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    for stray in ["1900-01-01 00:00", "0001-01-01 00:00"] {
        let text = hourly(14 * 24).replacen("time,value\n", &format!("time,value\n{stray},250\n"), 1);
        let input = write(dir.path(), "stray.csv", text.as_bytes());
        let output = flow(
            dir.path(),
            &["run", "--input", input.to_str().unwrap(), "--interval", "hourly"],
        );
        let error = assert_refused(
            &output,
            "buckets at interval hourly have readings: the rest would be invented",
        );
        assert!(
            error.contains(&format!("the stray row is line 2: `{stray},250`")),
            "{error}"
        );
        assert!(!dir.path().join("Output").exists());
    }
}

#[test]
fn devices_pipes_and_huge_sizes_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let output = flow(dir.path(), &["preprocess", "--input", "/dev/zero"]);
    assert_refused(&output, "/dev/zero: not a regular file");
    let fifo = dir.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // No writer: opening it would block for ever.
    let output = flow(dir.path(), &["preprocess", "--input", fifo.to_str().unwrap()]);
    assert_refused(&output, "pipe.csv: not a regular file");
    let output = flow(dir.path(), &["demo-data", "--rows", "100000000000", "--out", "big.csv"]);
    assert_refused(
        &output,
        "--rows 100000000000: the demo export has from 2 to at most 5000000 rows",
    );
    // 100,000 columns: the message lists twenty and counts the rest.
    let mut header = String::from("time");
    for k in 0..100_000 {
        let _ = write!(header, ",c{k}");
    }
    let input = write(
        dir.path(),
        "wide.csv",
        format!("{header}\n2021-01-01 00:00,1\n").as_bytes(),
    );
    let output = flow(
        dir.path(),
        &["preprocess", "--input", input.to_str().unwrap(), "--column", "nope"],
    );
    let error = assert_refused(&output, "no column `nope`; columns in the file: c0, c1, c2");
    assert!(error.contains("c19 … and 99980 more") && error.len() < 400, "{error}");
    // The last of them is read without a schema of all the others.
    let empty = ",".repeat(99_999);
    let mut text = format!("{header}\n");
    for day in 1..=3 {
        let _ = writeln!(text, "2021-01-0{day} 00:00{empty},{}", 4 + day);
    }
    let input = write(dir.path(), "wide.csv", text.as_bytes());
    let output = flow(
        dir.path(),
        &["preprocess", "--input", input.to_str().unwrap(), "--column", "c99999"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let series = std::fs::read_to_string(dir.path().join("Output/c99999/Data_preprocessing/preprocessed.csv")).unwrap();
    assert!(
        series.ends_with(",5\n2021-01-02 00:00:00,6\n2021-01-03 00:00:00,7\n"),
        "{series}"
    );
    std::fs::remove_dir_all(dir.path().join("Output")).unwrap();
    assert!(!dir.path().join("Output").exists());
}

/// Every flag is checked (finite, in range) before anything is read or written: one line each.
#[test]
fn flags_are_checked_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("small_export_cp949.csv");
    let input = input.to_str().unwrap();
    let cases: [(&[&str], &str); 13] = [
        (
            &["train", "--hidden", "1000000000"],
            "--hidden 1000000000: must be at most 1024",
        ),
        (
            &["train", "--layers", "1000000000"],
            "--layers 1000000000: must be at most 8",
        ),
        (&["run", "--window", "100000"], "--window 100000: must be at most 10000"),
        (
            &["train", "--outlier-sigma", "-1"],
            "--outlier-sigma -1: must be a positive number",
        ),
        (
            &["train", "--outlier-sigma", "nan"],
            "--outlier-sigma NaN: must be a positive number",
        ),
        (
            &["run", "--scan-batch-size", "0"],
            "--scan-batch-size / --batch-size 0: must be at least 1",
        ),
        (
            &["train", "--train-fraction", "1"],
            "--train-fraction 1: must be a number between 0 and 1",
        ),
        (
            &["train", "--train-fraction", "0"],
            "--train-fraction 0: must be a number between 0 and 1",
        ),
        (
            &["train", "--train-fraction", "NaN"],
            "--train-fraction NaN: must be a number between 0 and 1",
        ),
        (
            &["preprocess", "--level", "-1"],
            "--level -1: must be a finite percentage of 0 or more",
        ),
        (&["preprocess", "--min", "nan"], "--min NaN: must be a finite number"),
        (&["run", "--max", "inf"], "--max inf: must be a finite number"),
        (&["preprocess", "--lang", "fr"], "--lang `fr`: expected en or ko"),
    ];
    for (args, message) in cases {
        let mut all = args.to_vec();
        all.extend(["--input", input]);
        assert_refused(&flow(dir.path(), &all), message);
        assert!(!dir.path().join("Output").exists(), "{args:?} wrote output");
    }
}

/// Trains a small hourly model into `dir/Output/jangmyeong` and returns the input file.
fn trained(dir: &Path, seed: &str) -> String {
    let input = write(dir, "series.csv", hourly(20 * 24).as_bytes());
    let input = input.to_str().unwrap().to_string();
    let mut args = vec!["train", "--input", input.as_str(), "--seed", seed];
    args.extend(QUICK);
    let output = flow(dir, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    input
}

#[test]
fn model_files_are_checked_field_by_field_and_as_one_unit() {
    let dir = tempfile::tempdir().unwrap();
    let input = trained(dir.path(), "1");
    let learning = dir.path().join("Output/jangmyeong/Learning_lstm");
    let meta_path = learning.join("model.json");
    let original = std::fs::read_to_string(&meta_path).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&original).unwrap();
    let predict = || flow(dir.path(), &["predict", "--input", &input]);
    let edit = |field: &str, value: serde_json::Value| {
        let mut edited = meta.clone();
        edited[field] = value;
        std::fs::write(&meta_path, serde_json::to_vec_pretty(&edited).unwrap()).unwrap();
    };
    let cases = [
        (
            "hidden",
            serde_json::json!(1_000_000_000u64),
            "`hidden` is 1000000000: must be from 1 to 1024",
        ),
        (
            "periods",
            serde_json::json!(100_000),
            "`periods` is 100000: must be from 1 to 10000",
        ),
        ("layers", serde_json::json!(1e9), "not a flow model description"),
        (
            "periods",
            serde_json::json!(2),
            "`head.weight` has shape [1, 4], model.json says [2, 4]",
        ),
        (
            "layers",
            serde_json::json!(3),
            "10 tensors, a model of 3 layers holds 14",
        ),
        ("window", serde_json::json!(0), "`window` is 0: must be from 1 to 10000"),
    ];
    for (field, value, message) in cases {
        edit(field, value);
        assert_refused(&predict(), message);
    }
    std::fs::write(&meta_path, &original).unwrap();
    assert!(predict().status.success());

    // Killed between the two renames: new weights beside the old description (same size).
    let old_weights = std::fs::read(learning.join("model.safetensors")).unwrap();
    let old_meta = original.clone();
    let mut args = vec!["train", "--input", input.as_str(), "--seed", "2"];
    args.extend(QUICK);
    assert!(flow(dir.path(), &args).status.success());
    std::fs::write(learning.join("model.safetensors"), &old_weights).unwrap();
    assert_ne!(std::fs::read_to_string(&meta_path).unwrap(), old_meta);
    assert_refused(&predict(), "the weights do not match model.json (SHA-256 differs)");
}

#[test]
fn one_command_per_folder_and_interrupted_runs_leave_no_trace_or_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let input = trained(dir.path(), "1");
    let root = dir.path().join("Output/jangmyeong");
    // Another live flow holds the folder (this test's own process stands in for it).
    let holder = format!("{} flow run", std::process::id());
    std::fs::write(root.join(".flow.lock"), format!("{holder}\n")).unwrap();
    let output = flow(dir.path(), &["predict", "--input", &input]);
    assert_refused(&output, &format!("Output/jangmyeong: in use by {holder}"));
    // A lock left by a killed process is taken over; so are its temporary files.
    std::fs::write(root.join(".flow.lock"), "4000000 flow run\n").unwrap();
    let stale = root.join("Prediction/.abnormal.csv.4000000.tmp");
    std::fs::create_dir_all(stale.parent().unwrap()).unwrap();
    std::fs::write(&stale, b"half").unwrap();
    std::fs::write(root.join(".run-incomplete"), "2021-01-01 00:00:00 UTC\n").unwrap();
    let output = flow(dir.path(), &["predict", "--input", &input]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("a `flow run` started 2021-01-01 00:00:00 UTC did not finish"),
        "{}",
        stdout(&output)
    );
    assert!(!stale.exists(), "stale temporary removed");
    assert!(!root.join(".flow.lock").exists(), "lock released");
    let leftovers: Vec<_> = files_under(&root)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // An output that would overwrite the input is refused.
    let preprocessed = root.join("Data_preprocessing/preprocessed.csv");
    let before = std::fs::read(&preprocessed).unwrap();
    let output = flow(
        dir.path(),
        &["run", "--input", preprocessed.to_str().unwrap(), "--interval", "hourly"],
    );
    assert_refused(&output, "the input lies inside");
    assert_eq!(std::fs::read(&preprocessed).unwrap(), before);
}

#[test]
fn columns_that_share_a_folder_name_get_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("time,a/b,a-b\n");
    for h in 0..72 {
        let _ = writeln!(
            text,
            "2021-01-{:02} {:02}:00,{},{}",
            1 + h / 24,
            h % 24,
            100 + h % 5,
            200 + h % 3
        );
    }
    let input = write(dir.path(), "two.csv", text.as_bytes());
    for (column, folder) in [("a/b", "a-b"), ("a-b", "a-b-2")] {
        let output = flow(
            dir.path(),
            &["preprocess", "--input", input.to_str().unwrap(), "--column", column],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        let series = std::fs::read_to_string(
            dir.path()
                .join(format!("Output/{folder}/Data_preprocessing/preprocessed.csv")),
        )
        .unwrap();
        let first: f64 = series
            .lines()
            .nth(1)
            .unwrap()
            .split(',')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        assert!((column == "a/b") == (first < 150.0), "{column}: {series}");
    }
}

/// A column that moves once, early, and holds one value after: its test part is one value, which
/// no accuracy can be computed on; the line names the site and its column (it named neither).
#[test]
fn a_test_part_of_one_value_is_refused_with_its_site_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("time,value\n");
    for h in 0..40 * 24 {
        let value = if h < 48 { 5.0 + (h % 5) as f64 } else { 5.0 };
        let (month, day) = if h / 24 < 31 { (1, 1 + h / 24) } else { (2, h / 24 - 30) };
        let _ = writeln!(text, "2021-{month:02}-{day:02} {:02}:00,{value:.1}", h % 24);
    }
    let input = write(dir.path(), "flat.csv", text.as_bytes());
    let output = flow(
        dir.path(),
        &[&["run", "--input", input.to_str().unwrap()][..], &QUICK].concat(),
    );
    // A lone column is the default site's (the original's export by another name).
    assert_refused(
        &output,
        "jangmyeong (value): the actual values are constant (5) over the test set",
    );
}

#[test]
fn a_stuck_meter_fails_its_site_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("저장시간,장명(배) 유입유량 순시,회룡(가) 유입유량 순시\n");
    for h in 0..(20 * 24) {
        let flow = 300.0 + 40.0 * ((h % 24) as f64 / 24.0 * std::f64::consts::TAU).sin();
        let _ = writeln!(text, "2021/01/{:02} {}:00,{flow:.1},253", 1 + h / 24, h % 24);
    }
    let input = write(dir.path(), "sites.csv", text.as_bytes());
    let mut args = vec!["run", "--input", input.to_str().unwrap(), "--sites", "all"];
    args.extend(QUICK);
    let output = flow(dir.path(), &args);
    let error = assert_refused(
        &output,
        "sites.csv: 1 of 2 sites failed (hoeryong); the others finished",
    );
    assert!(!error.contains("jangmyeong"), "{error}");
    let text = stdout(&output);
    assert!(text.contains("== Failed sites: 1 of 2 =="), "{text}");
    assert!(
        text.contains("hoeryong         ") && text.contains("constant"),
        "{text}"
    );
    let report = |site: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(format!("Output/{site}/report.json"))).unwrap())
            .unwrap()
    };
    assert_eq!(report("jangmyeong")["status"], "ok");
    assert_eq!(report("hoeryong")["status"], "failed");
    let failed: flowcli::SiteReport = serde_json::from_value(report("hoeryong")).unwrap();
    assert!(failed.job.is_none() && failed.error.is_some());
    assert!(report("hoeryong")["error"].as_str().unwrap().contains("constant"));
    assert!(!dir.path().join("Output/hoeryong/.run-incomplete").exists());
}

/// The stuck meter alone: its own error once, not `1 of 1 sites failed; the others finished`.
#[test]
fn a_run_of_one_stuck_meter_says_its_reason_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("time,flow\n");
    for h in 0..(20 * 24) {
        let _ = writeln!(text, "2021-01-{:02} {:02}:00,253", 1 + h / 24, h % 24);
    }
    let input = write(dir.path(), "meter.csv", text.as_bytes());
    let mut args = vec!["run", "--input", input.to_str().unwrap()];
    args.extend(QUICK);
    let output = flow(dir.path(), &args);
    assert_refused(
        &output,
        "column `flow`: stuck for the whole period: every reading is 253.0, a constant",
    );
    let said = stdout(&output);
    assert!(!said.contains("failed  ") && !said.contains("Failed sites"), "{said}");
    let output = flow(dir.path(), &["night", "--input", input.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn content_real_exports_have() {
    let dir = tempfile::tempdir().unwrap();
    // Thousands separators in quoted cells are numbers, not gaps.
    let text = "time,value\n2021-01-01 00:00,\"1,234\"\n2021-01-01 12:00,\"1,300.5\"\n2021-01-02 00:00,980\n2021-01-03 00:00,\"1,5\"\n2021-01-04 00:00,1000\n";
    let input = write(dir.path(), "separators.csv", text.as_bytes());
    // (--max 2000: on four days the level rule would correct the 1,267.25 mean; parsing is the point.)
    let output = flow(
        dir.path(),
        &["preprocess", "--input", input.to_str().unwrap(), "--max", "2000"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.contains("separators       2 numbers written with thousands separators"),
        "{out}"
    );
    // `1,5` is not a thousands form (a decimal comma?): missing, and named.
    assert!(
        out.contains("1 non-numeric (`-`, `#N/A`, …); first: line 5 `1,5`"),
        "{out}"
    );
    let series =
        std::fs::read_to_string(dir.path().join("Output/jangmyeong/Data_preprocessing/preprocessed.csv")).unwrap();
    assert!(series.contains("2021-01-01 00:00:00,1267.25\n"), "{series}");

    // Classic Mac line endings.
    let input = write(dir.path(), "cr.csv", hourly(48).replace('\n', "\r").as_bytes());
    let output = flow(
        dir.path(),
        &["preprocess", "--input", input.to_str().unwrap(), "--out", "cr"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("rows read        48"), "{}", stdout(&output));

    // A cp949 file cut in the middle of a character: the offset of the cut, not of the first Hangul
    // byte (where UTF-8 gave up). `저` is bytes 0-1, `장` starts at 2: cut after its first byte.
    let bytes = std::fs::read(fixture("small_export_cp949.csv")).unwrap();
    assert!(
        bytes[0] >= 0x80 && bytes[2] >= 0x80,
        "the header starts with two-byte Hangul"
    );
    let input = write(dir.path(), "cut.csv", &bytes[..3]);
    let output = flow(dir.path(), &["preprocess", "--input", input.to_str().unwrap()]);
    assert_refused(&output, "byte 2 is not valid in UTF-8 or cp949");
}

/// A SCADA report as the Jeongeup software writes one (cp949): a title and the export time above
/// the table, units under the header. The same preprocessed series as the bare export, and the
/// skipped lines said; before, the title was read as the header and the export failed on line 4.
#[test]
fn a_report_with_a_title_and_units_reads_like_the_bare_export() {
    let dir = tempfile::tempdir().unwrap();
    let bare = std::fs::read(fixture("small_export_cp949.csv")).unwrap();
    let (title, _, _) = encoding_rs::EUC_KR.encode("장명 배수지 유량 일보\n출력일시,2022-03-14 09:00\n\n");
    let header_end = bare.iter().position(|&b| b == b'\n').unwrap() + 1;
    let columns = bare[..header_end].iter().filter(|&&b| b == b',').count();
    let mut report = title.to_vec();
    report.extend_from_slice(&bare[..header_end]);
    report.extend_from_slice(format!("{}\n", ",m3/h".repeat(columns)).as_bytes());
    report.extend_from_slice(&bare[header_end..]);
    let preprocessed = |name: &str, bytes: &[u8]| {
        let input = write(dir.path(), name, bytes);
        let out = name.replace(".csv", "");
        let output = flow(
            dir.path(),
            &["preprocess", "--input", input.to_str().unwrap(), "--out", &out],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        let csv = std::fs::read_to_string(dir.path().join(&out).join("preprocessed.csv")).unwrap();
        (csv, stdout(&output))
    };
    let (bare_csv, _) = preprocessed("bare.csv", &bare);
    let (report_csv, said) = preprocessed("report.csv", &report);
    assert_eq!(report_csv, bare_csv);
    assert!(
        said.contains("the header is line 4: 2 line(s) above it skipped, the first `장명 배수지 유량 일보`"),
        "{said}"
    );
    assert!(
        said.contains("line 5 under the header skipped: no time in it (units or a description) `,m3/h,m3/h"),
        "{said}"
    );
}

/// The export cut in two files as a SCADA system exports a month at a time (cp949, each with its
/// report title, the second starting with the first's last row), in a folder beside a summary
/// workbook: the same preprocessed series as the whole export. A file of another export among
/// them is refused by name, and nothing is written.
#[test]
fn an_export_in_several_files_reads_like_the_whole_export() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read(fixture("small_export_cp949.csv")).unwrap();
    let lines: Vec<&[u8]> = whole.split_inclusive(|&b| b == b'\n').collect();
    let (header, rows) = lines.split_first().unwrap();
    let (title, _, _) = encoding_rs::EUC_KR.encode("장명 배수지 유량 월보\n");
    let months = dir.path().join("months");
    std::fs::create_dir(&months).unwrap();
    for (name, part) in [("1.csv", &rows[..7]), ("2.csv", &rows[6..])] {
        let mut file = title.to_vec();
        file.extend_from_slice(header);
        file.extend(part.iter().flat_map(|row| row.iter()));
        write(&months, name, &file);
    }
    write(&months, "summary.xlsx", b"PK");
    let input = write(dir.path(), "whole.csv", &whole);
    let preprocessed = |inputs: &[&str], out: &str| {
        let mut args = vec!["preprocess", "--out", out, "--input"];
        args.extend_from_slice(inputs);
        let output = flow(dir.path(), &args);
        let csv = std::fs::read_to_string(dir.path().join(out).join("preprocessed.csv")).ok();
        (output, csv)
    };
    let (_, whole_csv) = preprocessed(&[input.to_str().unwrap()], "whole");
    let (output, months_csv) = preprocessed(&[months.to_str().unwrap()], "from-months");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(months_csv, whole_csv);
    let said = stdout(&output);
    for line in [
        "Read 2 files, ",
        "left aside in the folder (not an export's .csv, .txt, .tsv, .dat): summary.xlsx",
        "rows read        15 from 2 files (cp949)",
        "above it skipped, the first `장명 배수지 유량 월보`",
        "1.csv; each file's table is found on its own)",
        "time order       1 duplicate timestamps resolved (last number wins; each the same number again)",
    ] {
        assert!(said.contains(line), "expected `{line}` in {said}");
    }
    // A file of another export (one column fewer) among them.
    let other = write(dir.path(), "other.csv", b"time,flow\n2020-01-05 00:00,1\n");
    let (output, csv) = preprocessed(
        &[months.join("1.csv").to_str().unwrap(), other.to_str().unwrap()],
        "mixed",
    );
    assert_refused(
        &output,
        &format!(
            "{}: its columns are not those of {}",
            other.display(),
            months.join("1.csv").display()
        ),
    );
    assert!(csv.is_none() && !dir.path().join("mixed").exists());
}

/// `--output-dir` naming a file, or a file called `Output` where the default folder goes: one
/// line naming the folder and the file in the way (the system said only "Not a directory" of
/// the folder asked for), the file untouched, nothing made beside it.
#[test]
fn a_file_where_the_output_folder_goes_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "dma.csv", hourly(21 * 24).as_bytes());
    let in_the_way = write(dir.path(), "Output", b"notes kept by an engineer\n");
    let files = || {
        let mut found = files_under(dir.path());
        found.sort();
        found
    };
    let before = files();
    let mut run = vec!["run", "--input", input.to_str().unwrap(), "--output-dir", "Output/dma"];
    run.extend(QUICK);
    for args in [run, vec!["night", "--input", input.to_str().unwrap()]] {
        let output = flow(dir.path(), &args);
        let error = assert_refused(&output, "`Output` is a file, not a folder");
        assert!(error.contains("cannot make the folder Output/"), "{error}");
        assert_eq!(std::fs::read(&in_the_way).unwrap(), b"notes kept by an engineer\n");
        assert_eq!(files(), before, "{args:?}");
    }
}
