//! `flow run --site jangmyeong --device cpu` on the 527,041-row demo export, through the library
//! call the binary makes (`flowcli::pipeline::run`): read, preprocess, train, evaluate, scan,
//! forecast and every file written, without the printing. The original: 67–77 s.
use criterion::{criterion_group, criterion_main, Criterion};
use flowcli::options::RunArgs;
use flowcli::{pipeline, Lang, Quiet};

fn pipeline(c: &mut Criterion) {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let export = dir.path().join("demo.csv");
    if std::fs::write(&export, flow_benches::demo_export_bytes()).is_err() {
        return;
    }
    let mut args = RunArgs::default();
    args.input.input = vec![export];
    args.input.output_dir = dir.path().join("Output");
    args.device.device = "cpu".to_string();
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    group.bench_function(
        "flow run (read → preprocess → train → evaluate → scan → forecast → files)",
        |b| b.iter(|| pipeline::run(&args, Lang::En, &mut Quiet).is_ok()),
    );
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
