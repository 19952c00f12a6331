//! One type for every chart kind: render, title, alt text and cache key.

use sha2::{Digest, Sha256};

use crate::axis::{YUnit, format_date_short, format_value};
use crate::bar::{self, BarChart, BarMode, CategoryKind};
use crate::boxplot::{self, BoxChart};
use crate::canvas::ChartSize;
use crate::donut::{self, DonutChart};
use crate::frame::one_line;
use crate::line::{self, LineChart};
use crate::scatter::{self, ScatterChart};
use crate::{ChartError, render_bar, render_box, render_donut, render_line, render_scatter};

/// Bumped whenever drawing changes, so cached PNGs keyed by
/// [`Chart::cache_key`] are re-rendered rather than served stale.
pub const RENDER_VERSION: u32 = 1;

/// Longest alt text we produce, in characters (Slack allows 2,000).
pub const MAX_ALT_TEXT: usize = 1_000;

/// Any chart this crate draws.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Series over time, optionally with p25–p75 bands.
    Line(LineChart),
    /// Grouped or stacked bars over categories.
    Bar(BarChart),
    /// Point clouds on two value axes.
    Scatter(ScatterChart),
    /// Shares of a whole.
    Donut(DonutChart),
    /// Distributions per group.
    Box(BoxChart),
}

/// Renders any chart to PNG bytes; see the `render_*` function of each kind.
///
/// # Errors
/// As the kind's own render function: [`ChartError::InvalidSize`] for an
/// unsupported size, other variants only on internal failures.
pub fn render(chart: &Chart) -> Result<Vec<u8>, ChartError> {
    match chart {
        Chart::Line(c) => render_line(c),
        Chart::Bar(c) => render_bar(c),
        Chart::Scatter(c) => render_scatter(c),
        Chart::Donut(c) => render_donut(c),
        Chart::Box(c) => render_box(c),
    }
}

impl Chart {
    /// Renders to PNG bytes; the same as [`render`].
    ///
    /// # Errors
    /// As [`render`].
    pub fn render(&self) -> Result<Vec<u8>, ChartError> {
        render(self)
    }

    /// The title as given.
    #[must_use]
    pub fn title(&self) -> &str {
        match self {
            Self::Line(c) => &c.title,
            Self::Bar(c) => &c.title,
            Self::Scatter(c) => &c.title,
            Self::Donut(c) => &c.title,
            Self::Box(c) => &c.title,
        }
    }

    /// The logical size.
    #[must_use]
    pub fn size(&self) -> ChartSize {
        match self {
            Self::Line(c) => c.size,
            Self::Bar(c) => c.size,
            Self::Scatter(c) => c.size,
            Self::Donut(c) => c.size,
            Self::Box(c) => c.size,
        }
    }

    /// The chart's data in words, for screen readers and Slack's
    /// `alt_text`, e.g. "Bar chart of merged PRs per week over 12 weeks, from
    /// 31 to 44 (peak 52 in the week of Mar 3)". Charts that render the
    /// "Not enough data" image say "`<title>`: not enough data yet". At most
    /// [`MAX_ALT_TEXT`] characters.
    #[must_use]
    pub fn alt_text(&self) -> String {
        let text = match self {
            Self::Line(c) => line_alt(c),
            Self::Bar(c) => bar_alt(c),
            Self::Scatter(c) => scatter_alt(c),
            Self::Donut(c) => donut_alt(c),
            Self::Box(c) => box_alt(c),
        };
        let text = text.unwrap_or_else(|| match one_line(self.title()) {
            t if t.is_empty() => format!("{} chart: not enough data yet", self.kind()),
            t => format!("{t}: not enough data yet"),
        });
        limit(text, MAX_ALT_TEXT)
    }

