//! mobility-directory: the reference directory of open calls, artist residencies and
//! mobility funding, as a REST service.

pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod index;
pub mod jobs;
pub mod metrics;
pub mod openapi;
pub mod outbound;
pub mod store;
pub mod telemetry;
