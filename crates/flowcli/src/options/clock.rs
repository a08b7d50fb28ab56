//! How an export is written — its times and its text encoding — as flags.

use clap::Args;

/// How an export writes its times and its text. Year-first times need none of these; day-first ones are
/// recognised from a day above 12 or a header saying `DD/MM/YYYY`.
#[derive(Debug, Clone, Default, Args)]
pub struct ClockArgs {
    /// Dates are day-first (`31/12/2021 23:00`).
    #[arg(long, conflicts_with_all = ["month_first", "time_format"])]
    pub day_first: bool,
    /// Dates are month-first (`12/31/2021 11:00`).
    #[arg(long, conflicts_with = "time_format")]
    pub month_first: bool,
    /// A chrono pattern for the time column, e.g. `%d.%m.%Y %H:%M`.
    #[arg(long)]
    pub time_format: Option<String>,
    /// The local clock's IANA zone (e.g. `Europe/Rome`): its repeated autumn hour is averaged, its
    /// skipped spring hour is a gap. Taken from the time column's header when it names one (`CET`).
    #[arg(long)]
    pub time_zone: Option<String>,
    /// The export's text encoding: utf-8, cp949, windows-1252 or utf-16. Found by itself when left out;
    /// give it for a file valid in two of them (a Windows-1252 `°C` also reads as cp949).
    #[arg(long)]
    pub encoding: Option<String>,
}

impl ClockArgs {
    /// `--encoding` read, before any file is.
    pub fn encoding(&self) -> Result<Option<flowcore::TextEncoding>, flowcore::CoreError> {
        self.encoding.as_deref().map(str::parse).transpose()
    }

    /// The settings, checked before any file is read.
    pub fn settings(&self) -> Result<flowcore::Checked<flowcore::clock::ClockSettings>, flowcore::CoreError> {
        use flowcore::clock::{ClockSettings, TimeFormat};
        use flowcore::Check as _;
        let format = match (&self.time_format, self.day_first, self.month_first) {
            (Some(pattern), _, _) => TimeFormat::Pattern(pattern.clone()),
            (None, true, _) => TimeFormat::DayFirst,
            (None, false, true) => TimeFormat::MonthFirst,
            (None, false, false) => TimeFormat::Auto,
        };
        ClockSettings {
            format,
            zone: self.time_zone.clone(),
        }
        .check()
    }
}
