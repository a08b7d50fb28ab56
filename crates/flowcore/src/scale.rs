//! Min-max scaling, fitted on the training part only.

use serde::{Deserialize, Serialize};

/// Maps `[min, max]` onto `[0, 1]`, as scikit-learn's `MinMaxScaler`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MinMaxScaler {
    /// Smallest training value.
    pub min: f64,
    /// Largest training value.
    pub max: f64,
}

impl MinMaxScaler {
    /// Fits on finite values; `None` when there are none.
    pub fn fit(values: &[f64]) -> Option<MinMaxScaler> {
        let mut finite = values.iter().copied().filter(|v| v.is_finite()).peekable();
        finite.peek()?;
        let (min, max) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        Some(MinMaxScaler { min, max })
    }

    /// The divisor; 1 for a constant series, as scikit-learn, so it maps to 0 instead of dividing by 0.
    fn range(&self) -> f64 {
        let range = self.max - self.min;
        if range == 0.0 {
            1.0
        } else {
            range
        }
    }

    /// Scales one value.
    pub fn transform(&self, value: f64) -> f64 {
        (value - self.min) / self.range()
    }

    /// Back to the original units.
    pub fn inverse(&self, scaled: f64) -> f64 {
        scaled * self.range() + self.min
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_handles_constants() {
        let scaler = MinMaxScaler::fit(&[200.0, 300.0, 250.0, f64::NAN]).unwrap();
        assert_eq!((scaler.min, scaler.max), (200.0, 300.0));
        assert_eq!(scaler.transform(250.0), 0.5);
        assert_eq!(scaler.transform(350.0), 1.5);
        assert_eq!(scaler.inverse(0.25), 225.0);
        let constant = MinMaxScaler::fit(&[7.0, 7.0]).unwrap();
        assert_eq!(constant.transform(7.0), 0.0);
        assert_eq!(constant.inverse(0.0), 7.0);
        assert!(MinMaxScaler::fit(&[f64::NAN]).is_none());
    }
}
