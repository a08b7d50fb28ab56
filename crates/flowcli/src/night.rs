//! The night-flow stage: each night's minimum night flow on the raw readings, its alarms, and what
//! the engineer reads each morning. `flow night` runs it alone; `flow run` runs it on every site.

use std::fmt::Write as _;

use flowcore::events::{Alarm, AlarmKind};
use flowcore::files::python_float;
use flowcore::night::{judge_nights_accepting, minimum_night_flow_on_clock, Judgement, Night, NightStatus};
use flowcore::time::{format_date, format_timestamp, DAY};
use flowcore::{Export, FlowSeries};
use flowreport::graph::encode_png;
use flowreport::night::{night_graph, trend_per_30_days, NightGraph};
use flowreport::profile::{Profiler, StageProfile};
use serde::{Deserialize, Serialize};

use crate::alarms::replace_in_log;
use crate::error::{FlowError, Result};
use crate::guard::SiteGuard;
use crate::observer::Observer;
use crate::options::NightCommandArgs;
use crate::output::SiteDirs;
use crate::settings::{night_settings, NightSettings};
use crate::site::{read_targets, write_and_list, Target};

/// Nights an alarm stays on before the terminal asks for its survey or its acceptance: four weeks,
/// the span a baseline is fitted on.
const LONG_ALARM_NIGHTS: i64 = 28;

/// What the night-flow stage found, as `report.json` keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NightSummary {
    /// The window, e.g. `02:00-04:00`.
    pub window: String,
    /// The bin the minimum is taken over, e.g. `10min`.
    pub bin: String,
    /// Nights listed.
    pub nights: usize,
    /// Nights with an MNF.
    pub with_mnf: usize,
    /// Nights under the coverage share (no MNF).
    pub low_coverage: usize,
    /// Nights of constant readings (not judged).
    pub constant: usize,
    /// Mean MNF over the nights with one.
    pub mean_mnf: Option<f64>,
    /// Mean of MNF as a share of its day's mean flow.
    pub mean_share_of_day: Option<f64>,
    /// Change of MNF per 30 days over the whole period (Theil–Sen).
    pub trend_per_30_days: Option<f64>,
    /// The same over the last 30 nights.
    pub trend_last_30_nights: Option<f64>,
    /// The last night with an MNF.
    pub latest: Option<LatestNight>,
    /// The alarms raised.
    pub alarms: Vec<NightAlarm>,
}

impl NightSummary {
    /// The night-flow alarm still on: neither repaired nor accepted as normal.
    fn still_on(&self) -> Option<&NightAlarm> {
        self.alarms
            .iter()
            .rev()
            .find(|a| a.repaired.is_none() && a.accepted.is_none())
    }

    /// The night-flow alarm still on, as the morning's table says it: `severe since 2021-06-03`,
    /// or `none`.
    pub fn alarm_on(&self) -> String {
        self.still_on()
            .map_or("none".to_string(), |a| format!("{} since {}", a.stage, a.first_night))
    }

    /// For an alarm on for four weeks or more (the baseline's own span), what to do about it:
    /// `dma-7: leak alarm on for 667 nights (since 2021-06-03): …`. An alarm always on is one
    /// nobody reads; the two ends it can have are a repair or `--night-accept`.
    pub fn long_alarm_note(&self, slug: &str) -> Option<String> {
        let alarm = self.still_on()?;
        let day = |date: &str| Some(flowcore::time::parse_timestamp(date)?.div_euclid(DAY));
        let nights = day(&alarm.last_night)? - day(&alarm.first_night)? + 1;
        (nights >= LONG_ALARM_NIGHTS).then(|| {
            format!(
                "{slug}: leak alarm on for {nights} nights (since {}): survey the area; if the survey finds new night use, not a leak, --night-accept {slug}=<its date> takes the nights from then as normal",
                alarm.first_night
            )
        })
    }

