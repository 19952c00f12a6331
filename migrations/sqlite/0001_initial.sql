-- aimpact schema, phases 0–7 (PRODUCT.md). SQLite flavour; migrations/postgres
-- holds the same tables and columns. Conventions (STYLE.md): singular table
-- names, <table>_id keys, instants as BIGINT Unix seconds, flags as BIGINT 0/1,
-- JSON as TEXT, encrypted bytes as BLOB, created_at/updated_at everywhere.

-- Tenants: one Slack workspace installation each.
create table org (
    org_id integer primary key,
    slack_team_id text not null unique,
    slack_enterprise_id text,
    name text not null,
    time_zone text not null default 'UTC',
    installed_by_slack_user_id text,
    installed_at bigint,
    uninstalled_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);

create table person (
    person_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    display_name text not null,
    is_bot bigint not null default 0,
    is_excluded bigint not null default 0,
    rank_opt_out bigint not null default 0,
    survey_opt_out bigint not null default 0,
    slack_time_zone text,
    created_at bigint not null,
    updated_at bigint not null
);
create index person_org on person (org_id);

-- GitHub, Slack, Jira accounts and (case-folded) emails of a person.
create table person_identity (
    person_identity_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    person_id bigint not null references person (person_id) on delete cascade,
    provider text not null,
    external_id text not null,
    login text,
    source text not null default 'auto',
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, provider, external_id)
);
create index person_identity_person on person_identity (org_id, person_id);

-- Role of a Slack user in an org: admin, lead or developer.
create table org_role (
    org_role_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    slack_user_id text not null,
    role text not null,
    granted_by text,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, slack_user_id)
);

create table team (
    team_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    github_team_id text,
    slug text not null,
    name text not null,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, slug)
);

create table team_membership (
    team_membership_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    team_id bigint not null references team (team_id) on delete cascade,
    person_id bigint not null references person (person_id) on delete cascade,
    created_at bigint not null,
    updated_at bigint not null,
    unique (team_id, person_id)
);
create index team_membership_person on team_membership (org_id, person_id);

-- Leads see their teams' per-person numbers.
create table team_lead (
    team_lead_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    team_id bigint not null references team (team_id) on delete cascade,
    slack_user_id text not null,
    created_at bigint not null,
    updated_at bigint not null,
    unique (team_id, slack_user_id)
);

create table integration (
    integration_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    kind text not null,
    status text not null,
    external_id text,
    settings text not null default '{}',
    connected_by_slack_user_id text,
    last_error text,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, kind)
);

-- Tokens and secrets, AES-256-GCM; key_id names the key that sealed them.
create table credential (
    credential_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    name text not null,
    key_id text not null,
    ciphertext blob not null,
    expires_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, name)
);

-- OAuth state for Slack, GitHub and Atlassian flows: single use, expiring.
create table oauth_state (
    oauth_state_id integer primary key,
    state_hash text not null unique,
    purpose text not null,
    org_id bigint references org (org_id) on delete cascade,
    slack_user_id text,
    expires_at bigint not null,
    used_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);

create table repository (
    repository_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    github_repo_id text not null,
    owner text not null,
    name text not null,
    default_branch text,
    is_private bigint not null default 0,
    is_archived bigint not null default 0,
    is_fork bigint not null default 0,
    is_tracked bigint not null default 1,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, github_repo_id)
);
create index repository_org_name on repository (org_id, owner, name);

