//! Property tests for the parsers of outside input: Slack forms and JSON,
//! `private_metadata`, action values, the `/metrics` grammar, GitHub and
//! Jira JSON, request signatures. None may panic, whatever arrives; where a
//! value is written by us and read back, it reads back the same. The same
//! entry points are `cargo fuzz` targets (fuzz/, SECURITY.md).

use aimpact::dashboard::grammar::{self, Range};
use aimpact::dashboard::range_value;
use aimpact::domain::TeamId;
use aimpact::slack::payload::{Command, EventsBody, Interaction};
use aimpact::slack_ui::dashboards::HomeState;
use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Any JSON, a few levels deep, with strings that look like what attackers
/// send (mentions, entities, huge numbers).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::from),
        "(<!channel>|<@U1>|&amp;|T1|U1|[0-9:]{1,25}|block_actions|view_submission)"
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                "(type|team|user|id|actions|view|value|state|values|event|event_id|team_id|[a-z_]{1,12})",
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn form_encode(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish().into_bytes()
}

fn range() -> impl Strategy<Value = Range> {
    prop_oneof![
        prop::sample::select(vec![7u32, 30, 90]).prop_map(Range::LastDays),
        (0i64..40_000, 0i64..2_000).prop_map(|(start, len)| {
            let a = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Days::new(start as u64);
            Range::Between(a, a + chrono::Days::new(len as u64))
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn slack_bodies_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), text in any::<String>()) {
        let _ = Command::from_form(&bytes);
        let _ = Interaction::from_form(&bytes);
        let _ = EventsBody::from_json(&bytes);
        let _ = Command::from_form(text.as_bytes());
        let _ = Interaction::from_form(&form_encode(&[("payload", &text)]));
    }

    #[test]
    fn slack_json_of_any_shape_never_panics(value in json_value()) {
        let _ = Interaction::from_json(value.clone());
        let _ = EventsBody::from_value(value.clone());
        let _ = Command::from_json(value.clone());
        let body = serde_json::to_vec(&value).unwrap();
        let _ = Interaction::from_form(&form_encode(&[("payload", &String::from_utf8_lossy(&body))]));
    }

    #[test]
    fn an_interaction_reads_the_same_from_a_form_and_from_json(
        user in "[UW][A-Z0-9]{1,12}",
        team in "T[A-Z0-9]{1,12}",
        value in any::<String>(),
        metadata in any::<String>(),
    ) {
        let payload = json!({
            "type": "block_actions", "team": { "id": team }, "user": { "id": user },
            "trigger_id": "1.2", "actions": [{ "action_id": "x", "value": value }],
            "view": { "id": "V1", "private_metadata": metadata },
        });
        let from_form = Interaction::from_form(&form_encode(&[("payload", &payload.to_string())])).unwrap();
        let from_json = Interaction::from_json(payload).unwrap();
        prop_assert_eq!(&from_form.user_id, &user);
        prop_assert_eq!(&from_form.team_id, &team);
        prop_assert_eq!(&from_form.user_id, &from_json.user_id);
        prop_assert_eq!(
            from_form.action.as_ref().and_then(|a| a.value.clone()),
            from_json.action.as_ref().and_then(|a| a.value.clone())
        );
        prop_assert_eq!(
            from_form.view.as_ref().and_then(|v| v.private_metadata.clone()),
            from_json.view.as_ref().and_then(|v| v.private_metadata.clone())
        );
    }

    #[test]
    fn home_state_in_private_metadata_never_panics_and_round_trips(
        raw in any::<String>(),
        range in range(),
        team in proptest::option::of(1i64..i64::MAX),
    ) {
        let _ = HomeState::parse(Some(&raw));
        let state = HomeState { range, team: team.map(TeamId) };
        prop_assert_eq!(HomeState::parse(Some(&state.encode())), state);
    }

    #[test]
    fn survey_action_values_never_panic_and_round_trip(raw in any::<String>(), id in 1i64..i64::MAX, rest in any::<String>()) {
        if let Some((id, _)) = aimpact::surveys::answer::parse_value(&raw) {
            prop_assert!(id > 0);
        }
        prop_assert_eq!(
            aimpact::surveys::answer::parse_value(&format!("{id}:{rest}")),
            Some((id, rest.clone()))
        );
        prop_assert_eq!(aimpact::surveys::answer::parse_value(&format!("-{id}:{rest}")), None);
    }

    #[test]
    fn the_metrics_grammar_never_panics_and_its_corrections_are_inert(text in any::<String>(), words in "(team|me|repo|ai|<!channel>|<@U1>|<http://x\\|y>|`|\\*|_|~|7d|30d|[a-z]{1,8}| ){0,12}") {
        for input in [&text, &words] {
            if let Err(e) = grammar::parse(input) {
                let shown = e.to_string();
                prop_assert!(!shown.contains("<!") && !shown.contains("<@") && !shown.contains("<http"), "{}", shown);
            }
        }
    }

    #[test]
    fn ranges_read_back_from_their_own_words(range in range()) {
        prop_assert_eq!(grammar::parse(&range_value(range)).unwrap().range, range);
    }

    #[test]
    fn github_payloads_of_any_shape_never_panic(value in json_value()) {
        let _ = aimpact::github::webhook::facts_from_payload(&value);
        let _ = aimpact::github::webhook::facts_from_payload(&json!({ "pull_request": value.clone(), "repository": value }));
    }

    #[test]
    fn a_pull_request_payload_reads_back_its_facts(
        number in 1i64..1_000_000,
        title in any::<String>(),
        repo_id in 1i64..i64::MAX,
        created in 0i64..4_000_000_000,
    ) {
        let mut payload: Value = serde_json::from_slice(&std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/github/pull_request.opened.json"
        )).unwrap()).unwrap();
        let at = chrono::DateTime::from_timestamp(created, 0).unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        payload["pull_request"]["number"] = json!(number);
        payload["pull_request"]["title"] = json!(title);
        payload["pull_request"]["created_at"] = json!(at);
        payload["repository"]["id"] = json!(repo_id);
        let facts = aimpact::github::webhook::facts_from_payload(&payload).unwrap();
        prop_assert_eq!(facts.number, number);
        prop_assert_eq!(&facts.title, &title);
        prop_assert_eq!(facts.created_at, created);
        prop_assert_eq!(facts.repo.github_repo_id, repo_id.to_string());
    }

    #[test]
    fn jira_changelogs_and_times_of_any_shape_never_panic(value in json_value(), text in any::<String>()) {
        let statuses = [("3".to_string(), aimpact::metrics::jira::StatusCategory::InProgress)].into();
        let _ = aimpact::jira::sync::transitions_of(&value, &statuses);
        let _ = aimpact::jira::sync::instant(&value);
        let _ = aimpact::jira::sync::instant(&json!(text));
        let _ = aimpact::metrics::jira::pr_issue_keys(&text, &text, &text, &["PROJ"]);
    }

    #[test]
    fn jira_times_read_back(at in 0i64..4_000_000_000, millis in 0u32..1000) {
        let t = chrono::DateTime::from_timestamp(at, millis * 1_000_000).unwrap();
        let jira = t.format("%Y-%m-%dT%H:%M:%S%.3f%z").to_string();
        prop_assert_eq!(aimpact::jira::sync::instant(&json!(jira)), Some(at));
        prop_assert_eq!(aimpact::jira::sync::instant(&json!(t.to_rfc3339())), Some(at));
    }

    #[test]
    fn signatures_verify_only_the_body_they_signed(
        body in prop::collection::vec(any::<u8>(), 0..256),
        flip in any::<prop::sample::Index>(),
        secret in "[ -~]{1,40}",
        header in any::<String>(),
    ) {
        use secrecy::SecretString;
        let key = SecretString::from(secret.clone());
        let now = 1_700_000_000;
        let slack = aimpact::slack::verify::sign(&secret, now, &body);
        prop_assert!(aimpact::slack::verify::verify(&key, Some(&now.to_string()), Some(&slack), &body, now).is_ok());
        let github = aimpact::github::webhook::sign(&secret, &body);
        prop_assert!(aimpact::github::webhook::verify(&key, Some(&github), &body));
        // Garbage headers never panic and never verify.
        prop_assert!(!aimpact::github::webhook::verify(&key, Some(&header), &body) || header == github);
        let _ = aimpact::slack::verify::verify(&key, Some(&header), Some(&header), &body, now);
        if !body.is_empty() {
            let mut changed = body.clone();
            let i = flip.index(changed.len());
            changed[i] ^= 1;
            prop_assert!(!aimpact::github::webhook::verify(&key, Some(&github), &changed));
            prop_assert!(aimpact::slack::verify::verify(&key, Some(&now.to_string()), Some(&slack), &changed, now).is_err());
        }
    }
}
