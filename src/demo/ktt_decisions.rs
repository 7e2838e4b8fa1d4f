//! KTT decisions of the data set: the county's decision makers, a KTT item on the plan of
//! every period's case and the grant decision of each such period, and beside them one
//! refusal, one change, one termination, and start notices in the employment
//! authority's work list, the oldest handled with a labour-policy statement to Kela.

use chrono::{Days, NaiveDate, Utc};
use entity::{client, employment_plan, rehab_period};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Value};

use super::writer::Batch;
use super::{anchor, Rng, SeedOfficial};
use crate::domain::ktt_decision::{language_of, DecisionKind};
use crate::domain::Role;

const DECISION_COLUMNS: &[&str] = &[
    "id",
    "decision_number",
    "kind",
    "client_id",
    "case_id",
    "period_id",
    "plan_id",
    "plan_item_id",
    "legal_basis",
    "decided_by",
    "decider_name",
    "decider_title",
    "hearing_on",
    "hearing_omitted_reason",
    "provider_id",
    "starts_on",
    "ends_on",
    "days_per_week",
    "hours_per_day",
    "terminated_on",
    "toimintaraha_cents_per_day",
    "travel_cents_per_day",
    "language",
    "decided_on",
    "served_on",
    "reasoning",
    "created_at",
];

fn days_before(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(n)).unwrap_or(day)
}

fn days_after(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_add_days(Days::new(n)).unwrap_or(day)
}

/// One decision row of [`DECISION_COLUMNS`].
struct Row<'a> {
    id: String,
    number: String,
    kind: DecisionKind,
    period: Option<&'a rehab_period::Model>,
    client_id: &'a str,
    plan: Option<(&'a str, &'a str)>,
    decided_on: NaiveDate,
    reasoning: Option<&'a str>,
    terminated_on: Option<NaiveDate>,
    travel_cents: i64,
    language: &'static str,
}

fn decision(row: Row, decider: &SeedOfficial, title: &str) -> Vec<Value> {
    let p = row.period;
    vec![
        row.id.into(),
        row.number.into(),
        row.kind.code().into(),
        row.client_id.into(),
        p.and_then(|p| p.case_id.clone()).into(),
        p.map(|p| p.id.clone()).into(),
        row.plan.map(|(plan, _)| plan.to_owned()).into(),
        row.plan.map(|(_, item)| item.to_owned()).into(),
        row.kind.legal_basis().into(),
        decider.id.clone().into(),
        decider.name.clone().into(),
        title.into(),
        Some(days_before(row.decided_on, 7)).into(),
        Option::<String>::None.into(),
        p.map(|p| p.provider_id.clone()).into(),
        p.map(|p| p.starts_on).into(),
        p.map(|p| p.ends_on).into(),
        p.map(|p| p.days_per_week).into(),
        p.map(|p| p.hours_per_day).into(),
        row.terminated_on.into(),
        0i64.into(),
        row.travel_cents.into(),
        row.language.into(),
        row.decided_on.into(),
        days_after(row.decided_on, 7).into(),
        row.reasoning.map(str::to_owned).into(),
        Utc::now().into(),
    ]
}

