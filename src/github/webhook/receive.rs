//! The HTTP face of `POST /github/webhook`: finds whose a delivery is (to
//! pick the secret), verifies `X-Hub-Signature-256` in constant time
//! before anything is stored, reads the `X-GitHub-Event` and
//! `X-GitHub-Delivery` headers, hands the delivery to intake and answers:
//! 200 (pong, or already received), 202 (accepted, or ignored), 400
//! (missing headers, not JSON), 401 (bad signature), 503 (not configured,
//! or storage failed).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sha2::Sha256;

use super::intake::{self, Routing, Tenant};
use crate::state::AppState;
use crate::store::webhooks::{self, Recorded};

/// Events this app processes; others are acknowledged and ignored.
pub const HANDLED: [&str; 8] = [
    "ping",
    "installation",
    "installation_repositories",
    "pull_request",
    "pull_request_review",
    "member",
    "membership",
    "organization",
];

/// Checks `X-Hub-Signature-256` (`sha256=<hex>`) over the raw body.
pub fn verify(secret: &SecretString, signature: Option<&str>, body: &[u8]) -> bool {
    let Some(expected) = signature
        .and_then(|s| s.strip_prefix("sha256="))
        .and_then(|h| hex::decode(h.trim()).ok())
    else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// Signs a body as GitHub does (tests, load checks).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn answer(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "message": message }))).into_response()
}

/// The webhook endpoint. The payload is read for whose it is before the
/// signature is checked, because in a multi-workspace deployment each
/// organisation's webhook has its own secret; nothing is stored or run
/// before the signature verifies.
pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let routing: Option<Routing> = (body.trim_ascii_start().first() == Some(&b'{'))
        .then(|| serde_json::from_slice(&body).ok())
        .flatten();
    let tenant = match &routing {
        Some(routing) => match intake::tenant_of(&state, routing).await {
            Ok(tenant) => tenant,
            Err(e) => {
                tracing::error!(error = %e, "org lookup failed for a GitHub delivery");
                return answer(StatusCode::SERVICE_UNAVAILABLE, "try again later");
            }
        },
        None => None,
    };
    let secret = tenant.as_ref().and_then(|t| t.own_secret.as_ref()).or(state
        .config
        .github
        .webhook_secret
        .as_ref());
    let Some(secret) = secret else {
        return answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "GitHub webhooks are not configured here: set GITHUB_WEBHOOK_SECRET",
        );
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if !verify(secret, header("x-hub-signature-256"), &body) {
        tracing::warn!("refused a GitHub delivery with a bad or missing signature");
        return answer(StatusCode::UNAUTHORIZED, "signature does not match");
    }
    let (Some(event), Some(delivery)) = (header("x-github-event"), header("x-github-delivery"))
    else {
        return answer(
            StatusCode::BAD_REQUEST,
            "missing X-GitHub-Event or X-GitHub-Delivery",
        );
    };
    if !HANDLED.contains(&event) {
        return answer(StatusCode::ACCEPTED, "event ignored");
    }
    if routing.is_none() {
        if body.trim_ascii_start().first() != Some(&b'{') {
            return answer(StatusCode::BAD_REQUEST, "payload is not a JSON object");
        }
        let why = serde_json::from_slice::<Routing>(&body)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        return answer(
            StatusCode::BAD_REQUEST,
            &format!("malformed JSON payload: {why}"),
        );
    }
    if event == "ping" {
        return answer(StatusCode::OK, "pong");
    }
    let Some(Tenant { org, .. }) = tenant else {
        return answer(StatusCode::ACCEPTED, "no connected organisation; ignored");
    };
    // Compressed here, on the request's own task, so the one writer only
    // writes.
    let stored = Bytes::from(webhooks::pack(&body));
    let recorded = intake::handle(&state)
        .submit(&state, org, delivery, event, stored)
        .await;
    match recorded {
        Ok(Recorded::Duplicate) => answer(StatusCode::OK, "already received"),
        Ok(Recorded::New(_)) => answer(StatusCode::ACCEPTED, "accepted"),
        Err(e) => {
            tracing::error!(error = %e, "could not store a GitHub delivery");
            answer(StatusCode::SERVICE_UNAVAILABLE, "try again later")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn githubs_documented_signature_example_verifies() {
        // From GitHub's "Validating webhook deliveries".
        let secret = SecretString::from("It's a Secret to Everybody");
        let sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert!(verify(&secret, Some(sig), b"Hello, World!"));
        assert_eq!(sign("It's a Secret to Everybody", b"Hello, World!"), sig);
        assert!(!verify(&secret, Some(sig), b"Hello, World?"));
        assert!(!verify(&secret, None, b"Hello, World!"));
        assert!(!verify(&secret, Some("sha1=abc"), b"Hello, World!"));
    }
}
