use std::path::PathBuf;

/// Everything that can stop a command: the library crates' errors, and the refusals of the
/// pipeline itself, each a message an engineer can act on, naming the file where there is one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlowError {
    /// Reading, preprocessing or writing data (flowcore).
    #[error(transparent)]
    Core(#[from] flowcore::CoreError),
    /// Training, saving, loading or running the model (flowlstm).
    #[error(transparent)]
    Lstm(#[from] flowlstm::LstmError),
    /// Statistics and graphs (flowreport).
    #[error(transparent)]
    Report(#[from] flowreport::ReportError),
    /// A report that could not be written as JSON.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// `--outlier-sigma` that is not a positive number.
    #[error("--outlier-sigma {0}: must be a positive number")]
    OutlierSigma(f64),
    /// Some sites of a many-site run failed; the others finished.
    #[error("{file}: {failed} of {total} sites failed ({names}); the others finished; reasons above{where_}")]
    SitesFailed {
        /// Where else the reasons are (`" and in each site's report.json"`), or nothing.
        where_: &'static str,
        /// The export.
        file: PathBuf,
        /// How many failed.
        failed: usize,
        /// How many were run.
        total: usize,
        /// Their slugs, comma-separated.
        names: String,
    },
    /// A request the pipeline refuses (a flag it cannot honour, an output over its input, …), with
    /// the whole message.
    #[error("{0}")]
    Refused(String),
}

impl From<String> for FlowError {
    fn from(message: String) -> Self {
        FlowError::Refused(message)
    }
}

impl From<&str> for FlowError {
    fn from(message: &str) -> Self {
        FlowError::Refused(message.to_string())
    }
}

/// Shorthand for results of this crate.
pub type Result<T = (), E = FlowError> = std::result::Result<T, E>;
