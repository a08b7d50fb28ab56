//! Totalisers: a column of the volume so far (`적산유량`, a meter's register) read as the flow
//! between its readings, so a utility's export can be given as it is.
//!
//! A flow rises and falls every day; a register only rises, and falls back only when it rolls over
//! or is reset. Read as a flow, a register makes every later stage nonsense (a "night flow" of
//! 156,846, a forecast of the register). So a column that almost never falls is read as its rise
//! per hour between readings.
//!
//! ```
//! use flowcore::totaliser::read_as_flow;
//! use flowcore::{FlowSeries, Interval};
//!
//! // A register (m³) read hourly for two days, 12 m³ an hour, then 30 m³ an hour.
//! let values: Vec<f64> = (0..48).map(|h| 5_000.0 + 12.0 * h.min(40) as f64 + 30.0 * (h.max(40) - 40) as f64).collect();
//! let register = FlowSeries::new((0..48).map(|h| h * 3_600).collect(), values, Interval::HOURLY)?;
//! let (flow, report) = read_as_flow(&register).expect("a register");
//! assert_eq!((flow.values[0], flow.values[39], flow.values[40]), (12.0, 12.0, 30.0));
//! assert!(flow.values[47].is_nan(), "the last hour has no next reading");
//! assert_eq!(report.resets, 0);
//! # Ok::<(), flowcore::CoreError>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::series::FlowSeries;
use crate::time::HOUR;

/// Pairs of consecutive readings needed to tell a register from a flow: a day of hours.
pub const MIN_PAIRS: usize = 24;

/// The share of pairs that may fall (roll-overs, resets, a meter exchanged) in a register; a flow
/// falls about as often as it rises.
pub const MAX_FALLING_SHARE: f64 = 0.01;

/// The share of pairs that must rise: a register stuck for most of the file is a stuck meter.
pub const MIN_RISING_SHARE: f64 = 0.25;

/// What reading a column as a totaliser did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotaliserReport {
    /// Times the register fell (rolled over, reset): the flow between those two readings is
    /// missing, not negative.
    pub resets: usize,
    /// The reading after the first fall.
    pub first_reset: Option<i64>,
}

/// Whether `values` (in time order, `NaN` missing) are a register's: over at least [`MIN_PAIRS`]
/// pairs of consecutive readings, at most [`MAX_FALLING_SHARE`] fall and at least
/// [`MIN_RISING_SHARE`] rise.
pub fn is_totaliser(values: &[f64]) -> bool {
    let (mut pairs, mut rising, mut falling) = (0usize, 0usize, 0usize);
    for pair in values.windows(2) {
        if pair[0].is_finite() && pair[1].is_finite() {
            pairs += 1;
            if pair[1] > pair[0] {
                rising += 1;
            } else if pair[1] < pair[0] {
                falling += 1;
            }
        }
    }
    pairs >= MIN_PAIRS
        && (falling as f64) <= MAX_FALLING_SHARE * pairs as f64
        && (rising as f64) >= MIN_RISING_SHARE * pairs as f64
}

/// The flow per hour between consecutive readings of a register, stamped at the first of the two
/// (the interval it covers starts there, as buckets do), when [`is_totaliser`] says it is one;
/// else `None`. A pair with a reading missing, or where the register fell, gives a missing flow;
/// the last reading, with no next one, gives a missing flow too.
pub fn read_as_flow(series: &FlowSeries) -> Option<(FlowSeries, TotaliserReport)> {
    if !is_totaliser(&series.values) {
        return None;
    }
    let mut report = TotaliserReport::default();
    let mut flow = vec![f64::NAN; series.len()];
    for i in 1..series.len() {
        let (before, after) = (series.values[i - 1], series.values[i]);
        if !(before.is_finite() && after.is_finite()) {
            continue;
        }
        if after < before {
            report.resets += 1;
            report.first_reset.get_or_insert(series.timestamps[i]);
            continue;
        }
        let hours = (series.timestamps[i] - series.timestamps[i - 1]) as f64 / HOUR as f64;
        flow[i - 1] = (after - before) / hours;
    }
    let read = FlowSeries {
        timestamps: series.timestamps.clone(),
        values: flow,
        interval: series.interval,
    };
    Some((read, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::Interval;

    fn hourly(values: Vec<f64>) -> FlowSeries {
        FlowSeries::new(
            (0..values.len() as i64).map(|h| h * HOUR).collect(),
            values,
            Interval::HOURLY,
        )
        .unwrap()
    }

    /// Hand-checked: a register (m³, rolling over at 100,000) read every 30 minutes, rising 5, 5,
    /// 0, 10 m³ in turn: 10, 10, 0, 20 m³/h. From 99,900 it reaches 99,990 at reading 19 and shows
    /// 0 at reading 20 (rolled over); reading 35 is missing, so the flows either side are too.
    #[test]
    fn a_register_is_read_as_its_rise_per_hour() {
        let step = [5.0, 5.0, 0.0, 10.0];
        let mut values: Vec<f64> = (0..200)
            .map(|k| (99_900.0 + (0..k).map(|j| step[j % 4]).sum::<f64>()) % 100_000.0)
            .collect();
        assert_eq!((values[19], values[20]), (99_990.0, 0.0));
        values[35] = f64::NAN;
        let series = FlowSeries::new((0..200).map(|k| k * 1_800).collect(), values, Interval::HALF_HOUR).unwrap();
        let (flow, report) = read_as_flow(&series).unwrap();
        assert_eq!(flow.values[..4], [10.0, 10.0, 0.0, 20.0]);
        assert_eq!(flow.values[20..24], [10.0, 10.0, 0.0, 20.0]);
        assert!(flow.values[19].is_nan(), "the roll-over's half hour");
        assert!(
            flow.values[34].is_nan() && flow.values[35].is_nan(),
            "either side of the gap"
        );
        assert!(flow.values[199].is_nan(), "the last reading has no next one");
        assert_eq!(
            report,
            TotaliserReport {
                resets: 1,
                first_reset: Some(20 * 1_800)
            }
        );
        assert_eq!(flow.timestamps, series.timestamps);
    }

    /// A daily cycle of flow, a pump switching on and off, a stuck meter and a day of register are
    /// no totaliser; two days of register are.
    #[test]
    fn flows_stuck_meters_and_pumps_are_not_registers() {
        let cycle: Vec<f64> = (0..240)
            .map(|h| 300.0 + 40.0 * (h as f64 / 24.0 * std::f64::consts::TAU).sin())
            .collect();
        assert!(!is_totaliser(&cycle));
        let pump: Vec<f64> = (0..240).map(|h| if h % 48 < 24 { 0.0 } else { 50.0 }).collect();
        assert!(!is_totaliser(&pump));
        assert!(!is_totaliser(&[7.0; 240]));
        let register: Vec<f64> = (0..48).map(|h| 1_000.0 + 3.0 * h as f64).collect();
        assert!(!is_totaliser(&register[..24]), "23 pairs");
        assert!(is_totaliser(&register));
        assert!(read_as_flow(&hourly(cycle)).is_none());
        let (flow, _) = read_as_flow(&hourly(register)).unwrap();
        assert_eq!(flow.values[0], 3.0);
    }
}
