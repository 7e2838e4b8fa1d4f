//! The peer comparison (`--peer`, run by `scripts/peer-bench`): the case view and the
//! `clients` pages against PostGraphile 4 serving the same database, plain and made to pay
//! typgraph's costs (sign-in by token, row-level security for the TYP scope, an audit row
//! per request: scripts/peer-bench-rls.sql, scripts/peer-bench-audit.js), with the same load
//! loops as typgraph's. Every answer of every server is checked by its rows (the ids of the
//! client, its case, plan, agreed actions and each list, in order; of each page's clients
//! and their cases): typgraph's and the RLS peer's against typgraph's own answer for that
//! client or page, read before the runs; the plain peer's, which applies no scope, against
//! the same tables read straight by SQL.

use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    closed_loop, cpu_seconds_of, endpoint, open_loop, scalar, script_from_log, seal_after, warm_up,
    Check, Error, Run, Server, Target, HIGHEST_SEALED,
};

/// The case view of `load_bench`'s CASE_VIEW, with the ids of every row it shows.
const CASE_VIEW_ROWS: &str = "query CaseView($c: ID!) { caseView(clientId: $c) { \
    client { id personalIdentityCode firstName lastName phone municipality version } \
    typCase { id phase openedOn mappingDeadline responsibleOfficer } \
    plan { id kind reviewOn reviewOverdue agreedActions { id description dueOn overdue } } \
    consents { id } \
    rehabPeriods { id startsOn endsOn daysPerWeek provider { name } } \
    workAbilityAssessments { id assessedOn assessorAgency conclusion } \
    benefits { id benefitKind status validFrom } \
    employmentItems { id kind dueOn } \
    meetings { id status scheduledAt } \
    notes { id agency body } } }";

/// The same in PostGraphile's generated schema: the same tables, the same orders (each
/// list's, then the id), the case the newest (as typgraph's `typCase`), its newest plan.
const PEER_VIEW: &str = "query CaseView($c: String!) { clientById(id: $c) { \
    id personalIdentityCode firstName lastName phone municipality version \
    typCase: typCasesByClientId(first: 1, orderBy: [OPENED_ON_DESC, ID_ASC]) { nodes { \
      id phase openedOn mappingDeadline officialByResponsibleOfficialId { name } \
      plan: employmentPlansByCaseId(first: 1, orderBy: [MADE_ON_DESC, ID_ASC]) { nodes { \
        id kind reviewOn \
        agreedActions: agreedActionsByPlanId(orderBy: [DUE_ON_ASC, ID_ASC]) { nodes { id description dueOn } } } } } } \
    consents: consentsByClientId(orderBy: [GIVEN_ON_DESC, ID_ASC]) { nodes { id } } \
    rehabPeriods: rehabPeriodsByClientId(orderBy: [STARTS_ON_DESC, ID_ASC]) { nodes { \
      id startsOn endsOn daysPerWeek providerByProviderId { name } } } \
    workAbilityAssessments: workAbilityAssessmentsByClientId(orderBy: [ASSESSED_ON_DESC, ID_ASC]) { nodes { \
      id assessedOn assessorAgency conclusion } } \
    benefits: benefitDecisionsByClientId(orderBy: [DECIDED_ON_DESC, ID_ASC]) { nodes { id benefitKind status validFrom } } \
    employmentItems: employmentItemsByClientId(orderBy: [CREATED_AT_DESC, ID_ASC]) { nodes { id kind dueOn } } \
    meetings: networkMeetingsByClientId(orderBy: [SCHEDULED_AT_DESC, ID_ASC]) { nodes { id status scheduledAt } } \
    notes: agencyNotesByClientId(orderBy: [CREATED_AT_DESC, ID_ASC]) { nodes { id agency body } } } }";

/// `load_bench`'s PAGE with the cases' ids.
const PAGE_ROWS: &str = "query Page($n: Int!) { clients(first: $n) { edges { node { id firstName lastName cases { id phase openedOn } } } } }";

