//! A site's alarm log: `Prediction/alarms.csv` (one row an alarm) and `Prediction/alarms.jsonl` (one
//! JSON object a line, the record the utility asked for: `site`, `time`, `stage`, `value`, and
//! the `column`). Each stage that raises alarms replaces its own kinds within the period it read
//! and keeps the other rows, so `flow night` and the alarms of `flow run` share one log without
//! rewriting each other's, and runs over other periods (each month's export) build its history.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use flowcore::events::{Alarm, AlarmKind, Severity};
use flowcore::files::{python_float, write_all_or_nothing};
use flowcore::time::{format_duration, format_timestamp, parse_timestamp, DAY};
use serde::{Deserialize, Serialize};

use crate::error::{FlowError, Result};

/// `alarms.csv`'s header.
pub const CSV_HEADER: &str = "site,kind,stage,start,end,peak_time,peak_value,expected";

/// One line of `alarms.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmRecord {
    /// The site's slug.
    pub site: String,
    /// What it is about (`night_flow`, …).
    pub kind: AlarmKind,
    /// `watch`, `caution`, `alert` or `severe`.
    pub stage: String,
    /// 관심, 주의, 경계 or 심각.
    pub stage_ko: String,
    /// When it began, `YYYY-MM-DD HH:MM:SS`.
    pub time: String,
    /// When it ended.
    pub end: String,
    /// When it was worst.
    pub peak_time: String,
    /// The value then; absent where there is none (an outage).
    pub value: Option<f64>,
    /// What was expected then; absent where nothing is expected (an outage).
    pub expected: Option<f64>,
    /// Readings inside it.
    #[serde(default)]
    pub readings: usize,
    /// The column of the export it was found in (in the alarm log; a folder written with
    /// another column's alarms before keeps none of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What the operator checks first ([`AlarmKind::response`]); absent from logs written before
    /// 2026-11-28.
    #[serde(default)]
    pub response: String,
}

impl From<&Alarm> for AlarmRecord {
    fn from(alarm: &Alarm) -> AlarmRecord {
        AlarmRecord {
            site: alarm.site.clone(),
            kind: alarm.kind,
            stage: alarm.stage.english().to_string(),
            stage_ko: alarm.stage.korean().to_string(),
            time: format_timestamp(alarm.start),
            end: format_timestamp(alarm.end),
            peak_time: format_timestamp(alarm.peak_time),
            value: alarm.peak_value.is_finite().then_some(alarm.peak_value),
            expected: alarm.expected.is_finite().then_some(alarm.expected),
            readings: alarm.readings,
            column: None,
            response: alarm.kind.response().to_string(),
        }
    }
}

impl AlarmRecord {
    fn alarm(&self) -> Option<Alarm> {
        let stage = [Severity::Watch, Severity::Caution, Severity::Alert, Severity::Severe]
            .into_iter()
            .find(|s| s.english() == self.stage)?;
        Some(Alarm {
            site: self.site.clone(),
            kind: self.kind,
            stage,
            start: parse_timestamp(&self.time)?,
            end: parse_timestamp(&self.end)?,
            peak_time: parse_timestamp(&self.peak_time)?,
            peak_value: self.value.unwrap_or(f64::NAN),
            expected: self.expected.unwrap_or(f64::NAN),
            readings: self.readings,
        })
    }
}

/// A number as Python prints it, or nothing where there is none.
fn finite(value: f64) -> String {
    if value.is_finite() {
        python_float(value)
    } else {
        String::new()
    }
}

/// `alarms.csv`: the header alone when there are none.
pub fn alarms_csv(alarms: &[Alarm]) -> Vec<u8> {
    let mut text = String::with_capacity(64 * (alarms.len() + 1));
    text.push_str(CSV_HEADER);
    text.push('\n');
    for a in alarms {
        let _ = writeln!(
            text,
            "{},{},{},{},{},{},{},{}",
            a.site,
            a.kind,
            a.stage.english(),
            format_timestamp(a.start),
            format_timestamp(a.end),
            format_timestamp(a.peak_time),
            finite(a.peak_value),
            finite(a.expected)
        );
    }
    text.into_bytes()
}

