//! The command line as a new user meets it: `serve --demo` on the embedded SQLite default
//! prints a token per role that works, `token` signs for an official, start-up errors are
//! one line with a non-zero exit.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::TEST_SECRET;

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
    serve_demo_with(dir, &[("RUST_LOG", "warn")], Stdio::null())
}

/// `serve_demo` with more environment and the server's stderr sent to `stderr`.
fn serve_demo_with(
    dir: &std::path::Path,
    env: &[(&str, &str)],
    stderr: Stdio,
) -> (Server, String, Vec<(String, String, String)>) {
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .current_dir(dir)
        .env_remove("TYPGRAPH_DATABASE_URL")
        .env_remove("TYPGRAPH_JWT_SECRET")
        .env_remove("TYPGRAPH_JWT_PUBLIC_KEY")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(stderr)
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

/// Posts a GraphQL query over a plain TCP connection (for tests outside a runtime), with
/// a request id if given; answers the JSON body of a 200.
fn post_plain(addr: &str, token: &str, query: &str, request_id: Option<&str>) -> serde_json::Value {
    use std::io::{Read, Write};
    let body = json!({ "query": query }).to_string();
    let id = request_id
        .map(|id| format!("X-Request-Id: {id}\r\n"))
        .unwrap_or_default();
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}\r\n{id}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let (_, json) = response.split_once("\r\n\r\n").unwrap();
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {response}"))
}

