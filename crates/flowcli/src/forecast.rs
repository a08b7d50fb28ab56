//! The forecast of the hours or days ahead as library calls: `flow forecast` fits the week-profile
//! regression (or, by name, the LSTM) per site, or loads one, forecasts from the step after the
//! last reading and writes `Forecast/forecast.csv`, `forecast.png` and `model.json` (and the
//! LSTM's network in `Forecast/lstm/`); `flow backtest` fits before each
//! origin and scores the forecast and the two seasonal baselines against what happened.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use flowcore::files::python_float;
use flowcore::time::format_timestamp;
use flowcore::{Check, Export};
use flowlstm::horizon::{fit, Grid, HeldOut, HorizonForecast, HorizonModel};
use flowlstm::horizon_lstm::{fit_lstm, LstmHorizon};
use flowlstm::{DeviceChoice, LstmModel};
use flowreport::forecast::{forecast_graph, ForecastGraph};
use flowreport::graph::encode_png;
use serde::{Deserialize, Serialize};

use crate::error::{FlowError, Result};
use crate::guard::SiteGuard;
use crate::horizon_input::{clock_notes, site_grid, Method};
pub use crate::horizon_input::{horizon_plan, parse_horizon, HorizonPlan};
use crate::observer::Observer;
use crate::options::ForecastArgs;
use crate::output::SiteDirs;
use crate::site::{read_targets, write_and_list, Target};

/// The format name written into `model.json`.
pub const MODEL_FORMAT: &str = "flow-horizon-1";

/// The format name of an LSTM forecaster's `model.json` (its network in the `lstm` folder beside
/// it).
pub const LSTM_MODEL_FORMAT: &str = "flow-horizon-lstm-1";

/// The folder beside an LSTM forecaster's `model.json` that holds its network.
const NETWORK_FOLDER: &str = "lstm";

/// An LSTM forecaster as `model.json` keeps it: what it forecasts and its bands; the network is in
/// the `lstm` folder beside it (flowlstm's `model.json` and `model.safetensors`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedLstmHorizon {
    /// [`LSTM_MODEL_FORMAT`].
    pub format: String,
    /// The site's slug.
    pub site: String,
    /// Its column.
    pub column: String,
    /// `hourly` or `daily`.
    pub interval: String,
    /// Steps forecast.
    pub horizon: usize,
    /// Per step ahead: error quantiles 2.5 %, 10 %, 90 %, 97.5 %.
    pub error_quantiles: Vec<[f64; 4]>,
    /// The held-out check made when it was fitted.
    pub held_out: Option<HeldOut>,
    /// SHA-256 of the network's weights: a network folder of another fit is refused.
    pub network_sha256: String,
}

/// A model given with `--model`: its file decides the method.
#[derive(Debug)]
enum GivenModel {
    Profile(SavedHorizonModel),
    Lstm { saved: SavedLstmHorizon, network: PathBuf },
}

impl GivenModel {
    /// Refuses a model fitted for another site, interval or span of steps.
    fn check_fits(&self, target: &Target, interval: &str, steps: usize) -> Result {
        let (site, fitted_interval, horizon) = match self {
            GivenModel::Profile(saved) => (&saved.site, &saved.interval, saved.model.config.horizon),
            GivenModel::Lstm { saved, .. } => (&saved.site, &saved.interval, saved.horizon),
        };
        if *site != target.slug || fitted_interval != interval || horizon != steps {
            return Err(FlowError::ModelForOther {
                site: site.clone(),
                fitted_interval: fitted_interval.clone(),
                horizon,
                slug: target.slug.clone(),
                interval: interval.to_string(),
                steps,
            });
        }
        Ok(())
    }
}

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
    let saved = match &args.model {
        Some(path) => Some(read_model(path)?),
        None => None,
    };
    if let (Some(GivenModel::Profile(_)), Method::Lstm(_)) = (&saved, &plan.method) {
        return Err(FlowError::ModelNotLstm {
            model: args.model.clone().unwrap_or_else(|| PathBuf::from("--model")),
        });
    }
    if let (Some(GivenModel::Lstm { .. }), Some(option)) = (&saved, plan.calendar_options()) {
        return Err(FlowError::ModelIsLstm {
            option,
            model: args.model.clone().unwrap_or_else(|| PathBuf::from("--model")),
        });
    }
    let (export, _, targets) = read_targets(&args.input, args.sites.as_deref(), obs)?;
    let output_dir = &args.input.output_dir;
    let first = targets.first().map(|t| t.slug.clone());
    let results = crate::parallel::each_target(&targets, obs, |target, transcript| {
        let notes = first.as_deref() == Some(target.slug.as_str());
        let given = saved.as_ref().zip(args.model.as_deref());
        forecast_site(&export, target, &plan, given, output_dir, notes, transcript)
    });
    if targets.len() > 1 {
        say!(obs);
        say!(obs, "== Forecasts: {} sites ==", targets.len());
        obs.block(&sites_table(&targets, &results, &plan));
    }
    crate::parallel::all_done(&export, &targets, results)
}

