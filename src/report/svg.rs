//! `gradlang run --plot FILE.svg`: the loss curve of every minimize, one
//! polyline each, on shared axes with a legend, as a self-contained SVG.
//!
//! The y axis is logarithmic when the positive losses span two decades or
//! more (the usual case: a loss falling from 24 to 1e-12), linear otherwise
//! or when a value is negative (a maximized objective, a log-likelihood).
//! On a log axis a loss of exactly 0 (or below) has no place, so it is drawn
//! on the bottom edge and a note under the plot says so. Histories longer
//! than [`MAX_POINTS`] are thinned to the lowest and highest loss of each
//! stretch of steps, so spikes survive and a browser draws it instantly.

use std::fmt::Write;

use crate::eval::record::{MinimizeRecord, Record};
use crate::format::format_scalar;

/// The most points one polyline gets.
pub const MAX_POINTS: usize = 1000;
/// Series with at most this many points also get a dot per point, so a
/// 20-step Newton run is visible next to a 5000-step Adam run.
const MARKED: usize = 40;

const WIDTH: f64 = 800.0;
const HEIGHT: f64 = 480.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 60.0;
const PLOT_W: f64 = WIDTH - LEFT - RIGHT;
const PLOT_H: f64 = HEIGHT - TOP - BOTTOM;
/// Tableau's 10 colours, minus the grey and olive that fade on white.
const PALETTE: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];
const FONT: &str = r#"font-family="sans-serif" font-size="12""#;

/// The loss curve of every minimize as an SVG document.
pub fn svg(record: &Record) -> String {
    let series: Vec<Vec<(usize, f64)>> = record
        .minimizes
        .iter()
        .map(|m| downsample(&m.history))
        .collect();
    let mut out = String::new();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">"#
    );
    let _ = writeln!(
        out,
        r#"<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>"#
    );
    let any_max = record.minimizes.iter().any(|m| m.maximize);
    let title = if any_max {
        "Objective per step"
    } else {
        "Loss per step"
    };
    let _ = writeln!(
        out,
        r#"<text x="{}" y="24" text-anchor="middle" font-family="sans-serif" font-size="15">{title}</text>"#,
        LEFT + PLOT_W / 2.0
    );
    let values = series.iter().flatten().map(|&(_, v)| v);
    let Some(y) = YAxis::fit(values) else {
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle" {FONT}>no minimize ran</text>"#,
            WIDTH / 2.0,
            HEIGHT / 2.0
        );
        out.push_str("</svg>\n");
        return out;
    };
    let last_step = record
        .minimizes
        .iter()
        .map(|m| m.history.len().saturating_sub(1))
        .max()
        .unwrap_or(0)
        .max(1);
    let x = XAxis::fit(last_step);

    axes(&mut out, &x, &y, if any_max { "value" } else { "loss" });
    let _ = writeln!(
        out,
        r#"<clipPath id="plot"><rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}"/></clipPath>"#
    );
    let mut placed = Vec::new();
    for (i, points) in series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let coords: Vec<(f64, f64)> = points.iter().map(|&(s, v)| (x.px(s), y.px(v))).collect();
        let mut list = String::new();
        for (k, (px, py)) in coords.iter().enumerate() {
            let _ = write!(list, "{}{px:.1},{py:.1}", if k > 0 { " " } else { "" });
        }
        let _ = writeln!(
            out,
            r#"<polyline clip-path="url(#plot)" fill="none" stroke="{color}" stroke-width="1.8" stroke-linejoin="round" points="{list}"/>"#
        );
        if points.len() <= MARKED {
            for (px, py) in &coords {
                let _ = writeln!(
                    out,
                    r#"<circle cx="{px:.1}" cy="{py:.1}" r="2.5" fill="{color}"/>"#
                );
            }
        }
        placed.extend(coords);
    }
    legend(&mut out, &record.minimizes, &placed);
    if y.clamped {
        let _ = writeln!(
            out,
            r##"<text x="{LEFT}" y="{}" font-family="sans-serif" font-size="11" fill="#555">losses of 0 or below are drawn on the bottom edge of the log scale</text>"##,
            HEIGHT - 8.0
        );
    }
    out.push_str("</svg>\n");
    out
}

