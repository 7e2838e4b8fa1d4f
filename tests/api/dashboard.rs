//! The dashboard in a real browser: headless Chromium loads /dashboard, signs in as ANALYST
//! (token in the URL fragment, never sent to the server), and the charts have data points.
//! `.ci/run` installs Debian's chromium; without it this test says so and does not run.

use std::process::Command;

use crate::on_both;

fn chromium() -> Option<&'static str> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
}

fn run_chromium(
    bin: &str,
    profile: &std::path::Path,
    extra: &[&str],
    url: &str,
) -> std::process::Output {
    Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--virtual-time-budget=20000")
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium runs")
}

on_both! {
    async fn the_dashboard_draws_the_demo_series_in_a_real_browser(app) {
        let Some(bin) = chromium() else {
            eprintln!("chromium not installed: dashboard browser test not run (.ci/run installs it)");
            return;
        };
        typgraph::demo::load(&app.db, typgraph::demo::DEMO_CLIENTS, typgraph::demo::DEMO_SEED, true).await.unwrap();
        let token = app.token_for("ANALYST");
        let url = format!("{}#token={token}&from=2019-01&to=2021-12", app.endpoint("/dashboard"));
        let profile = tempfile::tempdir().unwrap();
        let url2 = url.clone();
        let dir = profile.path().to_owned();
        let dom = tokio::task::spawn_blocking(move || run_chromium(bin, &dir, &["--dump-dom"], &url2)).await.unwrap();
        let dom = String::from_utf8_lossy(&dom.stdout).to_string();
        assert!(dom.contains("data-loaded=\"true\""), "the page did not load its reports: {}", &dom[dom.len().saturating_sub(2000)..]);
        let points = dom.matches("class=\"point avg\"").count();
        assert_eq!(points, 36, "a point per month 2019-2021");
        assert!(dom.matches("class=\"bar\"").count() >= 8, "outcome bars");
        assert!(dom.contains("Closed by government order"), "the 2020 closure explains the series");
        let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dashboard-{}.png", uuid::Uuid::new_v4().simple()));
        let arg = format!("--screenshot={}", shot.display());
        let dir = profile.path().to_owned();
        tokio::task::spawn_blocking(move || run_chromium(bin, &dir, &[&arg, "--window-size=1280,900"], &url)).await.unwrap();
        let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
        assert!(size > 10_000, "screenshot at {}", shot.display());
        eprintln!("dashboard screenshot: {}", shot.display());
    }
}
