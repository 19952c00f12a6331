//! What people type after `/metrics`, and the correction shown back.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match aimpact::slack::grammar::parse(text) {
        Ok(query) => {
            let _ = query.range.describe();
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(
                !shown.contains("<!"),
                "a correction may not notify: {shown}"
            );
        }
    }
});
