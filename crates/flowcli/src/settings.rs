//! Flags and presets combined into the checked settings of each stage: every value is checked
//! here, before any file is read or written.

use crate::error::{FlowError, Result};
use crate::options::{AlarmArgs, DeviceArgs, NightArgs, PreprocessArgs, TrainArgs};
use crate::original::Lang;
use flowcore::{Check, Checked, DaySelection, FeatureSet, Interval, PreprocessConfig};
use flowlstm::{DeviceChoice, TrainConfig};

/// The preprocessing settings from the flags, the original's defaults for those left out, checked
/// before any file is read.
pub(crate) fn preprocess_config(args: &PreprocessArgs) -> Result<Checked<PreprocessConfig>> {
    let defaults = PreprocessConfig::default();
    let config = PreprocessConfig {
        interval: match &args.interval {
            Some(interval) => interval.parse::<Interval>()?,
            None => defaults.interval,
        },
        normal_min: args.normal_min,
        normal_max: args.normal_max,
        level_percent: args.level.unwrap_or(defaults.level_percent),
        days: match &args.days {
            Some(days) => days.parse::<DaySelection>()?,
            None => defaults.days,
        },
        ..defaults
    };
    Ok(config.check()?)
}

/// The alarm rules and the holidays they leave unjudged, as the alarm stage and `flow detect` use them.
#[derive(Debug, Clone)]
pub(crate) struct AlarmSettings {
    /// The rules, checked.
    pub(crate) rule: Checked<flowcore::alarms::AlarmRule>,
    /// Days (since 1970) whose flow is not judged (`--holidays`).
    pub(crate) holidays: std::collections::BTreeSet<i64>,
}

/// The alarm rules from the flags, checked, and the holidays file read, before any export is read.
pub(crate) fn alarm_settings(args: &AlarmArgs) -> Result<AlarmSettings> {
    let holidays = match &args.holidays {
        Some(path) => crate::horizon_input::read_holidays(path)?,
        None => Default::default(),
    };
    Ok(AlarmSettings {
        rule: alarm_rule(args)?,
        holidays,
    })
}

/// The alarm rules from the flags, checked before any file is read.
fn alarm_rule(args: &AlarmArgs) -> Result<Checked<flowcore::alarms::AlarmRule>> {
    Ok(flowcore::alarms::AlarmRule {
        stages: flowcore::events::Stages {
            watch: args.watch,
            caution: args.caution,
            alert: args.alert,
            severe: args.severe,
        },
        spike_sigmas: args.spike_sigmas,
        outage_seconds: args.outage_minutes.saturating_mul(60),
        merge_bins: args.merge_bins,
        min_bins: args.min_bins,
        ..flowcore::alarms::AlarmRule::default()
    }
    .check()?)
}

/// The night-flow settings from the flags, checked before any file is read.
pub(crate) fn night_settings(args: &NightArgs) -> Result<NightSettings> {
    let defaults = flowcore::night::NightRule::default();
    Ok(NightSettings {
        measure: flowcore::night::NightConfig {
            window: args.night.parse()?,
            bin: args.night_bin.parse().map_err(|source| FlowError::NightBin {
                text: args.night_bin.clone(),
                source,
            })?,
            min_coverage: args.night_coverage,
        }
        .check()?,
        rule: flowcore::night::NightRule {
            baseline_nights: args.night_baseline,
            min_nights: defaults.min_nights.min(args.night_baseline),
            confirm: args.night_confirm,
            hold: args.night_hold,
            ..defaults
        }
        .check()?,
        accepted: args.night_accept.as_deref().map_or(Ok(Vec::new()), parse_accepted)?,
    })
}

/// `--night-accept`'s items: `2022-10-01` (every site) or `dma7=2022-10-01`, as (site, day number).
fn parse_accepted(text: &str) -> Result<Vec<(Option<String>, i64)>> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (site, date) = match item.split_once('=') {
                Some((site, date)) => (Some(site.trim().to_string()), date.trim()),
                None => (None, item),
            };
            let refused = || FlowError::NightAccept { text: item.to_string() };
            let day = flowcore::time::parse_timestamp(date).ok_or_else(refused)?;
            match site {
                Some(site) if site.is_empty() => Err(refused()),
                site => Ok((site, day.div_euclid(flowcore::time::DAY))),
            }
        })
        .collect::<Result<Vec<_>>>()
        .and_then(|items| {
            if items.is_empty() {
                Err(FlowError::NightAccept { text: text.to_string() })
            } else {
                Ok(items)
            }
        })
}

