//! Rehabilitative work activity (KTT) periods: decisions and early endings, by the rules of
//! act 189/2001 (domain.md, "Rules of a KTT period").

use chrono::{Days, Months, NaiveDate};
use entity::{employment_plan, provider, rehab_period, typ_case};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::cases::visible_client;
use super::{input, records, RequestContext};
use crate::authz::FieldGroup;
use crate::db::Sql;
use crate::error::{AppError, AppResult};

/// Before this day a period could have 5 days a week; since, at most 4.
pub fn four_day_rule_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2015, 7, 1).unwrap_or(NaiveDate::MIN)
}

pub struct NewPeriod {
    pub client_id: String,
    pub provider_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub days_per_week: i32,
    pub hours_per_day: i32,
    pub goal: String,
    pub support_needs: Option<String>,
    pub travel_distance_km: Option<f64>,
}

fn add_months(d: NaiveDate, m: u32, field: &str) -> AppResult<NaiveDate> {
    d.checked_add_months(Months::new(m))
        .ok_or_else(|| AppError::bad_input(field, "date out of range"))
}

/// The last day a period may end: `months` months from `start`, less a day.
fn months_end(start: NaiveDate, months: u32) -> AppResult<NaiveDate> {
    add_months(start, months, "endsOn")?
        .checked_sub_days(Days::new(1))
        .ok_or_else(|| AppError::bad_input("endsOn", "date out of range"))
}

/// The day a period actually ends (an early end, or as decided).
pub fn effective_end(p: &rehab_period::Model) -> NaiveDate {
    p.ended_early_on.unwrap_or(p.ends_on)
}

/// Checks the schedule and length rules; each failure names its input field.
pub fn check_rules(p: &NewPeriod) -> AppResult<()> {
    if p.ends_on < months_end(p.starts_on, 3)? {
        return Err(AppError::bad_input(
            "endsOn",
            "a KTT period lasts at least 3 months",
        ));
    }
    if p.ends_on > months_end(p.starts_on, 24)? {
        return Err(AppError::bad_input(
            "endsOn",
            "a KTT period lasts at most 24 months",
        ));
    }
    let max_days = if p.starts_on < four_day_rule_from() {
        5
    } else {
        4
    };
    if !(1..=max_days).contains(&p.days_per_week) {
        return Err(AppError::bad_input(
            "daysPerWeek",
            format!("1 to {max_days} days a week"),
        ));
    }
    if !(4..=8).contains(&p.hours_per_day) {
        return Err(AppError::bad_input("hoursPerDay", "4 to 8 hours a day"));
    }
    if p.days_per_week * p.hours_per_day > 32 {
        return Err(AppError::bad_input(
            "hoursPerDay",
            "at most 32 hours a week",
        ));
    }
    if let Some(km) = p.travel_distance_km {
        if !km.is_finite() || !(0.0..=1000.0).contains(&km) {
            return Err(AppError::bad_input(
                "travelDistanceKm",
                "a distance from 0 to 1000 km",
            ));
        }
    }
    Ok(())
}

