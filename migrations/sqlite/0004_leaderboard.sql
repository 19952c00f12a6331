-- Weekly leaderboard (issue 9).
-- leaderboard_setting: `active_from` is when posting was last switched on
-- (a slot before it is not posted); `problem` says why posting stopped
-- (the channel was archived, deleted, or the app removed from it) and is
-- shown to admins on App Home; `channel_name` is the name Slack gave when
-- the app joined (public channels), for App Home.
alter table leaderboard_setting add column active_from bigint not null default 0;
alter table leaderboard_setting add column problem text;
alter table leaderboard_setting add column channel_name text;

-- leaderboard_post moves queued → building → sending → posted; 'failed'
-- (Slack refused the channel for good) and 'skipped' (the day passed) are
-- final. `claimed_at` marks the worker building it: a claim older than ten
-- minutes may be taken again; a post in 'sending' is never retried, so a
-- worker dying mid-request can lose that week's post but never doubles it.
alter table leaderboard_post add column due_at bigint not null default 0;
alter table leaderboard_post add column claimed_at bigint;
alter table leaderboard_post add column attempts bigint not null default 0;
alter table leaderboard_post add column last_error text;
