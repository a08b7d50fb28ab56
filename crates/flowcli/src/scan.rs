//! The prediction stage: the original's anomaly scan over every reading and the forecast after the
//! last, with `abnormal.csv`, `prediction.csv` and the scan graph.

use std::path::PathBuf;

use crate::error::Result;
use crate::observer::Observer;
use crate::original::{forecast_line, no_anomalies_line};
use crate::output::{anomalies_csv, forecast_csv, scan_csv, SiteDirs};
use crate::settings::PredictPlan;
use crate::site::{thousands, write_and_list};
use flowcore::time::format_timestamp;
use flowcore::Check;
use flowcore::{FlowSeries, Preprocessed};
use flowlstm::{LstmModel, PredictConfig, Scan};
use flowreport::graph::{encode_png, scan_overview, ScanOverview};
use flowreport::profile::{Profiler, StageProfile};

pub(crate) struct PredictOutcome {
    pub(crate) scan: Option<Scan>,
    pub(crate) forecast: Vec<flowlstm::ForecastPoint>,
    pub(crate) profile: StageProfile,
}

pub(crate) fn predict_stage(
    model: &LstmModel,
    preprocessed: &Preprocessed,
    plan: PredictPlan,
    spans: &[(i64, i64, flowcore::events::Severity)],
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
        let graph = scan_graph(cleaned, &scan, &model.meta.criteria, &model.meta.column, spans)?;
        files.push((dirs.prediction.join("anomaly_scan.png"), graph));
        Some(scan)
    } else {
        None
    };
    let forecast = if plan.forecast {
        let forecast = flowlstm::forecast(model, &preprocessed.series)?;
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
    write_and_list(&files, obs)?;
    let profile = profiler.finish("predict");
    say!(obs, "{profile}");
    Ok(PredictOutcome {
        scan,
        forecast,
        profile,
    })
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

/// `anomaly_scan.png`: the minute readings with the alarms shaded by stage, or, with no alarm
/// stage (the original preset), the original rule's flags as dots.
fn scan_graph(
    cleaned: &FlowSeries,
    scan: &Scan,
    criteria: &flowcore::Criteria,
    column: &str,
    spans: &[(i64, i64, flowcore::events::Severity)],
) -> Result<Vec<u8>> {
    let flagged: Vec<(i64, f64)> = scan.anomalies.iter().map(|a| (a.timestamp, a.actual)).collect();
    let subtitle = if spans.is_empty() {
        format!(
            "{} readings, {} flagged (prediction ≥ U_level or ≤ L_level)",
            thousands(cleaned.len()),
            thousands(flagged.len())
        )
    } else {
        format!(
            "{} readings; {} alarms shaded by stage (alarms.csv); the original's rule flagged {} predictions (abnormal.csv)",
            thousands(cleaned.len()),
            thousands(spans.len()),
            thousands(flagged.len())
        )
    };
    let overview = scan_overview(&ScanOverview {
        subtitle: &subtitle,
        timestamps: &cleaned.timestamps,
        values: &cleaned.values,
        flagged: &flagged,
        spans,
        lower_level: criteria.lower_level,
        upper_level: criteria.upper_level,
        unit: crate::output::split_unit(column).1,
    })?;
    Ok(encode_png(&overview)?)
}
