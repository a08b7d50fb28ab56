//! Where the table of an export is, and how its times are laid out: the header under a title or
//! over a units row (or none at all), the separator, the time column (or a date and a time of day
//! in two), and a daily report with its hours across (일보), turned a reading a line. Text in,
//! text and positions out; [`crate::ingest`] reads the cells.

use serde::{Deserialize, Serialize};

use crate::clock::{known_pattern, looks_like_date, parse_with_offset, TimeParser};
use crate::ingest::{reads_as_number, reads_as_reading};
use crate::sites::TIME_HEADER;

/// Lines of a file that are not the table: a title or export note above the header, a row of units
/// under it. `text` then starts at the header, so file line = polars row + 2 + `header_line - 1`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedLines {
    /// The header's line in the file, from 1; 0 when the file has none.
    pub header_line: usize,
    /// The header flow gave a file with none (its first line a reading): `time`, `column 2`, ….
    pub names_given: Option<String>,
    /// The non-blank lines above it, as written.
    pub above: Vec<String>,
    /// Rows between the header and the first reading with no time in them (units, descriptions),
    /// with their lines.
    pub below: Vec<(usize, String)>,
    /// A daily report with a column per hour, read as one reading an hour.
    #[serde(default)]
    pub hours_across: Option<HoursAcross>,
    /// Columns lined up by spaces, with no `,`, `;` or tab (a fixed-width export, a logger's
    /// `.dat`): how they were split.
    #[serde(default)]
    pub space_aligned: Option<SpaceAligned>,
    /// An export of one row per meter and time, read as a column per meter.
    #[serde(default)]
    pub tags_in_rows: Option<TagsInRows>,
}

/// How a file with no `,`, `;` or tab splits into columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpaceAligned {
    /// At runs of two or more spaces (`Timestamp            Flow   Level` over
    /// `2022-01-03 00:00:00  5.5    1.2`): a time with a space in it stays one cell.
    Runs,
    /// At every space, each line holding as many fields (`Date Time Flow` over
    /// `2022-01-03 00:00 5.5`).
    Single,
}

/// The text of a file whose columns are lined up by spaces, with a tab between its columns; `None`
/// when a line among the first [`HEADER_SEARCH_LINES`] holds a `,`, `;` or tab, or no layout
/// fits. At runs of two or more spaces when the last lines of that sample (readings) split so into
/// one number of fields, two or more; else at single spaces when every line of the sample splits
/// into one number of fields, two or more (a title above would shift the columns). Each line stays
/// one line, so line numbers hold.
pub(crate) fn space_aligned(text: &str) -> Option<(String, SpaceAligned)> {
    let sample: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .take(HEADER_SEARCH_LINES)
        .collect();
    if sample.len() < 2 || sample.iter().any(|line| line.contains([',', ';', '\t'])) {
        return None;
    }
    let runs = |line: &str| -> Vec<String> {
        let mut fields = vec![String::new()];
        let mut spaces = 0;
        for c in line.trim().chars() {
            if c == ' ' {
                spaces += 1;
                continue;
            }
            if spaces >= 2 {
                fields.push(String::new());
            } else if spaces == 1 {
                if let Some(field) = fields.last_mut() {
                    field.push(' ');
                }
            }
            spaces = 0;
            if let Some(field) = fields.last_mut() {
                field.push(c);
            }
        }
        fields
    };
    let readings = &sample[sample.len().saturating_sub(3)..];
    let width = runs(readings[0]).len();
    let layout = if width >= 2 && readings.iter().all(|line| runs(line).len() == width) {
        SpaceAligned::Runs
    } else {
        let width = sample[0].split_whitespace().count();
        if width < 2 || sample.iter().any(|line| line.split_whitespace().count() != width) {
            return None;
        }
        SpaceAligned::Single
    };
    let mut tabbed = String::with_capacity(text.len());
    for line in text.lines() {
        match layout {
            SpaceAligned::Runs => tabbed.push_str(&runs(line).join("\t")),
            SpaceAligned::Single => tabbed.push_str(&line.split_whitespace().collect::<Vec<_>>().join("\t")),
        }
        tabbed.push('\n');
    }
    Some((tabbed, layout))
}

/// A daily report laid out a day a row and an hour a column (`일자,1시,2시,…,24시,합계`, the
/// Korean 일보): read as one column of hourly readings named [`HOURS_ACROSS_NAME`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursAcross {
    /// The header of the dates.
    pub date_column: String,
    /// The first hour column's header (`1시`).
    pub first_hour: String,
    /// The last hour column's header (`24시`).
    pub last_hour: String,
    /// How many hour columns.
    pub hours: usize,
    /// The other columns, not read (`합계`, `평균`).
    pub other_columns: Vec<String>,
    /// Rows with no date (a total or mean under the days), not read.
    pub summary_rows: usize,
}

