//! Reading exports: decode (UTF-8, cp949 or Windows-1252), find the table (under a title, over a
//! units row, with no header, or a daily report's hours across), find the time and value columns,
//! parse with polars; then put a wandering logger clock on its grid and read a register as flow.

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

/// The text encoding a file was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 starting with a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// Windows code page 949 / EUC-KR, what Korean SCADA software and Excel write by default.
    Cp949,
    /// Windows-1252 (Latin-1), what Excel in much of Europe writes (`Portata (m³/h)`, `Qualità`).
    Windows1252,
    /// UTF-16 little-endian: Excel's "Unicode text" (tab-separated), how Korean users save a sheet
    /// so its Hangul survives.
    Utf16Le,
    /// UTF-16 big-endian.
    Utf16Be,
}

impl std::fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Cp949 => "cp949",
            TextEncoding::Windows1252 => "Windows-1252",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
        })
    }
}

impl std::str::FromStr for TextEncoding {
    type Err = CoreError;

    /// `utf-8`, `cp949` (`euc-kr`, `ms949`) or `windows-1252` (`cp1252`, `latin1`, `iso-8859-1`),
    /// in any case.
    fn from_str(name: &str) -> Result<TextEncoding> {
        match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(TextEncoding::Utf8),
            "cp949" | "euc-kr" | "euckr" | "ms949" | "uhc" => Ok(TextEncoding::Cp949),
            "windows-1252" | "cp1252" | "latin1" | "latin-1" | "iso-8859-1" => Ok(TextEncoding::Windows1252),
            "utf-16" | "utf16" | "utf-16le" | "utf16le" | "unicode" => Ok(TextEncoding::Utf16Le),
            "utf-16be" | "utf16be" => Ok(TextEncoding::Utf16Be),
            _ => Err(CoreError::UnknownEncoding { name: name.to_string() }),
        }
    }
}

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

/// Where cp949 decoding of `bytes` first fails, if it does.
fn cp949_error_offset(bytes: &[u8]) -> Option<usize> {
    let mut decoder = encoding_rs::EUC_KR.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(bytes.len() * 2 + 16);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, after) => Some(read - usize::from(bad) - usize::from(after)),
        _ => None,
    }
}

/// Files that are not text but are often given for one: a spreadsheet saved in its own format, or
/// an export still compressed. Told by their first bytes.
const NOT_CSV: [(&[u8], &str, &str); 3] = [
    (
        b"PK\x03\x04",
        "an Excel workbook (.xlsx) or another zip archive",
        "open it and save it as CSV (UTF-8 or cp949), then give that file",
    ),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "an Excel 97–2003 workbook (.xls)",
        "open it and save it as CSV (UTF-8 or cp949), then give that file",
    ),
    (b"\x1F\x8B", "a gzip-compressed file", "decompress it first (gunzip)"),
];

/// Whether the bytes above 127 stand alone, each followed by an ASCII byte, as the accented
/// letters and `°`, `³` of Windows-1252 text do; cp949's Korean comes in pairs of high bytes, so a
/// cp949 file cut in the middle of a character is not taken for Windows-1252.
fn high_bytes_stand_alone(bytes: &[u8]) -> bool {
    let (mut high, mut alone) = (0usize, 0usize);
    for (i, byte) in bytes.iter().enumerate() {
        if *byte >= 0x80 {
            high += 1;
            if bytes.get(i + 1).is_none_or(u8::is_ascii) {
                alone += 1;
            }
        }
    }
    high > 0 && alone * 10 >= high * 9
}

/// Decodes a file's bytes: UTF-8 (with or without BOM) when valid, else cp949, else Windows-1252
/// when its bytes above 127 stand alone (European exports).
///
/// A NUL byte, or bytes valid in none of them, mean the file is not text. The offset reported
/// is where the longer-lived of the UTF-8 and cp949 decodings stopped: for a cp949 file cut in the
/// middle of a character, the cut. A workbook or a compressed file is named as such.
pub fn decode(bytes: Vec<u8>, path: &Path) -> Result<(String, TextEncoding)> {
    if let Some(order) = utf16_order(&bytes) {
        return utf16(&bytes, order, path);
    }
    refuse_non_text(&bytes, path)?;
    let marked = bytes.starts_with(BYTE_ORDER_MARK);
    match utf8(bytes) {
        Ok(found) => Ok(found),
        // A file marked as UTF-8 is not tried as anything else.
        Err((_, offset)) if marked => Err(CoreError::Encoding {
            path: path.to_path_buf(),
            offset,
        }),
        Err((bytes, offset)) => match encoding_rs::EUC_KR.decode_without_bom_handling_and_without_replacement(&bytes) {
            Some(text) => Ok((text.into_owned(), TextEncoding::Cp949)),
            None => neither_utf8_nor_cp949(&bytes, path, offset),
        },
    }
}

/// UTF-8's byte-order mark, which Excel's "CSV UTF-8" starts with.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// The bytes as UTF-8 text, a byte-order mark dropped; else the bytes back with the offset of the
/// first byte UTF-8 does not allow.
fn utf8(bytes: Vec<u8>) -> std::result::Result<(String, TextEncoding), (Vec<u8>, usize)> {
    if let Some(rest) = bytes.strip_prefix(BYTE_ORDER_MARK) {
        return match std::str::from_utf8(rest) {
            Ok(text) => Ok((text.to_string(), TextEncoding::Utf8Bom)),
            Err(error) => {
                let offset = error.valid_up_to() + BYTE_ORDER_MARK.len();
                Err((bytes, offset))
            }
        };
    }
    String::from_utf8(bytes)
        .map(|text| (text, TextEncoding::Utf8))
        .map_err(|error| {
            let offset = error.utf8_error().valid_up_to();
            (error.into_bytes(), offset)
        })
}

/// An empty file, a workbook or compressed file, or one with a NUL byte: no encoding makes text of
/// them.
fn refuse_non_text(bytes: &[u8], path: &Path) -> Result<()> {
    if bytes.is_empty() {
        return Err(CoreError::Empty {
            path: path.to_path_buf(),
        });
    }
    if let Some((_, what, hint)) = NOT_CSV.iter().find(|(magic, _, _)| bytes.starts_with(magic)) {
        return Err(CoreError::NotCsv {
            path: path.to_path_buf(),
            what,
            hint,
        });
    }
    if let Some(offset) = bytes.iter().position(|b| *b == 0) {
        return Err(CoreError::Encoding {
            path: path.to_path_buf(),
            offset,
        });
    }
    Ok(())
}

/// Decodes a file's bytes in the encoding given (`--encoding`), or as [`decode`] finds it when
/// none is: for the file that is valid in two of them (a Windows-1252 `°C` is also a cp949
/// pair) and the engineer knows which.
pub fn decode_as(bytes: Vec<u8>, path: &Path, encoding: Option<TextEncoding>) -> Result<(String, TextEncoding)> {
    let Some(encoding) = encoding else {
        return decode(bytes, path);
    };
    refuse_non_text(&bytes, path)?;
    let wrong = |offset: usize| CoreError::NotInEncoding {
        path: path.to_path_buf(),
        encoding,
        offset,
    };
    match encoding {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => utf8(bytes).map_err(|(_, offset)| wrong(offset)),
        TextEncoding::Cp949 => match encoding_rs::EUC_KR.decode_without_bom_handling_and_without_replacement(&bytes) {
            Some(text) => Ok((text.into_owned(), TextEncoding::Cp949)),
            None => Err(wrong(cp949_error_offset(&bytes).unwrap_or(0))),
        },
        TextEncoding::Windows1252 => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
            Ok((text.into_owned(), TextEncoding::Windows1252))
        }
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => utf16(&bytes, encoding, path).map_err(|error| match error {
            CoreError::NotUtf16 { offset, .. } => wrong(offset),
            other => other,
        }),
    }
}

/// UTF-16 by its byte-order mark (`FF FE`: little-endian, as Excel's "Unicode text" starts), or
/// by the zero bytes of its first two ASCII characters; `None` when the bytes do not start so.
fn utf16_order(bytes: &[u8]) -> Option<TextEncoding> {
    match bytes {
        [0xFF, 0xFE, ..] => Some(TextEncoding::Utf16Le),
        [0xFE, 0xFF, ..] => Some(TextEncoding::Utf16Be),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => Some(TextEncoding::Utf16Le),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => Some(TextEncoding::Utf16Be),
        _ => None,
    }
}

/// Decodes UTF-16 in `order` (a byte-order mark dropped); a malformed pair is named by its byte.
fn utf16(bytes: &[u8], order: TextEncoding, path: &Path) -> Result<(String, TextEncoding)> {
    let (encoding, mark): (&'static encoding_rs::Encoding, &[u8]) = match order {
        TextEncoding::Utf16Be => (encoding_rs::UTF_16BE, b"\xFE\xFF"),
        _ => (encoding_rs::UTF_16LE, b"\xFF\xFE"),
    };
    let body = bytes.strip_prefix(mark).unwrap_or(bytes);
    let skipped = bytes.len() - body.len();
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(body.len())
            .unwrap_or(body.len() * 3 / 2),
    );
    let (result, read) = decoder.decode_to_string_without_replacement(body, &mut text, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, extra) => Err(CoreError::NotUtf16 {
            path: path.to_path_buf(),
            encoding: order,
            // `read` counts the malformed bytes and any read after them.
            offset: skipped + read.saturating_sub(usize::from(bad) + usize::from(extra)),
        }),
        _ => Ok((text, order)),
    }
}

