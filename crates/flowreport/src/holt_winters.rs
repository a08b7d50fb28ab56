//! Holt–Winters exponential smoothing fitted as a state-space model (ETS with an additive trend):
//! the standard statistical forecaster of a series with a level, a trend and a season, here a
//! baseline the LSTM must beat.
//!
//! Three baselines that hold or average past values let a model look good on a flow that is a
//! week's pattern on a slow trend. Smoothing weights alone, chosen on a grid and started from the
//! first two seasons, were not enough either: on the demo export's measured test days
//! statsforecast's AutoETS erred half as much (docs/ACCURACY.md). So the model here is fitted as
//! AutoETS fits it: the weights **and the starting level, trend and season** by maximum
//! likelihood (Nelder–Mead), with a multiplicative season (ETS(M,A,M)) for a flow that is never
//! zero and an additive one (ETS(A,A,A)) otherwise ([`seasonality_for`]); and it is
//! **refitted as the test steps go**, on every value before each one, as often as a fixed budget of
//! work allows (every step on daily data; every few days on hourly or finer data).
//!
//! A NaN value is a step **not measured** (a stuck transmitter's, a dropout's, an outage's, a day
//! read in part: `flowreport::baseline` marks those the alarms found): it is forecast like any
//! other, but the states and the likelihood learn nothing from it, so a week of a frozen reading
//! does not bend the weights or the season.
//!
//! ```
//! use flowreport::holt_winters::{ahead, fit, Seasonality};
//!
//! // Ten weeks of a weekday pattern that scales with a rising flow.
//! let week = [1.0, 1.1, 1.2, 1.1, 1.0, 0.8, 0.8];
//! let flow: Vec<f64> = (0..70).map(|d| (300.0 + 0.5 * d as f64) * week[d % 7]).collect();
//! assert_eq!(fit(&flow, 7).unwrap().seasonality, Seasonality::Multiplicative);
//! let monday = ahead(&flow, 7, 1).unwrap()[0];
//! assert!((monday - 335.0).abs() < 0.5, "{monday}");
//! ```

/// How the season acts on the level: by adding offsets, or by scaling with factors (a weekday
/// that draws 10 % more whatever the flow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seasonality {
    /// ETS(A,A,A): additive errors, trend and season.
    Additive,
    /// ETS(M,A,M): errors and season proportional to the flow; only for values all above zero.
    Multiplicative,
}

/// Smoothing weights of the level, the trend and the season, in the state-space form: each state
/// moves by its weight times the step's error (relative for [`Seasonality::Multiplicative`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// The level's.
    pub alpha: f64,
    /// The trend's, at most `alpha`.
    pub beta: f64,
    /// The season's, at most `1 - alpha`.
    pub gamma: f64,
}

/// A fitted model: its kind, its weights, and its states before the first value.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Additive or multiplicative.
    pub seasonality: Seasonality,
    /// The smoothing weights.
    pub weights: Weights,
    level: f64,
    trend: f64,
    /// The season's offsets or factors, by step modulo the season.
    seasonal: Vec<f64>,
}

/// The states after some values: level, trend, the season, and the number of steps read.
#[derive(Debug, Clone, PartialEq)]
struct State {
    level: f64,
    trend: f64,
    seasonal: Vec<f64>,
    steps: usize,
}

impl State {
    /// The forecast `h` steps (from 1) after the last step read.
    fn ahead(&self, seasonality: Seasonality, h: usize) -> f64 {
        let s = self.seasonal[(self.steps + h - 1) % self.seasonal.len()];
        let line = self.level + h as f64 * self.trend;
        match seasonality {
            Seasonality::Additive => line + s,
            Seasonality::Multiplicative => line * s,
        }
    }
}

/// The values a fit needs: two whole seasons (a season is told from a trend by its repeating) and
/// a step.
pub fn needs(season: usize) -> usize {
    2 * season.max(1) + 1
}

