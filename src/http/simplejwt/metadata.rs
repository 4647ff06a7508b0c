//! DRF's answer to a plain `OPTIONS` request (`SimpleMetadata`): the view's name and docstring,
//! the media types it renders and parses, and the fields its `POST` takes.

use serde_json::{Map, Value, json};

/// A view of the surface, for its `OPTIONS` answer.
#[derive(Clone, Copy, Debug)]
pub enum View {
    TokenObtainPair,
    TokenRefresh,
    TokenVerify,
    TokenBlacklist,
    TokenObtainSliding,
    TokenRefreshSliding,
    Register,
    Me,
}

impl View {
    /// `(name, description, POST fields as (name, required, read_only))`; the descriptions are
    /// simplejwt's docstrings, as DRF shows them.
    fn describe(
        self,
    ) -> (
        &'static str,
        &'static str,
        &'static [(&'static str, bool, bool)],
    ) {
        const CREDENTIALS: &[(&str, bool, bool)] =
            &[("username", true, false), ("password", true, false)];
        match self {
            View::TokenObtainPair => (
                "Token Obtain Pair",
                "Takes a set of user credentials and returns an access and refresh JSON web\ntoken pair to prove the authentication of those credentials.",
                CREDENTIALS,
            ),
            View::TokenRefresh => (
                "Token Refresh",
                "Takes a refresh type JSON web token and returns an access type JSON web\ntoken if the refresh token is valid.",
                &[("refresh", true, false), ("access", false, true)],
            ),
            View::TokenVerify => (
                "Token Verify",
                "Takes a token and indicates if it is valid.  This view provides no\ninformation about a token's fitness for a particular use.",
                &[("token", true, false)],
            ),
            View::TokenBlacklist => (
                "Token Blacklist",
                "Takes a token and blacklists it. Must be used with the\n`rest_framework_simplejwt.token_blacklist` app installed.",
                &[("refresh", true, false)],
            ),
            View::TokenObtainSliding => (
                "Token Obtain Sliding",
                "Takes a set of user credentials and returns a sliding JSON web token to\nprove the authentication of those credentials.",
                CREDENTIALS,
            ),
            View::TokenRefreshSliding => (
                "Token Refresh Sliding",
                "Takes a sliding JSON web token and returns a new, refreshed version if the\ntoken's refresh period has not expired.",
                &[("token", true, false)],
            ),
            View::Register => (
                "Register",
                "Creates an account from a username, a password and optionally an email and a phone.",
                &[
                    ("username", true, false),
                    ("password", true, false),
                    ("email", false, false),
                    ("phone", false, false),
                ],
            ),
            View::Me => ("Me", "", &[]),
        }
    }

    /// The `OPTIONS` body.
    pub fn metadata(self) -> Value {
        let (name, description, fields) = self.describe();
        let mut body = json!({
            "name": name,
            "description": description,
            "renders": ["application/json", "text/html"],
            "parses": ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"],
        });
        if !fields.is_empty() {
            let mut post = Map::new();
            for (field, required, read_only) in fields {
                post.insert(
                    (*field).into(),
                    json!({
                        "type": "string",
                        "required": required,
                        "read_only": read_only,
                        "label": label(field),
                    }),
                );
            }
            body["actions"] = json!({ "POST": post });
        }
        body
    }
}

/// DRF's default label: the field name capitalised.
fn label(field: &str) -> String {
    let mut chars = field.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
