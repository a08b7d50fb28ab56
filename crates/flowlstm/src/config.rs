//! Settings of training and inference: the recommended defaults and the original tool's preset.

use std::str::FromStr;

use flowcore::{Check, FeatureSet, MinMaxScaler};
use serde::{Deserialize, Serialize};

use crate::error::LstmError;

/// The optimiser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Optimizer {
    /// Stochastic gradient descent with momentum 0.9 (the original's).
    Sgd,
    /// Adam.
    Adam,
}

impl Optimizer {
    /// The learning rate used when none is given: 0.01 for SGD as the original, 1e-3 for Adam.
    pub fn default_learning_rate(self) -> f64 {
        match self {
            Optimizer::Sgd => 0.01,
            Optimizer::Adam => 1e-3,
        }
    }
}

impl FromStr for Optimizer {
    type Err = LstmError;
    fn from_str(text: &str) -> Result<Self, LstmError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "sgd" => Ok(Optimizer::Sgd),
            "adam" => Ok(Optimizer::Adam),
            other => Err(LstmError::UnknownOptimizer(other.to_string())),
        }
    }
}

/// What the network is trained to output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// The scaled value itself, as the original. A level outside the training range (a series that
    /// keeps rising) has to be extrapolated, which an LSTM does poorly.
    #[default]
    Level,
    /// The scaled change from the previous reading; the forecast is the last reading plus the
    /// predicted change. The changes stay in the range seen in training even when the level drifts.
    Change,
}

impl FromStr for Target {
    type Err = LstmError;
    fn from_str(text: &str) -> Result<Self, LstmError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "level" => Ok(Target::Level),
            "change" => Ok(Target::Change),
            other => Err(LstmError::UnknownTarget(other.to_string())),
        }
    }
}

impl Target {
    /// Fits the scaler on the training part, in the space the network works in.
    pub(crate) fn fit_scaler(self, train: &[f64]) -> Option<MinMaxScaler> {
        match self {
            Target::Level => MinMaxScaler::fit(train),
            Target::Change => MinMaxScaler::fit(&train.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>()),
        }
    }

    /// The network's series: scaled levels, or scaled changes (the first step, which has no
    /// previous reading, gets a change of 0).
    pub(crate) fn encode(self, values: &[f64], scaler: &MinMaxScaler) -> Vec<f64> {
        match self {
            Target::Level => values.iter().map(|v| scaler.transform(*v)).collect(),
            Target::Change => std::iter::once(scaler.transform(0.0))
                .chain(values.windows(2).map(|w| scaler.transform(w[1] - w[0])))
                .collect(),
        }
    }

    /// Back to units: `outputs` are the scaled outputs for consecutive steps after the reading
    /// `previous`.
    pub(crate) fn decode(self, previous: f64, outputs: &[f32], scaler: &MinMaxScaler) -> Vec<f64> {
        let mut level = previous;
        outputs
            .iter()
            .map(|output| {
                let value = scaler.inverse(f64::from(*output));
                match self {
                    Target::Level => value,
                    Target::Change => {
                        level += value;
                        level
                    }
                }
            })
            .collect()
    }
}

/// Where a model's tensors live: flow's own name for it, so no libtorch type is in the public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Device {
    /// The CPU (flow's fused kernel for the scan).
    Cpu,
    /// The CUDA GPU with this index.
    Cuda(usize),
}

impl Device {
    pub(crate) fn tch(self) -> tch::Device {
        match self {
            Device::Cpu => tch::Device::Cpu,
            Device::Cuda(index) => tch::Device::Cuda(index),
        }
    }

    pub(crate) fn from_tch(device: tch::Device) -> Device {
        match device {
            tch::Device::Cuda(index) => Device::Cuda(index),
            _ => Device::Cpu,
        }
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Device::Cpu => f.write_str("cpu"),
            Device::Cuda(index) => write!(f, "cuda:{index}"),
        }
    }
}

/// The smallest LSTM (units per layer) that `--device auto` puts on a GPU.
///
/// Measured (docs/PERFORMANCE.md): the default 2 × 50 LSTM ran `flow run` in 1.74–2.39 s on an
/// H100 and 1.77–2.16 s on an H200 against 1.22–1.30 s on the same machines' CPUs. Its training
/// batches of 64 short windows are bound by kernel-launch latency, so the GPU loses although it
/// scans twice as fast. The work per step grows with the square of the units: at 256 it is 26 times
/// the default's, where the GPU's arithmetic should outweigh the latency. That crossover is an
/// estimate, not a measurement; below it the CPU is the measured winner.
pub const AUTO_GPU_MIN_UNITS: usize = 256;

/// Which device to use, as asked (`--device`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// The CPU, everywhere.
    Cpu,
    /// The first CUDA GPU; an error where there is none.
    Cuda,
    /// The GPU for models of at least [`AUTO_GPU_MIN_UNITS`] units where one is present, else the
    /// CPU (default).
    #[default]
    Auto,
}

