//! The obvious forecasts a model must beat, scored on the same test steps.
//!
//! An LSTM that cannot beat "same as last week" is not worth its training time; the report says so.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::error::{ReportError, Result};

/// The step one season back: a week for daily data (the same weekday), a day for hourly and finer
/// data (the same time yesterday), one step for anything coarser than a day.
pub fn season_length(interval_seconds: i64) -> usize {
    const DAY: i64 = 86_400;
    match interval_seconds {
        DAY => 7,
        s if s > 0 && s < DAY && DAY % s == 0 => (DAY / s) as usize,
        _ => 1,
    }
}

/// Accuracy of one forecaster on the test steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Name of the forecaster.
    pub name: String,
    /// Root mean squared error.
    pub rmse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Mean absolute scaled error: MAE over the in-sample MAE of the seasonal naive forecast on the
    /// training part (below 1 beats that naive forecast's typical error).
    pub mase: f64,
    /// Variance of the forecasts over the variance of the actual values.
    pub variance_ratio: f64,
}

/// The baseline forecasts for steps `test_start..values.len()`, each from measured values only:
/// persistence (the last value), seasonal naive (one season back), the mean of the last `window`
/// values, and, where the training part holds two seasons and a step, Holt–Winters smoothing
/// fitted on the values before each step ([`crate::holt_winters`]); on data read more often than
/// daily (`season` a day of steps), of the day's and the week's patterns where the training part
/// holds the four weeks that needs ([`crate::double_seasonal`]). `not_measured` (one flag a
/// value, where the meter's faults were looked for) marks the values that are no measure of the
/// flow: Holt–Winters forecasts them but learns nothing from them; the other three read values as
/// they are, as an engineer doing them by hand would.
pub fn baseline_forecasts(
    values: &[f64],
    test_start: usize,
    window: usize,
    season: usize,
    not_measured: Option<&[bool]>,
) -> Result<Vec<(String, Vec<f64>)>> {
    let need = window.max(season).max(1);
    if test_start < need || test_start >= values.len() {
        return Err(ReportError::EmptyTestSet);
    }
    let steps = test_start..values.len();
    let persistence = steps.clone().map(|j| values[j - 1]).collect();
    let seasonal = steps.clone().map(|j| values[j - season]).collect();
    let moving = steps
        .map(|j| values[j - window..j].iter().sum::<f64>() / window as f64)
        .collect();
    let measured = measured_only(values, not_measured);
    let smoothed = smoothing(
        season,
        || crate::double_seasonal::one_step(&measured, test_start, season),
        || crate::holt_winters::one_step(&measured, test_start, season),
    );
    Ok(named(window, season, [persistence, seasonal, moving], smoothed))
}

/// The baselines' forecasts of the `steps` values after the end of `values`, by the rules of
/// [`baseline_forecasts`] carried on past the data: persistence repeats the last value, seasonal
/// naive the last season (a step more than a season ahead takes the forecast a season before it),
/// the moving average its last mean, Holt–Winters its level, trend and season (fitted on all of
/// `values`, learning nothing from those `not_measured` flags). In the order and with the names of
/// [`baseline_forecasts`].
pub fn baseline_ahead(
    values: &[f64],
    window: usize,
    season: usize,
    steps: usize,
    not_measured: Option<&[bool]>,
) -> Result<Vec<(String, Vec<f64>)>> {
    let (season, window) = (season.max(1), window.max(1));
    let need = window.max(season);
    let Some(&last) = values.last().filter(|_| values.len() >= need) else {
        return Err(ReportError::TooShortForBaselines {
            values: values.len(),
            need,
        });
    };
    let mut seasonal = values[values.len() - season..].to_vec();
    for k in 0..steps {
        seasonal.push(seasonal[k]);
    }
    let mean = values[values.len() - window..].iter().sum::<f64>() / window as f64;
    let measured = measured_only(values, not_measured);
    let smoothed = smoothing(
        season,
        || crate::double_seasonal::ahead(&measured, season, steps),
        || crate::holt_winters::ahead(&measured, season, steps),
    );
    Ok(named(
        window,
        season,
        [vec![last; steps], seasonal.split_off(season), vec![mean; steps]],
        smoothed,
    ))
}

/// The week's steps where `season` is a day of sub-daily steps ([`season_length`]: any season but
/// 7, a week of days, and 1), for which Holt–Winters smooths the day's and the week's patterns
/// ([`crate::double_seasonal`]): an hour of a Sunday morning is not one of a Monday's.
fn week_of(season: usize) -> Option<usize> {
    (season > 1 && season != 7).then_some(7 * season)
}

