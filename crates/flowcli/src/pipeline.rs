//! The stages of `flow`, each printing its report and profile line.

use std::error::Error;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use flowcore::files::{criteria_csv, read_criteria_csv, read_series_csv, series_csv, write_all_or_nothing};
use flowcore::time::format_timestamp;
use flowcore::{
    find_site, Criteria, DaySelection, Export, FeatureSet, FlowSeries, Interval, PreprocessConfig, Preprocessed,
    Selector, SITES,
};
use flowlstm::{DeviceChoice, LstmModel, PredictConfig, Scan, SeriesIdentity, TrainConfig, Training};
use flowreport::baseline::{compare, render_comparison, season_length, Comparison};
use flowreport::graph::{
    encode_png, encode_tiff, performance_graph, residual_graph, scan_overview, PerformanceGraph, ScanOverview,
};
use flowreport::profile::{render_table, Profiler, StageProfile};
use flowreport::stats::{accuracy, misaligned_rmse, outliers, render, render_original, Accuracy, Outlier};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::guard::SiteGuard;
use crate::original::{forecast_line, no_anomalies_line, Lang};
use crate::output::{anomalies_csv, evaluation_csv, forecast_csv, scan_csv, slug_for_column, unique_slug, SiteDirs};
use crate::{DetectArgs, DeviceArgs, InputArgs, PredictArgs, PreprocessArgs, RunArgs, TrainArgs};

pub(crate) type CliResult<T = ()> = Result<T, Box<dyn Error>>;

/// One column of one file, with the name its outputs go under.
#[derive(Debug, Clone)]
struct Target {
    slug: String,
    column: String,
    registered: bool,
}

impl Target {
    fn selector(&self) -> Selector<'_> {
        match find_site(&self.slug) {
            Some(site) if self.registered => Selector::Site(site),
            _ => Selector::Column(&self.column),
        }
    }

    fn identity(&self) -> SeriesIdentity {
        SeriesIdentity {
            site: self.slug.clone(),
            column: self.column.clone(),
        }
    }

    /// A column outside the registry gets a folder name no other column of the export shares.
    fn unique_in(mut self, export: &Export) -> Target {
        if !self.registered {
            self.slug = unique_slug(&self.column, &export.value_columns());
        }
        self
    }
}

fn target(input: &InputArgs) -> CliResult<Target> {
    if let Some(column) = &input.column {
        return Ok(match SITES.iter().find(|s| s.column == column.trim()) {
            Some(site) => Target {
                slug: site.slug.to_string(),
                column: site.column.to_string(),
                registered: true,
            },
            None => Target {
                slug: slug_for_column(column),
                column: column.trim().to_string(),
                registered: false,
            },
        });
    }
    let slug = input.site.as_deref().unwrap_or("jangmyeong");
    let site = find_site(slug).ok_or_else(|| flowcore::CoreError::UnknownSite {
        slug: slug.to_string(),
        known: flowcore::sites::known_slugs(),
    })?;
    Ok(Target {
        slug: site.slug.to_string(),
        column: site.column.to_string(),
        registered: true,
    })
}

fn targets_for(sites: &str, export: &Export) -> CliResult<Vec<Target>> {
    if sites.trim().eq_ignore_ascii_case("all") {
        let present = export.value_columns();
        let found: Vec<Target> = SITES
            .iter()
            .filter(|s| present.contains(&s.column))
            .map(|s| Target {
                slug: s.slug.to_string(),
                column: s.column.to_string(),
                registered: true,
            })
            .collect();
        if found.is_empty() {
            return Err(format!(
                "{}: none of the registry's columns is in this file; columns: {}",
                export.path().display(),
                present.join(", ")
            )
            .into());
        }
        return Ok(found);
    }
    sites
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|slug| {
            let input = InputArgs {
                input: None,
                site: Some(slug.trim().to_string()),
                column: None,
                output_dir: PathBuf::new(),
            };
            target(&input)
        })
        .collect()
}

/// The file to read: `--input`, or the demo export (generated into the cache on first use).
fn input_path(input: &InputArgs) -> CliResult<PathBuf> {
    match &input.input {
        Some(path) => Ok(path.clone()),
        None => {
            let config = flowcore::demo::DemoConfig::default();
            let path = flowcore::demo::demo_path(&config);
            if !path.is_file() {
                println!("Generating the built-in demo export (first use): {}", path.display());
            } else if !flowcore::demo::demo_is_complete(&config, &path) {
                println!(
                    "The cached demo export {} is incomplete (cut short?): generating it again",
                    path.display()
                );
            }
            let path = flowcore::demo::ensure_demo(&config)?;
            println!("No --input: using the built-in demo export {}", path.display());
            Ok(path)
        }
    }
}

fn read_stage(input: &InputArgs) -> CliResult<(Export, StageProfile)> {
    let path = input_path(input)?;
    let profiler = Profiler::start();
    let export = Export::open(&path)?;
    let profile = profiler.finish("read");
    println!(
        "Read {} ({}), {} value columns",
        path.display(),
        export.encoding(),
        export.value_columns().len()
    );
    println!("{profile}");
    Ok((export, profile))
}

