# syntax=docker/dockerfile:1
# Build: the release binary links only libc (SQLite, libpq and OpenSSL are compiled in).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
RUN cargo build --release --locked \
    && cp target/release/mobility-directory /mobility-directory

# Run: a slim image with an unprivileged user and a volume for the embedded database.
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /srv mobility \
    && mkdir -p /srv/data && chown -R mobility /srv
COPY --from=build /mobility-directory /usr/local/bin/mobility-directory
USER mobility
WORKDIR /srv
ENV MOBILITY_BIND=0.0.0.0:8080
EXPOSE 8080
VOLUME ["/srv/data"]
ENTRYPOINT ["mobility-directory"]
CMD ["serve"]
