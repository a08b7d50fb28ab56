//! The LSTM as a forecaster of the hours or days ahead (`flow forecast --method lstm`): the
//! original's network trained on the site's hourly (or daily) flow and run recursively over the
//! horizon, with the same split-conformal bands and held-out check as the week-profile regression,
//! so the two are compared on equal terms. It is kept available and named; the regression is the
//! default because it measured better (docs/ACCURACY.md).

use flowcore::time::seconds_of_day;
use flowcore::{Checked, Criteria, FlowSeries, Interval};

use crate::error::{LstmError, Result};
use crate::horizon::{fill, Calibration, Grid, HeldOut, HorizonConfig, HorizonForecast};
use crate::model::LstmModel;
use crate::predict::predict;
use crate::train::{train, SeriesIdentity};
use crate::TrainConfig;

/// A trained LSTM with the error quantiles of its held-out forecasts.
#[derive(Debug)]
pub struct LstmHorizon {
    /// The network.
    pub model: LstmModel,
    /// Steps ahead forecast.
    pub horizon: usize,
    /// Per step ahead: error quantiles 2.5 %, 10 %, 90 %, 97.5 %.
    pub error_quantiles: Vec<[f64; 4]>,
    /// The held-out forecasts against the baselines, and the bands' forward coverage.
    pub held_out: Option<HeldOut>,
}

/// The filled series of `grid`'s first `len` steps, as the LSTM takes it.
fn series(grid: &Grid, filled: &[f64], len: usize) -> Result<FlowSeries> {
    let interval = Interval::from_seconds(grid.step)?;
    Ok(FlowSeries::new(
        (0..len).map(|i| grid.time(i)).collect(),
        filled[..len].to_vec(),
        interval,
    )?)
}

fn trained(series: &FlowSeries, train_config: &Checked<TrainConfig>) -> Result<LstmModel> {
    let (low, high) = series
        .values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(*v), h.max(*v)));
    // No level rule here: the criteria only bound the scaling.
    let criteria = Criteria::with_levels(low, high, low, high, 10.0);
    let identity = SeriesIdentity {
        site: "horizon".into(),
        column: "flow".into(),
    };
    Ok(train(series, &criteria, &identity, train_config, &mut |_| {})?.model)
}

/// Trains the LSTM on `history` (blank tail left out) and calibrates its bands like
/// [`crate::horizon::fit`]: a network trained up to `calibration_days` before the end forecasts
/// each midnight of those days.
pub fn fit_lstm(
    history: &Grid,
    config: &Checked<HorizonConfig>,
    train_config: &Checked<TrainConfig>,
) -> Result<LstmHorizon> {
    let grid = history.trimmed();
    let per_day = grid.per_day();
    let horizon = config.horizon;
    let n = grid.values.len();
    let calibration = config.calibration_days * per_day;
    if history.quiet_for_four_weeks() {
        return Err(LstmError::NoRecentReadings { days: 28 });
    }
    let need = 35 * per_day + calibration + horizon;
    grid.check_history(need, horizon, history.blank_tail())?;
    let filled = fill(&grid.values, 7 * per_day);
    let start = n.saturating_sub(config.history_days * per_day);
    let window = |end: usize| -> Result<FlowSeries> {
        let s = series(&grid, &filled, end)?;
        Ok(FlowSeries::new(
            s.timestamps[start..].to_vec(),
            s.values[start..].to_vec(),
            s.interval,
        )?)
    };
    let early = trained(&window(n - calibration)?, train_config)?;
    let mut calibrated = Calibration::new(horizon, n - calibration / 2);
    for index in (n - calibration..=n - horizon).filter(|&i| seconds_of_day(grid.time(i)) == 0) {
        let forecast: Vec<f64> = predict(&early, &window(index)?, horizon)?
            .iter()
            .map(|p| p.predicted)
            .collect();
        calibrated.add(&grid, index, &forecast);
    }
    let (error_quantiles, held_out) = calibrated.finish(per_day);
    let model = trained(&window(n)?, train_config)?;
    Ok(LstmHorizon {
        model,
        horizon,
        error_quantiles,
        held_out,
    })
}

impl LstmHorizon {
    /// The forecast of the steps after the last reading of `history`.
    pub fn predict(&self, history: &Grid) -> Result<HorizonForecast> {
        let grid = history.trimmed();
        let filled = fill(&grid.values, 7 * grid.per_day());
        let n = grid.values.len();
        let points = predict(&self.model, &series(&grid, &filled, n)?, self.horizon)?;
        let values: Vec<f64> = points.iter().map(|p| p.predicted).collect();
        HorizonForecast::with_bands(grid.time(n), grid.step, values, &self.error_quantiles, &grid)
    }
}
