//! The demo's payments: three clients in KTT in October and November 2026, one on Kela's
//! labour market subsidy, one on a fund's earnings-related allowance, one on the county's
//! social assistance without an unemployment benefit; all placed beyond the travel
//! threshold. October has been exported to Kela, the fund and the county; an absence
//! recorded afterwards over a day Kela had been told of makes the next Kela and county
//! export carry a correction line for October (docs/ktt-payments.md shows the calls).

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use sea_orm::{ConnectionTrait, DbErr};

use super::{Batch, Rng, SeedOfficial, SeedProvider};
use crate::domain::allowance::{self, Line, Travel};
use crate::domain::benefit::{BenefitKind, DayStatus};
use crate::domain::settings::Settings;
use crate::domain::{personal_identity_code, Agency, Role};

/// Clients this module adds to the demo.
pub const CLIENTS: usize = 3;

/// The fund of the demo's earnings-related allowance (a fictional name).
pub const DEMO_FUND: &str = "Esimerkkialan työttömyyskassa";

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}

/// The payment clients' births and individual numbers: no other client of a data set may
/// be drawn with their personal identity codes.
const IDENTITIES: [((i32, u32, u32), u32); CLIENTS] = [
    ((1969, 4, 14), 991),
    ((1972, 9, 23), 992),
    ((1985, 2, 7), 993),
];

/// The personal identity codes of the payment clients.
pub(super) fn identity_codes() -> Vec<String> {
    IDENTITIES
        .iter()
        .map(|&((y, m, d), n)| personal_identity_code::format(ymd(y, m, d), n))
        .collect()
}

fn born(i: usize) -> NaiveDate {
    let (y, m, d) = IDENTITIES[i].0;
    ymd(y, m, d)
}

struct Person {
    first: &'static str,
    last: &'static str,
    born: NaiveDate,
    individual: u32,
    status: DayStatus,
}

