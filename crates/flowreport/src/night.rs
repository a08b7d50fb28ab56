//! What the night-flow stage shows: the MNF graph and the trend per 30 days.

use flowcore::events::Severity;
use flowcore::night::theil_sen_slope;
use flowcore::time::DAY;
use plotters::prelude::*;

use crate::error::Result;
use crate::graph::{
    axis_name, dated_chart, draw_broken_line, draw_legend, line_width, padded_range, range_with_legend, stage_colour,
    with_titles, Image, ACTUAL_COLOUR, BAND_COLOUR,
};

/// What the MNF graph shows, one entry a night.
#[derive(Debug, Clone, Copy)]
pub struct NightGraph<'a> {
    /// Second title line.
    pub subtitle: &'a str,
    /// 00:00 of each night's morning.
    pub nights: &'a [i64],
    /// Each night's MNF (`None`: too few readings).
    pub mnf: &'a [Option<f64>],
    /// The baseline it was judged against.
    pub expected: &'a [Option<f64>],
    /// Where the watch stage begins.
    pub watch_from: &'a [Option<f64>],
    /// The stage of nights in alarm.
    pub stages: &'a [Option<Severity>],
    /// The flow's unit, when the column's header gives one (`L/s`), for the y axis.
    pub unit: Option<&'a str>,
    /// 00:00 of the nights from which the nights were accepted as the new normal
    /// (`--night-accept`), drawn as a line: the band starts afresh there.
    pub accepted: &'a [i64],
}

/// Colour of the line where nights were accepted as normal: green, not a stage's colour.
const ACCEPTED_COLOUR: RGBColor = RGBColor(44, 160, 44);

/// `mnf.png`: the MNF night by night, the normal band from the baseline to where the watch stage
/// begins, and nights in alarm marked in their stage's colour.
pub fn night_graph(graph: &NightGraph<'_>) -> Result<Image> {
    with_titles(
        "the night-flow graph",
        1600,
        700,
        "Minimum night flow",
        graph.subtitle,
        |area| {
            let values = graph.mnf.iter().chain(graph.watch_from).flatten().copied();
            let nights = || graph.nights.iter().copied();
            let points = [graph.mnf, graph.watch_from, graph.expected]
                .into_iter()
                .flat_map(move |series| nights().zip(series.iter().map(|v| v.unwrap_or(f64::NAN))));
            let (first, last) = (graph.nights.first().copied(), graph.nights.last().copied());
            let accepted: Vec<i64> = graph
                .accepted
                .iter()
                .copied()
                .filter(|day| first.zip(last).is_some_and(|(a, b)| (a..=b).contains(day)))
                .collect();
            let mut labels = vec!["Normal: baseline .. watch threshold", "MNF"];
            if !accepted.is_empty() {
                labels.push("accepted as normal");
            }
            labels.extend(
                [Severity::Watch, Severity::Caution, Severity::Alert, Severity::Severe]
                    .into_iter()
                    .filter(|stage| graph.stages.contains(&Some(*stage)))
                    .map(|stage| stage.english()),
            );
            let (corner, range) = range_with_legend(area, graph.nights, padded_range(values), points, &labels);
            let y_desc = axis_name("MNF", graph.unit);
            let width = line_width(2, graph.nights.len(), area);
            let mut chart = dated_chart(area, graph.nights, range, &y_desc, 1)?;
            let night = |i: usize| graph.nights[i];
            // The band, night by night where a baseline exists.
            let band = (0..graph.nights.len()).filter_map(|i| {
                let (low, high) = (graph.expected[i]?, graph.watch_from[i]?);
                Some(Rectangle::new(
                    [(night(i) - DAY / 2, low), (night(i) + DAY / 2, high)],
                    BAND_COLOUR.filled(),
                ))
            });
            chart
                .draw_series(band)
                .map_err(|e| e.to_string())?
                .label("Normal: baseline .. watch threshold")
                .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 24, y + 6)], BAND_COLOUR.filled()));
            // The MNF line, broken where a night has none.
            let line: Vec<(i64, f64)> = (0..graph.nights.len())
                .map(|i| (night(i), graph.mnf[i].unwrap_or(f64::NAN)))
                .collect();
            draw_broken_line(&mut chart, &line, ACTUAL_COLOUR.stroke_width(width), "MNF")?;
            for stage in [Severity::Watch, Severity::Caution, Severity::Alert, Severity::Severe] {
                let colour = stage_colour(stage);
                let marks: Vec<(i64, f64)> = (0..graph.nights.len())
                    .filter(|&i| graph.stages[i] == Some(stage))
                    .filter_map(|i| Some((night(i), graph.mnf[i]?)))
                    .collect();
                if marks.is_empty() {
                    continue;
                }
                chart
                    .draw_series(marks.into_iter().map(|p| Circle::new(p, 5, colour.filled())))
                    .map_err(|e| e.to_string())?
                    // DejaVu has no Hangul: the English stage names label the graph.
                    .label(stage.english())
                    .legend(move |(x, y)| Circle::new((x + 12, y), 5, colour.filled()));
            }
            if !accepted.is_empty() {
                let (low, high) = range;
                chart
                    .draw_series(accepted.iter().map(|&day| {
                        PathElement::new(
                            vec![(day - DAY / 2, low), (day - DAY / 2, high)],
                            ACCEPTED_COLOUR.stroke_width(2),
                        )
                    }))
                    .map_err(|e| e.to_string())?
                    .label("accepted as normal")
                    .legend(|(x, y)| {
                        PathElement::new(vec![(x + 12, y - 6), (x + 12, y + 6)], ACCEPTED_COLOUR.stroke_width(2))
                    });
            }
            draw_legend(&mut chart, corner)
        },
    )
}

