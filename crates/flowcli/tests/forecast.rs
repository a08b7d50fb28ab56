//! `flow forecast`, `flow backtest` and `flow sites --input` on real utility data (BWDF,
//! fixtures/bwdf: day-first local times with a repeated autumn hour, gaps, ten areas), and the
//! bad inputs each refused in one line with nothing written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;

use common::{assert_refused, files_under, fixture, flow, stderr, stdout, write};

const RAW: &str = "bwdf/inflows_raw_dayfirst_2021-08_2021-11.csv";

fn holidays() -> String {
    fixture("bwdf/holidays_italy.csv").to_str().unwrap().to_string()
}

/// The raw fixture with DMA 1 (its second cell) written as `cell` on the data rows `rows` picks
/// (`rows(index from 0, count)`), saved as `dir/name`.
fn with_dma1(dir: &std::path::Path, name: &str, cell: &str, rows: impl Fn(usize, usize) -> bool) -> std::path::PathBuf {
    let text = std::fs::read_to_string(fixture(RAW)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let count = lines.len() - 1;
    let mut out: Vec<String> = vec![lines[0].to_string()];
    for (i, line) in lines[1..].iter().enumerate() {
        let mut cells: Vec<&str> = line.split(',').collect();
        if rows(i, count) {
            cells[1] = cell;
        }
        out.push(cells.join(","));
    }
    write(dir, name, (out.join("\n") + "\n").as_bytes())
}

/// Rows of a CSV as cells, header left out.
fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn a_week_of_hours_per_area_from_the_raw_day_first_export() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(RAW);
    let output = flow(
        dir.path(),
        &[
            "forecast",
            "--input",
            input.to_str().unwrap(),
            "--sites",
            "all",
            "--holidays",
            &holidays(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("times            %d/%m/%Y %H:%M, local time of CET (its daylight saving known)"),
        "{text}"
    );
    assert!(
        text.contains("1 autumn hour(s) shown twice by the clock (CET), their two readings averaged: 2021-10-31 02:00"),
        "{text}"
    );
    // 15 August and 1 November fall within the data; 8 December is a day past the forecast week.
    assert!(
        text.contains("2 of them within the data and the horizon (2021-08-01 … 2021-12-07)"),
        "{text}"
    );
    assert_eq!(
        text.matches("forecast         168 steps from 2021-12-01 00:00:00")
            .count(),
        10,
        "{text}"
    );
    for line in [
        "held-out check   50 forecasts of the last 56 days: MAE",
        "intervals        split conformal on those errors; checked forward: bands from their first half held",
    ] {
        assert_eq!(text.matches(line).count(), 10, "{text}");
    }
    for area in 1..=10 {
        let folder = dir.path().join(format!("Output/dma-{area}/Forecast"));
        let csv = std::fs::read_to_string(folder.join("forecast.csv")).unwrap();
        assert!(csv.starts_with("time,forecast,lower_80,upper_80,lower_95,upper_95\n"));
        let rows = rows(&csv);
        assert_eq!(rows.len(), 168);
        assert_eq!(rows[0][0], "2021-12-01 00:00:00");
        assert_eq!(rows[167][0], "2021-12-07 23:00:00");
        for row in &rows {
            let v: Vec<f64> = row[1..].iter().map(|c| c.parse().unwrap()).collect();
            let (value, l80, h80, l95, h95) = (v[0], v[1], v[2], v[3], v[4]);
            assert!(
                l95 <= l80 && l80 <= value && value <= h80 && h80 <= h95,
                "{area}: {row:?}"
            );
            assert!(value >= 0.0);
        }
        let png = std::fs::read(folder.join("forecast.png")).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let model: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(folder.join("model.json")).unwrap()).unwrap();
        assert_eq!(model["format"], "flow-horizon-1");
        assert_eq!(model["site"], format!("dma-{area}"));
        // The closing table's line: the first day's mean and peak as forecast.csv has them, the
        // held-out MAEs and the 80 % band's coverage as model.json keeps them.
        let line = text
            .lines()
            .skip_while(|l| *l != "== Forecasts: 10 sites ==")
            .find(|l| l.starts_with(&format!("dma-{area} ")))
            .unwrap();
        let day: Vec<f64> = rows[..24].iter().map(|r| r[1].parse().unwrap()).collect();
        let peak = day.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let at = &rows[day.iter().position(|v| *v == peak).unwrap()][0][..16];
        let held = &model["model"]["held_out"];
        let expected = format!(
            "{:.2} {peak:.2} ({at}) {:.2} {:.2} {:.2} {:.0} %",
            day.iter().sum::<f64>() / 24.0,
            held["model_mae"].as_f64().unwrap(),
            held["last_week_mae"].as_f64().unwrap(),
            held["four_week_mae"].as_f64().unwrap(),
            held["inside_80"].as_f64().unwrap() * 100.0
        );
        assert_eq!(
            line.split_whitespace().skip(1).collect::<Vec<_>>().join(" "),
            expected,
            "{line}"
        );
    }
    // The forecast follows the area's own week: its hours track the last week's (the night low,
    // the morning peak) far more than they differ.
    let input_text = std::fs::read_to_string(fixture(RAW)).unwrap();
    let last_week: Vec<f64> = input_text
        .lines()
        .rev()
        .take(168)
        .map(|l| l.split(',').nth(5).unwrap().parse::<f64>().unwrap())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let csv = std::fs::read_to_string(dir.path().join("Output/dma-5/Forecast/forecast.csv")).unwrap();
    let forecast: Vec<f64> = rows(&csv).iter().map(|r| r[1].parse().unwrap()).collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (mf, mw) = (mean(&forecast), mean(&last_week));
    let covariance: f64 = forecast.iter().zip(&last_week).map(|(f, w)| (f - mf) * (w - mw)).sum();
    let spread = |v: &[f64], m: f64| v.iter().map(|x| (x - m) * (x - m)).sum::<f64>().sqrt();
    let correlation = covariance / (spread(&forecast, mf) * spread(&last_week, mw));
    assert!(correlation > 0.8, "dma-5 forecast vs last week: r = {correlation}");
    assert!((mf / mw - 1.0).abs() < 0.15, "dma-5 level {mf} vs {mw}");
}

#[test]
fn a_saved_model_is_reused_only_for_its_own_site_and_horizon() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(RAW);
    let input = input.to_str().unwrap();
    let first = flow(
        dir.path(),
        &[
            "forecast",
            "--input",
            input,
            "--column",
            "DMA 2 (L/s)",
            "--horizon",
            "24h",
        ],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    let csv = dir.path().join("Output/dma-2/Forecast/forecast.csv");
    let fitted = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(fitted.lines().count(), 25);
    let saved = dir.path().join("saved.json");
    std::fs::copy(dir.path().join("Output/dma-2/Forecast/model.json"), &saved).unwrap();
    let saved = saved.to_str().unwrap();
    // A day ahead for `column` with the model at `model`.
    let with_model = |column: &str, model: &str| {
        flow(
            dir.path(),
            &[
                "forecast",
                "--input",
                input,
                "--column",
                column,
                "--horizon",
                "24h",
                "--model",
                model,
            ],
        )
    };
    let again = with_model("DMA 2 (L/s)", saved);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stdout(&again).contains("model            loaded, fitted up to 2021-12-01 00:00:00"));
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        fitted,
        "the loaded model forecasts the same"
    );
    // The folder holds the model that made its forecast: the given file, byte for byte.
    let own = dir.path().join("Output/dma-2/Forecast/model.json");
    assert_eq!(std::fs::read(&own).unwrap(), std::fs::read(saved).unwrap());
    // Given from that very folder, the model is read and left alone, not rewritten.
    let modified = std::fs::metadata(&own).unwrap().modified().unwrap();
    let in_place = with_model("DMA 2 (L/s)", own.to_str().unwrap());
    assert!(in_place.status.success(), "{}", stderr(&in_place));
    assert!(stdout(&in_place).contains("kept             "), "{}", stdout(&in_place));
    assert_eq!(std::fs::metadata(&own).unwrap().modified().unwrap(), modified);
    assert_eq!(std::fs::read(&own).unwrap(), std::fs::read(saved).unwrap());
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), fitted);
    let other = with_model("DMA 3 (L/s)", saved);
    assert_refused(
        &other,
        "--model: fitted for site dma-2 (hourly, 24 steps), not for dma-3",
    );
    // A model.json edited by hand or cut short is refused by what is wrong with it, naming the
    // file, and nothing is written (it once panicked on short quantiles and forecast silently
    // from short coefficients).
    let model: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
    // Hourly, 4 weeks, no weather: 4 lags + their mean + 6 departures + level change + 3 × 24 day
    // types + holiday + 4 lag-day holidays = 89 inputs; 24 steps of quantiles.
    for (part, message) in [
        (
            "coefficients",
            "the model holds 10 coefficients where its settings need 89",
        ),
        (
            "error_quantiles",
            "the model holds 10 error quantiles where its settings need 24",
        ),
    ] {
        let mut edited = model.clone();
        let list = edited["model"][part].as_array_mut().unwrap();
        list.truncate(10);
        let path = write(dir.path(), &format!("short_{part}.json"), edited.to_string().as_bytes());
        let before = std::fs::read_to_string(&csv).unwrap();
        let output = with_model("DMA 2 (L/s)", path.to_str().unwrap());
        let error = assert_refused(&output, message);
        assert!(
            error.contains(&format!("short_{part}.json: not a usable forecast model")),
            "{error}"
        );
        assert_eq!(std::fs::read_to_string(&csv).unwrap(), before, "nothing rewritten");
    }
}

