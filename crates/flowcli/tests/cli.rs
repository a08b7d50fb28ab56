//! The `flow` binary as an engineer uses it: real files in, files and one-line errors out.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use std::path::{Path, PathBuf};

mod common;
use common::{demo_export, files_under, fixture, flow, stderr, stdout};

/// criteria.csv as the original writes it (pandas' `to_csv` of the `Values` column).
fn criteria_file(values: [&str; 6]) -> String {
    let names = ["raw_min", "raw_max", "normal_min", "normal_max", "U_level", "L_level"];
    let mut text = String::from(",Values\n");
    for (name, value) in names.iter().zip(values) {
        text.push_str(&format!("{name},{value}\n"));
    }
    text
}

#[test]
fn preprocess_matches_the_hand_computed_answer_for_both_input_forms() {
    // fixtures/README.md works these numbers out by hand.
    let expected_series = "time,value\n2020-01-01 00:00:00,122.5\n2020-01-02 00:00:00,210\n2020-01-03 00:00:00,300\n2020-01-04 00:00:00,905.3125\n";
    let expected_criteria = criteria_file(["122.5", "1000.0", "-242.1875", "905.3125", "914.78125", "-278.65625"]);
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
        assert!(
            text.contains("1 above U_level set to normal_max, 0 below L_level set to normal_min"),
            "{text}"
        );
        assert!(text.contains("U_level 914.78, L_level -278.66 (level 10 %)"), "{text}");
        assert_eq!(std::fs::read(&input).unwrap(), before, "the input is never modified");
    }
}