/// Decides a KTT period for a client at a provider.
pub async fn decide(rc: &RequestContext, input: NewPeriod) -> AppResult<rehab_period::Model> {
    rc.require_write(FieldGroup::Rehab)?;
    let client = visible_client(rc, &input.client_id).await?;
    check_rules(&input)?;
    let goal = input::required_text("goal", &input.goal, 2000)?;
    let support = input::optional_text("supportNeeds", input.support_needs.as_deref(), 2000)?;
    let provider = provider::Entity::find_by_id(input.provider_id.clone())
        .one(rc.db())
        .await?
        .filter(|p| p.active)
        .ok_or_else(|| AppError::bad_input("providerId", "no active provider with this id"))?;
    let existing = rehab_period::Entity::find()
        .filter(rehab_period::Column::ClientId.eq(client.row.id.clone()))
        .all(rc.db())
        .await?;
    // The rules weigh every period of the client; what an answer shows of one is only what
    // the caller's scope lets it read (outside TYP, another agency's period is not).
    let readable: Vec<String> = records::periods(rc.db(), &rc.scope, &[client.scope.key()])
        .await?
        .into_values()
        .flatten()
        .map(|p| p.id)
        .collect();
    if let Some(clash) = existing
        .iter()
        .find(|p| p.starts_on <= input.ends_on && effective_end(p) >= input.starts_on)
    {
        let message = "the new period overlaps an existing KTT period of the client";
        if !readable.contains(&clash.id) {
            return Err(AppError::Conflict(message.into()));
        }
        // Shown as read, and logged as read, as the assessment a caller should reuse is.
        rc.recorder.read(&client.row.id, FieldGroup::Rehab, None);
        return Err(AppError::ConflictWithExisting(
            message.into(),
            vec![
                ("id", clash.id.clone()),
                ("startsOn", clash.starts_on.to_string()),
                ("endsOn", effective_end(clash).to_string()),
            ],
        ));
    }
    // The plan must be reviewed after 24 months in KTT: over consecutive periods (gaps of
    // at most a month), a longer run needs a plan made in the 3 months before this one.
    let mut chain_start = input.starts_on;
    let mut before: Vec<&rehab_period::Model> = existing
        .iter()
        .filter(|p| p.starts_on < input.starts_on)
        .collect();
    before.sort_by_key(|p| std::cmp::Reverse(p.starts_on));
    for p in before {
        let gap_ok = effective_end(p)
            .checked_add_days(Days::new(31))
            .is_some_and(|d| d >= chain_start);
        if !gap_ok {
            break;
        }
        chain_start = p.starts_on;
    }
    if input.ends_on > months_end(chain_start, rc.settings.rehab_review_months)? {
        let since = input
            .starts_on
            .checked_sub_months(Months::new(3))
            .unwrap_or(NaiveDate::MIN);
        let cases: Vec<String> = typ_case::Entity::find()
            .filter(typ_case::Column::ClientId.eq(client.row.id.clone()))
            .all(rc.db())
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let reviewed = employment_plan::Entity::find()
            .filter(employment_plan::Column::CaseId.is_in(cases))
            .filter(employment_plan::Column::MadeOn.between(since, input.starts_on))
            .one(rc.db())
            .await?
            .is_some();
        if !reviewed {
            // Not the day the run began: it may be another agency's period the caller
            // cannot read.
            return Err(AppError::bad_input(
                "startsOn",
                format!(
                    "with the periods before it, over {} months in KTT in a row: review the plan first",
                    rc.settings.rehab_review_months
                ),
            ));
        }
    }
    let open_case = typ_case::Entity::find()
        .filter(typ_case::Column::ClientId.eq(client.row.id.clone()))
        .filter(typ_case::Column::EndedOn.is_null())
        .one(rc.db())
        .await?;
    let id = uuid::Uuid::new_v4().to_string();
    let number = format!(
        "KTT-{}-{}",
        rc.today.format("%Y"),
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    );
    let payer = if client.row.on_social_assistance {
        "EKSOTE"
    } else {
        "KELA"
    };
    let mut sql = Sql::new("INSERT INTO rehab_period (id, client_id, case_id, provider_id, decision_number, decided_on, decided_by, starts_on, ends_on, days_per_week, hours_per_day, goal, support_needs, travel_distance_km, payer, created_at) VALUES (");
    sql.bind(id.clone())
        .push(", ")
        .bind(client.row.id.clone())
        .push(", ")
        .bind(open_case.map(|c| c.id))
        .push(", ")
        .bind(provider.id)
        .push(", ")
        .bind(number)
        .push(", ")
        .bind(rc.today)
        .push(", ")
        .bind(rc.principal.official_id.clone())
        .push(", ")
        .bind(input.starts_on)
        .push(", ")
        .bind(input.ends_on)
        .push(", ")
        .bind(input.days_per_week)
        .push(", ")
        .bind(input.hours_per_day)
        .push(", ")
        .bind(goal)
        .push(", ")
        .bind(support)
        .push(", ")
        .bind(input.travel_distance_km)
        .push(", ")
        .bind(payer)
        .push(", ")
        .bind(rc.now)
        .push(")");
    rc.db().execute_raw(sql.build_for(rc.db())).await?;
    crate::store::ktt_month::rebuild(rc.db(), Some(&client.row.id)).await?;
    rc.recorder.write(&client.row.id, FieldGroup::Rehab);
    rehab_period::Entity::find_by_id(id)
        .one(rc.db())
        .await?
        .ok_or(AppError::NotFound)
}