#[test]
fn blank_hours_at_the_end_are_forecast_too_and_days_work() {
    let dir = tempfile::tempdir().unwrap();
    // The last three hours of DMA 1 blank: the forecast starts at the first of them.
    let path = with_dma1(dir.path(), "tail.csv", "", |i, count| i + 3 >= count);
    let output = flow(
        dir.path(),
        &[
            "forecast",
            "--input",
            path.to_str().unwrap(),
            "--column",
            "DMA 1 (L/s)",
            "--horizon",
            "24",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains(
        "forecast         27 steps from 2021-11-30 21:00:00 (3 blank step(s) at the end of the file, up to 2021-11-30 23:00:00, forecast too)"
    ));
    let csv = std::fs::read_to_string(dir.path().join("Output/dma-1/Forecast/forecast.csv")).unwrap();
    assert_eq!(rows(&csv).len(), 27);
    // The weather file of the same months ends with the readings: not an input, and said so.
    let weather = fixture("bwdf/weather_2021-08_2021-11.csv");
    let with_weather = flow(
        dir.path(),
        &[
            "forecast",
            "--input",
            fixture(RAW).to_str().unwrap(),
            "--column",
            "DMA 7 (L/s)",
            "--exog",
            weather.to_str().unwrap(),
        ],
    );
    assert!(with_weather.status.success(), "{}", stderr(&with_weather));
    assert!(
        stdout(&with_weather).contains(
            "weather          not an input: the --exog file does not cover every step from 2021-12-01 00:00:00"
        ),
        "{}",
        stdout(&with_weather)
    );
    // Daily values, a week ahead.
    let daily = flow(
        dir.path(),
        &[
            "forecast",
            "--input",
            fixture(RAW).to_str().unwrap(),
            "--column",
            "DMA 4 (L/s)",
            "--interval",
            "daily",
            "--horizon",
            "7d",
        ],
    );
    assert!(daily.status.success(), "{}", stderr(&daily));
    // A day's step: the baseline is the same day last week, and named so.
    assert!(stdout(&daily).contains("; same day last week "), "{}", stdout(&daily));
    let csv = std::fs::read_to_string(dir.path().join("Output/dma-4/Forecast/forecast.csv")).unwrap();
    let days: Vec<String> = rows(&csv).iter().map(|r| r[0].clone()).collect();
    assert_eq!(days.len(), 7);
    assert_eq!(
        (days[0].as_str(), days[6].as_str()),
        ("2021-12-01 00:00:00", "2021-12-07 00:00:00")
    );
}

#[test]
fn the_lstm_stays_available_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(RAW);
    let output = flow(
        dir.path(),
        &[
            "forecast",
            "--input",
            input.to_str().unwrap(),
            "--column",
            "DMA 2 (L/s)",
            "--method",
            "lstm",
            "--horizon",
            "24h",
            "--history-days",
            "60",
            "--calibration-days",
            "14",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("model            LSTM (window 24, calendar inputs), trained on up to 60 days"),
        "{text}"
    );
    assert!(text.contains("held-out check   "), "{text}");
    let folder = dir.path().join("Output/dma-2/Forecast");
    let csv = std::fs::read_to_string(folder.join("forecast.csv")).unwrap();
    let rows = rows(&csv);
    assert_eq!(rows.len(), 24);
    let values: Vec<f64> = rows.iter().map(|r| r[1].parse().unwrap()).collect();
    // DMA 2 runs at 6–21 L/s: the network's day stays in that range.
    assert!(values.iter().all(|v| (3.0..30.0).contains(v)), "{values:?}");
    // The network is kept beside a model.json that names its weights, and is reused by --model
    // without training (the file decides the method): the same forecast.
    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("model.json")).unwrap()).unwrap();
    assert_eq!(model["format"], "flow-horizon-lstm-1");
    assert_eq!(model["horizon"], 24);
    let saved = dir.path().join("saved");
    std::fs::create_dir_all(saved.join("lstm")).unwrap();
    std::fs::copy(folder.join("model.json"), saved.join("model.json")).unwrap();
    for file in ["model.json", "model.safetensors"] {
        std::fs::copy(folder.join("lstm").join(file), saved.join("lstm").join(file)).unwrap();
    }
    let reuse = |model_json: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "forecast",
            "--input",
            input.to_str().unwrap(),
            "--column",
            "DMA 2 (L/s)",
            "--horizon",
            "24h",
            "--model",
            model_json.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        flow(dir.path(), &args)
    };
    let again = reuse(&saved.join("model.json"), &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    let text = stdout(&again);
    assert!(text.contains("model            LSTM loaded from"), "{text}");
    assert!(!text.contains("trained on up to"), "{text}");
    assert_eq!(std::fs::read_to_string(folder.join("forecast.csv")).unwrap(), csv);
    // The site's folder holds the given model and its network, copied as they are.
    for file in ["model.json", "lstm/model.json", "lstm/model.safetensors"] {
        assert_eq!(
            std::fs::read(folder.join(file)).unwrap(),
            std::fs::read(saved.join(file)).unwrap(),
            "{file}"
        );
    }
    // A network of another fit beside that model.json is refused, naming it.
    let mut other = model.clone();
    other["network_sha256"] = serde_json::Value::from("0".repeat(64));
    std::fs::write(saved.join("model.json"), other.to_string()).unwrap();
    assert_refused(
        &reuse(&saved.join("model.json"), &[]),
        "the network is not the one its model.json names (SHA-256 differs)",
    );
    // --method lstm with a week-profile regression's model.json is refused.
    let regression = flow(
        dir.path(),
        &[
            "forecast",
            "--input",
            input.to_str().unwrap(),
            "--column",
            "DMA 3 (L/s)",
            "--horizon",
            "24h",
        ],
    );
    assert!(regression.status.success(), "{}", stderr(&regression));
    let profile = dir.path().join("Output/dma-3/Forecast/model.json");
    assert_refused(
        &reuse(&profile, &["--method", "lstm"]),
        "holds a week-profile regression (leave --method out to use it)",
    );
}

