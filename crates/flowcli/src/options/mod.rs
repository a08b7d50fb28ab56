//! The settings of each command as flags (clap) and as plain data: a program embedding flow fills
//! the same structs (`Default` gives the flags' defaults where a default is a plain value) and hands
//! them to [`crate::commands`] or [`crate::Pipeline`].

use std::path::PathBuf;

use clap::Args;

use flowcore::alarms::AlarmRule;

mod clock;
mod forecast;
pub use clock::ClockArgs;
pub use forecast::{BacktestArgs, ForecastArgs, HorizonArgs};

/// Which file and which column.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// The export or a two-column `time,value` file; the built-in demo export when absent. Several
    /// files of one export (a year exported month by month: `--input 2022-*.csv`), or a folder of
    /// them, are read as one.
    #[arg(long, short = 'f', num_args = 1.., value_name = "FILE or FOLDER")]
    pub input: Vec<PathBuf>,
    /// Site slug from `flow sites` (default jangmyeong).
    #[arg(long, conflicts_with = "column")]
    pub site: Option<String>,
    /// A column by its exact header instead of a site slug.
    #[arg(long)]
    pub column: Option<String>,
    /// Folder under which each site's folders (`<site>/Data_preprocessing`, `Learning_lstm`,
    /// `Prediction`, `Night`, `Forecast`) are written.
    #[arg(long, default_value = DEFAULT_OUTPUT)]
    pub output_dir: PathBuf,
    /// How the file writes its times.
    #[command(flatten)]
    pub clock: ClockArgs,
}

/// The folder outputs go under unless `--output-dir` says otherwise.
pub const DEFAULT_OUTPUT: &str = "Output";

impl Default for InputArgs {
    fn default() -> Self {
        InputArgs {
            input: Vec::new(),
            site: None,
            column: None,
            output_dir: PathBuf::from(DEFAULT_OUTPUT),
            clock: ClockArgs::default(),
        }
    }
}

/// Preprocessing settings; defaults are the original tool's. (Defaults are applied in the pipeline,
/// so that `flow train` can tell a flag given from one left out.)
#[derive(Debug, Clone, Default, Args)]
pub struct PreprocessArgs {
    /// Resampling interval: daily, hourly, 10min, 30min, … [default: daily]
    #[arg(long)]
    pub interval: Option<String>,
    /// Lower bound of the normal range (default: Tukey's lower fence).
    #[arg(long = "min", allow_negative_numbers = true)]
    pub normal_min: Option<f64>,
    /// Upper bound of the normal range (default: Tukey's upper fence).
    #[arg(long = "max", allow_negative_numbers = true)]
    pub normal_max: Option<f64>,
    /// The original's -l: U_level = normal_max + LEVEL % of |raw_max − normal_max| (L_level likewise
    /// below normal_min); values beyond a level are set to the normal bound. [default: 10]
    #[arg(long, allow_negative_numbers = true)]
    pub level: Option<f64>,
    /// Days to keep: all, weekday or weekend. [default: all]
    #[arg(long)]
    pub days: Option<String>,
}

