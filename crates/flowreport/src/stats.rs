//! Accuracy statistics of predictions against measurements, in the original tool's terms.

use std::fmt::Write as _;

use flowcore::time::format_timestamp;
use serde::Serialize;
use statrs::statistics::Statistics;

use crate::error::{ReportError, Result};

/// How well predictions match measurements. Variances are population variances (numpy's `var`,
/// as the original printed).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
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

    /// Standard deviation of the residuals.
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

/// Computes every statistic. Refuses empty, mismatched or non-finite input, and a constant actual
/// series, whose zero variance makes the ratios meaningless.
pub fn accuracy(actual: &[f64], predicted: &[f64]) -> Result<Accuracy> {
    check(actual, predicted)?;
    let residuals: Vec<f64> = actual.iter().zip(predicted).map(|(a, p)| a - p).collect();
    let actual_variance = actual.population_variance();
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
        rmse: residuals.iter().map(|r| r * r).mean().sqrt(),
        mae: residuals.iter().map(|r| r.abs()).mean(),
        mape_percent: (!percentages.is_empty()).then(|| percentages.as_slice().mean()),
        actual_mean: actual.mean(),
        actual_variance,
        predicted_mean: predicted.mean(),
        predicted_variance: predicted.population_variance(),
        residual_mean: residuals.as_slice().mean(),
        residual_variance: residuals.as_slice().population_variance(),
        residual_min: residuals.as_slice().min(),
        residual_max: residuals.as_slice().max(),
    })
}

/// A point whose residual is larger than `k·σ`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Outlier {
    /// Its time.
    pub timestamp: i64,
    /// Measured.
    pub actual: f64,
    /// Predicted.
    pub predicted: f64,
    /// `actual − predicted`.
    pub residual: f64,
}

/// Points with `|residual| > k·σ`, σ the residuals' standard deviation.
pub fn outliers(timestamps: &[i64], actual: &[f64], predicted: &[f64], sigma: f64, k: f64) -> Vec<Outlier> {
    timestamps
        .iter()
        .zip(actual.iter().zip(predicted))
        .filter(|(_, (a, p))| (*a - *p).abs() > k * sigma)
        .map(|(t, (a, p))| Outlier {
            timestamp: *t,
            actual: *a,
            predicted: *p,
            residual: a - p,
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
pub fn render(accuracy: &Accuracy, outliers: &[Outlier], k: f64) -> String {
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
            outlier.residual
        );
    }
    for line in readings(a) {
        let _ = writeln!(text, "Reading: {line}");
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
        assert_eq!(a.actual_variance, 125.0);
        assert_eq!(a.predicted_mean, 24.5);
        // Predicted: deviations -15.5 -3.5 3.5 15.5 -> (240.25*2 + 12.25*2)/4 = 126.25
        assert!((a.predicted_variance - 126.25).abs() < 1e-9);
        assert_eq!(a.residual_mean, 0.5);
        // Residual deviations 0.5 -1.5 1.5 -0.5 -> (0.25+2.25+2.25+0.25)/4 = 1.25
        assert!((a.residual_variance - 1.25).abs() < 1e-12);
        assert_eq!((a.residual_min, a.residual_max), (-1.0, 2.0));
        assert_eq!((a.actual_min, a.actual_max), (10.0, 40.0));
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
        assert_eq!((found[0].timestamp, found[0].residual), (4, 10.0));
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