#[test]
fn backtest_scores_the_model_and_the_baselines_per_area_and_origin() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(RAW);
    let output = flow(
        dir.path(),
        &[
            "backtest",
            "--input",
            input.to_str().unwrap(),
            "--sites",
            "all",
            "--folds",
            "2",
            "--holidays",
            &holidays(),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    // The last two Mondays whose week the data cover: 2021-11-22 and 2021-11-15.
    assert_eq!(text.matches("2021-11-15 00:00").count(), 10, "{text}");
    assert_eq!(text.matches("2021-11-22 00:00").count(), 10, "{text}");
    let csv = std::fs::read_to_string(dir.path().join("Output/Backtest/backtest.csv")).unwrap();
    assert!(csv.starts_with(
        "origin,site,time,actual,forecast,lower_80,upper_80,lower_95,upper_95,last_week,four_week_mean\n"
    ));
    assert_eq!(rows(&csv).len(), 10 * 2 * 168);
    // Every forecast row of an origin lies in its week; the actual is the file's reading.
    let first = &rows(&csv)[0];
    assert_eq!(
        (first[0].as_str(), first[1].as_str(), first[2].as_str()),
        ("2021-11-15 00:00", "dma-1", "2021-11-15 00:00:00")
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("Output/Backtest/backtest.json")).unwrap())
            .unwrap();
    assert_eq!(summary["scores"].as_array().unwrap().len(), 20);
    let model = summary["model"]["first_day_mae"].as_f64().unwrap();
    let last_week = summary["last_week"]["first_day_mae"].as_f64().unwrap();
    assert!(
        model < last_week,
        "the regression beats same hour last week: {model} vs {last_week}"
    );
    let inside = summary["model"]["inside_80"].as_f64().unwrap();
    assert!((0.6..=0.98).contains(&inside), "80 % band held {inside}");
    assert!(text.contains("verdict"), "{text}");
}

