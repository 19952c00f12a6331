//! Small types parsed once at the boundary and trusted inside.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The tenant: one Slack workspace installation. Every store function for
/// tenant data takes one and filters by it, so a bare integer can never reach
/// a query by accident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgId(i64);

impl OrgId {
    /// Wraps an id read from the `org` table. Only `store::orgs` and job
    /// payloads (which were created from an `OrgId`) should need this.
    pub fn from_db(id: i64) -> Self {
        Self(id)
    }

    /// The raw id, for binding into SQL.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A person inside one org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonId(pub i64);

/// A team inside one org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TeamId(pub i64);

/// A repository inside one org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RepositoryId(pub i64);

/// A pull request inside one org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PullRequestId(pub i64);

/// An identity provider a person can have an account with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// GitHub user (external id: the numeric user id).
    Github,
    /// Slack user (external id: `U…`).
    Slack,
    /// Jira user (external id: the Atlassian account id).
    Jira,
    /// An email address, case-folded.
    Email,
}

impl Provider {
    /// The value stored in `person_identity.provider`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Github => "github",
            Provider::Slack => "slack",
            Provider::Jira => "jira",
            Provider::Email => "email",
        }
    }
}

/// What a Slack user may see and do in an org (docs/product.md, "Who uses it").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Connects integrations, configures everything, sees every metric.
    Admin,
    /// Sees their teams' metrics including per-person numbers.
    Lead,
    /// Sees their own numbers and team aggregates.
    Developer,
}

impl Role {
    /// The value stored in `org_role.role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Lead => "lead",
            Role::Developer => "developer",
        }
    }

    /// Parses a stored role; unknown values are treated as the least
    /// privileged role rather than failing a whole page.
    pub fn parse(s: &str) -> Self {
        match s {
            "admin" => Role::Admin,
            "lead" => Role::Lead,
            _ => Role::Developer,
        }
    }
}

/// Case-folds an email so identities merge regardless of how a provider
/// capitalised it (docs/metrics.md, "People").
pub fn fold_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The one visibility rule (docs/product.md, "Who uses it"), as plain
/// policy beside [`Role`]: who may see whose numbers.
/// Whose numbers a surface is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// Org-wide aggregates.
    Org,
    /// A team's aggregates.
    Team(TeamId),
    /// One named person's numbers.
    Person {
        /// The person.
        person: PersonId,
        /// Teams they belong to.
        teams: Vec<TeamId>,
    },
}

/// Who is looking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// Their role.
    pub role: Role,
    /// Their person, when matched.
    pub person: Option<PersonId>,
    /// Teams they lead (leads only).
    pub leads: Vec<TeamId>,
}

/// The one visibility rule, checked before any data is loaded: admins see
/// everything; everyone sees org and team aggregates and their own numbers;
/// leads also see the people of the teams they lead. Nobody else's named
/// numbers are shown outside the leaderboard.
pub fn can_view(viewer: &Viewer, subject: &Subject) -> bool {
    match (viewer.role, subject) {
        (Role::Admin, _) => true,
        (_, Subject::Org | Subject::Team(_)) => true,
        (_, Subject::Person { person, .. }) if viewer.person == Some(*person) => true,
        (Role::Lead, Subject::Person { teams, .. }) => {
            teams.iter().any(|t| viewer.leads.contains(t))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_fold_to_one_identity() {
        assert_eq!(fold_email("  Ada@Example.COM "), "ada@example.com");
    }

    #[test]
    fn unknown_roles_get_the_least_privilege() {
        assert_eq!(Role::parse("owner"), Role::Developer);
        assert_eq!(Role::parse(Role::Admin.as_str()), Role::Admin);
    }
}
