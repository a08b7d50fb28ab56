//! `flow detect`: any `time,value` series, the recommended model, the residual rule graded
//! 관심/주의/경계/심각, and with labels NAB-style scoring.

use std::path::{Path, PathBuf};

use crate::error::{FlowError, Result};
use crate::guard::SiteGuard;
use crate::observer::Observer;
use crate::options::{DetectArgs, InputArgs};
use crate::original::Lang;
use crate::output::{slug_for_column, SiteDirs};
use crate::settings::{is_original, train_config, Wording};
use crate::site::{read_stage, thousands, write_and_list, Target};
use crate::stages::{evaluate_stage, preprocess_stage, train_stage, write_not_measured, Measured};
use flowcore::time::format_timestamp;
use flowcore::{Check, PreprocessConfig};
use flowreport::profile::Profiler;
use flowreport::ReportError;
use serde::{Deserialize, Serialize};

/// Reads NAB-style labelled windows: `{"<file name>": [["start", "end"], …]}`, those of every
/// input's name (a file's, or a folder's), in order of time. A key may carry the folder too, as
/// NAB's own `labels/combined_windows.json` writes them (`realKnownCause/nyc_taxi.csv`): it labels
/// the input whose path ends with it, or the one file of that name when no other key has it.
pub(crate) fn read_labels(path: &Path, inputs: &[PathBuf]) -> Result<Vec<(i64, i64)>> {
    let text = std::fs::read_to_string(path).map_err(|source| flowcore::CoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|source| FlowError::LabelsNotJson {
        path: path.to_path_buf(),
        source,
    })?;
    let object = json.as_object().ok_or_else(|| FlowError::LabelsNotObject {
        path: path.to_path_buf(),
    })?;
    // Each input with its name: a file's, or a folder's.
    let named: Vec<(&PathBuf, String)> = inputs
        .iter()
        .filter_map(|input| Some((input, input.file_name()?.to_string_lossy().into_owned())))
        .collect();
    let key_for = |input: &PathBuf, name: &str| -> Option<&String> {
        if let Some((key, _)) = object.get_key_value(name) {
            return Some(key);
        }
        let suffix = format!("/{name}");
        let in_folders: Vec<&String> = object.keys().filter(|key| key.ends_with(&suffix)).collect();
        match in_folders.as_slice() {
            [one] => Some(*one),
            several => several.iter().copied().find(|key| input.ends_with(key.as_str())),
        }
    };
    let labelled: Vec<(&String, &Vec<serde_json::Value>)> = named
        .iter()
        .filter_map(|(input, name)| {
            let key = key_for(input, name)?;
            object.get(key).and_then(|w| w.as_array()).map(|w| (key, w))
        })
        .collect();
    let names: Vec<&str> = named.iter().map(|(_, name)| name.as_str()).collect();
    if labelled.is_empty() {
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        return Err(FlowError::NoLabelsFor {
            path: path.to_path_buf(),
            name: names.join("`, `"),
            labelled: keys.join(", "),
        });
    }
    let mut windows = Vec::new();
    for (name, list) in labelled {
        for (i, window) in list.iter().enumerate() {
            let bad = || FlowError::LabelWindow {
                path: path.to_path_buf(),
                number: i + 1,
                name: name.clone(),
            };
            let pair = window.as_array().filter(|p| p.len() == 2).ok_or_else(bad)?;
            let time = |v: &serde_json::Value| v.as_str().and_then(flowcore::time::parse_timestamp).ok_or_else(bad);
            windows.push((time(&pair[0])?, time(&pair[1])?));
        }
    }
    windows.sort_unstable();
    windows.dedup();
    Ok(windows)
}

