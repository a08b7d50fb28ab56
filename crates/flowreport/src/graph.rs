//! Graphs drawn by plotters into an RGB buffer, encoded as TIFF (LZW, the original's format) and PNG.
//!
//! Text uses DejaVu Sans compiled into the binary, so graphs render the same on a server with no
//! fonts installed.

use std::io::Cursor;
use std::sync::Once;

use flowcore::time::format_date;
use plotters::coord::types::{RangedCoordf64, RangedCoordi64};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{ReportError, Result};
use flowcore::events::Flag;

/// The colour of each alarm stage, from pale to dark as the stages rise.
pub fn stage_colour(stage: flowcore::events::Severity) -> RGBColor {
    use flowcore::events::Severity;
    match stage {
        Severity::Watch => RGBColor(240, 200, 0),
        Severity::Caution => RGBColor(250, 140, 0),
        Severity::Alert => RGBColor(225, 70, 20),
        Severity::Severe => RGBColor(150, 0, 0),
    }
}

/// An RGB picture, 8 bits a channel, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width × height × 3` bytes.
    pub rgb: Vec<u8>,
}

/// Colour of measured values.
pub const ACTUAL_COLOUR: RGBColor = RGBColor(31, 119, 180);
/// Colour of predictions.
pub const PREDICTED_COLOUR: RGBColor = RGBColor(255, 127, 14);
/// Colour of outliers and anomalies.
pub const FLAG_COLOUR: RGBColor = RGBColor(214, 39, 40);
pub(crate) const BAND_COLOUR: RGBColor = RGBColor(200, 235, 200);
pub(crate) const FONT: &str = "sans-serif";

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // A bundled, valid font cannot fail to parse; if it ever did, text would be missing, not the graph.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

fn draw_error(what: &'static str) -> impl Fn(String) -> ReportError {
    move |message| ReportError::Draw { what, message }
}

pub(crate) fn padded_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (low, high) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !low.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((high - low) * 0.08).max(1e-6 * high.abs().max(1.0));
    (low - pad, high + pad)
}

fn time_range(timestamps: &[i64]) -> std::ops::Range<i64> {
    let first = timestamps.first().copied().unwrap_or(0);
    let last = timestamps.last().copied().unwrap_or(first + 1).max(first + 1);
    first..last
}

/// Draws a titled chart: `title` in bold and `subtitle` under it, then the plot.
pub(crate) fn with_titles<F>(
    what: &'static str,
    width: u32,
    height: u32,
    title: &str,
    subtitle: &str,
    plot: F,
) -> Result<Image>
where
    F: FnOnce(&DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>) -> std::result::Result<(), String>,
{
    register_font();
    let mut rgb = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_error(what)(e.to_string()))?;
        let (top, body) = root.split_vertically(78);
        let centre = Pos::new(HPos::Center, VPos::Top);
        let title_style = TextStyle::from((FONT, 28).into_font().style(FontStyle::Bold)).pos(centre);
        top.draw_text(title, &title_style, (width as i32 / 2, 10))
            .map_err(|e| draw_error(what)(e.to_string()))?;
        let subtitle_style = TextStyle::from((FONT, 20).into_font()).pos(centre);
        top.draw_text(subtitle, &subtitle_style, (width as i32 / 2, 46))
            .map_err(|e| draw_error(what)(e.to_string()))?;
        plot(&body).map_err(draw_error(what))?;
        root.present().map_err(|e| draw_error(what)(e.to_string()))?;
    }
    Ok(Image { width, height, rgb })
}

/// A y axis's name with the unit the column's header gives, if any: `Readings (L/s)`.
pub(crate) fn axis_name(quantity: &str, unit: Option<&str>) -> String {
    unit.map_or(quantity.to_string(), |unit| format!("{quantity} ({unit})"))
}

/// `dated_chart`'s margin around the chart, in pixels.
const CHART_MARGIN: u32 = 16;
/// `dated_chart`'s area for the x labels (below the plot) and the y labels (left of it).
const X_LABEL_AREA: u32 = 48;
const Y_LABEL_AREA: u32 = 80;

