-- Webhook intake (issue 16): payloads over 2 KB arrive gzip-compressed
-- already (store/webhooks.rs `pack`), so PostgreSQL's own TOAST compression
-- would spend CPU on every insert for nothing: store them out of line,
-- uncompressed.
alter table webhook_delivery alter column payload set storage external;
