//! What a forecast of the hours or days ahead shows: the graph of the last weeks and the forecast
//! with its bands, and the competition's scores of a forecast against what happened.

use plotters::prelude::*;

use crate::error::Result;
use crate::graph::{
    dated_chart, draw_broken_line, draw_legend, line_width, padded_range, range_with_legend, with_titles, Image,
    ACTUAL_COLOUR, PREDICTED_COLOUR,
};

/// Light and lighter orange for the 95 % and 80 % bands.
const BAND_95: RGBColor = RGBColor(253, 226, 196);
const BAND_80: RGBColor = RGBColor(251, 196, 140);

/// What the forecast graph shows.
#[derive(Debug, Clone, Copy)]
pub struct ForecastGraph<'a> {
    /// Second title line.
    pub subtitle: &'a str,
    /// Unit of the values, for the y axis.
    pub unit: &'a str,
    /// Times of the history shown.
    pub history_times: &'a [i64],
    /// The history (`NaN` where missing).
    pub history: &'a [f64],
    /// Times of the forecast steps.
    pub times: &'a [i64],
    /// The forecast and its bands.
    pub forecast: &'a [f64],
    /// 80 % band.
    pub band_80: (&'a [f64], &'a [f64]),
    /// 95 % band.
    pub band_95: (&'a [f64], &'a [f64]),
}

/// `forecast.png`: the last weeks of readings, then the forecast with its 80 % and 95 % bands.
pub fn forecast_graph(graph: &ForecastGraph<'_>) -> Result<Image> {
    with_titles("the forecast graph", 1600, 700, "Forecast", graph.subtitle, |area| {
        let all_times: Vec<i64> = graph.history_times.iter().chain(graph.times).copied().collect();
        let values = graph
            .history
            .iter()
            .chain(graph.band_95.0)
            .chain(graph.band_95.1)
            .copied()
            .filter(|v| v.is_finite());
        let history = graph.history_times.iter().copied().zip(graph.history.iter().copied());
        let times = || graph.times.iter().copied();
        let points = history
            .chain(times().zip(graph.band_95.1.iter().copied()))
            .chain(times().zip(graph.band_95.0.iter().copied()));
        let (corner, range) = range_with_legend(
            area,
            &all_times,
            padded_range(values),
            points,
            &["95 % band", "80 % band", "Readings", "Forecast"],
        );
        let width = line_width(2, graph.times.len(), area);
        let mut chart = dated_chart(area, &all_times, range, graph.unit, 1)?;
        for ((low, high), colour, label) in [
            (graph.band_95, BAND_95, "95 % band"),
            (graph.band_80, BAND_80, "80 % band"),
        ] {
            let polygon: Vec<(i64, f64)> = graph
                .times
                .iter()
                .zip(high)
                .map(|(t, v)| (*t, *v))
                .chain(graph.times.iter().zip(low).rev().map(|(t, v)| (*t, *v)))
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(polygon, colour.filled())))
                .map_err(|e| e.to_string())?
                .label(label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 24, y + 6)], colour.filled()));
        }
        let history: Vec<(i64, f64)> = graph
            .history_times
            .iter()
            .copied()
            .zip(graph.history.iter().copied())
            .collect();
        draw_broken_line(&mut chart, &history, ACTUAL_COLOUR.stroke_width(1), "Readings")?;
        chart
            .draw_series(LineSeries::new(
                graph.times.iter().zip(graph.forecast).map(|(t, v)| (*t, *v)),
                PREDICTED_COLOUR.stroke_width(width),
            ))
            .map_err(|e| e.to_string())?
            .label("Forecast")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], PREDICTED_COLOUR.stroke_width(2)));
        draw_legend(&mut chart, corner)
    })
}

