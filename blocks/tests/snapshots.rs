//! JSON snapshots of the screens this crate builds, reviewed by eye once and
//! then pinned so an accidental change to Slack's JSON shape shows up in review.

#![allow(clippy::unwrap_used)]

use blocks::{BetterWhen, Block, Change, StatCard, Surface, SurfaceKind, stat_cards, validate};

fn cycle_time() -> StatCard {
    StatCard::new("Median cycle time").with_value("3h 20m")
}

#[test]
fn stat_card_with_change() {
    let card = cycle_time()
        .with_change(Change::new(-12.4, BetterWhen::Lower).compared_to("previous 30 days"))
        .with_hint("First commit → merge, median of 212 PRs");
    let blocks = card.blocks();
    validate(&blocks, SurfaceKind::Message).unwrap();
    insta::assert_json_snapshot!(blocks);
}

#[test]
fn stat_card_without_change() {
    let blocks = cycle_time().blocks();
    validate(&blocks, SurfaceKind::Message).unwrap();
    insta::assert_json_snapshot!(blocks);
}

#[test]
fn stat_card_no_data() {
    let card = StatCard::new("Median pickup time")
        .with_change(Change::new(30.0, BetterWhen::Lower))
        .with_hint("Only 3 PRs this period; we show a number from 10.");
    let blocks = card.blocks();
    validate(&blocks, SurfaceKind::Message).unwrap();
    insta::assert_json_snapshot!(blocks);
}

#[test]
fn stat_cards_as_fields() {
    let period = "previous 30 days";
    let cards = [
        StatCard::new("PRs merged")
            .with_value("212")
            .with_change(Change::new(9.0, BetterWhen::Higher).compared_to(period)),
        cycle_time()
            .with_change(Change::new(-14.0, BetterWhen::Lower).compared_to(period))
            .with_hint("first commit → merge"),
        StatCard::new("Median pickup time")
            .with_value("3h 20m")
            .with_change(Change::new(0.3, BetterWhen::Lower)),
        StatCard::new("AI-assisted (self-reported)").with_hint("fewer than 10 answers so far"),
    ];
    let blocks = stat_cards(&cards);
    validate(&blocks, SurfaceKind::Message).unwrap();
    insta::assert_json_snapshot!(blocks);
}

#[test]
fn stat_cards_split_past_ten() {
    let cards: Vec<StatCard> = (1..=12)
        .map(|i| StatCard::new(format!("Repo {i}")).with_value(format!("{i} PRs")))
        .collect();
    let blocks = stat_cards(&cards);
    validate(&blocks, SurfaceKind::Message).unwrap();
    insta::assert_json_snapshot!(blocks);
}

#[test]
fn overflowing_message() {
    let mut surface = Surface::message();
    surface.push(Block::header("Merged PRs · last 30 days"));
    surface.extend((1..=60).map(|i| Block::section(&format!("PR #{i}"))));
    let blocks = surface.blocks();
    assert_eq!(blocks.len(), 50);
    validate(&blocks, SurfaceKind::Message).unwrap();
    insta::assert_json_snapshot!(surface);
}

#[test]
fn admin_setup_checklist_on_a_fresh_install() {
    let view = blocks::home::admin_setup(&blocks::home::SetupChecklist::fresh(Some(
        "U0ALICE001".into(),
    )));
    insta::assert_json_snapshot!(view);
}

#[test]
fn developer_welcome() {
    insta::assert_json_snapshot!(blocks::home::developer_welcome("Acme"));
}

#[test]
fn metrics_help() {
    insta::assert_json_snapshot!(blocks::help::metrics_help(None));
}

fn repos(n: usize) -> Vec<blocks::home::RepoChoice> {
    (0..n)
        .map(|i| blocks::home::RepoChoice {
            full_name: format!("acme/service-{i:03}"),
            value: (100 + i).to_string(),
        })
        .collect()
}

#[test]
fn repository_chooser_with_a_chosen_set() {
    let all = repos(3);
    let view = blocks::home::repo_chooser(&blocks::home::RepoChooser {
        tracked: vec![all[1].clone()],
        all,
        all_active: false,
    });
    let json = serde_json::to_value(&view).unwrap();
    let parsed: Vec<Block> = serde_json::from_value(json["blocks"].clone()).unwrap();
    validate(&parsed, SurfaceKind::Modal).unwrap();
    insta::assert_json_snapshot!(view);
}

#[test]
fn repository_chooser_searches_when_a_static_select_cannot_hold_them_all() {
    let all = repos(101);
    let view = blocks::home::repo_chooser(&blocks::home::RepoChooser {
        tracked: all[..90].to_vec(),
        all,
        all_active: true,
    });
    let json = serde_json::to_value(&view).unwrap();
    let pick = json["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block_id"] == "repos_pick")
        .unwrap();
    assert_eq!(pick["element"]["type"], "multi_external_select");
    assert!(pick["element"].get("options").is_none());
    assert_eq!(pick["optional"], true);
    let parsed: Vec<Block> = serde_json::from_value(json["blocks"].clone()).unwrap();
    validate(&parsed, SurfaceKind::Modal).unwrap();
}

