//! The network, its self-describing metadata, and saving and loading both.

use std::path::{Path, PathBuf};

use flowcore::{Criteria, FeatureSet, Interval, MinMaxScaler};
use serde::{Deserialize, Serialize};
use tch::nn::{self, Module, RNN};
use tch::{Device, Kind, Tensor};

use crate::error::{LstmError, Result};

/// Name of the weights file inside a model folder.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// Name of the metadata file inside a model folder.
pub const META_FILE: &str = "model.json";
/// Version of the model folder layout; bumped when a field changes meaning.
pub const FORMAT: &str = "flow-lstm/1";

/// Everything needed to use a model without its training data, written as `model.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    /// Layout version, [`FORMAT`].
    pub format: String,
    /// Site slug the model was trained for (or the column name for a bare series).
    pub site: String,
    /// Header of the column it was trained on.
    pub column: String,
    /// Interval of the series it was trained on.
    pub interval: Interval,
    /// Steps of history per prediction.
    pub window: usize,
    /// Steps predicted at once.
    pub periods: usize,
    /// Units per LSTM layer.
    pub hidden: usize,
    /// Stacked LSTM layers.
    pub layers: usize,
    /// Inputs per step beside the flow.
    pub features: FeatureSet,
    /// Input names in order.
    pub feature_names: Vec<String>,
    /// `level` or `change`: what the network outputs.
    #[serde(default)]
    pub target: crate::config::Target,
    /// The min-max scaler fitted on the training part (on changes when the target is `change`).
    pub scaler: MinMaxScaler,
    /// The normal range the anomaly rule uses.
    pub criteria: Criteria,
    /// First training timestamp, `2020-01-01 00:00:00`.
    pub train_start: String,
    /// Last training timestamp.
    pub train_end: String,
    /// Training windows.
    pub train_samples: usize,
    /// Held-out validation windows (0 when early stopping is off).
    pub validation_samples: usize,
    /// Test windows.
    pub test_samples: usize,
    /// Epochs run (fewer than asked when stopped early).
    pub epochs_run: usize,
    /// Windows per gradient step.
    pub batch_size: usize,
    /// `sgd` or `adam`.
    pub optimizer: crate::config::Optimizer,
    /// Learning rate.
    pub learning_rate: f64,
    /// Seed.
    pub seed: u64,
    /// Mean squared error (scaled units) of the last epoch.
    pub final_loss: f64,
    /// Size of the weights file in bytes, to catch a truncated copy.
    pub weights_bytes: u64,
    /// flowlstm version that wrote it.
    pub flow_version: String,
    /// libtorch version it was trained with.
    pub torch_version: String,
}

/// Two stacked LSTM layers and a linear head from the last step's state to `periods` outputs.
#[derive(Debug)]
pub(crate) struct Network {
    lstm: nn::LSTM,
    head: nn::Linear,
}

impl Network {
    pub(crate) fn new(root: &nn::Path<'_>, features: usize, hidden: usize, layers: usize, periods: usize) -> Network {
        let config = nn::RNNConfig {
            num_layers: layers as i64,
            batch_first: true,
            ..Default::default()
        };
        let lstm = nn::lstm(root / "lstm", features as i64, hidden as i64, config);
        let head = nn::linear(root / "head", hidden as i64, periods as i64, Default::default());
        Network { lstm, head }
    }

    /// `(batch, window, features)` in, `(batch, periods)` out.
    pub(crate) fn forward(&self, inputs: &Tensor) -> Tensor {
        let (sequence, _) = self.lstm.seq(inputs);
        let last = sequence.select(1, -1);
        self.head.forward(&last)
    }
}

/// A trained model: weights on a device and the metadata that says how to feed them.
#[derive(Debug)]
pub struct LstmModel {
    pub(crate) store: nn::VarStore,
    pub(crate) network: Network,
    /// What the model is and how it was made.
    pub meta: ModelMeta,
}

impl LstmModel {
    pub(crate) fn fresh(meta: ModelMeta, device: Device) -> LstmModel {
        let store = nn::VarStore::new(device);
        let network = Network::new(
            &store.root(),
            meta.features.count(),
            meta.hidden,
            meta.layers,
            meta.periods,
        );
        LstmModel { store, network, meta }
    }

    /// The device the weights are on.
    pub fn device(&self) -> Device {
        self.store.device()
    }

    /// Runs scaled inputs `(batch, window, features)` through the network without recording gradients.
    pub(crate) fn infer(&self, inputs: &Tensor) -> Tensor {
        tch::no_grad(|| self.network.forward(inputs))
    }

