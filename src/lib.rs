//! typgraph: one shared client case graph for the agencies of TYP.
//!
//! Layers, dependencies pointing one way (`http -> graphql -> services -> entity`):
//! - [`http`]: the axum edge: GraphQL over HTTP, sign-in (JWT -> [`authz::Principal`]),
//!   health, readiness and metrics.
//! - [`graphql`]: the schema; thin resolvers that call one service and guard every
//!   client-data field through the compiled field mask.
//! - [`services`]: use cases; row scopes are applied in SQL here.
//! - [`authz`]: the casbin policy compiled into per-role field masks, and row scopes.
//! - [`audit`]: the access and disclosure logs, written in the request's transaction.
//! - [`demo`]: the deterministic demo and synthetic data sets.

pub mod app;
pub mod audit;
pub mod authz;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod labels;
pub mod services;
pub mod store;
pub mod telemetry;
