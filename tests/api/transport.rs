//! The edge against hostile callers: nothing a caller sends reaches a log line raw, slow or
//! many connections are cut, pages carry their browser protections, tokens are bounded, and
//! an IPv6 caller gets one rate-limit bucket per /64.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use typgraph::config::Config;

use crate::helpers::{test_config, TestApp, TEST_SECRET};
use crate::on_both;

const BIN: &str = env!("CARGO_BIN_EXE_typgraph");
const ME: &str = "{ me { officialId } }";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn hs256(claims: &serde_json::Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .unwrap()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn assert_refused(status: u16, body: &serde_json::Value) {
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
}

// ---------------------------------------------------------------------------------------
// Log forging: a token header's `alg` (or a path) with a newline, ANSI escapes or 50 KB.

/// The server binary on the test's database with the given log format; answers its
/// address and, once `done` has run against it and it is stopped, everything it logged.
async fn logged_by_server(app: &TestApp, format: &str, done: impl AsyncFnOnce(&str)) -> String {
    let mut child = crate::helpers::ChildGuard(
        Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("TYPGRAPH_DATABASE_URL", &app.url)
            .env("TYPGRAPH_JWT_SECRET", TEST_SECRET)
            .env_remove("TYPGRAPH_JWT_PUBLIC_KEY")
            .env("TYPGRAPH_LOG_FORMAT", format)
            .env("RUST_LOG", "info,typgraph=debug")
            .env("TYPGRAPH_RATE_REQUESTS_PER_MINUTE", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut log = Vec::new();
        stderr.read_to_end(&mut log).unwrap();
        String::from_utf8_lossy(&log).into_owned()
    });
    let stdout = child.stdout.take().unwrap();
    let addr = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|l| l.strip_prefix("listening on http://").map(str::to_owned))
    })
    .await
    .unwrap();
    let Some(addr) = addr else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("server did not start: {}", reader.join().unwrap());
    };
    done(&addr).await;
    let _ = child.kill();
    let _ = child.wait();
    reader.join().unwrap()
}

/// Tokens whose header's `alg` carries a forged log line: a newline, ANSI colour and a
/// marker, short (parsed) and 50 KB (refused unread).
fn forged_tokens() -> Vec<String> {
    let short = json!({ "alg": "HS256\n2026-01-01T00:00:00Z  INFO FORGEDLINE official signed in\u{1b}[38;5;99m\u{1b}[2K", "typ": "JWT" });
    let long =
        json!({ "alg": format!("FORGEDLINE\n{}", "\u{1b}[38;5;99mA".repeat(4_000)), "typ": "JWT" });
    let payload = b64(json!({ "sub": "x", "exp": now() + 600 })
        .to_string()
        .as_bytes());
    [short, long]
        .iter()
        .map(|h| format!("{}.{payload}.c2ln", b64(h.to_string().as_bytes())))
        .collect()
}

