//! # flowcli
//!
//! The whole flow job as a library, and the `flow` binary on top of it. Each command is a call
//! here — [`pipeline::run`] (`flow run`: read → preprocess → alarms → train → evaluate → scan →
//! forecast → night flow, for one site or every site of an export), [`commands`] (`preprocess`,
//! `train`, `predict`, `sites`, `demo-data`), [`night::night_command`] and [`detect::detect`] — taking the same settings the flags fill ([`options`]) and an
//! [`Observer`] that receives the report line by line: the binary prints it, a program embedding
//! flow can keep it ([`Transcript`]) or stay [`Quiet`]. Files are written under the original's
//! folders, all or none, one command per site folder at a time.
//!
//! ```no_run
//! use flowcli::options::{InputArgs, RunArgs, TrainArgs};
//! use flowcli::{pipeline, Lang, Transcript};
//!
//! // The demo export (no --input), the recommended model, hourly: what `flow run --interval hourly` does.
//! let mut args = RunArgs::default();
//! args.preprocess.interval = Some("hourly".into());
//! let mut report = Transcript::default();
//! pipeline::run(&args, Lang::En, &mut report)?;
//! assert!(report.text.contains("== Profile =="));
//! # Ok::<(), flowcli::FlowError>(())
//! ```

/// One line to the observer, formatted like `println!`.
macro_rules! say {
    ($obs:expr) => {
        $obs.line("")
    };
    ($obs:expr, $($arg:tt)*) => {
        $obs.line(&format!($($arg)*))
    };
}

pub mod alarms;
pub mod backtest;
pub mod commands;
pub mod detect;
mod error;
pub mod forecast;
mod guard;
mod horizon_input;
pub mod night;
pub mod observer;
pub mod options;
pub mod original;
mod output;
mod parallel;
pub mod pipeline;
pub mod report;
mod scan;
mod settings;
mod site;
mod stages;

pub use error::{FlowError, Result};
pub use observer::{Observer, Quiet, Transcript};
pub use original::Lang;
pub use pipeline::Pipeline;
pub use report::SiteReport;