/// At most [`MAX_POINTS`] `(step, loss)` pairs: all of them when they fit,
/// else the first, the last, and the lowest and highest of each stretch in
/// between (in step order). Non-finite values are left out.
fn downsample(history: &[f64]) -> Vec<(usize, f64)> {
    let finite = |&(_, v): &(usize, f64)| v.is_finite();
    let n = history.len();
    if n <= MAX_POINTS {
        return history.iter().copied().enumerate().filter(finite).collect();
    }
    let buckets = (MAX_POINTS - 2) / 2;
    let inner = n - 2;
    let mut out = vec![(0, history[0])];
    for b in 0..buckets {
        let (start, end) = (1 + b * inner / buckets, 1 + (b + 1) * inner / buckets);
        let stretch = (start..end).map(|i| (i, history[i])).filter(finite);
        let lo = stretch.clone().min_by(|a, b| a.1.total_cmp(&b.1));
        let hi = stretch.max_by(|a, b| a.1.total_cmp(&b.1));
        if let (Some(lo), Some(hi)) = (lo, hi) {
            out.push(if lo.0 <= hi.0 { lo } else { hi });
            if lo.0 != hi.0 {
                out.push(if lo.0 <= hi.0 { hi } else { lo });
            }
        }
    }
    out.push((n - 1, history[n - 1]));
    out.retain(finite);
    out
}

/// Steps, linear from 0.
struct XAxis {
    max: f64,
    ticks: Vec<f64>,
}

impl XAxis {
    fn fit(last_step: usize) -> XAxis {
        let step = nice_step(last_step as f64 / 6.0).max(1.0);
        let max = (last_step as f64 / step).ceil() * step;
        let ticks = (0..=(max / step).round() as usize)
            .map(|i| i as f64 * step)
            .collect();
        XAxis { max, ticks }
    }

    fn px(&self, step: usize) -> f64 {
        LEFT + step as f64 / self.max * PLOT_W
    }
}

/// The loss axis: its range (in log10 units when `log`) and ticks.
struct YAxis {
    log: bool,
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    /// Some value was <= 0 on a log axis and is drawn at the bottom.
    clamped: bool,
}

impl YAxis {
    /// None when there is nothing to draw.
    fn fit(values: impl Iterator<Item = f64> + Clone) -> Option<YAxis> {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut min_pos = f64::INFINITY;
        for v in values.clone() {
            lo = lo.min(v);
            hi = hi.max(v);
            if v > 0.0 {
                min_pos = min_pos.min(v);
            }
        }
        if lo > hi {
            return None;
        }
        if lo >= 0.0 && hi > 0.0 && hi / min_pos >= 100.0 {
            let dlo = min_pos.log10().floor();
            let mut dhi = hi.log10().ceil();
            if dhi <= dlo {
                dhi = dlo + 1.0;
            }
            // A tick every `k` decades keeps the labels to about 8; the top
            // moves up to the next tick so both ends are labelled.
            let k = ((dhi - dlo) / 8.0).ceil().max(1.0);
            dhi = dlo + ((dhi - dlo) / k).ceil() * k;
            let ticks = (0..)
                .map(|i| dlo + i as f64 * k)
                .take_while(|&d| d <= dhi)
                .collect();
            return Some(YAxis {
                log: true,
                lo: dlo,
                hi: dhi,
                ticks,
                clamped: lo <= 0.0,
            });
        }
        if hi - lo < 1e-12 * hi.abs().max(1e-300) {
            let pad = if hi == 0.0 { 1.0 } else { hi.abs() * 0.1 };
            (lo, hi) = (lo - pad, hi + pad);
        }
        let step = nice_step((hi - lo) / 6.0);
        let (lo, hi) = ((lo / step).floor() * step, (hi / step).ceil() * step);
        let ticks = (0..=((hi - lo) / step).round() as usize)
            .map(|i| lo + i as f64 * step)
            .collect();
        Some(YAxis {
            log: false,
            lo,
            hi,
            ticks,
            clamped: false,
        })
    }

