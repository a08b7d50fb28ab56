//! The residual anomaly rule: flag readings far from their forecast, merge neighbours into events,
//! grade each event, and score events against labelled windows.

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

/// Settings of the residual rule: a reading is flagged at `stages.watch` residual standard
/// deviations (σ, estimated on the training part) or more.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ResidualRule {
    /// Where 관심, 주의, 경계 and 심각 begin, in σ (3, 4, 5, 7).
    pub stages: Stages,
    /// Flags at most this many steps apart belong to one event (2: consecutive flags, and flags with
    /// one unflagged step between them, since a deviation that dips under the threshold for a step
    /// is still one incident; 1 merges only consecutive flags).
    pub merge_gap: usize,
}

impl Default for ResidualRule {
    fn default() -> Self {
        ResidualRule {
            stages: Stages::default(),
            merge_gap: 2,
        }
    }
}

impl crate::check::Check for ResidualRule {
    type Error = CoreError;

    /// Thresholds that are positive, finite and rising.
    fn validate(&self) -> Result<()> {
        self.stages.validate()
    }
}

/// One reading a rule flagged: the one type for a flagged reading, whichever rule flagged it (the
/// original's minute scan, the evaluation's outlier rule). [`Event`] is the incident that merges
/// consecutive flags.
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

/// One incident: consecutive flagged readings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Event {
    /// First flagged reading.
    pub start: i64,
    /// Last flagged reading.
    pub end: i64,
    /// Time of the largest deviation.
    pub peak: i64,
    /// Reading at the peak.
    pub actual: f64,
    /// Forecast at the peak.
    pub forecast: f64,
    /// `(actual − forecast) / σ` at the peak.
    pub sigmas: f64,
    /// Level of the peak deviation.
    pub severity: Severity,
    /// Flagged readings in the event.
    pub flagged: usize,
}

/// What an alarm is about. The kinds of alarms an operator sees in one site's `alarms.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmKind {
    /// Minimum night flow above its baseline: a likely leak ([`crate::night`]).
    NightFlow,
}

impl std::fmt::Display for AlarmKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AlarmKind::NightFlow => "night_flow",
        })
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
    /// What was expected then.
    pub expected: f64,
}

/// Sample standard deviation of residuals (ddof = 1, as pandas' `.std()` and flowreport's σ), the
/// scale of the rule. `None` with fewer than two residuals or no spread.
pub fn residual_sigma(actual: &[f64], forecast: &[f64]) -> Option<f64> {
    let residuals: Vec<f64> = actual
        .iter()
        .zip(forecast)
        .map(|(a, f)| a - f)
        .filter(|r| r.is_finite())
        .collect();
    if residuals.len() < 2 {
        return None;
    }
    let mean = residuals.iter().sum::<f64>() / residuals.len() as f64;
    let sigma = (residuals.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (residuals.len() - 1) as f64).sqrt();
    (sigma > 0.0).then_some(sigma)
}

/// Flags every reading with `|actual − forecast| ≥ watch·σ` and merges flags at most `merge_gap`
/// steps apart into events, each graded by its largest deviation.
pub fn residual_events(
    timestamps: &[i64],
    actual: &[f64],
    forecast: &[f64],
    sigma: f64,
    rule: &crate::check::Checked<ResidualRule>,
) -> Result<Vec<Event>> {
    if !(sigma.is_finite() && sigma > 0.0) {
        return Err(CoreError::ResidualSigma { sigma });
    }
    let mut events: Vec<Event> = Vec::new();
    let mut last_flag: Option<usize> = None;
    for (i, ((&time, &value), &predicted)) in timestamps.iter().zip(actual).zip(forecast).enumerate() {
        let sigmas = (value - predicted) / sigma;
        let Some(severity) = rule.stages.grade(sigmas) else {
            continue;
        };
        let joins = last_flag.is_some_and(|last| i - last <= rule.merge_gap);
        match events.last_mut() {
            Some(event) if joins => {
                event.end = time;
                event.flagged += 1;
                if sigmas.abs() > event.sigmas.abs() {
                    *event = Event {
                        peak: time,
                        actual: value,
                        forecast: predicted,
                        sigmas,
                        severity,
                        ..*event
                    };
                }
            }
            _ => events.push(Event {
                start: time,
                end: time,
                peak: time,
                actual: value,
                forecast: predicted,
                sigmas,
                severity,
                flagged: 1,
            }),
        }
        last_flag = Some(i);
    }
    Ok(events)
}

