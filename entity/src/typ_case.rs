//! A TYP client relationship (asiakkuus): phase, criterion, responsible officer, outcome.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "typ_case")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub phase: String,
    pub criterion: String,
    pub responsible_official_id: String,
    pub responsible_agency: String,
    pub opened_on: Date,
    pub mapping_deadline: Date,
    pub special_arrangements: Option<String>,
    pub education_history: Option<String>,
    pub work_history: Option<String>,
    pub ended_on: Option<Date>,
    pub outcome: Option<String>,
    pub created_at: DateTimeUtc,
    /// The day the closure was recorded (retention counts from the later of this and
    /// `ended_on`); `None` for a case closed before it was kept.
    pub closure_recorded_on: Option<Date>,
    /// Who recorded the closure.
    pub closed_by: Option<String>,
    /// The day the client withdrew the agreement to multi-agency work the case rests on.
    pub agreement_withdrawn_on: Option<Date>,
    /// The service track (MULTI_SECTOR or INDIVIDUAL_SUPPORT); `None` for a case opened
    /// before the track was recorded.
    pub service_track: Option<String>,
    /// The programme the case is tagged with for reporting.
    pub programme_id: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
