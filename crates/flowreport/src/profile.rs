//! Time, CPU and memory of each stage, as the original's `time` and psutil lines reported them.

use std::fmt::Write as _;
use std::time::Instant;

use serde::Serialize;
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};

/// What one stage cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageProfile {
    /// Stage name.
    pub stage: String,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Process CPU time over wall time, in percent: above 100 when more than one core worked.
    pub cpu_percent: f64,
    /// Peak resident memory of the process so far, in bytes.
    pub peak_rss_bytes: u64,
}

impl StageProfile {
    /// Peak memory in GB, as the original printed it.
    pub fn peak_rss_gb(&self) -> f64 {
        self.peak_rss_bytes as f64 / 1e9
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

/// The closing table of `flow run`: one row a stage and the total.
pub fn render_table(stages: &[StageProfile]) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{:<16} {:>12} {:>8} {:>12}",
        "stage", "time (sec)", "CPU %", "memory (GB)"
    );
    for stage in stages {
        let _ = writeln!(
            text,
            "{:<16} {:>12.4} {:>8.0} {:>12.3}",
            stage.stage,
            stage.seconds,
            stage.cpu_percent,
            stage.peak_rss_gb()
        );
    }
    let total: f64 = stages.iter().map(|s| s.seconds).sum();
    let cpu = if total > 0.0 {
        stages.iter().map(|s| s.cpu_percent * s.seconds).sum::<f64>() / total
    } else {
        0.0
    };
    let peak = stages.iter().map(|s| s.peak_rss_bytes).max().unwrap_or(0) as f64 / 1e9;
    let _ = writeln!(text, "{:<16} {:>12.4} {:>8.0} {:>12.3}", "total", total, cpu, peak);
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
        let table = render_table(&[
            profile.clone(),
            StageProfile {
                stage: "idle".into(),
                seconds: 0.1,
                cpu_percent: 0.0,
                peak_rss_bytes: 1,
            },
        ]);
        assert!(table.lines().last().unwrap().starts_with("total"));
        assert_eq!(table.lines().count(), 4);
    }
}
