//! Additive Holt–Winters exponential smoothing: the standard statistical forecaster of a series
//! with a level, a trend and a season, here a baseline the LSTM must beat.
//!
//! Three baselines that hold or average past values let a model look good on a flow that is a
//! week's pattern on a slow trend: on the demo export's measured test days statsforecast's AutoETS
//! (season 7) erred half as much as the LSTM that beat all three (docs/ACCURACY.md). The smoothing
//! weights are chosen on the training part alone, by the least squared one-step error over a grid,
//! and then held while the states follow every reading, as each test step is forecast from the
//! steps before it.

/// Smoothing weights of the level, the trend and the season, each in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// The level's.
    pub alpha: f64,
    /// The trend's (0: the first seasons' trend held).
    pub beta: f64,
    /// The season's.
    pub gamma: f64,
}

/// The states after the readings: level, trend, and the season's offsets (by step modulo the
/// season), with the number of steps read.
#[derive(Debug, Clone, PartialEq)]
struct State {
    level: f64,
    trend: f64,
    seasonal: Vec<f64>,
    steps: usize,
}

impl State {
    /// The forecast `h` steps (from 1) after the last step read.
    fn ahead(&self, h: usize) -> f64 {
        let m = self.seasonal.len();
        self.level + h as f64 * self.trend + self.seasonal[(self.steps + h - 1) % m]
    }
}

/// The steps the start needs: two whole seasons (the level and the offsets from the first, the
/// trend from the change to the second), and at least one step to forecast after them.
pub fn needs(season: usize) -> usize {
    2 * season.max(1) + 1
}

/// Runs the smoothing over `values` (finite) with season `season`: the one-step forecast of each
/// step from `season` on, and the states after the last. `None` when there are fewer values than
/// [`needs`] or one is not finite.
fn run(values: &[f64], season: usize, weights: Weights, mut each: impl FnMut(usize, f64)) -> Option<State> {
    let m = season.max(1);
    if values.len() < needs(m) || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let first = values[..m].iter().sum::<f64>() / m as f64;
    let second = values[m..2 * m].iter().sum::<f64>() / m as f64;
    let trend = (second - first) / m as f64;
    // The first season's mean stands at its middle step: each offset is from the line through it,
    // and the level is carried to the season's last step.
    let middle = (m as f64 - 1.0) / 2.0;
    let mut state = State {
        level: first + trend * middle,
        trend,
        seasonal: values[..m]
            .iter()
            .enumerate()
            .map(|(j, v)| v - (first + trend * (j as f64 - middle)))
            .collect(),
        steps: m,
    };
    let Weights { alpha, beta, gamma } = weights;
    for (t, &y) in values.iter().enumerate().skip(m) {
        each(t, state.ahead(1));
        let s = t % m;
        let level = alpha * (y - state.seasonal[s]) + (1.0 - alpha) * (state.level + state.trend);
        state.trend = beta * (level - state.level) + (1.0 - beta) * state.trend;
        state.seasonal[s] = gamma * (y - level) + (1.0 - gamma) * state.seasonal[s];
        state.level = level;
        state.steps = t + 1;
    }
    Some(state)
}

/// The weights with the least squared one-step error over `values` (from the third season: the
/// first two only start the states), on a grid of 7 × 5 × 5 (3 × 3 × 3 past 250,000 values, half a
/// year of minutes, to stay within a second); `None` where [`run`] is.
pub fn fit(values: &[f64], season: usize) -> Option<Weights> {
    const ALPHAS: [f64; 7] = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
    const BETAS: [f64; 5] = [0.0, 0.01, 0.05, 0.1, 0.2];
    const GAMMAS: [f64; 5] = [0.01, 0.05, 0.1, 0.2, 0.4];
    let coarse = values.len() > 250_000;
    let pick = |grid: &'static [f64], few: &'static [f64]| if coarse { few } else { grid };
    let (alphas, betas, gammas) = (
        pick(&ALPHAS, &[0.1, 0.3, 0.7]),
        pick(&BETAS, &[0.0, 0.01, 0.1]),
        pick(&GAMMAS, &[0.05, 0.1, 0.2]),
    );
    let scored_from = 2 * season.max(1);
    let mut best: Option<(f64, Weights)> = None;
    for &alpha in alphas {
        for &beta in betas {
            for &gamma in gammas {
                let weights = Weights { alpha, beta, gamma };
                let mut squared = 0.0;
                run(values, season, weights, |t, forecast| {
                    if t >= scored_from {
                        squared += (values[t] - forecast).powi(2);
                    }
                })?;
                if best.is_none_or(|(least, _)| squared < least) {
                    best = Some((squared, weights));
                }
            }
        }
    }
    best.map(|(_, weights)| weights)
}

