//! Taylor's double seasonal Holt–Winters smoothing for flow read more often than daily: a level,
//! the day's pattern and the week's, and the last error carried forward (Taylor, "Short-term
//! electricity demand forecasting using double seasonal exponential smoothing", J. Oper. Res. Soc.
//! 54, 2003) — the baseline an hourly model must beat.
//!
//! Hourly demand repeats by the day and, within that, by the weekday: a Sunday morning is not a
//! Monday morning. Holt–Winters with one season of a day cannot tell them apart, and on BWDF's
//! hourly inflows it erred up to twice as much as the LSTM, which reads the day of the week; this
//! model erred 5–28 % less than the LSTM in every area, and 15 % less on the demo export, where the
//! meter measured (docs/ACCURACY.md). Its equations, additive, with weights α, δ, ω and φ:
//!
//! ```text
//! forecast of t   ŷ = ℓ + d[t mod day] + w[t mod week] + φ·e        (e: the last step's error)
//! after reading y e = y − (ℓ + d + w);  ℓ ← ℓ + α·e
//!                 d[t mod day]  ← d + δ·(y − ℓ − w − d);  w[t mod week] ← w + ω·(y − ℓ − d − w)
//! ```
//!
//! The day's and the week's starting values are the first three weeks' averages; the weights are
//! those with the least squared one-step error after the first week (Nelder–Mead), fitted once on
//! the values before the test part, the states then following each reading. A NaN is a step not
//! measured, as in [`crate::holt_winters`]: forecast, learned nothing from, and the carried error
//! forgotten.
//!
//! ```
//! use flowreport::double_seasonal::{ahead, fit};
//!
//! // Six weeks of hours: a day's pattern, busier on weekdays than at the weekend.
//! let flow: Vec<f64> = (0..6 * 168)
//!     .map(|t| {
//!         let hour = (t % 24) as f64;
//!         let weekend = (t / 24) % 7 >= 5;
//!         100.0 + 30.0 * (hour / 24.0 * std::f64::consts::TAU).sin() + if weekend { -15.0 } else { 5.0 }
//!     })
//!     .collect();
//! assert!(fit(&flow, 24).is_some());
//! // Monday 00:00 after six whole weeks: 100 + 0 + 5.
//! let monday = ahead(&flow, 24, 1).unwrap()[0];
//! assert!((monday - 105.0).abs() < 0.5, "{monday}");
//! ```

/// The smoothing weights: the level's, the day's pattern's, the week's, and the share of the last
/// error carried into the next forecast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// The level's, in 0..=1.
    pub alpha: f64,
    /// The day's pattern's, in 0..=1.
    pub delta: f64,
    /// The week's pattern's, in 0..=1.
    pub omega: f64,
    /// The last one-step error's share in the next forecast, in −1..1 (an AR(1) on the errors).
    pub phi: f64,
}

/// A fitted model: its weights, and its states before the first value.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The smoothing weights.
    pub weights: Weights,
    level: f64,
    /// Offsets by step of the day.
    daily: Vec<f64>,
    /// Offsets by step of the week, beyond the day's.
    weekly: Vec<f64>,
}

/// The states after some values.
#[derive(Debug, Clone, PartialEq)]
struct State {
    level: f64,
    daily: Vec<f64>,
    weekly: Vec<f64>,
    /// The last step's one-step error (0 after a step not measured).
    error: f64,
    steps: usize,
}

impl State {
    /// The forecast `h` steps (from 1) after the last step read.
    fn ahead(&self, phi: f64, h: usize) -> f64 {
        let t = self.steps + h - 1;
        self.level
            + self.daily[t % self.daily.len()]
            + self.weekly[t % self.weekly.len()]
            + phi.powi(h.min(i32::MAX as usize) as i32) * self.error
    }
}

/// Weeks of values the start is made of.
const START_WEEKS: usize = 3;

/// The values a fit needs for a day of `day` steps: the three weeks it starts from and one more
/// to fit on.
pub fn needs(day: usize) -> usize {
    (START_WEEKS + 1) * 7 * day.max(1)
}

/// Steps of the recursion (values × evaluations) one fit may spend, as in
/// [`crate::holt_winters`]: about 0.1 s.
const WORK: usize = 50_000_000;

