//! The week-profile regression on a year of hours (the demo export's `jangmyeong`, minutes averaged
//! into hours): one fit (a year of midnights as origins, and the calibration fit 56 days shorter)
//! and one 168-hour forecast with its bands — what `flow forecast` does per site. Issue 14's
//! targets are command-level (`flow forecast --sites all` on BWDF under 15 s, `flow backtest` of 40
//! fits under 60 s); docs/PERFORMANCE.md has both.
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use flowcore::resample::resample_mean;
use flowcore::{find_site, Check, Export, Interval, Selector};
use flowlstm::horizon::{fit, Calendar, Grid, HorizonConfig};

fn forecast(c: &mut Criterion) {
    let bytes = flow_benches::demo_export_bytes();
    let Some(site) = find_site("jangmyeong") else { return };
    let Ok(export) = Export::from_bytes(bytes, "demo.csv".as_ref()) else {
        return;
    };
    let Ok(read) = export.series(Selector::Site(site)) else {
        return;
    };
    let Ok(grid) = Grid::from_series(&resample_mean(&read.series, Interval::HOURLY)) else {
        return;
    };
    let Ok(config) = HorizonConfig::default().check() else {
        return;
    };
    let calendar = Calendar::default();
    let mut group = c.benchmark_group("forecast");
    group.sample_size(10);
    group.bench_function("fit+predict 168 h, a year of hours", |b| {
        b.iter(|| {
            fit(black_box(&grid), &calendar, &config)
                .and_then(|model| model.predict(&grid, &calendar))
                .map(|f| f.values.len())
                .ok()
        })
    });
    group.finish();
}

criterion_group!(benches, forecast);
criterion_main!(benches);
