//! Service vouchers of the demo: the voucher providers approved for both kinds, KTT vouchers
//! accepted for periods at them, a coaching voucher with coaching ordered under it and hours
//! used, and vouchers waiting for a choice, for an answer, and declined.

use chrono::{Days, NaiveDate, Utc};
use entity::{
    job_coaching, job_coaching_hours, provider_voucher_approval, rehab_period, service_voucher,
    typ_case,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::{anchor, Rng, SeedOfficial, SeedProvider};
use crate::domain::Role;

fn before(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(n)).unwrap_or(day)
}

fn after(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_add_days(Days::new(n)).unwrap_or(day)
}

struct Grant<'a> {
    client_id: &'a str,
    kind: &'a str,
    unit: &'a str,
    value_cents: i64,
    quantity: i32,
    from: NaiveDate,
    until: NaiveDate,
    status: &'a str,
    provider_id: Option<&'a str>,
    answered_by: Option<&'a str>,
    decline_reason: Option<&'a str>,
    period_id: Option<&'a str>,
}

pub async fn write(
    conn: &impl ConnectionTrait,
    rng: &mut Rng,
    providers: &[SeedProvider],
    officials: &[SeedOfficial],
    times: usize,
) -> Result<(), DbErr> {
    let Some(worker) = officials
        .iter()
        .find(|o| o.active && o.roles.contains(&Role::EksoteWorker))
    else {
        return Ok(());
    };
    let coach_of = |provider: &str| {
        officials
            .iter()
            .find(|o| o.active && o.provider_id.as_deref() == Some(provider))
            .map(|o| o.id.clone())
    };
    let voucher_providers: Vec<&SeedProvider> = providers
        .iter()
        .filter(|p| p.kind == "VOUCHER_PROVIDER")
        .collect();
    let today = anchor();
    for p in &voucher_providers {
        for kind in ["KTT", "COACHING"] {
            provider_voucher_approval::Entity::insert(provider_voucher_approval::ActiveModel {
                provider_id: Set(p.id.clone()),
                voucher_kind: Set(kind.to_owned()),
                approved_on: Set(before(today, 720)),
                approved_by: Set(worker.id.clone()),
                withdrawn_on: Set(None),
                withdrawn_by: Set(None),
            })
            .exec_without_returning(conn)
            .await?;
        }
    }
    let grant = async |g: Grant<'_>, rng: &mut Rng| -> Result<String, DbErr> {
        let id = rng.uuid();
        let answered = g.answered_by.is_some();
        service_voucher::Entity::insert(service_voucher::ActiveModel {
            id: Set(id.clone()),
            client_id: Set(g.client_id.to_owned()),
            kind: Set(g.kind.to_owned()),
            unit: Set(g.unit.to_owned()),
            value_cents: Set(g.value_cents),
            quantity: Set(g.quantity),
            valid_from: Set(g.from),
            valid_until: Set(g.until),
            status: Set(g.status.to_owned()),
            granted_by: Set(worker.id.clone()),
            granted_on: Set(before(g.from, 14)),
            provider_id: Set(g.provider_id.map(str::to_owned)),
            chosen_on: Set(g.provider_id.map(|_| before(g.from, 10))),
            answered_by: Set(g.answered_by.map(str::to_owned)),
            answered_on: Set(answered.then(|| before(g.from, 7))),
            decline_reason: Set(g.decline_reason.map(str::to_owned)),
            rehab_period_id: Set(g.period_id.map(str::to_owned)),
        })
        .exec_without_returning(conn)
        .await?;
        Ok(id)
    };
    // KTT vouchers for periods placed at the voucher providers, accepted by them.
    let ids: Vec<String> = voucher_providers.iter().map(|p| p.id.clone()).collect();
    let periods = rehab_period::Entity::find()
        .filter(rehab_period::Column::ProviderId.is_in(ids))
        .order_by_asc(rehab_period::Column::Id)
        .limit(8 * times as u64)
        .all(conn)
        .await?;
    for period in &periods {
        let coach = coach_of(&period.provider_id);
        grant(
            Grant {
                client_id: &period.client_id,
                kind: "KTT",
                unit: if rng.chance(70) { "DAY" } else { "MONTH" },
                value_cents: 4500,
                quantity: 200,
                from: period.starts_on,
                until: period.ends_on,
                status: "ACCEPTED",
                provider_id: Some(&period.provider_id),
                answered_by: coach.as_deref(),
                decline_reason: None,
                period_id: Some(&period.id),
            },
            rng,
        )
        .await?;
    }
    // Clients with an open case: coaching vouchers in use, and vouchers at each earlier step.
    let clients: Vec<String> = typ_case::Entity::find()
        .select_only()
        .column(typ_case::Column::ClientId)
        .filter(typ_case::Column::EndedOn.is_null())
        .order_by_asc(typ_case::Column::ClientId)
        .limit(6 * times as u64)
        .into_tuple()
        .all(conn)
        .await?;
    let (Some(first), Some(second)) = (voucher_providers.first(), voucher_providers.get(1)) else {
        return Ok(());
    };
    let from = before(today, 60);
    let until = after(today, 120);
    for (i, client) in clients.iter().enumerate() {
        let (status, provider, reason) = match i % 6 {
            0 | 4 => ("ACCEPTED", Some(first.id.as_str()), None),
            3 => ("ACCEPTED", Some(second.id.as_str()), None),
            1 => ("GRANTED", None, None),
            2 => ("CHOSEN", Some(second.id.as_str()), None),
            _ => (
                "DECLINED",
                Some(second.id.as_str()),
                Some("No coach free before the spring"),
            ),
        };
        let answered_by = match status {
            "ACCEPTED" | "DECLINED" => provider.and_then(coach_of),
            _ => None,
        };
        let voucher = grant(
            Grant {
                client_id: client,
                kind: "COACHING",
                unit: "HOUR",
                value_cents: 6500,
                quantity: 30,
                from,
                until,
                status,
                provider_id: provider,
                answered_by: answered_by.as_deref(),
                decline_reason: reason,
                period_id: None,
            },
            rng,
        )
        .await?;
        if status != "ACCEPTED" {
            continue;
        }
        // The county orders coaching under the accepted voucher; the coach records hours.
        let coaching = rng.uuid();
        let days = [
            before(today, 40),
            before(today, 33),
            before(today, 26),
            before(today, 19),
        ];
        job_coaching::Entity::insert(job_coaching::ActiveModel {
            id: Set(coaching.clone()),
            client_id: Set(client.clone()),
            provider_id: Set(provider.map(str::to_owned)),
            kind: Set("WALK_ALONGSIDE".to_owned()),
            ordered_by_agency: Set("EKSOTE".to_owned()),
            hours: Set(30),
            starts_on: Set(before(today, 45)),
            ends_on: Set(Some(until)),
            ordered_by: Set(Some(worker.id.clone())),
            voucher_id: Set(Some(voucher)),
            hours_used: Set(3 * i32::try_from(days.len()).unwrap_or(0)),
            programme_id: Set(None),
        })
        .exec_without_returning(conn)
        .await?;
        let coach = provider
            .and_then(coach_of)
            .unwrap_or_else(|| worker.id.clone());
        for day in days {
            job_coaching_hours::Entity::insert(job_coaching_hours::ActiveModel {
                id: Set(rng.uuid()),
                coaching_id: Set(coaching.clone()),
                client_id: Set(client.clone()),
                worked_on: Set(day),
                hours: Set(3),
                recorded_by: Set(coach.clone()),
                recorded_by_agency: Set("PROVIDER".to_owned()),
                recorded_at: Set(day
                    .and_hms_opt(15, 0, 0)
                    .map_or_else(Utc::now, |t| t.and_utc())),
            })
            .exec_without_returning(conn)
            .await?;
        }
    }
    Ok(())
}
