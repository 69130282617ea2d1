"""SQL for memos."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.model import Memo
from aia.store.rows import new_id, to
from aia.store.schema import memos


def insert_memo(conn: sa.Connection, values: dict[str, Any]) -> Memo:
    stamp = now()
    memo_id = new_id(
        conn.execute(memos.insert().values(**values, guid=str(uuid.uuid4()), created_at=stamp, updated_at=stamp))
    )
    return to(Memo, conn.execute(sa.select(memos).where(memos.c.id == memo_id)).one())


def list_memos(conn: sa.Connection, target_type: str | None = None, target_id: int | None = None) -> list[Memo]:
    q = sa.select(memos).order_by(memos.c.id)
    if target_type is not None:
        q = q.where(memos.c.target_type == target_type)
    if target_id is not None:
        q = q.where(memos.c.target_id == target_id)
    return [to(Memo, r) for r in conn.execute(q)]


def delete_memos_of(conn: sa.Connection, target_type: str, target_id: int) -> None:
    conn.execute(memos.delete().where(memos.c.target_type == target_type, memos.c.target_id == target_id))