/// Holt–Winters' forecasts with their name: of the day and the week where `season` is a day of
/// steps and `double` fits, else of the one season where `single` fits.
fn smoothing(
    season: usize,
    double: impl FnOnce() -> Option<Vec<f64>>,
    single: impl FnOnce() -> Option<Vec<f64>>,
) -> Option<(String, Vec<f64>)> {
    week_of(season)
        .and_then(|week| double().map(|forecast| (format!("Holt-Winters (seasons {season} and {week})"), forecast)))
        .or_else(|| single().map(|forecast| (format!("Holt-Winters (season {season})"), forecast)))
}

/// `values` with those `not_measured` flags set to NaN, which [`crate::holt_winters`] reads as
/// steps not measured; as they are where there are no flags, or the flags are not the values'.
fn measured_only(values: &[f64], not_measured: Option<&[bool]>) -> Vec<f64> {
    match not_measured {
        Some(flags) if flags.len() == values.len() => values
            .iter()
            .zip(flags)
            .map(|(&v, &flagged)| if flagged { f64::NAN } else { v })
            .collect(),
        _ => values.to_vec(),
    }
}

/// The baselines' forecasts with their names: persistence, seasonal naive, moving average, and
/// Holt–Winters last where there is one (so the first three keep their places).
fn named(
    window: usize,
    season: usize,
    [persistence, seasonal, moving]: [Vec<f64>; 3],
    smoothed: Option<(String, Vec<f64>)>,
) -> Vec<(String, Vec<f64>)> {
    let season_name = match season {
        7 => "seasonal naive (same weekday last week)".to_string(),
        1 => "seasonal naive (previous step)".to_string(),
        s => format!("seasonal naive (same time yesterday, {s} steps back)"),
    };
    let mut named = vec![
        ("persistence (last value)".to_string(), persistence),
        (season_name, seasonal),
        (format!("moving average of the last {window}"), moving),
    ];
    named.extend(smoothed);
    named
}

/// Mean absolute error of the seasonal naive forecast inside the training part: MASE's scale.
pub fn mase_scale(train: &[f64], season: usize) -> Option<f64> {
    if train.len() <= season {
        return None;
    }
    let errors: Vec<f64> = train.windows(season + 1).map(|w| (w[season] - w[0]).abs()).collect();
    let scale = errors.iter().sum::<f64>() / errors.len() as f64;
    (scale > 0.0).then_some(scale)
}

/// Scores forecasts against the actual values.
pub fn score(name: &str, actual: &[f64], predicted: &[f64], scale: f64) -> Score {
    let mae = crate::stats::mae(actual, predicted);
    Score {
        name: name.to_string(),
        rmse: crate::stats::rmse(actual, predicted),
        mae,
        mase: mae / scale,
        variance_ratio: crate::stats::sample_variance(predicted) / crate::stats::sample_variance(actual),
    }
}

/// The model next to the baselines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The model's score.
    pub model: Score,
    /// Each baseline's score.
    pub baselines: Vec<Score>,
    /// The model's RMSE over the best baseline's.
    pub rmse_ratio: f64,
    /// Whether the model's RMSE is below every baseline's.
    pub model_wins: bool,
}

impl Comparison {
    /// The baseline with the lowest RMSE, and its position in `baselines` (the order
    /// [`baseline_ahead`] forecasts them in).
    pub fn best_baseline(&self) -> Option<(usize, &Score)> {
        self.baselines
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.rmse.total_cmp(&b.1.rmse))
    }
}

/// Scores the model and every baseline on the test part of `values` (from `test_start`).
pub fn compare(
    values: &[f64],
    test_start: usize,
    predicted: &[f64],
    window: usize,
    season: usize,
) -> Result<Comparison> {
    let forecasts = baseline_forecasts(values, test_start, window, season, None)?;
    compare_forecasts(
        values,
        test_start,
        predicted,
        &forecasts,
        season,
        &vec![true; predicted.len()],
    )
}

