//! Small HTML pages for the few browser steps (installs, connects).

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// A plain, branded page with a title and an HTML body.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width,initial-scale=1\"><title>{title} · aimpact</title><style>\
         body{{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1d1c1d}}\
         h1{{font-size:1.5rem}}a.button{{display:inline-block;background:#4a154b;color:#fff;padding:.7rem 1.2rem;\
         border-radius:6px;text-decoration:none;font-weight:600}}p{{line-height:1.5}}</style></head>\
         <body><h1>{title}</h1>{body}</body></html>"
    );
    (status, Html(html)).into_response()
}

/// Escapes text for HTML.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
