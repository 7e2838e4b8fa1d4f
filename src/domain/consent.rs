//! When a consent is in force: from the day it was given, to its last valid day if it has
//! one, and not once it is withdrawn. A withdrawal takes effect on the day it is recorded
//! (or on the day the consent was given, if that is later), so a withdrawn consent is never
//! in force on any day it can be read.
//!
//! The rule is written twice, side by side: [`in_force`] for a row in hand, and
//! [`in_force_condition`], its SQL twin, for the loads that filter consents in the
//! database. A test holds the two to the same answers.

use chrono::NaiveDate;
use entity::consent;
use sea_orm::sea_query::{Condition, Expr, ExprTrait};

/// Whether the consent is in force on `today`.
pub fn in_force(consent: &consent::Model, today: NaiveDate) -> bool {
    in_force_on(
        consent.given_on,
        consent.valid_until,
        consent.withdrawn_on,
        today,
    )
}

/// Whether a consent given on `given_on`, valid until `valid_until` (inclusive) and
/// withdrawn on `withdrawn_on` is in force on `today`.
pub fn in_force_on(
    given_on: NaiveDate,
    valid_until: Option<NaiveDate>,
    withdrawn_on: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    withdrawn_on.is_none() && given_on <= today && valid_until.is_none_or(|u| u >= today)
}

/// The SQL twin of [`in_force`]: the condition on the `consent` table that keeps the
/// consents in force on `today`.
pub fn in_force_condition(today: NaiveDate) -> Condition {
    let col = |c: consent::Column| Expr::col((consent::Entity, c));
    Condition::all()
        .add(col(consent::Column::WithdrawnOn).is_null())
        .add(col(consent::Column::GivenOn).lte(today))
        .add(
            Condition::any()
                .add(col(consent::Column::ValidUntil).is_null())
                .add(col(consent::Column::ValidUntil).gte(today)),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{Alias, Query};
    use sea_orm::{ConnectionTrait, Database, Statement};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// (given, valid until, withdrawn, today, in force): the boundaries of each date.
    type Case = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        &'static str,
        bool,
    );

    fn cases() -> Vec<Case> {
        vec![
            ("2026-03-10", None, None, "2026-03-09", false),
            ("2026-03-10", None, None, "2026-03-10", true),
            ("2026-03-10", None, None, "2030-01-01", true),
            ("2026-03-10", Some("2026-03-10"), None, "2026-03-10", true),
            ("2026-03-10", Some("2026-06-30"), None, "2026-06-30", true),
            ("2026-03-10", Some("2026-06-30"), None, "2026-07-01", false),
            ("2026-03-10", None, Some("2026-04-01"), "2026-04-01", false),
            ("2026-03-10", None, Some("2026-04-01"), "2026-05-01", false),
            (
                "2026-03-10",
                Some("2026-06-30"),
                Some("2026-04-01"),
                "2026-07-01",
                false,
            ),
            ("2026-03-10", None, Some("2026-03-10"), "2026-03-10", false),
        ]
    }

    #[test]
    fn the_rule_answers_the_table() {
        for (given, until, withdrawn, today, expected) in cases() {
            assert_eq!(
                in_force_on(d(given), until.map(d), withdrawn.map(d), d(today)),
                expected,
                "{given} {until:?} {withdrawn:?} on {today}"
            );
        }
    }

    #[tokio::test]
    async fn the_sql_twin_agrees_with_the_rule() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        let backend = db.get_database_backend();
        for (given, until, withdrawn, today, _) in cases() {
            db.execute_unprepared(
                "CREATE TABLE consent (given_on TEXT NOT NULL, valid_until TEXT, withdrawn_on TEXT)",
            )
            .await
            .unwrap();
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO consent VALUES (?, ?, ?)",
                [
                    d(given).into(),
                    until.map(d).into(),
                    withdrawn.map(d).into(),
                ],
            ))
            .await
            .unwrap();
            let select = Query::select()
                .expr_as(Expr::val(1), Alias::new("one"))
                .from(consent::Entity)
                .cond_where(in_force_condition(d(today)))
                .to_owned();
            let found = db.query_one(&select).await.unwrap().is_some();
            assert_eq!(
                found,
                in_force_on(d(given), until.map(d), withdrawn.map(d), d(today)),
                "{given} {until:?} {withdrawn:?} on {today}"
            );
            db.execute_unprepared("DROP TABLE consent").await.unwrap();
        }
    }
}
