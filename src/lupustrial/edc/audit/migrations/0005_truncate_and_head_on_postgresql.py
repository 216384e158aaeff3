"""On PostgreSQL the database also refuses TRUNCATE of the trail and a forged chain head.

Migration 0002's trigger refused UPDATE and DELETE of entries only: TRUNCATE went through
(issue 14, finding 1). Now TRUNCATE of either audit table is refused, the head row cannot be
deleted, and the head can only be set to the trail's actual last entry, which is what the
application's one writer does in the same transaction as the entries it appends.
"""

from typing import Any

from django.db import migrations

CREATE = """
CREATE TRIGGER audit_entry_no_truncate
    BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
CREATE TRIGGER audit_head_no_truncate
    BEFORE TRUNCATE ON audit_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
CREATE TRIGGER audit_head_no_delete
    BEFORE DELETE ON audit_audithead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
CREATE OR REPLACE FUNCTION audit_head_follows_trail() RETURNS trigger AS $$
DECLARE
    last_seq bigint;
    last_hash varchar(64);
BEGIN
    SELECT seq, hash INTO last_seq, last_hash FROM audit_auditentry ORDER BY seq DESC LIMIT 1;
    IF NEW.seq IS DISTINCT FROM COALESCE(last_seq, 0)
       OR (last_seq IS NOT NULL AND NEW.hash IS DISTINCT FROM last_hash) THEN
        RAISE EXCEPTION USING MESSAGE =
            'the audit head may only name the last entry of the trail: ' || TG_OP || ' refused';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_follows_trail
    BEFORE INSERT OR UPDATE ON audit_audithead
    FOR EACH ROW EXECUTE FUNCTION audit_head_follows_trail();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_head_follows_trail ON audit_audithead;
DROP FUNCTION IF EXISTS audit_head_follows_trail();
DROP TRIGGER IF EXISTS audit_head_no_delete ON audit_audithead;
DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_audithead;
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
"""


def _on_postgresql(sql: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_key_id")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
