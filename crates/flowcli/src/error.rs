use std::path::PathBuf;

use flowcore::time::format_timestamp;
use flowcore::Interval;
use flowlstm::horizon::MAX_HORIZON_WEEKS;

/// Everything that can stop a command: the library crates' errors, and the refusals of the
/// pipeline itself, each a message an engineer can act on, naming the file where there is one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlowError {
    /// Reading, preprocessing or writing data (flowcore).
    #[error(transparent)]
    Core(#[from] flowcore::CoreError),
    /// Training, saving, loading or running the model (flowlstm).
    #[error(transparent)]
    Lstm(#[from] flowlstm::LstmError),
    /// Statistics and graphs (flowreport).
    #[error(transparent)]
    Report(#[from] flowreport::ReportError),
    /// A report that could not be written as JSON.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// `--outlier-sigma` that is not a positive number.
    #[error("--outlier-sigma {0}: must be a positive number")]
    OutlierSigma(f64),
    /// Some sites of a many-site run failed; the others finished (said only when there are others).
    #[error(
        "{file}: {failed} of {total} sites failed ({names}){}; reasons above{where_}",
        if .failed < .total { "; the others finished" } else { "" }
    )]
    SitesFailed {
        /// Where else the reasons are (`" and in each site's report.json"`), or nothing.
        where_: &'static str,
        /// The export.
        file: PathBuf,
        /// How many failed.
        failed: usize,
        /// How many were run.
        total: usize,
        /// Their slugs, comma-separated.
        names: String,
    },
    /// A site's own failure, named by its slug and column (one of many in a `--sites all` run).
    #[error("{slug} ({column}): {source}")]
    Site {
        /// The site's slug.
        slug: String,
        /// Its column in the export.
        column: String,
        /// Why it failed.
        source: Box<FlowError>,
    },
    /// A site's forecast at one backtest origin failed.
    #[error("{slug} ({column}), origin {}: {source}", format_timestamp(*.origin))]
    AtOrigin {
        /// The site's slug.
        slug: String,
        /// Its column in the export.
        column: String,
        /// The origin (Unix seconds).
        origin: i64,
        /// Why the model failed there (boxed: it is large).
        source: Box<flowlstm::LstmError>,
    },
    /// A worker thread of a many-site run ended without a result (it panicked).
    #[error("a site's worker stopped without a result")]
    WorkerLost,

    // Which column or site.
    /// An export of several value columns and no site chosen.
    #[error("{file}: {count} value columns: choose one with --site ({slugs}), --column or --sites all")]
    ChooseSite {
        /// The export.
        file: String,
        /// How many value columns it has.
        count: usize,
        /// Their slugs, listed.
        slugs: String,
    },
    /// `flow detect` on an export of several value columns and no `--column`.
    #[error("{file}: {count} value columns ({columns}): choose one with --column")]
    ChooseColumn {
        /// The export.
        file: String,
        /// How many value columns it has.
        count: usize,
        /// Their headers, comma-separated.
        columns: String,
    },
    /// An export whose lines hold a time and nothing beside it.
    #[error("{file}: no value column beside the time column (separated by `,`, `;` or tab)")]
    NoValueColumn {
        /// The export.
        file: String,
    },
    /// A column that is one fault from end to end (stuck, blank).
    #[error("column `{column}`: {note}; nothing to train on")]
    NothingToTrain {
        /// The column.
        column: String,
        /// What the alarm stage found.
        note: String,
    },
    /// Preprocessing failed; the export named, and the stray row when one is to blame.
    #[error("{file}: {source}{stray}")]
    Preprocess {
        /// The export.
        file: String,
        /// What preprocessing said (boxed: it is large, and rare).
        source: Box<flowcore::CoreError>,
        /// `; the stray row is line N: `…``, or nothing.
        stray: String,
    },
    /// A preprocessed series too short for the model's window, the steps it forecasts and a test
    /// part: said with the site and why that many (the bare count named neither).
    #[error("{slug} ({column}): {have} rows at interval {interval} after preprocessing are too few to train and test the LSTM: need at least {need} (a window of {window}, the {periods} step(s) it forecasts, and a test part of {test_share} %): a longer export, or a smaller --window")]
    TooShortToTrain {
        /// The site.
        slug: String,
        /// Its column.
        column: String,
        /// Rows there are.
        have: usize,
        /// Rows needed.
        need: usize,
        /// The interval they are counted at.
        interval: flowcore::Interval,
        /// The model's input window.
        window: usize,
        /// Steps it forecasts.
        periods: usize,
        /// The test part, in %.
        test_share: f64,
    },
    /// Readings the night window cannot be measured on (daily, or an interval that does not tile
    /// the window): `flow night` fails with it, `flow run` skips its night stage with it.
    #[error(transparent)]
    NightUnmeasurable(flowcore::CoreError),
    /// A column with no night measured: every night short of readings in the window (a file of
    /// day hours only, two rows years apart). Nothing to judge a leak by; an empty mnf.csv and an
    /// alarm-free verdict would read as a quiet night.
    #[error("{slug} ({column}): no night has an MNF ({nights} night(s) spanned, none with {coverage:.0} % of the readings due in {window}): readings logged only by day, or too far apart?")]
    NoNightMeasured {
        /// The site.
        slug: String,
        /// Its column.
        column: String,
        /// Nights the readings span.
        nights: usize,
        /// The share of readings a night needs, in %.
        coverage: f64,
        /// The night window.
        window: String,
    },
    /// A stray row decades away would make the forecast grid (or the nights) millions of empty
    /// steps.
    #[error(
        "{file}: column `{column}` spans {} to {}: {steps} steps at {interval}, more than {limit}; the row at {} looks stray",
        format_timestamp(*.first),
        format_timestamp(*.last),
        format_timestamp(*.stray)
    )]
    StrayRow {
        /// The export.
        file: String,
        /// The column.
        column: String,
        /// Its first and last times (Unix seconds).
        first: i64,
        /// See `first`.
        last: i64,
        /// Steps the grid would need.
        steps: i64,
        /// The forecast's interval.
        interval: Interval,
        /// The most steps allowed.
        limit: i64,
        /// The time of the row that looks stray.
        stray: i64,
    },
    /// Readings further apart than the forecast's steps.
    #[error(
        "{file}: column `{column}` is {found} (one reading every {seconds} s): too coarse for --interval {interval}"
    )]
    TooCoarse {
        /// The export.
        file: String,
        /// The column.
        column: String,
        /// The interval of its readings.
        found: Interval,
        /// The same in seconds.
        seconds: i64,
        /// The interval asked for.
        interval: Interval,
    },
    /// A meter whose last readings are blank for longer than a forecast may span.
    #[error(
        "its last {tail} steps are blank (no reading from {} to {}): a forecast from its last reading would span {steps} steps, beyond the limit of {limit} (4 weeks)",
        format_timestamp(*.from),
        format_timestamp(*.to)
    )]
    BlankTailTooLong {
        /// Blank steps at the end.
        tail: usize,
        /// The first and last blank step (Unix seconds).
        from: i64,
        /// See `from`.
        to: i64,
        /// The steps a forecast would span.
        steps: usize,
        /// The most it may span.
        limit: usize,
    },

    // Flags.
    /// `--leak` that is not `FROM..TO` or `FROM`.
    #[error("--leak {0}: expected FROM..TO or FROM, dates as 2020-06-01, TO after FROM (the repair, at 00:00)")]
    LeakDates(String),
    /// `--leak-percent` out of range.
    #[error("--leak-percent {0}: from 1 to 1000 (% of the typical minimum night flow)")]
    LeakPercent(u32),
    /// `--night-accept` that is not a list of dates or `site=date`.
    #[error(
        "--night-accept {text}: expected a date (2022-10-01) or a site and a date (dma7=2022-10-01), comma-separated"
    )]
    NightAccept {
        /// The item that is neither.
        text: String,
    },
    /// `--night-accept` naming no site of the export.
    #[error("--night-accept {site}=…: the export has no site {site} (its sites: {sites})")]
    NightAcceptSite {
        /// The site named.
        site: String,
        /// The sites the run judges.
        sites: String,
    },
    /// `--night-bin` that is not an interval.
    #[error("--night-bin {text}: {source}")]
    NightBin {
        /// As given.
        text: String,
        /// Why it is not one.
        source: flowcore::CoreError,
    },
    /// Preprocessing flags given to `flow train` while it reuses the preprocessed files.
    #[error("{given} given, but {} is reused as it is (no --input): give --input to preprocess again with them, or run `flow preprocess` with them first", .file.display())]
    ReusedWithFlags {
        /// The flags, comma-separated.
        given: String,
        /// The preprocessed file reused.
        file: PathBuf,
    },
    /// A forecast `--interval` other than hourly or daily.
    #[error("--interval {0}: expected hourly or daily")]
    ForecastInterval(String),
    /// A forecast `--method` other than profile or lstm.
    #[error("--method {0}: expected profile or lstm")]
    ForecastMethod(String),
    /// `--holidays` or `--exog` with the LSTM, which has no such inputs.
    #[error("{option} with --method lstm: the LSTM's inputs are the flow, the day of the week and the hour; the holidays and the weather are inputs of the week-profile regression (leave --method out)")]
    CalendarWithLstm {
        /// The flag.
        option: &'static str,
    },
    /// `--horizon` that is not a number of steps, hours, days or weeks.
    #[error("--horizon {0}: expected a number of steps (168) or of hours, days or weeks (24h, 7d, 1w)")]
    HorizonText(String),
    /// `--horizon` past any limit.
    #[error("--horizon {0}: far beyond the longest horizon ({MAX_HORIZON_WEEKS} weeks)")]
    HorizonBeyond(String),
    /// `--horizon` that does not divide into steps.
    #[error("--horizon {text}: not a whole number of {interval} steps")]
    HorizonNotWhole {
        /// As given.
        text: String,
        /// The steps.
        interval: Interval,
    },
    /// `--folds 0`.
    #[error("--folds 0: must be at least 1")]
    NoFolds,
    /// More folds than the data hold.
    #[error(
        "--folds {folds}: the data of {file} ({} … {}) hold {available} Monday origin(s) with a whole horizon after them",
        format_timestamp(*.start),
        format_timestamp(*.end)
    )]
    TooManyFolds {
        /// As given.
        folds: usize,
        /// The export.
        file: String,
        /// Its first and last times (Unix seconds).
        start: i64,
        /// See `start`.
        end: i64,
        /// How many origins fit.
        available: i64,
    },
    /// An origin that is not a time on the forecast's steps.
    #[error("--origins: `{text}` is not a date or time on the {interval} grid (e.g. 2022-07-25)")]
    OriginText {
        /// As given.
        text: String,
        /// The steps.
        interval: Interval,
    },
    /// An origin given twice (its week would weigh double).
    #[error("--origins: {} given twice", format_timestamp(*.0))]
    OriginTwice(i64),
    /// `--origins` with no date.
    #[error("--origins: no date given (e.g. --origins 2022-07-25,2022-10-31)")]
    NoOrigins,
    /// An export with no site to backtest.
    #[error("no site to backtest")]
    NoSiteToBacktest,
    /// Every origin of every site skipped (each site silent for weeks before each origin): a
    /// backtest.csv of a header alone would read as a run that scored.
    #[error("{file}: no origin could be scored at any site ({origins} origin(s) each skipped, the reasons above); nothing written")]
    NothingScored {
        /// The export.
        file: String,
        /// Origins asked.
        origins: usize,
    },
    /// An origin before the first reading.
    #[error("origin {}: before the data of {file} (from {})", format_timestamp(*.origin), format_timestamp(*.start))]
    OriginBeforeData {
        /// The origin (Unix seconds).
        origin: i64,
        /// The export.
        file: String,
        /// Its first time.
        start: i64,
    },
    /// An origin whose horizon passes the last reading.
    #[error(
        "origin {}: its horizon ends {} but the data of {file} end {}",
        format_timestamp(*.origin),
        format_timestamp(*.horizon_end),
        format_timestamp(*.end)
    )]
    HorizonPastData {
        /// The origin (Unix seconds).
        origin: i64,
        /// The horizon's last step.
        horizon_end: i64,
        /// The export.
        file: String,
        /// Its last time.
        end: i64,
    },

    // Files beside the export.
    /// A holidays file with no date in it: given by mistake (the wrong file, an export cut short).
    #[error("{}: no dates in it (a holidays file holds a date a line in its first column, e.g. `2022-09-10,추석`); leave --holidays out when there are none", .path.display())]
    HolidaysEmpty {
        /// The holidays file.
        path: PathBuf,
    },
    /// `--holidays` naming neither a file nor a built-in calendar.
    #[error("{}: no such file, nor a built-in calendar ({calendars})", .path.display())]
    HolidaysNotFound {
        /// What was given.
        path: PathBuf,
        /// The built-in calendars, each with what it holds.
        calendars: String,
    },
    /// Holiday dates that could be day- or month-first.
    #[error("{}: dates like `{first}` could be day-first or month-first and none is past the 12th: write them year-first (2022-11-01)", .path.display())]
    HolidaysAmbiguous {
        /// The holidays file.
        path: PathBuf,
        /// Its first date.
        first: String,
    },
    /// A holidays line that is not a date.
    #[error("{}: line {line}: `{cell}` is not a date (expected e.g. 2022-11-01, or 01/11/2022 like the others)", .path.display())]
    HolidayNotDate {
        /// The holidays file.
        path: PathBuf,
        /// Its line (from 1).
        line: usize,
        /// The cell.
        cell: String,
    },
    /// A weather file without a temperature or rain column.
    #[error("{}: no {what} column (looked for a header with {words}; headers: {headers})", .path.display())]
    NoWeatherColumn {
        /// The weather file.
        path: PathBuf,
        /// `temperature` or `rain`.
        what: &'static str,
        /// The header words looked for, comma-separated.
        words: String,
        /// Its headers, listed.
        headers: String,
    },
    /// A labels file that is not JSON.
    #[error("{}: not JSON: {source}", .path.display())]
    LabelsNotJson {
        /// The labels file.
        path: PathBuf,
        /// What the parser said.
        source: serde_json::Error,
    },
    /// Labels JSON that is not an object keyed by file name.
    #[error("{}: expected an object keyed by file name", .path.display())]
    LabelsNotObject {
        /// The labels file.
        path: PathBuf,
    },
    /// Labels with no windows for the series read.
    #[error("{}: no windows for `{name}`; files labelled: {labelled}", .path.display())]
    NoLabelsFor {
        /// The labels file.
        path: PathBuf,
        /// The series' file name(s) looked up.
        name: String,
        /// The names it labels, comma-separated.
        labelled: String,
    },
    /// A labelled window that is not `["start", "end"]`.
    #[error("{}: window {number} of `{name}` is not [\"start\", \"end\"]", .path.display())]
    LabelWindow {
        /// The labels file.
        path: PathBuf,
        /// The window's number (from 1).
        number: usize,
        /// The series it labels.
        name: String,
    },
    /// A line of an alarm log that flow did not write.
    #[error("{}: line {line}: not an alarm record flow writes (remove the file to start the log afresh)", .path.display())]
    AlarmLogLine {
        /// The log.
        path: PathBuf,
        /// The line (from 1).
        line: usize,
    },

    // Saved forecast models.
    /// A `--model` file that is not one flow writes.
    #[error("{}: not a flow forecast model: {source}", .path.display())]
    NotAModel {
        /// The model file.
        path: PathBuf,
        /// What the parser said.
        source: serde_json::Error,
    },
    /// A model file of another format.
    #[error("{}: format `{format}`, expected {expected}", .path.display())]
    ModelFormat {
        /// The model file.
        path: PathBuf,
        /// Its format.
        format: String,
        /// The formats flow reads.
        expected: String,
    },
    /// A model file whose contents do not hold together.
    #[error("{}: not a usable forecast model: {source}", .path.display())]
    UnusableModel {
        /// The model file.
        path: PathBuf,
        /// What is wrong (boxed: it is large).
        source: Box<flowlstm::LstmError>,
    },
    /// A model fitted for another site, interval or span of steps.
    #[error("--model: fitted for site {site} ({fitted_interval}, {horizon} steps), not for {slug} ({interval}, {steps} steps)")]
    ModelForOther {
        /// The site it was fitted for.
        site: String,
        /// Its interval.
        fitted_interval: String,
        /// Its steps.
        horizon: usize,
        /// The site asked for.
        slug: String,
        /// The interval asked for.
        interval: String,
        /// The steps asked for.
        steps: usize,
    },
    /// `--method lstm` with a saved week-profile regression.
    #[error("--method lstm, but {} holds a week-profile regression (leave --method out to use it)", .model.display())]
    ModelNotLstm {
        /// The model file.
        model: PathBuf,
    },
    /// `--holidays`/`--exog` with a saved LSTM.
    #[error("{option}: {} holds an LSTM, whose inputs are the flow, the day of the week and the hour; the holidays and the weather are inputs of the week-profile regression", .model.display())]
    ModelIsLstm {
        /// The flag.
        option: &'static str,
        /// The model file.
        model: PathBuf,
    },
    /// An LSTM network folder from another fit than its model.json.
    #[error("{}: the network is not the one its model.json names (SHA-256 differs): it comes from another fit; fit again", .network.display())]
    NetworkMismatch {
        /// The network folder.
        network: PathBuf,
    },

    // Outputs.
    /// An input inside the folder a command rewrites.
    #[error("{}: the input lies inside {}, which this command rewrites; copy it elsewhere or choose another --output-dir", .input.display(), .root.display())]
    InputInsideOutput {
        /// The input.
        input: PathBuf,
        /// The folder.
        root: PathBuf,
    },
}

/// Shorthand for results of this crate.
pub type Result<T = (), E = FlowError> = std::result::Result<T, E>;
