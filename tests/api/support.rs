//! The one test harness. [`TestApp`] is a real router over a real, freshly migrated database
//! (in-memory SQLite, or a fresh PostgreSQL schema) on a clock the test moves; every way a test
//! speaks to it starts there: requests through the router, the cookie-keeping [`agent::Agent`],
//! admin sessions, a real listener. Builders make users (with cheaply hashed passwords) and
//! clients; [`webdriver`] drives the one headless Chromium of the process.
//!
//! What a machine may lack (PostgreSQL, Chromium) is decided in [`environment`]: a note and a
//! pass, or with `CI=true` a failure.

pub mod admin;
pub mod agent;
mod app;
pub mod builders;
pub mod cluster;
mod database;
pub mod environment;
pub mod html;
pub mod oauth;
pub mod passwords;
pub mod requests;
pub mod webdriver;

pub use app::{TEST_KEK, TestApp};
pub use database::Backend;
pub use passwords::PASSWORD;
pub use requests::TestResponse;

/// Runs each named `async fn(TestApp)` twice, as `<name>::sqlite` and `<name>::postgres`;
/// `configure => names` changes the settings (a `fn(&mut Config)`) for both.
#[macro_export]
macro_rules! on_both_databases {
    (@test $name:ident, $configure:expr) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                use $crate::support::{Backend, TestApp};
                if let Some(app) = TestApp::on(Backend::Sqlite, $configure).await {
                    super::$name(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                use $crate::support::{Backend, TestApp};
                if let Some(app) = TestApp::on(Backend::Postgres, $configure).await {
                    super::$name(app).await;
                }
            }
        }
    };
    ($configure:ident => $($name:ident),+ $(,)?) => {
        $($crate::on_both_databases!(@test $name, super::$configure);)+
    };
    ($($name:ident),+ $(,)?) => {
        $($crate::on_both_databases!(@test $name, |_: &mut sesame::Config| {});)+
    };
}
