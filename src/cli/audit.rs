//! The commands over the record of processing: the audit chains and retention.

use typgraph::app::{connect_and_migrate, one_line};
use typgraph::config;

use super::Failure;

/// `typgraph retention --dry-run|--apply`: one line per due item (client ids, never names).
pub(super) async fn retention(apply: bool, database_url: String) -> Result<(), Failure> {
    use typgraph::services::retention;
    let settings = config::env::settings().map_err(Failure)?;
    let key = if apply {
        let key = config::env::pseudonym_key();
        if key.len() < 32 {
            return Err(Failure(
                "--apply needs TYPGRAPH_PSEUDONYM_KEY (at least 32 characters): erased identities become keyed pseudonyms".into(),
            ));
        }
        Some(key)
    } else {
        None
    };
    let db = connect_and_migrate(&database_url, None, None).await?;
    let today = chrono::Utc::now().date_naive();
    let due = retention::due(&db, &settings, today)
        .await
        .map_err(|e| Failure(format!("cannot read what is due: {}", one_line(&e))))?;
    for item in &due {
        match &key {
            None => println!(
                "due {} client {} since {} ({})",
                item.class.code(),
                item.client_id,
                item.due_on,
                item.basis
            ),
            Some(key) => {
                let rows = retention::erase(&db, key, &settings, today, item)
                    .await
                    .map_err(|e| {
                        Failure(format!(
                            "erasing {} of client {} failed (nothing of it changed): {}",
                            item.class.code(),
                            item.client_id,
                            one_line(&e)
                        ))
                    })?;
                println!(
                    "erased {} client {} ({} rows)",
                    item.class.code(),
                    item.client_id,
                    rows
                );
            }
        }
    }
    println!(
        "{} due{}",
        due.len(),
        if key.is_none() {
            " (dry run: nothing changed)"
        } else {
            ", erased"
        }
    );
    Ok(())
}

/// `typgraph audit verify`: both chains from the first seal to the last, and the record
/// chain against a published head when one is given.
pub(super) async fn verify(
    database_url: String,
    published: Option<typgraph::audit::record_seal::Head>,
) -> Result<(), Failure> {
    let db = typgraph::db::connect(&database_url, None, None)
        .await
        .map_err(|e| Failure(format!("cannot connect to the database: {}", one_line(&e))))?;
    let v = typgraph::audit::chain::verify_against(&db, published.as_ref())
        .await
        .map_err(|e| Failure(format!("cannot read the audit logs: {}", one_line(&e))))?;
    if let Some(b) = &v.broken {
        return Err(Failure(format!(
            "access log broken at seal {}{}: {} ({} seals verified before it)",
            b.seq,
            b.access_log_id
                .map(|id| format!(" (access-log row {id})"))
                .unwrap_or_default(),
            b.problem,
            v.sealed
        )));
    }
    let r = &v.records;
    if let Some(b) = &r.broken {
        return Err(Failure(format!(
            "record chain broken at seal {}{}: {} ({} seals verified before it)",
            b.seq,
            b.record
                .as_ref()
                .map(|(kind, key)| format!(" ({kind} {key})"))
                .unwrap_or_default(),
            b.problem,
            r.sealed
        )));
    }
    println!(
        "access log intact: {} rows sealed, {} not yet sealed, head {}; records intact: {} seals, {} records not yet sealed, head {}{}",
        v.sealed,
        v.unsealed,
        v.head,
        r.sealed,
        r.unsealed,
        r.head,
        published
            .map(|p| format!("; passes through the published head {p}"))
            .unwrap_or_default()
    );
    Ok(())
}
