//! The network, its self-describing metadata, and saving and loading both.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use flowcore::{Criteria, FeatureSet, Interval, MinMaxScaler};
use serde::{Deserialize, Serialize};
use tch::nn::{self, Module, RNN};
use tch::{Kind, Tensor};

use crate::config::{Device, DeviceChoice, Placement};

use crate::error::{LstmError, Result};

/// Name of the weights file inside a model folder.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// Name of the metadata file inside a model folder.
pub const META_FILE: &str = "model.json";
/// Version of the model folder layout; bumped when a field changes meaning.
pub const FORMAT: &str = "flow-lstm/2";

/// The largest model flow builds or loads. Sizes come from flags and from `model.json`, which
/// anyone can edit: each is checked against these before anything is allocated, so a typo or a
/// hostile file gets one line, not a panic inside libtorch or an allocation of gigabytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Units per layer.
    pub hidden: usize,
    /// Stacked layers.
    pub layers: usize,
    /// Steps of history per prediction.
    pub window: usize,
    /// Steps predicted at once.
    pub periods: usize,
}

/// The limits in force: far beyond what the utility's models need (50 units, 2 layers, window 7,
/// 1 period; a week of hours is 168 periods), far below what breaks a machine.
pub const LIMITS: Limits = Limits {
    hidden: 1024,
    layers: 8,
    window: 10_000,
    periods: 10_000,
};

impl Limits {
    /// The first of `hidden`, `layers`, `window` and `periods` outside `1 ..= limit`, as
    /// `(name, value, limit)`.
    pub fn check(
        &self,
        hidden: usize,
        layers: usize,
        window: usize,
        periods: usize,
    ) -> Option<(&'static str, usize, usize)> {
        [
            ("hidden", hidden, self.hidden),
            ("layers", layers, self.layers),
            ("window", window, self.window),
            ("periods", periods, self.periods),
        ]
        .into_iter()
        .find(|(_, value, limit)| !(1..=*limit).contains(value))
    }
}

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
    /// The normal range and the levels (`U_level`, `L_level`) the anomaly rule uses.
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
    /// Learning rate (at the first step).
    pub learning_rate: f64,
    /// Keras' time-based decay of the learning rate per step (0 = none).
    #[serde(default)]
    pub decay: f64,
    /// Seed.
    pub seed: u64,
    /// Mean squared error (scaled units) of the last epoch.
    pub final_loss: f64,
    /// Size of the weights file in bytes, to catch a truncated copy.
    pub weights_bytes: u64,
    /// SHA-256 of the weights file, hex: the weights and this description are one unit, and a
    /// folder holding weights of another training (a run killed between the two renames, a train
    /// racing a predict) is refused.
    pub weights_sha256: String,
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
    /// Where it runs and why.
    pub placement: Placement,
}

impl LstmModel {
    pub(crate) fn fresh(meta: ModelMeta, placement: Placement) -> LstmModel {
        let store = nn::VarStore::new(placement.device.tch());
        let network = Network::new(
            &store.root(),
            meta.features.count(),
            meta.hidden,
            meta.layers,
            meta.periods,
        );
        LstmModel {
            store,
            network,
            meta,
            placement,
        }
    }

    /// The device the weights are on.
    pub fn device(&self) -> Device {
        Device::from_tch(self.store.device())
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
        self.meta.weights_sha256 = sha256_hex(&weights);
        let meta = serde_json::to_vec_pretty(&self.meta)?;
        flowcore::files::write_all_or_nothing(&[(folder.join(WEIGHTS_FILE), weights), (folder.join(META_FILE), meta)])?;
        Ok(())
    }

    /// Reads a model folder, checking the metadata before touching the weights, and places it by
    /// `choice` for its size.
    pub fn load(folder: &Path, choice: DeviceChoice) -> Result<LstmModel> {
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
        // The format first: a model of an older layout gets "retrain", not a missing-field error.
        #[derive(Deserialize)]
        struct Format {
            format: String,
        }
        let format: Format =
            serde_json::from_str(&text).map_err(|e| bad(&meta_path, format!("not a flow model description: {e}")))?;
        if format.format != FORMAT {
            return Err(bad(
                &meta_path,
                format!(
                    "model format `{}`, this flow reads `{FORMAT}`; retrain the model",
                    format.format
                ),
            ));
        }
        let meta: ModelMeta =
            serde_json::from_str(&text).map_err(|e| bad(&meta_path, format!("not a flow model description: {e}")))?;
        if meta.feature_names.len() != meta.features.count() {
            return Err(bad(
                &meta_path,
                format!(
                    "{} feature names for {} inputs: the description is inconsistent",
                    meta.feature_names.len(),
                    meta.features.count()
                ),
            ));
        }
        if let Some((name, value, limit)) = LIMITS.check(meta.hidden, meta.layers, meta.window, meta.periods) {
            return Err(bad(
                &meta_path,
                format!("`{name}` is {value}: must be from 1 to {limit}"),
            ));
        }
        meta.criteria
            .named_values()
            .iter()
            .chain([("scaler.min", meta.scaler.min), ("scaler.max", meta.scaler.max)].iter())
            .find(|(_, value)| !value.is_finite())
            .map_or(Ok(()), |(name, _)| {
                Err(bad(&meta_path, format!("`{name}` is not a finite number")))
            })?;
        // One read: the bytes hashed are the bytes loaded, so a file replaced in between cannot pair.
        let weights =
            std::fs::read(&weights_path).map_err(|e| bad(&weights_path, format!("cannot read the weights ({e})")))?;
        if weights.len() as u64 != meta.weights_bytes {
            return Err(bad(
                &weights_path,
                format!(
                    "weights file is {} bytes, the model says {}: truncated or replaced",
                    weights.len(),
                    meta.weights_bytes
                ),
            ));
        }
        if sha256_hex(&weights) != meta.weights_sha256 {
            return Err(bad(
                &weights_path,
                format!(
                    "the weights do not match {META_FILE} (SHA-256 differs): they come from another training (an interrupted save, or a train during this predict); train again"
                ),
            ));
        }
        let tensors = read_weights(&weights, &meta).map_err(|message| bad(&weights_path, message))?;
        let placement = choice.place(meta.hidden)?;
        let device = placement.device.tch();
        let model = LstmModel::fresh(meta, placement);
        tch::no_grad(|| {
            for (name, variable) in model.store.variables() {
                if let Some(saved) = tensors.get(&name) {
                    let mut variable = variable.shallow_clone();
                    variable.copy_(&saved.to_device(device));
                }
            }
        });
        Ok(model)
    }

