//! [`FlowSeries`]: timestamps, values and the interval between them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::time::{format_timestamp, DAY, HOUR, MINUTE};

/// The step between readings, in seconds. Buckets of an interval are aligned on midnight, so a daily
/// bucket is 00:00 to 24:00 and an hourly one starts on the hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Interval(i64);

impl Interval {
    /// One minute: the SCADA export's step.
    pub const MINUTE: Interval = Interval(MINUTE);
    /// Ten minutes.
    pub const TEN_MINUTES: Interval = Interval(10 * MINUTE);
    /// Half an hour (NAB's taxi series).
    pub const HALF_HOUR: Interval = Interval(30 * MINUTE);
    /// One hour.
    pub const HOURLY: Interval = Interval(HOUR);
    /// One day, the original tool's default.
    pub const DAILY: Interval = Interval(DAY);

    /// An interval of whole seconds that divides a day, so buckets can align on midnight.
    pub fn from_seconds(seconds: i64) -> Result<Interval> {
        if seconds <= 0 || DAY % seconds != 0 {
            return Err(CoreError::IntervalSeconds(seconds));
        }
        Ok(Interval(seconds))
    }

    /// Length in seconds.
    pub fn seconds(self) -> i64 {
        self.0
    }

    /// Start of the bucket holding `timestamp`.
    pub fn bucket_start(self, timestamp: i64) -> i64 {
        timestamp.div_euclid(self.0) * self.0
    }

    /// How many steps of this interval make a day (1 for daily).
    pub fn per_day(self) -> usize {
        (DAY / self.0) as usize
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            DAY => f.write_str("daily"),
            HOUR => f.write_str("hourly"),
            s if s % HOUR == 0 => write!(f, "{}h", s / HOUR),
            s if s % MINUTE == 0 => write!(f, "{}min", s / MINUTE),
            s => write!(f, "{s}s"),
        }
    }
}

impl FromStr for Interval {
    type Err = CoreError;

    /// Accepts `daily`, `hourly`, `1d`, `1h`, `10min`, `30min`, `1min`, `90s`.
    fn from_str(text: &str) -> Result<Interval> {
        let text = text.trim().to_ascii_lowercase();
        let bad = || CoreError::IntervalText(text.clone());
        let seconds = match text.as_str() {
            "daily" | "day" | "d" => DAY,
            "hourly" | "hour" | "h" => HOUR,
            "minute" | "min" => MINUTE,
            _ => {
                let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
                let (number, unit) = text.split_at(split);
                let number: i64 = number.parse().map_err(|_| bad())?;
                let unit_seconds = match unit {
                    "d" | "day" | "days" => DAY,
                    "h" | "hour" | "hours" => HOUR,
                    "min" | "m" | "minute" | "minutes" | "t" => MINUTE,
                    "s" | "sec" => 1,
                    _ => return Err(bad()),
                };
                number.checked_mul(unit_seconds).ok_or_else(bad)?
            }
        };
        Interval::from_seconds(seconds)
    }
}

impl TryFrom<String> for Interval {
    type Error = CoreError;
    fn try_from(text: String) -> Result<Interval> {
        text.parse()
    }
}

impl From<Interval> for String {
    fn from(interval: Interval) -> String {
        interval.to_string()
    }
}

/// A flow series: one value per timestamp, timestamps strictly increasing, at a nominal interval.
///
/// Values may be `NaN` (missing) straight after ingest; after cleaning they are all finite.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowSeries {
    /// Seconds since 1970-01-01 in the plant's clock ([`crate::time`]).
    pub timestamps: Vec<i64>,
    /// Readings, `NaN` where missing.
    pub values: Vec<f64>,
    /// The nominal step between readings.
    pub interval: Interval,
}

impl FlowSeries {
    /// Builds a series, checking that the two vectors line up and time increases.
    pub fn new(timestamps: Vec<i64>, values: Vec<f64>, interval: Interval) -> Result<FlowSeries> {
        if timestamps.len() != values.len() {
            return Err(CoreError::SeriesLengths {
                timestamps: timestamps.len(),
                values: values.len(),
            });
        }
        if let Some(pair) = timestamps.windows(2).find(|pair| pair[1] <= pair[0]) {
            return Err(CoreError::TimesNotIncreasing {
                earlier: pair[0],
                later: pair[1],
            });
        }
        Ok(FlowSeries {
            timestamps,
            values,
            interval,
        })
    }

    /// Number of readings.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no readings.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The first and last timestamp, if there is a reading.
    pub fn span(&self) -> Option<(i64, i64)> {
        Some((*self.timestamps.first()?, *self.timestamps.last()?))
    }

    /// Number of missing (`NaN`) readings.
    pub fn missing(&self) -> usize {
        self.values.iter().filter(|v| v.is_nan()).count()
    }

    /// The first timestamp whose value is not finite, if any.
    pub fn first_non_finite(&self) -> Option<i64> {
        self.values
            .iter()
            .position(|v| !v.is_finite())
            .map(|i| self.timestamps[i])
    }

    /// Refuses a series holding `NaN` or infinite values, naming the first one.
    pub fn require_finite(&self, what: &str) -> Result<()> {
        match self.first_non_finite() {
            Some(time) => Err(CoreError::NotFinite {
                what: what.to_string(),
                time: format_timestamp(time),
            }),
            None => Ok(()),
        }
    }

    /// The readings from `start` (inclusive) to `end` (exclusive), as a new series.
    pub fn slice(&self, start: usize, end: usize) -> FlowSeries {
        let end = end.min(self.len());
        let start = start.min(end);
        FlowSeries {
            timestamps: self.timestamps[start..end].to_vec(),
            values: self.values[start..end].to_vec(),
            interval: self.interval,
        }
    }
}

