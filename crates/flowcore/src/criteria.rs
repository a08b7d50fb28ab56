//! The normal range of a series and the outlier correction that uses it.

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// The range a series is judged against: its extremes and the normal band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Criteria {
    /// Smallest value of the resampled series before correction.
    pub raw_min: f64,
    /// Largest value of the resampled series before correction.
    pub raw_max: f64,
    /// Lower bound of the normal range.
    pub normal_min: f64,
    /// Upper bound of the normal range.
    pub normal_max: f64,
}

impl Criteria {
    /// Whether a value lies inside `[normal_min, normal_max]`.
    pub fn is_normal(&self, value: f64) -> bool {
        value >= self.normal_min && value <= self.normal_max
    }

    /// Which bound a value breaks, if any.
    pub fn breach(&self, value: f64) -> Option<Bound> {
        if value > self.normal_max {
            Some(Bound::Above)
        } else if value < self.normal_min {
            Some(Bound::Below)
        } else {
            None
        }
    }
}

/// Which side of the normal range a value left by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bound {
    /// Above `normal_max`.
    Above,
    /// Below `normal_min`.
    Below,
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Bound::Above => "above normal_max",
            Bound::Below => "below normal_min",
        })
    }
}

/// The `q` quantile of sorted values by linear interpolation between order statistics (pandas'
/// default). `None` for an empty slice.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = q.clamp(0.0, 1.0) * last as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let fraction = position - below as f64;
    Some(sorted[below] + (sorted[above] - sorted[below]) * fraction)
}

/// Tukey's inner fences `(Q1 − 1.5·IQR, Q3 + 1.5·IQR)` of the values.
pub fn tukey_fences(values: &[f64]) -> Option<(f64, f64)> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let q1 = quantile(&sorted, 0.25)?;
    let q3 = quantile(&sorted, 0.75)?;
    let iqr = q3 - q1;
    Some((q1 - 1.5 * iqr, q3 + 1.5 * iqr))
}

/// Criteria of a finite series: extremes, and the normal range given or else Tukey's fences.
pub fn compute_criteria(values: &[f64], normal_min: Option<f64>, normal_max: Option<f64>) -> Result<Criteria> {
    let (fence_low, fence_high) = tukey_fences(values)
        .ok_or_else(|| CoreError::InvalidConfig("no values to compute criteria from".to_string()))?;
    let raw_min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let raw_max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let criteria = Criteria {
        raw_min,
        raw_max,
        normal_min: normal_min.unwrap_or(fence_low),
        normal_max: normal_max.unwrap_or(fence_high),
    };
    if criteria.normal_min > criteria.normal_max {
        return Err(CoreError::InvalidConfig(format!(
            "normal range is empty: normal_min {} is above normal_max {}",
            criteria.normal_min, criteria.normal_max
        )));
    }
    Ok(criteria)
}

/// How many values the outlier correction changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ClipReport {
    /// Values set down to `normal_max`.
    pub clipped_high: usize,
    /// Values set up to `normal_min`.
    pub clipped_low: usize,
}

/// The original tool's outlier correction: a value beyond a bound by more than `level_percent` of that
/// bound's magnitude is set to the bound; one inside that tolerance is kept as it is.
pub fn clip_outliers(values: &mut [f64], criteria: &Criteria, level_percent: f64) -> ClipReport {
    let tolerance = level_percent / 100.0;
    let ceiling = criteria.normal_max + tolerance * criteria.normal_max.abs();
    let floor = criteria.normal_min - tolerance * criteria.normal_min.abs();
    let mut report = ClipReport::default();
    for value in values.iter_mut() {
        if *value > ceiling {
            *value = criteria.normal_max;
            report.clipped_high += 1;
        } else if *value < floor {
            *value = criteria.normal_min;
            report.clipped_low += 1;
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_pandas() {
        // pandas: pd.Series([1, 2, 3, 4, 10]).quantile([.25, .75]) == [2.0, 4.0]
        let sorted = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile(&sorted, 0.25), Some(2.0));
        assert_eq!(quantile(&sorted, 0.75), Some(4.0));
        // pd.Series([1, 2, 3, 4]).quantile(.25) == 1.75
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.25), Some(1.75));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn fences_and_criteria_by_hand() {
        // Q1 = 2, Q3 = 4, IQR = 2: fences -1 and 7.
        let values = [10.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(tukey_fences(&values), Some((-1.0, 7.0)));
        let criteria = compute_criteria(&values, None, None).unwrap();
        assert_eq!(
            criteria,
            Criteria {
                raw_min: 1.0,
                raw_max: 10.0,
                normal_min: -1.0,
                normal_max: 7.0
            }
        );
        let given = compute_criteria(&values, Some(0.5), None).unwrap();
        assert_eq!((given.normal_min, given.normal_max), (0.5, 7.0));
        assert!(compute_criteria(&values, Some(8.0), Some(2.0)).is_err());
        assert_eq!(criteria.breach(7.5), Some(Bound::Above));
        assert_eq!(criteria.breach(-2.0), Some(Bound::Below));
        assert!(criteria.is_normal(7.0));
    }

    #[test]
    fn clipping_keeps_values_within_the_tolerance() {
        let criteria = Criteria {
            raw_min: 0.0,
            raw_max: 0.0,
            normal_min: 100.0,
            normal_max: 200.0,
        };
        // Ceiling 220, floor 90.
        let mut values = [219.0, 221.0, 91.0, 89.0, 150.0];
        let report = clip_outliers(&mut values, &criteria, 10.0);
        assert_eq!(values, [219.0, 200.0, 91.0, 100.0, 150.0]);
        assert_eq!(
            report,
            ClipReport {
                clipped_high: 1,
                clipped_low: 1
            }
        );
        // A negative lower bound widens by its magnitude: -10 - 1 = -11.
        let criteria = Criteria {
            raw_min: 0.0,
            raw_max: 0.0,
            normal_min: -10.0,
            normal_max: 10.0,
        };
        let mut values = [-10.5, -11.5];
        clip_outliers(&mut values, &criteria, 10.0);
        assert_eq!(values, [-10.5, -10.0]);
    }
}
