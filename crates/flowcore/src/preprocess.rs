//! The preprocessing stage: what `1_Preprocessing_tool.py -p` did, as one pure function.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::check::{Check, Checked};
use crate::clean::{fill_gaps, finite_span, FillReport};
use crate::criteria::{check_settings, clip_outliers, compute_criteria, ClipReport, Criteria};
use crate::error::{CoreError, Result};
use crate::resample::{coverage, resample_mean};
use crate::series::{FlowSeries, Interval};
use crate::time::is_weekend;

/// Which days to keep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DaySelection {
    /// Every day (default).
    #[default]
    All,
    /// Monday to Friday.
    Weekday,
    /// Saturday and Sunday.
    Weekend,
}

impl FromStr for DaySelection {
    type Err = CoreError;
    fn from_str(text: &str) -> Result<DaySelection> {
        match text.trim().to_ascii_lowercase().as_str() {
            "all" => Ok(DaySelection::All),
            "weekday" | "weekdays" => Ok(DaySelection::Weekday),
            "weekend" | "weekends" => Ok(DaySelection::Weekend),
            other => Err(CoreError::DaySelection(other.to_string())),
        }
    }
}

impl DaySelection {
    fn keeps(self, timestamp: i64) -> bool {
        match self {
            DaySelection::All => true,
            DaySelection::Weekday => !is_weekend(timestamp),
            DaySelection::Weekend => is_weekend(timestamp),
        }
    }
}

/// Settings of the preprocessing stage. Defaults mirror the original tool's `-p`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreprocessConfig {
    /// Resampling interval (default daily).
    pub interval: Interval,
    /// Longest gap, in readings, that takes the previous reading; longer gaps are interpolated (3).
    pub short_gap: usize,
    /// Lower bound of the normal range; Tukey's lower fence when `None` (default).
    pub normal_min: Option<f64>,
    /// Upper bound of the normal range; Tukey's upper fence when `None` (default).
    pub normal_max: Option<f64>,
    /// The original's `-l` (10): `U_level` lies this percentage of the way from `normal_max` to
    /// `raw_max`, `L_level` as far from `normal_min` towards `raw_min`; values beyond a level are
    /// corrected to the normal bound.
    pub level_percent: f64,
    /// Whether to clip outliers at all (yes). Anomaly detection turns it off: clipping would erase
    /// the very deviations it looks for.
    pub correct_outliers: bool,
    /// Days kept (all).
    pub days: DaySelection,
}

impl Default for PreprocessConfig {
    fn default() -> Self {
        PreprocessConfig {
            interval: Interval::DAILY,
            short_gap: 3,
            normal_min: None,
            normal_max: None,
            level_percent: 10.0,
            correct_outliers: true,
            days: DaySelection::All,
        }
    }
}

impl Check for PreprocessConfig {
    type Error = CoreError;

    /// The level, finite normal bounds in order.
    fn validate(&self) -> Result<()> {
        check_settings(self.normal_min, self.normal_max, self.level_percent)
    }
}

/// What preprocessing did, for the stage report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreprocessSummary {
    /// Readings handed in, missing ones included.
    pub readings_in: usize,
    /// Missing readings handed in.
    pub missing_in: usize,
    /// How the missing readings were handled.
    pub fill: FillReport,
    /// Buckets with no reading, filled by the same rule.
    pub empty_buckets: usize,
    /// Buckets dropped by the day selection.
    pub days_dropped: usize,
    /// Values changed by the outlier correction.
    pub clipped: ClipReport,
    /// Rows of the preprocessed series.
    pub rows_out: usize,
}

