//! Service vouchers and the employment authority's coaching hours against its cap (group
//! COACHING), and the county's approvals of voucher providers (not client data).

use async_graphql::{Enum, Object, ID};
use entity::provider_voucher_approval;
use typgraph_macros::guarded;

use crate::graphql::engine::scalars::Date;
use crate::services::coaching::TeHours;
use crate::services::voucher::Voucher;

/// The kind of a job coaching ordered.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum CoachingKind {
    /// Individual job coaching.
    Individual,
    /// Neuropsychiatric coaching.
    Neuropsychiatric,
    /// Walk-alongside coaching (a coach along at the workplace).
    WalkAlongside,
    /// Coaching in a group.
    Group,
}

impl CoachingKind {
    pub fn code(self) -> &'static str {
        match self {
            CoachingKind::Individual => "INDIVIDUAL",
            CoachingKind::Neuropsychiatric => "NEUROPSYCHIATRIC",
            CoachingKind::WalkAlongside => "WALK_ALONGSIDE",
            CoachingKind::Group => "GROUP",
        }
    }
}

/// What a service voucher buys.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum VoucherKind {
    /// Rehabilitative work activity (kuntouttava työtoiminta).
    Ktt,
    /// Job coaching (työhönvalmennus).
    Coaching,
}

impl VoucherKind {
    pub fn code(self) -> &'static str {
        match self {
            VoucherKind::Ktt => "KTT",
            VoucherKind::Coaching => "COACHING",
        }
    }

    fn of(code: &str) -> Option<VoucherKind> {
        match code {
            "KTT" => Some(VoucherKind::Ktt),
            "COACHING" => Some(VoucherKind::Coaching),
            _ => None,
        }
    }
}

/// The unit a voucher's value is given per.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum VoucherUnit {
    /// Per attended KTT day.
    Day,
    /// Per coaching hour used.
    Hour,
    /// Per month with any use.
    Month,
}

impl VoucherUnit {
    pub fn code(self) -> &'static str {
        match self {
            VoucherUnit::Day => "DAY",
            VoucherUnit::Hour => "HOUR",
            VoucherUnit::Month => "MONTH",
        }
    }

    fn of(code: &str) -> Option<VoucherUnit> {
        match code {
            "DAY" => Some(VoucherUnit::Day),
            "HOUR" => Some(VoucherUnit::Hour),
            "MONTH" => Some(VoucherUnit::Month),
            _ => None,
        }
    }
}

/// Where a voucher stands.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum VoucherStatus {
    /// Granted; the client has not chosen a provider yet.
    Granted,
    /// The client chose a provider, which has not answered yet.
    Chosen,
    /// The chosen provider accepted.
    Accepted,
    /// The chosen provider declined: the client may choose another.
    Declined,
}

impl VoucherStatus {
    fn of(code: &str) -> Option<VoucherStatus> {
        match code {
            "GRANTED" => Some(VoucherStatus::Granted),
            "CHOSEN" => Some(VoucherStatus::Chosen),
            "ACCEPTED" => Some(VoucherStatus::Accepted),
            "DECLINED" => Some(VoucherStatus::Declined),
            _ => None,
        }
    }
}

client_row_node! {
    /// A service voucher with its use.
    VoucherNode(Voucher)
}

