//! Where each stage writes, and the CSV text of its results.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use flowcore::events::Flag;
use flowcore::files::python_float;
use flowcore::time::format_timestamp;
use flowcore::FlowSeries;
use flowlstm::{Evaluation, ForecastPoint, Scan};

/// The original tool's folders for one site.
#[derive(Debug, Clone)]
pub(crate) struct SiteDirs {
    pub(crate) root: PathBuf,
    pub(crate) preprocessing: PathBuf,
    pub(crate) learning: PathBuf,
    pub(crate) prediction: PathBuf,
}

impl SiteDirs {
    pub(crate) fn new(output_dir: &Path, slug: &str) -> SiteDirs {
        let root = output_dir.join(slug);
        SiteDirs {
            preprocessing: root.join("Data_preprocessing"),
            learning: root.join("Learning_lstm"),
            prediction: root.join("Prediction"),
            root,
        }
    }
}

/// A header's name and the unit in brackets at its end, if it has both: `DMA 1 (L/s)` →
/// (`DMA 1`, `L/s`); `flow` → (`flow`, none).
pub(crate) fn split_unit(column: &str) -> (&str, Option<&str>) {
    let column = column.trim();
    // The closing bracket is one byte, so it ends where the text does.
    let closes = column.ends_with([')', ']']);
    if let Some(open) = column
        .rfind(['(', '['])
        .filter(|&open| closes && open + 1 < column.len())
    {
        let (name, unit) = (column[..open].trim_end(), column[open + 1..column.len() - 1].trim());
        if !name.is_empty() && !unit.is_empty() {
            return (name, Some(unit));
        }
    }
    (column, None)
}