/// The result of preprocessing.
#[derive(Debug, Clone)]
pub struct Preprocessed {
    /// The cleaned, resampled, corrected series.
    pub series: FlowSeries,
    /// Its extremes and normal range.
    pub criteria: Criteria,
    /// What was done.
    pub summary: PreprocessSummary,
    /// The readings at their own interval after the missing-value rule, before resampling: what
    /// the anomaly scan runs over.
    pub cleaned: FlowSeries,
    /// The runs of `cleaned` (index ranges) where there was no reading and the missing-value rule
    /// filled one: the scan needs them filled, a graph of the readings must not draw them.
    pub filled: Vec<std::ops::Range<usize>>,
}

/// The most resampled rows preprocessing produces: 20 million (38 years of minutes).
pub const MAX_BUCKETS: i64 = 20_000_000;

/// Cleans the raw readings (missing-value rule), with the ends trimmed: the input to both
/// resampling and the minute-level anomaly scan.
pub fn clean_series(raw: &FlowSeries, short_gap: usize) -> Result<(FlowSeries, FillReport)> {
    let (start, end) = finite_span(&raw.values).ok_or(CoreError::NoValues)?;
    let mut cleaned = raw.slice(start, end);
    let mut fill = fill_gaps(&mut cleaned.values, short_gap);
    fill.leading_dropped = start;
    fill.trailing_dropped = raw.len() - end;
    Ok((cleaned, fill))
}

/// Runs the whole stage: trim and fill missing readings, resample by mean, keep the chosen days,
/// compute the criteria and correct outliers.
pub fn preprocess(raw: &FlowSeries, config: &Checked<PreprocessConfig>) -> Result<Preprocessed> {
    let (cleaned, fill) = clean_series(raw, config.short_gap)?;
    let start = fill.leading_dropped;
    let filled = raw
        .values
        .get(start..start + cleaned.len())
        .map(missing_runs)
        .unwrap_or_default();
    if let (Some(first), Some(last)) = (cleaned.timestamps.first(), cleaned.timestamps.last()) {
        // A garbled year (9999) would otherwise ask for billions of buckets and exhaust memory.
        let buckets = (last - first) / config.interval.seconds() + 1;
        if buckets > MAX_BUCKETS {
            return Err(CoreError::TooManyRows {
                first: *first,
                last: *last,
                rows: buckets,
                interval: config.interval,
                limit: MAX_BUCKETS,
            });
        }
    }
    // Hourly readings into 10-minute buckets: five of six invented. Said as what it is, before the
    // stray-row rule below would blame a gap.
    if raw.interval > config.interval {
        return Err(CoreError::FinerThanReadings {
            interval: config.interval.to_string(),
            readings: raw.interval.to_string(),
        });
    }
    if let Some(coverage) = coverage(&cleaned.timestamps, config.interval) {
        // A stray row years away (1900-01-01 before 2021's data) would make nearly every bucket
        // invented by the gap rule, and a model trained on them: refuse, naming the row.
        if coverage.buckets - coverage.filled > coverage.filled {
            return Err(CoreError::MostlyInvented {
                interval: config.interval.to_string(),
                buckets: coverage.buckets,
                filled: coverage.filled,
                gap_from: crate::time::format_timestamp(coverage.largest_gap.0),
                gap_to: crate::time::format_timestamp(coverage.largest_gap.1),
                stray: coverage.stray,
            });
        }
    }
    let mut resampled = resample_mean(&cleaned, config.interval);
    let empty_buckets = resampled.missing();
    fill_gaps(&mut resampled.values, config.short_gap);

    let before = resampled.len();
    if config.days != DaySelection::All {
        let (timestamps, values) = resampled
            .timestamps
            .iter()
            .zip(&resampled.values)
            .filter(|(t, _)| config.days.keeps(**t))
            .map(|(t, v)| (*t, *v))
            .unzip();
        resampled = FlowSeries {
            timestamps,
            values,
            interval: config.interval,
        };
    }
    let days_dropped = before - resampled.len();
    if resampled.len() < 2 {
        return Err(CoreError::TooFewRows {
            need: 2,
            have: resampled.len(),
            interval: config.interval.to_string(),
        });
    }
    let criteria = compute_criteria(
        &resampled.values,
        config.normal_min,
        config.normal_max,
        config.level_percent,
    )?;
    let clipped = if config.correct_outliers {
        clip_outliers(&mut resampled.values, &criteria)
    } else {
        ClipReport::default()
    };
    let summary = PreprocessSummary {
        readings_in: raw.len(),
        missing_in: raw.missing(),
        fill,
        empty_buckets,
        days_dropped,
        clipped,
        rows_out: resampled.len(),
    };
    Ok(Preprocessed {
        series: resampled,
        criteria,
        summary,
        cleaned,
        filled,
    })
}

