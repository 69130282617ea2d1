"""Project settings: plain key/value rows in ``project_meta``."""

from __future__ import annotations

import sqlalchemy as sa

from aia.store.schema import project_meta


def get_setting(conn: sa.Connection, key: str) -> str | None:
    value = conn.execute(sa.select(project_meta.c.value).where(project_meta.c.key == key)).scalar()
    return None if value is None else str(value)


def set_setting(conn: sa.Connection, key: str, value: str) -> None:
    updated = conn.execute(project_meta.update().where(project_meta.c.key == key).values(value=value))
    if not updated.rowcount:
        conn.execute(project_meta.insert().values(key=key, value=value))
