//! Use cases. Every function takes the request context (the caller) first, checks the
//! policy before touching data, and applies row scopes in its SQL.

pub mod access_log;
pub mod administration;
pub mod allowance_statement;
pub mod attendance;
pub mod break_glass;
pub mod cases;
pub mod client_registration;
pub mod clients;
pub mod consents;
pub mod context;
pub mod cursor;
pub mod explain;
pub mod input;
pub mod meetings;
pub mod officials;
pub mod own;
pub mod plans;
pub mod records;
pub mod records_write;
pub mod referrals;
pub mod rehab;
pub mod report_csv;
pub mod report_rules;
pub mod reports;
pub mod retention;
pub mod service_interruption;
pub mod write;

pub use context::{ClientScope, RequestContext};
