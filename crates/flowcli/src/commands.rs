//! The commands besides `run`, as library calls: preprocess, train, predict, the site list and the
//! demo export.

use std::path::{Path, PathBuf};
use unicode_width::UnicodeWidthStr;

use crate::error::{FlowError, Result};
use crate::guard::SiteGuard;
use crate::observer::Observer;
use crate::options::{DeviceArgs, InputArgs, PredictArgs, PreprocessArgs, TrainArgs};
use crate::original::Lang;
use crate::output::SiteDirs;
use crate::scan::predict_stage;
use crate::settings::{is_original, preprocess_config, train_config, PredictPlan, Wording};
use crate::site::Target;
use crate::site::{read_stage, target, thousands};
use crate::stages::{
    evaluate_stage, preprocess_stage, train_stage, write_not_measured, Measured, PreprocessOutcome, SavedEvaluation,
};
use flowcore::files::{read_criteria_csv, read_series_csv, write_all_or_nothing};
use flowcore::{Check, PreprocessConfig, SITES};
use flowlstm::{DeviceChoice, LstmModel, PredictConfig};
use flowreport::profile::Profiler;

/// `flow preprocess`: read the export, preprocess the site's column and write `preprocessed.csv`
/// and `criteria.csv` (into `out` when given).
pub fn preprocess_command(
    input: &InputArgs,
    args: &PreprocessArgs,
    out: Option<&Path>,
    obs: &mut dyn Observer,
) -> Result {
    let target = target(input)?;
    let config = preprocess_config(args)?;
    let (export, _) = read_stage(input, obs)?;
    let target = target.resolve(&export)?;
    let dirs = SiteDirs::new(&input.output_dir, &target.slug);
    let out = out.unwrap_or(&dirs.preprocessing);
    // `--out` names the folder itself: it is the one claimed.
    let claimed = SiteDirs {
        root: out.to_path_buf(),
        ..dirs.clone()
    };
    let _guard = SiteGuard::claim(&claimed, "flow preprocess", export.paths(), obs)?;
    SiteGuard::note_other_column(&dirs, &target.column, "flow preprocess", obs);
    let outcome = preprocess_stage(&export, &target, &config, Some(out), obs)?;
    faults_found(&outcome, &target, out, obs)?;
    Ok(())
}

/// The steps of a column just preprocessed into `folder` that its faults leave no measure of the
/// flow, found with the default alarm rules (`flow preprocess` and `flow train` take no alarm
/// flags) and written there as `not_measured.csv`, so that training on the files, now or later,
/// leaves out what `flow run` leaves out.
fn faults_found(
    outcome: &PreprocessOutcome,
    target: &Target,
    folder: &Path,
    obs: &mut dyn Observer,
) -> Result<Vec<bool>> {
    let rule = flowcore::alarms::AlarmRule::default().check()?;
    let found = flowcore::alarms::find_alarms(&target.slug, &outcome.raw, &rule);
    write_not_measured(folder, &outcome.preprocessed.series, &outcome.raw, &found.alarms, obs)
}

