//! Recognition of skills (opinnollistaminen) from KTT periods (group COMPETENCE).

use std::sync::Arc;

use async_graphql::{Context, Object, Result, ID};
use entity::competence_record;
use typgraph_macros::guarded;

use super::rows;
use crate::graphql::engine::loader::{CompetenceOfPeriod, PeriodsOf};
use crate::graphql::engine::scalars::Date;
use crate::graphql::request_loader;
use crate::services::ClientScope;

client_row_node! {
    /// A competence record.
    CompetenceRecordNode(competence_record::Model)
}

impl CompetenceRecordNode {
    /// The records of every period of the client the caller sees (a coach: its own
    /// placements), newest certificate first.
    pub async fn of_client(
        ctx: &Context<'_>,
        scope: &Arc<ClientScope>,
    ) -> Result<Vec<CompetenceRecordNode>> {
        let periods = rows(ctx, PeriodsOf(scope.key())).await?;
        let keys = periods.into_iter().map(|p| CompetenceOfPeriod(p.id));
        let mut found: Vec<competence_record::Model> = request_loader(ctx)?
            .load_many(keys)
            .await?
            .into_values()
            .flatten()
            .collect();
        found.sort_by(|a, b| {
            b.certified_on
                .cmp(&a.certified_on)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(CompetenceRecordNode::wrap(found, scope))
    }
}

/// Competence recognised from a KTT period (opinnollistaminen): what the client showed,
/// described against a qualification or a unit of one and certified by an education
/// provider, a step on a path to studies. Recorded by the coach of the period's provider.
#[guarded(id = self.row.id)]
#[Object(name = "CompetenceRecord")]
impl CompetenceRecordNode {
    /// The KTT period the competence was shown in.
    #[field(CompetencePeriodId = ID(self.row.period_id.clone()))]
    fn period_id(&self) -> ID;
    /// The qualification (tutkinto) the competence is described against.
    #[field(CompetenceQualification = &self.row.qualification)]
    fn qualification(&self) -> &str;
    /// The unit of the qualification (tutkinnon osa), when only part of it.
    #[field(CompetenceQualificationUnit = self.row.qualification_unit.as_deref())]
    fn qualification_unit(&self) -> Option<&str>;
    /// The competence areas shown (osaamisalueet).
    #[field(CompetenceAreas = &self.row.competence_areas)]
    fn competence_areas(&self) -> &str;
    /// The education provider (koulutuksen järjestäjä) that certified it.
    #[field(CompetenceEducationProvider = &self.row.education_provider)]
    fn education_provider(&self) -> &str;
    /// Date of the certificate (osaamistodistus).
    #[field(CompetenceCertifiedOn = Date(self.row.certified_on))]
    fn certified_on(&self) -> Date;
}