/// The plot's width and height inside a [`dated_chart`] on an area of `area` pixels.
fn plot_size(area: (u32, u32)) -> (u32, u32) {
    (
        area.0.saturating_sub(2 * CHART_MARGIN + Y_LABEL_AREA).max(1),
        area.1.saturating_sub(2 * CHART_MARGIN + X_LABEL_AREA).max(1),
    )
}

/// The width to draw a line of `points` across a chart on `area`: `wanted` while the points are
/// sparse, 1 pixel past one point per 3 pixels of plot. plotters draws a thick line as a polygon
/// with mitred joins and no miter limit, so a dense, noisy series (BWDF dma-1's 5,900 test hours)
/// grew spikes that shot out of the plot across the titles; a 1-pixel line has no joins.
pub(crate) fn line_width(
    wanted: u32,
    points: usize,
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
) -> u32 {
    let plot_width = plot_size(area.dim_in_pixel()).0 as usize;
    if points.saturating_mul(3) > plot_width {
        1
    } else {
        wanted
    }
}

/// Whether a date label centred on `t` fits on the image: a `2023-03-31` in the 16-pixel label font
/// is about 92 pixels wide, so a tick closer than 30 pixels to the plot's right end (the chart
/// margin gives 16 more) was cut off at the image's edge (`2023-03-`, on BWDF's anomaly scan). The
/// left end has the y labels' area beside it.
fn date_label_fits(t: i64, range: &std::ops::Range<i64>, plot_width: u32) -> bool {
    const HALF_LABEL: f64 = 46.0;
    let span = (range.end - range.start).max(1) as f64;
    let to_right_end = (range.end - t) as f64 / span * f64::from(plot_width);
    to_right_end + f64::from(CHART_MARGIN) >= HALF_LABEL
}

/// A chart with dates along x, as every flow graph has: same margins, labels and grid.
pub(crate) type DatedChart<'a, 'b> = ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordi64, RangedCoordf64>>;

