//! A deterministic stand-in for the utility's raw SCADA export, with the faults real exports have.
//!
//! The real year of data is not public, so flow ships a generator whose output has the same shape:
//! cp949, `저장시간` and the 14 sensor columns, one row a minute, timestamps written as the SCADA
//! software writes them, and the faults preprocessing exists to handle. See `fixtures/README.md`.

use std::f64::consts::TAU;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::check::Check;
use crate::error::{CoreError, Result};
use crate::files::write_all_or_nothing;
use crate::sites::{SITES, TIME_HEADER};
use crate::time::{format_scada, parse_timestamp, DAY, MINUTE};

/// Settings of the demo export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoConfig {
    /// Rows of data (default 527,041: every minute of 2020 and the midnight that ends it).
    pub rows: usize,
    /// Seed of the generator (default 2020): the same seed gives the same bytes.
    pub seed: u64,
    /// A leak added to the main column (none by default), to try the night-flow alarms on.
    pub leak: Option<Leak>,
}

/// A leak: a constant extra flow in the main column from one midnight to another (a burst
/// repaired), sized as a share of the typical minimum night flow of the four weeks before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leak {
    /// The first day (days since 1970-01-01) it flows, from 00:00.
    pub from_day: i64,
    /// The day it is repaired, at 00:00; `None`: never.
    pub to_day: Option<i64>,
    /// Its size, in percent of the typical minimum night flow.
    pub percent: u32,
}

impl Leak {
    /// The leak's flow on `inflow` (one value a minute from 2020-01-01): `percent` of the median
    /// minimum night flow (02:00–04:00, 10-minute means) of the 28 nights before it.
    pub fn rate(&self, inflow: &[f64]) -> f64 {
        let start = demo_start();
        let from = ((self.from_day * DAY - start) / MINUTE).max(0) as usize;
        let before = from.saturating_sub(28 * 1440).min(inflow.len());
        let times = (before..from.min(inflow.len()))
            .map(|i| start + i as i64 * MINUTE)
            .collect();
        let values = inflow[before..from.min(inflow.len())].to_vec();
        let nights = crate::FlowSeries::new(times, values, crate::Interval::MINUTE)
            .ok()
            .and_then(|series| {
                let config = crate::night::NightConfig::default().check().ok()?;
                crate::night::minimum_night_flow(&series, &config).ok()
            })
            .unwrap_or_default();
        let mut minima: Vec<f64> = nights.iter().filter_map(|n| n.mnf).collect();
        minima.sort_unstable_by(f64::total_cmp);
        let typical = minima.get(minima.len() / 2).copied().unwrap_or(0.0);
        (typical * f64::from(self.percent) / 100.0).round()
    }
}

fn demo_start() -> i64 {
    parse_timestamp("2020-01-01 00:00").unwrap_or(0)
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            rows: 527_041,
            seed: 2020,
            leak: None,
        }
    }
}

/// SplitMix64: small, fast and the same on every platform, which is all a fixture generator needs.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform integer in `[low, high]`.
    fn range(&mut self, low: usize, high: usize) -> usize {
        low + (self.next_u64() % (high - low + 1) as u64) as usize
    }
    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.uniform().max(f64::MIN_POSITIVE);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (TAU * v).cos()
    }
}

/// A fault written into the main column.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    Value(f64),
    Blank,
    Text(&'static str),
}

/// The daily shape of demand-driven inflow: low at 3–4 a.m., a morning peak and an evening shoulder.
fn diurnal(hour: f64) -> f64 {
    -0.10 * (TAU * (hour - 3.5) / 24.0).cos() + 0.04 * (2.0 * TAU * (hour - 8.0) / 24.0).cos()
}