    /// A stable hex digest (SHA-256) of the spec and [`RENDER_VERSION`]:
    /// equal specs give equal keys on every run and machine, so a PNG can
    /// be cached under it.
    #[must_use]
    pub fn cache_key(&self) -> String {
        let mut k = Key::new();
        match self {
            Self::Line(c) => {
                k.tag(1)
                    .str(&c.title)
                    .unit(c.y_unit)
                    .str(&c.y_label)
                    .size(c.size);
                k.len(c.series.len());
                for s in &c.series {
                    k.str(&s.name).len(s.points.len());
                    for &(x, y) in &s.points {
                        k.i64(x).f64(y);
                    }
                    k.len(s.band.len());
                    for &(x, a, b) in &s.band {
                        k.i64(x).f64(a).f64(b);
                    }
                }
            }
            Self::Bar(c) => {
                k.tag(2).str(&c.title).len(c.categories.len());
                for cat in &c.categories {
                    k.str(cat);
                }
                let kind = match c.category_kind {
                    CategoryKind::Labels => 0,
                    CategoryKind::Weeks => 1,
                    CategoryKind::Days => 2,
                };
                let mode = match c.mode {
                    BarMode::Grouped => 0,
                    BarMode::Stacked => 1,
                };
                k.tag(kind)
                    .tag(mode)
                    .unit(c.y_unit)
                    .str(&c.y_label)
                    .size(c.size);
                k.len(c.series.len());
                for s in &c.series {
                    k.str(&s.name).len(s.values.len());
                    for &v in &s.values {
                        k.f64(v);
                    }
                }
            }
            Self::Scatter(c) => {
                k.tag(3).str(&c.title).str(&c.x_label).str(&c.y_label);
                k.unit(c.x_unit).unit(c.y_unit);
                k.tag(u8::from(c.log_x)).tag(u8::from(c.log_y)).size(c.size);
                k.len(c.series.len());
                for s in &c.series {
                    k.str(&s.name).len(s.points.len());
                    for &(x, y) in &s.points {
                        k.f64(x).f64(y);
                    }
                }
            }
            Self::Donut(c) => {
                k.tag(4).str(&c.title).size(c.size);
                match &c.centre_label {
                    None => k.tag(0),
                    Some(l) => k.tag(1).str(l),
                };
                k.len(c.slices.len());
                for s in &c.slices {
                    k.str(&s.label).f64(s.value);
                }
            }
            Self::Box(c) => {
                k.tag(5)
                    .str(&c.title)
                    .unit(c.y_unit)
                    .str(&c.y_label)
                    .size(c.size);
                k.len(c.groups.len());
                for g in &c.groups {
                    k.str(&g.name).len(g.values.len());
                    for &v in &g.values {
                        k.f64(v);
                    }
                }
            }
        }
        k.finish()
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::Line(_) => "Line",
            Self::Bar(_) => "Bar",
            Self::Scatter(_) => "Scatter",
            Self::Donut(_) => "Donut",
            Self::Box(_) => "Box",
        }
    }
}

impl From<LineChart> for Chart {
    fn from(c: LineChart) -> Self {
        Self::Line(c)
    }
}

impl From<BarChart> for Chart {
    fn from(c: BarChart) -> Self {
        Self::Bar(c)
    }
}

impl From<ScatterChart> for Chart {
    fn from(c: ScatterChart) -> Self {
        Self::Scatter(c)
    }
}

impl From<DonutChart> for Chart {
    fn from(c: DonutChart) -> Self {
        Self::Donut(c)
    }
}

impl From<BoxChart> for Chart {
    fn from(c: BoxChart) -> Self {
        Self::Box(c)
    }
}

/// A canonical byte encoding of a spec, fed straight into SHA-256: every
/// field in declaration order, integers little-endian, strings and lists
/// length-prefixed (so `["ab"]` and `["a", "b"]` differ), one bit pattern
/// for every NaN.
struct Key(Sha256);

impl Key {
    fn new() -> Self {
        let mut k = Self(Sha256::new());
        k.0.update(b"aimpact-charts\0");
        k.0.update(RENDER_VERSION.to_le_bytes());
        k
    }

