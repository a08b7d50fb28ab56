//! The files flow writes and reads back: `preprocessed.csv`, `criteria.csv`, and atomic writes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::criteria::Criteria;
use crate::error::{CoreError, Result};
use crate::series::{detect_interval, FlowSeries, Interval};
use crate::time::{format_timestamp, parse_timestamp};

/// Writes every file or none: each goes to a hidden temporary file beside its target, and only when
/// all are written are they renamed into place. A failure removes the temporary files, so no
/// half-written output is ever left where a reader would take it for a result.
pub fn write_all_or_nothing(files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    let mut written: Vec<(PathBuf, &Path)> = Vec::with_capacity(files.len());
    let cleanup = |written: &[(PathBuf, &Path)]| {
        for (temporary, _) in written {
            let _ = std::fs::remove_file(temporary);
        }
    };
    for (path, bytes) in files {
        let io_error = |source| CoreError::Io {
            path: path.clone(),
            source,
        };
        let directory = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if let Err(source) = std::fs::create_dir_all(directory) {
            cleanup(&written);
            return Err(io_error(source));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = directory.join(format!(".{name}.{}.tmp", std::process::id()));
        if let Err(source) = std::fs::write(&temporary, bytes) {
            let _ = std::fs::remove_file(&temporary);
            cleanup(&written);
            return Err(io_error(source));
        }
        written.push((temporary, path.as_path()));
    }
    for (temporary, path) in &written {
        if let Err(source) = std::fs::rename(temporary, path) {
            cleanup(&written);
            return Err(CoreError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    }
    Ok(())
}

/// `time,value` CSV of a series, times as `2020-01-01 00:00:00`.
pub fn series_csv(series: &FlowSeries) -> Vec<u8> {
    let mut text = String::with_capacity(series.len() * 32 + 16);
    text.push_str("time,value\n");
    for (timestamp, value) in series.timestamps.iter().zip(&series.values) {
        let _ = writeln!(text, "{},{}", format_timestamp(*timestamp), value);
    }
    text.into_bytes()
}

/// `criteria.csv`: a header and one row.
pub fn criteria_csv(criteria: &Criteria) -> Vec<u8> {
    format!(
        "raw_min,raw_max,normal_min,normal_max\n{},{},{},{}\n",
        criteria.raw_min, criteria.raw_max, criteria.normal_min, criteria.normal_max
    )
    .into_bytes()
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| CoreError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a `time,value` file written by [`series_csv`]. The interval is the most common step unless
/// given.
pub fn read_series_csv(path: &Path, interval: Option<Interval>) -> Result<FlowSeries> {
    let text = read_text(path)?;
    let malformed = |line: usize, message: String| CoreError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.trim() == "time,value" => {}
        _ => return Err(malformed(1, "expected the header `time,value`".to_string())),
    }
    let (mut timestamps, mut values) = (Vec::new(), Vec::new());
    for (index, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let (time, value) = line
            .split_once(',')
            .ok_or_else(|| malformed(index + 1, format!("expected `time,value`, found `{line}`")))?;
        let timestamp =
            parse_timestamp(time).ok_or_else(|| malformed(index + 1, format!("`{time}` is not a timestamp")))?;
        let value: f64 = value
            .trim()
            .parse()
            .map_err(|_| malformed(index + 1, format!("`{value}` is not a number")))?;
        if timestamps.last().is_some_and(|last| *last >= timestamp) {
            return Err(malformed(index + 1, "timestamps must increase".to_string()));
        }
        timestamps.push(timestamp);
        values.push(value);
    }
    let interval = interval
        .or_else(|| detect_interval(&timestamps))
        .unwrap_or(Interval::DAILY);
    FlowSeries::new(timestamps, values, interval)
}

/// Reads `criteria.csv`.
pub fn read_criteria_csv(path: &Path) -> Result<Criteria> {
    let text = read_text(path)?;
    let malformed = |line: usize, message: &str| CoreError::Malformed {
        path: path.to_path_buf(),
        line,
        message: message.to_string(),
    };
    let mut lines = text.lines();
    if lines.next().map(str::trim) != Some("raw_min,raw_max,normal_min,normal_max") {
        return Err(malformed(
            1,
            "expected the header `raw_min,raw_max,normal_min,normal_max`",
        ));
    }
    let row = lines.next().ok_or_else(|| malformed(2, "no values"))?;
    let numbers: Vec<f64> = row
        .split(',')
        .map(|cell| cell.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| malformed(2, "values must be numbers"))?;
    match numbers[..] {
        [raw_min, raw_max, normal_min, normal_max] => Ok(Criteria {
            raw_min,
            raw_max,
            normal_min,
            normal_max,
        }),
        _ => Err(malformed(2, "expected four values")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DAY;

    #[test]
    fn series_and_criteria_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let series = FlowSeries::new(vec![0, DAY, 2 * DAY], vec![330.25, 1.0 / 3.0, -2.0], Interval::DAILY).unwrap();
        let criteria = Criteria {
            raw_min: -2.0,
            raw_max: 330.25,
            normal_min: 1.5,
            normal_max: 400.125,
        };
        let series_path = dir.path().join("out/preprocessed.csv");
        let criteria_path = dir.path().join("out/criteria.csv");
        write_all_or_nothing(&[
            (series_path.clone(), series_csv(&series)),
            (criteria_path.clone(), criteria_csv(&criteria)),
        ])
        .unwrap();
        assert!(std::fs::read_to_string(&series_path)
            .unwrap()
            .starts_with("time,value\n1970-01-01 00:00:00,330.25\n"));
        assert_eq!(read_series_csv(&series_path, None).unwrap(), series);
        assert_eq!(read_criteria_csv(&criteria_path).unwrap(), criteria);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").unwrap();
        let good = dir.path().join("good.csv");
        let bad = blocker.join("cannot/exist.csv");
        assert!(write_all_or_nothing(&[(good.clone(), b"a".to_vec()), (bad, b"b".to_vec())]).is_err());
        assert!(!good.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn malformed_files_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(&path, "time,value\n2020-01-01,1\n2020-01-02,x\n").unwrap();
        let error = read_series_csv(&path, None).unwrap_err();
        assert!(error.to_string().ends_with("line 3: `x` is not a number"), "{error}");
        std::fs::write(&path, "raw_min,raw_max,normal_min,normal_max\n1,2,3\n").unwrap();
        assert!(read_criteria_csv(&path).is_err());
    }
}
