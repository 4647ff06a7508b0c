//! Builders for the rows a test starts from: `app.user("alice").email(..).create().await`,
//! `app.client("web").public().create().await`.

use sesame::auth::clients::{self, ClientKind, ClientRegistration, GrantType};
use sesame::entities::users;
use sesame::store::users::NewUser;

use super::TestApp;
use super::oauth::REDIRECT_URI;
use super::passwords::{cheap_hash, default_hash};

/// A user about to be inserted; `create()` inserts it.
pub struct UserBuilder<'a> {
    app: &'a TestApp,
    user: NewUser,
}

/// A client about to be registered; `create()` registers it.
pub struct ClientBuilder<'a> {
    app: &'a TestApp,
    registration: ClientRegistration,
}

impl TestApp {
    /// An active user with the test password and no email, phone or roles.
    pub fn user(&self, username: &str) -> UserBuilder<'_> {
        UserBuilder {
            app: self,
            user: NewUser {
                username: username.into(),
                email: None,
                phone: None,
                password_hash: default_hash().to_owned(),
                is_active: true,
                roles: vec![],
                display_name: None,
                avatar_url: None,
            },
        }
    }

    /// Deactivates a user through the domain (revoking their tokens), the system acting.
    pub async fn deactivate(&self, user_id: i64) {
        let system = sesame::auth::audit::Actor::system();
        sesame::auth::accounts::deactivate_user(&self.state, &system, user_id, self.now())
            .await
            .expect("deactivate user");
    }

    /// A confidential first-party client for the password and refresh grants.
    pub fn client(&self, client_id: &str) -> ClientBuilder<'_> {
        ClientBuilder {
            app: self,
            registration: ClientRegistration {
                client_id: Some(client_id.into()),
                name: format!("{client_id} app"),
                kind: ClientKind::Confidential,
                redirect_uris: vec![],
                grant_types: vec![GrantType::Password, GrantType::RefreshToken],
                scopes: ["openid", "profile", "email", "read"]
                    .map(str::to_owned)
                    .to_vec(),
                audience: None,
                first_party: true,
                logo_uri: None,
            },
        }
    }
}

fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

impl UserBuilder<'_> {
    /// Another password than [`super::PASSWORD`], hashed at test cost.
    pub fn password(mut self, password: &str) -> Self {
        self.user.password_hash = cheap_hash(password);
        self
    }
    /// An email address to log in with.
    pub fn email(mut self, email: &str) -> Self {
        self.user.email = Some(email.into());
        self
    }
    /// A phone number to log in with.
    pub fn phone(mut self, phone: &str) -> Self {
        self.user.phone = Some(phone.into());
        self
    }
    /// The name tokens and pages show.
    pub fn display_name(mut self, name: &str) -> Self {
        self.user.display_name = Some(name.into());
        self
    }
    /// Roles, such as `admin`.
    pub fn roles(mut self, roles: &[&str]) -> Self {
        self.user.roles = owned(roles);
        self
    }
    /// Inserts the user through the store, as `accounts::create_user` does after hashing.
    pub async fn create(self) -> users::Model {
        sesame::store::users::insert(self.app.db(), self.user, self.app.now())
            .await
            .expect("insert user")
    }
}

impl ClientBuilder<'_> {
    /// The grants the client may use, instead of password and refresh.
    pub fn grants(mut self, grants: &[GrantType]) -> Self {
        self.registration.grant_types = grants.to_vec();
        self
    }
    /// A public client: no secret.
    pub fn public(mut self) -> Self {
        self.registration.kind = ClientKind::Public;
        self
    }
    /// The scopes the client may ask for.
    pub fn scopes(mut self, scopes: &[&str]) -> Self {
        self.registration.scopes = owned(scopes);
        self
    }
    /// The redirect URIs the client registers.
    pub fn redirect_uris(mut self, uris: &[&str]) -> Self {
        self.registration.redirect_uris = owned(uris);
        self
    }
    /// A client of the code flow: the authorization-code and refresh grants, redirecting to
    /// [`REDIRECT_URI`].
    pub fn code_flow(self) -> Self {
        self.grants(&[GrantType::AuthorizationCode, GrantType::RefreshToken])
            .redirect_uris(&[REDIRECT_URI])
    }
    /// A third-party client: the user is asked to consent.
    pub fn third_party(mut self) -> Self {
        self.registration.first_party = false;
        self
    }
    /// The client's registered logo (RFC 7591 `logo_uri`).
    pub fn logo_uri(mut self, uri: &str) -> Self {
        self.registration.logo_uri = Some(uri.to_owned());
        self
    }
    /// The client's name, as the consent page shows it.
    pub fn name(mut self, name: &str) -> Self {
        self.registration.name = name.to_owned();
        self
    }
    /// Registers the client; returns `(client_id, secret)` (secret empty for public clients).
    pub async fn create(self) -> (String, String) {
        let now = self.app.now();
        let registered = clients::register_client(&self.app.state, self.registration, now)
            .await
            .expect("register client");
        let secret = registered
            .secret
            .map(|s| s.expose().to_owned())
            .unwrap_or_default();
        (registered.client_id, secret)
    }
}