#[test]
fn github_app_install_modal() {
    let view = blocks::home::github_app_install(
        "https://github.com/apps/aimpact/installations/new?state=abc.def",
    );
    let json = serde_json::to_value(&view).unwrap();
    let parsed: Vec<Block> = serde_json::from_value(json["blocks"].clone()).unwrap();
    validate(&parsed, SurfaceKind::Modal).unwrap();
    insta::assert_json_snapshot!(view);
}

#[test]
fn admins_modal() {
    use blocks::home::AdminSource;
    let view = blocks::home::admins_modal(&[
        ("U_INSTALLER".into(), AdminSource::Installer),
        ("U_SLACK".into(), AdminSource::Slack),
        (
            "U_ADDED".into(),
            AdminSource::Added(Some("U_INSTALLER".into())),
        ),
    ]);
    let json = serde_json::to_value(&view).unwrap();
    let parsed: Vec<Block> = serde_json::from_value(json["blocks"].clone()).unwrap();
    validate(&parsed, SurfaceKind::Modal).unwrap();
    insta::assert_json_snapshot!(view);
}

fn team_dashboard(people: usize) -> blocks::dashboard::Dashboard {
    use blocks::dashboard::{Dashboard, Table};
    let period = "previous 30 days";
    Dashboard {
        title: "Payments team · last 30 days".into(),
        context: "Nov 1 – Nov 30 · 4 repositories · updated 5 minutes ago".into(),
        headline: "*212 PRs merged* in the last 30 days · median cycle time *3h 20m*, 14% faster than the previous 30 days.".into(),
        cards: vec![
            StatCard::new("PRs merged")
                .with_value("212")
                .with_change(Change::new(9.0, BetterWhen::Higher).compared_to(period)),
            cycle_time().with_change(Change::new(-14.0, BetterWhen::Lower).compared_to(period)),
        ],
        charts: vec![
            blocks::kit::Image::from_url(
                "https://aimpact.example.com/charts/1/0123456789abcdef0123456789abcdef.png",
                "Weekly PRs merged, 12 weeks: 40 to 61, 38% detected as AI-assisted",
            )
            .with_title("PRs merged per week"),
        ],
        notes: vec!["*Review load* · 3 people gave half of all reviews.".into()],
        tables: vec![Table {
            title: "People".into(),
            columns: ("Person".into(), "Merged · reviews · median cycle".into()),
            rows: (0..people)
                .map(|i| (format!("Person <{i}>"), format!("{} · {} · 4h", 10 + i, 3 * i)))
                .collect(),
        }],
        definition: "Cycle time: first commit → merge (METRICS.md).".into(),
        range: "30d".into(),
        teams: vec![("All teams".into(), "all".into()), ("Payments".into(), "t1".into())],
        team: "t1".into(),
        share: Some("team t1 30d".into()),
        empty: None,
    }
}

#[test]
fn team_dashboard_message_with_per_person_rows() {
    let surface = blocks::dashboard::dashboard_message(&team_dashboard(20));
    let blocks = surface.blocks();
    validate(&blocks, SurfaceKind::Message).unwrap();
    let json = serde_json::to_string(&blocks).unwrap();
    assert!(
        json.contains("…and 5 more"),
        "20 rows show 15 and say the rest"
    );
    assert!(json.contains("Person &lt;0&gt;"), "names are escaped");
    insta::assert_json_snapshot!(surface);
}

#[test]
fn shared_dashboard_drops_controls_and_per_person_rows() {
    let surface = blocks::dashboard::shared_message(&team_dashboard(3), "U0LEAD0001");
    let blocks = surface.blocks();
    validate(&blocks, SurfaceKind::Message).unwrap();
    let json = serde_json::to_string(&blocks).unwrap();
    assert!(!json.contains("Person &lt;"), "{json}");
    assert!(!json.contains("\"actions\""), "{json}");
    assert!(json.contains("Shared by <@U0LEAD0001>"));
    insta::assert_json_snapshot!(surface);
}

#[test]
fn empty_dashboard_on_app_home_with_the_checklist_below() {
    use blocks::dashboard::{Dashboard, Empty, dashboard_home};
    let d = Dashboard {
        title: "Engineering overview · last 30 days".into(),
        empty: Some(Empty {
            text: "*Nothing to show yet.* Numbers appear after the first GitHub sync.".into(),
            button: Some(blocks::Button::new(
                blocks::ids::action::SETUP_GITHUB,
                "Connect GitHub",
                "github",
            )),
        }),
        range: "30d".into(),
        ..Dashboard::default()
    };
    let checklist = blocks::home::admin_setup(&blocks::home::SetupChecklist::fresh(None)).blocks();
    let surface = dashboard_home(Vec::new(), &d, checklist);
    validate(&surface.blocks(), SurfaceKind::Home).unwrap();
    insta::assert_json_snapshot!(surface);
}

#[test]
fn custom_range_is_offered_in_the_picker() {
    let mut d = team_dashboard(1);
    d.range = "2026-01-01..2026-02-01".into();
    let json = serde_json::to_string(&blocks::dashboard::dashboard_message(&d).blocks()).unwrap();
    assert!(json.contains("2026-01-01 – 2026-02-01"), "{json}");
}
