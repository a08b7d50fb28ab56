//! The stages of the job on one site: preprocess, train, evaluate. Each reports to the observer
//! and writes its files (all or none).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{FlowError, Result};
use crate::observer::Observer;
use crate::original::Lang;
use crate::output::{evaluation_csv, SiteDirs};
use crate::report::{deciding, OriginalScoring, WhereMeasured};
use crate::settings::Wording;
use crate::site::{thousands, write_and_list, Target};
use flowcore::events::Flag;
use flowcore::files::{criteria_csv, series_csv, write_all_or_nothing};
use flowcore::{Checked, Criteria, Export, FlowSeries, PreprocessConfig, Preprocessed};
use flowlstm::{TrainConfig, Training};
use flowreport::baseline::{
    baseline_forecasts, compare_forecasts, render_comparison, season_length, verdict, Comparison,
};
use flowreport::graph::{encode_png, encode_tiff, performance_graph, residual_graph, PerformanceGraph};
use flowreport::profile::{Profiler, StageProfile};
use flowreport::stats::{accuracy, misaligned_rmse, outliers, render, render_original, Accuracy};

pub(crate) struct PreprocessOutcome {
    /// The column as read: minute readings, `NaN` where missing.
    pub(crate) raw: FlowSeries,
    pub(crate) preprocessed: Preprocessed,
    pub(crate) ingest: flowcore::IngestReport,
    pub(crate) profile: StageProfile,
}