/// The same in PostGraphile's schema: typgraph's order (last name, first name, id), merged
/// clients left out as typgraph leaves them out.
const PEER_PAGE: &str = "query Page($n: Int!) { clients: allClients(first: $n, \
    orderBy: [LAST_NAME_ASC, FIRST_NAME_ASC, ID_ASC], condition: { mergedInto: null }) { nodes { \
    id firstName lastName cases: typCasesByClientId(orderBy: [OPENED_ON_DESC, ID_ASC]) { nodes { id phase openedOn } } } } }";

/// What a case view shows, the same rows read straight from the tables, without any scope
/// (what the plain peer must answer): the lists in [`VIEW_LISTS`]' order.
const UNSCOPED_VIEW: &str = "WITH k AS (SELECT id FROM typ_case WHERE client_id = $1 ORDER BY opened_on DESC, id LIMIT 1), \
    p AS (SELECT id FROM employment_plan WHERE case_id = (SELECT id FROM k) ORDER BY made_on DESC, id LIMIT 1) \
    SELECT json_build_array( \
      ARRAY(SELECT id FROM client WHERE id = $1), \
      ARRAY(SELECT id FROM k), \
      ARRAY(SELECT id FROM p), \
      ARRAY(SELECT id FROM agreed_action WHERE plan_id = (SELECT id FROM p) ORDER BY due_on, id), \
      ARRAY(SELECT id FROM consent WHERE client_id = $1 ORDER BY given_on DESC, id), \
      ARRAY(SELECT id FROM rehab_period WHERE client_id = $1 ORDER BY starts_on DESC, id), \
      ARRAY(SELECT id FROM work_ability_assessment WHERE client_id = $1 ORDER BY assessed_on DESC, id), \
      ARRAY(SELECT id FROM benefit_decision WHERE client_id = $1 ORDER BY decided_on DESC, id), \
      ARRAY(SELECT id FROM employment_item WHERE client_id = $1 ORDER BY created_at DESC, id), \
      ARRAY(SELECT id FROM network_meeting WHERE client_id = $1 ORDER BY scheduled_at DESC, id), \
      ARRAY(SELECT id FROM agency_note WHERE client_id = $1 ORDER BY created_at DESC, id))::text";

/// A page of clients without any scope: each client's id, then its cases' ids.
const UNSCOPED_PAGE: &str = "SELECT COALESCE(json_agg(array_to_json(ARRAY[c.id] || ARRAY( \
      SELECT t.id FROM typ_case t WHERE t.client_id = c.id ORDER BY t.opened_on DESC, t.id)) \
      ORDER BY c.last_name, c.first_name, c.id), '[]')::text \
    FROM (SELECT * FROM client WHERE merged_into IS NULL ORDER BY last_name, first_name, id LIMIT $1) c";

/// The lists of a case view's rows, in order.
const VIEW_LISTS: [&str; 11] = [
    "client",
    "case",
    "plan",
    "agreed actions",
    "consents",
    "KTT periods",
    "assessments",
    "benefits",
    "employment items",
    "meetings",
    "notes",
];

/// The rows of an answer: a case view's lists of ids ([`VIEW_LISTS`]), or for a page one
/// list per client, its id then its cases' ids.
pub type Rows = Vec<Vec<String>>;

