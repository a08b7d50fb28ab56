//! Reading exports: decode (UTF-8, cp949 or Windows-1252), find the table (under a title, over a
//! units row, with no header, or a daily report's hours across), find the time and value columns,
//! parse with polars; then put a wandering logger clock on its grid and read a register as flow.
//!
//! The parts: `decode` (bytes to text, the encoding found or given), `cells` (a cell as a number,
//! however the export groups digits or places its unit), `grid` (rows in time order, one reading
//! a timestamp, a wandering clock moved onto its interval); where the table lies is `crate::table`.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::prelude::{CsvReadOptions, DataFrame, SerReader};
use serde::{Deserialize, Serialize};

use crate::check::{Check, Checked};
use crate::clock::{
    known_pattern, looks_like_date, parse_with_offset, zone_in_cell, zone_in_header, ClockSettings, DateOrder,
    LocalClock, TimeParser,
};
use crate::error::{CoreError, Result};
use crate::series::{detect_interval, FlowSeries, Interval};
use crate::sites::Site;
use crate::table::{
    columns_where, detect_separator, find_table, find_time_column, hours_down, join_date_and_time, raw_fields,
    space_aligned, split_date_and_time, split_record, split_record_upto, table_text, tags_across, without_header,
    WIDE_HEADER,
};
pub use crate::table::{HoursAcross, SkippedLines, SpaceAligned, TagsInRows, HOURS_ACROSS_NAME};
use crate::time::parse_timestamp;

mod cells;
mod decode;
mod grid;

use cells::{number_with_unit, parse_separated};
pub(crate) use cells::{reads_as_number, reads_as_reading};
pub use decode::{decode, decode_as, TextEncoding};
use grid::{skipped_times, snap_to_grid, sort_and_dedupe};

/// The largest file flow reads: 2 GiB, about forty years of a 14-column minute export. A larger
/// "file" is refused before it is read (`/dev/zero` would otherwise fill the memory).
pub const MAX_INPUT_BYTES: u64 = 2 << 30;

/// The largest magnitude accepted as a reading: 10¹². No flow, level or pressure comes near it; a
/// cell like `1e308` is a data error, and averaging two of them would overflow to infinity.
pub const MAX_READING: f64 = 1e12;

/// How many names a message lists before it says how many more there are.
const LISTED_NAMES: usize = 20;

/// Names joined with `, `, the first twenty and then "… and N more": a header of millions of
/// columns gives a message of one line, not megabytes.
pub fn list_names<S: AsRef<str>>(names: &[S]) -> String {
    let shown: Vec<&str> = names.iter().take(LISTED_NAMES).map(AsRef::as_ref).collect();
    match names.len().checked_sub(LISTED_NAMES) {
        Some(more) if more > 0 => format!("{} … and {more} more", shown.join(", ")),
        _ => shown.join(", "),
    }
}

/// Which value column to read.
#[derive(Debug, Clone, Copy)]
pub enum Selector<'a> {
    /// A registry site: its column, or the only value column of an extracted two-column file.
    Site(&'a Site),
    /// A column by its exact header.
    Column(&'a str),
    /// The only value column of a two-column `time,value` file.
    Only,
}

/// A decoded export, kept in memory so several columns can be read from one decode: one file, or
/// the files of one export cut by month or week (`2022-01.csv`, `2022-02.csv`, …) read as one.
#[derive(Debug, Clone)]
pub struct Export {
    /// At least one, in the order given: where two files hold the same time, the later file's
    /// number wins.
    files: Vec<ExportFile>,
    /// Value columns the first file lacks, in the order met (a meter added in June is in the files
    /// from June on); with the first file's, the export's columns. Mostly none: a header of
    /// millions of names is not copied.
    added: Vec<String>,
    /// Files of a folder given as the input that are not exports (`summary.xlsx`), left aside.
    left_aside: Vec<PathBuf>,
    /// The columns a command will ask for one after another (`--sites all`), read a batch at a
    /// time as they are asked ([`Export::read_ahead`]).
    ahead: ReadAhead,
}

/// Columns to be asked for in turn, and those of the batch last read not yet asked for.
#[derive(Default)]
struct ReadAhead(std::sync::Mutex<AheadState>);

#[derive(Default)]
struct AheadState {
    /// The columns, in the order they will be asked for.
    order: Vec<String>,
    /// How many [`Export::columns_a_read`] gives.
    per_read: usize,
    /// Read with an earlier column of their batch, each taken by its first ask.
    read: std::collections::HashMap<String, Result<Ingested>>,
}

/// A copy of an export reads its own columns: nothing read ahead is shared.
impl Clone for ReadAhead {
    fn clone(&self) -> Self {
        ReadAhead::default()
    }
}

impl std::fmt::Debug for ReadAhead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadAhead")
    }
}

/// One decoded file of an export.
#[derive(Debug, Clone)]
struct ExportFile {
    path: PathBuf,
    text: String,
    encoding: TextEncoding,
    header: Vec<String>,
    time_index: usize,
    /// A column of times of day beside a column of dates (`날짜,시간`, `Date;Time`): the time is
    /// the two read together.
    time_of_day_index: Option<usize>,
    clock: Checked<ClockSettings>,
    /// `,`, or `;` / tab where the header is split by them (spreadsheets in countries that write
    /// a decimal comma save `;`-separated files).
    separator: u8,
    /// Headers the file repeats or leaves blank, and the names they are read under.
    renamed: Vec<RenamedHeader>,
    /// Columns with no header and no cell (a separator ending every line, a spreadsheet's spacer
    /// column): not columns of the export.
    empty: Vec<usize>,
    /// For an export of one row per meter and time read as a column per meter: the line of the
    /// table (0 the header) each line of `text` came from.
    line_of_row: Option<Vec<usize>>,
    /// Lines above the header and rows between it and the first reading, skipped.
    skipped: SkippedLines,
}

/// A header the file leaves blank or repeats (two meters with one tag description), and the name
/// the column is read under, so that each column has its own name and `--column` can pick it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenamedHeader {
    /// The column's position, from 1 as a spreadsheet counts.
    pub column: usize,
    /// The header in the file.
    pub original: String,
    /// The name it is read under: `column 5`, or `DMA 1 #4`.
    pub name: String,
}

impl std::fmt::Display for RenamedHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.original.trim().is_empty() {
            write!(f, "column {} has no header: read as `{}`", self.column, self.name)
        } else {
            write!(
                f,
                "column {} repeats the header `{}`: read as `{}`",
                self.column,
                self.original.trim(),
                self.name
            )
        }
    }
}

/// Gives every column its own name: a blank header becomes `column N`, a repeated one `NAME #N`
/// (N its position from 1). Without it a second `DMA 1` was never read: `--column` and the slugs
/// found the first column under both.
fn unique_headers(header: Vec<String>) -> (Vec<String>, Vec<RenamedHeader>) {
    // Almost every header has distinct names: kept as they are, with no copy of any of them (a
    // header of millions of columns was copied twice over for this).
    let mut distinct = std::collections::HashSet::with_capacity(header.len());
    if header
        .iter()
        .all(|name| name.trim().len() == name.len() && !name.is_empty() && distinct.insert(name.as_str()))
    {
        return (header, Vec::new());
    }
    drop(distinct);
    let mut seen = std::collections::HashSet::new();
    let mut renamed = Vec::new();
    let names = header
        .into_iter()
        .enumerate()
        .map(|(i, original)| {
            let trimmed = original.trim();
            let mut name = if trimmed.is_empty() {
                format!("column {}", i + 1)
            } else {
                trimmed.to_string()
            };
            if seen.contains(&name) {
                name = format!("{trimmed} #{}", i + 1);
            }
            // A name made up above could still meet a later header of that very text.
            while !seen.insert(name.clone()) {
                name.push('\'');
            }
            if name != trimmed {
                renamed.push(RenamedHeader {
                    column: i + 1,
                    original: original.clone(),
                    name: name.clone(),
                });
            }
            name
        })
        .collect();
    (names, renamed)
}

