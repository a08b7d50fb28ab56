//! Accuracy statistics of predictions against measurements, in the original tool's terms.

use std::fmt::Write as _;

use flowcore::events::{Flag, FlagRule};
use flowcore::files::python_float;
use flowcore::time::format_timestamp;
use serde::{Deserialize, Serialize};
use statrs::statistics::Statistics;

use crate::error::{ReportError, Result};

/// How well predictions match measurements. Variances are sample variances (ddof = 1), as pandas'
/// `.var()` and `.std()` that the original printed; σ is the residuals' sample standard deviation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    /// Number of points compared.
    pub points: usize,
    /// Smallest actual value.
    pub actual_min: f64,
    /// Largest actual value.
    pub actual_max: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Mean absolute percentage error, over points whose actual value is not 0 (`None` if all are 0).
    pub mape_percent: Option<f64>,
    /// Mean of the actual values.
    pub actual_mean: f64,
    /// Variance of the actual values.
    pub actual_variance: f64,
    /// Mean of the predictions.
    pub predicted_mean: f64,
    /// Variance of the predictions.
    pub predicted_variance: f64,
    /// Mean of `actual − predicted`.
    pub residual_mean: f64,
    /// Variance of the residuals.
    pub residual_variance: f64,
    /// Smallest residual.
    pub residual_min: f64,
    /// Largest residual.
    pub residual_max: f64,
}

impl Accuracy {
    /// Predicted variance as a share of actual variance: 1 when the model follows the variability.
    pub fn variance_ratio(&self) -> f64 {
        self.predicted_variance / self.actual_variance
    }

    /// Sample standard deviation of the residuals (ddof = 1): the σ of the `k·σ` outlier rule.
    pub fn residual_sigma(&self) -> f64 {
        self.residual_variance.sqrt()
    }
}

fn check(actual: &[f64], predicted: &[f64]) -> Result<()> {
    if actual.len() != predicted.len() {
        return Err(ReportError::LengthMismatch {
            actual: actual.len(),
            predicted: predicted.len(),
        });
    }
    if actual.is_empty() {
        return Err(ReportError::EmptyTestSet);
    }
    if let Some(index) = actual.iter().position(|v| !v.is_finite()) {
        return Err(ReportError::NotFinite {
            what: "actual value",
            index,
        });
    }
    if let Some(index) = predicted.iter().position(|v| !v.is_finite()) {
        return Err(ReportError::NotFinite {
            what: "prediction",
            index,
        });
    }
    Ok(())
}

/// Root mean squared error of `predicted` against `actual` (pairs beyond the shorter are ignored;
/// 0 for none). Every RMSE flow prints comes from here.
pub fn rmse(actual: &[f64], predicted: &[f64]) -> f64 {
    let n = actual.len().min(predicted.len());
    if n == 0 {
        return 0.0;
    }
    let squared: f64 = actual.iter().zip(predicted).map(|(a, p)| (a - p) * (a - p)).sum();
    (squared / n as f64).sqrt()
}

/// Mean absolute error, on the same terms as [`rmse`].
pub fn mae(actual: &[f64], predicted: &[f64]) -> f64 {
    let n = actual.len().min(predicted.len());
    if n == 0 {
        return 0.0;
    }
    actual.iter().zip(predicted).map(|(a, p)| (a - p).abs()).sum::<f64>() / n as f64
}

/// Sample variance (ddof = 1, pandas' `.var()`); 0 for fewer than two values.
pub fn sample_variance(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    values.variance()
}

/// The original's evaluation error: it compared the prediction for step `t + window` with the
/// actual value of step `t` (its test windows were built from the test part alone, and
/// `test.iloc[0:len(preds)]` was taken as their actual values). `actual[k]` and `predicted[k]` are
/// the same step here, aligned as flow aligns them; the result is what the original would have
/// printed as RMSE, over `len − window` points. `None` when there are no such points.
pub fn misaligned_rmse(actual: &[f64], predicted: &[f64], window: usize) -> Option<(f64, usize)> {
    let n = actual.len().min(predicted.len());
    let points = n.checked_sub(window).filter(|p| *p > 0)?;
    Some((rmse(&actual[..points], &predicted[window..window + points]), points))
}

