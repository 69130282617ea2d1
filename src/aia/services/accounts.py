"""Web workbench accounts: username, argon2 password hash and role (lead | coder | reader)."""

from __future__ import annotations

import functools
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from aia.clock import now
from aia.errors import ConflictError, ValidationError
from aia.services.base import ProjectBase
from aia.store import accounts as db
from aia.store.accounts import AccountRow
from aia.store.database import read, write

ROLES = ("lead", "coder", "reader")
_NAME_RE = re.compile(r"^[\w.@-]{1,100}$")
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so a login takes as long either way. Made on the first login,
    not at import: hashing costs ~0.35 s and ~65 MB of argon2 memory, which every CLI command would pay."""
    return _HASHER.hash("aia-dummy-password")


class AccountService(ProjectBase):
    def accounts(self) -> list[AccountRow]:
        with read(self.engine) as conn:
            return db.list_all(conn)

    def account(self, username: str) -> AccountRow | None:
        with read(self.engine) as conn:
            return db.find(conn, username)

    def add_account(self, username: str, password: str, role: str) -> AccountRow:
        """Create a web account; the password is stored only as an argon2 hash."""
        if not _NAME_RE.match(username):
            raise ValidationError(
                f"the user name {username!r} is not allowed; use 1-100 letters, digits, '.', '_', '@' or '-'"
            )
        if role not in ROLES:
            raise ValidationError(f"the role {role!r} is unknown; choose one of {', '.join(ROLES)}")
        if len(password) < 8:
            raise ValidationError(f"the password for {username!r} is too short; use at least 8 characters")
        hashed = _HASHER.hash(password)
        with write(self.engine) as conn:
            if db.find(conn, username) is not None:
                raise ConflictError(f"the user {username!r} exists already; choose another name")
            db.insert(conn, username, hashed, role, now())
            row = db.find(conn, username)
        assert row is not None
        self.audit("account.add", username, {"role": role})
        return row

    def verify_login(self, username: str, password: str) -> AccountRow | None:
        """The account if the password matches, else None (the same work is done for unknown names)."""
        row = self.account(username)
        try:
            _HASHER.verify(row.password_hash if row else _dummy_hash(), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _HASHER.check_needs_rehash(row.password_hash):
            with write(self.engine) as conn:
                db.update_hash(conn, row.id, _HASHER.hash(password))
        return row
