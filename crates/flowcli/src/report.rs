//! `report.json`: what one site's run found, as a type. The file is this type serialised, and reads
//! back into it; `docs/ARCHITECTURE.md` lists its fields.

use flowcore::time::format_timestamp;
use flowcore::{Criteria, IngestReport, PreprocessSummary};
use flowlstm::ModelMeta;
use flowreport::baseline::Comparison;
use flowreport::profile::StageProfile;
use flowreport::stats::Accuracy;
use serde::{Deserialize, Serialize};

use crate::scan::PredictOutcome;
use crate::stages::{EvaluateOutcome, PreprocessOutcome, TrainOutcome};

/// The layout version of `report.json`; raised when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// One site's `report.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteReport {
    /// [`SCHEMA_VERSION`] when written.
    pub schema_version: u32,
    /// The site's folder name.
    pub site: String,
    /// The column's exact header.
    pub column: String,
    /// The export read.
    pub input: String,
    /// Whether the site's job finished.
    pub status: Status,
    /// Why it did not, for a failed site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What the job found, for a finished site.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub job: Option<JobReport>,
}

/// Whether a site's job finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every stage ran and every file was written.
    Ok,
    /// A stage failed; `error` says why; the files written before it stay.
    Failed,
}

/// The results of a finished site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobReport {
    /// What ingest saw in the column.
    pub ingest: IngestReport,
    /// What preprocessing did.
    pub preprocess: PreprocessSummary,
    /// Extremes, normal range and the original's levels.
    pub criteria: Criteria,
    /// Rows of the chronological split.
    pub split: Split,
    /// The model's `model.json`.
    pub model: ModelMeta,
    /// The model on the test part (sample variances).
    pub accuracy: Accuracy,
    /// The same predictions scored as the original scored them (a week's shift), for comparison
    /// with its printed figures; absent when the test part is shorter than the window.
    pub accuracy_as_the_original_scored: Option<OriginalScoring>,
    /// Predicted variance over actual variance.
    pub variance_ratio: f64,
    /// The model beside the baselines.
    pub baselines: Comparison,
    /// The same on the test points that measure the flow (no meter fault, nothing a quarter unread,
    /// in them or in what their forecasts read); absent where every point does or the faults are
    /// not known (`--preset original`, `--no-alarms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub where_measured: Option<WhereMeasured>,
    /// Every period of the series, training part included, that is no measure of the flow (a
    /// stuck, dropout or outage reading in its steps, or a quarter of a step or more unread), as
    /// `[first, last]` step times: Holt–Winters forecasts those steps but learns nothing from them.
    /// Absent where there is none or the faults were not looked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_measured: Vec<[String; 2]>,
    /// Test points with a residual beyond k·σ.
    pub outliers: Vec<OutlierRow>,
    /// The forecast after the last reading.
    pub forecast: Vec<ForecastRow>,
    /// The best baseline's forecast of the same steps, given when that baseline beat the LSTM on
    /// the test part (on its points that measure the flow, `where_measured`, where there is one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_forecast: Option<BaselineForecast>,
    /// The steps the forecast reads (the model's window, or the baselines' season where longer)
    /// that are no measure of the flow — a meter fault, or a quarter or more unread, as
    /// `where_measured` leaves out; absent where none is or the faults were not looked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forecast_reads_not_measured: Vec<String>,
    /// The last steps of the series that are no measure of the flow (an export's last day read in
    /// part, a fault to its end), which the LSTM forecast from the last step measured instead of
    /// reading them, so `forecast` starts after them as the original's did; absent where there
    /// are none or the faults were not looked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forecast_over_not_measured: Vec<String>,
    /// The minute scan's counts.
    pub anomaly_scan: Option<ScanSummary>,
    /// Sensor faults and graded flow alarms on the raw readings; absent with the original preset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms: Option<crate::alarms::AlarmSummary>,
    /// Minimum night flow and its alarms; absent when the stage was skipped (`--no-night`, daily data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub night_flow: Option<crate::night::NightSummary>,
    /// Time, CPU and memory of each stage.
    pub profile: Vec<StageProfile>,
}

impl JobReport {
    /// The model beside the baselines as the verdict was decided: where the meter measured, where
    /// some test points did not.
    pub fn deciding_baselines(&self) -> &Comparison {
        deciding(&self.baselines, self.where_measured.as_ref())
    }
}

/// The comparison that decides (which forecast is given, the closing table): `where_measured`'s
/// where there is one, else the one on every test point.
pub(crate) fn deciding<'a>(all: &'a Comparison, where_measured: Option<&'a WhereMeasured>) -> &'a Comparison {
    where_measured.map_or(all, |w| &w.baselines)
}

/// Rows of the chronological split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// Training rows.
    pub train_rows: usize,
    /// Test rows.
    pub test_rows: usize,
}

