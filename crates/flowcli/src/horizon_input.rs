//! What the forecast of the hours and days ahead reads besides the flow, checked before the
//! export is read: the interval and horizon, the regression's settings, the holidays and the
//! weather; each site's readings on the hourly or daily grid; what the clock did to the file.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use flowcore::clock::{DateOrder, TimeParser};
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
    /// The `--exog` file as read, for the terminal.
    pub weather_file: Option<WeatherFile>,
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
    /// `daily` or `hourly`, as `model.json` and the terminal name the steps.
    pub fn interval_name(&self) -> &'static str {
        if self.interval == Interval::DAILY {
            "daily"
        } else {
            "hourly"
        }
    }

    /// What one step is, in the baselines' names: `hour` (same hour last week) or `day`.
    pub fn step_name(&self) -> &'static str {
        if self.interval == Interval::DAILY {
            "day"
        } else {
            "hour"
        }
    }

    /// Steps in a day at this interval.
    pub fn per_day(&self) -> usize {
        usize::try_from(DAY / self.interval.seconds()).unwrap_or(1)
    }

    /// The steps a forecast from the last reading of `grid` spans (the horizon, plus the blank
    /// steps at its end, which are forecast too), or why there is none: a meter silent for four
    /// weeks, or for so long that the span passes the model's limit of four weeks.
    pub fn span(&self, grid: &Grid) -> Result<usize> {
        if grid.quiet_for_four_weeks() {
            return Err(flowlstm::LstmError::NoRecentReadings { days: 28 }.into());
        }
        let tail = grid.blank_tail();
        let steps = self.config.horizon + tail;
        let limit = MAX_HORIZON_WEEKS * 7 * self.per_day();
        if tail > 0 && steps > limit {
            let last = grid.values.len() - tail;
            return Err(FlowError::BlankTailTooLong {
                tail,
                from: grid.time(last),
                to: grid.time(grid.values.len() - 1),
                steps,
                limit,
            });
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
            holidays_source(file),
            &format_timestamp(grid.start)[..10],
            &format_timestamp(end - 1)[..10],
            if within == 0 {
                " — none: check the file's years"
            } else {
                ""
            }
        ))
    }

    /// Which columns of the `--exog` file were read, over what span, and what was made of its
    /// blanks.
    pub fn weather_note(&self) -> Option<String> {
        let file = self.weather_file.as_ref()?;
        let span = file.span.map_or_else(String::new, |(first, last)| {
            format!(
                " from {} to {}",
                &format_timestamp(first)[..16],
                &format_timestamp(last)[..16]
            )
        });
        let mut note = format!(
            "weather          {}: `{}` as temperature, `{}` as rain; {} step(s){span}",
            file.path.display(),
            file.columns.0,
            file.columns.1,
            file.steps
        );
        if file.temperature_filled > 0 {
            let _ = write!(
                note,
                "; {} temperature(s) filled between neighbours (gaps of up to {TEMPERATURE_FILL_STEPS} steps)",
                file.temperature_filled
            );
        }
        if file.rain_blank > 0 {
            let _ = write!(note, "; {} blank rain reading(s) taken as dry", file.rain_blank);
        }
        Some(note)
    }

    /// `--holidays` or `--exog` when given: inputs of the regression only, refused with the LSTM.
    pub fn calendar_options(&self) -> Option<&'static str> {
        if self.weather_file.is_some() {
            Some("--exog")
        } else if self.holidays_file.is_some() {
            Some("--holidays")
        } else {
            None
        }
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
        other => return Err(FlowError::ForecastInterval(other.to_string())),
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
        other => return Err(FlowError::ForecastMethod(other.to_string())),
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
    let (weather, weather_file) = match &args.exog {
        Some(path) => {
            let (weather, file) = read_weather(path, interval)?;
            (Some(weather), Some(file))
        }
        None => (None, None),
    };
    let plan = HorizonPlan {
        config,
        interval,
        calendar: Calendar { holidays, weather },
        holidays_file: args.holidays.clone(),
        weather_file,
        method,
    };
    if let (Method::Lstm(_), Some(option)) = (&plan.method, plan.calendar_options()) {
        return Err(FlowError::CalendarWithLstm { option });
    }
    Ok(plan)
}

/// `168` steps, `24h`, `7d`, `1w` → steps at `interval`.
pub fn parse_horizon(text: &str, interval: Interval) -> Result<usize> {
    let text = text.trim().to_ascii_lowercase();
    let bad = || FlowError::HorizonText(text.clone());
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
    let seconds = count
        .checked_mul(unit_seconds)
        .ok_or_else(|| FlowError::HorizonBeyond(text.clone()))?;
    if seconds % interval.seconds() != 0 {
        return Err(FlowError::HorizonNotWhole { text, interval });
    }
    usize::try_from(seconds / interval.seconds()).map_err(|_| bad())
}

