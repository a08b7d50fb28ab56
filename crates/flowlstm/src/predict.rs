//! Inference: the anomaly scan over every window of a series, and the forecast after its end.

use flowcore::events::{Flag, FlagRule};
use flowcore::time::format_timestamp;
use flowcore::{Checked, FlowSeries};
use serde::Serialize;

use crate::config::PredictConfig;
use crate::error::{LstmError, Result};
use crate::kernel::CpuLstm;
use crate::model::{window_tensor, LstmModel};

/// Runs every window of a flat `steps × features` matrix through the model, `batch_size` windows at
/// a time, and returns the scaled outputs, `samples × periods`, flat.
pub(crate) fn run_windows(model: &LstmModel, matrix: &[f32], batch_size: usize) -> Result<Vec<f32>> {
    let features = model.meta.features.count();
    let window = model.meta.window;
    let steps = matrix.len() / features;
    if steps < window {
        return Ok(Vec::new());
    }
    let samples = steps - window + 1;
    if model.device() == crate::Device::Cpu {
        let meta = &model.meta;
        if let Some(kernel) = CpuLstm::from_store(&model.store, features, meta.hidden, meta.layers, meta.periods) {
            let threads = usize::try_from(tch::get_num_threads()).unwrap_or(1).max(1);
            return Ok(run_distinct(matrix, features, window, samples, meta.periods, |range| {
                kernel.run(matrix, window, range, threads)
            }));
        }
    }
    let batch_size = batch_size.max(1);
    let mut outputs = Vec::with_capacity(samples * model.meta.periods);
    for start in (0..samples).step_by(batch_size) {
        let end = (start + batch_size).min(samples);
        let rows = &matrix[start * features..(end + window - 1) * features];
        let inputs = window_tensor(rows, features, window, model.device().tch());
        let predicted = model.infer(&inputs).to_device(tch::Device::Cpu).contiguous().view([-1]);
        outputs.extend(Vec::<f32>::try_from(&predicted)?);
    }
    Ok(outputs)
}

/// Runs of identical windows shorter than this are computed anyway: skipping them saves less than
/// another call costs.
const LEAST_SKIPPED: usize = 64;

/// Runs `compute` only on the windows that differ from the window before: a pump held at one rate,
/// or off, for hours gives thousands of identical windows in a row, and an identical window gives
/// an identical output, copied from the one before.
fn run_distinct(
    matrix: &[f32],
    features: usize,
    window: usize,
    samples: usize,
    periods: usize,
    compute: impl Fn(std::ops::Range<usize>) -> Vec<f32>,
) -> Vec<f32> {
    let row = |t: usize| &matrix[t * features..(t + 1) * features];
    // Window s repeats window s − 1 when rows s − 1 ..= s + window − 1 are all equal.
    let mut repeats = vec![false; samples];
    let mut equal_run = 0usize;
    for t in 1..samples + window - 1 {
        equal_run = if row(t) == row(t - 1) { equal_run + 1 } else { 0 };
        if t + 1 >= window && equal_run >= window {
            repeats[t + 1 - window] = true;
        }
    }
    // Ranges to compute: everything but runs of repeats at least LEAST_SKIPPED long.
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    let mut s = 0;
    while s < samples {
        if !repeats[s] {
            s += 1;
            continue;
        }
        let run_end = (s..samples).find(|&e| !repeats[e]).unwrap_or(samples);
        if run_end - s >= LEAST_SKIPPED {
            if start < s {
                ranges.push(start..s);
            }
            start = run_end;
        }
        s = run_end;
    }
    if start < samples {
        ranges.push(start..samples);
    }
    if ranges.len() == 1 && ranges[0] == (0..samples) {
        return compute(0..samples);
    }
    let mut out = vec![0.0f32; samples * periods];
    let mut computed = vec![false; samples];
    for range in ranges {
        let part = compute(range.clone());
        out[range.start * periods..range.end * periods].copy_from_slice(&part);
        computed[range].iter_mut().for_each(|c| *c = true);
    }
    for (s, _) in computed.iter().enumerate().skip(1).filter(|(_, done)| !**done) {
        out.copy_within((s - 1) * periods..s * periods, s * periods);
    }
    out
}

