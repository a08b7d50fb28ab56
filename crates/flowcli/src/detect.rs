//! `flow detect`: any `time,value` series, the recommended model, the residual rule graded
//! 관심/주의/경계/심각, and with labels NAB-style scoring.

use std::path::Path;

use crate::error::Result;
use crate::guard::SiteGuard;
use crate::observer::Observer;
use crate::options::{DetectArgs, InputArgs};
use crate::original::Lang;
use crate::output::{slug_for_column, SiteDirs};
use crate::settings::{is_original, train_config, Wording};
use crate::site::{read_stage, thousands, write_and_list, Target};
use crate::stages::{evaluate_stage, preprocess_stage, train_stage};
use flowcore::time::format_timestamp;
use flowcore::{Check, PreprocessConfig};
use flowreport::profile::Profiler;
use serde_json::json;

/// Reads NAB-style labelled windows for one file: `{"<file name>": [["start", "end"], …]}`.
pub(crate) fn read_labels(path: &Path, data_file: &Path) -> Result<Vec<(i64, i64)>> {
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

/// `flow detect`: train on any series, flag readings far from their forecast as graded events, and
/// with labels score them.
pub fn detect(args: &DetectArgs, lang: Lang, obs: &mut dyn Observer) -> Result {
    // The rule and the labels are checked before the file is read: a labels file without this
    // series was found only after the model had trained and its files were written.
    let rule = crate::settings::alarm_rule(&args.alarms)?;
    let labelled = match &args.labels {
        Some(labels) => Some((labels, read_labels(labels, &args.input)?)),
        None => None,
    };
    use flowcore::alarms::find_alarms;
    use flowcore::events::score_events;
    let input = InputArgs {
        input: vec![args.input.clone()],
        site: None,
        column: args.column.clone(),
        output_dir: args.output_dir.clone(),
        clock: args.clock.clone(),
    };
    let slug = args
        .input
        .file_stem()
        .map(|s| slug_for_column(&s.to_string_lossy()))
        .unwrap_or_else(|| "series".to_string());
    let (export, _) = read_stage(&input, obs)?;
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
    let _guard = SiteGuard::claim(&dirs, "flow detect", export.paths(), obs)?;
    let config = PreprocessConfig {
        interval: args.interval.parse()?,
        correct_outliers: false,
        ..PreprocessConfig::default()
    }
    .check()?;
    let pre = preprocess_stage(&export, &target, &config, Some(&dirs.preprocessing), obs)?;
    let series = &pre.preprocessed.series;
    let train_config = train_config(&args.train, &args.device, series.interval)?;
    let trained = train_stage(
        series,
        &pre.preprocessed.criteria,
        &target,
        &train_config,
        args.train.check,
        &dirs,
        obs,
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
        obs,
    )?;

    let profiler = Profiler::start();
    // The same alarm rules as `flow run`, on the series as read: faults and unusual flow.
    let found = find_alarms(&target.slug, &pre.raw, &rule);
    let events = &found.alarms;
    say!(obs);
    say!(obs, "== Detection: {} ==", target.slug);
    say!(obs,
        "rules            faults (outage, stuck, dropout, spike) and unusual flow against the same time of the week, σ = {} of the {} bin residuals; stages 관심 {}σ, 주의 {}σ, 경계 {}σ, 심각 {}σ",
        found.flow_sigma.map_or("-".to_string(), |s| format!("{s:.3}")),
        rule.bin.max(pre.raw.interval),
        rule.stages.watch, rule.stages.caution, rule.stages.alert, rule.stages.severe
    );
    say!(
        obs,
        "events           {} over {} readings",
        events.len(),
        thousands(pre.raw.len())
    );
    for e in events {
        say!(
            obs,
            "  {} … {}  {:<8} peak {} at {}  expected {}  {}",
            format_timestamp(e.start),
            format_timestamp(e.end),
            e.kind.to_string(),
            // An outage has no reading to show.
            if e.peak_value.is_finite() {
                e.peak_value.to_string()
            } else {
                "-".to_string()
            },
            format_timestamp(e.peak_time),
            if e.expected.is_finite() {
                format!("{:.1}", e.expected)
            } else {
                "-".to_string()
            },
            e.stage
        );
    }
    let mut report = json!({
        "input": args.input.display().to_string(),
        "column": target.column,
        "interval": pre.raw.interval,
        "flow_sigma": found.flow_sigma,
        "regime": found.regime,
        "rule": *rule,
        "events": events.iter().map(crate::alarms::AlarmRecord::from).collect::<Vec<_>>(),
    });
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
        report["scoring"] = json!(scoring);
    }
    let detection = dirs.root.join("Detection");
    let files = [
        (detection.join("events.csv"), crate::alarms::alarms_csv(events)),
        (detection.join("detection.json"), serde_json::to_vec_pretty(&report)?),
    ];
    write_and_list(&files, obs)?;
    say!(obs, "{}", profiler.finish("detect"));
    Ok(())
}
