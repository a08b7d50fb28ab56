//! Time, CPU and memory of each stage, as the original's `time` and psutil lines reported them.

use std::fmt::Write as _;
use std::time::Instant;

use flowcore::files::python_float;
use serde::{Deserialize, Serialize};
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};

/// What one stage cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageProfile {
    /// Stage name.
    pub stage: String,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Process CPU time over wall time, in percent: above 100 when more than one core worked.
    pub cpu_percent: f64,
    /// Peak resident memory of the process so far, in bytes.
    pub peak_rss_bytes: u64,
    /// Resident memory when the stage ended, in bytes: what the original's psutil line showed.
    #[serde(default)]
    pub current_rss_bytes: u64,
}

impl StageProfile {
    /// Peak memory in GB (10⁹ bytes), flow's figure.
    pub fn peak_rss_gb(&self) -> f64 {
        self.peak_rss_bytes as f64 / 1e9
    }

    /// The original's three closing lines for this span: ` 3.9442 sec`, `cpu usage\t\t: 98.2 %`
    /// (CPU time over wall time, as `ps`'s %CPU over a process's life, to one decimal) and
    /// `memory usage\t\t: 0.15 GB` (the resident memory at the end in GiB, 2³⁰ bytes, rounded to two
    /// decimals as Python's `round(x, 2)` prints). flow's own figure is the peak, in GB of 10⁹ bytes.
    pub fn original_lines(&self) -> String {
        let cpu = python_float((self.cpu_percent * 10.0).round() / 10.0);
        // The original's samples print 100 % but 98.2 %: a whole percentage without its `.0`.
        let cpu = cpu.strip_suffix(".0").unwrap_or(&cpu);
        let gib = self.current_rss_bytes as f64 / f64::from(1u32 << 30);
        format!(
            " {:.4} sec\ncpu usage\t\t: {cpu} %\nmemory usage\t\t: {} GB\n",
            self.seconds,
            python_float((gib * 100.0).round() / 100.0)
        )
    }
}

impl std::fmt::Display for StageProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}] time {:.4} sec | CPU {:.0} % | memory {:.2} GB (peak RSS)",
            self.stage,
            self.seconds,
            self.cpu_percent,
            self.peak_rss_gb()
        )
    }
}

/// Measures one stage: create it when the stage starts, call [`Profiler::finish`] when it ends.
#[derive(Debug)]
pub struct Profiler {
    system: Option<System>,
    pid: Option<Pid>,
    started: Instant,
    cpu_ms_at_start: u64,
}

impl Profiler {
    /// Starts measuring.
    pub fn start() -> Profiler {
        let pid = sysinfo::get_current_pid().ok();
        let mut system = System::new().ok();
        let cpu_ms_at_start = cpu_ms(&mut system, pid);
        Profiler {
            system,
            pid,
            started: Instant::now(),
            cpu_ms_at_start,
        }
    }

    /// Stops measuring and names the stage.
    pub fn finish(mut self, stage: &str) -> StageProfile {
        let seconds = self.started.elapsed().as_secs_f64();
        let cpu_seconds = cpu_ms(&mut self.system, self.pid).saturating_sub(self.cpu_ms_at_start) as f64 / 1000.0;
        let memory = self.current_rss();
        StageProfile {
            stage: stage.to_string(),
            seconds,
            cpu_percent: if seconds > 0.0 {
                100.0 * cpu_seconds / seconds
            } else {
                0.0
            },
            peak_rss_bytes: peak_rss().unwrap_or(0).max(memory),
            current_rss_bytes: memory,
        }
    }

    fn current_rss(&mut self) -> u64 {
        match (&self.system, self.pid) {
            (Some(system), Some(pid)) => system.process(pid).map_or(0, |p| p.memory()),
            _ => 0,
        }
    }
}

fn cpu_ms(system: &mut Option<System>, pid: Option<Pid>) -> u64 {
    let (Some(system), Some(pid)) = (system.as_mut(), pid) else {
        return 0;
    };
    system.refresh_processes_specifics(
        ProcessesToUpdate::Some(&[pid]),
        false,
        ProcessRefreshKind::nothing().with_cpu().with_memory(),
    );
    system.process(pid).map_or(0, |p| p.accumulated_cpu_time())
}