/// `alarms.jsonl`: one object a line, each naming `column` when given.
pub fn alarms_jsonl(alarms: &[Alarm], column: Option<&str>) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    for alarm in alarms {
        let record = AlarmRecord {
            column: column.map(str::to_string),
            ..AlarmRecord::from(alarm)
        };
        serde_json::to_writer(&mut bytes, &record)?;
        bytes.push(b'\n');
    }
    Ok(bytes)
}

/// The alarms of a log file, in order; none when the file does not exist.
pub fn read_alarms_jsonl(path: &Path) -> Result<Vec<Alarm>> {
    Ok(read_log(path)?.into_iter().map(|(alarm, _)| alarm).collect())
}

/// The alarms of a log file with the column each was found in, where the log says it.
fn read_log(path: &Path) -> Result<Vec<(Alarm, Option<String>)>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(flowcore::CoreError::Io {
                path: path.to_path_buf(),
                source,
            }
            .into())
        }
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str::<AlarmRecord>(line)
                .ok()
                .and_then(|record| Some((record.alarm()?, record.column)))
                .ok_or_else(|| FlowError::AlarmLogLine {
                    path: path.to_path_buf(),
                    line: n + 1,
                })
        })
        .collect()
}

/// The site's alarm log after one stage: its files, how many alarms of the stage's kinds it kept
/// from other periods, and how many of another column it dropped.
#[derive(Debug)]
pub struct LogUpdate {
    /// `alarms.csv` and `alarms.jsonl`.
    pub files: [PathBuf; 2],
    /// Alarms of the stage's kinds from earlier runs over other periods, kept.
    pub kept_from_other_periods: usize,
    /// Alarms an earlier run found in another column under the same folder name (a one-column
    /// file of another meter read for the default site), dropped with its name.
    pub dropped_of_column: Option<(usize, String)>,
}

/// Puts one stage's `alarms`, found in `column`, into the site's log (`prediction` folder): the
/// alarms of `kinds` that start within `period` (the first and last reading the stage read; none
/// when it read nothing) are replaced, those of other periods kept, as are every other kind's. An operator running
/// `flow predict` on each day's export keeps the days before (each run replaced the whole log of
/// its kinds, so only the last file's alarms were left); the same period read again replaces its
/// alarms, never doubles them. Alarms the log says were found in another column are dropped
/// whatever their kind or period: the folder is now this column's. Writes both files (all or
/// none).
pub fn replace_in_log(
    prediction: &Path,
    column: &str,
    kinds: &[AlarmKind],
    period: Option<(i64, i64)>,
    alarms: &[Alarm],
) -> Result<LogUpdate> {
    let csv = prediction.join("alarms.csv");
    let jsonl = prediction.join("alarms.jsonl");
    let replaced =
        |a: &Alarm| kinds.contains(&a.kind) && period.is_some_and(|(first, last)| (first..=last).contains(&a.start));
    let (earlier, other_column): (Vec<_>, Vec<_>) = read_log(&jsonl)?
        .into_iter()
        .partition(|(_, found_in)| found_in.as_deref().is_none_or(|c| c == column));
    let kept_from_other_periods = earlier
        .iter()
        .filter(|(a, _)| kinds.contains(&a.kind) && !replaced(a))
        .count();
    let dropped_of_column = other_column
        .first()
        .and_then(|(_, c)| c.clone())
        .map(|name| (other_column.len(), name));
    let mut log: Vec<Alarm> = earlier
        .into_iter()
        .map(|(alarm, _)| alarm)
        .filter(|a| !replaced(a))
        .chain(alarms.iter().cloned())
        .collect();
    log.sort_by_key(|a| (a.start, a.kind));
    write_all_or_nothing(&[
        (csv.clone(), alarms_csv(&log)),
        (jsonl.clone(), alarms_jsonl(&log, Some(column))?),
    ])?;
    Ok(LogUpdate {
        files: [csv, jsonl],
        kept_from_other_periods,
        dropped_of_column,
    })
}