/// Computes every statistic. Refuses empty, mismatched or non-finite input, and a constant actual
/// series, whose zero variance makes the ratios meaningless.
pub fn accuracy(actual: &[f64], predicted: &[f64]) -> Result<Accuracy> {
    check(actual, predicted)?;
    let residuals: Vec<f64> = actual.iter().zip(predicted).map(|(a, p)| a - p).collect();
    let actual_variance = sample_variance(actual);
    if actual_variance == 0.0 {
        return Err(ReportError::ConstantSeries { value: actual[0] });
    }
    let percentages: Vec<f64> = actual
        .iter()
        .zip(&residuals)
        .filter(|(a, _)| **a != 0.0)
        .map(|(a, r)| (r / a).abs() * 100.0)
        .collect();
    Ok(Accuracy {
        points: actual.len(),
        actual_min: actual.min(),
        actual_max: actual.max(),
        rmse: rmse(actual, predicted),
        mae: mae(actual, predicted),
        mape_percent: (!percentages.is_empty()).then(|| percentages.as_slice().mean()),
        actual_mean: actual.mean(),
        actual_variance,
        predicted_mean: predicted.mean(),
        predicted_variance: sample_variance(predicted),
        residual_mean: residuals.as_slice().mean(),
        residual_variance: sample_variance(&residuals),
        residual_min: residuals.as_slice().min(),
        residual_max: residuals.as_slice().max(),
    })
}

/// Points with `|residual| > k·σ`, σ the residuals' standard deviation: flags of the rule
/// [`FlagRule::Residual`].
pub fn outliers(timestamps: &[i64], actual: &[f64], predicted: &[f64], sigma: f64, k: f64) -> Vec<Flag> {
    timestamps
        .iter()
        .zip(actual.iter().zip(predicted))
        .filter(|(_, (a, p))| (*a - *p).abs() > k * sigma)
        .map(|(t, (a, p))| Flag {
            timestamp: *t,
            actual: *a,
            predicted: *p,
            rule: FlagRule::Residual { k },
        })
        .collect()
}

/// Plain sentences for what the numbers say, for an engineer who does not read variances.
pub fn readings(accuracy: &Accuracy) -> Vec<String> {
    let mut lines = Vec::new();
    let ratio = accuracy.variance_ratio() * 100.0;
    if ratio < 60.0 {
        lines.push(format!(
            "predicted variance is {ratio:.0} % of actual: the model does not follow the variability"
        ));
    } else if ratio > 140.0 {
        lines.push(format!(
            "predicted variance is {ratio:.0} % of actual: the model swings more than the data"
        ));
    } else {
        lines.push(format!(
            "predicted variance is {ratio:.0} % of actual: the model follows the variability"
        ));
    }
    let sigma = accuracy.residual_sigma();
    if accuracy.residual_mean.abs() > 0.5 * sigma && sigma > 0.0 {
        let direction = if accuracy.residual_mean > 0.0 { "low" } else { "high" };
        lines.push(format!(
            "predictions run {direction} by {:.1} on average: a bias, not noise",
            accuracy.residual_mean.abs()
        ));
    }
    lines
}