/// The name of the one value column of a report with its hours across.
pub const HOURS_ACROSS_NAME: &str = "flow";

/// The separator of a file from its header: `;` or tab when they split it more than commas do
/// (outside quotes), else `,`.
pub(crate) fn detect_separator(header: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for byte in header.bytes() {
        match byte {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    match counts {
        [comma, semicolon, tab] if semicolon > comma && semicolon >= tab => b';',
        [comma, _, tab] if tab > comma => b'\t',
        _ => b',',
    }
}

/// The fields of one line as written (quotes kept), split at `separator` outside double quotes,
/// with no copy: for passes over every line of a file.
pub(crate) fn raw_fields(line: &str, separator: u8) -> impl Iterator<Item = &str> {
    let bytes = line.as_bytes();
    let (mut start, mut at, mut quoted, mut done) = (0, 0, false, false);
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        while at < bytes.len() {
            let byte = bytes[at];
            at += 1;
            if byte == b'"' {
                quoted = !quoted;
            } else if byte == separator && !quoted {
                let field = &line[start..at - 1];
                start = at;
                return Some(field);
            }
        }
        done = true;
        Some(&line[start..])
    })
}

/// Of the columns `candidates`, those with a cell for which `holds` is true in some line of `text`
/// after its header. Line by line with no cell copied, stopping once every candidate has one (a
/// column of readings costs one line).
pub(crate) fn columns_where(
    text: &str,
    separator: u8,
    candidates: &[usize],
    holds: impl Fn(&str) -> bool,
) -> Vec<usize> {
    let Some(&last) = candidates.iter().max() else {
        return Vec::new();
    };
    // Indexed by column, so a header of thousands of candidates is not searched for each cell.
    let mut open = vec![false; last + 1];
    for &column in candidates {
        open[column] = true;
    }
    let mut left = open.iter().filter(|&&o| o).count();
    let mut found = Vec::new();
    for line in text.lines().skip(1) {
        if left == 0 {
            break;
        }
        for (field, cell) in raw_fields(line, separator).enumerate().take(last + 1) {
            if open[field] && holds(cell) {
                open[field] = false;
                left -= 1;
                found.push(field);
            }
        }
    }
    found
}

/// A cell written back into a line of `separator`-separated text: quoted when it holds the
/// separator or a quote.
pub(crate) fn quote_cell(cell: &str, separator: char) -> String {
    if cell.contains(separator) || cell.contains('"') {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

/// Splits one CSV record on `separator`, honouring double quotes; enough for headers and a first
/// row.
pub(crate) fn split_record(line: &str, separator: u8) -> Vec<String> {
    split_record_upto(line, separator, usize::MAX)
}

/// The first `limit` fields of a record: a table's shape is told by its first columns, and a
/// header of millions of columns is not copied whole for it.
pub(crate) fn split_record_upto(line: &str, separator: u8, limit: usize) -> Vec<String> {
    let separator = char::from(separator);
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
            c if c == separator && !quoted => {
                fields.push(std::mem::take(&mut field).trim().to_string());
                if fields.len() == limit {
                    return fields;
                }
            }
            _ => field.push(c),
        }
    }
    fields.push(field.trim().to_string());
    fields
}

/// How many fields a record has, counted without copying them.
pub(crate) fn field_count(line: &str, separator: u8) -> usize {
    let mut quoted = false;
    1 + line
        .bytes()
        .filter(|&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            b == separator && !quoted
        })
        .count()
}

/// Headers wider than this are read through the columns wanted alone, and a table's shape is told
/// by its first this many fields.
pub(crate) const WIDE_HEADER: usize = 1_000;

/// Whether a cell reads as a time in any of the forms flow knows, or is shaped like a year-first
/// date (`2022-13-04`: a bad date is still a date's cell, to be named by its line).
pub(crate) fn reads_as_time(cell: &str) -> bool {
    reads_as_a_time(cell) || shaped_like_year_first(cell)
}

/// Whether a cell reads as a time in any of the forms flow knows.
pub(crate) fn reads_as_a_time(cell: &str) -> bool {
    // Year-first as written, on a 12-hour clock, at 24:00 or with Korean units.
    TimeParser::YearFirst.parse(cell).is_some()
        || looks_like_date(cell)
        || parse_with_offset(cell).is_some()
        || known_pattern(cell).is_some()
}