/// The calendars `--holidays` takes by name, built in: (name, what it holds, `date,name` lines).
/// Written by `scripts/holiday_calendars.py` from the `holidays` package (MIT), public holidays
/// being facts of each country's law: Korea's lunar ones (설날, 추석, 부처님오신날), substitute
/// holidays, election days and the temporary holidays declared before the package's release.
const CALENDARS: [(&str, &str, &str); 2] = [
    (
        "kr",
        "South Korea's public holidays 2015-2035, built in",
        include_str!("../data/holidays_kr.csv"),
    ),
    (
        "it",
        "Italy's national public holidays 2015-2035, built in",
        include_str!("../data/holidays_it.csv"),
    ),
];

/// The built-in calendar `--holidays NAME` names (`kr`, `KR`), where no file of that name exists.
fn built_in_calendar(path: &Path) -> Option<&'static (&'static str, &'static str, &'static str)> {
    let name = path.to_str()?.trim();
    CALENDARS.iter().find(|(code, _, _)| code.eq_ignore_ascii_case(name))
}

/// Each built-in calendar: its name, what it holds and its days (since 1970).
pub(crate) fn built_in_holidays() -> Vec<(&'static str, &'static str, BTreeSet<i64>)> {
    CALENDARS
        .iter()
        .map(|(code, what, text)| {
            let days = text
                .lines()
                .filter_map(|line| TimeParser::YearFirst.parse(line.split(',').next()?.trim()))
                .map(|time| time.div_euclid(DAY))
                .collect();
            (*code, *what, days)
        })
        .collect()
}

/// What `--holidays` was: the file, or the built-in calendar and what it holds.
pub(crate) fn holidays_source(path: &Path) -> String {
    match built_in_calendar(path) {
        Some((code, what, _)) if !path.exists() => format!("{code} ({what})"),
        _ => path.display().to_string(),
    }
}

/// Holidays: the first cell of each line a date; a first line that is not one is a header. Dates
/// are year-first (`2022-11-01`), or day- or month-first as the dates show (`25/12/2022`: a day
/// above 12), the same rule as the export's time column. A name of a built-in calendar (`kr`,
/// `it`) where no such file exists reads that calendar.
pub(crate) fn read_holidays(path: &Path) -> Result<BTreeSet<i64>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(source) if source.kind() == std::io::ErrorKind::NotFound => match built_in_calendar(path) {
            Some((_, _, text)) => text.as_bytes().to_vec(),
            None => {
                return Err(FlowError::HolidaysNotFound {
                    path: path.to_path_buf(),
                    calendars: CALENDARS
                        .iter()
                        .map(|(code, what, _)| format!("{code}: {what}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                })
            }
        },
        Err(source) => {
            return Err(flowcore::CoreError::Io {
                path: path.to_path_buf(),
                source,
            }
            .into())
        }
    };
    // Saved by Excel in Korea the names are cp949 (`추석`), in Europe Windows-1252: decoded as
    // exports are (a byte-order mark dropped), not refused as "not valid UTF-8".
    // A file given with no date in it is a mistake (the wrong file, an export cut short): with an
    // empty list nothing would differ and nothing be said.
    if bytes.is_empty() {
        return Err(FlowError::HolidaysEmpty {
            path: path.to_path_buf(),
        });
    }
    let (text, _) = flowcore::ingest::decode(bytes, path)?;
    // `date,name` or, from a spreadsheet in Europe, `date;name`.
    let cells: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index, line.split([',', ';', '\t']).next().unwrap_or("").trim()))
        .filter(|(_, cell)| !cell.is_empty())
        .collect();
    let is_header = |index: usize, cell: &str| index == 0 && !cell.bytes().next().is_some_and(|b| b.is_ascii_digit());
    let dates = cells.iter().filter(|(i, c)| !is_header(*i, c)).map(|(_, c)| *c);
    let parser = match dates.clone().next() {
        Some(first) if parse_timestamp(first).is_none() => match DateOrder::infer("", dates) {
            Some(order) => TimeParser::for_order(order, first),
            None => {
                return Err(FlowError::HolidaysAmbiguous {
                    path: path.to_path_buf(),
                    first: first.to_string(),
                })
            }
        },
        _ => TimeParser::YearFirst,
    };
    let mut days = BTreeSet::new();
    for (index, cell) in cells {
        match parser.parse(cell) {
            Some(time) => {
                days.insert(time.div_euclid(DAY));
            }
            None if is_header(index, cell) => {}
            None => {
                return Err(FlowError::HolidayNotDate {
                    path: path.to_path_buf(),
                    line: index + 1,
                    cell: cell.to_string(),
                })
            }
        }
    }
    if days.is_empty() {
        return Err(FlowError::HolidaysEmpty {
            path: path.to_path_buf(),
        });
    }
    Ok(days)
}

