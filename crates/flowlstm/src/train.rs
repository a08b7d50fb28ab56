//! Training and evaluation on the chronological split.

use flowcore::time::format_timestamp;
use flowcore::{make_windows, Check, Checked, Criteria, FlowSeries};
use tch::nn::OptimizerConfig;
use tch::{nn, Reduction, Tensor};

use crate::config::{Optimizer, TrainConfig};
use crate::error::{LstmError, Result};
use crate::model::{LstmModel, ModelMeta, FORMAT};
use crate::predict::run_windows;

/// Which series a model is for: written into its metadata and checked when it is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesIdentity {
    /// Site slug, or a name for a bare series.
    pub site: String,
    /// Column header.
    pub column: String,
}

/// Loss after one epoch, handed to the caller's progress display.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochReport {
    /// 1-based epoch.
    pub epoch: usize,
    /// Epochs asked for.
    pub epochs: usize,
    /// Mean squared error on the training windows, scaled units.
    pub loss: f64,
    /// The same on the validation windows, when early stopping is on.
    pub validation_loss: Option<f64>,
}

/// Predictions on the test part, in the series' units, one per test step (the first predicted step
/// of each window).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evaluation {
    /// Time of each predicted step.
    pub timestamps: Vec<i64>,
    /// What was measured.
    pub actual: Vec<f64>,
    /// What the model predicted from the `window` readings before it.
    pub predicted: Vec<f64>,
}

/// A trained model with its evaluation.
#[derive(Debug)]
pub struct Training {
    /// The model, ready to save or use.
    pub model: LstmModel,
    /// Test-part predictions.
    pub evaluation: Evaluation,
    /// Rows in the training part.
    pub train_rows: usize,
    /// Rows in the test part.
    pub test_rows: usize,
}

/// Holds libtorch to one thread while it lives. Batches of a few dozen short windows are too small
/// to split: on the 2-core reference machine one thread trains the demo model as fast as two
/// (1.8 s against 1.8–2.6 s at the old defaults) and leaves the other core free. (The results
/// are the same either way: at these sizes libtorch's CPU training did not depend on the thread
/// count, checked with 4 and 1 threads.)
struct OneThread {
    previous: i32,
}

impl OneThread {
    fn start() -> OneThread {
        let previous = tch::get_num_threads();
        tch::set_num_threads(1);
        OneThread { previous }
    }
}

impl Drop for OneThread {
    fn drop(&mut self) {
        tch::set_num_threads(self.previous);
    }
}