/// The report in the original's order and words.
pub fn render(accuracy: &Accuracy, outliers: &[Flag], k: f64) -> String {
    let mut text = String::new();
    let a = accuracy;
    let _ = writeln!(text, "Graph Analysis");
    let _ = writeln!(text, "  Number of points: {}", a.points);
    let _ = writeln!(text, "  Value range: {:.2} to {:.2}", a.actual_min, a.actual_max);
    let _ = writeln!(text, "Prediction Statistics");
    let _ = writeln!(
        text,
        "  Actual     mean {:>10.2}   variance {:>10.2}",
        a.actual_mean, a.actual_variance
    );
    let _ = writeln!(
        text,
        "  Predicted  mean {:>10.2}   variance {:>10.2}",
        a.predicted_mean, a.predicted_variance
    );
    let mape = a.mape_percent.map_or("n/a".to_string(), |m| format!("{m:.2} %"));
    let _ = writeln!(text, "  RMSE {:.2}   MAE {:.2}   MAPE {mape}", a.rmse, a.mae);
    let _ = writeln!(text, "Residuals Analysis");
    let _ = writeln!(
        text,
        "  mean {:.2}   variance {:.2}   min {:.2}   max {:.2}",
        a.residual_mean, a.residual_variance, a.residual_min, a.residual_max
    );
    let _ = writeln!(
        text,
        "Number of Outliers: {} (|residual| > {k}σ = {:.2})",
        outliers.len(),
        k * a.residual_sigma()
    );
    for outlier in outliers {
        let _ = writeln!(
            text,
            "  {}  actual {:.2}  predicted {:.2}  residual {:+.2}",
            format_timestamp(outlier.timestamp),
            outlier.actual,
            outlier.predicted,
            outlier.residual()
        );
    }
    for line in readings(a) {
        let _ = writeln!(text, "Reading: {line}");
    }
    text
}

/// A column of numbers as pandas prints a float Series: six decimals, trailing zeros that every
/// value shares trimmed (one decimal kept), a sign place before each, right-aligned.
fn pandas_column(values: &[f64]) -> Vec<String> {
    let mut texts: Vec<String> = values.iter().map(|v| format!("{v:.6}")).collect();
    while texts
        .iter()
        .all(|t| t.ends_with('0') && t.len() - t.find('.').unwrap_or(0) > 2)
    {
        for text in &mut texts {
            text.pop();
        }
    }
    let texts: Vec<String> = texts
        .into_iter()
        .map(|t| if t.starts_with('-') { t } else { format!(" {t}") })
        .collect();
    let width = texts.iter().map(String::len).max().unwrap_or(0);
    texts.into_iter().map(|t| format!("{t:>width$}")).collect()
}

