-- Survey delivery (issue 7). A survey row moves pending → sending → sent →
-- answered | expired; 'skipped' (the person opted out or cannot be
-- reached) and 'failed' (Slack refused for good) are final. `claimed_at`
-- marks who is sending it right now: the claim is a conditional update, so
-- two workers never post the same survey; a claim older than ten minutes
-- (a worker died mid-send) may be taken again.
alter table pr_survey add column claimed_at bigint;
alter table pr_survey add column failure text;
alter table survey_review add column claimed_at bigint;
alter table survey_review add column failure text;

-- What the delivery job looks for: due sends, reminders and expiries.
create index pr_survey_org_due on pr_survey (org_id, status, send_after);
create index survey_review_org_due on survey_review (org_id, status, send_after);
-- A person's own surveys (App Home, opt-out).
create index pr_survey_author on pr_survey (org_id, author_person_id, status);