/// A file that is neither UTF-8 nor cp949: Windows-1252 when its high bytes stand alone, else not
/// text. Kept out of [`decode`]'s way (cold): a Korean export never comes here, and with this
/// branch inline its cp949 decoding measured 10 % slower.
#[cold]
#[inline(never)]
fn neither_utf8_nor_cp949(bytes: &[u8], path: &Path, utf8_offset: usize) -> Result<(String, TextEncoding)> {
    if high_bytes_stand_alone(bytes) {
        // Every byte is a character in Windows-1252.
        let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
        return Ok((text.into_owned(), TextEncoding::Windows1252));
    }
    Err(CoreError::Encoding {
        path: path.to_path_buf(),
        offset: utf8_offset.max(cp949_error_offset(bytes).unwrap_or(0)),
    })
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
        let first = self.first();
        let column = self.resolve(selector)?;
        let several = self.files.len() > 1;
        // A file without the column (a meter added later) adds no reading: its time is a gap.
        let holding: Vec<(&ExportFile, usize)> = self
            .files
            .iter()
            .filter_map(|file| Some((file, file.value_index(&column)?)))
            .collect();
        let mut parts: Vec<Option<Readings>> = Vec::with_capacity(holding.len());
        // Dates a file leaves ambiguous (`03/01/2022` … `09/01/2022`: the month so far, a week)
        // are read in the order another file of the export shows.
        let (mut order, mut ambiguous) = (None, None);
        for &(file, index) in &holding {
            let mut part = Readings::default();
            match file.read_into(index, several, None, &mut part) {
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
        for (&(file, index), part) in holding.iter().zip(parts) {
            let part = match (part, order) {
                (Some(part), _) => part,
                (None, Some(order)) => {
                    let mut part = Readings::default();
                    file.read_into(index, several, Some(order), &mut part)?;
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
                snapped: snapped.report,
                utc_clock: r.utc_clock,
                totaliser,
                label_rows: r.label_rows,
                first_label_row: r.first_label_row,
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
    /// The first file's.
    time_format: Option<String>,
    /// The first file's.
    zone: Option<String>,
    utc_clock: bool,
    /// The date order the cells showed, where it was found from them (`31/01/2022`).
    order: Option<DateOrder>,
}

impl Readings {
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
        let first_cells = split_record_upto(first_row, separator, WIDE_HEADER);
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

    /// Reads the column at `value_index` into `readings`, in the file's order; `several`: the
    /// export has other files, so a cell named in a message names this file too.
    /// Dates the cells leave ambiguous are read in `order` when given.
    fn read_into(
        &self,
        value_index: usize,
        several: bool,
        order: Option<DateOrder>,
        readings: &mut Readings,
    ) -> Result<()> {
        let mut wanted: Vec<usize> = [Some(self.time_index), self.time_of_day_index, Some(value_index)]
            .into_iter()
            .flatten()
            .collect();
        wanted.sort_unstable();
        let frame = self.read_frame(&wanted)?;
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
    fn read_frame(&self, wanted: &[usize]) -> Result<DataFrame> {
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
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .with_projection(Some(Arc::new(projection)))
            .with_raise_if_empty(false)
            .map_parse_options(|options| options.with_truncate_ragged_lines(true).with_separator(self.separator))
            .into_reader_with_file_handle(Cursor::new(text.as_bytes()))
            .finish()
            .map_err(|error| CoreError::Csv {
                path: self.path.clone(),
                message: error.to_string(),
            })
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

/// Characters that group digits in threes besides the comma and the point: a space, the no-break
/// and narrow no-break spaces French and ISO style put there (`1 234,5`), Switzerland's `'`.
const GROUP_MARKS: [char; 4] = [' ', '\u{a0}', '\u{202f}', '\''];

/// A cell with its quotes and the spaces around it aside.
fn bare(cell: &str) -> &str {
    cell.trim().trim_matches('"').trim()
}

/// Whether a cell (its quotes and spaces aside) is a number as [`Export::series`] reads one: plain,
/// or with thousands separators, or in a file not split by `,` (`decimal_comma`) with a decimal
/// comma.
pub(crate) fn reads_as_number(cell: &str, decimal_comma: bool) -> bool {
    let cell = bare(cell);
    !cell.is_empty()
        && (cell.parse::<f64>().is_ok_and(f64::is_finite) || parse_separated(cell, decimal_comma).is_some())
}

/// Whether a cell is a reading [`Export::series`] reads: a number ([`reads_as_number`]), or a
/// number with its unit after it (`100.5 m3/h`). A name like `3B` is one of those, so names (of
/// meters in a row-per-meter export) are told from numbers by [`reads_as_number`] alone.
pub(crate) fn reads_as_reading(cell: &str, decimal_comma: bool) -> bool {
    reads_as_number(cell, decimal_comma) || number_with_unit(bare(cell), decimal_comma).is_some()
}

/// A number with separators as the file writes them: a decimal comma in a file not split by `,`
/// (`decimal_comma`), else thousands separators.
fn parse_separated(cell: &str, decimal_comma: bool) -> Option<f64> {
    if decimal_comma {
        parse_decimal_comma(cell)
    } else {
        parse_thousands(cell)
    }
}

/// Words a historian or a Korean SCADA report writes after a number for its quality or state, not
/// its unit (`12.3 Bad`, `12.3 이상`): such a cell is not read as a reading.
const QUALITY_WORDS: [&str; 20] = [
    "bad",
    "good",
    "uncertain",
    "questionable",
    "invalid",
    "error",
    "err",
    "fail",
    "failed",
    "stale",
    "offline",
    "comm",
    "nan",
    "na",
    // 정상 normal, 이상 abnormal, 불량 faulty, 점검 under inspection, 오류 error, 결측 missing.
    "정상",
    "이상",
    "불량",
    "점검",
    "오류",
    "결측",
];

/// A number followed by its unit (`100.5 m3/h`, `3.2bar`, `12,5 l/s` with a decimal comma,
/// `1,234.5 ㎥/h`, `85 %`, `12 ℃`): the number and the unit. The unit begins with a letter or a
/// unit sign and holds only letters, digits, `/`, `.`, `·`, `²`, `³`, `°`, `%` and the CJK unit
/// signs (`㎥`); a quality word (`Bad`) is not a unit.
pub(crate) fn number_with_unit(cell: &str, decimal_comma: bool) -> Option<(f64, &str)> {
    let unit_sign = |c: char| {
        c.is_alphabetic() || matches!(c, '%' | '°' | '℃' | 'µ' | 'ℓ') || ('\u{3380}'..='\u{33ff}').contains(&c)
    };
    let start = cell.find(unit_sign)?;
    let (number, unit) = (cell[..start].trim_end(), cell[start..].trim());
    let unit_char = |c: char| unit_sign(c) || c.is_ascii_digit() || matches!(c, '/' | '.' | '·' | '²' | '³' | '-');
    if number.is_empty() || unit.chars().count() > 12 || !unit.chars().all(unit_char) {
        return None;
    }
    if QUALITY_WORDS.iter().any(|word| unit.eq_ignore_ascii_case(word)) {
        return None;
    }
    let value = number
        .parse::<f64>()
        .ok()
        .or_else(|| parse_separated(number, decimal_comma))?;
    value.is_finite().then_some((value, unit))
}

/// A number written with thousands separators as spreadsheets export it (`1,234`, `-12,345.5`,
/// `1 234.5`, `1'234`): groups of exactly three digits after the first, so a decimal comma (`1,5`)
/// is not misread.
fn parse_thousands(cell: &str) -> Option<f64> {
    parse_grouped(
        cell,
        '.',
        &[',', GROUP_MARKS[0], GROUP_MARKS[1], GROUP_MARKS[2], GROUP_MARKS[3]],
    )
}

/// A number written with a decimal comma (`5,36`, `-0,5`, `1.234,5`, `1 234,5`; dots or spaces
/// group thousands in threes), as spreadsheets in much of Europe save it.
fn parse_decimal_comma(cell: &str) -> Option<f64> {
    parse_grouped(cell, ',', &['.', GROUP_MARKS[0], GROUP_MARKS[1], GROUP_MARKS[2]])
}

/// A number with the decimal mark `decimal` and digits grouped in threes by any of `groups`; it
/// must hold the mark or a group separator (a plain number is read before this is asked).
fn parse_grouped(cell: &str, decimal: char, groups: &[char]) -> Option<f64> {
    let (sign, unsigned) = match cell.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", cell),
    };
    let (whole, fraction) = match unsigned.split_once(decimal) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = whole.split(|c| groups.contains(&c)).collect();
    let (first, rest) = parts.split_first()?;
    let grouped = rest.is_empty() || (first.len() <= 3 && rest.iter().all(|g| g.len() == 3 && digits(g)));
    if !(digits(first) && grouped && fraction.is_none_or(digits)) || (rest.is_empty() && fraction.is_none()) {
        return None;
    }
    format!("{sign}{}.{}", parts.concat(), fraction.unwrap_or("0"))
        .parse()
        .ok()
}

/// Rows sorted by time with one reading per timestamp.
struct Deduped {
    timestamps: Vec<i64>,
    values: Vec<f64>,
    duplicates: usize,
    /// Duplicates whose number differed from the one they replaced (a re-send's correction, or
    /// two files that disagree), not the same reading twice.
    differing: usize,
    reordered: bool,
    repeated: Vec<i64>,
}

/// Sorts rows by time (stable) and keeps one reading per timestamp: the last finite one, except
/// at a wall-clock time the local clock shows twice (`repeated`), whose readings are two different
/// hours of flow and are averaged.
fn sort_and_dedupe(timestamps: Vec<i64>, values: Vec<f64>, repeated: impl Fn(i64) -> bool) -> Deduped {
    let sorted_strictly = timestamps.windows(2).all(|pair| pair[0] < pair[1]);
    if sorted_strictly {
        return Deduped {
            timestamps,
            values,
            duplicates: 0,
            differing: 0,
            reordered: false,
            repeated: Vec::new(),
        };
    }
    let reordered = !timestamps.windows(2).all(|pair| pair[0] <= pair[1]);
    let mut order: Vec<usize> = (0..timestamps.len()).collect();
    order.sort_by_key(|&i| timestamps[i]);
    let mut kept_times: Vec<i64> = Vec::with_capacity(timestamps.len());
    let mut kept_values: Vec<f64> = Vec::with_capacity(timestamps.len());
    // Sum and count of the finite readings of the current timestamp, for averaging.
    let (mut sum, mut count) = (0.0, 0usize);
    let (mut duplicates, mut differing) = (0, 0);
    let mut repeated_times = Vec::new();
    for i in order {
        let (time, value) = (timestamps[i], values[i]);
        if kept_times.last() == Some(&time) {
            let Some(last) = kept_values.last_mut() else { continue };
            if repeated(time) {
                if repeated_times.last() != Some(&time) {
                    repeated_times.push(time);
                }
                if value.is_finite() {
                    sum += value;
                    count += 1;
                    *last = sum / count as f64;
                }
            } else {
                duplicates += 1;
                if value.is_finite() {
                    if last.is_finite() && *last != value {
                        differing += 1;
                    }
                    *last = value;
                }
            }
        } else {
            kept_times.push(time);
            kept_values.push(value);
            (sum, count) = if value.is_finite() { (value, 1) } else { (0.0, 0) };
        }
    }
    Deduped {
        timestamps: kept_times,
        values: kept_values,
        duplicates,
        differing,
        reordered,
        repeated: repeated_times,
    }
}

/// A series moved onto its interval's grid.
struct Snapped {
    timestamps: Vec<i64>,
    values: Vec<f64>,
    report: SnapReport,
}

/// The farthest a reading is moved onto its grid: a logger's clock wanders by seconds, a few
/// minutes at most; a daily reading taken at 18:00 is no midnight reading.
const MAX_SNAP_SECONDS: i64 = 5 * 60;

/// Moves each reading within a quarter of `step` (and [`MAX_SNAP_SECONDS`]) of a grid point (a
/// multiple of `step` from midnight) onto it, averaging readings that meet there — when the clock wanders *either side*
/// of the grid: some readings come just before a grid point, and no more of them than at or just
/// after one. Without this, `10:59:58` falls in the 10:00 bucket, 11:00 has no reading, and a
/// quarter of an hourly file's buckets are gaps filled by guesswork. Readings stamped mostly just
/// before the grid (`23:59:59` for the day ending then) stay in the bucket they name, and readings
/// on the grid never move.
fn snap_to_grid(timestamps: Vec<i64>, values: Vec<f64>, interval: Interval) -> Snapped {
    let step = interval.seconds();
    let tolerance = (step / 4).min(MAX_SNAP_SECONDS);
    // The move that puts a reading on its nearest grid point, when within the tolerance.
    let shift = |t: i64| {
        let offset = t.rem_euclid(step);
        if offset <= tolerance {
            Some(-offset)
        } else if step - offset <= tolerance {
            Some(step - offset)
        } else {
            None
        }
    };
    let (mut early, mut on_or_after) = (0usize, 0usize);
    for &t in &timestamps {
        match shift(t) {
            Some(s) if s > 0 => early += 1,
            Some(_) => on_or_after += 1,
            None => {}
        }
    }
    if tolerance == 0 || early == 0 || early > on_or_after {
        return Snapped {
            timestamps,
            values,
            report: SnapReport::default(),
        };
    }
    let mut report = SnapReport {
        grid: Some(interval),
        ..SnapReport::default()
    };
    let mut kept_times: Vec<i64> = Vec::with_capacity(timestamps.len());
    let mut kept_values: Vec<f64> = Vec::with_capacity(values.len());
    // Sum and count of the finite readings that met at the last kept time.
    let (mut sum, mut count) = (0.0, 0usize);
    for (t, value) in timestamps.into_iter().zip(values) {
        let moved = shift(t).unwrap_or(0);
        if moved != 0 {
            report.moved += 1;
            report.largest_seconds = report.largest_seconds.max(moved.abs());
        }
        // Moving towards the nearest grid point keeps the order: a reading between a moved one and
        // its grid point would have moved there too. So readings that meet are neighbours.
        let time = t + moved;
        match kept_values.last_mut() {
            Some(last) if kept_times.last() == Some(&time) => {
                report.merged += 1;
                if value.is_finite() {
                    sum += value;
                    count += 1;
                    *last = sum / count as f64;
                }
            }
            _ => {
                kept_times.push(time);
                kept_values.push(value);
                (sum, count) = if value.is_finite() { (value, 1) } else { (0.0, 0) };
            }
        }
    }
    Snapped {
        timestamps: kept_times,
        values: kept_values,
        report,
    }
}

/// The wall-clock times in the gaps of `timestamps` (at `step` seconds) that `clock` never shows.
/// Only gaps of up to a day are walked: a spring change is one hour.
fn skipped_times(timestamps: &[i64], step: i64, clock: LocalClock) -> Vec<i64> {
    let mut skipped = Vec::new();
    for pair in timestamps.windows(2) {
        let gap = pair[1] - pair[0];
        if gap > step && gap <= crate::time::DAY && step > 0 {
            let mut time = pair[0] + step;
            while time < pair[1] {
                if clock.is_skipped(time) {
                    skipped.push(time);
                }
                time += step;
            }
        }
    }
    skipped
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
mod tests {
    use super::*;
    use crate::sites::find_site;

    /// A cell of a one-file export, for a message.
    fn cell_at(line: usize, text: &str) -> Option<CellAt> {
        Some(CellAt {
            file: None,
            line,
            text: text.to_string(),
        })
    }

    fn export(text: &[u8]) -> Result<Export> {
        Export::from_bytes(text.to_vec(), Path::new("test.csv"))
    }

    /// The `flow` column of `text`, its local clock that of `zone` when given.
    fn read_in_zone(text: &[u8], zone: Option<&str>) -> Ingested {
        let clock = ClockSettings {
            zone: zone.map(str::to_string),
            ..ClockSettings::default()
        }
        .check()
        .unwrap();
        Export::from_bytes_with(text.to_vec(), Path::new("t.csv"), clock)
            .unwrap()
            .series(Selector::Column("flow"))
            .unwrap()
    }

    /// Hand-checked: hourly readings up to 40 s either side of the hour. `10:59:40` and `11:00:20`
    /// both move to 11:00 and are averaged; `13:20` is a quarter-hour past no grid point's reach
    /// (20 min > 15) and stays; readings on the hour do not move.
    #[test]
    fn a_wandering_clock_is_moved_onto_the_hour() {
        let h = 3_600;
        let times = vec![
            10 * h,
            11 * h - 20,
            11 * h + 20,
            12 * h + 40,
            13 * h + 1_200,
            14 * h - 5,
        ];
        let values = vec![1.0, 2.0, 4.0, 5.0, 6.0, f64::NAN];
        let snapped = snap_to_grid(times, values, Interval::HOURLY);
        assert_eq!(snapped.timestamps, [10 * h, 11 * h, 12 * h, 13 * h + 1_200, 14 * h]);
        assert_eq!(snapped.values[..4], [1.0, 3.0, 5.0, 6.0]);
        assert!(snapped.values[4].is_nan());
        assert_eq!(
            snapped.report,
            SnapReport {
                grid: Some(Interval::HOURLY),
                moved: 4,
                largest_seconds: 40,
                merged: 1
            }
        );
    }

    /// Daily readings taken early in the morning and a few in the evening (a meter read by hand)
    /// stay in their day: an evening is hours from midnight, not a clock's seconds. (Within a
    /// quarter day alone, the 20:00 readings went to the next midnight.)
    #[test]
    fn daily_readings_hours_off_midnight_are_not_moved() {
        let day = 86_400;
        let times: Vec<i64> = (0..10)
            .map(|d| d * day + if d % 3 == 0 { 20 * 3_600 } else { 5 * 3_600 })
            .collect();
        let snapped = snap_to_grid(times.clone(), vec![1.0; 10], Interval::DAILY);
        assert_eq!(snapped.timestamps, times);
        assert_eq!(snapped.report.moved, 0);
    }

    /// Readings stamped just before the grid, every one (`23:59:59` for the day that ends, or the
    /// hour's mean at `10:59:59`), keep the bucket they name; a file on the grid is left as it is.
    #[test]
    fn readings_stamped_at_the_end_of_their_period_are_not_moved() {
        let h = 3_600;
        let end_stamped: Vec<i64> = (1..=48).map(|k| k * h - 1).collect();
        let snapped = snap_to_grid(end_stamped.clone(), vec![1.0; 48], Interval::HOURLY);
        assert_eq!(snapped.timestamps, end_stamped);
        assert_eq!(snapped.report, SnapReport::default());
        let on_grid: Vec<i64> = (0..48).map(|k| k * h).collect();
        assert_eq!(
            snap_to_grid(on_grid.clone(), vec![1.0; 48], Interval::HOURLY).timestamps,
            on_grid
        );
    }

    /// A SCADA logger whose clock wanders ±40 s around the hour reads as the same hourly series
    /// as its clean twin, with the move said; before, its interval was taken for a minute, and a
    /// quarter of its hours were empty buckets.
    #[test]
    fn a_file_from_a_wandering_clock_reads_like_its_clean_twin() {
        let jitter = [0, 38, -25, 12, -40, 3, 0, -7, 29, -33];
        let (mut clean, mut wandering) = (String::from("time,flow\n"), String::from("time,flow\n"));
        for hour in 0..72 {
            let at = crate::time::parse_timestamp("2022-03-01").unwrap() + hour * 3_600;
            let value = 10.0 + (hour % 24) as f64;
            clean.push_str(&format!("{},{value}\n", crate::time::format_timestamp(at)));
            let off = at + jitter[hour as usize % jitter.len()];
            wandering.push_str(&format!("{},{value}\n", crate::time::format_timestamp(off)));
        }
        let read = |text: &str| {
            export(text.as_bytes())
                .unwrap()
                .series(Selector::Column("flow"))
                .unwrap()
        };
        let (clean, wandering) = (read(&clean), read(&wandering));
        assert_eq!(wandering.series, clean.series);
        assert_eq!(wandering.series.interval, Interval::HOURLY);
        // Of each ten hours, two are on the hour (offsets 0): 72 − 8 − 7 = 57 moved.
        assert_eq!(wandering.report.snapped.moved, 57);
        assert_eq!(wandering.report.snapped.largest_seconds, 40);
        assert_eq!(clean.report.snapped, SnapReport::default());
    }

    /// SCADA report exports put a title and the export time above the table and units under its
    /// header: the table is found (the same series as the bare file), what was skipped is kept for
    /// the message, and a bad cell is still named by its line in the file.
    #[test]
    fn a_title_above_the_header_and_units_under_it_are_skipped() {
        let rows = "2022-01-03 00:00,5.5\n2022-01-03 01:00,6.0\n2022-01-03 02:00,7.5\n";
        let bare = export(format!("time,flow\n{rows}").as_bytes()).unwrap();
        let report = format!(
            "장명 배수지 유량 보고서\n출력일시,2022-03-14 09:00\n\ntime,flow\n,m3/h\n{rows}2022-01-03 03:00,-\n"
        );
        let titled = export(report.as_bytes()).unwrap();
        assert_eq!(
            titled.skipped_lines(),
            &SkippedLines {
                header_line: 4,
                names_given: None,
                above: vec![
                    "장명 배수지 유량 보고서".to_string(),
                    "출력일시,2022-03-14 09:00".to_string()
                ],
                below: vec![(5, ",m3/h".to_string())],
                hours_across: None,
                space_aligned: None,
                tags_in_rows: None,
            }
        );
        let (bare, titled) = (
            bare.series(Selector::Column("flow")).unwrap(),
            titled.series(Selector::Column("flow")).unwrap(),
        );
        assert_eq!(titled.series.values[..3], bare.series.values[..]);
        assert_eq!(titled.report.rows_read, 4);
        assert_eq!(titled.report.first_non_numeric, cell_at(9, "-"));
        // A bad time is named by its line in the file too.
        let bad = export(b"Title\ntime,flow\n2022-01-03 00:00,1\n2022-01-03 01:00,2\n2022-13-03 02:00,3\n").unwrap();
        let error = bad.series(Selector::Column("flow")).unwrap_err();
        assert!(matches!(&error, CoreError::BadTimestamp { line: 5, .. }), "{error}");
    }

    /// A daily report's subtotal between days and its totals at the end are not readings: skipped,
    /// counted, the first named by its line; a file of labels only still names its first cell.
    #[test]
    fn summary_rows_are_skipped_and_counted() {
        let text =
            "time,flow\n2022-01-03 00:00,5\n2022-01-03 12:00,7\n소계,12\n2022-01-04 00:00,6\n합계,18\nAverage,6\n";
        let read = export(text.as_bytes())
            .unwrap()
            .series(Selector::Column("flow"))
            .unwrap();
        assert_eq!(read.series.values, [5.0, 7.0, 6.0]);
        assert_eq!(read.report.rows_read, 3);
        assert_eq!(read.report.label_rows, 3);
        assert_eq!(read.report.first_label_row, cell_at(4, "소계"));
        let words = export(b"time,flow\nfirst of May,1\nsecond of May,2\n").unwrap();
        let error = words.series(Selector::Column("flow")).unwrap_err();
        assert!(
            matches!(&error, CoreError::BadTimestamp { line: 2, text, .. } if text == "first of May"),
            "{error}"
        );
    }

    /// Dates and times of day in two columns, as Korean daily reports (`날짜,시간`, with a
    /// subtotal row a day) and European spreadsheets (`Data;Ora;Portata`, day-first, decimal
    /// commas) write them: read together, the same series as one time column. Before, `시간` was
    /// taken for the time and refused (`00:00` is no timestamp), and in `date,time` the date
    /// column was: every reading of a day at midnight, the last one kept.
    #[test]
    fn dates_and_times_of_day_in_two_columns_are_read_together() {
        let one =
            export(b"time,flow\n2022-01-13 00:00,5\n2022-01-13 01:00,6\n2022-01-13 13:00,7\n2022-01-14 00:00,8\n")
                .unwrap()
                .series(Selector::Column("flow"))
                .unwrap();
        let korean = export(
            "날짜,시간,유량\n2022-01-13,00:00,5\n2022-01-13,01:00,6\n2022-01-13,오후 1:00:00,7\n2022-01-13,소계,18\n2022-01-14,00:00,8\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(korean.date_and_time_columns(), Some(("날짜", "시간")));
        assert_eq!(korean.value_columns(), ["유량"]);
        let korean = korean.series(Selector::Only).unwrap();
        assert_eq!(korean.series, one.series);
        assert_eq!(korean.report.first_label_row, cell_at(5, "소계"));
        // A report numbering its hours to 24:00, the end of the day.
        let to_24 = export(b"date,hour,flow\n2022-01-13,24:00,8\n2022-01-13,01:00,6\n").unwrap();
        assert_eq!(to_24.date_and_time_columns(), Some(("date", "hour")));
        let to_24 = to_24.series(Selector::Column("flow")).unwrap();
        assert_eq!(to_24.series.timestamps[1], one.series.timestamps[3]);
        let italian = export(
            b"Data;Ora;Portata\n13/01/2022;00:00;5,0\n13/01/2022;01:00;6\n13/01/2022;13:00;7\n14/01/2022;00:00;8\n",
        )
        .unwrap()
        .series(Selector::Column("Portata"))
        .unwrap();
        assert_eq!(italian.series, one.series);
        // A date with its time left blank is named, not read as midnight.
        let blank = export(b"date,time,flow\n2022-01-13,00:00,5\n2022-01-13,,6\n").unwrap();
        let error = blank.series(Selector::Column("flow")).unwrap_err();
        assert!(matches!(&error, CoreError::BadTimestamp { line: 3, .. }), "{error}");
        // A daily file whose other column holds a time of day under a header that is not a time's
        // (a peak's time, beside the date or not) keeps its date alone.
        let daily = export(b"date,flow,peak,peak time\n2022-01-13,5,9,14:35\n2022-01-14,6,8,15:10\n").unwrap();
        assert_eq!(daily.date_and_time_columns(), None);
        let peak = export(b"Date,Peak time,Flow\n2022-01-13,14:35,9\n").unwrap();
        assert_eq!(peak.date_and_time_columns(), None);
        let beside = export(b"Date,Time (KST),flow\n2022-01-13,14:35,9\n").unwrap();
        assert_eq!(beside.date_and_time_columns(), Some(("Date", "Time (KST)")));
    }

    /// A Korean daily report (일보): a day a row, 1시 to 24시 across, a total column and a total
    /// row. Read as one hourly column, 24시 being the next midnight: the same series as the file
    /// written a reading a line. A bad cell is named by the report's line.
    #[test]
    fn a_report_with_its_hours_across_is_read_an_hour_a_line() {
        let hours: Vec<String> = (1..=24).map(|h| format!("{h}시")).collect();
        let day = |date: &str, base: usize| {
            // A daily cycle: up and down, as flow goes (a rise every hour would be a register).
            let cells: Vec<String> = (1..=24).map(|h| (base + h * 7 % 24).to_string()).collect();
            format!(
                "{date},{},{}\n",
                cells.join(","),
                (1..=24).map(|h| base + h * 7 % 24).sum::<usize>()
            )
        };
        let report = format!(
            "장명 유량 일보\n일자,{},합계\n{}{}합계,{},9999\n",
            hours.join(","),
            day("2022-01-03", 100),
            day("2022-01-04", 200),
            vec![""; 24].join(",")
        );
        let mut long = String::from("time,flow\n");
        for (date, base) in [("2022-01-03", 100), ("2022-01-04", 200)] {
            let start = crate::time::parse_timestamp(date).unwrap();
            for h in 1..=24 {
                let value = base + h as usize * 7 % 24;
                long.push_str(&format!(
                    "{},{value}\n",
                    crate::time::format_timestamp(start + h * 3_600)
                ));
            }
        }
        let read = export(report.as_bytes()).unwrap();
        let across = read.skipped_lines().hours_across.clone().unwrap();
        assert_eq!(
            (across.hours, across.first_hour.as_str(), across.last_hour.as_str()),
            (24, "1시", "24시")
        );
        assert_eq!(
            (across.other_columns, across.summary_rows),
            (vec!["합계".to_string()], 1)
        );
        let series = read.series(Selector::Only).unwrap();
        let expected = export(long.as_bytes()).unwrap().series(Selector::Only).unwrap();
        assert_eq!(series.series, expected.series);
        assert_eq!(series.report.rows_read, 48);
        let bad = report.replace("2022-01-04,", "2022-13-04,");
        let error = export(bad.as_bytes()).unwrap().series(Selector::Only).unwrap_err();
        assert!(matches!(&error, CoreError::BadTimestamp { line: 4, .. }), "{error}");
        // Fewer than twelve hour columns: an ordinary table.
        let few = export(b"date,1h,2h,3h\n2022-01-03,1,2,3\n").unwrap();
        assert!(few.skipped_lines().hours_across.is_none());
        // Fourteen meters under their tag numbers, read daily: no hours, unlike a day of `1`…`24`.
        let tags: Vec<String> = (1..=14).map(|k| k.to_string()).collect();
        let meters = export(format!("date,{}\n2022-01-03,{}\n", tags.join(","), tags.join(",")).as_bytes()).unwrap();
        assert!(meters.skipped_lines().hours_across.is_none());
        assert_eq!(meters.value_columns().len(), 14);
        let day: Vec<String> = (1..=24).map(|k| k.to_string()).collect();
        let bare = export(format!("date,{}\n2022-01-03,{}\n", day.join(","), day.join(",")).as_bytes()).unwrap();
        assert_eq!(bare.skipped_lines().hours_across.as_ref().map(|a| a.hours), Some(24));
    }

    /// A logger's dump with no header: read with names given, no reading lost; a malformed row
    /// further down is not taken for a header (the rows above it are shaped like readings).
    #[test]
    fn a_file_without_a_header_is_read_from_its_first_line() {
        let text = b"2022-01-03 00:00,5.5\n2022-01-03 01:00,6.0\n2022-13-03 02:00,7.5\n2022-01-03 03:00,8\n";
        let read = export(text).unwrap();
        assert_eq!(read.skipped_lines().names_given.as_deref(), Some("time,column 2"));
        assert_eq!(read.value_columns(), ["column 2"]);
        let error = read.series(Selector::Only).unwrap_err();
        assert!(matches!(&error, CoreError::BadTimestamp { line: 3, .. }), "{error}");
        let good = export(b"2022-01-03 00:00;5,5\n2022-01-03 01:00;6,0\n").unwrap();
        assert_eq!(good.series(Selector::Only).unwrap().series.values, [5.5, 6.0]);
    }

    /// A historian's export in seconds since 1970 across the autumn change, with the zone: read as
    /// the same readings written on Rome's clock (the two 02:00 readings averaged). Without a zone
    /// it is on the UTC clock, and the report says so.
    #[test]
    fn epoch_seconds_read_like_the_local_clock() {
        // 2022-10-29 23:00 UTC is 01:00 CEST; then 02:00 CEST, 02:00 CET, 03:00 CET.
        let epoch = b"time,flow\n1667084400,1\n1667088000,2\n1667091600,4\n1667095200,5\n";
        let local = b"time,flow\n2022-10-30 01:00,1\n2022-10-30 02:00,2\n2022-10-30 02:00,4\n2022-10-30 03:00,5\n";
        let (from_epoch, as_local) = (
            read_in_zone(epoch, Some("Europe/Rome")),
            read_in_zone(local, Some("Europe/Rome")),
        );
        assert_eq!(from_epoch.series, as_local.series);
        assert!(!from_epoch.report.utc_clock);
        let utc = read_in_zone(epoch, None);
        assert!(utc.report.utc_clock);
        assert_eq!(
            utc.series.timestamps[0],
            crate::time::parse_timestamp("2022-10-29 23:00").unwrap()
        );
    }

    /// A historian's export in UTC offsets across the autumn change (Rome: 03:00 CEST → 02:00 CET,
    /// so 02:00 is shown twice): with the zone, read exactly as the same readings written on the
    /// local clock; without one, at each cell's own wall time. InfluxDB's `_time` is a time column.
    #[test]
    fn times_with_utc_offsets_read_like_the_local_clock() {
        let offsets = b"_time,flow\n2022-10-30T01:00:00+02:00,1\n2022-10-30T02:00:00+02:00,2\n\
2022-10-30T02:00:00+01:00,4\n2022-10-30T03:00:00+01:00,5\n";
        let local = b"time,flow\n2022-10-30 01:00,1\n2022-10-30 02:00,2\n2022-10-30 02:00,4\n2022-10-30 03:00,5\n";
        let (with_offsets, as_local) = (
            read_in_zone(offsets, Some("Europe/Rome")),
            read_in_zone(local, Some("Europe/Rome")),
        );
        assert_eq!(with_offsets.series, as_local.series);
        assert_eq!(
            with_offsets.series.values,
            [1.0, 3.0, 5.0],
            "the two 02:00 readings averaged"
        );
        assert_eq!(
            with_offsets.report.repeated_local_times,
            as_local.report.repeated_local_times
        );
        assert_eq!(with_offsets.report.time_format, "ISO 8601 with UTC offsets");
        // The same instants written in UTC, on the clock of Rome.
        let utc = b"_time,flow\n2022-10-29T23:00:00Z,1\n2022-10-30T00:00:00Z,2\n2022-10-30T01:00:00Z,4\n2022-10-30T02:00:00Z,5\n";
        assert_eq!(read_in_zone(utc, Some("Europe/Rome")).series, as_local.series);
        // No zone: each cell's wall time, and a second reading at one time replaces the first.
        let own = read_in_zone(offsets, None);
        assert_eq!(own.series.values, [1.0, 4.0, 5.0]);
        assert_eq!(own.report.duplicate_timestamps, 1);
    }

    /// Korean Excel saves times as it shows them, `2021-01-04 오후 3:00:00`: read as the same
    /// readings on a 24-hour clock, with no header naming the time column.
    #[test]
    fn korean_twelve_hour_times_read_as_24_hour_ones() {
        let mut twelve = String::from("일자,유량\n");
        let mut plain = String::from("time,유량\n");
        for hour in 0..24 {
            let (marker, shown) = match hour {
                0 => ("오전", 12),
                1..=11 => ("오전", hour),
                12 => ("오후", 12),
                _ => ("오후", hour - 12),
            };
            twelve.push_str(&format!("2021-01-04 {marker} {shown}:00:00,{}\n", 100 + hour));
            plain.push_str(&format!("2021-01-04 {hour:02}:00:00,{}\n", 100 + hour));
        }
        let (bytes, _, _) = encoding_rs::EUC_KR.encode(&twelve);
        let read = |bytes: &[u8]| export(bytes).unwrap().series(Selector::Column("유량")).unwrap().series;
        assert_eq!(read(&bytes), read(plain.as_bytes()));
    }

    #[test]
    fn repeated_and_blank_headers_get_names_of_their_own() {
        let text = b"time,DMA 1, DMA 1 ,,column 4,DMA 1\n2021-01-01 00:00,1,2,3,4,5\n2021-01-01 01:00,1,,3,4,5\n";
        let export = export(text).unwrap();
        assert_eq!(
            export.value_columns(),
            ["DMA 1", "DMA 1 #3", "column 4", "column 4 #5", "DMA 1 #6"]
        );
        let said: Vec<String> = export.renamed_headers().iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "column 3 repeats the header `DMA 1`: read as `DMA 1 #3`",
                "column 4 has no header: read as `column 4`",
                "column 5 repeats the header `column 4`: read as `column 4 #5`",
                "column 6 repeats the header `DMA 1`: read as `DMA 1 #6`",
            ]
        );
        // Each name reads its own column: the second `DMA 1` has a blank in its second row.
        let read = |name: &str| export.series(Selector::Column(name)).unwrap().series.values;
        assert_eq!(read("DMA 1"), [1.0, 1.0]);
        assert!(read("DMA 1 #3")[1].is_nan());
        assert_eq!(read("DMA 1 #6"), [5.0, 5.0]);
        assert_eq!(read("column 4 #5"), [4.0, 4.0]);
    }

    #[test]
    fn reads_day_first_local_time_with_its_daylight_saving_hours() {
        // The source's own header and day-first times; CET in the header names the clock.
        let text = "Date-time CET-CEST (DD/MM/YYYY HH:mm),DMA 1 (L/s)\n\
            28/03/2021 01:00,4.0\n28/03/2021 03:00,5.0\n\
            31/10/2021 01:00,6.0\n31/10/2021 02:00,6.5\n31/10/2021 02:00,7.5\n31/10/2021 03:00,8.0\n";
        let read = export(text.as_bytes()).unwrap().series(Selector::Only).unwrap();
        let report = &read.report;
        assert_eq!(report.time_format, "%d/%m/%Y %H:%M");
        assert_eq!(report.time_zone.as_deref(), Some("CET"));
        let autumn = crate::time::parse_timestamp("2021-10-31 02:00").unwrap();
        let spring = crate::time::parse_timestamp("2021-03-28 02:00").unwrap();
        assert_eq!(report.repeated_local_times, vec![autumn]);
        assert_eq!(report.duplicate_timestamps, 0);
        // Hourly steps: the spring hour is a gap the clock made; the gap of October is not.
        assert_eq!(report.skipped_local_times, vec![spring]);
        let at = |t: i64| read.series.values[read.series.timestamps.iter().position(|x| *x == t).unwrap()];
        assert_eq!(at(autumn), 7.0);
        assert_eq!(read.series.len(), 5);
    }

    #[test]
    fn date_orders_need_evidence_or_a_flag() {
        use crate::clock::{ClockSettings, TimeFormat};
        let unclear = b"time,v\n01/02/2021 00:00,1\n02/02/2021 00:00,2\n".to_vec();
        let error = export(&unclear).unwrap().series(Selector::Only).unwrap_err();
        assert!(matches!(error, CoreError::AmbiguousDateOrder { .. }), "{error}");
        let settings = ClockSettings {
            format: TimeFormat::MonthFirst,
            zone: None,
        };
        let read = Export::from_bytes_with(unclear, Path::new("t.csv"), settings.check().unwrap())
            .unwrap()
            .series(Selector::Only)
            .unwrap();
        assert_eq!(crate::time::format_date(read.series.timestamps[0]), "2021-01-02");
        // A pattern that does not fit says so, with the line.
        let settings = ClockSettings {
            format: TimeFormat::Pattern("%Y%m%d %H%M".into()),
            zone: None,
        };
        let error = Export::from_bytes_with(
            b"time,v\n20210102 0000,1\n2021-01-02 01:00,2\n".to_vec(),
            Path::new("t.csv"),
            settings.check().unwrap(),
        )
        .unwrap()
        .series(Selector::Only)
        .unwrap_err();
        assert!(matches!(&error, CoreError::BadTimestamp { line: 3, .. }), "{error}");
    }

    #[test]
    fn an_abbreviation_of_several_clocks_is_not_guessed() {
        use crate::clock::{ClockSettings, TimeFormat};
        // `CST`: Chicago (-06:00) or Shanghai (+08:00), fourteen hours apart.
        let cst = b"time,v\n2022-01-03 00:00 CST,1\n2022-01-03 01:00 CST,2\n".to_vec();
        let error = export(&cst).unwrap().series(Selector::Only).unwrap_err();
        assert!(
            matches!(&error, CoreError::AmbiguousZone { abbreviation, .. } if abbreviation == "CST"),
            "{error}"
        );
        assert!(error.to_string().contains("Asia/Shanghai"), "{error}");
        // The form it suggests, with the zone, reads the file.
        let settings = ClockSettings {
            format: TimeFormat::Pattern("%Y-%m-%d %H:%M CST".into()),
            zone: Some("Asia/Shanghai".into()),
        };
        let read = Export::from_bytes_with(cst, Path::new("t.csv"), settings.check().unwrap())
            .unwrap()
            .series(Selector::Only)
            .unwrap();
        assert_eq!(read.series.len(), 2);
        // `KST` is one clock: read as it is.
        let kst = b"time,v\n2022-01-03 00:00 KST,1\n2022-01-03 01:00 KST,2\n".to_vec();
        assert!(export(&kst).unwrap().series(Selector::Only).is_ok());
    }

    #[test]
    fn decodes_utf8_bom_and_cp949() {
        let (encoded, _, _) = encoding_rs::EUC_KR.encode("저장시간,장명(배) 유입유량 순시\n2020/01/01 0:00,330\n");
        let (text, encoding) = decode(encoded.into_owned(), Path::new("x")).unwrap();
        assert_eq!(encoding, TextEncoding::Cp949);
        assert!(text.starts_with("저장시간,장명(배)"));
        let (text, encoding) = decode(b"\xEF\xBB\xBFtime,v\n".to_vec(), Path::new("x")).unwrap();
        assert_eq!((text.as_str(), encoding), ("time,v\n", TextEncoding::Utf8Bom));
        assert!(matches!(decode(vec![], Path::new("x")), Err(CoreError::Empty { .. })));
        assert!(matches!(
            decode(b"ab\x00cd".to_vec(), Path::new("x")),
            Err(CoreError::Encoding { offset: 2, .. })
        ));
        // 0xFF never starts a cp949 sequence.
        assert!(matches!(
            decode(b"time,v\n\xFF\xFF".to_vec(), Path::new("x")),
            Err(CoreError::Encoding { .. })
        ));
        // An Italian export saved by Excel in Windows-1252: `à` before a comma and `³` before a
        // slash are no cp949 pairs, and each high byte stands alone.
        let (text, encoding) = decode(
            b"Data,Qualit\xE0,Portata (m\xB3/h)\n01/02/2021 00:00,1,2\n".to_vec(),
            Path::new("x"),
        )
        .unwrap();
        assert_eq!(encoding, TextEncoding::Windows1252);
        assert!(text.starts_with("Data,Qualità,Portata (m³/h)\n"), "{text}");
        // A cp949 file cut inside its last character stays an encoding error at the cut: its
        // Korean comes in pairs of high bytes.
        let (whole, _, _) = encoding_rs::EUC_KR.encode("저장시간,장명(배) 유입유량 순시\n2020/01/01 0:00,330\n장");
        let cut = whole[..whole.len() - 1].to_vec();
        let at = cut.len() - 1;
        assert!(matches!(decode(cut, Path::new("x")), Err(CoreError::Encoding { offset, .. }) if offset == at));
        // `°C` in Windows-1252 is B0 43, also a cp949 pair: found as cp949 (garbled), read right
        // when the engineer says the encoding.
        let celsius = b"time,Temp (\xB0C)\n2021-01-01 00:00,1\n".to_vec();
        let (_, found) = decode(celsius.clone(), Path::new("x")).unwrap();
        assert_eq!(found, TextEncoding::Cp949);
        let (text, given) = decode_as(celsius, Path::new("x"), Some(TextEncoding::Windows1252)).unwrap();
        assert_eq!(
            (text.lines().next(), given),
            (Some("time,Temp (°C)"), TextEncoding::Windows1252)
        );
        // A cp949 file said to be UTF-8: the first byte that UTF-8 does not allow, by name.
        let (korean, _, _) = encoding_rs::EUC_KR.encode("time,유량\n2021-01-01 00:00,1\n");
        let error = decode_as(korean.into_owned(), Path::new("x"), Some(TextEncoding::Utf8)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "x: byte 5 is not valid UTF-8 (--encoding UTF-8); leave --encoding out and flow finds the encoding"
        );
        for (name, encoding) in [
            ("UTF8", TextEncoding::Utf8),
            ("euc-kr", TextEncoding::Cp949),
            ("Latin1", TextEncoding::Windows1252),
            ("windows_1252", TextEncoding::Windows1252),
        ] {
            assert_eq!(name.parse::<TextEncoding>().unwrap(), encoding, "{name}");
        }
        assert!(matches!(
            "ascii".parse::<TextEncoding>(),
            Err(CoreError::UnknownEncoding { .. })
        ));
        // Workbooks and compressed files are named for what they are.
        for (bytes, what) in [
            (&b"PK\x03\x04\x14\x00"[..], "an Excel workbook (.xlsx)"),
            (
                &b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00"[..],
                "an Excel 97–2003 workbook (.xls)",
            ),
            (&b"\x1F\x8B\x08\x00"[..], "a gzip-compressed file"),
        ] {
            let error = decode(bytes.to_vec(), Path::new("x")).unwrap_err().to_string();
            assert!(error.starts_with(&format!("x: {what}")), "{error}");
        }
    }

    #[test]
    fn reads_a_two_column_file_counting_bad_cells() {
        let data = b"time,value\n2020-01-01 0:02,3\n2020-01-01 0:00,1\n2020-01-01 0:01,-\n2020-01-01 0:01,2\n2020-01-01 0:03,\n2020-01-01 0:04,#N/A\n";
        let read = export(data)
            .unwrap()
            .series(Selector::Site(find_site("jangmyeong").unwrap()))
            .unwrap();
        assert_eq!(read.report.rows_read, 6);
        assert_eq!(read.report.blank_cells, 1);
        assert_eq!(read.report.non_numeric_cells, 2);
        assert_eq!(read.report.duplicate_timestamps, 1);
        assert!(read.report.reordered);
        assert_eq!(read.series.timestamps.len(), 5);
        assert_eq!(&read.series.values[..3], &[1.0, 2.0, 3.0]);
        assert!(read.series.values[3].is_nan() && read.series.values[4].is_nan());
        assert_eq!(read.series.interval, Interval::MINUTE);
    }

    #[test]
    fn picks_the_site_column_from_a_wide_export() {
        let data =
            "저장시간,회룡(가) 유입유량 순시,장명(배) 유입유량 순시\n2020/01/01 0:00,94,330\n2020/01/01 0:01,95,331\n";
        let export = export(data.as_bytes()).unwrap();
        let read = export.series(Selector::Site(find_site("jangmyeong").unwrap())).unwrap();
        assert_eq!(read.series.values, vec![330.0, 331.0]);
        let read = export.series(Selector::Column("회룡(가) 유입유량 순시")).unwrap();
        assert_eq!(read.series.values, vec![94.0, 95.0]);
        let error = export
            .series(Selector::Site(find_site("naejang").unwrap()))
            .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("columns in the file: 회룡(가) 유입유량 순시, 장명(배) 유입유량 순시"),
            "{error}"
        );
    }

    #[test]
    fn bad_inputs_name_the_problem() {
        assert!(matches!(export(b"time,value\n"), Err(CoreError::NoDataRows { .. })));
        assert!(matches!(
            export(b"when,value\nyesterday,1\n"),
            Err(CoreError::NoTimeColumn { .. })
        ));
        let error = export(b"time,value\n2020-01-01 00:00,1\n2020-01-01 00:01,2\n\n2020-13-01 00:02,3\n")
            .unwrap()
            .series(Selector::Only)
            .unwrap_err();
        assert!(
            matches!(&error, CoreError::BadTimestamp { line: 5, text, .. } if text == "2020-13-01 00:02"),
            "{error}"
        );
        let error = export(b"time,value\n2020-01-01,-\n2020-01-02,\n")
            .unwrap()
            .series(Selector::Only)
            .unwrap_err();
        assert!(matches!(error, CoreError::AllMissing { rows: 2, .. }));
    }

    #[test]
    fn numbers_with_their_unit_after_them() {
        assert_eq!(number_with_unit("100.5 m3/h", false), Some((100.5, "m3/h")));
        assert_eq!(number_with_unit("3.2bar", false), Some((3.2, "bar")));
        assert_eq!(number_with_unit("1,234.5 ㎥/h", false), Some((1234.5, "㎥/h")));
        assert_eq!(number_with_unit("5,36 L/s", true), Some((5.36, "L/s")));
        assert_eq!(number_with_unit("-0.5 m", false), Some((-0.5, "m")));
        assert_eq!(number_with_unit("85 %", false), Some((85.0, "%")));
        assert_eq!(number_with_unit("12.5 ℃", false), Some((12.5, "℃")));
        // Not a reading: a quality word, a note, no number, a unit that is a sentence.
        for cell in [
            "12.3 Bad",
            "12.3 GOOD",
            "12.3 이상",
            "N/A",
            "-",
            "m3/h",
            "12.3 (estimated)",
            "12 pumps on",
            "5,36 L/s",
        ] {
            assert_eq!(number_with_unit(cell, false), None, "{cell}");
        }
        // Names of meters are not numbers, though `3B` is a number and a unit.
        assert!(!reads_as_number("3B", false));
        assert!(reads_as_reading("3.2 bar", false));
    }

    #[test]
    fn decimal_commas_are_read_as_numbers() {
        assert_eq!(parse_decimal_comma("5,36"), Some(5.36));
        assert_eq!(parse_decimal_comma("-0,5"), Some(-0.5));
        assert_eq!(parse_decimal_comma("1.234,5"), Some(1234.5));
        assert_eq!(parse_decimal_comma("12.345.678,25"), Some(12_345_678.25));
        for bad in ["5,", ",5", "1.23,5", "1,2,3", "a,5", "5", "1.2345,6"] {
            assert_eq!(parse_decimal_comma(bad), None, "{bad}");
        }
        // French and ISO style: spaces (no-break, narrow no-break) group the thousands.
        assert_eq!(parse_decimal_comma("1 234,5"), Some(1234.5));
        assert_eq!(parse_decimal_comma("-1\u{a0}234\u{a0}567,25"), Some(-1_234_567.25));
        assert_eq!(parse_decimal_comma("12\u{202f}345"), Some(12_345.0));
        assert_eq!(parse_decimal_comma("1 23,5"), None);
    }

    #[test]
    fn thousands_separators_are_read_as_numbers() {
        assert_eq!(parse_thousands("1,234"), Some(1234.0));
        assert_eq!(parse_thousands("-12,345.5"), Some(-12_345.5));
        assert_eq!(parse_thousands("1 234.5"), Some(1234.5));
        assert_eq!(parse_thousands("1'234'567"), Some(1_234_567.0));
        // A decimal comma is not a thousands separator; a trailing point is no number.
        for bad in ["1,5", "1,234.", "12,34", "1,2345", "1,234.5a", "5"] {
            assert_eq!(parse_thousands(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_semicolon_export_with_decimal_commas_is_read_like_its_comma_twin() {
        let comma = "Data ora (DD/MM/YYYY HH:mm),DMA 1 (l/s),DMA 2 (l/s)\n31/10/2022 00:00,5.36,1.5\n31/10/2022 01:00,,2\n31/10/2022 02:00,-0.25,1234.5\n";
        let semicolon = "Data ora (DD/MM/YYYY HH:mm);DMA 1 (l/s);DMA 2 (l/s)\n31/10/2022 00:00;5,36;1,5\n31/10/2022 01:00;;2\n31/10/2022 02:00;-0,25;1.234,5\n";
        let read = |text: &str, column: &str| {
            export(text.as_bytes())
                .unwrap()
                .series(Selector::Column(column))
                .unwrap()
        };
        for column in ["DMA 1 (l/s)", "DMA 2 (l/s)"] {
            let (a, b) = (read(comma, column), read(semicolon, column));
            assert_eq!(a.series.timestamps, b.series.timestamps);
            assert_eq!(format!("{:?}", a.series.values), format!("{:?}", b.series.values));
        }
        assert_eq!(
            export(semicolon.as_bytes()).unwrap().value_columns(),
            ["DMA 1 (l/s)", "DMA 2 (l/s)"]
        );
        assert_eq!(read(semicolon, "DMA 1 (l/s)").report.decimal_comma_cells, 2);
        assert_eq!(read(semicolon, "DMA 2 (l/s)").report.decimal_comma_cells, 2);
    }

    /// `files` (name, text) written into a new folder; the folder.
    fn folder_of(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    fn open_all(paths: &[PathBuf]) -> Result<Export> {
        Export::open_all(paths, ClockSettings::default().check().unwrap(), None)
    }

    /// Hand-checked: three monthly files in a folder, the first with a title above its header
    /// and its columns in another order, each holding the next month's first midnight as well
    /// (as SCADA month exports often do), with a summary workbook and a hidden file beside them.
    /// Read in time order whatever the names' order; where two files hold a time, the later
    /// file's number wins; a bad cell is named by its file.
    #[test]
    fn the_files_of_a_folder_are_read_as_one_export() {
        let dir = folder_of(&[
            (
                "2022-01.csv",
                "장명 배수지\ntime,b,a\n2022-01-31 23:00,9,1\n2022-02-01 00:00,9,2\n",
            ),
            (
                "2022-02.csv",
                "time,a,b\n2022-02-01 00:00,20,9\n2022-02-01 01:00,-,9\n2022-03-01 00:00,3,9\n",
            ),
            ("2022-03.csv", "time,a,b\n2022-03-01 00:00,,9\n2022-03-01 01:00,4,9\n"),
            ("summary.xlsx", "not an export"),
            (".~lock.2022-03.csv#", "a spreadsheet's lock file"),
        ]);
        let export = open_all(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(export.paths().count(), 3);
        assert_eq!(export.left_aside(), [dir.path().join("summary.xlsx")]);
        assert!(export.describe().starts_with("3 files, "), "{}", export.describe());
        let read = export.series(Selector::Column("a")).unwrap();
        let hours: Vec<String> = read
            .series
            .timestamps
            .iter()
            .map(|t| crate::time::format_timestamp(*t)[..16].to_string())
            .collect();
        // Hourly from 2022-01-31 23:00 to 2022-03-01 01:00; the gap between is missing readings.
        assert_eq!(hours.first().map(String::as_str), Some("2022-01-31 23:00"));
        assert_eq!(hours.last().map(String::as_str), Some("2022-03-01 01:00"));
        let at = |time: &str| {
            let t = parse_timestamp(time).unwrap();
            let i = read.series.timestamps.iter().position(|&s| s == t).unwrap();
            read.series.values[i]
        };
        assert_eq!(at("2022-01-31 23:00"), 1.0);
        assert_eq!(at("2022-02-01 00:00"), 20.0, "the later file's number wins");
        assert!(at("2022-02-01 01:00").is_nan());
        assert_eq!(at("2022-03-01 00:00"), 3.0, "a blank does not overwrite a number");
        assert_eq!(at("2022-03-01 01:00"), 4.0);
        assert_eq!(read.report.rows_read, 7);
        assert_eq!(read.report.files, 3);
        assert_eq!(read.report.duplicate_timestamps, 2);
        // 2022-02-01 00:00: 2 then 20; 2022-03-01 00:00: 3 then a blank, which changes nothing.
        assert_eq!(read.report.duplicates_differing, 1);
        assert_eq!(read.report.blank_cells, 1);
        assert_eq!(
            read.report.first_non_numeric,
            Some(CellAt {
                file: Some(dir.path().join("2022-02.csv")),
                line: 3,
                text: "-".to_string()
            })
        );
        // The same files named one by one, in any order, one of them twice: the same readings.
        let named: Vec<PathBuf> = ["2022-03.csv", "2022-01.csv", "2022-02.csv", "2022-01.csv"]
            .iter()
            .map(|name| dir.path().join(name))
            .collect();
        let again = open_all(&named).unwrap();
        assert_eq!(again.paths().count(), 3);
        let again = again.series(Selector::Column("a")).unwrap();
        assert_eq!(again.series.timestamps, read.series.timestamps);
        // Named in this order, 2022-02.csv is the later file for 2022-03-01 00:00's blank and 3.
        assert_eq!(again.report.duplicate_timestamps, 2);
    }

    /// Hand-checked: a meter added in February (`DMA 3`) and one removed (`DMA 2`): every column
    /// is read, a file without it a gap.
    #[test]
    fn a_meter_added_or_removed_during_the_year_is_read_where_it_is() {
        let dir = folder_of(&[
            (
                "a.csv",
                "time,DMA 1,DMA 2\n2022-01-31 22:00,1,2\n2022-01-31 23:00,1.5,2.5\n",
            ),
            (
                "b.csv",
                "time,DMA 3,DMA 1\n2022-02-01 00:00,30,1\n2022-02-01 01:00,31,1\n",
            ),
        ]);
        let export = open_all(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(export.value_columns(), ["DMA 1", "DMA 2", "DMA 3"]);
        assert_eq!(export.columns_not_in_every_file(), [("DMA 2", 1), ("DMA 3", 1)]);
        let three = export.series(Selector::Column("DMA 3")).unwrap();
        assert_eq!(three.series.values, [30.0, 31.0]);
        assert_eq!(three.report.files, 1);
        assert_eq!(
            export.series(Selector::Column("DMA 1")).unwrap().series.values,
            [1.0, 1.5, 1.0, 1.0]
        );
        assert_eq!(
            export.series(Selector::Column("DMA 2")).unwrap().series.values,
            [2.0, 2.5]
        );
    }

    #[test]
    fn files_of_other_exports_or_no_export_are_refused_by_name() {
        let dir = folder_of(&[
            ("a.csv", "time,DMA 1,DMA 2\n2022-01-01 00:00,1,2\n"),
            ("b.csv", "time,DMA 7,DMA 8\n2022-02-01 00:00,1,2\n"),
        ]);
        let error = open_all(&[dir.path().to_path_buf()]).unwrap_err().to_string();
        assert!(
            error.starts_with(&format!(
                "{}: its columns are not those of {}",
                dir.path().join("b.csv").display(),
                dir.path().join("a.csv").display()
            )),
            "{error}"
        );
        assert!(
            error.contains("(no value column in common: it has DMA 7, DMA 8; the files before it DMA 1, DMA 2)"),
            "{error}"
        );
        let empty = folder_of(&[("summary.xlsx", "x")]);
        let error = open_all(&[empty.path().to_path_buf()]).unwrap_err();
        assert!(
            matches!(error, CoreError::NoExportInFolder { ref others, .. } if others == "summary.xlsx"),
            "{error}"
        );
        assert!(matches!(open_all(&[]), Err(CoreError::NoInput)));
    }

    /// The month so far (1 to 10 April) leaves `01/04/2022` ambiguous; the month before shows the
    /// export writes days first, so it is read so. Alone, it is refused as before.
    #[test]
    fn a_file_with_ambiguous_dates_takes_the_order_another_file_shows() {
        // A flow up one day and down the next (a steady rise would be read as a register).
        let march: String = (1..=31)
            .map(|d| format!("{d:02}/03/2022 12:00,{}\n", 10 + d % 2))
            .collect();
        let april: String = (1..=10)
            .map(|d| format!("{d:02}/04/2022 12:00,{}\n", 100 + d))
            .collect();
        let dir = folder_of(&[
            ("2022-03.csv", &format!("Data,flow\n{march}")),
            ("2022-04.csv", &format!("Data,flow\n{april}")),
        ]);
        let read = open_all(&[dir.path().to_path_buf()])
            .unwrap()
            .series(Selector::Column("flow"))
            .unwrap();
        assert_eq!(read.series.timestamps.len(), 41);
        assert_eq!(read.series.timestamps[31], parse_timestamp("2022-04-01 12:00").unwrap());
        assert_eq!(read.series.values[40], 110.0);
        let alone = open_all(&[dir.path().join("2022-04.csv")])
            .unwrap()
            .series(Selector::Column("flow"));
        assert!(matches!(alone, Err(CoreError::AmbiguousDateOrder { .. })), "{alone:?}");
    }

    /// Rome's autumn change written with the abbreviations (`02:00 CEST`, `02:00 CET`) reads as
    /// the local file on the CET clock: the repeated hour's two readings averaged, the zone found
    /// in the cells. Before, `… CEST` was not a time.
    #[test]
    fn times_with_zone_abbreviations_read_as_the_local_clock() {
        let local = read_in_zone(
            b"time,flow\n2022-10-30 01:00,2\n2022-10-30 02:00,3\n2022-10-30 02:00,5\n2022-10-30 03:00,6\n",
            Some("CET"),
        );
        let marked = read_in_zone(
            b"time,flow\n2022-10-30 01:00 CEST,2\n2022-10-30 02:00 CEST,3\n2022-10-30 02:00 CET,5\n2022-10-30 03:00 CET,6\n",
            None,
        );
        assert_eq!(marked.series.timestamps, local.series.timestamps);
        assert_eq!(marked.series.values, [2.0, 4.0, 6.0]);
        assert_eq!(marked.series.values, local.series.values);
        assert_eq!(marked.report.time_zone.as_deref(), Some("CET"));
        assert_eq!(marked.report.repeated_local_times, local.report.repeated_local_times);
    }

    /// An OSIsoft PI export: month names, and a time column whose header flow does not know,
    /// found by its first cell. Before, the file had no time column.
    #[test]
    fn a_historian_export_with_month_names_is_read() {
        let read = export(
            b"PI time,FIT-101.PV\n03-Jan-2022 00:00:00,12.5\n03-Jan-2022 01:00:00,11\n03-Jan-2022 02:00:00,10.5\n",
        )
        .unwrap()
        .series(Selector::Column("FIT-101.PV"))
        .unwrap();
        assert_eq!(read.series.timestamps[0], parse_timestamp("2022-01-03 00:00").unwrap());
        assert_eq!(read.series.values, [12.5, 11.0, 10.5]);
        assert_eq!(read.report.time_format, "%d-%b-%Y %H:%M:%S%.f");
    }

    /// Hand-checked: a separator ending every line, and a spreadsheet's spacer column, are not
    /// columns; a blank-headed column with one number in it is; a quoted separator is inside a cell.
    #[test]
    fn columns_with_no_header_and_no_cell_are_not_columns() {
        let columns = |text: &str| {
            export(text.as_bytes())
                .unwrap()
                .value_columns()
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            columns("time,flow,\n2022-01-01 00:00,1,\n2022-01-01 01:00,2,\n"),
            ["flow"]
        );
        assert_eq!(
            columns("time,DMA 1,,DMA 2\n2022-01-01 00:00,1, ,2\n2022-01-01 01:00,\"1,5\",,3\n"),
            ["DMA 1", "DMA 2"]
        );
        assert_eq!(
            columns("time,DMA 1,,DMA 2\n2022-01-01 00:00,1,,2\n2022-01-01 01:00,1,7,3\n"),
            ["DMA 1", "column 3", "DMA 2"]
        );
        // A one-column file with a separator ending each line is a two-column file again.
        let read = export(b"time,flow,\n2022-01-01 00:00,1,\n2022-01-01 01:00,2,\n").unwrap();
        assert!(read.renamed_headers().is_empty());
        assert_eq!(read.series(Selector::Only).unwrap().series.values, [1.0, 2.0]);
    }

    /// UTF-16 as Excel's "Unicode text" writes it (little-endian, marked), big-endian unmarked,
    /// and one cut inside a character, named by its byte.
    #[test]
    fn utf16_text_is_decoded() {
        let text = "시간\t유량\r\n2022-01-03 00:00\t5\r\n";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let be: Vec<u8> = "time\tflow\n".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let path = Path::new("t.txt");
        assert_eq!(
            decode(le.clone(), path).unwrap(),
            (text.to_string(), TextEncoding::Utf16Le)
        );
        assert_eq!(
            decode(be, path).unwrap(),
            ("time\tflow\n".to_string(), TextEncoding::Utf16Be)
        );
        let cut = le[..le.len() - 1].to_vec();
        // The cut character's one byte is the file's last: at `le.len() - 2`.
        let got = decode(cut, path);
        assert!(
            matches!(got, Err(CoreError::NotUtf16 { offset, .. }) if offset == le.len() - 2),
            "{got:?} of {} bytes",
            le.len()
        );
        assert_eq!("utf-16".parse::<TextEncoding>().unwrap(), TextEncoding::Utf16Le);
    }

    /// Hand-checked: a status column, a comment column and a blank one have no number; a column
    /// whose first cells are `-` and whose later one is a number has one, as does a `;` file's
    /// decimal comma and a quoted thousands form.
    #[test]
    fn columns_without_numbers_are_found() {
        let text = "time,flow,status,note,late,blank,big\n2022-01-01 00:00,1,Good,,-,,\"1,234\"\n2022-01-01 01:00,2,Bad,\"valve, shut\",-,,5\n2022-01-01 02:00,3,Good,,7.5,,5\n";
        assert_eq!(
            export(text.as_bytes()).unwrap().columns_without_numbers(),
            ["status", "note", "blank"]
        );
        let semicolon = "time;flow;status\n2022-01-01 00:00;1,5;Good\n2022-01-01 01:00;2,5;Bad\n";
        assert_eq!(
            export(semicolon.as_bytes()).unwrap().columns_without_numbers(),
            ["status"]
        );
    }

    /// An export of a row per meter and time reads as a column per meter, and a bad cell is named
    /// by its line in the file (not in the table made of it).
    #[test]
    fn a_row_per_meter_export_names_its_own_lines() {
        let long = "Report of 2022-01-03\nTimestamp,TagName,Value\n2022-01-03 00:00,A,1\n2022-01-03 00:00,B,2\n2022-01-03 01:00,A,-\n2022-01-03 01:00,B,4\n2022-01-03 02:00,A,5\n2022-01-03 02:00,B,6\n";
        let export = export(long.as_bytes()).unwrap();
        assert_eq!(export.value_columns(), ["A", "B"]);
        let a = export.series(Selector::Column("A")).unwrap();
        assert!(a.series.values[1].is_nan());
        assert_eq!(a.series.values[2], 5.0);
        assert_eq!(a.report.first_non_numeric, cell_at(5, "-"));
        assert_eq!(
            export.series(Selector::Column("B")).unwrap().series.values,
            [2.0, 4.0, 6.0]
        );
    }
}
