//! Disclosures of a client's data: on a consent to an agency, or on a statute to an agency
//! or a named outside body (act 906/2019 § 17).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "disclosure_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub access_log_id: i64,
    pub client_id: String,
    /// `CONSENT` or `STATUTORY`.
    pub basis: String,
    /// The receiving agency; `None` when the recipient is a named outside body.
    pub recipient_agency: Option<String>,
    /// The receiving outside body (an unemployment fund), when not an agency.
    pub recipient_name: Option<String>,
    /// The agency that disclosed; `None` on consent-based rows made before it was recorded.
    pub disclosing_agency: Option<String>,
    pub field_group: String,
    /// The consent a `CONSENT` disclosure rested on.
    pub consent_id: Option<String>,
    /// The statute a `STATUTORY` disclosure rested on, e.g. "1290/2002 ch. 11 s. 4".
    pub legal_section: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