/// The jangmyeong inflow before faults, m³/h, one value a minute from `start`.
fn clean_inflow(rows: usize, start: i64, rng: &mut Rng) -> Vec<f64> {
    let mut values = Vec::with_capacity(rows);
    let mut noise = 0.0;
    let mut hold = 0usize;
    let mut previous = 0.0;
    let year_minutes = 366.0 * 1440.0;
    for row in 0..rows {
        let timestamp = start + row as i64 * MINUTE;
        let year_fraction = row as f64 / year_minutes;
        let hour = (timestamp.rem_euclid(DAY)) as f64 / 3600.0;
        // Daily mean rises from about 330 to about 460 over the year, with a summer bump.
        let level = 330.0 + 130.0 * year_fraction + 12.0 * (TAU * (year_fraction - 0.35)).sin().max(0.0);
        let weekday = (timestamp.div_euclid(DAY) + 3).rem_euclid(7);
        let weekly = match weekday {
            5 => 0.96,
            6 => 0.94,
            _ => 1.0,
        };
        noise = 0.97 * noise + 0.9 * rng.normal();
        let value = (level * weekly * (1.0 + diurnal(hour)) + noise + 1.5 * rng.normal()).round();
        // The SCADA dead band holds a reading for a few minutes now and then: plateaus.
        if hold > 0 {
            hold -= 1;
            values.push(previous);
            continue;
        }
        if rng.uniform() < 0.01 {
            hold = rng.range(2, 15);
        }
        previous = value;
        values.push(value);
    }
    values
}

/// A fault the generator wrote: its kind (`stuck`, `dropout`, `spike`, `outage`) and its first and
/// last rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Injected {
    /// What it is, as the alarm kinds name it.
    pub kind: &'static str,
    /// First row (0-based, data rows).
    pub first: usize,
    /// Last row.
    pub last: usize,
    /// Whether it is in every column (an outage of the whole row) or the main column only.
    pub all_columns: bool,
}

fn inject_faults(values: &[f64], rng: &mut Rng) -> (Vec<Cell>, Vec<bool>, Vec<Injected>) {
    let rows = values.len();
    let mut cells: Vec<Cell> = values.iter().map(|v| Cell::Value(*v)).collect();
    let mut outage = vec![false; rows];
    let mut injected = Vec::new();
    let mut note = |kind, first, last, all_columns| {
        injected.push(Injected {
            kind,
            first,
            last,
            all_columns,
        })
    };
    if rows < 10 {
        return (cells, outage, Vec::new());
    }
    // Keep the first and last readings so the year spans all 367 days.
    let inner = |rng: &mut Rng, length: usize| rng.range(1, rows.saturating_sub(length + 2).max(1));
    let scale = rows as f64 / 527_041.0;
    let count = |per_year: f64| ((per_year * scale).round() as usize).max(1);
    // A week stuck at one reading (a frozen transmitter).
    let stuck_length = (7 * 1440).min(rows / 20);
    let stuck_start = inner(rng, stuck_length);
    let stuck_value = values[stuck_start];
    for cell in &mut cells[stuck_start..stuck_start + stuck_length] {
        *cell = Cell::Value(stuck_value);
    }
    note("stuck", stuck_start, stuck_start + stuck_length - 1, false);
    // Hour-long dropouts to 0 (pump or meter off).
    for _ in 0..count(4.0) {
        let start = inner(rng, 60);
        for cell in &mut cells[start..(start + 60).min(rows - 1)] {
            *cell = Cell::Value(0.0);
        }
        note("dropout", start, (start + 60).min(rows - 1) - 1, false);
    }
    // Single-minute spikes.
    for _ in 0..count(30.0) {
        let at = inner(rng, 1);
        cells[at] = Cell::Value((values[at] * (2.0 + rng.uniform())).round());
        note("spike", at, at, false);
    }
    // Long communication outages (10–120 minutes): the whole row is blank.
    for _ in 0..count(25.0) {
        let length = rng.range(10, 120);
        let start = inner(rng, length);
        for row in start..(start + length).min(rows - 1) {
            cells[row] = Cell::Blank;
            outage[row] = true;
        }
        note("outage", start, (start + length).min(rows - 1) - 1, true);
    }
    // Short gaps (1–3 minutes) in the main column.
    for _ in 0..count(300.0) {
        let length = rng.range(1, 3);
        let start = inner(rng, length);
        for cell in &mut cells[start..(start + length).min(rows - 1)] {
            *cell = Cell::Blank;
        }
    }
    // Cells the export filled with text.
    for _ in 0..count(200.0) {
        let at = inner(rng, 1);
        cells[at] = Cell::Text(if rng.uniform() < 0.5 { "-" } else { "#N/A" });
    }
    (cells, outage, injected)
}