/// The columns (from 0) whose header is blank and whose every cell is blank: a separator ending
/// every line (`time,flow,`), a spreadsheet's empty spacer column. Offered as sites they failed
/// `--sites all` (`column 3 has no numeric value`). Only asked when a header is blank, of files of
/// at most [`WIDE_HEADER`] columns.
fn empty_columns(text: &str, separator: u8, renamed: &[RenamedHeader], width: usize) -> Vec<usize> {
    let mut blank: Vec<usize> = renamed
        .iter()
        .filter(|r| r.original.trim().is_empty())
        .map(|r| r.column - 1)
        .collect();
    if blank.is_empty() || width > WIDE_HEADER {
        return Vec::new();
    }
    // No cell copied: the 527,041 lines of a year's export ending in `,` took 0.5 s when each
    // line was split into cells.
    let filled = columns_where(text, separator, &blank, |cell| {
        !cell.trim_matches([' ', '\t', '\r', '"']).is_empty()
    });
    blank.retain(|column| !filled.contains(column));
    blank
}

/// Data lines (index in `text`, 0 the header) with a non-blank field past the header's `fields`:
/// how many, and the first. Those fields are not read (a reading's columns are the header's), and
/// where a number was written with an unquoted thousands separator (`12:00,1,234.5`) the cell
/// read is `1`: the row must be named, not read in silence.
fn long_rows(text: &str, separator: u8, fields: usize) -> (usize, Option<usize>) {
    let (mut count, mut first) = (0, None);
    for (index, line) in text.lines().enumerate().skip(1) {
        let bytes = line.as_bytes();
        // Fewer separators than fields cannot reach past the header (quotes only hide some).
        if bytes.iter().filter(|&&b| b == separator).count() < fields {
            continue;
        }
        let (mut field, mut quoted) = (0, false);
        let beyond = bytes.iter().any(|&b| {
            if b == b'"' {
                quoted = !quoted;
            } else if b == separator && !quoted {
                field += 1;
            } else if field >= fields && !b.is_ascii_whitespace() {
                return true;
            }
            false
        });
        if beyond {
            count += 1;
            first.get_or_insert(index);
        }
    }
    (count, first)
}

/// What ingest saw while reading one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestReport {
    /// Data rows in the file (in all its files).
    pub rows_read: usize,
    /// The column read.
    pub column: String,
    /// The file's encoding (the first file's).
    pub encoding: TextEncoding,
    /// How many files the export is (a year exported month by month: 12).
    #[serde(default = "one")]
    pub files: usize,
    /// Empty cells in the column.
    pub blank_cells: usize,
    /// Cells that are not numbers (`-`, `#N/A`, `NaN`, …): treated as missing.
    pub non_numeric_cells: usize,
    /// The first of them, for the message.
    pub first_non_numeric: Option<CellAt>,
    /// Numbers written with thousands separators (`"1,234"`), read as numbers.
    pub thousands_separated_cells: usize,
    /// Numbers written with a decimal comma (`5,36`, `1.234,5`) in a `;`-separated file, read as
    /// numbers.
    #[serde(default)]
    pub decimal_comma_cells: usize,
    /// Numbers written with their unit after them (`100.5 m3/h`, `3.2 bar`), as some SCADA and
    /// report exports write every cell: read as numbers when the unit is the column's one.
    #[serde(default)]
    pub unit_cells: usize,
    /// That unit, as the first such cell writes it; a cell with another unit is not read (it
    /// would be another quantity's number) and counts as not a number.
    #[serde(default)]
    pub unit_in_cells: Option<String>,
    /// Numbers beyond ±[`MAX_READING`] (`1e308`): data errors, treated as missing.
    pub out_of_range_cells: usize,
    /// The first of them, for the message.
    pub first_out_of_range: Option<CellAt>,
    /// Rows dropped because another row had the same timestamp.
    pub duplicate_timestamps: usize,
    /// Of those, rows whose number differed from the one kept before them (not the same reading
    /// twice, as where two monthly files share a midnight): corrections, or files that disagree.
    #[serde(default)]
    pub duplicates_differing: usize,
    /// Whether the rows had to be sorted into time order.
    pub reordered: bool,
    /// How the times were read: `year-first` or the chrono pattern used.
    pub time_format: String,
    /// The local clock's zone, from `--time-zone` or the time column's header.
    pub time_zone: Option<String>,
    /// Wall-clock times the zone shows twice (the autumn change) that appeared twice: their
    /// readings averaged into one.
    pub repeated_local_times: Vec<i64>,
    /// Wall-clock times the zone never shows (the spring change): no reading can exist; they are
    /// gaps like any other for the later stages.
    pub skipped_local_times: Vec<i64>,
    /// Where no zone was named and every time written twice is an hour a clock on summer time
    /// shows twice (BWDF's `inflows.csv`: 2021-10-31 02:00 and 2022-10-30 02:00): that clock's
    /// zone and those times. Their last reading was kept, as for any duplicate; naming the zone
    /// averages the two hours' readings instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_repeating_duplicates: Option<(String, Vec<i64>)>,
    /// Readings moved onto the interval's grid because the logger's clock wanders either side of
    /// it (`10:59:58` read as `11:00`).
    #[serde(default)]
    pub snapped: SnapReport,
    /// Times written as seconds since 1970 with no zone named: placed on the UTC clock, so the
    /// night's hours and the hour of the day are UTC's, not the plant's.
    #[serde(default)]
    pub utc_clock: bool,
    /// The column only rose (a register of the volume so far, `적산유량`): read as its rise per
    /// hour between readings ([`crate::totaliser`]).
    #[serde(default)]
    pub totaliser: Option<crate::totaliser::TotaliserReport>,
    /// Rows whose time cell holds no digit (`합계`, `평균`, `Total`): a report's summary or label
    /// rows, not readings; skipped.
    #[serde(default)]
    pub label_rows: usize,
    /// The first of them, for the message.
    #[serde(default)]
    pub first_label_row: Option<CellAt>,
    /// Rows with more fields than the header, the extra ones not read (a value written with an
    /// unquoted thousands separator, `1,234.5`, reads as its first part).
    #[serde(default)]
    pub long_rows: usize,
    /// The first of them, the line as written.
    #[serde(default)]
    pub first_long_row: Option<CellAt>,
}

impl IngestReport {
    /// The hours the local clock skipped or showed twice, in time order: where a logger may have
    /// booked the change's hours oddly ([`crate::alarms::mark_clock_changes`]). None without a zone.
    pub fn clock_changes(&self) -> Vec<i64> {
        let mut changes: Vec<i64> = self
            .skipped_local_times
            .iter()
            .chain(&self.repeated_local_times)
            .copied()
            .collect();
        changes.sort_unstable();
        changes
    }
}

fn one() -> usize {
    1
}

/// Readings moved onto their interval's grid (multiples of the interval from midnight).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapReport {
    /// The grid they were moved onto: the readings' interval; `None` when none moved.
    pub grid: Option<Interval>,
    /// Readings moved.
    pub moved: usize,
    /// The largest move, in seconds.
    pub largest_seconds: i64,
    /// Readings that met another one on the grid once moved, and were averaged with it.
    pub merged: usize,
}

/// A column read from an export: the raw series (missing readings as `NaN`) and what was seen.
#[derive(Debug, Clone)]
pub struct Ingested {
    /// The readings, sorted, one per timestamp.
    pub series: FlowSeries,
    /// Counts of what was found on the way.
    pub report: IngestReport,
}

/// The extensions of the files a folder given as the input is read from (any case).
pub const EXPORT_EXTENSIONS: [&str; 4] = ["csv", "txt", "tsv", "dat"];