/// The order of `n` windows in `epoch`, from the seed alone (Fisher–Yates on SplitMix64): not
/// libtorch's process-wide generator, which sites trained at the same time would share.
fn permutation(n: usize, seed: u64, epoch: usize) -> Vec<i64> {
    let mut state = seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut order: Vec<i64> = (0..n as i64).collect();
    for i in (1..n).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

/// Held while the process-wide generator is seeded and a model's weights are drawn.
static SEEDING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The fewest rows for which the split leaves at least one training window and one test step, or
/// `None` when the configuration is invalid (see [`TrainConfig::validate`]) or asks for more rows
/// than any series holds.
///
/// Both counts, `floor(n · f)` training rows and `n − floor(n · f)` test rows, never fall as `n`
/// grows, so a binary search finds the answer in a few dozen steps (counting up from zero took
/// billions for a fraction near 0 or 1).
pub fn rows_needed(config: &TrainConfig) -> Option<usize> {
    config.validate().ok()?;
    let fraction = config.train_fraction;
    let need = config.window.checked_add(config.periods)?;
    let enough = |n: usize| {
        let train = (n as f64 * fraction).floor() as usize;
        train >= need && n - train >= config.periods
    };
    // An upper end that surely holds: n · f ≥ need + 1 and n · (1 − f) ≥ periods + 1.
    let upper = ((need + 1) as f64 / fraction).max((config.periods + 1) as f64 / (1.0 - fraction)) + 2.0;
    if !(upper.is_finite() && upper < 1e15) {
        return None;
    }
    let (mut low, mut high) = (need, upper.ceil() as usize);
    if !enough(high) {
        return None;
    }
    while low < high {
        let middle = low + (high - low) / 2;
        if enough(middle) {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    Some(low)
}

/// Trains on the first `train_fraction` of a preprocessed series and evaluates on the rest.
///
/// `on_epoch` is called after every epoch (for a progress bar). Values must be finite; a loss that
/// stops being finite ends training with [`LstmError::Diverged`].
pub fn train(
    series: &FlowSeries,
    criteria: &Criteria,
    identity: &SeriesIdentity,
    config: &Checked<TrainConfig>,
    on_epoch: &mut dyn FnMut(EpochReport),
) -> Result<Training> {
    series.require_finite(&identity.column)?;
    let need = rows_needed(config).ok_or(LstmError::TrainFraction {
        fraction: config.train_fraction,
    })?;
    if series.len() < need {
        return Err(flowcore::CoreError::TooFewRows {
            need,
            have: series.len(),
            interval: series.interval.to_string(),
        }
        .into());
    }
    let (train_part, test_part) = flowcore::split_chronological(series, config.train_fraction)?;
    let scaler = config
        .target
        .fit_scaler(&train_part.values)
        .ok_or(LstmError::NoTrainingValues)?;
    let scaled = config.target.encode(&series.values, &scaler);
    let features = config.features.count();
    let matrix = config.features.matrix(&series.timestamps, &scaled);
    let train_rows = train_part.len();
    let windows = make_windows(
        &matrix[..train_rows * features],
        features,
        config.window,
        config.periods,
        &series.interval.to_string(),
    )?;

    let placement = config.device.place(config.hidden)?;
    let device = placement.device.tch();
    let _threads = (placement.device == crate::Device::Cpu).then(OneThread::start);
    // libtorch's random generator is one for the process: seeding and drawing the initial weights
    // happen under a lock, so sites trained at the same time get the weights a lone run gets.
    let seeding = SEEDING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    tch::manual_seed(config.seed as i64);
    let validation_samples = if config.validation_fraction > 0.0 && windows.samples > 1 {
        ((windows.samples as f64 * config.validation_fraction).floor() as usize).clamp(1, windows.samples - 1)
    } else {
        0
    };
    let fit_samples = windows.samples - validation_samples;
    let meta = ModelMeta {
        format: FORMAT.to_string(),
        site: identity.site.clone(),
        column: identity.column.clone(),
        interval: series.interval,
        window: config.window,
        periods: config.periods,
        hidden: config.hidden,
        layers: config.layers,
        features: config.features,
        feature_names: config.features.names().into_iter().map(String::from).collect(),
        target: config.target,
        scaler,
        criteria: *criteria,
        train_start: train_part
            .timestamps
            .first()
            .map(|t| format_timestamp(*t))
            .unwrap_or_default(),
        train_end: train_part
            .timestamps
            .last()
            .map(|t| format_timestamp(*t))
            .unwrap_or_default(),
        train_samples: fit_samples,
        validation_samples,
        test_samples: test_part.len() + 1 - config.periods,
        epochs_run: 0,
        batch_size: config.batch_size,
        optimizer: config.optimizer,
        learning_rate: config.learning_rate(),
        decay: config.decay,
        seed: config.seed,
        final_loss: f64::NAN,
        weights_bytes: 0,
        weights_sha256: String::new(),
        flow_version: env!("CARGO_PKG_VERSION").to_string(),
        torch_version: "2.13.0".to_string(),
    };
    let mut model = LstmModel::fresh(meta, placement);
    drop(seeding);

    let inputs = Tensor::from_slice(&windows.inputs)
        .view([windows.samples as i64, config.window as i64, features as i64])
        .to_device(device);
    let targets = Tensor::from_slice(&windows.targets)
        .view([windows.samples as i64, config.periods as i64])
        .to_device(device);
    let (fit_inputs, fit_targets) = (
        inputs.narrow(0, 0, fit_samples as i64),
        targets.narrow(0, 0, fit_samples as i64),
    );
    let validation = (validation_samples > 0).then(|| {
        (
            inputs.narrow(0, fit_samples as i64, validation_samples as i64),
            targets.narrow(0, fit_samples as i64, validation_samples as i64),
        )
    });

    let rate = config.learning_rate();
    let mut optimizer = match config.optimizer {
        Optimizer::Sgd => nn::Sgd {
            momentum: 0.9,
            ..Default::default()
        }
        .build(&model.store, rate)?,
        Optimizer::Adam => nn::Adam::default().build(&model.store, rate)?,
    };
    let mut best: Option<(f64, Vec<(String, Tensor)>)> = None;
    let mut since_best = 0;
    let mut last_loss = f64::NAN;
    let mut epochs_run = 0;
    let mut step = 0;
    for epoch in 1..=config.epochs {
        let order = config
            .shuffle
            .then(|| Tensor::from_slice(&permutation(fit_samples, config.seed, epoch)).to_device(device));
        let mut total = 0.0;
        for start in (0..fit_samples).step_by(config.batch_size) {
            let length = config.batch_size.min(fit_samples - start) as i64;
            let (batch_inputs, batch_targets) = match &order {
                Some(order) => {
                    let picked = order.narrow(0, start as i64, length);
                    (
                        fit_inputs.index_select(0, &picked),
                        fit_targets.index_select(0, &picked),
                    )
                }
                None => (
                    fit_inputs.narrow(0, start as i64, length),
                    fit_targets.narrow(0, start as i64, length),
                ),
            };
            let loss = model
                .network
                .forward(&batch_inputs)
                .mse_loss(&batch_targets, Reduction::Mean);
            if config.decay > 0.0 {
                optimizer.set_lr(config.learning_rate_at(step));
            }
            optimizer.backward_step(&loss);
            step += 1;
            total += loss.double_value(&[]) * length as f64;
        }
        last_loss = total / fit_samples as f64;
        epochs_run = epoch;
        if !last_loss.is_finite() {
            return Err(LstmError::Diverged { epoch, loss: last_loss });
        }
        let validation_loss = validation
            .as_ref()
            .map(|(inputs, targets)| model.infer(inputs).mse_loss(targets, Reduction::Mean).double_value(&[]));
        on_epoch(EpochReport {
            epoch,
            epochs: config.epochs,
            loss: last_loss,
            validation_loss,
        });
        if let Some(loss) = validation_loss {
            if best.as_ref().is_none_or(|(best_loss, _)| loss < *best_loss) {
                let snapshot = model
                    .store
                    .variables()
                    .into_iter()
                    .map(|(name, tensor)| (name, tensor.detach().copy()))
                    .collect();
                best = Some((loss, snapshot));
                since_best = 0;
            } else {
                since_best += 1;
                if since_best >= config.patience {
                    break;
                }
            }
        }
    }
    if let Some((_, snapshot)) = best {
        let variables = model.store.variables();
        tch::no_grad(|| {
            for (name, saved) in &snapshot {
                if let Some(variable) = variables.get(name) {
                    let mut variable = variable.shallow_clone();
                    variable.copy_(saved);
                }
            }
        });
    }
    model.meta.epochs_run = epochs_run;
    model.meta.final_loss = last_loss;

    // Test windows take their history from the end of the training part, so every test step has a
    // prediction made from measured readings only.
    let first = train_rows - config.window;
    let last = series.len() - config.periods;
    let outputs = run_windows(&model, &matrix[first * features..last * features], 4096)?;
    let predicted: Vec<f64> = outputs
        .chunks(config.periods)
        .enumerate()
        .map(|(k, step)| {
            config
                .target
                .decode(series.values[train_rows + k - 1], &step[..1], &scaler)[0]
        })
        .collect();
    let evaluation = Evaluation {
        timestamps: series.timestamps[train_rows..train_rows + predicted.len()].to_vec(),
        actual: series.values[train_rows..train_rows + predicted.len()].to_vec(),
        predicted,
    };
    Ok(Training {
        model,
        evaluation,
        train_rows,
        test_rows: test_part.len(),
    })
}
