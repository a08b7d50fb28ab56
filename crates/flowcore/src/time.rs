//! Timestamps as seconds since 1970-01-01 00:00 in the plant's local clock.
//!
//! SCADA exports carry wall-clock times with no zone, so flow never converts zones: a timestamp is the
//! civil date and time as written, counted in seconds. The calendar arithmetic is the proleptic
//! Gregorian one (Howard Hinnant's `days_from_civil`), kept here so that the hot ingest loop parses
//! half a million timestamps without allocating.

/// Seconds in a minute, an hour, a day.
pub const MINUTE: i64 = 60;
/// Seconds in an hour.
pub const HOUR: i64 = 3_600;
/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// Days since 1970-01-01 of a civil date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Civil date `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Day of the week, 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
pub fn weekday(timestamp: i64) -> u32 {
    (timestamp.div_euclid(DAY) + 3).rem_euclid(7) as u32
}

/// Whether a timestamp falls on a Saturday or Sunday.
pub fn is_weekend(timestamp: i64) -> bool {
    weekday(timestamp) >= 5
}

/// Seconds since midnight.
pub fn seconds_of_day(timestamp: i64) -> i64 {
    timestamp.rem_euclid(DAY)
}

/// Parses the timestamp forms found in utility exports and in flow's own files:
/// `2020/01/01 0:00`, `2020-01-01 00:00:00`, `2020-01-01 0:00`, `2020-01-01T00:00:00`,
/// `2020-01-01 00:00:00.000000` and a bare date `2020-01-01` (midnight).
///
/// Returns `None` for anything else, including impossible dates such as `2020-02-30`.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let bytes = text.trim().as_bytes();
    let mut cursor = Cursor { bytes, pos: 0 };
    let year = cursor.number(4, 4)?;
    let separator = cursor.next()?;
    if separator != b'-' && separator != b'/' && separator != b'.' {
        return None;
    }
    let month = cursor.number(1, 2)?;
    if cursor.next()? != separator {
        return None;
    }
    let day = cursor.number(1, 2)?;
    let (mut hour, mut minute, mut second) = (0, 0, 0);
    if !cursor.at_end() {
        let gap = cursor.next()?;
        if gap != b' ' && gap != b'T' {
            return None;
        }
        while cursor.peek() == Some(b' ') {
            cursor.pos += 1;
        }
        hour = cursor.number(1, 2)?;
        if cursor.next()? != b':' {
            return None;
        }
        minute = cursor.number(2, 2)?;
        if cursor.peek() == Some(b':') {
            cursor.pos += 1;
            second = cursor.number(2, 2)?;
            if cursor.peek() == Some(b'.') {
                cursor.pos += 1;
                // Fractions of a second are accepted and dropped: SCADA steps are whole minutes.
                cursor.number(1, 9)?;
            }
        }
        if !cursor.at_end() {
            return None;
        }
    }
    let (month, day) = (month as u32, day as u32);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(days_from_civil(year, month, day) * DAY + hour * HOUR + minute * MINUTE + second)
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }
    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }
    fn number(&mut self, min_digits: usize, max_digits: usize) -> Option<i64> {
        let start = self.pos;
        let mut value: i64 = 0;
        while let Some(byte) = self.peek() {
            if !byte.is_ascii_digit() || self.pos - start == max_digits {
                break;
            }
            value = value * 10 + i64::from(byte - b'0');
            self.pos += 1;
        }
        let digits = self.pos - start;
        (digits >= min_digits).then_some(value)
    }
}

/// Formats a timestamp as `2020-01-01 00:00:00`, the form flow writes.
pub fn format_timestamp(timestamp: i64) -> String {
    let (year, month, day) = civil_from_days(timestamp.div_euclid(DAY));
    let second_of_day = timestamp.rem_euclid(DAY);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        second_of_day / HOUR,
        (second_of_day % HOUR) / MINUTE,
        second_of_day % MINUTE
    )
}

/// Formats a timestamp the way the utility's SCADA export writes it: `2020/01/01 0:00`.
pub fn format_scada(timestamp: i64) -> String {
    let (year, month, day) = civil_from_days(timestamp.div_euclid(DAY));
    let second_of_day = timestamp.rem_euclid(DAY);
    format!(
        "{year:04}/{month:02}/{day:02} {}:{:02}",
        second_of_day / HOUR,
        (second_of_day % HOUR) / MINUTE
    )
}

