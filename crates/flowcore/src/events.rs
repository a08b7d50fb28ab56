//! The vocabulary of alarms: the four stages 관심/주의/경계/심각 and where they begin ([`Stages`]),
//! a flagged reading ([`Flag`]), an alarm ([`Alarm`]), and scoring events against labelled windows.

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// The four alert levels of Korean water-supply practice, from the size of the deviation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// 관심: worth a look.
    Watch,
    /// 주의: caution.
    Caution,
    /// 경계: alert.
    Alert,
    /// 심각: severe.
    Severe,
}

impl Severity {
    /// The four stages, lowest first.
    pub const ALL: [Severity; 4] = [Severity::Watch, Severity::Caution, Severity::Alert, Severity::Severe];

    /// The Korean term used in utility alerts.
    pub fn korean(self) -> &'static str {
        match self {
            Severity::Watch => "관심",
            Severity::Caution => "주의",
            Severity::Alert => "경계",
            Severity::Severe => "심각",
        }
    }
}

impl Severity {
    /// The English word, lower case, as alarm files write it: `watch`, `caution`, `alert`, `severe`.
    pub fn english(self) -> &'static str {
        match self {
            Severity::Watch => "watch",
            Severity::Caution => "caution",
            Severity::Alert => "alert",
            Severity::Severe => "severe",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.korean(), self.english())
    }
}

/// Where the four stages begin, in standard deviations of whatever the rule measures (a residual σ,
/// a robust spread of night flows). A deviation under `watch` is no alarm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stages {
    /// 관심 from this many σ (3).
    pub watch: f64,
    /// 주의 from this many σ (4).
    pub caution: f64,
    /// 경계 from this many σ (5).
    pub alert: f64,
    /// 심각 from this many σ (7).
    pub severe: f64,
}

impl Default for Stages {
    fn default() -> Self {
        Stages {
            watch: 3.0,
            caution: 4.0,
            alert: 5.0,
            severe: 7.0,
        }
    }
}

impl Stages {
    /// The stage of a deviation of `sigmas` σ (either sign), or `None` under the watch threshold.
    pub fn grade(&self, sigmas: f64) -> Option<Severity> {
        let sigmas = sigmas.abs();
        if sigmas >= self.severe {
            Some(Severity::Severe)
        } else if sigmas >= self.alert {
            Some(Severity::Alert)
        } else if sigmas >= self.caution {
            Some(Severity::Caution)
        } else if sigmas >= self.watch {
            Some(Severity::Watch)
        } else {
            None
        }
    }

    fn validate(&self) -> Result<()> {
        let ordered =
            self.watch > 0.0 && self.watch <= self.caution && self.caution <= self.alert && self.alert <= self.severe;
        if !ordered || !self.severe.is_finite() {
            return Err(CoreError::SeverityThresholds {
                watch: self.watch,
                caution: self.caution,
                alert: self.alert,
                severe: self.severe,
            });
        }
        Ok(())
    }
}

impl crate::check::Check for Stages {
    type Error = CoreError;

    /// Thresholds that are positive, finite and rising.
    fn validate(&self) -> Result<()> {
        Stages::validate(self)
    }
}

/// One reading a rule flagged: the one type for a flagged reading, whichever rule flagged it (the
/// original's minute scan, the evaluation's outlier rule). An [`Alarm`] is an incident, from the
/// alarm rules.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// Time of the reading.
    pub timestamp: i64,
    /// What was measured.
    pub actual: f64,
    /// What the model predicted for it.
    pub predicted: f64,
    /// Which rule flagged it.
    pub rule: FlagRule,
}

/// The rule that flagged a reading.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum FlagRule {
    /// The original's scan: the prediction reached `U_level` (above) or `L_level` (below).
    Level(crate::criteria::Bound),
    /// The evaluation's outlier rule: `|actual − predicted| > k·σ`.
    Residual {
        /// The k.
        k: f64,
    },
}

impl std::fmt::Display for FlagRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FlagRule::Level(bound) => bound.fmt(f),
            FlagRule::Residual { k } => write!(f, "|residual| > {k}σ"),
        }
    }
}

impl Flag {
    /// `actual − predicted`.
    pub fn residual(&self) -> f64 {
        self.actual - self.predicted
    }

    /// The level reached, for a flag of the original's scan.
    pub fn bound(&self) -> Option<crate::criteria::Bound> {
        match self.rule {
            FlagRule::Level(bound) => Some(bound),
            FlagRule::Residual { .. } => None,
        }
    }
}

