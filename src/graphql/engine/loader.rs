//! Per-request DataLoaders: nested lists are loaded in one statement per list kind, however
//! many parents a page holds. They read through the request's transaction and scope.

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use async_graphql::dataloader::Loader;
use entity::{
    agency_note, agreed_action, allowance_line, attendance_day, benefit_decision, case_follow_up,
    employer, employment_item, employment_plan, job_coaching, labour_policy_statement,
    meeting_agency_section, meeting_agenda_item, meeting_participant, network_meeting, pay_subsidy,
    programme, provider, rehab_interruption, rehab_period, typ_case, work_ability_assessment,
};
use sea_orm::DatabaseTransaction;

use crate::authz::scope::RowScope;
use crate::domain::Agency;
use crate::error::AppError;
use crate::services::context::ScopedClient;
use crate::services::loads::{self, OfficialName};

/// Loads records for one request. It holds the request's transaction weakly, so that when
/// the request is done the transaction has a single owner again and can be committed.
pub struct RecordLoader {
    pub tx: Weak<DatabaseTransaction>,
    pub scope: RowScope,
    pub agency: Agency,
    /// Records brought ahead in one statement ([`loads::bundle`]) by a query resolver
    /// that knows what its children will ask for; the loaders answer from here first.
    /// Filled only while a query (never a mutation) runs, so it cannot go stale.
    pub prefetched: std::sync::Mutex<loads::Prefetched>,
}

impl RecordLoader {
    pub fn new(tx: Weak<DatabaseTransaction>, scope: RowScope, agency: Agency) -> Self {
        RecordLoader {
            tx,
            scope,
            agency,
            prefetched: std::sync::Mutex::default(),
        }
    }

    /// Keeps bundled records for the loaders (merged with any brought earlier).
    pub fn prefetch(&self, bundle: loads::Prefetched) {
        let Ok(mut store) = self.prefetched.lock() else {
            return;
        };
        store.cases.extend(bundle.cases);
        store.plans.extend(bundle.plans);
        store.consents.extend(bundle.consents);
        store.periods.extend(bundle.periods);
        store.assessments.extend(bundle.assessments);
        store.benefits.extend(bundle.benefits);
        store.statements.extend(bundle.statements);
        store.employment_items.extend(bundle.employment_items);
        store.coachings.extend(bundle.coachings);
        store.meetings.extend(bundle.meetings);
        store.notes.extend(bundle.notes);
        store.officials.extend(bundle.officials);
        store.plan_actions.extend(bundle.plan_actions);
        store.providers.extend(bundle.providers);
        store.clients.extend(bundle.clients);
    }

    /// The client `id` as a query resolver already read it in this request, if it did.
    pub fn prefetched_client(&self, id: &str) -> Option<crate::services::client::ClientRecord> {
        self.prefetched.lock().ok()?.clients.get(id).cloned()
    }

    /// The keys' prefetched values, and the keys that must still be loaded.
    fn split_prefetched<K: Clone + Eq + std::hash::Hash, V: Clone>(
        &self,
        keys: Vec<K>,
        field: impl Fn(&loads::Prefetched) -> &HashMap<K, V>,
    ) -> (HashMap<K, V>, Vec<K>) {
        let mut found = HashMap::new();
        let Ok(store) = self.prefetched.lock() else {
            return (found, keys);
        };
        let map = field(&store);
        let mut missing = Vec::new();
        for k in keys {
            match map.get(&k) {
                Some(v) => {
                    found.insert(k, v.clone());
                }
                None => missing.push(k),
            }
        }
        (found, missing)
    }

    fn tx(&self) -> Result<Arc<DatabaseTransaction>, LoadError> {
        self.tx
            .upgrade()
            .ok_or_else(|| LoadError(Arc::new("request transaction already ended".into())))
    }
}

/// The error type of the loaders: cloned to every waiting field.
#[derive(Clone, Debug)]
pub struct LoadError(Arc<String>);

impl From<sea_orm::DbErr> for LoadError {
    fn from(e: sea_orm::DbErr) -> Self {
        let cause = crate::error::db_error_summary(&e);
        tracing::error!(cause = %cause, "loading records failed");
        LoadError(Arc::new(cause))
    }
}

