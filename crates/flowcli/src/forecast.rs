//! The forecast of the hours or days ahead as library calls: `flow forecast` fits the week-profile
//! regression per site (or loads one), forecasts from the step after the last reading and writes
//! `Forecast/forecast.csv`, `forecast.png` and `model.json`; `flow backtest` fits before each
//! origin and scores the forecast and the two seasonal baselines against what happened.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use flowcore::files::python_float;
use flowcore::time::format_timestamp;
use flowcore::{Check, Export, Interval};
use flowlstm::horizon::{fit, Grid, HeldOut, HorizonForecast, HorizonModel};
use flowlstm::horizon_lstm::fit_lstm;
use flowreport::forecast::{forecast_graph, ForecastGraph};
use flowreport::graph::encode_png;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::guard::SiteGuard;
use crate::horizon_input::{clock_notes, site_grid, Method};
pub use crate::horizon_input::{horizon_plan, parse_horizon, HorizonPlan};
use crate::observer::Observer;
use crate::options::ForecastArgs;
use crate::output::SiteDirs;
use crate::site::{read_targets, write_and_list, Target};

/// The format name written into `model.json`.
pub const MODEL_FORMAT: &str = "flow-horizon-1";

/// The unit a header gives in brackets at its end (`DMA 1 (L/s)` → `L/s`), else `flow`.
fn unit_of(column: &str) -> String {
    crate::output::split_unit(column).1.unwrap_or("flow").to_string()
}

/// A fitted model as `model.json` keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedHorizonModel {
    /// [`MODEL_FORMAT`].
    pub format: String,
    /// The site's slug.
    pub site: String,
    /// Its column.
    pub column: String,
    /// `hourly` or `daily`.
    pub interval: String,
    /// The fitted regression.
    pub model: HorizonModel,
}

/// `forecast.csv`: `time,forecast,lower_80,upper_80,lower_95,upper_95`.
pub(crate) fn forecast_csv(forecast: &HorizonForecast) -> Vec<u8> {
    let mut text = String::from("time,forecast,lower_80,upper_80,lower_95,upper_95\n");
    for i in 0..forecast.values.len() {
        let _ = writeln!(
            text,
            "{},{},{},{},{},{}",
            format_timestamp(forecast.start + forecast.step * i as i64),
            python_float(forecast.values[i]),
            python_float(forecast.lower_80[i]),
            python_float(forecast.upper_80[i]),
            python_float(forecast.lower_95[i]),
            python_float(forecast.upper_95[i])
        );
    }
    text.into_bytes()
}

/// `flow forecast`: per site, fit (or load) and forecast, then write the files.
pub fn forecast_command(args: &ForecastArgs, obs: &mut dyn Observer) -> Result {
    let plan = horizon_plan(&args.horizon)?;
    if args.model.is_some() && matches!(plan.method, Method::Lstm(_)) {
        return Err("--model reuses a week-profile regression; --method lstm trains its network each time".into());
    }
    let saved = match &args.model {
        Some(path) => Some(read_model(path)?),
        None => None,
    };
    let (export, _, targets) = read_targets(&args.input, args.sites.as_deref(), obs)?;
    let output_dir = &args.input.output_dir;
    let first = targets.first().map(|t| t.slug.clone());
    let results = crate::parallel::each_target(&targets, obs, |target, transcript| {
        let notes = first.as_deref() == Some(target.slug.as_str());
        forecast_site(&export, target, &plan, saved.as_ref(), output_dir, notes, transcript)
    });
    crate::parallel::all_done(&export, &targets, results)
}