/// `2022-13-04`, `2022/1/3 25:00`: four digits, then two groups of one or two, split by `-`, `/`
/// or `.`.
pub(crate) fn shaped_like_year_first(cell: &str) -> bool {
    let date = cell.trim().split([' ', 'T']).next().unwrap_or("");
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    let digits = |p: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    parts.len() == 3 && digits(parts[0], 4..=4) && digits(parts[1], 1..=2) && digits(parts[2], 1..=2)
}

/// Lines of a file searched for its header: exports put a title, the site and the export time
/// above the table, rarely more than a dozen lines.
const HEADER_SEARCH_LINES: usize = 50;

/// Rows under a header that may hold units or descriptions before the first reading.
const UNIT_ROWS: usize = 2;

/// Where the table of a file starts: the first line of two or more fields, none of them a time,
/// followed (after at most [`UNIT_ROWS`] rows with no time in them) by two rows with a time in
/// the same field. `None` when no line among the first [`HEADER_SEARCH_LINES`] is such a header
/// (a file with no header, or one row): the first line is then read as the header, as before.
pub(crate) fn find_table(text: &str) -> Option<SkippedLines> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .take(HEADER_SEARCH_LINES)
        .collect();
    // The time is looked for in the first fields only (a header of millions of columns is not
    // split whole for this).
    let time_field = |line: &str, separator: u8, width: usize| {
        let cells = split_record_upto(line, separator, width.min(WIDE_HEADER));
        (cells.len() >= 2).then(|| cells.iter().position(|c| reads_as_time(c.trim())))?
    };
    for (k, &(index, line)) in lines.iter().enumerate() {
        let separator = detect_separator(line);
        let width = field_count(line, separator);
        let header = split_record_upto(line, separator, WIDE_HEADER);
        if width < 2 || header.iter().any(|cell| reads_as_time(cell.trim())) {
            continue;
        }
        for units in 0..=UNIT_ROWS {
            let below = lines.get(k + 1..k + 1 + units)?;
            if below.iter().any(|(_, row)| {
                split_record_upto(row, separator, WIDE_HEADER)
                    .iter()
                    .any(|c| reads_as_time(c.trim()))
            }) {
                break;
            }
            let rows = lines.get(k + 1 + units..(k + 3 + units).min(lines.len()))?;
            let fields: Vec<Option<usize>> = rows.iter().map(|(_, row)| time_field(row, separator, width)).collect();
            if !fields.is_empty() && fields[0].is_some() && fields.iter().all(|f| *f == fields[0]) {
                // A line above shaped like the readings (as many fields, a time in the same one) is a
                // reading: this line is a malformed row, not a header.
                let shaped_like_a_reading = |line: &str| {
                    field_count(line, separator) == width && time_field(line, separator, width) == fields[0]
                };
                if lines[..k].iter().any(|(_, above)| shaped_like_a_reading(above)) {
                    break;
                }
                return Some(SkippedLines {
                    header_line: index + 1,
                    names_given: None,
                    hours_across: None,
                    space_aligned: None,
                    tags_in_rows: None,
                    above: lines[..k].iter().map(|(_, l)| l.trim_end().to_string()).collect(),
                    below: below.iter().map(|(i, l)| (i + 1, l.trim_end().to_string())).collect(),
                });
            }
        }
    }
    None
}

/// The hour a report's column header names: `1시`, `01시`, `1時`, `01:00`, `1h`, `H01`, `1` — from
/// 0 to 24 (24 being the day's end, read as the next midnight).
pub(crate) fn hour_of_header(header: &str) -> Option<u32> {
    let name = header.trim();
    let number = ["시", "時", ":00", "h", "H", "hr"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .or_else(|| name.strip_prefix('H'))
        .unwrap_or(name);
    let hour: u32 = (!number.is_empty() && number.len() <= 2 && number.bytes().all(|b| b.is_ascii_digit()))
        .then(|| number.parse().ok())??;
    (hour <= 24).then_some(hour)
}

/// Hour columns a report needs to be read as one with its hours across: half a day.
const MIN_HOUR_COLUMNS: usize = 12;

/// A historian's or database's export of one row per meter and time (`Timestamp,TagName,Value`:
/// the long form), read as a column per meter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagsInRows {
    /// The header of the meters' names (`TagName`).
    pub tag_column: String,
    /// How many meters.
    pub tags: usize,
    /// The first of them, for the message.
    pub first_tags: Vec<String>,
    /// The columns of numbers (`Value`), a column each per meter.
    pub value_columns: Vec<String>,
    /// Columns beside them with no number (`Status`, `Unit`), not read.
    pub not_read: Vec<String>,
}

/// Rows of a long-form export looked at to tell it.
const LONG_FORM_SAMPLE: usize = 200;

