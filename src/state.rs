//! What every handler, listener and job receives: handles to the app's
//! shared resources, built once by the composition root (`app`). This module
//! sits below every capability: it names the store, the job queue, the Slack
//! Web API client and the clock, never a capability. What a capability keeps
//! for the whole process (the GitHub intake, the Jira points budget, the
//! Slack listeners) is one of its [`Handles`], found by type.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use crate::config::Config;
use crate::crypto::Keyring;
use crate::jobs::Jobs;
use crate::store::Db;

/// Shared state of every request handler, listener and job.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Settings.
    pub config: Arc<Config>,
    /// Store.
    pub db: Db,
    /// Keys for stored credentials.
    pub keys: Keyring,
    /// Job queue.
    pub jobs: Jobs,
    /// Outbound HTTP (OAuth exchanges, response URLs, Jira) with timeouts
    /// and the public-address guard (`egress`).
    pub http: reqwest::Client,
    /// Slack Web API client.
    pub slack: crate::slack_api::SlackApi,
    /// The time survey and schedule decisions read (tests set it).
    pub clock: crate::clock::Clock,
    /// Capabilities' process-wide handles.
    pub handles: Handles,
}

/// Process-wide values of the capabilities, one per type, set by the
/// composition root. A capability reads its own through a small accessor
/// next to the type (e.g. `github::webhook::intake`).
#[derive(Clone, Default)]
pub struct Handles(Arc<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl std::fmt::Debug for Handles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handles")
            .field("count", &self.0.len())
            .finish()
    }
}

impl Handles {
    /// Adds (or replaces) the handle of type `T`.
    #[must_use]
    pub fn with<T: Any + Send + Sync>(self, value: T) -> Self {
        let mut map = Arc::try_unwrap(self.0).unwrap_or_else(|shared| (*shared).clone());
        map.insert(TypeId::of::<T>(), Arc::new(value));
        Self(Arc::new(map))
    }

    /// The handle of type `T`, if the root set one.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        self.0
            .get(&TypeId::of::<T>())
            .cloned()
            .and_then(|v| v.downcast::<T>().ok())
    }

    /// The handle of type `T`, or a default one when the root set none
    /// (kept here so the next call finds the same one is not possible
    /// without a lock; the root always sets them).
    pub fn get_or_default<T: Any + Send + Sync + Default>(&self) -> Arc<T> {
        self.get::<T>().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct Counter(u32);

    #[test]
    fn a_handle_is_found_by_its_type_and_shared_by_clones() {
        let handles = Handles::default().with(Counter(7)).with(String::from("x"));
        let copy = handles.clone();
        assert_eq!(*copy.get::<Counter>().unwrap(), Counter(7));
        assert!(Arc::ptr_eq(
            &handles.get::<Counter>().unwrap(),
            &copy.get::<Counter>().unwrap()
        ));
        assert_eq!(copy.get::<String>().unwrap().as_str(), "x");
        assert!(copy.get::<u64>().is_none());
        assert_eq!(*Handles::default().get_or_default::<Counter>(), Counter(0));
    }
}
