"""The audit trail: one append-only, hash-chained record of every change and every access event."""