/// An export of one row per meter and time (`text` starting at its header) as a table of one
/// column per meter (`TAG`, or `TAG VALUE` for each of several value columns), the file's
/// separator kept, with the table-text line each row came from. Told from its first
/// [`LONG_FORM_SAMPLE`] rows: a column with no number in them naming two or more meters, and
/// times that repeat while no meter has a time twice. A meter's time met again (the autumn hour a
/// local clock shows twice, a re-send) starts a row of its own, so the readings are resolved as in
/// any export. `None` when the file is not so.
pub(crate) fn tags_across(text: &str) -> Option<(String, Vec<usize>, TagsInRows)> {
    let mut lines = text.lines().enumerate();
    let (_, header_line) = lines.next()?;
    let separator = detect_separator(header_line);
    // An export of this form has a few columns: a header of thousands is not split whole.
    let header = split_record_upto(header_line, separator, WIDE_HEADER + 1);
    if header.len() < 3 || header.len() > WIDE_HEADER {
        return None;
    }
    let sample: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .take(LONG_FORM_SAMPLE)
        .map(|line| split_record(line, separator))
        .collect();
    let first = sample.first()?;
    let time = find_time_column(&header, first)?;
    let decimal_comma = separator != b',';
    let cell = |row: &[String], i: usize| row.get(i).map_or("", |c| c.trim()).to_string();
    let tag = (0..header.len()).find(|&c| {
        if c == time {
            return false;
        }
        let mut names: Vec<String> = sample.iter().map(|row| cell(row, c)).collect();
        // Names: not numbers, and not times (a time of day beside the dates, `날짜,시간,유량`).
        if names.iter().any(|name| {
            name.is_empty()
                || reads_as_number(name, decimal_comma)
                || is_time_of_day(name)
                || reads_as_time(name)
                || is_hour_number(name)
        }) {
            return false;
        }
        names.sort_unstable();
        names.dedup();
        names.len() >= 2
    })?;
    // Times come in rows of several meters (a time on at least 1.5 rows on average: a wide export
    // with a status column and a re-sent row is not taken for one), and no meter has a time twice.
    let mut pairs: Vec<(String, String)> = sample.iter().map(|row| (cell(row, time), cell(row, tag))).collect();
    let mut times: Vec<&String> = pairs.iter().map(|(t, _)| t).collect();
    times.sort_unstable();
    times.dedup();
    if times.len() * 3 > pairs.len() * 2 {
        return None;
    }
    let before = pairs.len();
    pairs.sort_unstable();
    pairs.dedup();
    // (The autumn hour a local clock shows twice gives a meter a time twice: a few are allowed.)
    if pairs.len() + (before / 100).max(2) < before {
        return None;
    }
    // The columns of numbers, a column each per meter; a status or unit beside them is not read.
    let (values, not_read): (Vec<usize>, Vec<usize>) = (0..header.len())
        .filter(|&c| c != time && c != tag)
        .partition(|&c| sample.iter().any(|row| reads_as_reading(&cell(row, c), decimal_comma)));
    if values.is_empty() {
        return None;
    }
    let sep = char::from(separator);
    let quoted = |cell: &str| quote_cell(cell, sep);
    let mut tags: Vec<String> = Vec::new();
    let mut tag_index = std::collections::HashMap::<String, usize>::new();
    // Rows in the order their times first came, each with its cells (tag × value column) and the
    // table-text line that started it; the rows of each time, for a meter's second reading of it.
    let mut rows: Vec<(String, Vec<Option<String>>, usize)> = Vec::new();
    let mut rows_of_time = std::collections::HashMap::<String, Vec<usize>>::new();
    for (index, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let cells = split_record(line, separator);
        let (at, name) = (cell(&cells, time), cell(&cells, tag));
        let t = *tag_index.entry(name.clone()).or_insert_with(|| {
            tags.push(name);
            tags.len() - 1
        });
        let candidates = rows_of_time.entry(at.clone()).or_default();
        let free = candidates.iter().copied().find(|&r| {
            values
                .iter()
                .enumerate()
                .all(|(k, _)| rows[r].1.get(t * values.len() + k).is_none_or(Option::is_none))
        });
        let row = match free {
            Some(row) => row,
            None => {
                rows.push((at, Vec::new(), index));
                candidates.push(rows.len() - 1);
                rows.len() - 1
            }
        };
        let width = tags.len() * values.len();
        let slots = &mut rows[row].1;
        if slots.len() < width {
            slots.resize(width, None);
        }
        for (k, &v) in values.iter().enumerate() {
            slots[t * values.len() + k] = Some(cell(&cells, v));
        }
    }
    let mut names = Vec::with_capacity(tags.len() * values.len());
    for name in &tags {
        for &v in &values {
            names.push(match values.len() {
                1 => name.clone(),
                _ => format!("{name} {}", header[v].trim()),
            });
        }
    }
    let mut wide = String::with_capacity(text.len());
    wide.push_str(&quoted(header[time].trim()));
    for name in &names {
        wide.push(sep);
        wide.push_str(&quoted(name));
    }
    wide.push('\n');
    let mut line_of_row = Vec::with_capacity(rows.len() + 1);
    line_of_row.push(0);
    for (at, slots, index) in &rows {
        wide.push_str(&quoted(at));
        for k in 0..names.len() {
            wide.push(sep);
            if let Some(Some(value)) = slots.get(k) {
                wide.push_str(&quoted(value));
            }
        }
        wide.push('\n');
        line_of_row.push(*index);
    }
    let summary = TagsInRows {
        tag_column: header[tag].trim().to_string(),
        tags: tags.len(),
        first_tags: tags.iter().take(3).cloned().collect(),
        value_columns: values.iter().map(|&v| header[v].trim().to_string()).collect(),
        not_read: not_read.iter().map(|&c| header[c].trim().to_string()).collect(),
    };
    Some((wide, line_of_row, summary))
}

