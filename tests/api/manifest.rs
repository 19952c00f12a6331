//! manifest.yml and the listeners agree: every command, shortcut and event
//! it declares has a listener, and every listener is declared.

use std::collections::BTreeSet;

use serde_json::Value;

fn manifest() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/manifest.yml")).unwrap();
    serde_norway::from_str(&text).unwrap()
}

fn strings(v: &Value, pointer: &str, field: Option<&str>) -> BTreeSet<String> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .unwrap_or(&Vec::new())
        .iter()
        .filter_map(|item| match field {
            Some(f) => item[f].as_str().map(str::to_string),
            None => item.as_str().map(str::to_string),
        })
        .collect()
}

fn set(ids: Vec<&'static str>) -> BTreeSet<String> {
    ids.into_iter().map(str::to_string).collect()
}

#[test]
fn every_declared_command_shortcut_and_event_has_a_listener_and_vice_versa() {
    let m = manifest();
    let l = aimpact::slack_ui::listeners();
    assert_eq!(
        strings(&m, "/features/slash_commands", Some("command")),
        set(l.command_ids())
    );
    assert_eq!(
        strings(&m, "/features/shortcuts", Some("callback_id")),
        set(l.shortcut_ids())
    );
    // A subscription names the event and where it comes from
    // (`message.im`); the event that arrives is the part before the dot.
    let subscribed: BTreeSet<String> =
        strings(&m, "/settings/event_subscriptions/bot_events", None)
            .into_iter()
            .map(|e| e.split('.').next().unwrap_or_default().to_string())
            .collect();
    assert_eq!(subscribed, set(l.event_types()));
}

#[test]
fn the_manifest_requests_exactly_the_scopes_the_install_asks_for() {
    let scopes = strings(&manifest(), "/oauth_config/scopes/bot", None);
    let asked: BTreeSet<String> = aimpact::slack::install::BOT_SCOPES
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(scopes, asked);
}

#[test]
fn the_manifest_has_home_and_messages_tabs_and_the_request_urls() {
    let m = manifest();
    assert_eq!(m["features"]["app_home"]["home_tab_enabled"], true);
    assert_eq!(m["features"]["app_home"]["messages_tab_enabled"], true);
    let urls = [
        ("/features/slash_commands/0/url", "/slack/commands"),
        ("/settings/event_subscriptions/request_url", "/slack/events"),
        ("/settings/interactivity/request_url", "/slack/interactions"),
        (
            "/settings/interactivity/message_menu_options_url",
            "/slack/options",
        ),
        ("/oauth_config/redirect_urls/0", "/slack/oauth/callback"),
    ];
    for (pointer, route) in urls {
        let url = m.pointer(pointer).and_then(Value::as_str).unwrap();
        assert_eq!(
            url,
            format!("https://aimpact.example.com{route}"),
            "{pointer}"
        );
    }
    assert!(
        m["features"]["slash_commands"][0]["usage_hint"]
            .as_str()
            .unwrap()
            .contains("help")
    );
    let name = m["display_information"]["name"].as_str().unwrap();
    assert!(name.chars().count() <= 35);
    let description = m["display_information"]["description"].as_str().unwrap();
    assert!(description.chars().count() <= 140);
}