/// How an answer's rows are read.
#[derive(Clone, Copy)]
pub enum Shape {
    TypgraphView,
    PeerView,
    TypgraphPage,
    PeerPage,
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

fn ids(list: &[Id]) -> Vec<String> {
    list.iter().map(|r| r.id.clone()).collect()
}

#[derive(Deserialize)]
struct Nodes<T> {
    nodes: Vec<T>,
}

/// A GraphQL answer: its data, and its errors (which fail the request).
#[derive(Deserialize)]
struct Answer<T> {
    data: Option<T>,
    errors: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypgraphViewData {
    case_view: Option<TypgraphView>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypgraphView {
    client: Id,
    typ_case: Option<Id>,
    plan: Option<TypgraphPlan>,
    consents: Vec<Id>,
    rehab_periods: Vec<Id>,
    work_ability_assessments: Vec<Id>,
    benefits: Vec<Id>,
    employment_items: Vec<Id>,
    meetings: Vec<Id>,
    notes: Vec<Id>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypgraphPlan {
    id: String,
    agreed_actions: Vec<Id>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeerViewData {
    client_by_id: Option<PeerView>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeerView {
    id: String,
    typ_case: Nodes<PeerCase>,
    consents: Nodes<Id>,
    rehab_periods: Nodes<Id>,
    work_ability_assessments: Nodes<Id>,
    benefits: Nodes<Id>,
    employment_items: Nodes<Id>,
    meetings: Nodes<Id>,
    notes: Nodes<Id>,
}

#[derive(Deserialize)]
struct PeerCase {
    id: String,
    plan: Nodes<PeerPlan>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PeerPlan {
    id: String,
    agreed_actions: Nodes<Id>,
}

#[derive(Deserialize)]
struct TypgraphPageData {
    clients: Edges,
}

#[derive(Deserialize)]
struct Edges {
    edges: Vec<Edge>,
}

#[derive(Deserialize)]
struct Edge {
    node: TypgraphListed,
}

#[derive(Deserialize)]
struct TypgraphListed {
    id: String,
    cases: Option<Vec<Id>>,
}

#[derive(Deserialize)]
struct PeerPageData {
    clients: Nodes<PeerListed>,
}

#[derive(Deserialize)]
struct PeerListed {
    id: String,
    cases: Nodes<Id>,
}

/// Stands in a page's rows for the cases typgraph withholds from a client listed (a
/// client outside TYP, visible by the agency's own records only: its cases are a shared
/// field, answered FORBIDDEN). Any cases of that client match it.
const WITHHELD: &str = "(withheld)";

/// The data of an answer without errors; but for `withheld`, a field whose FORBIDDEN
/// errors (and nulls) are part of the answer.
fn data<T: serde::de::DeserializeOwned>(body: &[u8], withheld: Option<&str>) -> Result<T, String> {
    let answer: Answer<T> = serde_json::from_slice(body).map_err(|e| {
        // Data the rows cannot be read from: the errors that came with it, if any.
        match serde_json::from_slice::<Answer<serde::de::IgnoredAny>>(body) {
            Ok(Answer {
                errors: Some(errors),
                ..
            }) => errors.to_string(),
            _ => e.to_string(),
        }
    })?;
    let only_withheld = |errors: &Value| {
        errors.as_array().is_some_and(|all| {
            all.iter().all(|e| {
                e["extensions"]["code"] == "FORBIDDEN"
                    && withheld.is_some_and(|f| {
                        e["path"].as_array().and_then(|p| p.last()) == Some(&json!(f))
                    })
            })
        })
    };
    match (answer.data, answer.errors) {
        (Some(data), Some(errors)) if only_withheld(&errors) => Ok(data),
        // The errors only: the data would be personal.
        (_, Some(errors)) => Err(errors.to_string()),
        (Some(data), None) => Ok(data),
        (None, None) => Err("no data".into()),
    }
}

impl Shape {
    /// The rows of an answer; an error if it has errors or no data.
    pub fn read(self, body: &[u8]) -> Result<Rows, String> {
        let one = |id: &str| vec![id.to_owned()];
        Ok(match self {
            Shape::TypgraphView => {
                let v = data::<TypgraphViewData>(body, None)?
                    .case_view
                    .ok_or("no caseView")?;
                let (plan, actions) = match &v.plan {
                    Some(p) => (one(&p.id), ids(&p.agreed_actions)),
                    None => (Vec::new(), Vec::new()),
                };
                vec![
                    one(&v.client.id),
                    v.typ_case.iter().map(|c| c.id.clone()).collect(),
                    plan,
                    actions,
                    ids(&v.consents),
                    ids(&v.rehab_periods),
                    ids(&v.work_ability_assessments),
                    ids(&v.benefits),
                    ids(&v.employment_items),
                    ids(&v.meetings),
                    ids(&v.notes),
                ]
            }
            Shape::PeerView => {
                let v = data::<PeerViewData>(body, None)?
                    .client_by_id
                    .ok_or("no clientById")?;
                let case = v.typ_case.nodes.first();
                let plan = case.and_then(|c| c.plan.nodes.first());
                vec![
                    one(&v.id),
                    case.iter().map(|c| c.id.clone()).collect(),
                    plan.iter().map(|p| p.id.clone()).collect(),
                    plan.map(|p| ids(&p.agreed_actions.nodes))
                        .unwrap_or_default(),
                    ids(&v.consents.nodes),
                    ids(&v.rehab_periods.nodes),
                    ids(&v.work_ability_assessments.nodes),
                    ids(&v.benefits.nodes),
                    ids(&v.employment_items.nodes),
                    ids(&v.meetings.nodes),
                    ids(&v.notes.nodes),
                ]
            }
            Shape::TypgraphPage => data::<TypgraphPageData>(body, Some("cases"))?
                .clients
                .edges
                .iter()
                .map(|e| match &e.node.cases {
                    Some(cases) => [one(&e.node.id), ids(cases)].concat(),
                    None => vec![e.node.id.clone(), WITHHELD.to_owned()],
                })
                .collect(),
            Shape::PeerPage => data::<PeerPageData>(body, None)?
                .clients
                .nodes
                .iter()
                .map(|c| [one(&c.id), ids(&c.cases.nodes)].concat())
                .collect(),
        })
    }
}

/// The rows are those expected: the same lists, but where typgraph withholds a client's
/// cases ([`WITHHELD`]), the same client with any cases.
pub fn same(expected: &Rows, got: &Rows) -> bool {
    expected.len() == got.len() && expected.iter().zip(got).all(|(e, g)| same_list(e, g))
}

fn same_list(expected: &[String], got: &[String]) -> bool {
    expected == got
        || (expected.len() == 2 && expected[1] == WITHHELD && expected.first() == got.first())
}

/// Where an answer's rows differ from those expected, without the ids (personal data's
/// keys): which list, and how many rows each has.
pub fn difference(expected: &Rows, got: &Rows) -> String {
    if expected.len() != got.len() {
        return format!("{} lists, expected {}", got.len(), expected.len());
    }
    let differing: Vec<String> = expected
        .iter()
        .zip(got)
        .enumerate()
        .filter(|(_, (e, g))| !same_list(e, g))
        .map(|(i, (e, g))| {
            let what = VIEW_LISTS.get(i).copied().unwrap_or("a client's cases");
            format!("{what}: {} rows, expected {}", g.len(), e.len())
        })
        .collect();
    format!("rows differ ({})", differing.join("; "))
}

/// A PostGraphile server to compare: `NAME,URL[,PID]` (the PID for its CPU time).
#[derive(Clone, Debug)]
pub struct Peer {
    name: String,
    url: reqwest::Url,
    pid: Option<String>,
}

pub fn parse_peer(text: &str) -> Result<Peer, String> {
    let mut parts = text.split(',');
    let (Some(name), Some(url)) = (parts.next(), parts.next()) else {
        return Err("NAME,URL[,PID]".into());
    };
    if name != "plain" && name != "rls" {
        return Err("the peer's name is plain or rls".into());
    }
    Ok(Peer {
        name: name.to_owned(),
        url: reqwest::Url::parse(url).map_err(|e| e.to_string())?,
        pid: parts.next().map(str::to_owned),
    })
}

/// What the comparison needs of `load_bench`'s run.
pub struct Bench<'a> {
    pub server: &'a std::path::Path,
    /// The benchmark database's URL and name.
    pub url: &'a str,
    pub name: &'a str,
    pub db: &'a DatabaseConnection,
    pub admin: &'a DatabaseConnection,
    pub pg_log: &'a std::path::Path,
    /// typgraph's token (TE_EXPERT) and its official.
    pub token: &'a str,
    pub official: &'a str,
    pub clients: &'a [String],
    pub connections: usize,
    pub length: Duration,
    /// typgraph ÷ pgbench on the same statements (the case view), and `pgbench -S`.
    pub same_statements_ratio: f64,
    pub select_only: f64,
}

/// A token the RLS peer takes: its claims become the transaction's settings, `role` its role.
fn peer_token(secret: &str, official: &str) -> Result<String, Error> {
    let exp = chrono::Utc::now().timestamp() + 3 * 3600;
    let claims = json!({
        "role": "peer_official",
        "official_id": official,
        "agency": "TE",
        "aud": "postgraphile",
        "exp": exp,
    });
    Ok(jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )?)
}

/// One server's requests of one workload, and what they measured.
struct Contender {
    label: String,
    target: Target,
    pid: Option<String>,
    closed: Option<Run>,
    open: Option<Run>,
    cpu_ms: f64,
    /// Audit rows written per request (the RLS peer).
    audit: Option<f64>,
}

/// One server's requests of a workload: their bodies, how their rows are read, and the
/// rows expected of them in typgraph's scope and in none.
struct Requests {
    bodies: Arc<Vec<String>>,
    shape: Shape,
    scoped: Arc<Vec<Rows>>,
    unscoped: Arc<Vec<Rows>>,
}

/// Bodies of `query` with the variables of each item.
fn bodies(query: &str, variables: Vec<Value>) -> Arc<Vec<String>> {
    Arc::new(
        variables
            .into_iter()
            .map(|v| json!({ "query": query, "variables": v }).to_string())
            .collect(),
    )
}

async fn audit_rows(db: &DatabaseConnection) -> Result<i64, Error> {
    scalar(db, "SELECT COUNT(*) FROM peer_bench.audit").await
}

/// Statements one request of `target` makes, from PostgreSQL's statement log (the fewest of
/// three, each alone): for typgraph the request's own transaction (as the pgbench script is
/// cut), for a peer every statement of the database in that time (nothing else runs).
async fn logged_statements(
    bench: &Bench<'_>,
    http: &reqwest::Client,
    target: &Target,
    typgraph: bool,
) -> Result<usize, Error> {
    let mut fewest = usize::MAX;
    for _ in 0..3 {
        let mut log = std::fs::File::open(bench.pg_log)?;
        let offset = log.seek(SeekFrom::End(0))?;
        target.send(http, 0).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut text = String::new();
        log.seek(SeekFrom::Start(offset))?;
        log.read_to_string(&mut text)?;
        let count = if typgraph {
            script_from_log(&text, bench.name).len()
        } else {
            count_statements(&text, bench.name)
        };
        fewest = fewest.min(count);
    }
    Ok(fewest)
}

/// Statements logged (simple or extended protocol) in the database.
fn count_statements(log: &str, database: &str) -> usize {
    let tag = format!("@{database} ");
    log.lines()
        .filter(|l| l.contains(&tag))
        .filter(|l| l.contains("LOG:  statement: ") || l.contains("LOG:  execute "))
        .count()
}

/// Closes the peers' connections (named `peer-bench-*`), so that their next ones take the
/// database's logging setting as it is now.
async fn reconnect_peers(admin: &DatabaseConnection) -> Result<(), Error> {
    admin
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name LIKE 'peer-bench-%'",
        )
        .await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(())
}

/// typgraph's `clients` page of `n` at `addr`, as `token`, every answer checked against the
/// rows of the first (for `--against`).
pub async fn page_target(addr: &str, token: &str, n: usize) -> Result<Target, Error> {
    let mut target = Target {
        url: endpoint(addr)?,
        token: Some(token.to_owned()),
        bodies: bodies(PAGE_ROWS, vec![json!({ "n": n })]),
        check: Check::CaseView,
    };
    let expected = answer_rows(&reqwest::Client::new(), &target, 0, Shape::TypgraphPage).await?;
    target.check = Check::Rows(Shape::TypgraphPage, Arc::new(vec![expected]));
    Ok(target)
}

/// The peer comparison: prints its table.
pub async fn compare(bench: &Bench<'_>, peers: &[Peer], secret: &str) -> Result<(), Error> {
    let http = reqwest::Client::new();
    let rls_token = peer_token(secret, bench.official)?;
    let client_vars =
        || -> Vec<Value> { bench.clients.iter().map(|c| json!({ "c": c })).collect() };
    let sizes = [100usize, 10];

    // typgraph's answers, and the unscoped rows, for every client in rotation and each page.
    let server = Server::start(&bench.server.to_path_buf(), bench.url)?;
    let mut scoped_views = Vec::new();
    let views = Target {
        url: endpoint(&server.addr)?,
        token: Some(bench.token.to_owned()),
        bodies: bodies(CASE_VIEW_ROWS, client_vars()),
        check: Check::CaseView,
    };
    for i in 0..bench.clients.len() {
        scoped_views.push(answer_rows(&http, &views, i, Shape::TypgraphView).await?);
    }
    let mut scoped_pages = Vec::new();
    for n in sizes {
        let page = Target {
            bodies: bodies(PAGE_ROWS, vec![json!({ "n": n })]),
            ..views.clone()
        };
        scoped_pages.push(answer_rows(&http, &page, 0, Shape::TypgraphPage).await?);
    }
    drop(server);
    let mut unscoped_views = Vec::new();
    for c in bench.clients {
        unscoped_views.push(unscoped(bench.db, UNSCOPED_VIEW, c.as_str().into()).await?);
    }
    let mut unscoped_pages = Vec::new();
    for n in sizes {
        unscoped_pages.push(unscoped(bench.db, UNSCOPED_PAGE, (n as i64).into()).await?);
    }
    let withheld = scoped_views
        .iter()
        .zip(&unscoped_views)
        .filter(|(s, u)| s != u)
        .count();

    // The workloads: each server's target, checked against its expected rows.
    let scoped_views = Arc::new(scoped_views);
    let unscoped_views = Arc::new(unscoped_views);
    // typgraph's target is given its server's address when one runs.
    let workloads: Vec<(String, Vec<Contender>)> = {
        let mut all = Vec::new();
        let mut add = |what: String, typgraph: Requests, peer: Requests| -> Result<(), Error> {
            let mut contenders = vec![Contender {
                label: "typgraph".into(),
                target: Target {
                    url: endpoint("127.0.0.1:9")?,
                    token: Some(bench.token.to_owned()),
                    bodies: typgraph.bodies,
                    check: Check::Rows(typgraph.shape, typgraph.scoped),
                },
                pid: None,
                closed: None,
                open: None,
                cpu_ms: 0.0,
                audit: None,
            }];
            for p in peers {
                let rls = p.name == "rls";
                let expected = if rls { &peer.scoped } else { &peer.unscoped };
                contenders.push(Contender {
                    label: p.name.clone(),
                    target: Target {
                        url: p.url.clone(),
                        token: rls.then(|| rls_token.clone()),
                        bodies: peer.bodies.clone(),
                        check: Check::Rows(peer.shape, expected.clone()),
                    },
                    pid: p.pid.clone(),
                    closed: None,
                    open: None,
                    cpu_ms: 0.0,
                    audit: None,
                });
            }
            all.push((what, contenders));
            Ok(())
        };
        let requests = |query, vars, shape, scoped: &Arc<Vec<Rows>>, unscoped| Requests {
            bodies: bodies(query, vars),
            shape,
            scoped: scoped.clone(),
            unscoped,
        };
        add(
            "caseView".into(),
            requests(
                CASE_VIEW_ROWS,
                client_vars(),
                Shape::TypgraphView,
                &scoped_views,
                unscoped_views.clone(),
            ),
            requests(
                PEER_VIEW,
                client_vars(),
                Shape::PeerView,
                &scoped_views,
                unscoped_views.clone(),
            ),
        )?;
        for (k, n) in sizes.iter().enumerate() {
            let vars = || vec![json!({ "n": n })];
            let scoped = Arc::new(vec![scoped_pages[k].clone()]);
            let unscoped = Arc::new(vec![unscoped_pages[k].clone()]);
            add(
                format!("clients page of {n} with cases"),
                requests(
                    PAGE_ROWS,
                    vars(),
                    Shape::TypgraphPage,
                    &scoped,
                    unscoped.clone(),
                ),
                requests(PEER_PAGE, vars(), Shape::PeerPage, &scoped, unscoped),
            )?;
        }
        all
    };

    // Statements per request, from the statement log (the peers reconnected to take it up).
    bench
        .admin
        .execute_unprepared(&format!(
            "ALTER DATABASE \"{}\" SET log_statement = 'all'",
            bench.name
        ))
        .await?;
    let server = Server::start(&bench.server.to_path_buf(), bench.url)?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    reconnect_peers(bench.admin).await?;
    let mut statements: Vec<Vec<usize>> = Vec::new();
    for (_, contenders) in &workloads {
        let mut counts = Vec::new();
        for (k, c) in contenders.iter().enumerate() {
            let target = if k == 0 {
                c.target.at(&server.addr)?
            } else {
                c.target.clone()
            };
            // A first request to open the connection (one closed above may fail once).
            let _ = target.send(&http, 0).await;
            counts.push(logged_statements(bench, &http, &target, k == 0).await?);
        }
        statements.push(counts);
    }
    bench
        .admin
        .execute_unprepared(&format!(
            "ALTER DATABASE \"{}\" RESET log_statement",
            bench.name
        ))
        .await?;
    drop(server);
    reconnect_peers(bench.admin).await?;

    // The runs: each server in turn, a closed loop after two seconds of warm-up; then each
    // in an open loop at half the slowest closed loop's rate, the same load for all.
    let server = Server::start(&bench.server.to_path_buf(), bench.url)?;
    let typgraph_pid = server.child.id().to_string();
    let mut workloads = workloads;
    for (what, contenders) in &mut workloads {
        for (k, c) in contenders.iter_mut().enumerate() {
            if k == 0 {
                c.target = c.target.at(&server.addr)?;
                c.pid = Some(typgraph_pid.clone());
            }
            let _ = c.target.send(&http, 0).await;
            warm_up(&c.target, bench.connections).await?;
            let sealed_top = scalar(bench.db, HIGHEST_SEALED).await?;
            let rls = c.label == "rls";
            let audit_before = if rls { audit_rows(bench.db).await? } else { 0 };
            let cpu = c.pid.as_deref().map(cpu_seconds_of);
            let run = closed_loop(&c.target, bench.connections, bench.length).await?;
            if let (Some(pid), Some(before)) = (c.pid.as_deref(), cpu) {
                c.cpu_ms = super::ms_per_view(cpu_seconds_of(pid) - before, &run);
            }
            if rls {
                let written = audit_rows(bench.db).await? - audit_before;
                c.audit = Some(written as f64 / (run.requests + run.failures).max(1) as f64);
            }
            eprintln!(
                "{what}, {}: closed loop {:.0}/s, {} failed",
                c.label,
                run.rate(),
                run.failures
            );
            c.closed = Some(run);
            if k == 0 {
                // The access-log rows of the run sealed now, not in the next server's run.
                seal_after(bench.db, sealed_top).await?;
            }
        }
        let rate = open_rate(contenders);
        for c in contenders.iter_mut() {
            let sealed_top = scalar(bench.db, HIGHEST_SEALED).await?;
            c.open = Some(open_loop(&c.target, rate, bench.length).await?);
            seal_after(bench.db, sealed_top).await?;
        }
    }
    drop(server);

    print_table(bench, &workloads, &statements, withheld);
    Ok(())
}

/// The rows of typgraph's answer to item `i` of `target`.
async fn answer_rows(
    http: &reqwest::Client,
    target: &Target,
    i: usize,
    shape: Shape,
) -> Result<Rows, Error> {
    let mut request = http
        .post(target.url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(target.bodies[i].clone());
    if let Some(token) = &target.token {
        request = request.bearer_auth(token);
    }
    let body = request.send().await?.bytes().await?;
    shape
        .read(&body)
        .map_err(|e| -> Error { format!("typgraph's answer: {e}").into() })
}

/// Rows read by SQL (one JSON text column) with one parameter.
async fn unscoped(
    db: &DatabaseConnection,
    sql: &str,
    value: sea_orm::Value,
) -> Result<Rows, Error> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            [value],
        ))
        .await?
        .ok_or("no row")?;
    let text: String = row.try_get_by_index(0)?;
    Ok(serde_json::from_str(&text)?)
}

fn print_table(
    bench: &Bench<'_>,
    workloads: &[(String, Vec<Contender>)],
    statements: &[Vec<usize>],
    withheld: usize,
) {
    let Some((_, first)) = workloads.first() else {
        return;
    };
    let peers = &first[1..];
    println!();
    print!("| measure | typgraph |");
    for p in peers {
        print!(" {} | typgraph ÷ {} |", peer_label(&p.label), p.label);
    }
    println!();
    println!("|---|---|{}", "---|---|".repeat(peers.len()));
    for ((what, contenders), counts) in workloads.iter().zip(statements) {
        let rate = open_rate(contenders);
        let rows = [
            (
                format!("{what}: closed loop, {} connections", bench.connections),
                Measure::Rate,
                0,
                "/s",
            ),
            (
                format!("{what}: closed loop p50"),
                Measure::ClosedP50,
                1,
                " ms",
            ),
            (
                format!("{what}: closed loop p99"),
                Measure::ClosedP99,
                1,
                " ms",
            ),
            (
                format!("{what}: open loop at {rate:.0}/s, p50"),
                Measure::OpenP50,
                1,
                " ms",
            ),
            (
                format!("{what}: open loop at {rate:.0}/s, p99"),
                Measure::OpenP99,
                1,
                " ms",
            ),
            (
                format!("{what}: server CPU per request"),
                Measure::Cpu,
                2,
                " ms",
            ),
        ];
        for (label, measure, decimals, unit) in &rows {
            let t = measure.of(&contenders[0]);
            print!("| {label} | {t:.decimals$}{unit} |");
            for p in &contenders[1..] {
                let v = measure.of(p);
                let ratio = if v > 0.0 { t / v } else { f64::NAN };
                print!(" {v:.decimals$}{unit} | {ratio:.2} |");
            }
            println!();
        }
        print!(
            "| {what}: SQL statements per request (statement log, BEGIN and COMMIT counted) | {} |",
            counts[0]
        );
        for n in &counts[1..] {
            print!(" {n} | |");
        }
        println!();
        let failed = |c: &Contender| {
            c.closed.as_ref().map_or(0, |r| r.failures) + c.open.as_ref().map_or(0, |r| r.failures)
        };
        print!(
            "| {what}: answers failed or not the expected rows | {} |",
            failed(&contenders[0])
        );
        for p in &contenders[1..] {
            print!(" {} | |", failed(p));
        }
        println!();
        print!("| {what}: audit rows committed per request (closed loop) | |");
        for p in &contenders[1..] {
            match p.audit {
                Some(audit) => print!(" {audit:.3} | |"),
                None => print!(" | |"),
            }
        }
        println!();
        for c in contenders {
            for run in [&c.closed, &c.open].into_iter().flatten() {
                if let Some(f) = &run.first_failure {
                    println!("first failure ({what}, {}): {f}", c.label);
                }
            }
        }
    }
    let empty = " | |".repeat(peers.len());
    println!(
        "| typgraph ÷ same-statements pgbench (the case view's statements, above) | {:.2} |{empty}",
        bench.same_statements_ratio
    );
    println!(
        "| pgbench -S -M prepared | {:.0}/s |{empty}",
        bench.select_only
    );
    println!(
        "case views in rotation whose rows typgraph's scope narrows (the plain peer is checked against the unscoped rows): {withheld} of {}",
        bench.clients.len()
    );
}

/// A figure of one server's runs.
#[derive(Clone, Copy)]
enum Measure {
    Rate,
    ClosedP50,
    ClosedP99,
    OpenP50,
    OpenP99,
    Cpu,
}

impl Measure {
    fn of(self, c: &Contender) -> f64 {
        let at = |run: &Option<Run>, p: f64| run.as_ref().map_or(0.0, |r| Run::ms(r.percentile(p)));
        match self {
            Measure::Rate => c.closed.as_ref().map_or(0.0, Run::rate),
            Measure::ClosedP50 => at(&c.closed, 0.5),
            Measure::ClosedP99 => at(&c.closed, 0.99),
            Measure::OpenP50 => at(&c.open, 0.5),
            Measure::OpenP99 => at(&c.open, 0.99),
            Measure::Cpu => c.cpu_ms,
        }
    }
}

/// The open loops' common rate: half the slowest closed loop's.
fn open_rate(contenders: &[Contender]) -> f64 {
    contenders
        .iter()
        .filter_map(|c| c.closed.as_ref().map(Run::rate))
        .fold(f64::INFINITY, f64::min)
        / 2.0
}

fn peer_label(name: &str) -> &'static str {
    match name {
        "rls" => "PostGraphile, RLS + audit",
        _ => "PostGraphile, plain",
    }
}
