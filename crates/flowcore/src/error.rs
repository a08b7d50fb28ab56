use crate::time::format_timestamp;
use std::path::{Path, PathBuf};

/// Everything that can go wrong between a raw export and a preprocessed series.
///
/// Each message names the file and, where there is one, the line or column, so the CLI can print it
/// as one line an engineer can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// An output folder could not be made: a file where a folder of its path should be, a
    /// folder not writable, a disk full.
    #[error("cannot make the folder {path}: {source}{}", file_in_the_way(path))]
    MakeFolder {
        /// The folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Not a regular file or a folder: a device, a FIFO.
    #[error("{path}: not a regular file (a device or pipe); give a CSV file, or a folder of them")]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// Larger than flow reads.
    #[error("{path}: {bytes} bytes, more than the {limit} bytes flow reads; split the export by year")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size (or what was read before stopping).
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// Several files together larger than flow reads.
    #[error(
        "{files} files of {bytes} bytes together, more than the {limit} bytes flow reads at once; give fewer of them"
    )]
    TooLargeTogether {
        /// How many files.
        files: usize,
        /// Their sizes together.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// No file to read (a program passed an empty list).
    #[error("no input file given")]
    NoInput,
    /// A folder given as the input holds no export.
    #[error("{path}: a folder with no .csv, .txt, .tsv or .dat file in it (it holds: {others}); give the export's files or their folder")]
    NoExportInFolder {
        /// The folder.
        path: PathBuf,
        /// What it holds.
        others: String,
    },
    /// A file given with others does not have the first one's value columns.
    #[error("{path}: its columns are not those of {first} ({difference}); give files of one export, or read them one at a time")]
    ColumnsDiffer {
        /// The file.
        path: PathBuf,
        /// The first file.
        first: PathBuf,
        /// What differs.
        difference: String,
    },
    /// The file has no bytes at all.
    #[error("{path}: the file is empty")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file has a header line and nothing else.
    #[error("{path}: the file has a header but no data rows")]
    NoDataRows {
        /// The file.
        path: PathBuf,
    },
    /// A byte that the encoding given with `--encoding` does not allow.
    #[error("{path}: byte {offset} is not valid {encoding} (--encoding {encoding}); leave --encoding out and flow finds the encoding")]
    NotInEncoding {
        /// The file.
        path: PathBuf,
        /// The encoding given.
        encoding: crate::ingest::TextEncoding,
        /// Offset of the first byte it does not accept.
        offset: usize,
    },
    /// A file that starts as UTF-16 (Excel's "Unicode text") with a malformed character.
    #[error("{path}: starts as {encoding} text (Excel's Unicode text) but byte {offset} is not valid {encoding} (cut short, or not text)")]
    NotUtf16 {
        /// The file.
        path: PathBuf,
        /// UTF-16LE or UTF-16BE.
        encoding: crate::ingest::TextEncoding,
        /// The byte where decoding stopped.
        offset: usize,
    },
    /// An `--encoding` flow does not read.
    #[error("--encoding {name}: expected utf-8, cp949 (euc-kr), windows-1252 (latin1) or utf-16 (utf-16le, utf-16be)")]
    UnknownEncoding {
        /// What was given.
        name: String,
    },
    /// A spreadsheet or compressed file where a CSV export was expected.
    #[error("{path}: {what}, not a CSV file: {hint}")]
    NotCsv {
        /// The file.
        path: PathBuf,
        /// What it is: `an Excel workbook (.xlsx)`, …
        what: &'static str,
        /// What to do instead.
        hint: &'static str,
    },
    /// The bytes are neither UTF-8 nor cp949 text.
    #[error("{path}: not a text file in UTF-8, cp949/EUC-KR or Windows-1252 (byte {offset} is not valid in UTF-8 or cp949; binary data or another encoding?)")]
    Encoding {
        /// The file.
        path: PathBuf,
        /// Offset of the first byte that neither decoder accepts.
        offset: usize,
    },
    /// polars could not read the CSV structure.
    #[error("{path}: not a readable CSV file: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// polars' explanation.
        message: String,
    },
    /// No column holds timestamps.
    #[error("{path}: no time column (expected `저장시간`, `time`, `timestamp` or a first column of dates); header is: {header}")]
    NoTimeColumn {
        /// The file.
        path: PathBuf,
        /// The header as read.
        header: String,
    },
    /// A `--site` slug that is not in the registry.
    #[error("unknown site `{slug}`; known sites: {known}")]
    UnknownSite {
        /// What was asked for.
        slug: String,
        /// The registry's slugs.
        known: String,
    },
    /// The asked-for column is not in the file.
    #[error("{path}: no column `{column}`; columns in the file: {available}")]
    UnknownColumn {
        /// The file.
        path: PathBuf,
        /// What was asked for.
        column: String,
        /// The file's value columns.
        available: String,
    },
    /// A time cell that is not a timestamp.
    #[error("{path}: line {line}: cannot read `{text}` as a timestamp ({expected}; --day-first, --month-first or --time-format '%d/%m/%Y %H:%M' say how the file writes them)")]
    BadTimestamp {
        /// The file.
        path: PathBuf,
        /// 1-based line in the file (the header is line 1).
        line: usize,
        /// The cell as written.
        text: String,
        /// What was expected: `expected e.g. 2020/01/01 0:00` or the pattern in use.
        expected: String,
    },
    /// Day-first or month-first dates with no day above 12 and no hint in the header.
    #[error("{path}: dates like `{example}` could be day-first or month-first and no day in the file is above 12: say which with --day-first or --month-first")]
    AmbiguousDateOrder {
        /// The file.
        path: PathBuf,
        /// The first date.
        example: String,
    },
    /// Times that end with a zone abbreviation standing for more than one clock (`CST`: US
    /// Central or China).
    #[error("{path}: times like `{example}` end with `{abbreviation}`, which names more than one clock ({clocks}): give the zone with --time-zone and the form with --time-format, the abbreviation as text (e.g. --time-format '%Y-%m-%d %H:%M {abbreviation}')")]
    AmbiguousZone {
        /// The file.
        path: PathBuf,
        /// The first time.
        example: String,
        /// `CST`, `IST`, …
        abbreviation: String,
        /// The zones it may mean, as `US Central (America/Chicago), …`.
        clocks: &'static str,
    },
    /// A `--time-format` pattern chrono cannot use, or one without a year.
    #[error("time format `{format}` is not a chrono pattern with a date (e.g. `%d/%m/%Y %H:%M`; see https://docs.rs/chrono/latest/chrono/format/strftime/)")]
    BadTimeFormat {
        /// The pattern as given.
        format: String,
    },
    /// A `--time-zone` that is not an IANA zone name.
    #[error("unknown time zone `{zone}` (an IANA name such as `Europe/Rome`, `Asia/Seoul` or `CET`)")]
    UnknownTimeZone {
        /// The name as given.
        zone: String,
    },
    /// The chosen column holds no number at all.
    #[error("{path}: column `{column}` has no numeric value in any of its {rows} rows{why}")]
    AllMissing {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// What its cells held instead, when not blank: numbers beyond the readings' range (an
        /// export's fill value such as `1e300`) or text; empty when every cell is blank.
        why: String,
        /// Rows read.
        rows: usize,
    },
    /// Not enough data for what was asked.
    #[error("need at least {need} rows at interval {interval}, have {have}")]
    TooFewRows {
        /// Rows needed.
        need: usize,
        /// Rows available.
        have: usize,
        /// The interval the rows are counted at.
        interval: String,
    },
    /// A value that cannot take part in arithmetic.
    #[error("{what}: value at {time} is not a finite number")]
    NotFinite {
        /// Which series.
        what: String,
        /// Its timestamp.
        time: String,
    },
    /// The original's `-l` level is not a finite percentage of 0 or more.
    #[error("--level {level}: must be a finite percentage of 0 or more (the share of the way from a normal bound to the extreme on its side)")]
    InvalidLevel {
        /// What was given.
        level: f64,
    },
    /// A normal bound given as NaN or infinity.
    #[error("{name} {value}: must be a finite number")]
    NotFiniteBound {
        /// `--min` or `--max`.
        name: &'static str,
        /// What was given.
        value: f64,
    },
    /// The normal range has its lower bound above its upper one.
    #[error("normal range is empty: normal_min {normal_min} is above normal_max {normal_max}")]
    EmptyNormalRange {
        /// Lower bound.
        normal_min: f64,
        /// Upper bound.
        normal_max: f64,
    },
    /// Another flow command is writing the same output folder.
    #[error("{folder}: in use by {holder} (process id and command in .flow.lock); wait for it to finish or choose another --output-dir")]
    Locked {
        /// The folder.
        folder: PathBuf,
        /// What the lock file says.
        holder: String,
    },
    /// Stage thresholds that are not positive, finite and rising.
    #[error("--watch {watch}, --caution {caution}, --alert {alert}, --severe {severe}: the thresholds must be positive and rise (watch ≤ caution ≤ alert ≤ severe)")]
    SeverityThresholds {
        /// 관심.
        watch: f64,
        /// 주의.
        caution: f64,
        /// 경계.
        alert: f64,
        /// 심각.
        severe: f64,
    },
    /// A demo export size out of bounds.
    #[error("--rows {rows}: the demo export has from 2 to at most {limit} rows")]
    DemoRows {
        /// What was asked for.
        rows: usize,
        /// The most allowed.
        limit: usize,
    },
    /// An interval finer than the readings: most of its buckets could only be invented.
    #[error("the readings are {readings}: --interval {interval} is finer than they are, so most of its buckets would be invented; use {readings} or coarser")]
    FinerThanReadings {
        /// The interval asked for.
        interval: String,
        /// The readings' own interval.
        readings: String,
    },
    /// Most buckets at the interval would have no reading and be invented by the gap rule.
    #[error("{filled} of {buckets} buckets at interval {interval} have readings: the rest would be invented; the largest gap runs from {gap_from} to {gap_to} (a stray timestamp? remove that row or cut the export)")]
    MostlyInvented {
        /// The interval.
        interval: String,
        /// Buckets spanned.
        buckets: i64,
        /// Buckets with readings.
        filled: i64,
        /// Reading before the largest gap.
        gap_from: String,
        /// Reading after it.
        gap_to: String,
        /// The likely stray reading's time (the CLI finds its line).
        stray: i64,
    },
    /// A night window that is not two different times of day.
    #[error("--night {window}: expected two different times of day, e.g. 02:00-04:00 or 22:00-05:00")]
    NightWindow {
        /// What was given.
        window: String,
    },
    /// Night bins that do not tile the window on the clock.
    #[error("--night-bin {bin} with --night {window}: the window must start and end on a multiple of the bin (02:00-04:00 with 10min bins)")]
    NightBin {
        /// The bin used.
        bin: String,
        /// The window.
        window: String,
    },
    /// Readings whose own interval (coarser than the bin) does not tile the window: the bin is
    /// theirs, so `--night-bin` cannot help, and saying it did would send the engineer to a flag
    /// they never gave.
    #[error("readings {interval} apart do not tile the night window {window}: its start and end must fall on multiples of {interval} (--night with such times, or an export logged every 10, 15, 30 or 60 minutes)")]
    NightReadingsTiling {
        /// The readings' interval.
        interval: String,
        /// The window.
        window: String,
    },
    /// A coverage share outside (0, 1].
    #[error("--night-coverage {share}: a share of the night's readings, above 0 and at most 1 (0.75 = 75 %)")]
    NightCoverage {
        /// What was given.
        share: f64,
    },
    /// Readings too coarse to have a night.
    #[error("readings at interval {interval} have no night: night flow needs readings more often than daily")]
    NightInterval {
        /// The series' interval.
        interval: String,
    },
    /// A baseline of too few nights.
    #[error("--night-baseline {baseline_nights} (judging from {min_nights} nights): the baseline needs 3 to 366 nights, and at least as many as judging starts from")]
    NightBaseline {
        /// Nights the baseline is the median of.
        baseline_nights: usize,
        /// Nights before judging starts.
        min_nights: usize,
    },
    /// A confirmation count out of bounds.
    #[error("--night-confirm {nights}: from 1 to 14 nights in a row start and end an alarm")]
    NightConfirm {
        /// What was given.
        nights: usize,
    },
    /// A repair's hold out of bounds.
    #[error("--night-hold {nights}: a repair holds from 0 to 56 nights (7: an alarm raised again within a week of its repair goes on)")]
    NightHold {
        /// What was given.
        nights: usize,
    },
    /// A least spread outside (0, 1).
    #[error("least spread {share}: a share of the baseline above 0 and under 1 (0.01 = 1 %)")]
    NightSpread {
        /// What was given.
        share: f64,
    },
    /// Alarm durations that are not positive.
    #[error("--outage-minutes {} (outage {outage_seconds} s), stuck {stuck_seconds} s, stuck factor {stuck_factor}: each must be positive", outage_seconds / 60)]
    AlarmDuration {
        /// The outage length.
        outage_seconds: i64,
        /// The least stuck length.
        stuck_seconds: i64,
        /// The stuck factor.
        stuck_factor: f64,
    },
    /// A dropout share outside (0, 1).
    #[error("dropout share {share}: a share of the column's median above 0 and under 1 (0.05 = 5 %)")]
    DropoutShare {
        /// What was given.
        share: f64,
    },
    /// A spike threshold that is not positive.
    #[error("--spike-sigmas {sigmas}: must be a positive number")]
    SpikeSigmas {
        /// What was given.
        sigmas: f64,
    },
    /// Flow-alarm bin counts out of bounds.
    #[error("--min-bins {min_bins}, --merge-bins {merge_bins}: each from 1 to 1000")]
    AlarmBins {
        /// The least flagged bins of an alarm.
        min_bins: usize,
        /// The most bins between flagged bins of one alarm.
        merge_bins: usize,
    },
    /// An interval that is not a positive number of seconds dividing a day (buckets align on
    /// midnight).
    #[error("invalid setting: interval of {0} s: an interval must be a positive number of seconds that divides a day")]
    IntervalSeconds(i64),
    /// An interval written in no form flow reads.
    #[error("invalid setting: interval `{0}`: expected daily, hourly, 10min, 30min, 1min, Nh, Nmin or Ns")]
    IntervalText(String),
    /// A day selection other than all, weekday or weekend.
    #[error("invalid setting: days `{0}`: expected all, weekday or weekend")]
    DaySelection(String),
    /// A train fraction outside (0, 1).
    #[error("invalid setting: train fraction {0}: must be between 0 and 1")]
    TrainFraction(f64),
    /// A window, horizon or feature count of zero.
    #[error("invalid setting: window, periods and features must be at least 1")]
    WindowShape,
    /// A series built from times and values of different lengths.
    #[error("{timestamps} timestamps but {values} values")]
    SeriesLengths {
        /// How many times.
        timestamps: usize,
        /// How many values.
        values: usize,
    },
    /// A series whose times do not increase.
    #[error("timestamps must increase: {} follows {}", format_timestamp(*.later), format_timestamp(*.earlier))]
    TimesNotIncreasing {
        /// The earlier time (Unix seconds).
        earlier: i64,
        /// The time after it that is not later.
        later: i64,
    },
    /// A series with no finite value where one is needed.
    #[error("the series has no numeric value")]
    NoValues,
    /// Criteria asked of values with gaps in them.
    #[error("criteria need finite values; fill or drop the missing ones first")]
    CriteriaWithGaps,
    /// A span of data too long to resample at the interval (a garbled year).
    #[error(
        "the data spans {} to {}: {rows} rows at interval {interval}, more than the limit of {limit}",
        format_timestamp(*.first),
        format_timestamp(*.last)
    )]
    TooManyRows {
        /// The first time (Unix seconds).
        first: i64,
        /// The last time.
        last: i64,
        /// The rows it would take.
        rows: i64,
        /// The interval.
        interval: crate::Interval,
        /// The most allowed.
        limit: i64,
    },
    /// A file flow wrote earlier does not have the shape flow writes.
    #[error("{path}: line {line}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// `; `out` is a file, not a folder`, where a file stands on the path of a folder to be made
/// (`--output-dir` naming a file, or a file called `Output`): the system's "Not a directory" names
/// the folder asked for, not the file in the way.
fn file_in_the_way(folder: &Path) -> String {
    folder
        .ancestors()
        .find(|a| !a.as_os_str().is_empty() && a.exists())
        .filter(|a| !a.is_dir())
        .map_or(String::new(), |file| {
            format!("; `{}` is a file, not a folder", file.display())
        })
}
