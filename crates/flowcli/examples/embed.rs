//! The whole flow job from a program, in a few lines: `flow run --interval hourly` on a demo export
//! of four weeks, the report kept as text instead of printed, then `report.json` read back as a type.
//!
//! `cargo run --release -p flowcli --example embed`

use flowcli::options::RunArgs;
use flowcli::{pipeline, Lang, SiteReport, Transcript};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("flow-embed-{}", std::process::id()));
    let export = dir.join("demo.csv");
    std::fs::create_dir_all(&dir)?;
    flowcore::demo::write_demo(
        &flowcore::demo::DemoConfig {
            rows: 28 * 1440,
            seed: 2020,
            leak: None,
        },
        &export,
    )?;

    let mut args = RunArgs::default();
    args.input.input = vec![export];
    args.input.output_dir = dir.join("Output");
    args.preprocess.interval = Some("hourly".into());
    let mut report = Transcript::default();
    pipeline::run(&args, Lang::En, &mut report)?;

    let site: SiteReport = serde_json::from_str(&std::fs::read_to_string(dir.join("Output/jangmyeong/report.json"))?)?;
    if let Some(job) = &site.job {
        println!(
            "{}: RMSE {:.2} on {} test hours, {} minutes flagged, next hour {:.1}",
            site.site,
            job.accuracy.rmse,
            job.accuracy.points,
            job.anomaly_scan.as_ref().map_or(0, |s| s.anomalies),
            job.forecast.first().map_or(f64::NAN, |f| f.predicted)
        );
    }
    println!("({} lines of report kept)", report.text.lines().count());
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