/// What the log kept and dropped, for the terminal: `; N of other periods kept (earlier runs)`,
/// `; N of column `X` dropped (…)`, or nothing.
pub(crate) fn kept_note(update: &LogUpdate) -> String {
    let mut note = String::new();
    if update.kept_from_other_periods > 0 {
        note.push_str(&format!(
            "; {} of other periods kept (earlier runs)",
            update.kept_from_other_periods
        ));
    }
    if let Some((count, column)) = &update.dropped_of_column {
        note.push_str(&format!(
            "; {count} of column `{column}` dropped (an earlier run of another column into this folder)"
        ));
    }
    note
}

/// What the alarm stage found on one site, as `report.json` keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmSummary {
    /// How the column behaves (continuous, a pump, constant, blank).
    pub regime: flowcore::alarms::Regime,
    /// One line when the whole column is one fault (stuck or blank for the whole period).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Alarms per kind and stage: `{"spike": {"watch": 30}, …}`.
    pub counts: std::collections::BTreeMap<String, std::collections::BTreeMap<String, usize>>,
    /// Of the alarms counted, the outages within ones most of the run's columns shared (the
    /// logger's); absent for a run of one site.
    #[serde(default, skip_serializing_if = "InShared::is_none")]
    pub in_shared_outages: InShared,
    /// A built-in holiday calendar whose days hold many of the flow alarms, where no
    /// `--holidays` was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holiday_hint: Option<HolidayHint>,
    /// Readings inside an alarm.
    pub readings_in_alarm: usize,
    /// Their share of all readings.
    pub share_in_alarm: f64,
}

pub(crate) struct AlarmOutcome {
    pub(crate) summary: AlarmSummary,
    /// The alarms found on this run's readings (not the log's earlier periods): shaded on the
    /// scan graph, and which steps are no measure of the flow (`flowcore::alarms::steps_not_measured`).
    pub(crate) found: Vec<flowcore::events::Alarm>,
    pub(crate) profile: flowreport::profile::StageProfile,
}

impl AlarmOutcome {
    /// Start, end and stage of each alarm, for the scan graph.
    pub(crate) fn spans(&self) -> Vec<(i64, i64, Severity)> {
        self.found.iter().map(|a| (a.start, a.end, a.stage)).collect()
    }
}

/// The alarm kinds this stage raises (all but night flow).
const STAGE_KINDS: [AlarmKind; 6] = [
    AlarmKind::Outage,
    AlarmKind::Stuck,
    AlarmKind::Dropout,
    AlarmKind::Spike,
    AlarmKind::ClockChange,
    AlarmKind::Flow,
];

/// What the alarm stage is told of the export beyond the site's own readings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExportContext<'a> {
    /// The hours the local clock skipped or showed twice
    /// ([`flowcore::IngestReport::clock_changes`]), where a spike is the logger's, not the flow's.
    pub(crate) clock_changes: &'a [i64],
    /// The outages most of the run's columns shared ([`flowcore::alarms::shared_outages`]): the
    /// logger's, listed once for the export, not among each site's own.
    pub(crate) shared: &'a [flowcore::alarms::SharedOutage],
}

/// A site's alarms that were its part of an outage most columns shared, and how many of those
/// were severe: the logger's fault, counted once for the export, not once a site.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InShared {
    /// Outage alarms within one of the shared outages.
    pub alarms: usize,
    /// Of them, those at 심각.
    pub severe: usize,
}