impl Export {
    /// Reads and decodes a file. Only a regular file of at most [`MAX_INPUT_BYTES`] is read: a
    /// device or a FIFO (which would block for ever with no writer) is refused before it is opened.
    pub fn open(path: &Path) -> Result<Export> {
        Export::open_with(path, ClockSettings::default().check()?)
    }

    /// [`Export::open`] with the time settings of the file (`--day-first`, `--time-zone`, …).
    pub fn open_with(path: &Path, clock: Checked<ClockSettings>) -> Result<Export> {
        Export::open_as(path, clock, None)
    }

    /// [`Export::open_with`] in the text encoding given (`--encoding`); `None` finds it.
    pub fn open_as(path: &Path, clock: Checked<ClockSettings>, encoding: Option<TextEncoding>) -> Result<Export> {
        Export::open_all(&[path.to_path_buf()], clock, encoding)
    }

    /// The files of one export read as one (a year exported month by month): each path a file,
    /// or a folder whose files with an [`EXPORT_EXTENSIONS`] extension are read in name order (the
    /// others left aside, and listed by [`Export::left_aside`]). Each file is decoded and its
    /// table found on its own (titles, units rows, encodings may differ); the value columns are
    /// every file's (a meter added in June is read from June, its earlier months a gap), but a
    /// file sharing none with those before it is another export, refused. A file named twice is
    /// read once. Together they may hold at most [`MAX_INPUT_BYTES`].
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use flowcore::{clock::ClockSettings, Check, Export, Selector};
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("2022-01.csv"), "time,flow\n2022-01-31 23:00,5\n2022-02-01 00:00,4\n")?;
    /// std::fs::write(dir.path().join("2022-02.csv"), "time,flow\n2022-02-01 00:00,4\n2022-02-01 01:00,3\n")?;
    /// let export = Export::open_all(&[dir.path().to_path_buf()], ClockSettings::default().check()?, None)?;
    /// let read = export.series(Selector::Column("flow"))?;
    /// assert_eq!(read.series.values, [5.0, 4.0, 3.0]);
    /// assert_eq!(read.report.duplicate_timestamps, 1); // 2022-02-01 00:00 is in both files
    /// # Ok(()) }
    /// ```
    pub fn open_all(
        paths: &[PathBuf],
        clock: Checked<ClockSettings>,
        encoding: Option<TextEncoding>,
    ) -> Result<Export> {
        let (paths, left_aside) = export_files(paths)?;
        let mut total = 0;
        for path in &paths {
            total += std::fs::metadata(path).map_or(0, |m| m.len());
        }
        if total > MAX_INPUT_BYTES && paths.len() > 1 {
            return Err(CoreError::TooLargeTogether {
                files: paths.len(),
                bytes: total,
                limit: MAX_INPUT_BYTES,
            });
        }
        let files = paths
            .iter()
            .map(|path| ExportFile::open_as(path, clock.clone(), encoding))
            .collect::<Result<Vec<_>>>()?;
        Export::of_files(files, left_aside)
    }

    /// Decodes bytes already in memory; `path` is only used in messages.
    pub fn from_bytes(bytes: Vec<u8>, path: &Path) -> Result<Export> {
        Export::from_bytes_with(bytes, path, ClockSettings::default().check()?)
    }

    /// [`Export::from_bytes`] with the time settings of the file.
    pub fn from_bytes_with(bytes: Vec<u8>, path: &Path, clock: Checked<ClockSettings>) -> Result<Export> {
        Export::from_bytes_as(bytes, path, clock, None)
    }

    /// [`Export::from_bytes_with`] in the text encoding given; `None` finds it.
    pub fn from_bytes_as(
        bytes: Vec<u8>,
        path: &Path,
        clock: Checked<ClockSettings>,
        encoding: Option<TextEncoding>,
    ) -> Result<Export> {
        Export::of_files(
            vec![ExportFile::from_bytes_as(bytes, path, clock, encoding)?],
            Vec::new(),
        )
    }

    /// The files as one export, once each shares a value column with those before it.
    fn of_files(files: Vec<ExportFile>, left_aside: Vec<PathBuf>) -> Result<Export> {
        let Some((first, others)) = files.split_first() else {
            return Err(CoreError::NoInput);
        };
        if others.is_empty() {
            // One file: its columns are the export's (a header of millions is not put in a set).
            return Ok(Export {
                files,
                added: Vec::new(),
                left_aside,
                ahead: ReadAhead::default(),
            });
        }
        let mut known: std::collections::HashSet<&str> = first.value_columns().into_iter().collect();
        let mut added = Vec::new();
        for file in others {
            let theirs = file.value_columns();
            // A meter added or removed during the year changes the columns; a file that shares none
            // of them is another export.
            if !theirs.iter().any(|column| known.contains(column)) {
                let before: Vec<&str> = first
                    .value_columns()
                    .into_iter()
                    .chain(added.iter().map(String::as_str))
                    .collect();
                return Err(CoreError::ColumnsDiffer {
                    path: file.path.clone(),
                    first: first.path.clone(),
                    difference: format!(
                        "no value column in common: it has {}; the files before it {}",
                        list_names(&theirs),
                        list_names(&before)
                    ),
                });
            }
            for column in theirs {
                if known.insert(column) {
                    added.push(column.to_string());
                }
            }
        }
        drop(known);
        Ok(Export {
            files,
            added,
            left_aside,
            ahead: ReadAhead::default(),
        })
    }

    /// The value columns not every file has (a meter added or removed during the year), with how
    /// many files have each.
    pub fn columns_not_in_every_file(&self) -> Vec<(&str, usize)> {
        if self.files.len() == 1 {
            return Vec::new();
        }
        let mut holding: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for file in &self.files {
            for column in file.value_columns() {
                *holding.entry(column).or_default() += 1;
            }
        }
        self.value_columns()
            .into_iter()
            .map(|column| (column, holding.get(column).copied().unwrap_or(0)))
            .filter(|(_, holding)| *holding < self.files.len())
            .collect()
    }

    /// The column a selector names, among every file's value columns.
    fn resolve(&self, selector: Selector<'_>) -> Result<String> {
        let columns = self.value_columns();
        let known = |name: &str| columns.iter().find(|c| **c == name.trim()).map(|c| c.to_string());
        let only = || (columns.len() == 1).then(|| columns[0].to_string());
        let unknown = |column: &str| CoreError::UnknownColumn {
            path: self.first().path.clone(),
            column: column.to_string(),
            available: list_names(&self.value_columns()),
        };
        match selector {
            Selector::Site(site) => known(site.column).or_else(only).ok_or_else(|| unknown(site.column)),
            Selector::Column(name) => known(name).ok_or_else(|| unknown(name)),
            Selector::Only => only().ok_or_else(|| unknown("(the one value column of a two-column file)")),
        }
    }

    /// Lines above the header, and rows under it before the first reading, that were skipped (in
    /// the first file).
    pub fn skipped_lines(&self) -> &SkippedLines {
        &self.first().skipped
    }

    /// Headers the file repeats or leaves blank, and the names their columns are read under (in
    /// the first file).
    pub fn renamed_headers(&self) -> &[RenamedHeader] {
        &self.first().renamed
    }

    /// The file this export came from (the first of several).
    pub fn path(&self) -> &Path {
        &self.first().path
    }

    /// Every file read, in the order read.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|file| file.path.as_path())
    }

    /// Files of a folder given as the input that are not exports, left aside.
    pub fn left_aside(&self) -> &[PathBuf] {
        &self.left_aside
    }

    /// The export for a message or a report: its file, or how many files and the first and last.
    pub fn describe(&self) -> String {
        match self.files.as_slice() {
            [one] => one.path.display().to_string(),
            [first, .., last] => format!(
                "{} files, {} … {}",
                self.files.len(),
                first.path.display(),
                last.path.display()
            ),
            [] => String::new(),
        }
    }

    /// The encoding the (first) file was found in.
    pub fn encoding(&self) -> TextEncoding {
        self.first().encoding
    }

    /// The encodings the files were found in, each once, in the files' order.
    pub fn encodings(&self) -> Vec<TextEncoding> {
        let mut found: Vec<TextEncoding> = Vec::new();
        for file in &self.files {
            if !found.contains(&file.encoding) {
                found.push(file.encoding);
            }
        }
        found
    }

    /// Headers of the value columns (every column but the time column, or the date and time of day
    /// columns), of all the files, in the order first met.
    pub fn value_columns(&self) -> Vec<&str> {
        let mut columns = self.first().value_columns();
        columns.extend(self.added.iter().map(String::as_str));
        columns
    }

    /// Value columns with no number in any cell of any file: a status or comment column beside
    /// the readings (`Good`, `Bad`, `valve work`), or one left blank. Not measurements: `--sites
    /// all` leaves them out. A column's search stops at its first number, so a column of readings
    /// costs one row; only these columns are read to the end (byte by byte, no cell copied).
    pub fn columns_without_numbers(&self) -> Vec<&str> {
        let mut without = self.value_columns();
        for file in &self.files {
            if without.is_empty() {
                break;
            }
            // By name, in one pass over the header (a header of thousands is not searched per name).
            let index: std::collections::HashMap<&str, usize> = (0..file.header.len())
                .filter(|&i| file.is_value_column(i))
                .map(|i| (file.header[i].as_str(), i))
                .collect();
            let indices: Vec<usize> = without.iter().filter_map(|name| index.get(name).copied()).collect();
            let numeric: std::collections::HashSet<usize> = file.columns_with_a_number(&indices).into_iter().collect();
            without.retain(|name| index.get(name).is_none_or(|i| !numeric.contains(i)));
        }
        without
    }

    /// The headers of the date column and the time-of-day column, when the file writes them apart.
    pub fn date_and_time_columns(&self) -> Option<(&str, &str)> {
        let first = self.first();
        let time_of_day = first.time_of_day_index?;
        Some((&first.header[first.time_index], &first.header[time_of_day]))
    }

    fn first(&self) -> &ExportFile {
        // `of_files` refuses an export of no file.
        &self.files[0]
    }

    /// Reads one column as a series sorted by time with duplicates resolved, from every file.
    ///
    /// Duplicate timestamps: the last row with a number wins (a SCADA re-send corrects the earlier
    /// row; of two files, the later one's); when none of them has a number the reading is missing.
    pub fn series(&self, selector: Selector<'_>) -> Result<Ingested> {
        let column = self.resolve(selector)?;
        if let Some(read) = self.read_with_its_batch(&column) {
            return read;
        }
        self.series_of_column(column)
    }

    /// `column` read alone.
    fn series_of_column(&self, column: String) -> Result<Ingested> {
        self.assemble(column, |file, _, index| file.read_cells(&[index]))
    }

    /// Says which columns will be asked for, in that order (a command's sites, `--sites all`,
    /// `flow sites`): [`Export::series`] then reads each with the ones after it, a batch a pass
    /// over each file (about 2 million cells, at most 256 columns), and keeps the others of the
    /// batch until they are asked for (each once; a second ask reads again). Each reads exactly
    /// as it would alone. A wide export (a historian's thousands of tags) is read a few times,
    /// not once a column; some 30 MB more memory than a column at a time on a year of minutes.
    ///
    /// ```
    /// # fn main() -> Result<(), flowcore::CoreError> {
    /// use flowcore::Selector;
    /// let dir = std::env::temp_dir().join(format!("flowcore-ahead-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).map_err(|source| flowcore::CoreError::Io { path: dir.clone(), source })?;
    /// let path = dir.join("export.csv");
    /// let text = "time,dma-a,dma-b\n2022-01-03 00:00,1.5,7\n2022-01-03 01:00,1.25,x\n2022-01-03 02:00,1.0,8\n";
    /// std::fs::write(&path, text).map_err(|source| flowcore::CoreError::Io { path: path.clone(), source })?;
    /// let export = flowcore::Export::open(&path)?;
    /// export.read_ahead(&["dma-a", "dma-b"]);
    /// // `dma-a` is read with `dma-b`, which waits for its ask.
    /// assert_eq!(export.series(Selector::Column("dma-a"))?.series.values, [1.5, 1.25, 1.0]);
    /// assert_eq!(export.series(Selector::Column("dma-b"))?.report.non_numeric_cells, 1);
    /// assert!(matches!(
    ///     export.series(Selector::Column("dma-c")),
    ///     Err(flowcore::CoreError::UnknownColumn { .. })
    /// ));
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok(())
    /// # }
    /// ```
    pub fn read_ahead(&self, columns: &[&str]) {
        let order: Vec<String> = columns
            .iter()
            .filter_map(|name| self.resolve(Selector::Column(name)).ok())
            .collect();
        let per_read = self.columns_a_read();
        if let Ok(mut state) = self.ahead.0.lock() {
            *state = AheadState {
                order,
                per_read,
                read: std::collections::HashMap::new(),
            };
        }
    }

    /// `column` as read with the batch it opens, or read earlier with one; `None` for a column
    /// not said to [`Export::read_ahead`]. One batch is read at a time: a site asking for a
    /// column of the batch being read waits for it.
    fn read_with_its_batch(&self, column: &str) -> Option<Result<Ingested>> {
        // A lock another thread's panic left is not used: the column is read alone.
        let mut state = self.ahead.0.lock().ok()?;
        if let Some(read) = state.read.remove(column) {
            return Some(read);
        }
        let at = state.order.iter().position(|c| c == column)?;
        let batch: Vec<String> = state.order[at..].iter().take(state.per_read.max(1)).cloned().collect();
        let names: Vec<&str> = batch.iter().map(String::as_str).collect();
        let mut read = self.series_of_batch(&names).into_iter();
        let first = read.next();
        for (name, result) in batch.iter().skip(1).zip(read) {
            state.read.insert(name.clone(), result);
        }
        first
    }

    /// How many value columns one read takes: about 2 million cells, polars holding each cell
    /// in 16 bytes or so, and at most 256 columns (each column polars reads costs its own
    /// buffers: 3,000 columns of 300 rows at once took 0.68 GB, 256 at a time 0.23 GB).
    fn columns_a_read(&self) -> usize {
        const CELLS_A_READ: usize = 2 << 20;
        const COLUMNS_A_READ: usize = 256;
        // Every file's cells of a batch are held at once: the rows of all the files count.
        let rows: usize = self
            .files
            .iter()
            .map(|file| file.text.bytes().filter(|&b| b == b'\n').count())
            .sum();
        (CELLS_A_READ / rows.max(1)).clamp(1, COLUMNS_A_READ)
    }

    /// The columns of one batch, each file's cells of them read once.
    fn series_of_batch(&self, batch: &[&str]) -> Vec<Result<Ingested>> {
        let columns: Vec<Result<String>> = batch.iter().map(|name| self.resolve(Selector::Column(name))).collect();
        let mut read = Vec::with_capacity(self.files.len());
        for file in &self.files {
            let indices: Vec<usize> = columns
                .iter()
                .flatten()
                .filter_map(|column| file.value_index(column))
                .collect();
            match file.read_cells(&indices) {
                Ok(cells) => read.push(cells),
                // A file polars cannot read: each column read alone, for its own message.
                Err(_) => {
                    return columns
                        .into_iter()
                        .map(|column| self.series_of_column(column?))
                        .collect()
                }
            }
        }
        columns
            .into_iter()
            .map(|column| self.assemble(column?, |_, position, _| Ok(read[position].clone())))
            .collect()
    }

    /// A column's readings from every file holding it, sorted by time with duplicates resolved;
    /// `cells_of(file, its position, the column's index in it)` gives a file's cells holding the
    /// column, read when the file's turn comes.
    fn assemble(
        &self,
        column: String,
        mut cells_of: impl FnMut(&ExportFile, usize, usize) -> Result<FileCells>,
    ) -> Result<Ingested> {
        let first = self.first();
        let several = self.files.len() > 1;
        // A file without the column (a meter added later) adds no reading: its time is a gap.
        let holding: Vec<(&ExportFile, usize, usize)> = self
            .files
            .iter()
            .enumerate()
            .filter_map(|(position, file)| Some((file, position, file.value_index(&column)?)))
            .collect();
        let mut parts: Vec<Option<Readings>> = Vec::with_capacity(holding.len());
        // Dates a file leaves ambiguous (`03/01/2022` … `09/01/2022`: the month so far, a week)
        // are read in the order another file of the export shows.
        let (mut order, mut ambiguous) = (None, None);
        for &(file, position, index) in &holding {
            let mut part = Readings::default();
            let cells = cells_of(file, position, index)?;
            match file.read_into(&cells, index, several, None, &mut part) {
                Ok(()) => {
                    order = order.or(part.order);
                    parts.push(Some(part));
                }
                Err(error @ CoreError::AmbiguousDateOrder { .. }) if several => {
                    ambiguous.get_or_insert(error);
                    parts.push(None);
                }
                Err(error) => return Err(error),
            }
        }
        let mut r = Readings::default();
        for (&(file, position, index), part) in holding.iter().zip(parts) {
            let part = match (part, order) {
                (Some(part), _) => part,
                (None, Some(order)) => {
                    let mut part = Readings::default();
                    let cells = cells_of(file, position, index)?;
                    file.read_into(&cells, index, several, Some(order), &mut part)?;
                    part
                }
                (None, None) => return Err(ambiguous.unwrap_or(CoreError::NoInput)),
            };
            r.absorb(part);
        }
        if r.rows_read == 0 {
            return Err(CoreError::NoDataRows {
                path: PathBuf::from(self.describe()),
            });
        }
        if r.values.iter().all(|v| v.is_nan()) {
            return Err(CoreError::AllMissing {
                path: PathBuf::from(self.describe()),
                column,
                why: r.why_none(),
                rows: r.rows_read,
            });
        }
        let clock = r.zone.as_deref().and_then(LocalClock::new);
        let repeated = |t: i64| clock.is_some_and(|c| c.is_repeated(t));
        let deduped = sort_and_dedupe(r.timestamps, r.values, repeated);
        let interval = detect_interval(&deduped.timestamps).unwrap_or(Interval::MINUTE);
        let snapped = snap_to_grid(deduped.timestamps, deduped.values, interval);
        let (timestamps, values) = (snapped.timestamps, snapped.values);
        let skipped_local_times = match clock {
            Some(clock) => skipped_times(&timestamps, interval.seconds(), clock),
            None => Vec::new(),
        };
        let series = FlowSeries::new(timestamps, values, interval)?;
        let (series, totaliser) = match crate::totaliser::read_as_flow(&series) {
            Some((flow, report)) => (flow, Some(report)),
            None => (series, None),
        };
        Ok(Ingested {
            series,
            report: IngestReport {
                rows_read: r.rows_read,
                column,
                encoding: first.encoding,
                files: holding.len(),
                blank_cells: r.blank_cells,
                non_numeric_cells: r.non_numeric_cells,
                first_non_numeric: r.first_non_numeric,
                thousands_separated_cells: r.thousands_separated_cells,
                decimal_comma_cells: r.decimal_comma_cells,
                unit_cells: r.unit_cells,
                unit_in_cells: r.unit_in_cells,
                out_of_range_cells: r.out_of_range_cells,
                first_out_of_range: r.first_out_of_range,
                duplicate_timestamps: deduped.duplicates,
                duplicates_differing: deduped.differing,
                reordered: deduped.reordered,
                time_format: r.time_format.unwrap_or_default(),
                time_zone: r.zone,
                repeated_local_times: deduped.repeated,
                skipped_local_times,
                // Only where no zone was named: with one, its repeated hours are averaged.
                zone_repeating_duplicates: clock
                    .is_none()
                    .then(|| crate::clock::zone_repeating(&deduped.duplicated))
                    .flatten()
                    .map(|zone| (zone.to_string(), deduped.duplicated)),
                snapped: snapped.report,
                utc_clock: r.utc_clock,
                totaliser,
                label_rows: r.label_rows,
                first_label_row: r.first_label_row,
                long_rows: r.long_rows,
                first_long_row: r.first_long_row,
            },
        })
    }

    /// The first line (from 1) whose time cell reads as `timestamp`, its file, and the line as
    /// written, for a message about one row (a stray timestamp). It splits every line again:
    /// meant for error paths.
    pub fn line_of_time(&self, timestamp: i64) -> Option<(&Path, usize, String)> {
        self.files.iter().find_map(|file| {
            file.line_of_time(timestamp)
                .map(|(line, text)| (file.path.as_path(), line, text))
        })
    }
}

