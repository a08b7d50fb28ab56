//! The alarms of `flow run` on the demo export: every injected fault found, pumps quiet, a dead
//! column named once; and the alarm log kept apart from the night-flow rows.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use std::fmt::Write as _;

mod common;

use common::{assert_refused, fixture, flow, flow_succeeds, stderr, stdout, write, QUICK_MODEL};

#[test]
fn run_finds_every_injected_fault_and_leaves_pumps_and_dead_columns_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let (demo, labels) = (dir.path().join("demo.csv"), dir.path().join("labels.json"));
    let rows = (42 * 1440).to_string();
    let output = flow(
        dir.path(),
        &[
            "demo-data",
            "--rows",
            &rows,
            "--out",
            demo.to_str().unwrap(),
            "--labels",
            labels.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let run = [
        "run",
        "--input",
        demo.to_str().unwrap(),
        "--sites",
        "jangmyeong,hoeryong,naejang",
    ];
    let output = flow(dir.path(), &[&run[..], &QUICK_MODEL].concat());
    // naejang reads 0 all year: its site stops after its alarms, with one line; the others finish.
    assert_refused(&output, "1 of 3 sites failed (naejang)");
    let text = stdout(&output);
    let labels: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&labels).unwrap()).unwrap();
    assert!(text.contains("== Alarms: jangmyeong =="), "{text}");
    // The demo's whole-row outages show in all three columns at once: said once, for the export,
    // each with the three silent.
    let outages = labels["hoeryong"].as_array().unwrap().len();
    assert!(outages >= 1);
    assert!(
        text.contains(&format!(
            "== Outages shared by most columns: {outages} (more than half of the 3 silent at once: the logger"
        )),
        "{text}"
    );
    let shared: Vec<&str> = text.lines().filter(|l| l.ends_with("  3 of 3 silent")).collect();
    assert_eq!(shared.len(), outages.min(5), "{text}");
    let main_labels = labels["jangmyeong"].as_array().unwrap();
    assert!(main_labels.iter().any(|l| l["kind"] == "stuck") && main_labels.iter().any(|l| l["kind"] == "spike"));
    let alarms = std::fs::read_to_string(dir.path().join("Output/jangmyeong/Prediction/alarms.csv")).unwrap();
    let rows: Vec<Vec<&str>> = alarms.lines().skip(1).map(|l| l.split(',').collect()).collect();
    // Every label has an alarm of its kind over it (times compare as text in this layout).
    for label in main_labels {
        let (kind, start, end) = (
            label["kind"].as_str().unwrap(),
            label["start"].as_str().unwrap(),
            label["end"].as_str().unwrap(),
        );
        assert!(
            rows.iter().any(|r| r[1] == kind && r[3] <= end && r[4] >= start),
            "missed {label}: {alarms}"
        );
    }
    // Under the alarms, what to check first: a line for each kind the site's log holds, no other.
    let block: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "== Alarms: jangmyeong ==")
        .take_while(|l| !l.starts_with("[alarms]"))
        .collect();
    let jsonl = std::fs::read_to_string(dir.path().join("Output/jangmyeong/Prediction/alarms.jsonl")).unwrap();
    for kind in ["outage", "stuck", "dropout", "spike", "flow"] {
        let present = rows.iter().any(|r| r[1] == kind);
        let said: Vec<&&str> = block
            .iter()
            .filter(|l| {
                l.get(17..)
                    .is_some_and(|rest| rest.starts_with(&format!("{kind}: check ")))
            })
            .collect();
        assert_eq!(said.len(), usize::from(present), "{kind}: {block:#?}");
        // Each record of the log carries the same response as its line.
        if let Some(line) = said.first() {
            let response = &line[17 + kind.len() + 2..];
            for record in jsonl.lines().filter(|l| l.contains(&format!(r#""kind":"{kind}""#))) {
                let record: serde_json::Value = serde_json::from_str(record).unwrap();
                assert_eq!(record["response"], response, "{record}");
            }
        }
    }
    assert!(block.iter().any(|l| l.starts_with("respond          ")), "{block:#?}");
    // The closing table, a line a site: jangmyeong's own alarms and severe ones as its log counts
    // them, its outages that were the whole row's (the labelled outages of the pump column, which
    // has no other faults) counted apart, no leak alarm on (the plain demo export has no leak);
    // naejang failed, said so.
    let line = |site: &str| -> Vec<String> {
        let table = text.lines().skip_while(|l| !l.starts_with("== Sites: 3 "));
        let found = table.skip(2).find(|l| l.starts_with(&format!("{site} ")));
        found
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    let whole_row = labels["hoeryong"].as_array().unwrap();
    let in_whole_row = |r: &Vec<&str>| {
        r[1] == "outage"
            && whole_row
                .iter()
                .any(|l| r[3] <= l["end"].as_str().unwrap() && r[4] >= l["start"].as_str().unwrap())
    };
    let (shared, own): (Vec<&Vec<&str>>, Vec<&Vec<&str>>) = rows
        .iter()
        .filter(|r| r[1] != "night_flow")
        .partition(|r| in_whole_row(r));
    assert_eq!(shared.len(), outages, "{alarms}");
    let severe = own.iter().filter(|r| r[2] == "severe").count();
    let main = line("jangmyeong");
    assert_eq!(
        main[1..5],
        [
            own.len().to_string(),
            severe.to_string(),
            shared.len().to_string(),
            "none".into()
        ],
        "{text}"
    );
    assert!(text.contains("(alarms, severe: the site's own; +shared: its outages within the shared ones above"));
    // The site's own list is its own faults (the stuck week first), the logger's outages a line
    // under it, found before the sites ran, and counted in its report.
    let listed: Vec<&&str> = block.iter().filter(|l| l.contains(" .. ")).collect();
    assert!(
        listed[0].contains("stuck    ") && !listed.iter().any(|l| l.contains(" outage ")),
        "{block:#?}"
    );
    assert!(
        block.iter().any(|l| l.starts_with(&format!(
            "                 + {} outage(s) (0 severe) within those most columns shared: the logger's",
            shared.len()
        ))),
        "{block:#?}"
    );
    assert_eq!(line("naejang")[1..], ["failed", "(below)"], "{text}");
    // At most 2 alarms that are no injected fault (night-flow rows aside: none on a plain export).
    let false_alarms = rows
        .iter()
        .filter(|r| {
            !main_labels
                .iter()
                .any(|l| r[3] <= l["end"].as_str().unwrap() && r[4] >= l["start"].as_str().unwrap())
        })
        .count();
    assert!(false_alarms <= 2, "{alarms}");
    // The pump: off most of the time, under 1 % of its minutes in an alarm (the outages).
    let report = |site: &str| -> serde_json::Value {
        serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("Output").join(site).join("report.json")).unwrap(),
        )
        .unwrap()
    };
    let pump = report("hoeryong");
    assert!(pump["alarms"]["regime"]["on_off"].is_object(), "{}", pump["alarms"]);
    assert!(
        pump["alarms"]["share_in_alarm"].as_f64().unwrap() < 0.01,
        "{}",
        pump["alarms"]
    );
    // A column that reads 0 all year: one line saying so in its report and its alarm log.
    let dead = report("naejang");
    assert_eq!(dead["status"], "failed");
    let error = dead["error"].as_str().unwrap();
    assert!(
        error.contains("stuck for the whole period: every reading is 0.0, a constant"),
        "{error}"
    );
    assert!(text.contains("note             stuck for the whole period"), "{text}");
    let log = std::fs::read_to_string(dir.path().join("Output/naejang/Prediction/alarms.csv")).unwrap();
    assert_eq!(log.lines().filter(|l| l.contains(",stuck,severe,")).count(), 1, "{log}");
    assert_eq!(report("jangmyeong")["status"], "ok");
    assert_eq!(
        report("jangmyeong")["alarms"]["in_shared_outages"],
        serde_json::json!({"alarms": outages, "severe": 0})
    );
    // The stuck run falls in the test part: the hours it holds, and the 24 after it whose
    // forecasts read it, are scored apart, and the model and the baselines are scored without them.
    let main = report("jangmyeong");
    let apart = &main["where_measured"];
    let lookback = apart["lookback"].as_u64().unwrap() as usize;
    assert_eq!(lookback, 24, "{apart}");
    let predictions =
        std::fs::read_to_string(dir.path().join("Output/jangmyeong/Learning_lstm/test_predictions.csv")).unwrap();
    let mut lines = predictions.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header,
        [
            "time",
            "actual",
            "predicted",
            "residual",
            "persistence",
            "seasonal_naive",
            "moving_average",
            "holt_winters",
            "measured"
        ]
    );
    let tested: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(tested.len(), main["split"]["test_rows"].as_u64().unwrap() as usize);
    let periods: Vec<(String, String)> = apart["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_str().unwrap().to_string()))
        .collect();
    let left_out = |time: &str| {
        periods
            .iter()
            .any(|(first, last)| first.as_str() <= &time[..16] && &time[..16] <= last.as_str())
    };
    let stuck = rows.iter().find(|r| r[1] == "stuck").unwrap();
    let hour = |time: &str| time[..13].to_string();
    let in_stuck: Vec<usize> = (0..tested.len())
        .filter(|&j| hour(stuck[3]) <= hour(tested[j][0]) && hour(tested[j][0]) <= hour(stuck[4]))
        .collect();
    assert!(in_stuck.len() > 24, "the stuck run is not in the test part: {stuck:?}");
    let after = in_stuck[in_stuck.len() - 1] + lookback;
    assert!((in_stuck[0]..=after).all(|j| left_out(tested[j][0])), "{apart}");
    assert!(!left_out(tested[after + 1][0]), "{apart}");
    let kept: Vec<f64> = tested
        .iter()
        .filter(|r| !left_out(r[0]))
        .map(|r| r[3].parse::<f64>().unwrap())
        .collect();
    assert_eq!(apart["left_out"].as_u64().unwrap() as usize, tested.len() - kept.len());
    // The file's own column says which points were counted, and each baseline's column scores as
    // the report says where measured (forecasts rounded to 3 decimals there).
    for row in &tested {
        assert_eq!(row[8], if left_out(row[0]) { "no" } else { "yes" }, "{row:?}");
    }
    for (k, baseline) in apart["baselines"]["baselines"].as_array().unwrap().iter().enumerate() {
        let squared: Vec<f64> = tested
            .iter()
            .filter(|r| r[8] == "yes")
            .map(|r| (r[1].parse::<f64>().unwrap() - r[4 + k].parse::<f64>().unwrap()).powi(2))
            .collect();
        let rmse = (squared.iter().sum::<f64>() / squared.len() as f64).sqrt();
        let reported = baseline["rmse"].as_f64().unwrap();
        assert!((rmse - reported).abs() < 1e-3, "{baseline}: {rmse}");
    }
    let rmse = (kept.iter().map(|r| r * r).sum::<f64>() / kept.len() as f64).sqrt();
    let reported = apart["accuracy"]["rmse"].as_f64().unwrap();
    // test_predictions.csv rounds the residuals to 3 decimals.
    assert!((rmse - reported).abs() < 1e-3, "{rmse} {reported}");
    assert!(
        text.contains(&format!(
            "Not measured: {} of the {} test points hold a stuck, dropout or outage reading",
            tested.len() - kept.len(),
            tested.len()
        )),
        "{text}"
    );
    let ratio = apart["baselines"]["rmse_ratio"].as_f64().unwrap();
    assert!(
        line("jangmyeong")
            .join(" ")
            .contains(&format!("{:.0} %", ratio * 100.0)),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("jangmyeong ") && l.ends_with(" where measured")),
        "{text}"
    );
}

