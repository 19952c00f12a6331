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
