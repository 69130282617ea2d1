"""Migration 4: data protection — consent, consent forms and overrides, the export register, the erasure journal and
the hash-chained audit log (with triggers that refuse deleting or rewriting audit rows on SQLite)."""

from __future__ import annotations

import sqlalchemy as sa

from aia.store import schema

TABLES = (
    schema.consents,
    schema.consent_forms,
    schema.consent_overrides,
    schema.export_register,
    schema.erasure_jobs,
    schema.audit_log,
)

#: the app may only redact (clear target/details, set redacted) — never change anything else, never delete
AUDIT_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_only_redact BEFORE UPDATE ON audit_log
    WHEN NOT (new.id = old.id AND new.at = old.at AND new.actor = old.actor AND new.action = old.action
              AND new.digest = old.digest AND new.prev_hash = old.prev_hash AND new.hash = old.hash
              AND new.redacted = 1 AND new.target IS NULL AND new.details IS NULL) BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END""",
)


def upgrade(conn: sa.Connection) -> None:
    for table in TABLES:
        table.create(conn, checkfirst=True)
    if conn.dialect.name == "sqlite":
        for statement in AUDIT_TRIGGERS:
            conn.exec_driver_sql(statement)
