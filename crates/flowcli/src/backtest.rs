//! `flow backtest`: for each origin, fit on the data strictly before it, forecast the horizon, and
//! score the forecast and the two seasonal baselines against what happened: the Battle of the
//! Water Demand Forecasting's PI1 (MAE of the first day), PI2 (largest error of the first day) and
//! PI3 (MAE of the later days), and the share of readings inside the 80 % and 95 % bands.

use std::fmt::Write as _;
use std::path::PathBuf;

use flowcore::files::python_float;
use flowcore::time::{format_timestamp, parse_timestamp, weekday, DAY};
use flowcore::Export;
use flowlstm::horizon::{fit, Baseline, Grid};
use flowlstm::horizon_lstm::fit_lstm;
use flowreport::forecast::{horizon_scores, HorizonScores};
use serde::{Deserialize, Serialize};

use crate::error::{FlowError, Result};
use crate::guard::SiteGuard;
use crate::horizon_input::{clock_notes, horizon_plan, site_grid, HorizonPlan, Method};
use crate::observer::Observer;
use crate::options::BacktestArgs;
use crate::output::SiteDirs;
use crate::site::{read_targets, write_and_list, Target};

/// One site and origin: the forecast's scores and the baselines'.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OriginScores {
    /// The site's slug.
    pub site: String,
    /// The origin, `2022-07-25 00:00:00`.
    pub origin: String,
    /// The week-profile regression.
    pub model: HorizonScores,
    /// Same hour last week.
    pub last_week: HorizonScores,
    /// Mean of the same hour in the last four weeks.
    pub four_week_mean: HorizonScores,
}

/// The mean of each score over the origins and sites with one (PI3 and coverage skip `NaN`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanScores {
    /// Mean PI1.
    pub first_day_mae: f64,
    /// Mean PI2.
    pub first_day_max: f64,
    /// Mean PI3.
    pub later_mae: f64,
    /// Readings inside the 80 % band, over all readings.
    pub inside_80: f64,
    /// Readings inside the 95 % band, over all readings.
    pub inside_95: f64,
}

/// Means of `scores`.
pub fn mean_scores<'a>(scores: impl Iterator<Item = &'a HorizonScores> + Clone) -> MeanScores {
    let mean = |f: fn(&HorizonScores) -> f64| {
        let values: Vec<f64> = scores.clone().map(f).filter(|v| v.is_finite()).collect();
        if values.is_empty() {
            f64::NAN
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        }
    };
    let weighted = |f: fn(&HorizonScores) -> f64| {
        let (inside, total) = scores
            .clone()
            .filter(|s| f(s).is_finite())
            .fold((0.0, 0usize), |(a, n), s| {
                (a + f(s) * s.readings as f64, n + s.readings)
            });
        if total == 0 {
            f64::NAN
        } else {
            inside / total as f64
        }
    };
    MeanScores {
        first_day_mae: mean(|s| s.first_day_mae),
        first_day_max: mean(|s| s.first_day_max),
        later_mae: mean(|s| s.later_mae),
        inside_80: weighted(|s| s.inside_80),
        inside_95: weighted(|s| s.inside_95),
    }
}

/// The origins asked: the dates of `--origins` (each once), or the last `--folds` Mondays 00:00
/// whose horizon ends by `end` (the last time of `file`, whose data start at `start`).
fn origins(args: &BacktestArgs, plan: &HorizonPlan, start: i64, end: i64, file: &str) -> Result<Vec<i64>> {
    let step = plan.interval.seconds();
    if let Some(list) = &args.origins {
        let mut origins: Vec<i64> = Vec::new();
        for text in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let origin = parse_timestamp(text)
                .filter(|t| t % step == 0)
                .ok_or_else(|| FlowError::OriginText {
                    text: text.to_string(),
                    interval: plan.interval,
                })?;
            // Twice would weigh one week double in the means.
            if origins.contains(&origin) {
                return Err(FlowError::OriginTwice(origin));
            }
            origins.push(origin);
        }
        if origins.is_empty() {
            return Err(FlowError::NoOrigins);
        }
        return Ok(origins);
    }
    let folds = args.folds.unwrap_or(4);
    let horizon = plan.config.horizon as i64 * step;
    let last_start = end + step - horizon;
    let mut monday = last_start.div_euclid(DAY) * DAY;
    while weekday(monday) != 0 {
        monday -= DAY;
    }
    let week = 7 * DAY;
    let available = if monday > start {
        (monday - start - 1) / week + 1
    } else {
        0
    };
    let wanted = i64::try_from(folds).unwrap_or(i64::MAX);
    if wanted > available {
        return Err(FlowError::TooManyFolds {
            folds,
            file: file.to_string(),
            start,
            end,
            available,
        });
    }
    Ok((0..wanted).rev().map(|k| monday - k * week).collect())
}