    /// The last night with an MNF, its baseline and what the rule made of it:
    /// `2023-03-31 19.1 (18.6) alarm`; `-` when no night had one.
    pub fn latest_text(&self) -> String {
        self.latest.as_ref().map_or("-".to_string(), |l| {
            format!(
                "{} {:.1} ({}) {}",
                l.night,
                l.mnf,
                l.expected.map_or("-".to_string(), |e| format!("{e:.1}")),
                status_word(l.status)
            )
        })
    }
}

/// The last night with an MNF.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatestNight {
    /// Its date (the morning).
    pub night: String,
    /// Its MNF.
    pub mnf: f64,
    /// The baseline it was judged against.
    pub expected: Option<f64>,
    /// What the rule made of it.
    pub status: NightStatus,
    /// Its stage, when in alarm.
    pub stage: Option<String>,
}

/// One night-flow alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NightAlarm {
    /// The first night (date of the morning).
    pub first_night: String,
    /// The last night still high.
    pub last_night: String,
    /// The highest stage, e.g. `alert`.
    pub stage: String,
    /// `step` or `drift`.
    pub onset: flowcore::night::Onset,
    /// The highest MNF and when.
    pub peak_value: f64,
    /// `YYYY-MM-DD HH:MM:SS`.
    pub peak_time: String,
    /// The baseline on that night.
    pub expected: f64,
    /// The night the repair was confirmed; absent while the alarm is on.
    pub repaired: Option<String>,
    /// Repairs that did not hold: the nights came back to the baseline and the alarm was raised
    /// again within `--night-hold` nights, so it went on.
    #[serde(default)]
    pub returns: usize,
    /// The night from which `--night-accept` took the nights as normal, which ended the alarm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
}

/// `Night/night.json`: what the night-flow stage found on one site, written by `flow night` and by
/// `flow run` beside `mnf.csv`, for the script or dashboard that reads it each morning (and so that
/// a folder written by `flow night` alone names the column it was made from).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NightReport {
    /// The site's slug.
    pub site: String,
    /// The export's column.
    pub column: String,
    /// What was found.
    #[serde(flatten)]
    pub summary: NightSummary,
}

pub(crate) struct NightOutcome {
    pub(crate) summary: NightSummary,
    pub(crate) profile: StageProfile,
}

/// The night-flow stage on one site: its nights measured, or why a column has none to measure.
pub(crate) enum NightStage {
    Measured(Box<NightOutcome>),
    /// A pump-driven column: its night minimum says when the pump ran, not how much leaks.
    Pump,
    /// A meter with no flow through it (noise around zero).
    NoFlow,
}

impl NightStage {
    pub(crate) fn measured(self) -> Option<NightOutcome> {
        match self {
            NightStage::Measured(outcome) => Some(*outcome),
            NightStage::Pump | NightStage::NoFlow => None,
        }
    }
}