impl PreprocessArgs {
    /// The flags given on the command line.
    pub fn given(&self) -> Vec<&'static str> {
        [
            ("--interval", self.interval.is_some()),
            ("--min", self.normal_min.is_some()),
            ("--max", self.normal_max.is_some()),
            ("--level", self.level.is_some()),
            ("--days", self.days.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }
}

/// Model and training settings. Unset flags come from the preset.
#[derive(Debug, Clone, Args)]
pub struct TrainArgs {
    /// `recommended` (default: the best configuration measured, docs/ACCURACY.md) or `original`
    /// (the original tool: SGD with decay 1e-7, 700 epochs, window 7, level target, no calendar inputs).
    #[arg(long, default_value = DEFAULT_PRESET)]
    pub preset: String,
    /// Steps of history per prediction.
    #[arg(long)]
    pub window: Option<usize>,
    /// Steps predicted at once.
    #[arg(long)]
    pub periods: Option<usize>,
    /// Units per LSTM layer.
    #[arg(long)]
    pub hidden: Option<usize>,
    /// Stacked LSTM layers.
    #[arg(long)]
    pub layers: Option<usize>,
    /// Passes over the training windows (the most, with early stopping).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Windows per gradient step.
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// sgd (momentum 0.9, learning rate 0.01) or adam (1e-3; the recommended preset's Adam uses 5e-3).
    #[arg(long)]
    pub optimizer: Option<String>,
    /// Learning rate (default: the preset's, 5e-3 for recommended; else the optimiser's).
    #[arg(long)]
    pub learning_rate: Option<f64>,
    /// level (the original) or change (predict the change from the last reading).
    #[arg(long)]
    pub target: Option<String>,
    /// Seed: CPU runs with the same seed repeat bit for bit.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Share of rows, in time order, that train (the rest test), between 0 and 1. [default: 0.7]
    #[arg(long, allow_negative_numbers = true)]
    pub train_fraction: Option<f64>,
    /// Shuffle the training windows each epoch.
    #[arg(long)]
    pub shuffle: Option<bool>,
    /// Share of training windows held out at the end to stop early (0 = off).
    #[arg(long)]
    pub validation: Option<f64>,
    /// Epochs without improvement before stopping early.
    #[arg(long)]
    pub patience: Option<usize>,
    /// Day-of-week (and, below daily, hour-of-day) inputs as sin/cos pairs: true or false.
    #[arg(long)]
    pub calendar: Option<bool>,
    /// Also write the two parts to check_train_data.csv and check_test_data.csv.
    #[arg(long)]
    pub check: bool,
    /// Residuals beyond this many standard deviations are listed as outliers.
    #[arg(long, default_value_t = DEFAULT_OUTLIER_SIGMA, allow_negative_numbers = true)]
    pub outlier_sigma: f64,
}

/// The preset unless `--preset` says otherwise.
pub const DEFAULT_PRESET: &str = "recommended";
/// The outlier rule's k unless `--outlier-sigma` says otherwise.
pub const DEFAULT_OUTLIER_SIGMA: f64 = 2.0;

impl Default for TrainArgs {
    fn default() -> Self {
        TrainArgs {
            preset: DEFAULT_PRESET.to_string(),
            window: None,
            periods: None,
            hidden: None,
            layers: None,
            epochs: None,
            batch_size: None,
            optimizer: None,
            learning_rate: None,
            target: None,
            seed: None,
            train_fraction: None,
            shuffle: None,
            validation: None,
            patience: None,
            calendar: None,
            check: false,
            outlier_sigma: DEFAULT_OUTLIER_SIGMA,
        }
    }
}

/// Inference settings.
#[derive(Debug, Clone, Args)]
pub struct DeviceArgs {
    /// cpu, cuda or auto (a GPU only for models of 256 units or more, where one is present: the
    /// default 2 × 50 LSTM was measured faster on the CPU).
    #[arg(long, default_value = "auto")]
    pub device: String,
}

impl Default for DeviceArgs {
    fn default() -> Self {
        DeviceArgs {
            device: "auto".to_string(),
        }
    }
}

/// What `flow predict` does: both by default (the original's `-a`).
#[derive(Debug, Clone, Default, Args)]
pub struct PredictArgs {
    /// Only the anomaly scan (the original's `-d`).
    #[arg(long, conflicts_with = "forecast")]
    pub detect: bool,
    /// Only the forecast (the original's `-p`).
    #[arg(long)]
    pub forecast: bool,
    /// Also write every prediction of the scan to Prediction/scan.csv (time,actual,predicted).
    #[arg(long)]
    pub all_predictions: bool,
    /// The alarm rules, judged on the new file's readings.
    #[command(flatten)]
    pub alarms: AlarmArgs,
}

/// How nights are measured and judged (`flow night`, and the night-flow stage of `flow run`).
#[derive(Debug, Clone, Args)]
pub struct NightArgs {
    /// The night's hours, HH:MM-HH:MM; a window across midnight (22:00-05:00) belongs to the
    /// morning it ends in.
    #[arg(long, default_value = DEFAULT_NIGHT)]
    pub night: String,
    /// Bins the readings are averaged into, aligned to the clock; data logged less often uses its own
    /// interval.
    #[arg(long, default_value = "10min")]
    pub night_bin: String,
    /// A night with less than this share of its readings gets no MNF.
    #[arg(long, default_value_t = flowcore::night::NightConfig::default().min_coverage)]
    pub night_coverage: f64,
    /// Normal nights the baseline is the median of.
    #[arg(long, default_value_t = flowcore::night::NightRule::default().baseline_nights)]
    pub night_baseline: usize,
    /// High nights in a row that start an alarm, and repaired nights in a row that end it.
    #[arg(long, default_value_t = flowcore::night::NightRule::default().confirm)]
    pub night_confirm: usize,
    /// Nights a repair must hold: an alarm raised again within them goes on (the repair did not
    /// hold) instead of counting as a new leak; 0 ends an alarm for good at each repair.
    #[arg(long, default_value_t = flowcore::night::NightRule::default().hold)]
    pub night_hold: usize,
    /// Nights accepted as the new normal once a survey found no leak (new night use): a date for
    /// every site judged (`2022-10-01`) or a site and a date (`dma7=2022-10-01`), comma-separated.
    /// From that night an alarm still on ends as accepted and the baseline starts afresh.
    #[arg(long)]
    pub night_accept: Option<String>,
}

/// The night window unless `--night` says otherwise.
pub const DEFAULT_NIGHT: &str = "02:00-04:00";

impl Default for NightArgs {
    fn default() -> Self {
        NightArgs {
            night: DEFAULT_NIGHT.to_string(),
            night_bin: "10min".to_string(),
            night_coverage: flowcore::night::NightConfig::default().min_coverage,
            night_baseline: flowcore::night::NightRule::default().baseline_nights,
            night_confirm: flowcore::night::NightRule::default().confirm,
            night_hold: flowcore::night::NightRule::default().hold,
            night_accept: None,
        }
    }
}

/// Settings of `flow night`.
#[derive(Debug, Clone, Default, Args)]
pub struct NightCommandArgs {
    /// Which file and which column.
    #[command(flatten)]
    pub input: InputArgs,
    /// Several sites of the same file, comma-separated, or `all`.
    #[arg(long, conflicts_with_all = ["site", "column"])]
    pub sites: Option<String>,
    /// How nights are measured and judged.
    #[command(flatten)]
    pub night: NightArgs,
}

/// Settings of `flow run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Which file and which column.
    #[command(flatten)]
    pub input: InputArgs,
    /// Several sites of the same file, comma-separated, or `all`: the file is read and decoded once.
    #[arg(long, conflicts_with_all = ["site", "column"])]
    pub sites: Option<String>,
    /// Preprocessing settings.
    #[command(flatten)]
    pub preprocess: PreprocessArgs,
    /// Model and training settings.
    #[command(flatten)]
    pub train: TrainArgs,
    /// Where the model runs.
    #[command(flatten)]
    pub device: DeviceArgs,
    /// Windows per inference batch in the anomaly scan.
    #[arg(long, default_value_t = flowlstm::PredictConfig::default().batch_size)]
    pub scan_batch_size: usize,
    /// Also write every prediction of the scan to Prediction/scan.csv (time,actual,predicted).
    #[arg(long)]
    pub all_predictions: bool,
    /// The alarm rules (not with --preset original, which keeps the original's rule alone).
    #[command(flatten)]
    pub alarms: AlarmArgs,
    /// How nights are measured and judged.
    #[command(flatten)]
    pub night: NightArgs,
    /// Skip the night-flow stage.
    #[arg(long)]
    pub no_night: bool,
}

