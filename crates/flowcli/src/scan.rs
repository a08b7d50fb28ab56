//! The prediction stage: the original's anomaly scan over every reading and the forecast after the
//! last, with `abnormal.csv`, `prediction.csv` and the scan graph.

use std::path::PathBuf;

use crate::error::Result;
use crate::observer::Observer;
use crate::original::{forecast_line, no_anomalies_line, Lang};
use crate::output::{anomalies_csv, forecast_csv, scan_csv, SiteDirs};
use crate::report::{BaselineForecast, BaselineRow};
use crate::settings::PredictPlan;
use crate::site::{thousands, write_and_list};
use flowcore::time::format_timestamp;
use flowcore::Check;
use flowcore::{FlowSeries, Interval, Preprocessed};
use flowlstm::{LstmModel, PredictConfig, Scan};
use flowreport::baseline::{baseline_ahead, season_length, Comparison};
use flowreport::graph::{encode_png, scan_overview, ScanOverview};
use flowreport::profile::{Profiler, StageProfile};

pub(crate) struct PredictOutcome {
    pub(crate) scan: Option<Scan>,
    pub(crate) forecast: Vec<flowlstm::ForecastPoint>,
    /// The steps the forecast reads that are no measure of the flow (a fault, or a quarter or more
    /// unread), as `format_timestamp` writes them; empty where none is or the faults were not
    /// looked for.
    pub(crate) reads_not_measured: Vec<String>,
    /// The last steps of the series, no measure of the flow, that the LSTM forecast on its way
    /// from the last step measured instead of reading them.
    pub(crate) forecast_over: Vec<String>,
    /// The forecast of the baseline that beat the LSTM on the test part, if one did.
    pub(crate) baseline: Option<BaselineForecast>,
    pub(crate) profile: StageProfile,
}

/// What the alarms found, for the prediction stage: their (start, end, stage) for the scan graph,
/// and which steps of the preprocessed series are no measure of the flow (the forecast says when
/// it reads one; Holt–Winters learns nothing from them).
pub(crate) struct Faults<'a> {
    pub(crate) spans: &'a [(i64, i64, flowcore::events::Severity)],
    pub(crate) not_measured: &'a [bool],
}

/// The scan and the forecast. `faults` are the alarms' findings, `None` when the alarm
/// rules were not run (`--preset original`, `--no-alarms`). `evaluation` is the LSTM beside the
/// baselines on the test part, where this run has one (`flow run`): when a baseline beat it, that
/// baseline's forecast of the same steps is printed under the LSTM's, the number to use.
pub(crate) fn predict_stage(
    model: &LstmModel,
    preprocessed: &Preprocessed,
    plan: PredictPlan,
    faults: Option<Faults<'_>>,
    evaluation: Option<&Comparison>,
    dirs: &SiteDirs,
    obs: &mut dyn Observer,
) -> Result<PredictOutcome> {
    let profiler = Profiler::start();
    say!(obs);
    say!(obs, "== Prediction: {} ==", model.meta.site);
    let mut files = Vec::new();
    let scan = if plan.scan {
        let cleaned = &preprocessed.cleaned;
        let config = PredictConfig {
            batch_size: plan.batch_size,
            device: plan.device,
        };
        let scan = flowlstm::scan(model, cleaned, &config.check()?)?;
        report_scan(model, cleaned, &scan, plan, dirs, &mut files, obs)?;
        let note = level_rule_note(&scan, model.meta.interval, cleaned.interval, faults.is_some());
        if let (Some(note), Lang::En) = (note, plan.lang) {
            say!(obs, "{note}");
        }
        let spans = faults.as_ref().map_or(&[][..], |f| f.spans);
        let graph = scan_graph(
            cleaned,
            &preprocessed.filled,
            &scan,
            &model.meta.criteria,
            &model.meta.column,
            spans,
        )?;
        files.push((dirs.prediction.join("anomaly_scan.png"), graph));
        Some(scan)
    } else {
        None
    };
    let series = &preprocessed.series;
    let not_measured = faults.as_ref().map(|f| f.not_measured);
    // The last steps, when they are no measure of the flow (a day read in part: an export that ends
    // at 14:37), are forecast from the measured steps before them, not read as the flow.
    let skipped = trailing_not_measured(series, not_measured, model.meta.window);
    let measured = series.len() - skipped;
    let forecast = if plan.forecast {
        let forecast = match skipped {
            0 => flowlstm::forecast(model, series)?,
            _ => flowlstm::predict(model, &series.slice(0, measured), skipped + model.meta.periods)?.split_off(skipped),
        };
        for point in &forecast {
            say!(obs, "{}", forecast_line(point, plan.lang));
        }
        files.push((
            dirs.prediction.join("prediction.csv"),
            forecast_csv(&forecast, &model.meta.column),
        ));
        forecast
    } else {
        Vec::new()
    };
    let baseline = match evaluation {
        Some(comparison) if !comparison.model_wins && !forecast.is_empty() => {
            let baseline = better_baseline(
                &preprocessed.series,
                comparison,
                &forecast,
                model.meta.window,
                not_measured,
            );
            if let Some(b) = &baseline {
                say!(obs, "{}", baseline_line(b));
            }
            baseline
        }
        _ => None,
    };
    let reads_not_measured = match not_measured {
        Some(flags) if !forecast.is_empty() => {
            let season = season_length(series.interval.seconds());
            read_not_measured(
                &series.timestamps[..measured],
                &flags[..measured],
                model.meta.window.max(season),
            )
        }
        _ => Vec::new(),
    };
    let forecast_over: Vec<String> = match forecast.is_empty() {
        true => Vec::new(),
        false => series.timestamps[measured..]
            .iter()
            .map(|&t| format_timestamp(t))
            .collect(),
    };
    if plan.lang == Lang::En {
        let last_measured = measured.checked_sub(1).map(|k| series.timestamps[k]);
        for line in [
            skipped_line(last_measured, &forecast_over),
            reads_line(&reads_not_measured),
        ]
        .into_iter()
        .flatten()
        {
            say!(obs, "{line}");
        }
    }
    write_and_list(&files, obs)?;
    let profile = profiler.finish("predict");
    say!(obs, "{profile}");
    Ok(PredictOutcome {
        scan,
        forecast,
        reads_not_measured,
        forecast_over,
        baseline,
        profile,
    })
}