/// The index ranges of `values` that are not finite.
fn missing_runs(values: &[f64]) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, value) in values.iter().enumerate() {
        match (value.is_finite(), start) {
            (false, None) => start = Some(i),
            (true, Some(from)) => {
                runs.push(from..i);
                start = None;
            }
            _ => {}
        }
    }
    runs.extend(start.map(|from| from..values.len()));
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{parse_timestamp, DAY, MINUTE};

    /// The filled runs are those of the cleaned series (its blank ends trimmed), hand-checked.
    #[test]
    fn the_filled_runs_are_where_no_reading_was() {
        let nan = f64::NAN;
        assert_eq!(missing_runs(&[1.0, nan, nan, 2.0, nan]), [1..3, 4..5]);
        assert!(missing_runs(&[1.0, 2.0]).is_empty());
        // Two blank minutes trimmed at the start; then 5, -, -, 6, -, -, -, -, 7 at minutes 2-10.
        let values = vec![nan, nan, 5.0, nan, nan, 6.0, nan, nan, nan, nan, 7.0];
        let times = (0..values.len() as i64).map(|m| m * MINUTE).collect();
        let raw = FlowSeries::new(times, values, Interval::MINUTE).unwrap();
        let config = PreprocessConfig {
            interval: Interval::MINUTE,
            ..PreprocessConfig::default()
        }
        .check()
        .unwrap();
        let done = preprocess(&raw, &config).unwrap();
        assert_eq!(done.cleaned.values.len(), 9);
        assert_eq!(done.filled, [1..3, 4..8]);
        assert!(done.cleaned.values.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn a_hand_checked_three_day_case() {
        // Day 1: 1, 2, NaN, 4 -> the gap takes 2 -> mean (1+2+2+4)/4 = 2.25.
        // Day 2: NaN x4 between 4 and 14 -> interpolated 6, 8, 10, 12, then 14, 100, 30 -> mean 180/7.
        // Day 3: 3 (one reading).
        let d0 = parse_timestamp("2020-01-06").unwrap();
        let mut timestamps = vec![d0, d0 + MINUTE, d0 + 2 * MINUTE, d0 + 3 * MINUTE];
        let mut values = vec![1.0, 2.0, f64::NAN, 4.0];
        for k in 0..7 {
            timestamps.push(d0 + DAY + k * MINUTE);
        }
        values.extend([f64::NAN, f64::NAN, f64::NAN, f64::NAN, 14.0, 100.0, 30.0]);
        timestamps.push(d0 + 2 * DAY);
        values.push(3.0);
        timestamps.push(d0 + 2 * DAY + MINUTE);
        values.push(f64::NAN);
        let raw = FlowSeries::new(timestamps, values, Interval::MINUTE).unwrap();
        let done = preprocess(&raw, &PreprocessConfig::default().check().unwrap()).unwrap();
        let interpolated_day = 180.0 / 7.0;
        assert_eq!(done.series.timestamps, vec![d0, d0 + DAY, d0 + 2 * DAY]);
        assert!((done.series.values[0] - 2.25).abs() < 1e-12);
        assert!(
            (done.series.values[1] - interpolated_day).abs() < 1e-12,
            "{}",
            done.series.values[1]
        );
        assert_eq!(done.summary.fill.filled_previous, 1);
        assert_eq!(done.summary.fill.interpolated, 4);
        assert_eq!(done.summary.fill.trailing_dropped, 1);
        assert_eq!(done.summary.rows_out, 3);
        assert_eq!(done.criteria.raw_min, 2.25);
    }

    #[test]
    fn outliers_are_clipped_to_the_fence() {
        let values = vec![10.0, 11.0, 12.0, 11.0, 10.0, 12.0, 11.0, 50.0];
        let timestamps = (0..8).map(|k| k * DAY).collect();
        let raw = FlowSeries::new(timestamps, values, Interval::DAILY).unwrap();
        let done = preprocess(&raw, &PreprocessConfig::default().check().unwrap()).unwrap();
        // Sorted: 10 10 11 11 11 12 12 50 -> Q1 = 10.75, Q3 = 12, IQR 1.25, fences 8.875 and 13.875.
        assert_eq!(done.criteria.normal_max, 13.875);
        assert_eq!(done.series.values[7], 13.875);
        // U_level = 13.875 + 0.1·|50 − 13.875| = 17.4875: 50 is beyond it.
        assert!((done.criteria.upper_level - 17.4875).abs() < 1e-12);
        assert_eq!(done.summary.clipped.clipped_high, 1);
        assert_eq!(done.criteria.raw_max, 50.0);
    }

    #[test]
    fn each_invalid_setting_gets_its_own_error() {
        let with = |normal_min, normal_max, level_percent| PreprocessConfig {
            normal_min,
            normal_max,
            level_percent,
            ..PreprocessConfig::default()
        };
        assert!(matches!(
            with(None, None, -1.0).check(),
            Err(CoreError::InvalidLevel { .. })
        ));
        assert!(matches!(
            with(None, None, f64::NAN).check(),
            Err(CoreError::InvalidLevel { .. })
        ));
        assert!(matches!(
            with(Some(f64::NAN), None, 10.0).check(),
            Err(CoreError::NotFiniteBound { name: "--min", .. })
        ));
        assert!(matches!(
            with(None, Some(f64::INFINITY), 10.0).check(),
            Err(CoreError::NotFiniteBound { name: "--max", .. })
        ));
        assert!(matches!(
            with(Some(5.0), Some(1.0), 10.0).check(),
            Err(CoreError::EmptyNormalRange { .. })
        ));
        assert!(with(Some(1.0), Some(5.0), 0.0).check().is_ok());
    }

    #[test]
    fn a_garbled_year_is_refused_not_allocated() {
        let raw = FlowSeries::new(
            vec![0, parse_timestamp("9999-01-01").unwrap()],
            vec![1.0, 2.0],
            Interval::MINUTE,
        )
        .unwrap();
        let config = PreprocessConfig {
            interval: Interval::TEN_MINUTES,
            ..PreprocessConfig::default()
        };
        let error = preprocess(&raw, &config.clone().check().unwrap()).unwrap_err();
        assert!(error.to_string().contains("more than the limit of 20000000"), "{error}");
    }

    #[test]
    fn weekday_selection_and_too_few_rows() {
        let monday = parse_timestamp("2020-01-06").unwrap();
        let timestamps: Vec<i64> = (0..14).map(|k| monday + k * DAY).collect();
        let raw = FlowSeries::new(timestamps, (0..14).map(f64::from).collect(), Interval::DAILY).unwrap();
        let config = PreprocessConfig {
            days: DaySelection::Weekend,
            ..PreprocessConfig::default()
        };
        let done = preprocess(&raw, &config.clone().check().unwrap()).unwrap();
        assert_eq!(done.series.values, vec![5.0, 6.0, 12.0, 13.0]);
        assert_eq!(done.summary.days_dropped, 10);
        let short = raw.slice(0, 1);
        let error = preprocess(&short, &PreprocessConfig::default().check().unwrap()).unwrap_err();
        assert_eq!(error.to_string(), "need at least 2 rows at interval daily, have 1");
    }
}
