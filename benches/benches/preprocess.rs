//! Decode + parse + clean + resample + criteria on the 527,041-row demo export: the original's
//! `1_Preprocessing_tool.py -p` (31 s).
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use flowcore::{find_site, Check, Export, PreprocessConfig, Selector};

fn preprocess(c: &mut Criterion) {
    let bytes = flow_benches::demo_export_bytes();
    let Some(site) = find_site("jangmyeong") else { return };
    let Ok(config) = PreprocessConfig::default().check() else {
        return;
    };
    let mut group = c.benchmark_group("preprocess");
    group.sample_size(20);
    group.bench_function("decode", |b| {
        b.iter(|| Export::from_bytes(black_box(bytes.clone()), "demo.csv".as_ref()))
    });
    group.bench_function("decode+parse+clean+resample+criteria", |b| {
        b.iter(|| {
            let export = Export::from_bytes(black_box(bytes.clone()), "demo.csv".as_ref()).ok()?;
            let raw = export.series(Selector::Site(site)).ok()?;
            flowcore::preprocess(&raw.series, &config).ok()
        })
    });
    if let Ok(export) = Export::from_bytes(bytes.clone(), "demo.csv".as_ref()) {
        group.bench_function("parse one column", |b| {
            b.iter(|| export.series(Selector::Site(site)).ok())
        });
        if let Ok(raw) = export.series(Selector::Site(site)) {
            group.bench_function("clean+resample+criteria", |b| {
                b.iter(|| flowcore::preprocess(black_box(&raw.series), &config).ok())
            });
        }
    }
    // The same export written day-first (`31/12/2020 23:59`), as European utilities export it:
    // parsed through chrono's pattern instead of flow's own year-first parser.
    if let Some(day_first) = day_first(&bytes) {
        if let Ok(export) = Export::from_bytes(day_first, "demo.csv".as_ref()) {
            group.bench_function("parse one column, day-first", |b| {
                b.iter(|| export.series(Selector::Site(site)).ok())
            });
        }
    }
    group.finish();
}

/// The demo export with `YYYY/MM/DD` rewritten as `DD/MM/YYYY`.
fn day_first(bytes: &[u8]) -> Option<Vec<u8>> {
    let (text, _) = flowcore::ingest::decode(bytes.to_vec(), "demo.csv".as_ref()).ok()?;
    let mut out = String::with_capacity(text.len());
    for (index, line) in text.lines().enumerate() {
        match (index, line.get(..10)) {
            (0, _) | (_, None) => out.push_str(line),
            (_, Some(date)) => {
                out.push_str(&format!("{}/{}/{}", &date[8..10], &date[5..7], &date[..4]));
                out.push_str(&line[10..]);
            }
        }
        out.push('\n');
    }
    Some(out.into_bytes())
}

criterion_group!(benches, preprocess);
criterion_main!(benches);
