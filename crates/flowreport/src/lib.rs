//! # flowreport
//!
//! What the engineers read: accuracy statistics in the original tool's words ([`stats`]), the
//! baselines a model must beat ([`baseline`], with Holt–Winters smoothing in [`holt_winters`]),
//! graphs as TIFF and PNG ([`graph`]), and each stage's time, CPU and memory ([`profile`]). It takes plain
//! numbers — times, actual values, predictions — and never the model, so it builds and tests without
//! libtorch.
//!
//! ```
//! use flowreport::stats::{accuracy, readings};
//!
//! let actual = [380.0, 420.0, 395.0, 440.0];
//! let predicted = [400.0, 401.0, 399.0, 402.0];
//! let a = accuracy(&actual, &predicted)?;
//! assert!(a.variance_ratio() < 0.1);
//! assert!(readings(&a)[0].contains("does not follow the variability"));
//! # Ok::<(), flowreport::ReportError>(())
//! ```

pub mod baseline;
pub mod double_seasonal;
mod error;
pub mod forecast;
pub mod graph;
pub mod holt_winters;
pub mod night;
pub mod profile;
pub mod stats;

pub use error::{ReportError, Result};
