//! Times the anomaly scan of a year of minutes (527,041 readings, 527,034 windows) per batch size
//! (on the CPU the fused kernel ignores the batch size; `FLOW_THREADS=1` runs it on one thread).
//! `cargo run --release -p flowlstm --example scan_speed`
use std::time::Instant;

use flowcore::{Check, Criteria, FlowSeries, Interval};
use flowlstm::{scan, train, DeviceChoice, PredictConfig, SeriesIdentity, TrainConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let days: Vec<i64> = (0..367).map(|d| 1_577_836_800 + d * 86_400).collect();
    let daily: Vec<f64> = (0..367)
        .map(|d| 330.0 + 0.35 * d as f64 + [0.0, 4.0, 6.0, 5.0, 3.0, -12.0, -18.0][d % 7])
        .collect();
    let series = FlowSeries::new(days, daily, Interval::DAILY)?;
    let criteria = Criteria::with_levels(300.0, 480.0, 290.0, 500.0, 10.0);
    let identity = SeriesIdentity {
        site: "jangmyeong".into(),
        column: "flow".into(),
    };
    let config = TrainConfig {
        epochs: 5,
        device: DeviceChoice::Cpu,
        ..TrainConfig::default()
    }
    .check()?;
    let trained = train(&series, &criteria, &identity, &config, &mut |_| {})?;
    let minutes: Vec<i64> = (0..527_041).map(|m| 1_577_836_800 + m * 60).collect();
    let values: Vec<f64> = (0..527_041)
        .map(|m| 380.0 + 40.0 * ((m as f64) / 229.0).sin())
        .collect();
    let minutes = FlowSeries::new(minutes, values, Interval::MINUTE)?;
    let threads: i32 = std::env::var("FLOW_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    if threads > 0 {
        tch::set_num_threads(threads);
    }
    println!("libtorch threads: {}", tch::get_num_threads());
    for batch_size in [256, 1024, 2048, 8192] {
        let mut times = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            let result = scan(
                &trained.model,
                &minutes,
                &PredictConfig {
                    batch_size,
                    device: DeviceChoice::Cpu,
                }
                .check()?,
            )?;
            times.push(start.elapsed().as_secs_f64());
            assert_eq!(result.windows, 527_034);
        }
        times.sort_by(f64::total_cmp);
        println!("batch {batch_size:>6}: median {:.3} s (min {:.3})", times[1], times[0]);
    }
    Ok(())
}
