"""Safety reporting over recorded adverse events: reportable versions, open clocks, reports."""