impl From<LoadError> for AppError {
    fn from(e: LoadError) -> Self {
        AppError::Internal(e.0.to_string())
    }
}

impl From<LoadError> for async_graphql::Error {
    fn from(e: LoadError) -> Self {
        AppError::from(e).into()
    }
}

macro_rules! keyed {
    (@split $this:ident, $keys:ident) => {
        (HashMap::new(), $keys)
    };
    (@split $this:ident, $keys:ident, $field:ident) => {
        $this.split_prefetched($keys, |p| &p.$field)
    };
    ($key:ident, $model:ty, $field:ident, |$this:ident, $keys:ident| $body:expr) => {
        /// DataLoader key.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $key(pub ScopedClient);

        impl Loader<$key> for RecordLoader {
            type Value = Vec<$model>;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let $this = self;
                let wanted: Vec<ScopedClient> = keys.iter().map(|k| k.0.clone()).collect();
                let (mut found, $keys) = self.split_prefetched(wanted, |p| &p.$field);
                if !$keys.is_empty() {
                    found.extend($body.await?);
                }
                Ok(found.into_iter().map(|(k, v)| ($key(k), v)).collect())
            }
        }
    };
    (by_id $key:ident, $model:ty, $(prefetched $field:ident,)? |$this:ident, $keys:ident| $body:expr) => {
        /// DataLoader key.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $key(pub String);

        impl Loader<$key> for RecordLoader {
            type Value = $model;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let $this = self;
                let $keys: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
                let (mut found, $keys) = keyed!(@split self, $keys $(, $field)?);
                if !$keys.is_empty() {
                    found.extend($body.await?);
                }
                Ok(found.into_iter().map(|(k, v)| ($key(k), v)).collect())
            }
        }
    };
}

keyed!(CasesOf, typ_case::Model, cases, |l, k| loads::cases(
    l.tx()?.as_ref(),
    &l.scope,
    &k
));
keyed!(ConsentsOf, loads::ConsentRecord, consents, |l, k| {
    loads::consents(l.tx()?.as_ref(), &l.scope, &k)
});
keyed!(PeriodsOf, rehab_period::Model, periods, |l, k| {
    loads::periods(l.tx()?.as_ref(), &l.scope, &k)
});
keyed!(
    AssessmentsOf,
    work_ability_assessment::Model,
    assessments,
    |l, k| { loads::assessments(l.tx()?.as_ref(), &l.scope, &k) }
);
keyed!(BenefitsOf, benefit_decision::Model, benefits, |l, k| {
    loads::benefits(l.tx()?.as_ref(), &l.scope, &k)
});
keyed!(
    StatementsOf,
    labour_policy_statement::Model,
    statements,
    |l, k| { loads::statements(l.tx()?.as_ref(), &l.scope, &k) }
);
keyed!(
    EmploymentItemsOf,
    employment_item::Model,
    employment_items,
    |l, k| { loads::employment_items(l.tx()?.as_ref(), &l.scope, &k) }
);
keyed!(CoachingsOf, job_coaching::Model, coachings, |l, k| {
    loads::coachings(l.tx()?.as_ref(), &l.scope, &k)
});
keyed!(MeetingsOf, network_meeting::Model, meetings, |l, k| {
    loads::meetings(l.tx()?.as_ref(), &l.scope, &k)
});

/// Notes of a client; the flag says the caller holds a SOCIAL consent for the client.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NotesOf(pub ScopedClient, pub bool);

impl Loader<NotesOf> for RecordLoader {
    type Value = Vec<agency_note::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[NotesOf]) -> Result<HashMap<NotesOf, Self::Value>, Self::Error> {
        let wanted: Vec<(ScopedClient, bool)> = keys.iter().map(|k| (k.0.clone(), k.1)).collect();
        let (prefetched, missing) = self.split_prefetched(wanted, |p| &p.notes);
        let mut out: HashMap<NotesOf, Self::Value> = prefetched
            .into_iter()
            .map(|((c, s), v)| (NotesOf(c, s), v))
            .collect();
        if !missing.is_empty() {
            let clients: Vec<ScopedClient> = missing.iter().map(|k| k.0.clone()).collect();
            let social: Vec<String> = missing
                .iter()
                .filter(|k| k.1)
                .map(|k| k.0.client_id.clone())
                .collect();
            let mut found =
                loads::notes(self.tx()?.as_ref(), &self.scope, &clients, &social).await?;
            for (client, s) in missing {
                let notes = found.remove(&client).unwrap_or_default();
                out.insert(NotesOf(client, s), notes);
            }
        }
        Ok(out)
    }
}

