"""The audit log as a service: views, exports, key-store openings are recorded; the chain can be verified."""

from __future__ import annotations

from typing import Any

from aia.errors import ValidationError
from aia.model import Source
from aia.privacy.kdf import KdfParams
from aia.privacy.keystore import KeyStore
from aia.services.sources import SourceService
from aia.store import audit as audit_db
from aia.store import dataprotection as dp_db
from aia.store.audit import AuditEvent
from aia.store.database import read


def _bound(value: str | None, what: str, end_of_day: bool) -> str | None:
    """A date (YYYY-MM-DD) or ISO time as a bound on the stored UTC time stamps."""
    if value is None:
        return None
    text = value.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return text + ("T23:59:59+00:00" if end_of_day else "T00:00:00+00:00")
    if len(text) < 10 or not text[:4].isdigit():
        raise ValidationError(f"{what} must be a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM:SS), not {value!r}")
    return text


class AuditService(SourceService):
    def view_source(self, source_id: int, with_text: bool = True) -> Source:
        """A source as shown to a person (CLI, web): like :meth:`source`, and the view is audited."""
        found = self.source(source_id, with_text)
        self.audit("source.view", f"source:{source_id}", {"with_text": with_text})
        return found

    def audit_events(
        self,
        user: str | None = None,
        action: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int | None = None,
    ) -> list[AuditEvent]:
        """Audit events, oldest first; ``action`` matches exactly or as a prefix (``export`` finds ``export.qdpx``)."""
        with read(self.engine) as conn:
            return audit_db.list_events(
                conn, user, action, _bound(since, "--since", False), _bound(until, "--until", True), limit
            )

    def verify_audit(self) -> list[str]:
        """Problems of the audit log's hash chain, each naming a row; empty when intact."""
        with read(self.engine) as conn:
            return audit_db.verify(conn)

    def exports(self) -> list[dict[str, Any]]:
        """Every registered export and backup: kind, path, who, when, summary."""
        with read(self.engine) as conn:
            return dp_db.list_exports(conn)

    # key-store openings are audited (the key store service itself is the lead's: wrapped here)
    def unlock_keys(self, passphrase: str) -> KeyStore:
        opening = not self.keys_unlocked()
        keys = super().unlock_keys(passphrase)
        if opening:
            self.audit("keys.open", None, None)
        return keys

    def create_keystore(self, passphrase: str, kdf: KdfParams | None = None) -> KeyStore:
        keys = super().create_keystore(passphrase, kdf)
        self.audit("keys.create", None, None)
        return keys
