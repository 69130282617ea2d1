"""Connection settings: a bulk write uses a small page cache and gives the pooled connection its usual one back."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from aia.store.database import CACHE_KIB, bulk_write, read, sqlite_engine, write


def _cache(conn: sa.Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())


def test_bulk_write_limits_the_cache_and_restores_it(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "prøve.sqlite")
    with write(engine) as conn:
        conn.exec_driver_sql("CREATE TABLE t (x)")
        assert _cache(conn) == -CACHE_KIB
    with bulk_write(engine, 4096) as conn:
        assert _cache(conn) == -4096
        conn.exec_driver_sql("INSERT INTO t VALUES ('æøå')")
    with pytest.raises(RuntimeError), bulk_write(engine, 2048) as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES ('rulles tilbage')")
        raise RuntimeError("midt i importen")
    with read(engine) as conn:  # the pool hands out the same connection again
        assert _cache(conn) == -CACHE_KIB
        assert [r[0] for r in conn.exec_driver_sql("SELECT x FROM t")] == ["æøå"]
    engine.dispose()
