//! The demo's work with employers: fictional employers (business ids from the unissued
//! 9900000 range), programmes, the service track of every case, programme tags, and
//! pay-subsidised employment with its ends and what followed, some running into the
//! meeting brief's window of subsidies ending.

use chrono::{Days, Months, NaiveDate};
use entity::{employer, job_coaching, pay_subsidy, programme, typ_case};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use super::{anchor, Rng, SeedOfficial};
use crate::domain::employment::{ServiceTrack, SubsidyFollowUp};
use crate::domain::{Agency, Role};

/// The employers: name, business id, contact person (fictional).
const EMPLOYERS: [(&str, &str, &str); 5] = [
    ("Esimerkkikone Oy", "9900010-6", "Testi Henkilö"),
    ("Koeleipomo Oy", "9900011-4", "Demo Yhteyshenkilö"),
    ("Kuvitelma Kauppa Oy", "9900012-2", "Malli Esimies"),
    ("Testisiivous Oy", "9900013-0", "Esko Esimerkki"),
    ("Demo Puutarha ky", "9900014-9", "Kaisa Kuvitelma"),
];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// Records the service track of every case that has none (cases drawn without a profile
/// open without one): the clients with one-to-one coaching are on individual support, the
/// others on the multi-sector service.
pub async fn record_service_tracks(tx: &DatabaseTransaction) -> Result<(), DbErr> {
    let individual = Query::select()
        .column(job_coaching::Column::ClientId)
        .from(job_coaching::Entity)
        .and_where(job_coaching::Column::Kind.is_in([
            "INDIVIDUAL",
            "NEUROPSYCHIATRIC",
            "WALK_ALONGSIDE",
        ]))
        .to_owned();
    typ_case::Entity::update_many()
        .col_expr(
            typ_case::Column::ServiceTrack,
            Expr::value(ServiceTrack::IndividualSupport.code()),
        )
        .filter(typ_case::Column::ServiceTrack.is_null())
        .filter(typ_case::Column::ClientId.in_subquery(individual))
        .exec(tx)
        .await?;
    typ_case::Entity::update_many()
        .col_expr(
            typ_case::Column::ServiceTrack,
            Expr::value(ServiceTrack::MultiSector.code()),
        )
        .filter(typ_case::Column::ServiceTrack.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

pub async fn write(
    tx: &DatabaseTransaction,
    rng: &mut Rng,
    officials: &[SeedOfficial],
    times: usize,
) -> Result<(), DbErr> {
    let Some(te) = officials
        .iter()
        .find(|o| o.agency == Agency::Te && o.roles.contains(&Role::TeExpert) && o.active)
    else {
        return Ok(());
    };
    let now = anchor().and_hms_opt(8, 0, 0).unwrap_or_default().and_utc();
    // Programmes: a regional job-coaching pilot and a development project.
    let pilot = rng.uuid();
    let project = rng.uuid();
    for (id, code, name, from, until) in [
        (
            &pilot,
            "TYOVALMENNUS-PILOTTI",
            "Alueellinen työhönvalmennuksen pilotti",
            date(2025, 1, 1),
            Some(date(2026, 12, 31)),
        ),
        (
            &project,
            "OSAAJAPOLKU",
            "Osaajapolku-kehittämishanke",
            date(2024, 3, 1),
            None,
        ),
    ] {
        programme::Entity::insert(programme::ActiveModel {
            id: Set(id.clone()),
            code: Set(code.to_owned()),
            name: Set(name.to_owned()),
            valid_from: Set(from),
            valid_until: Set(until),
            created_at: Set(now),
        })
        .exec_without_returning(tx)
        .await?;
    }
    let mut employers = Vec::new();
    for (i, (name, business_id, contact)) in EMPLOYERS.into_iter().enumerate() {
        let id = rng.uuid();
        employer::Entity::insert(employer::ActiveModel {
            id: Set(id.clone()),
            name: Set(name.to_owned()),
            business_id: Set(business_id.to_owned()),
            contact_name: Set(Some(contact.to_owned())),
            contact_phone: Set(Some(format!("040 000 00{i:02}"))),
            contact_email: Set(Some(format!("yhteys{i}@example.fi"))),
            created_by: Set(te.id.clone()),
            created_at: Set(now),
        })
        .exec_without_returning(tx)
        .await?;
        employers.push(id);
    }
    record_service_tracks(tx).await?;
    // Tags: one-to-one coaching that ran during the pilot; every third case of the project's time.
    job_coaching::Entity::update_many()
        .col_expr(
            job_coaching::Column::ProgrammeId,
            Expr::value(pilot.clone()),
        )
        .filter(job_coaching::Column::Kind.is_in(["INDIVIDUAL", "WALK_ALONGSIDE"]))
        .filter(job_coaching::Column::StartsOn.lte(date(2026, 12, 31)))
        .filter(
            job_coaching::Column::EndsOn
                .is_null()
                .or(job_coaching::Column::EndsOn.gte(date(2025, 1, 1))),
        )
        .exec(tx)
        .await?;
    let cases = typ_case::Entity::find()
        .order_by_asc(typ_case::Column::Id)
        .all(tx)
        .await?;
    let tagged: Vec<String> = cases
        .iter()
        .filter(|c| c.ended_on.is_none_or(|e| e >= date(2024, 3, 1)))
        .step_by(3)
        .map(|c| c.id.clone())
        .collect();
    typ_case::Entity::update_many()
        .col_expr(typ_case::Column::ProgrammeId, Expr::value(project))
        .filter(typ_case::Column::Id.is_in(tagged))
        .exec(tx)
        .await?;
    // Pay-subsidised employment of clients with an open case: some running (a few ending
    // within the brief's window), some ended with what followed.
    let walk_alongside: Vec<job_coaching::Model> = job_coaching::Entity::find()
        .filter(job_coaching::Column::Kind.eq("WALK_ALONGSIDE"))
        .all(tx)
        .await?;
    let open: Vec<&typ_case::Model> = cases.iter().filter(|c| c.ended_on.is_none()).collect();
    let follow_ups = SubsidyFollowUp::ALL;
    for (i, case) in open.iter().take(36 * times).enumerate() {
        let months_back = 3 + (i as u32 % 18);
        let starts_on = anchor()
            .checked_sub_months(Months::new(months_back))
            .unwrap_or(anchor());
        let length = if i % 4 == 0 { 12 } else { 6 + (i as u32 % 7) };
        let subsidy_ends_on = starts_on
            .checked_add_months(Months::new(length))
            .and_then(|d| d.checked_sub_days(Days::new(1)))
            .unwrap_or(starts_on);
        // Ended when the subsidy ended before the anchor, or early for every fifth.
        let (ended_on, followed_by) = if subsidy_ends_on < anchor() {
            (
                Some(subsidy_ends_on),
                Some(follow_ups[i % follow_ups.len()].code()),
            )
        } else if i % 5 == 1 {
            let early = starts_on
                .checked_add_months(Months::new(2))
                .unwrap_or(starts_on);
            (
                Some(std::cmp::min(early, anchor())),
                Some(SubsidyFollowUp::Unemployment.code()),
            )
        } else {
            (None, None)
        };
        let coaching = walk_alongside
            .iter()
            .find(|c| c.client_id == case.client_id)
            .map(|c| c.id.clone());
        pay_subsidy::Entity::insert(pay_subsidy::ActiveModel {
            id: Set(rng.uuid()),
            client_id: Set(case.client_id.clone()),
            employer_id: Set(employers[i % employers.len()].clone()),
            starts_on: Set(starts_on),
            subsidy_ends_on: Set(subsidy_ends_on),
            hours_per_week: Set(if i % 3 == 0 { 30 } else { 25 }),
            job_coaching_id: Set(coaching),
            ended_on: Set(ended_on),
            followed_by: Set(followed_by.map(str::to_owned)),
            recorded_by: Set(te.id.clone()),
            created_at: Set(now),
        })
        .exec_without_returning(tx)
        .await?;
    }
    Ok(())
}