/// The most common positive step among the first readings: the interval a raw file was logged at.
///
/// Each step counts for the interval dividing a day that it is within a tenth of, so a logger
/// whose clock wanders a few seconds around the hour (`10:00:03`, `10:59:58`, `12:00:01`) still
/// logs hourly; a step near no such interval is not counted.
pub fn detect_interval(timestamps: &[i64]) -> Option<Interval> {
    let divisors: Vec<i64> = (1..=DAY).filter(|d| DAY % d == 0).collect();
    let mut steps: Vec<i64> = timestamps
        .windows(2)
        .take(10_000)
        .filter_map(|pair| nominal_step(pair[1] - pair[0], &divisors))
        .collect();
    steps.sort_unstable();
    let mut best: Option<(i64, usize)> = None;
    for run in steps.chunk_by(|a, b| a == b) {
        if best.is_none_or(|(_, count)| run.len() > count) {
            best = Some((run[0], run.len()));
        }
    }
    best.and_then(|(step, _)| Interval::from_seconds(step).ok())
}

/// The divisor of a day nearest to `step` when `step` is within a tenth of it (the divisors are
/// sorted); a step of a divisor exactly is itself.
fn nominal_step(step: i64, divisors: &[i64]) -> Option<i64> {
    if step <= 0 {
        return None;
    }
    if DAY % step == 0 {
        return Some(step);
    }
    let above = divisors.partition_point(|&d| d < step);
    [above.checked_sub(1), Some(above)]
        .into_iter()
        .flatten()
        .filter_map(|k| divisors.get(k).copied())
        .filter(|&d| (step - d).abs() * 10 <= d)
        .min_by_key(|&d| (step - d).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_and_print() {
        assert_eq!("daily".parse::<Interval>().unwrap(), Interval::DAILY);
        assert_eq!("hourly".parse::<Interval>().unwrap(), Interval::HOURLY);
        assert_eq!("10min".parse::<Interval>().unwrap(), Interval::TEN_MINUTES);
        assert_eq!("30MIN".parse::<Interval>().unwrap(), Interval::HALF_HOUR);
        assert_eq!("1h".parse::<Interval>().unwrap(), Interval::HOURLY);
        assert_eq!(Interval::TEN_MINUTES.to_string(), "10min");
        assert_eq!(Interval::DAILY.to_string(), "daily");
        assert_eq!(Interval::from_seconds(2 * HOUR).unwrap().to_string(), "2h");
        for bad in ["weekly", "", "min10", "99999999999999999999d"] {
            assert!(
                matches!(bad.parse::<Interval>(), Err(CoreError::IntervalText(text)) if text == bad),
                "{bad}"
            );
        }
        // Read, but not an interval buckets can align on midnight with.
        assert!(matches!(
            "7min".parse::<Interval>(),
            Err(CoreError::IntervalSeconds(420))
        ));
        assert!(matches!("0min".parse::<Interval>(), Err(CoreError::IntervalSeconds(0))));
        assert_eq!(Interval::HOURLY.bucket_start(HOUR * 5 + 59), HOUR * 5);
        assert_eq!(Interval::TEN_MINUTES.per_day(), 144);
    }

    #[test]
    fn series_checks_its_shape() {
        assert!(matches!(
            FlowSeries::new(vec![0, 60], vec![1.0], Interval::MINUTE),
            Err(CoreError::SeriesLengths {
                timestamps: 2,
                values: 1
            })
        ));
        let error = FlowSeries::new(vec![120, 60], vec![1.0, 2.0], Interval::MINUTE).unwrap_err();
        assert!(matches!(
            error,
            CoreError::TimesNotIncreasing {
                earlier: 120,
                later: 60
            }
        ));
        assert_eq!(
            error.to_string(),
            "timestamps must increase: 1970-01-01 00:01:00 follows 1970-01-01 00:02:00"
        );
        let series = FlowSeries::new(vec![0, 60, 120], vec![1.0, f64::NAN, 3.0], Interval::MINUTE).unwrap();
        assert_eq!(series.missing(), 1);
        assert_eq!(series.first_non_finite(), Some(60));
        assert!(series.require_finite("test").is_err());
        assert_eq!(series.slice(1, 9).timestamps, vec![60, 120]);
    }

    #[test]
    fn detects_the_logging_step_despite_gaps() {
        let stamps = [0, 60, 120, 180, 600, 660, 720];
        assert_eq!(detect_interval(&stamps), Some(Interval::MINUTE));
        assert_eq!(detect_interval(&[0]), None);
    }

    #[test]
    fn detects_the_logging_step_of_a_wandering_clock() {
        // Hourly readings a few seconds either side of the hour: steps of 3,597 to 3,604 s.
        let stamps = [3, 3_600, 7_204, 10_799, 14_401, 18_000];
        assert_eq!(detect_interval(&stamps), Some(Interval::HOURLY));
        let divisors: Vec<i64> = (1..=DAY).filter(|d| DAY % d == 0).collect();
        // The divisors of a day around 6,000 s are 5,400, 5,760 and 7,200: 5,760 is nearest.
        assert_eq!(nominal_step(6_000, &divisors), Some(5_760));
        // Seven days is no interval; 7 s is not within a tenth of 6 or 8.
        assert_eq!(nominal_step(7 * DAY, &divisors), None);
        assert_eq!(nominal_step(7, &divisors), None);
        assert_eq!(nominal_step(59, &divisors), Some(60));
    }
}
