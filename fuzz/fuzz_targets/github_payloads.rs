//! GitHub webhook payloads: what a pull request delivery is read as.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = aimpact::github::webhook::facts_from_payload(&value);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = aimpact::metrics::jira::pr_issue_keys(text, text, text, &["PROJ", "OPS"]);
    }
});
