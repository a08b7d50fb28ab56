//! What the forecast of the hours and days ahead reads besides the flow, checked before the
//! export is read: the interval and horizon, the regression's settings, the holidays and the
//! weather; each site's readings on the hourly or daily grid; what the clock did to the file.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use flowcore::resample::resample_mean;
use flowcore::time::{format_timestamp, parse_timestamp, DAY};
use flowcore::FeatureSet;
use flowcore::{Check, Checked, Export, IngestReport, Interval, Selector};
use flowlstm::horizon::{Calendar, Grid, HorizonConfig, MAX_HORIZON_WEEKS};
use flowlstm::TrainConfig;

use crate::error::{FlowError, Result};
use crate::options::HorizonArgs;
use crate::site::Target;

/// What `flow forecast` and `flow backtest` were asked, checked before the export is read.
#[derive(Debug, Clone)]
pub struct HorizonPlan {
    /// The regression's settings (the horizon is set per forecast: the blank tail is added).
    pub config: Checked<HorizonConfig>,
    /// Hourly or daily.
    pub interval: Interval,
    /// Holidays and weather.
    pub calendar: Calendar,
    /// The `--holidays` file, for the terminal.
    pub holidays_file: Option<std::path::PathBuf>,
    /// The model: the week-profile regression, or the LSTM with its training settings.
    pub method: Method,
}

/// Which model forecasts.
#[derive(Debug, Clone)]
pub enum Method {
    /// The week-profile regression (`flowlstm::horizon`), the default.
    Profile,
    /// The LSTM (`flowlstm::horizon_lstm`), with its training settings.
    Lstm(Checked<TrainConfig>),
}

impl Method {
    /// Its name on the terminal and in files.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Profile => "week-profile regression",
            Method::Lstm(_) => "LSTM",
        }
    }
}

/// The LSTM's settings for the hours or days ahead: the recommended model with calendar inputs,
/// a day of hours (or a week of days) as its window, and nearly every window trained on (its
/// own test part would hide the latest weeks from it).
fn lstm_config(interval: Interval) -> Result<Checked<TrainConfig>> {
    let hourly = interval < Interval::DAILY;
    Ok(TrainConfig {
        window: if hourly { 24 } else { 7 },
        train_fraction: 0.95,
        features: FeatureSet {
            day_of_week: true,
            hour_of_day: hourly,
        },
        ..TrainConfig::default()
    }
    .check()?)
}

impl HorizonPlan {
    /// Steps in a day at this interval.
    pub fn per_day(&self) -> usize {
        usize::try_from(DAY / self.interval.seconds()).unwrap_or(1)
    }

    /// The steps a forecast from the last reading of `grid` spans (the horizon, plus the blank
    /// steps at its end, which are forecast too), or why there is none: a meter silent for four
    /// weeks, or for so long that the span passes the model's limit of four weeks.
    pub fn span(&self, grid: &Grid) -> std::result::Result<usize, String> {
        if grid.quiet_for_four_weeks() {
            return Err(flowlstm::LstmError::NoRecentReadings { days: 28 }.to_string());
        }
        let tail = grid.blank_tail();
        let steps = self.config.horizon + tail;
        let limit = MAX_HORIZON_WEEKS * 7 * self.per_day();
        if tail > 0 && steps > limit {
            let last = grid.values.len() - tail;
            return Err(format!(
                "its last {tail} steps are blank (no reading from {} to {}): a forecast from its last reading would span {steps} steps, beyond the limit of {limit} (4 weeks)",
                format_timestamp(grid.time(last)),
                format_timestamp(grid.time(grid.values.len() - 1))
            ));
        }
        Ok(steps)
    }

    /// How many of the `--holidays` dates fall within `grid` and the horizon after it: a file of
    /// other years (or an empty one) changes nothing, and the engineer should see that.
    pub fn holiday_note(&self, grid: &Grid) -> Option<String> {
        let file = self.holidays_file.as_ref()?;
        let first = grid.start.div_euclid(DAY);
        let end = grid.time(grid.values.len() + self.config.horizon);
        let last = (end - 1).div_euclid(DAY);
        let within = self.calendar.holidays.range(first..=last).count();
        Some(format!(
            "holidays         {} date(s) from {}; {within} of them within the data and the horizon ({} … {}){}",
            self.calendar.holidays.len(),
            file.display(),
            &format_timestamp(grid.start)[..10],
            &format_timestamp(end - 1)[..10],
            if within == 0 {
                " — none: check the file's years"
            } else {
                ""
            }
        ))
    }