/// Runs the model over `values` from its starting states: `each(t, forecast of step t)` for every
/// step, then the states after the last. `None` when a value is infinite.
fn run(values: &[f64], model: &Model, mut each: impl FnMut(usize, f64)) -> Option<State> {
    if values.iter().any(|v| v.is_infinite()) {
        return None;
    }
    let mut seasonal = model.seasonal.clone();
    let (level, trend) = smooth(
        values,
        model.seasonality,
        model.weights,
        model.level,
        model.trend,
        &mut seasonal,
        |t, forecast, _| each(t, forecast),
    );
    Some(State {
        level,
        trend,
        seasonal,
        steps: values.len(),
    })
}

/// The recursion itself, on a season the caller lends (the fit runs it thousands of times):
/// `each(t, forecast, error)` for each step (the error relative for the multiplicative kind),
/// then the error moves the states (Hyndman et al., *Forecasting with
/// Exponential Smoothing*, table 2.3). Returns the level and trend after the last value.
fn smooth(
    values: &[f64],
    seasonality: Seasonality,
    Weights { alpha, beta, gamma }: Weights,
    mut level: f64,
    mut trend: f64,
    seasonal: &mut [f64],
    mut each: impl FnMut(usize, f64, f64),
) -> (f64, f64) {
    let seasonal_len = seasonal.len();
    // The season's step counted alongside, not `t % m`: a division each step was half the fit's time.
    let mut step = 0;
    for (t, &y) in values.iter().enumerate() {
        let Some(s) = seasonal.get_mut(step) else {
            break;
        };
        step = if step + 1 == seasonal_len { 0 } else { step + 1 };
        let line = level + trend;
        if y.is_nan() {
            // A step not measured: forecast, but nothing learned from it.
            let forecast = match seasonality {
                Seasonality::Additive => line + *s,
                Seasonality::Multiplicative => line * *s,
            };
            each(t, forecast, f64::NAN);
            level = line;
            continue;
        }
        match seasonality {
            Seasonality::Additive => {
                let forecast = line + *s;
                let e = y - forecast;
                each(t, forecast, e);
                level = line + alpha * e;
                trend += beta * e;
                *s += gamma * e;
            }
            Seasonality::Multiplicative => {
                // The same equations with the relative error e = d / line, d = y / s − line:
                // written so, the level's chain from step to step holds no division (y / s reads a
                // factor set a season ago), which halved the fit's time.
                let forecast = line * *s;
                let d = y / *s - line;
                let e = d / line;
                each(t, forecast, e);
                level = line + alpha * d;
                trend += beta * d;
                *s *= 1.0 + gamma * e;
            }
        }
    }
    (level, trend)
}

/// The largest season whose starting values are fitted with the weights; a longer one (a day of
/// hours, 24) is started from the first seasons' average and only the weights, level and trend are
/// fitted, as a simplex in two dozen dimensions would not settle within the budget.
const FITTED_SEASON: usize = 12;

/// Steps of the recursion (values × likelihood evaluations) one forecast of a test part may
/// spend: half on the first fits, half on the refits (about 0.1 s each half).
const WORK: usize = 100_000_000;

/// The season's kind for a flow: multiplicative where every value is above zero, as a water
/// engineer's demand pattern is a set of multipliers of the base demand; additive where a value is
/// zero or below (a meter that reads reverse flow, a main that empties), where factors mean nothing.
///
/// Not chosen by likelihood, as AutoETS chooses: on 13 demo exports that choice took the additive
/// season on 6, where the multiplicative one erred 39–48 % less on the days measured on five and
/// 1 % more on the sixth, and on BWDF's daily means the two kinds differ by under 2 % on average
/// (docs/ACCURACY.md).
pub fn seasonality_for(values: &[f64]) -> Seasonality {
    if values.iter().filter(|v| !v.is_nan()).all(|&v| v > 0.0) {
        Seasonality::Multiplicative
    } else {
        Seasonality::Additive
    }
}

/// The model of `values` with season `season`, of the kind [`seasonality_for`] says (a NaN is a
/// step not measured). `None` with fewer measured values than [`needs`] or a value infinite.
pub fn fit(values: &[f64], season: usize) -> Option<Model> {
    fit_as(values, season, seasonality_for(values))
}

