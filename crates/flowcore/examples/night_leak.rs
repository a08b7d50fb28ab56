//! The night-flow alarms against leaks injected into the demo export's main column: for each seed
//! and each leak, how many nights after the burst the alarm started, how many false alarms came in
//! the months before it, how many nights after the repair the alarm ended, and how many nights
//! were in an alarm in the eight weeks after that (a baseline left stale by the leak's month).
//!
//! `cargo run --release -p flowcore --example night_leak [SEEDS] [PERCENT] [FIRST] [HOLD]`
//! (default 10 seeds from 2020, 10 %, the rule's hold; seeds from 2030 on were not looked at while
//! the rule was chosen).

use flowcore::demo::{main_series, DemoConfig, Leak};
use flowcore::night::{judge_nights, minimum_night_flow, NightConfig, NightRule, NightStatus};
use flowcore::time::{format_date, parse_timestamp, DAY};
use flowcore::Check;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let seeds: u64 = args.next().map_or(Ok(10), |a| a.parse())?;
    let percent: u32 = args.next().map_or(Ok(10), |a| a.parse())?;
    // The first seed: 2020 onwards were looked at while choosing the rule; 2030 onwards were not.
    let first: u64 = args.next().map_or(Ok(2020), |a| a.parse())?;
    let night = NightConfig::default().check()?;
    let defaults = NightRule::default();
    let hold: usize = args.next().map_or(Ok(defaults.hold), |a| a.parse())?;
    let rule = NightRule { hold, ..defaults }.check()?;
    // A month-long leak starting in each season after the first three months of data.
    let starts = ["2020-04-15", "2020-06-20", "2020-08-25", "2020-10-30"];
    println!("seed  leak from   to          typical+  start(n)  false before  end(n)  after  stage");
    let (mut runs, mut found, mut on_time, mut ended, mut falses) = (0, 0, 0, 0, 0);
    let mut false_nights_judged = 0i64;
    // Nights in an alarm from the 4th to the 59th night after the repair, and nights judged then.
    let (mut after_alarm, mut after_judged) = (0usize, 0usize);
    for seed in first..first + seeds {
        for start in starts {
            let from = parse_timestamp(&format!("{start} 00:00")).ok_or("date")? / DAY;
            let to = from + 30;
            let config = DemoConfig {
                rows: 527_041,
                seed,
                leak: Some(Leak {
                    from_day: from,
                    to_day: Some(to),
                    percent,
                }),
            };
            let series = main_series(&config);
            let nights = minimum_night_flow(&series, &night)?;
            let judged = judge_nights(&nights, &rule);
            let before = judged.events.iter().filter(|e| e.last_night < from * DAY).count();
            false_nights_judged += from - nights.first().map_or(from, |n| n.night / DAY);
            let leak = judged
                .events
                .iter()
                .find(|e| e.last_night >= from * DAY && e.first_night < to * DAY);
            runs += 1;
            falses += before;
            let mut after = 0;
            for (n, v) in nights.iter().zip(&judged.verdicts) {
                if (to + 4..to + 60).contains(&(n.night / DAY)) && n.mnf.is_some() {
                    after_judged += 1;
                    after += usize::from(v.status == NightStatus::Alarm);
                }
            }
            after_alarm += after;
            let (delay, end, stage) = match leak {
                Some(e) => {
                    found += 1;
                    let delay = e.first_night / DAY - from;
                    on_time += usize::from((0..=3).contains(&delay));
                    let end = e.repaired.map(|r| r / DAY - to);
                    ended += usize::from(end.is_some_and(|n| (0..=3).contains(&n)));
                    (
                        delay.to_string(),
                        end.map_or("open".into(), |n| n.to_string()),
                        e.stage.to_string(),
                    )
                }
                None => ("missed".into(), "-".into(), "-".into()),
            };
            println!(
                "{seed}  {}  {}  {:>8}  {delay:>8}  {before:>12}  {end:>6}  {after:>5}  {stage}",
                format_date(from * DAY),
                format_date(to * DAY),
                Leak {
                    from_day: from,
                    to_day: Some(to),
                    percent
                }
                .rate(&main_series(&DemoConfig { leak: None, ..config }).values),
            );
        }
    }
    println!();
    println!(
        "{runs} leaks of {percent} %: {found} found, {on_time} within 3 nights, {ended} ended within 3 nights of the repair; {falses} false alarms over {false_nights_judged} nights before the leaks ({:.2} per 100 nights); {after_alarm} of {after_judged} nights in an alarm 4 to 59 nights after the repairs ({:.1} %)",
        100.0 * falses as f64 / false_nights_judged.max(1) as f64,
        100.0 * after_alarm as f64 / after_judged.max(1) as f64
    );
    Ok(())
}