fn read_model(path: &Path) -> Result<GivenModel> {
    let text = std::fs::read_to_string(path).map_err(|source| flowcore::CoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let not_a_model = |source: serde_json::Error| FlowError::NotAModel {
        path: path.to_path_buf(),
        source,
    };
    let unusable = |source: flowlstm::LstmError| FlowError::UnusableModel {
        path: path.to_path_buf(),
        source: Box::new(source),
    };
    #[derive(Deserialize)]
    struct Format {
        format: String,
    }
    let format: Format = serde_json::from_str(&text).map_err(not_a_model)?;
    match format.format.as_str() {
        MODEL_FORMAT => {
            let saved: SavedHorizonModel = serde_json::from_str(&text).map_err(not_a_model)?;
            saved.model.validate().map_err(unusable)?;
            Ok(GivenModel::Profile(saved))
        }
        LSTM_MODEL_FORMAT => {
            let saved: SavedLstmHorizon = serde_json::from_str(&text).map_err(not_a_model)?;
            if saved.error_quantiles.len() != saved.horizon {
                return Err(unusable(flowlstm::LstmError::ModelShape {
                    what: "error quantiles",
                    have: saved.error_quantiles.len(),
                    expected: saved.horizon,
                }));
            }
            let network = path.parent().unwrap_or(Path::new(".")).join(NETWORK_FOLDER);
            Ok(GivenModel::Lstm { saved, network })
        }
        other => Err(FlowError::ModelFormat {
            path: path.to_path_buf(),
            format: other.to_string(),
            expected: format!("{MODEL_FORMAT} or {LSTM_MODEL_FORMAT}"),
        }),
    }
}

/// What one site's forecast says, for the closing table of a forecast of several sites.
struct SiteForecast {
    /// The held-out check, when the model has one.
    held_out: Option<HeldOut>,
    /// The first day's steps: their mean, and the highest with its time.
    first_day: (f64, f64, i64),
}

/// A line a site after a forecast of several: the next day's mean and peak, the MAE of the
/// held-out check beside the two baselines' on the same days, and how much of the second half's
/// readings the 80 % band made from the first half held.
fn sites_table(targets: &[Target], results: &[Result<SiteForecast>], plan: &HorizonPlan) -> String {
    let step = plan.step_name();
    let mut table = format!(
        "{:<16} {:>9} {:>26}  {:>9} {:>20} {:>11} {:>9}\n",
        "site",
        "next day",
        "peak (at)",
        "MAE",
        format!("same {step} a week ago"),
        "4-week mean",
        "80 % held"
    );
    for (target, result) in targets.iter().zip(results) {
        let Ok(site) = result else {
            let _ = writeln!(table, "{:<16} failed (said above)", target.slug);
            continue;
        };
        let (mean, peak, at) = site.first_day;
        let held = |value: fn(&HeldOut) -> f64| {
            site.held_out
                .as_ref()
                .map_or("-".to_string(), |h| format!("{:.2}", value(h)))
        };
        let _ = writeln!(
            table,
            "{:<16} {mean:>9.2} {:>26}  {:>9} {:>20} {:>11} {:>7} %",
            target.slug,
            format!("{peak:.2} ({})", &format_timestamp(at)[..16]),
            held(|h| h.model_mae),
            held(|h| h.last_week_mae),
            held(|h| h.four_week_mae),
            site.held_out
                .map_or("-".to_string(), |h| format!("{:.0}", h.inside_80 * 100.0)),
        );
    }
    table
}

fn forecast_site(
    export: &Export,
    target: &Target,
    plan: &HorizonPlan,
    given: Option<(&GivenModel, &Path)>,
    output_dir: &Path,
    clock_notes_wanted: bool,
    obs: &mut dyn Observer,
) -> Result<SiteForecast> {
    let saved = given.map(|(model, _)| model);
    let dirs = SiteDirs::new(output_dir, &target.slug);
    let _guard = SiteGuard::claim(&dirs, "flow forecast", export.paths(), obs)?;
    SiteGuard::note_other_column(&dirs, &target.column, "flow forecast", obs);
    let (grid, report) = site_grid(export, target, plan.interval)?;
    say!(obs);
    say!(obs, "site             {} ({})", target.slug, target.column);
    if clock_notes_wanted {
        let notes = clock_notes(&report).into_iter().chain(plan.holiday_note(&grid));
        for note in notes.chain(plan.weather_note()) {
            say!(obs, "{note}");
        }
    }
    let tail = grid.blank_tail();
    // This site's failures name it: a `--sites all` run says which of its sites failed.
    let at_site = |source: FlowError| FlowError::Site {
        slug: target.slug.clone(),
        column: target.column.clone(),
        source: Box::new(source),
    };
    let steps = plan.span(&grid).map_err(at_site)?;
    let interval_name = plan.interval_name();
    let site_error = |source: flowlstm::LstmError| at_site(source.into());
    if let Some(given) = saved {
        given.check_fits(target, interval_name, steps)?;
    }
    let lstm = match (saved, &plan.method) {
        (Some(GivenModel::Lstm { saved, network }), _) => Some(load_lstm(saved, network, obs)?),
        (None, Method::Lstm(train)) => {
            let mut fitted = fit_lstm(&grid, &plan.config_for(steps)?, train).map_err(site_error)?;
            say!(
                obs,
                "model            LSTM (window {}, calendar inputs), trained on up to {} days",
                train.window,
                plan.config.history_days
            );
            // The network first (both of its files or neither); `model.json`, written with the
            // forecast, names its weights, so a network left from another fit is refused later.
            fitted.model.save(&dirs.root.join("Forecast").join(NETWORK_FOLDER))?;
            Some(fitted)
        }
        _ => None,
    };
    // The forecast, its held-out check and, for a model fitted here, the bytes of its
    // `model.json` (a given model's own files are copied as they are).
    let fitted_here = given.is_none();
    let (forecast, held_out, model_json) = match lstm {
        Some(fitted) => {
            let json = if fitted_here {
                let saved = SavedLstmHorizon {
                    format: LSTM_MODEL_FORMAT.to_string(),
                    site: target.slug.clone(),
                    column: target.column.clone(),
                    interval: interval_name.to_string(),
                    horizon: fitted.horizon,
                    error_quantiles: fitted.error_quantiles.clone(),
                    held_out: fitted.held_out,
                    network_sha256: fitted.model.meta.weights_sha256.clone(),
                };
                Some(serde_json::to_vec_pretty(&saved)?)
            } else {
                None
            };
            (fitted.predict(&grid).map_err(site_error)?, fitted.held_out, json)
        }
        None => match saved {
            Some(GivenModel::Profile(saved)) => {
                say!(
                    obs,
                    "model            loaded, fitted up to {}",
                    format_timestamp(saved.model.origin)
                );
                let forecast = saved.model.predict(&grid, &plan.calendar).map_err(site_error)?;
                (forecast, saved.model.held_out, None)
            }
            _ => {
                let model = fit(&grid, &plan.calendar, &plan.config_for(steps)?).map_err(site_error)?;
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
                let forecast = model.predict(&grid, &plan.calendar).map_err(site_error)?;
                let held_out = model.held_out;
                let saved = SavedHorizonModel {
                    format: MODEL_FORMAT.to_string(),
                    site: target.slug.clone(),
                    column: target.column.clone(),
                    interval: interval_name.to_string(),
                    model,
                };
                (forecast, held_out, Some(serde_json::to_vec_pretty(&saved)?))
            }
        },
    };
    let forecast_dir = dirs.root.join("Forecast");
    let model_files = match (given, model_json) {
        // The folder keeps the model that made its forecast: the given files, copied as they are.
        (Some((model, path)), _) => model_copies(model, path, &forecast_dir, obs)?,
        (None, json) => json
            .map(|json| vec![(forecast_dir.join("model.json"), json)])
            .unwrap_or_default(),
    };
    finish(
        target,
        plan,
        &grid,
        tail,
        &dirs,
        forecast,
        held_out.as_ref(),
        model_files,
        obs,
    )
}

/// The files of a `--model`, to be copied into the site's Forecast folder byte for byte (the
/// LSTM's network with it), so the folder holds the model that made its forecast. A file that is
/// already the destination — the model given from this very folder — is left alone: a command
/// never rewrites its own input (it did, re-serialised, its last digits changed).
fn model_copies(
    model: &GivenModel,
    path: &Path,
    forecast_dir: &Path,
    obs: &mut dyn Observer,
) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut pairs = vec![(path.to_path_buf(), forecast_dir.join("model.json"))];
    if let GivenModel::Lstm { network, .. } = model {
        for name in [flowlstm::META_FILE, flowlstm::WEIGHTS_FILE] {
            pairs.push((network.join(name), forecast_dir.join(NETWORK_FOLDER).join(name)));
        }
    }
    let same = |a: &Path, b: &Path| matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b);
    let mut files = Vec::new();
    for (from, to) in pairs {
        if same(&from, &to) {
            say!(obs, "kept             {} (the model given)", to.display());
            continue;
        }
        let bytes = std::fs::read(&from).map_err(|source| flowcore::CoreError::Io {
            path: from.clone(),
            source,
        })?;
        files.push((to, bytes));
    }
    Ok(files)
}

