//! SeaORM entities of the typgraph case graph, one module per table.
//!
//! Entities are storage only: the GraphQL types are separate, so a column rename never
//! silently changes the API. The tables and their constraints are defined by the SQL
//! migrations in the `migration` crate.

pub mod access_log;
pub mod agency;
pub mod agency_note;
pub mod agreed_action;
pub mod allowance_export;
pub mod allowance_export_line;
pub mod allowance_line;
pub mod allowance_line_attendance;
pub mod attendance_correction;
pub mod attendance_day;
pub mod benefit_decision;
pub mod benefit_status;
pub mod break_glass;
pub mod case_follow_up;
pub mod client;
pub mod client_merge;
pub mod competence_record;
pub mod consent;
pub mod consent_field_group;
pub mod dataset_marker;
pub mod disclosure_log;
pub mod employer;
pub mod employment_item;
pub mod employment_plan;
pub mod job_coaching;
pub mod job_coaching_hours;
pub mod ktt_decision;
pub mod ktt_decision_maker;
pub mod ktt_start_notice;
pub mod labour_policy_statement;
pub mod meeting_agency_section;
pub mod meeting_agenda_item;
pub mod meeting_participant;
pub mod network_meeting;
pub mod official;
pub mod official_role;
pub mod pay_subsidy;
pub mod plan_ktt_item;
pub mod programme;
pub mod provider;
pub mod provider_voucher_approval;
pub mod referral;
pub mod rehab_interruption;
pub mod rehab_period;
pub mod service_interruption;
pub mod service_voucher;
pub mod typ_case;
pub mod work_ability_assessment;
