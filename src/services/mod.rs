//! Use cases. Every function takes the request context (the caller) first, checks the
//! policy before touching data, and applies row scopes in its SQL.

pub mod access_log;
pub mod administration;
pub mod allowance_export;
pub mod allowance_statement;
pub mod assessment;
pub mod attendance;
pub mod attendance_correction;
pub mod benefit_decision;
pub mod benefit_status;
pub mod break_glass;
pub mod case;
pub mod case_tags;
pub mod client;
pub mod client_merge;
pub mod client_registration;
pub mod coaching;
pub mod competence;
pub mod consent;
pub mod context;
pub mod cursor;
pub mod employment_item;
pub mod explain;
pub mod input;
pub mod ktt_decision;
pub mod loads;
pub mod log_table;
pub mod meeting;
pub mod officials;
pub mod pay_subsidy;
pub mod plan;
pub mod referral;
pub mod registers;
pub mod rehab;
pub mod report_csv;
pub mod report_rules;
pub mod reports;
pub mod retention;
pub mod self_service;
pub mod service_interruption;
pub mod voucher;
pub mod voucher_statement;
pub mod write;

pub use context::{ClientScope, RequestContext};