/// Reads the target's column and preprocesses it; writes `preprocessed.csv` and `criteria.csv` into
/// `out` when given (`flow predict` passes none: it never rewrites the trained model's inputs).
pub(crate) fn preprocess_stage(
    export: &Export,
    target: &Target,
    config: &Checked<PreprocessConfig>,
    out: Option<&Path>,
    obs: &mut dyn Observer,
) -> Result<PreprocessOutcome> {
    let profiler = Profiler::start();
    let ingested = export.series(target.selector())?;
    // Preprocessing errors (too few rows, …) do not know the file; the engineer needs it named.
    let preprocessed = flowcore::preprocess(&ingested.series, config).map_err(|source| {
        let stray = match &source {
            flowcore::CoreError::MostlyInvented { stray, .. } => {
                export
                    .line_of_time(*stray)
                    .map(|(file, line, text)| match export.paths().nth(1) {
                        Some(_) => format!("; the stray row is {} line {line}: `{text}`", file.display()),
                        None => format!("; the stray row is line {line}: `{text}`"),
                    })
            }
            _ => None,
        };
        FlowError::Preprocess {
            file: export.describe(),
            source: Box::new(source),
            stray: stray.unwrap_or_default(),
        }
    })?;
    if let Some(out) = out {
        // The steps not measured of an earlier series are not this one's: gone before the new
        // files are, and written again once this command has found the alarms.
        forget_not_measured(out)?;
        let files = [
            (out.join("preprocessed.csv"), series_csv(&preprocessed.series)),
            (out.join("criteria.csv"), criteria_csv(&preprocessed.criteria)),
        ];
        write_all_or_nothing(&files)?;
    }
    let profile = profiler.finish("preprocess");
    let (r, s, c) = (&ingested.report, &preprocessed.summary, &preprocessed.criteria);
    say!(obs);
    say!(obs, "== Preprocessing: {} ({}) ==", target.slug, r.column);
    say!(
        obs,
        "rows read        {}{} ({}), interval {}",
        thousands(r.rows_read),
        match r.files {
            1 => String::new(),
            n => format!(" from {n} files"),
        },
        r.encoding,
        ingested.series.interval
    );
    say!(
        obs,
        "missing cells    {} blank, {} non-numeric (`-`, `#N/A`, …){}",
        thousands(r.blank_cells),
        thousands(r.non_numeric_cells),
        r.first_non_numeric
            .as_ref()
            .map_or(String::new(), |first| format!("; first: {first}"))
    );
    if let Some(first) = &r.first_out_of_range {
        say!(
            obs,
            "out of range     {} readings beyond ±{:e} treated as missing (data errors); first: {first}",
            thousands(r.out_of_range_cells),
            flowcore::ingest::MAX_READING
        );
    }
    if r.thousands_separated_cells > 0 {
        say!(
            obs,
            "separators       {} numbers written with thousands separators (`1,234`) read as numbers",
            thousands(r.thousands_separated_cells)
        );
    }
    if r.decimal_comma_cells > 0 {
        say!(
            obs,
            "separators       {} numbers written with a decimal comma (`5,36`, a `;`-separated file) read as numbers",
            thousands(r.decimal_comma_cells)
        );
    }
    for note in crate::site::time_notes(r) {
        say!(obs, "{note}");
    }
    if r.duplicate_timestamps > 0 || r.reordered {
        say!(
            obs,
            "time order       {} duplicate timestamps resolved (last number wins{}){}",
            r.duplicate_timestamps,
            match r.duplicates_differing {
                0 if r.duplicate_timestamps > 0 => "; each the same number again".to_string(),
                0 => String::new(),
                n => format!("; {n} with another number than the row before: corrections, or files that disagree"),
            },
            if r.reordered {
                "; rows sorted into time order"
            } else {
                ""
            }
        );
    }
    say!(obs,
        "filled           {} readings in {} short gaps (<= 3) took the previous reading; {} in {} long gaps interpolated; {} leading and {} trailing dropped",
        thousands(s.fill.filled_previous),
        s.fill.short_gaps,
        thousands(s.fill.interpolated),
        s.fill.long_gaps,
        s.fill.leading_dropped,
        s.fill.trailing_dropped
    );
    say!(
        obs,
        "resampled        {} by mean: {} rows ({} empty buckets filled, {} dropped by --days)",
        config.interval,
        s.rows_out,
        s.empty_buckets,
        s.days_dropped
    );
    say!(
        obs,
        "criteria         raw {:.2} .. {:.2}, normal {:.2} .. {:.2}{}, U_level {:.2}, L_level {:.2} (level {} %)",
        c.raw_min,
        c.raw_max,
        c.normal_min,
        c.normal_max,
        if config.normal_min.is_none() && config.normal_max.is_none() {
            " (Tukey fences)"
        } else {
            ""
        },
        c.upper_level,
        c.lower_level,
        config.level_percent
    );
    if config.correct_outliers {
        say!(
            obs,
            "clipped          {} above U_level set to normal_max, {} below L_level set to normal_min",
            s.clipped.clipped_high,
            s.clipped.clipped_low
        );
    }
    match out {
        Some(out) => {
            say!(obs, "written          {}", out.join("preprocessed.csv").display());
            say!(obs, "                 {}", out.join("criteria.csv").display());
        }
        None => say!(
            obs,
            "written          nothing: the model's own criteria and interval are used"
        ),
    }
    say!(obs, "{profile}");
    Ok(PreprocessOutcome {
        raw: ingested.series,
        preprocessed,
        ingest: ingested.report,
        profile,
    })
}

/// The file beside `preprocessed.csv` that says which of its steps are no measure of the flow.
pub(crate) const NOT_MEASURED_FILE: &str = "not_measured.csv";

fn forget_not_measured(folder: &Path) -> Result<()> {
    let path = folder.join(NOT_MEASURED_FILE);
    match std::fs::remove_file(&path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(flowcore::CoreError::Io { path, source: error }.into())
        }
        _ => Ok(()),
    }
}

