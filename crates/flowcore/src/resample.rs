//! Calendar-aligned resampling by mean.

use crate::series::{FlowSeries, Interval};

/// Means of the readings in each bucket of `interval`, from the first reading's bucket to the last
/// one's, every bucket included. A bucket with no finite reading is `NaN`; the caller fills it.
///
/// Buckets align on midnight: a daily bucket is 00:00 to 24:00 and is stamped with its start, so a
/// year of minutes from `2020-01-01 0:00` to `2021-01-01 0:00` gives 367 daily buckets, the last
/// holding the single midnight reading, as pandas' `resample('D').mean()` did for the original tool.
pub fn resample_mean(series: &FlowSeries, interval: Interval) -> FlowSeries {
    let (Some(&first), Some(&last)) = (series.timestamps.first(), series.timestamps.last()) else {
        return FlowSeries {
            timestamps: Vec::new(),
            values: Vec::new(),
            interval,
        };
    };
    let step = interval.seconds();
    let start = interval.bucket_start(first);
    let buckets = ((interval.bucket_start(last) - start) / step + 1) as usize;
    let mut sums = vec![0.0; buckets];
    let mut counts = vec![0u32; buckets];
    for (&timestamp, &value) in series.timestamps.iter().zip(&series.values) {
        if value.is_finite() {
            let bucket = ((timestamp - start) / step) as usize;
            sums[bucket] += value;
            counts[bucket] += 1;
        }
    }
    let timestamps = (0..buckets as i64).map(|k| start + k * step).collect();
    let values = sums
        .iter()
        .zip(&counts)
        .map(
            |(sum, &count)| {
                if count == 0 {
                    f64::NAN
                } else {
                    sum / f64::from(count)
                }
            },
        )
        .collect();
    FlowSeries {
        timestamps,
        values,
        interval,
    }
}

/// How a series fills the buckets of an interval, counted without allocating them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    /// Buckets from the first reading's to the last one's.
    pub buckets: i64,
    /// Buckets holding at least one reading.
    pub filled: i64,
    /// The longest stretch without readings: the readings on either side of it.
    pub largest_gap: (i64, i64),
    /// The first reading on the side of that gap with fewer readings: the likely stray row.
    pub stray: i64,
}

/// Counts the buckets a sorted series spans and fills at `interval`. `None` for fewer than two
/// readings.
pub fn coverage(timestamps: &[i64], interval: Interval) -> Option<Coverage> {
    let (&first, &last) = (timestamps.first()?, timestamps.last()?);
    if timestamps.len() < 2 {
        return None;
    }
    let step = interval.seconds();
    let start = interval.bucket_start(first);
    let buckets = (interval.bucket_start(last) - start) / step + 1;
    let mut filled = 1;
    let mut gap = (0, (first, first));
    for (k, pair) in timestamps.windows(2).enumerate() {
        if (pair[1] - start) / step != (pair[0] - start) / step {
            filled += 1;
        }
        if pair[1] - pair[0] > gap.1 .1 - gap.1 .0 {
            gap = (k + 1, (pair[0], pair[1]));
        }
    }
    // Fewer readings before the gap than after: the stray is the first reading; else the first after it.
    let stray = if gap.0 <= timestamps.len() - gap.0 {
        first
    } else {
        gap.1 .1
    };
    Some(Coverage {
        buckets,
        filled,
        largest_gap: gap.1,
        stray,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{parse_timestamp, DAY, HOUR};

    #[test]
    fn coverage_counts_buckets_and_finds_the_stray_reading() {
        let stray = parse_timestamp("1900-01-01").unwrap();
        let start = parse_timestamp("2021-01-01").unwrap();
        let mut timestamps = vec![stray];
        timestamps.extend((0..48).map(|k| start + k * HOUR));
        let hourly = coverage(&timestamps, Interval::HOURLY).unwrap();
        // 1900-01-01 00:00 to 2021-01-02 23:00: the 44,195 days to 2021-01-01, then 48 hours.
        assert_eq!(hourly.buckets, 44_195 * 24 + 48);
        assert_eq!(hourly.filled, 49);
        assert_eq!(hourly.largest_gap, (stray, start));
        assert_eq!(hourly.stray, stray);
        let daily = coverage(&timestamps[1..], Interval::DAILY).unwrap();
        assert_eq!((daily.buckets, daily.filled), (2, 2));
        // A stray reading after the data is found too.
        let mut late = timestamps[1..].to_vec();
        late.push(start + 400 * DAY);
        assert_eq!(coverage(&late, Interval::HOURLY).unwrap().stray, start + 400 * DAY);
        assert_eq!(coverage(&[start], Interval::HOURLY), None);
    }

    #[test]
    fn daily_means_align_on_midnight() {
        let t0 = parse_timestamp("2020-01-01 23:00").unwrap();
        let series = FlowSeries::new(
            vec![t0, t0 + HOUR / 2, t0 + HOUR, t0 + 2 * HOUR],
            vec![1.0, 3.0, 10.0, f64::NAN],
            Interval::MINUTE,
        )
        .unwrap();
        let daily = resample_mean(&series, Interval::DAILY);
        assert_eq!(
            daily.timestamps,
            vec![
                parse_timestamp("2020-01-01").unwrap(),
                parse_timestamp("2020-01-02").unwrap()
            ]
        );
        assert_eq!(daily.values, vec![2.0, 10.0]);
        assert_eq!(daily.interval, Interval::DAILY);
    }

    #[test]
    fn empty_buckets_are_missing() {
        let series = FlowSeries::new(vec![0, 2 * DAY], vec![4.0, 6.0], Interval::DAILY).unwrap();
        let daily = resample_mean(&series, Interval::DAILY);
        assert_eq!(daily.timestamps, vec![0, DAY, 2 * DAY]);
        assert!(daily.values[1].is_nan());
    }

    #[test]
    fn a_year_of_minutes_gives_367_days() {
        let start = parse_timestamp("2020-01-01 0:00").unwrap();
        let end = parse_timestamp("2021-01-01 0:00").unwrap();
        let timestamps: Vec<i64> = (start..=end).step_by(60).collect();
        assert_eq!(timestamps.len(), 527_041);
        let values = vec![1.0; timestamps.len()];
        let daily = resample_mean(
            &FlowSeries::new(timestamps, values, Interval::MINUTE).unwrap(),
            Interval::DAILY,
        );
        assert_eq!(daily.len(), 367);
    }
}
