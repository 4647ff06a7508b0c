//! The `sesame` binary: parse the command line, load settings, start logging, hand over.

use clap::Parser;

use sesame::cli::{self, Cli};
use sesame::config::Config;
use sesame::telemetry;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(&cli.settings_file()?)?;
    telemetry::init_tracing(config.log_format);
    cli::run(cli, config).await
}
