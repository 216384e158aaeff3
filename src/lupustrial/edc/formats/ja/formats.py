"""Dates as the Japanese pages show them: 2026/12/06, the usual written form in Japan."""

SHORT_DATE_FORMAT = "Y/m/d"
SHORT_DATETIME_FORMAT = "Y/m/d H:i"
