//! `POST /github/webhook`: `X-Hub-Signature-256` verified in constant time
//! before parsing; each delivery stored once (a redelivery is acknowledged
//! and not processed again) and a job enqueued before the 202 answer. The
//! job turns the payload into stored rows through the same ingest as sync.
//!
//! The path of a delivery, top to bottom:
//!
//! 1. `receive.rs`, the HTTP handler ([`receive`]): reads whose the payload
//!    is, verifies the signature with that org's own secret or
//!    `GITHUB_WEBHOOK_SECRET` ([`verify`]), reads the event and delivery
//!    headers, drops events not in [`HANDLED`], and gives the 2xx, 4xx and
//!    503 answers.
//! 2. `intake.rs`, durable intake ([`Intake`], the process's handle): finds
//!    the org a payload names (cached briefly), then stores the delivery
//!    once and enqueues its job, in group commits written by one writer
//!    (SQLite) or a few (PostgreSQL), before the request is answered;
//!    [`sweep_pending`] re-enqueues stored deliveries at start-up.
//! 3. `processing.rs`, the `github.delivery` job ([`ProcessDelivery`],
//!    [`run`]): reads the stored delivery and applies its event kind (pull
//!    request, review, member, installation) in one transaction, then
//!    delivers any surveys a first merge planned.

mod intake;
mod processing;
mod receive;

pub use intake::{Intake, IntakeError, SweepError, sweep_pending};
pub(crate) use processing::instant;
pub use processing::{DeliveryError, ProcessDelivery, facts_from_payload, run};
pub use receive::{HANDLED, receive, sign, verify};
