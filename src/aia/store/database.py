"""Opening the project database: engine, connection settings and transactions.

SQLite settings on every connection: WAL journal, foreign keys on, ``busy_timeout`` 10 s, ``synchronous=NORMAL``
(WAL stays consistent; a power cut may lose the last commit). Write transactions start with
``BEGIN IMMEDIATE`` so that a second writer waits for the lock (busy_timeout) instead of failing half-way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

BUSY_TIMEOUT_MS = 10_000
#: the page cache of every connection, in KiB
CACHE_KIB = 65_536


def sqlite_engine(path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite+pysqlite:///{path}", poolclass=sa.pool.QueuePool, pool_size=2)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's begin event emit BEGIN itself (pysqlite's implicit transactions are off).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute(f"PRAGMA cache_size = -{CACHE_KIB}")  # 64 MiB: search touches many segment pages
        # trusted_schema stays ON here: the FTS5 sync triggers (aia.store.fts5) touch a virtual table, which
        # SQLite forbids in triggers when it is OFF. Databases we did not create ourselves (imported
        # projects) must be opened read-only with trusted_schema=OFF instead.
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        if conn.get_execution_options().get("write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


@contextmanager
def write(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A write transaction: committed when the block ends, rolled back entirely on any error."""
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        yield conn


@contextmanager
def read(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A read transaction (one consistent snapshot)."""
    with engine.connect() as conn, conn.begin():
        yield conn


@contextmanager
def bulk_write(engine: sa.Engine, cache_kib: int) -> Iterator[sa.Connection]:
    """A write transaction like :func:`write` whose connection caches at most ``cache_kib`` KiB of pages: a long
    import writes each page once and need not keep it, so its memory stays small whatever the import's size. The
    connection's usual cache size is restored afterwards (connections are pooled)."""
    with engine.connect().execution_options(write=True) as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None

        def cache(kib: int) -> None:
            cur = raw.cursor()  # on the driver's connection: outside SQLAlchemy's transaction, no implicit BEGIN
            cur.execute(f"PRAGMA cache_size = -{int(kib)}")
            cur.close()

        cache(cache_kib)
        try:
            with conn.begin():
                yield conn
        finally:
            cache(CACHE_KIB)
