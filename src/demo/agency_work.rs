//! The demo's agencies' own work (docs/work-te.md, docs/work-kela.md): the employment
//! authority's plan items with their follow-ups and an expert assessment it bought, Kela's
//! benefit decisions moving on and its answers to referrals to vocational rehabilitation,
//! and competence recognised from KTT periods by the placements' coaches.

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use entity::{
    benefit_decision, competence_record, employment_item, referral, rehab_period, typ_case,
    work_ability_assessment,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use super::writer::Batch;
use super::{anchor, Rng, SeedOfficial};
use crate::domain::{Agency, Role};

fn at_noon(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}

fn back(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(days)).unwrap_or(d)
}

fn ahead(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap_or(d)
}

const QUALIFICATIONS: [(&str, Option<&str>, &str); 4] = [
    (
        "Vocational qualification in logistics",
        Some("Warehouse operations"),
        "Receiving and storing goods; forklift safety; stocktaking",
    ),
    (
        "Vocational qualification in hotel, restaurant and catering",
        Some("Working in a catering service"),
        "Food hygiene; preparing meals to instructions; customer service",
    ),
    (
        "Vocational qualification in property services",
        None,
        "Cleaning methods and materials; care of premises; working safely",
    ),
    (
        "Vocational qualification in the wood industry",
        Some("Carpentry"),
        "Reading drawings; using hand and machine tools; finishing",
    ),
];