/// What an alarm is about. The kinds of alarms an operator sees in one site's `alarms.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmKind {
    /// Readings missing for a while: a communication or logger outage.
    Outage,
    /// One value held far longer than the column's own plateaus: a frozen transmitter.
    Stuck,
    /// Readings near zero where the column is normally well above it: a meter or pump off.
    Dropout,
    /// One or two readings far off both neighbours.
    Spike,
    /// A spike within three hours of the local clock's change: the logger booking the change's
    /// hours into one reading, not the flow ([`crate::alarms::mark_clock_changes`]).
    ClockChange,
    /// Flow unusual for the time of the week (or a pump's unusual on-rate) ([`crate::alarms`]).
    Flow,
    /// Minimum night flow above its baseline: a likely leak ([`crate::night`]).
    NightFlow,
}

impl std::fmt::Display for AlarmKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AlarmKind::Outage => "outage",
            AlarmKind::Stuck => "stuck",
            AlarmKind::Dropout => "dropout",
            AlarmKind::Spike => "spike",
            AlarmKind::ClockChange => "clock_change",
            AlarmKind::Flow => "flow",
            AlarmKind::NightFlow => "night_flow",
        })
    }
}

impl AlarmKind {
    /// What the operator checks first: ISA-18.2 defines an alarm as a condition that requires a
    /// response. One line, written to `alarms.jsonl` and said under the alarms listed in the
    /// terminal.
    pub fn response(self) -> &'static str {
        match self {
            AlarmKind::Outage => {
                "check the logger, its power and its link (the gap's readings are lost unless the logger kept them)"
            }
            AlarmKind::Stuck => {
                "check the transmitter; trust no reading of the period until it moves"
            }
            AlarmKind::Dropout => {
                "check the meter and the valves and pumps upstream before taking it for no demand"
            }
            AlarmKind::Spike => {
                "check the reading (a transient, electrical noise); nothing more if the flow either side is usual"
            }
            AlarmKind::ClockChange => {
                "check the logger's daylight-saving setting: it booked the hours around the clock change into one reading; the flow was not unusual"
            }
            AlarmKind::Flow => {
                "check the area for a burst, a fire-fighting draw or unusual use, against its pressure (a pump: its controls and the main downstream)"
            }
            AlarmKind::NightFlow => {
                "plan a leak survey of the area (a step: a new burst or leak; a drift: growing leakage, or new night use to confirm)"
            }
        }
    }
}

/// One alarm as an operator reads it: a row of `alarms.csv`, a line of `alarms.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    /// The site's slug.
    pub site: String,
    /// What it is about.
    pub kind: AlarmKind,
    /// The highest stage it reached.
    pub stage: Severity,
    /// When it began.
    pub start: i64,
    /// When it ended (the last reading or night still in alarm).
    pub end: i64,
    /// When it was worst.
    pub peak_time: i64,
    /// The value then.
    pub peak_value: f64,
    /// What was expected then (`NaN`: nothing to expect, as for an outage).
    pub expected: f64,
    /// Readings inside it.
    pub readings: usize,
}

/// How events fare against labelled windows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scoring {
    /// Labelled windows.
    pub windows: usize,
    /// Windows with at least one event inside.
    pub detected: usize,
    /// `detected / windows`.
    pub recall: f64,
    /// Events.
    pub events: usize,
    /// Events that overlap a window.
    pub hits: usize,
    /// `hits / events` (1 when there are no events).
    pub precision: f64,
    /// Seconds from each window's start to its first event (`None`: missed).
    pub delays: Vec<Option<i64>>,
}

/// Scores events, as `(start, end)`, against labelled `(start, end)` windows, NAB's way: an event
/// overlapping a window is a hit, a window with a hit is detected, an event outside every window is
/// a false alarm.
pub fn score_events(events: &[(i64, i64)], windows: &[(i64, i64)]) -> Scoring {
    let overlaps = |event: &(i64, i64), (start, end): (i64, i64)| event.0 <= end && event.1 >= start;
    let delays: Vec<Option<i64>> = windows
        .iter()
        .map(|&window| {
            events
                .iter()
                .filter(|e| overlaps(e, window))
                .map(|e| (e.0 - window.0).max(0))
                .min()
        })
        .collect();
    let detected = delays.iter().filter(|d| d.is_some()).count();
    let hits = events
        .iter()
        .filter(|e| windows.iter().any(|w| overlaps(e, *w)))
        .count();
    Scoring {
        windows: windows.len(),
        detected,
        recall: if windows.is_empty() {
            1.0
        } else {
            detected as f64 / windows.len() as f64
        },
        events: events.len(),
        hits,
        precision: if events.is_empty() {
            1.0
        } else {
            hits as f64 / events.len() as f64
        },
        delays,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoring_by_hand() {
        let events = [(5, 6), (15, 25), (40, 41), (90, 95)];
        let windows = [(10, 20), (30, 50), (60, 70)];
        let s = score_events(&events, &windows);
        assert_eq!((s.detected, s.hits, s.events), (2, 2, 4));
        assert_eq!(s.delays, vec![Some(5), Some(10), None]);
        assert!((s.recall - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.precision, 0.5);
        assert_eq!(score_events(&[], &windows).precision, 1.0);
    }
}