/// A service voucher (palveluseteli) the county granted for KTT or job coaching: its value,
/// validity, the provider the client chose and its answer, and how much of it is used.
#[guarded(id = self.row.id)]
#[Object(name = "ServiceVoucher")]
impl VoucherNode {
    /// KTT or COACHING.
    #[field(VoucherKind = VoucherKind::of(&self.row.kind))]
    fn kind(&self) -> Option<VoucherKind>;
    /// The unit the value is per.
    #[field(VoucherUnit = VoucherUnit::of(&self.row.unit))]
    fn unit(&self) -> Option<VoucherUnit>;
    /// Value per unit, in cents.
    #[field(VoucherValueCents = self.row.value_cents)]
    fn value_cents(&self) -> i64;
    /// Days (KTT) or hours (coaching) granted.
    #[field(VoucherQuantity = self.row.quantity)]
    fn quantity(&self) -> i32;
    /// First day of validity.
    #[field(VoucherValidFrom = Date(self.row.valid_from))]
    fn valid_from(&self) -> Date;
    /// Last day of validity.
    #[field(VoucherValidUntil = Date(self.row.valid_until))]
    fn valid_until(&self) -> Date;
    /// Where it stands.
    #[field(VoucherStatus = VoucherStatus::of(&self.row.status))]
    fn status(&self) -> Option<VoucherStatus>;
    /// The day it was granted.
    #[field(VoucherGrantedOn = Date(self.row.granted_on))]
    fn granted_on(&self) -> Date;
    /// The provider the client chose (see `providers`).
    #[field(VoucherProvider = self.row.provider_id.clone().map(ID))]
    fn provider_id(&self) -> Option<ID>;
    /// The day the client's choice was recorded.
    #[field(VoucherChosenOn = self.row.chosen_on.map(Date))]
    fn chosen_on(&self) -> Option<Date>;
    /// The day the provider answered.
    #[field(VoucherAnsweredOn = self.row.answered_on.map(Date))]
    fn answered_on(&self) -> Option<Date>;
    /// Why the provider declined.
    #[field(VoucherDeclineReason = self.row.decline_reason.as_deref())]
    fn decline_reason(&self) -> Option<&str>;
    /// The KTT period placed under it.
    #[field(VoucherPeriodId = self.row.rehab_period_id.clone().map(ID))]
    fn period_id(&self) -> Option<ID>;
    /// Used within its validity: attended KTT days, or coaching hours.
    #[field(VoucherUsed = self.row.used)]
    fn used(&self) -> i64;
    /// Days or hours still left of the quantity granted.
    #[field(VoucherRemaining = self.row.remaining())]
    fn remaining(&self) -> i64;
    /// The client's name (CONTACT), for the provider to know whom the voucher is for.
    #[field(VoucherClientName = format!("{} {}", self.row.first_name, self.row.last_name))]
    fn client_name(&self) -> String;
}

client_row_node! {
    /// The employment authority's coaching hours of one client.
    TeCoachingHoursNode(TeHours)
}

/// Job coaching the employment authority has bought for the client as a purchased service,
/// against the cap per client (`TYPGRAPH_TE_COACHING_HOURS_CAP`).
#[guarded]
#[Object(name = "TeCoachingHours")]
impl TeCoachingHoursNode {
    /// The most the employment authority buys for one client.
    #[field(CoachingCapHours = self.row.cap)]
    fn cap_hours(&self) -> i64;
    /// Hours bought so far.
    #[field(CoachingCapBought = self.row.bought)]
    fn bought_hours(&self) -> i64;
    /// Hours used of those bought.
    #[field(CoachingCapUsed = self.row.used)]
    fn used_hours(&self) -> i64;
    /// Hours the employment authority may still buy.
    #[field(CoachingCapLeft = self.row.left())]
    fn hours_left(&self) -> i64;
}

/// The county's approval of a provider for a kind of service voucher (act 569/2009 s. 5).
pub struct VoucherApprovalNode {
    pub row: provider_voucher_approval::Model,
}

/// A provider approved for a kind of service voucher: the client chooses among these.
#[Object(name = "VoucherApproval")]
impl VoucherApprovalNode {
    /// The provider (see `providers`).
    async fn provider_id(&self) -> ID {
        ID(self.row.provider_id.clone())
    }
    /// The kind of voucher.
    async fn kind(&self) -> Option<VoucherKind> {
        VoucherKind::of(&self.row.voucher_kind)
    }
    /// Approved since.
    async fn approved_on(&self) -> Date {
        Date(self.row.approved_on)
    }
    /// Withdrawn from this day.
    async fn withdrawn_on(&self) -> Option<Date> {
        self.row.withdrawn_on.map(Date)
    }
}
