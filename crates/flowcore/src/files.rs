//! The files flow writes and reads back: `preprocessed.csv`, `criteria.csv`, `not_measured.csv`,
//! and atomic writes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::alarms::NotMeasured;
use crate::criteria::Criteria;
use crate::error::{CoreError, Result};
use crate::series::{detect_interval, FlowSeries, Interval};
use crate::time::{format_timestamp, parse_timestamp};

/// Whether a process with this id is running. On Linux it asks `/proc`; elsewhere it assumes so,
/// which keeps a lock or a temporary file rather than taking another process's.
pub fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// The process id in a temporary name flow writes, `.NAME.PID.tmp` or `.staging-PID-NAME`.
fn temporary_owner(name: &str) -> Option<u32> {
    if let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) {
        return inner.rsplit_once('.').and_then(|(_, pid)| pid.parse().ok());
    }
    name.strip_prefix(".staging-")
        .and_then(|rest| rest.split_once('-'))
        .and_then(|(pid, _)| pid.parse().ok())
}

/// Removes the temporary files that killed runs left in `folder` (those of processes no longer
/// running); returns how many. A live process's temporaries are left alone.
pub fn remove_stale_temporaries(folder: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            temporary_owner(&name).is_some_and(|pid| pid != std::process::id() && !process_alive(pid))
        })
        .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
        .count()
}

/// A claim on an output folder for one command: the file `.flow.lock` holding the process id and
/// the command. A second command on the same folder is refused with the holder's name; a lock left
/// by a process that is no longer running is taken over. Released when dropped.
#[derive(Debug)]
pub struct FolderLock {
    path: PathBuf,
    /// Folders the lock created, deepest first: removed again on release when still empty, so a
    /// command that fails before writing leaves nothing behind.
    created: Vec<PathBuf>,
}

impl FolderLock {
    /// Claims `folder` (created if missing) for `command`.
    pub fn acquire(folder: &Path, command: &str) -> Result<FolderLock> {
        use std::io::Write as _;
        let created: Vec<PathBuf> = folder
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
            .map(Path::to_path_buf)
            .collect();
        std::fs::create_dir_all(folder).map_err(|source| CoreError::MakeFolder {
            path: folder.to_path_buf(),
            source,
        })?;
        let path = folder.join(".flow.lock");
        // Two tries: the second after removing a lock whose holder is gone.
        for _ in 0..2 {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let _ = writeln!(file, "{} {command}", std::process::id());
                    return Ok(FolderLock { path, created });
                }
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(&path).unwrap_or_default();
                    let pid = holder.split_whitespace().next().and_then(|p| p.parse::<u32>().ok());
                    match pid {
                        Some(pid) if process_alive(pid) => {
                            return Err(CoreError::Locked {
                                folder: folder.to_path_buf(),
                                holder: holder.trim().to_string(),
                            })
                        }
                        // The holder was killed: its lock is stale.
                        _ => {
                            let _ = std::fs::remove_file(&path);
                        }
                    }
                }
                Err(source) => return Err(CoreError::Io { path, source }),
            }
        }
        Err(CoreError::Locked {
            folder: folder.to_path_buf(),
            holder: "another flow process".to_string(),
        })
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        for folder in &self.created {
            if std::fs::remove_dir(folder).is_err() {
                break;
            }
        }
    }
}

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
            return Err(CoreError::MakeFolder {
                path: directory.to_path_buf(),
                source,
            });
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        remove_stale_temporaries(directory);
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

