"""A small, ordered migration runner (in the spirit of sqlite-utils' migrations).

Each migration is a function ``upgrade(conn)`` with a number; the applied ones are recorded in
``schema_migrations``. The database's version is the highest number applied. A project whose version is higher
than :data:`HEAD` was written by a newer aia and is refused; a lower one is backed up and upgraded.
Each migration and its record run in one transaction, so a crash leaves the old or the new version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from aia.store.migrations import (
    m0001_core,
    m0002_search,
    m0003_pseudonymisation,
    m0004_data_protection,
    m0005_web,
    m0006_netnography,
    m0007_wp1_wp2,
    m0008_memo_links,
)


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    upgrade: Callable[[sa.Connection], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "core tables", m0001_core.upgrade),
    Migration(2, "full-text search index", m0002_search.upgrade),
    Migration(3, "pseudonymisation review list", m0003_pseudonymisation.upgrade),
    Migration(4, "consent, erasure journal, export register, audit log", m0004_data_protection.upgrade),
    Migration(5, "web workbench accounts", m0005_web.upgrade),
    Migration(6, "netnography corpora", m0006_netnography.upgrade),
    Migration(7, "WP1 probes and WP2 critical incidents", m0007_wp1_wp2.upgrade),
    Migration(8, "memo links", m0008_memo_links.upgrade),
)
HEAD = MIGRATIONS[-1].number

_record = sa.Table(
    "schema_migrations",
    sa.MetaData(),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.String(32), nullable=False),
)


def current_version(conn: sa.Connection) -> int:
    if not sa.inspect(conn).has_table("schema_migrations"):
        return 0
    value = conn.execute(sa.select(sa.func.max(_record.c.number))).scalar()
    return int(value or 0)


def pending(conn: sa.Connection) -> list[Migration]:
    version = current_version(conn)
    return [m for m in MIGRATIONS if m.number > version]


def apply(engine: sa.Engine, target: int = HEAD) -> list[Migration]:
    """Apply every pending migration up to ``target``; each in its own transaction. Returns what ran."""
    with engine.begin() as conn:
        _record.create(conn, checkfirst=True)
    done: list[Migration] = []
    for migration in MIGRATIONS:
        if migration.number > target:
            break
        with engine.begin() as conn:
            if current_version(conn) >= migration.number:
                continue
            migration.upgrade(conn)
            conn.execute(
                _record.insert().values(
                    number=migration.number,
                    name=migration.name,
                    applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
                )
            )
        done.append(migration)
    return done