/// The process's peak resident set (Linux `VmHWM`); sysinfo reports only the current one.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes * 1024)
}

/// The closing table of `flow run`: one row a stage, then `total`, the whole command as measured
/// around it. Sites run in parallel, so the stages' times add up to more than the command took
/// (two sites of 11 and 17 s finished in 17.5 s and summed to 29): the total is measured, never
/// summed. The first column is as wide as the longest stage name (`hoeryong-daily-inflow/predict`
/// with many sites), so the numbers stay in their columns.
pub fn render_table(stages: &[StageProfile], total: &StageProfile) -> String {
    let width = stages
        .iter()
        .map(|s| s.stage.chars().count())
        .chain(["stage".len(), "total".len()])
        .max()
        .unwrap_or(5);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{:<width$} {:>12} {:>8} {:>12}",
        "stage", "time (sec)", "CPU %", "memory (GB)"
    );
    let rows = stages
        .iter()
        .map(|stage| (stage.stage.as_str(), stage))
        .chain([("total", total)]);
    for (name, stage) in rows {
        let _ = writeln!(
            text,
            "{:<width$} {:>12.4} {:>8.0} {:>12.3}",
            name,
            stage.seconds,
            stage.cpu_percent,
            stage.peak_rss_gb()
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_stage_uses_cpu_and_memory() {
        let profiler = Profiler::start();
        let mut buffer = vec![0u8; 64 << 20];
        let mut x = 0u64;
        let start = Instant::now();
        while start.elapsed().as_millis() < 300 {
            for (i, b) in buffer.iter_mut().enumerate().step_by(4096) {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(i as u64);
                *b = (x >> 33) as u8 | 1;
            }
        }
        assert!(buffer.iter().any(|b| *b != 0));
        let profile = profiler.finish("busy");
        assert!(profile.seconds >= 0.3);
        assert!(profile.cpu_percent > 50.0, "{profile}");
        assert!(profile.peak_rss_bytes > 64 << 20, "{profile}");
        assert!(profile.to_string().starts_with("[busy] time 0.3"));
        let idle = StageProfile {
            stage: "idle".into(),
            seconds: 0.1,
            cpu_percent: 0.0,
            peak_rss_bytes: 1,
            current_rss_bytes: 1,
        };
        // Stages that overlapped: the total row is the measured whole, not their sum.
        let whole = StageProfile {
            stage: "whole".into(),
            seconds: 0.35,
            ..profile.clone()
        };
        let table = render_table(&[profile.clone(), idle], &whole);
        let last = table.lines().last().unwrap();
        assert!(last.starts_with("total"), "{table}");
        assert_eq!(last.split_whitespace().nth(1), Some("0.3500"), "{table}");
        assert_eq!(table.lines().count(), 4);
        // A long site name widens the first column; every row keeps the same length.
        let long = StageProfile {
            stage: "a-very-long-site-name-of-an-export/predict".into(),
            ..profile.clone()
        };
        let table = render_table(&[profile.clone(), long], &profile);
        let lengths: Vec<usize> = table.lines().map(|l| l.chars().count()).collect();
        assert!(lengths.windows(2).all(|w| w[0] == w[1]), "{table}");
        assert!(profile.current_rss_bytes > 64 << 20, "{profile:?}");
    }

    #[test]
    fn the_original_usage_lines() {
        let profile = StageProfile {
            stage: "run".into(),
            seconds: 3.94421,
            cpu_percent: 98.24,
            peak_rss_bytes: 200_000_000,
            current_rss_bytes: 161_061_274, // 0.15 GiB
        };
        assert_eq!(
            profile.original_lines(),
            " 3.9442 sec\ncpu usage\t\t: 98.2 %\nmemory usage\t\t: 0.15 GB\n"
        );
        let busy = StageProfile {
            cpu_percent: 99.96,
            current_rss_bytes: 1_181_116_006, // 1.1 GiB
            ..profile
        };
        assert!(busy
            .original_lines()
            .ends_with("cpu usage\t\t: 100 %\nmemory usage\t\t: 1.1 GB\n"));
    }
}