impl Default for RunArgs {
    fn default() -> Self {
        RunArgs {
            input: InputArgs::default(),
            sites: None,
            preprocess: PreprocessArgs::default(),
            train: TrainArgs::default(),
            device: DeviceArgs::default(),
            scan_batch_size: flowlstm::PredictConfig::default().batch_size,
            all_predictions: false,
            alarms: AlarmArgs::default(),
            night: NightArgs::default(),
            no_night: false,
        }
    }
}

/// The alarm rules' settings (docs/ALARMS.md): where the flow stages begin, the spike threshold,
/// how long a gap is an outage, how flagged bins merge.
#[derive(Debug, Clone, Args)]
pub struct AlarmArgs {
    /// Robust σ of the flow residuals at which a bin is unusual, 관심 (watch).
    #[arg(long, allow_negative_numbers = true, default_value_t = AlarmRule::default().stages.watch)]
    pub watch: f64,
    /// σ from which an alarm is 주의 (caution).
    #[arg(long, allow_negative_numbers = true, default_value_t = AlarmRule::default().stages.caution)]
    pub caution: f64,
    /// σ from which an alarm is 경계 (alert).
    #[arg(long, allow_negative_numbers = true, default_value_t = AlarmRule::default().stages.alert)]
    pub alert: f64,
    /// σ from which an alarm is 심각 (severe).
    #[arg(long, allow_negative_numbers = true, default_value_t = AlarmRule::default().stages.severe)]
    pub severe: f64,
    /// Robust σ from both sides at which one or two readings are a spike.
    #[arg(long, allow_negative_numbers = true, default_value_t = AlarmRule::default().spike_sigmas)]
    pub spike_sigmas: f64,
    /// Minutes of missing readings that make an outage.
    #[arg(long, allow_negative_numbers = true, default_value_t = AlarmRule::default().outage_seconds / 60)]
    pub outage_minutes: i64,
    /// Flagged flow bins at most this many bins apart are one alarm.
    #[arg(long, default_value_t = AlarmRule::default().merge_bins)]
    pub merge_bins: usize,
    /// Flagged flow bins an alarm needs at least.
    #[arg(long, default_value_t = AlarmRule::default().min_bins)]
    pub min_bins: usize,
    /// Skip the alarm stage (the original's rule alone, as with --preset original).
    #[arg(long)]
    pub no_alarms: bool,
    /// Holidays, whose flow follows its own habit and is not judged against the week (faults
    /// still are): a CSV whose first column holds dates (`2022-11-01`), as for `flow forecast`,
    /// or a built-in calendar: `kr` (South Korea) or `it` (Italy), 2015-2035.
    #[arg(long)]
    pub holidays: Option<PathBuf>,
}

