//! Store-level derivations: tables computed from other tables, kept in step by the writes
//! that change their sources.

pub mod ktt_month;