#[test]
fn bad_alarm_settings_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    for (flags, message) in [
        (
            &["--watch", "0"][..],
            "--watch 0, --caution 5, --alert 6, --severe 8: the thresholds must be positive and rise",
        ),
        (&["--caution", "9"][..], "the thresholds must be positive and rise"),
        (
            &["--spike-sigmas", "-1"][..],
            "--spike-sigmas -1: must be a positive number",
        ),
        (&["--outage-minutes", "0"][..], "--outage-minutes 0"),
        (&["--merge-bins", "0"][..], "--merge-bins 0: each from 1 to 1000"),
        (&["--min-bins", "5000"][..], "--min-bins 5000"),
    ] {
        for command in ["run", "predict"] {
            let mut args = vec![command, "--input", "missing.csv"];
            args.extend_from_slice(flags);
            assert_refused(&flow(dir.path(), &args), message);
        }
    }
    assert!(!dir.path().join("Output").exists());
}

#[test]
fn no_alarms_keeps_the_original_rule_alone() {
    let dir = tempfile::tempdir().unwrap();
    let demo = common::demo_export(dir.path(), "demo.csv", 14 * 1440, 2020);
    let args = [&["run", "--input", &demo, "--no-night"][..], &QUICK_MODEL].concat();
    let output = flow(dir.path(), &[&args[..], &["--no-alarms"]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    let root = dir.path().join("Output/jangmyeong");
    assert!(!stdout(&output).contains("== Alarms"));
    assert!(!root.join("Prediction/alarms.csv").exists());
    assert!(root.join("Prediction/abnormal.csv").is_file());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("report.json")).unwrap()).unwrap();
    assert!(report.get("alarms").is_none());
    // The same run with the alarms: the log and the report's counts appear.
    let output = flow(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(root.join("Prediction/alarms.csv").is_file());
}

/// An export that ends one minute into a new hour (as the Jeongeup export ends on the midnight
/// after the year): the last hour is read in part, so the next hour's forecast runs from the hour
/// before it, forecasting it on the way instead of reading one minute as the hour's flow; `flow
/// run` and `flow predict` say so beside the forecast and in report.json, for the same step as
/// before. With the alarms off nothing is looked for: the forecast reads the last hour as it is.
#[test]
fn a_forecast_after_an_hour_read_in_part_runs_from_the_hour_before() {
    let dir = tempfile::tempdir().unwrap();
    let demo = common::demo_export(dir.path(), "demo.csv", 14 * 1440 + 1, 2020);
    let args = [&["run", "--input", &demo, "--no-night"][..], &QUICK_MODEL].concat();
    let output = flow(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let note = "note             the forecast runs from 2020-01-14 23:00:00, the last step measured: 2020-01-15 00:00:00 after it is no measure of the flow (a stuck, dropout or outage reading, or a quarter or more unread), so the LSTM forecast it on the way instead of reading it";
    assert!(stdout(&output).contains(note), "{}", stdout(&output));
    assert!(!stdout(&output).contains("the forecast reads"), "{}", stdout(&output));
    let root = dir.path().join("Output/jangmyeong");
    let report = || -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(root.join("report.json")).unwrap()).unwrap()
    };
    assert_eq!(
        report()["forecast_over_not_measured"],
        serde_json::json!(["2020-01-15 00:00:00"])
    );
    assert!(report().get("forecast_reads_not_measured").is_none());
    assert_eq!(report()["forecast"][0]["time"], "2020-01-15 01:00:00");
    let skipping = report()["forecast"][0]["predicted"].as_f64().unwrap();
    // `flow predict` on the same file with the model just trained judges it the same way.
    let output = flow(dir.path(), &["predict", "--input", &demo, "--forecast"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains(note), "{}", stdout(&output));
    let output = flow(dir.path(), &[&args[..], &["--no-alarms"]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stdout(&output).contains("the forecast runs from"));
    assert!(report().get("forecast_over_not_measured").is_none());
    assert_eq!(report()["forecast"][0]["time"], "2020-01-15 01:00:00");
    // Read as it is, the one minute of 00:00 gives another forecast of the same hour.
    assert_ne!(report()["forecast"][0]["predicted"].as_f64().unwrap(), skipping);
}

/// A real area's evening that departs from the week's habit (BWDF dma5, 2021-10-31, fixtures/bwdf):
/// a flow alarm, unless the utility lists the day as a holiday of its own; then the terminal says
/// so and only faults are judged that day. A holidays file with a line that is not a date is
/// refused before the export is read, with nothing written.
#[test]
fn a_listed_holiday_is_not_judged_against_the_week() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("bwdf/inflows_raw_dayfirst_2021-08_2021-11.csv");
    let detect = |extra: &[&str]| {
        let mut args = vec![
            "detect",
            "--input",
            input.to_str().unwrap(),
            "--column",
            "DMA 5 (L/s)",
            "--epochs",
            "1",
        ];
        args.extend(extra);
        flow(dir.path(), &args)
    };
    let events = || std::fs::read_to_string(dir.path().join("Output/dma-5/Detection/events.csv")).unwrap();
    let on_the_day = |events: &str| {
        events
            .lines()
            .filter(|l| l.contains(",flow,") && l.contains(",2021-10-31 "))
            .count()
    };
    let output = detect(&[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(on_the_day(&events()), 1, "{}", events());
    let before = events().lines().count();
    // Written day-first, as a spreadsheet in Italy saves it; the second date is outside the data.
    let holidays = write(
        dir.path(),
        "feasts.csv",
        b"data;festa\n31/10/2021;vigilia\n25/12/2021;Natale\n",
    );
    let output = detect(&["--holidays", holidays.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("holidays         1 of the 2 given fall within the readings: their flow is not judged against the week (faults still are)"),
        "{}",
        stdout(&output)
    );
    assert_eq!(on_the_day(&events()), 0, "{}", events());
    assert_eq!(events().lines().count(), before - 1, "{}", events());
    let bad = write(dir.path(), "bad.csv", b"date\n2021-10-31\nHalloween\n");
    let output = detect(&["--holidays", bad.to_str().unwrap(), "--output-dir", "never"]);
    assert_refused(&output, "line 3: `Halloween` is not a date");
    assert!(!dir.path().join("never").exists());
}

/// Twenty weeks of an area's hours (2021-01-04 to 05-23) with Korea's 설날 (02-11 to 13), 삼일절
/// (03-01), 어린이날 (05-05) and 석가탄신일 (05-19) drawn at 40 % of the usual day: flow alarms on
/// those days, and, no calendar given, the terminal and detection.json name the built-in `kr`
/// whose days hold them; with `--holidays kr` they are gone.
#[test]
fn flow_alarms_on_public_holidays_name_the_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("time,flow\n");
    let holidays = [
        "2021-02-11",
        "2021-02-12",
        "2021-02-13",
        "2021-03-01",
        "2021-05-05",
        "2021-05-19",
    ];
    let month_days = [31, 28, 31, 30, 31];
    let mut dates = Vec::new();
    for (month, &days) in month_days.iter().enumerate() {
        dates.extend((1..=days).map(|day| format!("2021-{:02}-{day:02}", month + 1)));
    }
    for (day, date) in dates[3..3 + 140].iter().enumerate() {
        let share = if holidays.contains(&date.as_str()) { 0.4 } else { 1.0 };
        for hour in 0..24 {
            let usual = 60.0 + 30.0 * (((hour as f64 - 4.0) / 24.0) * std::f64::consts::TAU).sin().max(-0.6);
            let noise = ((day * 24 + hour) * 7919 % 13) as f64 / 13.0 - 0.5;
            let _ = writeln!(text, "{date} {hour:02}:00,{:.2}", usual * share + noise);
        }
    }
    let input = write(dir.path(), "area.csv", text.as_bytes());
    let run = ["detect", "--input", input.to_str().unwrap(), "--epochs", "1"];
    let said = flow_succeeds(dir.path(), &[&run]);
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("Output/area/Detection/detection.json")).unwrap(),
    )
    .unwrap();
    let flow: Vec<&serde_json::Value> = report["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "flow")
        .collect();
    let on_holidays = flow
        .iter()
        .filter(|e| {
            holidays
                .iter()
                .any(|day| e["peak_time"].as_str().unwrap().starts_with(day))
        })
        .count();
    assert!(on_holidays >= 3, "{flow:?}");
    let hint = &report["holiday_hint"];
    assert_eq!(hint["calendar"], "kr", "{report}");
    assert_eq!(hint["flow_alarms_on_its_days"], on_holidays);
    assert_eq!(hint["flow_alarms"], flow.len());
    assert!(
        said.contains(&format!(
            "holidays         {on_holidays} of the {} flow alarms fall on days of `kr`",
            flow.len()
        )),
        "{said}"
    );
    let said = flow_succeeds(dir.path(), &[&run, &["--holidays", "kr", "--output-dir", "with"]]);
    assert!(!said.contains("flow alarms fall on days of"), "{said}");
    let report = std::fs::read_to_string(dir.path().join("with/area/Detection/detection.json")).unwrap();
    assert!(!report.contains("holiday_hint"), "{report}");
}

/// BWDF's dma4 books the spring change's hours into one reading (56.0 at 2021-03-28 03:00, after
/// the skipped 02:00, where the readings either side average 27.6): a spike where the file names
/// no zone, the logger's clock change with `--time-zone CET`, its response the logger's setting.
#[test]
fn a_spike_at_the_clock_change_is_the_loggers() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("bwdf/inflows_2021-01_2021-03.csv");
    let detect = |zone: &[&str], out: &str| {
        let command = ["detect", "--input", input.to_str().unwrap(), "--column", "dma4"];
        let said = flow_succeeds(dir.path(), &[&command, &["--epochs", "1", "--output-dir", out], zone]);
        let events = std::fs::read_to_string(dir.path().join(out).join("dma4/Detection/events.csv")).unwrap();
        let at_change: Vec<String> = events
            .lines()
            .filter(|l| l.contains(",2021-03-28 0"))
            .map(str::to_string)
            .collect();
        (said, at_change)
    };
    let (_, plain) = detect(&[], "plain");
    assert_eq!(
        plain,
        ["dma4,spike,watch,2021-03-28 03:00:00,2021-03-28 03:00:00,2021-03-28 03:00:00,55.955,27.5625"]
    );
    let (said, zoned) = detect(&["--time-zone", "CET"], "zoned");
    assert_eq!(
        zoned,
        ["dma4,clock_change,watch,2021-03-28 03:00:00,2021-03-28 03:00:00,2021-03-28 03:00:00,55.955,27.5625"]
    );
    assert!(
        said.contains("56.0 where the readings either side average 27.6, within 3 h of the clock's change"),
        "{said}"
    );
    assert!(
        said.contains("clock_change: check the logger's daylight-saving setting"),
        "{said}"
    );
}

/// The demo's `hoeryong-out` reads noise around zero, as the Jeongeup export's row (`-0.2`): no
/// flow through the meter. `flow run` says so in one line and trains nothing on it (its outages
/// are still in its alarm log); `flow night` skips it with the reason.
#[test]
fn a_meter_with_no_flow_through_it_is_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let demo = common::demo_export(dir.path(), "week.csv", 7 * 1440, 2020);
    let output = flow(
        dir.path(),
        &[&["run", "--input", &demo, "--sites", "hoeryong-out"][..], &QUICK_MODEL].concat(),
    );
    assert_refused(
        &output,
        "no flow through the meter for the whole period: its readings are noise around zero (nine in ten within ±0.3",
    );
    assert!(stdout(&output).contains("column           no flow (noise around zero)"));
    let log = std::fs::read_to_string(dir.path().join("Output/hoeryong-out/Prediction/alarms.csv")).unwrap();
    assert!(log.lines().skip(1).all(|l| l.contains(",outage,")), "{log}");
    assert!(!dir.path().join("Output/hoeryong-out/Learning_lstm").exists());
    let said = flow_succeeds(
        dir.path(),
        &[&["night", "--input", &demo, "--sites", "hoeryong-out,hoeryong"]],
    );
    assert!(
        said.contains("night flow       skipped for hoeryong-out: no flow through the meter"),
        "{said}"
    );
    // The morning table gives each its own reason.
    assert!(
        said.contains("hoeryong-out     skipped (no flow through the meter)"),
        "{said}"
    );
    assert!(
        said.contains("hoeryong         skipped (a pump-driven column)"),
        "{said}"
    );
}