/// The files to read for the paths given: each file as it is; each folder's files with an export's
/// extension, in name order, with its other files (left aside). A file named twice is read once.
fn export_files(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let (mut files, mut left_aside) = (Vec::new(), Vec::new());
    let mut seen = std::collections::HashSet::new();
    for path in paths {
        if !path.is_dir() {
            // Refused (not found, not a regular file) with its own message when opened.
            if seen.insert(path.canonicalize().unwrap_or_else(|_| path.clone())) {
                files.push(path.clone());
            }
            continue;
        }
        let io = |source| CoreError::Io {
            path: path.clone(),
            source,
        };
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io)?
            .map(|entry| entry.map(|entry| entry.path()))
            .collect::<std::io::Result<_>>()
            .map_err(io)?;
        entries.sort();
        let before = files.len();
        for entry in entries {
            let hidden = entry
                .file_name()
                .is_none_or(|name| name.to_string_lossy().starts_with('.'));
            if hidden || entry.is_dir() {
                continue;
            }
            let is_export = entry
                .extension()
                .is_some_and(|extension| EXPORT_EXTENSIONS.iter().any(|e| extension.eq_ignore_ascii_case(e)));
            if !is_export {
                left_aside.push(entry);
            } else if seen.insert(entry.canonicalize().unwrap_or_else(|_| entry.clone())) {
                files.push(entry);
            }
        }
        if files.len() == before {
            return Err(CoreError::NoExportInFolder {
                path: path.clone(),
                others: list_names(
                    &left_aside
                        .iter()
                        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                        .collect::<Vec<_>>(),
                ),
            });
        }
    }
    Ok((files, left_aside))
}