/// A report with a day a row and an hour a column (`text` starting at its header), as one column
/// of hourly readings (`time,flow`, the file's separator): each row of the report becomes as
/// many lines as it has hour columns, so a line still maps back to its row. `None` when the header
/// has fewer than [`MIN_HOUR_COLUMNS`] hour columns, repeats an hour, or no column of the first row
/// is a date alone.
pub(crate) fn hours_down(text: &str) -> Option<(String, HoursAcross)> {
    let mut lines = text.lines();
    let header_line = lines.next()?;
    let separator = detect_separator(header_line);
    // A report has a few dozen columns.
    if field_count(header_line, separator) > WIDE_HEADER {
        return None;
    }
    let header = split_record(header_line, separator);
    let hours: Vec<(usize, u32)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, name)| Some((i, hour_of_header(name)?)))
        .collect();
    let mut distinct: Vec<u32> = hours.iter().map(|(_, h)| *h).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if hours.len() < MIN_HOUR_COLUMNS || distinct.len() != hours.len() {
        return None;
    }
    // Bare numbers (`1`, `2`, …) are as often meters' tag numbers: they are hours only as a whole
    // day of them, 0 to 23 or 1 to 24.
    let bare = hours
        .iter()
        .all(|(i, _)| header[*i].trim().bytes().all(|b| b.is_ascii_digit()));
    if bare && !(distinct == (0..24).collect::<Vec<u32>>() || distinct == (1..=24).collect::<Vec<u32>>()) {
        return None;
    }
    let first = split_record(text.lines().skip(1).find(|line| !line.trim().is_empty())?, separator);
    let is_hour = |i: usize| hours.iter().any(|(k, _)| *k == i);
    let date = (0..first.len()).find(|&i| {
        let cell = first[i].trim();
        !is_hour(i) && !cell.contains(':') && reads_as_time(cell)
    })?;
    let sep = char::from(separator);
    let quoted = |cell: &str| quote_cell(cell, sep);
    let mut long = String::with_capacity(text.len() * 2);
    long.push_str(&format!("time{sep}{HOURS_ACROSS_NAME}\n"));
    let mut summary_rows = 0;
    for line in lines {
        let cells = split_record(line, separator);
        let day = cells.get(date).map_or("", |c| c.trim());
        if day.is_empty() || !day.bytes().any(|b| b.is_ascii_digit()) {
            summary_rows += usize::from(!line.trim().is_empty());
            long.push_str(&"\n".repeat(hours.len()));
            continue;
        }
        for (column, hour) in &hours {
            let cell = cells.get(*column).map_or("", |c| c.trim());
            long.push_str(&format!("{day} {hour:02}:00{sep}{}\n", quoted(cell)));
        }
    }
    let across = HoursAcross {
        date_column: header[date].clone(),
        first_hour: header[hours[0].0].clone(),
        last_hour: header[hours[hours.len() - 1].0].clone(),
        hours: hours.len(),
        other_columns: (0..header.len())
            .filter(|&i| i != date && !is_hour(i))
            .map(|i| header[i].clone())
            .collect(),
        summary_rows,
    };
    Some((long, across))
}

