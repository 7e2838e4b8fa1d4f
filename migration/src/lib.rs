//! Database migrations for typgraph, portable between SQLite and PostgreSQL.
//!
//! Each migration is one SQL file under `sql/`, named by verb and table, with a few
//! placeholders for the types that differ between the two backends: `{ts}` (timestamp with
//! time zone), `{f64}` (double) and `{serial}` (an ever-growing integer primary key).
//! Constraints (foreign keys, unique and check constraints) live in the SQL so the database
//! refuses bad data even when code has a bug.

pub use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub mod log_references;
pub mod summary_facts;
pub mod visibility;

/// One schema change: its name, its SQL and the tables it creates (dropped in reverse on
/// `down`). Derived tables are filled by the server after migrating (`typgraph::db::migrate`).
struct SqlMigration {
    name: &'static str,
    sql: &'static str,
    tables: &'static [&'static str],
}

impl MigrationName for SqlMigration {
    fn name(&self) -> &str {
        self.name
    }
}

/// Replaces the backend placeholders of a migration file.
pub fn render(sql: &str, backend: DbBackend) -> String {
    let (ts, f64_ty, serial) = match backend {
        DbBackend::Postgres => (
            "TIMESTAMPTZ",
            "DOUBLE PRECISION",
            "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        ),
        _ => ("TIMESTAMP", "REAL", "INTEGER PRIMARY KEY AUTOINCREMENT"),
    };
    sql.replace("{ts}", ts)
        .replace("{f64}", f64_ty)
        .replace("{serial}", serial)
}

/// Splits a migration file into statements: `--` comment lines are dropped first; the
/// files contain no `;` inside string literals.
fn statements(sql: &str) -> Vec<String> {
    let code: Vec<&str> = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect();
    code.join("\n")
        .split(';')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The names of the indexes a migration file creates.
fn created_indexes(sql: &str) -> Vec<String> {
    statements(sql)
        .iter()
        .filter_map(|s| {
            let words: Vec<&str> = s.split_whitespace().collect();
            match words.as_slice() {
                ["CREATE", "INDEX", name, ..] | ["CREATE", "UNIQUE", "INDEX", name, ..] => {
                    Some((*name).to_owned())
                }
                _ => None,
            }
        })
        .collect()
}

/// The names of the views a migration file creates.
fn created_views(sql: &str) -> Vec<String> {
    statements(sql)
        .iter()
        .filter_map(
            |s| match s.split_whitespace().collect::<Vec<_>>().as_slice() {
                ["CREATE", "VIEW", name, ..] => Some((*name).to_owned()),
                _ => None,
            },
        )
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for SqlMigration {
    /// Each migration in one transaction on SQLite too (PostgreSQL's default): its
    /// statements then run on one connection, in order, all or none. A table rebuilt
    /// (created anew, filled, dropped, renamed) needs it: on a pool, another connection
    /// may still read the schema as it was before the drop.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let sql = render(self.sql, db.get_database_backend());
        for stmt in statements(&sql) {
            db.execute_unprepared(&stmt).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // Its views first: they read its tables (SQLite would keep a view of a dropped one).
        for view in created_views(self.sql) {
            db.execute_unprepared(&format!("DROP VIEW IF EXISTS {view}"))
                .await?;
        }
        // The migration's own indexes next: some are on tables of earlier migrations.
        for index in created_indexes(self.sql) {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}"))
                .await?;
        }
        // A table a later-added column of an earlier table refers to (a programme tagged on
        // cases) cannot be dropped on PostgreSQL while the reference stands: CASCADE drops
        // the reference (the constraint, not the column), which the earlier migration's own
        // down then drops with its table. SQLite checks no reference on a drop.
        let cascade = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => " CASCADE",
            _ => "",
        };
        for table in self.tables.iter().rev() {
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}{cascade}"))
                .await?;
        }
        Ok(())
    }
}

