//! Minimum night flow (MNF): the leak indicator a utility reads every morning.
//!
//! When demand is lowest (02:00–04:00 by default) most of what still flows into a district is
//! leakage, so a rise of the night's minimum that stays is the classic sign of a new leak (IWA
//! water-balance practice; the KIOS rule compares each night with the lowest of the last ten).
//! [`minimum_night_flow`] computes, for each night, the lowest of the clock-aligned bin means
//! (10 minutes by default) inside the window, its time, the night's mean and the share of the
//! window that had readings; [`judge_nights`] grades each night against a robust baseline of the
//! nights before it and merges high nights into alarm events that last until a repair.
//!
//! ```
//! use flowcore::night::{minimum_night_flow, NightConfig};
//! use flowcore::{Check, FlowSeries, Interval};
//!
//! // One night of hourly readings, 00:00 to 05:00 on 2020-01-02: the 02:00–04:00 window holds 30 and 20.
//! let day = 18_263 * 86_400;
//! let times = (0..6).map(|h| day + h * 3_600).collect();
//! let series = FlowSeries::new(times, vec![50.0, 40.0, 30.0, 20.0, 35.0, 45.0], Interval::HOURLY)?;
//! let nights = minimum_night_flow(&series, &NightConfig::default().check()?)?;
//! assert_eq!(nights[0].mnf, Some(20.0));
//! assert_eq!(nights[0].mnf_time, Some(day + 3 * 3_600));
//! assert_eq!(nights[0].coverage, 1.0);
//! # Ok::<(), flowcore::CoreError>(())
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::check::{Check, Checked};
use crate::error::{CoreError, Result};
use crate::events::{Severity, Stages};
use crate::robust::median;
use crate::series::{FlowSeries, Interval};
use crate::time::{DAY, HOUR, MINUTE};

/// The hours of the night, as times of day: `02:00-04:00`, or `22:00-05:00`, which spans midnight
/// and belongs to the morning it ends in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NightWindow {
    /// Seconds after midnight the window opens.
    start: i64,
    /// Seconds after midnight it closes (exclusive); at or before `start` when it spans midnight.
    end: i64,
}

impl NightWindow {
    /// From seconds after midnight; `end` may be 86,400 (24:00). Start and end must differ.
    pub fn new(start: i64, end: i64) -> Result<NightWindow> {
        let end = if end == DAY { 0 } else { end };
        if !(0..DAY).contains(&start) || !(0..DAY).contains(&end) || start == end {
            return Err(CoreError::NightWindow {
                window: format!("{}-{}", clock(start), clock(end)),
            });
        }
        Ok(NightWindow { start, end })
    }

    /// Seconds after midnight the window opens.
    pub fn start(self) -> i64 {
        self.start
    }

    /// Seconds after midnight it closes.
    pub fn end(self) -> i64 {
        self.end
    }

    /// Length in seconds.
    pub fn length(self) -> i64 {
        (self.end - self.start).rem_euclid(DAY)
    }

    /// Whether the window crosses midnight.
    pub fn spans_midnight(self) -> bool {
        self.end <= self.start
    }

    /// `[open, close)` of the night that ends on day `day` (days since 1970-01-01).
    pub fn bounds(self, day: i64) -> (i64, i64) {
        let close = if self.end == 0 {
            (day + 1) * DAY
        } else {
            day * DAY + self.end
        };
        (close - self.length(), close)
    }

    /// The night `timestamp` falls in (the day its window ends on) and the seconds since the
    /// window opened; `None` outside every window.
    fn locate(self, timestamp: i64) -> Option<(i64, i64)> {
        let day = timestamp.div_euclid(DAY);
        let of_day = timestamp - day * DAY;
        if !self.spans_midnight() {
            return (of_day >= self.start && of_day < self.end).then_some((day, of_day - self.start));
        }
        if self.end == 0 {
            // 22:00-24:00: the window closes at the midnight that starts the next day.
            return (of_day >= self.start).then_some((day, of_day - self.start));
        }
        if of_day < self.end {
            Some((day, of_day + DAY - self.start))
        } else if of_day >= self.start {
            Some((day + 1, of_day - self.start))
        } else {
            None
        }
    }
}

fn clock(seconds: i64) -> String {
    format!(
        "{:02}:{:02}",
        seconds.div_euclid(HOUR),
        seconds.rem_euclid(HOUR) / MINUTE
    )
}

impl Default for NightWindow {
    fn default() -> Self {
        NightWindow {
            start: 2 * HOUR,
            end: 4 * HOUR,
        }
    }
}

impl fmt::Display for NightWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = if self.end == 0 && self.start > 0 {
            "24:00".to_string()
        } else {
            clock(self.end)
        };
        write!(f, "{}-{end}", clock(self.start))
    }
}

impl FromStr for NightWindow {
    type Err = CoreError;

    /// `HH:MM-HH:MM` or `H-H` (hours), e.g. `02:00-04:00`, `22:00-05:00`, `1-5`.
    fn from_str(text: &str) -> Result<NightWindow> {
        let bad = || CoreError::NightWindow {
            window: text.to_string(),
        };
        let time = |part: &str| -> Option<i64> {
            let part = part.trim();
            let (hours, minutes) = part.split_once(':').unwrap_or((part, "0"));
            let hours: i64 = hours.trim().parse().ok()?;
            let minutes: i64 = minutes.trim().parse().ok()?;
            ((0..=24).contains(&hours) && (0..60).contains(&minutes) && (hours < 24 || minutes == 0))
                .then_some(hours * HOUR + minutes * MINUTE)
        };
        let (start, end) = text.split_once('-').ok_or_else(bad)?;
        let (start, end) = (time(start).ok_or_else(bad)?, time(end).ok_or_else(bad)?);
        if start == DAY {
            return Err(bad());
        }
        NightWindow::new(start, end).map_err(|_| bad())
    }
}

impl TryFrom<String> for NightWindow {
    type Error = CoreError;
    fn try_from(text: String) -> Result<NightWindow> {
        text.parse()
    }
}

impl From<NightWindow> for String {
    fn from(window: NightWindow) -> String {
        window.to_string()
    }
}

/// How nights are measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NightConfig {
    /// The night's hours (02:00–04:00).
    pub window: NightWindow,
    /// Readings are averaged into bins of this length, aligned to the clock (10 minutes: 02:00,
    /// 02:10, …); data logged less often uses its own interval.
    pub bin: Interval,
    /// A night with less than this share of the window's readings gets no MNF (0.75).
    pub min_coverage: f64,
}

impl Default for NightConfig {
    fn default() -> Self {
        NightConfig {
            window: NightWindow::default(),
            bin: Interval::TEN_MINUTES,
            min_coverage: 0.75,
        }
    }
}

impl NightConfig {
    /// The bin, in seconds, used on readings at `interval`: the configured one, or the readings'
    /// own interval if coarser; an error when they have no night or their bins cannot tile the
    /// window (said before any night is measured, so a run can skip the stage with the reason).
    pub fn bin_for(&self, interval: Interval) -> Result<i64> {
        if interval.seconds() >= DAY {
            return Err(CoreError::NightInterval {
                interval: interval.to_string(),
            });
        }
        let bin = self.bin.seconds().max(interval.seconds());
        let tiles = self.window.start % bin == 0 && self.window.end % bin == 0;
        if !tiles && interval.seconds() > self.bin.seconds() {
            return Err(CoreError::NightReadingsTiling {
                interval: interval.to_string(),
                window: self.window.to_string(),
            });
        }
        if !tiles {
            return Err(CoreError::NightBin {
                bin: Interval::from_seconds(bin)?.to_string(),
                window: self.window.to_string(),
            });
        }
        Ok(bin)
    }
}

impl Check for NightConfig {
    type Error = CoreError;

    /// A coverage share in (0, 1], and bins that tile the window on the clock.
    fn validate(&self) -> Result<()> {
        if !(self.min_coverage > 0.0 && self.min_coverage <= 1.0) {
            return Err(CoreError::NightCoverage {
                share: self.min_coverage,
            });
        }
        self.bin_for(Interval::MINUTE).map(|_| ())
    }
}

