//! The alarm rules against the faults the demo export holds, column by column: how many injected
//! faults were found, how many alarms are none of them, and the share of minutes in an alarm.
//!
//! `cargo run --release -p flowcore --example alarm_study [SEEDS] [FIRST]` (default 3 seeds from
//! 2020; seeds from 2030 on were not looked at while the defaults were chosen).

use flowcore::alarms::{find_alarms, AlarmRule, Regime};
use flowcore::demo::{generate, injected_faults, DemoConfig};
use flowcore::{Check, Export, Selector, SITES};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seeds: u64 = std::env::args().nth(1).map_or(Ok(3), |a| a.parse())?;
    // The first seed: 2020 onwards were looked at while choosing the defaults; 2030 onwards were not.
    let first: u64 = std::env::args().nth(2).map_or(Ok(2020), |a| a.parse())?;
    let rule = AlarmRule::default().check()?;
    println!("seed  column          regime        faults found  false alarms  minutes in alarm");
    let (mut missed, mut worst_false, mut worst_pump) = (0, 0, 0.0f64);
    for seed in first..first + seeds {
        let config = DemoConfig {
            seed,
            ..DemoConfig::default()
        };
        let export = Export::from_bytes(generate(&config), "demo.csv".as_ref())?;
        let faults = injected_faults(&config);
        for site in &SITES {
            let series = export.series(Selector::Site(site))?.series;
            let found = find_alarms(site.slug, &series, &rule);
            let at = |row: usize| series.timestamps[row];
            let labels: Vec<_> = faults
                .iter()
                .filter(|f| f.all_columns || site.slug == "jangmyeong")
                .collect();
            let found_labels = labels
                .iter()
                .filter(|l| {
                    found
                        .alarms
                        .iter()
                        .any(|a| a.kind.to_string() == l.kind && a.start <= at(l.last) && a.end >= at(l.first))
                })
                .count();
            let false_alarms = found
                .alarms
                .iter()
                .filter(|a| !labels.iter().any(|l| a.start <= at(l.last) && a.end >= at(l.first)))
                .count();
            let share = found.readings_in_alarm() as f64 / series.len() as f64;
            let regime = match found.regime {
                Regime::Continuous => "continuous",
                Regime::OnOff { .. } => "pump",
                Regime::Constant { .. } => "constant",
                Regime::Blank => "blank",
                Regime::NoFlow { .. } => "no flow",
            };
            if let Regime::OnOff { .. } = found.regime {
                worst_pump = worst_pump.max(share);
            }
            missed += labels.len() - found_labels;
            worst_false = worst_false.max(false_alarms);
            println!(
                "{seed}  {:<15} {regime:<13} {found_labels:>5} / {:<5} {false_alarms:>12}  {:>14.2} %",
                site.slug,
                labels.len(),
                share * 100.0
            );
        }
    }
    println!();
    println!(
        "{seeds} seeds × 14 columns: {missed} injected faults missed; at most {worst_false} false alarms in a column-year; pumps at most {:.2} % of minutes in an alarm",
        worst_pump * 100.0
    );
    Ok(())
}
