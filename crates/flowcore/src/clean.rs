//! Missing readings: trim the ends, bridge short gaps with the last reading, interpolate long ones.

use serde::{Deserialize, Serialize};

/// How the missing readings of a series were handled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FillReport {
    /// Missing readings before the first number, dropped.
    pub leading_dropped: usize,
    /// Missing readings after the last number, dropped.
    pub trailing_dropped: usize,
    /// Readings in short gaps, given the previous reading.
    pub filled_previous: usize,
    /// Readings in long gaps, linearly interpolated.
    pub interpolated: usize,
    /// Number of short gaps.
    pub short_gaps: usize,
    /// Number of long gaps.
    pub long_gaps: usize,
}

/// The span of `values` from the first to the last non-missing reading: `(start, end)` with `end`
/// exclusive, or `None` when every reading is missing.
pub fn finite_span(values: &[f64]) -> Option<(usize, usize)> {
    let start = values.iter().position(|v| !v.is_nan())?;
    let end = values.iter().rposition(|v| !v.is_nan())? + 1;
    Some((start, end))
}

/// Fills every run of `NaN` inside `values` in place, following the original tool: a run of at most
/// `short_gap` readings takes the reading before it; a longer run is interpolated linearly, by
/// position, between the readings on either side.
///
/// Leading and trailing runs have no neighbour on one side; trim them with [`finite_span`] first.
/// Any left here are counted as dropped-worthy and left as they are.
pub fn fill_gaps(values: &mut [f64], short_gap: usize) -> FillReport {
    let mut report = FillReport::default();
    let mut i = 0;
    while i < values.len() {
        if !values[i].is_nan() {
            i += 1;
            continue;
        }
        let start = i;
        while i < values.len() && values[i].is_nan() {
            i += 1;
        }
        let (end, length) = (i, i - start);
        if start == 0 {
            report.leading_dropped += length;
            continue;
        }
        if end == values.len() {
            report.trailing_dropped += length;
            continue;
        }
        let before = values[start - 1];
        if length <= short_gap {
            values[start..end].fill(before);
            report.filled_previous += length;
            report.short_gaps += 1;
        } else {
            let after = values[end];
            let span = (end - start + 1) as f64;
            for (offset, value) in values[start..end].iter_mut().enumerate() {
                *value = before + (after - before) * (offset + 1) as f64 / span;
            }
            report.interpolated += length;
            report.long_gaps += 1;
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: f64 = f64::NAN;

    #[test]
    fn short_gaps_repeat_the_previous_reading() {
        let mut values = [1.0, N, 5.0, N, N, N, 9.0];
        let report = fill_gaps(&mut values, 3);
        assert_eq!(values, [1.0, 1.0, 5.0, 5.0, 5.0, 5.0, 9.0]);
        assert_eq!(
            (report.filled_previous, report.short_gaps, report.interpolated),
            (4, 2, 0)
        );
    }

    #[test]
    fn long_gaps_are_interpolated_by_position() {
        // 4 missing between 10 and 20: steps of 2.
        let mut values = [10.0, N, N, N, N, 20.0];
        let report = fill_gaps(&mut values, 3);
        assert_eq!(values, [10.0, 12.0, 14.0, 16.0, 18.0, 20.0]);
        assert_eq!((report.interpolated, report.long_gaps), (4, 1));
    }

    #[test]
    fn ends_are_reported_not_invented() {
        let values = [N, N, 1.0, N, 2.0, N];
        assert_eq!(finite_span(&values), Some((2, 5)));
        assert_eq!(finite_span(&[N, N]), None);
        let mut values = [N, 1.0, N];
        let report = fill_gaps(&mut values, 3);
        assert_eq!((report.leading_dropped, report.trailing_dropped), (1, 1));
        assert!(values[0].is_nan() && values[2].is_nan());
    }
}
