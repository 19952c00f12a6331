//! Roles and the one visibility check (docs/product.md, "Who uses it"): the
//! installer and Slack workspace admins/owners are admins, leads are
//! promoted per team, everyone else is a developer.

use super::listeners::{Ctx, ListenerError};
use crate::domain::Role;
use crate::store::{StoreError, roles};

/// How a role implied by Slack's admin/owner flags is marked when stored.
pub const SLACK_ADMIN: &str = "slack:workspace_admin";

/// Decides a Slack user's role: the installer, a stored admin or lead role,
/// or Slack's own admin/owner flags. A stored admin role that Slack's flags
/// implied follows Slack: it is dropped once Slack no longer says so.
pub async fn resolve(ctx: &Ctx, slack_user_id: &str) -> Result<Role, ListenerError> {
    if ctx.org.installed_by_slack_user_id.as_deref() == Some(slack_user_id) {
        return Ok(Role::Admin);
    }
    let db = &ctx.state.db;
    let (stored, granted_by) = {
        let mut conn = db.pool().acquire().await.map_err(StoreError::from)?;
        roles::get_granted(&mut conn, ctx.org.id, slack_user_id).await?
    };
    if stored == Role::Admin {
        // Granted in aimpact: it stays until an admin revokes it.
        if granted_by.as_deref() != Some(SLACK_ADMIN) {
            return Ok(Role::Admin);
        }
        // Implied by Slack: it follows Slack. If Slack cannot be asked
        // now, the stored role holds until it can.
        let still = match ctx.slack().await {
            Ok(slack) => slack
                .users_info(slack_user_id)
                .await
                .ok()
                .map(|info| info.is_admin || info.is_owner),
            Err(_) => None,
        };
        if still != Some(false) {
            return Ok(Role::Admin);
        }
        let mut conn = db.pool().acquire().await.map_err(StoreError::from)?;
        roles::remove(&mut conn, ctx.org.id, slack_user_id).await?;
        tracing::info!(org_id = %ctx.org.id, "a Slack admin was demoted in Slack; their aimpact admin role is gone");
        return Ok(Role::Developer);
    }
    let info = ctx.slack().await?.users_info(slack_user_id).await?;
    if info.is_admin || info.is_owner {
        let mut conn = db.pool().acquire().await.map_err(StoreError::from)?;
        roles::set(
            &mut conn,
            ctx.org.id,
            slack_user_id,
            Role::Admin,
            Some(SLACK_ADMIN),
        )
        .await?;
        return Ok(Role::Admin);
    }
    Ok(stored)
}

/// The role the database alone gives (the installer and stored admins are
/// admins): when Slack cannot be asked, and for the preview and
/// `aimpact render`, which run without Slack.
pub async fn without_slack(
    db: &crate::store::Db,
    org: &crate::store::orgs::Org,
    slack_user_id: &str,
) -> Result<Role, crate::store::StoreError> {
    if org.installed_by_slack_user_id.as_deref() == Some(slack_user_id) {
        return Ok(Role::Admin);
    }
    let mut conn = db.pool().acquire().await?;
    roles::get(&mut conn, org.id, slack_user_id).await
}

pub use crate::domain::{Subject, Viewer, can_view};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PersonId, TeamId};

    #[test]
    fn developers_see_aggregates_and_themselves_only() {
        let me = PersonId(1);
        let dev = Viewer {
            role: Role::Developer,
            person: Some(me),
            leads: vec![],
        };
        assert!(can_view(&dev, &Subject::Org));
        assert!(can_view(&dev, &Subject::Team(TeamId(5))));
        assert!(can_view(
            &dev,
            &Subject::Person {
                person: me,
                teams: vec![]
            }
        ));
        assert!(!can_view(
            &dev,
            &Subject::Person {
                person: PersonId(2),
                teams: vec![TeamId(5)]
            }
        ));
    }

    #[test]
    fn leads_see_their_teams_people_and_admins_see_all() {
        let lead = Viewer {
            role: Role::Lead,
            person: None,
            leads: vec![TeamId(5)],
        };
        assert!(can_view(
            &lead,
            &Subject::Person {
                person: PersonId(2),
                teams: vec![TeamId(5)]
            }
        ));
        assert!(!can_view(
            &lead,
            &Subject::Person {
                person: PersonId(3),
                teams: vec![TeamId(6)]
            }
        ));
        let admin = Viewer {
            role: Role::Admin,
            person: None,
            leads: vec![],
        };
        assert!(can_view(
            &admin,
            &Subject::Person {
                person: PersonId(3),
                teams: vec![]
            }
        ));
    }
}