/// The change of MNF per 30 days over `(night, mnf)` pairs (Theil–Sen, so a weekend or a burst
/// does not tilt it); `None` under two nights.
pub fn trend_per_30_days(nights: &[(i64, f64)]) -> Option<f64> {
    let points: Vec<(f64, f64)> = nights.iter().map(|&(t, v)| ((t / DAY) as f64, v)).collect();
    theil_sen_slope(&points).map(|per_day| per_day * 30.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_by_hand_and_a_graph_that_draws() {
        // +1 a night with one wild night: the median of the pairwise slopes stays 1.
        let mut nights: Vec<(i64, f64)> = (0..10).map(|d| (d * DAY, 100.0 + d as f64)).collect();
        nights[4].1 = 500.0;
        assert_eq!(trend_per_30_days(&nights), Some(30.0));
        assert_eq!(trend_per_30_days(&nights[..1]), None);
        let times: Vec<i64> = (0..10).map(|d| d * DAY).collect();
        let mnf: Vec<Option<f64>> = (0..10).map(|d| (d != 3).then_some(100.0 + d as f64)).collect();
        let expected = vec![Some(100.0); 10];
        let watch = vec![Some(103.0); 10];
        let mut stages = vec![None; 10];
        stages[8] = Some(Severity::Alert);
        let with = |accepted: &[i64]| {
            night_graph(&NightGraph {
                subtitle: "test",
                nights: &times,
                mnf: &mnf,
                expected: &expected,
                watch_from: &watch,
                stages: &stages,
                unit: Some("L/s"),
                accepted,
            })
            .unwrap()
        };
        let image = with(&[]);
        assert_eq!((image.width, image.height), (1600, 700));
        let red = stage_colour(Severity::Alert);
        assert!(
            image.rgb.chunks(3).any(|p| p == [red.0, red.1, red.2]),
            "the alarm night is marked"
        );
        let green = |image: &Image| image.rgb.chunks(3).any(|p| p == [44, 160, 44]);
        assert!(!green(&image), "no line where nothing was accepted");
        // A night accepted as normal gets its line; one outside the nights drawn does not.
        assert!(green(&with(&[5 * DAY])));
        assert!(!green(&with(&[50 * DAY])));
    }
}