/// Writes the records into `tx` (the demo's load, after the clients).
pub(super) async fn write(
    tx: &impl ConnectionTrait,
    rng: &mut Rng,
    officials: &[SeedOfficial],
    times: usize,
) -> Result<(), DbErr> {
    let holding = |role: Role, agency: Agency| {
        officials
            .iter()
            .find(|o| o.active && o.agency == agency && o.roles.contains(&role))
    };
    let (Some(te), Some(kela), Some(kela_officer)) = (
        holding(Role::TeExpert, Agency::Te),
        holding(Role::KelaExpert, Agency::Kela),
        holding(Role::TypOfficer, Agency::Kela),
    ) else {
        return Ok(());
    };
    let today = anchor();
    let open_cases = typ_case::Entity::find()
        .filter(typ_case::Column::EndedOn.is_null())
        .order_by_asc(typ_case::Column::OpenedOn)
        .order_by_asc(typ_case::Column::Id)
        .all(tx)
        .await?;
    // The employment authority's plan tasks and trainings, some followed up.
    for (i, case) in open_cases.iter().take(12 * times).enumerate() {
        let (kind, description) = match i % 3 {
            0 => ("PLAN_ITEM", "Update the CV with the employment coach"),
            1 => ("TRAINING", "Apply for the forklift licence course"),
            _ => ("JOB_SEARCH_OBLIGATION", "Apply for two jobs a month"),
        };
        let recorded = back(today, 60);
        let due = back(today, 20);
        let (status, on, note, new_due) = match i % 4 {
            0 => (
                Some("DONE"),
                Some(back(today, 10)),
                Some("Done as agreed"),
                None,
            ),
            1 => (
                Some("POSTPONED"),
                Some(back(today, 10)),
                Some("The course starts later"),
                Some(ahead(today, 30)),
            ),
            2 => (Some("NOT_DONE"), Some(back(today, 8)), None, None),
            _ => (None, None, None, None),
        };
        employment_item::Entity::insert(employment_item::ActiveModel {
            id: Set(rng.uuid()),
            client_id: Set(case.client_id.clone()),
            kind: Set(kind.to_owned()),
            description: Set(description.to_owned()),
            due_on: Set(Some(due)),
            recorded_by: Set(te.id.clone()),
            created_at: Set(at_noon(recorded)),
            follow_up_status: Set(status.map(str::to_owned)),
            followed_up_on: Set(on),
            follow_up_note: Set(note.map(str::to_owned)),
            new_due_on: Set(new_due),
            followed_up_by: Set(status.map(|_| te.id.clone())),
            follow_up_corrected: Set(false),
        })
        .exec_without_returning(tx)
        .await?;
    }
    // Expert assessments the employment authority bought, for clients with none in the last
    // two years (so that none is a duplicate).
    let recent = work_ability_assessment::Entity::find()
        .filter(work_ability_assessment::Column::AssessedOn.gte(back(today, 730)))
        .all(tx)
        .await?;
    let assessed: Vec<&str> = recent.iter().map(|a| a.client_id.as_str()).collect();
    let unassessed = open_cases
        .iter()
        .skip(12 * times)
        .filter(|c| !assessed.contains(&c.client_id.as_str()))
        .take(3 * times);
    for case in unassessed {
        let on = back(today, 45);
        work_ability_assessment::Entity::insert(work_ability_assessment::ActiveModel {
            id: Set(rng.uuid()),
            client_id: Set(case.client_id.clone()),
            assessed_on: Set(on),
            assessor_agency: Set(Agency::Te.code().to_owned()),
            assessor_id: Set(te.id.clone()),
            conclusion: Set("Able to work part time in light tasks; a work try-out advised".into()),
            restrictions: Set(Some("No night shifts".into())),
            details: Set(None),
            override_reason: Set(None),
            created_at: Set(at_noon(on)),
            expert_name: Set(Some("Esimerkki Arviointipalvelut Oy".into())),
        })
        .exec_without_returning(tx)
        .await?;
    }
    duplicates(tx, rng, officials, times).await?;
    // Kela's decisions move on: an ended one has its last day, a pending one no period.
    let ended = Months::new(6);
    for d in benefit_decision::Entity::find()
        .filter(benefit_decision::Column::Status.eq("ENDED"))
        .all(tx)
        .await?
    {
        let until = d
            .decided_on
            .checked_add_months(ended)
            .unwrap_or(d.decided_on)
            .min(today);
        benefit_decision::Entity::update_many()
            .col_expr(benefit_decision::Column::ValidUntil, Expr::value(until))
            .col_expr(
                benefit_decision::Column::StatusChangedOn,
                Expr::value(until),
            )
            .col_expr(
                benefit_decision::Column::StatusChangedBy,
                Expr::value(kela.id.clone()),
            )
            .filter(benefit_decision::Column::Id.eq(d.id))
            .exec(tx)
            .await?;
    }
    benefit_decision::Entity::update_many()
        .col_expr(
            benefit_decision::Column::ValidFrom,
            Expr::value(Option::<NaiveDate>::None),
        )
        .filter(benefit_decision::Column::Status.eq("PENDING"))
        .exec(tx)
        .await?;
    // Referrals to Kela's vocational rehabilitation, answered by Kela's officer; a granted
    // one brings a pending rehabilitation allowance.
    let referred = open_cases
        .iter()
        .skip(15 * times)
        .filter(|c| c.responsible_agency != Agency::Kela.code())
        .take(8 * times);
    for (i, case) in referred.enumerate() {
        let Some(sender) = holding(
            Role::TypOfficer,
            case.responsible_agency.parse().unwrap_or(Agency::Te),
        ) else {
            continue;
        };
        let sent = back(today, 40);
        let answered = back(today, 30);
        let (status, due, decline, outcome, done) = match i % 4 {
            0 => ("SENT", None, None, None, None),
            1 => ("ACCEPTED", Some(ahead(today, 40)), None, None, None),
            2 => (
                "DONE",
                Some(back(today, 5)),
                None,
                Some("Vocational rehabilitation granted: a work try-out in logistics"),
                Some(back(today, 5)),
            ),
            _ => (
                "DECLINED",
                None,
                Some("Medical conditions for vocational rehabilitation not met"),
                None,
                None,
            ),
        };
        referral::Entity::insert(referral::ActiveModel {
            id: Set(rng.uuid()),
            client_id: Set(case.client_id.clone()),
            case_id: Set(case.id.clone()),
            from_agency: Set(case.responsible_agency.clone()),
            to_agency: Set(Agency::Kela.code().to_owned()),
            kind: Set("KELA_VOCATIONAL_REHABILITATION".to_owned()),
            service: Set("Vocational rehabilitation (ammatillinen kuntoutus)".into()),
            reason: Set("Work ability reduced; retraining towards lighter work needed".into()),
            status: Set(status.to_owned()),
            sent_by: Set(sender.id.clone()),
            sent_on: Set(sent),
            answered_by: Set((status != "SENT").then(|| kela_officer.id.clone())),
            answered_on: Set((status != "SENT").then_some(answered)),
            due_on: Set(due),
            decline_reason: Set(decline.map(str::to_owned)),
            outcome: Set(outcome.map(str::to_owned)),
            done_on: Set(done),
            created_at: Set(at_noon(sent)),
        })
        .exec_without_returning(tx)
        .await?;
        if status == "DONE" {
            benefit_decision::Entity::insert(benefit_decision::ActiveModel {
                id: Set(rng.uuid()),
                client_id: Set(case.client_id.clone()),
                agency: Set(Agency::Kela.code().to_owned()),
                benefit_kind: Set("REHABILITATION_ALLOWANCE".to_owned()),
                status: Set("PENDING".to_owned()),
                decided_on: Set(back(today, 4)),
                valid_from: Set(None),
                valid_until: Set(None),
                decided_by: Set(kela.id.clone()),
                status_changed_on: Set(None),
                status_changed_by: Set(None),
            })
            .exec_without_returning(tx)
            .await?;
        }
    }
    // Competence recognised from periods at least three months along, by their coaches.
    let periods = rehab_period::Entity::find()
        .filter(rehab_period::Column::StartsOn.lte(back(today, 90)))
        .order_by_asc(rehab_period::Column::DecisionNumber)
        .all(tx)
        .await?;
    for (i, period) in periods.iter().step_by(7).take(20 * times).enumerate() {
        let Some(coach) = officials.iter().find(|o| {
            o.active
                && o.roles.contains(&Role::ProviderCoach)
                && o.provider_id.as_deref() == Some(period.provider_id.as_str())
        }) else {
            continue;
        };
        let (qualification, unit, areas) = QUALIFICATIONS[i % QUALIFICATIONS.len()];
        let certified = ahead(period.starts_on, 75).min(today);
        competence_record::Entity::insert(competence_record::ActiveModel {
            id: Set(rng.uuid()),
            client_id: Set(period.client_id.clone()),
            period_id: Set(period.id.clone()),
            provider_id: Set(period.provider_id.clone()),
            qualification: Set(qualification.to_owned()),
            qualification_unit: Set(unit.map(str::to_owned)),
            competence_areas: Set(areas.to_owned()),
            education_provider: Set("Esimerkin ammattiopisto".into()),
            certified_on: Set(certified),
            recorded_by: Set(coach.id.clone()),
            created_at: Set(at_noon(certified)),
        })
        .exec_without_returning(tx)
        .await?;
    }
    Ok(())
}

