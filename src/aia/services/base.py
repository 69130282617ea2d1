"""What every service needs: the project's database, its files directory and who is acting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.errors import NotAllowedError
from aia.store import accounts as accounts_db
from aia.store import audit as audit_db
from aia.store import dataprotection as dp_db
from aia.store.database import read, write


class ProjectBase:
    path: Path
    engine: sa.Engine
    user: str

    @property
    def files_dir(self) -> Path:
        return self.path / "files"

    def require_lead(self, action: str) -> None:
        """Refuse ``action`` unless the acting user may do what only the lead may: in a project with accounts the
        user must be a lead account; in a project without accounts (one researcher) the local user is the lead."""
        with read(self.engine) as conn:
            everyone = accounts_db.list_all(conn)
        if not everyone:
            return
        mine = next((a for a in everyone if a.username == self.user), None)
        if mine is None or mine.role != "lead":
            who = "no account of this project" if mine is None else f"a {mine.role}"
            raise NotAllowedError(
                f"{action} is for the project lead, and the user {self.user!r} is {who}; run it as a lead account "
                "(--user NAME or $AIA_USER)"
            )

    def audit(self, action: str, target: str | None = None, details: dict[str, Any] | None = None) -> int:
        """Append one event to the project's hash-chained audit log (its own short write transaction: call it
        after, not inside, the transaction of the change). ``details`` must be content-free: ids, counts, paths."""
        with write(self.engine) as conn:
            return audit_db.append(conn, now(), self.user, action, target, details)

    def register_export(self, kind: str, path: str | Path, summary: dict[str, Any] | None = None) -> int:
        """Record that a file left the project (who, when, what; listed in every later erasure report) and audit
        it. Call after the file is written. ``summary``: counts and options, never content."""
        at = now()
        details = dict(summary or {})
        with write(self.engine) as conn:
            export_id = dp_db.register_export(conn, kind, str(path), details, self.user, at)
            audit_db.append(conn, at, self.user, f"export.{kind}", str(path), {"export_id": export_id, **details})
        return export_id
