//! `flow`: the command line of the flow workspace. It parses, calls flowcore, flowlstm and
//! flowreport, and prints; every decision lives in those crates.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

mod guard;
mod original;
mod output;
mod pipeline;

/// Water-utility flow data: preprocess, train an LSTM, evaluate it, scan for anomalies, forecast.
#[derive(Debug, Parser)]
#[command(name = "flow", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Output language: en (flow's layout) or ko (the original tool's lines, word for word: 시간: … -
    /// 예측 값: …, 레이블: …, 이상치가 없습니다., Graph Analysis: … Number of Outliers: N).
    #[arg(long, global = true, default_value = "en")]
    lang: String,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Preprocess → train → evaluate → scan and forecast, with a report per stage and a profile table.
    Run(RunArgs),
    /// Read an export, fill gaps, resample, compute the criteria and correct outliers (the original `-p`).
    Preprocess(PreprocessCommand),
    /// Train the LSTM on the preprocessed series and evaluate it on the test part (the original `-l`).
    Train(TrainCommand),
    /// Scan every window for anomalies and forecast the next steps with a saved model (the original `-a`).
    Predict(PredictCommand),
    /// Train on any `timestamp,value` series and flag readings far from their forecast, graded
    /// 관심/주의/경계/심각; with --labels, score the events against labelled windows.
    Detect(DetectArgs),
    /// List the sensor columns of the Jeongeup export and their slugs.
    Sites,
    /// Write the built-in demo export (cp949, one row a minute, with real exports' faults).
    DemoData(DemoArgs),
}

/// Which file and which column.
#[derive(Debug, Clone, Args)]
pub(crate) struct InputArgs {
    /// The export or a two-column `time,value` file; the built-in demo export when absent.
    #[arg(long, short = 'f')]
    pub(crate) input: Option<PathBuf>,
    /// Site slug from `flow sites` (default jangmyeong).
    #[arg(long, conflicts_with = "column")]
    pub(crate) site: Option<String>,
    /// A column by its exact header instead of a site slug.
    #[arg(long)]
    pub(crate) column: Option<String>,
    /// Folder under which `<site>/Data_preprocessing`, `Learning_lstm` and `Prediction` are written.
    #[arg(long, default_value = "Output")]
    pub(crate) output_dir: PathBuf,
}

/// Preprocessing settings; defaults are the original tool's. (Defaults are applied in the pipeline,
/// so that `flow train` can tell a flag given from one left out.)
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct PreprocessArgs {
    /// Resampling interval: daily, hourly, 10min, 30min, … [default: daily]
    #[arg(long)]
    pub(crate) interval: Option<String>,
    /// Lower bound of the normal range (default: Tukey's lower fence).
    #[arg(long = "min", allow_negative_numbers = true)]
    pub(crate) normal_min: Option<f64>,
    /// Upper bound of the normal range (default: Tukey's upper fence).
    #[arg(long = "max", allow_negative_numbers = true)]
    pub(crate) normal_max: Option<f64>,
    /// The original's -l: U_level = normal_max + LEVEL % of |raw_max − normal_max| (L_level likewise
    /// below normal_min); values beyond a level are set to the normal bound. [default: 10]
    #[arg(long, allow_negative_numbers = true)]
    pub(crate) level: Option<f64>,
    /// Days to keep: all, weekday or weekend. [default: all]
    #[arg(long)]
    pub(crate) days: Option<String>,
}