fn read_model(path: &Path) -> Result<SavedHorizonModel> {
    let text = std::fs::read_to_string(path).map_err(|source| flowcore::CoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let saved: SavedHorizonModel =
        serde_json::from_str(&text).map_err(|e| format!("{}: not a flow forecast model: {e}", path.display()))?;
    if saved.format != MODEL_FORMAT {
        return Err(format!("{}: format `{}`, expected {MODEL_FORMAT}", path.display(), saved.format).into());
    }
    saved
        .model
        .validate()
        .map_err(|e| format!("{}: not a usable forecast model: {e}", path.display()))?;
    Ok(saved)
}

fn forecast_site(
    export: &Export,
    target: &Target,
    plan: &HorizonPlan,
    saved: Option<&SavedHorizonModel>,
    output_dir: &Path,
    clock_notes_wanted: bool,
    obs: &mut dyn Observer,
) -> Result {
    let dirs = SiteDirs::new(output_dir, &target.slug);
    let _guard = SiteGuard::claim(&dirs, "flow forecast", Some(export.path()), obs)?;
    let (grid, report) = site_grid(export, target, plan.interval)?;
    say!(obs);
    say!(obs, "site             {} ({})", target.slug, target.column);
    if clock_notes_wanted {
        for note in clock_notes(&report).into_iter().chain(plan.holiday_note(&grid)) {
            say!(obs, "{note}");
        }
    }
    let tail = grid.blank_tail();
    let steps = plan
        .span(&grid)
        .map_err(|why| format!("{} ({}): {why}", target.slug, target.column))?;
    let interval_name = interval_name(plan);
    let site_error = |e: flowlstm::LstmError| format!("{} ({}): {e}", target.slug, target.column);
    if let Method::Lstm(train) = &plan.method {
        let fitted = fit_lstm(&grid, &plan.config_for(steps)?, train).map_err(site_error)?;
        say!(
            obs,
            "model            LSTM (window {}, calendar inputs), trained on up to {} days",
            train.window,
            plan.config.history_days
        );
        let forecast = fitted.predict(&grid).map_err(site_error)?;
        return finish(
            target,
            plan,
            &grid,
            tail,
            &dirs,
            forecast,
            fitted.held_out.as_ref(),
            None,
            obs,
        );
    }
    let model = match saved {
        Some(saved) => {
            if saved.site != target.slug || saved.interval != interval_name || saved.model.config.horizon != steps {
                return Err(format!(
                    "--model: fitted for site {} ({}, {} steps), not for {} ({interval_name}, {steps} steps)",
                    saved.site, saved.interval, saved.model.config.horizon, target.slug
                )
                .into());
            }
            say!(
                obs,
                "model            loaded, fitted up to {}",
                format_timestamp(saved.model.origin)
            );
            saved.model.clone()
        }
        None => {
            let model = fit(&grid, &plan.calendar, &plan.config_for(steps)?)
                .map_err(|e| format!("{} ({}): {e}", target.slug, target.column))?;
            say!(
                obs,
                "model            week-profile regression{}, fitted on up to {} days",
                if model.uses_weather { " with the weather" } else { "" },
                plan.config.history_days
            );
            if plan.calendar.weather.is_some() && !model.uses_weather {
                say!(
                    obs,
                    "weather          not an input: the --exog file does not cover every step from {}",
                    format_timestamp(grid.trimmed().time(grid.values.len() - tail))
                );
            }
            model
        }
    };
    let forecast = model.predict(&grid, &plan.calendar).map_err(site_error)?;
    let held_out = model.held_out;
    let saved = SavedHorizonModel {
        format: MODEL_FORMAT.to_string(),
        site: target.slug.clone(),
        column: target.column.clone(),
        interval: interval_name.to_string(),
        model,
    };
    finish(
        target,
        plan,
        &grid,
        tail,
        &dirs,
        forecast,
        held_out.as_ref(),
        Some(&saved),
        obs,
    )
}

fn interval_name(plan: &HorizonPlan) -> &'static str {
    if plan.interval == Interval::DAILY {
        "daily"
    } else {
        "hourly"
    }
}

/// Prints what the forecast found and writes its files (the model's only for the regression).
#[allow(clippy::too_many_arguments)]
fn finish(
    target: &Target,
    plan: &HorizonPlan,
    grid: &Grid,
    tail: usize,
    dirs: &SiteDirs,
    forecast: HorizonForecast,
    held_out: Option<&HeldOut>,
    saved: Option<&SavedHorizonModel>,
    obs: &mut dyn Observer,
) -> Result {
    let interval_name = interval_name(plan);
    let last = grid.time(grid.values.len() - 1);
    say!(
        obs,
        "forecast         {} steps from {}{}",
        forecast.values.len(),
        format_timestamp(forecast.start),
        if tail > 0 {
            format!(
                " ({tail} blank step(s) at the end of the file, up to {}, forecast too)",
                format_timestamp(last)
            )
        } else {
            String::new()
        }
    );
    if let Some(held) = held_out {
        say!(
            obs,
            "held-out check   {} forecasts of the last {} days: MAE {:.3}; same hour last week {:.3}; 4-week mean {:.3}{}",
            held.origins,
            plan.config.calibration_days,
            held.model_mae,
            held.last_week_mae,
            held.four_week_mae,
            if held.model_mae < held.last_week_mae.min(held.four_week_mae) {
                ""
            } else {
                " — NOT better than a baseline"
            }
        );
        say!(
            obs,
            "intervals        split conformal on those errors; checked forward: bands from their first half held {:.0} % (80 % band) and {:.0} % (95 % band) of the second half's readings",
            held.inside_80 * 100.0,
            held.inside_95 * 100.0
        );
    }
    let forecast_dir = dirs.root.join("Forecast");
    let shown = (21 * plan.per_day()).min(grid.values.len());
    let history_times: Vec<i64> = (grid.values.len() - shown..grid.values.len())
        .map(|i| grid.time(i))
        .collect();
    let times: Vec<i64> = (0..forecast.values.len())
        .map(|i| forecast.start + forecast.step * i as i64)
        .collect();
    let subtitle = format!(
        "{} — {} from {}",
        target.slug,
        interval_name,
        format_timestamp(forecast.start)
    );
    let image = forecast_graph(&ForecastGraph {
        subtitle: &subtitle,
        unit: &unit_of(&target.column),
        history_times: &history_times,
        history: &grid.values[grid.values.len() - shown..],
        times: &times,
        forecast: &forecast.values,
        band_80: (&forecast.lower_80, &forecast.upper_80),
        band_95: (&forecast.lower_95, &forecast.upper_95),
    })?;
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
        (forecast_dir.join("forecast.csv"), forecast_csv(&forecast)),
        (forecast_dir.join("forecast.png"), encode_png(&image)?),
    ];
    if let Some(saved) = saved {
        files.push((forecast_dir.join("model.json"), serde_json::to_vec_pretty(saved)?));
    }
    write_and_list(&files, obs)?;
    Ok(())
}