    /// The settings for a forecast of `steps` steps.
    pub fn config_for(&self, steps: usize) -> Result<Checked<HorizonConfig>> {
        Ok(HorizonConfig {
            horizon: steps,
            ..(*self.config).clone()
        }
        .check()?)
    }
}

/// `--interval` and `--horizon` read, the settings checked and the holidays and weather read.
pub fn horizon_plan(args: &HorizonArgs) -> Result<HorizonPlan> {
    let interval = match args.interval.trim().to_ascii_lowercase().as_str() {
        "hourly" | "hour" | "1h" => Interval::HOURLY,
        "daily" | "day" | "1d" => Interval::DAILY,
        other => return Err(format!("--interval {other}: expected hourly or daily").into()),
    };
    let per_day = usize::try_from(DAY / interval.seconds()).unwrap_or(1);
    let horizon = match &args.horizon {
        None => 7 * per_day,
        Some(text) => parse_horizon(text, interval)?,
    };
    // Checked here, before any file is read (a site's blank tail can lengthen it later).
    let limit = MAX_HORIZON_WEEKS * 7 * per_day;
    if horizon > limit {
        return Err(flowlstm::LstmError::Horizon { horizon, limit }.into());
    }
    let method = match args.method.trim().to_ascii_lowercase().as_str() {
        "profile" => Method::Profile,
        "lstm" => Method::Lstm(lstm_config(interval)?),
        other => return Err(format!("--method {other}: expected profile or lstm").into()),
    };
    let config = HorizonConfig {
        horizon,
        weeks: args.weeks,
        ridge: args.ridge,
        history_days: args.history_days,
        calibration_days: args.calibration_days,
    }
    .check()?;
    let holidays = match &args.holidays {
        Some(path) => read_holidays(path)?,
        None => BTreeSet::new(),
    };
    let weather = match &args.exog {
        Some(path) => Some(read_weather(path, interval)?),
        None => None,
    };
    Ok(HorizonPlan {
        config,
        interval,
        calendar: Calendar { holidays, weather },
        holidays_file: args.holidays.clone(),
        method,
    })
}

/// `168` steps, `24h`, `7d`, `1w` → steps at `interval`.
pub fn parse_horizon(text: &str, interval: Interval) -> Result<usize> {
    let text = text.trim().to_ascii_lowercase();
    let bad = || -> FlowError {
        format!("--horizon {text}: expected a number of steps (168) or of hours, days or weeks (24h, 7d, 1w)").into()
    };
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => (&text[..at], Some(&text[at..])),
        None => (text.as_str(), None),
    };
    let count: i64 = number.parse().map_err(|_| bad())?;
    let unit_seconds = match unit {
        None => return usize::try_from(count).map_err(|_| bad()),
        Some("h") => 3_600,
        Some("d") => DAY,
        Some("w") => 7 * DAY,
        Some(_) => return Err(bad()),
    };
    // Beyond i64 seconds is beyond any limit: say so, not a wrapped-around number.
    let seconds = count.checked_mul(unit_seconds).ok_or_else(|| {
        FlowError::from(format!(
            "--horizon {text}: far beyond the longest horizon ({MAX_HORIZON_WEEKS} weeks)"
        ))
    })?;
    if seconds % interval.seconds() != 0 {
        return Err(format!("--horizon {text}: not a whole number of {interval} steps").into());
    }
    usize::try_from(seconds / interval.seconds()).map_err(|_| bad())
}

