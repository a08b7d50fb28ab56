//! The original tool's own lines: the language switch, its Korean lines and its closing usage lines,
//! so that a report written from the original's output reads the same from flow's.

use std::str::FromStr;

use flowcore::files::python_float;
use flowcore::time::format_timestamp;
use flowlstm::ForecastPoint;
use flowreport::profile::Profiler;

/// How results are worded on the terminal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    /// flow's layout, in English (default).
    #[default]
    En,
    /// The original's lines, word for word: Korean where it printed Korean, its English elsewhere.
    Ko,
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(text: &str) -> Result<Lang, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "ko" => Ok(Lang::Ko),
            other => Err(format!("--lang `{other}`: expected en or ko")),
        }
    }
}

/// One forecast line: flow's `time: … - predicted: 415.0, label: Normal`, or the original's
/// `시간: 2021-01-02 00:00:00 - 예측 값: 389.445068359375, 레이블: Normal` (the value as Python prints it).
pub fn forecast_line(point: &ForecastPoint, lang: Lang) -> String {
    match lang {
        Lang::En => point.to_string(),
        Lang::Ko => format!(
            "시간: {} - 예측 값: {}, 레이블: {}",
            format_timestamp(point.timestamp),
            python_float(point.predicted),
            point.label
        ),
    }
}

/// The line for a scan that flagged nothing.
pub fn no_anomalies_line(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "No anomalies.",
        Lang::Ko => "이상치가 없습니다.",
    }
}

/// The whole command's time, CPU and memory, printed at its end as the original's scripts did.
pub struct Usage(Profiler);

impl Usage {
    /// Starts measuring the command.
    pub fn start() -> Usage {
        Usage(Profiler::start())
    }

    /// The original's three lines (time, `cpu usage`, `memory usage`); flow's per-stage peak figures
    /// are printed with each stage.
    pub fn finish(self) -> String {
        self.0.finish("command").original_lines()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowlstm::Label;

    #[test]
    fn the_korean_lines_are_the_originals() {
        let point = ForecastPoint {
            timestamp: flowcore::time::parse_timestamp("2021-01-02").unwrap_or_default(),
            predicted: 389.445068359375,
            label: Label::Normal,
        };
        assert_eq!(
            forecast_line(&point, Lang::Ko),
            "시간: 2021-01-02 00:00:00 - 예측 값: 389.445068359375, 레이블: Normal"
        );
        assert_eq!(
            forecast_line(&point, Lang::En),
            "time: 2021-01-02 00:00:00 - predicted: 389.4, label: Normal"
        );
        assert_eq!(no_anomalies_line(Lang::Ko), "이상치가 없습니다.");
        assert_eq!("KO".parse::<Lang>(), Ok(Lang::Ko));
        assert!("fr".parse::<Lang>().is_err());
    }
}