/// The model and the baselines on the test points that measure the flow: a stuck transmitter's, a
/// dropout's or a long outage's readings, or a step a quarter unread (the export's part-read last
/// day), are no measure of it, in the step scored or in the steps its forecast read
/// (`flowcore::alarms::steps_not_measured`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhereMeasured {
    /// Test points left out.
    pub left_out: usize,
    /// Steps before a test point that its forecasts read (the window, or the baselines' season
    /// where longer): a fault among them leaves the point out.
    pub lookback: usize,
    /// The runs of test points left out, first and last (`YYYY-MM-DD`, or with `HH:MM` below a day).
    pub periods: Vec<[String; 2]>,
    /// Of the evaluation's outliers, those left out.
    pub outliers_left_out: usize,
    /// The model on the points kept.
    pub accuracy: Accuracy,
    /// The model beside the baselines on the points kept; it decides whether a baseline's forecast
    /// is given.
    pub baselines: Comparison,
}

/// RMSE as the original computed it: the prediction for step t + shift against the actual of t.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OriginalScoring {
    /// The misaligned RMSE.
    pub rmse: f64,
    /// Points compared (the test part less the shift).
    pub points: usize,
    /// The shift, in steps (the window).
    pub shift: usize,
}

/// One outlier of the evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutlierRow {
    /// `YYYY-MM-DD HH:MM:SS`.
    pub time: String,
    /// Measured.
    pub actual: f64,
    /// Predicted.
    pub predicted: f64,
    /// `actual − predicted`.
    pub residual: f64,
}

/// One forecast step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastRow {
    /// `YYYY-MM-DD HH:MM:SS`.
    pub time: String,
    /// The forecast.
    pub predicted: f64,
    /// `Normal` or `Abnormal` by the scan's rule.
    pub label: String,
}

/// The forecast of the baseline that beat the LSTM on the test part: the number to use instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineForecast {
    /// Which baseline (`persistence (last value)`).
    pub name: String,
    /// The LSTM's test RMSE over this baseline's (above 1).
    pub lstm_rmse_ratio: f64,
    /// One row a step, at the times of the LSTM's forecast.
    pub forecast: Vec<BaselineRow>,
}

/// One step of a baseline's forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineRow {
    /// `YYYY-MM-DD HH:MM:SS`.
    pub time: String,
    /// The forecast.
    pub predicted: f64,
}

/// The minute scan's counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanSummary {
    /// The rule applied.
    pub rule: String,
    /// Windows scanned.
    pub windows: usize,
    /// Predictions flagged.
    pub anomalies: usize,
    /// Of them, at or above `U_level`.
    pub above: usize,
    /// Of them, at or below `L_level`.
    pub below: usize,
}

impl SiteReport {
    /// The report of a site whose job failed with `error`.
    pub fn failed(site: &str, column: &str, input: &str, error: &str) -> SiteReport {
        SiteReport {
            schema_version: SCHEMA_VERSION,
            site: site.to_string(),
            column: column.to_string(),
            input: input.to_string(),
            status: Status::Failed,
            error: Some(error.to_string()),
            job: None,
        }
    }
}

/// Gathers a finished site's stages into its report.
pub(crate) fn finished(
    identity: (&str, &str, &str),
    pre: &PreprocessOutcome,
    trained: &TrainOutcome,
    evaluated: &EvaluateOutcome,
    predicted: &PredictOutcome,
    profile: &[StageProfile],
) -> SiteReport {
    let meta = &trained.training.model.meta;
    let (site, column, input) = identity;
    SiteReport {
        schema_version: SCHEMA_VERSION,
        site: site.to_string(),
        column: column.to_string(),
        input: input.to_string(),
        status: Status::Ok,
        error: None,
        job: Some(JobReport {
            ingest: pre.ingest.clone(),
            preprocess: pre.preprocessed.summary.clone(),
            criteria: pre.preprocessed.criteria,
            split: Split {
                train_rows: trained.training.train_rows,
                test_rows: trained.training.test_rows,
            },
            model: meta.clone(),
            accuracy: evaluated.accuracy,
            accuracy_as_the_original_scored: evaluated.original_scoring,
            variance_ratio: evaluated.accuracy.variance_ratio(),
            baselines: evaluated.comparison.clone(),
            where_measured: evaluated.where_measured.clone(),
            not_measured: evaluated.not_measured.clone(),
            outliers: evaluated
                .outliers
                .iter()
                .map(|o| OutlierRow {
                    time: format_timestamp(o.timestamp),
                    actual: o.actual,
                    predicted: o.predicted,
                    residual: o.residual(),
                })
                .collect(),
            forecast: predicted
                .forecast
                .iter()
                .map(|p| ForecastRow {
                    time: format_timestamp(p.timestamp),
                    predicted: p.predicted,
                    label: p.label.to_string(),
                })
                .collect(),
            baseline_forecast: predicted.baseline.clone(),
            forecast_reads_not_measured: predicted.reads_not_measured.clone(),
            forecast_over_not_measured: predicted.forecast_over.clone(),
            anomaly_scan: predicted.scan.as_ref().map(|scan| ScanSummary {
                rule: "prediction >= U_level or <= L_level".to_string(),
                windows: scan.windows,
                anomalies: scan.anomalies.len(),
                above: scan.above(),
                below: scan.anomalies.len() - scan.above(),
            }),
            night_flow: None,
            alarms: None,
            profile: profile.to_vec(),
        }),
    }
}
