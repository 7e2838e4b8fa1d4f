//! Clients and everything recorded of them, drawn deterministically.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};

use super::names::*;
use super::writer::Batch;
use super::{anchor, Rng, SeedOfficial, SeedProvider};
use crate::domain::outcome::CaseOutcome;
use crate::domain::personal_identity_code;
use crate::domain::{Agency, Role};

const CRITERIA: [&str; 4] = [
    "LABOUR_MARKET_SUBSIDY_300_DAYS",
    "UNEMPLOYED_12_MONTHS_25_PLUS",
    "UNEMPLOYED_6_MONTHS_UNDER_25",
    "JOINT_ASSESSMENT",
];
/// Expense allowance per attended day, in cents (domain.md; a setting in the rules engine).
const ALLOWANCE_CENTS: i64 = 900;
/// Travel compensation per attended day at the cheapest means (two bus tickets), in cents.
const TRAVEL_CENTS: i64 = 640;
const TRAVEL_THRESHOLD_KM: f64 = 3.0;

fn closure() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(2020, 3, 17).unwrap_or(NaiveDate::MIN),
        NaiveDate::from_ymd_opt(2020, 5, 31).unwrap_or(NaiveDate::MIN),
    )
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn at_noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}

fn plus_months(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_add_months(Months::new(m)).unwrap_or(d)
}

fn plus_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