#[test]
fn sigterm_lets_in_flight_requests_finish_refuses_new_ones_and_logs_json_with_request_ids() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let dir = tempfile::tempdir().unwrap();
    let (mut server, addr, tokens) = serve_demo_with(
        dir.path(),
        &[("RUST_LOG", "trace"), ("TYPGRAPH_LOG_FORMAT", "json")],
        Stdio::piped(),
    );
    // Read the log as it comes, so a full pipe never stalls the server.
    let mut stderr = server.0.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        stderr.read_to_string(&mut log).unwrap();
        log
    });
    let (_, official, token) = tokens.iter().find(|t| t.0 == "TE_EXPERT").unwrap().clone();
    // Personal data read with every log level on: none of it may reach the log.
    let page = post_plain(
        &addr,
        &token,
        "{ clients(first: 5) { edges { node { personalIdentityCode firstName lastName phone } } } }",
        None,
    );
    let personal: Vec<String> = page["data"]["clients"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| {
            ["personalIdentityCode", "lastName", "phone"]
                .iter()
                .filter_map(|f| e["node"][*f].as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(personal.len() >= 10, "{page}");
    let body = json!({ "query": "query Drain { me { officialId } }" }).to_string();
    // A request in flight: headers sent, half of its body still to come.
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}\r\nX-Request-Id: drain-test-1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    let half = body.len() / 2;
    stream.write_all(&body.as_bytes()[..half]).unwrap();
    std::thread::sleep(Duration::from_millis(300));

    let pid = server.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let signalled = Instant::now();
    while TcpStream::connect(&addr).is_ok() {
        assert!(
            signalled.elapsed() < Duration::from_secs(5),
            "new connections still accepted after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    stream.write_all(&body.as_bytes()[half..]).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("x-request-id: drain-test-1"),
        "{response}"
    );
    assert!(
        response.contains(&format!("\"officialId\":\"{official}\"")),
        "{response}"
    );

    let exited = Instant::now();
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            exited.elapsed() < Duration::from_secs(10),
            "server did not exit after the drain"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");

    // Every log line is JSON; the request's line carries its id, route and status, and no
    // line carries the token.
    let log = reader.join().unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let request = lines
        .iter()
        .find(|l| {
            l["message"] == "request"
                && l["spans"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|s| s["request_id"] == "drain-test-1"))
        })
        .unwrap_or_else(|| panic!("no request line with the id: {log}"));
    assert_eq!(request["route"], "/graphql");
    assert_eq!(request["status"], 200);
    assert!(
        lines.iter().any(|l| l["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("shutting down"))),
        "{log}"
    );
    assert!(!log.contains(&token), "a token reached the log");
    for value in &personal {
        assert!(
            !log.contains(value.as_str()),
            "personal data reached the log: {value}"
        );
    }
}

#[tokio::test]
async fn serve_demo_prints_a_working_token_for_every_role() {
    let dir = tempfile::tempdir().unwrap();
    let (server, addr, mut tokens) = serve_demo(dir.path());
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
            "ADMIN",
            "COUNTY_MANAGER",
            "CLIENT"
        ]
    );
    // The last line is one demo client's own token: `token CLIENT CLIENT_ID JWT`.
    let (_, own_client, own_token) = tokens.pop().unwrap();
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
            // No case view in their schema (a 200 under application/json).
            _ => crate::helpers::assert_not_in_schema_body(&view, "caseView", "Query"),
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
    // KTT is granted on the plan: the plan with its KTT item, then the county's decision.
    let case_id = opened_case(&addr, officer, &new_client).await;
    let plan = gql(
        &addr,
        officer,
        "mutation P($i: CreateEmploymentPlanInput!) { createEmploymentPlan(input: $i) { id } }",
        json!({ "i": { "caseId": case_id, "madeOn": today.to_string(), "goals": "Towards work" } }),
    )
    .await;
    let item = gql(&addr, officer, "mutation K($i: AddKttPlanItemInput!) { addKttPlanItem(input: $i) { id } }", json!({ "i": { "planId": plan["data"]["createEmploymentPlan"]["id"], "goal": "Daily rhythm", "support": "Guidance", "agreedOn": today.to_string() } })).await;
    assert!(item["data"]["addKttPlanItem"]["id"].is_string(), "{item}");
    let decided = gql(&addr, &tokens[2].2, "mutation D($i: DecideRehabPeriodInput!) { decideRehabPeriod(input: $i) { provider { kind } } }", json!({ "i": { "clientId": new_client, "providerId": workshop, "startsOn": start.to_string(), "endsOn": end.to_string(), "daysPerWeek": 3, "hoursPerDay": 6, "goal": "Daily rhythm", "travelDistanceKm": 4.2, "decidedOn": today.to_string(), "servedOn": today.to_string(), "hearingOn": today.to_string() } })).await;
    assert_eq!(
        decided["data"]["decideRehabPeriod"]["provider"]["kind"], "COUNTY_WORKSHOP",
        "{decided}"
    );
    // The client's own token: their case, and the TE read above in their access log.
    let read = gql(
        &addr,
        &tokens[1].2,
        "query PrepareMeeting($c: ID!) { caseView(clientId: $c) { client { firstName } } }",
        json!({ "c": own_client }),
    )
    .await;
    let first_name = read["data"]["caseView"]["client"]["firstName"].clone();
    assert!(first_name.is_string(), "{read}");
    let mine = gql(&addr, &own_token, "{ myCase { firstName typCase { phase plan { goals } } rehabPeriods { place } consents { kind } } myAccessLog { entries { agency official dataGroups purpose } } }", json!({})).await;
    assert!(mine.get("errors").is_none(), "{mine}");
    assert_eq!(mine["data"]["myCase"]["firstName"], first_name);
    assert!(
        mine["data"]["myCase"]["typCase"]["plan"]["goals"].is_string(),
        "{mine}"
    );
    assert!(!mine["data"]["myCase"]["rehabPeriods"]
        .as_array()
        .unwrap()
        .is_empty());
    let entries = mine["data"]["myAccessLog"]["entries"].as_array().unwrap();
    assert_eq!(entries[0]["agency"], "TE", "{mine}");
    assert_eq!(entries[0]["purpose"], "caseView");
    assert!(entries[0]["official"]
        .as_str()
        .is_some_and(|n| !n.is_empty()));
    // An official id is not a client: the client schema is not reachable with it.
    let as_client = typgraph::http::auth::sign_hs256(
        typgraph::config::DEMO_JWT_SECRET,
        &tokens[1].1,
        &["CLIENT".to_owned()],
        60,
        &typgraph::config::JwtConfig::default(),
    )
    .unwrap();
    let refused = gql(&addr, &as_client, "{ myCase { firstName } }", json!({})).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{refused}"
    );
    drop(server);

    // A second start keeps the data and loads nothing twice.
    let (_server, addr, tokens) = serve_demo(dir.path());
    let db = typgraph::db::connect(
        &format!("sqlite://{}/typgraph.db", dir.path().display()),
        None,
        None,
    )
    .await
    .unwrap();
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        entity::client::Entity::find().count(&db).await.unwrap(),
        typgraph::demo::demo_client_count() as u64 + 1,
        "the demo is loaded once; the client registered above is kept"
    );
    let me = gql(&addr, &tokens[0].2, "{ me { roles } }", json!({})).await;
    assert_eq!(me["data"]["me"]["roles"], json!(["TYP_OFFICER"]));

    // `typgraph audit verify` on the demo data: intact once the server has sealed every
    // row (it seals on start and after each commit) ...
    let url = format!("sqlite://{}/typgraph.db", dir.path().display());
    let verify = || {
        let out = Command::new(BIN)
            .args(["audit", "verify", "--database-url", &url])
            .env("RUST_LOG", "error")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let started = Instant::now();
    loop {
        let (ok, text) = verify();
        assert!(ok, "{text}");
        if text.contains(" 0 not yet sealed") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{text}");
        std::thread::sleep(Duration::from_millis(100));
    }
    // ... and broken, naming the row, after one log row is altered by SQL.
    use sea_orm::ConnectionTrait;
    db.execute_unprepared("UPDATE access_log SET field_groups = 'CONTACT' WHERE id = (SELECT MIN(id) FROM access_log)")
        .await
        .unwrap();
    let (ok, text) = verify();
    assert!(!ok, "{text}");
    assert!(text.contains("broken at seal 1"), "{text}");
}

/// The last line a failed command wrote to stderr (its one-line refusal), and all of it.
fn last_error_line(out: &std::process::Output) -> (String, String) {
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    let last = err.lines().last().unwrap_or_default().to_owned();
    (last, err)
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
    let (last, err) = last_error_line(&out);
    assert!(
        last.starts_with("typgraph: ") && last.contains("TYPGRAPH_JWT_SECRET"),
        "{err}"
    );
}