pub(crate) fn dated_chart<'a, 'b>(
    area: &'a DrawingArea<BitMapBackend<'b>, plotters::coord::Shift>,
    timestamps: &[i64],
    (low, high): (f64, f64),
    y_desc: &str,
    decimals: usize,
) -> std::result::Result<DatedChart<'a, 'b>, String> {
    let range = time_range(timestamps);
    let plot_width = plot_size(area.dim_in_pixel()).0;
    let mut chart = ChartBuilder::on(area)
        .margin(CHART_MARGIN)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(range.clone(), low..high)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_labels(10)
        .y_labels(10)
        .x_label_formatter(&|t| {
            if date_label_fits(*t, &range, plot_width) {
                format_date(*t)
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| format!("{v:.decimals$}"))
        .x_desc("Date")
        .y_desc(y_desc)
        .axis_desc_style((FONT, 20))
        .label_style((FONT, 16))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(chart)
}

/// A corner of the plot, for the legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Corner {
    UpperLeft,
    UpperRight,
    LowerLeft,
    LowerRight,
}

impl Corner {
    fn position(self) -> SeriesLabelPosition {
        match self {
            Corner::UpperLeft => SeriesLabelPosition::UpperLeft,
            Corner::UpperRight => SeriesLabelPosition::UpperRight,
            Corner::LowerLeft => SeriesLabelPosition::LowerLeft,
            Corner::LowerRight => SeriesLabelPosition::LowerRight,
        }
    }
}

/// Where the legend goes, and the y range that leaves it room: the first corner (upper left,
/// upper right, lower left, lower right) with no point under the legend's box; when every corner
/// has data under it (a dense series fills the plot), the upper corner needing the least
/// headroom, the range's top raised so that the box sits above the data beneath it. A legend
/// hid the peak of a year of night flows (a burst at 6.3 L/s under `watch`, `caution`, …).
/// `legend` is the box as shares of the plot's width and height.
pub(crate) fn legend_corner(
    points: impl Iterator<Item = (i64, f64)> + Clone,
    x: &std::ops::Range<i64>,
    (low, high): (f64, f64),
    (width, height): (f64, f64),
) -> (Corner, (f64, f64)) {
    // A marker's radius and the box's distance from the plot's edge, as shares.
    const PAD: f64 = 0.02;
    let (width, height) = (width + PAD, height + PAD);
    let span = (x.end - x.start).max(1) as f64;
    let at = |t: i64| (t - x.start) as f64 / span;
    // Under a box in the plot's left (or right) share of `width`.
    let across = |t: i64, right: bool| {
        if right {
            at(t) >= 1.0 - width
        } else {
            at(t) <= width
        }
    };
    let level = |v: f64| (v - low) / (high - low);
    let finite = points.filter(|(_, v)| v.is_finite());
    // Each corner: whether it is on the right, whether at the top.
    let corners = [
        (Corner::UpperLeft, false, true),
        (Corner::UpperRight, true, true),
        (Corner::LowerLeft, false, false),
        (Corner::LowerRight, true, false),
    ];
    let free = corners.iter().find(|(_, right, upper)| {
        !finite.clone().any(|(t, v)| {
            across(t, *right)
                && if *upper {
                    level(v) >= 1.0 - height
                } else {
                    level(v) <= height
                }
        })
    });
    if let Some((corner, _, _)) = free {
        return (*corner, (low, high));
    }
    if height >= 0.6 || high <= low {
        return (Corner::UpperLeft, (low, high));
    }
    // The top that puts the highest point under each upper corner below its box.
    let raised = |right: bool| {
        let top = finite
            .clone()
            .filter(|(t, _)| across(*t, right))
            .map(|(_, v)| v)
            .fold(f64::NEG_INFINITY, f64::max);
        low + (top.max(low) - low) / (1.0 - height)
    };
    let (upper_left, upper_right) = (raised(false), raised(true));
    if upper_right < upper_left {
        (Corner::UpperRight, (low, upper_right.max(high)))
    } else {
        (Corner::UpperLeft, (low, upper_left.max(high)))
    }
}

/// The legend's box as shares of the plot of a chart drawn by [`dated_chart`] on an area of
/// `area` pixels: one line a label, each as wide as its text in the legend's font.
pub(crate) fn legend_share(area: (u32, u32), labels: &[&str]) -> (f64, f64) {
    let font = (FONT, 18).into_font();
    let (mut widest, mut tallest) = (0u32, 18u32);
    for label in labels {
        let (w, h) = font.box_size(label).unwrap_or((label.chars().count() as u32 * 10, 18));
        widest = widest.max(w);
        tallest = tallest.max(h);
    }
    // plotters' legend: a 30-pixel marker column and 10-pixel margins; lines 1.25 high.
    let box_width = f64::from(widest + 30 + 20);
    let box_height = f64::from(tallest) * 1.25 * labels.len() as f64 + 20.0;
    let (plot_width, plot_height) = plot_size(area);
    (box_width / f64::from(plot_width), box_height / f64::from(plot_height))
}

/// The legend's corner and the y range around it, for a chart of `timestamps` over `range` on
/// `area` that draws `points`: see [`legend_corner`].
pub(crate) fn range_with_legend(
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    timestamps: &[i64],
    range: (f64, f64),
    points: impl Iterator<Item = (i64, f64)> + Clone,
    labels: &[&str],
) -> (Corner, (f64, f64)) {
    let share = legend_share(area.dim_in_pixel(), labels);
    legend_corner(points, &time_range(timestamps), range, share)
}

pub(crate) fn draw_legend<'a, 'b: 'a>(
    chart: &mut DatedChart<'a, 'b>,
    corner: Corner,
) -> std::result::Result<(), String> {
    chart
        .configure_series_labels()
        .position(corner.position())
        .label_font((FONT, 18))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| e.to_string())
}

/// What the performance graph shows.
#[derive(Debug, Clone, Copy)]
pub struct PerformanceGraph<'a> {
    /// Second title line, e.g. `Epochs=100, Batch Size=32, RMSE=22.61`.
    pub subtitle: &'a str,
    /// Time of each test point.
    pub timestamps: &'a [i64],
    /// Measured values.
    pub actual: &'a [f64],
    /// Predictions.
    pub predicted: &'a [f64],
    /// Points to mark.
    pub outliers: &'a [Flag],
    /// The k of the outlier rule |residual| > kσ, for the legend.
    pub sigma_k: f64,
    /// Periods (first, end) whose points are no measure of the flow (a meter fault or a gap), shaded.
    pub not_measured: &'a [(i64, i64)],
}

/// Grey of the periods that are no measure of the flow.
pub(crate) const NOT_MEASURED_COLOUR: RGBColor = RGBColor(215, 215, 215);

