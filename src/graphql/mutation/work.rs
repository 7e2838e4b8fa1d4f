//! Work and employers: pay-subsidised employment, the service track and programme tags of
//! cases and job coaching (client data, on the write path), and the employer and programme
//! registers (no client data; each change in the registers' log).

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};
use chrono::NaiveDate;

use super::request;
use crate::domain::employment::{ServiceTrack, SubsidyFollowUp};
use crate::graphql::engine::scalars::Date;
use crate::graphql::types::agency_records::CoachingNode;
use crate::graphql::types::case::TypCaseNode;
use crate::graphql::types::work::{EmployerNode, PaySubsidyNode, ProgrammeNode};
use crate::services::case_tags;
use crate::services::pay_subsidy::{self, NewPaySubsidy};
use crate::services::registers::{self, EmployerInput, ProgrammeInput};

#[derive(Default)]
pub struct WorkMutations;

/// Input of `recordPaySubsidy`.
#[derive(InputObject)]
pub struct RecordPaySubsidyInput {
    pub client_id: ID,
    pub employer_id: ID,
    /// First day of the employment.
    pub starts_on: Date,
    /// Last day of the subsidy; not before `startsOn`.
    pub subsidy_ends_on: Date,
    /// Working hours per week, 1 to 40.
    pub hours_per_week: i32,
    /// A walk-alongside job coaching (kind WALK_ALONGSIDE) of the same client that
    /// supports the employment.
    pub walk_alongside_coaching_id: Option<ID>,
}

/// Input of `endPaySubsidy`.
#[derive(InputObject)]
pub struct EndPaySubsidyInput {
    pub pay_subsidy_id: ID,
    /// The last day of the subsidised employment: not in the future, not before it started,
    /// at the latest the subsidy's last day.
    pub ended_on: Date,
    /// What followed: work that goes on with the same employer without subsidy is
    /// OPEN_LABOUR_MARKET.
    pub followed_by: SubsidyFollowUp,
}

written_mutations! {
    WorkMutations;

    /// Records pay-subsidised employment (palkkatuettu työ) of a client: the employment
    /// authority's record (EMPLOYMENT write, agency TE). `CONFLICT` when it overlaps
    /// another of the client's.
    #[graphql(visible = "super::visible::employment")]
    record_pay_subsidy(input: RecordPaySubsidyInput) -> PaySubsidyNode = "recordPaySubsidy",
        |rc| pay_subsidy::record_pay_subsidy(rc, NewPaySubsidy {
            client_id: input.client_id.0,
            employer_id: input.employer_id.0,
            starts_on: input.starts_on.0,
            subsidy_ends_on: input.subsidy_ends_on.0,
            hours_per_week: input.hours_per_week,
            walk_alongside_coaching_id: input.walk_alongside_coaching_id.map(|i| i.0),
        });

    /// Ends pay-subsidised employment with what followed (EMPLOYMENT write, agency TE).
    #[graphql(visible = "super::visible::employment")]
    end_pay_subsidy(input: EndPaySubsidyInput) -> PaySubsidyNode = "endPaySubsidy",
        |rc| pay_subsidy::end_pay_subsidy(
            rc, &input.pay_subsidy_id, input.ended_on.0, input.followed_by);

    /// Tags a job coaching with a programme that ran while the coaching did, or clears the
    /// tag (`programmeId` null). COACHING write.
    #[graphql(visible = "super::visible::coaching")]
    tag_job_coaching(coaching_id: ID, programme_id: Option<ID>) -> CoachingNode =
        "tagJobCoaching",
        |rc| case_tags::tag_job_coaching(rc, &coaching_id, programme_id.as_ref().map(|i| i.as_str()));

    /// Changes the service track of an open case (CASE write, the responsible agency).
    #[graphql(visible = "super::visible::case")]
    set_case_service_track(case_id: ID, service_track: ServiceTrack) -> TypCaseNode =
        "setCaseServiceTrack",
        |rc| case_tags::set_service_track(rc, &case_id, service_track);

    /// Tags a case with a programme that ran while the case did, or clears the tag
    /// (`programmeId` null). CASE write, the responsible agency.
    #[graphql(visible = "super::visible::case")]
    set_case_programme(case_id: ID, programme_id: Option<ID>) -> TypCaseNode =
        "setCaseProgramme",
        |rc| case_tags::set_case_programme(rc, &case_id, programme_id.as_ref().map(|i| i.as_str()));
}