impl FromStr for DeviceChoice {
    type Err = LstmError;
    fn from_str(text: &str) -> Result<Self, LstmError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "cpu" => Ok(DeviceChoice::Cpu),
            "cuda" | "gpu" => Ok(DeviceChoice::Cuda),
            "auto" => Ok(DeviceChoice::Auto),
            other => Err(LstmError::UnknownDevice(other.to_string())),
        }
    }
}

/// A device chosen for a model, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Where the model runs.
    pub device: Device,
    /// Why, in a line for the engineer: the flag, or the auto rule's reason.
    pub reason: String,
}

impl DeviceChoice {
    /// The device for a model of `hidden` units per layer, and why.
    ///
    /// `auto` loads libtorch's CUDA library only for a model at or above [`AUTO_GPU_MIN_UNITS`] and
    /// where the NVIDIA driver is installed, so a CPU-only machine never loads the CUDA libraries;
    /// `cuda` always tries and says why it failed.
    pub fn place(self, hidden: usize) -> Result<Placement, LstmError> {
        let placed = |device, reason: String| Ok(Placement { device, reason });
        match self {
            DeviceChoice::Cpu => placed(Device::Cpu, "--device cpu".to_string()),
            DeviceChoice::Auto if hidden < AUTO_GPU_MIN_UNITS => placed(
                Device::Cpu,
                format!(
                    "auto: a model of {hidden} units per layer runs faster on the CPU, as measured; a GPU from {AUTO_GPU_MIN_UNITS} units"
                ),
            ),
            DeviceChoice::Auto => {
                if crate::cuda::driver_present() && crate::cuda::load().is_ok() && tch::Cuda::is_available() {
                    placed(
                        Device::Cuda(0),
                        format!("auto: {hidden} units per layer, large enough for the GPU"),
                    )
                } else {
                    placed(Device::Cpu, "auto: no CUDA GPU here".to_string())
                }
            }
            DeviceChoice::Cuda => match crate::cuda::load() {
                Ok(()) if tch::Cuda::is_available() => placed(Device::Cuda(0), "--device cuda".to_string()),
                Ok(()) => Err(LstmError::NoCudaGpu),
                Err(reason) => Err(LstmError::CudaLibrary(reason.to_string())),
            },
        }
    }
}

/// Settings of `flow train`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainConfig {
    /// Steps of history per sample (7).
    pub window: usize,
    /// Steps predicted per sample (1).
    pub periods: usize,
    /// Units per LSTM layer (50).
    pub hidden: usize,
    /// Stacked LSTM layers (2).
    pub layers: usize,
    /// Passes over the training windows, at most (300 with early stopping; original 700).
    pub epochs: usize,
    /// Windows per gradient step (64; original 32).
    pub batch_size: usize,
    /// Adam (default) or SGD with momentum 0.9, as the original.
    pub optimizer: Optimizer,
    /// Learning rate; the optimiser's default when `None` (recommended: 5e-3 for Adam; original:
    /// SGD's 0.01).
    pub learning_rate: Option<f64>,
    /// Keras' time-based decay: step `k` (0-based, counted over all epochs) trains at
    /// `learning_rate / (1 + decay · k)` (0 = constant; original 1e-7).
    pub decay: f64,
    /// Shuffle windows each epoch (off, as the original).
    pub shuffle: bool,
    /// Seed of weight initialisation and shuffling (42): CPU runs repeat bit for bit.
    pub seed: u64,
    /// Share of rows, in time order, used for training (0.7).
    pub train_fraction: f64,
    /// Share of the training windows, at their end, held out to stop early (0.2; 0 = off, as the original).
    pub validation_fraction: f64,
    /// Epochs without a better validation loss before stopping (10), when validation is on.
    pub patience: usize,
    /// Calendar inputs beside the flow (day of week; the original had none).
    pub features: FeatureSet,
    /// Change from the previous reading (default) or level (the original).
    pub target: Target,
    /// Where to train.
    pub device: DeviceChoice,
}

impl Default for TrainConfig {
    /// The recommended configuration: the best measured on the demo export and on NAB's taxi
    /// series (docs/ACCURACY.md). [`TrainConfig::original`] is the original tool's.
    ///
    /// Adam at 5e-3 on batches of 64 stops early after about 20–100 epochs; at 1e-3 on batches of
    /// 32 it ran 20–300 epochs (up to 3 s) for the same accuracy over five seeds.
    fn default() -> Self {
        TrainConfig {
            optimizer: Optimizer::Adam,
            learning_rate: Some(5e-3),
            decay: 0.0,
            batch_size: 64,
            epochs: 300,
            validation_fraction: 0.2,
            features: FeatureSet {
                day_of_week: true,
                hour_of_day: false,
            },
            target: Target::Change,
            ..TrainConfig::original()
        }
    }
}