/// A folder-safe name for a column that is not in the site registry: a trailing unit in brackets
/// dropped (`DMA 1 (L/s)` → `dma-1`), ASCII letters lower-cased, every other character but letters,
/// digits, `-` and `_` a single `-`.
pub(crate) fn slug_for_column(column: &str) -> String {
    let (name, _) = split_unit(column);
    let mut slug = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() || c == '_' {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    match slug.trim_matches('-') {
        "" => "column".to_string(),
        trimmed if trimmed.len() == slug.len() => slug,
        trimmed => trimmed.to_string(),
    }
}

/// The folder names of an export's `columns`, in order: each its slug, with `-2`, `-3`, … when an
/// earlier column already has that name (`a/b` and `a-b` would share `a-b`), checked against every
/// name given so far, so no two columns ever share a folder.
pub(crate) fn column_slugs(columns: &[&str]) -> Vec<String> {
    let slugs: Vec<String> = columns.iter().map(|column| slug_for_column(column)).collect();
    // Almost always distinct already: kept with no copy (a header of millions of columns was
    // copied for the check).
    let mut distinct = std::collections::HashSet::with_capacity(slugs.len());
    if slugs.iter().all(|slug| distinct.insert(slug.as_str())) {
        return slugs;
    }
    drop(distinct);
    let mut used = std::collections::HashSet::new();
    slugs
        .into_iter()
        .map(|base| {
            let mut slug = base.clone();
            let mut n = 1;
            while !used.insert(slug.clone()) {
                n += 1;
                slug = format!("{base}-{n}");
            }
            slug
        })
        .collect()
}

/// The folder name of `column` among an export's `columns` ([`column_slugs`]).
pub(crate) fn unique_slug(column: &str, columns: &[&str]) -> String {
    match columns.iter().position(|c| c.trim() == column.trim()) {
        // A column's name is unique against the columns before it: the later ones do not matter.
        Some(position) => column_slugs(&columns[..=position]).swap_remove(position),
        None => slug_for_column(column),
    }
}

/// `abnormal.csv`: one row per flagged reading, stamped at the predicted reading; the header alone
/// when nothing was flagged. Predictions are written in full (as Python prints them), so the rule can
/// be checked from the file.
pub(crate) fn anomalies_csv(anomalies: &[Flag]) -> Vec<u8> {
    let mut text = String::with_capacity(anomalies.len() * 64 + 32);
    text.push_str("time,predicted,actual,bound\n");
    for a in anomalies {
        let _ = writeln!(
            text,
            "{},{},{},{}",
            format_timestamp(a.timestamp),
            python_float(a.predicted),
            python_float(a.actual),
            a.bound().map_or("", flowcore::Bound::code)
        );
    }
    text.into_bytes()
}

/// `prediction.csv` in the original's columns: `time,<value column name>,label`.
pub(crate) fn forecast_csv(points: &[ForecastPoint], column: &str) -> Vec<u8> {
    // A header cell with a comma or quote would break the columns: quote it as CSV does.
    let column = if column.contains([',', '"', '\n']) {
        format!("\"{}\"", column.replace('"', "\"\""))
    } else {
        column.to_string()
    };
    let mut text = format!("time,{column},label\n");
    for p in points {
        let _ = writeln!(
            text,
            "{},{},{}",
            format_timestamp(p.timestamp),
            python_float(p.predicted),
            p.label
        );
    }
    text.into_bytes()
}

/// `scan.csv` (with `--all-predictions`): every reading the scan predicted, with the prediction.
pub(crate) fn scan_csv(series: &FlowSeries, scan: &Scan, window: usize) -> Vec<u8> {
    let mut text = String::with_capacity(scan.predicted.len() * 48 + 32);
    text.push_str("time,actual,predicted\n");
    for (k, predicted) in scan.predicted.iter().enumerate() {
        let at = k + window;
        let _ = writeln!(
            text,
            "{},{},{}",
            format_timestamp(series.timestamps[at]),
            python_float(series.values[at]),
            python_float(*predicted)
        );
    }
    text.into_bytes()
}

/// `test_predictions.csv`: each test step's actual value, the LSTM's forecast and residual, each
/// baseline's forecast (a column each, named by [`baseline_column`]), and `measured`: `yes` or `no`
/// as the evaluation counted it where the meter's faults were looked for (`flow run`, `flow
/// detect`), blank where they were not (`flow train`). An engineer can recompute every score of
/// the report from it.
pub(crate) fn evaluation_csv(
    evaluation: &Evaluation,
    baselines: &[(String, Vec<f64>)],
    counted: Option<&[bool]>,
) -> Vec<u8> {
    let mut text = String::from("time,actual,predicted,residual");
    for (name, _) in baselines {
        let _ = write!(text, ",{}", baseline_column(name));
    }
    text.push_str(",measured\n");
    for (j, ((t, a), p)) in evaluation
        .timestamps
        .iter()
        .zip(&evaluation.actual)
        .zip(&evaluation.predicted)
        .enumerate()
    {
        let _ = write!(text, "{},{},{:.3},{:.3}", format_timestamp(*t), a, p, a - p);
        for (_, forecast) in baselines {
            let _ = write!(text, ",{:.3}", forecast.get(j).copied().unwrap_or(f64::NAN));
        }
        let measured = match counted.and_then(|c| c.get(j)) {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        let _ = writeln!(text, ",{measured}");
    }
    text.into_bytes()
}

/// A baseline's column in `test_predictions.csv`: its name up to the first parenthesis or " of ",
/// in lower case with underscores (`seasonal_naive`, `moving_average`, `holt_winters`).
pub(crate) fn baseline_column(name: &str) -> String {
    let short = name.split(" (").next().unwrap_or(name);
    let short = short.split(" of ").next().unwrap_or(short);
    short
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_slugs_are_folder_safe() {
        assert_eq!(slug_for_column("장명(배) 유입유량 순시"), "장명-배-유입유량-순시");
        assert_eq!(slug_for_column("DMA 1 (L/s)"), "dma-1");
        assert_eq!(slug_for_column("Flow [m3/h]"), "flow");
        assert_eq!(slug_for_column("(L/s)"), "l-s");
        assert_eq!(split_unit("DMA 1 (L/s)"), ("DMA 1", Some("L/s")));
        for odd in ["(", "flow (", "flow ()", "flow)", "()", "[x"] {
            assert_eq!(split_unit(odd).1, None, "{odd}");
        }
        assert_eq!(slug_for_column("../etc"), "etc");
        assert_eq!(slug_for_column("  "), "column");
        assert_eq!(slug_for_column("value"), "value");
        let columns: Vec<String> = [
            "persistence (last value)",
            "seasonal naive (same time yesterday, 24 steps back)",
            "moving average of the last 7",
            "Holt-Winters (season 7)",
            "Holt-Winters (seasons 24 and 168)",
        ]
        .iter()
        .map(|name| baseline_column(name))
        .collect();
        assert_eq!(
            columns,
            [
                "persistence",
                "seasonal_naive",
                "moving_average",
                "holt_winters",
                "holt_winters"
            ]
        );
        let columns = ["a/b", "a-b", "c", "a b"];
        assert_eq!(unique_slug("a/b", &columns), "a-b");
        assert_eq!(unique_slug("a-b", &columns), "a-b-2");
        assert_eq!(unique_slug("a b", &columns), "a-b-3");
        assert_eq!(unique_slug("c", &columns), "c");
        // `dma-1-2` is taken by the second column before the third's own slug comes.
        let columns = ["DMA 1", "dma-1", "DMA 1 2"];
        assert_eq!(column_slugs(&columns), ["dma-1", "dma-1-2", "dma-1-2-2"]);
    }

    #[test]
    fn prediction_csv_has_the_original_columns() {
        let point = ForecastPoint {
            timestamp: 86_400,
            predicted: 389.445068359375,
            label: flowlstm::Label::Normal,
        };
        let text = String::from_utf8(forecast_csv(&[point], "장명(배) 유입유량 순시")).unwrap_or_default();
        assert_eq!(
            text,
            "time,장명(배) 유입유량 순시,label\n1970-01-02 00:00:00,389.445068359375,Normal\n"
        );
        let quoted = String::from_utf8(forecast_csv(&[], "flow, m3/h")).unwrap_or_default();
        assert_eq!(quoted, "time,\"flow, m3/h\",label\n");
        assert_eq!(anomalies_csv(&[]), b"time,predicted,actual,bound\n");
    }
}
