//! How an export writes its times: the order of day, month and year, or an explicit pattern, and
//! the local clock's daylight-saving changes. Patterns are chrono's (`%d/%m/%Y %H:%M`), zones are
//! chrono-tz's IANA names (`Europe/Rome`, `CET`); flow's own fast parser ([`crate::time`]) stays for
//! year-first times, which are almost every SCADA export.
//!
//! Timestamps stay wall-clock time as written (demand follows the clock on the wall); a time
//! written with its UTC offset (`2022-10-30T02:00:00+01:00`) is placed on the zone's local clock
//! when a zone is known, else read at its own offset's wall time; seconds since 1970 likewise, on
//! the UTC clock when no zone is known; Excel serial dates (`44564.041667`) are wall-clock time. A
//! zone decides what a repeated
//! or a missing hour is: the autumn hour that a local clock shows twice is
//! one wall-clock hour whose two readings are averaged, and the spring hour that never happens is a
//! gap the clock made, not a reading the meter lost.
//!
//! ```
//! use flowcore::clock::{ClockSettings, DateOrder, TimeFormat};
//! use flowcore::Check;
//!
//! // Day-first dates are recognised from a day above 12 …
//! let order = DateOrder::infer("", ["01/02/2021 00:00", "13/02/2021 00:00"].into_iter());
//! assert_eq!(order, Some(DateOrder::DayFirst));
//! // … or from the header that says so.
//! let hinted = DateOrder::infer("Date-time CET-CEST (DD/MM/YYYY HH:mm)", ["01/02/2021 00:00"].into_iter());
//! assert_eq!(hinted, Some(DateOrder::DayFirst));
//! // A pattern or a zone that chrono does not know is refused before any file is read.
//! let bad = ClockSettings { format: TimeFormat::Pattern("%d/%q".into()), zone: None };
//! assert!(bad.check().is_err());
//! let rome = ClockSettings { format: TimeFormat::Auto, zone: Some("Europe/Rome".into()) }.check()?;
//! assert_eq!(rome.zone.as_deref(), Some("Europe/Rome"));
//! # Ok::<(), flowcore::CoreError>(())
//! ```

use chrono::format::{Item, StrftimeItems};
use chrono::{LocalResult, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::check::Check;
use crate::error::CoreError;
use crate::time::parse_timestamp;

/// How the time column is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TimeFormat {
    /// Year-first, else day-first or month-first as the header or the dates show.
    #[default]
    Auto,
    /// `31/12/2021 23:00`, any of `/`, `.`, `-` between the numbers.
    DayFirst,
    /// `12/31/2021 23:00`.
    MonthFirst,
    /// A chrono pattern, e.g. `%d.%m.%Y %H:%M`.
    Pattern(String),
}

/// The time settings of one read: format and local zone. Check them with [`Check::check`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClockSettings {
    /// How dates are written.
    pub format: TimeFormat,
    /// The IANA zone of the local clock; `None` looks for one in the time column's header
    /// (`CET-CEST` → `CET`) and otherwise takes times as they are.
    pub zone: Option<String>,
}

impl Check for ClockSettings {
    type Error = CoreError;

    fn validate(&self) -> Result<(), CoreError> {
        if let TimeFormat::Pattern(pattern) = &self.format {
            let items: Vec<Item<'_>> = StrftimeItems::new(pattern).collect();
            let has_date = pattern.contains("%Y") || pattern.contains("%y") || pattern.contains("%F");
            if items.iter().any(|item| matches!(item, Item::Error)) || pattern.trim().is_empty() || !has_date {
                return Err(CoreError::BadTimeFormat {
                    format: pattern.clone(),
                });
            }
        }
        if let Some(zone) = &self.zone {
            zone.parse::<Tz>()
                .map_err(|_| CoreError::UnknownTimeZone { zone: zone.clone() })?;
        }
        Ok(())
    }
}

/// The order of the date's parts in an export whose dates do not start with the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// `2021-12-31`.
    YearFirst,
    /// `31/12/2021`.
    DayFirst,
    /// `12/31/2021`.
    MonthFirst,
}

impl DateOrder {
    /// The order of `cells` (a column's time cells): year-first when the first parses so; else
    /// what the header says (`DD/MM`, `MM/DD`); else day-first when some first number is above 12,
    /// month-first when some second one is. `None` when nothing tells (every day so far ≤ 12) or
    /// both do.
    pub fn infer<'a>(header: &str, mut cells: impl Iterator<Item = &'a str>) -> Option<DateOrder> {
        let first = cells.by_ref().map(str::trim).find(|cell| !cell.is_empty())?;
        if parse_timestamp(first).is_some() {
            return Some(DateOrder::YearFirst);
        }
        let upper = header.to_ascii_uppercase();
        if upper.contains("DD/MM") || upper.contains("DD.MM") || upper.contains("DD-MM") {
            return Some(DateOrder::DayFirst);
        }
        if upper.contains("MM/DD") || upper.contains("MM.DD") || upper.contains("MM-DD") {
            return Some(DateOrder::MonthFirst);
        }
        let (mut day_first, mut month_first) = (false, false);
        for cell in std::iter::once(first).chain(cells) {
            if let Some((a, b)) = leading_pair(cell) {
                day_first |= a > 12;
                month_first |= b > 12;
            }
        }
        match (day_first, month_first) {
            (true, false) => Some(DateOrder::DayFirst),
            (false, true) => Some(DateOrder::MonthFirst),
            _ => None,
        }
    }
}

/// The first two numbers of `10/03/2021 …`, when the cell starts that way.
fn leading_pair(cell: &str) -> Option<(u32, u32)> {
    let mut parts = cell.trim().splitn(3, ['/', '.', '-']);
    let a = parts.next()?.parse().ok()?;
    let b = parts.next()?.parse().ok()?;
    Some((a, b))
}

