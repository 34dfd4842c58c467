//! Integration tests: the real server on port 0, a real HTTP client, a fresh database per
//! test — SQLite by default, PostgreSQL when `TEST_POSTGRES_URL` is set.

mod auth;
mod bounds;
mod caching;
mod changes;
mod cli;
mod compression;
mod concurrency;
mod conditional;
mod contract;
mod cors;
mod curation;
mod demo;
mod errors;
mod facets;
mod feeds;
mod filters;
mod helpers;
mod intake;
mod languages;
mod limits;
mod operations;
mod paging;
mod parsers;
mod publication;
mod resources;
mod search;
mod security;
mod spreadsheets;
mod status;
mod webhooks;
mod widget;