/// A cell named in a message: its line in its file (from 1, as an editor counts) and the cell as
/// written; the file too when the export is several files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellAt {
    /// The file, when the export is several files.
    pub file: Option<PathBuf>,
    /// The line, from 1.
    pub line: usize,
    /// The cell as written.
    pub text: String,
}

impl std::fmt::Display for CellAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{} ", file.display())?;
        }
        write!(f, "line {} `{}`", self.line, self.text)
    }
}

/// Some columns of one file as polars read them, every cell as text.
#[derive(Clone)]
struct FileCells {
    /// One column a position of `wanted`, in that order.
    frame: DataFrame,
    /// Some line has more fields than the header (read with the extra fields cut).
    ragged: bool,
    /// The columns' positions in the file, ascending.
    wanted: Vec<usize>,
}

/// The readings of one column gathered from an export's files, and what was seen on the way.
#[derive(Default)]
struct Readings {
    timestamps: Vec<i64>,
    values: Vec<f64>,
    rows_read: usize,
    blank_cells: usize,
    non_numeric_cells: usize,
    first_non_numeric: Option<CellAt>,
    thousands_separated_cells: usize,
    decimal_comma_cells: usize,
    unit_cells: usize,
    unit_in_cells: Option<String>,
    out_of_range_cells: usize,
    first_out_of_range: Option<CellAt>,
    label_rows: usize,
    first_label_row: Option<CellAt>,
    long_rows: usize,
    first_long_row: Option<CellAt>,
    /// The first file's.
    time_format: Option<String>,
    /// The first file's.
    zone: Option<String>,
    utc_clock: bool,
    /// The date order the cells showed, where it was found from them (`31/01/2022`).
    order: Option<DateOrder>,
}

