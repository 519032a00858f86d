//! PNG export: each plot's SVG rendered by resvg, with text in the bundled DejaVu Sans (the
//! font database holds that font only; no system font is ever looked up).

use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

/// DejaVu Sans (Bitstream Vera licence with public-domain DejaVu changes; see
/// `assets/DejaVuSans-LICENSE.txt`).
pub static FONT_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

fn font_database() -> Arc<usvg::fontdb::Database> {
    static DATABASE: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DATABASE
        .get_or_init(|| {
            let mut database = usvg::fontdb::Database::new();
            database.load_font_data(FONT_BYTES.to_vec());
            let family = "DejaVu Sans";
            database.set_sans_serif_family(family);
            database.set_serif_family(family);
            database.set_monospace_family(family);
            database.set_cursive_family(family);
            database.set_fantasy_family(family);
            Arc::new(database)
        })
        .clone()
}

/// Renders an SVG document as PNG bytes at `scale` × its size.
///
/// # Errors
/// When the SVG cannot be parsed, is empty, or the PNG cannot be encoded (the message says
/// which).
pub fn render_png(svg: &str, scale: f32) -> Result<Vec<u8>, String> {
    let options = usvg::Options {
        font_family: "DejaVu Sans".to_owned(),
        fontdb: font_database(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or("the plot has no size")?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or("the plot is too large or empty")?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dark_pixels(png: &[u8]) -> usize {
        let pixmap = tiny_skia::Pixmap::decode_png(png).unwrap();
        pixmap
            .pixels()
            .iter()
            .filter(|p| u32::from(p.red()) + u32::from(p.green()) + u32::from(p.blue()) < 300)
            .count()
    }

    #[test]
    fn text_renders_with_the_bundled_font() {
        let text = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="5" y="30" font-family="DejaVu Sans" font-size="24" fill="#000">Tumen 1994</text></svg>"##;
        let png = render_png(text, 1.0).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // Glyphs were drawn: without a font, usvg drops the text and the image stays white.
        assert!(dark_pixels(&png) > 200, "{}", dark_pixels(&png));
        // A family nobody has falls back to the bundled font too.
        let other = text.replace("DejaVu Sans", "Nonexistent Grotesk, sans-serif");
        assert!(dark_pixels(&render_png(&other, 1.0).unwrap()) > 200);
    }

    #[test]
    fn scale_sets_the_size_and_bad_svg_is_an_error() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><rect width="10" height="10"/></svg>"#;
        let png = render_png(svg, 2.0).unwrap();
        let pixmap = tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (60, 40));
        assert!(render_png("<svg", 1.0).is_err());
    }
}