    fn tag(&mut self, t: u8) -> &mut Self {
        self.0.update([t]);
        self
    }

    fn len(&mut self, n: usize) -> &mut Self {
        self.0.update((n as u64).to_le_bytes());
        self
    }

    fn i64(&mut self, v: i64) -> &mut Self {
        self.0.update(v.to_le_bytes());
        self
    }

    fn f64(&mut self, v: f64) -> &mut Self {
        let bits = if v.is_nan() {
            f64::NAN.to_bits()
        } else {
            v.to_bits()
        };
        self.0.update(bits.to_le_bytes());
        self
    }

    fn str(&mut self, s: &str) -> &mut Self {
        self.len(s.len());
        self.0.update(s.as_bytes());
        self
    }

    fn unit(&mut self, u: YUnit) -> &mut Self {
        self.tag(match u {
            YUnit::Count => 0,
            YUnit::Duration => 1,
        })
    }

    fn size(&mut self, s: ChartSize) -> &mut Self {
        self.0.update(s.width.to_le_bytes());
        self.0.update(s.height.to_le_bytes());
        self
    }

    fn finish(self) -> String {
        self.0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// At most this many series or groups are described one by one.
const MAX_DESCRIBED: usize = 6;
/// Names in alt text are cut to this many characters.
const MAX_NAME: usize = 60;

/// Cuts `s` to `max` characters, ending with `…` if anything was dropped.
fn limit(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn name(s: &str) -> String {
    limit(one_line(s), MAX_NAME)
}

/// The name as alt text shows it, or "series 3" for an unnamed third series.
fn label_or(given: Option<&str>, what: &str, index: usize) -> String {
    match given.map(name) {
        Some(n) if !n.is_empty() => n,
        _ => format!("{what} {}", index + 1),
    }
}

/// "Bar chart" or "Bar chart of merged PRs per week".
fn subject(kind: &str, title: &str) -> String {
    let title = one_line(title);
    if title.is_empty() {
        return format!("{kind} chart");
    }
    format!("{kind} chart of {}", lower_first(&title))
}

/// "Merged PRs" → "merged PRs", but "PR size" and "AI use" keep their
/// capitals: a leading acronym stays as written.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    let (Some(first), second) = (chars.next(), chars.next()) else {
        return s.to_owned();
    };
    if first.is_uppercase() && !second.is_some_and(char::is_uppercase) {
        first.to_lowercase().chain(s.chars().skip(1)).collect()
    } else {
        s.to_owned()
    }
}

/// "a; b; c" for the first few items, "and N more" for the rest.
fn join_described(items: impl ExactSizeIterator<Item = String>) -> String {
    let total = items.len();
    let mut parts: Vec<String> = items.take(MAX_DESCRIBED).collect();
    if total > MAX_DESCRIBED {
        parts.push(format!("and {} more", total - MAX_DESCRIBED));
    }
    parts.join("; ")
}

/// "A and B", "A, B and C".
fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn line_alt(c: &LineChart) -> Option<String> {
    let data = line::Cleaned::from_spec(c)?;
    let unit = c.y_unit;
    let v = |y: f64| format_value(y, unit);
    let (d0, d1) = (format_date_short(data.x.0), format_date_short(data.x.1));
    let when = if d0 == d1 {
        format!("on {d0}")
    } else {
        format!("between {d0} and {d1}")
    };
    let describe = |points: &[(i64, f64)]| -> Option<String> {
        let (first, last) = (points.first()?, points.last()?);
        if points.len() == 1 {
            return Some(format!("{} on {}", v(first.1), format_date_short(first.0)));
        }
        let (lo, hi) = points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                (lo.min(p.1), hi.max(p.1))
            });
        Some(format!(
            "from {} to {} (low {}, high {})",
            v(first.1),
            v(last.1),
            v(lo),
            v(hi)
        ))
    };
    let subject = subject("Line", &c.title);
    let with_points: Vec<(usize, &Vec<(i64, f64)>)> = data
        .series
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.points.is_empty())
        .map(|(i, s)| (i, &s.points))
        .collect();
    if let ([(_, points)], 1) = (with_points.as_slice(), c.series.len()) {
        let text = describe(points)?;
        return Some(if points.len() == 1 {
            format!("{subject}: {text}")
        } else {
            format!("{subject}, {text} {when}")
        });
    }
    let parts = data.series.iter().enumerate().map(|(i, s)| {
        let series = label_or(c.series.get(i).map(|s| s.name.as_str()), "series", i);
        let text = describe(&s.points).unwrap_or_else(|| "no data".to_owned());
        format!("{series} {text}")
    });
    Some(format!("{subject} {when}: {}", join_described(parts)))
}