/// The fixture's weather as Korea's weather service (KMA ASOS) exports it: cp949, the station
/// before the time, `기온(°C)`, `강수량(mm)` blank in a dry hour, and the dew point (`이슬점온도`),
/// which is no air temperature; `blank_temperatures` hours (by row) without a temperature. Also
/// the number of dry hours (the autumn hour the local clock repeats is one).
fn kma_weather(dir: &std::path::Path, name: &str, blank_temperatures: &[usize]) -> (std::path::PathBuf, usize) {
    let text = std::fs::read_to_string(fixture("bwdf/weather_2021-08_2021-11.csv")).unwrap();
    let mut kma = String::from("지점,지점명,일시,이슬점온도(°C),기온(°C),강수량(mm),습도(%)\n");
    let mut dry = std::collections::BTreeSet::new();
    for (row, line) in text.lines().skip(1).enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let (time, rain, temperature, humidity) = (cells[0], cells[1], cells[2], cells[3]);
        let rain = if rain.parse::<f64>().unwrap() == 0.0 {
            dry.insert(time.to_string());
            ""
        } else {
            rain
        };
        let temperature = if blank_temperatures.contains(&row) {
            ""
        } else {
            temperature
        };
        kma.push_str(&format!("245,정읍,{time},12.0,{temperature},{rain},{humidity}\n"));
    }
    let (bytes, _, _) = encoding_rs::EUC_KR.encode(&kma);
    (write(dir, name, &bytes), dry.len())
}

/// `flow forecast` of the raw fixture's dma-1 with `--holidays holidays`, into `out`.
fn forecast_dma1_with_holidays(dir: &std::path::Path, holidays: &str, out: &str) -> std::process::Output {
    let input = fixture(RAW);
    flow(
        dir,
        &[
            "forecast",
            "--input",
            input.to_str().unwrap(),
            "--site",
            "dma-1",
            "--holidays",
            holidays,
            "--output-dir",
            out,
        ],
    )
}

#[test]
fn holidays_written_day_first_are_the_same_holidays() {
    let dir = tempfile::tempdir().unwrap();
    // The fixture's Italian holidays as a spreadsheet in Italy saves them: `25/12/2021;Natale`.
    let iso = std::fs::read_to_string(holidays()).unwrap();
    let mut italian = String::from("data;festa\n");
    for line in iso.lines().skip(1) {
        let (date, name) = line.split_once(',').unwrap();
        let parts: Vec<&str> = date.split('-').collect();
        italian.push_str(&format!("{}/{}/{};{name}\n", parts[2], parts[1], parts[0]));
    }
    let italian = write(dir.path(), "festivi.csv", italian.as_bytes());
    let forecast = |file: &str, out: &str| {
        let output = forecast_dma1_with_holidays(dir.path(), file, out);
        assert!(output.status.success(), "{}", stderr(&output));
        let note = stdout(&output)
            .lines()
            .find(|l| l.starts_with("holidays"))
            .unwrap()
            .to_string();
        let csv = std::fs::read_to_string(dir.path().join(out).join("dma-1/Forecast/forecast.csv")).unwrap();
        (note.replace(file, "FILE"), csv)
    };
    // The same dates saved by Excel in Korea (cp949, Korean names) and with a byte-order mark and
    // no header (its first date was once lost as a "header", and cp949 refused as not UTF-8).
    let korean: String = iso.lines().skip(1).map(|l| format!("{},공휴일\n", &l[..10])).collect();
    let named = format!("날짜,이름\n{korean}");
    let (cp949, _, _) = encoding_rs::EUC_KR.encode(&named);
    let cp949 = write(dir.path(), "공휴일.csv", &cp949);
    let bom = write(dir.path(), "bom.csv", format!("\u{feff}{korean}").as_bytes());
    let (iso_note, iso_csv) = forecast(&holidays(), "Iso");
    assert!(
        iso_note.contains("of them within the data and the horizon"),
        "{iso_note}"
    );
    for (file, out) in [(&italian, "Italian"), (&cp949, "Korean"), (&bom, "Bom")] {
        let (note, csv) = forecast(file.to_str().unwrap(), out);
        assert_eq!(note, iso_note, "{out}");
        assert_eq!(csv, iso_csv, "{out}");
    }
}