/// Writes `not_measured.csv` into `folder`, beside the `series` preprocessed there from `raw`: the
/// steps the `alarms` found on `raw` leave no measure of the flow, with the reason
/// (`flowcore::files::not_measured_csv`). `flow train` on those files later scores the model and
/// fits Holt–Winters on them as the command that found the alarms did. Returns the flags, one a
/// step.
pub(crate) fn write_not_measured(
    folder: &Path,
    series: &FlowSeries,
    raw: &FlowSeries,
    alarms: &[flowcore::events::Alarm],
    obs: &mut dyn Observer,
) -> Result<Vec<bool>> {
    let why = flowcore::alarms::why_not_measured(&series.timestamps, series.interval.seconds(), raw, alarms);
    let path = folder.join(NOT_MEASURED_FILE);
    write_all_or_nothing(&[(
        path.clone(),
        flowcore::files::not_measured_csv(&series.timestamps, &why),
    )])?;
    say!(
        obs,
        "written          {} ({} of {} steps no measure of the flow)",
        path.display(),
        why.iter().flatten().count(),
        why.len()
    );
    Ok(why.iter().map(Option::is_some).collect())
}

pub(crate) struct TrainOutcome {
    pub(crate) training: Training,
    pub(crate) profile: StageProfile,
}

pub(crate) fn train_stage(
    series: &FlowSeries,
    criteria: &Criteria,
    target: &Target,
    config: &Checked<TrainConfig>,
    check: bool,
    dirs: &SiteDirs,
    obs: &mut dyn Observer,
) -> Result<TrainOutcome> {
    let profiler = Profiler::start();
    say!(obs);
    say!(obs, "== Training: {} ==", target.slug);
    if let Some(need) = flowlstm::rows_needed(config).filter(|&need| series.len() < need) {
        return Err(FlowError::TooShortToTrain {
            slug: target.slug.clone(),
            column: target.column.clone(),
            have: series.len(),
            need,
            interval: series.interval,
            window: config.window,
            periods: config.periods,
            test_share: ((1.0 - config.train_fraction) * 1000.0).round() / 10.0,
        });
    }
    if flowlstm::rows_needed(config).is_some() {
        let (train, test) = flowcore::split_chronological(series, config.train_fraction)?;
        say!(obs, "Train data Size: {} rows", train.len());
        say!(obs, "Test data Size: {} rows", test.len());
        if check {
            write_all_or_nothing(&[
                (dirs.learning.join("check_train_data.csv"), series_csv(&train)),
                (dirs.learning.join("check_test_data.csv"), series_csv(&test)),
            ])?;
            say!(
                obs,
                "written          {} and check_test_data.csv",
                dirs.learning.join("check_train_data.csv").display()
            );
        }
    }
    obs.training_starts(config.epochs);
    // A fault's windows are trained on: leaving out every fault's, or a stuck transmitter's
    // only, was measured no better (docs/ACCURACY.md, "Scored where the meter measured").
    let result = flowlstm::train(series, criteria, &target.identity(), config, &mut |report| {
        obs.epoch(&report);
    });
    obs.training_ends();
    let mut training = result?;
    training.model.save(&dirs.learning)?;
    let meta = &training.model.meta;
    say!(
        obs,
        "model            {} layers × {} units, window {}, periods {}, inputs {}",
        meta.layers,
        meta.hidden,
        meta.window,
        meta.periods,
        meta.feature_names.join("+")
    );
    say!(
        obs,
        "trained          {} epochs ({} windows, batch {}, {} lr {}, target {}), final loss {:.6} (scaled MSE)",
        meta.epochs_run,
        meta.train_samples,
        meta.batch_size,
        serde_json::to_value(meta.optimizer)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        meta.learning_rate,
        serde_json::to_value(meta.target)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        meta.final_loss
    );
    say!(
        obs,
        "device           {} ({})",
        training.model.device(),
        training.model.placement.reason
    );
    say!(
        obs,
        "written          {}",
        dirs.learning.join(flowlstm::WEIGHTS_FILE).display()
    );
    say!(
        obs,
        "                 {}",
        dirs.learning.join(flowlstm::META_FILE).display()
    );
    let profile = profiler.finish("train");
    say!(obs, "{profile}");
    Ok(TrainOutcome { training, profile })
}