/// [`fit`] with the kind given.
pub fn fit_as(values: &[f64], season: usize, seasonality: Seasonality) -> Option<Model> {
    fit_within(values, season, seasonality, evaluations(values.len()))
}

/// Likelihood evaluations one fit of `values` values may spend: a quarter of [`WORK`], at most
/// 2,000 (a few hundred settle daily data's eleven numbers), at least 60 (half a year of minutes
/// still gets its weights moved from the start).
fn evaluations(values: usize) -> usize {
    (WORK / 4 / values.max(1)).clamp(60, 2_000)
}

fn fit_within(values: &[f64], season: usize, seasonality: Seasonality, evaluations: usize) -> Option<Model> {
    let m = season.max(1);
    let measured = values.iter().filter(|v| !v.is_nan()).count();
    if measured < needs(m) || values.iter().any(|v| v.is_infinite()) {
        return None;
    }
    let start = start(values, m, seasonality);
    let (model, likelihood) = optimise(values, &start, evaluations, 1.0);
    likelihood.is_finite().then_some(model)
}

/// The usual starting point: weights 0.1, 0.01, 0.01, and the states from the first seasons (up to
/// four): their mean line's level and slope, and each step's average offset (or factor) from it.
fn start(values: &[f64], m: usize, seasonality: Seasonality) -> Model {
    let seasons = (values.len() / m).clamp(1, 4);
    // Means of the steps measured (NaN: not measured); a season with none takes the others'.
    let measured_mean = |part: &[f64]| {
        let (sum, n) = part
            .iter()
            .filter(|v| !v.is_nan())
            .fold((0.0, 0usize), |(sum, n), v| (sum + v, n + 1));
        (n > 0).then(|| sum / n as f64)
    };
    let overall = measured_mean(&values[..seasons * m]).unwrap_or(0.0);
    let mean = |k: usize| measured_mean(&values[k * m..(k + 1) * m]).unwrap_or(overall);
    let trend = if seasons > 1 {
        (mean(seasons - 1) - mean(0)) / ((seasons - 1) * m) as f64
    } else {
        0.0
    };
    // The first season's mean stands at its middle step; the level is the line one step before
    // the first value, so that level + trend forecasts the first step.
    let middle = (m as f64 - 1.0) / 2.0;
    let line = |t: usize| mean(0) + trend * (t as f64 - middle);
    let (mut seasonal, mut counts) = (vec![0.0; m], vec![0usize; m]);
    for t in (0..seasons * m).filter(|&t| !values[t].is_nan()) {
        seasonal[t % m] += match seasonality {
            Seasonality::Additive => values[t] - line(t),
            Seasonality::Multiplicative => values[t] / line(t),
        };
        counts[t % m] += 1;
    }
    for (s, &n) in seasonal.iter_mut().zip(&counts) {
        *s = match (n, seasonality) {
            (0, Seasonality::Additive) => 0.0,
            (0, Seasonality::Multiplicative) => 1.0,
            _ => *s / n as f64,
        };
    }
    normalise(&mut seasonal, seasonality);
    Model {
        seasonality,
        weights: Weights {
            alpha: 0.1,
            beta: 0.01,
            gamma: 0.01,
        },
        level: line(0) - trend,
        trend,
        seasonal,
    }
}

/// Offsets that sum to zero, factors that average one: the level carries the rest.
fn normalise(seasonal: &mut [f64], seasonality: Seasonality) {
    let m = seasonal.len() as f64;
    let mean = seasonal.iter().sum::<f64>() / m;
    for s in seasonal.iter_mut() {
        match seasonality {
            Seasonality::Additive => *s -= mean,
            Seasonality::Multiplicative => *s /= mean,
        }
    }
}

