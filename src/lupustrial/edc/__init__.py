"""The study's web application: screening, consent, enrolment, visits, eCRFs, audit trail.

A Django project. Its apps: `accounts` (sites, roles, per-user language), `audit` (the one
hash-chained, append-only trail), `study` (subjects, screening, consent, enrolment, visits,
eCRFs, queries, verification, locks) and `api` (the JSON API with its OpenAPI document).
Clinical rules are never written here: scores come from `lupustrial.clinical` and the
eligibility decision from `lupustrial.protocol`.
"""

SETTINGS_MODULE = "lupustrial.edc.settings"


def setup() -> None:
    """Configure Django for this project once (for the CLI, tests and scripts)."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    django.setup()
