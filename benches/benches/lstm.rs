//! Training on the 367-day demo series, recommended and original presets (the original's `-l`:
//! 17.7–27.5 s), and the
//! anomaly scan of the year's 527,034 minute windows (its `-a`: 18.3 s).
use criterion::{criterion_group, criterion_main, Criterion};
use flowlstm::{scan, train, DeviceChoice, PredictConfig, SeriesIdentity, TrainConfig};

fn lstm(c: &mut Criterion) {
    let Ok((daily, criteria, minutes)) = flow_benches::demo_inputs() else {
        return;
    };
    let identity = SeriesIdentity {
        site: "jangmyeong".into(),
        column: "장명(배) 유입유량 순시".into(),
    };
    let config = TrainConfig {
        device: DeviceChoice::Cpu,
        ..TrainConfig::default()
    };
    let mut group = c.benchmark_group("lstm");
    group.sample_size(10);
    group.bench_function("train 100 epochs (defaults)", |b| {
        b.iter(|| train(&daily, &criteria, &identity, &config, &mut |_| {}).ok())
    });
    let Ok(trained) = train(&daily, &criteria, &identity, &config, &mut |_| {}) else {
        return;
    };
    for batch_size in [1024, 2048, 8192] {
        let predict = PredictConfig {
            batch_size,
            device: DeviceChoice::Cpu,
        };
        group.bench_function(format!("scan 527,034 windows, batch {batch_size}"), |b| {
            b.iter(|| scan(&trained.model, &minutes, &predict).ok())
        });
    }
    group.finish();
}

criterion_group!(benches, lstm);
criterion_main!(benches);