-- Pull requests with the computed columns of METRICS.md (durations in seconds).
create table pull_request (
    pull_request_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    repository_id bigint not null references repository (repository_id) on delete cascade,
    github_pr_id text not null,
    number bigint not null,
    title text not null,
    body text,
    author_person_id bigint references person (person_id) on delete set null,
    author_login text,
    state text not null,
    is_draft bigint not null default 0,
    head_ref text,
    base_ref text,
    labels text not null default '[]',
    additions bigint not null default 0,
    deletions bigint not null default 0,
    changed_files bigint not null default 0,
    commit_count bigint not null default 0,
    opened_at bigint not null,
    ready_for_review_at bigint,
    merged_at bigint,
    closed_at bigint,
    github_updated_at bigint not null,
    ready_at bigint not null,
    first_commit_at bigint,
    first_review_at bigint,
    coding_time bigint,
    pickup_time bigint,
    review_time bigint,
    cycle_time bigint,
    size bigint not null default 0,
    is_revert bigint not null default 0,
    is_hotfix bigint not null default 0,
    ai_detected bigint not null default 0,
    ai_detection_rule text,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, github_pr_id),
    unique (org_id, repository_id, number)
);
create index pull_request_org_merged on pull_request (org_id, merged_at);
create index pull_request_org_repo_updated on pull_request (org_id, repository_id, github_updated_at);
create index pull_request_org_author_merged on pull_request (org_id, author_person_id, merged_at);

create table pr_review (
    pr_review_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    pull_request_id bigint not null references pull_request (pull_request_id) on delete cascade,
    github_review_id text not null,
    reviewer_person_id bigint references person (person_id) on delete set null,
    reviewer_login text,
    state text not null,
    submitted_at bigint,
    is_bot bigint not null default 0,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, github_review_id)
);
create index pr_review_pr on pr_review (org_id, pull_request_id);
create index pr_review_reviewer on pr_review (org_id, reviewer_person_id, submitted_at);

create table pr_commit (
    pr_commit_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    pull_request_id bigint not null references pull_request (pull_request_id) on delete cascade,
    sha text not null,
    author_login text,
    author_name text,
    author_email text,
    authored_at bigint,
    committed_at bigint,
    message text,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, pull_request_id, sha)
);

-- A Jira key found in a PR's title, head branch or body.
create table pr_jira_link (
    pr_jira_link_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    pull_request_id bigint not null references pull_request (pull_request_id) on delete cascade,
    issue_key text not null,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, pull_request_id, issue_key)
);
create index pr_jira_link_key on pr_jira_link (org_id, issue_key);

create table jira_project (
    jira_project_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    jira_id text not null,
    project_key text not null,
    name text not null,
    is_selected bigint not null default 0,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, jira_id)
);

create table jira_issue (
    jira_issue_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    jira_project_id bigint not null references jira_project (jira_project_id) on delete cascade,
    jira_id text not null,
    issue_key text not null,
    summary text not null,
    issue_type text,
    status text,
    status_category text,
    assignee_account_id text,
    assignee_person_id bigint references person (person_id) on delete set null,
    story_points double precision,
    jira_created_at bigint not null,
    jira_updated_at bigint not null,
    started_at bigint,
    done_at bigint,
    cycle_time bigint,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, jira_id)
);
create index jira_issue_org_done on jira_issue (org_id, done_at);
create index jira_issue_org_key on jira_issue (org_id, issue_key);
create index jira_issue_org_project_updated on jira_issue (org_id, jira_project_id, jira_updated_at);

create table jira_sprint (
    jira_sprint_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    jira_id text not null,
    board_id text,
    name text not null,
    state text not null,
    start_at bigint,
    end_at bigint,
    complete_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, jira_id)
);

create table jira_issue_sprint (
    jira_issue_sprint_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    jira_issue_id bigint not null references jira_issue (jira_issue_id) on delete cascade,
    jira_sprint_id bigint not null references jira_sprint (jira_sprint_id) on delete cascade,
    created_at bigint not null,
    updated_at bigint not null,
    unique (jira_issue_id, jira_sprint_id)
);

create table jira_status_transition (
    jira_status_transition_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    jira_issue_id bigint not null references jira_issue (jira_issue_id) on delete cascade,
    changelog_id text not null,
    from_status text,
    to_status text not null,
    to_category text not null,
    transitioned_at bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, jira_issue_id, changelog_id)
);

-- GitHub Copilot usage per day; team_slug '' is the whole org. Missing days stay missing.
create table copilot_daily_usage (
    copilot_daily_usage_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    day bigint not null,
    team_slug text not null default '',
    active_users bigint,
    engaged_users bigint,
    suggestions bigint,
    acceptances bigint,
    lines_suggested bigint,
    lines_accepted bigint,
    chat_turns bigint,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, day, team_slug)
);

