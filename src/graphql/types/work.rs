//! Work and employers: employers and programmes (registers, no client's data) and a
//! client's pay-subsidised employment (group EMPLOYMENT).

use crate::graphql::engine::scalars::Date;
use async_graphql::{Context, Object, Result, ID};
use entity::{employer, pay_subsidy, programme};
use typgraph_macros::guarded;

use crate::domain::employment::SubsidyFollowUp;
use crate::graphql::engine::loader::EmployerById;
use crate::graphql::request_loader;

/// An employer of the register.
pub struct EmployerNode {
    pub row: employer::Model,
}

/// An employer (työnantaja): a business and its contact person. No client's data; read by
/// the roles that read pay-subsidised employment.
#[Object(name = "Employer")]
impl EmployerNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }

    /// Name of the business.
    async fn name(&self) -> &str {
        &self.row.name
    }

    /// Business id (Y-tunnus), `NNNNNNN-C`.
    async fn business_id(&self) -> &str {
        &self.row.business_id
    }

    /// The employer's contact person.
    async fn contact_name(&self) -> Option<&str> {
        self.row.contact_name.as_deref()
    }

    async fn contact_phone(&self) -> Option<&str> {
        self.row.contact_phone.as_deref()
    }

    async fn contact_email(&self) -> Option<&str> {
        self.row.contact_email.as_deref()
    }
}

/// A programme of the register.
pub struct ProgrammeNode {
    pub row: programme::Model,
}

/// A programme (hanke, pilotti): a regional job-coaching pilot or a development project
/// that cases and job coaching are tagged with for reporting. Reference data.
#[Object(name = "Programme")]
impl ProgrammeNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }

    /// Stable code, used in reports.
    async fn code(&self) -> &str {
        &self.row.code
    }

    async fn name(&self) -> &str {
        &self.row.name
    }

    /// First day the programme runs.
    async fn valid_from(&self) -> Date {
        Date(self.row.valid_from)
    }

    /// Last day the programme runs; open-ended when null.
    async fn valid_until(&self) -> Option<Date> {
        self.row.valid_until.map(Date)
    }
}

client_row_node! {
    /// A pay-subsidised employment.
    PaySubsidyNode(pay_subsidy::Model)
}

/// Pay-subsidised employment (palkkatuettu työ) of the client, recorded by the employment
/// authority, which grants the pay subsidy. EMPLOYMENT.
#[guarded(id = self.row.id)]
#[Object(name = "PaySubsidy")]
impl PaySubsidyNode {
    /// The employer.
    #[field(PaySubsidyEmployer)]
    async fn employer(&self, ctx: &Context<'_>) -> Result<Option<EmployerNode>> {
        let row = request_loader(ctx)?
            .load_one(EmployerById(self.row.employer_id.clone()))
            .await?;
        Ok(row.map(|row| EmployerNode { row }))
    }
    /// First day of the employment.
    #[field(PaySubsidyStartsOn = Date(self.row.starts_on))]
    fn starts_on(&self) -> Date;
    /// Last day of the subsidy.
    #[field(PaySubsidyEndsOn = Date(self.row.subsidy_ends_on))]
    fn subsidy_ends_on(&self) -> Date;
    /// Working hours per week.
    #[field(PaySubsidyHoursPerWeek = self.row.hours_per_week)]
    fn hours_per_week(&self) -> i32;
    /// The walk-alongside job coaching (a `JobCoaching` of the client) that supports it.
    #[field(PaySubsidyCoaching = self.row.job_coaching_id.clone().map(ID))]
    fn walk_alongside_coaching_id(&self) -> Option<ID>;
    /// The day the subsidised employment ended; null while it runs.
    #[field(PaySubsidyEndedOn = self.row.ended_on.map(Date))]
    fn ended_on(&self) -> Option<Date>;
    /// What followed the end.
    #[field(PaySubsidyFollowedBy = self.row.followed_by.as_deref().and_then(|c| c.parse::<SubsidyFollowUp>().ok()))]
    fn followed_by(&self) -> Option<SubsidyFollowUp>;
}
