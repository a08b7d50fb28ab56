//! # flowcore
//!
//! Ingest and preprocess water-utility flow data, with no model, plotting or CLI attached.
//!
//! flowcore reads a SCADA export (cp949, UTF-8, Windows-1252 or UTF-16 CSV, through `encoding_rs` and polars; one
//! file, or the files of an export cut by month, [`Export::open_all`]), picks a sensor
//! column (a register of the volume so far is read as its flow, [`totaliser`]), and runs the original tool's preprocessing as pure functions: missing readings are filled
//! ([`clean`]), readings are averaged into calendar-aligned buckets ([`resample`]), the normal range is
//! found and outliers corrected ([`criteria`]). It also prepares model inputs: a chronological
//! [`split`], min-max [`scale`] and sliding [`window`]s; and it judges the readings themselves:
//! sensor faults and unusual flow graded 관심/주의/경계/심각 ([`alarms`]), and the minimum night
//! flow with its leak alarms ([`night`]).
//!
//! ```
//! use flowcore::{find_site, preprocess, Check, Export, PreprocessConfig, Selector};
//!
//! let csv = "저장시간,장명(배) 유입유량 순시\n2020/01/01 0:00,330\n2020/01/01 0:01,\n2020/01/02 0:00,350\n";
//! let export = Export::from_bytes(csv.as_bytes().to_vec(), "demo.csv".as_ref())?;
//! let raw = export.series(Selector::Site(find_site("jangmyeong").unwrap()))?;
//! assert_eq!(raw.report.blank_cells, 1);
//! let daily = preprocess(&raw.series, &PreprocessConfig::default().check()?)?;
//! assert_eq!(daily.series.values, vec![330.0, 350.0]);
//! assert_eq!(daily.criteria.raw_max, 350.0);
//! # Ok::<(), flowcore::CoreError>(())
//! ```

pub mod alarms;
mod check;
pub mod clean;
pub mod clock;
pub mod criteria;
pub mod demo;
mod error;
pub mod events;
pub mod features;
pub mod files;
pub mod ingest;
pub mod night;
pub mod preprocess;
pub mod resample;
mod robust;
pub mod scale;
pub mod series;
pub mod sites;
pub mod split;
pub mod table;
pub mod time;
pub mod totaliser;
pub mod window;

pub use check::{Check, Checked};
pub use criteria::{Bound, Criteria};
pub use error::{CoreError, Result};
pub use features::FeatureSet;
pub use ingest::{read_series, CellAt, Export, IngestReport, Ingested, Selector, SkippedLines, TextEncoding};
pub use preprocess::{clean_series, preprocess, DaySelection, PreprocessConfig, PreprocessSummary, Preprocessed};
pub use scale::MinMaxScaler;
pub use series::{FlowSeries, Interval};
pub use sites::{find_site, Site, SITES};
pub use split::split_chronological;
pub use window::{make_windows, Windows};
