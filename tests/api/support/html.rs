//! Reading the server's HTML: form fields and the text between two markers.

/// The value of the first `csrf_token` field of a page.
pub fn csrf_token(html: &str) -> String {
    between(html, "name=\"csrf_token\" value=\"", "\"")
        .unwrap_or_else(|| panic!("no CSRF field in {html}"))
        .to_owned()
}

/// The `action` of the first form of a page, unescaped.
pub fn form_action(html: &str) -> String {
    between(html, "<form method=\"post\" action=\"", "\"")
        .expect("a form")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The text between `start` and the next `end` after it.
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    let len = html[from..].find(end)?;
    Some(&html[from..from + len])
}