    /// Refuses to use the model on a series of another site, column or interval.
    pub fn check_fits(&self, folder: &Path, identity: &crate::SeriesIdentity, interval: Interval) -> Result<()> {
        let incompatible = |reason: String| LstmError::Incompatible {
            path: folder.to_path_buf(),
            reason,
        };
        if self.meta.site != identity.site {
            return Err(incompatible(format!(
                "it was trained for site `{}`, not `{}`",
                self.meta.site, identity.site
            )));
        }
        // Two columns can share a folder name (`a/b` and `a-b`): the exact header decides.
        if self.meta.column != identity.column {
            return Err(incompatible(format!(
                "it was trained on column `{}`, not `{}`",
                self.meta.column, identity.column
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

/// SHA-256 of bytes, lowercase hex.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// The name and shape of every tensor a model of this description holds (libtorch's LSTM layout:
/// the four gates stacked, `4·hidden` rows).
fn expected_shapes(meta: &ModelMeta) -> Vec<(String, Vec<usize>)> {
    let gates = 4 * meta.hidden;
    let mut shapes = Vec::with_capacity(4 * meta.layers + 2);
    for layer in 0..meta.layers {
        let inputs = if layer == 0 { meta.features.count() } else { meta.hidden };
        shapes.push((format!("lstm.weight_ih_l{layer}"), vec![gates, inputs]));
        shapes.push((format!("lstm.weight_hh_l{layer}"), vec![gates, meta.hidden]));
        shapes.push((format!("lstm.bias_ih_l{layer}"), vec![gates]));
        shapes.push((format!("lstm.bias_hh_l{layer}"), vec![gates]));
    }
    shapes.push(("head.weight".to_string(), vec![meta.periods, meta.hidden]));
    shapes.push(("head.bias".to_string(), vec![meta.periods]));
    shapes
}

/// Reads the weights from the safetensors bytes, checking that they hold exactly the tensors the
/// description says, shape by shape, as 32-bit floats. Errors are the message for the file.
fn read_weights(bytes: &[u8], meta: &ModelMeta) -> std::result::Result<HashMap<String, Tensor>, String> {
    let file = safetensors::SafeTensors::deserialize(bytes).map_err(|e| format!("not a safetensors file: {e:?}"))?;
    let expected = expected_shapes(meta);
    if file.names().len() != expected.len() {
        return Err(format!(
            "{} tensors, a model of {} layers holds {}",
            file.names().len(),
            meta.layers,
            expected.len()
        ));
    }
    let mut tensors = HashMap::with_capacity(expected.len());
    for (name, shape) in expected {
        let view = file.tensor(&name).map_err(|_| format!("no tensor `{name}`"))?;
        if view.dtype() != safetensors::Dtype::F32 {
            return Err(format!("`{name}` is {:?}, not 32-bit floats", view.dtype()));
        }
        if view.shape() != shape.as_slice() {
            return Err(format!(
                "`{name}` has shape {:?}, {META_FILE} says {shape:?} (window {}, hidden {}, layers {}, periods {})",
                view.shape(),
                meta.window,
                meta.hidden,
                meta.layers,
                meta.periods
            ));
        }
        let size: Vec<i64> = shape.iter().map(|d| *d as i64).collect();
        let tensor = Tensor::f_from_data_size(view.data(), &size, Kind::Float).map_err(|e| e.to_string())?;
        tensors.insert(name, tensor);
    }
    Ok(tensors)
}

/// Builds a `(samples, window, features)` tensor over a flat `steps × features` matrix in one copy:
/// `unfold` makes every overlapping window a view, so no window is allocated on its own.
pub(crate) fn window_tensor(matrix: &[f32], features: usize, window: usize, device: tch::Device) -> Tensor {
    let steps = (matrix.len() / features) as i64;
    Tensor::from_slice(matrix)
        .view([steps, features as i64])
        .unfold(0, window as i64, 1)
        .permute([0, 2, 1])
        .to_device(device)
        .to_kind(Kind::Float)
        .contiguous()
}
