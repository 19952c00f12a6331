-- The AI feedback loop (issue 19): what people report an AI assistant got
-- wrong, and the details they add in the confirmation's thread.
create table ai_report (
    ai_report_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    reporter_slack_user_id text not null,
    reporter_person_id bigint references person (person_id) on delete set null,
    category text not null check (category in ('wrong_code', 'missed_context', 'conventions', 'tests',
        'security', 'invented_api', 'performance', 'other')),
    tool text,
    pull_request_id bigint references pull_request (pull_request_id) on delete set null,
    repository_id bigint references repository (repository_id) on delete set null,
    -- The languages of the PR's changed files (JSON array), fetched once;
    -- null until fetched (or when there is no PR).
    languages text,
    description text not null,
    -- Where it was reported: shortcut, home, survey, reaction.
    source text not null,
    -- The thank-you DM, so a thread reply to it adds to this report.
    slack_channel_id text,
    slack_message_ts text,
    created_at bigint not null,
    updated_at bigint not null
);
create index ai_report_org_created on ai_report (org_id, created_at);
create index ai_report_confirmation on ai_report (org_id, slack_channel_id, slack_message_ts);

create table ai_report_note (
    ai_report_note_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    ai_report_id bigint not null references ai_report (ai_report_id) on delete cascade,
    slack_user_id text not null,
    slack_message_ts text not null,
    text text not null,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, ai_report_id, slack_message_ts)
);

-- A suggested agent rule for a pattern of reports (category, repository,
-- language) once it has enough reports; one per pattern and org.
create table rule_suggestion (
    rule_suggestion_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    scope_key text not null,
    category text not null,
    repository text,
    language text,
    report_count bigint not null,
    evidence text not null,
    rule_text text not null,
    status text not null default 'suggested'
        check (status in ('suggested', 'accepted', 'dismissed', 'adopted')),
    -- The pull request that ships it, once an admin opened one, and when it
    -- merged (the rule is then adopted).
    pull_request_url text,
    adopted_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, scope_key)
);