/// One-step forecasts of `values[test_start..]`, the weights fitted on `values[..test_start]`;
/// `None` when the training part is shorter than [`needs`] or a value is not finite.
pub fn one_step(values: &[f64], test_start: usize, season: usize) -> Option<Vec<f64>> {
    let weights = fit(values.get(..test_start)?, season)?;
    let mut forecasts = Vec::with_capacity(values.len().saturating_sub(test_start));
    run(values, season, weights, |t, forecast| {
        if t >= test_start {
            forecasts.push(forecast);
        }
    })?;
    Some(forecasts)
}

/// The `steps` values after the end of `values`, the weights fitted on all of them.
pub fn ahead(values: &[f64], season: usize, steps: usize) -> Option<Vec<f64>> {
    let weights = fit(values, season)?;
    let state = run(values, season, weights, |_, _| {})?;
    Some((1..=steps).map(|h| state.ahead(h)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-checked: season 2 on [1, 3, 2, 4, 4, 5] with α = β = γ = 0.5. Start: first mean 2,
    /// second 3, trend 0.5, offsets from the line 1.75, 2.25: −0.75, +0.75, level 2.25. Steps 2 and
    /// 3 lie on that line and season: forecast 2 and 4, nothing moves (level 3.25 after step 3).
    /// Step 4 forecast 3.25 + 0.5 − 0.75 = 3; y = 4: level 0.5·4.75 + 0.5·3.75 = 4.25, trend
    /// 0.5·1 + 0.5·0.5 = 0.75, offset 0.5·(−0.25) + 0.5·(−0.75) = −0.5. Step 5 forecast
    /// 4.25 + 0.75 + 0.75 = 5.75.
    #[test]
    fn smoothing_by_hand() {
        let values = [1.0, 3.0, 2.0, 4.0, 4.0, 5.0];
        let half = Weights {
            alpha: 0.5,
            beta: 0.5,
            gamma: 0.5,
        };
        let mut forecasts = Vec::new();
        let state = run(&values, 2, half, |t, f| forecasts.push((t, f))).unwrap();
        assert_eq!(forecasts, [(2, 2.0), (3, 4.0), (4, 3.0), (5, 5.75)]);
        assert_eq!(state.steps, 6);
        assert!(
            run(&values[..4], 2, half, |_, _| {}).is_none(),
            "two seasons and a step needed"
        );
        assert!(run(&[1.0, f64::NAN, 2.0, 4.0, 3.0], 2, half, |_, _| {}).is_none());
    }

    /// A week's pattern on a straight rise is forecast to within a rounding: the trend and the
    /// offsets are the series', whatever the weights chosen.
    #[test]
    fn a_weekly_pattern_on_a_trend_is_forecast_exactly() {
        let pattern = [0.0, 4.0, 6.0, 5.0, 3.0, -12.0, -18.0];
        let values: Vec<f64> = (0..70).map(|d| 330.0 + 0.35 * d as f64 + pattern[d % 7]).collect();
        let forecasts = one_step(&values, 50, 7).unwrap();
        assert_eq!(forecasts.len(), 20);
        for (f, actual) in forecasts.iter().zip(&values[50..]) {
            assert!((f - actual).abs() < 1e-6, "{f} {actual}");
        }
        let next = ahead(&values, 7, 8).unwrap();
        for (h, f) in next.iter().enumerate() {
            let d = 70 + h;
            assert!((f - (330.0 + 0.35 * d as f64 + pattern[d % 7])).abs() < 1e-6);
        }
        assert!(
            one_step(&values, 14, 7).is_none(),
            "a training part of two weeks starts nothing"
        );
    }
}