impl Readings {
    /// Why a column gave no reading, for its error: a column of numbers beyond ±[`MAX_READING`]
    /// (`9.9e+200`, a historian's fill value) is numbers, and "no numeric value" alone would
    /// send the engineer looking for text that is not there.
    fn why_none(&self) -> String {
        let mut why = Vec::new();
        if let Some(first) = &self.first_out_of_range {
            why.push(format!(
                "{} beyond ±{MAX_READING:e}, taken as data errors (first: {first})",
                self.out_of_range_cells
            ));
        }
        if let Some(first) = &self.first_non_numeric {
            why.push(format!("{} not a number (first: {first})", self.non_numeric_cells));
        }
        if why.is_empty() {
            String::new()
        } else {
            format!(": {}", why.join("; "))
        }
    }

    /// Adds a later file's readings and counts.
    fn absorb(&mut self, other: Readings) {
        if self.timestamps.is_empty() {
            // The first file (the only one, mostly): its readings move, uncopied.
            self.timestamps = other.timestamps;
            self.values = other.values;
        } else {
            self.timestamps.extend(other.timestamps);
            self.values.extend(other.values);
        }
        self.rows_read += other.rows_read;
        self.blank_cells += other.blank_cells;
        self.non_numeric_cells += other.non_numeric_cells;
        self.thousands_separated_cells += other.thousands_separated_cells;
        self.decimal_comma_cells += other.decimal_comma_cells;
        self.unit_cells += other.unit_cells;
        self.unit_in_cells = self.unit_in_cells.take().or(other.unit_in_cells);
        self.out_of_range_cells += other.out_of_range_cells;
        self.label_rows += other.label_rows;
        self.long_rows += other.long_rows;
        self.first_long_row = self.first_long_row.take().or(other.first_long_row);
        self.first_non_numeric = self.first_non_numeric.take().or(other.first_non_numeric);
        self.first_out_of_range = self.first_out_of_range.take().or(other.first_out_of_range);
        self.first_label_row = self.first_label_row.take().or(other.first_label_row);
        if self.time_format.is_none() {
            self.time_format = other.time_format;
            self.zone = other.zone;
        }
        self.utc_clock |= other.utc_clock;
        self.order = self.order.or(other.order);
    }
}

impl ExportFile {
    /// Reads and decodes one file (see [`Export::open`]).
    fn open_as(path: &Path, clock: Checked<ClockSettings>, encoding: Option<TextEncoding>) -> Result<ExportFile> {
        use std::io::Read as _;
        let io = |source| CoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        let metadata = std::fs::metadata(path).map_err(io)?;
        if !metadata.is_file() {
            return Err(CoreError::NotAFile {
                path: path.to_path_buf(),
            });
        }
        if metadata.len() > MAX_INPUT_BYTES {
            return Err(CoreError::TooLarge {
                path: path.to_path_buf(),
                bytes: metadata.len(),
                limit: MAX_INPUT_BYTES,
            });
        }
        let file = std::fs::File::open(path).map_err(io)?;
        let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
        // The file may grow while it is read: never read more than the limit.
        file.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() as u64 > MAX_INPUT_BYTES {
            return Err(CoreError::TooLarge {
                path: path.to_path_buf(),
                bytes: bytes.len() as u64,
                limit: MAX_INPUT_BYTES,
            });
        }
        ExportFile::from_bytes_as(bytes, path, clock, encoding)
    }

    /// Decodes one file's bytes (see [`Export::from_bytes`]).
    fn from_bytes_as(
        bytes: Vec<u8>,
        path: &Path,
        clock: Checked<ClockSettings>,
        encoding: Option<TextEncoding>,
    ) -> Result<ExportFile> {
        let path = path.to_path_buf();
        let (mut text, encoding) = decode_as(bytes, &path, encoding)?;
        if !text.contains('\n') && text.contains('\r') {
            // Classic Mac line endings (CR only): polars and `lines` see one line.
            text = text.replace('\r', "\n");
        }
        // Columns lined up by spaces (a fixed-width export): split with tabs first.
        let space_aligned = match space_aligned(&text) {
            Some((tabbed, layout)) => {
                text = tabbed;
                Some(layout)
            }
            None => None,
        };
        let mut skipped = find_table(&text)
            .or_else(|| without_header(&text))
            .unwrap_or_else(|| SkippedLines {
                header_line: text.lines().position(|line| !line.trim().is_empty()).unwrap_or(0) + 1,
                ..SkippedLines::default()
            });
        if let Some(names) = &skipped.names_given {
            text = format!("{names}\n{text}");
        } else if skipped.header_line > 1 || !skipped.below.is_empty() {
            text = table_text(&text, &skipped);
        }
        skipped.space_aligned = space_aligned;
        let mut line_of_row = None;
        if skipped.names_given.is_none() {
            if let Some((long, across)) = hours_down(&text) {
                text = long;
                skipped.hours_across = Some(across);
            } else if let Some((wide, lines, tags)) = tags_across(&text) {
                text = wide;
                line_of_row = Some(lines);
                skipped.tags_in_rows = Some(tags);
            }
        }
        let mut lines = text.lines().filter(|line| !line.trim().is_empty());
        let header_line = lines.next().ok_or_else(|| CoreError::Empty { path: path.clone() })?;
        let separator = detect_separator(header_line);
        let (header, mut renamed) = unique_headers(split_record(header_line, separator));
        let first_row = lines
            .next()
            .ok_or_else(|| CoreError::NoDataRows { path: path.clone() })?;
        // The time column is among the first fields; a header of millions is not split twice.
        let mut first_cells = split_record_upto(first_row, separator, WIDE_HEADER);
        // A cell past the header's last field is no column (a quote left open in the header line
        // made it one field): a time found there indexed past the header and panicked.
        first_cells.truncate(header.len());
        let time_index = find_time_column(&header, &first_cells).ok_or_else(|| CoreError::NoTimeColumn {
            path: path.clone(),
            header: list_names(&header),
        })?;
        let (time_index, time_of_day_index) = split_date_and_time(&header, &first_cells, time_index);
        let empty = empty_columns(&text, separator, &renamed, header.len());
        renamed.retain(|r| !empty.contains(&(r.column - 1)));
        Ok(ExportFile {
            path,
            text,
            encoding,
            header,
            time_index,
            time_of_day_index,
            clock,
            separator,
            renamed,
            empty,
            line_of_row,
            skipped,
        })
    }

    /// The file's line (from 1) of the text's line `index` (from 0, the header being 0).
    fn file_line(&self, index: usize) -> usize {
        if let Some(rows) = &self.line_of_row {
            return rows.get(index).copied().unwrap_or(index) + self.skipped.header_line;
        }
        match &self.skipped.hours_across {
            // Each row of the report became `hours` lines.
            Some(across) if index > 0 => self.skipped.header_line + (index - 1) / across.hours.max(1) + 1,
            _ => index + self.skipped.header_line,
        }
    }

    /// Of the columns `candidates`, those with a number in some cell.
    fn columns_with_a_number(&self, candidates: &[usize]) -> Vec<usize> {
        let decimal_comma = self.separator != b',';
        columns_where(&self.text, self.separator, candidates, |cell| {
            reads_as_reading(cell, decimal_comma)
        })
    }

