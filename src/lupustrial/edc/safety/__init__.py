"""Safety reporting in the web application: notifications sent, reports and their submission."""
