# syntax=docker/dockerfile:1
# Build: the release binary links only libc (SQLite, libpq and OpenSSL are compiled in).
FROM rust:1.95-bookworm AS build
WORKDIR /src
# The dependencies first, in a layer of their own: built against empty sources, they are
# rebuilt only when Cargo.toml or Cargo.lock change, not at every change of the code.
COPY Cargo.toml Cargo.lock ./
# The build settings (how the bundled SQLite is compiled) before anything is built.
COPY .cargo .cargo
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY src src
COPY migrations migrations
# The sources' own mtimes can be older than the placeholders' build: touch them.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked \
    && cp target/release/mobility-directory /mobility-directory

# Run: a slim image with CA certificates, an unprivileged user and a volume for the
# embedded database.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /srv mobility \
    && mkdir -p /srv/data && chown -R mobility /srv
COPY --from=build /mobility-directory /usr/local/bin/mobility-directory
USER mobility
WORKDIR /srv
# Listening on every address: the public URL must then be set (`serve` refuses to start
# without it, rather than write links to 0.0.0.0).
ENV MOBILITY_BIND=0.0.0.0:8080
EXPOSE 8080
VOLUME ["/srv/data"]
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["mobility-directory", "probe"]
ENTRYPOINT ["mobility-directory"]
CMD ["serve"]