/// `lstm_performance_graph`: actual and predicted over the test dates, outliers circled, the
/// periods a meter fault makes no measure of the flow shaded grey.
pub fn performance_graph(graph: &PerformanceGraph<'_>) -> Result<Image> {
    with_titles(
        "the performance graph",
        1400,
        700,
        "LSTM Performance",
        graph.subtitle,
        |area| {
            let times = || graph.timestamps.iter().copied();
            let points = times()
                .zip(graph.actual.iter().copied())
                .chain(times().zip(graph.predicted.iter().copied()));
            let outlier_label = format!("Outlier (|residual| > {}σ)", graph.sigma_k);
            const NOT_MEASURED: &str = "Not measured (a meter fault or gap)";
            let mut labels = vec!["Actual", "Prediction", &outlier_label];
            if !graph.not_measured.is_empty() {
                labels.push(NOT_MEASURED);
            }
            let (corner, range) = range_with_legend(
                area,
                graph.timestamps,
                padded_range(graph.actual.iter().chain(graph.predicted).copied()),
                points,
                &labels,
            );
            let width = line_width(3, graph.timestamps.len(), area);
            let mut chart = dated_chart(area, graph.timestamps, range, "Values", 0)?;
            if !graph.not_measured.is_empty() {
                // Under the curves, so both stay readable across it.
                chart
                    .draw_series(graph.not_measured.iter().map(|&(first, end)| {
                        Rectangle::new([(first, range.0), (end, range.1)], NOT_MEASURED_COLOUR.filled())
                    }))
                    .map_err(|e| e.to_string())?
                    .label(NOT_MEASURED)
                    .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 24, y + 6)], NOT_MEASURED_COLOUR.filled()));
            }
            chart
                .draw_series(LineSeries::new(
                    graph.timestamps.iter().copied().zip(graph.actual.iter().copied()),
                    ACTUAL_COLOUR.stroke_width(width),
                ))
                .map_err(|e| e.to_string())?
                .label("Actual")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], ACTUAL_COLOUR.stroke_width(3)));
            chart
                .draw_series(LineSeries::new(
                    graph.timestamps.iter().copied().zip(graph.predicted.iter().copied()),
                    PREDICTED_COLOUR.stroke_width(width),
                ))
                .map_err(|e| e.to_string())?
                .label("Prediction")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], PREDICTED_COLOUR.stroke_width(3)));
            chart
                .draw_series(
                    graph
                        .outliers
                        .iter()
                        .map(|o| Circle::new((o.timestamp, o.actual), 8, FLAG_COLOUR.stroke_width(3))),
                )
                .map_err(|e| e.to_string())?
                .label(outlier_label)
                .legend(|(x, y)| Circle::new((x + 12, y), 6, FLAG_COLOUR.stroke_width(3)));
            draw_legend(&mut chart, corner)
        },
    )
}

