-- Survey delivery is one state machine (issue 18). The lifecycle that author
-- and reviewer questions share moves out of `pr_survey` and `survey_review`
-- into one table keyed by kind; the answers stay where they were.
--
--   pending -> sending -> sent -> answered | expired
--   pending | sending -> skipped (opted out, unreachable) | failed (Slack refused for good)
--   pending -> expired (never reached before the PR's survey window closed)
--
-- `subject_id` is the `pr_survey_id` of an author question or the
-- `survey_review_id` of a reviewer's; `pr_survey_id` is the PR's survey for
-- both kinds, so a delivery goes with its survey. `person_id` is who is
-- asked. `claimed_at` marks a worker posting it right now (a claim is a
-- conditional update; a claim older than twenty minutes may be taken again).
create table survey_delivery (
    survey_delivery_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    kind text not null check (kind in ('author', 'reviewer')),
    subject_id bigint not null,
    pr_survey_id bigint not null references pr_survey (pr_survey_id) on delete cascade,
    person_id bigint not null references person (person_id) on delete cascade,
    status text not null
        check (status in ('pending', 'sending', 'sent', 'answered', 'expired', 'skipped', 'failed')),
    slack_channel_id text,
    slack_message_ts text,
    send_after bigint,
    sent_at bigint,
    reminded_at bigint,
    expires_at bigint,
    claimed_at bigint,
    failure text,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, kind, subject_id)
);

insert into survey_delivery (org_id, kind, subject_id, pr_survey_id, person_id, status, slack_channel_id,
    slack_message_ts, send_after, sent_at, reminded_at, expires_at, claimed_at, failure, created_at, updated_at)
select org_id, 'author', pr_survey_id, pr_survey_id, author_person_id, status, slack_channel_id,
    slack_message_ts, send_after, sent_at, reminded_at, expires_at, claimed_at, failure, created_at, updated_at
from pr_survey;

insert into survey_delivery (org_id, kind, subject_id, pr_survey_id, person_id, status, slack_channel_id,
    slack_message_ts, send_after, sent_at, reminded_at, expires_at, claimed_at, failure, created_at, updated_at)
select org_id, 'reviewer', survey_review_id, pr_survey_id, reviewer_person_id, status, slack_channel_id,
    slack_message_ts, send_after, sent_at, reminded_at, expires_at, claimed_at, failure, created_at, updated_at
from survey_review;

-- What the delivery job looks for (due sends, reminders, expiries), and a
-- person's own questions (App Home, opt-out).
create index survey_delivery_due on survey_delivery (org_id, status, send_after);
create index survey_delivery_person on survey_delivery (org_id, person_id, status);
create index survey_delivery_survey on survey_delivery (pr_survey_id);

drop index pr_survey_org_status;
drop index pr_survey_org_due;
drop index survey_review_org_due;
drop index pr_survey_author;
create index pr_survey_author on pr_survey (org_id, author_person_id);

alter table pr_survey drop column status;
alter table pr_survey drop column slack_channel_id;
alter table pr_survey drop column slack_message_ts;
alter table pr_survey drop column send_after;
alter table pr_survey drop column sent_at;
alter table pr_survey drop column reminded_at;
alter table pr_survey drop column expires_at;
alter table pr_survey drop column claimed_at;
alter table pr_survey drop column failure;

alter table survey_review drop column status;
alter table survey_review drop column slack_channel_id;
alter table survey_review drop column slack_message_ts;
alter table survey_review drop column send_after;
alter table survey_review drop column sent_at;
alter table survey_review drop column reminded_at;
alter table survey_review drop column expires_at;
alter table survey_review drop column claimed_at;
alter table survey_review drop column failure;