/// One night's figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Night {
    /// 00:00 of the day the night ends on (the morning it belongs to).
    pub night: i64,
    /// The minimum night flow: the lowest bin mean, when coverage allows.
    pub mnf: Option<f64>,
    /// Start of the bin holding the minimum.
    pub mnf_time: Option<i64>,
    /// Mean of every reading inside the window.
    pub night_mean: Option<f64>,
    /// Share of the window's expected readings that are present, 0 to 1.
    pub coverage: f64,
    /// Mean flow of the night's calendar day (00:00–24:00), when it has the same coverage.
    pub day_mean: Option<f64>,
    /// Every reading of the window is the same number (two or more): a stuck meter or a pump held
    /// off, not a night to judge a leak by.
    pub constant: bool,
}

impl Night {
    /// MNF as a share of the day's mean flow: a high share points to leakage. None where the
    /// MNF is below zero (a meter reading noise around no flow, or flow reversed): divided by a
    /// day's mean of noise, a column with no flow showed `-13716547088444312 %`.
    pub fn share_of_day(&self) -> Option<f64> {
        match (self.mnf, self.day_mean) {
            (Some(mnf), Some(day)) if day > 0.0 && mnf >= 0.0 => Some(mnf / day),
            _ => None,
        }
    }
}

/// Sums of one night's bins and window.
#[derive(Clone)]
struct Tally {
    bin_sum: Vec<f64>,
    bin_count: Vec<u32>,
    count: u32,
    sum: f64,
    low: f64,
    high: f64,
}

/// Every night from the first whose window overlaps the series to the last: its MNF (the lowest of
/// the bin means that hold at least half their readings), the time of that bin, the night's mean
/// and its coverage. Missing readings (`NaN`) are gaps, never zeros; a night under
/// `min_coverage` is listed with no MNF.
pub fn minimum_night_flow(series: &FlowSeries, config: &Checked<NightConfig>) -> Result<Vec<Night>> {
    minimum_night_flow_on_clock(series, config, &[])
}

/// [`minimum_night_flow`] on a local clock with daylight saving: `skipped`, the times that clock
/// never showed (the spring hour: [`crate::IngestReport::skipped_local_times`]), are neither
/// readings nor gaps. The spring night is judged on the hour it had: an Italian area lost that
/// night every year, one of two hourly readings under the 75 % coverage.
pub fn minimum_night_flow_on_clock(
    series: &FlowSeries,
    config: &Checked<NightConfig>,
    skipped: &[i64],
) -> Result<Vec<Night>> {
    let bin = config.bin_for(series.interval)?;
    let (Some(&first), Some(&last)) = (series.timestamps.first(), series.timestamps.last()) else {
        return Ok(Vec::new());
    };
    let window = config.window;
    let step = series.interval.seconds();
    let bins = (window.length() / bin) as usize;
    let per_bin = (bin / step) as u32;
    let expected = (window.length() / step) as f64;
    let per_day = (DAY / step) as f64;
    // Nights whose window overlaps [first, last].
    let first_night = (first - window.bounds(0).1).div_euclid(DAY) + 1;
    let last_night = (last - window.bounds(0).0).div_euclid(DAY);
    if last_night < first_night {
        return Ok(Vec::new());
    }
    let count = (last_night - first_night + 1) as usize;
    let empty = Tally {
        bin_sum: vec![0.0; bins],
        bin_count: vec![0; bins],
        count: 0,
        sum: 0.0,
        low: f64::INFINITY,
        high: f64::NEG_INFINITY,
    };
    let mut tallies = vec![empty; count];
    let mut day_sum = vec![0.0; count];
    let mut day_count = vec![0u32; count];
    // Reading slots the clock never showed, per night window and per calendar day.
    let (mut night_skipped, mut day_skipped) = (vec![0u32; count], vec![0u32; count]);
    for &time in skipped {
        if let Some(d) = usize::try_from(time.div_euclid(DAY) - first_night)
            .ok()
            .filter(|&d| d < count)
        {
            day_skipped[d] += 1;
        }
        if let Some(n) = window
            .locate(time)
            .and_then(|(night, _)| usize::try_from(night - first_night).ok())
            .filter(|&n| n < count)
        {
            night_skipped[n] += 1;
        }
    }
    for (&time, &value) in series.timestamps.iter().zip(&series.values) {
        if !value.is_finite() {
            continue;
        }
        let day = time.div_euclid(DAY) - first_night;
        if (0..count as i64).contains(&day) {
            day_sum[day as usize] += value;
            day_count[day as usize] += 1;
        }
        let Some((night, offset)) = window.locate(time) else {
            continue;
        };
        let Some(tally) = usize::try_from(night - first_night)
            .ok()
            .and_then(|n| tallies.get_mut(n))
        else {
            continue;
        };
        let b = (offset / bin) as usize;
        tally.bin_sum[b] += value;
        tally.bin_count[b] += 1;
        tally.count += 1;
        tally.sum += value;
        tally.low = tally.low.min(value);
        tally.high = tally.high.max(value);
    }
    let nights = tallies
        .iter()
        .enumerate()
        .map(|(n, tally)| {
            let day = first_night + n as i64;
            let coverage = (f64::from(tally.count) / (expected - f64::from(night_skipped[n])).max(1.0)).min(1.0);
            let lowest = (coverage >= config.min_coverage)
                .then(|| {
                    (0..bins)
                        .filter(|&b| 2 * tally.bin_count[b] >= per_bin)
                        .map(|b| (b, tally.bin_sum[b] / f64::from(tally.bin_count[b])))
                        // The earliest of equal minima, so the time is reproducible.
                        .fold(None, |best: Option<(usize, f64)>, (b, mean)| match best {
                            Some((_, low)) if low <= mean => best,
                            _ => Some((b, mean)),
                        })
                })
                .flatten();
            let day_mean = (f64::from(day_count[n]) / (per_day - f64::from(day_skipped[n])).max(1.0)
                >= config.min_coverage)
                .then(|| day_sum[n] / f64::from(day_count[n]));
            Night {
                night: day * DAY,
                mnf: lowest.map(|(_, mean)| mean),
                mnf_time: lowest.map(|(b, _)| window.bounds(day).0 + b as i64 * bin),
                night_mean: (tally.count > 0).then(|| tally.sum / f64::from(tally.count)),
                coverage,
                day_mean,
                constant: tally.count >= 2 && tally.low == tally.high,
            }
        })
        .collect();
    Ok(nights)
}

/// How nights are judged: against the median of the last `baseline_nights` normal nights, in units
/// of their night-to-night noise (a robust σ from the median absolute difference of consecutive
/// nights, at least `least_spread` of the baseline), graded by `stages`; an alarm needs `confirm` high nights in a row and ends after
/// `confirm` nights back within half the watch threshold of the old baseline (a repair), unless it
/// is raised again within `hold` nights of that repair: then the repair did not hold and the alarm
/// goes on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NightRule {
    /// Normal nights the baseline is the median of (14: two weeks, so weekends weigh as they occur).
    pub baseline_nights: usize,
    /// Nights needed before any night is judged (7).
    pub min_nights: usize,
    /// Where 관심, 주의, 경계 and 심각 begin, in robust spreads (3, 4, 5, 7).
    pub stages: Stages,
    /// The least spread, as a share of the baseline (0.01): on very regular nights a rise under 3 %
    /// is not called a leak.
    pub least_spread: f64,
    /// High nights in a row that start an alarm, and normal nights in a row that end it (2).
    pub confirm: usize,
    /// Nights a repair must hold (7): an alarm raised again within them is the same alarm going
    /// on, not a new leak. A raised night flow whose nights now and then dip to the baseline for
    /// two nights is one condition; ended and raised again the next night it read as seven leaks
    /// "repaired" in eight weeks on a real area (BWDF dma6, autumn 2022), an alarm that chatters.
    #[serde(default = "default_hold")]
    pub hold: usize,
}

fn default_hold() -> usize {
    NightRule::default().hold
}

impl Default for NightRule {
    fn default() -> Self {
        NightRule {
            baseline_nights: 14,
            min_nights: 7,
            stages: Stages::default(),
            least_spread: 0.01,
            confirm: 2,
            hold: 7,
        }
    }
}

impl Check for NightRule {
    type Error = CoreError;

    fn validate(&self) -> Result<()> {
        if self.min_nights < 3 || self.min_nights > self.baseline_nights || self.baseline_nights > 366 {
            return Err(CoreError::NightBaseline {
                baseline_nights: self.baseline_nights,
                min_nights: self.min_nights,
            });
        }
        if !(1..=14).contains(&self.confirm) {
            return Err(CoreError::NightConfirm { nights: self.confirm });
        }
        if self.hold > 56 {
            return Err(CoreError::NightHold { nights: self.hold });
        }
        if !(self.least_spread > 0.0 && self.least_spread < 1.0) {
            return Err(CoreError::NightSpread {
                share: self.least_spread,
            });
        }
        self.stages.check().map(|_| ())
    }
}