/// `flow backtest`: every site, every origin; prints the scores and writes `Backtest/backtest.csv`
/// and `Backtest/backtest.json`.
pub fn backtest_command(args: &BacktestArgs, obs: &mut dyn Observer) -> Result {
    let plan = horizon_plan(&args.horizon)?;
    if args.origins.is_none() && args.folds == Some(0) {
        return Err(FlowError::NoFolds);
    }
    let (export, _, targets) = read_targets(&args.input, args.sites.as_deref(), obs)?;
    let Some(first) = targets.first() else {
        return Err(FlowError::NoSiteToBacktest);
    };
    let (grid, report) = site_grid(&export, first, plan.interval)?;
    let notes = clock_notes(&report).into_iter().chain(plan.holiday_note(&grid));
    for note in notes.chain(plan.weather_note()) {
        say!(obs, "{note}");
    }
    let end = grid.time(grid.values.len() - 1);
    let origins = origins(args, &plan, grid.start, end, &export.describe())?;
    for &origin in &origins {
        let horizon_end = origin + plan.interval.seconds() * (plan.config.horizon as i64 - 1);
        if origin <= grid.start {
            return Err(FlowError::OriginBeforeData {
                origin,
                file: export.describe(),
                start: grid.start,
            });
        }
        if horizon_end > end {
            return Err(FlowError::HorizonPastData {
                origin,
                horizon_end,
                file: export.describe(),
                end,
            });
        }
    }
    let dirs = SiteDirs::new(&args.input.output_dir, "Backtest");
    let _guard = SiteGuard::claim(&dirs, "flow backtest", export.paths(), obs)?;
    say!(
        obs,
        "backtest         {} site(s) × {} origin(s) × {} steps ({}), each fit on the data before its origin",
        targets.len(),
        origins.len(),
        plan.config.horizon,
        plan.interval
    );
    let results = crate::parallel::each_target(&targets, obs, |target, transcript| {
        backtest_site(&export, target, &plan, &origins, transcript)
    });
    let mut rows =
        String::from("origin,site,time,actual,forecast,lower_80,upper_80,lower_95,upper_95,last_week,four_week_mean\n");
    let mut scores = Vec::new();
    let mut failed = Vec::new();
    for (target, result) in targets.iter().zip(results) {
        match result {
            Ok((text, site_scores)) => {
                rows.push_str(&text);
                scores.extend(site_scores);
            }
            // One site: its own error, and no files of nothing.
            Err(error) if targets.len() == 1 => return Err(error),
            Err(_) => failed.push(target.slug.clone()),
        }
    }
    if scores.is_empty() && failed.is_empty() {
        return Err(FlowError::NothingScored {
            file: export.describe(),
            origins: origins.len(),
        });
    }
    say_summary(&scores, plan.method.name(), plan.step_name(), obs);
    let summary = BacktestSummary {
        method: plan.method.name().to_string(),
        origins: origins.iter().map(|t| format_timestamp(*t)).collect(),
        horizon: plan.config.horizon,
        model: mean_scores(scores.iter().map(|s| &s.model)),
        last_week: mean_scores(scores.iter().map(|s| &s.last_week)),
        four_week_mean: mean_scores(scores.iter().map(|s| &s.four_week_mean)),
        scores,
    };
    let files: Vec<(PathBuf, Vec<u8>)> = vec![
        (dirs.root.join("backtest.csv"), rows.into_bytes()),
        (dirs.root.join("backtest.json"), serde_json::to_vec_pretty(&summary)?),
    ];
    write_and_list(&files, obs)?;
    if !failed.is_empty() {
        return Err(crate::error::FlowError::SitesFailed {
            where_: "",
            file: std::path::PathBuf::from(export.describe()),
            failed: failed.len(),
            total: targets.len(),
            names: failed.join(", "),
        });
    }
    Ok(())
}

