//! The whole job in one process, as `flow run` does it minus printing and file writes: decode →
//! preprocess → train → evaluate (statistics and graph) → scan and forecast. The original: 78 s.
use criterion::{criterion_group, criterion_main, Criterion};
use flowcore::{find_site, Export, PreprocessConfig, Selector};
use flowlstm::{forecast, scan, train, DeviceChoice, PredictConfig, SeriesIdentity, TrainConfig};
use flowreport::graph::{encode_tiff, performance_graph, PerformanceGraph};

fn whole_job(bytes: &[u8]) -> Option<usize> {
    let site = find_site("jangmyeong")?;
    let export = Export::from_bytes(bytes.to_vec(), "demo.csv".as_ref()).ok()?;
    let raw = export.series(Selector::Site(site)).ok()?;
    let done = flowcore::preprocess(&raw.series, &PreprocessConfig::default()).ok()?;
    let identity = SeriesIdentity {
        site: site.slug.into(),
        column: site.column.into(),
    };
    let config = TrainConfig {
        device: DeviceChoice::Cpu,
        ..TrainConfig::default()
    };
    let trained = train(&done.series, &done.criteria, &identity, &config, &mut |_| {}).ok()?;
    let e = &trained.evaluation;
    let accuracy = flowreport::stats::accuracy(&e.actual, &e.predicted).ok()?;
    let graph = performance_graph(&PerformanceGraph {
        subtitle: "bench",
        timestamps: &e.timestamps,
        actual: &e.actual,
        predicted: &e.predicted,
        outliers: &[],
        sigma_k: 2.0,
    })
    .ok()?;
    let tiff = encode_tiff(&graph).ok()?;
    let scanned = scan(
        &trained.model,
        &done.cleaned,
        &PredictConfig {
            device: DeviceChoice::Cpu,
            ..PredictConfig::default()
        },
    )
    .ok()?;
    let next = forecast(&trained.model, &done.series).ok()?;
    Some(tiff.len() + scanned.anomalies.len() + next.len() + accuracy.points)
}

fn pipeline(c: &mut Criterion) {
    let bytes = flow_benches::demo_export_bytes();
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.bench_function(
        "decode → preprocess → train → evaluate → scan → forecast",
        |b| b.iter(|| whole_job(&bytes)),
    );
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