pub(crate) struct EvaluateOutcome {
    pub(crate) accuracy: Accuracy,
    pub(crate) comparison: Comparison,
    /// The same on the test points that measure the flow, where some do not.
    pub(crate) where_measured: Option<WhereMeasured>,
    /// The periods of the whole series that are no measure of the flow, where faults were looked for.
    pub(crate) not_measured: Vec<[String; 2]>,
    pub(crate) outliers: Vec<Flag>,
    /// The same predictions scored as the original scored them (a week's shift).
    pub(crate) original_scoring: Option<OriginalScoring>,
    pub(crate) profile: StageProfile,
}

/// `Learning_lstm/evaluation.json`: the model beside the baselines on its test part, kept with the
/// SHA-256 of the weights measured, so that `flow predict` on a later day (without `flow run`) can
/// still say whether a baseline is the forecast to use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedEvaluation {
    /// `weights_sha256` of the model.json evaluated.
    pub weights_sha256: String,
    /// The model and the baselines on the test part (on its points that measure the flow, where
    /// `flow run` found some that do not: `EvaluateOutcome::deciding`).
    pub comparison: Comparison,
}

impl SavedEvaluation {
    /// Its name in the model's folder.
    pub(crate) const FILE: &'static str = "evaluation.json";

    /// The comparison saved beside `model` in `folder`, or why there is none to use: absent (a
    /// folder trained by an older flow, or copied without it), unreadable, or of other weights (a
    /// model.safetensors replaced after its evaluation). None of these stops a prediction.
    pub(crate) fn load(folder: &Path, model: &flowlstm::LstmModel) -> std::result::Result<Comparison, String> {
        let path = folder.join(Self::FILE);
        let size = std::fs::metadata(&path)
            .map_err(|_| format!("no {} beside the model", path.display()))?
            .len();
        // Four baselines' scores take a kilobyte: a file of megabytes is not one flow wrote.
        if size > 1 << 20 {
            return Err(format!("{} is not readable ({size} bytes)", path.display()));
        }
        let text =
            std::fs::read_to_string(&path).map_err(|error| format!("{} is not readable ({error})", path.display()))?;
        let saved: SavedEvaluation =
            serde_json::from_str(&text).map_err(|error| format!("{} is not readable ({error})", path.display()))?;
        if saved.weights_sha256 != model.meta.weights_sha256 {
            return Err(format!("{} was measured on other weights", path.display()));
        }
        Ok(saved.comparison)
    }
}