    fn value_columns(&self) -> Vec<&str> {
        self.header
            .iter()
            .enumerate()
            .filter(|(i, _)| self.is_value_column(*i))
            .map(|(_, name)| name.as_str())
            .collect()
    }

    /// Neither the time (or the date and time of day) nor an empty column.
    fn is_value_column(&self, index: usize) -> bool {
        !self.is_time_column(index) && !self.empty.contains(&index)
    }

    fn is_time_column(&self, index: usize) -> bool {
        index == self.time_index || Some(index) == self.time_of_day_index
    }

    /// The position of the value column `name`, if this file has it.
    fn value_index(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .filter(|&i| self.is_value_column(i))
    }

    /// The cells of the time column (or the date and time-of-day columns) and of the value
    /// columns at `value_indices`, as text, in one read of the file.
    fn read_cells(&self, value_indices: &[usize]) -> Result<FileCells> {
        let mut wanted: Vec<usize> = [self.time_index]
            .into_iter()
            .chain(self.time_of_day_index)
            .chain(value_indices.iter().copied())
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let (frame, ragged) = self.read_frame(&wanted)?;
        Ok(FileCells { frame, ragged, wanted })
    }

    /// Reads the column at `value_index` from `read` (this file's cells, holding it) into `readings`,
    /// in the file's order; `several`: the export has other files, so a cell named in a message
    /// names this file too. Dates the cells leave ambiguous are read in `order` when given.
    fn read_into(
        &self,
        read: &FileCells,
        value_index: usize,
        several: bool,
        order: Option<DateOrder>,
        readings: &mut Readings,
    ) -> Result<()> {
        let FileCells { frame, ragged, wanted } = read;
        let ragged = *ragged;
        let columns = frame.columns();
        let as_str = |index: usize| {
            wanted
                .iter()
                .position(|&i| i == index)
                .and_then(|position| columns.get(position))
                .and_then(|column| column.str().ok())
                .ok_or_else(|| CoreError::Csv {
                    path: self.path.clone(),
                    message: "polars returned fewer columns than asked".to_string(),
                })
        };
        let dates = as_str(self.time_index)?;
        let cells = as_str(value_index)?;
        let rows = frame.height();
        // A date and a time of day written apart are read as one cell.
        let joined: Option<Vec<Option<String>>> = match self.time_of_day_index {
            Some(index) => Some(
                dates
                    .iter()
                    .zip(as_str(index)?.iter())
                    .map(|(date, time)| join_date_and_time(date, time))
                    .collect(),
            ),
            None => None,
        };
        // The time cells, without copying the column when it is one.
        let times = || match &joined {
            Some(joined) => TimeCells::Joined(joined.iter()),
            None => TimeCells::One(dates.iter()),
        };
        let time_at = |row: usize| match &joined {
            Some(joined) => joined.get(row).and_then(Option::as_deref),
            None => dates.get(row),
        };
        let zone = self
            .clock
            .zone
            .clone()
            .or_else(|| zone_in_header(&self.header[self.time_index]))
            .or_else(|| zone_in_header(&self.header[self.time_of_day_index?]))
            // `2022-01-03 00:00 KST`: the cells name their clock.
            .or_else(|| zone_in_cell(times().flatten().find(|cell| !cell.trim().is_empty())?));
        let (parser, found) = self.parser(times().flatten(), zone.as_deref(), order)?;
        let r = readings;
        r.order = r.order.or(found);
        if r.time_format.is_none() {
            r.time_format = Some(parser.describe());
            r.zone.clone_from(&zone);
        }
        r.utc_clock |= matches!(parser, TimeParser::Epoch { zone: None, .. });
        r.timestamps.reserve(rows);
        r.values.reserve(rows);
        let decimal_comma = self.separator != b',';
        let at = |row: usize, text: &str| CellAt {
            file: several.then(|| self.path.clone()),
            line: self.file_line(row + 1),
            text: text.to_string(),
        };
        if let (count, Some(index)) = if ragged {
            long_rows(&self.text, self.separator, self.header.len())
        } else {
            (0, None)
        } {
            r.long_rows += count;
            let line = self.text.lines().nth(index).unwrap_or_default();
            let shown: String = line.chars().take(80).collect();
            r.first_long_row.get_or_insert_with(|| at(index - 1, &shown));
        }
        let mut rows_read = 0;
        // polars rows follow the text's lines one for one, after the header.
        let bad_time = |row: usize, text: &str| CoreError::BadTimestamp {
            path: self.path.clone(),
            line: self.file_line(row + 1),
            text: text.to_string(),
            expected: match &parser {
                TimeParser::YearFirst => "expected e.g. `2020/01/01 0:00` or `2020-01-01 00:00:00`".to_string(),
                TimeParser::Pattern { pattern, .. } => format!("read with the pattern `{pattern}`"),
                TimeParser::Epoch { .. } => {
                    "read as seconds or milliseconds since 1970, like the first cell".to_string()
                }
                TimeParser::ExcelSerial => {
                    "read as an Excel serial date like the first cell, e.g. `44564.041667`".to_string()
                }
                TimeParser::Offset { .. } => {
                    "read as ISO 8601 with a UTC offset, like the first: `2022-10-30T02:00:00+01:00`".to_string()
                }
            },
        };
        let mut first_label_row = None;
        for (row, (time, cell)) in times().zip(cells.iter()).enumerate() {
            let text = time.map_or("", str::trim);
            if text.is_empty() && cell.is_none_or(|c| c.trim().is_empty()) {
                // polars keeps blank lines as rows of nulls; they are not readings.
                continue;
            }
            let Some(timestamp) = parser.parse(text) else {
                if !text.is_empty() && !text.bytes().any(|b| b.is_ascii_digit()) {
                    // `합계`, `평균`, `Total`: a summary or label row a report puts under (or
                    // between) the readings; no time has no digit. Asked only of cells that fail.
                    r.label_rows += 1;
                    first_label_row.get_or_insert(row);
                    continue;
                }
                return Err(bad_time(row, text));
            };
            rows_read += 1;
            r.timestamps.push(timestamp);
            r.values.push(match cell.map(str::trim) {
                None | Some("") => {
                    r.blank_cells += 1;
                    f64::NAN
                }
                Some(cell) => {
                    let parsed = cell.parse::<f64>().ok().or_else(|| {
                        if let Some(value) = parse_separated(cell, decimal_comma) {
                            if decimal_comma {
                                r.decimal_comma_cells += 1;
                            } else {
                                r.thousands_separated_cells += 1;
                            }
                            return Some(value);
                        }
                        // `100.5 m3/h`: the column's unit in every cell. Another unit in the
                        // same column is another quantity: not read.
                        let (value, unit) = number_with_unit(cell, decimal_comma)?;
                        match &r.unit_in_cells {
                            Some(seen) if !seen.eq_ignore_ascii_case(unit) => return None,
                            Some(_) => {}
                            None => r.unit_in_cells = Some(unit.to_string()),
                        }
                        r.unit_cells += 1;
                        Some(value)
                    });
                    match parsed {
                        Some(value) if value.abs() <= MAX_READING => value,
                        Some(value) if !value.is_nan() => {
                            r.out_of_range_cells += 1;
                            r.first_out_of_range.get_or_insert_with(|| at(row, cell));
                            f64::NAN
                        }
                        _ => {
                            r.non_numeric_cells += 1;
                            r.first_non_numeric.get_or_insert_with(|| at(row, cell));
                            f64::NAN
                        }
                    }
                }
            });
        }
        if rows_read == 0 {
            // Labels only: no summary rows, but times flow cannot read.
            if let Some(row) = first_label_row {
                let text = time_at(row).unwrap_or_default().trim();
                return Err(bad_time(row, text));
            }
            return Err(CoreError::NoDataRows {
                path: self.path.clone(),
            });
        }
        r.rows_read += rows_read;
        if r.first_label_row.is_none() {
            r.first_label_row = first_label_row.map(|row| at(row, time_at(row).unwrap_or_default().trim()));
        }
        Ok(())
    }