/// How nights are measured and judged, checked.
#[derive(Debug, Clone)]
pub(crate) struct NightSettings {
    pub(crate) measure: Checked<flowcore::night::NightConfig>,
    pub(crate) rule: Checked<flowcore::night::NightRule>,
    /// `--night-accept`: (the site, or every site; the day from which its nights are normal).
    pub(crate) accepted: Vec<(Option<String>, i64)>,
}

impl NightSettings {
    /// The days from which `site`'s nights were accepted as normal.
    pub(crate) fn accepted_for(&self, site: &str) -> Vec<i64> {
        self.accepted
            .iter()
            .filter(|(only, _)| only.as_deref().is_none_or(|only| only == site))
            .map(|(_, day)| *day)
            .collect()
    }

    /// Refuses a `--night-accept` that names no site of the export (a typo would otherwise
    /// leave the alarm on and say nothing); a site of the export this run does not judge is left
    /// alone, so one list can serve every run.
    pub(crate) fn check_sites(&self, export: &flowcore::Export, judged: &[crate::site::Target]) -> Result {
        let mut sites: Vec<String> = crate::site::export_targets(export)
            .into_iter()
            .map(|t| t.slug)
            .collect();
        for target in judged {
            if !sites.contains(&target.slug) {
                sites.push(target.slug.clone());
            }
        }
        for site in self.accepted.iter().filter_map(|(site, _)| site.as_ref()) {
            if !sites.contains(site) {
                return Err(FlowError::NightAcceptSite {
                    site: site.clone(),
                    sites: flowcore::ingest::list_names(&sites),
                });
            }
        }
        Ok(())
    }
}

/// A flag's value parsed, or the preset's when the flag is absent.
pub(crate) fn parsed_or<T: std::str::FromStr>(flag: Option<&str>, preset: T) -> Result<T>
where
    T::Err: Into<FlowError>,
{
    match flag.map(str::parse::<T>) {
        Some(Ok(value)) => Ok(value),
        Some(Err(error)) => Err(error.into()),
        None => Ok(preset),
    }
}

pub(crate) fn train_config(args: &TrainArgs, device: &DeviceArgs, interval: Interval) -> Result<Checked<TrainConfig>> {
    let preset = TrainConfig::preset(&args.preset)?;
    let calendar = args.calendar.unwrap_or(preset.features.day_of_week);
    let optimizer = parsed_or(args.optimizer.as_deref(), preset.optimizer)?;
    Ok(TrainConfig {
        window: args.window.unwrap_or(preset.window),
        periods: args.periods.unwrap_or(preset.periods),
        hidden: args.hidden.unwrap_or(preset.hidden),
        layers: args.layers.unwrap_or(preset.layers),
        epochs: args.epochs.unwrap_or(preset.epochs),
        batch_size: args.batch_size.unwrap_or(preset.batch_size),
        optimizer,
        // The preset's rate belongs to the preset's optimiser; another optimiser starts from its own.
        learning_rate: args
            .learning_rate
            .or(preset.learning_rate.filter(|_| optimizer == preset.optimizer)),
        target: parsed_or(args.target.as_deref(), preset.target)?,
        shuffle: args.shuffle.unwrap_or(preset.shuffle),
        seed: args.seed.unwrap_or(preset.seed),
        validation_fraction: args.validation.unwrap_or(preset.validation_fraction),
        train_fraction: args.train_fraction.unwrap_or(preset.train_fraction),
        patience: args.patience.unwrap_or(preset.patience),
        features: FeatureSet {
            day_of_week: calendar,
            hour_of_day: calendar && interval < Interval::DAILY,
        },
        device: device.device.parse()?,
        ..preset
    })
    .and_then(|config| {
        // Every value checked before any file is read or written.
        let config = config.check()?;
        if !(args.outlier_sigma.is_finite() && args.outlier_sigma > 0.0) {
            return Err(FlowError::OutlierSigma(args.outlier_sigma));
        }
        Ok(config)
    })
}

/// Whether the flags ask for the original tool's preset (its scoring is then shown beside flow's).
pub(crate) fn is_original(args: &TrainArgs) -> bool {
    args.preset.trim().eq_ignore_ascii_case("original")
}

/// How the evaluation is printed: flow's layout or the original's lines, and whether the original's
/// own (misaligned) scoring is shown beside flow's.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wording {
    pub(crate) lang: Lang,
    pub(crate) original_scoring: bool,
}

/// What the prediction stage does and how it reports.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PredictPlan {
    pub(crate) scan: bool,
    pub(crate) forecast: bool,
    pub(crate) all_predictions: bool,
    pub(crate) batch_size: usize,
    pub(crate) device: DeviceChoice,
    pub(crate) lang: Lang,
}