/// Holidays: the first cell of each line a date; a first line that is not one is a header.
fn read_holidays(path: &Path) -> Result<BTreeSet<i64>> {
    let text = std::fs::read_to_string(path).map_err(|source| flowcore::CoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut days = BTreeSet::new();
    for (index, line) in text.lines().enumerate() {
        // `date,name` or, from a spreadsheet in Europe, `date;name`.
        let cell = line.split([',', ';', '\t']).next().unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        match parse_timestamp(cell) {
            Some(time) => {
                days.insert(time.div_euclid(DAY));
            }
            None if index == 0 => {}
            None => {
                return Err(format!(
                    "{}: line {}: `{cell}` is not a date (expected e.g. 2022-11-01)",
                    path.display(),
                    index + 1
                )
                .into())
            }
        }
    }
    Ok(days)
}

/// Weather by time: the columns whose headers say temperature and rain.
fn read_weather(path: &Path, interval: Interval) -> Result<HashMap<i64, (f64, f64)>> {
    let export = Export::open(path)?;
    let columns = export.value_columns();
    let find = |words: &[&str]| {
        columns
            .iter()
            .find(|c| words.iter().any(|w| c.to_ascii_lowercase().contains(w)))
            .map(|c| (*c).to_string())
    };
    let missing = |what: &str| -> FlowError {
        format!(
            "{}: no {what} column (headers: {})",
            path.display(),
            flowcore::ingest::list_names(&columns)
        )
        .into()
    };
    let temperature = find(&["temp"]).ok_or_else(|| missing("temperature"))?;
    let rain = find(&["rain", "precip"]).ok_or_else(|| missing("rain"))?;
    let read = |column: &str| -> Result<flowcore::FlowSeries> {
        let series = export.series(Selector::Column(column))?.series;
        Ok(if series.interval.seconds() < interval.seconds() {
            resample_mean(&series, interval)
        } else {
            series
        })
    };
    let (temperature, rain) = (read(&temperature)?, read(&rain)?);
    let rain: HashMap<i64, f64> = rain
        .timestamps
        .iter()
        .copied()
        .zip(rain.values.iter().copied())
        .collect();
    Ok(temperature
        .timestamps
        .iter()
        .zip(&temperature.values)
        .filter_map(|(t, v)| Some((*t, (*v, *rain.get(t)?))))
        .collect())
}

/// One site's readings on the plan's grid, and what ingest saw.
pub(crate) fn site_grid(export: &Export, target: &Target, interval: Interval) -> Result<(Grid, IngestReport)> {
    let raw = export.series(target.selector())?;
    // A stray row decades away would make the grid millions of empty steps: refuse it by name,
    // with the same limit preprocessing has.
    if let Some(coverage) = flowcore::resample::coverage(&raw.series.timestamps, interval) {
        if coverage.buckets > flowcore::preprocess::MAX_BUCKETS {
            return Err(format!(
                "{}: column `{}` spans {} to {}: {} steps at {interval}, more than {}; the row at {} looks stray",
                export.path().display(),
                target.column,
                format_timestamp(raw.series.timestamps[0]),
                format_timestamp(raw.series.timestamps[raw.series.timestamps.len() - 1]),
                coverage.buckets,
                flowcore::preprocess::MAX_BUCKETS,
                format_timestamp(coverage.stray)
            )
            .into());
        }
    }
    let step = raw.series.interval.seconds();
    if step > interval.seconds() {
        return Err(format!(
            "{}: column `{}` is {} (one reading every {} s): too coarse for --interval {interval}",
            export.path().display(),
            target.column,
            raw.series.interval,
            step
        )
        .into());
    }
    let series = if step < interval.seconds() {
        resample_mean(&raw.series, interval)
    } else {
        raw.series
    };
    Ok((Grid::from_series(&series)?, raw.report))
}

/// What the clock did to the file, in a line each: the repeated and skipped local hours.
pub(crate) fn clock_notes(report: &IngestReport) -> Vec<String> {
    let list = |times: &[i64]| {
        let shown: Vec<String> = times
            .iter()
            .take(4)
            .map(|t| format_timestamp(*t)[..16].to_string())
            .collect();
        let more = times.len().saturating_sub(4);
        if more > 0 {
            format!("{} … and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    let mut notes = vec![match &report.time_zone {
        Some(zone) => format!(
            "times            {}, local time of {zone} (its daylight saving known)",
            report.time_format
        ),
        None => format!(
            "times            {}, as written (no zone named: no daylight-saving hour is assumed)",
            report.time_format
        ),
    }];
    if !report.repeated_local_times.is_empty() {
        notes.push(format!(
            "                 {} autumn hour(s) shown twice by the clock, their two readings averaged: {}",
            report.repeated_local_times.len(),
            list(&report.repeated_local_times)
        ));
    }
    if !report.skipped_local_times.is_empty() {
        notes.push(format!(
            "                 {} spring hour(s) the clock skipped (no reading can exist), filled like any gap: {}",
            report.skipped_local_times.len(),
            list(&report.skipped_local_times)
        ));
    }
    if report.decimal_comma_cells > 0 {
        notes.push(format!(
            "numbers          written with a decimal comma (`5,36`) in a `;`-separated file: read as numbers ({} in {})",
            report.decimal_comma_cells, report.column
        ));
    }
    notes
}
