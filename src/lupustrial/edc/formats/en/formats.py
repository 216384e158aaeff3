"""Dates as the English pages show them: ISO 8601 (2026-12-06), unambiguous across sites.

Templates name these settings (`|date:"SHORT_DATE_FORMAT"`), never a pattern of their own, so
one place decides how each language writes a date.
"""

SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DATETIME_FORMAT = "Y-m-d H:i T"
YEAR_MONTH_FORMAT = "Y-m"