/// How many of the last steps of `series`, one after another, `flags` marks as no measure of the
/// flow, where the steps before them still hold the model's window and a step (a change reads the
/// step before the window); 0 otherwise, or where the flags are not the series'.
fn trailing_not_measured(series: &FlowSeries, flags: Option<&[bool]>, window: usize) -> usize {
    let Some(flags) = flags.filter(|flags| flags.len() == series.len()) else {
        return 0;
    };
    let trailing = flags.iter().rev().take_while(|&&flagged| flagged).count();
    match series.len() - trailing > window {
        true => trailing,
        false => 0,
    }
}

/// `note             the forecast runs from 2020-12-31 00:00:00, the last step measured: 2021-01-01
/// 00:00:00 after it is no measure of the flow (…), so the LSTM forecast it on the way, not read it`.
fn skipped_line(last_measured: Option<i64>, skipped: &[String]) -> Option<String> {
    let last = last_measured?;
    let first = skipped.first()?;
    let (steps, them) = match skipped {
        [_] => (format!("{first} after it is"), "it"),
        [.., end] => (
            format!("the {} steps after it ({first} .. {end}) are", skipped.len()),
            "them",
        ),
        [] => return None,
    };
    Some(format!(
        "note             the forecast runs from {}, the last step measured: {steps} no measure of the flow (a stuck, dropout or outage reading, or a quarter or more unread), so the LSTM forecast {them} on the way instead of reading {them}",
        format_timestamp(last)
    ))
}

/// The last `lookback` of the steps at `timestamps` (what the forecasts after them read: the
/// model's window, or the baselines' season where longer) that `flags` marks as no measure of the
/// flow; empty where the flags are not those steps'.
fn read_not_measured(timestamps: &[i64], flags: &[bool], lookback: usize) -> Vec<String> {
    if flags.len() != timestamps.len() {
        return Vec::new();
    }
    let from = timestamps.len().saturating_sub(lookback);
    (from..timestamps.len())
        .filter(|&k| flags[k])
        .map(|k| format_timestamp(timestamps[k]))
        .collect()
}