/// `backtest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestSummary {
    /// The model: `week-profile regression` or `LSTM`.
    pub method: String,
    /// The origins.
    pub origins: Vec<String>,
    /// Steps forecast from each.
    pub horizon: usize,
    /// Mean scores of the model over every site and origin.
    pub model: MeanScores,
    /// The same for "same hour last week".
    pub last_week: MeanScores,
    /// The same for "mean of the same hour, last 4 weeks".
    pub four_week_mean: MeanScores,
    /// Each site and origin.
    pub scores: Vec<OriginScores>,
}

fn backtest_site(
    export: &Export,
    target: &Target,
    plan: &HorizonPlan,
    origins: &[i64],
    obs: &mut dyn Observer,
) -> Result<(String, Vec<OriginScores>)> {
    let (grid, _) = site_grid(export, target, plan.interval)?;
    let horizon = plan.config.horizon;
    let mut rows = String::new();
    let mut scores = Vec::new();
    say!(obs);
    say!(
        obs,
        "{:<16} {:<17} {:>6} {:>6} {:>6} {:>6} {:>6} | last week PI1 PI3 | 4-week mean PI1 PI3",
        target.slug,
        "origin",
        "PI1",
        "PI2",
        "PI3",
        "in80%",
        "in95%"
    );
    for &origin in origins {
        let history = grid.before(origin);
        let tail = history.blank_tail();
        let at_origin = |source: flowlstm::LstmError| FlowError::AtOrigin {
            slug: target.slug.clone(),
            column: target.column.clone(),
            origin,
            source: Box::new(source),
        };
        // A meter silent for weeks before this origin: no forecast can start from its last
        // reading; the other origins still count.
        let steps = match plan.span(&history) {
            Ok(steps) => steps,
            Err(why) => {
                say!(obs, "{:<16} {} skipped: {why}", "", &format_timestamp(origin)[..16]);
                continue;
            }
        };
        let config = plan.config_for(steps)?;
        // Whether a weather file was given and left out at this origin (it does not cover the
        // horizon): said beside the origin's scores, which are then the model's without it.
        let mut without_weather = false;
        let fitted = match &plan.method {
            Method::Profile => fit(&history, &plan.calendar, &config).and_then(|model| {
                without_weather = plan.calendar.weather.is_some() && !model.uses_weather;
                model.predict(&history, &plan.calendar)
            }),
            Method::Lstm(train) => fit_lstm(&history, &config, train).and_then(|model| model.predict(&history)),
        };
        // An outage of months before this origin leaves too few readings to fit on: skipped
        // like a silent meter's origin, the others still scored.
        let forecast = match fitted {
            Err(why @ flowlstm::LstmError::TooFewReadings { .. }) => {
                say!(obs, "{:<16} {} skipped: {why}", "", &format_timestamp(origin)[..16]);
                continue;
            }
            other => other.map_err(at_origin)?,
        };
        // The steps from the origin on (a blank tail before it was forecast too).
        let skip = tail;
        let pick = |v: &[f64]| v[skip..skip + horizon].to_vec();
        let (values, l80, h80, l95, h95) = (
            pick(&forecast.values),
            pick(&forecast.lower_80),
            pick(&forecast.upper_80),
            pick(&forecast.lower_95),
            pick(&forecast.upper_95),
        );
        let start = index_of(&grid, origin);
        let actual: Vec<f64> = (start..start + horizon)
            .map(|i| grid.values.get(i).copied().unwrap_or(f64::NAN))
            .collect();
        let [last_week, four_weeks] = [Baseline::LastWeek, Baseline::FourWeekMean]
            .map(|b| b.forecast(&history.trimmed(), horizon + tail)[skip..].to_vec());
        let day = plan.per_day();
        let model_scores = horizon_scores(&actual, &values, Some([&l80, &h80, &l95, &h95]), day);
        let entry = OriginScores {
            site: target.slug.clone(),
            origin: format_timestamp(origin),
            model: model_scores,
            last_week: horizon_scores(&actual, &last_week, None, day),
            four_week_mean: horizon_scores(&actual, &four_weeks, None, day),
        };
        say!(
            obs,
            "{:<16} {:<17} {} {} {} {} {} |     {} {} |       {} {}",
            "",
            &entry.origin[..16],
            figure(entry.model.first_day_mae, 6),
            figure(entry.model.first_day_max, 6),
            figure(entry.model.later_mae, 6),
            share(entry.model.inside_80),
            share(entry.model.inside_95),
            figure(entry.last_week.first_day_mae, 5),
            figure(entry.last_week.later_mae, 5),
            figure(entry.four_week_mean.first_day_mae, 5),
            figure(entry.four_week_mean.later_mae, 5)
        );
        if without_weather {
            say!(
                obs,
                "{:<16} {:<17} weather not an input: the --exog file does not cover this horizon",
                "",
                ""
            );
        }
        for i in 0..horizon {
            let _ = writeln!(
                rows,
                "{},{},{},{},{},{},{},{},{},{},{}",
                &entry.origin[..16],
                target.slug,
                format_timestamp(origin + plan.interval.seconds() * i as i64),
                python_float(actual[i]),
                python_float(values[i]),
                python_float(l80[i]),
                python_float(h80[i]),
                python_float(l95[i]),
                python_float(h95[i]),
                python_float(last_week[i]),
                python_float(four_weeks[i])
            );
        }
        scores.push(entry);
    }
    Ok((rows, scores))
}