fn weighted<'a>(rng: &mut Rng, items: &'a [(&'a str, u64)]) -> &'a str {
    let total: u64 = items.iter().map(|i| i.1).sum();
    let mut n = rng.next_u64() % total;
    for (item, w) in items {
        if n < *w {
            return item;
        }
        n -= w;
    }
    items[0].0
}

/// One buffer per table.
struct Tables {
    client: Batch,
    consent: Batch,
    consent_group: Batch,
    case: Batch,
    follow_up: Batch,
    plan: Batch,
    action: Batch,
    period: Batch,
    attendance: Batch,
    allowance: Batch,
    allowance_link: Batch,
    assessment: Batch,
    benefit: Batch,
    statement: Batch,
    employment: Batch,
    coaching: Batch,
    meeting: Batch,
    participant: Batch,
    agenda: Batch,
    section: Batch,
    note: Batch,
    interruption: Batch,
}

impl Tables {
    fn new() -> Tables {
        Tables {
            client: Batch::new(
                "client",
                &[
                    "id",
                    "personal_identity_code",
                    "first_name",
                    "last_name",
                    "phone",
                    "email",
                    "street_address",
                    "postal_code",
                    "municipality",
                    "language",
                    "on_social_assistance",
                    "registered_by_agency",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            ),
            consent: Batch::new(
                "consent",
                &[
                    "id",
                    "client_id",
                    "kind",
                    "recipient_agency",
                    "given_on",
                    "valid_until",
                    "withdrawn_on",
                    "recorded_by",
                    "recorded_by_agency",
                    "created_at",
                ],
            ),
            consent_group: Batch::new("consent_field_group", &["consent_id", "field_group"]),
            case: Batch::new(
                "typ_case",
                &[
                    "id",
                    "client_id",
                    "phase",
                    "criterion",
                    "responsible_official_id",
                    "responsible_agency",
                    "opened_on",
                    "mapping_deadline",
                    "special_arrangements",
                    "education_history",
                    "work_history",
                    "ended_on",
                    "outcome",
                    "created_at",
                ],
            ),
            follow_up: Batch::new(
                "case_follow_up",
                &[
                    "id",
                    "case_id",
                    "months_after",
                    "status",
                    "recorded_on",
                    "recorded_by",
                ],
            ),
            plan: Batch::new(
                "employment_plan",
                &[
                    "id",
                    "case_id",
                    "kind",
                    "made_on",
                    "goals",
                    "review_on",
                    "created_by",
                    "created_at",
                ],
            ),
            action: Batch::new(
                "agreed_action",
                &[
                    "id",
                    "case_id",
                    "plan_id",
                    "meeting_id",
                    "owner_agency",
                    "description",
                    "due_on",
                    "completed_on",
                    "created_by",
                    "created_at",
                ],
            ),
            period: Batch::new(
                "rehab_period",
                &[
                    "id",
                    "client_id",
                    "case_id",
                    "provider_id",
                    "decision_number",
                    "decided_on",
                    "decided_by",
                    "starts_on",
                    "ends_on",
                    "days_per_week",
                    "hours_per_day",
                    "goal",
                    "support_needs",
                    "travel_distance_km",
                    "payer",
                    "created_at",
                ],
            ),
            attendance: Batch::new(
                "attendance_day",
                &[
                    "id",
                    "period_id",
                    "day",
                    "present",
                    "absence_reason",
                    "recorded_by",
                    "recorded_at",
                ],
            ),
            allowance: Batch::new(
                "allowance_line",
                &[
                    "id",
                    "period_id",
                    "month",
                    "kind",
                    "payer",
                    "days",
                    "amount_cents",
                    "rule_version",
                    "created_at",
                ],
            ),
            allowance_link: Batch::new(
                "allowance_line_attendance",
                &["allowance_line_id", "attendance_day_id"],
            ),
            assessment: Batch::new(
                "work_ability_assessment",
                &[
                    "id",
                    "client_id",
                    "assessed_on",
                    "assessor_agency",
                    "assessor_id",
                    "conclusion",
                    "restrictions",
                    "details",
                    "created_at",
                ],
            ),
            benefit: Batch::new(
                "benefit_decision",
                &[
                    "id",
                    "client_id",
                    "agency",
                    "benefit_kind",
                    "status",
                    "decided_on",
                    "valid_from",
                    "valid_until",
                    "decided_by",
                ],
            ),
            statement: Batch::new(
                "labour_policy_statement",
                &[
                    "id",
                    "client_id",
                    "issued_on",
                    "issued_by",
                    "statement_kind",
                    "content",
                ],
            ),
            employment: Batch::new(
                "employment_item",
                &[
                    "id",
                    "client_id",
                    "kind",
                    "description",
                    "due_on",
                    "recorded_by",
                    "created_at",
                ],
            ),
            coaching: Batch::new(
                "job_coaching",
                &[
                    "id",
                    "client_id",
                    "provider_id",
                    "kind",
                    "ordered_by_agency",
                    "hours",
                    "starts_on",
                    "ends_on",
                ],
            ),
            meeting: Batch::new(
                "network_meeting",
                &[
                    "id",
                    "case_id",
                    "client_id",
                    "scheduled_at",
                    "location",
                    "status",
                    "shared_record",
                    "held_on",
                    "created_by",
                    "created_at",
                ],
            ),
            participant: Batch::new(
                "meeting_participant",
                &[
                    "id",
                    "meeting_id",
                    "kind",
                    "official_id",
                    "agency",
                    "consent_id",
                ],
            ),
            agenda: Batch::new(
                "meeting_agenda_item",
                &["id", "meeting_id", "agency", "position", "title"],
            ),
            section: Batch::new(
                "meeting_agency_section",
                &["id", "meeting_id", "agency", "body", "author_id"],
            ),
            note: Batch::new(
                "agency_note",
                &[
                    "id",
                    "client_id",
                    "agency",
                    "author_id",
                    "body",
                    "shared_with_case_team",
                    "created_at",
                ],
            ),
            interruption: Batch::new(
                "service_interruption",
                &["id", "starts_on", "ends_on", "reason"],
            ),
        }
    }

    fn all(&mut self) -> [&mut Batch; 22] {
        [
            &mut self.client,
            &mut self.consent,
            &mut self.consent_group,
            &mut self.case,
            &mut self.follow_up,
            &mut self.plan,
            &mut self.meeting,
            &mut self.action,
            &mut self.period,
            &mut self.attendance,
            &mut self.allowance,
            &mut self.allowance_link,
            &mut self.assessment,
            &mut self.benefit,
            &mut self.statement,
            &mut self.employment,
            &mut self.coaching,
            &mut self.participant,
            &mut self.agenda,
            &mut self.section,
            &mut self.note,
            &mut self.interruption,
        ]
    }

    fn any_full(&mut self) -> bool {
        self.all().iter().any(|b| b.is_full())
    }

    /// Flushes every table, parents before children, so foreign keys hold.
    async fn flush(&mut self, conn: &impl ConnectionTrait) -> Result<(), DbErr> {
        for b in self.all() {
            b.flush(conn).await?;
        }
        Ok(())
    }
}

struct Staff<'a> {
    typ_officer: [&'a SeedOfficial; 3],
    te_expert: &'a SeedOfficial,
    eksote_worker: &'a SeedOfficial,
    kela_expert: &'a SeedOfficial,
    coaches: Vec<&'a SeedOfficial>,
}

fn staff(officials: &[SeedOfficial]) -> Option<Staff<'_>> {
    let with = |role: Role, agency: Agency| {
        officials
            .iter()
            .find(|o| o.active && o.roles.contains(&role) && o.agency == agency)
    };
    Some(Staff {
        typ_officer: [
            with(Role::TypOfficer, Agency::Te)?,
            with(Role::TypOfficer, Agency::Eksote)?,
            with(Role::TypOfficer, Agency::Kela)?,
        ],
        te_expert: with(Role::TeExpert, Agency::Te)?,
        eksote_worker: with(Role::EksoteWorker, Agency::Eksote)?,
        kela_expert: with(Role::KelaExpert, Agency::Kela)?,
        coaches: officials
            .iter()
            .filter(|o| o.active && o.roles.contains(&Role::ProviderCoach))
            .collect(),
    })
}

/// Writes `count` clients and their records; returns the number of attendance rows.
pub async fn write(
    conn: &impl ConnectionTrait,
    rng: &mut Rng,
    count: usize,
    providers: &[SeedProvider],
    officials: &[SeedOfficial],
) -> Result<u64, DbErr> {
    let staff = staff(officials).ok_or_else(|| DbErr::Custom("data set lacks officials".into()))?;
    let mut t = Tables::new();
    let (c0, c1) = closure();
    t.interruption.push(vec![
        rng.uuid().into(),
        c0.into(),
        c1.into(),
        "Closed by government order (COVID-19)".into(),
    ]);
    let mut codes = HashSet::new();
    let mut decision_no = 0u64;
    for i in 0..count {
        let mut g = Gen {
            rng: &mut *rng,
            t: &mut t,
            staff: &staff,
            providers,
            decision_no: &mut decision_no,
            index: i,
        };
        g.client(&mut codes)?;
        if t.any_full() {
            t.flush(conn).await?;
        }
    }
    t.flush(conn).await?;
    Ok(t.attendance.written)
}

struct Gen<'a, 'b> {
    rng: &'a mut Rng,
    t: &'a mut Tables,
    staff: &'a Staff<'b>,
    providers: &'a [SeedProvider],
    decision_no: &'a mut u64,
    index: usize,
}

impl Gen<'_, '_> {
    fn client(&mut self, codes: &mut HashSet<String>) -> Result<(), DbErr> {
        let rng = &mut *self.rng;
        let id = rng.uuid();
        let code = loop {
            let born = rng.date(ymd(1961, 1, 1), ymd(2005, 12, 31));
            let code = personal_identity_code::format(born, rng.range(900, 999) as u32);
            if codes.insert(code.clone()) {
                break code;
            }
        };
        let first = *rng.pick(FIRST_NAMES);
        let last = format!("{}{}", rng.pick(SURNAME_STEMS), rng.pick(SURNAME_ENDINGS));
        let (municipality, postal) = {
            let total: u64 = MUNICIPALITIES.iter().map(|m| m.2).sum();
            let mut n = rng.next_u64() % total;
            let mut pick = MUNICIPALITIES[0];
            for m in MUNICIPALITIES {
                if n < m.2 {
                    pick = *m;
                    break;
                }
                n -= m.2;
            }
            (pick.0, pick.1)
        };
        let language = weighted(rng, LANGUAGES);
        let social_assistance = rng.chance(25);
        let now = Utc::now();
        // Most clients come through the employment authority; some through the county or Kela.
        let registered = *rng.pick(&[
            Agency::Te,
            Agency::Te,
            Agency::Te,
            Agency::Eksote,
            Agency::Kela,
        ]);
        let phone = format!("+358 50 000 {:04}", self.index % 10_000);
        let email = format!(
            "{}.{}{}@esimerkki.invalid",
            ascii(first),
            ascii(&last),
            self.index
        );
        let street = format!("{} {}", rng.pick(STREETS), rng.range(1, 60));
        self.t.client.push(vec![
            id.clone().into(),
            code.into(),
            first.into(),
            last.into(),
            Some(phone).into(),
            Some(email).into(),
            Some(street).into(),
            Some(postal).into(),
            Some(municipality).into(),
            Some(language).into(),
            social_assistance.into(),
            registered.code().into(),
            1.into(),
            now.into(),
            now.into(),
        ]);

        // About one in seven never became a TYP client, or left so long ago that the
        // retention period has passed: agencies see only their own records of them.
        let kind = self.index % 7;
        if kind == 6 {
            if self.index % 2 == 0 {
                let opened = self.rng.date(ymd(2015, 1, 15), ymd(2015, 6, 30));
                let ended = plus_months(opened, 9);
                self.case(&id, opened, Some((ended, "MOVED")))?;
            }
            self.benefit(&id, social_assistance)?;
            if self.rng.chance(50) {
                self.note(&id, Agency::Te, false)?;
            }
            return Ok(());
        }
        let opened = self.rng.date(
            ymd(2017, 1, 1),
            plus_days(anchor(), 0)
                .checked_sub_days(Days::new(20))
                .unwrap_or(anchor()),
        );
        let closable = opened
            < anchor()
                .checked_sub_months(Months::new(18))
                .unwrap_or(anchor());
        let ended = if closable && self.rng.chance(60) {
            let end = plus_months(opened, self.rng.range(8, 30) as u32)
                .min(plus_days(anchor(), 0) - Days::new(1));
            let outcome = CaseOutcome::ALL[(self.index / 7) % CaseOutcome::ALL.len()].code();
            Some((end, outcome))
        } else {
            None
        };
        let case_id = self.case(&id, opened, ended)?;
        self.consents(&id, opened)?;
        let until = ended.map(|e| e.0).unwrap_or(anchor());
        let plan_made = plus_months(opened, 2);
        let plan_id = if plan_made < until {
            Some(self.plan(&case_id, plan_made, social_assistance)?)
        } else {
            None
        };
        if let Some(plan_id) = &plan_id {
            self.actions(&case_id, plan_id, plan_made, until)?;
        }
        self.benefit(&id, social_assistance)?;
        // KTT periods, sometimes several in a row: most TYP clients spend time in KTT.
        let mut from = plan_made;
        let mut periods = 0;
        while periods < 3
            && from < until.min(anchor())
            && self.rng.chance(if periods == 0 { 80 } else { 55 })
        {
            let ended = self.period(&id, &case_id, from, until, social_assistance)?;
            from = plus_days(ended, self.rng.range(1, 60) as u64);
            periods += 1;
        }
        if self.rng.chance(30) {
            self.assessment(&id, opened, until)?;
        }
        if self.rng.chance(30) {
            let due = plus_months(opened, 4);
            self.t.employment.push(vec![
                self.rng.uuid().into(),
                id.clone().into(),
                "JOB_SEARCH_OBLIGATION".into(),
                "Apply for three jobs a month".into(),
                Some(due).into(),
                self.staff.te_expert.id.clone().into(),
                at_noon(opened).into(),
            ]);
        }
        if self.rng.chance(12) {
            let p = self.rng.pick(self.providers).id.clone();
            let start = plus_months(opened, 3).min(until);
            self.t.coaching.push(vec![
                self.rng.uuid().into(),
                id.clone().into(),
                Some(p).into(),
                (*self.rng.pick(&[
                    "VOUCHER",
                    "INDIVIDUAL",
                    "WALK_ALONGSIDE",
                    "NEUROPSYCHIATRIC",
                    "COUNTY",
                ]))
                .into(),
                Agency::Te.code().into(),
                50.into(),
                start.into(),
                Option::<NaiveDate>::None.into(),
            ]);
        }
        if self.rng.chance(45) || ended.is_none() && self.index % 5 == 0 {
            self.meetings(
                &id,
                &case_id,
                plan_id.as_deref(),
                opened,
                ended.map(|e| e.0),
            )?;
        }
        let n_notes = self.rng.range(0, 2);
        for _ in 0..n_notes {
            let agency = *self.rng.pick(&[Agency::Eksote, Agency::Te, Agency::Kela]);
            let shared = self.rng.chance(35);
            self.note(&id, agency, shared)?;
        }
        Ok(())
    }

    fn case(
        &mut self,
        client: &str,
        opened: NaiveDate,
        ended: Option<(NaiveDate, &str)>,
    ) -> Result<String, DbErr> {
        let id = self.rng.uuid();
        let a = (self.rng.next_u64() % 3) as usize;
        let officer = self.staff.typ_officer[a];
        let mapping_deadline = plus_months(opened, 3);
        let phase = match ended {
            Some(_) => "CLOSED",
            None if mapping_deadline > anchor() => "MAPPING",
            None if self.rng.chance(30) => "PLANNING",
            None => "IMPLEMENTATION",
        };
        self.t.case.push(vec![
            id.clone().into(),
            client.into(),
            phase.into(),
            (*self.rng.pick(&CRITERIA)).into(),
            officer.id.clone().into(),
            officer.agency.code().into(),
            opened.into(),
            mapping_deadline.into(),
            Some("Prefers morning appointments; interpreter for official meetings if needed.")
                .into(),
            Some("Vocational qualification in logistics (fictional).").into(),
            Some("Warehouse and cleaning jobs, last job ended over a year ago (fictional).").into(),
            ended.map(|e| e.0).into(),
            ended.map(|e| e.1.to_owned()).into(),
            at_noon(opened).into(),
        ]);
        if let Some((end, _)) = ended {
            for months in [3u32, 6, 12] {
                let on = plus_months(end, months);
                if on <= anchor() && self.rng.chance(80) {
                    let status = *self.rng.pick(&[
                        "EMPLOYED",
                        "STUDYING",
                        "UNEMPLOYED",
                        "PAY_SUBSIDISED_WORK",
                        "REHABILITATION",
                        "UNKNOWN",
                    ]);
                    self.t.follow_up.push(vec![
                        self.rng.uuid().into(),
                        id.clone().into(),
                        (months as i32).into(),
                        status.into(),
                        on.into(),
                        officer.id.clone().into(),
                    ]);
                }
            }
        }
        Ok(id)
    }

    fn consents(&mut self, client: &str, opened: NaiveDate) -> Result<(), DbErr> {
        let officer = self.staff.typ_officer[0];
        let now = at_noon(opened);
        let id = self.rng.uuid();
        self.t.consent.push(vec![
            id.into(),
            client.into(),
            "MULTI_AGENCY_SERVICE".into(),
            Option::<String>::None.into(),
            opened.into(),
            Option::<NaiveDate>::None.into(),
            Option::<NaiveDate>::None.into(),
            officer.id.clone().into(),
            officer.agency.code().into(),
            now.into(),
        ]);
        // Disclosure consents: in force, expired or withdrawn; to Kela, the employment authority.
        if self.index % 3 == 0 {
            let state = (self.index / 3) % 5;
            let recipient = if self.index % 2 == 0 {
                Agency::Kela
            } else {
                Agency::Te
            };
            let given = plus_days(opened, 10);
            let (valid_until, withdrawn) = match state {
                0..=2 => (None, None),
                3 => (
                    Some(plus_months(given, 6))
                        .filter(|d| *d < anchor())
                        .or(Some(anchor() - Days::new(1))),
                    None,
                ),
                _ => (None, Some(plus_months(given, 2).min(anchor()))),
            };
            let groups: &[&str] = match (self.index / 3) % 3 {
                0 => &["HEALTH"],
                1 => &["HEALTH", "SOCIAL"],
                _ => &["SOCIAL"],
            };
            let cid = self.rng.uuid();
            let worker = self.staff.eksote_worker;
            self.t.consent.push(vec![
                cid.clone().into(),
                client.into(),
                "DISCLOSURE".into(),
                Some(recipient.code()).into(),
                given.into(),
                valid_until.into(),
                withdrawn.into(),
                worker.id.clone().into(),
                worker.agency.code().into(),
                at_noon(given).into(),
            ]);
            for g in groups {
                self.t
                    .consent_group
                    .push(vec![cid.clone().into(), (*g).into()]);
            }
        }
        Ok(())
    }

    fn plan(
        &mut self,
        case_id: &str,
        made: NaiveDate,
        social_assistance: bool,
    ) -> Result<String, DbErr> {
        let id = self.rng.uuid();
        // From 2026 the activation plan is only for social-assistance clients.
        let kind = if social_assistance && (made < ymd(2026, 1, 1) || self.rng.chance(50)) {
            "ACTIVATION"
        } else {
            "MULTI_SECTOR"
        };
        let goals = *self.rng.pick(GOALS);
        self.t.plan.push(vec![
            id.clone().into(),
            case_id.into(),
            kind.into(),
            made.into(),
            goals.into(),
            plus_months(made, 6).into(),
            self.staff.typ_officer[0].id.clone().into(),
            at_noon(made).into(),
        ]);
        Ok(id)
    }

    fn actions(
        &mut self,
        case_id: &str,
        plan_id: &str,
        made: NaiveDate,
        until: NaiveDate,
    ) -> Result<(), DbErr> {
        for _ in 0..self.rng.range(2, 4) {
            let owner = *self.rng.pick(&[Agency::Te, Agency::Eksote, Agency::Kela]);
            let due = plus_days(made, self.rng.range(20, 200) as u64);
            let completed = if due < until && self.rng.chance(70) {
                Some(due.min(until))
            } else {
                None
            };
            self.t.action.push(vec![
                self.rng.uuid().into(),
                case_id.into(),
                Some(plan_id).into(),
                Option::<String>::None.into(),
                owner.code().into(),
                (*self.rng.pick(ACTIONS)).into(),
                due.into(),
                completed.into(),
                self.staff.typ_officer[0].id.clone().into(),
                at_noon(made).into(),
            ]);
        }
        Ok(())
    }

    fn benefit(&mut self, client: &str, social_assistance: bool) -> Result<(), DbErr> {
        let decided = self.rng.date(ymd(2018, 1, 1), anchor());
        let kind = if social_assistance {
            "BASIC_SOCIAL_ASSISTANCE"
        } else {
            "LABOUR_MARKET_SUBSIDY"
        };
        let status = *self
            .rng
            .pick(&["GRANTED", "GRANTED", "GRANTED", "ENDED", "PENDING"]);
        self.t.benefit.push(vec![
            self.rng.uuid().into(),
            client.into(),
            Agency::Kela.code().into(),
            kind.into(),
            status.into(),
            decided.into(),
            Some(decided).into(),
            Option::<NaiveDate>::None.into(),
            self.staff.kela_expert.id.clone().into(),
        ]);
        Ok(())
    }

    fn assessment(&mut self, client: &str, from: NaiveDate, to: NaiveDate) -> Result<(), DbErr> {
        let on = self.rng.date(from, to);
        let (agency, assessor) = if self.rng.chance(75) {
            (Agency::Eksote, self.staff.eksote_worker)
        } else {
            (Agency::Kela, self.staff.kela_expert)
        };
        self.t.assessment.push(vec![
            self.rng.uuid().into(),
            client.into(),
            on.into(),
            agency.code().into(),
            assessor.id.clone().into(),
            (*self.rng.pick(ASSESSMENT_CONCLUSIONS)).into(),
            Some("No heavy lifting; at most six hours a day.").into(),
            Some(*self.rng.pick(ASSESSMENT_DETAILS)).into(),
            at_noon(on).into(),
        ]);
        Ok(())
    }

    /// Decides a period starting within four months of `from`; returns its last day.
    fn period(
        &mut self,
        client: &str,
        case_id: &str,
        from: NaiveDate,
        until: NaiveDate,
        social_assistance: bool,
    ) -> Result<NaiveDate, DbErr> {
        let starts = self
            .rng
            .date(from, plus_days(from, 120).min(until).min(anchor()));
        let ends = plus_months(starts, self.rng.range(3, 12) as u32);
        let days = self.rng.range(2, 4) as i32;
        let hours = if days == 4 {
            self.rng.range(4, 6)
        } else {
            self.rng.range(4, 7)
        } as i32;
        let provider_ix = (self.rng.next_u64() % self.providers.len() as u64) as usize;
        let provider = &self.providers[provider_ix];
        let coach = self
            .staff
            .coaches
            .get(provider_ix)
            .copied()
            .unwrap_or(self.staff.eksote_worker);
        let distance = (self.rng.range(5, 250) as f64) / 10.0;
        let payer = if social_assistance {
            Agency::Eksote
        } else {
            Agency::Kela
        };
        *self.decision_no += 1;
        let id = self.rng.uuid();
        self.t.period.push(vec![
            id.clone().into(),
            client.into(),
            Some(case_id).into(),
            provider.id.clone().into(),
            format!("KTT-{}-{:06}", starts.year(), self.decision_no).into(),
            starts.into(),
            self.staff.eksote_worker.id.clone().into(),
            starts.into(),
            ends.into(),
            days.into(),
            hours.into(),
            (*self.rng.pick(GOALS)).into(),
            Some("Guidance at the start of each day; a quiet workspace.").into(),
            Some(distance).into(),
            payer.code().into(),
            at_noon(starts).into(),
        ]);
        self.attendance(&id, starts, ends, days, coach, distance, payer)?;
        // The county informs the employment authority, which gives Kela a statement.
        self.t.statement.push(vec![
            self.rng.uuid().into(),
            client.into(),
            starts.into(),
            self.staff.te_expert.id.clone().into(),
            "KTT_START".into(),
            "Benefit conditions are met during the KTT period.".into(),
        ]);
        Ok(ends)
    }

    #[allow(clippy::too_many_arguments)]
    fn attendance(
        &mut self,
        period: &str,
        starts: NaiveDate,
        ends: NaiveDate,
        days: i32,
        coach: &SeedOfficial,
        distance: f64,
        payer: Agency,
    ) -> Result<(), DbErr> {
        let (c0, c1) = closure();
        let last = ends.min(anchor());
        let mut day = starts;
        let mut month: Option<(String, Vec<String>)> = None;
        while day <= last {
            let weekday = day.weekday().num_days_from_monday() as i32;
            let in_closure = day >= c0 && day <= c1;
            if weekday < days && !in_closure {
                let present = self.rng.chance(86);
                let id = self.rng.uuid();
                let reason: Option<&str> = if present {
                    None
                } else {
                    Some(*self.rng.pick(&["sick", "appointment", "no reason given"]))
                };
                self.t.attendance.push(vec![
                    id.clone().into(),
                    period.into(),
                    day.into(),
                    present.into(),
                    reason.into(),
                    coach.id.clone().into(),
                    at_noon(day).into(),
                ]);
                let key = format!("{:04}-{:02}", day.year(), day.month());
                if month.as_ref().is_some_and(|m| m.0 != key) {
                    if let Some((k, ids)) = month.take() {
                        self.allowance(period, &k, &ids, distance, payer)?;
                    }
                }
                let entry = month.get_or_insert_with(|| (key, Vec::new()));
                if present {
                    entry.1.push(id);
                }
            }
            day = plus_days(day, 1);
        }
        if let Some((k, ids)) = month {
            self.allowance(period, &k, &ids, distance, payer)?;
        }
        Ok(())
    }

    fn allowance(
        &mut self,
        period: &str,
        month: &str,
        attended: &[String],
        distance: f64,
        payer: Agency,
    ) -> Result<(), DbErr> {
        if attended.is_empty() {
            return Ok(());
        }
        let n = attended.len() as i64;
        let kind = if payer == Agency::Eksote {
            "TOIMINTARAHA"
        } else {
            "EXPENSE_ALLOWANCE"
        };
        let mut lines = vec![(kind, n * ALLOWANCE_CENTS)];
        if distance > TRAVEL_THRESHOLD_KM {
            lines.push(("TRAVEL", n * TRAVEL_CENTS));
        }
        let month_end =
            NaiveDate::parse_from_str(&format!("{month}-28"), "%Y-%m-%d").unwrap_or(anchor());
        for (kind, cents) in lines {
            let id = self.rng.uuid();
            let values: Vec<Value> = vec![
                id.clone().into(),
                period.into(),
                month.into(),
                kind.into(),
                payer.code().into(),
                (n as i32).into(),
                cents.into(),
                "demo-rules-2019-01-01".into(),
                at_noon(month_end).into(),
            ];
            self.t.allowance.push(values);
            for a in attended {
                self.t
                    .allowance_link
                    .push(vec![id.clone().into(), a.clone().into()]);
            }
        }
        Ok(())
    }

    fn meetings(
        &mut self,
        client: &str,
        case_id: &str,
        plan_id: Option<&str>,
        opened: NaiveDate,
        ended: Option<NaiveDate>,
    ) -> Result<(), DbErr> {
        let last = ended.unwrap_or(anchor());
        let count = self.rng.range(1, 3);
        let mut day = plus_days(opened, 30);
        for k in 0..count {
            if day >= last {
                break;
            }
            self.meeting(client, case_id, plan_id, day, true, k)?;
            day = plus_days(day, self.rng.range(60, 150) as u64);
        }
        if ended.is_none() {
            let upcoming = plus_days(anchor(), self.rng.range(14, 60) as u64);
            self.meeting(client, case_id, plan_id, upcoming, false, count)?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn meeting(
        &mut self,
        client: &str,
        case_id: &str,
        plan_id: Option<&str>,
        on: NaiveDate,
        held: bool,
        k: i64,
    ) -> Result<(), DbErr> {
        let id = self.rng.uuid();
        let officer = self.staff.typ_officer[(k as usize) % 3];
        let scheduled = on
            .and_hms_opt(9 + (k as u32 % 5), 0, 0)
            .unwrap_or_default()
            .and_utc();
        let (status, record, held_on): (&str, Option<&str>, Option<NaiveDate>) = if held {
            ("HELD", Some("Situation reviewed together; the client's own goals recorded; next steps agreed (fictional)."), Some(on))
        } else {
            ("SCHEDULED", None, None)
        };
        self.t.meeting.push(vec![
            id.clone().into(),
            case_id.into(),
            client.into(),
            scheduled.into(),
            Some("TYP service point, Lappeenranta").into(),
            status.into(),
            record.into(),
            held_on.into(),
            officer.id.clone().into(),
            at_noon(on).into(),
        ]);
        let people = [
            (officer, Agency::Te),
            (self.staff.eksote_worker, Agency::Eksote),
            (self.staff.kela_expert, Agency::Kela),
        ];
        for (o, _) in people
            .iter()
            .filter(|(o, _)| o.id != officer.id)
            .chain(std::iter::once(&(officer, officer.agency)))
        {
            self.t.participant.push(vec![
                self.rng.uuid().into(),
                id.clone().into(),
                "OFFICIAL".into(),
                Some(o.id.clone()).into(),
                Some(o.agency.code()).into(),
                Option::<String>::None.into(),
            ]);
        }
        self.t.participant.push(vec![
            self.rng.uuid().into(),
            id.clone().into(),
            "CLIENT".into(),
            Option::<String>::None.into(),
            Option::<String>::None.into(),
            Option::<String>::None.into(),
        ]);
        for (pos, agency) in [Agency::Te, Agency::Eksote, Agency::Kela]
            .into_iter()
            .enumerate()
        {
            let title = match agency {
                Agency::Te => "Job-search plan and services",
                Agency::Eksote => "KTT and social situation",
                _ => "Benefits and rehabilitation",
            };
            self.t.agenda.push(vec![
                self.rng.uuid().into(),
                id.clone().into(),
                agency.code().into(),
                ((pos + 1) as i32).into(),
                title.into(),
            ]);
        }
        if held {
            for (o, agency) in people {
                let body = match agency {
                    Agency::Eksote => *self.rng.pick(NOTES_SOCIAL),
                    Agency::Te => *self.rng.pick(NOTES_TE),
                    _ => *self.rng.pick(NOTES_KELA),
                };
                self.t.section.push(vec![
                    self.rng.uuid().into(),
                    id.clone().into(),
                    agency.code().into(),
                    body.into(),
                    o.id.clone().into(),
                ]);
            }
            for _ in 0..self.rng.range(1, 2) {
                let owner = *self.rng.pick(&[Agency::Te, Agency::Eksote, Agency::Kela]);
                let due = plus_days(on, self.rng.range(14, 90) as u64);
                let completed = if due < anchor() && self.rng.chance(60) {
                    Some(due)
                } else {
                    None
                };
                self.t.action.push(vec![
                    self.rng.uuid().into(),
                    case_id.into(),
                    plan_id.map(str::to_owned).into(),
                    Some(id.clone()).into(),
                    owner.code().into(),
                    (*self.rng.pick(ACTIONS)).into(),
                    due.into(),
                    completed.into(),
                    officer.id.clone().into(),
                    scheduled.into(),
                ]);
            }
        }
        Ok(())
    }

    fn note(&mut self, client: &str, agency: Agency, shared: bool) -> Result<(), DbErr> {
        let (author, body) = match agency {
            Agency::Eksote => (self.staff.eksote_worker, *self.rng.pick(NOTES_SOCIAL)),
            Agency::Kela => (self.staff.kela_expert, *self.rng.pick(NOTES_KELA)),
            _ => (self.staff.te_expert, *self.rng.pick(NOTES_TE)),
        };
        let on = self.rng.date(ymd(2019, 1, 1), anchor());
        self.t.note.push(vec![
            self.rng.uuid().into(),
            client.into(),
            agency.code().into(),
            author.id.clone().into(),
            body.into(),
            shared.into(),
            at_noon(on).into(),
        ]);
        Ok(())
    }
}

/// Folds a name to ASCII for a fictional email address.
fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ä' | 'Ä' => 'a',
            'ö' | 'Ö' => 'o',
            'å' | 'Å' => 'a',
            c => c.to_ascii_lowercase(),
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}
