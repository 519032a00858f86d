//! The map's background and labels: country outlines from Natural Earth (bundled, see
//! `assets/README.md`), clipped to the map, and a greedy placement of labels that never overlap.

use std::fmt::Write as _;
use std::sync::OnceLock;

/// The bundled outlines (Natural Earth 1:110m via world-atlas 2.0.2; format in assets/README.md).
const COUNTRIES_110M: &str = include_str!("../assets/countries-110m.txt");

/// A country's outline in degrees.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Country {
    /// ISO 3166-1 numeric code (`-` where Natural Earth gives none).
    pub code: String,
    /// Name as in world-atlas.
    pub name: String,
    /// Closed rings of `(lon, lat)`, outer rings and holes alike (drawn with even-odd fill).
    pub rings: Vec<Vec<(f64, f64)>>,
    /// `(lon0, lat0, lon1, lat1)`.
    pub bbox: (f64, f64, f64, f64),
}

/// Reads the outline format of `assets/README.md`; an error names the line.
pub(crate) fn parse_countries(text: &str) -> Result<Vec<Country>, String> {
    let mut countries: Vec<Country> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("C ") {
            let (code, name) = rest
                .split_once(' ')
                .ok_or_else(|| format!("line {line_no}: expected `C <code> <name>`"))?;
            countries.push(Country {
                code: code.to_owned(),
                name: name.to_owned(),
                rings: Vec::new(),
                bbox: (
                    f64::INFINITY,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    f64::NEG_INFINITY,
                ),
            });
        } else if let Some(rest) = line.strip_prefix("R ") {
            let country = countries
                .last_mut()
                .ok_or_else(|| format!("line {line_no}: a ring before any country"))?;
            let values = rest
                .split(' ')
                .map(|v| v.parse::<i64>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("line {line_no}: expected integers: {e}"))?;
            if values.len() < 8 || values.len() % 2 != 0 {
                return Err(format!(
                    "line {line_no}: expected at least 4 coordinate pairs, found {} numbers",
                    values.len()
                ));
            }
            let (mut x, mut y) = (0_i64, 0_i64);
            let mut ring = Vec::with_capacity(values.len() / 2);
            for pair in values.chunks_exact(2) {
                x += pair[0];
                y += pair[1];
                let (lon, lat) = (x as f64 / 100.0, y as f64 / 100.0);
                let b = &mut country.bbox;
                *b = (b.0.min(lon), b.1.min(lat), b.2.max(lon), b.3.max(lat));
                ring.push((lon, lat));
            }
            if ring.first() != ring.last() {
                return Err(format!("line {line_no}: the ring is not closed"));
            }
            country.rings.push(ring);
        } else {
            return Err(format!(
                "line {line_no}: expected a line starting with C, R or #"
            ));
        }
    }
    Ok(countries)
}

/// The bundled countries, read once (a test checks that the asset reads without error).
pub(crate) fn world() -> &'static [Country] {
    static WORLD: OnceLock<Vec<Country>> = OnceLock::new();
    WORLD.get_or_init(|| parse_countries(COUNTRIES_110M).unwrap_or_default())
}

/// An axis-aligned box in map pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    /// Whether the two boxes share interior area (touching edges do not count).
    pub(crate) fn overlaps(&self, other: &Rect) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    /// Whether `other` lies entirely inside.
    pub(crate) fn contains(&self, other: &Rect) -> bool {
        other.x0 >= self.x0 && other.x1 <= self.x1 && other.y0 >= self.y0 && other.y1 <= self.y1
    }

    fn grown(&self, by: f64) -> Rect {
        Rect {
            x0: self.x0 - by,
            y0: self.y0 - by,
            x1: self.x1 + by,
            y1: self.y1 + by,
        }
    }
}

