#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The integration suite: one test binary; each test starts the real app with a fresh
//! database (SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set).

mod access_log;
mod admin;
mod audit_chain;
mod auth;
mod break_glass;
mod cases;
mod chain_coverage;
mod cli;
mod cluster;
mod dashboard;
mod durability;
mod explain;
mod helpers;
mod hostile;
mod http;
mod labels;
mod loaders;
mod meetings;
mod oversight;
mod own;
mod policy;
mod records;
mod referrals;
mod registration;
mod rehab;
mod report_safety;
mod reports;
mod retention;
mod row_scope_writes;
mod schema;
mod scope;
mod sdl;
mod storage;
mod transport;