/// `flow train`: preprocess (or reuse the preprocessed files when no input is given), train and
/// evaluate; writes the model folder and the evaluation files.
pub fn train_command(
    input: &InputArgs,
    preprocess_args: &PreprocessArgs,
    args: &TrainArgs,
    device: &DeviceArgs,
    lang: Lang,
    obs: &mut dyn Observer,
) -> Result {
    let target = target(input)?;
    let dirs = SiteDirs::new(&input.output_dir, target.slug());
    let config = preprocess_config(preprocess_args)?;
    let files = (
        dirs.preprocessing.join("preprocessed.csv"),
        dirs.preprocessing.join("criteria.csv"),
    );
    let reuse = input.input.is_empty() && files.0.is_file() && files.1.is_file();
    let given = preprocess_args.given();
    if reuse && !given.is_empty() {
        // The files are already resampled and corrected: the flags cannot be applied to them, and
        // ignoring them would train on something other than what was asked for.
        return Err(FlowError::ReusedWithFlags {
            given: given.join(", "),
            file: files.0.clone(),
        });
    }
    // Checked before any file is read.
    train_config(args, device, config.interval)?;
    // The original's job knew no faults: it scores every test point, as `flow run --preset original`.
    let original = is_original(args);
    let (series, criteria, target, dirs, not_measured, _guard) = if reuse {
        let guard = SiteGuard::claim(&dirs, "flow train", None, obs)?;
        say!(obs, "Using {} and {}", files.0.display(), files.1.display());
        let series = read_series_csv(&files.0, None)?;
        let not_measured = match original {
            true => None,
            false => Measured::saved(&series, &dirs.preprocessing, obs)?.not_measured,
        };
        (
            series,
            read_criteria_csv(&files.1)?,
            target.without_file(),
            dirs,
            not_measured,
            guard,
        )
    } else {
        let (export, _) = read_stage(input, obs)?;
        let target = target.resolve(&export)?;
        let dirs = SiteDirs::new(&input.output_dir, &target.slug);
        let guard = SiteGuard::claim(&dirs, "flow train", export.paths(), obs)?;
        SiteGuard::note_other_column(&dirs, &target.column, "flow train", obs);
        let outcome = preprocess_stage(&export, &target, &config, Some(&dirs.preprocessing), obs)?;
        let not_measured = match original {
            true => None,
            false => Some(faults_found(&outcome, &target, &dirs.preprocessing, obs)?),
        };
        (
            outcome.preprocessed.series,
            outcome.preprocessed.criteria,
            target,
            dirs,
            not_measured,
            guard,
        )
    };
    let train_config = train_config(args, device, series.interval)?;
    let trained = train_stage(&series, &criteria, &target, &train_config, args.check, &dirs, obs)?;
    let wording = Wording {
        lang,
        original_scoring: original,
    };
    evaluate_stage(
        &Measured {
            series: &series,
            not_measured,
        },
        &trained.training,
        &train_config,
        args.outlier_sigma,
        &dirs,
        wording,
        obs,
    )?;
    Ok(())
}