pub(crate) fn evaluate_stage(
    measured: &Measured<'_>,
    training: &Training,
    config: &TrainConfig,
    sigma_k: f64,
    dirs: &SiteDirs,
    wording: Wording,
    obs: &mut dyn Observer,
) -> Result<EvaluateOutcome> {
    let profiler = Profiler::start();
    let series = measured.series;
    let evaluation = &training.evaluation;
    // Statistics refused (a test part of one constant value) name no site of their own.
    let meta = &training.model.meta;
    let at_site = |error: flowreport::ReportError| FlowError::Site {
        slug: meta.site.clone(),
        column: meta.column.clone(),
        source: Box::new(error.into()),
    };
    let accuracy = accuracy(&evaluation.actual, &evaluation.predicted).map_err(at_site)?;
    let outliers = outliers(
        &evaluation.timestamps,
        &evaluation.actual,
        &evaluation.predicted,
        accuracy.residual_sigma(),
        sigma_k,
    );
    say!(obs);
    say!(obs, "== Evaluation on the test part ({} points) ==", accuracy.points);
    match wording.lang {
        Lang::En => obs.block(&render(&accuracy, &outliers, sigma_k)),
        Lang::Ko => obs.block(&render_original(&accuracy, &outliers)),
    }
    let original_scoring =
        misaligned_rmse(&evaluation.actual, &evaluation.predicted, config.window).map(|(rmse, points)| {
            OriginalScoring {
                rmse,
                points,
                shift: config.window,
            }
        });
    if let (true, Some(scored)) = (wording.original_scoring, original_scoring) {
        say!(obs,
            "As the original scored it (the prediction for step t+{} against the actual of step t, {} points): RMSE {:.2}; flow scores each prediction against the value it predicts (docs/ACCURACY.md)",
            scored.shift, scored.points, scored.rmse
        );
    }
    let season = season_length(series.interval.seconds());
    // Made once (Holt–Winters is fitted here, learning nothing from the steps the alarms found no
    // measure of the flow), scored on all test points and again where the meter measured.
    let forecasts = baseline_forecasts(
        &series.values,
        training.train_rows,
        config.window,
        season,
        measured.not_measured.as_deref(),
    )
    .map_err(at_site)?;
    let every_point = vec![true; evaluation.predicted.len()];
    let comparison = compare_forecasts(
        &series.values,
        training.train_rows,
        &evaluation.predicted,
        &forecasts,
        season,
        &every_point,
    )
    .map_err(at_site)?;
    obs.block(&render_comparison(&comparison));
    let lookback = training.model.meta.window.max(season);
    let counted = measured
        .not_measured
        .as_deref()
        .and_then(|flags| counted_points(flags, training, lookback));
    let (where_measured, left_out_spans) = counted
        .as_deref()
        .and_then(|counted| where_measured(series, training, counted, lookback, (&forecasts, season), &outliers))
        .unzip();
    if let Some(scored) = &where_measured {
        for line in where_measured_lines(scored, &comparison, outliers.len()) {
            say!(obs, "{line}");
        }
    }
    // The original's subtitle, and the error where the meter measured when some points did not.
    let subtitle = format!(
        "Epochs={}, Batch Size={}, RMSE={:.2}{}",
        training.model.meta.epochs_run,
        config.batch_size,
        accuracy.rmse,
        where_measured.as_ref().map_or(String::new(), |w| format!(
            " ({:.2} on the {} points measured)",
            w.accuracy.rmse, w.accuracy.points
        ))
    );
    let graph = performance_graph(&PerformanceGraph {
        subtitle: &subtitle,
        timestamps: &evaluation.timestamps,
        actual: &evaluation.actual,
        predicted: &evaluation.predicted,
        outliers: &outliers,
        sigma_k,
        not_measured: left_out_spans.as_deref().unwrap_or_default(),
    })?;
    let residuals: Vec<f64> = evaluation
        .actual
        .iter()
        .zip(&evaluation.predicted)
        .map(|(a, p)| a - p)
        .collect();
    let residual_image = residual_graph(&evaluation.timestamps, &residuals, accuracy.residual_sigma(), sigma_k)?;
    let files = [
        (dirs.learning.join("lstm_performance_graph.tiff"), encode_tiff(&graph)?),
        (dirs.learning.join("lstm_performance_graph.png"), encode_png(&graph)?),
        (dirs.learning.join("residuals.png"), encode_png(&residual_image)?),
        (
            dirs.learning.join("test_predictions.csv"),
            evaluation_csv(evaluation, &forecasts, counted.as_deref()),
        ),
        (
            dirs.learning.join(SavedEvaluation::FILE),
            serde_json::to_vec_pretty(&SavedEvaluation {
                weights_sha256: training.model.meta.weights_sha256.clone(),
                comparison: deciding(&comparison, where_measured.as_ref()).clone(),
            })?,
        ),
    ];
    write_and_list(&files, obs)?;
    let profile = profiler.finish("evaluate");
    say!(obs, "{profile}");
    Ok(EvaluateOutcome {
        accuracy,
        comparison,
        where_measured,
        not_measured: measured
            .not_measured
            .as_deref()
            .map(|flags| not_measured_periods(series, flags))
            .unwrap_or_default(),
        outliers,
        original_scoring,
        profile,
    })
}