/// The other 13 columns: typical magnitude, decimals, and how strongly each follows the daily cycle,
/// after a real row `224,253,11.94,10.82,48.1,40.6,30,12,106,94,-0.2,3,0,24`.
const OTHER_COLUMNS: [(f64, usize, f64); 13] = [
    (253.0, 0, 1.2),
    (11.94, 2, 1.5),
    (10.82, 2, 1.5),
    (48.1, 1, 1.0),
    (40.6, 1, 1.0),
    (30.0, 0, 1.0),
    (12.0, 0, 1.0),
    (106.0, 0, 0.8),
    (94.0, 0, 0.8),
    (0.0, 1, 0.0),
    (3.0, 0, 0.5),
    (0.0, 0, 0.0),
    (24.0, 0, 1.0),
];

/// The main column with its faults, and the generator as it stands after them (the other columns
/// are drawn next). The leak, if any, is added before the faults, which stay where they are
/// without it.
fn main_column(config: &DemoConfig) -> (Vec<Cell>, Vec<bool>, Vec<Injected>, Rng) {
    let start = demo_start();
    let mut rng = Rng(config.seed);
    let mut inflow = clean_inflow(config.rows, start, &mut rng);
    if let Some(leak) = config.leak {
        let rate = leak.rate(&inflow);
        let rows = inflow.len();
        let row = |day: i64| (((day * DAY - start) / MINUTE).max(0) as usize).min(rows);
        let to = leak.to_day.map_or(rows, row);
        for value in &mut inflow[row(leak.from_day).min(to)..to] {
            *value += rate;
        }
    }
    let (cells, outage, injected) = inject_faults(&inflow, &mut rng);
    (cells, outage, injected, rng)
}

/// The main column (jangmyeong's inflow) as ingest reads it, without writing the file: blank and
/// text cells are `NaN`.
pub fn main_series(config: &DemoConfig) -> crate::FlowSeries {
    let start = demo_start();
    let (cells, _, _, _) = main_column(config);
    let values = cells
        .iter()
        .map(|cell| match cell {
            Cell::Value(value) => *value,
            Cell::Blank | Cell::Text(_) => f64::NAN,
        })
        .collect();
    let times = (0..cells.len() as i64).map(|row| start + row * MINUTE).collect();
    crate::FlowSeries {
        timestamps: times,
        values,
        interval: crate::Interval::MINUTE,
    }
}

/// The faults the demo export holds, as written and still visible: a spike a later gap covered,
/// or a dropout blanked through, is left out (no rule could see it).
pub fn injected_faults(config: &DemoConfig) -> Vec<Injected> {
    let (cells, _, injected, _) = main_column(config);
    injected
        .into_iter()
        .filter(|fault| {
            let span = &cells[fault.first..=fault.last.min(cells.len() - 1)];
            match fault.kind {
                "spike" | "dropout" => span.iter().any(|c| matches!(c, Cell::Value(_))),
                _ => true,
            }
        })
        .collect()
}

/// The rows a pump column's value is drawn for: on at a rate held for hours, off (0) between.
struct Pump {
    on: bool,
    left: usize,
    rate: f64,
}

impl Pump {
    /// The next reading of a pump of `magnitude` m³/h whose runs last `on` and pauses `off`
    /// minutes (uniform ranges).
    fn next(&mut self, magnitude: f64, decimals: usize, on: Minutes, off: Minutes, rng: &mut Rng) -> f64 {
        if self.left == 0 {
            self.on = !self.on;
            self.left = if self.on {
                rng.range(on.0, on.1)
            } else {
                rng.range(off.0, off.1)
            };
            let scale = 10f64.powi(decimals as i32);
            self.rate = (magnitude * (1.0 + 0.03 * rng.normal()) * scale).round() / scale;
        }
        self.left -= 1;
        if self.on {
            self.rate
        } else {
            0.0
        }
    }
}