/// `flow predict`: scan and/or forecast a file with a saved model, never rewriting the files the
/// model was trained on.
pub fn predict_command(
    input: &InputArgs,
    device: &DeviceArgs,
    args: &PredictArgs,
    batch_size: usize,
    lang: Lang,
    obs: &mut dyn Observer,
) -> Result {
    let target = target(input)?;
    let device_choice: DeviceChoice = device.device.parse()?;
    PredictConfig {
        batch_size,
        device: device_choice,
    }
    .check()?;
    let alarm_settings = crate::settings::alarm_settings(&args.alarms)?;
    let (export, _) = read_stage(input, obs)?;
    let target = target.resolve(&export)?;
    let dirs = SiteDirs::new(&input.output_dir, &target.slug);
    let _guard = SiteGuard::claim(&dirs, "flow predict", export.paths(), obs)?;
    let model = LstmModel::load(&dirs.learning, device_choice)?;
    say!(
        obs,
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
    }
    .check()?;
    let mut outcome = preprocess_stage(&export, &target, &config, None, obs)?;
    model.check_fits(&dirs.learning, &target.identity(), outcome.preprocessed.series.interval)?;
    let clipped = flowcore::criteria::clip_outliers(&mut outcome.preprocessed.series.values, &model.meta.criteria);
    say!(
        obs,
        "clipped          {} above the model's U_level set to normal_max, {} below its L_level set to normal_min",
        clipped.clipped_high,
        clipped.clipped_low
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
    // The new file's faults and unusual flow, judged on its own readings.
    let found = if args.alarms.no_alarms {
        None
    } else {
        let changes = outcome.ingest.clock_changes();
        // One file's one column: no other column to share an outage with.
        let context = crate::alarms::ExportContext {
            clock_changes: &changes,
            shared: &[],
        };
        let alarms =
            crate::alarms::alarm_stage(&outcome.raw, context, &target, &alarm_settings, &dirs.prediction, obs)?;
        // Which steps the forecast reads are no measure of the flow, as `flow run` judges them.
        let measured = Measured::by_alarms(&outcome.preprocessed.series, &outcome.raw, Some(&alarms.found));
        Some((alarms.spans(), measured.not_measured.unwrap_or_default()))
    };
    // The model beside the baselines on its test part, as measured when it was trained: when a
    // baseline beat it, that baseline's forecast is given under the LSTM's, as in `flow run`.
    let evaluation = match SavedEvaluation::load(&dirs.learning, &model) {
        Ok(comparison) => {
            if let Some(verdict) = flowreport::baseline::verdict(&comparison) {
                say!(obs, "evaluation       on its test part, {verdict}");
            }
            Some(comparison)
        }
        Err(why) => {
            say!(
                obs,
                "evaluation       {why}: whether a baseline forecasts better is not known (`flow train` measures it)"
            );
            None
        }
    };
    predict_stage(
        &model,
        &outcome.preprocessed,
        plan,
        found
            .as_ref()
            .map(|(spans, not_measured)| crate::scan::Faults { spans, not_measured }),
        evaluation.as_ref(),
        &dirs,
        obs,
    )?;
    Ok(())
}

/// `flow sites`: the registry's slugs, columns and descriptions.
pub fn print_sites(obs: &mut dyn Observer) {
    say!(obs, "{:<16} {:<28} description", "slug", "column");
    for site in &SITES {
        // Hangul is two columns wide on a terminal; pad by display width, not by chars.
        let width: usize = site.column.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
        say!(
            obs,
            "{:<16} {}{} {}",
            site.slug,
            site.column,
            " ".repeat(28usize.saturating_sub(width)),
            site.description
        );
    }
}

/// `flow sites`: the registry, or with `input` (its files) every value column of that export with
/// its slug, its readings and its first and last reading (not the file's first and last row: a
/// meter that stopped reporting a year before the export's end is seen here, before any run).
pub fn sites_command(input: &[PathBuf], clock: &crate::options::ClockArgs, obs: &mut dyn Observer) -> Result {
    if input.is_empty() {
        print_sites(obs);
        return Ok(());
    }
    let export = flowcore::Export::open_all(input, clock.settings()?, clock.encoding()?)?;
    for renamed in export.renamed_headers() {
        say!(obs, "{renamed}");
    }
    let targets = crate::site::export_targets(&export);
    let slugs: Vec<&str> = targets.iter().map(|t| t.slug.as_str()).collect();
    let columns: Vec<&str> = targets.iter().map(|t| t.column.as_str()).collect();
    // Slugs made from Hangul headers (`기온`) take two terminal columns a letter: padded by
    // display width, the columns after them line up.
    let width = slugs.iter().map(|s| s.width()).max().unwrap_or(4).max(4);
    let pad = |slug: &str| format!("{slug}{}", " ".repeat(width - slug.width()));
    say!(
        obs,
        "{:<width$}  {:>9}  {:<16}  {:<16}  column",
        "slug",
        "readings",
        "first reading",
        "last reading"
    );
    let without_numbers = export.columns_without_numbers();
    let measured: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|c| !without_numbers.contains(c))
        .collect();
    // Read a batch of columns a pass over the file: a wide export is not read once a column.
    export.read_ahead(&measured);
    for (slug, column) in slugs.iter().zip(&columns) {
        let slug = pad(slug);
        if without_numbers.contains(column) {
            // A status or comment column: what `--sites all` leaves out.
            say!(
                obs,
                "{slug}  {:>9}  not a site: no number in any cell (--sites all leaves it out)  {column}",
                0
            );
            continue;
        }
        match export.series(flowcore::Selector::Column(column)) {
            Ok(read) => {
                let s = &read.series;
                let read_at: Vec<i64> = s
                    .timestamps
                    .iter()
                    .zip(&s.values)
                    .filter(|(_, v)| v.is_finite())
                    .map(|(t, _)| *t)
                    .collect();
                let readings = read_at.len();
                let span = |t: Option<&i64>| {
                    t.map_or("-".to_string(), |t| {
                        flowcore::time::format_timestamp(*t)[..16].to_string()
                    })
                };
                // A unit written in every cell is the column's unit, said beside it.
                let unit = read
                    .report
                    .unit_in_cells
                    .as_ref()
                    .map_or(String::new(), |unit| format!("  (numbers written with `{unit}`)"));
                say!(
                    obs,
                    "{slug}  {:>9}  {:<16}  {:<16}  {column}{unit}",
                    thousands(readings),
                    span(read_at.first()),
                    span(read_at.last())
                );
            }
            Err(error) => say!(obs, "{slug}  {error}"),
        }
    }
    Ok(())
}

