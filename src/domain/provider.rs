//! Providers of rehabilitative work activity and job coaching.

crate::closed_set! {
/// Kinds of KTT and coaching providers.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ProviderKind {
    /// The county's own workshop (työpaja).
    CountyWorkshop = "COUNTY_WORKSHOP",
    /// The county's own activity centre (toimintakeskus).
    CountyActivityCentre = "COUNTY_ACTIVITY_CENTRE",
    /// A service-voucher provider (palvelusetelituottaja).
    VoucherProvider = "VOUCHER_PROVIDER",
    /// A third-sector organisation (järjestö).
    ThirdSector = "THIRD_SECTOR",
}
}