/// The pump-driven columns (index into the other 13 columns) and their runs and pauses, minutes:
/// a booster held on for hours (off about a third of the time), and two that are off most of it.
/// Minutes, from and to.
type Minutes = (usize, usize);

const PUMPS: [(usize, Minutes, Minutes); 3] = [
    (7, (120, 480), (60, 300)),
    (8, (60, 240), (240, 900)),
    (10, (30, 120), (300, 1200)),
];

/// Generates the demo export: cp949 bytes of the whole file.
pub fn generate(config: &DemoConfig) -> Vec<u8> {
    let start = demo_start();
    let (cells, outage, _, mut rng) = main_column(config);
    let mut pumps: Vec<Pump> = PUMPS
        .iter()
        .map(|_| Pump {
            on: false,
            left: 0,
            rate: 0.0,
        })
        .collect();
    let mut text = String::with_capacity(config.rows * 80 + 512);
    text.push_str(TIME_HEADER);
    for site in &SITES {
        text.push(',');
        text.push_str(site.column);
    }
    text.push_str("\r\n");
    for (row, cell) in cells.iter().enumerate() {
        let timestamp = start + row as i64 * MINUTE;
        text.push_str(&format_scada(timestamp));
        text.push(',');
        match cell {
            Cell::Value(value) => {
                let _ = write!(text, "{value}");
            }
            Cell::Blank => {}
            Cell::Text(word) => text.push_str(word),
        }
        let hour = timestamp.rem_euclid(DAY) as f64 / 3600.0;
        for (column, (magnitude, decimals, cycle)) in OTHER_COLUMNS.into_iter().enumerate() {
            text.push(',');
            let pump = PUMPS.iter().position(|(c, _, _)| *c == column);
            // A pump keeps running through an outage; only its readings are lost.
            let pumped = pump.map(|p| {
                let (_, on, off) = PUMPS[p];
                pumps[p].next(magnitude, decimals, on, off, &mut rng)
            });
            if outage[row] {
                continue;
            }
            let value = if let Some(pumped) = pumped {
                pumped
            } else if magnitude == 0.0 {
                // Near-zero lines: a meter reading around nothing, as in the real row's -0.2 and 0.
                if decimals == 0 {
                    0.0
                } else {
                    0.2 * rng.normal()
                }
            } else {
                magnitude * (1.0 + cycle * diurnal(hour)) * (1.0 + 0.02 * rng.normal())
            };
            let _ = write!(text, "{value:.decimals$}");
        }
        text.push_str("\r\n");
    }
    let (bytes, _, _) = encoding_rs::EUC_KR.encode(&text);
    bytes.into_owned()
}

/// flow's cache folder: `$FLOW_CACHE_DIR`, else `$XDG_CACHE_HOME/flow`, else `~/.cache/flow`, else
/// the system's temporary folder.
pub fn cache_dir() -> PathBuf {
    let from_env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    from_env("FLOW_CACHE_DIR")
        .or_else(|| from_env("XDG_CACHE_HOME").map(|p| p.join("flow")))
        .or_else(|| from_env("HOME").map(|p| p.join(".cache").join("flow")))
        .unwrap_or_else(|| std::env::temp_dir().join("flow"))
}

/// The generator's version, in the cache file's name: a cached export from an older generator
/// (version 1 had no pump columns) is never taken for the current one.
pub const GENERATOR_VERSION: u32 = 2;

/// Where the demo export for `config` is cached.
pub fn demo_path(config: &DemoConfig) -> PathBuf {
    let leak = config.leak.map_or(String::new(), |leak| {
        format!(
            "-leak{}-{}-{}pct",
            crate::time::format_date(leak.from_day * DAY),
            leak.to_day
                .map_or("open".to_string(), |day| crate::time::format_date(day * DAY)),
            leak.percent
        )
    });
    cache_dir().join("demo").join(format!(
        "jeongeup-demo-v{GENERATOR_VERSION}-rows{}-seed{}{leak}.csv",
        config.rows, config.seed
    ))
}