/// Sutherland–Hodgman: the part of a closed polygon inside `rect` (empty when none is).
pub(crate) fn clip_ring(ring: &[(f64, f64)], rect: &Rect) -> Vec<(f64, f64)> {
    type Inside = fn(&Rect, (f64, f64)) -> bool;
    type Cut = fn(&Rect, (f64, f64), (f64, f64)) -> (f64, f64);
    let edges: [(Inside, Cut); 4] = [
        (|r, p| p.0 >= r.x0, |r, a, b| cut_x(r.x0, a, b)),
        (|r, p| p.0 <= r.x1, |r, a, b| cut_x(r.x1, a, b)),
        (|r, p| p.1 >= r.y0, |r, a, b| cut_y(r.y0, a, b)),
        (|r, p| p.1 <= r.y1, |r, a, b| cut_y(r.y1, a, b)),
    ];
    let mut points: Vec<(f64, f64)> = ring.to_vec();
    if points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    for (inside, cut) in edges {
        if points.is_empty() {
            break;
        }
        let mut out = Vec::with_capacity(points.len() + 4);
        let mut previous = points[points.len() - 1];
        for &current in &points {
            match (inside(rect, previous), inside(rect, current)) {
                (true, true) => out.push(current),
                (true, false) => out.push(cut(rect, previous, current)),
                (false, true) => {
                    out.push(cut(rect, previous, current));
                    out.push(current);
                }
                (false, false) => {}
            }
            previous = current;
        }
        points = out;
    }
    points
}

fn cut_x(x: f64, a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let t = (x - a.0) / (b.0 - a.0);
    (x, a.1 + t * (b.1 - a.1))
}

fn cut_y(y: f64, a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let t = (y - a.1) / (b.1 - a.1);
    (a.0 + t * (b.0 - a.0), y)
}

/// Signed area (shoelace) and area centroid of a ring.
fn area_centroid(ring: &[(f64, f64)]) -> (f64, (f64, f64)) {
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for (i, &(x0, y0)) in ring.iter().enumerate() {
        let (x1, y1) = ring[(i + 1) % ring.len()];
        let cross = x0 * y1 - x1 * y0;
        a += cross;
        cx += (x0 + x1) * cross;
        cy += (y0 + y1) * cross;
    }
    let area = a / 2.0;
    if area.abs() < 1e-9 {
        return (0.0, ring.first().copied().unwrap_or((0.0, 0.0)));
    }
    (area, (cx / (6.0 * area), cy / (6.0 * area)))
}

fn point_in_ring(ring: &[(f64, f64)], (x, y): (f64, f64)) -> bool {
    let mut inside = false;
    for (i, &(x0, y0)) in ring.iter().enumerate() {
        let (x1, y1) = ring[(i + 1) % ring.len()];
        if (y0 > y) != (y1 > y) && x < x0 + (y - y0) * (x1 - x0) / (y1 - y0) {
            inside = !inside;
        }
    }
    inside
}

/// A country as drawn: its SVG path data (map pixels) and where its name could go.
#[derive(Clone, Debug)]
pub(crate) struct DrawnCountry {
    pub name: String,
    pub path: String,
    /// Centroid of its largest visible piece and that piece's bounding box, when the centroid
    /// lies inside the piece.
    pub label_at: Option<((f64, f64), Rect)>,
}

/// The countries seen in `view` (map pixels), projected with `project(lat, lon)` and clipped
/// to `view` grown by a margin; `window` is `(lon0, lat0, lon1, lat1)` around the view, used to
/// skip countries far away. Points closer than half a pixel to the previous one are dropped.
pub(crate) fn draw_countries(
    view: &Rect,
    window: (f64, f64, f64, f64),
    project: impl Fn(f64, f64) -> (f64, f64),
) -> Vec<DrawnCountry> {
    let clip = view.grown(4.0);
    let mut drawn = Vec::new();
    for country in world() {
        let b = country.bbox;
        if b.2 < window.0 || b.0 > window.2 || b.3 < window.1 || b.1 > window.3 {
            continue;
        }
        let mut path = String::new();
        let mut best: Option<(f64, Vec<(f64, f64)>)> = None;
        for ring in &country.rings {
            let mut projected: Vec<(f64, f64)> = Vec::with_capacity(ring.len());
            for &(lon, lat) in ring {
                let p = project(lat, lon);
                if projected
                    .last()
                    .is_none_or(|q: &(f64, f64)| (p.0 - q.0).abs() + (p.1 - q.1).abs() >= 0.5)
                {
                    projected.push(p);
                }
            }
            let clipped = clip_ring(&projected, &clip);
            if clipped.len() < 3 {
                continue;
            }
            let (area, _) = area_centroid(&clipped);
            if area.abs() < 1.0 {
                continue;
            }
            for (k, (x, y)) in clipped.iter().enumerate() {
                let _ = write!(path, "{}{x:.1} {y:.1}", if k == 0 { "M" } else { "L" });
            }
            path.push('Z');
            if best.as_ref().is_none_or(|(a, _)| area.abs() > *a) {
                best = Some((area.abs(), clipped));
            }
        }
        if path.is_empty() {
            continue;
        }
        let label_at = best.and_then(|(_, piece)| {
            let (_, c) = area_centroid(&piece);
            let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for &(x, y) in &piece {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
            point_in_ring(&piece, c).then_some((c, Rect { x0, y0, x1, y1 }))
        });
        drawn.push(DrawnCountry {
            name: country.name.clone(),
            path,
            label_at,
        });
    }
    drawn
}

/// A label to place: the point it names and the size of its text box.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LabelRequest {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// Distance kept between the point and the box.
    pub gap: f64,
    /// Half the side of the square around the point that no other label may cover (most of
    /// its circle; at least 1.5 px).
    pub mark: f64,
}

