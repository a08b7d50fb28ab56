//! The `flow` binary as an engineer uses it: real files in, files and one-line errors out.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(name)
}

/// Runs `flow` in `dir` with its cache inside `dir`, so no test touches the user's cache.
fn flow(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(args)
        .current_dir(dir)
        .env("FLOW_CACHE_DIR", dir.join("cache"))
        .output()
        .expect("the flow binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn preprocess_matches_the_hand_computed_answer_for_both_input_forms() {
    // fixtures/README.md works these numbers out by hand.
    let expected_series = "time,value\n2020-01-01 00:00:00,122.5\n2020-01-02 00:00:00,210\n2020-01-03 00:00:00,300\n2020-01-04 00:00:00,905.3125\n";
    let expected_criteria = "raw_min,raw_max,normal_min,normal_max\n122.5,1000,-242.1875,905.3125\n";
    for input in ["small_export_cp949.csv", "jangmyeong_two_column.csv"] {
        let dir = tempfile::tempdir().unwrap();
        let input = fixture(input);
        let before = std::fs::read(&input).unwrap();
        let output = flow(
            dir.path(),
            &["preprocess", "--site", "jangmyeong", "--input", input.to_str().unwrap()],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        let out = dir.path().join("Output/jangmyeong/Data_preprocessing");
        assert_eq!(
            std::fs::read_to_string(out.join("preprocessed.csv")).unwrap(),
            expected_series
        );
        assert_eq!(
            std::fs::read_to_string(out.join("criteria.csv")).unwrap(),
            expected_criteria
        );
        let text = stdout(&output);
        assert!(text.contains("rows read        14"), "{text}");
        assert!(text.contains("5 blank, 2 non-numeric"), "{text}");
        assert!(text.contains("1 readings in 1 short gaps (<= 3) took the previous reading; 4 in 1 long gaps interpolated; 1 leading and 1 trailing dropped"), "{text}");
        assert!(text.contains("1 above normal_max, 0 below normal_min"), "{text}");
        assert_eq!(std::fs::read(&input).unwrap(), before, "the input is never modified");
    }
}

#[test]
fn preprocess_options_reach_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("small_export_cp949.csv");
    let out = dir.path().join("custom");
    let output = flow(
        dir.path(),
        &[
            "preprocess",
            "--input",
            input.to_str().unwrap(),
            "--site",
            "hoeryong",
            "--min",
            "95",
            "--max",
            "99.5",
            "--level",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    // hoeryong daily means: 94, 96.5, 99, 100, 101; floor 95·0.99 = 94.05 lifts 94, ceiling 99.5·1.01 = 100.495 lowers 101.
    let series = std::fs::read_to_string(out.join("preprocessed.csv")).unwrap();
    assert_eq!(series, "time,value\n2019-12-31 00:00:00,95\n2020-01-01 00:00:00,96.5\n2020-01-02 00:00:00,99\n2020-01-03 00:00:00,100\n2020-01-04 00:00:00,99.5\n");
    assert_eq!(
        std::fs::read_to_string(out.join("criteria.csv")).unwrap(),
        "raw_min,raw_max,normal_min,normal_max\n94,101,95,99.5\n"
    );
}

#[test]
fn sites_lists_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    let output = flow(dir.path(), &["sites"]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 15);
    assert!(text.contains("jangmyeong") && text.contains("장명(배) 유입유량 순시") && text.contains("naejang-out"));
}

/// Each bad input: non-zero exit, one line on stderr naming the file and the problem, nothing written.
#[test]
fn bad_inputs_get_one_clear_line_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let mut neither = b"time,value\n2020-01-01 00:00,1\n".to_vec();
    neither.extend_from_slice(&[0xFF, 0xFE, 0x80, b'\n']);
    let cases: Vec<(PathBuf, Vec<&str>, &str)> = vec![
        (write("empty.csv", b""), vec![], "the file is empty"),
        (write("header.csv", "저장시간,장명(배) 유입유량 순시\r\n".as_bytes()), vec![], "header but no data rows"),
        (write("garbage.bin", &[0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0xFF]), vec![], "not a text file in UTF-8 or cp949"),
        (write("latin.csv", &neither), vec![], "not a text file in UTF-8 or cp949"),
        (write("notime.csv", b"when,value\nyesterday,1\ntoday,2\n"), vec![], "no time column"),
        (write("missing.csv", b"time,value\n2020-01-01 00:00,-\n2020-01-01 00:01,\n"), vec![], "has no numeric value in any of its 2 rows"),
        (write("badtime.csv", b"time,value\n2020-01-01 00:00,1\n2020-01-01 00:01,2\n2020-02-30 00:02,3\n"), vec![], "line 4: cannot read `2020-02-30 00:02` as a timestamp"),
        (write("short.csv", b"time,value\n2020-01-01 00:00,1\n2020-01-01 00:30,2\n"), vec![], "need at least 2 rows at interval daily, have 1"),
        (fixture("small_export_cp949.csv"), vec!["--site", "nowhere"], "unknown site `nowhere`; known sites: jangmyeong, jangmyeong-out"),
        (fixture("small_export_cp949.csv"), vec!["--site", "naejang-out"], "no column `내장(배) 유출유량 순시`; columns in the file: 장명(배) 유입유량 순시, 회룡(가) 유입유량 순시, 내장(배) 유입유량 순시"),
        (fixture("small_export_cp949.csv"), vec!["--column", "Flow"], "no column `Flow`"),
        (dir.path().join("absent.csv"), vec![], "No such file"),
    ];
    for (path, extra, message) in cases {
        let before = std::fs::read(&path).ok();
        let mut args = vec!["preprocess", "--input", path.to_str().unwrap()];
        args.extend(extra);
        let output = flow(dir.path(), &args);
        let error = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{path:?}: {error}");
        assert_eq!(error.lines().count(), 1, "{path:?}: one line expected, got {error}");
        assert!(error.starts_with("flow: error: "), "{error}");
        assert!(error.contains(message), "{path:?}: expected `{message}` in {error}");
        if !message.starts_with("unknown site") {
            let name = path.file_name().unwrap().to_str().unwrap();
            assert!(error.contains(name), "the file is named: {error}");
        }
        assert!(
            !dir.path().join("Output").exists(),
            "{path:?} left output behind: {:?}",
            files_under(&dir.path().join("Output"))
        );
        assert_eq!(std::fs::read(&path).ok(), before, "input modified");
    }
}

#[test]
fn an_unwritable_output_folder_is_reported_and_nothing_is_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, b"a file where a folder should be").unwrap();
    let input = fixture("small_export_cp949.csv");
    let output = flow(
        dir.path(),
        &[
            "preprocess",
            "--input",
            input.to_str().unwrap(),
            "--output-dir",
            blocker.join("out").to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("blocker/out/jangmyeong/Data_preprocessing"),
        "{}",
        stderr(&output)
    );
    assert_eq!(files_under(dir.path()), vec![blocker]);
}

