//! GitHub: client, sync, webhooks, ingest.

pub mod client;
pub mod ingest;
pub mod webhook;