/// [`compare`] with the baselines' forecasts of the test steps already made
/// ([`baseline_forecasts`]: Holt–Winters is fitted there, so a second scoring need not refit), on
/// the test steps `counted` keeps only (one flag a test step): every forecaster scored on the same
/// steps, as the steps a meter fault touched are left out of all of them.
pub fn compare_forecasts(
    values: &[f64],
    test_start: usize,
    predicted: &[f64],
    forecasts: &[(String, Vec<f64>)],
    season: usize,
    counted: &[bool],
) -> Result<Comparison> {
    let actual = &values[test_start.min(values.len())..];
    let shortest = forecasts
        .iter()
        .map(|(_, f)| f.len())
        .chain([predicted.len(), counted.len()])
        .min();
    let longest = forecasts
        .iter()
        .map(|(_, f)| f.len())
        .chain([predicted.len(), counted.len()])
        .max();
    if shortest != Some(actual.len()) || longest != Some(actual.len()) {
        return Err(ReportError::LengthMismatch {
            actual: actual.len(),
            predicted: predicted.len(),
        });
    }
    if !counted.contains(&true) {
        return Err(ReportError::EmptyTestSet);
    }
    let kept = |all: &[f64]| -> Vec<f64> { all.iter().zip(counted).filter(|(_, &c)| c).map(|(&v, _)| v).collect() };
    let actual = kept(actual);
    let scale = mase_scale(&values[..test_start.min(values.len())], season).unwrap_or(1.0);
    let baselines: Vec<Score> = forecasts
        .iter()
        .map(|(name, forecast)| score(name, &actual, &kept(forecast), scale))
        .collect();
    let model = score("LSTM", &actual, &kept(predicted), scale);
    let best = baselines.iter().map(|b| b.rmse).fold(f64::INFINITY, f64::min);
    Ok(Comparison {
        rmse_ratio: model.rmse / best,
        model_wins: model.rmse < best,
        model,
        baselines,
    })
}

/// The comparison table and its plain verdict.
pub fn render_comparison(comparison: &Comparison) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "Baseline Comparison (same test steps)");
    let _ = writeln!(
        text,
        "  {:<52} {:>9} {:>9} {:>7} {:>9}",
        "forecaster", "RMSE", "MAE", "MASE", "var ratio"
    );
    for s in std::iter::once(&comparison.model).chain(&comparison.baselines) {
        let _ = writeln!(
            text,
            "  {:<52} {:>9.2} {:>9.2} {:>7.3} {:>9.2}",
            s.name, s.rmse, s.mae, s.mase, s.variance_ratio
        );
    }
    if let Some(verdict) = verdict(comparison) {
        let _ = writeln!(text, "Verdict: {verdict}");
    }
    text
}