/// `note             the forecast reads 1 step that is no measure of the flow (2021-01-01 00:00:00: …)`:
/// the export's last day read in part, or a fault in the last week, makes the next step's
/// forecast less sure than the test part says, and an operator should know it before using it.
fn reads_line(steps: &[String]) -> Option<String> {
    const SHOWN: usize = 3;
    let (first, more) = (steps.iter().take(SHOWN), steps.len().saturating_sub(SHOWN));
    let mut listed = first.cloned().collect::<Vec<_>>().join(", ");
    if more > 0 {
        listed.push_str(&format!(" and {more} more"));
    }
    (!steps.is_empty()).then(|| {
        format!(
            "note             the forecast reads {} that {} no measure of the flow ({listed}: a stuck, dropout or outage reading, or a quarter or more unread): expect a larger error than on the test part",
            if steps.len() == 1 { "1 step".to_string() } else { format!("{} steps", steps.len()) },
            if steps.len() == 1 { "is" } else { "are" },
        )
    })
}

/// The best baseline's forecast of the steps the LSTM forecast, by the rules it was scored by on
/// the test part (`window` is the moving average's: the model's window, as there; Holt–Winters
/// learns nothing from the steps `not_measured` flags, as there).
fn better_baseline(
    series: &FlowSeries,
    comparison: &Comparison,
    forecast: &[flowlstm::ForecastPoint],
    window: usize,
    not_measured: Option<&[bool]>,
) -> Option<BaselineForecast> {
    let season = season_length(series.interval.seconds());
    let ahead = baseline_ahead(&series.values, window, season, forecast.len(), not_measured).ok()?;
    let (best, score) = comparison.best_baseline()?;
    let (name, values) = ahead.into_iter().nth(best)?;
    // Both lists come in one order; a name that differs would mean they do not.
    (name == score.name).then(|| BaselineForecast {
        name,
        lstm_rmse_ratio: comparison.rmse_ratio,
        forecast: forecast
            .iter()
            .zip(values)
            .map(|(point, predicted)| BaselineRow {
                time: format_timestamp(point.timestamp),
                predicted,
            })
            .collect(),
    })
}

/// `baseline         persistence (last value) forecasts 61.3 for 2023-04-01 00:00:00: …`, up to
/// seven steps on the line, the rest in report.json.
fn baseline_line(baseline: &BaselineForecast) -> String {
    let rows = baseline.forecast.as_slice();
    let shown: Vec<String> = rows.iter().take(7).map(|row| format!("{:.1}", row.predicted)).collect();
    let more = match rows.len().saturating_sub(7) {
        0 => String::new(),
        n => format!(" and {n} more (report.json)"),
    };
    let when = match rows {
        [one] => one.time.clone(),
        [first, .., last] => format!("{} … {}", first.time, last.time),
        [] => String::new(),
    };
    format!(
        "baseline         {} forecasts {}{more} for {when}: it beat the LSTM on the test part (the LSTM's RMSE {:.0} % of its), so use it",
        baseline.name,
        shown.join(", "),
        baseline.lstm_rmse_ratio * 100.0
    )
}

