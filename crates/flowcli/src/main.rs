//! `flow`: the command line of the flow workspace. It maps flags onto the library's settings,
//! calls it, and prints what it reports; every decision lives in the library (`flowcli`'s lib and the
//! crates below it).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use flowcli::options::{
    BacktestArgs, ClockArgs, DetectArgs, DeviceArgs, ForecastArgs, InputArgs, NightCommandArgs, PredictArgs,
    PreprocessArgs, RunArgs, TrainArgs,
};
use flowcli::original::Usage;
use flowcli::{commands, detect, pipeline, Lang, Observer};
use flowlstm::EpochReport;
use indicatif::{ProgressBar, ProgressStyle};

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
    /// Preprocess → alarms → train → evaluate → scan and forecast → night flow, with a report per
    /// stage and a profile table.
    // Boxed: every stage's settings make it by far the largest variant.
    Run(Box<RunArgs>),
    /// Read an export, fill gaps, resample, compute the criteria and correct outliers (the original `-p`).
    Preprocess(PreprocessCommand),
    /// Train the LSTM on the preprocessed series and evaluate it on the test part (the original `-l`).
    Train(TrainCommand),
    /// Alarms on a new file, then scan every window and forecast the next steps with a saved model
    /// (the original `-a`).
    Predict(PredictCommand),
    /// The alarm rules of `flow run` (faults, unusual flow graded 관심/주의/경계/심각) on any
    /// `timestamp,value` series, beside the model's evaluation; with --labels, score the alarms
    /// against labelled windows.
    Detect(DetectArgs),
    /// Minimum night flow per night (the lowest 10-minute mean of 02:00–04:00), its share of the
    /// day's flow, its trend, and night-flow alarms 관심/주의/경계/심각 against a robust baseline.
    Night(NightCommandArgs),
    /// Forecast the next hours or days per site (a week of hours by default) with 80 % and 95 %
    /// prediction intervals: `Forecast/forecast.csv`, `forecast.png`, `model.json`.
    Forecast(ForecastArgs),
    /// Fit before each origin and score the forecast and two seasonal baselines against what
    /// happened (MAE of the first day, its largest error, MAE of the later days, band coverage).
    Backtest(BacktestArgs),
    /// List the sensor columns of the Jeongeup export and their slugs, or with --input those of
    /// any export.
    Sites(SitesArgs),
    /// Write the built-in demo export (cp949, one row a minute, with real exports' faults).
    DemoData(DemoArgs),
}

#[derive(Debug, Args)]
struct SitesArgs {
    /// An export whose columns to list (the Jeongeup registry when absent): a file, several files
    /// of one export, or a folder of them.
    #[arg(long, short = 'f', num_args = 1.., value_name = "FILE or FOLDER")]
    input: Vec<std::path::PathBuf>,
    /// How the file writes its times.
    #[command(flatten)]
    clock: ClockArgs,
}

#[derive(Debug, Args)]
struct PreprocessCommand {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    preprocess: PreprocessArgs,
    /// Folder for preprocessed.csv and criteria.csv (default `Output/<site>/Data_preprocessing`).
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
    /// Add a leak to the main column: FROM..TO (dates; repaired at 00:00 of TO) or FROM (never
    /// repaired), to try the night-flow alarms.
    #[arg(long)]
    leak: Option<String>,
    /// Also write the faults the export holds (stuck, dropout, spike, outage; start and end per
    /// column) as JSON, to score the alarms against.
    #[arg(long)]
    labels: Option<PathBuf>,
    /// The leak's size, in percent of the typical minimum night flow of the four weeks before it.
    #[arg(long, default_value_t = 10, requires = "leak")]
    leak_percent: u32,
}

/// Prints the report as it comes, with a progress bar for training on a terminal.
struct Terminal {
    bar: Option<ProgressBar>,
    /// Standard output was closed by its reader (`flow sites | head`): the work goes on, its
    /// lines are dropped, instead of a panic half-way through writing files.
    closed: bool,
}

impl Terminal {
    fn print(&mut self, text: &str) {
        use std::io::Write as _;
        if !self.closed {
            self.closed = write!(std::io::stdout().lock(), "{text}").is_err();
        }
    }
}

impl Observer for Terminal {
    fn line(&mut self, text: &str) {
        self.print(&format!("{text}\n"));
    }

    fn training_starts(&mut self, epochs: usize) {
        if !std::io::stdout().is_terminal() {
            return;
        }
        let bar = ProgressBar::new(epochs as u64);
        if let Ok(style) = ProgressStyle::with_template("training [{bar:32}] epoch {pos}/{len}  loss {msg}") {
            bar.set_style(style.progress_chars("=> "));
        }
        self.bar = Some(bar);
    }

    fn epoch(&mut self, report: &EpochReport) {
        if let Some(bar) = &self.bar {
            bar.set_position(report.epoch as u64);
            bar.set_message(match report.validation_loss {
                Some(validation) => format!("{:.5} (validation {validation:.5})", report.loss),
                None => format!("{:.5}", report.loss),
            });
        }
    }

    fn training_ends(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let usage = Usage::start();
    let lang = match cli.lang.parse::<Lang>() {
        Ok(lang) => lang,
        Err(error) => {
            eprintln!("flow: error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let terminal = &mut Terminal {
        bar: None,
        closed: false,
    };
    let prints_usage = !matches!(cli.command, Command::Sites(_) | Command::DemoData(_));
    let result = match cli.command {
        Command::Run(args) => pipeline::run(&args, lang, terminal),
        Command::Preprocess(args) => {
            commands::preprocess_command(&args.input, &args.preprocess, args.out.as_deref(), terminal)
        }
        Command::Train(args) => {
            commands::train_command(&args.input, &args.preprocess, &args.train, &args.device, lang, terminal)
        }
        Command::Predict(args) => commands::predict_command(
            &args.input,
            &args.device,
            &args.predict,
            args.batch_size,
            lang,
            terminal,
        ),
        Command::Detect(args) => detect::detect(&args, lang, terminal),
        Command::Sites(args) => commands::sites_command(&args.input, &args.clock, terminal),
        Command::Forecast(args) => flowcli::forecast::forecast_command(&args, terminal),
        Command::Backtest(args) => flowcli::backtest::backtest_command(&args, terminal),
        Command::Night(args) => flowcli::night::night_command(&args, terminal),
        Command::DemoData(args) => args
            .leak
            .as_deref()
            .map(|leak| commands::parse_leak(leak, args.leak_percent))
            .transpose()
            .and_then(|leak| {
                let config = flowcore::demo::DemoConfig {
                    rows: args.rows,
                    seed: args.seed,
                    leak,
                };
                commands::demo_data(config, args.out.as_deref(), args.labels.as_deref(), terminal)
            }),
    };
    if result.is_ok() && prints_usage {
        // The original ended every script with its time, CPU and memory lines.
        terminal.print(&usage.finish());
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("flow: error: {error}");
            ExitCode::FAILURE
        }
    }
}
