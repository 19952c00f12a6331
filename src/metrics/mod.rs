//! Pure metrics: rows in, numbers out; no I/O (METRICS.md is the one definition).
