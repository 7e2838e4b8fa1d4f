//! The command line as a new user meets it: `serve --demo` on the embedded SQLite default
//! prints a token per role that works, `token` signs for an official, start-up errors are
//! one line with a non-zero exit.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_typgraph");

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `typgraph serve --demo` in `dir`; returns the server, its address and token lines.
fn serve_demo(dir: &std::path::Path) -> (Server, String, Vec<(String, String, String)>) {
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .current_dir(dir)
        .env_remove("TYPGRAPH_DATABASE_URL")
        .env_remove("TYPGRAPH_JWT_SECRET")
        .env_remove("TYPGRAPH_JWT_PUBLIC_KEY")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let started = Instant::now();
    let mut tokens = Vec::new();
    let mut addr = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("token ") {
            let parts: Vec<&str> = rest.split(' ').collect();
            assert_eq!(parts.len(), 3, "token ROLE OFFICIAL_ID JWT: {line}");
            tokens.push((
                parts[0].to_owned(),
                parts[1].to_owned(),
                parts[2].to_owned(),
            ));
        } else if let Some(a) = line.strip_prefix("listening on http://") {
            addr = Some(a.to_owned());
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "demo server did not start"
        );
    }
    (server, addr.expect("listening line"), tokens)
}

async fn gql(
    addr: &str,
    token: &str,
    query: &str,
    variables: serde_json::Value,
) -> serde_json::Value {
    reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .header("content-type", "application/json")
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn serve_demo_prints_a_working_token_for_every_role() {
    let dir = tempfile::tempdir().unwrap();
    let (server, addr, tokens) = serve_demo(dir.path());
    let roles: Vec<&str> = tokens.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(
        roles,
        [
            "TYP_OFFICER",
            "TE_EXPERT",
            "EKSOTE_WORKER",
            "KELA_EXPERT",
            "PROVIDER_COACH",
            "ANALYST",
            "AUDITOR",
            "ADMIN"
        ]
    );
    assert!(
        dir.path().join("typgraph.db").exists(),
        "the SQLite file is created in the working directory"
    );
    let te = &tokens[1].2;
    let page = gql(
        &addr,
        te,
        "{ clients(first: 100) { edges { node { id personalIdentityCode } } } }",
        json!({}),
    )
    .await;
    let edges = page["data"]["clients"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 100, "{page}");
    // Demo people carry valid codes from the test range 900–999.
    for e in edges {
        let code = e["node"]["personalIdentityCode"].as_str().unwrap();
        let (_, _) = typgraph::domain::personal_identity_code::parse(code).unwrap();
        let individual: u32 = code[7..10].parse().unwrap();
        assert!((900..=999).contains(&individual), "{code}");
    }
    let client = edges[0]["node"]["id"].as_str().unwrap().to_owned();
    for (role, official, token) in &tokens {
        let me = gql(&addr, token, "{ me { officialId roles } }", json!({})).await;
        assert_eq!(me["data"]["me"]["officialId"], *official, "{role}: {me}");
        assert_eq!(me["data"]["me"]["roles"], json!([role]), "{role}");
        let view = gql(
            &addr,
            token,
            "query V($c: ID!) { caseView(clientId: $c) { client { firstName } } }",
            json!({ "c": client }),
        )
        .await;
        match role.as_str() {
            "TYP_OFFICER" | "TE_EXPERT" | "EKSOTE_WORKER" | "KELA_EXPERT" => {
                assert!(
                    view["data"]["caseView"]["client"]["firstName"].is_string(),
                    "{role}: {view}"
                )
            }
            "PROVIDER_COACH" => assert!(view.get("errors").is_none(), "{role}: {view}"),
            _ => assert_eq!(
                view["errors"][0]["extensions"]["code"], "FORBIDDEN",
                "{role}: {view}"
            ),
        }
    }
    // The auditor sees the reads above in the access log.
    let auditor = &tokens[6].2;
    let log = gql(
        &addr,
        auditor,
        "query L($c: ID!) { accessLog(clientId: $c) { edges { node { agency fields } } } }",
        json!({ "c": client }),
    )
    .await;
    assert!(
        log["data"]["accessLog"]["edges"].as_array().unwrap().len() >= 4,
        "{log}"
    );

    // `typgraph token` signs with the development secret for the demo database.
    let out = Command::new(BIN)
        .args([
            "token",
            "--sub",
            &tokens[3].1,
            "--role",
            "KELA_EXPERT",
            "--ttl",
            "1h",
        ])
        .current_dir(dir.path())
        .env_remove("TYPGRAPH_DATABASE_URL")
        .env_remove("TYPGRAPH_JWT_SECRET")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let me = gql(&addr, &token, "{ me { agency } }", json!({})).await;
    assert_eq!(me["data"]["me"]["agency"], "KELA");
    // The mutations work on the demo data: register, open a case, decide a period.
    let officer = &tokens[0].2;
    let reg = gql(&addr, officer, "mutation R($i: RegisterClientInput!) { registerClient(input: $i) { duplicate client { id } } }", json!({ "i": { "personalIdentityCode": "010101A999X", "firstName": "Uusi", "lastName": "Koeasiakas" } })).await;
    assert_eq!(reg["data"]["registerClient"]["duplicate"], false, "{reg}");
    let new_client = reg["data"]["registerClient"]["client"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let today = chrono::Utc::now().date_naive();
    let opened = gql(&addr, officer, "mutation O($i: OpenTypCaseInput!) { openTypCase(input: $i) { phase } }", json!({ "i": { "clientId": new_client, "criterion": "UNEMPLOYED_12_MONTHS_25_PLUS", "openedOn": today.to_string(), "clientAgreedOn": today.to_string() } })).await;
    assert_eq!(
        opened["data"]["openTypCase"]["phase"], "MAPPING",
        "{opened}"
    );
    let providers = gql(&addr, officer, "{ providers { id kind } }", json!({})).await;
    let workshop = providers["data"]["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "COUNTY_WORKSHOP")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let start = today.checked_add_days(chrono::Days::new(7)).unwrap();
    let end = start.checked_add_months(chrono::Months::new(6)).unwrap();
    let decided = gql(&addr, &tokens[2].2, "mutation D($i: DecideRehabPeriodInput!) { decideRehabPeriod(input: $i) { provider { kind } } }", json!({ "i": { "clientId": new_client, "providerId": workshop, "startsOn": start.to_string(), "endsOn": end.to_string(), "daysPerWeek": 3, "hoursPerDay": 6, "goal": "Daily rhythm", "travelDistanceKm": 4.2 } })).await;
    assert_eq!(
        decided["data"]["decideRehabPeriod"]["provider"]["kind"], "COUNTY_WORKSHOP",
        "{decided}"
    );
    drop(server);

    // A second start keeps the data and loads nothing twice.
    let (_server, addr, tokens) = serve_demo(dir.path());
    let db = typgraph::db::connect(
        &format!("sqlite://{}/typgraph.db", dir.path().display()),
        None,
    )
    .await
    .unwrap();
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        entity::client::Entity::find().count(&db).await.unwrap(),
        typgraph::demo::DEMO_CLIENTS as u64 + 1,
        "the demo is loaded once; the client registered above is kept"
    );
    let me = gql(&addr, &tokens[0].2, "{ me { roles } }", json!({})).await;
    assert_eq!(me["data"]["me"]["roles"], json!(["TYP_OFFICER"]));
}

#[test]
fn serve_without_a_key_refuses_to_start_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env_remove("TYPGRAPH_JWT_SECRET")
        .env_remove("TYPGRAPH_JWT_PUBLIC_KEY")
        .env_remove("TYPGRAPH_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    let last = err.lines().last().unwrap();
    assert!(
        last.starts_with("typgraph: ") && last.contains("TYPGRAPH_JWT_SECRET"),
        "{err}"
    );
}

#[test]
fn an_unreachable_database_is_a_one_line_start_up_error() {
    let out = Command::new(BIN)
        .args([
            "migrate",
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.lines()
            .last()
            .unwrap()
            .starts_with("typgraph: cannot connect to the database"),
        "{err}"
    );
}

#[test]
fn seed_is_deterministic_for_a_seed_and_prints_officials() {
    let run = |dir: &std::path::Path| {
        let out = Command::new(BIN)
            .args([
                "seed",
                "--clients",
                "30",
                "--rng-seed",
                "5",
                "--database-url",
                &format!("sqlite://{}/s.db?mode=rwc", dir.display()),
            ])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (out_a, out_b) = (run(a.path()), run(b.path()));
    assert_eq!(out_a, out_b);
    assert_eq!(out_a.lines().count(), 8);
    assert!(out_a.lines().all(|l| l.starts_with("official ")));
    let dump = |dir: &std::path::Path| {
        Command::new("sqlite3")
            .arg(dir.join("s.db"))
            .arg("SELECT id, personal_identity_code, first_name, last_name FROM client ORDER BY id")
            .output()
            .map(|o| o.stdout)
    };
    if let (Ok(x), Ok(y)) = (dump(a.path()), dump(b.path())) {
        assert_eq!(x, y);
        assert!(!x.is_empty());
    }
}

#[test]
fn migrate_creates_the_sqlite_file_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/m.db?mode=rwc", dir.path().display());
    for _ in 0..2 {
        let out = Command::new(BIN)
            .args(["migrate", "--database-url", &url])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8(out.stdout).unwrap().trim(),
            "migrations applied"
        );
    }
    assert!(dir.path().join("m.db").exists());
}
