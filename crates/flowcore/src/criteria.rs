//! The normal range of a series, the original tool's outlier levels, and the correction that uses them.
//!
//! The rule is `Data_preprocessing.py`'s, exactly (`-l LEVEL`, default 10):
//!
//! - `raw_min`, `raw_max`: the extremes of the resampled series before correction;
//! - `normal_min`, `normal_max`: given (`-m1`/`-m2`, flow's `--min`/`--max`) or Tukey's fences;
//! - `U_level = normal_max + LEVEL/100 · |raw_max − normal_max|` and
//!   `L_level = normal_min − LEVEL/100 · |normal_min − raw_min|`: the level is a share of the distance
//!   from the normal bound to the extreme actually seen, so a series with one wild reading gets a wide
//!   margin and a tidy one a narrow margin;
//! - a value above `U_level` becomes `normal_max`, one below `L_level` becomes `normal_min`;
//! - the anomaly scan calls a prediction abnormal when it is `≥ U_level` or `≤ L_level`.
//!
//! ```
//! use flowcore::criteria::{clip_outliers, compute_criteria};
//!
//! // Q1 = 2, Q3 = 4: fences −1 and 7; U_level = 7 + 0.1·|10 − 7| = 7.3, L_level = −1 − 0.1·|−1 − 1| = −1.2.
//! let mut values = [10.0, 1.0, 3.0, 2.0, 4.0];
//! let criteria = compute_criteria(&values, None, None, 10.0)?;
//! assert_eq!((criteria.normal_min, criteria.normal_max), (-1.0, 7.0));
//! assert!((criteria.upper_level - 7.3).abs() < 1e-12 && (criteria.lower_level + 1.2).abs() < 1e-12);
//! let clipped = clip_outliers(&mut values, &criteria);
//! assert_eq!((values[0], clipped.clipped_high), (7.0, 1));
//! # Ok::<(), flowcore::CoreError>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// The range a series is judged against: its extremes, the normal band and the original's levels.
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
    /// `U_level`: values above it are corrected; predictions at or above it are abnormal.
    #[serde(rename = "U_level")]
    pub upper_level: f64,
    /// `L_level`: values below it are corrected; predictions at or below it are abnormal.
    #[serde(rename = "L_level")]
    pub lower_level: f64,
}

impl Criteria {
    /// Criteria from the extremes and the normal range, with the levels `level_percent` of the way
    /// from each normal bound to the extreme on its side (the original's `-l`).
    pub fn with_levels(raw_min: f64, raw_max: f64, normal_min: f64, normal_max: f64, level_percent: f64) -> Criteria {
        let share = level_percent / 100.0;
        Criteria {
            raw_min,
            raw_max,
            normal_min,
            normal_max,
            upper_level: normal_max + share * (raw_max - normal_max).abs(),
            lower_level: normal_min - share * (normal_min - raw_min).abs(),
        }
    }

    /// Whether a prediction is normal: strictly between `L_level` and `U_level`.
    pub fn is_normal(&self, value: f64) -> bool {
        self.breach(value).is_none()
    }

    /// Which level a prediction reaches, if any: the original's scan rule, `≥ U_level` or
    /// `≤ L_level` (both inclusive).
    pub fn breach(&self, value: f64) -> Option<Bound> {
        if value >= self.upper_level {
            Some(Bound::Above)
        } else if value <= self.lower_level {
            Some(Bound::Below)
        } else {
            None
        }
    }

    /// Every field with its name, in `criteria.csv`'s order.
    pub fn named_values(&self) -> [(&'static str, f64); 6] {
        [
            ("raw_min", self.raw_min),
            ("raw_max", self.raw_max),
            ("normal_min", self.normal_min),
            ("normal_max", self.normal_max),
            ("U_level", self.upper_level),
            ("L_level", self.lower_level),
        ]
    }
}

/// Which level a prediction reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bound {
    /// At or above `U_level`.
    Above,
    /// At or below `L_level`.
    Below,
}

impl Bound {
    /// The short name written into `abnormal.csv`.
    pub fn code(self) -> &'static str {
        match self {
            Bound::Above => "at_or_above_U_level",
            Bound::Below => "at_or_below_L_level",
        }
    }
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Bound::Above => "≥ U_level",
            Bound::Below => "≤ L_level",
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

/// Checks the settings of the criteria before any work: a level that is a finite percentage of 0
/// or more, finite normal bounds, and a lower bound not above the upper one.
pub fn check_settings(normal_min: Option<f64>, normal_max: Option<f64>, level_percent: f64) -> Result<()> {
    if !(level_percent.is_finite() && level_percent >= 0.0) {
        return Err(CoreError::InvalidLevel { level: level_percent });
    }
    for (name, bound) in [("--min", normal_min), ("--max", normal_max)] {
        if let Some(value) = bound.filter(|v| !v.is_finite()) {
            return Err(CoreError::NotFiniteBound { name, value });
        }
    }
    match (normal_min, normal_max) {
        (Some(normal_min), Some(normal_max)) if normal_min > normal_max => {
            Err(CoreError::EmptyNormalRange { normal_min, normal_max })
        }
        _ => Ok(()),
    }
}