/// `--holidays it`, the built-in calendar, holds the fixture's Italian holidays for these months:
/// the same forecast, byte for byte, and the note says which calendar was read. A name that is
/// neither a file nor a calendar is one line naming the calendars, and nothing is written.
#[test]
fn a_built_in_holiday_calendar_is_the_file_it_stands_for() {
    let dir = tempfile::tempdir().unwrap();
    let forecast = |holidays: &str, out: &str| forecast_dma1_with_holidays(dir.path(), holidays, out);
    let csv = |out: &str| std::fs::read_to_string(dir.path().join(out).join("dma-1/Forecast/forecast.csv")).unwrap();
    let file = forecast(&holidays(), "File");
    assert!(file.status.success(), "{}", stderr(&file));
    let built_in = forecast("it", "BuiltIn");
    assert!(built_in.status.success(), "{}", stderr(&built_in));
    assert_eq!(csv("BuiltIn"), csv("File"));
    let text = stdout(&built_in);
    let note = text.lines().find(|l| l.starts_with("holidays")).unwrap();
    assert!(
        note.contains("262 date(s) from it (Italy's national public holidays 2015-2035, built in)"),
        "{note}"
    );
    let unknown = forecast("fr", "Unknown");
    assert_refused(
        &unknown,
        "fr: no such file, nor a built-in calendar (kr: South Korea's public holidays 2015-2035, built in; it: Italy's",
    );
    assert!(!dir.path().join("Unknown").exists());
}

#[test]
fn weather_files_as_weather_services_write_them_are_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(RAW);
    let backtest = |exog: Option<&std::path::Path>, out: &str| {
        let mut args = vec![
            "backtest",
            "--input",
            input.to_str().unwrap(),
            "--sites",
            "dma-1,dma-5",
            "--folds",
            "1",
            "--output-dir",
            out,
        ];
        if let Some(path) = exog {
            args.extend(["--exog", path.to_str().unwrap()]);
        }
        let output = flow(dir.path(), &args);
        assert!(output.status.success(), "{}", stderr(&output));
        let csv = std::fs::read_to_string(dir.path().join(out).join("Backtest/backtest.csv")).unwrap();
        (stdout(&output), csv)
    };
    let (_, plain) = backtest(None, "Plain");
    let (text, given) = backtest(Some(&fixture("bwdf/weather_2021-08_2021-11.csv")), "Given");
    assert!(
        text.contains("`temperature_c` as temperature, `rain_mm` as rain; 2928 step(s)"),
        "{text}"
    );
    assert!(!text.contains("not an input"), "{text}");
    assert_ne!(plain, given, "the weather is an input");
    // The same weather the way KMA writes it: read as the same numbers, the same forecast.
    let (kma, dry) = kma_weather(dir.path(), "kma.csv", &[]);
    let (text, from_kma) = backtest(Some(&kma), "Kma");
    assert!(
        text.contains(&format!(
            "kma.csv: `기온(°C)` as temperature, `강수량(mm)` as rain; 2928 step(s) from 2021-08-01 00:00 to 2021-11-30 23:00; {dry} blank rain reading(s) taken as dry"
        )),
        "{text}"
    );
    assert!(dry > 2000, "most hours are dry: {dry}");
    assert_eq!(from_kma, given);
    // Temperatures missing for two hours, and for one: filled between their neighbours, every
    // fit still made (a blank reached the regression and failed every site before).
    let (gappy, _) = kma_weather(dir.path(), "gappy.csv", &[100, 101, 2000]);
    let (text, _) = backtest(Some(&gappy), "Gappy");
    assert!(
        text.contains("; 3 temperature(s) filled between neighbours (gaps of up to 3 steps)"),
        "{text}"
    );
    assert!(!text.contains("not an input") && !text.contains("failed"), "{text}");
}

