//! Reading one cell as a number the way exports write them: thousands grouped by `,`, spaces or
//! `'`, decimal commas, a unit after the number; quality words (`Bad`, `이상`) are not readings.

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
pub(super) fn parse_separated(cell: &str, decimal_comma: bool) -> Option<f64> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
