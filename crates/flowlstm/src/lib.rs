//! # flowlstm
//!
//! The flow LSTM on libtorch (through `tch`): two stacked LSTM layers and a linear head, trained on
//! a preprocessed series, saved as a self-describing folder (`model.safetensors` + `model.json`),
//! then used to scan a series for anomalies and forecast the steps after its end. The CPU path works
//! everywhere; CUDA is used when libtorch sees a GPU.
//!
//! ```no_run
//! use flowcore::{Check, Criteria, FlowSeries, Interval};
//! use flowlstm::{forecast, train, SeriesIdentity, TrainConfig};
//!
//! # fn main() -> Result<(), flowlstm::LstmError> {
//! let days: Vec<i64> = (0..60).map(|d| d * 86_400).collect();
//! let flow: Vec<f64> = (0..60).map(|d| 330.0 + 20.0 * ((d % 7) as f64)).collect();
//! let series = FlowSeries::new(days, flow, Interval::DAILY)?;
//! let criteria = Criteria::with_levels(330.0, 450.0, 300.0, 480.0, 10.0);
//! let identity = SeriesIdentity { site: "jangmyeong".into(), column: "flow".into() };
//! let config = TrainConfig::default().check()?;
//! let mut trained = train(&series, &criteria, &identity, &config, &mut |_| {})?;
//! println!("{}", forecast(&trained.model, &series)?[0]);
//! trained.model.save("Output/jangmyeong/Learning_lstm".as_ref())?;
//! # Ok(()) }
//! ```

mod config;
mod cuda;
mod error;
pub mod horizon;
pub mod horizon_lstm;
mod kernel;
mod model;
mod predict;
mod train;

pub use config::{Device, DeviceChoice, Optimizer, Placement, PredictConfig, Target, TrainConfig, AUTO_GPU_MIN_UNITS};
pub use error::{LstmError, Result};
pub use flowcore::{Check, Checked};
pub use model::{Limits, LstmModel, ModelMeta, FORMAT, LIMITS, META_FILE, WEIGHTS_FILE};
pub use predict::{forecast, one_step, predict, scan, ForecastPoint, Label, Scan, MAX_HORIZON};
pub use train::{rows_needed, train, EpochReport, Evaluation, SeriesIdentity, Training};

/// Sets how many threads libtorch and the CPU scan kernel use, for the whole process. `flow run`
/// with several sites sets 1 once, before its sites start: the sites then share the cores.
pub fn set_threads(threads: usize) {
    tch::set_num_threads(i32::try_from(threads.max(1)).unwrap_or(i32::MAX));
}

/// The libtorch version flow is built against.
pub const TORCH_VERSION: &str = "2.13.0";
