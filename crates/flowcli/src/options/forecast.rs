//! Settings of `flow forecast` and `flow backtest`.

use std::path::PathBuf;

use clap::Args;

use super::InputArgs;

/// Settings of the forecast of the hours or days ahead (`flow forecast`, `flow backtest`).
#[derive(Debug, Clone, Args)]
pub struct HorizonArgs {
    /// The model: `profile` (the week-profile regression, the default: it measured best) or
    /// `lstm` (the original's network, trained on the hours or days and run over the horizon).
    #[arg(long, default_value = "profile")]
    pub method: String,
    /// Steps of the forecast: `hourly` or `daily` (finer readings are averaged into them).
    #[arg(long, default_value = "hourly")]
    pub interval: String,
    /// How far ahead: steps (`168`), hours (`24h`), days (`7d`) or weeks (`1w`); a week by default.
    #[arg(long)]
    pub horizon: Option<String>,
    /// Hourly weather (`time` and columns named like temperature and rain), used as inputs when it
    /// covers the horizon.
    #[arg(long)]
    pub exog: Option<PathBuf>,
    /// Holidays: a CSV whose first column holds dates (`2022-11-01`), or a built-in calendar:
    /// `kr` (South Korea) or `it` (Italy), 2015-2035; they count as Sundays.
    #[arg(long)]
    pub holidays: Option<PathBuf>,
    /// Weeks back of the same hour used as inputs.
    #[arg(long, default_value_t = 4)]
    pub weeks: usize,
    /// Ridge penalty of the regression.
    #[arg(long, default_value_t = 10.0)]
    pub ridge: f64,
    /// Days of history whose midnights are training origins.
    #[arg(long, default_value_t = 365)]
    pub history_days: usize,
    /// Days held back to calibrate the prediction intervals.
    #[arg(long, default_value_t = 56)]
    pub calibration_days: usize,
}

/// Settings of `flow forecast`.
#[derive(Debug, Clone, Args)]
pub struct ForecastArgs {
    /// Which file and which column.
    #[command(flatten)]
    pub input: InputArgs,
    /// Several sites of the same file, comma-separated, or `all`.
    #[arg(long, conflicts_with_all = ["site", "column"])]
    pub sites: Option<String>,
    /// The forecast's settings.
    #[command(flatten)]
    pub horizon: HorizonArgs,
    /// A `model.json` written by an earlier `flow forecast` for the same site, interval and
    /// horizon: used instead of fitting.
    #[arg(long, conflicts_with = "sites")]
    pub model: Option<PathBuf>,
}

/// Settings of `flow backtest`.
#[derive(Debug, Clone, Args)]
pub struct BacktestArgs {
    /// Which file and which column.
    #[command(flatten)]
    pub input: InputArgs,
    /// Several sites of the same file, comma-separated, or `all`.
    #[arg(long, conflicts_with_all = ["site", "column"])]
    pub sites: Option<String>,
    /// The forecast's settings.
    #[command(flatten)]
    pub horizon: HorizonArgs,
    /// Forecast origins, comma-separated dates or times (`2022-03-07,2022-05-02`): each fit sees
    /// only the data before its origin.
    #[arg(long, conflicts_with = "folds")]
    pub origins: Option<String>,
    /// Instead of --origins: the last N Mondays 00:00 whose horizon the data cover.
    #[arg(long)]
    pub folds: Option<usize>,
}