/// The night-flow stage on one site's raw readings: `Night/mnf.csv`, `Night/mnf.png` and the
/// `night_flow` rows of the alarm log. Skipped, with a line, for a pump-driven column (its night
/// minimum says when the pump ran, not how much leaks) and for a meter with no flow through it.
pub(crate) fn night_stage(
    raw: &FlowSeries,
    skipped_clock_times: &[i64],
    target: &Target,
    settings: &NightSettings,
    dirs: &SiteDirs,
    obs: &mut dyn Observer,
) -> Result<NightStage> {
    // Readings with no night at all (daily) are said so first, not taken for a pump's on and off.
    settings
        .measure
        .bin_for(raw.interval)
        .map_err(FlowError::NightUnmeasurable)?;
    match flowcore::alarms::regime(&raw.values) {
        flowcore::alarms::Regime::OnOff { off_share } => {
            say!(obs);
            say!(
                obs,
                "night flow       skipped for {}: a pump-driven column (off {:.0} % of the time), whose night minimum says when the pump ran, not what leaks",
                target.slug,
                off_share * 100.0
            );
            return Ok(NightStage::Pump);
        }
        flowcore::alarms::Regime::NoFlow { .. } => {
            say!(obs);
            say!(
                obs,
                "night flow       skipped for {}: no flow through the meter (its readings are noise around zero), so no night flow to measure",
                target.slug
            );
            return Ok(NightStage::NoFlow);
        }
        _ => {}
    }
    let profiler = Profiler::start();
    let nights = minimum_night_flow_on_clock(raw, &settings.measure, skipped_clock_times)?;
    if !nights.iter().any(|n| n.mnf.is_some()) {
        return Err(FlowError::NoNightMeasured {
            slug: target.slug.clone(),
            column: target.column.clone(),
            nights: nights.len(),
            coverage: settings.measure.min_coverage * 100.0,
            window: settings.measure.window.to_string(),
        });
    }
    let accepted = settings.accepted_for(&target.slug);
    let judged = judge_nights_accepting(&nights, &settings.rule, &accepted);
    let window = settings.measure.window;
    let bin = settings.measure.bin.max(raw.interval);
    let alarms: Vec<Alarm> = judged
        .events
        .iter()
        .map(|e| Alarm {
            site: target.slug.clone(),
            kind: AlarmKind::NightFlow,
            stage: e.stage,
            start: window.bounds(e.first_night.div_euclid(DAY)).0,
            end: window.bounds(e.last_night.div_euclid(DAY)).1,
            peak_time: e.peak_time,
            peak_value: e.peak_value,
            expected: e.expected,
            readings: nights
                .iter()
                .filter(|n| (e.first_night..=e.last_night).contains(&n.night))
                .map(|n| (n.coverage * (window.length() / raw.interval.seconds()) as f64).round() as usize)
                .sum(),
        })
        .collect();
    let night_dir = dirs.root.join("Night");
    let mut files = vec![(night_dir.join("mnf.csv"), mnf_csv(&nights, &judged, settings))];
    let expected: Vec<Option<f64>> = judged.verdicts.iter().map(|v| v.expected).collect();
    let watch_from: Vec<Option<f64>> = judged
        .verdicts
        .iter()
        .map(|v| Some(v.expected? + settings.rule.stages.watch * v.spread?))
        .collect();
    let subtitle = format!(
        "{}: lowest {} mean of {window} each night, with the band up to the watch threshold ({}σ)",
        target.slug, bin, settings.rule.stages.watch
    );
    let image = night_graph(&NightGraph {
        subtitle: &subtitle,
        nights: &nights.iter().map(|n| n.night).collect::<Vec<_>>(),
        mnf: &nights.iter().map(|n| n.mnf).collect::<Vec<_>>(),
        expected: &expected,
        watch_from: &watch_from,
        stages: &judged.verdicts.iter().map(|v| v.stage).collect::<Vec<_>>(),
        unit: crate::output::split_unit(&target.column).1,
        accepted: &accepted.iter().map(|day| day * DAY).collect::<Vec<_>>(),
    })?;
    files.push((night_dir.join("mnf.png"), encode_png(&image)?));
    let summary = summarise(&nights, &judged, settings, bin);
    let report = NightReport {
        site: target.slug.clone(),
        column: target.column.clone(),
        summary,
    };
    files.push((night_dir.join("night.json"), serde_json::to_vec_pretty(&report)?));
    let summary = report.summary;
    report_block(&summary, &nights, &judged, target, &accepted, obs);
    write_and_list(&files, obs)?;
    let update = replace_in_log(
        &dirs.prediction,
        &target.column,
        &[AlarmKind::NightFlow],
        raw.span(),
        &alarms,
    )?;
    let [csv, jsonl] = &update.files;
    say!(
        obs,
        "                 {} and {} ({} night_flow{})",
        csv.display(),
        jsonl.display(),
        alarms.len(),
        crate::alarms::kept_note(&update)
    );
    let profile = profiler.finish("night");
    say!(obs, "{profile}");
    Ok(NightStage::Measured(Box::new(NightOutcome { summary, profile })))
}

fn note(night: &Night, status: NightStatus, settings: &NightSettings) -> String {
    match status {
        NightStatus::NoMnf if night.coverage == 0.0 => "no readings".into(),
        NightStatus::NoMnf => format!(
            "coverage under {} %: no MNF",
            (settings.measure.min_coverage * 1000.0).round() / 10.0
        ),
        NightStatus::Constant => "constant readings (stuck meter or pump off): not judged".into(),
        NightStatus::WarmingUp => format!("warming up: judging starts after {} nights", settings.rule.min_nights),
        NightStatus::High => "high, not yet on enough nights in a row".into(),
        NightStatus::Alarm => "alarm".into(),
        NightStatus::Normal => String::new(),
    }
}