/// The result of scanning a series.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scan {
    /// Windows pushed through the model.
    pub windows: usize,
    /// Predictions at or beyond the levels, in time order.
    pub anomalies: Vec<Flag>,
    /// Every prediction, in units: `predicted[i]` is for the reading at index `i + window`.
    pub predicted: Vec<f64>,
}

/// In-sample one-step predictions: every window of `window` readings predicts the reading after
/// it. `predicted[i]` is the prediction for the reading at index `i + window`. `series` must be
/// finite (cleaned) and at least one reading longer than the window.
pub fn one_step(model: &LstmModel, series: &FlowSeries, config: &Checked<PredictConfig>) -> Result<Vec<f64>> {
    series.require_finite("the series predicted")?;
    let window = model.meta.window;
    if series.len() <= window {
        return Err(flowcore::CoreError::TooFewRows {
            need: window + 1,
            have: series.len(),
            interval: series.interval.to_string(),
        }
        .into());
    }
    let scaler = model.meta.scaler;
    let target = model.meta.target;
    let scaled = target.encode(&series.values, &scaler);
    let matrix = model.meta.features.matrix(&series.timestamps, &scaled);
    let features = model.meta.features.count();
    // The last window has no reading after it to compare with: stop one short.
    let outputs = run_windows(model, &matrix[..(series.len() - 1) * features], config.batch_size)?;
    let periods = model.meta.periods;
    Ok(outputs
        .chunks(periods)
        .enumerate()
        .map(|(sample, step)| target.decode(series.values[sample + window - 1], &step[..1], &scaler)[0])
        .collect())
}

impl Scan {
    /// Flags at or above `U_level` (the rest are at or below `L_level`).
    pub fn above(&self) -> usize {
        self.anomalies
            .iter()
            .filter(|a| a.bound() == Some(flowcore::Bound::Above))
            .count()
    }
}

/// The original `-a` scan: the one-step prediction of every reading ([`one_step`]); each
/// prediction `≥ U_level` or `≤ L_level` is an anomaly (the original's rule, inclusive at both
/// levels). `series` must be finite (cleaned).
pub fn scan(model: &LstmModel, series: &FlowSeries, config: &Checked<PredictConfig>) -> Result<Scan> {
    let predicted = one_step(model, series, config)?;
    let window = model.meta.window;
    let criteria = model.meta.criteria;
    let anomalies = predicted
        .iter()
        .enumerate()
        .filter_map(|(k, &value)| {
            let at = k + window;
            criteria.breach(value).map(|bound| Flag {
                timestamp: series.timestamps[at],
                predicted: value,
                actual: series.values[at],
                rule: FlagRule::Level(bound),
            })
        })
        .collect();
    Ok(Scan {
        windows: predicted.len(),
        anomalies,
        predicted,
    })
}

/// Whether a forecast is normal by the scan's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Label {
    /// Strictly between `L_level` and `U_level`.
    Normal,
    /// At or beyond one of them.
    Abnormal,
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Label::Normal => "Normal",
            Label::Abnormal => "Abnormal",
        })
    }
}

/// One forecast step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ForecastPoint {
    /// Its time.
    pub timestamp: i64,
    /// The predicted value, in units.
    pub predicted: f64,
    /// By the scan's rule.
    pub label: Label,
}

impl std::fmt::Display for ForecastPoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "time: {} - predicted: {:.1}, label: {}",
            format_timestamp(self.timestamp),
            self.predicted,
            self.label
        )
    }
}