/// Writes the demo's payment clients and their exports (one call from the demo load).
pub async fn write(
    conn: &impl ConnectionTrait,
    rng: &mut Rng,
    providers: &[SeedProvider],
    officials: &[SeedOfficial],
) -> Result<(), DbErr> {
    let by_role = |role: Role| {
        officials
            .iter()
            .find(|o| o.active && o.roles.contains(&role))
            .ok_or_else(|| DbErr::Custom(format!("the demo lacks {}", role.code())))
    };
    let (officer, worker, kela) = (
        by_role(Role::TypOfficer)?,
        by_role(Role::EksoteWorker)?,
        by_role(Role::KelaExpert)?,
    );
    let coach = by_role(Role::ProviderCoach)?;
    let provider = providers
        .iter()
        .find(|p| Some(&p.id) == coach.provider_id.as_ref())
        .ok_or_else(|| DbErr::Custom("the demo coach has no provider".into()))?;
    let people = [
        Person {
            first: "Maksu",
            last: "Kelanen",
            born: born(0),
            individual: IDENTITIES[0].1,
            status: DayStatus {
                unemployment: Some((BenefitKind::LabourMarketSubsidy, None)),
                social_assistance: false,
            },
        },
        Person {
            first: "Maksu",
            last: "Kassala",
            born: born(1),
            individual: IDENTITIES[1].1,
            status: DayStatus {
                unemployment: Some((
                    BenefitKind::EarningsRelatedAllowance,
                    Some(DEMO_FUND.to_owned()),
                )),
                social_assistance: false,
            },
        },
        Person {
            first: "Maksu",
            last: "Kunnala",
            born: born(2),
            individual: IDENTITIES[2].1,
            status: DayStatus {
                unemployment: Some((BenefitKind::NoBenefit, None)),
                social_assistance: true,
            },
        },
    ];
    let mut client = Batch::new(
        "client",
        &[
            "id",
            "personal_identity_code",
            "first_name",
            "last_name",
            "municipality",
            "language",
            "registered_by_agency",
            "version",
            "created_at",
            "updated_at",
        ],
    );
    let mut case = Batch::new(
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
            "created_at",
        ],
    );
    let mut status = Batch::new(
        "benefit_status",
        &[
            "id",
            "client_id",
            "kind",
            "fund_name",
            "valid_from",
            "recording_agency",
            "recorded_by",
            "recorded_at",
        ],
    );
    let mut period = Batch::new(
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
            "travel_distance_km",
            "created_at",
            "travel_fare_cents",
            "travel_ticket_cents_month",
        ],
    );
    let mut attendance = Batch::new(
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
    );
    let mut lines = Batch::new(
        "allowance_line",
        &[
            "id",
            "period_id",
            "month",
            "kind",
            "payer",
            "fund_name",
            "days",
            "amount_cents",
            "rule_version",
            "created_at",
        ],
    );
    let mut links = Batch::new(
        "allowance_line_attendance",
        &["allowance_line_id", "attendance_day_id"],
    );
    let mut exports = Batch::new(
        "allowance_export",
        &[
            "id",
            "recipient",
            "fund_name",
            "month",
            "exported_by",
            "exported_at",
        ],
    );
    let mut exported = Batch::new(
        "allowance_export_line",
        &[
            "export_id",
            "period_id",
            "month",
            "kind",
            "days",
            "amount_cents",
        ],
    );
    let settings = Settings::default();
    let version = settings.allowance_rule_version();
    let (start, end, last_day) = (ymd(2026, 10, 1), ymd(2027, 3, 31), super::anchor());
    let exported_on = ymd(2026, 11, 5);
    // The October exports, one per recipient.
    let export_of = |recipient: &str| format!("demo-export-2026-10-{recipient}");
    for (recipient, fund) in [("KELA", None), ("FUND", Some(DEMO_FUND)), ("EKSOTE", None)] {
        exports.push(vec![
            export_of(recipient).into(),
            recipient.into(),
            fund.into(),
            "2026-10".into(),
            worker.id.clone().into(),
            noon(exported_on).into(),
        ]);
    }
    for (n, p) in people.iter().enumerate() {
        let id = rng.uuid();
        let case_id = rng.uuid();
        let period_id = rng.uuid();
        client.push(vec![
            id.clone().into(),
            personal_identity_code::format(p.born, p.individual).into(),
            p.first.into(),
            p.last.into(),
            Some("Lappeenranta").into(),
            Some("fi").into(),
            Agency::Te.code().into(),
            1.into(),
            noon(ymd(2026, 6, 1)).into(),
            noon(ymd(2026, 6, 1)).into(),
        ]);
        case.push(vec![
            case_id.clone().into(),
            id.clone().into(),
            "IMPLEMENTATION".into(),
            "JOINT_ASSESSMENT".into(),
            officer.id.clone().into(),
            officer.agency.code().into(),
            ymd(2026, 6, 1).into(),
            ymd(2026, 9, 1).into(),
            noon(ymd(2026, 6, 1)).into(),
        ]);
        if let Some((kind, fund)) = &p.status.unemployment {
            status.push(vec![
                rng.uuid().into(),
                id.clone().into(),
                kind.code().into(),
                fund.clone().into(),
                ymd(2026, 1, 1).into(),
                Agency::Kela.code().into(),
                kela.id.clone().into(),
                noon(ymd(2026, 9, 20)).into(),
            ]);
        }
        if p.status.social_assistance {
            status.push(vec![
                rng.uuid().into(),
                id.clone().into(),
                BenefitKind::SocialAssistance.code().into(),
                Option::<String>::None.into(),
                ymd(2026, 1, 1).into(),
                Agency::Eksote.code().into(),
                worker.id.clone().into(),
                noon(ymd(2026, 9, 20)).into(),
            ]);
        }
        period.push(vec![
            period_id.clone().into(),
            id.clone().into(),
            case_id.clone().into(),
            provider.id.clone().into(),
            format!("KTT-2026-DEMO-{}", n + 1).into(),
            ymd(2026, 9, 25).into(),
            worker.id.clone().into(),
            start.into(),
            end.into(),
            3.into(),
            6.into(),
            "A steady weekly rhythm and a path to work".into(),
            (8.5 + n as f64 * 4.0).into(),
            noon(ymd(2026, 9, 25)).into(),
            Some(420i64).into(),
            // A period ticket cheaper than a month of fares for the third client.
            (if n == 2 { Some(3500i64) } else { None }).into(),
        ]);
        // Monday to Wednesday; the first client's 7 October was later found an absence.
        let corrected = ymd(2026, 10, 7);
        let mut day = start;
        let mut present_then = Vec::new();
        let mut present_now = Vec::new();
        while day <= last_day {
            if matches!(day.weekday(), Weekday::Mon | Weekday::Tue | Weekday::Wed) {
                let day_id = rng.uuid();
                let absent_later = n == 0 && day == corrected;
                attendance.push(vec![
                    day_id.clone().into(),
                    period_id.clone().into(),
                    day.into(),
                    (!absent_later).into(),
                    (if absent_later {
                        Some("sick; noted late")
                    } else {
                        None
                    })
                    .into(),
                    coach.id.clone().into(),
                    noon(if absent_later { ymd(2026, 11, 10) } else { day }).into(),
                ]);
                present_then.push((day_id.clone(), day));
                if !absent_later {
                    present_now.push((day_id, day));
                }
            }
            day = day.succ_opt().unwrap_or(day);
        }
        let travel = Travel {
            distance_km: Some(8.5 + n as f64 * 4.0),
            fare_cents_per_day: Some(420),
            ticket_cents_month: (n == 2).then_some(3500),
        };
        let month_lines = |present: &[(String, NaiveDate)], m: u32| -> Vec<Line<String>> {
            allowance::for_month(&settings, travel, present, |_| p.status.clone(), 2026, m)
        };
        for m in [10, 11] {
            let key = format!("2026-{m:02}");
            for line in month_lines(&present_now, m) {
                let line_id = rng.uuid();
                lines.push(vec![
                    line_id.clone().into(),
                    period_id.clone().into(),
                    key.clone().into(),
                    line.payee.kind.into(),
                    line.payee.payer.into(),
                    line.payee.fund.clone().into(),
                    (line.days.len() as i32).into(),
                    line.cents.into(),
                    version.clone().into(),
                    noon(last_day).into(),
                ]);
                for d in &line.days {
                    links.push(vec![line_id.clone().into(), d.clone().into()]);
                }
            }
        }
        // What the October exports carried, before the late absence.
        for line in month_lines(&present_then, 10) {
            exported.push(vec![
                export_of(line.payee.payer).into(),
                period_id.clone().into(),
                "2026-10".into(),
                line.payee.kind.into(),
                (line.days.len() as i32).into(),
                line.cents.into(),
            ]);
        }
    }
    for batch in [
        &mut client,
        &mut case,
        &mut status,
        &mut period,
        &mut attendance,
        &mut lines,
        &mut links,
        &mut exports,
        &mut exported,
    ] {
        batch.flush(conn).await?;
    }
    Ok(())
}
