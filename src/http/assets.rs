//! The static files every page links: the public stylesheet and logo, and the admin UI's
//! stylesheet, compiled into the binary; and the brand stylesheet, made from `accent_color`.
//! The colour reaches the pages as CSS custom properties in a stylesheet of our origin, so CSP
//! `style-src 'self'` stays as it is (no inline style, no hash to keep in step).

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::paths;
use crate::state::AppState;

const STYLESHEET: &str = include_str!("../../static/sesame.css");
const LOGO: &str = include_str!("../../static/sesame.svg");
const ADMIN_STYLESHEET: &str = include_str!("../../static/admin.css");

const CSS: &str = "text/css; charset=utf-8";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(paths::STYLESHEET, get(stylesheet_get))
        .route(paths::LOGO, get(logo_get))
        .route(paths::ADMIN_STYLESHEET, get(admin_stylesheet_get))
        .route(paths::BRAND_STYLESHEET, get(brand_stylesheet_get))
}

/// `body` with its type, cacheable for `cache_control`, never sniffed as anything else.
fn asset(
    content_type: &'static str,
    cache_control: &'static str,
    body: impl IntoResponse,
) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache_control),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

async fn stylesheet_get() -> Response {
    asset(CSS, "public, max-age=86400", STYLESHEET)
}

async fn logo_get() -> Response {
    asset("image/svg+xml", "public, max-age=86400", LOGO)
}

async fn admin_stylesheet_get() -> Response {
    asset(CSS, "public, max-age=3600", ADMIN_STYLESHEET)
}

/// A short cache: a changed `accent_color` shows within minutes of a restart.
async fn brand_stylesheet_get(State(state): State<AppState>) -> Response {
    let css = brand_stylesheet(state.config.accent_color.as_deref());
    asset(CSS, "public, max-age=300", css)
}

/// The custom properties both stylesheets read, set from `accent` (validated at start-up as
/// `#rgb` or `#rrggbb`): the colour itself, a darker shade for hover, and black or white text,
/// whichever contrasts more (WCAG 2.x relative luminance). No colour: an empty sheet.
pub fn brand_stylesheet(accent: Option<&str>) -> String {
    let Some((r, g, b)) = accent.and_then(parse_hex) else {
        return "/* accent_color is not set: Sesame's own colours */\n".to_owned();
    };
    let hex = |(r, g, b): (u8, u8, u8)| format!("#{r:02x}{g:02x}{b:02x}");
    let darker = |c: u8| u8::try_from(u16::from(c) * 4 / 5).unwrap_or(c);
    let (color, strong) = (hex((r, g, b)), hex((darker(r), darker(g), darker(b))));
    let text = if luminance(r, g, b) > 0.179 {
        "#000000"
    } else {
        "#ffffff"
    };
    let properties = format!(
        "  --accent: {color};\n  --accent-strong: {strong};\n  --accent-text: {text};\n  \
         --adm-brand: {color};\n  --adm-brand-dark: {strong};\n  --adm-brand-text: {text};\n"
    );
    // The dark scheme's own accent would win inside its media query otherwise.
    format!(
        ":root {{\n{properties}}}\n@media (prefers-color-scheme: dark) {{\n  :root {{\n{properties}  }}\n}}\n"
    )
}

/// `#rgb` or `#rrggbb` as its three channels.
fn parse_hex(color: &str) -> Option<(u8, u8, u8)> {
    let hex = color.strip_prefix('#')?;
    let channel = |s: &str| u8::from_str_radix(s, 16).ok();
    match hex.len() {
        3 => {
            let short = |i: usize| channel(hex.get(i..=i)?).map(|v| v * 17);
            Some((short(0)?, short(1)?, short(2)?))
        }
        6 => Some((
            channel(hex.get(0..2)?)?,
            channel(hex.get(2..4)?)?,
            channel(hex.get(4..6)?)?,
        )),
        _ => None,
    }
}

/// WCAG 2.x relative luminance of an sRGB colour, 0 (black) to 1 (white).
fn luminance(r: u8, g: u8, b: u8) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

#[cfg(test)]
mod tests {
    use super::brand_stylesheet;

    #[test]
    fn the_brand_stylesheet_sets_the_accent_and_a_readable_text_colour() {
        let css = brand_stylesheet(Some("#0a7"));
        assert!(css.contains("--accent: #00aa77;"), "{css}");
        assert!(css.contains("--accent-strong: #00885f;"), "{css}");
        assert!(css.contains("--adm-brand: #00aa77;"), "{css}");
        assert!(css.contains("--accent-text: #000000;"), "{css}");
        let css = brand_stylesheet(Some("#1D4ED8"));
        assert!(css.contains("--accent: #1d4ed8;"), "{css}");
        assert!(css.contains("--accent-text: #ffffff;"), "{css}");
        assert!(!brand_stylesheet(None).contains("--accent"));
    }
}
