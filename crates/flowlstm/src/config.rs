//! Settings of training and inference. Defaults mirror the original `2_Learning_LSTM.py`.

use std::str::FromStr;

use flowcore::FeatureSet;
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
            other => Err(LstmError::InvalidConfig(format!(
                "optimizer `{other}`: expected sgd or adam"
            ))),
        }
    }
}

/// Where tensors live.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// The CPU, everywhere.
    Cpu,
    /// The first CUDA GPU; an error where there is none.
    Cuda,
    /// CUDA when libtorch sees a GPU, else the CPU (default).
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
            other => Err(LstmError::InvalidConfig(format!(
                "device `{other}`: expected cpu, cuda or auto"
            ))),
        }
    }
}

impl DeviceChoice {
    /// The libtorch device.
    pub fn resolve(self) -> Result<tch::Device, LstmError> {
        match self {
            DeviceChoice::Cpu => Ok(tch::Device::Cpu),
            DeviceChoice::Auto => Ok(tch::Device::cuda_if_available()),
            DeviceChoice::Cuda if tch::Cuda::is_available() => Ok(tch::Device::Cuda(0)),
            DeviceChoice::Cuda => Err(LstmError::InvalidConfig(
                "--device cuda: libtorch sees no CUDA GPU".to_string(),
            )),
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
    /// Passes over the training windows (100).
    pub epochs: usize,
    /// Windows per gradient step (32).
    pub batch_size: usize,
    /// SGD with momentum 0.9, as the original, or Adam.
    pub optimizer: Optimizer,
    /// Learning rate; the optimiser's default when `None`.
    pub learning_rate: Option<f64>,
    /// Shuffle windows each epoch (off, as the original).
    pub shuffle: bool,
    /// Seed of weight initialisation and shuffling (42): CPU runs repeat bit for bit.
    pub seed: u64,
    /// Share of rows, in time order, used for training (0.7).
    pub train_fraction: f64,
    /// Share of the training windows, at their end, held out to stop early (0: off, as the original).
    pub validation_fraction: f64,
    /// Epochs without a better validation loss before stopping (10), when validation is on.
    pub patience: usize,
    /// Calendar inputs beside the flow (none, as the original).
    pub features: FeatureSet,
    /// Where to train.
    pub device: DeviceChoice,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            window: 7,
            periods: 1,
            hidden: 50,
            layers: 2,
            epochs: 100,
            batch_size: 32,
            optimizer: Optimizer::Sgd,
            learning_rate: None,
            shuffle: false,
            seed: 42,
            train_fraction: 0.7,
            validation_fraction: 0.0,
            patience: 10,
            features: FeatureSet::default(),
            device: DeviceChoice::Auto,
        }
    }
}

impl TrainConfig {
    /// The learning rate in force.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
            .unwrap_or_else(|| self.optimizer.default_learning_rate())
    }

    pub(crate) fn validate(&self) -> Result<(), LstmError> {
        let positive = [
            ("window", self.window),
            ("periods", self.periods),
            ("hidden", self.hidden),
            ("layers", self.layers),
            ("epochs", self.epochs),
            ("batch size", self.batch_size),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, value)| *value == 0) {
            return Err(LstmError::InvalidConfig(format!(
                "{name} must be at least 1"
            )));
        }
        let rate = self.learning_rate();
        if !(rate.is_finite() && rate > 0.0) {
            return Err(LstmError::InvalidConfig(format!(
                "learning rate {rate}: must be a positive number"
            )));
        }
        if !(0.0..0.9).contains(&self.validation_fraction) {
            return Err(LstmError::InvalidConfig(format!(
                "validation fraction {}: must be from 0 to below 0.9",
                self.validation_fraction
            )));
        }
        Ok(())
    }
}

/// Settings of `flow predict`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PredictConfig {
    /// Windows per inference batch (2048). Measured on the 2-core reference machine
    /// (`cargo run --release -p flowlstm --example scan_speed`): 256 → 4.0 s, 1024 → 3.0 s,
    /// 2048 → 2.9 s, 8192 → 4.8 s for a year of minutes. Small batches pay libtorch's per-call
    /// cost; large ones spill the gate tensors out of cache. A bounded batch also keeps memory flat.
    pub batch_size: usize,
    /// Where to run.
    pub device: DeviceChoice,
}

impl Default for PredictConfig {
    fn default() -> Self {
        PredictConfig {
            batch_size: 8192,
            device: DeviceChoice::Auto,
        }
    }
}