/// A file with no header, its first line already a reading (`2022-01-03 00:00,12.64`, as
/// loggers dump them): the header it is read under, `time` for the field holding a time and
/// `column N` for the others.
pub(crate) fn without_header(text: &str) -> Option<SkippedLines> {
    let first = text.lines().find(|line| !line.trim().is_empty())?;
    // With no header to count separators in, the separator is the one that leaves a time whole
    // (`2022-01-03 00:00;5,5` splits on `,` too).
    let (separator, width, time) = [detect_separator(first), b';', b'\t', b',']
        .into_iter()
        .find_map(|separator| {
            let cells = split_record_upto(first, separator, WIDE_HEADER);
            let time = cells.iter().position(|cell| reads_as_a_time(cell.trim()))?;
            (cells.len() >= 2).then(|| (separator, field_count(first, separator), time))
        })?;
    let names: Vec<String> = (0..width)
        .map(|k| {
            if k == time {
                "time".to_string()
            } else {
                format!("column {}", k + 1)
            }
        })
        .collect();
    Some(SkippedLines {
        header_line: 0,
        names_given: Some(names.join(&char::from(separator).to_string())),
        ..SkippedLines::default()
    })
}

/// The text from the header on, with the rows under it that `skipped` names left blank (so the
/// text's lines still follow the file's from the header).
pub(crate) fn table_text(text: &str, skipped: &SkippedLines) -> String {
    let mut table = String::with_capacity(text.len());
    for (index, line) in text.lines().enumerate().skip(skipped.header_line.saturating_sub(1)) {
        if !skipped.below.iter().any(|(at, _)| *at == index + 1) {
            table.push_str(line);
        }
        table.push('\n');
    }
    table
}

/// Whether a cell is a time of day alone: `00:00`, `7:05:30`, `오후 3:00:00`, `3:00 PM`, `24:00`.
pub(crate) fn is_time_of_day(cell: &str) -> bool {
    if matches!(cell.trim(), "24:00" | "24:00:00") {
        return true;
    }
    let bare = ["오전", "오후", "AM", "PM", "am", "pm"]
        .iter()
        .fold(cell.trim(), |cell, marker| {
            cell.trim_start_matches(marker).trim_end_matches(marker).trim()
        });
    ["%H:%M", "%H:%M:%S", "%H:%M:%S%.f"]
        .iter()
        .any(|pattern| chrono::NaiveTime::parse_from_str(bare, pattern).is_ok())
}

/// Words a header of times of day starts with (`Time`, `Time (KST)`, `시간`, `Ora`, `Uhrzeit`; not
/// `Peak time`).
const TIME_OF_DAY_WORDS: [&str; 13] = [
    "time", "시간", "시각", "hour", "hh:mm", "ora", "heure", "uhrzeit", "hora", "tijd", "czas", "時刻", "時間",
];

/// Headers of a column of hour numbers beside the dates (`Date,Hour,Flow` with 0 … 23, `날짜,시,유량`
/// with 1 … 24): the whole header, or its first word before a bracket or space (`Hour (1-24)`).
const HOUR_WORDS: [&str; 14] = [
    "hour", "hr", "h", "시", "시간", "시각", "ora", "heure", "stunde", "hora", "uur", "godzina", "時", "時間",
];

/// Whether a cell is an hour's number: `0` … `24`, or `13시`.
pub(crate) fn is_hour_number(cell: &str) -> bool {
    let number = cell.trim().trim_end_matches('시');
    (1..=2).contains(&number.len()) && number.parse::<u32>().is_ok_and(|h| h <= 24)
}

/// Whether a header names a column of hour numbers ([`HOUR_WORDS`]).
fn names_an_hour(header: &str) -> bool {
    let name = header.trim().to_lowercase();
    let first = name.split([' ', '(', '[']).next().unwrap_or("");
    HOUR_WORDS.contains(&first)
}

/// The date column and the time-of-day column of a file that writes them apart (`날짜,시간,유량`,
/// `Date;Time;Value`), from the column found as the time (`time_index`) and the first row: one of
/// them holds dates alone, the other times of day alone under a header that is a time's (`Time`,
/// `시간`, `Ora`, not `Peak time`), or hour numbers under a header that is an hour's (`Hour`, `시`:
/// `0` … `23` or `1` … `24`, the hour `h` read as `h:00`, so `24` is the next midnight as in a
/// daily report). Else the time column alone.
pub(crate) fn split_date_and_time(header: &[String], first: &[String], time_index: usize) -> (usize, Option<usize>) {
    let cell = |i: usize| first.get(i).map_or("", |c| c.trim());
    let date_alone = |i: usize| !cell(i).contains(':') && !is_hour_number(cell(i)) && reads_as_time(cell(i));
    let hour_number = |i: usize| is_hour_number(cell(i)) && header.get(i).is_some_and(|name| names_an_hour(name));
    if hour_number(time_index) {
        // The hours were found first (their header is `시간`): the dates are elsewhere.
        if let Some(date) = (0..first.len()).find(|&i| i != time_index && date_alone(i)) {
            return (date, Some(time_index));
        }
    } else if date_alone(time_index) {
        if let Some(hours) = (0..first.len()).find(|&i| i != time_index && hour_number(i)) {
            return (time_index, Some(hours));
        }
    }
    // The times of day are under a header that is a time's: beside the date is not enough (a
    // daily export's `Date,Peak time,Flow`).
    let names_a_time = |i: usize| {
        header.get(i).is_some_and(|name| {
            let name = name.to_lowercase();
            TIME_OF_DAY_WORDS.iter().any(|word| name.trim().starts_with(word))
        })
    };
    if is_time_of_day(cell(time_index)) {
        // The time of day was found first (its header says `시간`): the dates are elsewhere.
        if let Some(date) = (0..first.len()).find(|&i| i != time_index && date_alone(i) && names_a_time(time_index)) {
            return (date, Some(time_index));
        }
    } else if date_alone(time_index) {
        if let Some(time) = (0..first.len()).find(|&i| i != time_index && is_time_of_day(cell(i)) && names_a_time(i)) {
            return (time_index, Some(time));
        }
    }
    (time_index, None)
}