/// Words that name a temperature column, the first found winning: KMA's `기온(°C)` (Korea's
/// weather service), then `temp…` in English, Italian, French or Spanish headers, then `온도`.
const TEMPERATURE_WORDS: &[&str] = &["기온", "temp", "온도"];

/// Words that name a rain column: English, KMA's `강수량(mm)`, Meteostat's `prcp`, and the words
/// of the languages utilities here export in.
const RAIN_WORDS: &[&str] = &[
    "rain",
    "precip",
    "prcp",
    "강수",
    "강우",
    "pioggia",
    "lluvia",
    "pluie",
    "regen",
    "niederschlag",
];

/// Columns that hold a temperature or a rain word but another quantity: the dew point, the
/// ground, apparent temperature, the probability of rain.
const OTHER_QUANTITIES: &[&str] = &[
    "dew",
    "이슬점",
    "지면",
    "soil",
    "ground",
    "apparent",
    "feels",
    "prob",
    "확률",
];

/// The longest gap of temperature filled by a straight line between its neighbours: three steps,
/// so a file of every third hour is read whole, and a missing day stays missing.
const TEMPERATURE_FILL_STEPS: i64 = 3;

/// Temperature (°C) and rain (mm per step) by the step's time, every value finite.
type WeatherByTime = HashMap<i64, (f64, f64)>;

/// The `--exog` file as read: which columns, and what was made of its blanks.
#[derive(Debug, Clone, PartialEq)]
pub struct WeatherFile {
    /// The file.
    pub path: std::path::PathBuf,
    /// The column read as temperature, and the one read as rain.
    pub columns: (String, String),
    /// Steps with a temperature, after filling.
    pub steps: usize,
    /// First and last of them.
    pub span: Option<(i64, i64)>,
    /// Steps whose temperature was filled from its neighbours.
    pub temperature_filled: usize,
    /// Steps with a temperature whose rain was blank: taken as dry, as Korea's weather service
    /// writes a dry hour (a blank 강수량), and as a small input either way.
    pub rain_blank: usize,
}

/// The column for a quantity: the first word of `words` any column holds wins, and a column that
/// names another quantity (`이슬점온도`, dew point) is never taken.
fn weather_column<'a>(columns: &[&'a str], words: &[&str]) -> Option<&'a str> {
    words.iter().find_map(|word| {
        columns.iter().copied().find(|column| {
            let lower = column.to_lowercase();
            lower.contains(word) && !OTHER_QUANTITIES.iter().any(|other| lower.contains(other))
        })
    })
}

/// Weather by time, from the columns whose headers say temperature and rain, on `interval`'s
/// steps (finer readings averaged, rain summed). Every value kept is finite: a blank cell never
/// reaches the regression (a few blank temperatures once failed every fit).
fn read_weather(path: &Path, interval: Interval) -> Result<(WeatherByTime, WeatherFile)> {
    let export = Export::open(path)?;
    let columns = export.value_columns();
    let missing = |what: &'static str, words: &[&str]| FlowError::NoWeatherColumn {
        path: path.to_path_buf(),
        what,
        words: words.join(", "),
        headers: flowcore::ingest::list_names(&columns),
    };
    let temperature_column =
        weather_column(&columns, TEMPERATURE_WORDS).ok_or_else(|| missing("temperature", TEMPERATURE_WORDS))?;
    let rain_column = weather_column(&columns, RAIN_WORDS).ok_or_else(|| missing("rain", RAIN_WORDS))?;
    let step = interval.seconds();
    // Readings on `interval`'s steps, blanks left out; with `sum`, a mean of finer amounts is
    // scaled to their sum (rain in mm per step).
    let read = |column: &str, sum: bool| -> Result<Vec<(i64, f64)>> {
        let series = export.series(Selector::Column(column))?.series;
        let finer = series.interval.seconds() < step;
        let scale = if sum && finer {
            step as f64 / series.interval.seconds() as f64
        } else {
            1.0
        };
        let series = if finer {
            resample_mean(&series, interval)
        } else {
            series
        };
        Ok(series
            .timestamps
            .iter()
            .zip(&series.values)
            .filter(|(_, v)| v.is_finite())
            .map(|(t, v)| (*t, v * scale))
            .collect())
    };
    let known = read(temperature_column, false)?;
    let rain: HashMap<i64, f64> = read(rain_column, true)?.into_iter().collect();
    let mut temperature: Vec<(i64, f64)> = Vec::with_capacity(known.len());
    let mut filled = 0;
    for (i, &(time, value)) in known.iter().enumerate() {
        if let Some(&(before, from)) = i.checked_sub(1).and_then(|j| known.get(j)) {
            let missing = (time - before) / step - 1;
            if (1..=TEMPERATURE_FILL_STEPS).contains(&missing) && (time - before) % step == 0 {
                for k in 1..=missing {
                    let share = k as f64 / (missing + 1) as f64;
                    temperature.push((before + k * step, from + share * (value - from)));
                }
                filled += missing as usize;
            }
        }
        temperature.push((time, value));
    }
    let mut rain_blank = 0;
    let weather: WeatherByTime = temperature
        .iter()
        .map(|&(time, value)| {
            let amount = rain.get(&time).copied().unwrap_or_else(|| {
                rain_blank += 1;
                0.0
            });
            (time, (value, amount))
        })
        .collect();
    let file = WeatherFile {
        path: path.to_path_buf(),
        columns: (temperature_column.to_string(), rain_column.to_string()),
        steps: weather.len(),
        span: temperature.first().zip(temperature.last()).map(|(a, b)| (a.0, b.0)),
        temperature_filled: filled,
        rain_blank,
    };
    Ok((weather, file))
}

