//! Jira's changelog histories and timestamps.
#![no_main]

use std::collections::HashMap;

use aimpact::metrics::jira::StatusCategory;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let statuses: HashMap<String, StatusCategory> = [
            ("1".to_string(), StatusCategory::ToDo),
            ("3".to_string(), StatusCategory::InProgress),
            ("10001".to_string(), StatusCategory::Done),
        ]
        .into();
        let _ = aimpact::jira::sync::transitions_of(&value, &statuses);
        let _ = aimpact::jira::sync::instant(&value);
    }
});
