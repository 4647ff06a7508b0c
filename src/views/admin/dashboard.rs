//! The admin UI's landing page.

use askama::Template;

use super::Chrome;
use super::audit::EventRow;

/// The landing page.
#[derive(Template)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub users: u64,
    pub clients: u64,
    pub outstanding_families: u64,
    pub logins_24h: u64,
    pub login_failures_24h: u64,
    pub algorithm: String,
    /// HS* mode: the algorithm of the secret that signs access and refresh tokens.
    pub shared_secret: Option<String>,
    /// `(kid, created)` of the key that signs now.
    pub signing_key: Option<(String, String)>,
    /// `(kid, signs from)` of a key published ahead of a rotation.
    pub upcoming_key: Option<(String, String)>,
    /// The newest audit events.
    pub recent: Vec<EventRow>,
}
