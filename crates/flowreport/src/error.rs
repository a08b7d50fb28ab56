use std::path::PathBuf;

/// What can stop a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// No test points to judge the model on.
    #[error("cannot report on an empty test set: the series is too short to hold back test rows")]
    EmptyTestSet,
    /// Too few values to forecast from with every baseline.
    #[error("{values} values are too few to forecast with the baselines: they need {need} (a season back, and the moving average's window)")]
    TooShortForBaselines {
        /// Values given.
        values: usize,
        /// Values needed.
        need: usize,
    },
    /// Actual and predicted differ in length.
    #[error("{actual} actual values but {predicted} predictions")]
    LengthMismatch {
        /// Actual values.
        actual: usize,
        /// Predictions.
        predicted: usize,
    },
    /// A value that is NaN or infinite.
    #[error("the {what} at position {index} is not a finite number")]
    NotFinite {
        /// `actual value` or `prediction`.
        what: &'static str,
        /// 0-based.
        index: usize,
    },
    /// The measured series never moves: variance-based statistics mean nothing.
    #[error("the actual values are constant ({}) over the test set: variance is zero, so accuracy ratios cannot be computed; is the meter stuck?", short_number(*.value))]
    ConstantSeries {
        /// The value.
        value: f64,
    },
    /// A file could not be written.
    #[error("{path}: {message}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Drawing failed.
    #[error("drawing {what}: {message}")]
    Draw {
        /// Which graph.
        what: &'static str,
        /// Why.
        message: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;

/// A number as a line can hold it: plain between 1e-4 and 1e16 (`5`, `0.25`), else with an exponent
/// (`2e-300`): Rust writes every digit of a plain f64, three hundred zeros for 2e-300.
fn short_number(value: f64) -> String {
    // Six decimals or six significant digits, trailing zeros dropped: a mean of readings such as
    // 2.0000000000000007e-300 is said as 2e-300.
    let trim = |digits: &str| digits.trim_end_matches('0').trim_end_matches('.').to_string();
    if value == 0.0 || !value.is_finite() {
        format!("{value}")
    } else if (1e-4..1e16).contains(&value.abs()) {
        trim(&format!("{value:.6}"))
    } else {
        let text = format!("{value:.5e}");
        match text.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trim(mantissa)),
            None => text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_is_said_in_a_few_characters() {
        let said = |value: f64| ReportError::ConstantSeries { value }.to_string();
        assert!(said(5.0).contains("constant (5) over"));
        assert!(said(0.25).contains("constant (0.25) over"));
        assert!(said(0.0).contains("constant (0) over"));
        // A tiny or huge value once filled the line with three hundred digits.
        assert!(said(2e-300).contains("constant (2e-300) over"));
        assert!(said(-3.5e20).contains("constant (-3.5e20) over"));
        assert!(said(2.0000000000000007e-300).contains("constant (2e-300) over"));
        assert!(said(0.30000000000000004).contains("constant (0.3) over"));
    }
}