/// A score in a column `width` wide with two decimals; a dash where there is none (an area-week
/// without readings on its first day has no PI1), not `NaN`.
fn figure(value: f64, width: usize) -> String {
    if value.is_finite() {
        format!("{value:>width$.2}")
    } else {
        format!("{:>width$}", "-")
    }
}

/// A band's coverage as a percentage, or a dash.
fn share(value: f64) -> String {
    if value.is_finite() {
        format!("{:>5.0}%", value * 100.0)
    } else {
        format!("{:>6}", "-")
    }
}

fn index_of(grid: &Grid, time: i64) -> usize {
    usize::try_from((time - grid.start) / grid.step).unwrap_or(0)
}

fn say_summary(scores: &[OriginScores], method: &str, step: &str, obs: &mut dyn Observer) {
    if scores.is_empty() {
        return;
    }
    let model = mean_scores(scores.iter().map(|s| &s.model));
    let week = mean_scores(scores.iter().map(|s| &s.last_week));
    let four = mean_scores(scores.iter().map(|s| &s.four_week_mean));
    say!(obs);
    say!(
        obs,
        "mean of {} site-origins with readings   PI1    PI2    PI3   in 80 % band  in 95 % band",
        // A week with no reading has no score: it is not counted.
        scores
            .iter()
            .filter(|s| s.model.first_day_mae.is_finite() || s.model.later_mae.is_finite())
            .count()
    );
    let last_week = format!("same {step} last week");
    for (name, m) in [(method, model), (last_week.as_str(), week), ("4-week mean", four)] {
        say!(
            obs,
            "  {:<40} {:>5.2}  {:>5.2}  {:>5.2}   {}",
            name,
            m.first_day_mae,
            m.first_day_max,
            m.later_mae,
            if m.inside_80.is_finite() {
                format!("{:>5.1} %       {:>5.1} %", m.inside_80 * 100.0, m.inside_95 * 100.0)
            } else {
                "-".to_string()
            }
        );
    }
    let best = |f: fn(&MeanScores) -> f64| f(&week).min(f(&four));
    let beats = model.first_day_mae < best(|m| m.first_day_mae)
        && (model.later_mae < best(|m| m.later_mae) || model.later_mae.is_nan());
    say!(
        obs,
        "verdict          {}",
        if beats {
            "the model beats both baselines on PI1 and PI3"
        } else {
            "the model does NOT beat the best baseline on PI1 and PI3: use its forecast with care"
        }
    );
}
