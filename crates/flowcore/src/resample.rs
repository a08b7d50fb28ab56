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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{parse_timestamp, DAY, HOUR};

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