/// The LSTM forecaster of a `model.json`, its network read from the folder beside it and checked
/// to be the one that `model.json` names.
fn load_lstm(saved: &SavedLstmHorizon, network: &Path, obs: &mut dyn Observer) -> Result<LstmHorizon> {
    let model = LstmModel::load(network, DeviceChoice::Auto)?;
    if model.meta.weights_sha256 != saved.network_sha256 {
        return Err(FlowError::NetworkMismatch {
            network: network.to_path_buf(),
        });
    }
    say!(obs, "model            LSTM loaded from {}", network.display());
    Ok(LstmHorizon {
        model,
        horizon: saved.horizon,
        error_quantiles: saved.error_quantiles.clone(),
        held_out: saved.held_out,
    })
}

/// Prints what the forecast found and writes its files: the forecast, its graph and the model's
/// files (`model.json`, and a given LSTM's network).
#[allow(clippy::too_many_arguments)]
fn finish(
    target: &Target,
    plan: &HorizonPlan,
    grid: &Grid,
    tail: usize,
    dirs: &SiteDirs,
    forecast: HorizonForecast,
    held_out: Option<&HeldOut>,
    model_files: Vec<(PathBuf, Vec<u8>)>,
    obs: &mut dyn Observer,
) -> Result<SiteForecast> {
    let interval_name = plan.interval_name();
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
            "held-out check   {} forecasts of the last {} days: MAE {:.3}; same {} last week {:.3}; 4-week mean {:.3}{}",
            held.origins,
            plan.config.calibration_days,
            held.model_mae,
            plan.step_name(),
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
    files.extend(model_files);
    write_and_list(&files, obs)?;
    let first_day = &forecast.values[..plan.per_day().min(forecast.values.len())];
    let mean = first_day.iter().sum::<f64>() / first_day.len().max(1) as f64;
    let (peak_at, peak) =
        first_day.iter().enumerate().fold(
            (0, f64::NEG_INFINITY),
            |best, (i, &v)| if v > best.1 { (i, v) } else { best },
        );
    Ok(SiteForecast {
        held_out: held_out.copied(),
        first_day: (mean, peak, times.get(peak_at).copied().unwrap_or(forecast.start)),
    })
}