#[test]
fn sites_of_any_export_are_listed_with_their_slugs() {
    let dir = tempfile::tempdir().unwrap();
    let output = flow(dir.path(), &["sites", "--input", fixture(RAW).to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.lines()
            .any(|l| l.starts_with("dma-10 ") && l.ends_with("DMA 10 (L/s)")),
        "{text}"
    );
    assert_eq!(text.lines().count(), 11, "{text}");
    // The same export as a spreadsheet in Italy saves it (`;` between cells, decimal commas):
    // the same columns, the same readings and times.
    let semicolon: String = std::fs::read_to_string(fixture(RAW))
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let cells: Vec<String> = line
                .split(',')
                .map(|c| if i == 0 { c.to_string() } else { c.replace('.', ",") })
                .collect();
            cells.join(";") + "\n"
        })
        .collect();
    let italian = write(dir.path(), "semicolon.csv", semicolon.as_bytes());
    let output = flow(dir.path(), &["sites", "--input", italian.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), text);
    // Slugs from Hangul headers take two terminal columns a letter: the columns after them line
    // up on screen.
    let (kma, _) = kma_weather(dir.path(), "kma.csv", &[]);
    let output = flow(dir.path(), &["sites", "--input", kma.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let starts: Vec<usize> = text
        .lines()
        .skip(1)
        .filter_map(|line| {
            line.find("2021-08-01")
                .map(|at| unicode_width::UnicodeWidthStr::width(&line[..at]))
        })
        .collect();
    assert_eq!(starts.len(), 5, "{text}");
    assert!(starts.iter().all(|&s| s == starts[0]), "{starts:?}\n{text}");
    // Two meters exported under one tag description, and a column with no header: each is
    // listed under a name of its own and read from its own cells (the second `DMA 1`, one reading
    // blank, was never read: the first was found under both).
    let repeated = write(
        dir.path(),
        "repeated.csv",
        b"time,DMA 1,DMA 1,\n2021-08-01 00:00,1,,3\n2021-08-01 01:00,1,2,3\n",
    );
    let output = flow(dir.path(), &["sites", "--input", repeated.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("column 3 repeats the header `DMA 1`: read as `DMA 1 #3`"),
        "{text}"
    );
    assert!(text.contains("column 4 has no header: read as `column 4`"), "{text}");
    let listed: Vec<Vec<&str>> = text
        .lines()
        .skip_while(|l| !l.starts_with("slug"))
        .skip(1)
        .map(|l| l.split_whitespace().take(2).collect())
        .collect();
    assert_eq!(listed, [["dma-1", "2"], ["dma-1-3", "1"], ["column-4", "2"]], "{text}");
    // The span is the column's own readings, not the file's rows: the second meter's one
    // reading is at 01:00.
    assert!(
        text.lines()
            .any(|l| l.starts_with("dma-1-3") && l.contains("  2021-08-01 01:00  2021-08-01 01:00  DMA 1 #3")),
        "{text}"
    );
    // A Windows-1252 `°C` is also a cp949 pair: said with --encoding, the header reads right.
    let celsius = write(
        dir.path(),
        "celsius.csv",
        b"time,Temp (\xB0C)\n2021-08-01 00:00,1\n2021-08-01 01:00,2\n",
    );
    let output = flow(
        dir.path(),
        &[
            "sites",
            "--input",
            celsius.to_str().unwrap(),
            "--encoding",
            "windows-1252",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("  Temp (°C)\n"), "{}", stdout(&output));
    // The slugs listed are the names `--site` and `--sites` take (any case).
    let raw = fixture(RAW);
    let raw = raw.to_str().unwrap();
    let output = flow(
        dir.path(),
        &["forecast", "--input", raw, "--sites", "dma-7,DMA-2", "--horizon", "24"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let root = dir.path().join("Output");
    let mut written: Vec<String> = files_under(&root)
        .iter()
        .map(|p| p.strip_prefix(&root).unwrap().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "dma-2/Forecast/forecast.csv",
            "dma-2/Forecast/forecast.png",
            "dma-2/Forecast/model.json",
            "dma-7/Forecast/forecast.csv",
            "dma-7/Forecast/forecast.png",
            "dma-7/Forecast/model.json"
        ]
    );
    let output = flow(
        dir.path(),
        &[
            "backtest",
            "--input",
            raw,
            "--site",
            "dma-11",
            "--origins",
            "2021-11-01",
        ],
    );
    assert_refused(
        &output,
        "unknown site `dma-11`; known sites: dma-1, dma-2, dma-3, dma-4, dma-5, dma-6, dma-7, dma-8, dma-9, dma-10 (the value columns of",
    );
    assert!(stderr(&output).contains("inflows_raw_dayfirst_2021-08_2021-11.csv"));
}

#[test]
fn bad_forecast_inputs_are_refused_in_one_line_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let raw = fixture(RAW);
    let raw = raw.to_str().unwrap();
    let short = fixture("bwdf/inflows_2021-01_2021-03.csv");
    let short = short.to_str().unwrap();
    // Blank DMA 1 over its last five weeks.
    let quiet = with_dma1(dir.path(), "quiet.csv", "", |i, count| i + 35 * 24 >= count);
    let words = write(dir.path(), "words.csv", b"time,flow\nfirst of May,1\nsecond of May,2\n");
    let daily_model = write(
        dir.path(),
        "daily_model.json",
        br#"{"format": "flow-lstm/2", "site": "dma-1"}"#,
    );
    let time_only = write(
        dir.path(),
        "time_only.csv",
        b"time\n2021-01-01 00:00\n2021-01-01 01:00\n",
    );
    // One row typed with the year 9021 after a day of hours.
    let mut stray = String::from("time,flow\n");
    for hour in 0..24 {
        stray.push_str(&format!("2021-03-01 {hour:02}:00,5\n"));
    }
    stray.push_str("9021-03-02 00:00,5\n");
    let stray = write(dir.path(), "stray.csv", stray.as_bytes());
    // DMA 1 reading 0 throughout, as a meter not connected does.
    let zeros = with_dma1(dir.path(), "zeros.csv", "0", |_, _| true);
    let holidays = holidays();
    let ambiguous = write(dir.path(), "ambiguous.csv", b"date\n01/11/2021\n08/12/2021\n");
    let cp949 = fixture("small_export_cp949.csv");
    let weather = fixture("bwdf/weather_2021-08_2021-11.csv");
    let weather = weather.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["forecast", "--input", short, "--column", "dma1", "--horizon", "4w"],
            "days of history are too few for a horizon of 672 steps",
        ),
        (
            vec![
                "backtest",
                "--input",
                raw,
                "--column",
                "DMA 1 (L/s)",
                "--origins",
                "2020-01-06",
            ],
            "origin 2020-01-06 00:00:00: before the data of",
        ),
        (
            vec![
                "backtest",
                "--input",
                raw,
                "--column",
                "DMA 1 (L/s)",
                "--origins",
                "2021-11-01,2021-11-1",
            ],
            "--origins: 2021-11-01 00:00:00 given twice",
        ),
        (
            vec!["forecast", "--input", time_only.to_str().unwrap(), "--sites", "all"],
            "time_only.csv: no value column beside the time column",
        ),
        (
            // `flow detect` said "0 value columns (): choose one with --column".
            vec!["detect", "--input", time_only.to_str().unwrap()],
            "time_only.csv: no value column beside the time column",
        ),
        (
            vec![
                "backtest",
                "--input",
                raw,
                "--column",
                "DMA 1 (L/s)",
                "--origins",
                " , ",
            ],
            "--origins: no date given",
        ),
        (
            // Four months of hours: 17 Mondays with a week after them.
            vec!["backtest", "--input", raw, "--column", "DMA 1 (L/s)", "--folds", "1000"],
            "(2021-08-01 00:00:00 … 2021-11-30 23:00:00) hold 17 Monday origin(s) with a whole horizon after them",
        ),
        (
            vec![
                "forecast",
                "--input",
                raw,
                "--column",
                "DMA 1 (L/s)",
                "--time-format",
                "%d/%q",
            ],
            "time format `%d/%q` is not a chrono pattern with a date",
        ),
        (
            vec!["forecast", "--input", words.to_str().unwrap(), "--column", "flow"],
            "line 2: cannot read `first of May` as a timestamp",
        ),
        (
            vec![
                "forecast",
                "--input",
                quiet.to_str().unwrap(),
                "--column",
                "DMA 1 (L/s)",
            ],
            "dma-1 (DMA 1 (L/s)): no readings in the last 28 days",
        ),
        (
            vec![
                "forecast",
                "--input",
                zeros.to_str().unwrap(),
                "--column",
                "DMA 1 (L/s)",
            ],
            "dma-1 (DMA 1 (L/s)): no week of the history has a positive mean flow",
        ),
        (
            vec!["forecast", "--input", stray.to_str().unwrap(), "--column", "flow"],
            "more than 20000000; the row at 9021-03-02 00:00:00 looks stray",
        ),
        (
            // The daily job's model folder description is not a forecaster.
            vec!["forecast", "--input", raw, "--model", daily_model.to_str().unwrap()],
            "daily_model.json: format `flow-lstm/2`, expected flow-horizon-1 or flow-horizon-lstm-1",
        ),
        (
            vec!["forecast", "--input", raw, "--method", "arima"],
            "--method arima: expected profile or lstm",
        ),
        (
            // Weeks in seconds beyond i64: refused, not wrapped around.
            vec!["forecast", "--input", raw, "--horizon", "99999999999999w"],
            "--horizon 99999999999999w: far beyond the longest horizon (4 weeks)",
        ),
        (
            vec!["forecast", "--input", raw, "--horizon", "3x"],
            "--horizon 3x: expected a number of steps",
        ),
        (
            vec!["forecast", "--input", raw, "--ridge", "0"],
            "--ridge 0: must be a positive number",
        ),
        (
            vec!["forecast", "--input", raw, "--time-zone", "Mars/Base"],
            "unknown time zone `Mars/Base`",
        ),
        (
            // The LSTM has no holiday or weather input: given one, it would be ignored.
            vec!["forecast", "--input", raw, "--method", "lstm", "--holidays", &holidays],
            "--holidays with --method lstm: the LSTM's inputs are the flow, the day of the week and the hour",
        ),
        (
            vec![
                "backtest", "--input", raw, "--method", "lstm", "--exog", weather, "--folds", "1",
            ],
            "--exog with --method lstm: the LSTM's inputs are the flow, the day of the week and the hour",
        ),
        (
            // Ten columns and no --site: not "no column `장명(배) 유입유량 순시`".
            vec!["forecast", "--input", raw],
            "inflows_raw_dayfirst_2021-08_2021-11.csv: 10 value columns: choose one with --site (dma-1, dma-2,",
        ),
        (
            // After `flow preprocess --input F --site dma-1`: only the export knows that column.
            vec!["train", "--site", "dma-1"],
            "unknown site `dma-1`; known sites: jangmyeong, jangmyeong-out",
        ),
        (
            vec!["train", "--site", "dma-1"],
            "a column of another export needs that export: --input FILE --site dma-1",
        ),
        (
            vec!["forecast", "--input", raw, "--encoding", "klingon"],
            "--encoding klingon: expected utf-8, cp949 (euc-kr), windows-1252 (latin1) or utf-16",
        ),
        (
            vec!["forecast", "--input", cp949.to_str().unwrap(), "--encoding", "utf-8"],
            "small_export_cp949.csv: byte 0 is not valid UTF-8 (--encoding UTF-8)",
        ),
        (
            // Dates no later than the 12th: day-first or month-first cannot be told.
            vec!["forecast", "--input", raw, "--holidays", ambiguous.to_str().unwrap()],
            "ambiguous.csv: dates like `01/11/2021` could be day-first or month-first",
        ),
        (
            vec!["forecast", "--input", raw, "--exog", words.to_str().unwrap()],
            "words.csv: no temperature column (looked for a header with 기온, temp, 온도; headers: flow)",
        ),
    ];
    for (args, message) in cases {
        let output = flow(dir.path(), &args);
        assert_refused(&output, message);
        assert!(
            files_under(&dir.path().join("Output")).is_empty(),
            "{args:?} wrote files"
        );
    }
}

/// `days` days of hours from Monday 2021-01-04: a daily swing, lower weekends and a small
/// deterministic ripple; blank on the days `blank` covers.
fn hourly_days(days: usize, blank: std::ops::Range<usize>) -> String {
    let mut text = String::from("time,flow\n");
    for hour in 0..days * 24 {
        let day = hour / 24;
        let weekend = day % 7 >= 5;
        let start = 1_609_718_400 + 3600 * hour as i64; // 2021-01-04 00:00 UTC
        let value = 10.0 + 3.0 * (std::f64::consts::TAU * (hour % 24) as f64 / 24.0).sin()
            - if weekend { 2.0 } else { 0.0 }
            + 0.3 * ((hour * 7919) % 13) as f64 / 13.0;
        let cell = if blank.contains(&day) {
            String::new()
        } else {
            format!("{value:.3}")
        };
        let time = flowcore::time::format_timestamp(start);
        text.push_str(&format!("{},{cell}\n", &time[..16]));
    }
    text
}

#[test]
fn a_meter_silent_for_weeks_before_an_origin_skips_that_origin_only() {
    let dir = tempfile::tempdir().unwrap();
    // 200 days; blank for the 25 days before Monday 2021-06-28 (day 175).
    let path = write(dir.path(), "silent.csv", hourly_days(200, 150..175).as_bytes());
    let output = flow(
        dir.path(),
        &[
            "backtest",
            "--input",
            path.to_str().unwrap(),
            "--column",
            "flow",
            "--origins",
            "2021-05-24,2021-06-28",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("2021-06-28 00:00 skipped: its last 600 steps are blank (no reading from 2021-06-03 00:00:00 to 2021-06-27 23:00:00): a forecast from its last reading would span 768 steps, beyond the limit of 672 (4 weeks)"),
        "{text}"
    );
    assert!(text.contains("mean of 1 site-origins with readings"), "{text}");
    let csv = std::fs::read_to_string(dir.path().join("Output/Backtest/backtest.csv")).unwrap();
    assert_eq!(rows(&csv).len(), 168);
    assert!(rows(&csv).iter().all(|r| r[0] == "2021-05-24 00:00"));
    // Forecasting from the silent stretch is refused in one line, saying why.
    let cut = write(dir.path(), "cut.csv", hourly_days(175, 150..175).as_bytes());
    let output = flow(
        dir.path(),
        &["forecast", "--input", cut.to_str().unwrap(), "--column", "flow"],
    );
    assert_refused(
        &output,
        "flow (flow): its last 600 steps are blank (no reading from 2021-06-03 00:00:00 to 2021-06-27 23:00:00)",
    );
    assert!(files_under(&dir.path().join("Output/flow")).is_empty());
}

/// An outage of months leaves a history long enough but mostly blank: filled across it, the
/// model once forecast zeros with bands that held none of the held-out readings, and wrote them.
#[test]
fn a_history_mostly_blank_is_refused_and_a_backtest_with_nothing_scored_fails() {
    let dir = tempfile::tempdir().unwrap();
    // 250 days from Monday 2021-01-04, blank on days 100-214: the last 106 days hold 35.
    let path = write(dir.path(), "outage.csv", hourly_days(250, 100..215).as_bytes());
    let output = flow(
        dir.path(),
        &["forecast", "--input", path.to_str().unwrap(), "--column", "flow"],
    );
    assert_refused(
        &output,
        "flow (flow): only 35 of the last 106 days hold readings (the longest gap runs from \
         2021-05-28 00:00:00 to 2021-08-06 23:00:00): too few to fit a forecast of 168 steps",
    );
    assert!(files_under(&dir.path().join("Output")).is_empty());
    // A short history ending in two blank days: the horizon said is 216 steps, and why.
    let short = write(dir.path(), "short.csv", hourly_days(80, 78..80).as_bytes());
    let output = flow(
        dir.path(),
        &["forecast", "--input", short.to_str().unwrap(), "--column", "flow"],
    );
    assert_refused(
        &output,
        "flow (flow): 78 days of history are too few for a horizon of 216 steps (the 48 blank steps at \
         the history's end, and 168 after it): need at least",
    );
    // Two such columns: both fail, and no "others" are said to have finished.
    let both = hourly_days(250, 100..215).replace("time,flow", "time,flow,flow2");
    let both: String = both
        .lines()
        .map(|line| match line.split_once(',') {
            Some((time, cell)) if time != "time" => format!("{time},{cell},{cell}\n"),
            _ => format!("{line}\n"),
        })
        .collect();
    let path = write(dir.path(), "two.csv", both.as_bytes());
    let output = flow(
        dir.path(),
        &["forecast", "--input", path.to_str().unwrap(), "--sites", "all"],
    );
    let said = assert_refused(&output, "two.csv: 2 of 2 sites failed (flow, flow2); reasons above");
    assert!(!said.contains("the others finished"), "{said}");
    // Every origin skipped (the meter silent for the 32 days before it): no header-only file.
    let silent = write(dir.path(), "silent.csv", hourly_days(200, 150..190).as_bytes());
    let output = flow(
        dir.path(),
        &[
            "backtest",
            "--input",
            silent.to_str().unwrap(),
            "--column",
            "flow",
            "--origins",
            "2021-07-05",
        ],
    );
    assert!(stdout(&output).contains("2021-07-05 00:00 skipped: no readings in the last 28 days"));
    assert_refused(
        &output,
        "no origin could be scored at any site (1 origin(s) each skipped, the reasons above); nothing written",
    );
    assert!(files_under(&dir.path().join("Output")).is_empty());
    // A backtest across such an outage (days 150-259 blank): the origin three weeks after it is
    // skipped with the reason, the origins before and long after it are scored.
    let across = write(dir.path(), "across.csv", hourly_days(400, 150..260).as_bytes());
    let output = flow(
        dir.path(),
        &[
            "backtest",
            "--input",
            across.to_str().unwrap(),
            "--column",
            "flow",
            "--origins",
            "2021-05-24,2021-10-11,2022-01-24",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(
            "2021-10-11 00:00 skipped: only 20 of the last 106 days hold readings (the longest gap runs \
             from 2021-06-27 00:00:00 to 2021-09-20 23:00:00)"
        ),
        "{text}"
    );
    assert!(text.contains("mean of 2 site-origins with readings"), "{text}");
}
