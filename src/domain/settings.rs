//! Local or uncertain rules of the domain, as settings with their documented defaults
//! (read from the environment by [`crate::config`]).

/// Domain settings, with their defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A closed TYP case keeps the client a TYP client for this many years (retention of
    /// working-age social services documents).
    pub typ_case_retention_years: u32,
    /// Length of the mapping period (kartoitusjakso) in months.
    pub mapping_period_months: u32,
    /// Review interval of a multi-sector plan in months.
    pub plan_review_months: u32,
    /// How far ahead the meeting brief lists upcoming period ends and reviews, in days.
    pub brief_horizon_days: u32,
    /// How far ahead the meeting brief lists pay subsidies that end, in days: time for the
    /// team to plan the step to the open labour market.
    pub subsidy_ending_days: u32,
    /// Expense allowance (kulukorvaus) or toimintaraha per attended day, in cents, with the
    /// day each amount took effect (ascending).
    pub allowance_cents: Vec<(chrono::NaiveDate, i64)>,
    /// At most this many days a week are paid.
    pub paid_days_per_week: u32,
    /// Travel is compensated when the placement is farther than this (km).
    pub travel_threshold_km: f64,
    /// Travel compensation per attended day at the cheapest means (a return bus ticket).
    pub travel_cents_per_day: i64,
    /// A new work-ability assessment within this many months of the last one is a duplicate.
    pub assessment_reuse_months: u32,
    /// The plan must be reviewed after this many months in KTT.
    pub rehab_review_months: u32,
    /// How far back a client sees who processed their data (act 703/2023 § 11), in years.
    pub own_log_years: u32,
    /// How long a break-glass grant lasts, in hours.
    pub break_glass_hours: u32,
    /// Basic client data is kept this many years after death.
    pub basic_data_years_after_death: u32,
    /// Fee decisions (allowance lines) are kept this many years after their month.
    pub fee_decision_years: u32,
    /// How many days back a TYP case may be recorded as opened or closed: a date further
    /// back would move clients out of every agency's scope, or towards erasure, at once.
    pub max_backdate_days: u32,
    /// How many days back a service-wide interruption may start (attendance of those days
    /// may be recorded already; a correction later than this is a case-by-case matter).
    pub service_interruption_back_days: u32,
    /// Extra days on which no KTT activity is held besides the public holidays (a county's
    /// own closure days, such as New Year's Eve): attendance on them needs an exception the
    /// decision allows, as on a holiday.
    pub extra_closure_days: Vec<chrono::NaiveDate>,
    /// How many days back a KTT decision may be dated (`decidedOn`; never ahead).
    pub ktt_decision_back_days: u32,
    /// How many days after the decision a decision sent by post counts as served: the
    /// seventh day after sending (Administrative Procedure Act 434/2003 s. 59(2)); `servedOn`
    /// may lie at most this far ahead of today.
    pub ktt_presumed_service_days: u32,
    /// The appeal instructions (oikaisuvaatimusohje) printed on every KTT decision in
    /// Finnish and in Swedish (Administrative Procedure Act 434/2003 ss. 46-47, 49 a-49 g;
    /// Social Welfare Act 1301/2014 s. 48).
    pub ktt_appeal_instructions_fi: String,
    pub ktt_appeal_instructions_sv: String,
    /// A provider's coach sees a client placed at the provider from the placement's
    /// decision until this many days after the period ends (or ended early): long enough to
    /// record the last attendance and hand over, not for ever (GDPR art. 5(1)(c) and (e):
    /// data minimisation and storage limitation).
    pub coach_access_days_after_end: u32,
    /// Hours of job coaching the employment authority may buy for one client as a purchased
    /// service (as we read act 916/2012 and its practice: 50 hours).
    pub te_coaching_hours_cap: u32,
}