/// What the rule made of one night.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NightStatus {
    /// Too few readings for an MNF.
    NoMnf,
    /// Constant readings: not judged.
    Constant,
    /// Too few nights before it for a baseline.
    WarmingUp,
    /// Within the baseline's band.
    Normal,
    /// High, but not (yet) on enough nights in a row.
    High,
    /// Part of an alarm.
    Alarm,
}

/// One night judged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// What the rule made of it.
    pub status: NightStatus,
    /// The baseline it was judged against.
    pub expected: Option<f64>,
    /// The baseline's robust spread.
    pub spread: Option<f64>,
    /// `(mnf − expected) / spread`.
    pub sigmas: Option<f64>,
    /// The night's stage, for a night inside an alarm.
    pub stage: Option<Severity>,
}

/// How an alarm began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Onset {
    /// At least half the rise happened from one night to the next: a burst or a new leak.
    Step,
    /// The rise built up over the nights before: a growing leak or changing demand.
    Drift,
}

/// An alarm on night flow: nights above the baseline from its start until a repair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NightEvent {
    /// The first night of the alarm (00:00 of its morning).
    pub first_night: i64,
    /// The last night still high.
    pub last_night: i64,
    /// Time of the MNF furthest above its baseline: the night that set the stage.
    pub peak_time: i64,
    /// That MNF.
    pub peak_value: f64,
    /// The baseline on that night.
    pub expected: f64,
    /// The highest stage reached.
    pub stage: Severity,
    /// Step or drift.
    pub onset: Onset,
    /// The night the repair was confirmed; `None` while the alarm is still on.
    pub repaired: Option<i64>,
    /// Repairs that did not hold: times the nights came back to the baseline and the alarm was
    /// raised again within [`NightRule::hold`] nights (each is inside this alarm, not an alarm of
    /// its own).
    #[serde(default)]
    pub returns: usize,
    /// The night from which an engineer accepted the nights as the new normal (a survey found no
    /// leak: new night use), which ended the alarm; see [`judge_nights_accepting`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<i64>,
}

/// Every night's verdict and the alarm events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    /// One per night, in the nights' order.
    pub verdicts: Vec<Verdict>,
    /// The alarms, in time order.
    pub events: Vec<NightEvent>,
}

/// A standard deviation from the median absolute difference of consecutive values: 1.4826 makes
/// a MAD a σ for normal noise, and a difference of two independent nights has √2 times their σ.
const DIFFERENCE_TO_SIGMA: f64 = 1.4826 / std::f64::consts::SQRT_2;

/// How far an alarm's baseline is carried along the trend past the baseline nights' middle day, in
/// baselines (`baseline_nights`): as far as the nights the trend was fitted on reach.
const TREND_REACH: i64 = 2;

/// The median of the last `nights` of `history` and their spread: the night-to-night noise, from
/// the median absolute difference of consecutive nights (a slow trend or the weekly pattern inside
/// the history does not widen it, as it would the deviations from the median), and at least
/// `least` of the median.
fn baseline(history: &[(i64, f64)], nights: usize, least: f64) -> (f64, f64) {
    let mut values: Vec<f64> = history.iter().rev().take(nights).rev().map(|(_, v)| *v).collect();
    let mut differences: Vec<f64> = values.windows(2).map(|pair| (pair[1] - pair[0]).abs()).collect();
    let centre = median(&mut values).unwrap_or(0.0);
    let spread = DIFFERENCE_TO_SIGMA * median(&mut differences).unwrap_or(0.0);
    (centre, spread.max(least * centre.abs()).max(f64::MIN_POSITIVE))
}

/// The weekly pattern of the nights: each day of the week's MNF as a share of the median of all,
/// from six weeks of normal nights or more (at least four of each day). A pattern under 3 % from
/// top to bottom is noise and left out.
#[derive(Clone, Copy)]
struct Week([f64; 7]);

impl Week {
    const FLAT: Week = Week([1.0; 7]);

    fn of(history: &VecDeque<(i64, f64)>) -> Week {
        if history.len() < 42 {
            return Week::FLAT;
        }
        let mut all: Vec<f64> = history.iter().map(|(_, v)| *v).collect();
        let overall = median(&mut all).unwrap_or(f64::NAN);
        if overall.is_nan() || overall <= 0.0 {
            return Week::FLAT;
        }
        let mut shares = [1.0; 7];
        for (weekday, share) in shares.iter_mut().enumerate() {
            let mut ratios: Vec<f64> = history
                .iter()
                .filter(|(d, _)| crate::time::weekday(d * DAY) as usize == weekday)
                .map(|(_, v)| v / overall)
                .collect();
            if ratios.len() >= 4 {
                *share = median(&mut ratios).unwrap_or(1.0);
            }
        }
        let (low, high) = shares
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), s| (l.min(*s), h.max(*s)));
        if high - low < 0.03 || low <= 0.0 {
            return Week::FLAT;
        }
        Week(shares)
    }

    fn factor(&self, day: i64) -> f64 {
        self.0[crate::time::weekday(day * DAY) as usize % 7]
    }
}

/// Theil–Sen slope of `(x, y)` points: the median of the slopes between every pair with different
/// x. Robust to a weekend or an odd night among them; `None` under two distinct x.
pub fn theil_sen_slope(points: &[(f64, f64)]) -> Option<f64> {
    let mut slopes = Vec::with_capacity(points.len() * points.len().saturating_sub(1) / 2);
    for (i, &(x0, y0)) in points.iter().enumerate() {
        for &(x1, y1) in &points[i + 1..] {
            if x1 != x0 {
                slopes.push((y1 - y0) / (x1 - x0));
            }
        }
    }
    median(&mut slopes)
}

/// An alarm in progress: the baseline at its start, carried along the seasonal trend of the nights
/// before it, so that a leak is judged against what the nights would be without it.
#[derive(Clone, Copy)]
struct Frozen {
    expected: f64,
    spread: f64,
    slope: f64,
    day: i64,
    /// How many days after `day` the trend is still carried: a trend fitted on four weeks of
    /// nights says nothing of the months after them (carried through a four-month alarm, it put a
    /// real area's baseline at 42.8 L/s under nights of 50 to 56).
    carry_left: i64,
    /// The weekly pattern of the nights before, for telling a repair from a weekend.
    week: Week,
    /// The rise that started the alarm: the median excess of its first nights.
    step: f64,
    /// Whether it started as a step or built up.
    onset: Onset,
}

impl Frozen {
    fn expected_on(&self, day: i64) -> f64 {
        self.expected + self.slope * (day - self.day).clamp(0, self.carry_left) as f64
    }

    /// Whether a night of `mnf` looks repaired: down by at least half the leak's size from the
    /// same night of an earlier week (its day and MNF), a night in the alarm (a weekly
    /// difference, so weekends and the season cancel out), or back within `near` spreads of the baseline, taking
    /// the lower of the baseline as frozen and as carried along the trend (an alarm that faded
    /// away ends too, but a trend misjudged never ends one).
    fn repaired(&self, mnf: f64, day: i64, earlier: Option<(i64, f64)>, near: f64) -> bool {
        let dropped = earlier.is_some_and(|(on, before)| mnf <= before - 0.5 * self.leak_size(before, on));
        // The baseline of this day of the week: a weekend night with the leak still on is no repair.
        let factor = self.week.factor(day);
        let back = mnf < (self.expected.min(self.expected_on(day)) + near * self.spread) * factor;
        dropped || back
    }

    /// How much a repair takes away: a step's rise at its start; a drift's rise has grown since,
    /// so it is how far the night `before` (on `day`) stood above its baseline, at least the
    /// starting rise. (Measured against the starting rise, a real area's drift alarm, its nights
    /// 4 to 6 L/s over the baseline, was "repaired" by a week's noise of 1.5 L/s and raised again
    /// two nights later, four times in 22 months.)
    fn leak_size(&self, before: f64, day: i64) -> f64 {
        match self.onset {
            Onset::Step => self.step,
            Onset::Drift => self.step.max(before - self.expected_on(day)),
        }
    }
}