/// Residuals over time with the ±kσ lines.
pub fn residual_graph(timestamps: &[i64], residuals: &[f64], sigma: f64, k: f64) -> Result<Image> {
    let subtitle = format!("actual − predicted, with the ±{k}σ band (σ = {sigma:.2})");
    with_titles("the residual graph", 1400, 600, "Residuals", &subtitle, |area| {
        let (low, high) = padded_range(residuals.iter().copied().chain([k * sigma, -k * sigma]));
        let range = time_range(timestamps);
        let mut chart = dated_chart(area, timestamps, (low, high), "Residual", 1)?;
        for level in [k * sigma, -k * sigma] {
            chart
                .draw_series(LineSeries::new(
                    [(range.start, level), (range.end, level)],
                    FLAG_COLOUR.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
        }
        chart
            .draw_series(LineSeries::new(
                [(range.start, 0.0), (range.end, 0.0)],
                BLACK.stroke_width(1),
            ))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(timestamps.iter().zip(residuals).map(|(t, r)| {
                let colour = if r.abs() > k * sigma {
                    FLAG_COLOUR
                } else {
                    ACTUAL_COLOUR
                };
                Circle::new((*t, *r), 4, colour.filled())
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// What the anomaly-scan overview shows.
#[derive(Debug, Clone, Copy)]
pub struct ScanOverview<'a> {
    /// Second title line.
    pub subtitle: &'a str,
    /// The scanned (minute) series.
    pub timestamps: &'a [i64],
    /// Its values; `NaN` where there was no reading (a gap the missing-value rule filled for the
    /// scan), which breaks the line: a filled gap is not drawn as readings.
    pub values: &'a [f64],
    /// Flagged points: time and value (drawn when there are no spans).
    pub flagged: &'a [(i64, f64)],
    /// Alarms: start, end and stage, shaded over the whole height in the stage's colour.
    pub spans: &'a [(i64, i64, flowcore::events::Severity)],
    /// The lower end of the band drawn: the scan rule's `L_level`.
    pub lower_level: f64,
    /// The upper end of the band drawn: the scan rule's `U_level`.
    pub upper_level: f64,
    /// The readings' unit, when the column's header gives one (`L/s`), for the y axis.
    pub unit: Option<&'a str>,
}

/// Keeps the minimum and maximum of each of `columns` time slices, so half a million readings draw
/// as fast as a thousand while every spike and dropout stays visible. A slice with no finite value
/// gives one `NaN` point, where a line drawn through the points breaks.
pub fn envelope(timestamps: &[i64], values: &[f64], columns: usize) -> Vec<(i64, f64)> {
    if timestamps.len() <= columns * 2 || columns == 0 {
        return timestamps.iter().copied().zip(values.iter().copied()).collect();
    }
    let per_column = timestamps.len().div_ceil(columns);
    let mut points = Vec::with_capacity(columns * 2);
    for (times, chunk) in timestamps.chunks(per_column).zip(values.chunks(per_column)) {
        let finite = || chunk.iter().enumerate().filter(|(_, v)| v.is_finite());
        let low = finite().min_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i);
        let high = finite().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i);
        let (Some(low), Some(high)) = (low, high) else {
            points.push((times[0], f64::NAN));
            continue;
        };
        let (first, second) = if low <= high { (low, high) } else { (high, low) };
        points.push((times[first], chunk[first]));
        points.push((times[second], chunk[second]));
    }
    points
}

/// The runs of `points` between non-finite values.
fn finite_runs(points: &[(i64, f64)]) -> impl Iterator<Item = &[(i64, f64)]> {
    points.split(|(_, v)| !v.is_finite()).filter(|run| !run.is_empty())
}

/// Draws `points` as a line broken where a value is not finite (a gap in the readings is a gap in
/// the graph, not a straight line across it), named `label` once in the legend.
pub(crate) fn draw_broken_line<'a, 'b: 'a>(
    chart: &mut DatedChart<'a, 'b>,
    points: &[(i64, f64)],
    style: ShapeStyle,
    label: &str,
) -> std::result::Result<(), String> {
    let mut first = true;
    for run in finite_runs(points) {
        let drawn = chart
            .draw_series(LineSeries::new(run.iter().copied(), style))
            .map_err(|e| e.to_string())?;
        if std::mem::take(&mut first) {
            let legend = ShapeStyle {
                stroke_width: 2,
                ..style
            };
            drawn
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], legend));
        }
    }
    Ok(())
}

/// The scanned series over its whole span, the band between the scan rule's levels (a prediction
/// at or beyond them is abnormal) and flagged points in red.
pub fn scan_overview(overview: &ScanOverview<'_>) -> Result<Image> {
    with_titles(
        "the anomaly-scan overview",
        1600,
        700,
        "Anomaly scan",
        overview.subtitle,
        |area| {
            let (low, high) = padded_range(
                overview
                    .values
                    .iter()
                    .copied()
                    .chain([overview.lower_level, overview.upper_level]),
            );
            let range = time_range(overview.timestamps);
            let stages: Vec<String> = flowcore::events::Severity::ALL
                .into_iter()
                .filter(|stage| overview.spans.iter().any(|(_, _, s)| s == stage))
                .map(|stage| format!("alarm: {}", stage.english()))
                .collect();
            let mut labels = vec!["L_level .. U_level", "Readings"];
            labels.extend(stages.iter().map(String::as_str));
            if overview.spans.is_empty() {
                labels.push("Flagged");
            }
            let points = overview.timestamps.iter().copied().zip(overview.values.iter().copied());
            let (corner, (low, high)) = range_with_legend(area, overview.timestamps, (low, high), points, &labels);
            let y_desc = axis_name("Readings", overview.unit);
            let mut chart = dated_chart(area, overview.timestamps, (low, high), &y_desc, 0)?;
            chart
                .draw_series([Rectangle::new(
                    [(range.start, overview.lower_level), (range.end, overview.upper_level)],
                    BAND_COLOUR.filled(),
                )])
                .map_err(|e| e.to_string())?
                .label("L_level .. U_level")
                .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 24, y + 6)], BAND_COLOUR.filled()));
            let line = envelope(overview.timestamps, overview.values, 1500);
            draw_broken_line(&mut chart, &line, ACTUAL_COLOUR.stroke_width(1), "Readings")?;
            for stage in flowcore::events::Severity::ALL {
                let colour = stage_colour(stage);
                let spans: Vec<Rectangle<(i64, f64)>> = overview
                    .spans
                    .iter()
                    .filter(|(_, _, s)| *s == stage)
                    // At least a pixel column wide, so a one-minute spike stays visible on a year.
                    .map(|&(start, end, _)| {
                        let least = (range.end - range.start) / 1500;
                        Rectangle::new(
                            [(start, low), (end.max(start + least), high)],
                            colour.mix(0.45).filled(),
                        )
                    })
                    .collect();
                if spans.is_empty() {
                    continue;
                }
                chart
                    .draw_series(spans)
                    .map_err(|e| e.to_string())?
                    .label(format!("alarm: {}", stage.english()))
                    .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 24, y + 6)], colour.mix(0.45).filled()));
            }
            if !overview.spans.is_empty() {
                return draw_legend(&mut chart, corner);
            }
            // Tens of thousands of marks would paint over the series; every flag still shows in the CSV.
            let step = overview.flagged.len().div_ceil(5000).max(1);
            chart
                .draw_series(
                    overview
                        .flagged
                        .iter()
                        .step_by(step)
                        .map(|(t, v)| Circle::new((*t, *v), 3, FLAG_COLOUR.filled())),
                )
                .map_err(|e| e.to_string())?
                .label("Flagged")
                .legend(|(x, y)| Circle::new((x + 12, y), 4, FLAG_COLOUR.filled()));
            draw_legend(&mut chart, corner)
        },
    )
}

