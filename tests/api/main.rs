#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The integration suite: one test binary; each test starts the real app with a fresh
//! database (SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set).

mod access_log;
mod admin;
mod admin_acts;
mod audit_chain;
mod auth;
mod break_glass;
mod cases;
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
mod own;
mod policy;
mod records;
mod referrals;
mod registration;
mod rehab;
mod reports;
mod retention;
mod schema;
mod scope;
mod sdl;
mod storage;
