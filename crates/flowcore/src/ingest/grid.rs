//! Rows put in time order with one reading per timestamp, and a wandering logger clock moved onto
//! its interval's grid.

use super::SnapReport;
use crate::clock::LocalClock;
use crate::series::Interval;

/// Rows sorted by time with one reading per timestamp.
pub(super) struct Deduped {
    pub(super) timestamps: Vec<i64>,
    pub(super) values: Vec<f64>,
    pub(super) duplicates: usize,
    /// Duplicates whose number differed from the one they replaced (a re-send's correction, or
    /// two files that disagree), not the same reading twice.
    pub(super) differing: usize,
    pub(super) reordered: bool,
    pub(super) repeated: Vec<i64>,
    /// The times written more than once that the local clock does not repeat (each once).
    pub(super) duplicated: Vec<i64>,
}

/// Sorts rows by time (stable) and keeps one reading per timestamp: the last finite one, except
/// at a wall-clock time the local clock shows twice (`repeated`), whose readings are two different
/// hours of flow and are averaged.
pub(super) fn sort_and_dedupe(timestamps: Vec<i64>, values: Vec<f64>, repeated: impl Fn(i64) -> bool) -> Deduped {
    let sorted_strictly = timestamps.windows(2).all(|pair| pair[0] < pair[1]);
    if sorted_strictly {
        return Deduped {
            timestamps,
            values,
            duplicates: 0,
            differing: 0,
            reordered: false,
            repeated: Vec::new(),
            duplicated: Vec::new(),
        };
    }
    let reordered = !timestamps.windows(2).all(|pair| pair[0] <= pair[1]);
    let mut order: Vec<usize> = (0..timestamps.len()).collect();
    order.sort_by_key(|&i| timestamps[i]);
    let mut kept_times: Vec<i64> = Vec::with_capacity(timestamps.len());
    let mut kept_values: Vec<f64> = Vec::with_capacity(timestamps.len());
    // Sum and count of the finite readings of the current timestamp, for averaging.
    let (mut sum, mut count) = (0.0, 0usize);
    let (mut duplicates, mut differing) = (0, 0);
    let mut repeated_times = Vec::new();
    let mut duplicated = Vec::new();
    for i in order {
        let (time, value) = (timestamps[i], values[i]);
        if kept_times.last() == Some(&time) {
            let Some(last) = kept_values.last_mut() else { continue };
            if repeated(time) {
                if repeated_times.last() != Some(&time) {
                    repeated_times.push(time);
                }
                if value.is_finite() {
                    sum += value;
                    count += 1;
                    *last = sum / count as f64;
                }
            } else {
                duplicates += 1;
                if duplicated.last() != Some(&time) {
                    duplicated.push(time);
                }
                if value.is_finite() {
                    if last.is_finite() && *last != value {
                        differing += 1;
                    }
                    *last = value;
                }
            }
        } else {
            kept_times.push(time);
            kept_values.push(value);
            (sum, count) = if value.is_finite() { (value, 1) } else { (0.0, 0) };
        }
    }
    Deduped {
        timestamps: kept_times,
        values: kept_values,
        duplicates,
        differing,
        reordered,
        repeated: repeated_times,
        duplicated,
    }
}

/// A series moved onto its interval's grid.
pub(super) struct Snapped {
    pub(super) timestamps: Vec<i64>,
    pub(super) values: Vec<f64>,
    pub(super) report: SnapReport,
}

/// The farthest a reading is moved onto its grid: a logger's clock wanders by seconds, a few
/// minutes at most; a daily reading taken at 18:00 is no midnight reading.
const MAX_SNAP_SECONDS: i64 = 5 * 60;