/// A date and a time of day read as one cell (`2022-01-03 01:00`). A time cell with no digit is a
/// label (`소계`), kept alone so the row is skipped as one; a date with no time is no time.
pub(crate) fn join_date_and_time(date: Option<&str>, time: Option<&str>) -> Option<String> {
    let (date, time) = (date.map(str::trim).unwrap_or(""), time.map(str::trim).unwrap_or(""));
    match (date.is_empty(), time.is_empty()) {
        (true, true) => None,
        _ if !time.is_empty() && !time.bytes().any(|b| b.is_ascii_digit()) => Some(time.to_string()),
        // An hour's number (`13`, `24`): on the hour.
        (false, false) if time.len() <= 2 && time.bytes().all(|b| b.is_ascii_digit()) => {
            Some(format!("{date} {time}:00"))
        }
        (false, false) => Some(format!("{date} {time}")),
        (false, true) => Some(String::new()),
        (true, false) => Some(time.to_string()),
    }
}

pub(crate) fn find_time_column(header: &[String], first_row: &[String]) -> Option<usize> {
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
        .or_else(|| first_row.iter().position(|cell| reads_as_time(cell)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_separator_is_what_splits_the_header_most() {
        assert_eq!(detect_separator("time,dma1,dma2"), b',');
        assert_eq!(detect_separator("Data/ora;DMA 1 (l/s);DMA 2 (l/s)"), b';');
        assert_eq!(detect_separator("time\tflow"), b'\t');
        // A comma inside a quoted header does not count; one column alone stays comma-separated.
        assert_eq!(detect_separator("\"a,b\";c;d"), b';');
        assert_eq!(detect_separator("time"), b',');
    }

    #[test]
    fn splits_quoted_records() {
        assert_eq!(split_record("a,\"b,c\",\"d\"\"e\" \r", b','), vec!["a", "b,c", "d\"e"]);
        assert_eq!(split_record("a;\"b;c\";5,36", b';'), vec!["a", "b;c", "5,36"]);
    }

    #[test]
    fn hours_are_read_from_report_headers() {
        for (header, hour) in [
            ("1시", 1),
            ("01시", 1),
            ("24시", 24),
            ("0時", 0),
            ("01:00", 1),
            ("7h", 7),
            ("H07", 7),
            ("13", 13),
        ] {
            assert_eq!(hour_of_header(header), Some(hour), "{header}");
        }
        for header in ["25시", "합계", "평균", "100", "", "1.5h"] {
            assert_eq!(hour_of_header(header), None, "{header}");
        }
    }

    /// Hand-checked: a column of hour numbers under an hour's header joins the dates, the hour
    /// `h` read as `h:00`; pump running hours (`Hours`) and a number under another header do not.
    #[test]
    fn hour_numbers_beside_the_dates_are_the_time_of_day() {
        let strings = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let split =
            |header: &[&str], row: &[&str], time: usize| split_date_and_time(&strings(header), &strings(row), time);
        assert_eq!(
            split(&["Date", "Hour", "Flow"], &["2022-01-03", "0", "5.2"], 0),
            (0, Some(1))
        );
        assert_eq!(
            split(&["날짜", "시", "유량"], &["2022-01-03", "1", "5.2"], 0),
            (0, Some(1))
        );
        assert_eq!(
            split(&["Hour (1-24)", "Date", "Flow"], &["24", "03/01/2022", "5.2"], 1),
            (1, Some(0))
        );
        // `시간` is found as the time column by its name; the dates are beside it.
        assert_eq!(
            split(&["날짜", "시간", "유량"], &["2022-01-03", "13시", "5.2"], 1),
            (0, Some(1))
        );
        assert_eq!(
            split(&["Date", "Hours", "Flow"], &["2022-01-03", "18", "5.2"], 0),
            (0, None)
        );
        assert_eq!(
            split(&["Date", "Pump", "Flow"], &["2022-01-03", "1", "5.2"], 0),
            (0, None)
        );
        assert_eq!(
            split(&["Date", "Hour", "Flow"], &["2022-01-03", "25", "5.2"], 0),
            (0, None)
        );
        assert_eq!(
            join_date_and_time(Some("2022-01-03"), Some("7")).as_deref(),
            Some("2022-01-03 7:00")
        );
        assert_eq!(
            join_date_and_time(Some("2022-01-03"), Some("24")).as_deref(),
            Some("2022-01-03 24:00")
        );
        assert_eq!(
            join_date_and_time(Some("2022-01-03"), Some("13시")).as_deref(),
            Some("2022-01-03 13시")
        );
        assert_eq!(
            crate::clock::TimeParser::YearFirst.parse("2022-01-03 24:00"),
            crate::time::parse_timestamp("2022-01-04 00:00")
        );
    }

    /// Hand-checked: columns lined up by runs of spaces, a time with a space in it kept whole, a
    /// title above kept as one field; single spaces only when every line splits alike; a file
    /// with a comma is not touched.
    #[test]
    fn columns_lined_up_by_spaces_are_split_with_tabs() {
        let fixed = "Station 12 flow log\n\nTimestamp            Flow   Level\n2022-01-03 00:00:00  5.5    1.2\n2022-01-03 01:00:00  6.5    1.3\n";
        let (tabbed, layout) = space_aligned(fixed).unwrap();
        assert_eq!(layout, SpaceAligned::Runs);
        assert_eq!(
            tabbed,
            "Station 12 flow log\n\nTimestamp\tFlow\tLevel\n2022-01-03 00:00:00\t5.5\t1.2\n2022-01-03 01:00:00\t6.5\t1.3\n"
        );
        let single = "Date Time Flow\n2022-01-03 00:00 5.5\n2022-01-03 01:00 6.5\n";
        assert_eq!(
            space_aligned(single),
            Some((
                "Date\tTime\tFlow\n2022-01-03\t00:00\t5.5\n2022-01-03\t01:00\t6.5\n".to_string(),
                SpaceAligned::Single
            ))
        );
        // A header of three words over rows of four: no layout fits.
        assert_eq!(
            space_aligned("Timestamp Flow Level\n2022-01-03 00:00 5.5 1.2\n2022-01-03 01:00 6.5 1.3\n"),
            None
        );
        assert_eq!(space_aligned("time,flow\n2022-01-03 00:00,5.5\n"), None);
        assert_eq!(space_aligned("a title\n"), None);
    }

    /// Hand-checked: a row per meter and time becomes a column per meter; a meter missing at a time
    /// is a blank; a meter's time met twice (the autumn hour) starts a row of its own; a status
    /// column is not read; each row keeps the line it came from. A wide export with a status
    /// column and a re-sent row is not taken for one.
    #[test]
    fn a_row_per_meter_becomes_a_column_per_meter() {
        let long = "Timestamp,TagName,Value,Status\n\
2022-10-30 01:00,FIT-1,5.5,Good\n\
2022-10-30 01:00,FIT-2,\"1,5\",Good\n\
2022-10-30 02:00,FIT-1,6,Good\n\
2022-10-30 02:00,FIT-2,2,Good\n\
2022-10-30 02:00,FIT-1,7,Good\n\
2022-10-30 03:00,FIT-2,3,Bad\n";
        let (wide, lines, tags) = tags_across(long).unwrap();
        assert_eq!(
            wide,
            "Timestamp,FIT-1,FIT-2\n2022-10-30 01:00,5.5,\"1,5\"\n2022-10-30 02:00,6,2\n2022-10-30 02:00,7,\n2022-10-30 03:00,,3\n"
        );
        assert_eq!(lines, [0, 1, 3, 5, 6]);
        assert_eq!(tags.tag_column, "TagName");
        assert_eq!(
            (tags.tags, tags.value_columns.clone(), tags.not_read.clone()),
            (2, vec!["Value".to_string()], vec!["Status".to_string()])
        );
        let wide_with_status = "time,flow,status\n2022-01-01 00:00,1,Good\n2022-01-01 01:00,2,Bad\n2022-01-01 01:00,2,Good\n2022-01-01 02:00,3,Good\n";
        assert_eq!(tags_across(wide_with_status), None);
        assert_eq!(tags_across("time,flow\n2022-01-01 00:00,1\n2022-01-01 00:00,2\n"), None);
    }
}