/// The model's numbers as the simplex moves them: the weights, the level and trend, and (season up
/// to [`FITTED_SEASON`]) all but the last of the season's, the last making them sum to zero or
/// average one.
fn unpack(x: &[f64], template: &Model) -> Option<Model> {
    let [alpha, beta, gamma, level, trend, ..] = *x else {
        return None;
    };
    // The usual bounds (those of R's forecast::ets and statsforecast): every state keeps learning
    // and none overshoots.
    let bounded =
        (1e-4..=0.9999).contains(&alpha) && (1e-4..=alpha).contains(&beta) && (1e-4..=1.0 - alpha).contains(&gamma);
    if !bounded {
        return None;
    }
    let mut seasonal = template.seasonal.clone();
    let m = seasonal.len();
    if x.len() > 5 {
        seasonal[..m - 1].copy_from_slice(&x[5..]);
        let rest = seasonal[..m - 1].iter().sum::<f64>();
        seasonal[m - 1] = match template.seasonality {
            Seasonality::Additive => -rest,
            Seasonality::Multiplicative => m as f64 - rest,
        };
    }
    if template.seasonality == Seasonality::Multiplicative && (level <= 0.0 || seasonal.iter().any(|&s| s <= 0.0)) {
        return None;
    }
    Some(Model {
        seasonality: template.seasonality,
        weights: Weights { alpha, beta, gamma },
        level,
        trend,
        seasonal,
    })
}

fn pack(model: &Model) -> Vec<f64> {
    let Weights { alpha, beta, gamma } = model.weights;
    let mut x = vec![alpha, beta, gamma, model.level, model.trend];
    let m = model.seasonal.len();
    if m <= FITTED_SEASON {
        x.extend_from_slice(&model.seasonal[..m - 1]);
    }
    x
}

/// Twice the negative log-likelihood, up to a constant both kinds share: `n ln Σe²` with the
/// errors relative for the multiplicative kind, plus `2 Σ ln |forecast|` there. Infinite where a
/// forecast of the multiplicative kind is not above zero.
fn likelihood(values: &[f64], model: &Model, seasonal: &mut Vec<f64>) -> f64 {
    seasonal.clear();
    seasonal.extend_from_slice(&model.seasonal);
    let (mut squared, mut logs, mut product, mut positive, mut counted) = (0.0, 0.0, 1.0, true, 0usize);
    let kind = model.seasonality;
    smooth(
        values,
        kind,
        model.weights,
        model.level,
        model.trend,
        seasonal,
        |_, forecast, e| {
            if e.is_nan() {
                return;
            }
            counted += 1;
            squared += e * e;
            if kind == Seasonality::Multiplicative {
                positive &= forecast > 0.0;
                // A logarithm every eighth step, of the product of eight (a flow below 1e38 cannot
                // overflow it): the fit's time went mostly to logarithms.
                product *= forecast;
                if counted % 8 == 0 {
                    logs += product.ln();
                    product = 1.0;
                }
            }
        },
    );
    let n = counted as f64;
    let value = n * squared.max(f64::MIN_POSITIVE).ln() + 2.0 * (logs + product.ln());
    if positive && value.is_finite() {
        value
    } else {
        f64::INFINITY
    }
}

/// The most likely model near `from` (its kind kept), the simplex's first steps `scale` times the
/// usual ones (small when `from` is the last fit, refitted on a few more values).
fn optimise(values: &[f64], from: &Model, evaluations: usize, scale: f64) -> (Model, f64) {
    let x0 = pack(from);
    let spread = from.seasonal.iter().fold(0.0f64, |a, s| a.max(s.abs()));
    let level = from.level.abs().max(1e-9);
    let steps: Vec<f64> = x0
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            scale
                * match i {
                    0..=2 => 0.05 * x.max(0.2),
                    3 => 0.05 * level,
                    4 => (0.05 * x.abs()).max(1e-3 * level / from.seasonal.len() as f64),
                    _ => match from.seasonality {
                        Seasonality::Additive => 0.05 * spread.max(1e-3 * level),
                        Seasonality::Multiplicative => 0.02,
                    },
                }
        })
        .collect();
    let mut scratch = Vec::with_capacity(from.seasonal.len());
    let mut objective =
        |x: &[f64]| unpack(x, from).map_or(f64::INFINITY, |model| likelihood(values, &model, &mut scratch));
    let (best, value) = minimise(&mut objective, x0, &steps, evaluations);
    (unpack(&best, from).unwrap_or_else(|| from.clone()), value)
}