#[derive(Default)]
pub struct RegisterMutations;

/// Input of `createEmployer`.
#[derive(InputObject)]
pub struct CreateEmployerInput {
    pub name: String,
    /// Business id (Y-tunnus) `NNNNNNN-C`; its check digit is checked.
    pub business_id: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
}

/// Input of `updateEmployer`: omitted fields stay; a contact field given empty is cleared.
#[derive(InputObject)]
pub struct UpdateEmployerInput {
    pub id: ID,
    pub name: Option<String>,
    pub business_id: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
}

/// Input of `createProgramme`.
#[derive(InputObject)]
pub struct CreateProgrammeInput {
    /// Stable code: letters A-Z, digits, `-` and `_`, at most 40.
    pub code: String,
    pub name: String,
    pub valid_from: Date,
    /// Open-ended when omitted.
    pub valid_until: Option<Date>,
}

/// Input of `updateProgramme`: omitted fields stay; `validUntil: null` makes it
/// open-ended. The code does not change.
#[derive(InputObject)]
pub struct UpdateProgrammeInput {
    pub id: ID,
    pub name: Option<String>,
    pub valid_from: Option<Date>,
    pub valid_until: MaybeUndefined<Date>,
}

#[Object]
impl RegisterMutations {
    /// Registers an employer (`REGISTER/employers` write). `CONFLICT` when the business id
    /// is registered already.
    #[graphql(visible = "super::visible::employers")]
    async fn create_employer(
        &self,
        ctx: &Context<'_>,
        input: CreateEmployerInput,
    ) -> Result<EmployerNode> {
        let rc = request(ctx, "createEmployer")?;
        let row = registers::create_employer(
            rc,
            EmployerInput {
                name: Some(input.name),
                business_id: Some(input.business_id),
                contact_name: input.contact_name,
                contact_phone: input.contact_phone,
                contact_email: input.contact_email,
            },
        )
        .await?;
        Ok(EmployerNode { row })
    }

    /// Changes an employer's details (`REGISTER/employers` write).
    #[graphql(visible = "super::visible::employers")]
    async fn update_employer(
        &self,
        ctx: &Context<'_>,
        input: UpdateEmployerInput,
    ) -> Result<EmployerNode> {
        let rc = request(ctx, "updateEmployer")?;
        let row = registers::update_employer(
            rc,
            &input.id,
            EmployerInput {
                name: input.name,
                business_id: input.business_id,
                contact_name: input.contact_name,
                contact_phone: input.contact_phone,
                contact_email: input.contact_email,
            },
        )
        .await?;
        Ok(EmployerNode { row })
    }

    /// Adds a programme (`REGISTER/programmes` write: ADMIN, the county's management).
    /// `CONFLICT` when the code exists.
    #[graphql(visible = "super::visible::programmes")]
    async fn create_programme(
        &self,
        ctx: &Context<'_>,
        input: CreateProgrammeInput,
    ) -> Result<ProgrammeNode> {
        let rc = request(ctx, "createProgramme")?;
        let row = registers::create_programme(
            rc,
            ProgrammeInput {
                code: Some(input.code),
                name: Some(input.name),
                valid_from: Some(input.valid_from.0),
                valid_until: Some(input.valid_until.map(|d| d.0)),
            },
        )
        .await?;
        Ok(ProgrammeNode { row })
    }

    /// Renames a programme or changes its validity (`REGISTER/programmes` write).
    #[graphql(visible = "super::visible::programmes")]
    async fn update_programme(
        &self,
        ctx: &Context<'_>,
        input: UpdateProgrammeInput,
    ) -> Result<ProgrammeNode> {
        let rc = request(ctx, "updateProgramme")?;
        let until: Option<Option<NaiveDate>> = match input.valid_until {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(d) => Some(Some(d.0)),
        };
        let row = registers::update_programme(
            rc,
            &input.id,
            ProgrammeInput {
                code: None,
                name: input.name,
                valid_from: input.valid_from.map(|d| d.0),
                valid_until: until,
            },
        )
        .await?;
        Ok(ProgrammeNode { row })
    }
}