/// Judges each night against the nights before it: warming up until `min_nights` normal nights
/// of the last `2 × baseline_nights` days exist (at the start, and again after a month in alarm or
/// without an MNF), then graded against their baseline. `confirm` high nights in a row start an alarm (a
/// single high night, a fire-fighting draw, does not); the baseline is then frozen at its pre-alarm
/// value, carried along the trend (Theil–Sen) of the last `2 × baseline_nights` normal nights so
/// that seasonal change goes on but the leak never becomes the new normal (from the baseline
/// nights' middle day, at most `baseline_nights` days: never across a gap), until `confirm` nights
/// in a row are repaired: down by half the leak's size from the same night of the latest of the
/// four weeks before that was in the alarm (a step's starting rise; a drift's rise as it has
/// grown), or back within half the watch threshold of the baseline. The baseline then carries on
/// from the nights before the alarm and after the repair; an alarm raised again within `hold`
/// nights of the repair is the same one going on ([`NightEvent::returns`]). Only rises alarm (a drop is a meter or supply
/// matter, not a leak: a night below its baseline is 관심 at most), and an alarm's peak is its
/// night furthest above the baseline. Nights with no MNF or constant readings are skipped without
/// breaking a run.
pub fn judge_nights(nights: &[Night], rule: &Checked<NightRule>) -> Judgement {
    judge_nights_accepting(nights, rule, &[])
}

