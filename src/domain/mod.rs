//! Domain vocabulary shared by every layer: agencies, roles, and the rules of the domain that
//! need no storage (personal identity codes, settings).

pub mod agency_work;
pub mod allowance;
pub mod benefit;
pub mod calendar;
pub mod closed_set;
pub mod consent;
pub mod criterion;
pub mod employment;
pub mod ktt;
pub mod ktt_decision;
pub mod outcome;
pub mod personal_identity_code;
pub mod provider;
pub mod settings;

crate::closed_set! {
/// The agencies of TYP, by their stable codes (display names come from data).
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Agency {
    /// The employment authority (TE office until 2024, South Karelia employment area since 2025).
    Te = "TE",
    /// The wellbeing services county of South Karelia (formerly Eksote).
    Eksote = "EKSOTE",
    /// Kela, the Social Insurance Institution.
    Kela = "KELA",
    /// A KTT or coaching provider (palveluntuottaja).
    Provider = "PROVIDER",
}
}

crate::closed_set! {
/// The roles an official (or the client) holds.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Responsible officer (vastuuvirkailija) who owns TYP client relationships.
    TypOfficer = "TYP_OFFICER",
    /// Employment expert of the employment authority.
    TeExpert = "TE_EXPERT",
    /// Social worker or social instructor of the county.
    EksoteWorker = "EKSOTE_WORKER",
    /// Benefits and rehabilitation expert of Kela.
    KelaExpert = "KELA_EXPERT",
    /// Work coach or instructor at a KTT placement.
    ProviderCoach = "PROVIDER_COACH",
    /// Reporting only: aggregates, never a person.
    Analyst = "ANALYST",
    /// Data-protection officer: the access log, never the case content.
    Auditor = "AUDITOR",
    /// Officials, providers and policy; never client content.
    Admin = "ADMIN",
    /// County management (the wellbeing services county as the organiser of KTT): the
    /// county's administrative acts over the whole service, such as a service-wide
    /// interruption; never client content.
    CountyManager = "COUNTY_MANAGER",
    /// The client themself (token subject: the client's id): their own case and access log
    /// only, through the client schema. Never held by an official.
    Client = "CLIENT",
}
}

impl Role {
    /// The overseer roles: they administer or audit the service and read no
    /// case content, so an official holding one holds no role that handles client data
    /// unless the policy waives it (`DUTIES/combine`).
    pub fn is_overseer(self) -> bool {
        matches!(self, Role::Admin | Role::Auditor)
    }

    /// The roles of the agencies' own staff, who work with clients' cases.
    pub fn is_agency_role(self) -> bool {
        matches!(
            self,
            Role::TypOfficer
                | Role::TeExpert
                | Role::EksoteWorker
                | Role::KelaExpert
                | Role::ProviderCoach
        )
    }

    /// Whether an official of `agency` may hold this role.
    pub fn allowed_for(self, agency: Agency) -> bool {
        match self {
            Role::TypOfficer => matches!(agency, Agency::Te | Agency::Eksote | Agency::Kela),
            Role::TeExpert => agency == Agency::Te,
            Role::EksoteWorker => agency == Agency::Eksote,
            Role::KelaExpert => agency == Agency::Kela,
            Role::ProviderCoach => agency == Agency::Provider,
            Role::Analyst | Role::Auditor | Role::Admin => true,
            Role::CountyManager => agency == Agency::Eksote,
            Role::Client => false,
        }
    }
}

/// A stored code that is not one of the known values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownCode;

impl std::fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unknown code")
    }
}