/// The scores of one forecast against what happened, as the Battle of the Water Demand
/// Forecasting ranks them, with the share of readings inside each band.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HorizonScores {
    /// Mean absolute error of the first day's steps (PI1).
    pub first_day_mae: f64,
    /// Largest absolute error of the first day's steps (PI2).
    pub first_day_max: f64,
    /// Mean absolute error of the later steps (PI3; `NaN` when the horizon is one day).
    pub later_mae: f64,
    /// Share of readings inside the 80 % band.
    pub inside_80: f64,
    /// Share of readings inside the 95 % band.
    pub inside_95: f64,
    /// Readings compared (steps with a reading).
    pub readings: usize,
}

/// Scores `forecast` against `actual` (same steps; `NaN` actuals are left out), the first
/// `first_day` steps being the first day. `bands` are (80 % low, high, 95 % low, high); `None`
/// leaves the coverage `NaN` (a baseline has no band).
pub fn horizon_scores(actual: &[f64], forecast: &[f64], bands: Option<[&[f64]; 4]>, first_day: usize) -> HorizonScores {
    let (mut early, mut late) = (Vec::new(), Vec::new());
    let (mut in_80, mut in_95, mut readings) = (0usize, 0usize, 0usize);
    for (i, (a, f)) in actual.iter().zip(forecast).enumerate() {
        if !a.is_finite() || !f.is_finite() {
            continue;
        }
        readings += 1;
        let error = (a - f).abs();
        if i < first_day {
            early.push(error)
        } else {
            late.push(error)
        }
        if let Some([l80, h80, l95, h95]) = bands {
            in_80 += usize::from(l80[i] <= *a && *a <= h80[i]);
            in_95 += usize::from(l95[i] <= *a && *a <= h95[i]);
        }
    }
    let mean = |v: &[f64]| {
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let share = |n: usize| {
        if bands.is_none() || readings == 0 {
            f64::NAN
        } else {
            n as f64 / readings as f64
        }
    };
    HorizonScores {
        first_day_mae: mean(&early),
        first_day_max: early.iter().copied().fold(f64::NAN, f64::max),
        later_mae: mean(&late),
        inside_80: share(in_80),
        inside_95: share(in_95),
        readings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::PREDICTED_COLOUR;

    #[test]
    fn scores_by_hand() {
        // Two steps a "day": errors 1, 3 then 2, (missing), 4.
        let actual = [10.0, 13.0, 12.0, f64::NAN, 6.0];
        let forecast = [11.0, 10.0, 10.0, 9.0, 10.0];
        let low = [9.0; 5];
        let high = [12.0; 5];
        let wide_low = [0.0; 5];
        let wide_high = [20.0; 5];
        let s = horizon_scores(&actual, &forecast, Some([&low, &high, &wide_low, &wide_high]), 2);
        assert_eq!((s.first_day_mae, s.first_day_max, s.later_mae), (2.0, 3.0, 3.0));
        assert_eq!(s.readings, 4);
        assert_eq!((s.inside_80, s.inside_95), (0.5, 1.0));
        assert!(horizon_scores(&actual, &forecast, None, 2).inside_80.is_nan());
    }

    #[test]
    fn the_graph_draws_history_and_forecast() {
        let history_times: Vec<i64> = (0..48).map(|h| h * 3_600).collect();
        let history: Vec<f64> = (0..48).map(|h| 10.0 + (h % 24) as f64).collect();
        let times: Vec<i64> = (48..72).map(|h| h * 3_600).collect();
        let forecast: Vec<f64> = (0..24).map(|h| 10.0 + h as f64).collect();
        let low: Vec<f64> = forecast.iter().map(|v| v - 2.0).collect();
        let high: Vec<f64> = forecast.iter().map(|v| v + 2.0).collect();
        let image = forecast_graph(&ForecastGraph {
            subtitle: "test",
            unit: "L/s",
            history_times: &history_times,
            history: &history,
            times: &times,
            forecast: &forecast,
            band_80: (&low, &high),
            band_95: (&low, &high),
        })
        .unwrap();
        let orange = PREDICTED_COLOUR;
        assert!(image.rgb.chunks(3).any(|p| p == [orange.0, orange.1, orange.2]));
    }
}