macro_rules! sql_migration {
    ($name:literal, [$($table:literal),* $(,)?]) => {
        Box::new(SqlMigration {
            name: $name,
            sql: include_str!(concat!("sql/", $name, ".sql")),
            tables: &[$($table),*],
        }) as Box<dyn MigrationTrait>
    };
}

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            sql_migration!(
                "001_create_agencies_providers_officials",
                [
                    "agency",
                    "provider",
                    "official",
                    "official_role",
                    "dataset_marker"
                ]
            ),
            sql_migration!(
                "002_create_clients_consents",
                ["client", "consent", "consent_field_group"]
            ),
            sql_migration!(
                "003_create_typ_cases_plans",
                ["typ_case", "case_follow_up", "employment_plan"]
            ),
            sql_migration!(
                "004_create_network_meetings",
                [
                    "network_meeting",
                    "meeting_participant",
                    "meeting_agenda_item",
                    "meeting_agency_section",
                    "agreed_action"
                ]
            ),
            sql_migration!(
                "005_create_rehab_periods_attendance",
                [
                    "service_interruption",
                    "rehab_period",
                    "rehab_interruption",
                    "attendance_day",
                    "allowance_line",
                    "allowance_line_attendance",
                    "job_coaching"
                ]
            ),
            sql_migration!(
                "006_create_assessments_benefits",
                [
                    "work_ability_assessment",
                    "benefit_decision",
                    "labour_policy_statement",
                    "employment_item",
                    "agency_note"
                ]
            ),
            sql_migration!("007_create_access_log", ["access_log", "disclosure_log"]),
            sql_migration!("008_create_assessment_reuse", ["assessment_reuse"]),
            sql_migration!("009_create_ktt_month", ["ktt_month", "ktt_client_month"]),
            sql_migration!("010_create_administration", ["policy_version", "admin_log"]),
            sql_migration!("011_index_lookups", []),
            sql_migration!("012_create_access_log_seal", ["access_log_seal"]),
            sql_migration!("013_create_client_access_log", ["client_access_log"]),
            sql_migration!("014_create_referral", ["referral"]),
            sql_migration!(
                "015_create_break_glass",
                ["break_glass", "break_glass_access"]
            ),
            sql_migration!("016_create_retention_erasure", ["retention_erasure"]),
            sql_migration!("017_create_rate_limit_bucket", ["rate_limit_bucket"]),
            sql_migration!("018_create_record_seal", ["record_seal"]),
            sql_migration!(
                "019_create_service_interruption_log",
                ["service_interruption_log"]
            ),
            sql_migration!("020_alter_typ_case_recording", []),
            sql_migration!(
                "021_create_ktt_decision",
                [
                    "ktt_decision_maker",
                    "plan_ktt_item",
                    "ktt_decision",
                    "ktt_start_notice"
                ]
            ),
            sql_migration!(
                "022_create_benefit_status",
                [
                    "benefit_status",
                    "allowance_export",
                    "allowance_export_line"
                ]
            ),
            sql_migration!(
                "023_alter_attendance_corrections",
                ["attendance_correction"]
            ),
            sql_migration!("024_alter_disclosure_basis", []),
            sql_migration!("025_create_client_merge", ["client_merge"]),
            sql_migration!("026_create_agency_work", ["competence_record"]),
            // Down drops the rebuilt job coaching too (it references the vouchers); the
            // down of 005 then finds it gone.
            sql_migration!(
                "027_create_service_voucher_coaching",
                [
                    "provider_voucher_approval",
                    "service_voucher",
                    "job_coaching",
                    "job_coaching_hours"
                ]
            ),
            sql_migration!(
                "028_create_employers_pay_subsidy_programmes",
                ["employer", "programme", "pay_subsidy", "register_log"]
            ),
            sql_migration!("029_alter_ktt_notices", []),
            Box::new(visibility::Migration),
            sql_migration!("031_index_read_paths", []),
            sql_migration!("032_index_ktt_start_notices", []),
            sql_migration!("033_index_report_ranges", []),
            Box::new(log_references::Migration),
            Box::new(log_references::Officials),
            sql_migration!("036_index_agreed_action_ranges", []),
            Box::new(summary_facts::Migration),
            sql_migration!("038_create_access_log_client", ["access_log_client"]),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_with_semicolons_do_not_split_statements() {
        let sql = "-- a; b\nCREATE TABLE a (x TEXT);\n-- c;\nCREATE TABLE b (y TEXT);\n";
        assert_eq!(
            statements(sql),
            vec!["CREATE TABLE a (x TEXT)", "CREATE TABLE b (y TEXT)"]
        );
    }

    #[test]
    fn down_finds_the_views_and_indexes_a_file_creates() {
        let sql = "CREATE TABLE t (x TEXT);\nCREATE INDEX t_x ON t (x);\n-- CREATE VIEW not_this AS\nCREATE VIEW t_view AS SELECT x FROM t;\n";
        assert_eq!(created_views(sql), vec!["t_view"]);
        assert_eq!(created_indexes(sql), vec!["t_x"]);
    }
}
