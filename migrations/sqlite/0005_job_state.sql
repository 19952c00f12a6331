-- Background work per org and job kind (issue 16).
-- For syncs, `status` (idle → queued → running → idle) lets at most one
-- run per org and integration exist: a request while one is queued or
-- running joins it (`again` = 1 when it came while running: the run goes
-- once more when it ends, so nothing asked for is lost); `holder` is the
-- queue task running it (its retries keep the run), `updated_at` its
-- keep-alive (a silent run is taken over).
-- For every job kind, `last_error` and `failed_at` keep the failure of a
-- job that used up its retries, shown to admins on App Home until a later
-- run of that kind succeeds.
create table job_state (
    job_state_id integer primary key,
    org_id bigint not null references org (org_id) on delete cascade,
    job text not null,
    status text not null default 'idle',
    holder text,
    again bigint not null default 0,
    last_error text,
    failed_at bigint,
    created_at bigint not null,
    updated_at bigint not null,
    unique (org_id, job)
);
