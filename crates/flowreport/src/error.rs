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
    #[error("the actual values are constant ({value}) over the test set: variance is zero, so accuracy ratios cannot be computed; is the meter stuck?")]
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
