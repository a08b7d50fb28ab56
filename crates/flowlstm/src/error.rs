use std::path::PathBuf;

/// Everything that can go wrong training, saving, loading or running the model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LstmError {
    /// A data problem found by flowcore (too few rows, a value that is not finite, …).
    #[error(transparent)]
    Core(#[from] flowcore::CoreError),
    /// libtorch refused an operation.
    #[error("libtorch: {0}")]
    Torch(String),
    /// The loss stopped being a number: the learning rate is too high for this data.
    #[error(
        "training diverged: the loss became {loss} at epoch {epoch}; try a lower learning rate or --optimizer adam"
    )]
    Diverged {
        /// 1-based epoch.
        epoch: usize,
        /// The loss seen.
        loss: f64,
    },
    /// A model folder that cannot be used.
    #[error("{path}: {message}")]
    ModelFile {
        /// The offending file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A model that does not fit the data it is asked to predict.
    #[error("model in {path} cannot be used here: {reason}")]
    Incompatible {
        /// The model folder.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A model dimension beyond what flow builds (see `LIMITS`).
    #[error("--{name} {value}: must be at most {limit}")]
    TooLarge {
        /// `hidden`, `layers`, `window` or `periods`.
        name: &'static str,
        /// What was given.
        value: usize,
        /// The most allowed.
        limit: usize,
    },
    /// A size or count of 0 (window, periods, hidden, layers, epochs, batch size).
    #[error("{name} must be at least 1")]
    Zero {
        /// Which setting.
        name: &'static str,
    },
    /// A learning rate that is not a positive number.
    #[error("learning rate {rate}: must be a positive number")]
    LearningRate {
        /// What was given (or the optimiser's default).
        rate: f64,
    },
    /// A share of training windows held out for early stopping outside 0 to 0.9.
    #[error("--validation {fraction}: must be from 0 to below 0.9 (0 = no early stopping)")]
    ValidationFraction {
        /// What was given.
        fraction: f64,
    },
    /// A forecast horizon of 0 or beyond the limit.
    #[error("--horizon {horizon}: must be from 1 to {limit} steps")]
    Horizon {
        /// What was asked for.
        horizon: usize,
        /// The most allowed.
        limit: usize,
    },
    /// An inference batch of no windows.
    #[error("--scan-batch-size / --batch-size 0: must be at least 1")]
    BatchSize,
    /// A preset name that is not one of flow's.
    #[error("preset `{name}`: expected recommended or original")]
    UnknownPreset {
        /// What was given.
        name: String,
    },
    /// A train fraction that leaves no training or no test part.
    #[error("--train-fraction {fraction}: must be a number between 0 and 1 (exclusive), e.g. 0.7")]
    TrainFraction {
        /// What was given.
        fraction: f64,
    },
    /// A learning-rate decay that is negative or not a number.
    #[error("learning-rate decay {decay}: must be a finite number of 0 or more")]
    Decay {
        /// What was given.
        decay: f64,
    },
    /// A setting outside what the model accepts.
    #[error("invalid setting: {0}")]
    InvalidConfig(String),
}

impl From<tch::TchError> for LstmError {
    fn from(error: tch::TchError) -> Self {
        LstmError::Torch(error.to_string())
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = LstmError> = std::result::Result<T, E>;