/// The default appeal instructions of a KTT decision in Finnish.
pub const KTT_APPEAL_INSTRUCTIONS_FI: &str = "Tähän päätökseen tyytymätön voi tehdä siihen kirjallisen oikaisuvaatimuksen (sosiaalihuoltolaki 1301/2014, 48 §; hallintolaki 434/2003, 49 a–49 g §). Oikaisuvaatimuksen voi tehdä se, johon päätös on kohdistettu tai jonka oikeuteen, velvollisuuteen tai etuun päätös välittömästi vaikuttaa. Oikaisuvaatimus on tehtävä 30 päivän kuluessa päätöksen tiedoksisaannista; tiedoksisaantipäivää ei lueta määräaikaan. Kirjeellä lähetetyn päätöksen katsotaan tulleen tiedoksi seitsemäntenä päivänä sen lähettämisestä, jollei muuta näytetä (hallintolaki 59 §). Oikaisuvaatimus osoitetaan Etelä-Karjalan hyvinvointialueen yksilöasioita käsittelevälle toimielimelle ja toimitetaan hyvinvointialueen kirjaamoon ennen määräajan päättymistä. Oikaisuvaatimuksessa on ilmoitettava tekijän nimi ja yhteystiedot, päätös, johon oikaisua vaaditaan, millaista oikaisua vaaditaan ja millä perusteilla (hallintolaki 49 c §). Oikaisuvaatimus on maksuton. Päätökseen ei saa hakea muutosta valittamalla tuomioistuimeen ennen oikaisuvaatimusta (hallintolaki 49 b §).";

/// The default appeal instructions of a KTT decision in Swedish.
pub const KTT_APPEAL_INSTRUCTIONS_SV: &str = "Den som är missnöjd med detta beslut kan skriftligen begära omprövning av det (socialvårdslagen 1301/2014, 48 §; förvaltningslagen 434/2003, 49 a–49 g §). Omprövning får begäras av den som beslutet avser eller vars rätt, skyldighet eller fördel direkt påverkas av beslutet. Begäran om omprövning ska framställas inom 30 dagar från delfåendet av beslutet; dagen för delfåendet räknas inte in i tiden. Ett beslut som sänts per brev anses ha kommit till mottagarens kännedom den sjunde dagen efter att det sändes, om inte något annat visas (förvaltningslagen 59 §). Begäran riktas till det organ i Södra Karelens välfärdsområde som behandlar individärenden och lämnas till välfärdsområdets registratorskontor innan tiden går ut. I begäran ska anges namn och kontaktuppgifter, det beslut i vilket omprövning begärs, hurdan omprövning som yrkas och på vilka grunder (förvaltningslagen 49 c §). Begäran om omprövning är avgiftsfri. Ändring i beslutet får inte sökas genom besvär hos domstol innan omprövning har begärts (förvaltningslagen 49 b §).";

impl Settings {
    /// The allowance per attended day in force on `day`.
    pub fn allowance_on(&self, day: chrono::NaiveDate) -> i64 {
        self.allowance_cents
            .iter()
            .rev()
            .find(|(from, _)| *from <= day)
            .map(|(_, cents)| *cents)
            .unwrap_or(0)
    }

    /// Names the allowance rules in force, for the lines they produce.
    pub fn allowance_rule_version(&self) -> String {
        let rates: Vec<String> = self
            .allowance_cents
            .iter()
            .map(|(from, c)| format!("{c}c@{from}"))
            .collect();
        format!(
            "allowance {}; max {}/week; travel {}c/day over {} km",
            rates.join(","),
            self.paid_days_per_week,
            self.travel_cents_per_day,
            self.travel_threshold_km
        )
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            typ_case_retention_years: 10,
            mapping_period_months: 3,
            plan_review_months: 6,
            brief_horizon_days: 60,
            subsidy_ending_days: 90,
            allowance_cents: vec![(
                chrono::NaiveDate::from_ymd_opt(2001, 9, 1).unwrap_or(chrono::NaiveDate::MIN),
                900,
            )],
            paid_days_per_week: 5,
            travel_threshold_km: 3.0,
            travel_cents_per_day: 640,
            assessment_reuse_months: 12,
            rehab_review_months: 24,
            own_log_years: 2,
            break_glass_hours: 2,
            basic_data_years_after_death: 2,
            fee_decision_years: 12,
            max_backdate_days: 30,
            service_interruption_back_days: 30,
            extra_closure_days: Vec::new(),
            ktt_decision_back_days: 30,
            ktt_presumed_service_days: 7,
            ktt_appeal_instructions_fi: KTT_APPEAL_INSTRUCTIONS_FI.to_owned(),
            ktt_appeal_instructions_sv: KTT_APPEAL_INSTRUCTIONS_SV.to_owned(),
            coach_access_days_after_end: 90,
            te_coaching_hours_cap: 50,
        }
    }
}