/// How events fare against labelled windows.
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// Scores events against labelled `(start, end)` windows, NAB's way: an event overlapping a window
/// is a hit, a window with a hit is detected, an event outside every window is a false alarm.
pub fn score_events(events: &[Event], windows: &[(i64, i64)]) -> Scoring {
    let overlaps = |event: &Event, (start, end): (i64, i64)| event.start <= end && event.end >= start;
    let delays: Vec<Option<i64>> = windows
        .iter()
        .map(|&window| {
            events
                .iter()
                .filter(|e| overlaps(e, window))
                .map(|e| (e.start - window.0).max(0))
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
    use crate::check::Check;

    #[test]
    fn flags_merge_into_graded_events() {
        let t: Vec<i64> = (0..12).collect();
        let forecast = vec![100.0; 12];
        // σ = 2: deviations of 7 (3.5σ), 9 (4.5σ), gap of one step, 16 (8σ); later a lone -10 (5σ).
        let actual = [
            100.0, 107.0, 109.0, 101.0, 116.0, 100.0, 100.0, 100.0, 100.0, 90.0, 100.0, 100.0,
        ];
        let events = residual_events(&t, &actual, &forecast, 2.0, &ResidualRule::default().check().unwrap()).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(
            (events[0].start, events[0].end, events[0].peak, events[0].flagged),
            (1, 4, 4, 3)
        );
        assert_eq!(events[0].severity, Severity::Severe);
        assert_eq!(events[0].sigmas, 8.0);
        assert_eq!(
            (events[1].start, events[1].severity, events[1].sigmas),
            (9, Severity::Alert, -5.0)
        );
        assert_eq!(Severity::Caution.to_string(), "주의 (caution)");
        let strict = ResidualRule {
            merge_gap: 1,
            ..ResidualRule::default()
        }
        .check()
        .unwrap();
        assert_eq!(residual_events(&t, &actual, &forecast, 2.0, &strict).unwrap().len(), 3);
        assert!(residual_events(&t, &actual, &forecast, 0.0, &strict).is_err());
        let unordered = ResidualRule {
            stages: Stages {
                caution: 10.0,
                ..Stages::default()
            },
            ..ResidualRule::default()
        };
        // A rule whose thresholds do not rise cannot be checked, so it never reaches the events.
        assert!(matches!(unordered.check(), Err(CoreError::SeverityThresholds { .. })));
    }

    #[test]
    fn scoring_by_hand() {
        let event = |start, end| Event {
            start,
            end,
            peak: start,
            actual: 0.0,
            forecast: 0.0,
            sigmas: 4.0,
            severity: Severity::Watch,
            flagged: 1,
        };
        let events = [event(5, 6), event(15, 25), event(40, 41), event(90, 95)];
        let windows = [(10, 20), (30, 50), (60, 70)];
        let s = score_events(&events, &windows);
        assert_eq!((s.detected, s.hits, s.events), (2, 2, 4));
        assert_eq!(s.delays, vec![Some(5), Some(10), None]);
        assert!((s.recall - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.precision, 0.5);
        assert_eq!(score_events(&[], &windows).precision, 1.0);
    }

    #[test]
    fn sigma_of_residuals() {
        // Residuals 1 and 3: mean 2, squared deviations 1 + 1 over n − 1 = 1.
        assert_eq!(residual_sigma(&[1.0, 3.0], &[0.0, 0.0]), Some(2f64.sqrt()));
        assert_eq!(residual_sigma(&[1.0], &[0.0]), None);
        // The rule is checked before any reading: each invalid value has its own error.
        let falling = ResidualRule {
            stages: Stages {
                caution: 2.0,
                ..Stages::default()
            },
            ..ResidualRule::default()
        };
        assert!(matches!(falling.check(), Err(CoreError::SeverityThresholds { .. })));
        let zero = ResidualRule {
            stages: Stages {
                watch: 0.0,
                ..Stages::default()
            },
            ..ResidualRule::default()
        };
        assert!(matches!(zero.check(), Err(CoreError::SeverityThresholds { .. })));
        assert!(matches!(
            residual_events(&[0], &[1.0], &[1.0], 0.0, &ResidualRule::default().check().unwrap()),
            Err(CoreError::ResidualSigma { .. })
        ));
        assert_eq!(residual_sigma(&[1.0, 1.0], &[0.0, 0.0]), None);
    }
}