fn bar_alt(c: &BarChart) -> Option<String> {
    let data = bar::Cleaned::from_spec(c)?;
    let n = data.n;
    let unit = c.y_unit;
    let v = |y: f64| format_value(y, unit);
    let plural = |one: &str, many: &str| {
        if n == 1 {
            one.to_owned()
        } else {
            many.to_owned()
        }
    };
    let span = match c.category_kind {
        CategoryKind::Weeks => format!(" over {n} {}", plural("week", "weeks")),
        CategoryKind::Days => format!(" over {n} {}", plural("day", "days")),
        CategoryKind::Labels => format!(" across {n} {}", plural("category", "categories")),
    };
    let at = |i: usize| {
        let label = c.categories.get(i).map(|l| name(l)).unwrap_or_default();
        match (c.category_kind, label.is_empty()) {
            (_, true) => format!("at bar {}", i + 1),
            (CategoryKind::Weeks, false) => format!("in the week of {label}"),
            (CategoryKind::Days, false) => format!("on {label}"),
            (CategoryKind::Labels, false) => format!("at {label}"),
        }
    };
    let describe = |values: &[Option<f64>]| -> Option<String> {
        let present: Vec<(usize, f64)> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
            .collect();
        let (first, last) = (present.first()?, present.last()?);
        if present.len() == 1 {
            return Some(format!("{} {}", v(first.1), at(first.0)));
        }
        let peak = present
            .iter()
            .fold(*first, |best, p| if p.1 > best.1 { *p } else { best });
        Some(format!(
            "from {} to {} (peak {} {})",
            v(first.1),
            v(last.1),
            v(peak.1),
            at(peak.0)
        ))
    };
    let subject = subject("Bar", &c.title);
    let names: Vec<String> = c
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| label_or(Some(&s.name), "series", i))
        .collect();
    if c.series.len() == 1 || c.mode == BarMode::Stacked {
        let totals = if c.series.len() == 1 {
            data.values.first().cloned().unwrap_or_default()
        } else {
            data.totals()
        };
        let text = describe(&totals)?;
        let sep = if totals.iter().flatten().count() == 1 {
            ":"
        } else {
            ","
        };
        if c.series.len() == 1 {
            return Some(format!("{subject}{span}{sep} {text}"));
        }
        let mut out = format!(
            "{subject}{span}, stacked {}: total {text}",
            and_list(&names)
        );
        // Each series' share of the whole, when shares make sense.
        let sums: Vec<f64> = data
            .values
            .iter()
            .map(|s| s.iter().flatten().sum())
            .collect();
        if data.values.iter().flatten().flatten().all(|v| *v >= 0.0)
            && sums.iter().sum::<f64>() > 0.0
        {
            let percents = donut::whole_percents(&sums);
            let shares: Vec<String> = names
                .iter()
                .zip(percents)
                .map(|(n, p)| format!("{n} {p}%"))
                .collect();
            out.push_str(&format!("; {} of the total", shares.join(", ")));
        }
        return Some(out);
    }
    let parts = data.values.iter().zip(&names).map(|(values, series)| {
        let text = describe(values).unwrap_or_else(|| "no data".to_owned());
        format!("{series} {text}")
    });
    Some(format!("{subject}{span}: {}", join_described(parts)))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn scatter_alt(c: &ScatterChart) -> Option<String> {
    let data = scatter::Cleaned::from_spec(c)?;
    let total: usize = data.series.iter().map(Vec::len).sum();
    let x_name = match lower_first(&one_line(&c.x_label)) {
        l if l.is_empty() => "x".to_owned(),
        l => limit(l, MAX_NAME),
    };
    let y_name = match lower_first(&one_line(&c.y_label)) {
        l if l.is_empty() => "y".to_owned(),
        l => limit(l, MAX_NAME),
    };
    let describe = |points: &[(f64, f64)]| {
        let mx = median(points.iter().map(|p| p.0).collect());
        let my = median(points.iter().map(|p| p.1).collect());
        format!(
            "median {x_name} {}, median {y_name} {}",
            format_value(mx, c.x_unit),
            format_value(my, c.y_unit)
        )
    };
    let subject = subject("Scatter", &c.title);
    let points = |n: usize| {
        if n == 1 {
            "1 point".to_owned()
        } else {
            format!("{n} points")
        }
    };
    if c.series.len() == 1 {
        let only = data.series.first()?;
        return Some(format!("{subject}, {} ({})", points(total), describe(only)));
    }
    let parts = data.series.iter().enumerate().map(|(i, s)| {
        let series = label_or(c.series.get(i).map(|s| s.name.as_str()), "series", i);
        if s.is_empty() {
            format!("{series} no points")
        } else {
            format!("{series} {} ({})", points(s.len()), describe(s))
        }
    });
    Some(format!(
        "{subject}, {}: {}",
        points(total),
        join_described(parts)
    ))
}