    /// The pixel row of a value (clamped to the bottom edge on a log axis).
    fn px(&self, v: f64) -> f64 {
        let u = if self.log {
            if v > 0.0 {
                v.log10().max(self.lo)
            } else {
                self.lo
            }
        } else {
            v
        };
        TOP + PLOT_H - (u - self.lo) / (self.hi - self.lo) * PLOT_H
    }

    /// The label of tick `t` (a decade exponent on a log axis).
    fn label(&self, t: f64) -> String {
        if self.log {
            return match t as i32 {
                e @ -3..=3 => format_plain(10f64.powi(e), (-e).max(0) as usize),
                e => format!("1e{e}"),
            };
        }
        let step = self.ticks.get(1).map_or(1.0, |t1| t1 - self.ticks[0]);
        let big = self.hi.abs().max(self.lo.abs());
        if big >= 1e6 || step < 1e-4 {
            format_sci(t)
        } else {
            format_plain(t, (-step.log10().floor()).max(0.0) as usize)
        }
    }
}

/// Frame, grid lines, ticks with labels and the axis titles.
fn axes(out: &mut String, x: &XAxis, y: &YAxis, what: &str) {
    let (bottom, right) = (TOP + PLOT_H, LEFT + PLOT_W);
    for &t in &y.ticks {
        let py = y.px(if y.log { 10f64.powf(t) } else { t });
        let _ = writeln!(
            out,
            r##"<line x1="{LEFT}" y1="{py:.1}" x2="{right}" y2="{py:.1}" stroke="#e6e6e6"/><line x1="{}" y1="{py:.1}" x2="{LEFT}" y2="{py:.1}" stroke="#333"/><text x="{}" y="{:.1}" text-anchor="end" {FONT}>{}</text>"##,
            LEFT - 5.0,
            LEFT - 8.0,
            py + 4.0,
            y.label(t)
        );
    }
    for &t in &x.ticks {
        let px = x.px(t as usize);
        let _ = writeln!(
            out,
            r##"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{bottom}" stroke="#e6e6e6"/><line x1="{px:.1}" y1="{bottom}" x2="{px:.1}" y2="{}" stroke="#333"/><text x="{px:.1}" y="{}" text-anchor="middle" {FONT}>{}</text>"##,
            bottom + 5.0,
            bottom + 19.0,
            format_plain(t, 0)
        );
    }
    let _ = writeln!(
        out,
        r##"<rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="none" stroke="#333"/>"##
    );
    let _ = writeln!(
        out,
        r#"<text x="{}" y="{}" text-anchor="middle" {FONT}>step</text>"#,
        LEFT + PLOT_W / 2.0,
        bottom + 38.0
    );
    let scale = if y.log { " (log scale)" } else { "" };
    let (cx, cy) = (18.0, TOP + PLOT_H / 2.0);
    let _ = writeln!(
        out,
        r#"<text x="{cx}" y="{cy}" text-anchor="middle" transform="rotate(-90 {cx} {cy})" {FONT}>{what}{scale}</text>"#
    );
}

/// One line per run, in the plot corner that covers the fewest points.
fn legend(out: &mut String, runs: &[MinimizeRecord], points: &[(f64, f64)]) {
    let lines: Vec<String> = runs.iter().enumerate().map(legend_line).collect();
    let chars = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let (w, h) = (chars as f64 * 6.6 + 40.0, lines.len() as f64 * 18.0 + 10.0);
    let (w, h) = (w.min(PLOT_W - 20.0), h.min(PLOT_H - 20.0));
    let corners = [
        (LEFT + PLOT_W - w - 10.0, TOP + 10.0),
        (LEFT + PLOT_W - w - 10.0, TOP + PLOT_H - h - 10.0),
        (LEFT + 10.0, TOP + PLOT_H - h - 10.0),
        (LEFT + 10.0, TOP + 10.0),
    ];
    let covered = |&(x0, y0): &(f64, f64)| {
        points
            .iter()
            .filter(|(px, py)| (x0..=x0 + w).contains(px) && (y0..=y0 + h).contains(py))
            .count()
    };
    let (x0, y0) = corners
        .iter()
        .copied()
        .min_by_key(covered)
        .unwrap_or(corners[0]);
    let _ = writeln!(
        out,
        r##"<rect x="{x0:.1}" y="{y0:.1}" width="{w:.1}" height="{h:.1}" fill="white" fill-opacity="0.9" stroke="#bbb"/>"##
    );
    for (i, line) in lines.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let ly = y0 + 18.0 + i as f64 * 18.0;
        let _ = writeln!(
            out,
            r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{color}" stroke-width="3"/><text x="{:.1}" y="{:.1}" {FONT}>{}</text>"#,
            x0 + 8.0,
            ly - 4.0,
            x0 + 28.0,
            ly - 4.0,
            x0 + 34.0,
            ly,
            escape(line)
        );
    }
}