/// The original's evaluation output, line for line and word for word (`Graph Analysis:` …
/// `Number of Outliers: N`, then the outliers as pandas prints a Series of residuals indexed by
/// time: all of them up to 60, else the first and last five). Numbers are written as Python writes
/// them; the values are flow's (aligned, sample variances).
pub fn render_original(accuracy: &Accuracy, outliers: &[Flag]) -> String {
    let a = accuracy;
    let f = python_float;
    let mut text = String::new();
    let _ = writeln!(text, "Graph Analysis:");
    let _ = writeln!(text, "X-axis: Time with {} points", a.points);
    let _ = writeln!(
        text,
        "Y-axis: Values ranging from {} to {}",
        f(a.actual_min),
        f(a.actual_max)
    );
    let _ = writeln!(text);
    let _ = writeln!(text, "Prediction Statistics:");
    let _ = writeln!(text, "Mean Actual Value: {}", f(a.actual_mean));
    let _ = writeln!(text, "Mean Predicted Value: {}", f(a.predicted_mean));
    let _ = writeln!(text, "Variance of Actual Values: {}", f(a.actual_variance));
    let _ = writeln!(text, "Variance of Predicted Values: {}", f(a.predicted_variance));
    let _ = writeln!(text, "RMSE: {}", f(a.rmse));
    let _ = writeln!(text);
    let _ = writeln!(text, "Residuals Analysis:");
    let _ = writeln!(text, "Mean Residual: {}", f(a.residual_mean));
    let _ = writeln!(text, "Variance of Residuals: {}", f(a.residual_variance));
    let _ = writeln!(text, "Min Residual: {}", f(a.residual_min));
    let _ = writeln!(text, "Max Residual: {}", f(a.residual_max));
    let _ = writeln!(text);
    let _ = writeln!(text, "Number of Outliers: {}", outliers.len());
    let _ = writeln!(text, "Outliers:");
    if outliers.is_empty() {
        let _ = writeln!(text, "Series([], dtype: float64)");
        return text;
    }
    // pandas shows up to 60 rows; a longer Series shows its first and last five.
    let shown: Vec<&Flag> = if outliers.len() > 60 {
        outliers[..5].iter().chain(&outliers[outliers.len() - 5..]).collect()
    } else {
        outliers.iter().collect()
    };
    let column = pandas_column(&shown.iter().map(|o| o.residual()).collect::<Vec<_>>());
    let width = column.first().map_or(0, String::len);
    let _ = writeln!(text, "time");
    for (row, (outlier, value)) in shown.iter().zip(&column).enumerate() {
        if outliers.len() > 60 && row == 5 {
            let _ = writeln!(text, "{:19}   {:^width$}", "", "...");
        }
        let _ = writeln!(text, "{}   {value}", format_timestamp(outlier.timestamp));
    }
    if outliers.len() > 60 {
        let _ = writeln!(text, "Length: {}, dtype: float64", outliers.len());
    } else {
        let _ = writeln!(text, "dtype: float64");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_by_hand() {
        // Residuals 1, -1, 2, 0: mean 0.5, squares 1 1 4 0 -> RMSE 1.5^0.5.
        let actual = [10.0, 20.0, 30.0, 40.0];
        let predicted = [9.0, 21.0, 28.0, 40.0];
        let a = accuracy(&actual, &predicted).unwrap();
        assert_eq!(a.points, 4);
        assert!((a.rmse - 1.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(a.mae, 1.0);
        // |1/10| + |1/20| + |2/30| + 0 = 0.21667 / 4 = 5.4167 %
        assert!((a.mape_percent.unwrap() - 5.416_666_666_666_667).abs() < 1e-9);
        assert_eq!(a.actual_mean, 25.0);
        // Sample variances (ddof = 1), as pandas: actual deviations -15 -5 5 15 -> (225+25+25+225)/3.
        assert!((a.actual_variance - 500.0 / 3.0).abs() < 1e-12);
        assert_eq!(a.predicted_mean, 24.5);
        // Predicted: deviations -15.5 -3.5 3.5 15.5 -> (240.25*2 + 12.25*2)/3 = 505/3
        assert!((a.predicted_variance - 505.0 / 3.0).abs() < 1e-9);
        assert_eq!(a.residual_mean, 0.5);
        // Residual deviations 0.5 -1.5 1.5 -0.5 -> (0.25+2.25+2.25+0.25)/3 = 5/3; σ = 1.29099…
        assert!((a.residual_variance - 5.0 / 3.0).abs() < 1e-12);
        assert!((a.residual_sigma() - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!((a.residual_min, a.residual_max), (-1.0, 2.0));
        assert_eq!((a.actual_min, a.actual_max), (10.0, 40.0));
    }

    #[test]
    fn the_original_misalignment_by_hand() {
        // Step t's prediction is scored against step t - 2's actual (window 2): pairs (10, 32), (20, 41),
        // (30, 50) -> residuals -22, -21, -20 -> RMSE sqrt((484 + 441 + 400) / 3).
        let actual = [10.0, 20.0, 30.0, 40.0, 50.0];
        let predicted = [11.0, 19.0, 32.0, 41.0, 50.0];
        let (misaligned, points) = misaligned_rmse(&actual, &predicted, 2).unwrap();
        assert_eq!(points, 3);
        assert!((misaligned - (1325.0f64 / 3.0).sqrt()).abs() < 1e-12);
        // Aligned: residuals -1, 1, -2, -1, 0 -> squares 1 + 1 + 4 + 1 + 0 = 7 over 5.
        assert!((rmse(&actual, &predicted) - (7.0f64 / 5.0).sqrt()).abs() < 1e-12);
        assert_eq!(misaligned_rmse(&actual, &predicted, 5), None);
        assert_eq!(sample_variance(&[4.0]), 0.0);
    }

    #[test]
    fn the_original_lines_word_for_word() {
        let actual = [10.0, 20.0, 30.0, 40.0];
        let predicted = [9.0, 21.0, 28.0, 40.0];
        let a = accuracy(&actual, &predicted).unwrap();
        let outlier = Flag {
            timestamp: 1_577_836_800,
            actual: 30.0,
            predicted: 28.0,
            rule: FlagRule::Residual { k: 2.0 },
        };
        let text = render_original(&a, &[outlier]);
        let expected = "Graph Analysis:\nX-axis: Time with 4 points\nY-axis: Values ranging from 10.0 to 40.0\n\n\
            Prediction Statistics:\nMean Actual Value: 25.0\nMean Predicted Value: 24.5\n\
            Variance of Actual Values: 166.66666666666666\nVariance of Predicted Values: 168.33333333333334\n\
            RMSE: 1.224744871391589\n\nResiduals Analysis:\nMean Residual: 0.5\n\
            Variance of Residuals: 1.6666666666666667\nMin Residual: -1.0\nMax Residual: 2.0\n\n\
            Number of Outliers: 1\nOutliers:\ntime\n2020-01-01 00:00:00    2.0\ndtype: float64\n";
        assert_eq!(text, expected);
        assert!(render_original(&a, &[]).ends_with("Number of Outliers: 0\nOutliers:\nSeries([], dtype: float64)\n"));
        // Over 60: the first and last five, as pandas.
        let many: Vec<Flag> = (0..68)
            .map(|k| Flag {
                timestamp: 1_577_836_800 + k * 600,
                actual: 28.0 + if k % 2 == 0 { 2.128493 } else { -6.248434 },
                ..outlier
            })
            .collect();
        let text = render_original(&a, &many);
        let tail: Vec<&str> = text.lines().skip_while(|l| *l != "time").collect();
        assert_eq!(tail.len(), 13, "{text}");
        assert_eq!(tail[1], "2020-01-01 00:00:00    2.128493");
        assert_eq!(tail[2], "2020-01-01 00:10:00   -6.248434");
        assert_eq!(tail[6], "                         ...   ");
        assert_eq!(tail[12], "Length: 68, dtype: float64");
    }

    #[test]
    fn outliers_beyond_k_sigma() {
        let t = [0, 1, 2, 3, 4];
        let found = outliers(
            &t,
            &[10.0, 10.0, 10.0, 10.0, 20.0],
            &[10.0, 11.0, 9.0, 10.0, 10.0],
            2.0,
            2.0,
        );
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].timestamp, found[0].residual()), (4, 10.0));
    }

    #[test]
    fn refusals_and_readings() {
        assert!(matches!(accuracy(&[], &[]), Err(ReportError::EmptyTestSet)));
        assert!(matches!(accuracy(&[1.0], &[]), Err(ReportError::LengthMismatch { .. })));
        assert!(matches!(
            accuracy(&[5.0, 5.0], &[4.0, 6.0]),
            Err(ReportError::ConstantSeries { value: 5.0 })
        ));
        assert!(matches!(
            accuracy(&[1.0, f64::NAN], &[1.0, 1.0]),
            Err(ReportError::NotFinite { index: 1, .. })
        ));
        assert_eq!(accuracy(&[0.0, 2.0], &[1.0, 2.0]).unwrap().mape_percent, Some(0.0));
        // The utility's own case: variance 59 against 611.
        let actual: Vec<f64> = (0..100)
            .map(|i| if i % 2 == 0 { 400.0 - 24.72 } else { 400.0 + 24.72 })
            .collect();
        let flat: Vec<f64> = (0..100)
            .map(|i| if i % 2 == 0 { 400.0 - 7.68 } else { 400.0 + 7.68 })
            .collect();
        let a = accuracy(&actual, &flat).unwrap();
        let lines = readings(&a);
        assert!(
            lines[0].starts_with("predicted variance is 10 % of actual: the model does not follow"),
            "{lines:?}"
        );
        let text = render(&a, &[], 2.0);
        for heading in [
            "Graph Analysis",
            "Prediction Statistics",
            "Residuals Analysis",
            "Number of Outliers: 0",
        ] {
            assert!(text.contains(heading), "{text}");
        }
    }
}
