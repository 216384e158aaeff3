"""Least privilege on PostgreSQL: the owner runs migrations, the application only appends.

The application's role may read and write the study's tables but only SELECT and INSERT
the audit trail (the chain head: SELECT, INSERT, UPDATE, which the head trigger restricts to
naming the last entry). It owns nothing, so it cannot disable a trigger or drop a table
(issue 14, finding 1). `lupustrial db grants` prints these statements or applies them.
"""

from __future__ import annotations

import re

AUDIT_ENTRIES = "audit_auditentry"
AUDIT_HEAD = "audit_audithead"
_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def check_role(name: str) -> str:
    if not _ROLE.fullmatch(name):
        raise ValueError(f"{name!r} is not a plain PostgreSQL role name (lower case, digits, _)")
    return name


def grant_statements(app_role: str, schema: str = "public") -> list[str]:
    """The statements that give ``app_role`` what the application needs, and no more."""
    role, schema = check_role(app_role), check_role(schema)
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {AUDIT_ENTRIES} FROM {role}",
        f"REVOKE DELETE, TRUNCATE ON {AUDIT_HEAD} FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    ]