/// Ends a period early with a reason (an interruption that does not resume).
pub async fn end_early(
    rc: &RequestContext,
    period_id: &str,
    ended_on: NaiveDate,
    reason: &str,
) -> AppResult<rehab_period::Model> {
    rc.require_write(FieldGroup::Rehab)?;
    let period = records::period_in_scope(rc.db(), &rc.scope, period_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let client = visible_client(rc, &period.client_id).await?;
    if period.ended_early_on.is_some() {
        return Err(AppError::Conflict("the period has already ended".into()));
    }
    if ended_on < period.starts_on || ended_on > period.ends_on {
        return Err(AppError::bad_input(
            "endedOn",
            "endedOn is within the period",
        ));
    }
    let reason = input::required_text("reason", reason, 1000)?;
    let mut sql = Sql::new("UPDATE rehab_period SET ended_early_on = ");
    sql.bind(ended_on)
        .push(", end_reason = ")
        .bind(reason)
        .push(" WHERE id = ")
        .bind(period.id.clone());
    rc.db().execute_raw(sql.build_for(rc.db())).await?;
    crate::store::ktt_month::rebuild(rc.db(), Some(&client.row.id)).await?;
    rc.recorder.write(&client.row.id, FieldGroup::Rehab);
    rehab_period::Entity::find_by_id(period.id)
        .one(rc.db())
        .await?
        .ok_or(AppError::NotFound)
}

/// Interrupts a period for a while (illness, a work trial); attendance is refused meanwhile.
pub async fn interrupt(
    rc: &RequestContext,
    period_id: &str,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    reason: &str,
) -> AppResult<rehab_period::Model> {
    rc.require_write(FieldGroup::Rehab)?;
    let period = records::period_in_scope(rc.db(), &rc.scope, period_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let client = visible_client(rc, &period.client_id).await?;
    if starts_on < period.starts_on || starts_on > effective_end(&period) {
        return Err(AppError::bad_input(
            "startsOn",
            "startsOn is within the period",
        ));
    }
    if ends_on.is_some_and(|e| e < starts_on) {
        return Err(AppError::bad_input("endsOn", "endsOn is before startsOn"));
    }
    let reason = input::required_text("reason", reason, 1000)?;
    let others = entity::rehab_interruption::Entity::find()
        .filter(entity::rehab_interruption::Column::PeriodId.eq(period.id.clone()))
        .all(rc.db())
        .await?;
    let end = ends_on.unwrap_or(NaiveDate::MAX);
    if others
        .iter()
        .any(|i| i.starts_on <= end && i.ends_on.unwrap_or(NaiveDate::MAX) >= starts_on)
    {
        return Err(AppError::Conflict(
            "the period is already interrupted then".into(),
        ));
    }
    let mut sql = Sql::new(
        "INSERT INTO rehab_interruption (id, period_id, starts_on, ends_on, reason) VALUES (",
    );
    sql.bind(uuid::Uuid::new_v4().to_string())
        .push(", ")
        .bind(period.id.clone())
        .push(", ")
        .bind(starts_on)
        .push(", ")
        .bind(ends_on)
        .push(", ")
        .bind(reason)
        .push(")");
    rc.db().execute_raw(sql.build_for(rc.db())).await?;
    rc.recorder.write(&client.row.id, FieldGroup::Rehab);
    Ok(period)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(start: &str, end: &str, days: i32, hours: i32) -> NewPeriod {
        NewPeriod {
            client_id: String::new(),
            provider_id: String::new(),
            starts_on: start.parse().unwrap(),
            ends_on: end.parse().unwrap(),
            days_per_week: days,
            hours_per_day: hours,
            goal: "g".into(),
            support_needs: None,
            travel_distance_km: None,
        }
    }

    fn field(r: AppResult<()>) -> Option<String> {
        match r {
            Err(AppError::BadUserInput { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn length_is_three_to_twenty_four_months() {
        assert_eq!(
            field(check_rules(&period("2026-01-01", "2026-03-31", 3, 6))),
            None
        );
        assert_eq!(
            field(check_rules(&period("2026-01-01", "2026-03-30", 3, 6))).as_deref(),
            Some("endsOn")
        );
        assert_eq!(
            field(check_rules(&period("2026-01-01", "2027-12-31", 3, 6))),
            None
        );
        assert_eq!(
            field(check_rules(&period("2026-01-01", "2028-01-01", 3, 6))).as_deref(),
            Some("endsOn")
        );
    }

    #[test]
    fn schedule_is_one_to_four_days_of_four_to_eight_hours() {
        assert_eq!(
            field(check_rules(&period("2026-01-01", "2026-06-30", 4, 8))),
            None
        );
        assert_eq!(
            field(check_rules(&period("2026-01-01", "2026-06-30", 5, 4))).as_deref(),
            Some("daysPerWeek")
        );
        assert_eq!(
            field(check_rules(&period("2026-01-01", "2026-06-30", 0, 4))).as_deref(),
            Some("daysPerWeek")
        );
        assert_eq!(
            field(check_rules(&period("2026-01-01", "2026-06-30", 1, 4))),
            None
        );
        assert_eq!(
            field(check_rules(&period("2026-01-01", "2026-06-30", 2, 3))).as_deref(),
            Some("hoursPerDay")
        );
        assert_eq!(
            field(check_rules(&period("2026-01-01", "2026-06-30", 2, 9))).as_deref(),
            Some("hoursPerDay")
        );
    }

    #[test]
    fn five_days_were_allowed_before_july_2015_within_32_hours() {
        assert_eq!(
            field(check_rules(&period("2015-06-30", "2015-12-31", 5, 6))),
            None
        );
        assert_eq!(
            field(check_rules(&period("2015-07-01", "2015-12-31", 5, 6))).as_deref(),
            Some("daysPerWeek")
        );
        // 5 x 7 = 35 hours is over the weekly 32.
        assert_eq!(
            field(check_rules(&period("2015-06-30", "2015-12-31", 5, 7))).as_deref(),
            Some("hoursPerDay")
        );
    }
}
