//! Chronological train/test split.

use crate::error::{CoreError, Result};
use crate::series::FlowSeries;

/// Splits a series in time order: the first `floor(len · train_fraction)` rows train, the rest test,
/// as the original's `int(len(data) * 0.7)`. 367 days give 256 and 111.
pub fn split_chronological(series: &FlowSeries, train_fraction: f64) -> Result<(FlowSeries, FlowSeries)> {
    if !(train_fraction > 0.0 && train_fraction < 1.0) {
        return Err(CoreError::TrainFraction(train_fraction));
    }
    let train_rows = (series.len() as f64 * train_fraction).floor() as usize;
    Ok((series.slice(0, train_rows), series.slice(train_rows, series.len())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::Interval;

    #[test]
    fn seventy_thirty_of_a_leap_year_plus_one() {
        let series = FlowSeries::new((0..367).collect(), vec![0.0; 367], Interval::DAILY).unwrap();
        let (train, test) = split_chronological(&series, 0.7).unwrap();
        assert_eq!((train.len(), test.len()), (256, 111));
        assert_eq!(test.timestamps[0], 256);
        assert!(split_chronological(&series, 1.0).is_err());
    }
}