/// The most rows the demo export is written with: 5,000,000 (about 9.5 years of minutes, 420 MB);
/// more would be a typo that ends in an allocation failure.
pub const MAX_DEMO_ROWS: usize = 5_000_000;

/// Writes the demo export to `path` (atomically).
pub fn write_demo(config: &DemoConfig, path: &Path) -> Result<()> {
    if !(2..=MAX_DEMO_ROWS).contains(&config.rows) {
        return Err(CoreError::DemoRows {
            rows: config.rows,
            limit: MAX_DEMO_ROWS,
        });
    }
    write_all_or_nothing(&[(path.to_path_buf(), generate(config))])
}

/// Whether the file at `path` is a whole demo export for `config`: it ends with the last row's
/// timestamp line and a line break. A copy cut short (a full disk, an interrupted copy) is not.
pub fn demo_is_complete(config: &DemoConfig, path: &Path) -> bool {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let Ok(length) = file.metadata().map(|m| m.len()) else {
        return false;
    };
    let mut tail = Vec::new();
    if file.seek(SeekFrom::Start(length.saturating_sub(512))).is_err() || file.read_to_end(&mut tail).is_err() {
        return false;
    }
    let start = demo_start();
    let last = format_scada(start + (config.rows as i64 - 1) * MINUTE);
    let Some(body) = tail.strip_suffix(b"\r\n") else {
        return false;
    };
    let line_start = body.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    body[line_start..].starts_with(format!("{last},").as_bytes())
}

/// The cached demo export, generated on first use and again when the cached copy is incomplete.
pub fn ensure_demo(config: &DemoConfig) -> Result<PathBuf> {
    let path = demo_path(config);
    if !demo_is_complete(config, &path) {
        write_demo(config, &path)?;
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{Export, Selector};
    use crate::sites::find_site;

    #[test]
    fn a_cut_cache_is_not_complete_and_rows_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let config = DemoConfig {
            rows: 3000,
            seed: 1,
            leak: None,
        };
        let path = dir.path().join("demo.csv");
        write_demo(&config, &path).unwrap();
        assert!(demo_is_complete(&config, &path));
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(!demo_is_complete(&config, &path));
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert!(!demo_is_complete(&config, &path), "the last line break is missing");
        assert!(!demo_is_complete(
            &DemoConfig {
                rows: 3001,
                seed: 1,
                leak: None
            },
            &path
        ));
        let huge = DemoConfig {
            rows: 100_000_000_000,
            seed: 1,
            leak: None,
        };
        let error = write_demo(&huge, &path).unwrap_err();
        assert!(error.to_string().contains("at most 5000000"), "{error}");
    }

    #[test]
    fn same_seed_same_bytes_and_a_real_export_shape() {
        let config = DemoConfig {
            rows: 20_000,
            seed: 7,
            leak: None,
        };
        let bytes = generate(&config);
        assert_eq!(bytes, generate(&config));
        assert_ne!(bytes, generate(&DemoConfig { seed: 8, ..config }));
        let export = Export::from_bytes(bytes, Path::new("demo.csv")).unwrap();
        assert_eq!(export.encoding(), crate::ingest::TextEncoding::Cp949);
        assert_eq!(export.value_columns().len(), 14);
        let read = export.series(Selector::Site(find_site("jangmyeong").unwrap())).unwrap();
        assert_eq!(read.report.rows_read, 20_000);
        assert!(read.report.blank_cells > 0 && read.report.non_numeric_cells > 0);
        assert!(read.series.values[0].is_finite() && read.series.values[19_999].is_finite());
        let finite: Vec<f64> = read
            .series
            .values
            .iter()
            .copied()
            .filter(|v| v.is_finite() && *v > 100.0 && *v < 600.0)
            .collect();
        let mean = finite.iter().sum::<f64>() / finite.len() as f64;
        assert!((300.0..360.0).contains(&mean), "mean {mean}");
        assert!(finite.iter().all(|v| v.fract() == 0.0));
        let other = export
            .series(Selector::Site(find_site("jangmyeong-1").unwrap()))
            .unwrap();
        assert!(other.series.values.iter().any(|v| v.fract() != 0.0));
    }
}
