//! Batched, scoped loading of a client's records for the per-request DataLoaders.
//!
//! Each function answers for many clients (or parents) in one statement. For clients who
//! are not TYP clients of the caller, only the caller agency's own records are returned;
//! a coach gets only the periods at the coach's provider. The scoped selects are built
//! from the entities with sea-query conditions ([`filter`]).

mod bundle;
mod children;
mod clients;
mod filter;
mod registers;

use std::collections::HashMap;
use std::hash::Hash;

use super::context::ScopedClient;

pub use bundle::{bundle, case_view_bundle, Prefetched, ViewedClient, Wanted};
pub use children::{
    actions, agenda, allowance_lines, attendance, competence, follow_ups, interruptions,
    official_names, own_sections, participants, plans, providers, OfficialName,
};
pub use clients::{
    action_in_scope, assessments, benefit_in_scope, benefits, case_in_scope, cases, coachings,
    consent_in_scope, consents, employment_item_in_scope, employment_items, ktt_decision_in_scope,
    ktt_decisions, ktt_decisions_of_periods, meetings, notes, period_in_scope, periods,
    plan_in_scope, statements, ConsentRecord,
};
pub use clients::{job_coaching_in_scope, pay_subsidies, pay_subsidy_in_scope};
pub use filter::{decisions_in_scope, periods_in_scope};
pub use registers::{employers_by_id, programmes_by_id};

fn group_by<K: Eq + Hash + Clone, M>(
    keys: &[K],
    rows: Vec<M>,
    key_of: impl Fn(&M) -> &str,
    id_of: impl Fn(&K) -> &str,
) -> HashMap<K, Vec<M>> {
    let index: HashMap<&str, &K> = keys.iter().map(|k| (id_of(k), k)).collect();
    let mut out: HashMap<K, Vec<M>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
    for row in rows {
        if let Some(k) = index.get(key_of(&row)) {
            out.entry((*k).clone()).or_default().push(row);
        }
    }
    out
}

fn by_client<M>(
    keys: &[ScopedClient],
    rows: Vec<M>,
    key_of: impl Fn(&M) -> &str,
) -> HashMap<ScopedClient, Vec<M>> {
    group_by(keys, rows, key_of, |k| k.client_id.as_str())
}

fn by_id<M>(keys: &[String], rows: Vec<M>, key_of: impl Fn(&M) -> &str) -> HashMap<String, Vec<M>> {
    group_by(keys, rows, key_of, |k| k.as_str())
}