/// `2. newton, maximize fit: 22 steps, 24.2000 -> 0.` (or `minimize loss`).
fn legend_line((i, m): (usize, &MinimizeRecord)) -> String {
    let verb = if m.maximize { "maximize" } else { "minimize" };
    let unit = if m.steps == 1 { "step" } else { "steps" };
    format!(
        "{}. {}, {verb} {}: {} {unit}, {} -> {}",
        i + 1,
        m.optimizer,
        m.loss,
        m.steps,
        format_scalar(m.initial_loss, 4),
        format_scalar(m.final_loss, 4)
    )
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|&s| s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * p)
}

fn format_plain(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    // `-0` from a tick computed as -1e-17.
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

/// `1.5e-5`, `2e6`: two significant decimals at most, no trailing zeros.
fn format_sci(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let s = format!("{v:.2e}");
    match s.split_once('e') {
        Some((m, e)) => {
            let m = m.trim_end_matches('0').trim_end_matches('.');
            format!("{m}e{e}")
        }
        None => s,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_histories_are_kept_whole() {
        let h: Vec<f64> = (0..10).map(|i| i as f64).collect();
        assert_eq!(downsample(&h).len(), 10);
    }

    #[test]
    fn long_histories_keep_ends_and_extremes() {
        let mut h: Vec<f64> = (0..100_000).map(|i| 1.0 / (1.0 + i as f64)).collect();
        h[54_321] = 50.0;
        let d = downsample(&h);
        assert!(d.len() <= MAX_POINTS, "{}", d.len());
        assert!(d.len() > MAX_POINTS - 10);
        assert_eq!(d[0], (0, 1.0));
        assert_eq!(d.last().map(|p| p.0), Some(99_999));
        assert!(d.contains(&(54_321, 50.0)), "the spike survives");
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0), "in step order");
    }

    #[test]
    fn log_scale_only_when_decades_are_spanned() {
        let log = YAxis::fit([24.2, 1e-12].into_iter()).unwrap();
        assert!(log.log && !log.clamped);
        assert_eq!((log.lo, log.hi), (-12.0, 2.0));
        let lin = YAxis::fit([3.0, 1.0].into_iter()).unwrap();
        assert!(!lin.log);
        let neg = YAxis::fit([-8.0, -1e-9].into_iter()).unwrap();
        assert!(!neg.log);
        let zero = YAxis::fit([24.2, 1e-3, 0.0].into_iter()).unwrap();
        assert!(zero.log && zero.clamped);
        assert_eq!(zero.px(0.0), TOP + PLOT_H);
        assert!(YAxis::fit(std::iter::empty()).is_none());
    }

    #[test]
    fn flat_series_get_a_range() {
        let y = YAxis::fit([2.0, 2.0].into_iter()).unwrap();
        assert!(y.lo < 2.0 && y.hi > 2.0);
        let z = YAxis::fit([0.0].into_iter()).unwrap();
        assert!(z.lo < 0.0 && z.hi > 0.0);
    }

    #[test]
    fn tick_labels() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(130.0), 200.0);
        assert_eq!(format_sci(1.5e-5), "1.5e-5");
        assert_eq!(format_sci(2e6), "2e6");
        assert_eq!(format_plain(-1e-17, 2), "0.00");
        let log = YAxis::fit([1e5, 1e-5].into_iter()).unwrap();
        let labels: Vec<String> = log.ticks.iter().map(|&t| log.label(t)).collect();
        assert_eq!(
            labels,
            ["1e-5", "1e-4", "0.001", "0.01", "0.1", "1", "10", "100", "1000", "1e4", "1e5"]
                .iter()
                .step_by(2)
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        );
    }
}
