//! Slack's request bodies as they reach us: slash-command and interaction
//! forms, interaction and Events API JSON, the private metadata and action
//! values inside them. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = aimpact::slack::payload::Command::from_form(data);
    if let Ok(i) = aimpact::slack::payload::Interaction::from_form(data) {
        let metadata = i.view.as_ref().and_then(|v| v.private_metadata.as_deref());
        let _ = aimpact::slack::dashboards::HomeState::parse(metadata);
        if let Some(value) = i.action.as_ref().and_then(|a| a.value.as_deref()) {
            let _ = aimpact::surveys::answer::parse_value(value);
        }
    }
    let _ = aimpact::slack::payload::EventsBody::from_json(data);
    if let Ok(value) = serde_json::from_slice(data) {
        let _ = aimpact::slack::payload::Interaction::from_json(value);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = aimpact::slack::dashboards::HomeState::parse(Some(text));
        let _ = aimpact::surveys::answer::parse_value(text);
    }
});