fn donut_alt(c: &DonutChart) -> Option<String> {
    let list = donut::shares(c, usize::MAX);
    if list.is_empty() {
        return None;
    }
    let parts: Vec<String> = list
        .iter()
        .map(|s| format!("{} {}", limit(s.label.clone(), MAX_NAME), s.percent))
        .collect();
    let mut out = format!("{}: {}", subject("Donut", &c.title), parts.join(", "));
    if let Some(centre) = c
        .centre_label
        .as_deref()
        .map(one_line)
        .filter(|l| !l.is_empty())
    {
        out.push_str(&format!(" ({})", limit(centre, MAX_NAME)));
    }
    Some(out)
}

fn box_alt(c: &BoxChart) -> Option<String> {
    let stats = boxplot::group_stats(c);
    if stats.iter().all(|s| s.quantiles.is_none()) {
        return None;
    }
    let v = |y: f64| format_value(y, c.y_unit);
    let parts = stats.iter().enumerate().map(|(i, s)| {
        let group = label_or(c.groups.get(i).map(|g| g.name.as_str()), "group", i);
        match s.quantiles {
            Some(q) => format!(
                "{group} median {} (p25–p75 {}–{}, n = {})",
                v(q.median),
                v(q.p25),
                v(q.p75),
                s.n
            ),
            None => format!("{group} not enough data (n = {})", s.n),
        }
    });
    Some(format!(
        "{}: {}",
        subject("Box", &c.title),
        join_described(parts)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_lose_a_leading_capital_but_not_an_acronym() {
        assert_eq!(lower_first("Merged PRs"), "merged PRs");
        assert_eq!(lower_first("PR size"), "PR size");
        assert_eq!(lower_first("AI use"), "AI use");
        assert_eq!(lower_first("A"), "a");
        assert_eq!(lower_first(""), "");
    }

    #[test]
    fn limit_counts_characters_not_bytes() {
        assert_eq!(limit("ééé".to_owned(), 3), "ééé");
        assert_eq!(limit("éééé".to_owned(), 3), "éé…");
    }
}
