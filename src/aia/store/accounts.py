"""SQL for web workbench accounts (table ``accounts``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from aia.store.schema import accounts


@dataclass(frozen=True)
class AccountRow:
    id: int
    username: str
    password_hash: str
    role: str
    created_at: str


def _row(r: Any) -> AccountRow:
    return AccountRow(int(r.id), str(r.username), str(r.password_hash), str(r.role), str(r.created_at))


def find(conn: sa.Connection, username: str) -> AccountRow | None:
    r = conn.execute(
        sa.select(
            accounts.c.id, accounts.c.username, accounts.c.password_hash, accounts.c.role, accounts.c.created_at
        ).where(accounts.c.username == username)
    ).first()
    return _row(r) if r is not None else None


def list_all(conn: sa.Connection) -> list[AccountRow]:
    rows = conn.execute(
        sa.select(
            accounts.c.id, accounts.c.username, accounts.c.password_hash, accounts.c.role, accounts.c.created_at
        ).order_by(accounts.c.username)
    )
    return [_row(r) for r in rows]


def insert(conn: sa.Connection, username: str, password_hash: str, role: str, created_at: str) -> int:
    result = conn.execute(
        accounts.insert().values(username=username, password_hash=password_hash, role=role, created_at=created_at)
    )
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def update_hash(conn: sa.Connection, account_id: int, password_hash: str) -> None:
    conn.execute(accounts.update().where(accounts.c.id == account_id).values(password_hash=password_hash))