/// [`judge_nights`], with the days (day numbers, `timestamp / DAY`) from which an engineer accepts
/// the nights as the new normal: a rise the rule will not let become the baseline (it cannot tell
/// a leak from new night use), looked into and found to be no leak. From the first night on or
/// after each such day, an alarm still on ends as accepted, nights not yet confirmed high are
/// forgotten, and the baseline starts afresh from the nights that follow, warming up as at the
/// start of the data.
pub fn judge_nights_accepting(nights: &[Night], rule: &Checked<NightRule>, accepted: &[i64]) -> Judgement {
    let mut accepted: Vec<i64> = accepted.to_vec();
    accepted.sort_unstable();
    let mut accepted = accepted.into_iter().peekable();
    let blank = Verdict {
        status: NightStatus::NoMnf,
        expected: None,
        spread: None,
        sigmas: None,
        stage: None,
    };
    let mut verdicts = vec![blank; nights.len()];
    let mut events: Vec<NightEvent> = Vec::new();
    // Normal nights: (day, MNF), the last 2 × baseline_nights of them, and at least eight weeks
    // for the weekly pattern.
    let keep = (2 * rule.baseline_nights).max(56);
    let mut history: VecDeque<(i64, f64)> = VecDeque::with_capacity(keep + 1);
    let accept = |history: &mut VecDeque<(i64, f64)>, night: &Night| {
        if let Some(mnf) = night.mnf {
            history.push_back((night.night.div_euclid(DAY), mnf));
            if history.len() > keep {
                history.pop_front();
            }
        }
    };
    let mut pending: Vec<usize> = Vec::new();
    let mut alarm: Option<Frozen> = None;
    let mut near: Vec<usize> = Vec::new();
    // The last repair, while it may still be undone: its day and its first night back.
    let mut repair: Option<(i64, usize)> = None;
    for (i, night) in nights.iter().enumerate() {
        let day = night.night.div_euclid(DAY);
        // Every accepted day up to this night (several may fall in a gap of nights).
        let mut reached = false;
        while accepted.next_if(|&from| from <= day).is_some() {
            reached = true;
        }
        if reached {
            if let (Some(_), Some(event)) = (alarm.take(), events.last_mut()) {
                event.accepted = Some(night.night);
            }
            // Nights that had dipped inside the alarm were still part of it.
            for n in near.drain(..) {
                verdicts[n].stage = Some(Severity::Watch);
            }
            pending.clear();
            history.clear();
            repair = None;
        }
        let Some(mnf) = night.mnf else { continue };
        if night.constant {
            verdicts[i].status = NightStatus::Constant;
            continue;
        }
        if let (Some(frozen), Some(event)) = (alarm, events.last_mut()) {
            let expected = frozen.expected_on(day);
            let sigmas = (mnf - expected) / frozen.spread;
            verdicts[i] = Verdict {
                status: NightStatus::Alarm,
                expected: Some(expected),
                spread: Some(frozen.spread),
                sigmas: Some(sigmas),
                stage: None,
            };
            // The same night of the latest of the four weeks before that was one of the alarm's
            // high nights: a week before, or further back where that night was not judged (a
            // stuck meter's week over the repair hid it, and three repaired leaks of the demo
            // export's stayed in alarm for good as the season rose past their baseline).
            let earlier_week = (1..=4).find_map(|weeks| {
                let w = i.checked_sub(7 * weeks)?;
                let earlier = night.night - 7 * weeks as i64 * DAY;
                let judged = nights[w].night == earlier && verdicts[w].stage.is_some();
                Some((earlier.div_euclid(DAY), nights[w].mnf?)).filter(|_| judged)
            });
            if frozen.repaired(mnf, day, earlier_week, rule.stages.watch / 2.0) {
                near.push(i);
                if near.len() >= rule.confirm {
                    event.repaired = Some(night.night);
                    repair = near.first().map(|&first| (day, first));
                    for &n in &near {
                        verdicts[n].status = NightStatus::Normal;
                        accept(&mut history, &nights[n]);
                    }
                    near.clear();
                    alarm = None;
                }
                continue;
            }
            // Nights that dipped back for less than `confirm` nights were still part of the alarm.
            for &n in &near {
                verdicts[n].stage = Some(Severity::Watch);
            }
            near.clear();
            let stage = rule.stages.grade(sigmas.max(0.0)).unwrap_or(Severity::Watch);
            verdicts[i].stage = Some(stage);
            event.last_night = night.night;
            event.stage = event.stage.max(stage);
            if mnf - expected > event.peak_value - event.expected {
                (event.peak_value, event.expected) = (mnf, expected);
                event.peak_time = night.mnf_time.unwrap_or(night.night);
            }
            continue;
        }
        // The baseline's nights are those of the last `2 × baseline_nights` days: older ones say
        // little of a season that has moved on. After a month-long alarm (or a month without
        // readings) that leaves too few, and the baseline warms up again from the nights after
        // it, as at the start of the data. (Judged against the nights before a 30-night leak, the
        // season having risen since, 21.1 % of the demo's nights 4 to 59 after the repairs were
        // in an alarm, most of it one that never ended; 5.7 % with this rule.)
        let fresh_on = |day: i64| -> Vec<(i64, f64)> {
            history
                .iter()
                .filter(|(d, _)| day - d <= 2 * rule.baseline_nights as i64)
                .copied()
                .collect()
        };
        let fresh = fresh_on(day);
        if fresh.len() < rule.min_nights {
            verdicts[i].status = NightStatus::WarmingUp;
            accept(&mut history, night);
            continue;
        }
        // Judged against the plain baseline, not the weekly pattern: estimated from a few weeks it
        // adds more noise than it removes (measured: 0.47 false alarms per 100 nights with it, 0.02
        // without); only the repair rule uses it.
        let (centre, spread) = baseline(&fresh, rule.baseline_nights, rule.least_spread);
        let expected = centre;
        let sigmas = (mnf - expected) / spread;
        verdicts[i] = Verdict {
            status: NightStatus::Normal,
            expected: Some(expected),
            spread: Some(spread),
            sigmas: Some(sigmas),
            stage: None,
        };
        if sigmas < rule.stages.watch {
            // High nights that did not last were real nights all the same.
            for n in pending.drain(..) {
                accept(&mut history, &nights[n]);
            }
            accept(&mut history, night);
            continue;
        }
        verdicts[i].status = NightStatus::High;
        pending.push(i);
        if pending.len() < rule.confirm {
            continue;
        }
        let start = pending[0];
        let first_mnf = nights[start].mnf.unwrap_or(mnf);
        // A step: at least half the rise over the baseline happened since the last three nights.
        let start_day = nights[start].night.div_euclid(DAY);
        // The alarm's baseline is that of its first night (no normal night has come since).
        let fresh = fresh_on(start_day);
        let (centre, spread) = baseline(&fresh, rule.baseline_nights, rule.least_spread);
        let mut recent: Vec<f64> = history.iter().rev().take(3).map(|(_, v)| *v).collect();
        let before = median(&mut recent).unwrap_or(centre);
        let onset = if first_mnf - before >= 0.5 * (first_mnf - centre) {
            Onset::Step
        } else {
            Onset::Drift
        };
        let trend: Vec<(f64, f64)> = history
            .iter()
            .rev()
            .take(2 * rule.baseline_nights)
            .map(|&(d, v)| (d as f64, v))
            .collect();
        // The baseline is the median of nights about half a baseline back: their middle day. The
        // trend carries it from there to the alarm, but over at most `baseline_nights` days: a
        // longer way means a gap among them (nights without an MNF, an earlier alarm), and
        // carried across five months the trend put a real area's baseline 2.4 above its nights.
        let middle = fresh
            .iter()
            .rev()
            .take(rule.baseline_nights)
            .map(|(d, _)| *d)
            .sum::<i64>()
            / fresh.len().min(rule.baseline_nights) as i64;
        let slope = theil_sen_slope(&trend).unwrap_or(0.0);
        let carried_days = (start_day - middle).clamp(0, rule.baseline_nights as i64);
        let mut excess: Vec<f64> = pending.iter().filter_map(|&n| Some(nights[n].mnf? - centre)).collect();
        let frozen = Frozen {
            expected: centre + slope * carried_days as f64,
            spread,
            slope,
            day: start_day,
            carry_left: TREND_REACH * rule.baseline_nights as i64 - carried_days,
            week: Week::of(&history),
            step: median(&mut excess).unwrap_or(0.0),
            onset,
        };
        let mut event = NightEvent {
            first_night: nights[start].night,
            last_night: night.night,
            peak_time: 0,
            peak_value: f64::NEG_INFINITY,
            expected,
            stage: Severity::Watch,
            onset,
            repaired: None,
            returns: 0,
            accepted: None,
        };
        for n in pending.drain(..) {
            let value = nights[n].mnf.unwrap_or(mnf);
            let night_day = nights[n].night.div_euclid(DAY);
            let expected = frozen.expected_on(night_day);
            let sigmas = (value - expected) / spread;
            let stage = rule.stages.grade(sigmas.max(0.0)).unwrap_or(Severity::Watch);
            verdicts[n] = Verdict {
                status: NightStatus::Alarm,
                expected: Some(expected),
                spread: Some(spread),
                sigmas: Some(sigmas),
                stage: Some(stage),
            };
            event.stage = event.stage.max(stage);
            if value - expected > event.peak_value - event.expected {
                (event.peak_value, event.expected) = (value, expected);
                event.peak_time = nights[n].mnf_time.unwrap_or(nights[n].night);
            }
        }
        let undone = repair
            .take()
            .filter(|&(repaired, _)| start_day - repaired <= rule.hold as i64);
        match (undone, events.last_mut()) {
            // Raised again within `hold` nights of its repair: the repair did not hold and this
            // is the same alarm going on. The nights back in between are in it, as a dip of
            // fewer than `confirm` nights is; the baseline is judged afresh as for a new alarm.
            (Some((_, back)), Some(last)) => {
                for verdict in &mut verdicts[back..start] {
                    if verdict.status == NightStatus::Normal {
                        verdict.status = NightStatus::Alarm;
                        verdict.stage = Some(Severity::Watch);
                    }
                }
                last.repaired = None;
                last.returns += 1;
                last.last_night = event.last_night;
                last.stage = last.stage.max(event.stage);
                if event.peak_value - event.expected > last.peak_value - last.expected {
                    (last.peak_value, last.expected, last.peak_time) =
                        (event.peak_value, event.expected, event.peak_time);
                }
            }
            _ => events.push(event),
        }
        alarm = Some(frozen);
    }
    // Nights back near the baseline when the data ended: not yet a confirmed repair.
    for &n in &near {
        verdicts[n].stage = Some(Severity::Watch);
    }
    Judgement { verdicts, events }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;

    fn at(text: &str) -> i64 {
        parse_timestamp(text).unwrap_or_default()
    }

    fn minutes(from: &str, values: &[f64]) -> FlowSeries {
        let start = at(from);
        let times = (0..values.len() as i64).map(|i| start + i * MINUTE).collect();
        FlowSeries::new(times, values.to_vec(), Interval::MINUTE).unwrap()
    }

    #[test]
    fn windows_parse_print_and_place_readings() {
        let w: NightWindow = "22:00-05:00".parse().unwrap();
        assert!(w.spans_midnight());
        assert_eq!(w.length(), 7 * HOUR);
        assert_eq!(w.to_string(), "22:00-05:00");
        // 23:30 on the 1st belongs to the night that ends on the morning of the 2nd.
        let day = at("2020-01-02 00:00") / DAY;
        assert_eq!(w.locate(at("2020-01-01 23:30")), Some((day, 90 * MINUTE)));
        assert_eq!(w.locate(at("2020-01-02 04:59")), Some((day, 7 * HOUR - MINUTE)));
        assert_eq!(w.locate(at("2020-01-02 05:00")), None);
        assert_eq!(w.bounds(day), (at("2020-01-01 22:00"), at("2020-01-02 05:00")));
        assert_eq!("1-5".parse::<NightWindow>().unwrap().to_string(), "01:00-05:00");
        let late: NightWindow = "22:00-24:00".parse().unwrap();
        assert_eq!(late.to_string(), "22:00-24:00");
        assert_eq!(late.locate(at("2020-01-01 23:00")), Some((day - 1, HOUR)));
        for bad in [
            "",
            "02:00",
            "04:00-04:00",
            "25:00-02:00",
            "02:60-03:00",
            "a-b",
            "24:00-02:00",
        ] {
            assert!(
                matches!(bad.parse::<NightWindow>(), Err(CoreError::NightWindow { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn each_invalid_setting_has_its_own_error() {
        let coverage = NightConfig {
            min_coverage: 0.0,
            ..NightConfig::default()
        };
        assert!(matches!(coverage.check(), Err(CoreError::NightCoverage { .. })));
        let nan = NightConfig {
            min_coverage: f64::NAN,
            ..NightConfig::default()
        };
        assert!(matches!(nan.check(), Err(CoreError::NightCoverage { .. })));
        let bin = NightConfig {
            window: "02:05-04:00".parse().unwrap(),
            ..NightConfig::default()
        };
        assert!(matches!(bin.check(), Err(CoreError::NightBin { .. })));
        let baseline = NightRule {
            min_nights: 20,
            ..NightRule::default()
        };
        assert!(matches!(baseline.check(), Err(CoreError::NightBaseline { .. })));
        let confirm = NightRule {
            confirm: 0,
            ..NightRule::default()
        };
        assert!(matches!(confirm.check(), Err(CoreError::NightConfirm { .. })));
        let hold = NightRule {
            hold: 57,
            ..NightRule::default()
        };
        assert!(matches!(hold.check(), Err(CoreError::NightHold { nights: 57 })));
        assert!(NightRule {
            hold: 56,
            ..NightRule::default()
        }
        .check()
        .is_ok());
        let spread = NightRule {
            least_spread: 1.5,
            ..NightRule::default()
        };
        assert!(matches!(spread.check(), Err(CoreError::NightSpread { .. })));
        let stages = NightRule {
            stages: Stages {
                watch: -1.0,
                ..Stages::default()
            },
            ..NightRule::default()
        };
        assert!(matches!(stages.check(), Err(CoreError::SeverityThresholds { .. })));
        let daily = FlowSeries::new(vec![0, DAY], vec![1.0, 2.0], Interval::DAILY).unwrap();
        let config = NightConfig::default().check().unwrap();
        assert!(matches!(
            minimum_night_flow(&daily, &config),
            Err(CoreError::NightInterval { .. })
        ));
        // Readings 72 minutes apart fix the bin themselves: the error names them, not --night-bin.
        let every_72 = Interval::from_seconds(72 * 60).unwrap();
        let error = config.bin_for(every_72).unwrap_err();
        assert!(matches!(error, CoreError::NightReadingsTiling { .. }), "{error}");
        assert!(error
            .to_string()
            .starts_with("readings 72min apart do not tile the night window 02:00-04:00"));
        // 40 minutes tile 02:00-04:00 (3 bins).
        assert_eq!(config.bin_for(Interval::from_seconds(40 * 60).unwrap()).unwrap(), 2400);
    }

    /// The hand-computed nights of fixtures/README.md ("Night flow").
    #[test]
    fn nights_by_hand() {
        let config = NightConfig::default().check().unwrap();
        // 01:55 to 04:05 of 2020-03-01 (131 minutes): 100 everywhere, except 02:30–02:39 at 40 and
        // 02:40–02:49 at 41 save one blank (02:45) that leaves nine readings.
        let mut values = vec![100.0; 131];
        for v in &mut values[35..45] {
            *v = 40.0;
        }
        for v in &mut values[45..55] {
            *v = 41.0;
        }
        values[50] = f64::NAN;
        let series = minutes("2020-03-01 01:55", &values);
        let nights = minimum_night_flow(&series, &config).unwrap();
        assert_eq!(nights.len(), 1);
        let n = nights[0];
        assert_eq!(n.night, at("2020-03-01 00:00"));
        assert_eq!(n.mnf, Some(40.0));
        assert_eq!(n.mnf_time, Some(at("2020-03-01 02:30")));
        // 119 readings in the window of 120: 100·100 + 10·40 + 9·41 = 10769.
        assert_eq!(n.coverage, 119.0 / 120.0);
        assert_eq!(n.night_mean, Some(10_769.0 / 119.0));
        // 131 readings of 1440 in the day: no day mean.
        assert_eq!(n.day_mean, None);
        assert!(!n.constant);

        // A night spanning midnight, 22:00-01:00 with hourly bins: the 23:00 bin is lowest.
        let spanning = NightConfig {
            window: "22:00-01:00".parse().unwrap(),
            bin: Interval::HOURLY,
            min_coverage: 0.75,
        }
        .check()
        .unwrap();
        let mut values = vec![60.0; 180];
        for v in &mut values[60..120] {
            *v = 30.0;
        }
        let series = minutes("2020-03-01 22:00", &values);
        let nights = minimum_night_flow(&series, &spanning).unwrap();
        assert_eq!(nights.len(), 1);
        assert_eq!(nights[0].night, at("2020-03-02 00:00"));
        assert_eq!(nights[0].mnf, Some(30.0));
        assert_eq!(nights[0].mnf_time, Some(at("2020-03-01 23:00")));
        assert_eq!(nights[0].night_mean, Some(50.0));
    }

    #[test]
    fn gaps_missing_nights_and_hourly_data() {
        let config = NightConfig::default().check().unwrap();
        // Two days of minutes with the first night 60 % blank and the second night absent altogether.
        let mut values: Vec<f64> = (0..2 * 1440).map(|i| 200.0 + (i % 1440) as f64 / 10.0).collect();
        for v in &mut values[120..192] {
            *v = f64::NAN;
        }
        for v in &mut values[1440 + 120..1440 + 240] {
            *v = f64::NAN;
        }
        let series = minutes("2020-05-01 00:00", &values);
        let nights = minimum_night_flow(&series, &config).unwrap();
        assert_eq!(nights.len(), 2);
        assert_eq!(nights[0].coverage, 0.4);
        assert_eq!((nights[0].mnf, nights[0].mnf_time), (None, None));
        // 48 readings remain: 02:00 + 72 min … 03:59, values 207.2 … 207.9 + 0.1 steps.
        assert!(nights[0].night_mean.is_some());
        assert_eq!(
            (nights[1].coverage, nights[1].mnf, nights[1].night_mean),
            (0.0, None, None)
        );
        // The day means count the gaps out: day 1 has 1368 of 1440 readings (95 %).
        assert!(nights[0].day_mean.is_some());

        // Hourly data uses its own hours as bins: 02:00 and 03:00.
        let start = at("2020-05-01 00:00");
        let times: Vec<i64> = (0..48).map(|h| start + h * HOUR).collect();
        let values: Vec<f64> = (0..48)
            .map(|h| [9.0, 8.0, 7.0, 5.0, 6.0][(h % 24).min(4) as usize] + (h / 24) as f64)
            .collect();
        let hourly = FlowSeries::new(times, values, Interval::HOURLY).unwrap();
        let nights = minimum_night_flow(&hourly, &config).unwrap();
        assert_eq!(nights.len(), 2);
        assert_eq!(nights[1].mnf, Some(6.0));
        assert_eq!(nights[1].mnf_time, Some(start + DAY + 3 * HOUR));
        assert_eq!(nights[1].night_mean, Some(7.0));
        assert_eq!(nights[1].coverage, 1.0);
        // Day 2: 9 + 8 + 7 + 5 + 6·20 = 149, plus 1 each hour = 173 over 24.
        assert_eq!(nights[1].day_mean, Some(173.0 / 24.0));
        assert_eq!(nights[1].share_of_day(), Some(6.0 / (173.0 / 24.0)));
        // Noise around no flow: a negative MNF over a day's mean of 0.0112 is no share.
        let mut no_flow = nights[1];
        (no_flow.mnf, no_flow.day_mean) = (Some(-0.09), Some(0.0112));
        assert_eq!(no_flow.share_of_day(), None);
        assert!(minimum_night_flow(&hourly.slice(0, 0), &config).unwrap().is_empty());

        // Rome's spring change, 2023-03-26: the clock goes from 02:00 to 03:00, so the night of
        // 02:00–04:00 holds one hour. Without the clock, one of two hourly readings is under the
        // 75 % coverage: no MNF. On the clock, that reading is the whole night, and the day has 23.
        let start = at("2023-03-26 00:00");
        let times: Vec<i64> = (0..24).filter(|&h| h != 2).map(|h| start + h * HOUR).collect();
        let values: Vec<f64> = times.iter().map(|t| 10.0 + ((t - start) / HOUR) as f64).collect();
        let spring = FlowSeries::new(times, values, Interval::HOURLY).unwrap();
        let plain = minimum_night_flow(&spring, &config).unwrap();
        assert_eq!((plain[0].coverage, plain[0].mnf), (0.5, None));
        let on_clock = minimum_night_flow_on_clock(&spring, &config, &[start + 2 * HOUR]).unwrap();
        assert_eq!(on_clock.len(), 1);
        assert_eq!((on_clock[0].coverage, on_clock[0].mnf), (1.0, Some(13.0)));
        assert_eq!(on_clock[0].mnf_time, Some(start + 3 * HOUR));
        // 10 + 11 + 13 + 14 + … + 33 over the 23 hours the day had.
        let sum: f64 = (0..24).filter(|&h| h != 2).map(|h| 10.0 + h as f64).sum();
        assert_eq!(on_clock[0].day_mean, Some(sum / 23.0));
    }

    fn night(day: i64, mnf: f64) -> Night {
        Night {
            night: day * DAY,
            mnf: Some(mnf),
            mnf_time: Some(day * DAY + 3 * HOUR),
            night_mean: Some(mnf + 5.0),
            coverage: 1.0,
            day_mean: Some(mnf * 3.0),
            constant: false,
        }
    }

    #[test]
    fn a_step_alarms_until_the_repair() {
        let rule = NightRule::default().check().unwrap();
        // Nights alternate 100 and 102: the first seven (4 × 100, 3 × 102) have median 100, and
        // consecutive nights differ by 2, a spread of 2 × 1.4826 / √2. A single high night (night
        // 21) is no alarm; nights 30–39 carry +10.
        let mut nights: Vec<Night> = (0..50)
            .map(|d| night(d, if d % 2 == 0 { 100.0 } else { 102.0 }))
            .collect();
        nights[21].mnf = Some(120.0);
        for n in &mut nights[30..40] {
            n.mnf = n.mnf.map(|v| v + 10.0);
        }
        nights[25].mnf = None;
        nights[26].constant = true;
        let judged = judge_nights(&nights, &rule);
        let v = &judged.verdicts;
        assert!(v[..7].iter().all(|v| v.status == NightStatus::WarmingUp));
        let spread = 2.0 * 1.4826 / 2f64.sqrt();
        assert_eq!((v[7].expected, v[7].spread), (Some(100.0), Some(spread)));
        assert_eq!(v[21].status, NightStatus::High);
        assert_eq!(v[22].status, NightStatus::Normal, "one high night is no alarm");
        // Before night 30 the last 14 judged nights are 14–24 and 27–29: 7 × 100, 6 × 102 and the
        // 120 of night 21, so median 101; their differences are 2 but for two of 18: the same spread.
        assert_eq!((v[30].expected, v[30].spread), (Some(101.0), Some(spread)));
        assert_eq!(
            (v[25].status, v[26].status),
            (NightStatus::NoMnf, NightStatus::Constant)
        );
        assert_eq!(judged.events.len(), 1);
        let e = judged.events[0];
        assert_eq!((e.first_night, e.last_night), (30 * DAY, 39 * DAY));
        assert_eq!(e.onset, Onset::Step);
        assert_eq!(e.expected, 101.0);
        // 110 against 101 is 4.3 spreads (주의), 112 is 5.2 (경계).
        assert_eq!(v[30].stage, Some(Severity::Caution));
        assert_eq!(e.stage, Severity::Alert);
        assert_eq!((e.peak_value, e.peak_time), (112.0, 31 * DAY + 3 * HOUR));
        // Nights 40 and 41 are back: the repair is confirmed on the second.
        assert_eq!(e.repaired, Some(41 * DAY));
        assert!(v[30..40]
            .iter()
            .all(|v| v.status == NightStatus::Alarm && v.stage.is_some()));
        assert_eq!(v[42].status, NightStatus::Normal);
        assert_eq!(v[42].expected, Some(101.0));
    }

    /// Seen on a real area (BWDF dma-7): nights rising through the season, then weeks without an
    /// MNF, then nights a little above the old baseline. The trend carries the baseline at most two
    /// weeks, not across the gap, and a night under its baseline is never given a stage above 관심.
    /// After months without an MNF the baseline warms up afresh.
    #[test]
    fn an_alarm_after_a_gap_does_not_carry_the_trend_across_it() {
        let rule = NightRule::default().check().unwrap();
        // Nights 0–27 rise 0.1 a night from 100, alternating ±0.5 (Theil–Sen slope 0.1); the next
        // `gap` nights have no MNF; the four after them are 106, 106, 103, 103.
        let with_gap = |gap: usize| {
            let mut nights: Vec<Night> = (0..32 + gap as i64)
                .map(|d| night(d, 100.0 + 0.1 * d as f64 + if d % 2 == 0 { -0.5 } else { 0.5 }))
                .collect();
            for n in &mut nights[28..28 + gap] {
                n.mnf = None;
            }
            for (n, v) in nights[28 + gap..].iter_mut().zip([106.0, 106.0, 103.0, 103.0]) {
                n.mnf = Some(v);
            }
            nights
        };
        let nights = with_gap(20);
        let judged = judge_nights(&nights, &rule);
        let v = &judged.verdicts;
        // The baseline's nights are those of the 28 days before night 48: 20–27, median 102.35
        // (of 101.5 … 103.2), consecutive differences 4 × 1.1 and 3 × 0.9 (median 1.1), so a
        // spread of 1.1 × 1.4826 / √2 = 1.1532 (over 1 % of 102.35). Against 102.35, 106 is 3.17
        // spreads: two high nights, an alarm.
        let spread = 1.1 * 1.4826 / 2f64.sqrt();
        let [e] = judged.events[..] else {
            panic!("one alarm: {:?}", judged.events)
        };
        assert_eq!((e.first_night, e.last_night), (48 * DAY, 49 * DAY));
        // Carried 14 nights up the trend from the baseline nights' middle day (23), not the 25 to
        // night 48: 103.75, and 106 is 1.95 spreads above it, 관심.
        assert!((e.expected - 103.75).abs() < 1e-9, "{}", e.expected);
        assert!((v[48].sigmas.unwrap() - (106.0 - 103.75) / spread).abs() < 1e-9);
        assert_eq!(
            (e.stage, e.peak_value, e.peak_time),
            (Severity::Watch, 106.0, 48 * DAY + 3 * HOUR)
        );
        // 103 is back within 1.5 spreads (105.48): repaired on the second such night.
        assert_eq!(e.repaired, Some(51 * DAY));
        for (verdict, night) in v.iter().zip(&nights) {
            if let (Some(stage), Some(mnf), Some(expected)) = (verdict.stage, night.mnf, verdict.expected) {
                assert!(stage == Severity::Watch || mnf > expected, "{night:?} {verdict:?}");
            }
        }
        // Five months without an MNF: no night of the 28 days before is left, and the nights
        // after warm the baseline up again instead of being judged against last season's.
        let judged = judge_nights(&with_gap(150), &rule);
        assert!(judged.events.is_empty(), "{:?}", judged.events);
        assert!(judged.verdicts[178..]
            .iter()
            .all(|v| v.status == NightStatus::WarmingUp));
    }

    #[test]
    fn a_slow_drift_follows_the_baseline_a_fast_one_alarms() {
        let rule = NightRule::default().check().unwrap();
        // +0.05 % a night: the baseline keeps up.
        let slow: Vec<Night> = (0..120)
            .map(|d| {
                night(
                    d,
                    100.0 * (1.0 + 0.0005 * d as f64) + if d % 2 == 0 { 0.0 } else { 1.0 },
                )
            })
            .collect();
        assert!(judge_nights(&slow, &rule).events.is_empty());
        // +0.5 a night from night 40 (half the least spread): the median of two weeks lags by about
        // 3.75, so an alarm comes, but one that built up, not a step.
        let fast: Vec<Night> = (0..100)
            .map(|d| {
                night(
                    d,
                    100.0 + if d % 2 == 0 { 0.0 } else { 1.0 } + 0.5 * (d as f64 - 40.0).max(0.0),
                )
            })
            .collect();
        let events = judge_nights(&fast, &rule).events;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].onset, Onset::Drift);
        assert_eq!(events[0].repaired, None);
    }

    /// A rise looked into and found to be no leak (new night use) is accepted from a night on: the
    /// alarm ends there as accepted, the baseline starts afresh after a week's warming up, and a
    /// leak on top of the new level still alarms.
    #[test]
    fn nights_accepted_as_normal_end_the_alarm_and_start_the_baseline_afresh() {
        let rule = NightRule::default().check().unwrap();
        // 100/101 alternating; +10 from night 40 (new night use); +10 more from night 120 (a leak).
        let nights: Vec<Night> = (0..160)
            .map(|d| {
                let rise = match d {
                    0..40 => 0.0,
                    40..120 => 10.0,
                    _ => 20.0,
                };
                night(d, 100.0 + (d % 2) as f64 + rise)
            })
            .collect();
        // Without acceptance: one alarm from night 40 to the end, never repaired.
        let plain = judge_nights(&nights, &rule);
        let [e] = plain.events[..] else {
            panic!("one alarm: {:?}", plain.events)
        };
        assert_eq!(
            (e.first_night, e.last_night, e.repaired, e.accepted),
            (40 * DAY, 159 * DAY, None, None)
        );
        // Accepted from night 70 (an accepted day repeated changes nothing).
        let judged = judge_nights_accepting(&nights, &rule, &[70, 70]);
        let [first, leak] = judged.events[..] else {
            panic!("two alarms: {:?}", judged.events)
        };
        assert_eq!(
            (first.first_night, first.last_night, first.repaired, first.accepted),
            (40 * DAY, 69 * DAY, None, Some(70 * DAY))
        );
        let v = &judged.verdicts;
        // A week of warming up from night 70, then the new level is normal: against the median of
        // 14 nights, seven of 110 and seven of 111.
        assert!(
            v[70..77].iter().all(|v| v.status == NightStatus::WarmingUp),
            "{:?}",
            &v[70..78]
        );
        assert_eq!((v[100].status, v[100].expected), (NightStatus::Normal, Some(110.5)));
        // The leak at night 120 alarms against the new level, as a step, still on at the end.
        assert_eq!(
            (leak.first_night, leak.onset, leak.repaired),
            (120 * DAY, Onset::Step, None)
        );
        assert_eq!(leak.expected, 110.5);
    }

    /// Seen on a real area (BWDF dma-5): the trend of the four weeks before an alarm, carried on
    /// through the months it lasted, took the baseline far from any night. It is carried as far as
    /// the nights it was fitted on reach, four weeks past their middle day.
    #[test]
    fn a_long_alarm_carries_the_trend_no_further_than_its_nights_reach() {
        let rule = NightRule::default().check().unwrap();
        // Nights 0–39 fall 0.1 a night from 110, alternating ±0.5; from night 40 they are 20 higher
        // than that line would go, and stay there for 200 nights.
        let nights: Vec<Night> = (0..240)
            .map(|d| {
                let line = if d < 40 { 110.0 - 0.1 * d as f64 } else { 126.0 };
                night(d, line + if d % 2 == 0 { -0.5 } else { 0.5 })
            })
            .collect();
        let judged = judge_nights(&nights, &rule);
        let [e] = judged.events[..] else {
            panic!("one alarm: {:?}", judged.events)
        };
        assert_eq!((e.first_night, e.repaired), (40 * DAY, None));
        let v = &judged.verdicts;
        // The baseline nights (26–39) have their middle day at 32 and their trend is -0.1 a night:
        // carried 28 days from there, to night 60, and no further (200 nights on, it would be 20
        // lower and every night of the alarm twice as far above it).
        let at = |n: usize| v[n].expected.unwrap();
        assert!((at(60) - at(40) + 2.0).abs() < 1e-9, "{} {}", at(40), at(60));
        assert_eq!(at(239), at(60));
        assert_eq!(v[239].stage, Some(Severity::Severe));
    }

    /// Seen on a real area (BWDF dma-7): a drift alarm whose nights stood 4–6 above the baseline
    /// was ended by a week's dip of 1.5 — half its starting rise — and raised again two nights
    /// later, four times in 22 months. A drift is repaired by half of how far it has grown.
    #[test]
    fn a_drift_alarm_is_not_repaired_by_a_dip_while_its_nights_stay_high() {
        let rule = NightRule::default().check().unwrap();
        // Nights alternate 100 and 101; from night 40 they climb 0.5 a night to +10 at night 60
        // and stay there; nights 80 and 81 dip by 3; from night 100 they are down 6 (104, 105).
        let nights: Vec<Night> = (0..110)
            .map(|d| {
                let rise = (0.5 * (d as f64 - 40.0)).clamp(0.0, 10.0);
                let dip = match d {
                    80 | 81 => 3.0,
                    100.. => 6.0,
                    _ => 0.0,
                };
                night(d, 100.0 + (d % 2) as f64 + rise - dip)
            })
            .collect();
        let judged = judge_nights(&nights, &rule);
        let [e] = judged.events[..] else {
            panic!("one alarm: {:?}", judged.events)
        };
        assert_eq!(e.onset, Onset::Drift);
        let v = &judged.verdicts;
        // The starting rise is under 5 (3–4 spreads of 1.05), so 107 and 108 against 111 and 110
        // the week before were a repair; against a rise of about 10 they are not.
        assert!(e.first_night < 50 * DAY, "{e:?}");
        assert!(v[80].stage.is_some() && v[81].stage.is_some(), "{:?}", &v[80..82]);
        // 104 and 105, down 7 and 5 from the week before, are half the grown rise: repaired, though
        // still 3 to 4 spreads above the baseline.
        assert_eq!(e.repaired, Some(101 * DAY));
        assert_eq!(e.last_night, 99 * DAY);
    }

    /// Nights alternating 100 and 102 from night 0 (a spread of 2.1), `lift` added from `from`.
    fn flat_nights(count: i64, lift: impl Fn(i64) -> f64) -> Vec<Night> {
        (0..count)
            .map(|d| night(d, if d % 2 == 0 { 100.0 } else { 102.0 } + lift(d)))
            .collect()
    }

    /// Seen on a real area (BWDF dma6, autumn 2022): nights raised for weeks that dip to the
    /// baseline for two nights now and then. Each dip "repaired" the alarm and the next night
    /// raised it again: seven alarms in eight weeks for one condition.
    #[test]
    fn a_repair_that_does_not_hold_a_week_leaves_the_alarm_on() {
        // +10 on nights 30–59 but for 40 and 41, back at the baseline.
        let nights = flat_nights(70, |d| {
            if (30..60).contains(&d) && !(40..42).contains(&d) {
                10.0
            } else {
                0.0
            }
        });
        let judged = judge_nights(&nights, &NightRule::default().check().unwrap());
        let [e] = judged.events[..] else {
            panic!("one alarm: {:?}", judged.events)
        };
        assert_eq!((e.first_night, e.last_night), (30 * DAY, 59 * DAY));
        assert_eq!((e.repaired, e.returns), (Some(61 * DAY), 1));
        // The two nights back are inside the alarm, at 관심 as a shorter dip would be.
        let v = &judged.verdicts;
        assert!(v[40..42]
            .iter()
            .all(|v| v.status == NightStatus::Alarm && v.stage == Some(Severity::Watch)));
        assert!(v[30..60].iter().all(|v| v.status == NightStatus::Alarm));
        // Nights 40 and 41 are the only normal ones of the 28 days before night 62 but 60 and 61:
        // the baseline warms up again.
        assert!(v[62..65].iter().all(|v| v.status == NightStatus::WarmingUp));

        // A hold of 0: the repair on night 41 ends the first alarm, and night 42 starts another.
        let rule = NightRule {
            hold: 0,
            ..NightRule::default()
        };
        let judged = judge_nights(&nights, &rule.check().unwrap());
        let spans: Vec<(i64, i64, Option<i64>)> = judged
            .events
            .iter()
            .map(|e| (e.first_night / DAY, e.last_night / DAY, e.repaired.map(|r| r / DAY)))
            .collect();
        assert_eq!(spans, [(30, 39, Some(41)), (42, 59, Some(61))]);
        assert!(judged.events.iter().all(|e| e.returns == 0));
    }

    /// A month in alarm leaves the nights before it a month old. Here the nights rose by 8 while
    /// the leak was on (the season, on the demo export): judged against the nights before the
    /// leak, the nights after its repair raised an alarm that never ended.
    #[test]
    fn after_a_month_in_alarm_the_baseline_warms_up_from_the_nights_after_it() {
        let nights = flat_nights(90, |d| match d {
            30..=44 => 10.0,
            45..=59 => 18.0,
            60.. => 8.0,
            _ => 0.0,
        });
        let judged = judge_nights(&nights, &NightRule::default().check().unwrap());
        let [e] = judged.events[..] else {
            panic!("one alarm: {:?}", judged.events)
        };
        // 108 and 110 are down 10 from the week before: half the starting rise of 10.
        assert_eq!((e.last_night, e.repaired), (59 * DAY, Some(61 * DAY)));
        let v = &judged.verdicts;
        // No night of the 28 days before night 62 is a normal one but 60 and 61: a week's warm-up.
        assert!(
            v[62..67].iter().all(|v| v.status == NightStatus::WarmingUp),
            "{:?}",
            &v[62..67]
        );
        assert!(
            v[67..].iter().all(|v| v.status == NightStatus::Normal),
            "{:?}",
            &v[67..]
        );
        assert_eq!(v[80].expected, Some(109.0));
    }

    /// A stuck meter's week over a repair (on the demo export, three leaks of forty): the nights a
    /// week before are not judged, so the repair is seen against the week before those.
    #[test]
    fn a_repair_behind_a_stuck_week_is_seen_against_the_week_before_it() {
        let mut nights = flat_nights(90, |d| match d {
            30..=44 => 10.0,
            45..=61 => 15.0,
            62.. => 5.0,
            _ => 0.0,
        });
        for n in &mut nights[56..63] {
            n.constant = true;
        }
        let judged = judge_nights(&nights, &NightRule::default().check().unwrap());
        let [e] = judged.events[..] else {
            panic!("one alarm: {:?}", judged.events)
        };
        // 105 and 107 on nights 63 and 64 are 3 to 4 spreads above the old baseline, and the
        // nights a week before were stuck; two weeks before (49, 50) they were 117 and 115.
        assert_eq!((e.last_night, e.repaired), (55 * DAY, Some(64 * DAY)));
    }

    /// The issue's detection target on the demo's main column (noise, weekends, plateaus, dropouts,
    /// spikes, a stuck week and outages as generated) with a +10 % step leak: an alarm within 3
    /// nights of the burst, at most 3 false alarms before it, the end within 3 nights of the repair.
    #[test]
    fn a_leak_in_the_demo_export_is_found_and_its_repair_seen() {
        let day = |text: &str| at(text) / DAY;
        let (from, to) = (day("2020-05-20 00:00"), day("2020-06-19 00:00"));
        let config = crate::demo::DemoConfig {
            rows: 200 * 1440,
            seed: 2020,
            leak: Some(crate::demo::Leak {
                from_day: from,
                to_day: Some(to),
                percent: 10,
            }),
        };
        let series = crate::demo::main_series(&config);
        let nights = minimum_night_flow(&series, &NightConfig::default().check().unwrap()).unwrap();
        let judged = judge_nights(&nights, &NightRule::default().check().unwrap());
        let before: Vec<&NightEvent> = judged.events.iter().filter(|e| e.last_night < from * DAY).collect();
        assert!(before.len() <= 3, "{before:?}");
        let leak = judged
            .events
            .iter()
            .find(|e| e.last_night >= from * DAY)
            .expect("the leak raises an alarm");
        assert!((0..3).contains(&(leak.first_night / DAY - from)), "{leak:?}");
        assert_eq!(leak.onset, Onset::Step);
        let repaired = leak.repaired.expect("the repair ends the alarm") / DAY;
        assert!((0..3).contains(&(repaired - to)), "{leak:?}");
    }
}
