"""Dates as the English pages show them: ISO 8601 (2026-12-06), unambiguous across sites."""

SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