/// Duplicate work-ability assessments: requests that found an assessment less than a year
/// old and reused it (counted as duplicates avoided), and new assessments made over a recent
/// one with the reason given (an override).
async fn duplicates(
    tx: &impl ConnectionTrait,
    rng: &mut Rng,
    officials: &[SeedOfficial],
    times: usize,
) -> Result<(), DbErr> {
    let Some(worker) = officials
        .iter()
        .find(|o| o.active && o.agency == Agency::Eksote && o.roles.contains(&Role::EksoteWorker))
    else {
        return Ok(());
    };
    let today = anchor();
    let assessments = work_ability_assessment::Entity::find()
        .filter(work_ability_assessment::Column::AssessorAgency.ne(Agency::Te.code()))
        .filter(work_ability_assessment::Column::AssessedOn.lte(back(today, 120)))
        .order_by_asc(work_ability_assessment::Column::Id)
        .all(tx)
        .await?;
    let mut reuse = Batch::new(
        "assessment_reuse",
        &[
            "id",
            "client_id",
            "assessment_id",
            "requested_by_agency",
            "requested_on",
        ],
    );
    for (i, a) in assessments.iter().step_by(3).take(10 * times).enumerate() {
        let agency = [Agency::Te, Agency::Kela, Agency::Eksote][i % 3];
        reuse.push(vec![
            rng.uuid().into(),
            a.client_id.clone().into(),
            a.id.clone().into(),
            agency.code().into(),
            ahead(a.assessed_on, 30 + (i as u64 * 37) % 270).into(),
        ]);
    }
    reuse.flush(tx).await?;
    for a in assessments.iter().skip(1).step_by(3).take(4 * times) {
        let on = ahead(a.assessed_on, 100);
        work_ability_assessment::Entity::insert(work_ability_assessment::ActiveModel {
            id: Set(rng.uuid()),
            client_id: Set(a.client_id.clone()),
            assessed_on: Set(on),
            assessor_agency: Set(Agency::Eksote.code().to_owned()),
            assessor_id: Set(worker.id.clone()),
            conclusion: Set("Work ability reduced further; KTT at two days a week".into()),
            restrictions: Set(Some("At most four hours a day".into())),
            details: Set(None),
            override_reason: Set(Some(
                "Health changed since the earlier assessment (a new diagnosis)".into(),
            )),
            created_at: Set(at_noon(on)),
            expert_name: Set(None),
        })
        .exec_without_returning(tx)
        .await?;
    }
    Ok(())
}