/// Nelder–Mead's simplex search for the least `f` from `x0` (standard coefficients: reflect 1,
/// expand 2, contract ½, shrink ½), the first simplex `x0` and `x0` moved by `steps[i]` along each
/// axis; stops after `evaluations` or when the simplex's values and points agree to a millionth.
/// An infinite value marks a point outside the bounds.
pub(crate) fn minimise(
    f: &mut impl FnMut(&[f64]) -> f64,
    x0: Vec<f64>,
    steps: &[f64],
    evaluations: usize,
) -> (Vec<f64>, f64) {
    let d = x0.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(d + 1);
    let f0 = f(&x0);
    simplex.push((x0.clone(), f0));
    for (i, step) in steps.iter().enumerate() {
        let mut x = x0.clone();
        x[i] += step;
        let fx = f(&x);
        simplex.push((x, fx));
    }
    let mut used = d + 1;
    let along =
        |from: &[f64], to: &[f64], k: f64| -> Vec<f64> { from.iter().zip(to).map(|(a, b)| a + k * (b - a)).collect() };
    while used < evaluations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[d].1);
        let close = simplex[1..].iter().all(|(x, _)| {
            x.iter()
                .zip(&simplex[0].0)
                .all(|(a, b)| (a - b).abs() <= 1e-6 * (1.0 + b.abs()))
        });
        if close && (worst - best).abs() <= 1e-6 * (1.0 + best.abs()) {
            break;
        }
        let mut centroid = vec![0.0; d];
        for (x, _) in &simplex[..d] {
            for (c, v) in centroid.iter_mut().zip(x) {
                *c += v / d as f64;
            }
        }
        let reflected = along(&centroid, &simplex[d].0, -1.0);
        let fr = f(&reflected);
        used += 1;
        if fr < best {
            let expanded = along(&centroid, &simplex[d].0, -2.0);
            let fe = f(&expanded);
            used += 1;
            simplex[d] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < simplex[d - 1].1 {
            simplex[d] = (reflected, fr);
        } else {
            // Contract towards the better of the worst point and its reflection.
            let (toward, ft) = if fr < worst {
                (&reflected, fr)
            } else {
                (&simplex[d].0, worst)
            };
            let contracted = along(&centroid, toward, 0.5);
            let fc = f(&contracted);
            used += 1;
            if fc < ft {
                simplex[d] = (contracted, fc);
            } else {
                let first = simplex[0].0.clone();
                for (x, fx) in simplex.iter_mut().skip(1) {
                    *x = along(&first, x, 0.5);
                    *fx = f(x);
                }
                used += d;
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex.swap_remove(0)
}

/// One-step forecasts of `values[test_start..]`: the model fitted on `values[..test_start]`, then
/// refitted on every value before a step, every step where [`WORK`] allows it (daily data) and
/// otherwise at even intervals, the states running on between refits. `None` when the training
/// part holds fewer measured values than [`needs`] or a value is infinite.
pub fn one_step(values: &[f64], test_start: usize, season: usize) -> Option<Vec<f64>> {
    let train = values.get(..test_start)?;
    let evaluations = evaluations(train.len());
    let mut model = fit_within(train, season, seasonality_for(train), evaluations)?;
    let test = values.len() - test_start;
    // A refit starts where the last ended and settles in a fraction of a first fit's evaluations.
    let refit = (evaluations / 4).max(30);
    let refits = (WORK / 2 / (refit * values.len()).max(1)).max(1);
    let every = test.div_ceil(refits).max(1);
    let mut forecasts = Vec::with_capacity(test);
    let mut from = test_start;
    while from < values.len() {
        let to = (from + every).min(values.len());
        if from > test_start {
            model = optimise(&values[..from], &model, refit, 0.2).0;
        }
        run(&values[..to], &model, |t, forecast| {
            if t >= from {
                forecasts.push(forecast);
            }
        })?;
        from = to;
    }
    Some(forecasts)
}

/// The `steps` values after the end of `values`, the model fitted on all of them.
pub fn ahead(values: &[f64], season: usize, steps: usize) -> Option<Vec<f64>> {
    let model = fit(values, season)?;
    let state = run(values, &model, |_, _| {})?;
    Some((1..=steps).map(|h| state.ahead(model.seasonality, h)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-checked, season 2, α = β = γ = 0.5, from level 2, trend 1, offsets −1, +1 (additive)
    /// and factors 0.5, 1.5 (multiplicative), on [2, 5, 6].
    /// Additive: step 0 forecast 2 + 1 − 1 = 2, error 0, nothing but the line moves (level 3);
    /// step 1 forecast 3 + 1 + 1 = 5, error 0 (level 4); step 2 forecast 4 + 1 − 1 = 4, error 2:
    /// level 5 + 1 = 6, trend 1 + 1 = 2, offset −1 + 1 = 0. Next: 6 + 2 + 1 = 9.
    /// Multiplicative: step 0 forecast 3 · 0.5 = 1.5, error (2 − 1.5)/1.5 = ⅓: level 3 · (1 + ⅙)
    /// = 3.5, trend 1 + 0.5 · 3 · ⅓ = 1.5, factor 0.5 · (1 + ⅙) = 7/12; step 1 forecast 5 · 1.5 =
    /// 7.5.
    #[test]
    fn smoothing_by_hand() {
        let half = Weights {
            alpha: 0.5,
            beta: 0.5,
            gamma: 0.5,
        };
        let additive = Model {
            seasonality: Seasonality::Additive,
            weights: half,
            level: 2.0,
            trend: 1.0,
            seasonal: vec![-1.0, 1.0],
        };
        let mut forecasts = Vec::new();
        let state = run(&[2.0, 5.0, 6.0], &additive, |t, f| forecasts.push((t, f))).unwrap();
        assert_eq!(forecasts, [(0, 2.0), (1, 5.0), (2, 4.0)]);
        assert_eq!(
            (state.level, state.trend, state.seasonal.as_slice()),
            (6.0, 2.0, &[0.0, 1.0][..])
        );
        assert_eq!(state.ahead(Seasonality::Additive, 1), 9.0);
        let multiplicative = Model {
            seasonality: Seasonality::Multiplicative,
            seasonal: vec![0.5, 1.5],
            ..additive
        };
        let mut forecasts = Vec::new();
        let state = run(&[2.0], &multiplicative, |_, f| forecasts.push(f)).unwrap();
        assert_eq!(forecasts, [1.5]);
        assert!((state.level - 3.5).abs() < 1e-12 && (state.trend - 1.5).abs() < 1e-12);
        assert!((state.seasonal[0] - 7.0 / 12.0).abs() < 1e-12);
        assert!((state.ahead(Seasonality::Multiplicative, 1) - 7.5).abs() < 1e-12);
        // A step not measured (NaN) is forecast, 5 · 1.5 = 7.5, and moves nothing but the line:
        // level 3.5 + 1.5 = 5, trend 1.5, factor 1.5 kept.
        let mut forecasts = Vec::new();
        let state = run(&[2.0, f64::NAN], &multiplicative, |_, f| forecasts.push(f)).unwrap();
        assert!((forecasts[1] - 7.5).abs() < 1e-12 && (state.level - 5.0).abs() < 1e-12);
        assert!((state.trend - 1.5).abs() < 1e-12 && state.seasonal[1] == 1.5);
        assert!(run(&[1.0, f64::INFINITY], &multiplicative, |_, _| {}).is_none());
    }

    /// The simplex finds the bottom of Rosenbrock's valley (1, 1) from (−1.2, 1), the classic test.
    #[test]
    fn the_simplex_finds_a_minimum() {
        let mut rosenbrock = |x: &[f64]| 100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2);
        let (x, value) = minimise(&mut rosenbrock, vec![-1.2, 1.0], &[0.1, 0.1], 2_000);
        assert!(
            (x[0] - 1.0).abs() < 1e-3 && (x[1] - 1.0).abs() < 1e-3 && value < 1e-6,
            "{x:?} {value}"
        );
    }

    /// A week's pattern on a straight rise is an additive model exactly (a net flow through a
    /// meter that reads both ways, below zero at the weekend: so the kind is additive): the test
    /// steps and the week after are forecast to within a hundredth.
    #[test]
    fn a_weekly_pattern_on_a_trend_is_forecast_exactly() {
        let pattern = [0.0, 4.0, 6.0, 5.0, 3.0, -12.0, -18.0];
        let values: Vec<f64> = (0..70).map(|d| 10.0 + 0.35 * d as f64 + pattern[d % 7]).collect();
        assert_eq!(fit(&values[..50], 7).unwrap().seasonality, Seasonality::Additive);
        let forecasts = one_step(&values, 50, 7).unwrap();
        assert_eq!(forecasts.len(), 20);
        for (f, actual) in forecasts.iter().zip(&values[50..]) {
            assert!((f - actual).abs() < 0.01, "{f} {actual}");
        }
        let next = ahead(&values, 7, 8).unwrap();
        for (h, f) in next.iter().enumerate() {
            let d = 70 + h;
            assert!((f - (10.0 + 0.35 * d as f64 + pattern[d % 7])).abs() < 0.01, "{f}");
        }
        assert!(
            one_step(&values, 14, 7).is_none(),
            "a training part of two weeks starts nothing"
        );
    }

    /// Twenty weeks of daily flow: a weekday pattern of multipliers on a base of 100 rising by
    /// `rise` a day, with a fixed, irregular wobble of ±1 % (no random generator needed).
    fn scaled_weeks(rise: f64) -> Vec<f64> {
        let week = [1.0, 1.1, 1.2, 1.1, 1.0, 0.8, 0.7];
        (0..140)
            .map(|d| (100.0 + rise * d as f64) * week[d % 7] * (1.0 + 0.01 * ((d * 7919) % 13) as f64 / 6.0 - 0.01))
            .collect()
    }

    /// A stuck transmitter's week in the training part (the last reading held): read as it is, it
    /// bends the fit; marked NaN (not measured), the test weeks are forecast as well as from the
    /// clean series, within a tenth of the flow's wobble.
    #[test]
    fn a_step_not_measured_teaches_nothing() {
        let clean = scaled_weeks(0.5);
        let (mut stuck, mut marked) = (clean.clone(), clean.clone());
        for d in 40..47 {
            stuck[d] = clean[39];
            marked[d] = f64::NAN;
        }
        let error = |values: &[f64]| {
            let forecasts = one_step(values, 100, 7).unwrap();
            let squared: f64 = forecasts.iter().zip(&clean[100..]).map(|(f, a)| (f - a).powi(2)).sum();
            (squared / forecasts.len() as f64).sqrt()
        };
        let (clean_error, stuck_error, marked_error) = (error(&clean), error(&stuck), error(&marked));
        assert!(marked_error < stuck_error, "{marked_error} {stuck_error}");
        assert!((marked_error - clean_error).abs() < 0.1, "{marked_error} {clean_error}");
        // The forecast of a step not measured is made all the same.
        let forecasts = one_step(&marked, 44, 7).unwrap();
        assert!(forecasts.iter().all(|f| f.is_finite()) && forecasts.len() == 96);
    }

    /// A weekday pattern that scales with the flow, with noise: the multiplicative kind is the
    /// flow's, and it forecasts the test weeks better than the additive one fitted on the same days.
    #[test]
    fn a_pattern_that_scales_is_multiplicative() {
        let values = scaled_weeks(2.0);
        let model = fit(&values[..100], 7).unwrap();
        assert_eq!(model.seasonality, Seasonality::Multiplicative);
        let additive = fit_as(&values[..100], 7, Seasonality::Additive).unwrap();
        let error = |model: &Model| {
            let mut squared = 0.0;
            run(&values, model, |t, f| {
                if t >= 100 {
                    squared += (values[t] - f).powi(2);
                }
            });
            squared
        };
        assert!(
            error(&model) < error(&additive),
            "{} {}",
            error(&model),
            error(&additive)
        );
    }
}
