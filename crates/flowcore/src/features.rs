//! Model inputs per step: the scaled flow, optionally with calendar position as sin/cos pairs.

use serde::{Deserialize, Serialize};

use crate::time::{seconds_of_day, weekday, DAY};

/// Which inputs a model sees at each step besides the flow itself.
///
/// Calendar inputs are encoded as a sin/cos pair so that Sunday sits next to Monday and 23:00 next
/// to midnight.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureSet {
    /// Day of the week.
    pub day_of_week: bool,
    /// Hour of the day (meaningless for daily data, where it is constant).
    pub hour_of_day: bool,
}

impl FeatureSet {
    /// Values per step.
    pub fn count(self) -> usize {
        1 + 2 * usize::from(self.day_of_week) + 2 * usize::from(self.hour_of_day)
    }

    /// Names of the inputs in order, for model metadata.
    pub fn names(self) -> Vec<&'static str> {
        let mut names = vec!["flow"];
        if self.day_of_week {
            names.extend(["day_of_week_sin", "day_of_week_cos"]);
        }
        if self.hour_of_day {
            names.extend(["hour_of_day_sin", "hour_of_day_cos"]);
        }
        names
    }

    /// The row-major `steps × count()` input matrix for `scaled` flow values at `timestamps`.
    pub fn matrix(self, timestamps: &[i64], scaled: &[f64]) -> Vec<f32> {
        let mut out = Vec::with_capacity(scaled.len() * self.count());
        for (&timestamp, &value) in timestamps.iter().zip(scaled) {
            out.push(value as f32);
            if self.day_of_week {
                let angle = std::f64::consts::TAU * f64::from(weekday(timestamp)) / 7.0;
                out.extend([angle.sin() as f32, angle.cos() as f32]);
            }
            if self.hour_of_day {
                let angle = std::f64::consts::TAU * seconds_of_day(timestamp) as f64 / DAY as f64;
                out.extend([angle.sin() as f32, angle.cos() as f32]);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;

    #[test]
    fn calendar_pairs_by_hand() {
        let monday_six = parse_timestamp("2020-01-06 06:00").unwrap();
        let set = FeatureSet {
            day_of_week: true,
            hour_of_day: true,
        };
        assert_eq!(set.count(), 5);
        let m = set.matrix(&[monday_six], &[0.5]);
        assert_eq!(m.len(), 5);
        assert_eq!(m[0], 0.5);
        assert_eq!((m[1], m[2]), (0.0, 1.0)); // Monday: angle 0
        assert!((m[3] - 1.0).abs() < 1e-6 && m[4].abs() < 1e-6); // 06:00: a quarter turn
        assert_eq!(FeatureSet::default().matrix(&[0, 1], &[0.25, 0.75]), vec![0.25, 0.75]);
        assert_eq!(set.names().len(), set.count());
    }
}
