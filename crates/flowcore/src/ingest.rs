//! Reading exports: decode (UTF-8 or cp949), find the time and value columns, parse with polars.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::prelude::{CsvReadOptions, DataFrame, SerReader};
use serde::Serialize;

use crate::error::{CoreError, Result};
use crate::series::{detect_interval, FlowSeries, Interval};
use crate::sites::{Site, TIME_HEADER};
use crate::time::parse_timestamp;

/// The text encoding a file was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 starting with a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// Windows code page 949 / EUC-KR, what Korean SCADA software and Excel write by default.
    Cp949,
}

impl std::fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Cp949 => "cp949",
        })
    }
}

/// Decodes a file's bytes: UTF-8 (with or without BOM) when valid, else cp949.
///
/// A NUL byte, or bytes valid in neither encoding, mean the file is not text.
pub fn decode(bytes: Vec<u8>, path: &Path) -> Result<(String, TextEncoding)> {
    if bytes.is_empty() {
        return Err(CoreError::Empty {
            path: path.to_path_buf(),
        });
    }
    if let Some(offset) = bytes.iter().position(|b| *b == 0) {
        return Err(CoreError::Encoding {
            path: path.to_path_buf(),
            offset,
        });
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(rest) {
            Ok(text) => Ok((text.to_string(), TextEncoding::Utf8Bom)),
            Err(error) => Err(CoreError::Encoding {
                path: path.to_path_buf(),
                offset: error.valid_up_to() + 3,
            }),
        };
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, TextEncoding::Utf8)),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            match encoding_rs::EUC_KR.decode_without_bom_handling_and_without_replacement(&bytes) {
                Some(text) => Ok((text.into_owned(), TextEncoding::Cp949)),
                None => Err(CoreError::Encoding {
                    path: path.to_path_buf(),
                    offset,
                }),
            }
        }
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

/// A decoded export, kept in memory so several columns can be read from one decode.
#[derive(Debug, Clone)]
pub struct Export {
    path: PathBuf,
    text: String,
    encoding: TextEncoding,
    header: Vec<String>,
    time_index: usize,
}

/// What ingest saw while reading one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IngestReport {
    /// Data rows in the file.
    pub rows_read: usize,
    /// The column read.
    pub column: String,
    /// The file's encoding.
    pub encoding: TextEncoding,
    /// Empty cells in the column.
    pub blank_cells: usize,
    /// Cells that are not numbers (`-`, `#N/A`, `NaN`, …): treated as missing.
    pub non_numeric_cells: usize,
    /// Rows dropped because another row had the same timestamp.
    pub duplicate_timestamps: usize,
    /// Whether the rows had to be sorted into time order.
    pub reordered: bool,
}

/// A column read from an export: the raw series (missing readings as `NaN`) and what was seen.
#[derive(Debug, Clone)]
pub struct Ingested {
    /// The readings, sorted, one per timestamp.
    pub series: FlowSeries,
    /// Counts of what was found on the way.
    pub report: IngestReport,
}

impl Export {
    /// Reads and decodes a file.
    pub fn open(path: &Path) -> Result<Export> {
        let bytes = std::fs::read(path).map_err(|source| CoreError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Export::from_bytes(bytes, path)
    }

    /// Decodes bytes already in memory; `path` is only used in messages.
    pub fn from_bytes(bytes: Vec<u8>, path: &Path) -> Result<Export> {
        let path = path.to_path_buf();
        let (text, encoding) = decode(bytes, &path)?;
        let mut lines = text.lines().filter(|line| !line.trim().is_empty());
        let header_line = lines.next().ok_or_else(|| CoreError::Empty { path: path.clone() })?;
        let header = split_record(header_line);
        let first_row = lines
            .next()
            .ok_or_else(|| CoreError::NoDataRows { path: path.clone() })?;
        let time_index =
            find_time_column(&header, &split_record(first_row)).ok_or_else(|| CoreError::NoTimeColumn {
                path: path.clone(),
                header: header.join(","),
            })?;
        Ok(Export {
            path,
            text,
            encoding,
            header,
            time_index,
        })
    }

    /// The file this export came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The encoding it was found in.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// Headers of the value columns (every column but the time column).
    pub fn value_columns(&self) -> Vec<&str> {
        self.header
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != self.time_index)
            .map(|(_, name)| name.as_str())
            .collect()
    }

    fn resolve(&self, selector: Selector<'_>) -> Result<usize> {
        let position = |name: &str| self.header.iter().position(|h| h == name.trim());
        let only = || {
            let values: Vec<usize> = (0..self.header.len()).filter(|i| *i != self.time_index).collect();
            (values.len() == 1).then(|| values[0])
        };
        let unknown = |column: &str| CoreError::UnknownColumn {
            path: self.path.clone(),
            column: column.to_string(),
            available: self.value_columns().join(", "),
        };
        match selector {
            Selector::Site(site) => position(site.column).or_else(only).ok_or_else(|| unknown(site.column)),
            Selector::Column(name) => position(name)
                .filter(|i| *i != self.time_index)
                .ok_or_else(|| unknown(name)),
            Selector::Only => only().ok_or_else(|| unknown("(the one value column of a two-column file)")),
        }
    }