/// Writes the KTT decisions of the data set (after its clients, periods and plans).
pub async fn write(
    conn: &impl ConnectionTrait,
    rng: &mut Rng,
    officials: &[SeedOfficial],
) -> Result<(), DbErr> {
    let worker = officials
        .iter()
        .find(|o| o.active && o.roles.contains(&Role::EksoteWorker));
    let admin = officials.iter().find(|o| o.roles.contains(&Role::Admin));
    let county_officer = officials
        .iter()
        .find(|o| o.agency == crate::domain::Agency::Eksote && o.roles.contains(&Role::TypOfficer));
    let te_expert = officials.iter().find(|o| o.roles.contains(&Role::TeExpert));
    let (Some(worker), Some(admin), Some(te_expert)) = (worker, admin, te_expert) else {
        return Ok(());
    };
    let now = Utc::now();
    let title = "Sosiaalityöntekijä";
    let mut makers = Batch::new(
        "ktt_decision_maker",
        &["official_id", "title", "granted_by", "granted_at"],
    );
    makers.push(vec![
        worker.id.clone().into(),
        title.into(),
        admin.id.clone().into(),
        now.into(),
    ]);
    if let Some(officer) = county_officer {
        makers.push(vec![
            officer.id.clone().into(),
            "Sosiaaliohjaaja".into(),
            admin.id.clone().into(),
            now.into(),
        ]);
    }
    makers.flush(conn).await?;

    let periods = rehab_period::Entity::find()
        .filter(rehab_period::Column::CaseId.is_not_null())
        .order_by_asc(rehab_period::Column::StartsOn)
        .order_by_asc(rehab_period::Column::Id)
        .all(conn)
        .await?;
    let plans = employment_plan::Entity::find()
        .order_by_desc(employment_plan::Column::MadeOn)
        .all(conn)
        .await?;
    // Each case's plans, newest first (looked up per period: a search of all plans for
    // each period grew with the square of the data set).
    let mut plans_of: std::collections::HashMap<&str, Vec<&employment_plan::Model>> =
        std::collections::HashMap::new();
    for plan in &plans {
        plans_of
            .entry(plan.case_id.as_str())
            .or_default()
            .push(plan);
    }
    let languages: std::collections::HashMap<String, Option<String>> = client::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.language))
        .collect();
    let language =
        |client_id: &str| language_of(languages.get(client_id).and_then(|l| l.as_deref()));

    let mut items = Batch::new(
        "plan_ktt_item",
        &[
            "id",
            "plan_id",
            "case_id",
            "goal",
            "support",
            "agreed_on",
            "created_by",
            "created_at",
        ],
    );
    let mut decisions = Batch::new("ktt_decision", DECISION_COLUMNS);
    let mut notices = Batch::new(
        "ktt_start_notice",
        &[
            "id",
            "client_id",
            "decision_id",
            "kind",
            "period_id",
            "starts_on",
            "ends_on",
            "created_at",
        ],
    );
    let mut granted: Vec<(&rehab_period::Model, String)> = Vec::new();
    for period in &periods {
        let Some(case_id) = &period.case_id else {
            continue;
        };
        // The plan in force at the start: the newest made by then.
        let Some(plan) = plans_of
            .get(case_id.as_str())
            .and_then(|plans| plans.iter().find(|p| p.made_on <= period.starts_on))
        else {
            continue;
        };
        let item = rng.uuid();
        items.push(vec![
            item.clone().into(),
            plan.id.clone().into(),
            case_id.clone().into(),
            period.goal.clone().into(),
            period
                .support_needs
                .clone()
                .unwrap_or_else(|| "Ohjaus työpajalla".to_owned())
                .into(),
            plan.made_on.into(),
            plan.created_by.clone().into(),
            now.into(),
        ]);
        let decision_id = rng.uuid();
        let decided_on = period.decided_on.min(period.starts_on);
        decisions.push(decision(
            Row {
                id: decision_id.clone(),
                number: period.decision_number.clone(),
                kind: DecisionKind::Grant,
                period: Some(period),
                client_id: &period.client_id,
                plan: Some((&plan.id, &item)),
                decided_on,
                reasoning: None,
                terminated_on: None,
                travel_cents: if period.travel_distance_km.is_some_and(|d| d > 3.0) {
                    640
                } else {
                    0
                },
                language: language(&period.client_id),
            },
            worker,
            title,
        ));
        // Start notices of the periods starting in the last two months.
        if period.starts_on > days_before(anchor(), 60) {
            let notice = rng.uuid();
            notices.push(vec![
                notice.clone().into(),
                period.client_id.clone().into(),
                decision_id.clone().into(),
                "GRANT".into(),
                period.id.clone().into(),
                period.starts_on.into(),
                period.ends_on.into(),
                decided_on
                    .and_hms_opt(12, 0, 0)
                    .map(|t| t.and_utc())
                    .unwrap_or(now)
                    .into(),
            ]);
            granted.push((period, notice));
        }
        let backend = conn.get_database_backend();
        if items.is_full(backend) || decisions.is_full(backend) || notices.is_full(backend) {
            items.flush(conn).await?;
            decisions.flush(conn).await?;
            notices.flush(conn).await?;
        }
    }
    items.flush(conn).await?;

    // A refusal, a change and a termination, on running periods of other clients.
    let running: Vec<&rehab_period::Model> = periods
        .iter()
        .filter(|p| p.starts_on < anchor() && p.ends_on > days_after(anchor(), 30))
        .filter(|p| p.ended_early_on.is_none())
        .collect();
    if let Some(p) = running.first() {
        decisions.push(decision(
            Row {
                id: rng.uuid(),
                number: "KTT-2026-DEMOREFUSE".to_owned(),
                kind: DecisionKind::Refuse,
                period: None,
                client_id: &p.client_id,
                plan: None,
                decided_on: days_before(anchor(), 20),
                reasoning: Some("Hakemuksen mukainen toinen samanaikainen jakso ei ole mahdollinen: asiakkaalla on voimassa oleva kuntouttavan työtoiminnan jakso (laki kuntouttavasta työtoiminnasta 189/2001)."),
                terminated_on: None,
                travel_cents: 0,
                language: language(&p.client_id),
            },
            worker,
            title,
        ));
    }
    // The employment authority's notice of a change or an end, as of a grant.
    let notice_of = |id: String,
                     decision_id: &str,
                     kind: &str,
                     p: &rehab_period::Model,
                     ends_on: NaiveDate,
                     decided_on: NaiveDate|
     -> Vec<Value> {
        vec![
            id.into(),
            p.client_id.clone().into(),
            decision_id.to_owned().into(),
            kind.to_owned().into(),
            p.id.clone().into(),
            p.starts_on.into(),
            ends_on.into(),
            decided_on
                .and_hms_opt(12, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or(now)
                .into(),
        ]
    };
    if let Some(p) = running.get(1) {
        let id = rng.uuid();
        let decided_on = days_before(anchor(), 10);
        notices.push(notice_of(
            rng.uuid(),
            &id,
            "CHANGE",
            p,
            p.ends_on,
            decided_on,
        ));
        decisions.push(decision(
            Row {
                id,
                number: "KTT-2026-DEMOCHANGE".to_owned(),
                kind: DecisionKind::Change,
                period: Some(p),
                client_id: &p.client_id,
                plan: None,
                decided_on,
                reasoning: Some("Asiakas on muuttanut kauemmas toimintapaikasta: matkakorvaus myönnetään edullisimman kulkutavan mukaan (189/2001 18 §)."),
                terminated_on: None,
                travel_cents: 640,
                language: language(&p.client_id),
            },
            worker,
            title,
        ));
    }
    if let Some(p) = running.get(2) {
        let ended = anchor();
        rehab_period::Entity::update_many()
            .col_expr(rehab_period::Column::EndedEarlyOn, Expr::value(ended))
            .col_expr(
                rehab_period::Column::EndReason,
                Expr::value("Siirtyi palkkatuettuun työhön"),
            )
            .filter(rehab_period::Column::Id.eq(p.id.clone()))
            .exec(conn)
            .await?;
        let id = rng.uuid();
        let decided_on = days_before(anchor(), 3);
        notices.push(notice_of(
            rng.uuid(),
            &id,
            "TERMINATE",
            p,
            ended,
            decided_on,
        ));
        decisions.push(decision(
            Row {
                id,
                number: "KTT-2026-DEMOTERMINATE".to_owned(),
                kind: DecisionKind::Terminate,
                period: Some(p),
                client_id: &p.client_id,
                plan: None,
                decided_on,
                reasoning: Some("Asiakas siirtyy palkkatuettuun työhön; kuntouttavan työtoiminnan tavoite on saavutettu."),
                terminated_on: Some(ended),
                travel_cents: 0,
                language: language(&p.client_id),
            },
            worker,
            title,
        ));
    }
    decisions.flush(conn).await?;
    notices.flush(conn).await?;

    // The oldest notice handled: the employment expert's statement to Kela.
    if let Some((period, notice)) = granted.first() {
        let statement = rng.uuid();
        let mut statements = Batch::new(
            "labour_policy_statement",
            &[
                "id",
                "client_id",
                "issued_on",
                "issued_by",
                "statement_kind",
                "content",
                "recipient",
                "fund_name",
            ],
        );
        statements.push(vec![
            statement.clone().into(),
            period.client_id.clone().into(),
            period.starts_on.min(anchor()).into(),
            te_expert.id.clone().into(),
            "KTT_START".into(),
            "Kuntouttava työtoiminta alkaa; työttömyysetuuden saamisen edellytykset täyttyvät toiminnan ajan.".into(),
            Some("KELA").into(),
            Option::<String>::None.into(),
        ]);
        statements.flush(conn).await?;
        entity::ktt_start_notice::Entity::update_many()
            .col_expr(
                entity::ktt_start_notice::Column::HandledAt,
                Expr::value(now),
            )
            .col_expr(
                entity::ktt_start_notice::Column::HandledBy,
                Expr::value(te_expert.id.clone()),
            )
            .col_expr(
                entity::ktt_start_notice::Column::StatementId,
                Expr::value(statement),
            )
            .filter(entity::ktt_start_notice::Column::Id.eq(notice.clone()))
            .exec(conn)
            .await?;
    }
    Ok(())
}