/// Greedy placement, in the order given (most important first): each label tries eight
/// positions around its point (right, left, above, below, then the four diagonals) and takes
/// the first one inside `bounds` that overlaps no placed label and covers no mark of
/// `requests`; a label with no such position is left out (`None`) and is shown on hover only.
pub(crate) fn place_labels(requests: &[LabelRequest], bounds: &Rect) -> Vec<Option<Rect>> {
    let dots: Vec<Rect> = requests
        .iter()
        .map(|r| {
            let m = r.mark.max(1.5);
            Rect {
                x0: r.x - m,
                y0: r.y - m,
                x1: r.x + m,
                y1: r.y + m,
            }
        })
        .collect();
    let mut placed: Vec<Rect> = Vec::new();
    requests
        .iter()
        .map(|r| {
            let (w, h, g) = (r.width, r.height, r.gap);
            let right = r.x + g;
            let left = r.x - g - w;
            let centre_x = r.x - w / 2.0;
            let above = r.y - g - h;
            let below = r.y + g;
            let middle = r.y - h / 2.0;
            let corners = [
                (right, middle),
                (left, middle),
                (centre_x, above),
                (centre_x, below),
                (right, above),
                (right, below),
                (left, above),
                (left, below),
            ];
            let chosen = corners
                .into_iter()
                .map(|(x0, y0)| Rect {
                    x0,
                    y0,
                    x1: x0 + w,
                    y1: y0 + h,
                })
                .find(|b| {
                    bounds.contains(b)
                        && !placed.iter().any(|p| p.overlaps(b))
                        && !dots.iter().any(|d| d.overlaps(b))
                });
            if let Some(b) = chosen {
                placed.push(b);
            }
            chosen
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_outlines_read_without_error() {
        let countries = parse_countries(COUNTRIES_110M).unwrap();
        assert_eq!(countries.len(), 177);
        let mali = countries.iter().find(|c| c.name == "Mali").unwrap();
        assert_eq!(mali.code, "466");
        // Mali spans about 12.2°W–4.3°E and 10.1°N–25.0°N (Natural Earth).
        let (lon0, lat0, lon1, lat1) = mali.bbox;
        assert!(
            (-12.5..-11.9).contains(&lon0) && (4.0..4.5).contains(&lon1),
            "{:?}",
            mali.bbox
        );
        assert!(
            (9.9..10.4).contains(&lat0) && (24.8..25.2).contains(&lat1),
            "{:?}",
            mali.bbox
        );
        assert_eq!(world().len(), 177);
    }

    #[test]
    fn bad_outline_lines_are_located() {
        let err = parse_countries("# c\nC 1 A\nR 0 0 1 0 0 1 x\n").unwrap_err();
        assert!(err.starts_with("line 3:"), "{err}");
        let err = parse_countries("R 0 0 1 0 0 1 -1 -1\n").unwrap_err();
        assert!(err.contains("before any country"), "{err}");
        let err = parse_countries("C 1 A\nR 0 0 1 0 0 1 -1 0\n").unwrap_err();
        assert!(err.contains("not closed"), "{err}");
    }

    #[test]
    fn clipping_keeps_the_part_inside() {
        let square = [
            (-5.0, -5.0),
            (5.0, -5.0),
            (5.0, 5.0),
            (-5.0, 5.0),
            (-5.0, -5.0),
        ];
        let rect = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 10.0,
            y1: 10.0,
        };
        let clipped = clip_ring(&square, &rect);
        let (area, centre) = area_centroid(&clipped);
        assert!((area.abs() - 25.0).abs() < 1e-9, "{clipped:?}");
        assert!((centre.0 - 2.5).abs() < 1e-9 && (centre.1 - 2.5).abs() < 1e-9);
        let far = [(20.0, 20.0), (30.0, 20.0), (30.0, 30.0), (20.0, 20.0)];
        assert!(clip_ring(&far, &rect).is_empty());
    }
}
