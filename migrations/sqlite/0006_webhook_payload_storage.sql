-- Webhook intake (issue 16): on PostgreSQL payloads are stored out of line
-- without TOAST compression (they arrive gzip-compressed already). SQLite
-- does not compress values: nothing to change; the migration exists so
-- both backends keep the same numbering.
select 1;