    /// Reads one column as a series sorted by time with duplicates resolved.
    ///
    /// Duplicate timestamps: the last row with a number wins (a SCADA re-send corrects the earlier
    /// row); when none of them has a number the reading is missing.
    pub fn series(&self, selector: Selector<'_>) -> Result<Ingested> {
        let value_index = self.resolve(selector)?;
        let frame = self.read_frame(value_index)?;
        let (time_position, value_position) = if self.time_index < value_index { (0, 1) } else { (1, 0) };
        let columns = frame.columns();
        let as_str = |position: usize| {
            columns
                .get(position)
                .and_then(|column| column.str().ok())
                .ok_or_else(|| CoreError::Csv {
                    path: self.path.clone(),
                    message: "polars returned fewer columns than asked".to_string(),
                })
        };
        let times = as_str(time_position)?;
        let cells = as_str(value_position)?;
        let rows = frame.height();

        let mut timestamps = Vec::with_capacity(rows);
        let mut values = Vec::with_capacity(rows);
        let (mut blank_cells, mut non_numeric_cells) = (0, 0);
        let mut rows_read = 0;
        for (row, (time, cell)) in times.iter().zip(cells.iter()).enumerate() {
            let text = time.map_or("", str::trim);
            if text.is_empty() && cell.is_none_or(|c| c.trim().is_empty()) {
                // polars keeps blank lines as rows of nulls; they are not readings.
                continue;
            }
            rows_read += 1;
            let timestamp = parse_timestamp(text).ok_or_else(|| CoreError::BadTimestamp {
                path: self.path.clone(),
                // polars rows follow file lines one for one, header being line 1.
                line: row + 2,
                text: text.to_string(),
            })?;
            timestamps.push(timestamp);
            values.push(match cell.map(str::trim) {
                None | Some("") => {
                    blank_cells += 1;
                    f64::NAN
                }
                Some(cell) => match cell.parse::<f64>() {
                    Ok(value) if value.is_finite() => value,
                    _ => {
                        non_numeric_cells += 1;
                        f64::NAN
                    }
                },
            });
        }
        let column = self.header[value_index].clone();
        if rows_read == 0 {
            return Err(CoreError::NoDataRows {
                path: self.path.clone(),
            });
        }
        if values.iter().all(|v| v.is_nan()) {
            return Err(CoreError::AllMissing {
                path: self.path.clone(),
                column,
                rows: rows_read,
            });
        }
        let (timestamps, values, duplicate_timestamps, reordered) = sort_and_dedupe(timestamps, values);
        let interval = detect_interval(&timestamps).unwrap_or(Interval::MINUTE);
        let series = FlowSeries::new(timestamps, values, interval)?;
        Ok(Ingested {
            series,
            report: IngestReport {
                rows_read,
                column,
                encoding: self.encoding,
                blank_cells,
                non_numeric_cells,
                duplicate_timestamps,
                reordered,
            },
        })
    }

    fn read_frame(&self, value_index: usize) -> Result<DataFrame> {
        let mut projection = vec![self.time_index, value_index];
        projection.sort_unstable();
        // Schema inference off: every cell arrives as text, so a stray `-` cannot fail the whole
        // column and each bad cell can be counted.
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .with_projection(Some(Arc::new(projection)))
            .with_raise_if_empty(false)
            .map_parse_options(|options| options.with_truncate_ragged_lines(true))
            .into_reader_with_file_handle(Cursor::new(self.text.as_bytes()))
            .finish()
            .map_err(|error| CoreError::Csv {
                path: self.path.clone(),
                message: error.to_string(),
            })
    }
}

/// Splits one CSV record on commas, honouring double quotes; enough for headers and a first row.
fn split_record(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut field).trim().to_string()),
            _ => field.push(c),
        }
    }
    fields.push(field.trim().to_string());
    fields
}

fn find_time_column(header: &[String], first_row: &[String]) -> Option<usize> {
    const NAMES: [&str; 9] = [
        TIME_HEADER,
        "time",
        "timestamp",
        "datetime",
        "date",
        "일시",
        "시간",
        "시각",
        "측정시간",
    ];
    header
        .iter()
        .position(|name| NAMES.iter().any(|known| name.eq_ignore_ascii_case(known)))
        .or_else(|| first_row.iter().position(|cell| parse_timestamp(cell).is_some()))
}

/// Sorts rows by time (stable) and keeps one reading per timestamp: the last finite one.
fn sort_and_dedupe(timestamps: Vec<i64>, values: Vec<f64>) -> (Vec<i64>, Vec<f64>, usize, bool) {
    let sorted_strictly = timestamps.windows(2).all(|pair| pair[0] < pair[1]);
    if sorted_strictly {
        return (timestamps, values, 0, false);
    }
    let reordered = !timestamps.windows(2).all(|pair| pair[0] <= pair[1]);
    let mut order: Vec<usize> = (0..timestamps.len()).collect();
    order.sort_by_key(|&i| timestamps[i]);
    let mut kept_times: Vec<i64> = Vec::with_capacity(timestamps.len());
    let mut kept_values: Vec<f64> = Vec::with_capacity(timestamps.len());
    let mut duplicates = 0;
    for i in order {
        if kept_times.last() == Some(&timestamps[i]) {
            duplicates += 1;
            if values[i].is_finite() {
                if let Some(last) = kept_values.last_mut() {
                    *last = values[i];
                }
            }
        } else {
            kept_times.push(timestamps[i]);
            kept_values.push(values[i]);
        }
    }
    (kept_times, kept_values, duplicates, reordered)
}

/// Reads one series from a file in one call.
pub fn read_series(path: &Path, selector: Selector<'_>) -> Result<Ingested> {
    Export::open(path)?.series(selector)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sites::find_site;

    fn export(text: &[u8]) -> Result<Export> {
        Export::from_bytes(text.to_vec(), Path::new("test.csv"))
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
    fn splits_quoted_records() {
        assert_eq!(split_record("a,\"b,c\",\"d\"\"e\" \r"), vec!["a", "b,c", "d\"e"]);
    }
}
