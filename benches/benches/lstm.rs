//! Training on the 367-day demo series, recommended and original presets (the original's `-l`:
//! 17.7–27.5 s), and the
//! anomaly scan of the year's 527,034 minute windows (its `-a`: 18.3 s).
use criterion::{criterion_group, criterion_main, Criterion};
use flowlstm::{scan, train, Check, DeviceChoice, PredictConfig, SeriesIdentity, TrainConfig};

fn lstm(c: &mut Criterion) {
    let Ok((daily, criteria, minutes)) = flow_benches::demo_inputs() else {
        return;
    };
    let identity = SeriesIdentity {
        site: "jangmyeong".into(),
        column: "장명(배) 유입유량 순시".into(),
    };
    let checked = |config: TrainConfig| config.check().ok();
    let Some(config) = checked(TrainConfig {
        device: DeviceChoice::Cpu,
        ..TrainConfig::default()
    }) else {
        return;
    };
    let Some(original) = checked(TrainConfig {
        device: DeviceChoice::Cpu,
        ..TrainConfig::original()
    }) else {
        return;
    };
    let mut group = c.benchmark_group("lstm");
    group.sample_size(10);
    group.bench_function("train (recommended defaults, early stopping)", |b| {
        b.iter(|| train(&daily, &criteria, &identity, &config, &mut |_| {}).ok())
    });
    group.bench_function("train (original preset, 700 epochs)", |b| {
        b.iter(|| train(&daily, &criteria, &identity, &original, &mut |_| {}).ok())
    });
    let Ok(trained) = train(&daily, &criteria, &identity, &config, &mut |_| {}) else {
        return;
    };
    // On the CPU the fused kernel ignores the batch size; one figure is enough.
    let Ok(predict) = PredictConfig {
        device: DeviceChoice::Cpu,
        ..PredictConfig::default()
    }
    .check() else {
        return;
    };
    group.bench_function("scan 527,034 windows", |b| {
        b.iter(|| scan(&trained.model, &minutes, &predict).ok())
    });
    group.finish();
}

criterion_group!(benches, lstm);
criterion_main!(benches);