impl Default for AlarmArgs {
    fn default() -> Self {
        let rule = AlarmRule::default();
        AlarmArgs {
            watch: rule.stages.watch,
            caution: rule.stages.caution,
            alert: rule.stages.alert,
            severe: rule.stages.severe,
            spike_sigmas: rule.spike_sigmas,
            outage_minutes: rule.outage_seconds / 60,
            merge_bins: rule.merge_bins,
            min_bins: rule.min_bins,
            no_alarms: false,
            holidays: None,
        }
    }
}

/// Settings of `flow detect`.
#[derive(Debug, Clone, Args)]
pub struct DetectArgs {
    /// A two-column `timestamp,value` file (or any export with --column); several files of one
    /// series (month by month), or a folder of them, are read as one.
    #[arg(long, short = 'f', required = true, num_args = 1.., value_name = "FILE or FOLDER")]
    pub input: Vec<PathBuf>,
    /// The value column, when the file has more than one.
    #[arg(long)]
    pub column: Option<String>,
    /// Resampling interval of the model (readings are averaged into it).
    #[arg(long, default_value = "hourly")]
    pub interval: String,
    /// JSON of labelled windows: `{"<file name>": [["start", "end"], …]}` (NAB's format).
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// The alarm rules.
    #[command(flatten)]
    pub alarms: AlarmArgs,
    /// Folder under which `<name>/Detection` and the model folders are written.
    #[arg(long, default_value = DEFAULT_OUTPUT)]
    pub output_dir: PathBuf,
    /// How the file writes its times.
    #[command(flatten)]
    pub clock: ClockArgs,
    /// Model and training settings.
    #[command(flatten)]
    pub train: TrainArgs,
    /// Where the model runs.
    #[command(flatten)]
    pub device: DeviceArgs,
}