/// The original's level rule on hand-checked cases (fixtures/README.md, "The level rule"): one
/// clipped above, one below, one with `--max` only, one with nothing clipped, one with both bounds.
#[test]
fn the_level_rule_matches_hand_computed_cases() {
    let input = fixture("small_export_cp949.csv");
    let cases: [(&str, &[&str], &str, [&str; 6]); 5] = [
        (
            "jangmyeong",
            &[],
            "122.5,210,300,905.3125",
            ["122.5", "1000.0", "-242.1875", "905.3125", "914.78125", "-278.65625"],
        ),
        (
            "jangmyeong",
            &["--max", "250"],
            "122.5,210,300,250",
            ["122.5", "1000.0", "-242.1875", "250.0", "325.0", "-278.65625"],
        ),
        (
            "hoeryong",
            &["--min", "96"],
            "96,96.5,99,100,101",
            ["94.0", "101.0", "96.0", "105.25", "105.675", "95.8"],
        ),
        (
            "hoeryong",
            &[],
            "94,96.5,99,100,101",
            ["94.0", "101.0", "91.25", "105.25", "105.675", "90.975"],
        ),
        (
            "hoeryong",
            &["--min", "95", "--max", "99.5", "--level", "1"],
            "95,96.5,99,99.5,99.5",
            ["94.0", "101.0", "95.0", "99.5", "99.515", "94.99"],
        ),
    ];
    for (site, flags, values, criteria) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("custom");
        let mut args = vec![
            "preprocess",
            "--input",
            input.to_str().unwrap(),
            "--site",
            site,
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(flags);
        let output = flow(dir.path(), &args);
        assert!(output.status.success(), "{site} {flags:?}: {}", stderr(&output));
        let series = std::fs::read_to_string(out.join("preprocessed.csv")).unwrap();
        let got: Vec<&str> = series.lines().skip(1).filter_map(|l| l.split(',').nth(1)).collect();
        assert_eq!(got.join(","), values, "{site} {flags:?}");
        assert_eq!(
            std::fs::read_to_string(out.join("criteria.csv")).unwrap(),
            criteria_file(criteria),
            "{site} {flags:?}"
        );
    }
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
        (write("garbage.bin", &[0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0xFF]), vec![], "not a text file in UTF-8, cp949"),
        (write("latin.csv", &neither), vec![], "not a text file in UTF-8, cp949"),
        (write("flows.xlsx", b"PK\x03\x04\x14\x00\x06\x00"), vec![], "an Excel workbook (.xlsx) or another zip archive, not a CSV file: open it and save it as CSV"),
        (write("export.csv.gz", b"\x1F\x8B\x08\x00\x00"), vec![], "a gzip-compressed file, not a CSV file: decompress it first"),
        (write("notime.csv", b"when,value\nyesterday,1\ntoday,2\n"), vec![], "no time column"),
        (write("missing.csv", b"time,value\n2020-01-01 00:00,-\n2020-01-01 00:01,\n"), vec![], "has no numeric value in any of its 2 rows"),
        (write("badtime.csv", b"time,value\n2020-01-01 00:00,1\n2020-01-01 00:01,2\n2020-02-30 00:02,3\n"), vec![], "line 4: cannot read `2020-02-30 00:02` as a timestamp"),
        (write("short.csv", b"time,value\n2020-01-01 00:00,1\n2020-01-01 00:30,2\n"), vec![], "need at least 2 rows at interval daily, have 1"),
        (fixture("small_export_cp949.csv"), vec!["--site", "nowhere"], "unknown site `nowhere`; known sites: jangmyeong, hoeryong, naejang (the value columns of"),
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
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(error.contains(name), "the file is named: {error}");
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
    // Thirty days of minutes, trained hourly: 720 rows. 720 × 0.7 is 503.999… in floating point, so
    // the split is 503 / 217, exactly as the original's `int(len(data) * 0.7)`.
    let demo = demo_export(dir.path(), "demo.csv", 43_200, 2020);
    let demo = demo.as_str();
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
        prediction.starts_with("time,장명(배) 유입유량 순시,label\n2020-01-31 00:00:00,"),
        "{prediction}"
    );
    let abnormal = std::fs::read_to_string(dir.path().join("Output/jangmyeong/Prediction/abnormal.csv")).unwrap();
    assert!(
        abnormal.starts_with("time,predicted,actual,bound\n"),
        "always written: {abnormal}"
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

fn snapshot(folder: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = files_under(folder)
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    files.sort();
    files
}

/// `flow predict` on another file never rewrites the trained model's inputs; `--detect` and
/// `--forecast` each do their part alone; `flow train` without `--input` refuses flags it cannot
/// honour; `--lang ko` prints the original's lines word for word.
#[test]
fn predict_keeps_the_models_inputs_and_the_original_lines_in_korean() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_export(dir.path(), "demo.csv", 28_800, 2020);
    let other = demo_export(dir.path(), "other.csv", 14_400, 7);
    let (demo, other) = (demo.as_str(), other.as_str());
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
            "--lang",
            "ko",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    // The original's lines, in its order and words (numbers are flow's).
    let evaluation: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "Graph Analysis:")
        .take_while(|l| !l.starts_with("Outliers:"))
        .collect();
    let prefixes = [
        "Graph Analysis:",
        "X-axis: Time with 144 points",
        "Y-axis: Values ranging from ",
        "",
        "Prediction Statistics:",
        "Mean Actual Value: ",
        "Mean Predicted Value: ",
        "Variance of Actual Values: ",
        "Variance of Predicted Values: ",
        "RMSE: ",
        "",
        "Residuals Analysis:",
        "Mean Residual: ",
        "Variance of Residuals: ",
        "Min Residual: ",
        "Max Residual: ",
        "",
        "Number of Outliers: ",
    ];
    assert_eq!(evaluation.len(), prefixes.len(), "{text}");
    for (line, prefix) in evaluation.iter().zip(prefixes) {
        assert!(
            line.starts_with(prefix) && (prefix.is_empty() == line.is_empty()),
            "`{line}` vs `{prefix}`"
        );
    }
    assert!(text.contains("Train data Size: 336 rows"), "{text}");
    // The original's closing lines: time, CPU and current memory in GiB.
    let closing: Vec<&str> = text.lines().rev().take(3).collect();
    assert!(
        closing[0].starts_with("memory usage\t\t: ") && closing[0].ends_with(" GB"),
        "{closing:?}"
    );
    assert!(
        closing[1].starts_with("cpu usage\t\t: ") && closing[1].ends_with(" %"),
        "{closing:?}"
    );
    assert!(
        closing[2].starts_with(' ') && closing[2].ends_with(" sec"),
        "{closing:?}"
    );

    let site = dir.path().join("Output/jangmyeong");
    // preprocessed.csv, criteria.csv and not_measured.csv: each left as it is by `flow predict`.
    let trained_inputs = snapshot(&site.join("Data_preprocessing"));
    assert_eq!(trained_inputs.len(), 3);

    // Forecast only, in Korean, on another file.
    let output = flow(dir.path(), &["predict", "--input", other, "--forecast", "--lang", "ko"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let line = text.lines().find(|l| l.starts_with("시간: ")).unwrap_or_default();
    assert!(line.starts_with("시간: 2020-01-11 00:00:00 - 예측 값: "), "{text}");
    assert!(
        line.ends_with(", 레이블: Normal") || line.ends_with(", 레이블: Abnormal"),
        "{line}"
    );
    // The value as Python prints a float: digits, a point, more digits.
    let value = line.split("예측 값: ").nth(1).unwrap().split(',').next().unwrap();
    assert!(value.parse::<f64>().is_ok() && value.contains('.'), "{value}");
    assert!(site.join("Prediction/prediction.csv").is_file());
    assert!(
        !site.join("Prediction/abnormal.csv").exists(),
        "--forecast does not scan"
    );
    assert_eq!(
        snapshot(&site.join("Data_preprocessing")),
        trained_inputs,
        "predict rewrote the model's inputs"
    );

    // Scan only.
    std::fs::remove_dir_all(site.join("Prediction")).unwrap();
    let output = flow(dir.path(), &["predict", "--input", other, "--detect", "--lang", "ko"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(!text.contains("시간: "), "--detect does not forecast: {text}");
    assert!(!site.join("Prediction/prediction.csv").exists());
    let abnormal = std::fs::read_to_string(site.join("Prediction/abnormal.csv")).unwrap();
    let flagged = abnormal.lines().count() - 1;
    assert_eq!(text.contains("\n이상치가 없습니다.\n"), flagged == 0, "{text}");
    assert_eq!(snapshot(&site.join("Data_preprocessing")), trained_inputs);

    // Preprocessing flags without --input cannot be applied to the reused files: refused, nothing changed.
    let output = flow(dir.path(), &["train", "--interval", "daily", "--level", "5"]);
    assert_eq!(output.status.code(), Some(1));
    let error = stderr(&output);
    assert_eq!(error.lines().count(), 1, "{error}");
    assert!(
        error.contains("--interval, --level given, but ") && error.contains("preprocessed.csv is reused"),
        "{error}"
    );
    assert_eq!(snapshot(&site.join("Data_preprocessing")), trained_inputs);
}

/// `flow run --preset original` on a demo export: 700 epochs with the decay in model.json, and
/// abnormal.csv holds exactly the predictions at or beyond the levels of criteria.csv.
#[test]
fn the_original_preset_flags_exactly_what_its_rule_says() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_export(dir.path(), "demo.csv", 86_400, 2020);
    let output = flow(
        dir.path(),
        &["run", "--input", &demo, "--preset", "original", "--all-predictions"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("As the original scored it (the prediction for step t+7"),
        "{text}"
    );
    let site = dir.path().join("Output/jangmyeong");
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("Learning_lstm/model.json")).unwrap()).unwrap();
    assert_eq!(meta["epochs_run"], 700);
    assert_eq!(meta["decay"], 1e-7);
    assert_eq!(meta["optimizer"], "sgd");
    assert_eq!(meta["batch_size"], 32);

    let criteria = std::fs::read_to_string(site.join("Data_preprocessing/criteria.csv")).unwrap();
    let level = |name: &str| -> f64 {
        criteria
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name},")))
            .unwrap()
            .parse()
            .unwrap()
    };
    let (upper, lower) = (level("U_level"), level("L_level"));
    assert_eq!(meta["criteria"]["U_level"], upper);
    assert_eq!(meta["criteria"]["L_level"], lower);
    let scan = std::fs::read_to_string(site.join("Prediction/scan.csv")).unwrap();
    let mut expected = Vec::new();
    let mut predictions = 0;
    for line in scan.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let predicted: f64 = cells[2].parse().unwrap();
        predictions += 1;
        if predicted >= upper {
            expected.push(format!("{},at_or_above_U_level", cells[0]));
        } else if predicted <= lower {
            expected.push(format!("{},at_or_below_L_level", cells[0]));
        }
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["anomaly_scan"]["windows"], predictions);
    let abnormal = std::fs::read_to_string(site.join("Prediction/abnormal.csv")).unwrap();
    let flagged: Vec<String> = abnormal
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            format!("{},{}", cells[0], cells[3])
        })
        .collect();
    assert_eq!(flagged, expected);
    // The demo export always holds a dropout to 0: the rule must see something, and not everything.
    // (On 60 days the daily fences are narrow, so the original's rule also flags night-time minutes.)
    assert!(
        !flagged.is_empty() && flagged.len() < predictions,
        "{} of {predictions}",
        flagged.len()
    );
}