/// The series a model is trained and scored on, and which of its steps are no measure of the flow
/// (`flowcore::alarms::steps_not_measured`: a stuck transmitter, a dropout, a long outage, a step a
/// quarter unread), known where the alarm stage ran.
pub(crate) struct Measured<'a> {
    pub(crate) series: &'a FlowSeries,
    pub(crate) not_measured: Option<Vec<bool>>,
}

impl<'a> Measured<'a> {
    /// A series whose faults are not known (`flow train`, `--no-alarms`): every step scored.
    pub(crate) fn unknown(series: &'a FlowSeries) -> Self {
        Measured {
            series,
            not_measured: None,
        }
    }

    /// A series preprocessed into `folder` earlier, with the steps `not_measured.csv` there flags;
    /// every step scored where there is none (a folder of `--preset original`, `--no-alarms`, or an
    /// older flow), which is said.
    pub(crate) fn saved(series: &'a FlowSeries, folder: &Path, obs: &mut dyn Observer) -> Result<Self> {
        let path = folder.join(NOT_MEASURED_FILE);
        if !path.is_file() {
            say!(
                obs,
                "not measured     unknown: no {} beside the preprocessed files (flow preprocess writes it); every test point is scored",
                path.display()
            );
            return Ok(Measured::unknown(series));
        }
        let flags = flowcore::files::read_not_measured_csv(&path, &series.timestamps)?;
        say!(
            obs,
            "not measured     {} of {} steps, as {} says",
            flags.iter().filter(|&&f| f).count(),
            flags.len(),
            path.display()
        );
        Ok(Measured {
            series,
            not_measured: Some(flags),
        })
    }

    /// A series made of `raw`, with the alarms found on `raw` (`None`: not looked for).
    pub(crate) fn by_alarms(
        series: &'a FlowSeries,
        raw: &FlowSeries,
        alarms: Option<&[flowcore::events::Alarm]>,
    ) -> Self {
        let Some(alarms) = alarms else {
            return Measured::unknown(series);
        };
        let (times, step) = (&series.timestamps, series.interval.seconds());
        Measured {
            series,
            not_measured: Some(flowcore::alarms::steps_not_measured(times, step, raw, alarms)),
        }
    }
}

impl EvaluateOutcome {
    /// The comparison that decides whether a baseline's forecast is given beside the LSTM's: on
    /// the test points that measure the flow where some were left out, else on all.
    pub(crate) fn deciding(&self) -> &Comparison {
        deciding(&self.comparison, self.where_measured.as_ref())
    }
}

/// One flag a test step: whether it measures the flow — neither its value nor the `lookback` steps
/// before it (what the forecasts read: the model's window, or the baselines' season where longer)
/// hold a step `not_measured` flags. `None` where the flags are not the series'.
fn counted_points(not_measured: &[bool], training: &Training, lookback: usize) -> Option<Vec<bool>> {
    let (test_start, test) = (training.train_rows, training.evaluation.predicted.len());
    (not_measured.len() == test_start + test).then(|| {
        (test_start..not_measured.len())
            .map(|k| !not_measured[k.saturating_sub(lookback)..=k].contains(&true))
            .collect()
    })
}

