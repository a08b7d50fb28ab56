//! The evaluation's baselines on the demo year, as `flow run` and `flow train --interval hourly`
//! make them: persistence, seasonal naive, the moving average, and Holt–Winters — on the daily
//! means fitted by likelihood and refitted as the test steps go (`flowreport::holt_winters`), on
//! the hourly means of the day and the week (`flowreport::double_seasonal`) — which is nearly all
//! of the time. The test part is the last 30 %, as `flow train` splits it.
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use flowcore::resample::resample_mean;
use flowcore::Interval;
use flowreport::baseline::{baseline_forecasts, season_length};

fn baselines(c: &mut Criterion) {
    let Ok((daily, _, cleaned)) = flow_benches::demo_inputs() else {
        return;
    };
    let hourly = resample_mean(&cleaned, Interval::HOURLY);
    let mut group = c.benchmark_group("baselines");
    group.sample_size(10);
    for (name, series) in [("daily, 367 days", &daily), ("hourly, 8,785 hours", &hourly)] {
        let values = &series.values;
        let test_start = values.len() * 7 / 10;
        let season = season_length(series.interval.seconds());
        group.bench_function(name, |b| {
            b.iter(|| {
                baseline_forecasts(black_box(values), test_start, 7, season, None)
                    .map(|f| f.len())
                    .ok()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, baselines);
criterion_main!(benches);
