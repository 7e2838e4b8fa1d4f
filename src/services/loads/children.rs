//! Records kept under a parent already scoped (a case, period or meeting), and the names
//! the views show beside them, many parents in one statement.

use std::collections::HashMap;

use entity::{
    agreed_action, allowance_line, attendance_day, case_follow_up, competence_record,
    employment_plan, meeting_agency_section, meeting_agenda_item, meeting_participant, official,
    provider, rehab_interruption,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::by_id;
use crate::domain::Agency;

/// Allowance lines by (period id, month).
pub async fn allowance_lines(
    conn: &impl ConnectionTrait,
    keys: &[(String, String)],
) -> Result<HashMap<(String, String), Vec<allowance_line::Model>>, DbErr> {
    use allowance_line::Column;
    let periods: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
    let months: Vec<String> = keys.iter().map(|k| k.1.clone()).collect();
    let rows = allowance_line::Entity::find()
        .filter(Column::PeriodId.is_in(periods))
        .filter(Column::Month.is_in(months))
        .order_by_asc(Column::Id)
        .all(conn)
        .await?;
    let mut out: HashMap<(String, String), Vec<allowance_line::Model>> = HashMap::new();
    for row in rows {
        let key = (row.period_id.clone(), row.month.clone());
        if keys.contains(&key) {
            out.entry(key).or_default().push(row);
        }
    }
    Ok(out)
}

/// The current plan of each case (the newest).
pub async fn plans(
    conn: &impl ConnectionTrait,
    case_ids: &[String],
) -> Result<HashMap<String, Vec<employment_plan::Model>>, DbErr> {
    use employment_plan::Column;
    let rows = employment_plan::Entity::find()
        .filter(Column::CaseId.is_in(case_ids.iter().map(String::as_str)))
        .order_by_desc(Column::MadeOn)
        .order_by_asc(Column::Id)
        .all(conn)
        .await?;
    Ok(by_id(case_ids, rows, |r| r.case_id.as_str()))
}

/// Agreed actions by plan, meeting or case (`column` is `plan_id`, `meeting_id` or `case_id`).
pub async fn actions(
    conn: &impl ConnectionTrait,
    column: &'static str,
    parent_ids: &[String],
) -> Result<HashMap<String, Vec<agreed_action::Model>>, DbErr> {
    use agreed_action::Column;
    let parent = match column {
        "plan_id" => Column::PlanId,
        "meeting_id" => Column::MeetingId,
        _ => Column::CaseId,
    };
    let rows = agreed_action::Entity::find()
        .filter(parent.is_in(parent_ids.iter().map(String::as_str)))
        .order_by_asc(Column::DueOn)
        .order_by_asc(Column::Id)
        .all(conn)
        .await?;
    let key = |r: &agreed_action::Model| -> String {
        match parent {
            Column::PlanId => r.plan_id.clone().unwrap_or_default(),
            Column::MeetingId => r.meeting_id.clone().unwrap_or_default(),
            _ => r.case_id.clone(),
        }
    };
    let mut out: HashMap<String, Vec<_>> =
        parent_ids.iter().map(|k| (k.clone(), Vec::new())).collect();
    for row in rows {
        out.entry(key(&row)).or_default().push(row);
    }
    Ok(out)
}

/// A loader of the rows of `$entity` whose `$parent` column is one of the (already scoped)
/// parents' ids, in `$order`, grouped by parent.
macro_rules! by_parent {
    ($(#[$doc:meta])* $name:ident, $entity:ident, $parent:ident / $field:ident, [$($order:ident),+]) => {
        $(#[$doc])*
        pub async fn $name(
            conn: &impl ConnectionTrait,
            ids: &[String],
        ) -> Result<HashMap<String, Vec<$entity::Model>>, DbErr> {
            use $entity::Column;
            let rows = $entity::Entity::find()
                .filter(Column::$parent.is_in(ids.iter().map(String::as_str)))
                $(.order_by_asc(Column::$order))+
                .all(conn)
                .await?;
            Ok(by_id(ids, rows, |r| r.$field.as_str()))
        }
    };
}

by_parent!(
    /// Attendance days of periods (the periods were already scoped).
    attendance, attendance_day, PeriodId / period_id, [Day, Id]
);
by_parent!(
    /// Participants of meetings.
    participants, meeting_participant, MeetingId / meeting_id, [Kind, Id]
);
by_parent!(
    /// Agenda items of meetings.
    agenda, meeting_agenda_item, MeetingId / meeting_id, [Position]
);
by_parent!(
    /// Interruptions of periods (the periods were already scoped).
    interruptions, rehab_interruption, PeriodId / period_id, [StartsOn, Id]
);
by_parent!(
    /// Competence records of periods (the periods were already scoped).
    competence, competence_record, PeriodId / period_id, [CertifiedOn, Id]
);
by_parent!(
    /// Follow-ups of cases (the cases were already scoped).
    follow_ups, case_follow_up, CaseId / case_id, [MonthsAfter]
);

/// The caller agency's own sections of meetings (other agencies' sections never leave).
pub async fn own_sections(
    conn: &impl ConnectionTrait,
    agency: Agency,
    meeting_ids: &[String],
) -> Result<HashMap<String, Vec<meeting_agency_section::Model>>, DbErr> {
    use meeting_agency_section::Column;
    let rows = meeting_agency_section::Entity::find()
        .filter(Column::MeetingId.is_in(meeting_ids.iter().map(String::as_str)))
        .filter(Column::Agency.eq(agency.code()))
        .order_by_asc(Column::Id)
        .all(conn)
        .await?;
    Ok(by_id(meeting_ids, rows, |r| r.meeting_id.as_str()))
}

/// Providers by id.
pub async fn providers(
    conn: &impl ConnectionTrait,
    ids: &[String],
) -> Result<HashMap<String, provider::Model>, DbErr> {
    let rows = provider::Entity::find()
        .filter(provider::Column::Id.is_in(ids.iter().map(String::as_str)))
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id.clone(), r)).collect())
}

/// Officials' names by id (officials are not client data).
#[derive(Debug, Clone, FromQueryResult, serde::Deserialize)]
pub struct OfficialName {
    pub id: String,
    pub name: String,
    pub agency: String,
}

pub async fn official_names(
    conn: &impl ConnectionTrait,
    ids: &[String],
) -> Result<HashMap<String, OfficialName>, DbErr> {
    use official::Column;
    let rows = official::Entity::find()
        .select_only()
        .columns([Column::Id, Column::Name, Column::Agency])
        .filter(Column::Id.is_in(ids.iter().map(String::as_str)))
        .into_model::<OfficialName>()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id.clone(), r)).collect())
}
