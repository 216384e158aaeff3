"""The study's roles and what each may do: one table, checked on the server for every request.

The issue's specification, row by row:
- investigator: everything at their own sites; the only role that signs, and the one who
  answers for a deviation (corrective action, review-board report, closure: Enforcement
  Regulations Art. 15 puts these on the principal investigator).
- coordinator: enters data at their own sites; cannot sign.
- data manager: queries and locks, at every site; sees no identifying data.
- monitor: reads and verifies source data at their sites and raises queries; cannot edit;
  records the deviations found (as do the site's staff).
- statistician: pseudonymised exports only.
- administrator: users, roles and sites; no clinical data (no audit trail either: its
  entries hold clinical values and dates of birth).

Dates of birth (a screening value, the source of the age criterion I4):
- investigator, coordinator: the full date, at their sites (they hold the identity too);
- monitor: the full date, at their sites, to verify it against the source documents;
- data manager: the full date, at every site, to query it (I4 decides on it to the day);
  never with a name or medical record number;
- statistician: the year of birth only, in the study dataset (`dataset.records`);
- administrator: none.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    INVESTIGATOR = "investigator", _("Investigator")
    COORDINATOR = "coordinator", _("Research coordinator")
    DATA_MANAGER = "data_manager", _("Data manager")
    MONITOR = "monitor", _("Monitor")
    STATISTICIAN = "statistician", _("Statistician")
    ADMINISTRATOR = "administrator", _("Administrator")


class Can(StrEnum):
    """One thing a user may do; every view and API endpoint asks for exactly one."""

    VIEW_SUBJECTS = "view_subjects"
    VIEW_IDENTITY = "view_identity"
    SCREEN = "screen"  # register candidates, enter screening data, record screen failures
    CONSENT = "consent"
    SIGN = "sign"
    ENTER_DATA = "enter_data"  # visits and eCRFs, withdrawal, end of study
    ANSWER_QUERY = "answer_query"
    RAISE_QUERY = "raise_query"
    CLOSE_QUERY = "close_query"
    VERIFY = "verify"  # source-data verification
    LOCK = "lock"
    VIEW_AUDIT = "view_audit"
    EXPORT_AUDIT = "export_audit"
    EXPORT_DATASET = "export_dataset"
    MANAGE_USERS = "manage_users"
    RECORD_DEVIATION = "record_deviation"  # record, confirm or dismiss a suggested deviation
    CLOSE_DEVIATION = "close_deviation"  # CAPA, review-board report, closure (Art. 15)
    MANAGE_PRODUCT = "manage_product"  # drug lots received, dispensed, returned, destroyed
    LOG_MONITORING = "log_monitoring"  # monitoring visits and their findings (Art. 17)


_SITE_WORK = {
    Can.VIEW_SUBJECTS,
    Can.VIEW_IDENTITY,
    Can.SCREEN,
    Can.CONSENT,
    Can.ENTER_DATA,
    Can.ANSWER_QUERY,
    Can.VIEW_AUDIT,
}

PERMISSIONS: dict[str, frozenset[Can]] = {
    Role.INVESTIGATOR: frozenset(
        _SITE_WORK | {Can.SIGN, Can.RECORD_DEVIATION, Can.CLOSE_DEVIATION, Can.MANAGE_PRODUCT}
    ),
    Role.COORDINATOR: frozenset(_SITE_WORK | {Can.RECORD_DEVIATION, Can.MANAGE_PRODUCT}),
    Role.DATA_MANAGER: frozenset(
        {
            Can.VIEW_SUBJECTS,
            Can.RAISE_QUERY,
            Can.CLOSE_QUERY,
            Can.LOCK,
            Can.VIEW_AUDIT,
            Can.EXPORT_AUDIT,
            Can.EXPORT_DATASET,
        }
    ),
    Role.MONITOR: frozenset(
        {
            Can.VIEW_SUBJECTS,
            Can.VERIFY,
            Can.RAISE_QUERY,
            Can.CLOSE_QUERY,
            Can.VIEW_AUDIT,
            Can.RECORD_DEVIATION,
            Can.LOG_MONITORING,
        }
    ),
    Role.STATISTICIAN: frozenset({Can.EXPORT_DATASET}),
    Role.ADMINISTRATOR: frozenset({Can.MANAGE_USERS}),
}
"""Role → what it may do. A capability missing here is refused, page and API alike."""

ALL_SITES_ROLES: frozenset[str] = frozenset({Role.DATA_MANAGER})
"""Roles that see every site; every other role sees only the sites it is assigned to."""

SITE_ROLES: frozenset[str] = frozenset({Role.INVESTIGATOR, Role.COORDINATOR})
"""The roles at the bedside: the only ones shown names and medical record numbers."""