/// The plain verdict: `the LSTM beats the best baseline (…) with 82 % of its RMSE`, or that it does
/// not and the baseline is to be used; `None` with no baseline.
pub fn verdict(comparison: &Comparison) -> Option<String> {
    let (_, best) = comparison.best_baseline()?;
    let percent = comparison.rmse_ratio * 100.0;
    Some(if comparison.model_wins {
        format!(
            "the LSTM beats the best baseline ({}) with {percent:.0} % of its RMSE",
            best.name
        )
    } else {
        format!(
            "the LSTM does NOT beat the best baseline ({}): its RMSE is {percent:.0} % of the baseline's; use the baseline",
            best.name
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seasons() {
        assert_eq!(season_length(86_400), 7);
        assert_eq!(season_length(3_600), 24);
        assert_eq!(season_length(1_800), 48);
        assert_eq!(season_length(600), 144);
        assert_eq!(season_length(7 * 86_400), 1);
    }

    #[test]
    fn baselines_by_hand() {
        let values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let forecasts = baseline_forecasts(&values, 4, 2, 3, None).unwrap();
        assert_eq!(forecasts[0].1, vec![4.0, 5.0]); // last value
        assert_eq!(forecasts[1].1, vec![2.0, 3.0]); // three back
        assert_eq!(forecasts[2].1, vec![3.5, 4.5]); // mean of two
        assert!(baseline_forecasts(&values, 2, 2, 3, None).is_err());
        // In-sample seasonal errors on [1,2,3,4]: |4-1| = 3.
        assert_eq!(mase_scale(&values[..4], 3), Some(3.0));
    }

    #[test]
    fn baselines_ahead_by_hand() {
        let values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let ahead = baseline_ahead(&values, 2, 3, 5, None).unwrap();
        assert_eq!(ahead[0].1, vec![6.0; 5]); // the last value held
        assert_eq!(ahead[1].1, vec![4.0, 5.0, 6.0, 4.0, 5.0]); // the last season repeated
        assert_eq!(ahead[2].1, vec![5.5; 5]); // the mean of the last two
        let names: Vec<&str> = ahead.iter().map(|(name, _)| name.as_str()).collect();
        let test_names: Vec<String> = baseline_forecasts(&values, 4, 2, 3, None)
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names, test_names);
        assert!(matches!(
            baseline_ahead(&values[..2], 2, 3, 1, None),
            Err(ReportError::TooShortForBaselines { values: 2, need: 3 })
        ));
    }

    #[test]
    fn the_comparison_says_who_wins() {
        // A pattern of multipliers on a rising base flow.
        let values: Vec<f64> = (0..40)
            .map(|i| [1.0, 1.2, 1.4, 1.2][i % 4] * (10.0 + i as f64 * 0.1))
            .collect();
        let perfect: Vec<f64> = values[30..].to_vec();
        let c = compare(&values, 30, &perfect, 4, 4).unwrap();
        assert!(c.model_wins && c.model.rmse == 0.0 && c.rmse_ratio == 0.0);
        assert!(render_comparison(&c).contains("the LSTM beats the best baseline"));
        let flat = vec![12.0; 10];
        let c = compare(&values, 30, &flat, 4, 4).unwrap();
        assert!(!c.model_wins);
        // Seasonal naive errs by the base's rise over a season (0.4) times the step's multiplier:
        // on steps 30..40 (multipliers 1.4, 1.2, 1, 1.2, twice, then 1.4, 1.2) RMSE
        // 0.4·√(15.08 / 10). Holt–Winters follows the trend and the multipliers exactly and is the
        // best.
        assert!((c.baselines[1].rmse - 0.4 * (15.08f64 / 10.0).sqrt()).abs() < 1e-9);
        assert_eq!(c.baselines.len(), 4);
        assert!(c.baselines[3].rmse < 1e-3, "{:?}", c.baselines[3]);
        assert!(render_comparison(&c).contains("does NOT beat the best baseline (Holt-Winters (season 4))"));
        // With too short a training part for two seasons and a step, the three baselines only.
        let c = compare(&values[..16], 8, &flat[..8], 4, 4).unwrap();
        assert_eq!(c.baselines.len(), 3);
    }

    /// Hourly data: Holt–Winters of the day and the week where the training part holds four weeks,
    /// of the day alone where it holds less (and the same for the forecast after the data).
    #[test]
    fn hourly_data_gets_the_day_and_the_week() {
        let flow: Vec<f64> = (0..6 * 168)
            .map(|t| 50.0 + 10.0 * ((t % 24) as f64 / 4.0).sin() + if (t / 24) % 7 >= 5 { -8.0 } else { 0.0 })
            .collect();
        let names = |forecasts: Vec<(String, Vec<f64>)>| forecasts.into_iter().map(|(name, _)| name).next_back();
        let double = Some("Holt-Winters (seasons 24 and 168)".to_string());
        assert_eq!(names(baseline_forecasts(&flow, 5 * 168, 7, 24, None).unwrap()), double);
        assert_eq!(names(baseline_ahead(&flow, 7, 24, 24, None).unwrap()), double);
        let single = Some("Holt-Winters (season 24)".to_string());
        assert_eq!(names(baseline_forecasts(&flow, 3 * 168, 7, 24, None).unwrap()), single);
        assert_eq!(
            names(baseline_ahead(&flow[..3 * 168], 7, 24, 24, None).unwrap()),
            single
        );
        // Daily data keeps the one season of a week.
        assert_eq!(week_of(7), None);
        assert_eq!(week_of(144), Some(1008));
    }

    /// Hand-checked: on [1..=6] from step 4 (values 5, 6) with a model predicting 5 and 9,
    /// persistence predicts 4, 5. All steps: the model's RMSE √(0 + 9)/2 = √4.5, persistence's 1.
    /// Counting the first step only (the second, a fault's): the model 0, persistence 1.
    #[test]
    fn every_forecaster_is_scored_on_the_steps_counted() {
        let values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let predicted = [5.0, 9.0];
        let all = compare(&values, 4, &predicted, 2, 3).unwrap();
        assert!((all.model.rmse - 4.5f64.sqrt()).abs() < 1e-12 && all.baselines[0].rmse == 1.0);
        let forecasts = baseline_forecasts(&values, 4, 2, 3, None).unwrap();
        let counted = compare_forecasts(&values, 4, &predicted, &forecasts, 3, &[true, false]).unwrap();
        assert_eq!((counted.model.rmse, counted.baselines[0].rmse), (0.0, 1.0));
        // Seasonal naive three back predicts 2 for 5; the mean of the last two 3.5.
        assert_eq!((counted.baselines[1].rmse, counted.baselines[2].rmse), (3.0, 1.5));
        assert!(counted.model_wins && !all.model_wins);
        assert!(matches!(
            compare_forecasts(&values, 4, &predicted, &forecasts, 3, &[false, false]),
            Err(ReportError::EmptyTestSet)
        ));
    }
}
