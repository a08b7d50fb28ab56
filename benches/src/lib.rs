//! Criterion benchmarks of the flow pipeline, reproducing the utility's timing study on the
//! 527,041-row demo export. Run them with `cargo bench -p flow-benches`; `docs/PERFORMANCE.md`
//! records the figures.
//!
//! This library holds the inputs every benchmark shares, built once per process.
//!
//! ```no_run
//! let export = flow_benches::demo_export_bytes();
//! assert!(export.len() > 40_000_000);
//! ```

use flowcore::demo::{generate, DemoConfig};
use flowcore::{Check, Criteria, Export, FlowSeries, PreprocessConfig, Preprocessed, Selector};

/// The demo export's bytes (cp949), as `flow` reads them from disk.
pub fn demo_export_bytes() -> Vec<u8> {
    generate(&DemoConfig::default())
}

/// The demo export preprocessed with the original defaults (daily, Tukey fences).
pub fn demo_preprocessed() -> Result<Preprocessed, flowcore::CoreError> {
    let export = Export::from_bytes(demo_export_bytes(), "demo.csv".as_ref())?;
    let site = flowcore::find_site("jangmyeong").ok_or_else(|| flowcore::CoreError::UnknownSite {
        slug: "jangmyeong".into(),
        known: flowcore::SITES.iter().map(|s| s.slug).collect::<Vec<_>>().join(", "),
    })?;
    let raw = export.series(Selector::Site(site))?;
    flowcore::preprocess(&raw.series, &PreprocessConfig::default().check()?)
}

/// The daily series, its criteria and the cleaned minute series of the demo year.
pub fn demo_inputs() -> Result<(FlowSeries, Criteria, FlowSeries), flowcore::CoreError> {
    let done = demo_preprocessed()?;
    Ok((done.series, done.criteria, done.cleaned))
}