/// Allowance lines of a period in a month (`YYYY-MM`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AllowanceOf(pub String, pub String);

impl Loader<AllowanceOf> for RecordLoader {
    type Value = Vec<allowance_line::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[AllowanceOf],
    ) -> Result<HashMap<AllowanceOf, Self::Value>, Self::Error> {
        let pairs: Vec<(String, String)> =
            keys.iter().map(|k| (k.0.clone(), k.1.clone())).collect();
        let mut found = loads::allowance_lines(self.tx()?.as_ref(), &pairs).await?;
        Ok(keys
            .iter()
            .map(|k| {
                let lines = found
                    .remove(&(k.0.clone(), k.1.clone()))
                    .unwrap_or_default();
                (k.clone(), lines)
            })
            .collect())
    }
}

keyed!(by_id PlansOfCase, Vec<employment_plan::Model>, prefetched plans, |l, k| loads::plans(l.tx()?.as_ref(), &k));
keyed!(by_id ActionsOfPlan, Vec<agreed_action::Model>, prefetched plan_actions, |l, k| loads::actions(l.tx()?.as_ref(), "plan_id", &k));
keyed!(by_id ActionsOfMeeting, Vec<agreed_action::Model>, |l, k| loads::actions(l.tx()?.as_ref(), "meeting_id", &k));
keyed!(by_id ActionsOfCase, Vec<agreed_action::Model>, |l, k| loads::actions(l.tx()?.as_ref(), "case_id", &k));
keyed!(by_id AttendanceOf, Vec<attendance_day::Model>, |l, k| loads::attendance(l.tx()?.as_ref(), &k));
keyed!(by_id ParticipantsOf, Vec<meeting_participant::Model>, |l, k| loads::participants(l.tx()?.as_ref(), &k));
keyed!(by_id AgendaOf, Vec<meeting_agenda_item::Model>, |l, k| loads::agenda(l.tx()?.as_ref(), &k));
keyed!(by_id OwnSectionsOf, Vec<meeting_agency_section::Model>, |l, k| loads::own_sections(l.tx()?.as_ref(), l.agency, &k));
keyed!(by_id InterruptionsOf, Vec<rehab_interruption::Model>, |l, k| loads::interruptions(l.tx()?.as_ref(), &k));
keyed!(by_id CompetenceOfPeriod, Vec<entity::competence_record::Model>, |l, k| loads::competence(l.tx()?.as_ref(), &k));
keyed!(by_id FollowUpsOf, Vec<case_follow_up::Model>, |l, k| loads::follow_ups(l.tx()?.as_ref(), &k));
keyed!(by_id ProviderById, provider::Model, prefetched providers, |l, k| loads::providers(l.tx()?.as_ref(), &k));
keyed!(by_id EmployerById, employer::Model, |l, k| loads::employers_by_id(l.tx()?.as_ref(), &k));
keyed!(by_id ProgrammeById, programme::Model, |l, k| loads::programmes_by_id(l.tx()?.as_ref(), &k));
keyed!(by_id OfficialById, OfficialName, prefetched officials, |l, k| loads::official_names(l.tx()?.as_ref(), &k));

/// DataLoader key: the pay-subsidised employments of a client (never bundled with a view).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PaySubsidiesOf(pub ScopedClient);

impl Loader<PaySubsidiesOf> for RecordLoader {
    type Value = Vec<pay_subsidy::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[PaySubsidiesOf],
    ) -> Result<HashMap<PaySubsidiesOf, Self::Value>, Self::Error> {
        let wanted: Vec<ScopedClient> = keys.iter().map(|k| k.0.clone()).collect();
        let found = loads::pay_subsidies(self.tx()?.as_ref(), &self.scope, &wanted).await?;
        Ok(found
            .into_iter()
            .map(|(k, v)| (PaySubsidiesOf(k), v))
            .collect())
    }
}