impl PreprocessArgs {
    /// The flags given on the command line.
    pub(crate) fn given(&self) -> Vec<&'static str> {
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
pub(crate) struct TrainArgs {
    /// `recommended` (default: the best configuration measured, docs/ACCURACY.md) or `original`
    /// (the original tool: SGD with decay 1e-7, 700 epochs, window 7, level target, no calendar inputs).
    #[arg(long, default_value = "recommended")]
    pub(crate) preset: String,
    /// Steps of history per prediction.
    #[arg(long)]
    pub(crate) window: Option<usize>,
    /// Steps predicted at once.
    #[arg(long)]
    pub(crate) periods: Option<usize>,
    /// Units per LSTM layer.
    #[arg(long)]
    pub(crate) hidden: Option<usize>,
    /// Stacked LSTM layers.
    #[arg(long)]
    pub(crate) layers: Option<usize>,
    /// Passes over the training windows (the most, with early stopping).
    #[arg(long)]
    pub(crate) epochs: Option<usize>,
    /// Windows per gradient step.
    #[arg(long)]
    pub(crate) batch_size: Option<usize>,
    /// sgd (momentum 0.9, learning rate 0.01) or adam (1e-3; the recommended preset's Adam uses 5e-3).
    #[arg(long)]
    pub(crate) optimizer: Option<String>,
    /// Learning rate (default: the preset's, 5e-3 for recommended; else the optimiser's).
    #[arg(long)]
    pub(crate) learning_rate: Option<f64>,
    /// level (the original) or change (predict the change from the last reading).
    #[arg(long)]
    pub(crate) target: Option<String>,
    /// Seed: CPU runs with the same seed repeat bit for bit.
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Share of rows, in time order, that train (the rest test), between 0 and 1. [default: 0.7]
    #[arg(long, allow_negative_numbers = true)]
    pub(crate) train_fraction: Option<f64>,
    /// Shuffle the training windows each epoch.
    #[arg(long)]
    pub(crate) shuffle: Option<bool>,
    /// Share of training windows held out at the end to stop early (0 = off).
    #[arg(long)]
    pub(crate) validation: Option<f64>,
    /// Epochs without improvement before stopping early.
    #[arg(long)]
    pub(crate) patience: Option<usize>,
    /// Day-of-week (and, below daily, hour-of-day) inputs as sin/cos pairs: true or false.
    #[arg(long)]
    pub(crate) calendar: Option<bool>,
    /// Also write the two parts to check_train_data.csv and check_test_data.csv.
    #[arg(long)]
    pub(crate) check: bool,
    /// Residuals beyond this many standard deviations are listed as outliers.
    #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
    pub(crate) outlier_sigma: f64,
}

/// Inference settings.
#[derive(Debug, Clone, Args)]
pub(crate) struct DeviceArgs {
    /// cpu, cuda or auto (CUDA when libtorch sees a GPU).
    #[arg(long, default_value = "auto")]
    pub(crate) device: String,
}

#[derive(Debug, Args)]
struct PreprocessCommand {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    preprocess: PreprocessArgs,
    /// Folder for preprocessed.csv and criteria.csv (default Output/<site>/Data_preprocessing).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct TrainCommand {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    preprocess: PreprocessArgs,
    #[command(flatten)]
    train: TrainArgs,
    #[command(flatten)]
    device: DeviceArgs,
}

/// What `flow predict` does: both by default (the original's `-a`).
#[derive(Debug, Clone, Args)]
pub(crate) struct PredictArgs {
    /// Only the anomaly scan (the original's `-d`).
    #[arg(long, conflicts_with = "forecast")]
    pub(crate) detect: bool,
    /// Only the forecast (the original's `-p`).
    #[arg(long)]
    pub(crate) forecast: bool,
    /// Also write every prediction of the scan to Prediction/scan.csv (time,actual,predicted).
    #[arg(long)]
    pub(crate) all_predictions: bool,
}

#[derive(Debug, Args)]
struct PredictCommand {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    device: DeviceArgs,
    #[command(flatten)]
    predict: PredictArgs,
    /// Windows per inference batch.
    #[arg(long, default_value_t = flowlstm::PredictConfig::default().batch_size)]
    batch_size: usize,
}

/// Settings of `flow run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    pub(crate) input: InputArgs,
    /// Several sites of the same file, comma-separated, or `all`: the file is read and decoded once.
    #[arg(long, conflicts_with_all = ["site", "column"])]
    pub(crate) sites: Option<String>,
    #[command(flatten)]
    pub(crate) preprocess: PreprocessArgs,
    #[command(flatten)]
    pub(crate) train: TrainArgs,
    #[command(flatten)]
    pub(crate) device: DeviceArgs,
    /// Windows per inference batch in the anomaly scan.
    #[arg(long, default_value_t = flowlstm::PredictConfig::default().batch_size)]
    pub(crate) scan_batch_size: usize,
    /// Also write every prediction of the scan to Prediction/scan.csv (time,actual,predicted).
    #[arg(long)]
    pub(crate) all_predictions: bool,
}