#[test]
fn run_writes_every_output_for_several_sites_from_one_read() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_export(dir.path(), "demo.csv", 30_240, 2020);
    let output = flow(
        dir.path(),
        &[
            "run",
            "--input",
            &demo,
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
    assert!(
        text.contains("a stage's CPU % and memory are the whole process's"),
        "{text}"
    );
    for site in ["jangmyeong", "hoeryong"] {
        let root = dir.path().join("Output").join(site);
        let text = std::fs::read_to_string(root.join("report.json")).unwrap();
        let report: serde_json::Value = serde_json::from_str(&text).unwrap();
        // report.json is a SiteReport: it reads back into the type and writes out the same.
        let typed: flowcli::SiteReport = serde_json::from_str(&text).unwrap();
        assert_eq!(typed.schema_version, flowcli::report::SCHEMA_VERSION);
        assert_eq!(serde_json::to_value(&typed).unwrap(), report);
        assert_eq!(report["site"], site);
        assert_eq!(report["split"]["train_rows"], 352);
        assert_eq!(report["split"]["test_rows"], 152);
        assert!(report["accuracy"]["rmse"].as_f64().unwrap() > 0.0);
        assert_eq!(
            report["anomaly_scan"]["windows"],
            30240 - 7 - report["ingest"]["rows_read"].as_u64().map_or(0, |r| 30240 - r)
        );
        // read is the job's; preprocess, alarms, train, evaluate, predict and night are the site's;
        // hoeryong is a pump in the demo export, and a pump's night minimum is no leak indicator.
        let pump = site == "hoeryong";
        assert_eq!(report["profile"].as_array().unwrap().len(), if pump { 5 } else { 6 });
        assert!(report["alarms"]["counts"]["outage"].as_object().is_some(), "{report}");
        let nights = if pump { serde_json::Value::Null } else { 21.into() };
        assert_eq!(report["night_flow"]["nights"], nights);
        assert_eq!(root.join("Night/mnf.csv").is_file(), !pump);
        assert!(root.join("Prediction/alarms.jsonl").is_file());
        let tiff = std::fs::read(root.join("Learning_lstm/lstm_performance_graph.tiff")).unwrap();
        assert_eq!(&tiff[..4], b"II*\0");
        assert!(root.join("Prediction/anomaly_scan.png").is_file());
    }
    // The sites ran side by side; alone, a site gives the same files, byte for byte (same seed).
    let alone = dir.path().join("Alone");
    let output = flow(
        dir.path(),
        &[
            "run",
            "--input",
            &demo,
            "--site",
            "hoeryong",
            "--interval",
            "hourly",
            "--epochs",
            "2",
            "--hidden",
            "8",
            "--output-dir",
            alone.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    for file in [
        "Learning_lstm/model.safetensors",
        "Learning_lstm/test_predictions.csv",
        "Prediction/abnormal.csv",
        "Prediction/prediction.csv",
    ] {
        let together = std::fs::read(dir.path().join("Output/hoeryong").join(file)).unwrap();
        assert_eq!(
            std::fs::read(alone.join("hoeryong").join(file)).unwrap(),
            together,
            "{file}"
        );
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
    // A cache cut short (an interrupted copy, a full disk) is noticed and written again.
    let cache = dir.path().join("cache/demo/jeongeup-demo-v2-rows527041-seed2020.csv");
    let whole = std::fs::read(&cache).unwrap();
    std::fs::write(&cache, &whole[..5 << 20]).unwrap();
    let output = flow(dir.path(), &["preprocess", "--site", "hoeryong"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("is incomplete (cut short?): generating it again"),
        "{}",
        stdout(&output)
    );
    assert_eq!(std::fs::read(&cache).unwrap(), whole);
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
    // detection.json is the typed report, whole.
    let report: flowcli::detect::DetectionReport = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("Output/nyc_taxi/Detection/detection.json")).unwrap(),
    )
    .unwrap();
    let scoring = report.scoring.clone().unwrap();
    // Issue 11's target: every window, precision at least 0.6 (docs/ALARMS.md).
    assert_eq!(scoring.windows, 5);
    assert_eq!(scoring.detected, 5, "{scoring:?}");
    assert!(scoring.precision >= 0.6, "{scoring:?}");
    assert_eq!(scoring.events, report.events.len());
    assert_eq!(report.column, "value");
    // At hourly interval the forecast must beat "same time yesterday".
    let evaluation =
        std::fs::read_to_string(dir.path().join("Output/nyc_taxi/Learning_lstm/test_predictions.csv")).unwrap();
    let rows: Vec<Vec<f64>> = evaluation
        .lines()
        .skip(1)
        .map(|l| l.split(',').skip(1).take(3).map(|v| v.parse().unwrap()).collect())
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
    // Hourly, Holt–Winters smooths the day's and the week's patterns (a taxi Sunday is not a
    // Monday) and errs far less than the same hour yesterday.
    let smoothing_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("Holt-Winters (seasons 24 and 168)"))
        .unwrap_or_else(|| panic!("{text}"));
    let smoothing_rmse: f64 = smoothing_line.split_whitespace().rev().nth(3).unwrap().parse().unwrap();
    assert!(
        smoothing_rmse < 0.5 * seasonal_rmse,
        "Holt-Winters {smoothing_rmse} vs seasonal naive {seasonal_rmse}"
    );
    let events = std::fs::read_to_string(dir.path().join("Output/nyc_taxi/Detection/events.csv")).unwrap();
    assert!(events.starts_with("site,kind,stage,start,end,peak_time,peak_value,expected\n"));
    // The blizzard: New York's travel ban from 23:00 on the 26th; its morning is 심각.
    assert!(
        events.contains(",flow,severe,2015-01-27 08:30"),
        "the blizzard is severe: {events}"
    );

    // A real export with logger outages (BWDF, fixtures/bwdf): an outage has no reading to show;
    // its line says how long nothing came, not `peak NaN`.
    let bwdf = fixture("bwdf/inflows_raw_dayfirst_2021-08_2021-11.csv");
    let output = flow(
        dir.path(),
        &[
            "detect",
            "--input",
            bwdf.to_str().unwrap(),
            "--column",
            "DMA 4 (L/s)",
            "--epochs",
            "1",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let outages: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  2021-") && l.contains(" outage "))
        .collect();
    assert!(outages.len() > 5, "{text}");
    assert!(outages.iter().all(|l| l.contains(" no readings for ")), "{outages:#?}");
    // 05:00 on the 14th to 03:00 on the 16th missing: 47 hourly readings (checked by hand).
    assert!(
        text.contains("2021-08-14 05:00:00 … 2021-08-16 03:00:00  outage   심각 (severe)     no readings for 1 d 23 h"),
        "{text}"
    );
    // Each line's duration is its times' span plus the hour of its last missing reading.
    for line in &outages {
        let times: Vec<&str> = line.split(" … ").collect();
        let start = flowcore::time::parse_timestamp(times[0].trim()).unwrap();
        let end = flowcore::time::parse_timestamp(&times[1][..19]).unwrap();
        let lasted = flowcore::time::format_duration(end - start + 3600);
        assert!(line.ends_with(&format!("no readings for {lasted}")), "{line}");
    }
    assert!(!text.contains("NaN"), "{text}");
    // One column of an export of ten: named by its column, not the file every column shares.
    assert!(dir.path().join("Output/dma-4/Detection/events.csv").is_file());

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
    // Labels are read before the series: a bad labels file costs no training.
    assert!(!stdout(&output).contains("== Training"), "{}", stdout(&output));
}

/// NAB's taxi series as a utility's historian hands it over, a file a month in a folder: `flow
/// detect` reads the folder (or the files) as one series, names it after the folder, finds the same
/// events as in the whole file, and scores them with labels keyed by the folder's name.
#[test]
fn detect_reads_a_series_exported_month_by_month() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read_to_string(fixture("nab/nyc_taxi.csv")).unwrap();
    let (header, rows) = whole.split_once('\n').unwrap();
    let folder = dir.path().join("taxi");
    std::fs::create_dir(&folder).unwrap();
    let mut months: Vec<(String, String)> = Vec::new();
    for row in rows.lines() {
        match months.last_mut() {
            Some((month, text)) if row.starts_with(month.as_str()) => text.push_str(&format!("{row}\n")),
            _ => months.push((row[..7].to_string(), format!("{header}\n{row}\n"))),
        }
    }
    assert_eq!(months.len(), 7);
    for (month, text) in &months {
        std::fs::write(folder.join(format!("{month}.csv")), text).unwrap();
    }
    let all_windows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("nab/anomaly_windows.json")).unwrap()).unwrap();
    let labels = dir.path().join("labels.json");
    std::fs::write(
        &labels,
        serde_json::json!({ "taxi": all_windows["nyc_taxi.csv"] }).to_string(),
    )
    .unwrap();
    let quick = ["--epochs", "1", "--hidden", "8"];
    let run = |input: &[&str], labels: Option<&Path>| {
        let mut args = vec!["detect", "--input"];
        args.extend_from_slice(input);
        if let Some(labels) = labels {
            args.extend_from_slice(&["--labels", labels.to_str().unwrap()]);
        }
        args.extend_from_slice(&quick);
        let output = flow(dir.path(), &args);
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    let taxi = fixture("nab/nyc_taxi.csv");
    run(&[taxi.to_str().unwrap()], None);
    let text = run(&["taxi"], Some(&labels));
    assert!(
        text.contains("Read 7 files, taxi/2014-07.csv … taxi/2015-01.csv"),
        "{text}"
    );
    assert!(text.contains("recall 5/5 windows"), "{text}");
    let events = |name: &str| {
        std::fs::read_to_string(dir.path().join("Output").join(name).join("Detection/events.csv")).unwrap()
    };
    let by_month = events("taxi");
    assert!(by_month.lines().count() > 10, "{by_month}");
    // The site column aside (the series' name), the same events.
    let without_site = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split_once(',').map_or(l, |(_, rest)| rest).to_string())
            .collect()
    };
    assert_eq!(without_site(&by_month), without_site(&events("nyc_taxi")));
    // The files named one by one read the same.
    let files: Vec<String> = months.iter().map(|(month, _)| format!("taxi/{month}.csv")).collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    run(&files, None);
    assert_eq!(events("taxi"), by_month);
}