#[test]
fn train_then_predict_in_a_fresh_process() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.csv");
    // Thirty days of minutes, trained hourly: 720 rows. 720 × 0.7 is 503.999… in floating point, so
    // the split is 503 / 217, exactly as the original's `int(len(data) * 0.7)`.
    let output = flow(
        dir.path(),
        &["demo-data", "--rows", "43200", "--out", demo.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let demo = demo.to_str().unwrap();
    let output = flow(
        dir.path(),
        &[
            "train",
            "--input",
            demo,
            "--interval",
            "hourly",
            "--epochs",
            "3",
            "--hidden",
            "8",
            "--check",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("Train data Size: 503 rows") && text.contains("Test data Size: 217 rows"),
        "{text}"
    );
    assert!(text.contains("RMSE") && text.contains("Residuals Analysis"), "{text}");
    let learning = dir.path().join("Output/jangmyeong/Learning_lstm");
    for name in [
        "model.safetensors",
        "model.json",
        "check_train_data.csv",
        "check_test_data.csv",
        "lstm_performance_graph.tiff",
        "lstm_performance_graph.png",
        "residuals.png",
        "test_predictions.csv",
    ] {
        assert!(learning.join(name).is_file(), "{name} missing");
    }
    assert_eq!(
        std::fs::read_to_string(learning.join("check_train_data.csv"))
            .unwrap()
            .lines()
            .count(),
        504
    );

    let output = flow(dir.path(), &["predict", "--input", demo]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("43,193 windows of 7 readings at 1min"), "{text}");
    let forecast_line = text.lines().find(|l| l.starts_with("time: ")).unwrap_or_default();
    assert!(
        forecast_line.starts_with("time: 2020-01-31 00:00:00 - predicted: "),
        "{text}"
    );
    assert!(forecast_line.ends_with("label: Normal") || forecast_line.ends_with("label: Abnormal"));
    let prediction = std::fs::read_to_string(dir.path().join("Output/jangmyeong/Prediction/prediction.csv")).unwrap();
    assert!(
        prediction.starts_with("time,predicted,label\n2020-01-31 00:00:00,"),
        "{prediction}"
    );

    // The same model is refused for another site, with the reason.
    let other = dir.path().join("Output/hoeryong/Learning_lstm");
    std::fs::create_dir_all(&other).unwrap();
    for name in ["model.safetensors", "model.json"] {
        std::fs::copy(learning.join(name), other.join(name)).unwrap();
    }
    let output = flow(dir.path(), &["predict", "--input", demo, "--site", "hoeryong"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("trained for site `jangmyeong`, not `hoeryong`"),
        "{}",
        stderr(&output)
    );

    let output = flow(dir.path(), &["predict", "--input", demo, "--site", "naejang"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("train a model first"), "{}", stderr(&output));
}

#[test]
fn run_writes_every_output_for_several_sites_from_one_read() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.csv");
    assert!(flow(
        dir.path(),
        &["demo-data", "--rows", "30240", "--out", demo.to_str().unwrap()]
    )
    .status
    .success());
    let output = flow(
        dir.path(),
        &[
            "run",
            "--input",
            demo.to_str().unwrap(),
            "--sites",
            "jangmyeong,hoeryong",
            "--interval",
            "hourly",
            "--epochs",
            "2",
            "--hidden",
            "8",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.matches("Read ").count(), 1, "the file is read once: {text}");
    assert!(text.contains("== Profile =="), "{text}");
    assert!(
        text.contains("jangmyeong/train") && text.contains("hoeryong/predict"),
        "{text}"
    );
    for site in ["jangmyeong", "hoeryong"] {
        let root = dir.path().join("Output").join(site);
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root.join("report.json")).unwrap()).unwrap();
        assert_eq!(report["site"], site);
        assert_eq!(report["split"]["train_rows"], 352);
        assert_eq!(report["split"]["test_rows"], 152);
        assert!(report["accuracy"]["rmse"].as_f64().unwrap() > 0.0);
        assert_eq!(
            report["anomaly_scan"]["windows"],
            30240 - 7 - report["ingest"]["rows_read"].as_u64().map_or(0, |r| 30240 - r)
        );
        assert_eq!(report["profile"].as_array().unwrap().len(), 4);
        let tiff = std::fs::read(root.join("Learning_lstm/lstm_performance_graph.tiff")).unwrap();
        assert_eq!(&tiff[..4], b"II*\0");
        assert!(root.join("Prediction/anomaly_scan.png").is_file());
    }
}

#[test]
fn without_input_the_demo_export_is_generated_once_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let output = flow(dir.path(), &["preprocess", "--site", "jangmyeong"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("Generating the built-in demo export"), "{text}");
    assert!(text.contains("rows read        527,041 (cp949)"), "{text}");
    assert!(text.contains("daily by mean: 367 rows"), "{text}");
    let output = flow(dir.path(), &["preprocess", "--site", "hoeryong"]);
    assert!(!stdout(&output).contains("Generating"), "reused");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Output/hoeryong/Data_preprocessing/preprocessed.csv"))
            .unwrap()
            .lines()
            .count(),
        368
    );
}

/// Real data nobody here wrote: NAB's New York taxi demand with its five labelled incidents.
#[test]
fn detect_finds_the_labelled_incidents_in_nab_taxi_demand() {
    let dir = tempfile::tempdir().unwrap();
    let taxi = fixture("nab/nyc_taxi.csv");
    let labels = fixture("nab/anomaly_windows.json");
    let output = flow(
        dir.path(),
        &[
            "detect",
            "--input",
            taxi.to_str().unwrap(),
            "--labels",
            labels.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("the LSTM beats the best baseline"), "{text}");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("Output/nyc_taxi/Detection/detection.json")).unwrap(),
    )
    .unwrap();
    let scoring = &report["scoring"];
    assert_eq!(scoring["windows"], 5);
    assert!(scoring["detected"].as_u64().unwrap() >= 4, "{scoring}");
    assert!(scoring["precision"].as_f64().unwrap() >= 0.5, "{scoring}");
    // At hourly interval the forecast must beat "same time yesterday".
    let evaluation =
        std::fs::read_to_string(dir.path().join("Output/nyc_taxi/Learning_lstm/test_predictions.csv")).unwrap();
    let rows: Vec<Vec<f64>> = evaluation
        .lines()
        .skip(1)
        .map(|l| l.split(',').skip(1).map(|v| v.parse().unwrap()).collect())
        .collect();
    let lstm_rmse = (rows.iter().map(|r| r[2] * r[2]).sum::<f64>() / rows.len() as f64).sqrt();
    let seasonal_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("seasonal naive (same time yesterday"))
        .unwrap();
    let seasonal_rmse: f64 = seasonal_line.split_whitespace().rev().nth(3).unwrap().parse().unwrap();
    assert!(
        lstm_rmse < seasonal_rmse,
        "LSTM {lstm_rmse} vs seasonal naive {seasonal_rmse}"
    );
    let events = std::fs::read_to_string(dir.path().join("Output/nyc_taxi/Detection/events.csv")).unwrap();
    assert!(events.starts_with("start,end,peak,actual,forecast,sigmas,severity,flagged\n"));
    assert!(
        events.contains(",심각,"),
        "the New Year and blizzard peaks are severe: {events}"
    );

    let output = flow(
        dir.path(),
        &[
            "detect",
            "--input",
            taxi.to_str().unwrap(),
            "--labels",
            taxi.to_str().unwrap(),
            "--epochs",
            "1",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("nyc_taxi.csv: not JSON"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn presets_and_flags_reach_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.csv");
    assert!(flow(
        dir.path(),
        &["demo-data", "--rows", "20160", "--out", demo.to_str().unwrap()]
    )
    .status
    .success());
    let demo = demo.to_str().unwrap();
    let meta = |dir: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join("Output/jangmyeong/Learning_lstm/model.json")).unwrap())
            .unwrap()
    };
    let output = flow(
        dir.path(),
        &[
            "train",
            "--input",
            demo,
            "--interval",
            "hourly",
            "--preset",
            "original",
            "--epochs",
            "2",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let m = meta(dir.path());
    assert_eq!(
        (m["optimizer"].as_str(), m["target"].as_str(), m["window"].as_u64()),
        (Some("sgd"), Some("level"), Some(7))
    );
    assert_eq!(m["feature_names"], serde_json::json!(["flow"]));
    assert_eq!(m["validation_samples"], 0);
    let output = flow(
        dir.path(),
        &[
            "train",
            "--input",
            demo,
            "--interval",
            "hourly",
            "--epochs",
            "2",
            "--window",
            "12",
            "--target",
            "level",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let m = meta(dir.path());
    assert_eq!(
        (m["optimizer"].as_str(), m["target"].as_str(), m["window"].as_u64()),
        (Some("adam"), Some("level"), Some(12))
    );
    // Below daily, the calendar inputs include the hour of day.
    assert_eq!(m["feature_names"].as_array().unwrap().len(), 5);
    assert!(m["validation_samples"].as_u64().unwrap() > 0);
    let output = flow(dir.path(), &["train", "--input", demo, "--target", "slope"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("target `slope`: expected level or change"),
        "{}",
        stderr(&output)
    );
}