/// TIFF bytes of an image, LZW-compressed.
pub fn encode_tiff(image: &Image) -> Result<Vec<u8>> {
    let fail = |e: tiff::TiffError| ReportError::Draw {
        what: "the TIFF file",
        message: e.to_string(),
    };
    let mut bytes = Cursor::new(Vec::new());
    let mut encoder = tiff::encoder::TiffEncoder::new(&mut bytes)
        .map_err(fail)?
        .with_compression(tiff::encoder::Compression::Lzw);
    encoder
        .write_image::<tiff::encoder::colortype::RGB8>(image.width, image.height, &image.rgb)
        .map_err(fail)?;
    Ok(bytes.into_inner())
}

/// PNG bytes of an image.
pub fn encode_png(image: &Image) -> Result<Vec<u8>> {
    let fail = |e: png::EncodingError| ReportError::Draw {
        what: "the PNG file",
        message: e.to_string(),
    };
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, image.width, image.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(fail)?;
        writer.write_image_data(&image.rgb).map_err(fail)?;
        writer.finish().map_err(fail)?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowcore::events::FlagRule;

    #[test]
    fn the_legend_takes_a_corner_free_of_data_or_room_above_it() {
        let x = 0..100;
        let share = (0.2, 0.2);
        // With PAD the box is 0.22 of the plot each way.
        let low_flow = [(5, 1.0), (50, 5.0), (95, 2.0)];
        assert_eq!(
            legend_corner(low_flow.into_iter(), &x, (0.0, 10.0), share),
            (Corner::UpperLeft, (0.0, 10.0))
        );
        // A burst at the start: the upper right is free.
        let burst = [(10, 9.0), (50, 5.0), (95, 2.0)];
        assert_eq!(
            legend_corner(burst.into_iter(), &x, (0.0, 10.0), share),
            (Corner::UpperRight, (0.0, 10.0))
        );
        // Data in every corner: the upper corner needing the least room, the top raised so its
        // highest point (9.0 on the right) ends where the box begins: 9.0 / (1 - 0.22).
        let full = [(5, 9.5), (95, 9.0), (5, 0.5), (95, 0.5)];
        let (corner, (low, high)) = legend_corner(full.into_iter(), &x, (0.0, 10.0), share);
        assert_eq!((corner, low), (Corner::UpperRight, 0.0));
        assert!((high - 9.0 / 0.78).abs() < 1e-9, "{high}");
        // Blank readings are no data.
        let blanks = [(10, f64::NAN), (50, 5.0)];
        assert_eq!(
            legend_corner(blanks.into_iter(), &x, (0.0, 10.0), share).0,
            Corner::UpperLeft
        );
    }

    fn count(image: &Image, colour: RGBColor) -> usize {
        image
            .rgb
            .chunks(3)
            .filter(|p| p == &[colour.0, colour.1, colour.2])
            .count()
    }

    #[test]
    fn a_date_label_near_the_right_end_is_left_out_not_cut() {
        // 1,000 pixels of plot for 1,000 days: a pixel a day.
        let range = 0..1000 * 86_400;
        assert!(date_label_fits(0, &range, 1000));
        // 30 days from the end: 30 + 16 pixels, the label's half width.
        assert!(date_label_fits(970 * 86_400, &range, 1000));
        assert!(!date_label_fits(971 * 86_400, &range, 1000));
        assert!(!date_label_fits(1000 * 86_400, &range, 1000));
    }

    #[test]
    fn a_dense_noisy_series_stays_inside_the_plot() {
        // 5,900 hours that swing every hour, as BWDF dma-1's test part: thick mitred joins once
        // shot spikes out of the plot, across the titles.
        let timestamps: Vec<i64> = (0..5900).map(|h| 1_650_000_000 + h * 3600).collect();
        let actual: Vec<f64> = (0..5900)
            .map(|h| if h % 2 == 0 { 2.0 } else { 17.0 + (h % 7) as f64 })
            .collect();
        let predicted: Vec<f64> = actual.iter().rev().copied().collect();
        let image = performance_graph(&PerformanceGraph {
            subtitle: "dense",
            timestamps: &timestamps,
            actual: &actual,
            predicted: &predicted,
            outliers: &[],
            sigma_k: 2.0,
            not_measured: &[],
        })
        .unwrap();
        assert!(count(&image, ACTUAL_COLOUR) > 2000, "actual curve missing");
        let in_rows = |rows: std::ops::Range<usize>, colour: RGBColor| {
            image.rgb[rows.start * 1400 * 3..rows.end * 1400 * 3]
                .chunks(3)
                .filter(|p| (p[0], p[1], p[2]) == (colour.0, colour.1, colour.2))
                .count()
        };
        // The title band (78 rows) and the chart's top margin, and below the x axis's labels.
        for colour in [ACTUAL_COLOUR, PREDICTED_COLOUR] {
            assert_eq!(in_rows(0..90, colour), 0);
            assert_eq!(in_rows(660..700, colour), 0);
        }
    }

    #[test]
    fn the_performance_graph_shows_both_curves_and_text() {
        let timestamps: Vec<i64> = (0..111).map(|d| 1_600_000_000 + d * 86_400).collect();
        let actual: Vec<f64> = (0..111).map(|d| 400.0 + 30.0 * (d as f64 / 5.0).sin()).collect();
        let predicted: Vec<f64> = actual.iter().map(|v| v * 0.98 + 5.0).collect();
        let outliers = [Flag {
            timestamp: timestamps[50],
            actual: actual[50],
            predicted: predicted[50],
            rule: FlagRule::Residual { k: 2.0 },
        }];
        let graph = |not_measured| {
            performance_graph(&PerformanceGraph {
                subtitle: "Epochs=100, Batch Size=32, RMSE=3.10",
                timestamps: &timestamps,
                actual: &actual,
                predicted: &predicted,
                outliers: &outliers,
                sigma_k: 2.0,
                not_measured,
            })
            .unwrap()
        };
        let image = graph(&[]);
        // A stuck week shaded: a grey band of about 7/111 of the plot's width (70 pixels), its
        // height (about 500); that grey is otherwise only in the grid's and text's edges.
        let shaded = graph(&[(timestamps[60], timestamps[67])]);
        let grey = |image: &Image| count(image, NOT_MEASURED_COLOUR);
        assert!(
            grey(&shaded) > grey(&image) + 60 * 400,
            "no shaded week: {}",
            grey(&shaded)
        );
        assert_eq!(
            (image.width, image.height, image.rgb.len()),
            (1400, 700, 1400 * 700 * 3)
        );
        assert!(count(&image, ACTUAL_COLOUR) > 2000, "actual curve missing");
        assert!(count(&image, PREDICTED_COLOUR) > 2000, "predicted curve missing");
        assert!(count(&image, FLAG_COLOUR) > 20, "outlier mark missing");
        // The title band holds dark glyph pixels: text rendered with the bundled font.
        let title_dark = image.rgb[..1400 * 78 * 3]
            .chunks(3)
            .filter(|p| p[0] < 80 && p[1] < 80 && p[2] < 80)
            .count();
        assert!(title_dark > 500, "no title text ({title_dark} dark pixels)");

        let tiff_bytes = encode_tiff(&image).unwrap();
        let mut decoder = tiff::decoder::Decoder::new(Cursor::new(&tiff_bytes)).unwrap();
        assert_eq!(decoder.dimensions().unwrap(), (1400, 700));
        let tiff::decoder::DecodingResult::U8(pixels) = decoder.read_image().unwrap() else {
            panic!("not 8-bit")
        };
        assert_eq!(pixels, image.rgb);
        assert!(
            tiff_bytes.len() < image.rgb.len() / 4,
            "LZW should compress a chart well"
        );
        let png_bytes = encode_png(&image).unwrap();
        assert_eq!(&png_bytes[1..4], b"PNG");
    }

    #[test]
    fn envelope_keeps_spikes() {
        let timestamps: Vec<i64> = (0..10_000).collect();
        let mut values = vec![1.0; 10_000];
        values[4321] = 99.0;
        values[777] = -5.0;
        let points = envelope(&timestamps, &values, 100);
        assert!(points.len() <= 200);
        assert!(points.contains(&(4321, 99.0)) && points.contains(&(777, -5.0)));
    }

    /// A month with no reading in a year's series: the envelope marks it with a break and the line
    /// is drawn in two runs, not one straight across it; a slice partly blank keeps its finite
    /// extremes.
    #[test]
    fn a_gap_in_the_readings_breaks_the_line() {
        let timestamps: Vec<i64> = (0..10_000).collect();
        let mut values: Vec<f64> = (0..10_000).map(|i| f64::from(i % 10)).collect();
        values[4_000..5_000].fill(f64::NAN);
        values[100..150].fill(f64::NAN);
        let points = envelope(&timestamps, &values, 100);
        assert_eq!(points.iter().filter(|(_, v)| v.is_nan()).count(), 10);
        let runs: Vec<&[(i64, f64)]> = finite_runs(&points).collect();
        assert_eq!(runs.len(), 2);
        assert!(runs[0].last().unwrap().0 < 4_000 && runs[1][0].0 >= 5_000);
        // Slice 1 (values 100..200) is half blank: still its 0 and 9.
        assert!(
            points.contains(&(150, 0.0)) && points.contains(&(199, 9.0)),
            "{:?}",
            &points[..4]
        );
    }

    #[test]
    fn the_other_graphs_draw() {
        let timestamps: Vec<i64> = (0..5000).map(|m| m * 60).collect();
        let values: Vec<f64> = (0..5000).map(|m| 300.0 + (m % 100) as f64).collect();
        let image = scan_overview(&ScanOverview {
            subtitle: "x",
            timestamps: &timestamps,
            values: &values,
            flagged: &[(60_000, 395.0)],
            spans: &[],
            lower_level: 310.0,
            upper_level: 390.0,
            unit: Some("L/s"),
        })
        .unwrap();
        assert!(count(&image, BAND_COLOUR) > 10_000);
        assert!(count(&image, FLAG_COLOUR) > 5);
        let residuals: Vec<f64> = (0..50).map(|m| f64::from(m % 10) - 5.0).chain([35.0]).collect();
        let image = residual_graph(&timestamps[..51], &residuals, 10.0, 2.0).unwrap();
        assert!(count(&image, ACTUAL_COLOUR) > 100);
        assert!(
            count(&image, FLAG_COLOUR) > 100,
            "the ±2σ lines and the one flagged residual"
        );
    }
}