/// Runs the model over `values`: `each(t, forecast of step t)` for every step, then the states
/// after the last. `None` when a value is infinite.
fn run(values: &[f64], model: &Model, mut each: impl FnMut(usize, f64)) -> Option<State> {
    if values.iter().any(|v| v.is_infinite()) {
        return None;
    }
    let Weights {
        alpha,
        delta,
        omega,
        phi,
    } = model.weights;
    let (mut daily, mut weekly) = (model.daily.clone(), model.weekly.clone());
    let (day, week) = (daily.len(), weekly.len());
    let (mut level, mut error) = (model.level, 0.0);
    for (t, &y) in values.iter().enumerate() {
        let (d, w) = (daily[t % day], weekly[t % week]);
        let base = level + d + w;
        each(t, base + phi * error);
        if y.is_nan() {
            error = 0.0;
            continue;
        }
        error = y - base;
        level += alpha * error;
        daily[t % day] = d + delta * (y - level - w - d);
        weekly[t % week] = w + omega * (y - level - d - w);
    }
    Some(State {
        level,
        daily,
        weekly,
        error,
        steps: values.len(),
    })
}

/// The states from the first three weeks: their mean, each step of the day's mean offset from it,
/// and each step of the week's offset beyond the day's (0 where a step was never measured). `None`
/// when fewer than half of those values were measured.
fn start(values: &[f64], day: usize) -> Option<(f64, Vec<f64>, Vec<f64>)> {
    let week = 7 * day;
    let first = values.get(..START_WEEKS * week)?;
    let mean = |of: &mut dyn Iterator<Item = f64>| {
        let (sum, n) = of
            .filter(|v| !v.is_nan())
            .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
        (n > 0).then(|| sum / n as f64)
    };
    let measured = first.iter().filter(|v| !v.is_nan()).count();
    if 2 * measured < first.len() {
        return None;
    }
    let level = mean(&mut first.iter().copied())?;
    let daily: Vec<f64> = (0..day)
        .map(|h| mean(&mut first.iter().copied().skip(h).step_by(day)).map_or(0.0, |m| m - level))
        .collect();
    let weekly = (0..week)
        .map(|k| mean(&mut first.iter().copied().skip(k).step_by(week)).map_or(0.0, |m| m - level - daily[k % day]))
        .collect();
    Some((level, daily, weekly))
}

/// Squared one-step errors after the first week.
fn squared_errors(values: &[f64], model: &Model) -> f64 {
    let skip = model.weekly.len();
    let mut sum = 0.0;
    let _ = run(values, model, |t, forecast| {
        if t >= skip && !values[t].is_nan() {
            sum += (values[t] - forecast).powi(2);
        }
    });
    sum
}

/// The model of `values` (a NaN is a step not measured) for a day of `day` steps. `None` with
/// fewer values than [`needs`], too few measured in the first three weeks, or a value infinite.
pub fn fit(values: &[f64], day: usize) -> Option<Model> {
    let day = day.max(1);
    if values.len() < needs(day) || values.iter().any(|v| v.is_infinite()) {
        return None;
    }
    let (level, daily, weekly) = start(values, day)?;
    let template = Model {
        weights: Weights {
            alpha: 0.1,
            delta: 0.1,
            omega: 0.1,
            phi: 0.5,
        },
        level,
        daily,
        weekly,
    };
    let with = |x: &[f64]| -> Option<Model> {
        let inside = x[..3].iter().all(|w| (0.0..=1.0).contains(w)) && x[3].abs() < 1.0;
        inside.then(|| Model {
            weights: Weights {
                alpha: x[0],
                delta: x[1],
                omega: x[2],
                phi: x[3],
            },
            ..template.clone()
        })
    };
    let evaluations = (WORK / 2 / values.len()).clamp(60, 600);
    let mut objective = |x: &[f64]| with(x).map_or(f64::INFINITY, |model| squared_errors(values, &model));
    // Two starts, slow and quick weights, as a simplex in four dimensions can settle in either.
    let mut best: Option<(Vec<f64>, f64)> = None;
    for x0 in [vec![0.1, 0.1, 0.1, 0.5], vec![0.5, 0.05, 0.05, 0.2]] {
        let found = crate::holt_winters::minimise(&mut objective, x0, &[0.05; 4], evaluations);
        if best.as_ref().is_none_or(|(_, value)| found.1 < *value) {
            best = Some(found);
        }
    }
    let (x, value) = best?;
    value.is_finite().then(|| with(&x)).flatten()
}

/// One-step forecasts of `values[test_start..]`: the model fitted on `values[..test_start]`, its
/// states then following each value. `None` where [`fit`] finds no model of the training part.
pub fn one_step(values: &[f64], test_start: usize, day: usize) -> Option<Vec<f64>> {
    let model = fit(values.get(..test_start)?, day)?;
    let mut forecasts = Vec::with_capacity(values.len().saturating_sub(test_start));
    run(values, &model, |t, forecast| {
        if t >= test_start {
            forecasts.push(forecast);
        }
    })?;
    Some(forecasts)
}