/// Prints what the scan found and queues its files: `abnormal.csv` always (header only when
/// nothing is flagged, as the original), the scan graph, and with `--all-predictions` every
/// prediction.
pub(crate) fn report_scan(
    model: &LstmModel,
    cleaned: &FlowSeries,
    scan: &Scan,
    plan: PredictPlan,
    dirs: &SiteDirs,
    files: &mut Vec<(PathBuf, Vec<u8>)>,
    obs: &mut dyn Observer,
) -> Result {
    let criteria = &model.meta.criteria;
    let above = scan.above();
    say!(obs,
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
        say!(obs, "{}", no_anomalies_line(plan.lang));
    } else {
        say!(
            obs,
            "anomalies        {} predictions at or beyond the levels ({} ≥ U_level, {} ≤ L_level)",
            thousands(scan.anomalies.len()),
            above,
            scan.anomalies.len() - above
        );
        for a in scan.anomalies.iter().take(5) {
            say!(
                obs,
                "                 {}  predicted {:.1}  actual {:.1}  {}",
                format_timestamp(a.timestamp),
                a.predicted,
                a.actual,
                a.rule
            );
        }
        if scan.anomalies.len() > 5 {
            say!(
                obs,
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
    Ok(())
}

/// What a flood of the original rule's flags means, when it flags more than 1 % of the windows (on
/// BWDF's hourly areas it flagged 3 to 48 % of the hours): the levels are the model's interval's,
/// while the scan runs on every reading, whose daily cycle crosses them; the alarms are the rule
/// that judges each reading against its own time of day (pointed to when they were run).
fn level_rule_note(scan: &Scan, levels_from: Interval, readings: Interval, alarms_judged: bool) -> Option<String> {
    let share = scan.anomalies.len() as f64 / scan.windows.max(1) as f64;
    if share <= 0.01 {
        return None;
    }
    let why = if levels_from == readings {
        "the rule flags by level alone, whatever the time of day".to_string()
    } else {
        format!("U_level and L_level are those of the {levels_from} means (criteria.csv), which readings at {readings} cross with each day's cycle")
    };
    let alarms = if alarms_judged {
        "; for what needs attention read the alarms (alarms.csv), which judge each reading against its own time of day"
    } else {
        ""
    };
    Some(format!(
        "note             {:.0} % of the windows: {why}{alarms}",
        share * 100.0
    ))
}

/// `anomaly_scan.png`: the minute readings with the alarms shaded by stage, or, with no alarm
/// stage (the original preset), the original rule's flags as dots.
/// The scan's overview: the readings (the values the missing-value rule filled, `filled`, left out:
/// a month's outage drawn as a straight line read as readings), the levels, and the alarms or the
/// original rule's flags.
fn scan_graph(
    cleaned: &FlowSeries,
    filled: &[std::ops::Range<usize>],
    scan: &Scan,
    criteria: &flowcore::Criteria,
    column: &str,
    spans: &[(i64, i64, flowcore::events::Severity)],
) -> Result<Vec<u8>> {
    let flagged: Vec<(i64, f64)> = scan.anomalies.iter().map(|a| (a.timestamp, a.actual)).collect();
    let mut readings = cleaned.values.clone();
    for run in filled {
        if let Some(values) = readings.get_mut(run.clone()) {
            values.fill(f64::NAN);
        }
    }
    let count = thousands(readings.iter().filter(|v| v.is_finite()).count());
    let subtitle = if spans.is_empty() {
        format!(
            "{count} readings, {} flagged (prediction ≥ U_level or ≤ L_level)",
            thousands(flagged.len())
        )
    } else {
        format!(
            "{count} readings; {} alarms shaded by stage (alarms.csv); the original's rule flagged {} predictions (abnormal.csv)",
            thousands(spans.len()),
            thousands(flagged.len())
        )
    };
    let overview = scan_overview(&ScanOverview {
        subtitle: &subtitle,
        timestamps: &cleaned.timestamps,
        values: &readings,
        flagged: &flagged,
        spans,
        lower_level: criteria.lower_level,
        upper_level: criteria.upper_level,
        unit: crate::output::split_unit(column).1,
    })?;
    Ok(encode_png(&overview)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand, window 3 (a change reads the step before the window, so 4 measured steps are
    /// needed): the last two flagged of 7 are skipped; flags that stop before the end skip
    /// nothing; so does a run that would leave only 3 steps, and flags of another length.
    #[test]
    fn the_last_steps_not_measured_are_forecast_when_a_window_is_left() {
        let series = FlowSeries::new((0..7).map(|d| d * 86_400).collect(), vec![1.0; 7], Interval::DAILY).unwrap();
        let flags = |set: &[usize]| (0..7).map(|k| set.contains(&k)).collect::<Vec<_>>();
        assert_eq!(trailing_not_measured(&series, Some(&flags(&[5, 6])), 3), 2);
        assert_eq!(trailing_not_measured(&series, Some(&flags(&[1, 5])), 3), 0);
        assert_eq!(trailing_not_measured(&series, Some(&flags(&[3, 4, 5, 6])), 3), 0);
        assert_eq!(trailing_not_measured(&series, Some(&flags(&[4, 5, 6])), 3), 3);
        assert_eq!(trailing_not_measured(&series, Some(&[true; 3]), 3), 0);
        assert_eq!(trailing_not_measured(&series, None, 3), 0);
        let last_measured = Some(series.timestamps[4]);
        assert_eq!(
            skipped_line(last_measured, &["1970-01-06 00:00:00".into(), "1970-01-07 00:00:00".into()]).unwrap(),
            "note             the forecast runs from 1970-01-05 00:00:00, the last step measured: the 2 steps after it (1970-01-06 00:00:00 .. 1970-01-07 00:00:00) are no measure of the flow (a stuck, dropout or outage reading, or a quarter or more unread), so the LSTM forecast them on the way instead of reading them"
        );
        assert_eq!(skipped_line(last_measured, &[]), None);
    }
}