impl TrainConfig {
    /// The original `2_Learning_LSTM.py -l`, as its code has it: window 7, 2 × LSTM(50, tanh) and
    /// Dense(periods = 1), SGD (lr 0.01, momentum 0.9, Keras' `decay=1e-7`), 700 epochs of batches
    /// of 32 in order, MSE on min-max scaled levels, no calendar inputs.
    pub fn original() -> TrainConfig {
        TrainConfig {
            window: 7,
            periods: 1,
            hidden: 50,
            layers: 2,
            epochs: 700,
            batch_size: 32,
            optimizer: Optimizer::Sgd,
            learning_rate: None,
            decay: 1e-7,
            shuffle: false,
            seed: 42,
            train_fraction: 0.7,
            validation_fraction: 0.0,
            patience: 10,
            features: FeatureSet::default(),
            target: Target::Level,
            device: DeviceChoice::Auto,
        }
    }

    /// A preset by name: `recommended` (or `default`) and `original`.
    pub fn preset(name: &str) -> Result<TrainConfig, LstmError> {
        match name.trim().to_ascii_lowercase().as_str() {
            "recommended" | "default" => Ok(TrainConfig::default()),
            "original" => Ok(TrainConfig::original()),
            _ => Err(LstmError::UnknownPreset {
                name: name.trim().to_string(),
            }),
        }
    }

    /// The learning rate in force.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
            .unwrap_or_else(|| self.optimizer.default_learning_rate())
    }

    /// The learning rate of gradient step `step` (0-based, counted over all epochs), with Keras'
    /// time-based decay: `rate / (1 + decay · step)`.
    pub fn learning_rate_at(&self, step: usize) -> f64 {
        self.learning_rate() / (1.0 + self.decay * step as f64)
    }
}

impl Check for TrainConfig {
    type Error = LstmError;

    /// Every setting; each bad value gets its own error.
    fn validate(&self) -> Result<(), LstmError> {
        let positive = [
            ("window", self.window),
            ("periods", self.periods),
            ("hidden", self.hidden),
            ("layers", self.layers),
            ("epochs", self.epochs),
            ("batch size", self.batch_size),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, value)| *value == 0) {
            return Err(LstmError::Zero { name });
        }
        if let Some((name, value, limit)) =
            crate::model::LIMITS.check(self.hidden, self.layers, self.window, self.periods)
        {
            return Err(LstmError::TooLarge { name, value, limit });
        }
        let rate = self.learning_rate();
        if !(rate.is_finite() && rate > 0.0) {
            return Err(LstmError::LearningRate { rate });
        }
        if !(self.train_fraction > 0.0 && self.train_fraction < 1.0) {
            return Err(LstmError::TrainFraction {
                fraction: self.train_fraction,
            });
        }
        if !(self.decay.is_finite() && self.decay >= 0.0) {
            return Err(LstmError::Decay { decay: self.decay });
        }
        if !(0.0..0.9).contains(&self.validation_fraction) {
            return Err(LstmError::ValidationFraction {
                fraction: self.validation_fraction,
            });
        }
        Ok(())
    }
}

/// Settings of `flow predict`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictConfig {
    /// Windows per inference batch on a GPU (2048). On the CPU the scan runs the fused kernel
    /// (`kernel/`), which works in cache-sized blocks of its own and ignores this. Measured for
    /// libtorch's LSTM op on the 2-core reference machine (`scan_speed` example, before the kernel):
    /// 256 → 4.0 s, 1024 → 3.0 s, 2048 → 2.9 s, 8192 → 4.8 s for a year of minutes.
    pub batch_size: usize,
    /// Where to run.
    pub device: DeviceChoice,
}

impl Check for PredictConfig {
    type Error = LstmError;

    /// A batch of at least one window.
    fn validate(&self) -> Result<(), LstmError> {
        if self.batch_size == 0 {
            return Err(LstmError::BatchSize);
        }
        Ok(())
    }
}

impl Default for PredictConfig {
    fn default() -> Self {
        PredictConfig {
            batch_size: 2048,
            device: DeviceChoice::Auto,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_on_the_command_line_are_read_in_any_case_and_unknown_ones_are_named() {
        assert_eq!(" Adam ".parse::<Optimizer>().unwrap(), Optimizer::Adam);
        assert_eq!("LEVEL".parse::<Target>().unwrap(), Target::Level);
        assert_eq!("gpu".parse::<DeviceChoice>().unwrap(), DeviceChoice::Cuda);
        assert!(matches!("rmsprop".parse::<Optimizer>(), Err(LstmError::UnknownOptimizer(o)) if o == "rmsprop"));
        assert!(matches!("slope".parse::<Target>(), Err(LstmError::UnknownTarget(t)) if t == "slope"));
        let error = "tpu".parse::<DeviceChoice>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid setting: device `tpu`: expected cpu, cuda or auto"
        );
    }
}