/// Settings of `flow detect`.
#[derive(Debug, Args)]
pub(crate) struct DetectArgs {
    /// A two-column `timestamp,value` file (or any export with --column).
    #[arg(long, short = 'f')]
    pub(crate) input: PathBuf,
    /// The value column, when the file has more than one.
    #[arg(long)]
    pub(crate) column: Option<String>,
    /// Resampling interval of the model (readings are averaged into it).
    #[arg(long, default_value = "hourly")]
    pub(crate) interval: String,
    /// JSON of labelled windows: `{"<file name>": [["start", "end"], …]}` (NAB's format).
    #[arg(long)]
    pub(crate) labels: Option<PathBuf>,
    /// Residual σ at which a reading is flagged, 관심 (watch).
    #[arg(long, default_value_t = flowcore::events::ResidualRule::default().watch)]
    pub(crate) watch: f64,
    /// σ from which an event is 주의 (caution).
    #[arg(long, default_value_t = flowcore::events::ResidualRule::default().caution)]
    pub(crate) caution: f64,
    /// σ from which an event is 경계 (alert).
    #[arg(long, default_value_t = flowcore::events::ResidualRule::default().alert)]
    pub(crate) alert: f64,
    /// σ from which an event is 심각 (severe).
    #[arg(long, default_value_t = flowcore::events::ResidualRule::default().severe)]
    pub(crate) severe: f64,
    /// Folder under which `<name>/Detection` and the model folders are written.
    #[arg(long, default_value = "Output")]
    pub(crate) output_dir: PathBuf,
    #[command(flatten)]
    pub(crate) train: TrainArgs,
    #[command(flatten)]
    pub(crate) device: DeviceArgs,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Rows of data (default: every minute of 2020 and the midnight after).
    #[arg(long, default_value_t = flowcore::demo::DemoConfig::default().rows)]
    rows: usize,
    /// Seed: the same seed writes the same bytes.
    #[arg(long, default_value_t = flowcore::demo::DemoConfig::default().seed)]
    seed: u64,
    /// Where to write it (default: the cache file every command uses when --input is absent).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let usage = original::Usage::start();
    let lang = match cli.lang.parse::<original::Lang>() {
        Ok(lang) => lang,
        Err(error) => {
            eprintln!("flow: error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let prints_usage = !matches!(cli.command, Command::Sites | Command::DemoData(_));
    let result = match cli.command {
        Command::Run(args) => pipeline::run(&args, lang),
        Command::Preprocess(args) => pipeline::preprocess_command(&args.input, &args.preprocess, args.out.as_deref()),
        Command::Train(args) => pipeline::train_command(&args.input, &args.preprocess, &args.train, &args.device, lang),
        Command::Predict(args) => {
            pipeline::predict_command(&args.input, &args.device, &args.predict, args.batch_size, lang)
        }
        Command::Detect(args) => pipeline::detect(&args, lang),
        Command::Sites => {
            pipeline::print_sites();
            Ok(())
        }
        Command::DemoData(args) => pipeline::demo_data(args.rows, args.seed, args.out.as_deref()),
    };
    if result.is_ok() && prints_usage {
        // The original ended every script with its time, CPU and memory lines.
        print!("{}", usage.finish());
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("flow: error: {error}");
            ExitCode::FAILURE
        }
    }
}
