//! `flow night`: minimum night flow by hand on a fixture, a leak found in the demo export, and bad
//! settings refused before anything is read.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;

use common::{assert_refused, fixture, flow, stderr, stdout};

/// fixtures/README.md ("Night flow") computes these two nights by hand.
#[test]
fn night_flow_matches_the_hand_computed_nights() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("night_hand.csv");
    let output = flow(
        dir.path(),
        &[
            "night",
            "--input",
            input.to_str().unwrap(),
            "--column",
            "flow",
            "--night",
            "22:00-05:00",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let csv = std::fs::read_to_string(dir.path().join("Output/flow/Night/mnf.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows,
        [
            "night,mnf,mnf_time,night_mean,coverage,expected,stage,day_mean,share_of_day,note",
            // 20 at 03:20 (the 03:30 bin's 10s are 4 readings of 10: too few to count); 414 of 420
            // readings, 19950 in all; the day: 98550 over 1374 readings.
            "2020-03-02,20.0,2020-03-02 03:20:00,48.1884,0.9857,,,71.7249,0.2788,warming up: judging starts after 7 nights",
            // 23:00–01:59 blank: 240 of 420 readings, under 75 %.
            "2020-03-03,,,50.0,0.5714,,,,,coverage under 75 %: no MNF",
        ]
    );
    let text = stdout(&output);
    assert!(
        text.contains("nights           2: 1 with an MNF, 1 with too few readings"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Output/flow/Prediction/alarms.csv")).unwrap(),
        "site,kind,stage,start,end,peak_time,peak_value,expected\n"
    );
    let png = std::fs::read(dir.path().join("Output/flow/Night/mnf.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

#[test]
fn a_leak_in_the_demo_export_raises_one_alarm_until_its_repair() {
    let dir = tempfile::tempdir().unwrap();
    let leak = dir.path().join("leak.csv");
    let rows = (150 * 1440).to_string();
    let output = flow(
        dir.path(),
        &[
            "demo-data",
            "--rows",
            &rows,
            "--leak",
            "2020-04-01..2020-05-01",
            "--out",
            leak.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("% of the typical minimum night flow before it) from 2020-04-01, repaired 2020-05-01")
    );
    let output = flow(dir.path(), &["night", "--input", leak.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let root = dir.path().join("Output/jangmyeong");
    let alarms = std::fs::read_to_string(root.join("Prediction/alarms.csv")).unwrap();
    let rows: Vec<&str> = alarms.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{alarms}");
    let fields: Vec<&str> = rows[0].split(',').collect();
    assert_eq!(&fields[..2], ["jangmyeong", "night_flow"]);
    // Within 3 nights of the burst, until the nights before the repair.
    assert!(
        ["2020-04-01", "2020-04-02", "2020-04-03", "2020-04-04"].contains(&&fields[3][..10]),
        "{alarms}"
    );
    assert!(
        fields[4].starts_with("2020-04-30") || fields[4].starts_with("2020-04-29"),
        "{alarms}"
    );
    let jsonl = std::fs::read_to_string(root.join("Prediction/alarms.jsonl")).unwrap();
    let record: serde_json::Value = serde_json::from_str(jsonl.trim()).unwrap();
    assert_eq!(record["kind"], "night_flow");
    assert_eq!(record["time"], fields[3]);
    assert!(record["value"].as_f64().unwrap() > record["expected"].as_f64().unwrap() * 1.05);
    let text = stdout(&output);
    assert!(
        text.contains("step, peak") && text.contains("repaired 2020-05-0"),
        "{text}"
    );
    let mnf = std::fs::read_to_string(root.join("Night/mnf.csv")).unwrap();
    assert_eq!(mnf.lines().count(), 1 + 150);
    // night.json says the same alarm, and the column it was read from.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("Night/night.json")).unwrap()).unwrap();
    assert_eq!(summary["site"], "jangmyeong");
    assert_eq!(summary["nights"], 150);
    assert_eq!(summary["alarms"].as_array().map(Vec::len), Some(1));
    assert_eq!(summary["alarms"][0]["first_night"], fields[3][..10]);
    assert_eq!(
        summary["alarms"][0]["repaired"].as_str().map(|d| &d[..9]),
        Some("2020-05-0")
    );
    // Run again with another window: the night_flow rows are replaced, not added to.
    let output = flow(
        dir.path(),
        &["night", "--input", leak.to_str().unwrap(), "--night", "01:00-05:00"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let again = std::fs::read_to_string(root.join("Prediction/alarms.csv")).unwrap();
    assert_eq!(again.lines().count(), 2, "{again}");
    assert_ne!(std::fs::read_to_string(root.join("Night/mnf.csv")).unwrap(), mnf);
    // The next export, the last 20 days of May alone (an operator's next file): the log keeps
    // April's alarm, which started before it, and says so; read again, the whole period replaces
    // its own alarms and doubles none.
    let bytes = std::fs::read(&leak).unwrap();
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let mut tail = lines[0].to_vec();
    for line in &lines[lines.len() - 20 * 1440..] {
        tail.push(b'\n');
        tail.extend_from_slice(line);
    }
    tail.push(b'\n');
    let may = common::write(dir.path(), "may.csv", &tail);
    let output = flow(
        dir.path(),
        &["night", "--input", may.to_str().unwrap(), "--night", "01:00-05:00"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("; 1 of other periods kept (earlier runs)"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        std::fs::read_to_string(root.join("Prediction/alarms.csv")).unwrap(),
        again
    );
    let output = flow(
        dir.path(),
        &["night", "--input", leak.to_str().unwrap(), "--night", "01:00-05:00"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(root.join("Prediction/alarms.csv")).unwrap(),
        again
    );
}

/// An Italian export on its local clock (`CET-CEST` in the header): on 2023-03-26 the clock jumps
/// from 02:00 to 03:00, so that night's window holds one hour, not a gap; it gets its MNF.
/// A rise looked into and found to be no leak: `--night-accept` ends the alarm as accepted from
/// that night, and the site's alarm is no longer on; a bad date or a site the export does not
/// have is refused with one line, nothing written.
#[test]
fn nights_accepted_as_normal_end_the_alarm() {
    let dir = tempfile::tempdir().unwrap();
    let leak = dir.path().join("leak.csv");
    let rows = (150 * 1440).to_string();
    // A +10 % rise from 2020-04-01 that never goes away.
    let args = [
        "demo-data",
        "--rows",
        &rows,
        "--leak",
        "2020-04-01",
        "--out",
        leak.to_str().unwrap(),
    ];
    let output = flow(dir.path(), &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let input = leak.to_str().unwrap();
    let root = dir.path().join("Output/jangmyeong");
    let summary = || -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(root.join("Night/night.json")).unwrap()).unwrap()
    };
    let output = flow(dir.path(), &["night", "--input", input]);
    assert!(output.status.success(), "{}", stderr(&output));
    let plain = summary();
    assert_eq!(plain["alarms"].as_array().map(Vec::len), Some(1), "{plain}");
    assert!(plain["alarms"][0]["repaired"].is_null() && plain["alarms"][0]["accepted"].is_null());
    assert_eq!(plain["latest"]["status"], "alarm");
    // On for four weeks and more: the terminal asks for the survey, and says the way to end it.
    let alarm = &plain["alarms"][0];
    let nights = |key: &str| flowcore::time::parse_timestamp(alarm[key].as_str().unwrap()).unwrap() / 86_400;
    let on = nights("last_night") - nights("first_night") + 1;
    assert!(on >= 28, "{alarm}");
    let note = format!(
        "note             jangmyeong: leak alarm on for {on} nights (since {}): survey the area; if the survey finds new night use, not a leak, --night-accept jangmyeong=<its date> takes",
        alarm["first_night"].as_str().unwrap()
    );
    assert!(stdout(&output).contains(&note), "{note}\n{}", stdout(&output));
    for (value, message) in [
        (
            "2020-13-01",
            "--night-accept 2020-13-01: expected a date (2022-10-01) or a site and a date",
        ),
        (
            "nowhere=2020-04-20",
            "--night-accept nowhere=…: the export has no site nowhere (its sites: jangmyeong",
        ),
    ] {
        let other = tempfile::tempdir().unwrap();
        let output = flow(other.path(), &["night", "--input", input, "--night-accept", value]);
        assert_refused(&output, message);
        assert!(!other.path().join("Output").exists());
    }
    let output = flow(
        dir.path(),
        &["night", "--input", input, "--night-accept", "jangmyeong=2020-04-20"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("accepted         nights from 2020-04-20 taken as the new normal (--night-accept): the baseline starts afresh there"),
        "{text}"
    );
    assert!(
        text.contains("; accepted as normal from 2020-04-20 (--night-accept)"),
        "{text}"
    );
    assert!(!text.contains("leak alarm on for"), "{text}");
    let accepted = summary();
    let alarm = &accepted["alarms"][0];
    assert_eq!(accepted["alarms"].as_array().map(Vec::len), Some(1), "{accepted}");
    assert_eq!(
        (alarm["first_night"].clone(), alarm["accepted"].clone()),
        (plain["alarms"][0]["first_night"].clone(), "2020-04-20".into())
    );
    assert!(alarm["last_night"].as_str().unwrap() < "2020-04-20", "{alarm}");
    assert_eq!(accepted["latest"]["status"], "normal", "{accepted}");
    // The alarm log's row ends before the accepted night.
    let log = std::fs::read_to_string(root.join("Prediction/alarms.csv")).unwrap();
    let rows: Vec<&str> = log.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{log}");
    assert!(rows[0].split(',').nth(4).unwrap() < "2020-04-20", "{log}");
}

#[test]
fn the_spring_change_night_has_its_minimum() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("Date-time CET-CEST (DD/MM/YYYY HH:mm),DMA 1 (L/s)\n");
    for day in 13..=31 {
        for hour in 0..24 {
            if (day, hour) == (26, 2) {
                continue; // the hour the clock skips
            }
            let flow = 10.0
                + if (1..6).contains(&hour) {
                    -5.0 + f64::from(hour) / 10.0
                } else {
                    3.0
                };
            text.push_str(&format!("{day:02}/03/2023 {hour:02}:00,{flow}\n"));
        }
    }
    let input = common::write(dir.path(), "rome.csv", text.as_bytes());
    let output = flow(
        dir.path(),
        &["night", "--input", input.to_str().unwrap(), "--site", "dma-1"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("== Night flow: dma-1 (DMA 1 (L/s)), 02:00-04:00,"),
        "{}",
        stdout(&output)
    );
    let csv = std::fs::read_to_string(dir.path().join("Output/dma-1/Night/mnf.csv")).unwrap();
    let night = csv.lines().find(|l| l.starts_with("2023-03-26,")).unwrap();
    // 03:00 is the night's one hour: 5.3, all of the readings the clock allowed.
    assert!(
        night.starts_with("2023-03-26,5.3,2023-03-26 03:00:00,5.3,1.0,"),
        "{night}"
    );
}

#[test]
fn bad_night_settings_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("night_hand.csv");
    let input = input.to_str().unwrap();
    for (flags, message) in [
        (
            &["--night", "25:00-03:00"][..],
            "--night 25:00-03:00: expected two different times of day",
        ),
        (&["--night", "03:00-03:00"][..], "--night 03:00-03:00"),
        (
            &["--night-bin", "7min"][..],
            "--night-bin 7min: invalid setting: interval of 420 s",
        ),
        (
            &["--night", "02:05-04:00"][..],
            "--night-bin 10min with --night 02:05-04:00",
        ),
        (&["--night-coverage", "0"][..], "--night-coverage 0"),
        (&["--night-coverage", "1.5"][..], "--night-coverage 1.5"),
        (&["--night-baseline", "2"][..], "--night-baseline 2"),
        (&["--night-confirm", "0"][..], "--night-confirm 0"),
        (
            &["--night-hold", "57"][..],
            "--night-hold 57: a repair holds from 0 to 56 nights",
        ),
    ] {
        let mut args = vec!["night", "--input", input, "--column", "flow"];
        args.extend_from_slice(flags);
        let output = flow(dir.path(), &args);
        assert_refused(&output, message);
        assert!(!dir.path().join("Output").exists(), "{flags:?} wrote nothing");
    }
    // Daily readings have no night: one line naming why.
    let daily = common::write(
        dir.path(),
        "daily.csv",
        b"time,flow\n2020-01-01,5\n2020-01-02,6\n2020-01-03,7\n",
    );
    let output = flow(
        dir.path(),
        &["night", "--input", daily.to_str().unwrap(), "--column", "flow"],
    );
    assert_refused(&output, "readings at interval daily have no night");
    // Readings by day only (a logger switched off at night), 72 minutes apart (their own bins
    // cannot tile 02:00-04:00: the line names them, not a --night-bin nobody gave), and two rows
    // 10,000 years apart (3.6 million nights, 1.4 GB, before): each one line, nothing written.
    let mut by_day = String::from("time,flow\n");
    for day in 1..=20 {
        for hour in 6..22 {
            by_day.push_str(&format!("2020-01-{day:02} {hour:02}:00,{}\n", 5 + hour % 4));
        }
    }
    let mut every_72 = String::from("time,flow\n");
    for step in 0..400 {
        let minutes = 72 * step;
        let (day, hour, minute) = (1 + minutes / 1440, minutes % 1440 / 60, minutes % 60);
        every_72.push_str(&format!("2020-01-{day:02} {hour:02}:{minute:02},{}\n", 5 + step % 3));
    }
    for (name, text, message) in [
        (
            "by_day.csv",
            by_day,
            "flow (flow): no night has an MNF (19 night(s) spanned, none with 75 % of the readings due in 02:00-04:00)",
        ),
        (
            "every_72.csv",
            every_72,
            "readings 72min apart do not tile the night window 02:00-04:00",
        ),
        (
            "stray.csv",
            "time,flow\n0001-01-01 00:00,1\n9999-12-31 23:00,2\n".to_string(),
            "column `flow` spans 0001-01-01 00:00:00 to 9999-12-31 23:00:00",
        ),
    ] {
        let path = common::write(dir.path(), name, text.as_bytes());
        let output = flow(
            dir.path(),
            &["night", "--input", path.to_str().unwrap(), "--column", "flow"],
        );
        assert_refused(&output, message);
        assert!(!dir.path().join("Output").exists(), "{name} wrote files");
    }
    // In `flow run` the night stage is one of six: it is skipped with the reason and the run's
    // report is written (a 72-minute logger failed the whole run at its last stage before).
    let path = dir.path().join("every_72.csv");
    let output = flow(
        dir.path(),
        &["run", "--input", path.to_str().unwrap(), "--column", "flow"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("night flow       skipped: readings 72min apart do not tile"));
    assert!(dir.path().join("Output/flow/report.json").exists());
    assert!(!dir.path().join("Output/flow/Night").exists());
}

/// Real hourly data that is not the Jeongeup export (BWDF, fixtures/bwdf): every column, each under
/// its own folder, hourly bins, gaps and the missing spring hour.
#[test]
fn every_column_of_a_real_hourly_export() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("bwdf/inflows_2021-01_2021-03.csv");
    let output = flow(
        dir.path(),
        &["night", "--input", input.to_str().unwrap(), "--sites", "all"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.matches("== Night flow: dma").count(), 10, "{text}");
    // Each block names the column it measured, not only the folder it writes.
    assert!(
        text.contains("== Night flow: dma1, 02:00-04:00, lowest hourly mean =="),
        "{text}"
    );
    // dma6 has readings on 866 of 2159 hours: many nights short of them, and said so.
    let csv = std::fs::read_to_string(dir.path().join("Output/dma6/Night/mnf.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 90);
    assert!(csv.lines().any(|l| l.ends_with(",no readings")), "{csv}");
    let csv = std::fs::read_to_string(dir.path().join("Output/dma3/Night/mnf.csv")).unwrap();
    // 2021-03-28: the 02:00 hour does not exist that night (daylight saving): half the window.
    let spring = csv.lines().find(|l| l.starts_with("2021-03-28,")).unwrap();
    assert!(
        spring.contains(",0.5,") && spring.ends_with("coverage under 75 %: no MNF"),
        "{spring}"
    );
    // The morning's table: a line a site, its latest night and alarm as its night.json has them.
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "== Night flow: 10 sites ==")
        .skip(2)
        .take(10)
        .collect();
    for n in 1..=10 {
        let site = format!("dma{n}");
        let night: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(format!("Output/{site}/Night/night.json"))).unwrap(),
        )
        .unwrap();
        let line = table[n - 1];
        assert!(line.starts_with(&format!("{site} ")), "{table:#?}");
        let latest = &night["latest"];
        let expected = format!(
            "{} {:.1} (",
            latest["night"].as_str().unwrap(),
            latest["mnf"].as_f64().unwrap()
        );
        assert!(line.contains(&expected), "{line} / {latest}");
        let on = night["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|a| a["repaired"].is_null());
        let said = on.map_or("none".to_string(), |a| {
            format!(
                "{} since {}",
                a["stage"].as_str().unwrap(),
                a["first_night"].as_str().unwrap()
            )
        });
        assert!(line.contains(&format!(" {said} ")), "{line}");
    }
    // dma2's nights were high from 2021-01-19, back at the baseline on the 22nd and 23rd (a
    // repair), high again on the 24th: within a week, so one alarm going on, the two nights in it.
    let night: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("Output/dma2/Night/night.json")).unwrap())
            .unwrap();
    let first = &night["alarms"][0];
    assert_eq!(
        (
            &first["first_night"],
            &first["last_night"],
            &first["repaired"],
            &first["returns"]
        ),
        (
            &serde_json::json!("2021-01-19"),
            &serde_json::json!("2021-01-28"),
            &serde_json::json!("2021-01-30"),
            &serde_json::json!(1)
        ),
        "{night}"
    );
    assert!(
        text.contains("repaired 2021-01-30; 1 earlier return to normal did not hold"),
        "{text}"
    );
    let csv = std::fs::read_to_string(dir.path().join("Output/dma2/Night/mnf.csv")).unwrap();
    let dip = csv.lines().find(|l| l.starts_with("2021-01-22,")).unwrap();
    let fields: Vec<&str> = dip.split(',').collect();
    assert_eq!((fields[6], fields[9]), ("watch", "alarm"), "{dip}");
    // With no hold, the repair ends it and the 24th starts a second alarm.
    let output = flow(
        dir.path(),
        &[
            "night",
            "--input",
            input.to_str().unwrap(),
            "--site",
            "dma2",
            "--night-hold",
            "0",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("2021-01-19 .. 2021-01-21  watch    step"), "{text}");
    assert!(text.contains("2021-01-24 .. 2021-01-28  severe   step"), "{text}");
    assert!(!text.contains("did not hold"), "{text}");
}

/// A logger whose clock wanders up to 40 s either side of the hour, as SCADA clocks do: the same
/// nights as the hour-exact file, and the move said. Before, its interval was taken for a minute
/// (no step repeated), so the night's 10-minute bins held one reading of ten: no night had an MNF.
#[test]
fn a_wandering_logger_clock_gives_the_same_nights() {
    let dir = tempfile::tempdir().unwrap();
    let jitter = [0, 38, -25, 12, -40, 3, -7, 29, -33];
    let mut exact = String::from("time,flow\n");
    let mut wandering = String::from("time,flow\n");
    for (k, (time, dma3)) in bwdf_dma3().iter().enumerate() {
        exact.push_str(&format!("{time},{dma3}\n"));
        let moved = flowcore::time::parse_timestamp(time).unwrap() + jitter[k % jitter.len()];
        wandering.push_str(&format!("{},{dma3}\n", flowcore::time::format_timestamp(moved)));
    }
    let (exact_csv, said) = same_nights(
        dir.path(),
        ("exact.csv", exact.as_bytes()),
        ("wandering.csv", wandering.as_bytes()),
    );
    assert!(
        exact_csv.lines().filter(|l| l.contains(":00:00,")).count() > 80,
        "{exact_csv}"
    );
    assert!(
        said.contains("readings up to 40 s either side of the hourly grid moved onto it"),
        "{said}"
    );
}

/// A register of the volume so far (`적산유량`), as many utilities log instead of the flow, rolled
/// over once: the same nights as the flow it counts (the hours its rise cannot give — either side
/// of a missing reading, the roll-over, the last — blank in both). Read as a flow, its "night
/// flow" was the register itself, in the hundreds of thousands.
#[test]
fn a_totaliser_column_gives_the_nights_of_its_flow() {
    let dir = tempfile::tempdir().unwrap();
    // dma3 in 1/10,000 L/s: whole numbers, so sums and differences are exact. Up to the spring
    // change, whose missing row would make one rise cover two hours.
    let rows: Vec<(String, Option<i64>)> = bwdf_dma3()
        .into_iter()
        .take_while(|(time, _)| !time.starts_with(SPRING_CHANGE))
        .map(|(time, dma3)| (time, dma3.parse::<f64>().ok().map(|v| (v * 10_000.0).round() as i64)))
        .collect();
    let modulus = 1_000_000_000;
    let mut register = 999_000_000;
    let (mut flows, mut registers) = (String::from("time,flow\n"), String::from("time,적산유량\n"));
    for (k, (time, flow)) in rows.iter().enumerate() {
        let next = rows.get(k + 1).and_then(|(_, f)| *f);
        let rolls = register + flow.unwrap_or(0) >= modulus;
        // The flow of hour k is known from the register when readings k and k + 1 both are.
        let known = match (flow, next) {
            (Some(f), Some(_)) if !rolls => f.to_string(),
            _ => String::new(),
        };
        flows.push_str(&format!("{time},{known}\n"));
        let shown = if flow.is_some() {
            register.to_string()
        } else {
            String::new()
        };
        registers.push_str(&format!("{time},{shown}\n"));
        register = (register + flow.unwrap_or(0)) % modulus;
    }
    let (_, said) = same_nights(
        dir.path(),
        ("flows.csv", flows.as_bytes()),
        ("register.csv", registers.as_bytes()),
    );
    assert!(
        said.contains("totaliser        적산유량 only rises (a register of the volume so far): read as its rise per hour between readings; 1 fall(s) (a roll-over or reset, first at 2021-01-0"),
        "{said}"
    );
}

/// The BWDF readings as an Italian spreadsheet saves them: `;`-separated, the date day-first in
/// one column and the hour in the next, decimal commas. The same nights as the original file;
/// before, the hour column was offered as a value column (`ora`), and with `--column` the date
/// alone was the time: every reading of a day on midnight, the last one kept.
#[test]
fn dates_and_hours_in_two_columns_give_the_same_nights() {
    let dir = tempfile::tempdir().unwrap();
    let (mut one, mut two) = (String::from("time,flow\n"), String::from("Data;Ora;Portata DMA 3\n"));
    for (time, dma3) in bwdf_dma3() {
        let (date, hour) = time.split_once(' ').unwrap();
        let (y, m, d) = (&date[..4], &date[5..7], &date[8..10]);
        one.push_str(&format!("{time},{dma3}\n"));
        two.push_str(&format!("{d}/{m}/{y};{hour};{}\n", dma3.replace('.', ",")));
    }
    let (_, said) = same_nights(dir.path(), ("one.csv", one.as_bytes()), ("two.csv", two.as_bytes()));
    assert!(
        said.contains("dates in `Data` and times of day in `Ora`: read together as the time"),
        "{said}"
    );
    // The hour as a number (`Date,Hour,Flow`, 0 … 23), as utility logs write it: before, each
    // day's readings fell on its midnight and one of them was kept.
    let mut numbered = String::from("Date,Hour,Flow\n");
    for (time, dma3) in bwdf_dma3() {
        numbered.push_str(&format!(
            "{},{},{dma3}\n",
            &time[..10],
            time[11..13].parse::<u32>().unwrap()
        ));
    }
    let (_, said) = same_nights(
        dir.path(),
        ("one.csv", one.as_bytes()),
        ("numbered.csv", numbered.as_bytes()),
    );
    assert!(said.contains("dates in `Date` and times of day in `Hour`"), "{said}");
}

/// The BWDF readings as a Korean daily report (일보, cp949): a title, a day a row, `1시` … `24시`
/// across (24시 being the next midnight), a total column and a total row. The same nights as the
/// file written a reading a line; before, each hour was offered as a site of its own (`1시`, …).
#[test]
fn a_daily_report_with_its_hours_across_gives_the_same_nights() {
    let dir = tempfile::tempdir().unwrap();
    // Up to the spring change, whose missing row would shift a report's hours.
    let rows: Vec<(String, String)> = bwdf_dma3()
        .into_iter()
        .take_while(|(time, _)| !time.starts_with(SPRING_CHANGE))
        .collect();
    // The report's day D holds 01:00 … 23:00 of D and 00:00 of D + 1: skip the first midnight.
    let mut long = String::from("time,flow\n");
    let mut report = String::from("장명 배수지 유량 일보\n일자");
    let mut header = String::new();
    for hour in 1..=24 {
        header.push_str(&format!(",{hour}시"));
    }
    header.push_str(",합계\n");
    report.push_str(&header);
    // The same report with the day of the week beside each date, as many write it (2021-01-01
    // was a Friday).
    let mut with_weekdays = format!("장명 배수지 유량 일보\n일자{header}");
    const WEEKDAYS: [&str; 7] = ["금", "토", "일", "월", "화", "수", "목"];
    for (n, day) in rows[1..].chunks(24).filter(|day| day.len() == 24).enumerate() {
        report.push_str(&day[0].0[..10]);
        with_weekdays.push_str(&format!("{}({})", &day[0].0[..10], WEEKDAYS[n % 7]));
        for (time, value) in day {
            long.push_str(&format!("{time},{value}\n"));
            report.push_str(&format!(",{value}"));
            with_weekdays.push_str(&format!(",{value}"));
        }
        report.push_str(",0\n");
        with_weekdays.push_str(",0\n");
    }
    report.push_str(&format!("합계{},0\n", ",".repeat(24)));
    let (report_bytes, _, _) = encoding_rs::EUC_KR.encode(&report);
    let (long_csv, said) = same_nights(dir.path(), ("long.csv", long.as_bytes()), ("report.csv", &report_bytes));
    let (weekday_bytes, _, _) = encoding_rs::EUC_KR.encode(&with_weekdays);
    let (weekday_csv, _) = night_of(dir.path(), "weekdays.csv", &weekday_bytes);
    assert_eq!(weekday_csv, long_csv);
    assert!(
        said.contains("a day a row and an hour a column (`1시` … `24시`, 24 columns beside `일자`): read as one hourly column `flow`; not read: 합계; 1 row(s) with no date (totals) not read"),
        "{said}"
    );
}

/// The BWDF readings as a utility exports a quarter month by month: a file per month in a folder,
/// each ending with the next month's first midnight. The same nights as the one file.
#[test]
fn an_export_month_by_month_gives_the_same_nights() {
    let dir = tempfile::tempdir().unwrap();
    let mut whole = String::from("time,flow\n");
    let mut months: Vec<(String, String)> = Vec::new();
    for (time, dma3) in bwdf_dma3() {
        let row = format!("{time},{dma3}\n");
        whole.push_str(&row);
        let month = time[..7].to_string();
        if months.last().is_none_or(|(m, _)| *m != month) {
            if let Some((_, text)) = months.last_mut() {
                text.push_str(&row);
            }
            months.push((month, String::from("time,flow\n")));
        }
        if let Some((_, text)) = months.last_mut() {
            text.push_str(&row);
        }
    }
    assert_eq!(months.len(), 3);
    let folder = dir.path().join("months");
    std::fs::create_dir(&folder).unwrap();
    for (month, text) in &months {
        common::write(&folder, &format!("{month}.csv"), text.as_bytes());
    }
    let (whole_csv, _) = night_of(dir.path(), "whole.csv", whole.as_bytes());
    let (months_csv, said) = night_in(dir.path(), &folder, "months-out");
    assert_eq!(months_csv, whole_csv);
    assert!(said.contains("Read 3 files, "), "{said}");
}

/// The BWDF readings as a historian (OSIsoft PI) exports them: month names
/// (`03-Jan-2021 00:00:00`) under a header flow does not know. The same nights; before, the file
/// had no time column.
#[test]
fn a_historian_export_with_month_names_gives_the_same_nights() {
    let dir = tempfile::tempdir().unwrap();
    const MONTHS: [&str; 3] = ["Jan", "Feb", "Mar"];
    let (mut plain, mut historian) = (String::from("time,flow\n"), String::from("PI time,DMA3.FLOW.PV\n"));
    for (time, dma3) in bwdf_dma3() {
        let month = MONTHS[time[5..7].parse::<usize>().unwrap() - 1];
        plain.push_str(&format!("{time},{dma3}\n"));
        historian.push_str(&format!(
            "{}-{month}-{} {}:00,{dma3}\n",
            &time[8..10],
            &time[..4],
            &time[11..16]
        ));
    }
    same_nights(
        dir.path(),
        ("plain.csv", plain.as_bytes()),
        ("pi.csv", historian.as_bytes()),
    );
}

/// The BWDF export as Excel saves it as "Unicode text" (UTF-16LE with its mark, tabs, CRLF) with
/// a tab ending every line: every area's nights as from the CSV, and no eleventh site. Before, the
/// file was `not a text file` (its zero bytes), and a separator ending every line made an empty
/// `column 12` that failed `--sites all`.
#[test]
fn excel_unicode_text_with_a_separator_ending_each_line_gives_the_same_nights() {
    let dir = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(fixture("bwdf/inflows_2021-01_2021-03.csv")).unwrap();
    let tabbed: String = csv
        .lines()
        .map(|line| format!("{}\t\r\n", line.replace(',', "\t")))
        .collect();
    let mut unicode = vec![0xFF, 0xFE];
    unicode.extend(tabbed.encode_utf16().flat_map(u16::to_le_bytes));
    let input = common::write(dir.path(), "inflows.txt", &unicode);
    let said = every_area_as_from_the_csv(
        dir.path(),
        &input,
        &[
            "dma1", "dma2", "dma3", "dma4", "dma5", "dma6", "dma7", "dma8", "dma9", "dma10",
        ],
    );
    assert!(said.contains("(UTF-16LE), 10 value columns"), "{said}");
    assert_eq!(said.matches("== Night flow: dma").count(), 10, "{said}");
}

/// The BWDF export with a status column and an operator's comment column beside the readings, as
/// historians and SCADA reports add them: `--sites all` leaves the two out and says so (before,
/// the first of them failed the command and the areas after it were never run); a site named
/// that fails is said, and the others still run.
#[test]
fn text_columns_are_not_sites_and_a_failing_site_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(fixture("bwdf/inflows_2021-01_2021-03.csv")).unwrap();
    let mut text = String::new();
    for (i, line) in csv.lines().enumerate() {
        let (status, comment) = match i {
            0 => ("Status", "Comment"),
            i if i % 97 == 0 => ("Bad", "valve work"),
            _ => ("Good", ""),
        };
        let (time, readings) = line.split_once(',').unwrap();
        text.push_str(&format!("{time},{status},{readings},{comment}\n"));
    }
    let input = common::write(dir.path(), "with-status.csv", text.as_bytes());
    let night = |sites: &str, out: &str| {
        flow(
            dir.path(),
            &[
                "night",
                "--input",
                input.to_str().unwrap(),
                "--sites",
                sites,
                "--output-dir",
                out,
            ],
        )
    };
    let output = night("all", "all");
    assert!(output.status.success(), "{}", stderr(&output));
    let said = stdout(&output);
    assert!(
        said.contains("not a site: Status, Comment (no number in any cell"),
        "{said}"
    );
    assert_eq!(said.matches("== Night flow: dma").count(), 10, "{said}");
    let listed = flow(dir.path(), &["sites", "--input", input.to_str().unwrap()]);
    let listed = stdout(&listed);
    assert_eq!(
        listed.matches("not a site: no number in any cell").count(),
        2,
        "{listed}"
    );
    let output = night("status,dma3", "named");
    assert_refused(&output, "1 of 2 sites failed (status); the others finished");
    assert!(
        stdout(&output).contains("failed           status (Status): "),
        "{}",
        stdout(&output)
    );
    let plain = std::fs::read_to_string(dir.path().join("all/dma3/Night/mnf.csv")).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("named/dma3/Night/mnf.csv")).unwrap(),
        plain
    );
}

/// The BWDF readings as an older logger prints them to a `.dat` file: a title, then columns
/// lined up by spaces with no separator, blanks as `-`. The same nights; before, the file had no
/// value column (`flow sites` listed nothing).
#[test]
fn a_fixed_width_logger_file_gives_the_same_nights() {
    let dir = tempfile::tempdir().unwrap();
    let (mut plain, mut fixed) = (String::from("time,flow\n"), String::from("DMA 3 inflow, logger 7\n\n"));
    // The title's comma would make it a CSV: a logger writes none.
    fixed = fixed.replace(',', "");
    fixed.push_str(&format!("{:<20} {:>10}\n", "Timestamp", "Flow"));
    for (time, dma3) in bwdf_dma3() {
        plain.push_str(&format!("{time},{dma3}\n"));
        let cell = if dma3.is_empty() { "-" } else { dma3.as_str() };
        fixed.push_str(&format!("{:<20} {cell:>10}\n", format!("{time}:00")));
    }
    let (_, said) = same_nights(
        dir.path(),
        ("plain.csv", plain.as_bytes()),
        ("logger.dat", fixed.as_bytes()),
    );
    assert!(said.contains("columns lined up by spaces"), "{said}");
}

/// BWDF's dma3 as report exports write it, the unit in every cell (`5.36 L/s`, a decimal comma in
/// a `;` file: `5,36 L/s`), and a historian's quality word in a few (`5.36 Bad`): the same nights
/// as the plain numbers, the quality-marked cells not read. Before, every cell was "not a number"
/// and the column "has no numeric value".
#[test]
fn numbers_written_with_their_unit_give_the_same_nights() {
    let dir = tempfile::tempdir().unwrap();
    let (mut plain, mut with_unit) = (String::from("time,flow\n"), String::from("time;flow\n"));
    let mut bad = 0;
    for (index, (time, dma3)) in bwdf_dma3().into_iter().enumerate() {
        // Every 97th reading marked bad: left blank in the plain file.
        let marked = !dma3.is_empty() && index % 97 == 0;
        plain.push_str(&format!("{time},{}\n", if marked { "" } else { dma3.as_str() }));
        let cell = match (dma3.is_empty(), marked) {
            (true, _) => String::new(),
            (false, true) => format!("{} Bad", dma3.replace('.', ",")),
            (false, false) => format!("{} L/s", dma3.replace('.', ",")),
        };
        bad += usize::from(marked);
        with_unit.push_str(&format!("{time};{cell}\n"));
    }
    assert!(bad > 10);
    let (_, said) = same_nights(
        dir.path(),
        ("plain.csv", plain.as_bytes()),
        ("report.csv", with_unit.as_bytes()),
    );
    assert!(
        said.contains("numbers written with their unit after them (`… L/s`)"),
        "{said}"
    );
    let report = dir.path().join("report.csv");
    let listed = flow(dir.path(), &["sites", "--input", report.to_str().unwrap()]);
    assert!(
        stdout(&listed).contains("flow  (numbers written with `L/s`)"),
        "{}",
        stdout(&listed)
    );
}

/// The BWDF export as a historian's database gives it: a row per area and hour (`Timestamp,
/// TagName,Value,Status`). Every area's nights as from the wide CSV; before, `TagName` was taken
/// for a site with no number and `Value` for one site mixing the ten areas (the last area's reading
/// of each hour kept: 9 of every 10 rows "duplicates").
#[test]
fn a_row_per_meter_export_gives_every_areas_nights() {
    let dir = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(fixture("bwdf/inflows_2021-01_2021-03.csv")).unwrap();
    let mut lines = csv.lines();
    let areas: Vec<&str> = lines.next().unwrap().split(',').skip(1).collect();
    let mut long = String::from("Timestamp,TagName,Value,Status\n");
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        for (area, value) in areas.iter().zip(&cells[1..]) {
            let status = if value.is_empty() { "Bad" } else { "Good" };
            long.push_str(&format!("{},{area},{value},{status}\n", cells[0]));
        }
    }
    let input = common::write(dir.path(), "long.csv", long.as_bytes());
    let said = every_area_as_from_the_csv(dir.path(), &input, &areas);
    assert!(
        said.contains("a row per meter and time (`TagName`: dma1, dma2, dma3, … 7 more): read as a column per meter, of `Value`; not read: Status"),
        "{said}"
    );
}

/// `flow night --sites all` on `input` (the BWDF fixture written another way) and on the fixture's
/// CSV: asserts each of `areas` has the same `mnf.csv` from both, and returns what the first run
/// printed.
/// BWDF's raw export with its zone taken out of the header (`time`): the autumn 02:00 it writes
/// twice is said to be CET's repeated hour, the last reading kept; `--time-zone CET` reads it as the
/// header naming the zone does (the two readings averaged), night for night.
#[test]
fn an_export_with_no_zone_named_is_told_the_clock_its_repeated_hour_fits() {
    let dir = tempfile::tempdir().unwrap();
    let raw = std::fs::read_to_string(fixture("bwdf/inflows_raw_dayfirst_2021-08_2021-11.csv")).unwrap();
    let (header, rows) = raw.split_once('\n').unwrap();
    assert!(header.starts_with("Date-time CET-CEST (DD/MM/YYYY HH:mm),"), "{header}");
    assert_eq!(rows.matches("31/10/2021 02:00,").count(), 2);
    let zoneless = format!("time,{}\n{rows}", header.split_once(',').unwrap().1);
    let input = common::write(dir.path(), "zoneless.csv", zoneless.as_bytes());
    let night = |input: &std::path::Path, zone: &[&str], out: &str| {
        let command = ["night", "--input", input.to_str().unwrap(), "--sites", "dma-3"];
        let said = common::flow_succeeds(dir.path(), &[&command, &["--output-dir", out], zone]);
        let mnf = std::fs::read_to_string(dir.path().join(out).join("dma-3/Night/mnf.csv")).unwrap();
        (said, mnf)
    };
    let (said, _) = night(&input, &[], "zoneless");
    assert!(
        said.contains("clock            the 1 time(s) written twice are all hours a clock on summer time shows twice (CET's: 2021-10-31 02:00): the last reading of each was kept; --time-zone CET"),
        "{said}"
    );
    let (said, named) = night(&input, &["--time-zone", "CET"], "named");
    assert!(
        said.contains("clock            1 autumn hour(s) shown twice by the clock (CET), their two readings averaged: 2021-10-31 02:00"),
        "{said}"
    );
    assert!(!said.contains("written twice are all hours"), "{said}");
    let (_, in_header) = night(&fixture("bwdf/inflows_raw_dayfirst_2021-08_2021-11.csv"), &[], "header");
    assert_eq!(named, in_header);
}

fn every_area_as_from_the_csv(dir: &std::path::Path, input: &std::path::Path, areas: &[&str]) -> String {
    let run = |input: &std::path::Path, out: &str| {
        let output = flow(
            dir,
            &[
                "night",
                "--input",
                input.to_str().unwrap(),
                "--sites",
                "all",
                "--output-dir",
                out,
            ],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    let said = run(input, "other");
    run(&fixture("bwdf/inflows_2021-01_2021-03.csv"), "csv");
    for area in areas {
        let mnf = |out: &str| std::fs::read_to_string(dir.join(out).join(format!("{area}/Night/mnf.csv"))).unwrap();
        assert_eq!(mnf("other"), mnf("csv"), "{area}");
    }
    said
}

/// The fixture's night of the Rome spring change, whose 02:00 row is missing.
const SPRING_CHANGE: &str = "2021-03-28";

/// Time and dma3 cell of every row of the BWDF fixture (January to March 2021), as written.
fn bwdf_dma3() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(fixture("bwdf/inflows_2021-01_2021-03.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (cells[0].to_string(), cells[3].to_string())
        })
        .collect()
}

/// `flow night` on two files that should give the same nights: asserts their `mnf.csv` are
/// identical, and returns it with what the second run printed.
fn same_nights(dir: &std::path::Path, plain: (&str, &[u8]), other: (&str, &[u8])) -> (String, String) {
    let (plain_csv, _) = night_of(dir, plain.0, plain.1);
    let (other_csv, said) = night_of(dir, other.0, other.1);
    assert_eq!(other_csv, plain_csv);
    (plain_csv, said)
}

/// `flow night` on `bytes` written as `name` in `dir`: its `mnf.csv` (the default site's) and what
/// it printed.
fn night_of(dir: &std::path::Path, name: &str, bytes: &[u8]) -> (String, String) {
    let input = common::write(dir, name, bytes);
    night_in(dir, &input, name.rsplit_once('.').map_or(name, |(stem, _)| stem))
}

/// `flow night` on `input` (a file or a folder) into `dir/out`: its `mnf.csv` and what it printed.
fn night_in(dir: &std::path::Path, input: &std::path::Path, out: &str) -> (String, String) {
    let out = dir.join(out);
    let output = flow(
        dir,
        &[
            "night",
            "--input",
            input.to_str().unwrap(),
            "--output-dir",
            out.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let csv = std::fs::read_to_string(out.join("jangmyeong/Night/mnf.csv")).unwrap();
    (csv, stdout(&output))
}