/// A number as Python's `repr` (and so pandas' `to_csv`) writes it: the shortest digits that read
/// back to the same value, always with a decimal point (`1000.0`), switching to an exponent below
/// 1e-4 or from 1e16 (`1e-05`, `1e+16`). Files the original wrote and flow writes then agree
/// byte for byte.
pub fn python_float(value: f64) -> String {
    if value.is_nan() {
        return "nan".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let sign = if value.is_sign_negative() { "-" } else { "" };
    if value == 0.0 {
        return format!("{sign}0.0");
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. `1.2345e3`.
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((scientific.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // Python places the point after `point` digits: value = 0.DIGITS × 10^point.
    let point = exponent + 1;
    let count = digits.len() as i32;
    if !(-4 < point && point <= 16) {
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}{fraction}e{exp_sign}{:02}", exponent.abs());
    }
    if point <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
    } else if point < count {
        let (whole, fraction) = digits.split_at(point as usize);
        format!("{sign}{whole}.{fraction}")
    } else {
        format!("{sign}{digits}{}.0", "0".repeat((point - count) as usize))
    }
}

/// `criteria.csv` in the original's layout (pandas' `to_csv` of a one-column frame): a header
/// `,Values`, then one `name,value` row for each of `raw_min`, `raw_max`, `normal_min`,
/// `normal_max`, `U_level`, `L_level`.
pub fn criteria_csv(criteria: &Criteria) -> Vec<u8> {
    let mut text = String::from(",Values\n");
    for (name, value) in criteria.named_values() {
        let _ = writeln!(text, "{name},{}", python_float(value));
    }
    text.into_bytes()
}

/// `not_measured.csv` beside `preprocessed.csv`: the steps of `timestamps` that are no measure of
/// the flow, one `time,reason` row each (`unread`, `stuck`, `dropout`, `outage`:
/// [`crate::alarms::why_not_measured`]); a header alone where every step measured the flow. It lets
/// `flow train` on the preprocessed files score and fit as `flow run` does, which knows the faults.
pub fn not_measured_csv(timestamps: &[i64], why: &[Option<NotMeasured>]) -> Vec<u8> {
    let mut text = String::from("time,reason\n");
    for (timestamp, why) in timestamps.iter().zip(why) {
        if let Some(why) = why {
            let _ = writeln!(text, "{},{why}", format_timestamp(*timestamp));
        }
    }
    text.into_bytes()
}

/// Reads a file written by [`not_measured_csv`] against the series it was written beside: a flag
/// for each of `timestamps`. A time that is not one of them is refused: the file is not that
/// series' (edited, or copied from another folder).
pub fn read_not_measured_csv(path: &Path, timestamps: &[i64]) -> Result<Vec<bool>> {
    let mut flags = vec![false; timestamps.len()];
    for row in timed_rows(path, "reason")? {
        let TimedRow {
            line,
            time,
            rest: reason,
        } = row?;
        let malformed = |message: String| malformed(path, line, message);
        reason
            .parse::<NotMeasured>()
            .map_err(|()| malformed(format!("`{reason}` is not a reason (unread, stuck, dropout or outage)")))?;
        let at = timestamps.binary_search(&time).map_err(|_| {
            malformed(format!(
                "`{}` is not a step of the preprocessed series",
                format_timestamp(time)
            ))
        })?;
        flags[at] = true;
    }
    Ok(flags)
}

fn malformed(path: &Path, line: usize, message: String) -> CoreError {
    CoreError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// One line of a `time,<rest>` file flow wrote: its 1-based line, its time, and the rest.
struct TimedRow {
    line: usize,
    time: i64,
    rest: String,
}

/// The rows of a file flow wrote with the header `time,<second>`, blank lines skipped; the header
/// checked first, each row's time parsed as it is read.
fn timed_rows(path: &Path, second: &str) -> Result<impl Iterator<Item = Result<TimedRow>>> {
    let text = read_text(path)?;
    let header = format!("time,{second}");
    if text.lines().next().map(str::trim) != Some(header.as_str()) {
        return Err(malformed(path, 1, format!("expected the header `{header}`")));
    }
    let path = path.to_path_buf();
    let rows: Vec<Result<TimedRow>> = text
        .lines()
        .enumerate()
        .skip(1)
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            let line_number = index + 1;
            let (time, rest) = line
                .split_once(',')
                .ok_or_else(|| malformed(&path, line_number, format!("expected `{header}`, found `{line}`")))?;
            let time = parse_timestamp(time)
                .ok_or_else(|| malformed(&path, line_number, format!("`{time}` is not a timestamp")))?;
            Ok(TimedRow {
                line: line_number,
                time,
                rest: rest.to_string(),
            })
        })
        .collect();
    Ok(rows.into_iter())
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
    let (mut timestamps, mut values) = (Vec::new(), Vec::new());
    for row in timed_rows(path, "value")? {
        let TimedRow {
            line,
            time,
            rest: value,
        } = row?;
        let value: f64 = value
            .trim()
            .parse()
            .map_err(|_| malformed(path, line, format!("`{value}` is not a number")))?;
        if timestamps.last().is_some_and(|last| *last >= time) {
            return Err(malformed(path, line, "timestamps must increase".to_string()));
        }
        timestamps.push(time);
        values.push(value);
    }
    let interval = interval
        .or_else(|| detect_interval(&timestamps))
        .unwrap_or(Interval::DAILY);
    FlowSeries::new(timestamps, values, interval)
}

/// Reads `criteria.csv` in the original's layout; an older flow's one-row layout is refused with
/// what to do.
pub fn read_criteria_csv(path: &Path) -> Result<Criteria> {
    let text = read_text(path)?;
    let malformed = |line: usize, message: String| CoreError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut lines = text.lines().enumerate();
    match lines.next().map(|(_, l)| l.trim()) {
        Some(",Values") => {}
        Some("raw_min,raw_max,normal_min,normal_max") => {
            return Err(malformed(
                1,
                "criteria.csv of an older flow without U_level and L_level; run `flow preprocess` again".to_string(),
            ))
        }
        _ => return Err(malformed(1, "expected the header `,Values`".to_string())),
    }
    let mut found: Vec<(String, f64, usize)> = Vec::new();
    for (index, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let (name, value) = line
            .split_once(',')
            .ok_or_else(|| malformed(index + 1, format!("expected `name,value`, found `{line}`")))?;
        let value: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| malformed(index + 1, format!("`{}` is not a finite number", value.trim())))?;
        found.push((name.trim().to_string(), value, index + 1));
    }
    let get = |wanted: &str| {
        found
            .iter()
            .find(|(name, _, _)| name == wanted)
            .map(|(_, value, _)| *value)
            .ok_or_else(|| malformed(found.len() + 2, format!("no `{wanted}` row")))
    };
    Ok(Criteria {
        raw_min: get("raw_min")?,
        raw_max: get("raw_max")?,
        normal_min: get("normal_min")?,
        normal_max: get("normal_max")?,
        upper_level: get("U_level")?,
        lower_level: get("L_level")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DAY;

    #[test]
    fn series_and_criteria_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let series = FlowSeries::new(vec![0, DAY, 2 * DAY], vec![330.25, 1.0 / 3.0, -2.0], Interval::DAILY).unwrap();
        let criteria = Criteria::with_levels(-2.0, 330.25, 1.5, 400.125, 10.0);
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

    /// Written and read back against its series: the flags land on their steps; a time that is
    /// not a step, an unknown reason or another header is refused with its line.
    #[test]
    fn not_measured_round_trips_and_refuses_another_series() {
        use crate::alarms::NotMeasured::{Fault, Unread};
        use crate::events::AlarmKind;
        let dir = tempfile::tempdir().unwrap();
        let days: Vec<i64> = (0..5).map(|d| d * DAY).collect();
        let why = [None, Some(Fault(AlarmKind::Stuck)), None, None, Some(Unread)];
        let text = not_measured_csv(&days, &why);
        assert_eq!(
            String::from_utf8(text.clone()).unwrap(),
            "time,reason\n1970-01-02 00:00:00,stuck\n1970-01-05 00:00:00,unread\n"
        );
        let path = dir.path().join("not_measured.csv");
        std::fs::write(&path, &text).unwrap();
        assert_eq!(
            read_not_measured_csv(&path, &days).unwrap(),
            [false, true, false, false, true]
        );
        // Every step measured: a header alone.
        std::fs::write(&path, not_measured_csv(&days, &[None; 5])).unwrap();
        assert_eq!(read_not_measured_csv(&path, &days).unwrap(), [false; 5]);
        let refused = |body: &str| {
            std::fs::write(&path, body).unwrap();
            read_not_measured_csv(&path, &days).unwrap_err().to_string()
        };
        assert!(refused("time,reason\n1970-01-02 12:00:00,stuck\n")
            .contains("line 2: `1970-01-02 12:00:00` is not a step of the preprocessed series"));
        assert!(refused("time,reason\n1970-01-02 00:00:00,spike\n").contains("line 2: `spike` is not a reason"));
        assert!(refused("time,value\n").contains("line 1: expected the header `time,reason`"));
    }

    #[test]
    fn stale_temporaries_go_and_a_lock_names_its_holder() {
        let dir = tempfile::tempdir().unwrap();
        // Process id 4,000,000 is above Linux's limit: never running.
        let stale = dir.path().join(".report.json.4000000.tmp");
        let staging = dir.path().join(".staging-4000000-model.safetensors");
        let own = dir.path().join(format!(".x.csv.{}.tmp", std::process::id()));
        let other = dir.path().join(".notes.txt");
        for path in [&stale, &staging, &own, &other] {
            std::fs::write(path, b"x").unwrap();
        }
        assert_eq!(remove_stale_temporaries(dir.path()), 2);
        assert!(!stale.exists() && !staging.exists() && own.exists() && other.exists());

        let lock = FolderLock::acquire(dir.path(), "flow run").unwrap();
        let error = FolderLock::acquire(dir.path(), "flow train").unwrap_err();
        assert!(
            error
                .to_string()
                .contains(&format!("in use by {} flow run", std::process::id())),
            "{error}"
        );
        drop(lock);
        assert!(!dir.path().join(".flow.lock").exists());
        // A lock of a killed process is taken over.
        std::fs::write(dir.path().join(".flow.lock"), "4000000 flow run\n").unwrap();
        let taken = FolderLock::acquire(dir.path(), "flow predict").unwrap();
        assert!(std::fs::read_to_string(dir.path().join(".flow.lock"))
            .unwrap()
            .ends_with("flow predict\n"));
        drop(taken);
        // Folders the lock made are gone again when nothing was written into them.
        let deep = dir.path().join("Output/site");
        drop(FolderLock::acquire(&deep, "flow run").unwrap());
        assert!(!dir.path().join("Output").exists());
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
        std::fs::write(&path, "raw_min,raw_max,normal_min,normal_max\n1,2,3,4\n").unwrap();
        let error = read_criteria_csv(&path).unwrap_err();
        assert!(error.to_string().contains("run `flow preprocess` again"), "{error}");
        std::fs::write(&path, ",Values\nraw_min,1.0\nraw_max,2.0\nnormal_min,x\n").unwrap();
        let error = read_criteria_csv(&path).unwrap_err();
        assert!(
            error.to_string().ends_with("line 4: `x` is not a finite number"),
            "{error}"
        );
        std::fs::write(&path, ",Values\nraw_min,1.0\nraw_max,2.0\n").unwrap();
        let error = read_criteria_csv(&path).unwrap_err();
        assert!(error.to_string().ends_with("no `normal_min` row"), "{error}");
    }

    #[test]
    fn numbers_are_written_as_python_writes_them() {
        // Each right-hand side is what `repr(float(x))` prints in CPython 3.
        let cases = [
            (1000.0, "1000.0"),
            (122.5, "122.5"),
            (-242.1875, "-242.1875"),
            (0.1 + 0.2, "0.30000000000000004"),
            (389.445068359375, "389.445068359375"),
            (4.279999999999998, "4.279999999999998"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000123, "0.000123"),
            (1.5e-7, "1.5e-07"),
            (1e16, "1e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (1.25e17, "1.25e+17"),
            (1e300, "1e+300"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (-3.0, "-3.0"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (value, python) in cases {
            assert_eq!(python_float(value), python, "{value:e}");
        }
    }

    #[test]
    fn criteria_csv_has_the_original_layout() {
        let criteria = Criteria::with_levels(122.5, 1000.0, -242.1875, 905.3125, 10.0);
        let text = String::from_utf8(criteria_csv(&criteria)).unwrap();
        assert_eq!(
            text,
            ",Values\nraw_min,122.5\nraw_max,1000.0\nnormal_min,-242.1875\nnormal_max,905.3125\nU_level,914.78125\nL_level,-278.65625\n"
        );
    }
}