/// A stray row decades away would make a grid of `interval` steps (or the nights) millions of
/// empty steps: refused by name, with the same limit preprocessing has.
pub(crate) fn refuse_stray_row(export: &Export, target: &Target, timestamps: &[i64], interval: Interval) -> Result<()> {
    if let Some(coverage) = flowcore::resample::coverage(timestamps, interval) {
        if coverage.buckets > flowcore::preprocess::MAX_BUCKETS {
            return Err(FlowError::StrayRow {
                file: export.describe(),
                column: target.column.clone(),
                first: timestamps[0],
                last: timestamps[timestamps.len() - 1],
                steps: coverage.buckets,
                interval,
                limit: flowcore::preprocess::MAX_BUCKETS,
                stray: coverage.stray,
            });
        }
    }
    Ok(())
}

/// One site's readings on the plan's grid, and what ingest saw.
pub(crate) fn site_grid(export: &Export, target: &Target, interval: Interval) -> Result<(Grid, IngestReport)> {
    let raw = export.series(target.selector())?;
    refuse_stray_row(export, target, &raw.series.timestamps, interval)?;
    let step = raw.series.interval.seconds();
    if step > interval.seconds() {
        return Err(FlowError::TooCoarse {
            file: export.describe(),
            column: target.column.clone(),
            found: raw.series.interval,
            seconds: step,
            interval,
        });
    }
    let series = if step < interval.seconds() {
        resample_mean(&raw.series, interval)
    } else {
        raw.series
    };
    Ok((Grid::from_series(&series)?, raw.report))
}

