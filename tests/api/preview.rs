//! The local preview on the demo org, in headless Chromium: every surface
//! page loads, shows no unsupported block, and every chart image arrives.

use std::process::Command;

use crate::helpers::*;

/// Chromium, if installed; CI (`AIMPACT_REQUIRE_CHROMIUM=1`) insists.
fn chromium() -> Option<String> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(str::to_string);
    if found.is_none() {
        assert!(
            std::env::var("AIMPACT_REQUIRE_CHROMIUM").is_err(),
            "AIMPACT_REQUIRE_CHROMIUM is set but no chromium is installed"
        );
        eprintln!("skipped: no chromium installed (CI installs it)");
    }
    found
}

fn dump_dom(browser: &str, url: &str) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=20000",
            "--dump-dom",
            url,
        ])
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test]
async fn every_preview_surface_of_the_demo_loads_in_chromium_with_its_images() {
    let Some(browser) = chromium() else { return };
    let db = TestDb::new().await;
    let app = spawn_app_with(&db, &[("AIMPACT_PREVIEW", "1")], false).await;
    let demo = aimpact::demo::seed(&app.state.db, aimpact::store::unix_now(), 7)
        .await
        .unwrap();
    aimpact::dashboard::rollups::refresh(&app.state.db, demo.org, true)
        .await
        .unwrap();

    let index = app.http.get(app.url("/preview")).send().await.unwrap();
    assert_eq!(index.status(), 200);
    let index = index.text().await.unwrap();
    let org =
        aimpact::store::orgs::get(&mut app.state.db.pool().acquire().await.unwrap(), demo.org)
            .await
            .unwrap();
    let entries = aimpact::http::preview::catalogue(&app.state, &org)
        .await
        .unwrap();
    assert!(entries.len() >= 15, "{entries:?}");
    let mut charts = 0;
    for e in &entries {
        assert!(
            index.contains(&format!("/preview/{}", e.slug)),
            "{} listed",
            e.slug
        );
        let url = app.url(&format!("/preview/{}", e.slug));
        // Blocking: Chromium fetches from this same app, which runs on the
        // test's runtime, so wait for it on another thread.
        let (b, u) = (browser.clone(), url.clone());
        let dom = tokio::task::spawn_blocking(move || dump_dom(&b, &u))
            .await
            .unwrap();
        assert!(
            dom.contains("data-images=\"ok\""),
            "{}: images did not all load:\n{dom}",
            e.slug
        );
        assert!(!dom.contains("unsupported block"), "{}: {dom}", e.slug);
        assert!(!dom.contains("preview failed"), "{}: {dom}", e.slug);
        let count: usize = dom
            .split("data-image-count=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        charts += count;
        // The JSON every page is made of is valid Block Kit.
        let json: serde_json::Value = app
            .http
            .get(app.url(&format!("/preview/{}.json", e.slug)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let kind = if e.slug.starts_with("home") {
            blocks::SurfaceKind::Home
        } else if e.slug.starts_with("modal") {
            blocks::SurfaceKind::Modal
        } else {
            blocks::SurfaceKind::Message
        };
        let blocks: Vec<blocks::Block> = serde_json::from_value(json["blocks"].clone()).unwrap();
        blocks::validate(&blocks, kind).unwrap_or_else(|e2| panic!("{}: {e2:?}", e.slug));
    }
    assert!(charts >= 10, "the demo's dashboards show charts: {charts}");
    app.stop().await;
}

#[tokio::test]
async fn the_preview_is_off_unless_asked_for_and_only_on_loopback() {
    let db = TestDb::new().await;
    let app = spawn_app_with(&db, &[], false).await;
    assert_eq!(
        app.http
            .get(app.url("/preview"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    app.stop().await;
    let vars = std::collections::HashMap::from([
        ("DATABASE_URL", db.url.expose().to_string()),
        ("AIMPACT_BIND", "0.0.0.0:3000".to_string()),
        ("AIMPACT_PREVIEW", "1".to_string()),
    ]);
    let problems =
        aimpact::config::Config::from_lookup(&move |k| vars.get(k).cloned()).expect_err("refused");
    assert!(
        problems
            .0
            .iter()
            .any(|p| p.setting == "AIMPACT_PREVIEW" && p.message.contains("loopback")),
        "{:?}",
        problems.0
    );
}

#[tokio::test]
async fn the_preview_answers_only_for_loopback_host_names_not_a_rebound_domain() {
    let db = TestDb::new().await;
    let app = spawn_app_with(&db, &[("AIMPACT_PREVIEW", "1")], false).await;
    let port = app.addr.port();
    for host in [
        "attacker.example",
        "attacker.example:80",
        "10.0.0.1",
        "localhost.attacker.example",
    ] {
        let r = app
            .http
            .get(app.url("/preview"))
            .header("host", host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 421, "{host}");
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "LOCALHOST".to_string(),
    ] {
        let r = app
            .http
            .get(app.url("/preview"))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_ne!(r.status(), 421, "{host}");
    }
    app.stop().await;
}