/// The model and the baselines (their `forecasts` of the test steps, at `season`) on the test steps
/// [`counted_points`] keeps, with the periods left out as (first, end) times for the graph; `None`
/// when no test step or every one is left out (nothing to say apart), or the steps kept are one
/// constant.
fn where_measured(
    series: &FlowSeries,
    training: &Training,
    counted: &[bool],
    lookback: usize,
    (forecasts, season): (&[(String, Vec<f64>)], usize),
    outliers: &[Flag],
) -> Option<(WhereMeasured, Vec<(i64, i64)>)> {
    let evaluation = &training.evaluation;
    let test_start = training.train_rows;
    if counted.len() != evaluation.predicted.len() || test_start + counted.len() != series.len() {
        return None;
    }
    let left_out = counted.iter().filter(|&&c| !c).count();
    if left_out == 0 || left_out == counted.len() {
        return None;
    }
    let kept = |all: &[f64]| -> Vec<f64> { all.iter().zip(counted).filter(|(_, &c)| c).map(|(&v, _)| v).collect() };
    let accuracy = accuracy(&kept(&evaluation.actual), &kept(&evaluation.predicted)).ok()?;
    let baselines = compare_forecasts(
        &series.values,
        test_start,
        &evaluation.predicted,
        forecasts,
        season,
        counted,
    )
    .ok()?;
    let day = series.interval.seconds() >= 86_400;
    let when = |t: i64| {
        let text = flowcore::time::format_timestamp(t);
        // `YYYY-MM-DD`, or with `HH:MM` below a day.
        let shown = text.get(..if day { 10 } else { 16 }).unwrap_or(&text);
        shown.to_string()
    };
    let (mut periods, mut spans) = (Vec::new(), Vec::new());
    for (first, last) in flowcore::alarms::runs(counted.len(), |j| !counted[j]) {
        periods.push([when(evaluation.timestamps[first]), when(evaluation.timestamps[last])]);
        // Half a step either side, so the band is centred on the points it covers.
        let half = series.interval.seconds() / 2;
        spans.push((evaluation.timestamps[first] - half, evaluation.timestamps[last] + half));
    }
    let outliers_left_out = outliers
        .iter()
        .filter(|o| {
            evaluation
                .timestamps
                .binary_search(&o.timestamp)
                .is_ok_and(|j| !counted[j])
        })
        .count();
    let scored = WhereMeasured {
        left_out,
        lookback,
        periods,
        outliers_left_out,
        accuracy,
        baselines,
    };
    Some((scored, spans))
}

/// Every period of `series` that `not_measured` flags, as its first and last step's times: what
/// Holt–Winters learned nothing from, for report.json.
fn not_measured_periods(series: &FlowSeries, not_measured: &[bool]) -> Vec<[String; 2]> {
    if not_measured.len() != series.len() {
        return Vec::new();
    }
    let when = |k: usize| flowcore::time::format_timestamp(series.timestamps[k]);
    flowcore::alarms::runs(not_measured.len(), |k| not_measured[k])
        .into_iter()
        .map(|(first, last)| [when(first), when(last)])
        .collect()
}

/// What the terminal says of the test points that are no measure of the flow: how many, when, and
/// the scores without them, with the verdict on them (saying so where it decides otherwise).
fn where_measured_lines(scored: &WhereMeasured, all: &Comparison, outliers: usize) -> Vec<String> {
    const SHOWN: usize = 4;
    let points = scored.left_out + scored.accuracy.points;
    let mut periods: Vec<String> = scored
        .periods
        .iter()
        .take(SHOWN)
        .map(|[first, last]| {
            if first == last {
                first.clone()
            } else {
                format!("{first} .. {last}")
            }
        })
        .collect();
    if scored.periods.len() > SHOWN {
        periods.push(format!("and {} more", scored.periods.len() - SHOWN));
    }
    let mut lines = vec![
        format!(
            "Not measured: {} of the {points} test points hold a stuck, dropout or outage reading or are a quarter unread, or follow one within the {} steps the forecasts read ({})",
            scored.left_out,
            scored.lookback,
            periods.join(", ")
        ),
        format!(
            "  Without them ({} points): RMSE {:.2}   MAE {:.2}; {} of the {outliers} outliers were among them",
            scored.accuracy.points, scored.accuracy.rmse, scored.accuracy.mae, scored.outliers_left_out
        ),
    ];
    if let Some(said) = verdict(&scored.baselines) {
        // Which forecast is given follows this verdict: say so where it differs from the one above.
        let best = |c: &Comparison| c.best_baseline().map(|(index, _)| index);
        let same = scored.baselines.model_wins == all.model_wins && best(&scored.baselines) == best(all);
        let changed = if same { "" } else { " (this decides the forecast given)" };
        lines.push(format!("  Verdict without them: {said}{changed}"));
    }
    lines
}