/// What `flow detect` found in one series, as `Detection/detection.json` is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectionReport {
    /// The export read: a file, or `N files, first … last`.
    pub input: String,
    /// The column judged.
    pub column: String,
    /// The readings' interval.
    pub interval: flowcore::Interval,
    /// The robust σ of the flow residuals the stages are multiples of; absent where none was
    /// computed (a pump, a constant column).
    pub flow_sigma: Option<f64>,
    /// How the column behaves (continuous, a pump, constant, blank).
    pub regime: flowcore::alarms::Regime,
    /// The rules' settings.
    pub rule: flowcore::alarms::AlarmRule,
    /// Every alarm, as `alarms.jsonl` writes it.
    pub events: Vec<crate::alarms::AlarmRecord>,
    /// With `--labels`: recall, precision and each window's delay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<flowcore::events::Scoring>,
    /// A built-in holiday calendar whose days hold many of the flow alarms, where no
    /// `--holidays` was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holiday_hint: Option<crate::alarms::HolidayHint>,
}

/// `flow detect`: train on any series, flag readings far from their forecast as graded events, and
/// with labels score them.
pub fn detect(args: &DetectArgs, lang: Lang, obs: &mut dyn Observer) -> Result {
    // The rule and the labels are checked before the file is read: a labels file without this
    // series was found only after the model had trained and its files were written.
    let alarm_settings = crate::settings::alarm_settings(&args.alarms)?;
    let rule = &alarm_settings.rule;
    let labelled = match &args.labels {
        Some(labels) => Some((labels, read_labels(labels, &args.input)?)),
        None => None,
    };
    use flowcore::events::score_events;
    let input = InputArgs {
        input: args.input.clone(),
        site: None,
        column: args.column.clone(),
        output_dir: args.output_dir.clone(),
        clock: args.clock.clone(),
    };
    let (export, _) = read_stage(&input, obs)?;
    let column = match &args.column {
        Some(column) => column.clone(),
        None => match export.value_columns().as_slice() {
            [only] => (*only).to_string(),
            [] => {
                return Err(FlowError::NoValueColumn {
                    file: export.describe(),
                })
            }
            columns => {
                return Err(FlowError::ChooseColumn {
                    file: export.describe(),
                    count: columns.len(),
                    columns: columns.join(", "),
                })
            }
        },
    };
    // One file (or folder) of one series names it, as NAB's files do; a month-by-month export's
    // files name months, so there their folder does. An export of several columns is named by
    // the column judged: two columns of one file once shared (and overwrote) one folder.
    let folder = |path: &Path| path.parent().and_then(Path::file_name).map(|n| n.to_os_string());
    let slug = match args.input.as_slice() {
        _ if export.value_columns().len() > 1 => None,
        [one] => one.file_stem().map(|s| slug_for_column(&s.to_string_lossy())),
        [first, rest @ ..] if rest.iter().all(|p| folder(p) == folder(first)) => {
            folder(first).map(|n| slug_for_column(&n.to_string_lossy()))
        }
        _ => None,
    }
    .unwrap_or_else(|| crate::output::unique_slug(&column, &export.value_columns()));
    let target = Target {
        slug,
        column,
        registered: false,
    };
    let dirs = SiteDirs::new(&args.output_dir, &target.slug);
    let _guard = SiteGuard::claim(&dirs, "flow detect", export.paths(), obs)?;
    SiteGuard::note_other_column(&dirs, &target.column, "flow detect", obs);
    let config = PreprocessConfig {
        interval: args.interval.parse()?,
        correct_outliers: false,
        ..PreprocessConfig::default()
    }
    .check()?;
    let pre = preprocess_stage(&export, &target, &config, Some(&dirs.preprocessing), obs)?;
    let series = &pre.preprocessed.series;
    let train_config = train_config(&args.train, &args.device, series.interval)?;
    let wording = Wording {
        lang,
        original_scoring: is_original(&args.train),
    };
    // The alarms first (they need no model): the model is scored again where the meter
    // measured, as in `flow run`.
    let finding = Profiler::start();
    let mut found = flowcore::alarms::find_alarms_with_holidays(&target.slug, &pre.raw, rule, &alarm_settings.holidays);
    flowcore::alarms::mark_clock_changes(&mut found.alarms, &pre.ingest.clock_changes());
    let found_profile = finding.finish("alarms");
    let not_measured = write_not_measured(&dirs.preprocessing, series, &pre.raw, &found.alarms, obs)?;
    let model_stages = |obs: &mut dyn Observer| -> Result<()> {
        let measured = Measured {
            series,
            not_measured: Some(not_measured.clone()),
        };
        let trained = train_stage(
            series,
            &pre.preprocessed.criteria,
            &target,
            &train_config,
            args.train.check,
            &dirs,
            obs,
        )?;
        evaluate_stage(
            &measured,
            &trained.training,
            &train_config,
            args.train.outlier_sigma,
            &dirs,
            wording,
            obs,
        )?;
        Ok(())
    };
    // The model is evaluated beside the alarms, which do not need it: a column too short to
    // train on, or stuck (a constant test set has no accuracy ratio), is exactly what the alarm
    // rules should still be run on. Before, such a column stopped `flow detect` with no alarm.
    let without_model = |error: &FlowError| match error {
        FlowError::TooShortToTrain { .. } => true,
        FlowError::Site { source, .. } => matches!(**source, FlowError::Report(ReportError::ConstantSeries { .. })),
        _ => false,
    };
    match model_stages(obs) {
        Err(why) if without_model(&why) => {
            say!(obs);
            say!(obs, "model            not trained or not evaluated: {why}");
            say!(obs, "                 the alarm rules below do not need it");
        }
        other => other?,
    }

    let profiler = Profiler::start();
    // The same alarm rules as `flow run`, on the series as read: faults and unusual flow.
    let events = &found.alarms;
    say!(obs);
    say!(obs, "== Detection: {} ==", target.slug);
    say!(obs,
        "rules            faults (outage, stuck, dropout, spike) and unusual flow against the same time of the week, σ = {} of the {} bin residuals (wider, up to twice, where that time of day's own spread over the 28 days before is); stages 관심 {}σ, 주의 {}σ, 경계 {}σ, 심각 {}σ",
        found.flow_sigma.map_or("-".to_string(), |s| format!("{s:.3}")),
        rule.bin.max(pre.raw.interval),
        rule.stages.watch, rule.stages.caution, rule.stages.alert, rule.stages.severe
    );
    if let Some(line) = crate::alarms::holidays_line(&alarm_settings.holidays, &pre.raw) {
        say!(obs, "{line}");
    }
    say!(
        obs,
        "events           {} over {} readings",
        events.len(),
        thousands(pre.raw.len())
    );
    for e in events {
        say!(
            obs,
            "  {} … {}  {:<8} {:<15} {}",
            format_timestamp(e.start),
            format_timestamp(e.end),
            e.kind.to_string(),
            e.stage.to_string(),
            crate::alarms::alarm_detail(e, pre.raw.interval.seconds())
        );
    }
    for line in crate::alarms::response_lines(events.iter().map(|e| e.kind)) {
        say!(obs, "{line}");
    }
    let holiday_hint = crate::alarms::holiday_hint(events, &alarm_settings.holidays);
    if let Some(hint) = &holiday_hint {
        say!(obs, "{}", hint.line());
    }
    let mut report = DetectionReport {
        input: export.describe(),
        column: target.column.clone(),
        interval: pre.raw.interval,
        flow_sigma: found.flow_sigma,
        regime: found.regime,
        rule: **rule,
        events: events.iter().map(crate::alarms::AlarmRecord::from).collect(),
        scoring: None,
        holiday_hint,
    };
    if let Some((labels, windows)) = &labelled {
        let spans: Vec<(i64, i64)> = events.iter().map(|e| (e.start, e.end)).collect();
        let scoring = score_events(&spans, windows);
        say!(
            obs,
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
            say!(
                obs,
                "  {} … {}  {found}",
                format_timestamp(*start),
                format_timestamp(*end)
            );
        }
        say!(
            obs,
            "recall {}/{} windows ({:.0} %), precision {}/{} events ({:.0} %), false alarms {}",
            scoring.detected,
            scoring.windows,
            scoring.recall * 100.0,
            scoring.hits,
            scoring.events,
            scoring.precision * 100.0,
            scoring.events - scoring.hits
        );
        report.scoring = Some(scoring);
    }
    let detection = dirs.root.join("Detection");
    let files = [
        (detection.join("events.csv"), crate::alarms::alarms_csv(events)),
        (detection.join("detection.json"), serde_json::to_vec_pretty(&report)?),
    ];
    write_and_list(&files, obs)?;
    // Found before the model was trained, timed apart from it.
    say!(obs, "{found_profile}");
    say!(obs, "{}", profiler.finish("detect"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_those_of_every_input_name() {
        let dir = tempfile::tempdir().unwrap();
        let labels = dir.path().join("windows.json");
        std::fs::write(
            &labels,
            r#"{"2015-01.csv": [["2015-01-26 00:00:00", "2015-01-28 00:00:00"]],
                "2014-12.csv": [["2014-12-24 00:00:00", "2014-12-26 00:00:00"]],
                "other.csv": [["2014-01-01 00:00:00", "2014-01-02 00:00:00"]]}"#,
        )
        .unwrap();
        let time = |text: &str| flowcore::time::parse_timestamp(text).unwrap();
        // A series exported month by month: each month's windows, in order of time.
        let months = [PathBuf::from("taxi/2015-01.csv"), PathBuf::from("taxi/2014-12.csv")];
        assert_eq!(
            read_labels(&labels, &months).unwrap(),
            vec![
                (time("2014-12-24"), time("2014-12-26")),
                (time("2015-01-26"), time("2015-01-28"))
            ]
        );
        let error = read_labels(&labels, &[PathBuf::from("taxi.csv")]).unwrap_err();
        assert!(
            matches!(&error, FlowError::NoLabelsFor { name, .. } if name == "taxi.csv"),
            "{error}"
        );
        assert!(
            error
                .to_string()
                .contains("files labelled: 2014-12.csv, 2015-01.csv, other.csv"),
            "{error}"
        );
        // NAB's own labels file: keys with the folder (`labels/combined_windows.json`).
        std::fs::write(
            &labels,
            r#"{"realKnownCause/nyc_taxi.csv": [["2015-01-26 00:00:00", "2015-01-28 00:00:00"]],
                "artificialWithAnomaly/nyc_taxi.csv": [["2014-01-01 00:00:00", "2014-01-02 00:00:00"]],
                "realKnownCause/ec2_request_latency_system_failure.csv": [["2014-03-14 03:31:00", "2014-03-14 14:41:00"]]}"#,
        )
        .unwrap();
        let from_nab = |input: &str| read_labels(&labels, &[PathBuf::from(input)]);
        // The one key of that name; and of two, the one the input's path ends with.
        assert_eq!(
            from_nab("ec2_request_latency_system_failure.csv").unwrap(),
            vec![(time("2014-03-14 03:31:00"), time("2014-03-14 14:41:00"))]
        );
        assert_eq!(
            from_nab("NAB/data/realKnownCause/nyc_taxi.csv").unwrap(),
            vec![(time("2015-01-26"), time("2015-01-28"))]
        );
        assert!(matches!(from_nab("nyc_taxi.csv"), Err(FlowError::NoLabelsFor { .. })));
        std::fs::write(&labels, r#"{"taxi.csv": [["2015-01-26 00:00:00"]]}"#).unwrap();
        let error = read_labels(&labels, &[PathBuf::from("taxi.csv")]).unwrap_err();
        assert!(matches!(error, FlowError::LabelWindow { number: 1, .. }), "{error}");
        std::fs::write(&labels, r#"[["2015-01-26", "2015-01-27"]]"#).unwrap();
        let error = read_labels(&labels, &[PathBuf::from("taxi.csv")]).unwrap_err();
        assert!(matches!(error, FlowError::LabelsNotObject { .. }), "{error}");
    }
}
