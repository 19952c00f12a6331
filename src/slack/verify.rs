//! Request signing (docs/platform.md A1): every request from Slack is verified
//! in one layer in front of the Slack routes, before its body is parsed:
//! `v0=` HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing
//! secret, compared in constant time, timestamp within five minutes.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::state::AppState;

/// Largest clock difference accepted, in seconds.
pub const MAX_AGE_SECS: i64 = 5 * 60;

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// `X-Slack-Signature` or `X-Slack-Request-Timestamp` is missing.
    #[error("missing Slack signature headers")]
    Missing,
    /// The timestamp is not a number.
    #[error("malformed request timestamp")]
    BadTimestamp,
    /// The timestamp is outside the replay window.
    #[error("request timestamp is more than 5 minutes from now")]
    Stale,
    /// The signature does not match.
    #[error("signature does not match")]
    BadSignature,
}

/// Checks one request's signature at `now` (Unix seconds).
pub fn verify(
    secret: &SecretString,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(VerifyError::Missing);
    };
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::BadTimestamp)?;
    if (now - ts).abs() > MAX_AGE_SECS {
        return Err(VerifyError::Stale);
    }
    let expected = signature
        .strip_prefix("v0=")
        .and_then(|hex_sig| hex::decode(hex_sig).ok())
        .ok_or(VerifyError::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .map_err(|_| VerifyError::BadSignature)?;
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    // verify_slice compares in constant time.
    mac.verify_slice(&expected)
        .map_err(|_| VerifyError::BadSignature)
}

/// Signs a body the way Slack does; used by tests and the load example.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// axum middleware: buffers the body (within the body limit), verifies it
/// and hands the same bytes on; anything else answers 401/413 untouched.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(secret) = state.config.slack.signing_secret.clone() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "Slack is not configured here: set SLACK_SIGNING_SECRET\n",
        )
            .into_response();
    };
    let (parts, body) = req.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, state.config.body_limit_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n").into_response();
        }
    };
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let checked = verify(
        &secret,
        header("x-slack-request-timestamp"),
        header("x-slack-signature"),
        &bytes,
        crate::store::unix_now(),
    );
    if let Err(why) = checked {
        tracing::warn!(reason = %why, "refused an unverified Slack request");
        return (StatusCode::UNAUTHORIZED, format!("{why}\n")).into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

    #[test]
    fn slacks_documented_example_verifies() {
        // The example from Slack's "Verifying requests from Slack" page.
        let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        let sig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
        let secret = SecretString::from(SECRET);
        assert_eq!(
            verify(
                &secret,
                Some("1531420618"),
                Some(sig),
                body.as_bytes(),
                1531420618
            ),
            Ok(())
        );
        assert_eq!(sign(SECRET, 1531420618, body.as_bytes()), sig);
    }

    #[test]
    fn every_kind_of_bad_request_is_refused() {
        let secret = SecretString::from(SECRET);
        let now = 1_700_000_000;
        let good = sign(SECRET, now, b"a=1");
        assert_eq!(
            verify(&secret, Some(&now.to_string()), Some(&good), b"a=1", now),
            Ok(())
        );
        assert_eq!(
            verify(&secret, None, Some(&good), b"a=1", now),
            Err(VerifyError::Missing)
        );
        assert_eq!(
            verify(&secret, Some("soon"), Some(&good), b"a=1", now),
            Err(VerifyError::BadTimestamp)
        );
        assert_eq!(
            verify(&secret, Some(&now.to_string()), Some(&good), b"a=2", now),
            Err(VerifyError::BadSignature)
        );
        assert_eq!(
            verify(&secret, Some(&now.to_string()), Some("v0=zz"), b"a=1", now),
            Err(VerifyError::BadSignature)
        );
        assert_eq!(
            verify(
                &secret,
                Some(&now.to_string()),
                Some(&good),
                b"a=1",
                now + 301
            ),
            Err(VerifyError::Stale)
        );
        let other = SecretString::from("another-secret");
        assert_eq!(
            verify(&other, Some(&now.to_string()), Some(&good), b"a=1", now),
            Err(VerifyError::BadSignature)
        );
    }
}
