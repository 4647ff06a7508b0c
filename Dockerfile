# Sesame in a container: built with the Rust toolchain, run from a slim Debian as a non-root user.
#   docker build -t sesame .
#   docker run -p 8080:8080 -v sesame-data:/var/lib/sesame \
#     -e SESAME_ISSUER=https://auth.example.com sesame
# The SQLite database and keys/ live in the /var/lib/sesame volume; settings come from SESAME_*
# variables or a file mounted at /etc/sesame/sesame.toml (then add `--config /etc/sesame/sesame.toml`).
# Operator commands: docker run --rm -it -v sesame-data:/var/lib/sesame sesame user list

# rust:1 on bookworm, the runtime's Debian: a binary built against a newer glibc would not start there.
FROM rust:1-bookworm AS builder
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin sesame \
    && install -m 0755 target/release/sesame /usr/local/bin/sesame

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/sesame --shell /usr/sbin/nologin sesame \
    && install -d -o sesame -g sesame -m 0700 /var/lib/sesame
COPY --from=builder /usr/local/bin/sesame /usr/local/bin/sesame
USER sesame:sesame
WORKDIR /var/lib/sesame
VOLUME ["/var/lib/sesame"]
# Inside a container the listener must face the container's interface, not its loopback. The ops
# listener stays off; to scrape /metrics, set SESAME_OPS_LISTEN=0.0.0.0:9100 and publish 9100
# only to the monitoring network.
ENV SESAME_LISTEN=0.0.0.0:8080
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/sesame"]
CMD ["serve"]