/// `31/12/2021 …`, `12.31.2021`: two numbers of one or two digits, then a four-digit year.
pub(crate) fn looks_like_date(cell: &str) -> bool {
    let mut parts = cell.trim().splitn(3, ['/', '.', '-']);
    let small =
        |part: Option<&str>| part.is_some_and(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    let (a, b) = (parts.next(), parts.next());
    let year = parts.next().map(|rest| rest.split([' ', 'T']).next().unwrap_or(""));
    small(a) && small(b) && year.is_some_and(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
}

/// `2022-10-30T02:00:00+01:00`, `2022-10-30 02:00+0100`, `2022-10-30T01:00:00.000Z`: a time with
/// its offset from UTC (ISO 8601 / RFC 3339, as historians, InfluxDB and web services write it),
/// read by chrono.
pub fn parse_with_offset(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let text = text.trim();
    // `2022-01-03 00:00 KST`, `2022-10-30 02:00 CEST`: a zone's abbreviation as the offset it
    // stands for.
    let with_offset;
    let text = match text
        .rsplit_once(' ')
        .and_then(|(time, word)| Some((time, zone_abbreviation(word)?)))
    {
        Some((time, zone)) => {
            with_offset = format!("{time}{}", zone.offset);
            with_offset.as_str()
        }
        None => text,
    };
    let (date, rest) = (text.get(..10)?, text.get(10..)?);
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    // chrono's offset items read `+01:00` and `+0100`; `Z` is UTC.
    let rest = match rest.strip_suffix(['Z', 'z']) {
        Some(time) => format!("{time}+00:00"),
        None => rest.to_string(),
    };
    let text = format!("{} {rest}", date.replace('/', "-"));
    ["%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M%#z"]
        .iter()
        .find_map(|pattern| chrono::DateTime::parse_from_str(&text, pattern).ok())
}

/// `2022년 1월 3일 13시 30분` (how Korean reports write a time) as `2022-1-3 13:30:00`; `None`
/// for a cell with no `년`. Only cells that fail as written come here.
pub fn with_korean_units(text: &str) -> Option<String> {
    let text = text.trim();
    if !text.contains('년') {
        // `2022/01/03 01시`, `2022-01-03 13시 30분`: a year-first date, the time in units.
        let (date, time) = text.split_once(char::is_whitespace)?;
        let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
        let digits = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !time.contains('시') || parts.len() != 3 || parts[0].len() != 4 || !parts.iter().all(digits) {
            return None;
        }
        return with_korean_units(&format!("{}년 {}월 {}일 {time}", parts[0], parts[1], parts[2]));
    }
    let mut out = String::with_capacity(text.len());
    let (mut hour, mut minute, mut second) = (None, None, None);
    let mut number = String::new();
    let mut rest = String::new();
    for c in text.chars() {
        match c {
            '0'..='9' => number.push(c),
            '년' | '월' => {
                out.push_str(&std::mem::take(&mut number));
                out.push('-');
            }
            '일' => out.push_str(&std::mem::take(&mut number)),
            '시' => hour = Some(std::mem::take(&mut number)),
            '분' => minute = Some(std::mem::take(&mut number)),
            '초' => second = Some(std::mem::take(&mut number)),
            c if c.is_whitespace() => {}
            // `오전`/`오후` stay for the 12-hour reading.
            c => rest.push(c),
        }
    }
    if !number.is_empty() {
        return None;
    }
    let clock = |part: Option<String>| part.map_or("00".to_string(), |p| format!("{p:0>2}"));
    let time = format!(
        "{}:{}:{}",
        hour.clone().unwrap_or_else(|| "0".to_string()),
        clock(minute),
        clock(second)
    );
    Some(if rest.is_empty() {
        format!("{out} {time}")
    } else {
        format!("{out} {rest} {time}")
    })
}

/// `2022-01-03 24:00` (the end of the day, as ISO 8601 allows and Korean daily reports number their
/// hours 1시 to 24시) as `2022-01-03 00:00`, to be read a day later; `None` for any other cell.
/// Only cells that fail as written come here.
fn end_of_day_as_midnight(text: &str) -> Option<String> {
    let text = text.trim();
    ["24:00:00", "24:00"].iter().find_map(|end| {
        let head = text.strip_suffix(end)?;
        (head.ends_with(' ') || head.ends_with('T')).then(|| format!("{head}00:00{}", &end[5..]))
    })
}

/// `2021-01-04 오후 3:00:00` (how Excel in Korea shows a time, and saves it as CSV) or
/// `1/4/2021 3:00:00 PM`: the same cell on a 24-hour clock (`2021-01-04 15:00:00`), the marker
/// dropped; `None` when the cell has no `오전`/`오후`/`AM`/`PM` or no hour from 1 to 12 with it.
/// Only cells that fail as written come here, so a 24-hour export pays nothing.
pub fn with_24_hours(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let marker = words
        .iter()
        .position(|w| matches!(*w, "오전" | "오후") || w.eq_ignore_ascii_case("AM") || w.eq_ignore_ascii_case("PM"))?;
    let afternoon = words[marker] == "오후" || words[marker].eq_ignore_ascii_case("PM");
    let at = words.iter().position(|w| w.contains(':'))?;
    let (hour, rest) = words[at].split_once(':')?;
    let hour: u32 = hour.parse().ok().filter(|h| (1..=12).contains(h))?;
    let hour = match (afternoon, hour) {
        (false, 12) => 0,
        (true, 12) => 12,
        (false, h) => h,
        (true, h) => h + 12,
    };
    let date: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != marker && *i != at)
        .map(|(_, w)| *w)
        .collect();
    Some(format!("{} {hour:02}:{rest}", date.join(" ")))
}

/// Days of the week as reports write them beside a date: Korean (`월`, `월요일`), Japanese
/// (`月`), English (`Mon`, `Monday`, `Tues`), in any case.
const WEEKDAYS: [&str; 31] = [
    "월",
    "화",
    "수",
    "목",
    "금",
    "토",
    "일",
    "月",
    "火",
    "水",
    "木",
    "金",
    "土",
    "日",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn is_weekday(word: &str) -> bool {
    let word = word.trim().trim_end_matches(['.', ',']).to_lowercase();
    let word = word.strip_suffix("요일").unwrap_or(&word);
    WEEKDAYS.contains(&word)
}

/// The cell without the day of the week a report writes beside the date (`2022-01-03(월) 00:00`,
/// `2022-01-03 (Mon) 00:00`, `Mon Jan 03 2022 00:00`, `Monday, 3 January 2022 00:00`); `None`
/// when it names none.
pub fn without_weekday(text: &str) -> Option<String> {
    let text = text.trim();
    if let (Some(open), Some(close)) = (text.find('('), text.find(')')) {
        if open < close && is_weekday(&text[open + 1..close]) {
            let rest = format!("{} {}", &text[..open], &text[close + 1..]);
            return Some(rest.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    let (first, rest) = text.split_once(char::is_whitespace)?;
    is_weekday(first).then(|| rest.trim().to_string())
}

/// A parser for one column's cells, chosen once.
#[derive(Debug, Clone)]
pub enum TimeParser {
    /// flow's own year-first parser.
    YearFirst,
    /// Times with their offset from UTC ([`parse_with_offset`]): placed on the local clock of
    /// `zone` when one is known, so its daylight saving is handled as for local files; else each
    /// at the wall time its own offset shows (a `Z` time on the UTC clock).
    Offset {
        /// The local clock, from `--time-zone` or the header.
        zone: Option<Tz>,
    },
    /// Seconds (`per_second` 1) or milliseconds (1000) since 1970-01-01 UTC, as historians and
    /// time-series databases export them: instants, placed on `zone`'s clock when one is known,
    /// else on the UTC clock.
    Epoch {
        /// Units of the number per second.
        per_second: i64,
        /// The local clock, from `--time-zone` or the header.
        zone: Option<Tz>,
    },
    /// Excel's serial dates (days since 1899-12-30, the time of day as a fraction: `44564.041667`),
    /// what a CSV saved from a sheet whose time column is formatted as a number holds. Wall-clock
    /// time, as the sheet showed it.
    ExcelSerial,
    /// A chrono pattern, with whether it carries a time of day.
    Pattern {
        /// The pattern.
        pattern: String,
        /// Whether it has hours (else dates are midnight).
        with_time: bool,
    },
}

impl TimeParser {
    /// The pattern for day- or month-first cells written like `example` (its separator, and
    /// whether it has hours and seconds).
    pub fn for_order(order: DateOrder, example: &str) -> TimeParser {
        if order == DateOrder::YearFirst {
            return TimeParser::YearFirst;
        }
        let example = example.trim();
        let separator = example.chars().find(|c| !c.is_ascii_digit()).unwrap_or('/');
        let date = match order {
            DateOrder::MonthFirst => format!("%m{separator}%d{separator}%Y"),
            _ => format!("%d{separator}%m{separator}%Y"),
        };
        let colons = example.matches(':').count();
        let pattern = match colons {
            0 => date,
            1 => format!("{date} %H:%M"),
            _ => format!("{date} %H:%M:%S"),
        };
        TimeParser::Pattern {
            with_time: colons > 0,
            pattern,
        }
    }

    /// The parser for times written as plain numbers like `example`, when its size says which
    /// kind: seconds since 1970 (10 digits: 2001–2286), milliseconds (13 digits), or an Excel
    /// serial date (20,000 to 100,000 days: 1954–2173). `None` for anything else.
    pub fn for_number(example: &str, zone: Option<Tz>) -> Option<TimeParser> {
        let number: f64 = example.trim().parse().ok()?;
        match number {
            n if (1e9..1e10).contains(&n) => Some(TimeParser::Epoch { per_second: 1, zone }),
            n if (1e12..1e13).contains(&n) => Some(TimeParser::Epoch {
                per_second: 1_000,
                zone,
            }),
            n if (20_000.0..100_000.0).contains(&n) => Some(TimeParser::ExcelSerial),
            _ => None,
        }
    }

    /// The parser of an explicit pattern.
    pub fn pattern(pattern: &str) -> TimeParser {
        TimeParser::Pattern {
            with_time: ["%H", "%I", "%T", "%R", "%M"].iter().any(|p| pattern.contains(p)),
            pattern: pattern.to_string(),
        }
    }

    /// Seconds since 1970-01-01 00:00 of the wall-clock time in `text`, on a 24-hour clock or a
    /// 12-hour one ([`with_24_hours`]: Korean Excel's `오전`/`오후`, `AM`/`PM`).
    pub fn parse(&self, text: &str) -> Option<i64> {
        let with_units = |text: &str| self.parse_clock_words(&with_korean_units(text)?);
        self.parse_as_written(text)
            .or_else(|| self.parse_clock_words(text))
            .or_else(|| with_units(text))
            .or_else(|| {
                let plain = without_weekday(text)?;
                self.parse_clock_words(&plain).or_else(|| with_units(&plain))
            })
    }

    /// A cell on a 12-hour clock or at 24:00, once the plain reading failed.
    fn parse_clock_words(&self, text: &str) -> Option<i64> {
        self.parse_as_written(text)
            .or_else(|| self.parse_as_written(&with_24_hours(text)?))
            .or_else(|| Some(self.parse_as_written(&end_of_day_as_midnight(text)?)? + crate::time::DAY))
    }

    fn parse_as_written(&self, text: &str) -> Option<i64> {
        match self {
            TimeParser::YearFirst => parse_timestamp(text),
            TimeParser::Offset { zone } => {
                let time = parse_with_offset(text)?;
                let wall = match zone {
                    Some(zone) => time.with_timezone(zone).naive_local(),
                    None => time.naive_local(),
                };
                Some(wall.and_utc().timestamp())
            }
            TimeParser::Epoch { per_second, zone } => {
                // `1641168000.0` as a spreadsheet or pandas writes it too; to the nearest second, as
                // every other form is read; a later cell of another size is not a time.
                let units: f64 = text.trim().parse().ok()?;
                let seconds = (units / *per_second as f64).round();
                if !(1e9..1e10).contains(&seconds) {
                    return None;
                }
                let seconds = seconds as i64;
                let instant = chrono::DateTime::from_timestamp(seconds, 0)?;
                Some(match zone {
                    Some(zone) => instant.with_timezone(zone).naive_local().and_utc().timestamp(),
                    None => seconds,
                })
            }
            TimeParser::ExcelSerial => {
                let days: f64 = text.trim().parse().ok()?;
                if !(20_000.0..100_000.0).contains(&days) {
                    return None;
                }
                // 25,569 days from 1899-12-30 to 1970-01-01; a fraction of a day to the nearest
                // second (`0.041667` days is 01:00:00.03).
                Some(((days - EXCEL_EPOCH_DAYS) * 86_400.0).round() as i64)
            }
            TimeParser::Pattern { pattern, with_time } => {
                let text = text.trim();
                if *with_time {
                    NaiveDateTime::parse_from_str(text, pattern)
                        .ok()
                        .map(|t| t.and_utc().timestamp())
                } else {
                    NaiveDate::parse_from_str(text, pattern)
                        .ok()
                        .map(|d| d.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp()))
                }
            }
        }
    }

    /// How it reads, for the report: `year-first` or the pattern.
    pub fn describe(&self) -> String {
        match self {
            TimeParser::YearFirst => "year-first".to_string(),
            TimeParser::Offset { zone: Some(_) } => "ISO 8601 with UTC offsets".to_string(),
            TimeParser::Offset { zone: None } => {
                "ISO 8601 with UTC offsets, each at its own offset's wall time".to_string()
            }
            TimeParser::Epoch { per_second, zone } => {
                let unit = if *per_second == 1 { "seconds" } else { "milliseconds" };
                match zone {
                    Some(_) => format!("{unit} since 1970 (UTC instants)"),
                    None => format!("{unit} since 1970 on the UTC clock"),
                }
            }
            TimeParser::ExcelSerial => "Excel serial dates (days since 1899-12-30)".to_string(),
            TimeParser::Pattern { pattern, .. } => pattern.clone(),
        }
    }
}

/// Excel's serial date of 1970-01-01.
const EXCEL_EPOCH_DAYS: f64 = 25_569.0;

/// A zone named in a header, such as `CET` in `Date-time CET-CEST (DD/MM/YYYY HH:mm)`: a word of
/// three or more capitals (or an `Area/City`) that chrono-tz knows, or an abbreviation of
/// [`ZONE_ABBREVIATIONS`] (`Time (KST)`: Asia/Seoul); `UTC` and `GMT` left out (they change
/// nothing).
pub fn zone_in_header(header: &str) -> Option<String> {
    header
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '(' | ')' | ',' | ';' | '[' | ']'))
        .filter(|word| {
            word.len() >= 3
                && (word.contains('/') && word.chars().next().is_some_and(char::is_uppercase)
                    || word.chars().all(|c| c.is_ascii_uppercase()))
                && !matches!(*word, "UTC" | "GMT")
        })
        .find_map(|word| match word.parse::<Tz>() {
            Ok(_) => Some(word.to_string()),
            Err(_) => zone_abbreviation(word).map(|zone| zone.zone.to_string()),
        })
}

/// A zone's abbreviation as written after a time (`2022-01-03 00:00 KST`): the offset from UTC it
/// stands for and the zone whose clock it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneAbbreviation {
    /// As written: `KST`, `CEST`.
    pub name: &'static str,
    /// The offset from UTC, as chrono reads it: `+09:00`.
    pub offset: &'static str,
    /// The IANA zone whose clock shows it: `Asia/Seoul`, `CET`.
    pub zone: &'static str,
}

/// The abbreviations read after a time. Only those that name one offset: `CST` (China, or the
/// American Central), `IST` (India, Ireland, Israel) and `BST` are not among them.
pub const ZONE_ABBREVIATIONS: [ZoneAbbreviation; 19] = {
    const fn z(name: &'static str, offset: &'static str, zone: &'static str) -> ZoneAbbreviation {
        ZoneAbbreviation { name, offset, zone }
    }
    [
        z("UTC", "+00:00", "UTC"),
        z("GMT", "+00:00", "UTC"),
        z("KST", "+09:00", "Asia/Seoul"),
        z("JST", "+09:00", "Asia/Tokyo"),
        z("WET", "+00:00", "WET"),
        z("WEST", "+01:00", "WET"),
        z("CET", "+01:00", "CET"),
        z("CEST", "+02:00", "CET"),
        z("EET", "+02:00", "EET"),
        z("EEST", "+03:00", "EET"),
        z("EST", "-05:00", "EST5EDT"),
        z("EDT", "-04:00", "EST5EDT"),
        z("MST", "-07:00", "MST7MDT"),
        z("MDT", "-06:00", "MST7MDT"),
        z("PST", "-08:00", "PST8PDT"),
        z("PDT", "-07:00", "PST8PDT"),
        z("AEST", "+10:00", "Australia/Sydney"),
        z("AEDT", "+11:00", "Australia/Sydney"),
        z("NZST", "+12:00", "Pacific/Auckland"),
    ]
};

/// Abbreviations that stand for more than one clock, and the clocks: flow reads none of them by
/// itself (a wrong guess would shift every reading by hours).
pub const AMBIGUOUS_ZONE_ABBREVIATIONS: [(&str, &str); 6] = [
    (
        "CST",
        "US Central America/Chicago, China Asia/Shanghai, Taiwan Asia/Taipei, Cuba America/Havana",
    ),
    ("CDT", "US Central America/Chicago, Cuba America/Havana"),
    (
        "IST",
        "India Asia/Kolkata, Ireland Europe/Dublin, Israel Asia/Jerusalem",
    ),
    ("BST", "British Summer Europe/London, Bangladesh Asia/Dhaka"),
    ("AST", "Atlantic America/Halifax, Arabia Asia/Riyadh"),
    ("GST", "Gulf Asia/Dubai, South Georgia Atlantic/South_Georgia"),
];

/// The ambiguous abbreviation a time cell ends with (`2022-01-03 00:00 CST`), and the clocks it
/// may mean.
pub fn ambiguous_zone_in_cell(cell: &str) -> Option<(&'static str, &'static str)> {
    let (_, word) = cell.trim().rsplit_once(' ')?;
    AMBIGUOUS_ZONE_ABBREVIATIONS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .copied()
}

/// The abbreviation `word` is (`KST`, `cest`), if it is one of [`ZONE_ABBREVIATIONS`].
pub fn zone_abbreviation(word: &str) -> Option<ZoneAbbreviation> {
    ZONE_ABBREVIATIONS
        .iter()
        .find(|zone| zone.name.eq_ignore_ascii_case(word.trim()))
        .copied()
}

/// The zone of the abbreviation a time cell ends with (`2022-01-03 00:00 KST`: Asia/Seoul); `UTC`
/// and `GMT` count here, unlike in a header: the cells are then instants.
pub fn zone_in_cell(cell: &str) -> Option<String> {
    let (_, word) = cell.trim().rsplit_once(' ')?;
    zone_abbreviation(word).map(|zone| zone.zone.to_string())
}

/// Forms of time that systems write beyond the year-first, day-first and month-first ones flow
/// reads by itself, as chrono patterns tried in turn on a column's first time cell (the first that
/// reads it reads the column): historians' month names (OSIsoft PI: `03-Jan-2022 00:00:00`),
/// English dates (`3 Jan 2022 00:00`, `Jan 3, 2022 12:00 AM`), compact digits (KMA and many
/// loggers: `202201030000`, `20220103 0000`), Korean locale dates (`2022. 1. 3. 오전 12:00:00`).
/// A 12-hour clock (`AM`, `오후`) is read by every one of them.
pub const KNOWN_PATTERNS: [&str; 27] = [
    "%d-%b-%Y %H:%M:%S%.f",
    "%d-%b-%Y %H:%M",
    "%d-%b-%y %H:%M:%S%.f",
    "%d-%b-%y %H:%M",
    "%d-%b-%Y",
    "%d %b %Y %H:%M:%S",
    "%d %b %Y %H:%M",
    "%d %B %Y %H:%M:%S",
    "%d %B %Y %H:%M",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y %H:%M:%S",
    "%b %d, %Y %H:%M",
    "%B %d, %Y %H:%M:%S",
    "%B %d, %Y %H:%M",
    "%b %d %Y %H:%M:%S",
    "%b %d %Y %H:%M",
    "%b %d, %Y",
    "%B %d, %Y",
    "%Y%m%d%H%M%S",
    "%Y%m%d%H%M",
    "%Y%m%d %H:%M:%S",
    "%Y%m%d %H:%M",
    "%Y%m%d",
    "%Y. %m. %d. %H:%M:%S",
    "%Y. %m. %d. %H:%M",
    "%Y. %m. %d.",
];

/// The parser of the first of [`KNOWN_PATTERNS`] that reads `cell` as a time from 1970 to 2100.
pub fn known_pattern(cell: &str) -> Option<TimeParser> {
    let cell = cell.trim();
    // Every pattern needs a month's name, a run of eight digits or `. `: most cells that are not
    // times (numbers, tag names, units) are turned away before chrono is asked 27 times.
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = cell.to_ascii_lowercase();
    let month = MONTHS.iter().any(|name| lower.contains(name));
    let compact = cell.len() >= 8 && cell.as_bytes()[..8].iter().all(u8::is_ascii_digit);
    if !(month || compact || cell.contains(". ")) {
        return None;
    }
    KNOWN_PATTERNS
        .iter()
        .map(|pattern| TimeParser::pattern(pattern))
        .find(|parser| parser.parse(cell).is_some_and(|t| (0..4_102_444_800).contains(&t)))
}

/// The daylight-saving facts of a local clock.
#[derive(Debug, Clone, Copy)]
pub struct LocalClock(Tz);

impl LocalClock {
    /// The clock of an IANA zone name (already checked, or found by [`zone_in_header`]).
    pub fn new(zone: &str) -> Option<LocalClock> {
        zone.parse::<Tz>().ok().map(LocalClock)
    }

    fn local(&self, timestamp: i64) -> Option<LocalResult<chrono::DateTime<Tz>>> {
        let naive = chrono::DateTime::from_timestamp(timestamp, 0)?.naive_utc();
        Some(self.0.from_local_datetime(&naive))
    }

    /// Whether the wall clock shows `timestamp` twice (the autumn change).
    pub fn is_repeated(&self, timestamp: i64) -> bool {
        matches!(self.local(timestamp), Some(LocalResult::Ambiguous(..)))
    }

    /// Whether the wall clock never shows `timestamp` (the spring change).
    pub fn is_skipped(&self, timestamp: i64) -> bool {
        matches!(self.local(timestamp), Some(LocalResult::None))
    }
}

/// The clock, of the daylight-saving rules most exports follow (European, British, North
/// American, south-east Australian), that shows every one of `duplicated` twice: the wall-clock
/// times an export wrote twice, when its zone was not named. None when there are none, or when
/// one of them is no such hour (two files that overlap, a re-sent row).
pub fn zone_repeating(duplicated: &[i64]) -> Option<&'static str> {
    if duplicated.is_empty() {
        return None;
    }
    ["CET", "Europe/London", "America/New_York", "Australia/Sydney"]
        .into_iter()
        .find(|zone| LocalClock::new(zone).is_some_and(|clock| duplicated.iter().all(|&t| clock.is_repeated(t))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::days_from_civil;
    use crate::time::{DAY, HOUR};

    #[test]
    fn orders_are_read_from_days_above_twelve_or_refused() {
        let day = ["05/03/2021 00:00", "25/03/2021 00:00"];
        assert_eq!(DateOrder::infer("time", day.into_iter()), Some(DateOrder::DayFirst));
        let month = ["03/05/2021 00:00", "03/25/2021 00:00"];
        assert_eq!(DateOrder::infer("time", month.into_iter()), Some(DateOrder::MonthFirst));
        let unclear = ["03/05/2021 00:00", "04/05/2021 00:00"];
        assert_eq!(DateOrder::infer("time", unclear.into_iter()), None);
        assert_eq!(
            DateOrder::infer("time", ["2021-03-05 00:00"].into_iter()),
            Some(DateOrder::YearFirst)
        );
    }

    #[test]
    fn patterns_follow_the_example() {
        let parser = TimeParser::for_order(DateOrder::DayFirst, "31.12.2021 23:05");
        assert_eq!(parser.describe(), "%d.%m.%Y %H:%M");
        let expected = days_from_civil(2021, 12, 31) * DAY + 23 * HOUR + 5 * 60;
        assert_eq!(parser.parse("31.12.2021 23:05"), Some(expected));
        assert_eq!(parser.parse("31.13.2021 23:05"), None);
        let month = TimeParser::for_order(DateOrder::MonthFirst, "12/31/2021");
        assert_eq!(month.parse("12/31/2021"), Some(days_from_civil(2021, 12, 31) * DAY));
        assert_eq!(TimeParser::pattern("%Y%m%d%H%M").parse("202112312305"), Some(expected));
    }

    #[test]
    fn zones_come_from_flags_or_headers() {
        assert_eq!(
            zone_in_header("Date-time CET-CEST (DD/MM/YYYY HH:mm)").as_deref(),
            Some("CET")
        );
        assert_eq!(zone_in_header("저장시간"), None);
        assert_eq!(zone_in_header("time (UTC)"), None);
        let bad = ClockSettings {
            format: TimeFormat::Auto,
            zone: Some("Mars/Olympus".into()),
        };
        assert!(matches!(bad.check(), Err(CoreError::UnknownTimeZone { .. })));
        let no_year = ClockSettings {
            format: TimeFormat::Pattern("%H:%M".into()),
            zone: None,
        };
        assert!(matches!(no_year.check(), Err(CoreError::BadTimeFormat { .. })));
    }

    #[test]
    fn twelve_hour_times_are_put_on_the_24_hour_clock() {
        let cases = [
            ("2021-01-04 오전 12:00:00", Some("2021-01-04 00:00:00")),
            ("2021-01-04 오전 9:05:00", Some("2021-01-04 09:05:00")),
            ("2021-01-04 오후 12:30:00", Some("2021-01-04 12:30:00")),
            ("2021-01-04 오후 3:00", Some("2021-01-04 15:00")),
            ("1/4/2021 11:00:00 PM", Some("1/4/2021 23:00:00")),
            ("1/4/2021 12:15 am", Some("1/4/2021 00:15")),
            ("2021-01-04 15:00:00", None),
            ("2021-01-04 오후 13:00:00", None),
            ("2021-01-04 오후", None),
        ];
        for (cell, expected) in cases {
            assert_eq!(with_24_hours(cell).as_deref(), expected, "{cell}");
        }
        let at = |text: &str| parse_timestamp(text).unwrap();
        assert_eq!(
            TimeParser::YearFirst.parse("2021-01-04 오후 3:00:00"),
            Some(at("2021-01-04 15:00"))
        );
        let day_first = TimeParser::for_order(DateOrder::DayFirst, "04/01/2021 오후 3:00:00");
        assert_eq!(day_first.parse("04/01/2021 오후 3:00:00"), Some(at("2021-01-04 15:00")));
        assert_eq!(day_first.parse("04/01/2021 15:00:00"), Some(at("2021-01-04 15:00")));
    }

    /// Hand-checked: 1641168000 s is 2022-01-03 00:00 UTC (18,995 days after 1970-01-01), 09:00
    /// in Seoul; Excel's 44564 is the same day (18,995 + 25,569), and 0.041667 of a day rounds to
    /// 01:00:00.
    #[test]
    fn times_written_as_numbers_are_read_by_their_size() {
        let day = days_from_civil(2022, 1, 3) * DAY;
        assert_eq!(day, 18_995 * DAY);
        let seconds = TimeParser::for_number("1641168000", None).unwrap();
        assert_eq!(seconds.parse("1641168000"), Some(day));
        assert_eq!(seconds.describe(), "seconds since 1970 on the UTC clock");
        let seoul: Tz = "Asia/Seoul".parse().unwrap();
        let millis = TimeParser::for_number("1641168000000", Some(seoul)).unwrap();
        assert_eq!(millis.parse("1641168000499"), Some(day + 9 * HOUR));
        assert_eq!(millis.parse("1641168000500"), Some(day + 9 * HOUR + 1));
        let excel = TimeParser::for_number("44564", None).unwrap();
        assert_eq!(excel.parse("44564"), Some(day));
        assert_eq!(excel.parse("44564.041667"), Some(day + HOUR));
        // Sizes that are no time: a flow of 5.3, a year, a 12-digit number.
        for number in ["5.3", "2022", "164116800000", "-44564"] {
            assert!(TimeParser::for_number(number, None).is_none(), "{number}");
        }
        // A later cell out of the first one's kind is not a time.
        assert_eq!(excel.parse("5.3"), None);
        assert_eq!(seconds.parse("44564.5"), None);
        assert_eq!(seconds.parse("1641168000.0"), Some(day));
    }

    /// Korean reports' `년 월 일 시 분`, with or without `오전`/`오후`, 24시 the day's end.
    #[test]
    fn korean_dates_with_their_units_are_read() {
        let day = days_from_civil(2022, 1, 3) * DAY;
        let read = |text: &str| TimeParser::YearFirst.parse(text);
        assert_eq!(read("2022년 1월 3일 13시 30분"), Some(day + 13 * HOUR + 30 * 60));
        assert_eq!(read("2022년 01월 03일 00시"), Some(day));
        assert_eq!(read("2022년 1월 3일"), Some(day));
        assert_eq!(
            read("2022년 1월 3일 오후 1시 5분 9초"),
            Some(day + 13 * HOUR + 5 * 60 + 9)
        );
        assert_eq!(read("2022년 1월 3일 24시"), Some(day + DAY));
        for bad in ["2022년 13월 3일", "2022년 1월 3일 7", "합계"] {
            assert_eq!(read(bad), None, "{bad}");
        }
    }

    /// 24:00 is the end of its day: the next day's midnight, however the date is written.
    #[test]
    fn the_end_of_a_day_is_the_next_midnight() {
        let next = days_from_civil(2022, 1, 4) * DAY;
        assert_eq!(TimeParser::YearFirst.parse("2022-01-03 24:00"), Some(next));
        assert_eq!(TimeParser::YearFirst.parse("2022-01-03T24:00:00"), Some(next));
        let day_first = TimeParser::for_order(DateOrder::DayFirst, "03/01/2022 24:00");
        assert_eq!(day_first.parse("03/01/2022 24:00"), Some(next));
        assert_eq!(
            day_first.parse("31/12/2021 24:00"),
            Some(days_from_civil(2022, 1, 1) * DAY)
        );
        for bad in ["2022-01-03 24:30", "2022-01-03 25:00", "2022-01-0324:00"] {
            assert_eq!(TimeParser::YearFirst.parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_with_offsets_are_read_by_chrono() {
        let utc = |text: &str| parse_with_offset(text).map(|t| t.timestamp());
        let at = |text: &str| parse_timestamp(text).unwrap();
        // 02:00 at +01:00 is 01:00 UTC; `Z` is UTC; offsets with or without a colon, or hours
        // only; seconds and their fractions optional; `T` or a space.
        assert_eq!(utc("2022-10-30T02:00:00+01:00"), Some(at("2022-10-30 01:00")));
        assert_eq!(utc("2022-10-30T02:00:00+02:00"), Some(at("2022-10-30 00:00")));
        assert_eq!(utc(" 2022-10-30T01:00:00.000Z "), Some(at("2022-10-30 01:00")));
        assert_eq!(utc("2022-10-30 02:00+0100"), Some(at("2022-10-30 01:00")));
        assert_eq!(utc("2022-10-30T11:30:15.5+09"), Some(at("2022-10-30 02:30:15")));
        assert_eq!(utc("2022-10-30T02:00:00-05:00"), Some(at("2022-10-30 07:00")));
        for not in [
            "2022-10-30 02:00",
            "2022-10-30",
            "2022-10-30T25:00Z",
            "30/10/2022 02:00+01:00",
            "2022-10-30T02:00+",
        ] {
            assert_eq!(utc(not), None, "{not}");
        }
        // On the clock of Rome, both 02:00 of 30 October are 02:00; without a zone, each cell's
        // own wall time; a `Z` time stays on the UTC clock.
        let rome = TimeParser::Offset {
            zone: Some(chrono_tz::Europe::Rome),
        };
        assert_eq!(rome.parse("2022-10-30T00:00:00Z"), Some(at("2022-10-30 02:00")));
        assert_eq!(rome.parse("2022-10-30T01:00:00Z"), Some(at("2022-10-30 02:00")));
        assert_eq!(rome.parse("2022-10-30T02:00:00+01:00"), Some(at("2022-10-30 02:00")));
        let own = TimeParser::Offset { zone: None };
        assert_eq!(own.parse("2022-10-30T02:00:00+01:00"), Some(at("2022-10-30 02:00")));
        assert_eq!(own.parse("2022-10-30T01:00:00Z"), Some(at("2022-10-30 01:00")));
    }

    #[test]
    fn the_rome_clock_repeats_october_and_skips_march() {
        let clock = LocalClock::new("Europe/Rome").expect("a known zone");
        let autumn = days_from_civil(2022, 10, 30) * DAY + 2 * HOUR;
        assert!(clock.is_repeated(autumn));
        assert!(!clock.is_repeated(autumn + HOUR));
        let spring = days_from_civil(2021, 3, 28) * DAY + 2 * HOUR;
        assert!(clock.is_skipped(spring));
        assert!(!clock.is_skipped(spring + HOUR));
        assert!(!clock.is_skipped(spring - HOUR));
    }

    /// Hand-checked: BWDF's two autumn 02:00s are CET's repeated hour; 01:00 of the same night is
    /// London's (and only London's, of the four); 01:00 of the first Sunday of November 2022 is
    /// North America's; one ordinary hour among them (a re-sent row) names no zone.
    #[test]
    fn the_zone_whose_clock_repeats_every_duplicated_hour() {
        let bwdf = [
            days_from_civil(2021, 10, 31) * DAY + 2 * HOUR,
            days_from_civil(2022, 10, 30) * DAY + 2 * HOUR,
        ];
        assert_eq!(zone_repeating(&bwdf), Some("CET"));
        assert_eq!(zone_repeating(&[bwdf[1] - HOUR]), Some("Europe/London"));
        assert_eq!(
            zone_repeating(&[days_from_civil(2022, 11, 6) * DAY + HOUR]),
            Some("America/New_York")
        );
        assert_eq!(zone_repeating(&[bwdf[0], days_from_civil(2022, 1, 5) * DAY]), None);
        assert_eq!(zone_repeating(&[]), None);
    }

    /// Hand-checked: each form a system writes, read as 2022-01-03 (a Monday) at the time shown.
    #[test]
    fn forms_systems_write_are_read_by_a_known_pattern() {
        let monday = days_from_civil(2022, 1, 3) * DAY;
        let cases = [
            ("03-Jan-2022 00:00:00", "%d-%b-%Y %H:%M:%S%.f", 0),
            ("03-JAN-2022 13:30:00.000", "%d-%b-%Y %H:%M:%S%.f", 13 * HOUR + 1800),
            ("03-Jan-22 01:00:00", "%d-%b-%y %H:%M:%S%.f", HOUR),
            ("3 Jan 2022 02:00", "%d %b %Y %H:%M", 2 * HOUR),
            ("3 January 2022 02:00", "%d %B %Y %H:%M", 2 * HOUR),
            ("Jan 3, 2022 2:00 PM", "%b %d, %Y %H:%M", 14 * HOUR),
            ("202201030100", "%Y%m%d%H%M", HOUR),
            ("20220103010005", "%Y%m%d%H%M%S", HOUR + 5),
            // chrono lets a space stand before a number: the compact pattern reads it.
            ("20220103 0100", "%Y%m%d%H%M", HOUR),
            ("20220103", "%Y%m%d", 0),
            ("2022. 1. 3. 오후 1:00:00", "%Y. %m. %d. %H:%M:%S", 13 * HOUR),
            ("2022. 01. 03.", "%Y. %m. %d.", 0),
        ];
        for (cell, pattern, seconds) in cases {
            let parser = known_pattern(cell).unwrap_or_else(|| panic!("{cell} not read"));
            assert_eq!(parser.describe(), pattern, "{cell}");
            assert_eq!(parser.parse(cell), Some(monday + seconds), "{cell}");
        }
        // Not times: numbers (a flow of 12345678, a meter's tag), words, a date past 2100.
        for cell in [
            "12345678",
            "123456789012",
            "Total",
            "DMA 1",
            "21000103",
            "35-Jan-2022 00:00:00",
        ] {
            assert!(known_pattern(cell).is_none(), "{cell}");
        }
    }

    /// Hand-checked: a zone's abbreviation after the time is its offset, and names the clock.
    #[test]
    fn a_zone_abbreviation_after_the_time_is_its_offset() {
        let at = |cell: &str| parse_with_offset(cell).map(|t| t.timestamp());
        let midnight = days_from_civil(2022, 1, 3) * DAY;
        assert_eq!(at("2022-01-03 09:00 KST"), Some(midnight));
        assert_eq!(at("2022/01/03 09:00:00 kst"), Some(midnight));
        assert_eq!(at("2022-01-03 00:00 UTC"), Some(midnight));
        // Rome's autumn change: 02:00 CEST is 00:00 UTC, 02:00 CET an hour later.
        let october = days_from_civil(2022, 10, 30) * DAY;
        assert_eq!(at("2022-10-30 02:00 CEST"), Some(october));
        assert_eq!(at("2022-10-30 02:00 CET"), Some(october + HOUR));
        // Ambiguous abbreviations are not read: CST is China's or America's Central.
        assert_eq!(at("2022-01-03 09:00 CST"), None);
        assert_eq!(zone_in_cell("2022-01-03 09:00 KST").as_deref(), Some("Asia/Seoul"));
        assert_eq!(zone_in_cell("2022-10-30 02:00 CEST").as_deref(), Some("CET"));
        assert_eq!(zone_in_cell("2022-01-03 09:00"), None);
        assert_eq!(zone_in_header("Time (KST)").as_deref(), Some("Asia/Seoul"));
        assert_eq!(zone_in_header("Time (UTC)"), None);
    }

    /// Hand-checked: the day of the week a report writes beside the date is left out; the hour in
    /// Korean units is read after a plain date.
    #[test]
    fn weekdays_beside_the_date_and_hours_in_units_are_read() {
        assert_eq!(
            without_weekday("2022-01-03(월) 00:00").as_deref(),
            Some("2022-01-03 00:00")
        );
        assert_eq!(
            without_weekday("2022-01-03 (Mon) 00:00").as_deref(),
            Some("2022-01-03 00:00")
        );
        assert_eq!(without_weekday("2022.01.03(월요일)").as_deref(), Some("2022.01.03"));
        assert_eq!(
            without_weekday("Mon Jan 03 2022 00:00").as_deref(),
            Some("Jan 03 2022 00:00")
        );
        assert_eq!(
            without_weekday("Monday, 3 January 2022").as_deref(),
            Some("3 January 2022")
        );
        // Not a weekday: a zone, a note in brackets, a month.
        for cell in [
            "2022-01-03 00:00 (KST)",
            "2022-01-03 (est.) 00:00",
            "Jan 03 2022 00:00",
            "2022-01-03 00:00",
        ] {
            assert_eq!(without_weekday(cell), None, "{cell}");
        }
        let monday = days_from_civil(2022, 1, 3) * DAY;
        assert_eq!(
            TimeParser::YearFirst.parse("2022-01-03(월) 13:00"),
            Some(monday + 13 * HOUR)
        );
        assert_eq!(TimeParser::YearFirst.parse("2022-01-03(월)"), Some(monday));
        assert_eq!(TimeParser::YearFirst.parse("2022/01/03 01시"), Some(monday + HOUR));
        assert_eq!(
            TimeParser::YearFirst.parse("2022.01.03 13시 30분"),
            Some(monday + 13 * HOUR + 1800)
        );
        assert_eq!(
            TimeParser::YearFirst.parse("2022-01-03(월) 오후 1시"),
            Some(monday + 13 * HOUR)
        );
        // A day-first date is not rewritten as year-first.
        assert_eq!(with_korean_units("03/01/2022 01시"), None);
    }
}