impl InShared {
    /// Of `alarms`, the outages that overlap one of `shared`: a column's outage overlapping a
    /// shared one was part of it, as shared outages form only where the columns' own overlap.
    pub(crate) fn of(alarms: &[Alarm], shared: &[flowcore::alarms::SharedOutage]) -> InShared {
        let mut counts = InShared::default();
        for alarm in alarms.iter().filter(|a| in_shared(a, shared)) {
            counts.alarms += 1;
            counts.severe += usize::from(alarm.stage == Severity::Severe);
        }
        counts
    }

    fn is_none(&self) -> bool {
        self.alarms == 0
    }
}

/// Whether `alarm` is an outage within one most columns shared.
fn in_shared(alarm: &Alarm, shared: &[flowcore::alarms::SharedOutage]) -> bool {
    alarm.kind == AlarmKind::Outage && shared.iter().any(|s| alarm.start <= s.end && alarm.end >= s.start)
}

/// Faults and graded flow alarms on one site's raw readings: its rows of the alarm log, a short
/// table (its own most severe first, the outages most columns shared counted apart) and the
/// counts for `report.json`.
pub(crate) fn alarm_stage(
    raw: &flowcore::FlowSeries,
    context: ExportContext<'_>,
    target: &crate::site::Target,
    settings: &crate::settings::AlarmSettings,
    prediction: &Path,
    obs: &mut dyn crate::observer::Observer,
) -> Result<AlarmOutcome> {
    let (slug, column) = (target.slug.as_str(), target.column.as_str());
    let profiler = flowreport::profile::Profiler::start();
    let mut found = flowcore::alarms::find_alarms_with_holidays(slug, raw, &settings.rule, &settings.holidays);
    flowcore::alarms::mark_clock_changes(&mut found.alarms, context.clock_changes);
    let mut counts: std::collections::BTreeMap<String, std::collections::BTreeMap<String, usize>> = Default::default();
    for alarm in &found.alarms {
        *counts
            .entry(alarm.kind.to_string())
            .or_default()
            .entry(alarm.stage.english().to_string())
            .or_default() += 1;
    }
    let note = match found.regime {
        flowcore::alarms::Regime::Constant { value } => Some(format!(
            "stuck for the whole period: every reading is {}, a constant (a frozen transmitter, or a meter not connected)",
            python_float(value)
        )),
        flowcore::alarms::Regime::Blank => Some("blank for the whole period: no reading at all".to_string()),
        flowcore::alarms::Regime::NoFlow { within, below_zero } => Some(format!(
            "no flow through the meter for the whole period: its readings are noise around zero (nine in ten within ±{}, {:.0} % below zero), as a meter on a closed or idle line reads",
            python_float((within * 1000.0).round() / 1000.0),
            below_zero * 100.0
        )),
        _ => None,
    };
    let readings = found.readings_in_alarm();
    let period = raw.span();
    let summary = AlarmSummary {
        regime: found.regime,
        note,
        counts,
        in_shared_outages: InShared::of(&found.alarms, context.shared),
        holiday_hint: holiday_hint(&found.alarms, &settings.holidays),
        readings_in_alarm: readings,
        share_in_alarm: if raw.is_empty() {
            0.0
        } else {
            readings as f64 / raw.len() as f64
        },
    };
    say!(obs);
    say!(obs, "== Alarms: {slug} ==");
    let regime = match found.regime {
        flowcore::alarms::Regime::Continuous => "continuous".to_string(),
        flowcore::alarms::Regime::OnOff { off_share } => {
            format!(
                "a pump: off {:.0} % of the time (off is normal; on-rates are judged)",
                off_share * 100.0
            )
        }
        flowcore::alarms::Regime::Constant { .. } => "constant".to_string(),
        flowcore::alarms::Regime::Blank => "blank".to_string(),
        flowcore::alarms::Regime::NoFlow { .. } => "no flow (noise around zero)".to_string(),
    };
    say!(obs, "column           {regime}");
    if let Some(line) = holidays_line(&settings.holidays, raw) {
        say!(obs, "{line}");
    }
    if let Some(note) = &summary.note {
        say!(obs, "note             {note}");
    }
    // A clock change's spikes are named only where there are some: most exports have no zone.
    let per_kind: Vec<String> = STAGE_KINDS
        .iter()
        .filter_map(|kind| {
            let n: usize = summary.counts.get(&kind.to_string()).map_or(0, |m| m.values().sum());
            (n > 0 || *kind != AlarmKind::ClockChange).then(|| format!("{n} {kind}"))
        })
        .collect();
    say!(
        obs,
        "alarms           {} ({}); {:.2} % of readings in an alarm",
        found.alarms.len(),
        per_kind.join(", "),
        summary.share_in_alarm * 100.0
    );
    let mut worst: Vec<&Alarm> = found.alarms.iter().filter(|a| !in_shared(a, context.shared)).collect();
    worst.sort_by_key(|a| (std::cmp::Reverse(a.stage), std::cmp::Reverse(a.end - a.start), a.start));
    for a in worst.iter().take(8) {
        say!(
            obs,
            "                 {:<15} {:<8} {} .. {}  {}",
            a.stage.to_string(),
            a.kind.to_string(),
            format_timestamp(a.start),
            format_timestamp(a.end),
            alarm_detail(a, raw.interval.seconds())
        );
    }
    let update = replace_in_log(prediction, column, &STAGE_KINDS, period, &found.alarms)?;
    let [csv, jsonl] = &update.files;
    if worst.len() > 8 {
        say!(
            obs,
            "                 … and {} more in {}",
            worst.len() - 8,
            csv.display()
        );
    }
    let logger = summary.in_shared_outages;
    if logger.alarms > 0 {
        say!(
            obs,
            "                 + {} outage(s) ({} severe) within those most columns shared: the logger's, listed once for the export after the sites",
            logger.alarms,
            logger.severe
        );
    }
    for line in response_lines(found.alarms.iter().map(|a| a.kind)) {
        say!(obs, "{line}");
    }
    if let Some(hint) = &summary.holiday_hint {
        say!(obs, "{}", hint.line());
    }
    say!(
        obs,
        "written          {} and {}{}",
        csv.display(),
        jsonl.display(),
        kept_note(&update)
    );
    let profile = profiler.finish("alarms");
    say!(obs, "{profile}");
    Ok(AlarmOutcome {
        summary,
        found: found.alarms,
        profile,
    })
}