/// The next `periods` steps after the last reading of `series` (at the model's interval): one pass
/// of the network, [`predict`] with the model's own horizon.
pub fn forecast(model: &LstmModel, series: &FlowSeries) -> Result<Vec<ForecastPoint>> {
    predict(model, series, model.meta.periods)
}

/// The longest horizon [`predict`] goes: 10,000 steps (a year of hours).
pub const MAX_HORIZON: usize = 10_000;

/// The `horizon` steps after the last reading of `series`, at the model's interval. Beyond the
/// model's `periods`, the forecast continues from its own predictions (recursively): each step's
/// uncertainty then carries into the next.
pub fn predict(model: &LstmModel, series: &FlowSeries, horizon: usize) -> Result<Vec<ForecastPoint>> {
    if !(1..=MAX_HORIZON).contains(&horizon) {
        return Err(LstmError::Horizon {
            horizon,
            limit: MAX_HORIZON,
        });
    }
    let window = model.meta.window;
    let mut history = series.slice(series.len().saturating_sub(window + 1), series.len());
    let mut points = Vec::with_capacity(horizon);
    while points.len() < horizon {
        let next = forecast_once(model, &history)?;
        for point in next.into_iter().take(horizon - points.len()) {
            history.timestamps.push(point.timestamp);
            history.values.push(point.predicted);
            points.push(point);
        }
        history = history.slice(history.len().saturating_sub(window + 1), history.len());
    }
    Ok(points)
}

fn forecast_once(model: &LstmModel, series: &FlowSeries) -> Result<Vec<ForecastPoint>> {
    let window = model.meta.window;
    if series.interval != model.meta.interval {
        return Err(LstmError::IntervalMismatch {
            series: series.interval,
            model: model.meta.interval,
        });
    }
    if series.len() < window {
        return Err(flowcore::CoreError::TooFewRows {
            need: window,
            have: series.len(),
            interval: series.interval.to_string(),
        }
        .into());
    }
    // One reading more than the window: a change needs the reading before the window's first.
    let tail = series.slice(series.len().saturating_sub(window + 1), series.len());
    tail.require_finite("forecast input")?;
    let scaler = model.meta.scaler;
    let scaled = model.meta.target.encode(&tail.values, &scaler);
    let start = tail.len() - window;
    let matrix = model.meta.features.matrix(&tail.timestamps[start..], &scaled[start..]);
    let outputs = run_windows(model, &matrix, 1)?;
    let last = tail.timestamps[tail.len() - 1];
    let step = series.interval.seconds();
    let predicted = model.meta.target.decode(tail.values[tail.len() - 1], &outputs, &scaler);
    Ok(predicted
        .into_iter()
        .enumerate()
        .map(|(k, predicted)| {
            let label = if model.meta.criteria.is_normal(predicted) {
                Label::Normal
            } else {
                Label::Abnormal
            };
            ForecastPoint {
                timestamp: last + (k as i64 + 1) * step,
                predicted,
                label,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_windows_are_computed_once_and_copied() {
        // One feature; a run of 200 equal readings inside varying ones; window 3, one period. The
        // "model" returns the window's sum and counts the windows it was asked for.
        let mut values: Vec<f32> = (0..100).map(|i| i as f32).collect();
        values.extend(std::iter::repeat_n(7.0, 200));
        values.extend((0..50).map(|i| (i * 3) as f32));
        let samples = values.len() - 3 + 1;
        let asked = std::cell::Cell::new(0usize);
        let compute = |range: std::ops::Range<usize>| {
            asked.set(asked.get() + range.len());
            range.map(|s| values[s..s + 3].iter().sum()).collect::<Vec<f32>>()
        };
        let out = run_distinct(&values, 1, 3, samples, 1, compute);
        let expected: Vec<f32> = (0..samples).map(|s| values[s..s + 3].iter().sum()).collect();
        assert_eq!(out, expected);
        // The windows inside the run of 7s after the first all-7 window are copied, not computed.
        assert_eq!(asked.get(), samples - 197, "{} of {samples}", asked.get());
    }
}
