//! GraphQL object types. They are our own, converted from entities, so a column rename never
//! silently changes the API; every client-data field goes through the field guard.

pub mod access_log;
pub mod admin;
pub mod break_glass;
pub mod brief;
pub mod case;
pub mod case_view;
pub mod client;
pub mod enums;
pub mod explain;
pub mod labels;
pub mod meeting;
pub mod provider;
pub mod records;
pub mod referral;
pub mod rehab;
pub mod reports;
pub mod viewer;
