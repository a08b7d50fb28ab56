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
    /// Weeks of same-hour inputs outside 1 to 8.
    #[error("--weeks {weeks}: must be from 1 to 8")]
    ProfileWeeks {
        /// What was given.
        weeks: usize,
    },
    /// A ridge penalty that is not a positive number.
    #[error("--ridge {value}: must be a positive number")]
    RidgePenalty {
        /// What was given.
        value: f64,
    },
    /// A span in days below its least.
    #[error("--{name} {days}: must be at least {least} days")]
    TooFewDays {
        /// Which setting.
        name: &'static str,
        /// What was given.
        days: usize,
        /// The least allowed.
        least: usize,
    },
    /// A series that is neither hourly nor daily where a horizon forecast needs one of them.
    #[error("the series steps by {interval}: the horizon forecast takes hourly or daily values (--interval hourly or daily)")]
    NotHourlyOrDaily {
        /// Its step.
        interval: String,
    },
    /// Too little history for the horizon asked.
    #[error(
        "{have_days} days of history are too few for a horizon of {horizon} steps{}: need at least {need_days} (5 weeks of inputs, the calibration days and the horizon)",
        blank_tail_note(*.horizon, *.tail)
    )]
    HistoryTooShort {
        /// Days of history there are.
        have_days: usize,
        /// Days needed.
        need_days: usize,
        /// The steps forecast: those asked, and the blank steps at the history's end before them.
        horizon: usize,
        /// Those blank steps (forecast too: a horizon of 227 where 168 were asked reads as a
        /// mistake unless it is said).
        tail: usize,
    },
    /// Long enough, but the span the model needs is mostly blank (an outage of months): fitted on
    /// values filled across it, the forecast and its bands would be checked on nothing real.
    #[error(
        "only {have_days} of the last {need_days} days hold readings (the longest gap runs from {gap_from} to {gap_to}): too few to fit a forecast of {horizon} steps{} and check it on held-out days; at least half of them must hold readings",
        blank_tail_note(*.horizon, *.tail)
    )]
    TooFewReadings {
        /// Days' worth of readings in the span.
        have_days: usize,
        /// The span the model needs, in days.
        need_days: usize,
        /// First blank step of the longest gap in it.
        gap_from: String,
        /// Last blank step of it.
        gap_to: String,
        /// The steps forecast, the history's blank end among them.
        horizon: usize,
        /// That blank end's steps.
        tail: usize,
    },
    /// A column whose last weeks are blank: nothing recent to forecast from.
    #[error("no readings in the last {days} days: nothing recent to forecast from")]
    NoRecentReadings {
        /// The span looked at.
        days: usize,
    },
    /// No week of history with a positive mean flow: the regression works on flow over the last
    /// week's mean.
    #[error("no week of the history has a positive mean flow (a column constant at zero, or negative): the week-profile regression divides by it")]
    NoPositiveLevel,
    /// A saved model whose parts do not fit its own settings.
    #[error("the model holds {have} {what} where its settings need {expected} (edited by hand, or cut short?)")]
    ModelShape {
        /// Which part.
        what: &'static str,
        /// How many it holds.
        have: usize,
        /// How many its settings need.
        expected: usize,
    },
    /// The regression's equations have no unique solution.
    #[error("the regression on {rows} rows has no unique solution (a constant or blank column?)")]
    Singular {
        /// Rows fitted.
        rows: usize,
    },
    /// A model fitted with the weather asked to forecast steps the weather file does not cover.
    #[error("the model uses the weather but the weather file has no values from {from} over the horizon")]
    WeatherMissing {
        /// The first step.
        from: String,
    },
    /// An optimizer flow does not have.
    #[error("invalid setting: optimizer `{0}`: expected sgd or adam")]
    UnknownOptimizer(String),
    /// A training target flow does not have.
    #[error("invalid setting: target `{0}`: expected level or change")]
    UnknownTarget(String),
    /// A device flow does not know.
    #[error("invalid setting: device `{0}`: expected cpu, cuda or auto")]
    UnknownDevice(String),
    /// `--device cuda` where libtorch sees no GPU.
    #[error("invalid setting: --device cuda: libtorch sees no CUDA GPU (is the NVIDIA driver installed?)")]
    NoCudaGpu,
    /// `--device cuda` where libtorch's CUDA library does not load.
    #[error("invalid setting: --device cuda: cannot load libtorch's CUDA library: {0}")]
    CudaLibrary(String),
    /// A training part with no finite value to scale by.
    #[error("the training part has no value")]
    NoTrainingValues,
    /// A series at another interval than the model's.
    #[error("the series is at interval {series}, the model at {model}")]
    IntervalMismatch {
        /// The series' interval.
        series: flowcore::Interval,
        /// The model's.
        model: flowcore::Interval,
    },
    /// A model's metadata that could not be written as JSON.
    #[error("model metadata: {0}")]
    Meta(#[from] serde_json::Error),
}

impl From<tch::TchError> for LstmError {
    fn from(error: tch::TchError) -> Self {
        LstmError::Torch(error.to_string())
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = LstmError> = std::result::Result<T, E>;

/// ` (the 59 blank steps at the history's end, and 168 after it)`, or nothing with no blank end.
fn blank_tail_note(horizon: usize, tail: usize) -> String {
    if tail == 0 {
        String::new()
    } else {
        format!(
            " (the {tail} blank steps at the history's end, and {} after it)",
            horizon.saturating_sub(tail)
        )
    }
}