#[test]
fn presets_and_flags_reach_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_export(dir.path(), "demo.csv", 20_160, 2020);
    let demo = demo.as_str();
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
    // The original's Keras decay and levels travel with the model.
    assert_eq!(m["decay"], 1e-7);
    assert!(m["criteria"]["U_level"].as_f64().unwrap() > m["criteria"]["normal_max"].as_f64().unwrap());
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

#[test]
fn a_reader_that_stops_early_does_not_make_flow_panic() {
    // `flow sites | head -1`: the pipe closes under flow; it must finish quietly, not panic.
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_flow"))
        .args(["sites"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(!error.contains("panicked"), "{error}");
    assert!(output.status.success(), "{error}");
}

/// On three months of two real areas: when a baseline beats the LSTM on the test part, the run
/// gives that baseline's forecast of the same step beside the LSTM's (terminal and report.json),
/// computed by the rule it was scored by from the preprocessed series, and nothing more when the
/// LSTM wins (it lost on at least one: dma6's daily means, to the moving average). And when the
/// original's level rule flags more than 1 % of the hours (its levels are the daily means'), a
/// note says why and points to the alarms. Outages the areas share though they do not begin at
/// the same hour, while dma3 keeps reading, are said as the logger's.
#[test]
fn on_real_areas_the_run_says_which_forecast_and_which_flags_to_read() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("bwdf/inflows_2021-01_2021-03.csv");
    let output = flow(
        dir.path(),
        &[
            "run",
            "--input",
            input.to_str().unwrap(),
            "--sites",
            "dma1,dma3,dma6",
            "--no-night",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    // dma6 blank from before 2021-01-16 14:00 to after 2021-01-18 15:00, dma1 blank from 14:00
    // to 15:00 (checked in the file); dma3 reads throughout.
    assert!(
        text.contains("2021-01-16 14:00:00 .. 2021-01-18 15:00:00  2 of 3 silent (dma3 kept reading)"),
        "{text}"
    );
    let mut lost = 0;
    for site in ["dma1", "dma3", "dma6"] {
        let folder = dir.path().join("Output").join(site);
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(folder.join("report.json")).unwrap()).unwrap();
        let scan = &report["anomaly_scan"];
        let share = scan["anomalies"].as_f64().unwrap() / scan["windows"].as_f64().unwrap();
        let note = format!(
            "note             {:.0} % of the windows: U_level and L_level are those of the daily means (criteria.csv), which readings at hourly cross with each day's cycle; for what needs attention read the alarms",
            share * 100.0
        );
        assert_eq!(text.contains(&note), share > 0.01, "{share} {note}\n{text}");
        let said = report["baseline_forecast"].clone();
        // Scored where the meter measured, where some test days were not (dma6's outages).
        let deciding = match &report["where_measured"] {
            serde_json::Value::Null => &report["baselines"],
            measured => &measured["baselines"],
        };
        if deciding["model_wins"].as_bool().unwrap() {
            assert!(said.is_null(), "{said}");
            continue;
        }
        lost += 1;
        let scores = deciding["baselines"].as_array().unwrap();
        let best = scores
            .iter()
            .min_by(|a, b| a["rmse"].as_f64().unwrap().total_cmp(&b["rmse"].as_f64().unwrap()))
            .unwrap();
        assert_eq!(said["name"], best["name"]);
        // The rule, from the daily means the model was trained on.
        let csv = std::fs::read_to_string(folder.join("Data_preprocessing/preprocessed.csv")).unwrap();
        let rows: Vec<(&str, f64)> = csv
            .lines()
            .skip(1)
            .map(|l| {
                let (time, value) = l.split_once(',').unwrap();
                (time, value.split(',').next().unwrap().parse().unwrap())
            })
            .collect();
        let values: Vec<f64> = rows.iter().map(|r| r.1).collect();
        // Holt–Winters learns nothing from the days report.json lists as no measure of the flow.
        let periods: Vec<(String, String)> = report["not_measured"]
            .as_array()
            .map(|p| {
                p.iter()
                    .map(|d| (d[0].as_str().unwrap().to_string(), d[1].as_str().unwrap().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let measured_only: Vec<f64> = rows
            .iter()
            .map(|&(time, value)| {
                let left_out = periods
                    .iter()
                    .any(|(first, last)| first.as_str() <= time && time <= last.as_str());
                if left_out {
                    f64::NAN
                } else {
                    value
                }
            })
            .collect();
        let window = report["model"]["window"].as_u64().unwrap() as usize;
        let name = best["name"].as_str().unwrap();
        let expected = if name.starts_with("persistence") {
            values[values.len() - 1]
        } else if name.starts_with("seasonal naive") {
            values[values.len() - 7]
        } else if name.starts_with("Holt-Winters") {
            // Its weights fitted on the whole series (hand-checked in flowreport's own tests).
            flowreport::holt_winters::ahead(&measured_only, 7, 1).unwrap()[0]
        } else {
            values[values.len() - window..].iter().sum::<f64>() / window as f64
        };
        let forecast = &said["forecast"][0];
        assert!(
            (forecast["predicted"].as_f64().unwrap() - expected).abs() < 1e-6,
            "{said} {expected}"
        );
        assert_eq!(forecast["time"], report["forecast"][0]["time"]);
        let line = format!(
            "baseline         {name} forecasts {expected:.1} for {}: it beat the LSTM on the test part",
            forecast["time"].as_str().unwrap()
        );
        assert!(text.contains(&line), "{line}\n{text}");
    }
    assert!(lost >= 1, "{text}");
    // The three areas' hours cross their daily levels every day: the three notes are there.
    assert_eq!(
        text.matches(" % of the windows: U_level and L_level").count(),
        3,
        "{text}"
    );
    // The logger's outages near the end of March: each area's forecast reads a day they emptied,
    // and says so, with the days in report.json (within the week its forecasts read).
    for site in ["dma1", "dma3", "dma6"] {
        let report: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("Output").join(site).join("report.json")).unwrap(),
        )
        .unwrap();
        let days: Vec<&str> = report["forecast_reads_not_measured"]
            .as_array()
            .unwrap_or_else(|| panic!("{site}: {report}"))
            .iter()
            .map(|d| d.as_str().unwrap())
            .collect();
        assert!(
            days.iter().all(|d| ("2021-03-24".."2021-04-01").contains(d)),
            "{days:?}"
        );
        let listed = days.join(", ");
        assert!(
            text.contains(&format!("no measure of the flow ({listed}: ")),
            "{listed}\n{text}"
        );
    }
}

/// The alarms of `flow detect` do not need its model: a frozen transmitter (its test set one
/// value, so no accuracy ratio) and a file of a few hours (too short to train on) still get their
/// alarms, the model's reason said in two lines. Both stopped `flow detect` with no alarm before.
/// `flow run`, whose job is the model, refuses the short file naming the site and what it needs.
#[test]
fn detect_runs_its_alarms_where_no_model_can_be_trained() {
    let dir = tempfile::tempdir().unwrap();
    let hours = |count: i64, value: &dyn Fn(i64) -> f64| {
        let mut text = String::from("time,flow\n");
        for hour in 0..count {
            let time = flowcore::time::format_timestamp(1_609_459_200 + 3600 * hour); // 2021-01-01
            text.push_str(&format!("{},{}\n", &time[..16], value(hour)));
        }
        text
    };
    let frozen = common::write(dir.path(), "frozen.csv", hours(30 * 24, &|_| 12.5).as_bytes());
    let swing = |hour: i64| 10.0 + (hour % 24) as f64 / 4.0;
    let short = common::write(dir.path(), "short.csv", hours(10, &swing).as_bytes());
    for (path, reason, event) in [
        (
            &frozen,
            "frozen (flow): the actual values are constant (12.5) over the test set",
            ",stuck,severe,2021-01-01 00:00:00,",
        ),
        (
            &short,
            "short (flow): 10 rows at interval hourly after preprocessing are too few to train",
            "",
        ),
    ] {
        let output = flow(
            dir.path(),
            &["detect", "--input", path.to_str().unwrap(), "--epochs", "1"],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        let text = stdout(&output);
        assert!(
            text.contains(&format!("model            not trained or not evaluated: {reason}")),
            "{text}"
        );
        assert!(text.contains("the alarm rules below do not need it"), "{text}");
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let events =
            std::fs::read_to_string(dir.path().join("Output").join(stem).join("Detection/events.csv")).unwrap();
        assert!(events.contains(event), "{events}");
    }
    let daily = common::write(
        dir.path(),
        "three_days.csv",
        b"time,flow\n2021-01-01,5\n2021-01-02,7\n2021-01-03,6\n",
    );
    let output = flow(
        dir.path(),
        &["run", "--input", daily.to_str().unwrap(), "--column", "flow"],
    );
    common::assert_refused(
        &output,
        "flow (flow): 3 rows at interval daily after preprocessing are too few to train and test the LSTM: need at least 12",
    );
}

/// `flow predict` on a later day, without `flow run`: the model's evaluation is kept beside it
/// (`Learning_lstm/evaluation.json`, with the SHA-256 of the weights measured), so a baseline
/// that beat the LSTM is still named and its forecast given. An evaluation of other weights, or
/// none, is said and not used. (BWDF dma6's daily means, where the moving average wins.)
#[test]
fn predict_keeps_the_verdict_of_the_models_evaluation() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("bwdf/inflows_2021-01_2021-03.csv");
    let input = input.to_str().unwrap();
    let output = flow(dir.path(), &["run", "--input", input, "--site", "dma6", "--no-night"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let run = stdout(&output);
    let baseline_line = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("baseline         "))
            .map(str::to_string)
    };
    let said = baseline_line(&run).expect("the moving average beats the LSTM on dma6");
    let verdict = run.lines().find(|l| l.starts_with("Verdict: ")).unwrap();
    let predict = || flow(dir.path(), &["predict", "--input", input, "--site", "dma6"]);
    let output = predict();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(&format!(
            "evaluation       on its test part, {}",
            verdict.trim_start_matches("Verdict: ")
        )),
        "{text}"
    );
    assert_eq!(baseline_line(&text), Some(said));
    // Weights replaced after the evaluation: the saved verdict is not theirs.
    let saved = dir.path().join("Output/dma6/Learning_lstm/evaluation.json");
    let json = std::fs::read_to_string(&saved).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["weights_sha256"] = serde_json::json!("0".repeat(64));
    std::fs::write(&saved, value.to_string()).unwrap();
    let text = stdout(&predict());
    assert!(
        text.contains(
            "evaluation.json was measured on other weights: whether a baseline forecasts better is not known"
        ),
        "{text}"
    );
    assert_eq!(baseline_line(&text), None);
    std::fs::remove_file(&saved).unwrap();
    let text = stdout(&predict());
    assert!(
        text.contains("evaluation.json beside the model: whether a baseline"),
        "{text}"
    );
}

/// The original's three commands judge the model as `flow run` does: `flow preprocess` finds the
/// faults and writes which days they leave no measure of the flow (`not_measured.csv`), `flow
/// train` on its files scores the model and the baselines without them, and `flow predict` gives
/// the forecast that comparison chose. Before, `flow train` scored every day, a stuck week's
/// included, and chose persistence where `flow run` chose Holt–Winters. Eighty days of the demo
/// export: a dropout on 01-25, a stuck transmitter from 02-28 to 03-03, in the test part.
#[test]
fn the_three_commands_judge_the_model_as_run_does() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo_export(dir.path(), "demo.csv", 80 * 1440, 2020);
    let quick = ["--epochs", "20", "--hidden", "8"];
    let run = |args: &[&str]| {
        let output = flow(dir.path(), args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        stdout(&output)
    };
    let said = |text: &str, start: &str| text.lines().find(|l| l.starts_with(start)).map(str::to_string);
    let whole = run(&[
        &["run", "--input", &demo, "--no-night", "--output-dir", "Run"][..],
        &quick,
    ]
    .concat());
    run(&["preprocess", "--input", &demo, "--output-dir", "Three"]);
    let trained = run(&[&["train", "--output-dir", "Three"][..], &quick].concat());
    let predicted = run(&["predict", "--input", &demo, "--output-dir", "Three"]);
    let site =
        |root: &str, file: &str| std::fs::read_to_string(dir.path().join(root).join("jangmyeong").join(file)).unwrap();
    let not_measured = site("Three", "Data_preprocessing/not_measured.csv");
    assert!(
        not_measured.starts_with("time,reason\n2020-01-25 00:00:00,dropout\n2020-02-28 00:00:00,stuck\n"),
        "{not_measured}"
    );
    assert_eq!(not_measured, site("Run", "Data_preprocessing/not_measured.csv"));
    assert!(
        trained
            .contains("not measured     6 of 80 steps, as Three/jangmyeong/Data_preprocessing/not_measured.csv says"),
        "{trained}"
    );
    let deciding = said(&whole, "  Verdict without them: ").expect("the stuck week is in the test part");
    assert!(deciding.contains("Holt-Winters (season 7)"), "{deciding}");
    assert_eq!(said(&trained, "  Verdict without them: "), Some(deciding));
    assert_eq!(
        site("Three", "Learning_lstm/evaluation.json"),
        site("Run", "Learning_lstm/evaluation.json")
    );
    let given = said(&whole, "baseline         ").expect("Holt-Winters beat the LSTM where measured");
    assert!(
        given.starts_with("baseline         Holt-Winters (season 7) forecasts "),
        "{given}"
    );
    assert_eq!(said(&predicted, "baseline         "), Some(given));
    assert_eq!(said(&predicted, "time: "), said(&whole, "time: "));
    // A list edited by hand, or another folder's: refused with its line, before any training.
    let list = dir.path().join("Three/jangmyeong/Data_preprocessing/not_measured.csv");
    std::fs::write(&list, "time,reason\n2020-02-28 12:00:00,stuck\n").unwrap();
    let output = flow(dir.path(), &["train", "--output-dir", "Three"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .contains("not_measured.csv: line 2: `2020-02-28 12:00:00` is not a step of the preprocessed series"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        site("Three", "Learning_lstm/evaluation.json"),
        site("Run", "Learning_lstm/evaluation.json")
    );
    // The original's job knew no faults: a run of its preset leaves no list for a later `flow
    // train`, which then scores every day and says why.
    run(&[
        "run",
        "--input",
        &demo,
        "--no-night",
        "--output-dir",
        "Three",
        "--preset",
        "original",
        "--epochs",
        "2",
    ]);
    assert!(!dir
        .path()
        .join("Three/jangmyeong/Data_preprocessing/not_measured.csv")
        .exists());
    let trained = run(&[&["train", "--output-dir", "Three"][..], &quick].concat());
    assert!(
        trained.contains("not measured     unknown: no Three/jangmyeong/Data_preprocessing/not_measured.csv beside the preprocessed files"),
        "{trained}"
    );
    assert!(!trained.contains("Verdict without them"), "{trained}");
}