/// Criteria of a finite series: extremes, the normal range given or else Tukey's fences, and the
/// levels `level_percent` beyond it.
pub fn compute_criteria(
    values: &[f64],
    normal_min: Option<f64>,
    normal_max: Option<f64>,
    level_percent: f64,
) -> Result<Criteria> {
    check_settings(normal_min, normal_max, level_percent)?;
    if !values.iter().all(|v| v.is_finite()) {
        return Err(CoreError::CriteriaWithGaps);
    }
    let (fence_low, fence_high) = tukey_fences(values).ok_or(CoreError::NoValues)?;
    let raw_min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let raw_max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (normal_min, normal_max) = (normal_min.unwrap_or(fence_low), normal_max.unwrap_or(fence_high));
    if normal_min > normal_max {
        return Err(CoreError::EmptyNormalRange { normal_min, normal_max });
    }
    Ok(Criteria::with_levels(
        raw_min,
        raw_max,
        normal_min,
        normal_max,
        level_percent,
    ))
}

/// How many values the outlier correction changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClipReport {
    /// Values above `U_level`, set to `normal_max`.
    pub clipped_high: usize,
    /// Values below `L_level`, set to `normal_min`.
    pub clipped_low: usize,
}

/// The original tool's outlier correction: a value above `U_level` is set to `normal_max`, one below
/// `L_level` to `normal_min`; everything else is kept as it is.
pub fn clip_outliers(values: &mut [f64], criteria: &Criteria) -> ClipReport {
    let mut report = ClipReport::default();
    for value in values.iter_mut() {
        if *value > criteria.upper_level {
            *value = criteria.normal_max;
            report.clipped_high += 1;
        } else if *value < criteria.lower_level {
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
    fn fences_levels_and_criteria_by_hand() {
        // Q1 = 2, Q3 = 4, IQR = 2: fences -1 and 7. With level 50: U = 7 + 0.5·3 = 8.5, L = -1 - 0.5·2 = -2.
        let values = [10.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(tukey_fences(&values), Some((-1.0, 7.0)));
        let criteria = compute_criteria(&values, None, None, 50.0).unwrap();
        assert_eq!(
            criteria,
            Criteria {
                raw_min: 1.0,
                raw_max: 10.0,
                normal_min: -1.0,
                normal_max: 7.0,
                upper_level: 8.5,
                lower_level: -2.0,
            }
        );
        // Given a bound: normal_min 0.5, L = 0.5 - 0.5·|0.5 - 1| = 0.25.
        let given = compute_criteria(&values, Some(0.5), None, 50.0).unwrap();
        assert_eq!(
            (given.normal_min, given.normal_max, given.lower_level),
            (0.5, 7.0, 0.25)
        );
        assert!(matches!(
            compute_criteria(&values, Some(8.0), Some(2.0), 10.0),
            Err(CoreError::EmptyNormalRange { .. })
        ));
        assert!(matches!(
            compute_criteria(&values, Some(f64::NAN), None, 10.0),
            Err(CoreError::NotFiniteBound { name: "--min", .. })
        ));
        assert!(matches!(
            compute_criteria(&values, None, Some(f64::INFINITY), 10.0),
            Err(CoreError::NotFiniteBound { name: "--max", .. })
        ));
        assert!(matches!(
            compute_criteria(&values, None, None, -1.0),
            Err(CoreError::InvalidLevel { .. })
        ));
    }

    #[test]
    fn the_scan_rule_is_inclusive_at_both_levels() {
        let criteria = Criteria::with_levels(0.0, 300.0, 100.0, 200.0, 10.0);
        // U = 200 + 0.1·100 = 210, L = 100 - 0.1·100 = 90.
        assert_eq!((criteria.upper_level, criteria.lower_level), (210.0, 90.0));
        assert_eq!(criteria.breach(210.0), Some(Bound::Above));
        assert_eq!(criteria.breach(209.999), None);
        assert_eq!(criteria.breach(90.0), Some(Bound::Below));
        assert_eq!(criteria.breach(90.001), None);
        // Outside the normal range but inside the levels: normal for the original.
        assert!(criteria.is_normal(205.0) && criteria.is_normal(95.0));
    }

    #[test]
    fn clipping_uses_the_levels_and_sets_the_normal_bound() {
        // raw 0 .. 300, normal 100 .. 200, level 10: U = 210, L = 90.
        let criteria = Criteria::with_levels(0.0, 300.0, 100.0, 200.0, 10.0);
        let mut values = [209.0, 210.0, 211.0, 91.0, 90.0, 89.0, 150.0];
        let report = clip_outliers(&mut values, &criteria);
        // Exactly at a level is kept: the correction is strict, the scan inclusive, as the original.
        assert_eq!(values, [209.0, 210.0, 200.0, 91.0, 90.0, 100.0, 150.0]);
        assert_eq!(
            report,
            ClipReport {
                clipped_high: 1,
                clipped_low: 1
            }
        );
        // Level 0 clips everything outside the normal range.
        let strict = Criteria::with_levels(0.0, 300.0, 100.0, 200.0, 0.0);
        let mut values = [200.5, 99.5];
        clip_outliers(&mut values, &strict);
        assert_eq!(values, [200.0, 100.0]);
    }
}