/// Formats only the date part, `2020-01-01`.
pub fn format_date(timestamp: i64) -> String {
    let (year, month, day) = civil_from_days(timestamp.div_euclid(DAY));
    format!("{year:04}-{month:02}-{day:02}")
}

/// A length of time as an operator says it: `45 min`, `6 h`, `6 h 30 min`, `3 d 2 h`. Seconds
/// are shown only under a minute, minutes only under a day: an alarm of three days is not read to
/// the minute.
pub fn format_duration(seconds: i64) -> String {
    let seconds = seconds.max(0);
    if seconds < MINUTE {
        return format!("{seconds} s");
    }
    match (seconds / DAY, seconds % DAY / HOUR, seconds % HOUR / MINUTE) {
        (0, 0, minutes) => format!("{minutes} min"),
        (0, hours, 0) => format!("{hours} h"),
        (0, hours, minutes) => format!("{hours} h {minutes} min"),
        (days, 0, _) => format!("{days} d"),
        (days, hours, _) => format!("{days} d {hours} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_an_operator_says_them() {
        assert_eq!(format_duration(0), "0 s");
        assert_eq!(format_duration(59), "59 s");
        assert_eq!(format_duration(60), "1 min");
        assert_eq!(format_duration(119), "1 min");
        assert_eq!(format_duration(45 * 60), "45 min");
        assert_eq!(format_duration(6 * 3600), "6 h");
        assert_eq!(format_duration(6 * 3600 + 30 * 60), "6 h 30 min");
        assert_eq!(format_duration(86_400), "1 d");
        assert_eq!(format_duration(86_400 + 59 * 60), "1 d");
        // 2021-04-09 14:00 .. 2021-04-12 15:00 read hourly: 74 readings missing.
        assert_eq!(format_duration(74 * 3600), "3 d 2 h");
        assert_eq!(format_duration(-5), "0 s");
    }

    #[test]
    fn civil_round_trip_over_four_centuries() {
        for days in (-200_000..200_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2020, 1, 1), 18_262);
        assert_eq!(civil_from_days(18_262 + 366), (2021, 1, 1));
    }

    #[test]
    fn parses_every_export_form() {
        let midnight = days_from_civil(2020, 1, 1) * DAY;
        assert_eq!(parse_timestamp("2020/01/01 0:00"), Some(midnight));
        assert_eq!(parse_timestamp("2020-01-01 00:00:00"), Some(midnight));
        assert_eq!(parse_timestamp("2020-01-01 0:00"), Some(midnight));
        assert_eq!(parse_timestamp("2020-01-01"), Some(midnight));
        assert_eq!(parse_timestamp("2020-01-01T00:00:00"), Some(midnight));
        assert_eq!(
            parse_timestamp(" 2020/12/31 23:59 "),
            Some(midnight + 365 * DAY + 23 * HOUR + 59 * MINUTE)
        );
        assert_eq!(
            parse_timestamp("2014-03-14 03:31:00.000000"),
            Some(days_from_civil(2014, 3, 14) * DAY + 3 * HOUR + 31 * MINUTE)
        );
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        for bad in [
            "",
            "2020",
            "2020-13-01",
            "2020-02-30",
            "2019-02-29 00:00",
            "2020-01-01 24:00",
            "2020-01-01 1:7",
            "abc",
            "2020-01/01",
            "2020-01-01 00:00x",
            "1.5",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
        assert!(parse_timestamp("2020-02-29").is_some());
    }

    #[test]
    fn weekdays_and_formats() {
        let t = parse_timestamp("2020-01-04 13:05").unwrap(); // a Saturday
        assert_eq!(weekday(t), 5);
        assert!(is_weekend(t));
        assert!(!is_weekend(parse_timestamp("2020-01-06").unwrap()));
        assert_eq!(format_timestamp(t), "2020-01-04 13:05:00");
        assert_eq!(format_scada(t), "2020/01/04 13:05");
        assert_eq!(
            format_scada(parse_timestamp("2020-01-04 03:05").unwrap()),
            "2020/01/04 3:05"
        );
        assert_eq!(format_date(t), "2020-01-04");
    }
}