/// Writes a group of files (all or none) and lists them for the engineer.
fn write_and_list(files: &[(PathBuf, Vec<u8>)]) -> CliResult {
    write_all_or_nothing(files)?;
    for (path, _) in files {
        println!("written          {}", path.display());
    }
    Ok(())
}

/// The preprocessing settings from the flags, the original's defaults for those left out, checked
/// before any file is read.
fn preprocess_config(args: &PreprocessArgs) -> CliResult<PreprocessConfig> {
    let defaults = PreprocessConfig::default();
    let config = PreprocessConfig {
        interval: match &args.interval {
            Some(interval) => interval.parse::<Interval>()?,
            None => defaults.interval,
        },
        normal_min: args.normal_min,
        normal_max: args.normal_max,
        level_percent: args.level.unwrap_or(defaults.level_percent),
        days: match &args.days {
            Some(days) => days.parse::<DaySelection>()?,
            None => defaults.days,
        },
        ..defaults
    };
    config.check()?;
    Ok(config)
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

struct PreprocessOutcome {
    preprocessed: Preprocessed,
    ingest: flowcore::IngestReport,
    profile: StageProfile,
}

/// Reads the target's column and preprocesses it; writes `preprocessed.csv` and `criteria.csv` into
/// `out` when given (`flow predict` passes none: it never rewrites the trained model's inputs).
fn preprocess_stage(
    export: &Export,
    target: &Target,
    config: &PreprocessConfig,
    out: Option<&Path>,
) -> CliResult<PreprocessOutcome> {
    let profiler = Profiler::start();
    let ingested = export.series(target.selector())?;
    // Preprocessing errors (too few rows, …) do not know the file; the engineer needs it named.
    let preprocessed = flowcore::preprocess(&ingested.series, config).map_err(|error| {
        let stray = match &error {
            flowcore::CoreError::MostlyInvented { stray, .. } => export
                .line_of_time(*stray)
                .map(|(line, text)| format!("; the stray row is line {line}: `{text}`")),
            _ => None,
        };
        format!("{}: {error}{}", export.path().display(), stray.unwrap_or_default())
    })?;
    if let Some(out) = out {
        let files = [
            (out.join("preprocessed.csv"), series_csv(&preprocessed.series)),
            (out.join("criteria.csv"), criteria_csv(&preprocessed.criteria)),
        ];
        write_all_or_nothing(&files)?;
    }
    let profile = profiler.finish("preprocess");
    let (r, s, c) = (&ingested.report, &preprocessed.summary, &preprocessed.criteria);
    println!();
    println!("== Preprocessing: {} ({}) ==", target.slug, r.column);
    println!(
        "rows read        {} ({}), interval {}",
        thousands(r.rows_read),
        r.encoding,
        ingested.series.interval
    );
    println!(
        "missing cells    {} blank, {} non-numeric (`-`, `#N/A`, …){}",
        thousands(r.blank_cells),
        thousands(r.non_numeric_cells),
        r.first_non_numeric
            .as_ref()
            .map_or(String::new(), |(line, cell)| format!("; first: line {line} `{cell}`"))
    );
    if let Some((line, cell)) = &r.first_out_of_range {
        println!(
            "out of range     {} readings beyond ±{:e} treated as missing (data errors); first: line {line} `{cell}`",
            thousands(r.out_of_range_cells),
            flowcore::ingest::MAX_READING
        );
    }
    if r.thousands_separated_cells > 0 {
        println!(
            "separators       {} numbers written with thousands separators (`1,234`) read as numbers",
            thousands(r.thousands_separated_cells)
        );
    }
    if r.duplicate_timestamps > 0 || r.reordered {
        println!(
            "time order       {} duplicate timestamps resolved (last number wins){}",
            r.duplicate_timestamps,
            if r.reordered {
                "; rows sorted into time order"
            } else {
                ""
            }
        );
    }
    println!(
        "filled           {} readings in {} short gaps (<= 3) took the previous reading; {} in {} long gaps interpolated; {} leading and {} trailing dropped",
        thousands(s.fill.filled_previous),
        s.fill.short_gaps,
        thousands(s.fill.interpolated),
        s.fill.long_gaps,
        s.fill.leading_dropped,
        s.fill.trailing_dropped
    );
    println!(
        "resampled        {} by mean: {} rows ({} empty buckets filled, {} dropped by --days)",
        config.interval, s.rows_out, s.empty_buckets, s.days_dropped
    );
    println!(
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
        println!(
            "clipped          {} above U_level set to normal_max, {} below L_level set to normal_min",
            s.clipped.clipped_high, s.clipped.clipped_low
        );
    }
    match out {
        Some(out) => {
            println!("written          {}", out.join("preprocessed.csv").display());
            println!("                 {}", out.join("criteria.csv").display());
        }
        None => println!("written          nothing: the model's own criteria and interval are used"),
    }
    println!("{profile}");
    Ok(PreprocessOutcome {
        preprocessed,
        ingest: ingested.report,
        profile,
    })
}

pub(crate) fn preprocess_command(input: &InputArgs, args: &PreprocessArgs, out: Option<&Path>) -> CliResult {
    let target = target(input)?;
    let config = preprocess_config(args)?;
    let (export, _) = read_stage(input)?;
    let target = target.unique_in(&export);
    let dirs = SiteDirs::new(&input.output_dir, &target.slug);
    let out = out.unwrap_or(&dirs.preprocessing);
    // `--out` names the folder itself: it is the one claimed.
    let claimed = SiteDirs {
        root: out.to_path_buf(),
        ..dirs.clone()
    };
    let _guard = SiteGuard::claim(&claimed, "flow preprocess", Some(export.path()))?;
    preprocess_stage(&export, &target, &config, Some(out))?;
    Ok(())
}

/// A flag's value parsed, or the preset's when the flag is absent.
fn parsed_or<T: std::str::FromStr>(flag: Option<&str>, preset: T) -> CliResult<T>
where
    T::Err: Error + 'static,
{
    Ok(flag
        .map(str::parse)
        .transpose()
        .map_err(|e| Box::new(e) as Box<dyn Error>)?
        .unwrap_or(preset))
}

fn train_config(args: &TrainArgs, device: &DeviceArgs, interval: Interval) -> CliResult<TrainConfig> {
    let preset = TrainConfig::preset(&args.preset)?;
    let calendar = args.calendar.unwrap_or(preset.features.day_of_week);
    let optimizer = parsed_or(args.optimizer.as_deref(), preset.optimizer)?;
    Ok(TrainConfig {
        window: args.window.unwrap_or(preset.window),
        periods: args.periods.unwrap_or(preset.periods),
        hidden: args.hidden.unwrap_or(preset.hidden),
        layers: args.layers.unwrap_or(preset.layers),
        epochs: args.epochs.unwrap_or(preset.epochs),
        batch_size: args.batch_size.unwrap_or(preset.batch_size),
        optimizer,
        // The preset's rate belongs to the preset's optimiser; another optimiser starts from its own.
        learning_rate: args
            .learning_rate
            .or(preset.learning_rate.filter(|_| optimizer == preset.optimizer)),
        target: parsed_or(args.target.as_deref(), preset.target)?,
        shuffle: args.shuffle.unwrap_or(preset.shuffle),
        seed: args.seed.unwrap_or(preset.seed),
        validation_fraction: args.validation.unwrap_or(preset.validation_fraction),
        train_fraction: args.train_fraction.unwrap_or(preset.train_fraction),
        patience: args.patience.unwrap_or(preset.patience),
        features: FeatureSet {
            day_of_week: calendar,
            hour_of_day: calendar && interval < Interval::DAILY,
        },
        device: device.device.parse()?,
        ..preset
    })
    .and_then(|config| {
        // Every value checked before any file is read or written.
        config.validate()?;
        if !(args.outlier_sigma.is_finite() && args.outlier_sigma > 0.0) {
            return Err(format!("--outlier-sigma {}: must be a positive number", args.outlier_sigma).into());
        }
        Ok(config)
    })
}

/// Whether the flags ask for the original tool's preset (its scoring is then shown beside flow's).
fn is_original(args: &TrainArgs) -> bool {
    args.preset.trim().eq_ignore_ascii_case("original")
}

fn progress_bar(epochs: usize) -> ProgressBar {
    if !std::io::stdout().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(epochs as u64);
    if let Ok(style) = ProgressStyle::with_template("training [{bar:32}] epoch {pos}/{len}  loss {msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

struct TrainOutcome {
    training: Training,
    profile: StageProfile,
}

fn train_stage(
    series: &FlowSeries,
    criteria: &Criteria,
    target: &Target,
    config: &TrainConfig,
    check: bool,
    dirs: &SiteDirs,
) -> CliResult<TrainOutcome> {
    let profiler = Profiler::start();
    println!();
    println!("== Training: {} ==", target.slug);
    if flowlstm::rows_needed(config).is_some_and(|need| series.len() >= need) {
        let (train, test) = flowcore::split_chronological(series, config.train_fraction)?;
        println!("Train data Size: {} rows", train.len());
        println!("Test data Size: {} rows", test.len());
        if check {
            write_all_or_nothing(&[
                (dirs.learning.join("check_train_data.csv"), series_csv(&train)),
                (dirs.learning.join("check_test_data.csv"), series_csv(&test)),
            ])?;
            println!(
                "written          {} and check_test_data.csv",
                dirs.learning.join("check_train_data.csv").display()
            );
        }
    }
    let bar = progress_bar(config.epochs);
    let result = flowlstm::train(series, criteria, &target.identity(), config, &mut |report| {
        bar.set_position(report.epoch as u64);
        bar.set_message(match report.validation_loss {
            Some(validation) => format!("{:.5} (validation {validation:.5})", report.loss),
            None => format!("{:.5}", report.loss),
        });
    });
    bar.finish_and_clear();
    let mut training = result?;
    training.model.save(&dirs.learning)?;
    let meta = &training.model.meta;
    println!(
        "model            {} layers × {} units, window {}, periods {}, inputs {}",
        meta.layers,
        meta.hidden,
        meta.window,
        meta.periods,
        meta.feature_names.join("+")
    );
    println!(
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
    println!("device           {:?}", training.model.device());
    println!(
        "written          {}",
        dirs.learning.join(flowlstm::WEIGHTS_FILE).display()
    );
    println!("                 {}", dirs.learning.join(flowlstm::META_FILE).display());
    let profile = profiler.finish("train");
    println!("{profile}");
    Ok(TrainOutcome { training, profile })
}

/// How the evaluation is printed: flow's layout or the original's lines, and whether the original's
/// own (misaligned) scoring is shown beside flow's.
#[derive(Debug, Clone, Copy)]
struct Wording {
    lang: Lang,
    original_scoring: bool,
}

struct EvaluateOutcome {
    accuracy: Accuracy,
    comparison: Comparison,
    outliers: Vec<Outlier>,
    profile: StageProfile,
}

fn evaluate_stage(
    series: &FlowSeries,
    training: &Training,
    config: &TrainConfig,
    sigma_k: f64,
    dirs: &SiteDirs,
    wording: Wording,
) -> CliResult<EvaluateOutcome> {
    let profiler = Profiler::start();
    let evaluation = &training.evaluation;
    let accuracy = accuracy(&evaluation.actual, &evaluation.predicted)?;
    let outliers = outliers(
        &evaluation.timestamps,
        &evaluation.actual,
        &evaluation.predicted,
        accuracy.residual_sigma(),
        sigma_k,
    );
    println!();
    println!("== Evaluation on the test part ({} points) ==", accuracy.points);
    match wording.lang {
        Lang::En => print!("{}", render(&accuracy, &outliers, sigma_k)),
        Lang::Ko => print!("{}", render_original(&accuracy, &outliers)),
    }
    if wording.original_scoring {
        if let Some((misaligned, points)) = misaligned_rmse(&evaluation.actual, &evaluation.predicted, config.window) {
            println!(
                "As the original scored it (the prediction for step t+{} against the actual of step t, {points} points): RMSE {misaligned:.2}; flow scores each prediction against the value it predicts (docs/ACCURACY.md)",
                config.window
            );
        }
    }
    let season = season_length(series.interval.seconds());
    let comparison = compare(
        &series.values,
        training.train_rows,
        &evaluation.predicted,
        config.window,
        season,
    )?;
    print!("{}", render_comparison(&comparison));
    let subtitle = format!(
        "Epochs={}, Batch Size={}, RMSE={:.2}",
        training.model.meta.epochs_run, config.batch_size, accuracy.rmse
    );
    let graph = performance_graph(&PerformanceGraph {
        subtitle: &subtitle,
        timestamps: &evaluation.timestamps,
        actual: &evaluation.actual,
        predicted: &evaluation.predicted,
        outliers: &outliers,
        sigma_k,
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
        (dirs.learning.join("test_predictions.csv"), evaluation_csv(evaluation)),
    ];
    write_and_list(&files)?;
    let profile = profiler.finish("evaluate");
    println!("{profile}");
    Ok(EvaluateOutcome {
        accuracy,
        comparison,
        outliers,
        profile,
    })
}

pub(crate) fn train_command(
    input: &InputArgs,
    preprocess_args: &PreprocessArgs,
    args: &TrainArgs,
    device: &DeviceArgs,
    lang: Lang,
) -> CliResult {
    let target = target(input)?;
    let dirs = SiteDirs::new(&input.output_dir, &target.slug);
    let config = preprocess_config(preprocess_args)?;
    let files = (
        dirs.preprocessing.join("preprocessed.csv"),
        dirs.preprocessing.join("criteria.csv"),
    );
    let reuse = input.input.is_none() && files.0.is_file() && files.1.is_file();
    let given = preprocess_args.given();
    if reuse && !given.is_empty() {
        // The files are already resampled and corrected: the flags cannot be applied to them, and
        // ignoring them would train on something other than what was asked for.
        return Err(format!(
            "{} given, but {} is reused as it is (no --input): give --input to preprocess again with them, or run `flow preprocess` with them first",
            given.join(", "),
            files.0.display()
        )
        .into());
    }
    // Checked before any file is read.
    train_config(args, device, config.interval)?;
    let (series, criteria, target, dirs, _guard) = if reuse {
        let guard = SiteGuard::claim(&dirs, "flow train", None)?;
        println!("Using {} and {}", files.0.display(), files.1.display());
        (
            read_series_csv(&files.0, None)?,
            read_criteria_csv(&files.1)?,
            target,
            dirs,
            guard,
        )
    } else {
        let (export, _) = read_stage(input)?;
        let target = target.unique_in(&export);
        let dirs = SiteDirs::new(&input.output_dir, &target.slug);
        let guard = SiteGuard::claim(&dirs, "flow train", Some(export.path()))?;
        let outcome = preprocess_stage(&export, &target, &config, Some(&dirs.preprocessing))?;
        (
            outcome.preprocessed.series,
            outcome.preprocessed.criteria,
            target,
            dirs,
            guard,
        )
    };
    let train_config = train_config(args, device, series.interval)?;
    let trained = train_stage(&series, &criteria, &target, &train_config, args.check, &dirs)?;
    let wording = Wording {
        lang,
        original_scoring: is_original(args),
    };
    evaluate_stage(
        &series,
        &trained.training,
        &train_config,
        args.outlier_sigma,
        &dirs,
        wording,
    )?;
    Ok(())
}

struct PredictOutcome {
    scan: Option<Scan>,
    forecast: Vec<flowlstm::ForecastPoint>,
    profile: StageProfile,
}

/// What the prediction stage does and how it reports.
#[derive(Debug, Clone, Copy)]
struct PredictPlan {
    scan: bool,
    forecast: bool,
    all_predictions: bool,
    batch_size: usize,
    device: DeviceChoice,
    lang: Lang,
}

fn predict_stage(
    model: &LstmModel,
    preprocessed: &Preprocessed,
    plan: PredictPlan,
    dirs: &SiteDirs,
) -> CliResult<PredictOutcome> {
    let profiler = Profiler::start();
    println!();
    println!("== Prediction: {} ==", model.meta.site);
    let mut files = Vec::new();
    let scan = if plan.scan {
        let cleaned = &preprocessed.cleaned;
        let config = PredictConfig {
            batch_size: plan.batch_size,
            device: plan.device,
        };
        let scan = flowlstm::scan(model, cleaned, &config)?;
        report_scan(model, cleaned, &scan, plan, dirs, &mut files)?;
        Some(scan)
    } else {
        None
    };
    let forecast = if plan.forecast {
        let forecast = flowlstm::forecast(model, &preprocessed.series)?;
        for point in &forecast {
            println!("{}", forecast_line(point, plan.lang));
        }
        files.push((
            dirs.prediction.join("prediction.csv"),
            forecast_csv(&forecast, &model.meta.column),
        ));
        forecast
    } else {
        Vec::new()
    };
    write_and_list(&files)?;
    let profile = profiler.finish("predict");
    println!("{profile}");
    Ok(PredictOutcome {
        scan,
        forecast,
        profile,
    })
}

/// Prints what the scan found and queues its files: `abnormal.csv` always (header only when
/// nothing is flagged, as the original), the scan graph, and with `--all-predictions` every
/// prediction.
fn report_scan(
    model: &LstmModel,
    cleaned: &FlowSeries,
    scan: &Scan,
    plan: PredictPlan,
    dirs: &SiteDirs,
    files: &mut Vec<(PathBuf, Vec<u8>)>,
) -> CliResult {
    let criteria = &model.meta.criteria;
    let above = scan
        .anomalies
        .iter()
        .filter(|a| a.bound == flowcore::Bound::Above)
        .count();
    println!(
        "anomaly scan     {} windows of {} readings at {} (batches of {}); abnormal when the prediction is ≥ U_level {:.2} or ≤ L_level {:.2} (the original's rule)",
        thousands(scan.windows),
        model.meta.window,
        cleaned.interval,
        plan.batch_size,
        criteria.upper_level,
        criteria.lower_level
    );
    let abnormal = dirs.prediction.join("abnormal.csv");
    if scan.anomalies.is_empty() {
        println!("{}", no_anomalies_line(plan.lang));
    } else {
        println!(
            "anomalies        {} predictions at or beyond the levels ({} ≥ U_level, {} ≤ L_level)",
            thousands(scan.anomalies.len()),
            above,
            scan.anomalies.len() - above
        );
        for a in scan.anomalies.iter().take(5) {
            println!(
                "                 {}  predicted {:.1}  actual {:.1}  {}",
                format_timestamp(a.timestamp),
                a.predicted,
                a.actual,
                a.bound
            );
        }
        if scan.anomalies.len() > 5 {
            println!(
                "                 … all {} in {}",
                thousands(scan.anomalies.len()),
                abnormal.display()
            );
        }
    }
    files.push((abnormal, anomalies_csv(&scan.anomalies)));
    if plan.all_predictions {
        files.push((
            dirs.prediction.join("scan.csv"),
            scan_csv(cleaned, scan, model.meta.window),
        ));
    }
    let flagged: Vec<(i64, f64)> = scan.anomalies.iter().map(|a| (a.timestamp, a.actual)).collect();
    let subtitle = format!(
        "{} readings, {} flagged (prediction ≥ U_level or ≤ L_level)",
        thousands(cleaned.len()),
        thousands(flagged.len())
    );
    let overview = scan_overview(&ScanOverview {
        subtitle: &subtitle,
        timestamps: &cleaned.timestamps,
        values: &cleaned.values,
        flagged: &flagged,
        lower_level: criteria.lower_level,
        upper_level: criteria.upper_level,
    })?;
    files.push((dirs.prediction.join("anomaly_scan.png"), encode_png(&overview)?));
    Ok(())
}

pub(crate) fn predict_command(
    input: &InputArgs,
    device: &DeviceArgs,
    args: &PredictArgs,
    batch_size: usize,
    lang: Lang,
) -> CliResult {
    let target = target(input)?;
    let device_choice: DeviceChoice = device.device.parse()?;
    PredictConfig {
        batch_size,
        device: device_choice,
    }
    .validate()?;
    let (export, _) = read_stage(input)?;
    let target = target.unique_in(&export);
    let dirs = SiteDirs::new(&input.output_dir, &target.slug);
    let _guard = SiteGuard::claim(&dirs, "flow predict", Some(export.path()))?;
    let model = LstmModel::load(&dirs.learning, device_choice.resolve()?)?;
    println!(
        "Model {} (trained {} .. {}, interval {})",
        dirs.learning.display(),
        model.meta.train_start,
        model.meta.train_end,
        model.meta.interval
    );
    // The new file is cleaned and resampled at the model's interval and corrected with the model's
    // own levels; its preprocessing is never written over the files the model was trained on.
    let config = PreprocessConfig {
        interval: model.meta.interval,
        correct_outliers: false,
        ..PreprocessConfig::default()
    };
    let mut outcome = preprocess_stage(&export, &target, &config, None)?;
    model.check_fits(&dirs.learning, &target.identity(), outcome.preprocessed.series.interval)?;
    let clipped = flowcore::criteria::clip_outliers(&mut outcome.preprocessed.series.values, &model.meta.criteria);
    println!(
        "clipped          {} above the model's U_level set to normal_max, {} below its L_level set to normal_min",
        clipped.clipped_high, clipped.clipped_low
    );
    let plan = PredictPlan {
        // No flag means both, as the original's -a.
        scan: !args.forecast,
        forecast: !args.detect,
        all_predictions: args.all_predictions,
        batch_size,
        device: device_choice,
        lang,
    };
    predict_stage(&model, &outcome.preprocessed, plan, &dirs)?;
    Ok(())
}

pub(crate) fn run(args: &RunArgs, lang: Lang) -> CliResult {
    let preprocess = preprocess_config(&args.preprocess)?;
    let device: DeviceChoice = args.device.device.parse()?;
    // Checked before the file is read (the interval changes only the calendar inputs).
    train_config(&args.train, &args.device, preprocess.interval)?;
    let wording = Wording {
        lang,
        original_scoring: is_original(&args.train),
    };
    let plan = PredictPlan {
        scan: true,
        forecast: true,
        all_predictions: args.all_predictions,
        batch_size: args.scan_batch_size,
        device,
        lang,
    };
    PredictConfig {
        batch_size: plan.batch_size,
        device,
    }
    .validate()?;
    let single = if args.sites.is_none() {
        Some(target(&args.input)?)
    } else {
        None
    };
    let (export, read_profile) = read_stage(&args.input)?;
    let targets = match (&args.sites, single) {
        (Some(sites), _) => targets_for(sites, &export)?,
        (None, Some(single)) => vec![single],
        (None, None) => Vec::new(),
    };
    let mut all_stages = vec![read_profile];
    let mut failures: Vec<(String, Box<dyn Error>)> = Vec::new();
    for target in &targets {
        let target = target.clone().unique_in(&export);
        let dirs = SiteDirs::new(&args.input.output_dir, &target.slug);
        // Each site succeeds or fails on its own: a stuck meter in one column stops only that column.
        let outcome = SiteGuard::claim(&dirs, "flow run", Some(export.path())).and_then(|mut guard| {
            guard.begin_run(&dirs)?;
            let result = run_site(args, &export, &target, &dirs, &preprocess, wording, plan);
            // A site that failed after writing some files says so in its report.json; one that
            // failed before writing anything leaves nothing.
            if let (Err(error), true) = (&result, SiteGuard::holds_outputs(&dirs)) {
                let report = json!({
                    "site": target.slug,
                    "column": target.column,
                    "input": export.path().display().to_string(),
                    "status": "failed",
                    "error": error.to_string(),
                });
                write_all_or_nothing(&[(dirs.root.join("report.json"), serde_json::to_vec_pretty(&report)?)])?;
            }
            guard.finish();
            result
        });
        match outcome {
            Ok(stages) => all_stages.extend(stages.into_iter().map(|mut s| {
                if targets.len() > 1 {
                    s.stage = format!("{}/{}", target.slug, s.stage);
                }
                s
            })),
            Err(error) if targets.len() == 1 => return Err(error),
            Err(error) => {
                println!();
                println!("failed           {} ({}): {error}", target.slug, target.column);
                failures.push((target.slug.clone(), error));
            }
        }
    }
    println!();
    println!("== Profile ==");
    print!("{}", render_table(&all_stages));
    if !failures.is_empty() {
        println!();
        println!("== Failed sites: {} of {} ==", failures.len(), targets.len());
        for (slug, error) in &failures {
            println!("{slug:<16} {error}");
        }
        let names: Vec<&str> = failures.iter().map(|(slug, _)| slug.as_str()).collect();
        return Err(format!(
            "{}: {} of {} sites failed ({}); the others finished; reasons above and in each site's report.json",
            export.path().display(),
            failures.len(),
            targets.len(),
            names.join(", ")
        )
        .into());
    }
    Ok(())
}

/// One site of `flow run`: preprocess, train, evaluate, scan and forecast, then its report.json
/// (written last). Returns the four stage profiles.
fn run_site(
    args: &RunArgs,
    export: &Export,
    target: &Target,
    dirs: &SiteDirs,
    preprocess: &PreprocessConfig,
    wording: Wording,
    plan: PredictPlan,
) -> CliResult<[StageProfile; 4]> {
    let pre = preprocess_stage(export, target, preprocess, Some(&dirs.preprocessing))?;
    let train_config = train_config(&args.train, &args.device, pre.preprocessed.series.interval)?;
    let trained = train_stage(
        &pre.preprocessed.series,
        &pre.preprocessed.criteria,
        target,
        &train_config,
        args.train.check,
        dirs,
    )?;
    let evaluated = evaluate_stage(
        &pre.preprocessed.series,
        &trained.training,
        &train_config,
        args.train.outlier_sigma,
        dirs,
        wording,
    )?;
    let predicted = predict_stage(&trained.training.model, &pre.preprocessed, plan, dirs)?;
    let stages = [
        pre.profile.clone(),
        trained.profile.clone(),
        evaluated.profile.clone(),
        predicted.profile.clone(),
    ];
    let report = site_report(target, export, &pre, &trained, &evaluated, &predicted, &stages);
    let report_path = dirs.root.join("report.json");
    write_all_or_nothing(&[(report_path.clone(), serde_json::to_vec_pretty(&report)?)])?;
    println!("written          {}", report_path.display());
    Ok(stages)
}

fn site_report(
    target: &Target,
    export: &Export,
    pre: &PreprocessOutcome,
    trained: &TrainOutcome,
    evaluated: &EvaluateOutcome,
    predicted: &PredictOutcome,
    stages: &[StageProfile],
) -> serde_json::Value {
    let meta = &trained.training.model.meta;
    json!({
        "site": target.slug,
        "column": target.column,
        "input": export.path().display().to_string(),
        "status": "ok",
        "ingest": pre.ingest,
        "preprocess": pre.preprocessed.summary,
        "criteria": pre.preprocessed.criteria,
        "split": { "train_rows": trained.training.train_rows, "test_rows": trained.training.test_rows },
        "model": meta,
        "accuracy": evaluated.accuracy,
        "accuracy_as_the_original_scored": misaligned_rmse(
            &trained.training.evaluation.actual,
            &trained.training.evaluation.predicted,
            meta.window,
        ).map(|(rmse, points)| json!({ "rmse": rmse, "points": points, "shift": meta.window })),
        "variance_ratio": evaluated.accuracy.variance_ratio(),
        "baselines": evaluated.comparison,
        "outliers": evaluated.outliers.iter().map(|o| json!({
            "time": format_timestamp(o.timestamp), "actual": o.actual, "predicted": o.predicted, "residual": o.residual,
        })).collect::<Vec<_>>(),
        "forecast": predicted.forecast.iter().map(|p| json!({
            "time": format_timestamp(p.timestamp), "predicted": p.predicted, "label": p.label,
        })).collect::<Vec<_>>(),
        "anomaly_scan": predicted.scan.as_ref().map(|scan| json!({
            "rule": "prediction >= U_level or <= L_level",
            "windows": scan.windows,
            "anomalies": scan.anomalies.len(),
            "above": scan.anomalies.iter().filter(|a| a.bound == flowcore::Bound::Above).count(),
            "below": scan.anomalies.iter().filter(|a| a.bound == flowcore::Bound::Below).count(),
        })),
        "profile": stages,
    })
}

pub(crate) fn print_sites() {
    println!("{:<16} {:<28} description", "slug", "column");
    for site in &SITES {
        // Hangul is two columns wide on a terminal; pad by display width, not by chars.
        let width: usize = site.column.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
        println!(
            "{:<16} {}{} {}",
            site.slug,
            site.column,
            " ".repeat(28usize.saturating_sub(width)),
            site.description
        );
    }
}

pub(crate) fn demo_data(rows: usize, seed: u64, out: Option<&Path>) -> CliResult {
    let config = flowcore::demo::DemoConfig { rows, seed };
    let path = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| flowcore::demo::demo_path(&config));
    let profiler = Profiler::start();
    flowcore::demo::write_demo(&config, &path)?;
    println!(
        "Wrote {} rows (seed {seed}, cp949) to {}",
        thousands(rows),
        path.display()
    );
    println!("{}", profiler.finish("demo-data"));
    Ok(())
}

/// Reads NAB-style labelled windows for one file: `{"<file name>": [["start", "end"], …]}`.
fn read_labels(path: &Path, data_file: &Path) -> CliResult<Vec<(i64, i64)>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    let name = data_file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let object = json
        .as_object()
        .ok_or_else(|| format!("{}: expected an object keyed by file name", path.display()))?;
    let windows = object.get(&name).and_then(|w| w.as_array()).ok_or_else(|| {
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        format!(
            "{}: no windows for `{name}`; files labelled: {}",
            path.display(),
            keys.join(", ")
        )
    })?;
    windows
        .iter()
        .enumerate()
        .map(|(i, window)| {
            let bad = || {
                format!(
                    "{}: window {} of `{name}` is not [\"start\", \"end\"]",
                    path.display(),
                    i + 1
                )
            };
            let pair = window.as_array().filter(|p| p.len() == 2).ok_or_else(bad)?;
            let time = |v: &serde_json::Value| v.as_str().and_then(flowcore::time::parse_timestamp).ok_or_else(bad);
            Ok((time(&pair[0])?, time(&pair[1])?))
        })
        .collect()
}

fn events_csv(events: &[flowcore::events::Event]) -> Vec<u8> {
    use std::fmt::Write as _;
    let mut text = String::from("start,end,peak,actual,forecast,sigmas,severity,flagged\n");
    for e in events {
        let _ = writeln!(
            text,
            "{},{},{},{},{:.3},{:.2},{},{}",
            format_timestamp(e.start),
            format_timestamp(e.end),
            format_timestamp(e.peak),
            e.actual,
            e.forecast,
            e.sigmas,
            e.severity.korean(),
            e.flagged
        );
    }
    text.into_bytes()
}

pub(crate) fn detect(args: &DetectArgs, lang: Lang) -> CliResult {
    use flowcore::events::{residual_events, residual_sigma, score_events, ResidualRule};
    let input = InputArgs {
        input: Some(args.input.clone()),
        site: None,
        column: args.column.clone(),
        output_dir: args.output_dir.clone(),
    };
    let slug = args
        .input
        .file_stem()
        .map(|s| slug_for_column(&s.to_string_lossy()))
        .unwrap_or_else(|| "series".to_string());
    let (export, _) = read_stage(&input)?;
    let column = match &args.column {
        Some(column) => column.clone(),
        None => match export.value_columns().as_slice() {
            [only] => (*only).to_string(),
            columns => {
                return Err(format!(
                    "{}: {} value columns ({}): choose one with --column",
                    args.input.display(),
                    columns.len(),
                    columns.join(", ")
                )
                .into())
            }
        },
    };
    let target = Target {
        slug,
        column,
        registered: false,
    };
    let dirs = SiteDirs::new(&args.output_dir, &target.slug);
    let _guard = SiteGuard::claim(&dirs, "flow detect", Some(export.path()))?;
    let config = PreprocessConfig {
        interval: args.interval.parse()?,
        correct_outliers: false,
        ..PreprocessConfig::default()
    };
    let pre = preprocess_stage(&export, &target, &config, Some(&dirs.preprocessing))?;
    let series = &pre.preprocessed.series;
    let train_config = train_config(&args.train, &args.device, series.interval)?;
    let trained = train_stage(
        series,
        &pre.preprocessed.criteria,
        &target,
        &train_config,
        args.train.check,
        &dirs,
    )?;
    let wording = Wording {
        lang,
        original_scoring: is_original(&args.train),
    };
    evaluate_stage(
        series,
        &trained.training,
        &train_config,
        args.train.outlier_sigma,
        &dirs,
        wording,
    )?;

    let profiler = Profiler::start();
    let model = &trained.training.model;
    let device: DeviceChoice = args.device.device.parse()?;
    let predictions = flowlstm::scan(
        model,
        series,
        &PredictConfig {
            device,
            ..PredictConfig::default()
        },
    )?;
    let window = model.meta.window;
    let actual = &series.values[window..];
    let times = &series.timestamps[window..];
    let train_steps = trained.training.train_rows.saturating_sub(window);
    let sigma = residual_sigma(&actual[..train_steps], &predictions.predicted[..train_steps])
        .ok_or("the training residuals have no spread: the series is constant")?;
    let rule = ResidualRule {
        watch: args.watch,
        caution: args.caution,
        alert: args.alert,
        severe: args.severe,
        ..ResidualRule::default()
    };
    let events = residual_events(times, actual, &predictions.predicted, sigma, &rule)?;
    println!();
    println!("== Detection: {} ==", target.slug);
    println!(
        "residual rule    |actual − forecast| ≥ {}σ, σ = {sigma:.3} from the training part; levels 관심 {}σ, 주의 {}σ, 경계 {}σ, 심각 {}σ",
        rule.watch, rule.watch, rule.caution, rule.alert, rule.severe
    );
    println!(
        "events           {} over {} readings",
        events.len(),
        thousands(actual.len())
    );
    for e in &events {
        println!(
            "  {} … {}  peak {}  actual {:.1} forecast {:.1}  {:+.1}σ  {}",
            format_timestamp(e.start),
            format_timestamp(e.end),
            format_timestamp(e.peak),
            e.actual,
            e.forecast,
            e.sigmas,
            e.severity
        );
    }
    let mut report = json!({
        "input": args.input.display().to_string(),
        "column": target.column,
        "interval": series.interval,
        "sigma": sigma,
        "rule": rule,
        "events": events,
    });
    if let Some(labels) = &args.labels {
        let windows = read_labels(labels, &args.input)?;
        let scoring = score_events(&events, &windows);
        println!(
            "Scoring against {} labelled windows ({})",
            windows.len(),
            labels.display()
        );
        for ((start, end), delay) in windows.iter().zip(&scoring.delays) {
            let found = delay.map_or("missed".to_string(), |d| {
                format!(
                    "detected, first event {:.1} h after the window opened",
                    d as f64 / 3600.0
                )
            });
            println!("  {} … {}  {found}", format_timestamp(*start), format_timestamp(*end));
        }
        println!(
            "recall {}/{} windows ({:.0} %), precision {}/{} events ({:.0} %), false alarms {}",
            scoring.detected,
            scoring.windows,
            scoring.recall * 100.0,
            scoring.hits,
            scoring.events,
            scoring.precision * 100.0,
            scoring.events - scoring.hits
        );
        report["scoring"] = json!(scoring);
    }
    let detection = dirs.root.join("Detection");
    let files = [
        (detection.join("events.csv"), events_csv(&events)),
        (detection.join("detection.json"), serde_json::to_vec_pretty(&report)?),
    ];
    write_and_list(&files)?;
    println!("{}", profiler.finish("detect"));
    Ok(())
}