/// A leak for the demo export: `FROM..TO` (dates; repaired at 00:00 of TO) or `FROM` (never).
pub fn parse_leak(text: &str, percent: u32) -> Result<flowcore::demo::Leak> {
    let bad = || FlowError::LeakDates(text.to_string());
    let day = |date: &str| flowcore::time::parse_timestamp(date.trim()).map(|t| t.div_euclid(flowcore::time::DAY));
    let (from, to) = match text.split_once("..") {
        Some((from, to)) => (day(from).ok_or_else(bad)?, Some(day(to).ok_or_else(bad)?)),
        None => (day(text).ok_or_else(bad)?, None),
    };
    if to.is_some_and(|to| to <= from) {
        return Err(bad());
    }
    if !(1..=1000).contains(&percent) {
        return Err(FlowError::LeakPercent(percent));
    }
    Ok(flowcore::demo::Leak {
        from_day: from,
        to_day: to,
        percent,
    })
}

/// `flow demo-data`: write the demo export, with a leak in the main column when asked.
pub fn demo_data(
    config: flowcore::demo::DemoConfig,
    out: Option<&Path>,
    labels: Option<&Path>,
    obs: &mut dyn Observer,
) -> Result {
    let path = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| flowcore::demo::demo_path(&config));
    let profiler = Profiler::start();
    flowcore::demo::write_demo(&config, &path)?;
    say!(
        obs,
        "Wrote {} rows (seed {}, cp949) to {}",
        thousands(config.rows),
        config.seed,
        path.display()
    );
    if let Some(leak) = config.leak {
        let clean = flowcore::demo::main_series(&flowcore::demo::DemoConfig { leak: None, ..config });
        let day = flowcore::time::DAY;
        say!(
            obs,
            "leak             +{} in the main column ({} % of the typical minimum night flow before it) from {}{}",
            leak.rate(&clean.values),
            leak.percent,
            flowcore::time::format_date(leak.from_day * day),
            leak.to_day.map_or(", never repaired".to_string(), |to| format!(
                ", repaired {}",
                flowcore::time::format_date(to * day)
            ))
        );
    }
    if let Some(labels) = labels {
        let faults = flowcore::demo::injected_faults(&config);
        let stamp = |row: usize| {
            flowcore::time::format_timestamp(
                flowcore::time::parse_timestamp("2020-01-01 00:00").unwrap_or(0) + row as i64 * flowcore::time::MINUTE,
            )
        };
        let mut by_site = serde_json::Map::new();
        for site in &SITES {
            let rows: Vec<serde_json::Value> = faults
                .iter()
                .filter(|f| f.all_columns || site.slug == "jangmyeong")
                .map(|f| serde_json::json!({"kind": f.kind, "start": stamp(f.first), "end": stamp(f.last)}))
                .collect();
            by_site.insert(site.slug.to_string(), serde_json::Value::Array(rows));
        }
        write_all_or_nothing(&[(
            labels.to_path_buf(),
            serde_json::to_vec_pretty(&serde_json::Value::Object(by_site))?,
        )])?;
        say!(
            obs,
            "labels           {} faults written to {} (per site: kind, start, end)",
            faults.len(),
            labels.display()
        );
    }
    say!(obs, "{}", profiler.finish("demo-data"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leak_is_dates_in_order_and_a_share_in_range() {
        let leak = parse_leak("2020-06-01..2020-06-15", 40).unwrap();
        let day = |text: &str| flowcore::time::parse_timestamp(text).unwrap() / flowcore::time::DAY;
        assert_eq!(
            (leak.from_day, leak.to_day),
            (day("2020-06-01"), Some(day("2020-06-15")))
        );
        assert_eq!(parse_leak("2020-06-01", 40).unwrap().to_day, None);
        // Repaired before it began, or not a date: the same error, with the text given.
        for text in ["2020-06-15..2020-06-01", "2020-06-01..", "June"] {
            let error = parse_leak(text, 40).unwrap_err();
            assert!(
                matches!(&error, FlowError::LeakDates(given) if given == text),
                "{error}"
            );
        }
        assert!(matches!(parse_leak("2020-06-01", 0), Err(FlowError::LeakPercent(0))));
        assert!(matches!(
            parse_leak("2020-06-01", 1001),
            Err(FlowError::LeakPercent(1001))
        ));
    }
}