fn status_word(status: NightStatus) -> &'static str {
    match status {
        NightStatus::NoMnf => "no MNF",
        NightStatus::Constant => "constant",
        NightStatus::WarmingUp => "warming up",
        NightStatus::Normal => "normal",
        NightStatus::High => "high",
        NightStatus::Alarm => "alarm",
    }
}

fn optional(value: Option<f64>) -> String {
    value.map_or(String::new(), |v| python_float((v * 1e4).round() / 1e4))
}

/// `mnf.csv`: one row a night.
fn mnf_csv(nights: &[Night], judged: &Judgement, settings: &NightSettings) -> Vec<u8> {
    let mut text = String::from("night,mnf,mnf_time,night_mean,coverage,expected,stage,day_mean,share_of_day,note\n");
    for (night, verdict) in nights.iter().zip(&judged.verdicts) {
        let _ = writeln!(
            text,
            "{},{},{},{},{},{},{},{},{},{}",
            format_date(night.night),
            optional(night.mnf),
            night.mnf_time.map_or(String::new(), format_timestamp),
            optional(night.night_mean),
            optional(Some(night.coverage)),
            optional(verdict.expected),
            verdict.stage.map_or("", |s| s.english()),
            optional(night.day_mean),
            optional(night.share_of_day()),
            note(night, verdict.status, settings)
        );
    }
    text.into_bytes()
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

fn summarise(nights: &[Night], judged: &Judgement, settings: &NightSettings, bin: flowcore::Interval) -> NightSummary {
    let with: Vec<(i64, f64)> = nights
        .iter()
        .filter(|n| !n.constant)
        .filter_map(|n| Some((n.night, n.mnf?)))
        .collect();
    let last_30: Vec<(i64, f64)> = with
        .iter()
        .copied()
        .filter(|(t, _)| with.last().is_some_and(|(last, _)| last - t < 30 * DAY))
        .collect();
    let latest = nights.iter().zip(&judged.verdicts).rev().find_map(|(n, v)| {
        Some(LatestNight {
            night: format_date(n.night),
            mnf: n.mnf?,
            expected: v.expected,
            status: v.status,
            stage: v.stage.map(|s| s.english().to_string()),
        })
    });
    NightSummary {
        window: settings.measure.window.to_string(),
        bin: bin.to_string(),
        nights: nights.len(),
        with_mnf: nights.iter().filter(|n| n.mnf.is_some()).count(),
        low_coverage: nights.iter().filter(|n| n.mnf.is_none()).count(),
        constant: nights.iter().filter(|n| n.constant).count(),
        mean_mnf: mean(with.iter().map(|(_, v)| *v)),
        mean_share_of_day: mean_share_of_day(nights),
        trend_per_30_days: trend_per_30_days(&with),
        trend_last_30_nights: trend_per_30_days(&last_30),
        latest,
        alarms: judged
            .events
            .iter()
            .map(|e| NightAlarm {
                first_night: format_date(e.first_night),
                last_night: format_date(e.last_night),
                stage: e.stage.english().to_string(),
                onset: e.onset,
                peak_value: e.peak_value,
                peak_time: format_timestamp(e.peak_time),
                expected: e.expected,
                repaired: e.repaired.map(format_date),
                returns: e.returns,
                accepted: e.accepted.map(format_date),
            })
            .collect(),
    }
}

/// The mean of the nights' shares of their day, where at least half the nights with an MNF have
/// one: a column of noise around no flow (the demo's `hoeryong-out`) has a share on 1 night of
/// 366, and that one night's 79 % would stand for the column.
fn mean_share_of_day(nights: &[Night]) -> Option<f64> {
    let judged: Vec<&Night> = nights.iter().filter(|n| !n.constant && n.mnf.is_some()).collect();
    let shares: Vec<f64> = judged.iter().filter_map(|n| n.share_of_day()).collect();
    if 2 * shares.len() < judged.len() {
        return None;
    }
    mean(shares.into_iter())
}

fn fixed(value: Option<f64>, decimals: usize) -> String {
    value.map_or("-".into(), |v| format!("{v:.decimals$}"))
}

fn report_block(
    summary: &NightSummary,
    nights: &[Night],
    judged: &Judgement,
    target: &Target,
    accepted: &[i64],
    obs: &mut dyn Observer,
) {
    say!(obs);
    say!(
        obs,
        "== Night flow: {}{}, {}, lowest {} mean ==",
        target.slug,
        // The column measured, where the folder's name does not say it (`jangmyeong` read from
        // a one-column file of another meter, `dma-1` from `DMA 1 (L/s)`).
        if target.column == target.slug {
            String::new()
        } else {
            format!(" ({})", target.column)
        },
        summary.window,
        summary.bin
    );
    say!(
        obs,
        "nights           {}: {} with an MNF, {} with too few readings, {} of constant readings (not judged)",
        summary.nights,
        summary.with_mnf,
        summary.low_coverage,
        summary.constant
    );
    let span = nights
        .first()
        .zip(nights.last())
        .map(|(a, b)| (a.night / DAY, b.night / DAY));
    for &day in accepted {
        let effect = match span {
            Some((first, last)) if (first..=last).contains(&day) => "the baseline starts afresh there",
            _ => "outside the nights read: nothing changed",
        };
        say!(
            obs,
            "accepted         nights from {} taken as the new normal (--night-accept): {effect}",
            format_date(day * DAY)
        );
    }
    say!(
        obs,
        "MNF              mean {}, on average {} % of the day's mean flow",
        fixed(summary.mean_mnf, 1),
        fixed(summary.mean_share_of_day.map(|s| s * 100.0), 1)
    );
    say!(
        obs,
        "trend            {} per 30 days over the last 30 nights; {} over the whole period (Theil–Sen)",
        fixed(summary.trend_last_30_nights, 1),
        fixed(summary.trend_per_30_days, 1)
    );
    say!(
        obs,
        "last 7 nights    night           MNF  at      expected  share  stage"
    );
    for (night, verdict) in nights.iter().zip(&judged.verdicts).rev().take(7).rev() {
        say!(
            obs,
            "                 {}  {:>8}  {:<6}  {:>8}  {:>5}  {}",
            format_date(night.night),
            fixed(night.mnf, 1),
            night
                .mnf_time
                .map_or("-".into(), |t| format_timestamp(t)[11..16].to_string()),
            fixed(verdict.expected, 1),
            night
                .share_of_day()
                .map_or("-".into(), |s| format!("{:.0}%", s * 100.0)),
            verdict
                .stage
                .map_or_else(|| status_word(verdict.status).to_string(), |s| s.to_string())
        );
    }
    if let Some(latest) = &summary.latest {
        say!(
            obs,
            "latest           {}: {} (MNF {:.1}, expected {})",
            latest.night,
            latest.stage.as_deref().unwrap_or("no alarm"),
            latest.mnf,
            fixed(latest.expected, 1)
        );
    }
    say!(obs, "alarms           {} night_flow", summary.alarms.len());
    for a in &summary.alarms {
        say!(
            obs,
            "                 {} .. {}  {:<7}  {}, peak {:.1} against {:.1} on {}; {}{}",
            a.first_night,
            a.last_night,
            a.stage,
            match a.onset {
                flowcore::night::Onset::Step => "step",
                flowcore::night::Onset::Drift => "drift",
            },
            a.peak_value,
            a.expected,
            &a.peak_time[..10],
            match (&a.repaired, &a.accepted) {
                (Some(repaired), _) => format!("repaired {repaired}"),
                (None, Some(accepted)) => format!("accepted as normal from {accepted} (--night-accept)"),
                (None, None) => "still on".to_string(),
            },
            match a.returns {
                0 => String::new(),
                1 => "; 1 earlier return to normal did not hold".to_string(),
                n => format!("; {n} earlier returns to normal did not hold"),
            }
        );
    }
    if !summary.alarms.is_empty() {
        for line in crate::alarms::response_lines([AlarmKind::NightFlow]) {
            say!(obs, "{line}");
        }
    }
    if let Some(note) = summary.long_alarm_note(&target.slug) {
        say!(obs, "note             {note}");
    }
}

/// `flow night`: the night-flow stage alone, on one site or several of one export read once.
pub fn night_command(args: &NightCommandArgs, obs: &mut dyn Observer) -> Result {
    let settings = night_settings(&args.night)?;
    let (export, _, targets) = read_targets(&args.input, args.sites.as_deref(), obs)?;
    settings.check_sites(&export, &targets)?;
    // A site that fails (a meter stuck all night long, no night with readings) is said and the
    // others still run, as in `flow run --sites all`; before, the first failure stopped the rest.
    let results = crate::parallel::each_target(&targets, obs, |target, transcript| {
        night_site(&export, target, &settings, &args.input.output_dir, transcript)
    });
    if targets.len() > 1 {
        say!(obs);
        say!(obs, "== Night flow: {} sites ==", targets.len());
        obs.block(&morning_table(&targets, &results));
        for (target, result) in targets.iter().zip(&results) {
            let note = result.as_ref().ok().and_then(|stage| match stage {
                NightStage::Measured(outcome) => outcome.summary.long_alarm_note(&target.slug),
                NightStage::Pump | NightStage::NoFlow => None,
            });
            if let Some(note) = note {
                say!(obs, "note             {note}");
            }
        }
    }
    crate::parallel::all_done(&export, &targets, results)
}

/// The morning's overview of `flow night` on several sites, a line a site: the night-flow alarm
/// still on, the latest night against its baseline, the mean share of the day's flow at night and
/// the trend of the last 30 nights (a rising MNF is a leak growing).
fn morning_table(targets: &[Target], results: &[Result<NightStage>]) -> String {
    let mut table = format!(
        "{:<16} {:<24} {:<30} {:>11} {:>16}\n",
        "site", "leak alarm on", "latest night (expected)", "night/day", "trend 30 nights"
    );
    for (target, result) in targets.iter().zip(results) {
        let _ = match result {
            Ok(NightStage::Measured(outcome)) => {
                let night = &outcome.summary;
                writeln!(
                    table,
                    "{:<16} {:<24} {:<30} {:>11} {:>16}",
                    target.slug,
                    night.alarm_on(),
                    night.latest_text(),
                    night
                        .mean_share_of_day
                        .map_or("-".into(), |s| format!("{:.0} %", s * 100.0)),
                    night
                        .trend_last_30_nights
                        .map_or("-".into(), |t| format!("{t:+.1} / 30 d")),
                )
            }
            Ok(NightStage::Pump) => writeln!(table, "{:<16} skipped (a pump-driven column)", target.slug),
            Ok(NightStage::NoFlow) => writeln!(table, "{:<16} skipped (no flow through the meter)", target.slug),
            Err(_) => writeln!(table, "{:<16} failed (said above)", target.slug),
        };
    }
    table
}

fn night_site(
    export: &Export,
    target: &Target,
    settings: &NightSettings,
    output_dir: &std::path::Path,
    obs: &mut dyn Observer,
) -> Result<NightStage> {
    let dirs = SiteDirs::new(output_dir, &target.slug);
    let _guard = SiteGuard::claim(&dirs, "flow night", export.paths(), obs)?;
    SiteGuard::note_other_column(&dirs, &target.column, "flow night", obs);
    let raw = export.series(target.selector())?;
    // Measured at the readings' own interval: two rows 10,000 years apart were 3.6 million
    // nights, 1.4 GB, before anything was said.
    crate::horizon_input::refuse_stray_row(export, target, &raw.series.timestamps, raw.series.interval)?;
    let notes = crate::site::time_notes(&raw.report);
    if !notes.is_empty() {
        say!(obs);
    }
    for note in notes {
        say!(obs, "{note}");
    }
    night_stage(
        &raw.series,
        &raw.report.skipped_local_times,
        target,
        settings,
        &dirs,
        obs,
    )
}