/// What to check first for each kind among `kinds`, a line each in the kinds' order:
/// `respond          outage: check the logger, …`.
pub(crate) fn response_lines(kinds: impl IntoIterator<Item = AlarmKind>) -> Vec<String> {
    let kinds: std::collections::BTreeSet<AlarmKind> = kinds.into_iter().collect();
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| {
            let label = if i == 0 { "respond" } else { "" };
            format!("{label:<16} {kind}: {}", kind.response())
        })
        .collect()
}

/// The line saying how many of `--holidays`'s dates fall within the readings, whose flow was not
/// judged; none without a holidays file.
pub(crate) fn holidays_line(
    holidays: &std::collections::BTreeSet<i64>,
    series: &flowcore::FlowSeries,
) -> Option<String> {
    if holidays.is_empty() {
        return None;
    }
    // Times only increase, so the range is never reversed (BTreeSet::range would panic).
    let within = series.span().map_or(0, |(first, last)| {
        holidays.range(first.div_euclid(DAY)..=last.div_euclid(DAY)).count()
    });
    Some(format!(
        "holidays         {within} of the {} given fall within the readings: their flow is not judged against the week (faults still are)",
        holidays.len()
    ))
}

/// Where no `--holidays` was given (`holidays` empty) and a built-in calendar's days hold at least
/// 3 of the site's flow alarms and a fifth of them (a calendar's days are 3 to 4 % of the year),
/// the line saying so and how to leave those days unjudged: BWDF's dma5 (no calendar given) has
/// 12 of its 17 flow alarms on Italy's public holidays. The calendar holding the most is named.
pub(crate) fn holiday_hint(alarms: &[Alarm], holidays: &std::collections::BTreeSet<i64>) -> Option<HolidayHint> {
    if !holidays.is_empty() {
        return None;
    }
    let flow: Vec<i64> = alarms
        .iter()
        .filter(|a| a.kind == AlarmKind::Flow)
        .map(|a| a.peak_time.div_euclid(DAY))
        .collect();
    let (code, what, on) = crate::horizon_input::built_in_holidays()
        .into_iter()
        .map(|(code, what, days)| (code, what, flow.iter().filter(|day| days.contains(day)).count()))
        .max_by_key(|&(_, _, on)| on)?;
    (on >= 3 && on * 5 >= flow.len()).then(|| HolidayHint {
        calendar: code.to_string(),
        calendar_name: what.to_string(),
        flow_alarms_on_its_days: on,
        flow_alarms: flow.len(),
    })
}

