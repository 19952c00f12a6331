//! What the few browser steps (the Slack install, the GitHub and Jira
//! connects) share: small HTML pages, the cookie that binds a round trip to
//! its browser, the same-origin check, a constant-time compare, and
//! [`AppError`], the one way an HTTP handler fails. Below every capability;
//! `http` is the router.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// A plain, branded page with a title and an HTML body.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width,initial-scale=1\"><title>{title} · aimpact</title><style>\
         body{{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1d1c1d}}\
         h1{{font-size:1.5rem}}a.button,button{{display:inline-block;border:0;font-size:1rem;cursor:pointer;background:#4a154b;color:#fff;padding:.7rem 1.2rem;\
         border-radius:6px;text-decoration:none;font-weight:600}}p{{line-height:1.5}}</style></head>\
         <body><h1>{title}</h1>{body}</body></html>"
    );
    (status, Html(html)).into_response()
}

/// Why an HTTP request failed, as the person or caller is told. What an
/// outside party may read says what to do; [`AppError::Internal`] is logged
/// with its whole cause chain and shown only as "something went wrong on
/// our side".
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong (400).
    #[error("{0}")]
    Invalid(String),
    /// Not this requester's to do (403).
    #[error("{0}")]
    Forbidden(String),
    /// Nothing here, or not set up on this deployment (404).
    #[error("{0}")]
    NotFound(String),
    /// The service we called failed (502); the message is ours, never theirs.
    #[error("{0}")]
    Upstream(String),
    /// Our fault: storage, a bug. Logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What an internal failure is shown as.
pub const INTERNAL_MESSAGE: &str =
    "something went wrong on our side and it has been logged; please try again";

impl AppError {
    /// An internal failure with what we were doing.
    pub fn internal(e: impl Into<anyhow::Error>, doing: &'static str) -> AppError {
        AppError::Internal(e.into().context(doing))
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Upstream(_) => StatusCode::BAD_GATEWAY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What may be said: the message, or [`INTERNAL_MESSAGE`] after logging
    /// an internal failure's cause chain.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "request failed");
                INTERNAL_MESSAGE.to_string()
            }
            other => other.to_string(),
        }
    }

    /// The page a browser step shows under `title`.
    pub fn page(&self, title: &str) -> Response {
        page(
            self.status(),
            title,
            &format!("<p>{}.</p>", escape_html(&self.public_message())),
        )
    }
}

/// A plain-text answer (for callers that are programs, or the preview).
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (self.status(), format!("{}\n", self.public_message())).into_response()
    }
}

/// Escapes text for HTML.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page that asks before a connect flow goes on to GitHub or Atlassian:
/// it names the Slack workspace the connection will belong to, so someone
/// sent another workspace's link sees whose it is. "Continue" posts the
/// state back to `action` (our own origin only, see [`same_origin`]).
pub fn confirm_connect(what: &str, workspace: &str, action: &str, state: &str) -> Response {
    page(
        StatusCode::OK,
        &format!("Connect {}", escape_html(what)),
        &format!(
            "<p>You are connecting {what} to aimpact for the Slack workspace \
             <b>{workspace}</b>. aimpact will read its data for that workspace.</p>\
             <p>Continue only if you started this from aimpact's App Home in <b>{workspace}</b>. \
             If someone sent you this link, close this page: nothing has been connected.</p>\
             <form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"state\" \
             value=\"{state}\"><button type=\"submit\" class=\"button\">Continue to {what}</button></form>",
            what = escape_html(what),
            workspace = escape_html(workspace),
            action = escape_html(action),
            state = escape_html(state),
        ),
    )
}

/// Whether a form post came from one of our own pages: its `Origin` (or,
/// without one, its `Referer`) is `public_url`'s origin. Without a public
/// URL there is nothing to compare, and only a same-host post passes.
pub fn same_origin(headers: &axum::http::HeaderMap, public_url: Option<&url::Url>) -> bool {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
    };
    let sent = header(axum::http::header::ORIGIN)
        .filter(|o| *o != "null")
        .or_else(|| header(axum::http::header::REFERER))
        .and_then(|u| url::Url::parse(u).ok());
    let Some(sent) = sent else { return false };
    match public_url {
        Some(ours) => sent.origin() == ours.origin(),
        None => header(axum::http::header::HOST).is_some_and(|host| {
            sent.host_str()
                .zip(sent.port_or_known_default())
                .is_some_and(|(h, p)| host == h || host == format!("{h}:{p}"))
        }),
    }
}

/// The value of the cookie `name` the browser sent.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The `Set-Cookie` value that binds a browser round trip (an install, a
/// consent) to the browser that started it: `HttpOnly`, `SameSite=Lax`,
/// `Secure` when `public_url` is https.
pub fn state_cookie(
    name: &str,
    value: &str,
    path: &str,
    max_age_secs: i64,
    public_url: Option<&url::Url>,
) -> String {
    let secure = public_url.is_some_and(|u| u.scheme() == "https");
    format!(
        "{name}={value}; Path={path}; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Whether two secrets (tokens, nonces) are equal, in time that does not
/// depend on where they differ.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether the browser sent `cookie` holding the nonce of `state` (the part
/// before the `.`): the round trip finishes in the browser that started it.
pub fn bound_to_browser(
    headers: &axum::http::HeaderMap,
    cookie_name: &str,
    state: Option<&str>,
) -> bool {
    let nonce = state.and_then(|s| s.split_once('.')).map(|(n, _)| n);
    match (nonce, cookie(headers, cookie_name).as_deref()) {
        (Some(n), Some(c)) => same_secret(n.as_bytes(), c.as_bytes()),
        _ => false,
    }
}

/// The answer of a connect's "Continue": sets the round-trip cookie and
/// sends the browser on to `destination`.
pub fn bind_and_go(cookie: String, destination: &url::Url) -> Response {
    (
        StatusCode::SEE_OTHER,
        [
            (axum::http::header::SET_COOKIE, cookie),
            (axum::http::header::LOCATION, destination.to_string()),
        ],
    )
        .into_response()
}

/// The page a connect link shows first ([`confirm_connect`]), naming the
/// workspace of a signed state that is still usable; `invalid` when the
/// state is not, and an apology when the store cannot be read.
pub async fn ask_before_connecting(
    db: &crate::store::Db,
    secret: Option<&secrecy::SecretString>,
    purpose: &str,
    state: Option<&str>,
    what: &str,
    action: &str,
    invalid: Response,
) -> Response {
    let (Some(signed), Some(secret)) = (state, secret) else {
        return invalid;
    };
    let org = match crate::signed_state::peek(db, secret, purpose, signed).await {
        Ok(Some((org, _))) => org,
        Ok(None) => return invalid,
        Err(e) => {
            tracing::error!(error = %e, purpose, "could not read a connect state");
            return page(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("{what} is not connected"),
                "<p>Something went wrong on our side; please try again in a minute.</p>",
            );
        }
    };
    let workspace = match db.pool().acquire().await {
        Ok(mut conn) => crate::store::orgs::get(&mut conn, org)
            .await
            .map(|o| o.name)
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    confirm_connect(what, &workspace, action, signed)
}
