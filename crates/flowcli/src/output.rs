//! Where each stage writes, and the CSV text of its results.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use flowcore::time::format_timestamp;
use flowlstm::{Anomaly, Evaluation, ForecastPoint};

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

/// A folder-safe name for a column that is not in the site registry.
pub(crate) fn slug_for_column(column: &str) -> String {
    let slug: String = column
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let slug = slug.trim_matches('-').to_string();
    if slug.is_empty() {
        "column".to_string()
    } else {
        slug
    }
}

pub(crate) fn anomalies_csv(anomalies: &[Anomaly]) -> Vec<u8> {
    let mut text = String::with_capacity(anomalies.len() * 64 + 32);
    text.push_str("time,predicted,actual,bound\n");
    for a in anomalies {
        let bound = match a.bound {
            flowcore::Bound::Above => "above_normal_max",
            flowcore::Bound::Below => "below_normal_min",
        };
        let _ = writeln!(
            text,
            "{},{:.3},{},{bound}",
            format_timestamp(a.timestamp),
            a.predicted,
            a.actual
        );
    }
    text.into_bytes()
}

pub(crate) fn forecast_csv(points: &[ForecastPoint]) -> Vec<u8> {
    let mut text = String::from("time,predicted,label\n");
    for p in points {
        let _ = writeln!(text, "{},{:.3},{}", format_timestamp(p.timestamp), p.predicted, p.label);
    }
    text.into_bytes()
}

pub(crate) fn evaluation_csv(evaluation: &Evaluation) -> Vec<u8> {
    let mut text = String::from("time,actual,predicted,residual\n");
    for ((t, a), p) in evaluation
        .timestamps
        .iter()
        .zip(&evaluation.actual)
        .zip(&evaluation.predicted)
    {
        let _ = writeln!(text, "{},{},{:.3},{:.3}", format_timestamp(*t), a, p, a - p);
    }
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_slugs_are_folder_safe() {
        assert_eq!(slug_for_column("장명(배) 유입유량 순시"), "장명-배--유입유량-순시");
        assert_eq!(slug_for_column("../etc"), "etc");
        assert_eq!(slug_for_column("  "), "column");
        assert_eq!(slug_for_column("value"), "value");
    }
}