/// A built-in holiday calendar that the site's flow alarms suggest ([`holiday_hint`]), in
/// `report.json` (`alarms.holiday_hint`) and `detection.json` as on the terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayHint {
    /// Its `--holidays` code (`it`, `kr`).
    pub calendar: String,
    /// What it holds.
    pub calendar_name: String,
    /// The flow alarms on its days.
    pub flow_alarms_on_its_days: usize,
    /// All the flow alarms.
    pub flow_alarms: usize,
}

impl HolidayHint {
    /// `holidays         12 of the 17 flow alarms fall on days of `it` (…): --holidays it …`.
    pub fn line(&self) -> String {
        format!(
            "holidays         {} of the {} flow alarms fall on days of `{}` ({}): --holidays {} leaves a holiday's flow unjudged (its faults still are)",
            self.flow_alarms_on_its_days, self.flow_alarms, self.calendar, self.calendar_name, self.calendar
        )
    }
}

/// What an operator reads of one alarm after its times: for an outage how long nothing came, for
/// a stuck meter the value it held, for the rest the reading against what was expected. `interval`
/// is the series' step in seconds (an alarm's `end` is its last reading, so it lasted
/// `end - start + interval`).
pub(crate) fn alarm_detail(alarm: &Alarm, interval: i64) -> String {
    let lasted = format_duration(alarm.end - alarm.start + interval);
    let (value, expected) = (finite_or_dash(alarm.peak_value), finite_or_dash(alarm.expected));
    match alarm.kind {
        AlarmKind::Outage => format!("no readings for {lasted}"),
        AlarmKind::Stuck => format!("held at {value} for {lasted}"),
        AlarmKind::Dropout => format!("{value} for {lasted}, where {expected} is usual"),
        AlarmKind::Spike => format!("{value} where the readings either side average {expected}"),
        AlarmKind::ClockChange => {
            format!("{value} where the readings either side average {expected}, within 3 h of the clock's change")
        }
        AlarmKind::Flow | AlarmKind::NightFlow => format!(
            "peak {value} at {} against {expected} expected, over {lasted}",
            format_timestamp(alarm.peak_time)
        ),
    }
}