/// The `steps` values after the end of `values`, the model fitted on all of them.
pub fn ahead(values: &[f64], day: usize, steps: usize) -> Option<Vec<f64>> {
    let model = fit(values, day)?;
    let state = run(values, &model, |_, _| {})?;
    Some((1..=steps).map(|h| state.ahead(model.weights.phi, h)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand, a day of 2 steps (a week of 14), α = δ = ω = ½, φ = ½, from level 10, day offsets
    /// −1, +1 and week offsets 0: step 0 forecasts 10 − 1 = 9 and reads 11 (error 2): level 11,
    /// day offset −1 + ½·(11 − 11 − 0 + 1) = −0.5, week offset 0 + ½·(11 − 11 + 1 − 0) = 0.5.
    /// Step 1 forecasts 11 + 1 + 0 + ½·2 = 13; a NaN there: nothing learned, the error forgotten.
    /// Step 2 (day step 0 again, week step 2) forecasts 11 − 0.5 + 0 = 10.5.
    #[test]
    fn smoothing_by_hand() {
        let model = Model {
            weights: Weights {
                alpha: 0.5,
                delta: 0.5,
                omega: 0.5,
                phi: 0.5,
            },
            level: 10.0,
            daily: vec![-1.0, 1.0],
            weekly: vec![0.0; 14],
        };
        let mut forecasts = Vec::new();
        let state = run(&[11.0, f64::NAN, 10.5], &model, |t, f| forecasts.push((t, f))).unwrap();
        assert_eq!(forecasts, [(0, 9.0), (1, 13.0), (2, 10.5)]);
        // Step 2 read exactly what was forecast: nothing moves.
        assert_eq!((state.level, state.error), (11.0, 0.0));
        assert_eq!(state.daily, [-0.5, 1.0]);
        assert_eq!(state.weekly[..3], [0.5, 0.0, 0.0]);
        // Three steps on: day step 1, week step 5; no error to carry.
        assert_eq!(state.ahead(0.5, 3), 11.0 + 1.0 + 0.0);
        assert!(run(&[1.0, f64::INFINITY], &model, |_, _| {}).is_none());
    }

    /// A week's pattern on the day's, with noise: the forecasts of the last two weeks err about
    /// as much as the noise, where the same hour yesterday (blind to the weekend) errs by the
    /// weekday's step, and the one-season model of a day cannot do much better than that.
    #[test]
    fn the_week_within_the_day_is_learned() {
        let mut state = 12_345u64;
        let mut noise = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2.0
        };
        let flow: Vec<f64> = (0..10 * 168)
            .map(|t| {
                let hour = (t % 24) as f64;
                let weekend = (t / 24) % 7 >= 5;
                let morning = if weekend {
                    (hour - 10.0).abs() < 2.0
                } else {
                    (hour - 7.0).abs() < 2.0
                };
                100.0 + 20.0 * (hour / 24.0 * std::f64::consts::TAU).sin() + if morning { 25.0 } else { 0.0 } + noise()
            })
            .collect();
        let test_start = 8 * 168;
        let rmse = |forecasts: &[f64]| {
            let sum: f64 = forecasts
                .iter()
                .zip(&flow[test_start..])
                .map(|(f, a)| (f - a).powi(2))
                .sum();
            (sum / forecasts.len() as f64).sqrt()
        };
        let double = rmse(&one_step(&flow, test_start, 24).unwrap());
        let yesterday: Vec<f64> = (test_start..flow.len()).map(|t| flow[t - 24]).collect();
        let single = rmse(&crate::holt_winters::one_step(&flow, test_start, 24).unwrap());
        assert!(double < 1.0, "noise is uniform in ±1 (RMSE 0.58): {double}");
        assert!(rmse(&yesterday) > 5.0 * double, "{} {double}", rmse(&yesterday));
        assert!(single > 3.0 * double, "{single} {double}");
    }

    /// Too short, too little measured at the start, or a value infinite: no model.
    #[test]
    fn no_model_without_the_weeks_it_needs() {
        let flow = vec![5.0; needs(24) - 1];
        assert!(fit(&flow, 24).is_none());
        let mut flow = vec![5.0; needs(24)];
        assert!(fit(&flow, 24).is_some());
        for v in &mut flow[..300] {
            *v = f64::NAN;
        }
        assert!(fit(&flow, 24).is_none(), "300 of 504 start values not measured");
        let mut flow = vec![5.0; needs(24)];
        flow[600] = f64::INFINITY;
        assert!(fit(&flow, 24).is_none());
    }
}