create table survey_setting (
    survey_setting_id integer primary key,
    org_id bigint not null unique references org (org_id) on delete cascade,
    is_enabled bigint not null default 1,
    reminders_enabled bigint not null default 1,
    repository_filter text not null default '[]',
    created_at bigint not null,
    updated_at bigint not null
);

-- The author's survey for a merged PR.
create table pr_survey (
    pr_survey_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    pull_request_id bigint not null references pull_request (pull_request_id) on delete cascade,
    author_person_id bigint not null references person (person_id) on delete cascade,
    status text not null,
    slack_channel_id text,
    slack_message_ts text,
    send_after bigint,
    sent_at bigint,
    reminded_at bigint,
    expires_at bigint,
    ai_answer text,
    ai_tools text not null default '[]',
    answered_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, pull_request_id)
);
create index pr_survey_org_status on pr_survey (org_id, status);

-- A reviewer's rating and AI guess for a surveyed PR, and its reveal.
create table survey_review (
    survey_review_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    pr_survey_id bigint not null references pr_survey (pr_survey_id) on delete cascade,
    reviewer_person_id bigint not null references person (person_id) on delete cascade,
    status text not null,
    slack_channel_id text,
    slack_message_ts text,
    send_after bigint,
    sent_at bigint,
    reminded_at bigint,
    expires_at bigint,
    quality_rating bigint,
    ai_guess bigint,
    answered_at bigint,
    guess_correct bigint,
    revealed_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    unique (pr_survey_id, reviewer_person_id)
);
create index survey_review_reviewer on survey_review (org_id, reviewer_person_id, answered_at);

-- Weekly aggregates (ISO weeks in the org's time zone) per org/team/person/repository.
create table weekly_rollup (
    weekly_rollup_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    week_start bigint not null,
    scope text not null,
    scope_id bigint not null default 0,
    prs_merged bigint not null default 0,
    cycle_time_p50 bigint,
    pickup_time_p50 bigint,
    review_time_p50 bigint,
    reviews_given bigint not null default 0,
    prs_answered bigint not null default 0,
    prs_ai_assisted bigint not null default 0,
    prs_ai_detected bigint not null default 0,
    guesses_revealed bigint not null default 0,
    guesses_correct bigint not null default 0,
    story_points_done double precision,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, week_start, scope, scope_id)
);

create table leaderboard_setting (
    leaderboard_setting_id integer primary key,
    org_id bigint not null unique references org (org_id) on delete cascade,
    is_enabled bigint not null default 0,
    slack_channel_id text,
    day_of_week bigint not null default 1,
    minute_of_day bigint not null default 600,
    time_zone text not null default 'UTC',
    categories text not null default '[]',
    created_at bigint not null,
    updated_at bigint not null
);

-- One row per org and week: the leaderboard is posted exactly once.
create table leaderboard_post (
    leaderboard_post_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    week_start bigint not null,
    status text not null,
    slack_channel_id text,
    slack_message_ts text,
    posted_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, week_start)
);

-- Webhook and event deliveries, recorded before any work: retries are no-ops.
create table webhook_delivery (
    webhook_delivery_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    source text not null,
    delivery_id text not null,
    event text not null,
    payload blob,
    status text not null,
    attempts bigint not null default 0,
    last_error text,
    received_at bigint not null,
    processed_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, source, delivery_id)
);
create index webhook_delivery_org_status on webhook_delivery (org_id, status, received_at);

-- Progress of each sync (per repository, project, or member import) so a restart resumes.
create table sync_state (
    sync_state_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    source text not null,
    scope text not null,
    status text not null,
    cursor text,
    checkpoint text,
    items_done bigint not null default 0,
    items_total bigint,
    started_at bigint,
    finished_at bigint,
    last_error text,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, source, scope)
);

create table audit_log (
    audit_log_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    actor text not null,
    action text not null,
    target text,
    detail text not null default '{}',
    created_at bigint not null,
    updated_at bigint not null
);
create index audit_log_org_created on audit_log (org_id, created_at);