fn finite_or_dash(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.1}")
    } else {
        "-".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-checked: flow alarms at noon of 2021-12-25, 2022-01-01 and 2022-01-06 (the first two
    /// Korean holidays too, the third Italian only) and of two ordinary days: 3 of 5 on `it`'s
    /// days, which holds the most. Fewer than 3, or under a fifth (with thirteen days of May 2022,
    /// none a holiday here or in Korea), or a calendar already given: nothing said. Other kinds on
    /// holidays do not count.
    #[test]
    fn flow_alarms_on_a_built_in_calendars_days_suggest_it() {
        let day = |y, m, d| flowcore::time::days_from_civil(y, m, d) * DAY + 12 * 3600;
        let alarm = |time: i64, kind| Alarm {
            site: "hand".into(),
            kind,
            stage: Severity::Alert,
            start: time,
            end: time,
            peak_time: time,
            peak_value: 70.0,
            expected: 95.0,
            readings: 1,
        };
        let holidays = [day(2021, 12, 25), day(2022, 1, 1), day(2022, 1, 6)];
        let ordinary = [day(2022, 2, 8), day(2022, 3, 15)];
        let flow = |times: &[i64]| -> Vec<Alarm> { times.iter().map(|&t| alarm(t, AlarmKind::Flow)).collect() };
        let none = std::collections::BTreeSet::new();
        let both = [&holidays[..], &ordinary[..]].concat();
        assert_eq!(
            holiday_hint(&flow(&both), &none).map(|hint| hint.line()).as_deref(),
            Some("holidays         3 of the 5 flow alarms fall on days of `it` (Italy's national public holidays 2015-2035, built in): --holidays it leaves a holiday's flow unjudged (its faults still are)")
        );
        assert_eq!(holiday_hint(&flow(&holidays[..2]), &none), None);
        let many: Vec<i64> = (0..13).map(|k| day(2022, 5, 10) + k * DAY).chain(holidays).collect();
        assert_eq!(holiday_hint(&flow(&many), &none), None, "3 of 16: under a fifth");
        let given = std::collections::BTreeSet::from([day(2021, 12, 25).div_euclid(DAY)]);
        assert_eq!(holiday_hint(&flow(&both), &given), None);
        let spikes: Vec<Alarm> = holidays.iter().map(|&t| alarm(t, AlarmKind::Spike)).collect();
        assert_eq!(holiday_hint(&spikes, &none), None);
    }

    #[test]
    fn each_kind_of_alarm_reads_as_what_it_is() {
        // 2021-04-09 14:00 .. 2021-04-12 15:00, hourly: 74 readings.
        let (start, end) = (1_617_976_800, 1_618_239_600);
        let alarm = |kind, peak_value, expected| Alarm {
            site: "dma-1".into(),
            kind,
            stage: Severity::Severe,
            start,
            end,
            peak_time: start + 7200,
            peak_value,
            expected,
            readings: 74,
        };
        let read = |kind, value, expected| alarm_detail(&alarm(kind, value, expected), 3600);
        assert_eq!(read(AlarmKind::Outage, f64::NAN, f64::NAN), "no readings for 3 d 2 h");
        assert_eq!(read(AlarmKind::Stuck, 5.21, f64::NAN), "held at 5.2 for 3 d 2 h");
        assert_eq!(
            read(AlarmKind::Dropout, 0.0, 8.46),
            "0.0 for 3 d 2 h, where 8.5 is usual"
        );
        assert_eq!(
            read(AlarmKind::Spike, 10.435, 4.551875),
            "10.4 where the readings either side average 4.6"
        );
        assert_eq!(
            read(AlarmKind::Flow, 15.0, 9.04),
            "peak 15.0 at 2021-04-09 16:00:00 against 9.0 expected, over 3 d 2 h"
        );
        // A minute series: the last reading adds its minute.
        assert_eq!(
            alarm_detail(
                &Alarm {
                    end: start + 59 * 60,
                    ..alarm(AlarmKind::Outage, f64::NAN, f64::NAN)
                },
                60
            ),
            "no readings for 1 h"
        );
    }

    #[test]
    fn the_log_round_trips_and_keeps_other_kinds_and_periods() {
        let dir = tempfile::tempdir().unwrap();
        // One stage's alarms of `kinds`, found in `column` over `period`, into the log.
        let put = |column: &str, kinds: &[AlarmKind], period: (i64, i64), alarms: &[Alarm]| {
            replace_in_log(dir.path(), column, kinds, Some(period), alarms)
        };
        let alarm = Alarm {
            site: "jangmyeong".into(),
            kind: AlarmKind::NightFlow,
            stage: Severity::Alert,
            start: 1_589_940_000,
            end: 1_592_532_000,
            peak_time: 1_590_030_000,
            peak_value: 371.5,
            expected: 335.25,
            readings: 3600,
        };
        // May and June 2020, the period one run read.
        let spring = (1_588_291_200, 1_593_561_599);
        let update = put("flow", &[AlarmKind::NightFlow], spring, std::slice::from_ref(&alarm)).unwrap();
        let [csv, jsonl] = update.files;
        assert_eq!(update.kept_from_other_periods, 0);
        let text = std::fs::read_to_string(&csv).unwrap();
        assert_eq!(
            text,
            format!("{CSV_HEADER}\njangmyeong,night_flow,alert,2020-05-20 02:00:00,2020-06-19 02:00:00,2020-05-21 03:00:00,371.5,335.25\n")
        );
        let line = std::fs::read_to_string(&jsonl).unwrap();
        assert!(
            line.contains(r#""time":"2020-05-20 02:00:00","#) && line.contains(r#""stage_ko":"경계""#),
            "{line}"
        );
        assert_eq!(read_alarms_jsonl(&jsonl).unwrap(), vec![alarm.clone()]);
        // The next month's run keeps May's alarm and adds its own; an outage of another stage
        // stays whatever the period.
        let july = (1_593_561_600, 1_596_239_999);
        let later = Alarm {
            start: 1_594_000_000,
            end: 1_594_100_000,
            ..alarm.clone()
        };
        let outage = Alarm {
            kind: AlarmKind::Outage,
            start: 1_594_050_000,
            ..alarm.clone()
        };
        put("flow", &[AlarmKind::Outage], july, std::slice::from_ref(&outage)).unwrap();
        let update = put("flow", &[AlarmKind::NightFlow], july, std::slice::from_ref(&later)).unwrap();
        assert_eq!(update.kept_from_other_periods, 1);
        assert_eq!(
            read_alarms_jsonl(&jsonl).unwrap(),
            vec![alarm.clone(), later.clone(), outage.clone()]
        );
        // A stage that read no reading replaces nothing.
        replace_in_log(dir.path(), "flow", &[AlarmKind::Outage], None, &[]).unwrap();
        assert_eq!(read_alarms_jsonl(&jsonl).unwrap().len(), 3);
        // July read again, with nothing found: July's night alarm goes, none is doubled.
        put("flow", &[AlarmKind::NightFlow], july, &[]).unwrap();
        assert_eq!(read_alarms_jsonl(&jsonl).unwrap(), vec![alarm.clone(), outage]);
        // The whole year read with nothing found leaves the header.
        let year = (1_577_836_800, 1_609_459_199);
        put("flow", &[AlarmKind::NightFlow, AlarmKind::Outage], year, &[]).unwrap();
        assert_eq!(std::fs::read_to_string(&csv).unwrap(), format!("{CSV_HEADER}\n"));
        // Another meter's file into the same folder (`jangmyeong`, read from a one-column file):
        // the first column's alarms go, whatever their kind and period, and the count says so.
        put("flow", &[AlarmKind::NightFlow], spring, std::slice::from_ref(&alarm)).unwrap();
        let update = put("pressure", &[AlarmKind::Outage], july, &[]).unwrap();
        assert_eq!(update.dropped_of_column, Some((1, "flow".to_string())));
        assert_eq!(update.kept_from_other_periods, 0);
        assert!(
            kept_note(&update).contains("1 of column `flow` dropped"),
            "{}",
            kept_note(&update)
        );
        assert_eq!(std::fs::read_to_string(&csv).unwrap(), format!("{CSV_HEADER}\n"));
        std::fs::write(&jsonl, "{\"site\": 1}\n").unwrap();
        let error = put("flow", &[AlarmKind::NightFlow], year, &[]).unwrap_err();
        assert!(error.to_string().contains("alarms.jsonl: line 1"), "{error}");
    }
}
