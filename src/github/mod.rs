//! GitHub: client, sync, webhooks, ingest.

pub mod client;
pub mod connect;
pub mod export;
pub mod ingest;
pub mod job;
pub mod setup;
pub mod slack; // the token connect modal, the repository chooser and its options
pub mod sync;
pub mod webhook;