    /// The first line of the file (from 1) whose time cell reads as `timestamp`, with
    /// that line as written, for a message about one row (a stray timestamp). It splits every line
    /// again: meant for error paths.
    fn line_of_time(&self, timestamp: i64) -> Option<(usize, String)> {
        self.text.lines().enumerate().skip(1).find_map(|(index, line)| {
            let cells = split_record(line, self.separator);
            let time = match self.time_of_day_index {
                Some(index) => join_date_and_time(
                    cells.get(self.time_index).map(String::as_str),
                    cells.get(index).map(String::as_str),
                )?,
                None => cells.get(self.time_index)?.clone(),
            };
            (parse_timestamp(&time) == Some(timestamp)).then(|| (self.file_line(index), line.trim_end().to_string()))
        })
    }

    /// How this file's time cells are read: the `--time-format` given, else the order the header
    /// or the dates show, else `order` (another file's) when given; with the order the dates
    /// showed, where they showed it.
    fn parser<'a>(
        &self,
        mut cells: impl Iterator<Item = &'a str>,
        zone: Option<&str>,
        order: Option<DateOrder>,
    ) -> Result<(TimeParser, Option<DateOrder>)> {
        use crate::clock::TimeFormat;
        let mut first = || cells.by_ref().map(str::trim).find(|c| !c.is_empty()).unwrap_or("");
        let mut found = None;
        let parser = match &self.clock.format {
            TimeFormat::Pattern(pattern) => TimeParser::pattern(pattern),
            TimeFormat::DayFirst => TimeParser::for_order(DateOrder::DayFirst, first()),
            TimeFormat::MonthFirst => TimeParser::for_order(DateOrder::MonthFirst, first()),
            TimeFormat::Auto => {
                let example = first();
                if let Some((abbreviation, clocks)) = crate::clock::ambiguous_zone_in_cell(example) {
                    return Err(CoreError::AmbiguousZone {
                        path: self.path.clone(),
                        example: example.to_string(),
                        abbreviation: abbreviation.to_string(),
                        clocks,
                    });
                }
                let zone = zone.and_then(|z| z.parse().ok());
                if parse_with_offset(example).is_some() {
                    TimeParser::Offset { zone }
                } else if let Some(numbers) = TimeParser::for_number(example, zone) {
                    numbers
                } else if parse_timestamp(example).is_some() || !looks_like_date(example) {
                    // Year-first, a form a system writes (`03-Jan-2022 00:00:00`), or nothing flow
                    // can guess: the first bad cell gets its line.
                    match TimeParser::YearFirst.parse(example) {
                        Some(_) => TimeParser::YearFirst,
                        None => known_pattern(example).unwrap_or(TimeParser::YearFirst),
                    }
                } else {
                    let header = &self.header[self.time_index];
                    found = DateOrder::infer(header, std::iter::once(example).chain(cells));
                    match found.or(order) {
                        Some(order) => TimeParser::for_order(order, example),
                        None => {
                            return Err(CoreError::AmbiguousDateOrder {
                                path: self.path.clone(),
                                example: example.to_string(),
                            })
                        }
                    }
                }
            }
        };
        Ok((parser, found))
    }

    /// The columns `wanted` (sorted), in that order.
    /// The columns `wanted`, and whether some line has more fields than the header (read again
    /// with the extra fields cut, and then looked for by [`long_rows`]: the strict read costs
    /// nothing on a well-formed export, where a scan of every line cost 34 ms a year's export).
    /// Past [`WIDE_HEADER`] columns only the wanted fields are handed over, so it is not known.
    fn read_frame(&self, wanted: &[usize]) -> Result<(DataFrame, bool)> {
        // A header of thousands of columns would make polars build a schema of every one of them
        // (1.8 GB for 5,000,000): hand it only the columns needed, cut out line by line.
        let narrow;
        let (text, projection) = if self.header.len() > WIDE_HEADER {
            narrow = some_columns(&self.text, wanted, self.separator);
            (narrow.as_str(), (0..wanted.len()).collect())
        } else {
            (self.text.as_str(), wanted.to_vec())
        };
        // Schema inference off: every cell arrives as text, so a stray `-` cannot fail the whole
        // column and each bad cell can be counted.
        let read = |truncate: bool| {
            CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .with_projection(Some(Arc::new(projection.clone())))
                .with_raise_if_empty(false)
                .map_parse_options(|options| {
                    options
                        .with_truncate_ragged_lines(truncate)
                        .with_separator(self.separator)
                })
                .into_reader_with_file_handle(Cursor::new(text.as_bytes()))
                .finish()
        };
        // Any failure of the strict read is tried again as before; only that read's error is said.
        match read(false) {
            Ok(frame) => Ok((frame, false)),
            Err(_) => read(true).map(|frame| (frame, true)).map_err(|error| CoreError::Csv {
                path: self.path.clone(),
                message: error.to_string(),
            }),
        }
    }
}

/// The time cells of a file: one column's, or a date and a time of day joined.
enum TimeCells<'a, One: Iterator<Item = Option<&'a str>>> {
    One(One),
    Joined(std::slice::Iter<'a, Option<String>>),
}

impl<'a, One: Iterator<Item = Option<&'a str>>> Iterator for TimeCells<'a, One> {
    type Item = Option<&'a str>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            TimeCells::One(cells) => cells.next(),
            TimeCells::Joined(cells) => cells.next().map(Option::as_deref),
        }
    }
}

/// The fields at `wanted` (sorted, at least one) of every line, as a CSV of those columns with
/// one line per input line (so line numbers still match the file), quotes and `separator` kept as
/// written. Fields are found by counting separators outside quotes, without allocating the others.
fn some_columns(text: &str, wanted: &[usize], separator: u8) -> String {
    let mut narrow = String::with_capacity(text.len().min(64 << 20));
    let last = wanted.last().copied().unwrap_or(0);
    let mut picked: Vec<&str> = vec![""; wanted.len()];
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        picked.fill("");
        for (field, cell) in raw_fields(line, separator).enumerate().take(last + 1) {
            if let Some(k) = wanted.iter().position(|&w| w == field) {
                picked[k] = cell;
            }
        }
        if !line.trim().is_empty() {
            narrow.push_str(&picked.join(&char::from(separator).to_string()));
        }
        narrow.push('\n');
    }
    narrow
}

/// Reads one series from a file in one call.
pub fn read_series(path: &Path, selector: Selector<'_>) -> Result<Ingested> {
    Export::open(path)?.series(selector)
}

#[cfg(test)]
mod wide_tests {
    use super::some_columns;

    #[test]
    fn columns_are_cut_out_of_wide_lines() {
        let text = "time,a,\"b,c\",d\r\n2021-01-01 00:00,1,\"2,5\",3\n\nshort\n";
        assert_eq!(
            some_columns(text, &[0, 2], b','),
            "time,\"b,c\"\n2021-01-01 00:00,\"2,5\"\n\nshort,\n"
        );
        assert_eq!(some_columns(text, &[1, 3], b','), "a,d\n1,3\n\n,\n");
        assert_eq!(
            some_columns(text, &[0, 1, 3], b','),
            "time,a,d\n2021-01-01 00:00,1,3\n\nshort,,\n"
        );
        // A `;` file keeps its separator: its decimal commas stay inside their cells.
        assert_eq!(some_columns("t;a;b\n1;2,5;3,5\n", &[0, 2], b';'), "t;b\n1;3,5\n");
    }
}

#[cfg(test)]
mod tests;