/// What the clock did to the file, in a line each: how its times were read, the repeated and
/// skipped local hours, readings moved onto their grid.
pub(crate) fn clock_notes(report: &IngestReport) -> Vec<String> {
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
    notes.extend(crate::site::time_notes(report));
    if report.decimal_comma_cells > 0 {
        notes.push(format!(
            "numbers          written with a decimal comma (`5,36`) in a `;`-separated file: read as numbers ({} in {})",
            report.decimal_comma_cells, report.column
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_calendars_hold_each_countrys_holidays() {
        let day = |text: &str| parse_timestamp(text).unwrap() / DAY;
        let korea = read_holidays(Path::new("kr")).unwrap();
        assert_eq!(korea.len(), 408);
        // 추석 2020 (lunar 8/15 and the days either side), the temporary holiday of 2020-08-17,
        // and the substitute for 설날 2023 falling on a Sunday.
        for date in ["2020-09-30", "2020-10-01", "2020-10-02", "2020-08-17", "2023-01-24"] {
            assert!(korea.contains(&day(date)), "{date}");
        }
        assert!(!korea.contains(&day("2020-10-05")));
        assert_eq!(read_holidays(Path::new("KR")).unwrap(), korea);
        let italy = read_holidays(Path::new("it")).unwrap();
        assert!(italy.contains(&day("2022-04-18")), "Easter Monday 2022");
        assert_eq!(
            holidays_source(Path::new("it")),
            "it (Italy's national public holidays 2015-2035, built in)"
        );
        let error = read_holidays(Path::new("xx")).unwrap_err();
        assert!(matches!(error, FlowError::HolidaysNotFound { .. }), "{error}");
    }

    #[test]
    fn horizons_are_steps_and_each_bad_one_is_told_its_own_way() {
        let hourly = |text: &str| parse_horizon(text, Interval::HOURLY);
        assert_eq!(hourly("168").unwrap(), 168);
        assert_eq!(hourly(" 24H ").unwrap(), 24);
        assert_eq!(hourly("7d").unwrap(), 168);
        assert_eq!(hourly("2w").unwrap(), 336);
        assert_eq!(parse_horizon("1w", Interval::DAILY).unwrap(), 7);
        // A day and a half of daily steps is no whole number of them.
        let error = parse_horizon("36h", Interval::DAILY).unwrap_err();
        assert!(
            matches!(&error, FlowError::HorizonNotWhole { text, .. } if text == "36h"),
            "{error}"
        );
        assert_eq!(error.to_string(), "--horizon 36h: not a whole number of daily steps");
        for text in ["7 days", "-1", "h", "1.5d", ""] {
            assert!(matches!(hourly(text), Err(FlowError::HorizonText(_))), "{text}");
        }
        // Past i64 seconds: said as beyond the limit, not wrapped round to a small number.
        let error = hourly("99999999999999999w").unwrap_err();
        assert!(matches!(error, FlowError::HorizonBeyond(_)), "{error}");
        assert!(
            error.to_string().ends_with(&format!("({MAX_HORIZON_WEEKS} weeks)")),
            "{error}"
        );
    }

    #[test]
    fn holiday_files_name_the_line_that_is_not_a_date() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("holidays.csv");
        std::fs::write(&path, "date,name\n25/12/2022,Natale\n26/12/2022,Santo Stefano\n").unwrap();
        let days = read_holidays(&path).unwrap();
        assert_eq!(days.len(), 2);
        assert!(days.contains(&(parse_timestamp("2022-12-25").unwrap() / DAY)));
        // Every day at or below 12: day-first and month-first read alike, so neither is guessed.
        std::fs::write(&path, "date\n01/11/2022\n08/12/2022\n").unwrap();
        let error = read_holidays(&path).unwrap_err();
        assert!(
            matches!(&error, FlowError::HolidaysAmbiguous { first, .. } if first == "01/11/2022"),
            "{error}"
        );
        std::fs::write(&path, "date\n2022-11-01\n2022-12-25\nChristmas\n").unwrap();
        let error = read_holidays(&path).unwrap_err();
        assert!(
            matches!(&error, FlowError::HolidayNotDate { line: 4, cell, .. } if cell == "Christmas"),
            "{error}"
        );
        assert!(
            error
                .to_string()
                .contains("holidays.csv: line 4: `Christmas` is not a date"),
            "{error}"
        );
        // Nothing, a header alone or blank lines: a file given by mistake, refused (it was read as
        // no holidays, and nothing said so).
        for text in ["", "date,name\n", "\n\n"] {
            std::fs::write(&path, text).unwrap();
            let error = read_holidays(&path).unwrap_err();
            assert!(matches!(error, FlowError::HolidaysEmpty { .. }), "{text:?}: {error}");
        }
    }

    #[test]
    fn weather_columns_are_found_as_services_name_them() {
        fn pick<'a>(columns: &[&'a str]) -> (Option<&'a str>, Option<&'a str>) {
            (
                weather_column(columns, TEMPERATURE_WORDS),
                weather_column(columns, RAIN_WORDS),
            )
        }
        // KMA ASOS: the dew point and the ground come before or after the air temperature.
        let kma = ["지점", "이슬점온도(°C)", "기온(°C)", "강수량(mm)", "지면온도(°C)"];
        assert_eq!(pick(&kma), (Some("기온(°C)"), Some("강수량(mm)")));
        // Open-Meteo: the probability of rain is not an amount.
        let open_meteo = [
            "dew_point_2m (°C)",
            "temperature_2m (°C)",
            "precipitation_probability (%)",
            "precipitation (mm)",
        ];
        assert_eq!(
            pick(&open_meteo),
            (Some("temperature_2m (°C)"), Some("precipitation (mm)"))
        );
        // Meteostat and an Italian export.
        assert_eq!(pick(&["temp", "dwpt", "prcp"]), (Some("temp"), Some("prcp")));
        assert_eq!(
            pick(&["Temperatura media (°C)", "Pioggia (mm)"]),
            (Some("Temperatura media (°C)"), Some("Pioggia (mm)"))
        );
        assert_eq!(pick(&["flow", "pressure"]), (None, None));
    }
}