/// Moves each reading within a quarter of `step` (and [`MAX_SNAP_SECONDS`]) of a grid point (a
/// multiple of `step` from midnight) onto it, averaging readings that meet there — when the clock wanders *either side*
/// of the grid: some readings come just before a grid point, and no more of them than at or just
/// after one. Without this, `10:59:58` falls in the 10:00 bucket, 11:00 has no reading, and a
/// quarter of an hourly file's buckets are gaps filled by guesswork. Readings stamped mostly just
/// before the grid (`23:59:59` for the day ending then) stay in the bucket they name, and readings
/// on the grid never move.
pub(super) fn snap_to_grid(timestamps: Vec<i64>, values: Vec<f64>, interval: Interval) -> Snapped {
    let step = interval.seconds();
    let tolerance = (step / 4).min(MAX_SNAP_SECONDS);
    // The move that puts a reading on its nearest grid point, when within the tolerance.
    let shift = |t: i64| {
        let offset = t.rem_euclid(step);
        if offset <= tolerance {
            Some(-offset)
        } else if step - offset <= tolerance {
            Some(step - offset)
        } else {
            None
        }
    };
    let (mut early, mut on_or_after) = (0usize, 0usize);
    for &t in &timestamps {
        match shift(t) {
            Some(s) if s > 0 => early += 1,
            Some(_) => on_or_after += 1,
            None => {}
        }
    }
    if tolerance == 0 || early == 0 || early > on_or_after {
        return Snapped {
            timestamps,
            values,
            report: SnapReport::default(),
        };
    }
    let mut report = SnapReport {
        grid: Some(interval),
        ..SnapReport::default()
    };
    let mut kept_times: Vec<i64> = Vec::with_capacity(timestamps.len());
    let mut kept_values: Vec<f64> = Vec::with_capacity(values.len());
    // Sum and count of the finite readings that met at the last kept time.
    let (mut sum, mut count) = (0.0, 0usize);
    for (t, value) in timestamps.into_iter().zip(values) {
        let moved = shift(t).unwrap_or(0);
        if moved != 0 {
            report.moved += 1;
            report.largest_seconds = report.largest_seconds.max(moved.abs());
        }
        // Moving towards the nearest grid point keeps the order: a reading between a moved one and
        // its grid point would have moved there too. So readings that meet are neighbours.
        let time = t + moved;
        match kept_values.last_mut() {
            Some(last) if kept_times.last() == Some(&time) => {
                report.merged += 1;
                if value.is_finite() {
                    sum += value;
                    count += 1;
                    *last = sum / count as f64;
                }
            }
            _ => {
                kept_times.push(time);
                kept_values.push(value);
                (sum, count) = if value.is_finite() { (value, 1) } else { (0.0, 0) };
            }
        }
    }
    Snapped {
        timestamps: kept_times,
        values: kept_values,
        report,
    }
}

/// The wall-clock times in the gaps of `timestamps` (at `step` seconds) that `clock` never shows.
/// Only gaps of up to a day are walked: a spring change is one hour.
pub(super) fn skipped_times(timestamps: &[i64], step: i64, clock: LocalClock) -> Vec<i64> {
    let mut skipped = Vec::new();
    for pair in timestamps.windows(2) {
        let gap = pair[1] - pair[0];
        if gap > step && gap <= crate::time::DAY && step > 0 {
            let mut time = pair[0] + step;
            while time < pair[1] {
                if clock.is_skipped(time) {
                    skipped.push(time);
                }
                time += step;
            }
        }
    }
    skipped
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-checked: hourly readings up to 40 s either side of the hour. `10:59:40` and `11:00:20`
    /// both move to 11:00 and are averaged; `13:20` is a quarter-hour past no grid point's reach
    /// (20 min > 15) and stays; readings on the hour do not move.
    #[test]
    fn a_wandering_clock_is_moved_onto_the_hour() {
        let h = 3_600;
        let times = vec![
            10 * h,
            11 * h - 20,
            11 * h + 20,
            12 * h + 40,
            13 * h + 1_200,
            14 * h - 5,
        ];
        let values = vec![1.0, 2.0, 4.0, 5.0, 6.0, f64::NAN];
        let snapped = snap_to_grid(times, values, Interval::HOURLY);
        assert_eq!(snapped.timestamps, [10 * h, 11 * h, 12 * h, 13 * h + 1_200, 14 * h]);
        assert_eq!(snapped.values[..4], [1.0, 3.0, 5.0, 6.0]);
        assert!(snapped.values[4].is_nan());
        assert_eq!(
            snapped.report,
            SnapReport {
                grid: Some(Interval::HOURLY),
                moved: 4,
                largest_seconds: 40,
                merged: 1
            }
        );
    }

    /// Daily readings taken early in the morning and a few in the evening (a meter read by hand)
    /// stay in their day: an evening is hours from midnight, not a clock's seconds. (Within a
    /// quarter day alone, the 20:00 readings went to the next midnight.)
    #[test]
    fn daily_readings_hours_off_midnight_are_not_moved() {
        let day = 86_400;
        let times: Vec<i64> = (0..10)
            .map(|d| d * day + if d % 3 == 0 { 20 * 3_600 } else { 5 * 3_600 })
            .collect();
        let snapped = snap_to_grid(times.clone(), vec![1.0; 10], Interval::DAILY);
        assert_eq!(snapped.timestamps, times);
        assert_eq!(snapped.report.moved, 0);
    }

    /// Readings stamped just before the grid, every one (`23:59:59` for the day that ends, or the
    /// hour's mean at `10:59:59`), keep the bucket they name; a file on the grid is left as it is.
    #[test]
    fn readings_stamped_at_the_end_of_their_period_are_not_moved() {
        let h = 3_600;
        let end_stamped: Vec<i64> = (1..=48).map(|k| k * h - 1).collect();
        let snapped = snap_to_grid(end_stamped.clone(), vec![1.0; 48], Interval::HOURLY);
        assert_eq!(snapped.timestamps, end_stamped);
        assert_eq!(snapped.report, SnapReport::default());
        let on_grid: Vec<i64> = (0..48).map(|k| k * h).collect();
        assert_eq!(
            snap_to_grid(on_grid.clone(), vec![1.0; 48], Interval::HOURLY).timestamps,
            on_grid
        );
    }
}