    /// Writes `model.safetensors` and `model.json` into `folder`, both or neither.
    pub fn save(&mut self, folder: &Path) -> Result<()> {
        let io = |path: &Path, error: std::io::Error| LstmError::ModelFile {
            path: path.to_path_buf(),
            message: error.to_string(),
        };
        std::fs::create_dir_all(folder).map_err(|e| io(folder, e))?;
        // The extension tells tch to write safetensors.
        let staging = folder.join(format!(".staging-{}-{WEIGHTS_FILE}", std::process::id()));
        self.store.save(&staging).inspect_err(|_| {
            let _ = std::fs::remove_file(&staging);
        })?;
        let weights = std::fs::read(&staging).map_err(|e| io(&staging, e));
        let _ = std::fs::remove_file(&staging);
        let weights = weights?;
        self.meta.weights_bytes = weights.len() as u64;
        let meta = serde_json::to_vec_pretty(&self.meta).map_err(|e| LstmError::InvalidConfig(e.to_string()))?;
        flowcore::files::write_all_or_nothing(&[(folder.join(WEIGHTS_FILE), weights), (folder.join(META_FILE), meta)])?;
        Ok(())
    }

    /// Reads a model folder, checking the metadata before touching the weights.
    pub fn load(folder: &Path, device: Device) -> Result<LstmModel> {
        if device.is_cuda() {
            // A device chosen without DeviceChoice::resolve still needs libtorch's CUDA library.
            crate::cuda::load()
                .as_ref()
                .map_err(|reason| LstmError::InvalidConfig(format!("cannot use {device:?}: {reason}")))?;
        }
        let meta_path = folder.join(META_FILE);
        let weights_path = folder.join(WEIGHTS_FILE);
        let bad = |path: &PathBuf, message: String| LstmError::ModelFile {
            path: path.clone(),
            message,
        };
        let text = std::fs::read_to_string(&meta_path).map_err(|e| {
            bad(
                &meta_path,
                format!("cannot read the model metadata ({e}); train a model first with `flow train`"),
            )
        })?;
        let meta: ModelMeta =
            serde_json::from_str(&text).map_err(|e| bad(&meta_path, format!("not a flow model description: {e}")))?;
        if meta.format != FORMAT {
            return Err(bad(
                &meta_path,
                format!(
                    "model format `{}`, this flow reads `{FORMAT}`; retrain the model",
                    meta.format
                ),
            ));
        }
        if meta.feature_names.len() != meta.features.count()
            || meta.window == 0
            || meta.periods == 0
            || meta.hidden == 0
            || meta.layers == 0
        {
            return Err(bad(
                &meta_path,
                "inconsistent model shape (window, periods, hidden, layers or features)".to_string(),
            ));
        }
        let size = std::fs::metadata(&weights_path)
            .map_err(|e| bad(&weights_path, format!("cannot read the weights ({e})")))?
            .len();
        if size != meta.weights_bytes {
            return Err(bad(
                &weights_path,
                format!(
                    "weights file is {size} bytes, the model says {}: truncated or replaced",
                    meta.weights_bytes
                ),
            ));
        }
        let mut model = LstmModel::fresh(meta, device);
        model
            .store
            .load(&weights_path)
            .map_err(|e| bad(&weights_path, format!("cannot load the weights: {e}")))?;
        Ok(model)
    }

    /// Refuses to use the model on a series of another site or interval.
    pub fn check_fits(&self, folder: &Path, site: &str, interval: Interval) -> Result<()> {
        let incompatible = |reason: String| LstmError::Incompatible {
            path: folder.to_path_buf(),
            reason,
        };
        if self.meta.site != site {
            return Err(incompatible(format!(
                "it was trained for site `{}`, not `{site}`",
                self.meta.site
            )));
        }
        if self.meta.interval != interval {
            return Err(incompatible(format!(
                "it was trained at interval {}, the data is {interval}",
                self.meta.interval
            )));
        }
        Ok(())
    }
}

/// Builds a `(samples, window, features)` tensor over a flat `steps × features` matrix in one copy:
/// `unfold` makes every overlapping window a view, so no window is allocated on its own.
pub(crate) fn window_tensor(matrix: &[f32], features: usize, window: usize, device: Device) -> Tensor {
    let steps = (matrix.len() / features) as i64;
    Tensor::from_slice(matrix)
        .view([steps, features as i64])
        .unfold(0, window as i64, 1)
        .permute([0, 2, 1])
        .to_device(device)
        .to_kind(Kind::Float)
        .contiguous()
}