/// Starts `serve` in an empty directory with `var` set to `bad`; asserts it refused before
/// creating anything and answers its last error line and the whole of stderr.
fn refused_start_with(var: &str, bad: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env("TYPGRAPH_JWT_SECRET", TEST_SECRET)
        .env(var, bad)
        .env_remove("TYPGRAPH_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success(), "{var}={bad}");
    assert!(!dir.path().join("typgraph.db").exists(), "{var}={bad}");
    last_error_line(&out)
}

#[test]
fn a_pool_size_that_is_not_a_whole_number_from_one_up_stops_start_up() {
    for bad in ["0", "-1", "eight", "4.5"] {
        let (last, err) = refused_start_with("TYPGRAPH_DATABASE_MAX_CONNECTIONS", bad);
        assert!(
            last.starts_with("typgraph: TYPGRAPH_DATABASE_MAX_CONNECTIONS must be"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn a_trusted_proxy_that_is_not_an_address_or_network_stops_start_up() {
    for bad in ["10.0.0.0/33", "balancer.example", "10.0.0.1,nonsense"] {
        let (last, err) = refused_start_with("TYPGRAPH_TRUSTED_PROXIES", bad);
        assert!(
            last.starts_with("typgraph: TYPGRAPH_TRUSTED_PROXIES: ")
                && last.contains("is not an IP address or network"),
            "{bad}: {err}"
        );
    }
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
    let (last, err) = last_error_line(&out);
    assert!(
        last.starts_with("typgraph: cannot connect to the database"),
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
    // One official per role held by an official (COUNTY_MANAGER included; CLIENT is no
    // official's).
    assert_eq!(out_a.lines().count(), 9);
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
    // The loaded tables carry the planner's statistics (SQLite keeps them in
    // sqlite_stat1, which only ANALYZE creates), so the first plans after seeding are
    // those of a register of that size.
    let analyzed = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sea_orm::ConnectionTrait;
        let url = format!("sqlite://{}/s.db", a.path().display());
        let db = typgraph::db::connect(&url, None, None).await.unwrap();
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM sqlite_stat1 WHERE tbl IN ('client', 'typ_case')",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    });
    assert!(
        analyzed >= 2,
        "{analyzed} statistics rows for client and typ_case"
    );
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

/// A stand-in OTLP/HTTP collector: answers every POST with 200 and hands its body over.
fn collector() -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1/traces", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut data = Vec::new();
            let mut buf = [0u8; 8192];
            // Headers, then exactly Content-Length bytes of body.
            let body = loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break None;
                }
                data.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&data).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break Some(body.to_owned());
                    }
                }
            };
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
            );
            if let Some(body) = body {
                if tx.send(body).is_err() {
                    return;
                }
            }
        }
    });
    (url, rx)
}

#[test]
fn traces_are_exported_over_otlp_when_an_endpoint_is_configured() {
    let (endpoint, bodies) = collector();
    let dir = tempfile::tempdir().unwrap();
    let (_server, addr, tokens) = serve_demo_with(
        dir.path(),
        &[
            ("RUST_LOG", "info"),
            ("TYPGRAPH_OTLP_ENDPOINT", &endpoint),
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ],
        Stdio::null(),
    );
    let (_, _, token) = tokens.iter().find(|t| t.0 == "TE_EXPERT").unwrap().clone();
    let answer = post_plain(
        &addr,
        &token,
        "query Traced { me { officialId } }",
        Some("otel-test-1"),
    );
    assert!(answer["data"]["me"]["officialId"].is_string(), "{answer}");
    // The request's span arrives as OTLP JSON with its id, route and status.
    let deadline = Instant::now() + Duration::from_secs(15);
    let span = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let body = bodies.recv_timeout(left).expect("no span exported in time");
        let export: serde_json::Value = serde_json::from_str(&body).unwrap();
        let spans: Vec<serde_json::Value> = export["resourceSpans"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["scopeSpans"].as_array().cloned().unwrap_or_default())
            .flat_map(|s| s["spans"].as_array().cloned().unwrap_or_default())
            .collect();
        if let Some(span) = spans
            .into_iter()
            .find(|s| s.to_string().contains("otel-test-1"))
        {
            break span;
        }
    };
    assert_eq!(span["name"], "request", "{span}");
    let attribute = |key: &str| {
        span["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["key"] == key)
            .map(|a| a["value"].clone())
    };
    assert_eq!(
        attribute("route"),
        Some(json!({ "stringValue": "/graphql" })),
        "{span}"
    );
    assert!(attribute("status").is_some(), "{span}");
    assert!(!span.to_string().contains(&token), "{span}");
}

/// The id of the client's open case, read through the case view.
async fn opened_case(addr: &str, token: &str, client: &str) -> String {
    let view = gql(
        addr,
        token,
        "query C($c: ID!) { caseView(clientId: $c) { typCase { id } } }",
        json!({ "c": client }),
    )
    .await;
    view["data"]["caseView"]["typCase"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{view}"))
        .to_owned()
}
