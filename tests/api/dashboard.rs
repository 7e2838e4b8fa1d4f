//! The dashboard in a real browser: headless Chromium loads /dashboard, signs in as ANALYST
//! (token in the URL fragment, never sent to the server), and the charts have data points.
//! Then the language switch, number and date formats and the charts' tables, driven over the
//! DevTools protocol. `.ci/run` installs Debian's chromium; without it these tests say so and
//! do not run.

use std::process::Command;

use serde_json::json;

use crate::browser::chromium;
use crate::on_both;

fn run_chromium(
    bin: &str,
    profile: &std::path::Path,
    extra: &[&str],
    url: &str,
) -> std::process::Output {
    Command::new(bin)
        .args(crate::browser::FLAGS)
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
        typgraph::demo::load_demo(&app.db).await.unwrap();
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

on_both! {
    async fn the_dashboard_speaks_finnish_first_switches_to_swedish_and_english_and_has_tables(app) {
        if crate::browser::chromium().is_none() {
            eprintln!("chromium not installed: dashboard language test not run (.ci/run installs it)");
            return;
        }
        typgraph::demo::load_demo(&app.db).await.unwrap();
        let url = format!("{}#token={}&from=2019-01&to=2021-12", app.endpoint("/dashboard"), app.token_for("ANALYST"));
        tokio::task::spawn_blocking(move || {
            let mut b = crate::browser::Browser::launch().unwrap();
            b.goto(&url);
            b.wait_for("document.body.dataset.loaded === 'true'", "the reports");
            let read = |b: &mut crate::browser::Browser, js: &str| b.eval(js).as_str().unwrap_or_default().to_owned();
            assert_eq!(read(&mut b, "document.documentElement.lang"), "fi");
            assert_eq!(read(&mut b, "document.querySelector('#outcomes-title').textContent"), "Päättyneiden TYP-asiakkuuksien tulokset");
            let outcomes = read(&mut b, "document.querySelector('#outcomes-box caption').parentElement.innerText");
            assert!(outcomes.contains("Avoimet työmarkkinat") && !outcomes.contains("OPEN_LABOUR_MARKET") && !outcomes.contains("open labour"), "{outcomes}");
            // Euro amounts with Finnish thousands separators (a no-break space) and the sign after.
            let money = read(&mut b, "document.querySelector('#money-box tbody td').textContent");
            assert!(money.ends_with("\u{a0}€") && money.chars().filter(|c| *c == '\u{a0}').count() >= 2, "{money:?}");
            let dates = read(&mut b, "document.querySelector('#interruptions li').textContent");
            assert!(dates.starts_with("16.3.2020") || dates.contains(".2020"), "Finnish dates: {dates}");
            // Each chart has a real table: caption, column and row headers; the switch shows it.
            let tables = b.eval("[...document.querySelectorAll('main table')].map(t => [!!t.caption, t.querySelectorAll('th[scope=col]').length > 1, t.querySelectorAll('th[scope=row]').length > 0])");
            assert_eq!(tables, json!([[true, true, true], [true, true, true], [true, true, true]]));
            assert_eq!(b.eval("document.querySelector('#outcomes-box .visually-hidden table') !== null"), json!(true), "read by screen readers while the chart shows");
            b.click("#outcomes-box .view-switch");
            assert_eq!(b.eval("document.querySelector('#outcomes-box .table-view table') !== null && document.querySelector('#outcomes-box svg').classList.contains('hidden')"), json!(true));
            assert_eq!(read(&mut b, "document.querySelector('#outcomes-box .view-switch').getAttribute('aria-expanded')"), "true");
            b.screenshot("dashboard-fi-table");

            b.click("button[data-lang=sv]");
            b.wait_for("document.querySelector('#outcomes-title').textContent === 'Utfall av avslutade TYP-kundrelationer'", "Swedish");
            assert_eq!(read(&mut b, "document.documentElement.lang"), "sv");
            assert_eq!(read(&mut b, "document.querySelector('button[data-lang=sv]').getAttribute('aria-pressed')"), "true");
            b.wait_for("document.querySelector('#outcomes-box').innerText.includes('Öppna arbetsmarknaden')", "Swedish outcome labels");
            b.screenshot("dashboard-sv");

            b.click("button[data-lang=en]");
            b.wait_for("document.querySelector('#outcomes-title').textContent === 'Outcomes of closed TYP cases'", "English");
            b.wait_for("document.querySelector('#outcomes-box').innerText.includes('Open labour market')", "English outcome labels");
            let money = read(&mut b, "document.querySelector('#money-box tbody td').textContent");
            assert!(money.starts_with('€') && money.contains(','), "en-GB amounts: {money:?}");
            b.screenshot("dashboard-en");
        }).await.unwrap();
    }
}