async fn send_forgeries(addr: &str) {
    let http = reqwest::Client::new();
    for token in forged_tokens() {
        let res = http
            .post(format!("http://{addr}/graphql"))
            .header("content-type", "application/json")
            .bearer_auth(&token)
            .body(json!({ "query": ME }).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 401);
    }
    // A path, an operation name and a query with the same payload.
    let res = http
        .get(format!("http://{addr}/FORGEDLINE%0A%1B%5B38;5;99m"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let res = http
        .post(format!("http://{addr}/graphql"))
        .header("content-type", "application/json")
        .body(json!({ "query": "{ FORGEDLINE \n\u{1b}[38;5;99m", "operationName": "FORGEDLINE\n\u{1b}[38;5;99m" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
}

fn assert_nothing_forged(log: &str) {
    assert!(
        !log.contains("FORGEDLINE"),
        "caller text reached the log:\n{}",
        &log[..log.len().min(3000)]
    );
    assert!(
        !log.contains("\u{1b}[38;5;99m") && !log.contains("\u{1b}[2K"),
        "caller's escapes reached the log"
    );
    assert!(log.lines().all(|l| l.len() < 2_000), "an overlong log line");
}

on_both! {
    async fn a_forged_token_header_reaches_neither_log_format_only_its_kind_of_refusal(app) {
        let text = logged_by_server(&app, "text", async |addr: &str| send_forgeries(addr).await).await;
        assert_nothing_forged(&text);
        let refusals: Vec<&str> = text.lines().filter(|l| l.contains("bearer token refused")).collect();
        assert_eq!(refusals.len(), 2, "{text}");
        assert!(refusals[0].contains("malformed") && refusals[1].contains("too_large"), "{refusals:?}");
        let json_log = logged_by_server(&app, "json", async |addr: &str| send_forgeries(addr).await).await;
        assert_nothing_forged(&json_log);
        let reasons: Vec<String> = json_log
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|l| l["message"] == "bearer token refused")
            .map(|l| l["reason"].as_str().unwrap_or("").to_owned())
            .collect();
        assert_eq!(reasons, ["malformed", "too_large"], "{json_log}");
    }
}

// ---------------------------------------------------------------------------------------
// Slow clients and many connections.

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn short_deadlines(url: &str) -> Config {
    let mut c = test_config(url);
    c.transport = typgraph::http::transport::TransportConfig {
        header_timeout: ms(600),
        body_timeout: ms(1_000),
        connections_per_address: 3,
    };
    c
}

/// Reads until the server closes the connection (or `within` passes: `None`).
async fn read_to_close(
    stream: &mut (impl tokio::io::AsyncRead + Unpin),
    within: Duration,
) -> Option<String> {
    let mut got = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|()| String::from_utf8_lossy(&got).into_owned())
}

on_both! {
    with short_deadlines;
    async fn a_partial_header_an_idle_connection_and_a_trickled_body_are_cut(app) {
        // Half a request head, then nothing: closed after the header timeout, not before.
        let started = Instant::now();
        let mut half = TcpStream::connect(app.addr).await.unwrap();
        half.write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Ty").await.unwrap();
        let answer = read_to_close(&mut half, Duration::from_secs(5)).await;
        assert!(answer.is_some(), "a half-sent head held its connection for 5 s");
        assert!(started.elapsed() >= ms(500), "closed after {:?}", started.elapsed());
        drop(half);

        // A kept-alive connection is answered, then closed once it idles past the timeout.
        let mut idle = TcpStream::connect(app.addr).await.unwrap();
        idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let answer = read_to_close(&mut idle, Duration::from_secs(5)).await.expect("idle connection closed");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

        // A body trickled a byte at a time: 408 within the body timeout, whatever it sends.
        let body = json!({ "query": ME }).to_string();
        let slow = TcpStream::connect(app.addr).await.unwrap();
        let (mut from_server, mut to_server) = slow.into_split();
        to_server.write_all(format!("POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len()).as_bytes()).await.unwrap();
        let started = Instant::now();
        let trickle = tokio::spawn(async move {
            for b in body.into_bytes() {
                if to_server.write_all(&[b]).await.is_err() {
                    break;
                }
                tokio::time::sleep(ms(150)).await;
            }
            to_server
        });
        let answer = read_to_close(&mut from_server, Duration::from_secs(3)).await.unwrap_or_default();
        trickle.abort();
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?} after {:?}", started.elapsed());
        assert!(answer.contains("BAD_USER_INPUT"), "{answer}");

        // Requests at a normal pace are unaffected: several on one kept-alive connection,
        // with bodies.
        let token = app.token_for("TE_EXPERT");
        for _ in 0..5 {
            let (status, body) = app.gql(&token, ME, json!({})).await;
            assert_eq!(status, 200, "{body}");
            tokio::time::sleep(ms(100)).await;
        }
    }
}

on_both! {
    with short_deadlines;
    async fn connections_beyond_the_per_address_cap_are_closed_at_once(app) {
        // Three connections held open (each within its header timeout) fill the cap.
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut s = TcpStream::connect(app.addr).await.unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
            held.push(s);
        }
        tokio::time::sleep(ms(100)).await;
        let started = Instant::now();
        let mut fourth = TcpStream::connect(app.addr).await.unwrap();
        let _ = fourth.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
        let answer = read_to_close(&mut fourth, ms(400)).await;
        assert_eq!(answer.as_deref(), Some(""), "the fourth connection was served");
        assert!(started.elapsed() < ms(400));
        // Once they go, the address is served again.
        drop(held);
        tokio::time::sleep(ms(100)).await;
        let (status, body) = app.gql(&app.token_for("TE_EXPERT"), ME, json!({})).await;
        assert_eq!(status, 200, "{body}");
        assert!(app.metric("typgraph_http_connections_refused_total").await >= 1.0);
    }
}

// ---------------------------------------------------------------------------------------
// Browser protections.

fn with_explorer(url: &str) -> Config {
    let mut c = test_config(url);
    c.explorer = true;
    c
}

on_both! {
    with with_explorer;
    async fn every_response_forbids_framing_and_sniffing_and_pages_run_only_their_own_scripts(app) {
        let token = app.token_for("TE_EXPERT");
        let responses = vec![
            ("/dashboard", app.http.get(app.endpoint("/dashboard")).send().await.unwrap()),
            ("/", app.http.get(app.endpoint("/")).send().await.unwrap()),
            ("/graphql", app.http.post(app.endpoint("/graphql")).header("content-type", "application/json").bearer_auth(&token).body(json!({ "query": ME }).to_string()).send().await.unwrap()),
            ("/graphql unauthenticated", app.http.post(app.endpoint("/graphql")).header("content-type", "application/json").body("{}").send().await.unwrap()),
            ("/healthz", app.http.get(app.endpoint("/healthz")).send().await.unwrap()),
            ("/metrics", app.http.get(app.endpoint("/metrics")).send().await.unwrap()),
            ("/dashboard/demo-logins", app.http.get(app.endpoint("/dashboard/demo-logins")).send().await.unwrap()),
            ("missing", app.http.get(app.endpoint("/nothing-here")).send().await.unwrap()),
        ];
        for (what, res) in responses {
            let h = res.headers().clone();
            assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
            assert_eq!(h["x-frame-options"], "DENY", "{what}");
            assert_eq!(h["referrer-policy"], "no-referrer", "{what}");
            let csp = h["content-security-policy"].to_str().unwrap().to_owned();
            assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
            assert!(csp.starts_with("default-src 'none'"), "{what}: {csp}");
            if what == "/dashboard" || what == "/" {
                assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
                let html = res.text().await.unwrap();
                let script = html.split("<script>").nth(1).unwrap().split("</script>").next().unwrap();
                let hash = base64::engine::general_purpose::STANDARD.encode(<sha2::Sha256 as sha2::Digest>::digest(script.as_bytes()));
                assert!(csp.contains(&format!("script-src 'sha256-{hash}'")), "{what}: {csp}");
                assert!(!html.contains(" style=\""), "{what}: inline style attributes are blocked");
                if what == "/dashboard" {
                    assert!(html.contains("history.replaceState(null, \"\", location.pathname + location.search)"));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Token bounds.

fn with_audience(url: &str) -> Config {
    let mut c = test_config(url);
    c.jwt.audience = Some("typgraph-api".into());
    c
}

on_both! {
    async fn tokens_not_yet_valid_too_long_lived_or_too_large_are_refused(app) {
        let te = app.fx.official("TE_EXPERT").to_owned();
        let t = now();
        let ok = hs256(&json!({ "sub": te, "roles": ["TE_EXPERT"], "iat": t, "exp": t + 11 * 3600 }));
        let (s, b) = app.gql(&ok, ME, json!({})).await;
        assert_eq!(s, 200, "{b}");
        // nbf ahead (beyond the leeway); and one that has begun.
        let (s, b) = app.gql(&hs256(&json!({ "sub": te, "roles": ["TE_EXPERT"], "nbf": t + 600, "exp": t + 3600 })), ME, json!({})).await;
        assert_refused(s, &b);
        let (s, b) = app.gql(&hs256(&json!({ "sub": te, "roles": ["TE_EXPERT"], "nbf": t - 10, "exp": t + 3600 })), ME, json!({})).await;
        assert_eq!(s, 200, "{b}");
        // Over the 12 h default: by iat, and by what is left of it without iat.
        let (s, b) = app.gql(&hs256(&json!({ "sub": te, "roles": ["TE_EXPERT"], "iat": t - 3600, "exp": t + 12 * 3600 })), ME, json!({})).await;
        assert_refused(s, &b);
        let (s, b) = app.gql(&hs256(&json!({ "sub": te, "roles": ["TE_EXPERT"], "exp": t + 13 * 3600 })), ME, json!({})).await;
        assert_refused(s, &b);
        let (s, b) = app.gql(&hs256(&json!({ "sub": te, "roles": ["TE_EXPERT"], "exp": t + 365 * 86400 })), ME, json!({})).await;
        assert_refused(s, &b);
        // An hour's lifetime "issued" five years ahead would be valid for five years.
        let ahead = t + 5 * 365 * 86400;
        let (s, b) = app.gql(&hs256(&json!({ "sub": te, "roles": ["TE_EXPERT"], "iat": ahead, "exp": ahead + 3600 })), ME, json!({})).await;
        assert_refused(s, &b);
        // No exp at all.
        let (s, b) = app.gql(&hs256(&json!({ "sub": te, "roles": ["TE_EXPERT"] })), ME, json!({})).await;
        assert_refused(s, &b);
        // Validly signed but over 4 KiB.
        let big = hs256(&json!({ "sub": te, "roles": ["TE_EXPERT"], "exp": t + 600, "pad": "x".repeat(4_200) }));
        assert!(big.len() > 4096);
        let (s, b) = app.gql(&big, ME, json!({})).await;
        assert_refused(s, &b);
        let fits = hs256(&json!({ "sub": te, "roles": ["TE_EXPERT"], "exp": t + 600, "pad": "x".repeat(2_000) }));
        let (s, b) = app.gql(&fits, ME, json!({})).await;
        assert_eq!(s, 200, "{b}");
    }
}

on_both! {
    with with_audience;
    async fn an_audience_array_is_accepted_when_it_contains_the_audience(app) {
        let te = app.fx.official("TE_EXPERT").to_owned();
        let exp = now() + 600;
        let (s, b) = app.gql(&hs256(&json!({ "sub": te, "roles": ["TE_EXPERT"], "exp": exp, "aud": ["other-api", "typgraph-api"] })), ME, json!({})).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["data"]["me"]["officialId"], te);
        let (s, b) = app.gql(&hs256(&json!({ "sub": te, "roles": ["TE_EXPERT"], "exp": exp, "aud": "typgraph-api" })), ME, json!({})).await;
        assert_eq!(s, 200, "{b}");
        let (s, b) = app.gql(&hs256(&json!({ "sub": te, "roles": ["TE_EXPERT"], "exp": exp, "aud": ["other-api"] })), ME, json!({})).await;
        assert_refused(s, &b);
        let (s, b) = app.gql(&hs256(&json!({ "sub": te, "roles": ["TE_EXPERT"], "exp": exp })), ME, json!({})).await;
        assert_refused(s, &b);
    }
}

on_both! {
    async fn the_token_command_refuses_a_ttl_beyond_the_maximum_lifetime(app) {
        let te = app.fx.official("TE_EXPERT").to_owned();
        let token = |ttl: &str, max: Option<&str>| {
            let mut cmd = Command::new(BIN);
            cmd.args(["token", "--sub", &te, "--role", "TE_EXPERT", "--ttl", ttl, "--database-url", &app.url])
                .env("TYPGRAPH_JWT_SECRET", TEST_SECRET)
                .env_remove("TYPGRAPH_JWT_MAX_LIFETIME")
                .env("RUST_LOG", "error");
            if let Some(max) = max {
                cmd.env("TYPGRAPH_JWT_MAX_LIFETIME", max);
            }
            cmd.output().unwrap()
        };
        let out = token("13h", None);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--ttl") && err.contains("TYPGRAPH_JWT_MAX_LIFETIME"), "{err}");
        assert!(out.stdout.is_empty());
        let out = token("1h", Some("30m"));
        assert!(!out.status.success(), "a lower maximum is respected too");
        let out = token("2h", None);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let signed = String::from_utf8(out.stdout).unwrap();
        let (s, b) = app.gql(signed.trim(), ME, json!({})).await;
        assert_eq!(s, 200, "{b}");
        let out = token("2h", Some("soon"));
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("TYPGRAPH_JWT_MAX_LIFETIME"));
    }
}

// ---------------------------------------------------------------------------------------
// Rate-limit buckets by address.

fn behind_a_proxy_with_a_small_budget(url: &str) -> Config {
    let mut c = test_config(url);
    c.rate.requests_per_minute = 3;
    c.trusted_proxies = typgraph::http::proxies::parse_list("127.0.0.1, ::1").unwrap();
    c
}

on_both! {
    with behind_a_proxy_with_a_small_budget;
    async fn ipv6_callers_share_a_bucket_per_64_and_mapped_ipv4_counts_as_ipv4(app) {
        let from = |client: &'static str| {
            let req = app.http.get(app.endpoint("/dashboard")).header("x-forwarded-for", client);
            async move { req.send().await.unwrap().status().as_u16() }
        };
        for client in ["2001:db8:5:6::1", "2001:db8:5:6::2", "2001:db8:5:6:a:b:c:d"] {
            assert_eq!(from(client).await, 200, "{client}");
        }
        assert_eq!(from("2001:db8:5:6:ffff::9").await, 429, "a fourth address of the same /64");
        assert_eq!(from("2001:db8:5:7::1").await, 200, "the neighbouring /64");
        for _ in 0..3 {
            assert_eq!(from("::ffff:198.51.100.7").await, 200);
        }
        assert_eq!(from("198.51.100.7").await, 429, "the mapped address is the IPv4 one");
    }
}
