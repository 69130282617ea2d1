"""A scratch store that groups dump rows by thread without holding them in memory.

Readers of online-community dumps must group posts by thread, but the posts of one thread can be anywhere in a
dump of many GB. A :class:`Grouper` keeps rows in memory up to ``spill_after`` rows and then moves them, and every
later row, to a temporary SQLite file (its own file in a private temporary folder, never the project database),
deleted when the grouper closes, also on error. Groups come out in key order, rows of a group in the order added,
whether spilled or not: the same dump gives the same threads either way.

Rows are Python dicts of strings/numbers, serialised with :mod:`marshal` (fast; the file is written and read only
by this process, in a folder only the user can read)."""

from __future__ import annotations

import marshal
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: default number of rows a reader keeps in memory before it spills to disk
SPILL_AFTER = 20_000

#: spilled rows written per statement
_INSERT_BATCH = 1000

Key = int | str
Row = dict[str, Any]


class Grouper:
    """Rows grouped by key; in memory up to ``spill_after`` rows in total, then on disk.

    Keys of one grouper are all ``int`` or all ``str`` (SQLite sorts both like Python does)."""

    def __init__(self, spill_after: int = SPILL_AFTER, folder: Path | None = None) -> None:
        self._limit = spill_after
        self._parent = folder
        self._mem: dict[Key, list[Row]] = {}
        self._count = 0
        self._seq = 0
        self._dir: Path | None = None
        self._db: sqlite3.Connection | None = None
        self._indexed = False
        self._pending: list[tuple[Key, int, bytes]] = []  # spilled rows not yet written (one statement per batch)

    @property
    def spilled(self) -> bool:
        return self._db is not None

    def __len__(self) -> int:
        return self._count

    def add(self, key: Key, row: Row) -> None:
        self._count += 1
        if self._db is None:
            self._mem.setdefault(key, []).append(row)
            if self._count > self._limit:
                self._spill()
            return
        self._seq += 1
        self._pending.append((key, self._seq, marshal.dumps(row)))
        if len(self._pending) >= _INSERT_BATCH or self._indexed:
            self._write_pending()

    def _write_pending(self) -> None:
        assert self._db is not None
        self._db.executemany("INSERT INTO r VALUES (?, ?, ?)", self._pending)
        self._pending = []

    def _spill(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="aia-spill-", dir=self._parent))
        db = sqlite3.connect(self._dir / "spill.sqlite", isolation_level=None)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA temp_store=FILE")
        db.execute("PRAGMA cache_size=-16000")
        db.execute("CREATE TABLE r (k, seq INTEGER, v BLOB)")
        db.execute("BEGIN")
        self._db = db
        # in-memory rows get their sequence numbers first, so insertion order within a group is kept
        numbered = []
        for k, lst in self._mem.items():
            for row in lst:
                self._seq += 1
                numbered.append((k, self._seq, marshal.dumps(row)))
        db.executemany("INSERT INTO r VALUES (?, ?, ?)", numbered)
        self._mem = {}

    def _ready(self) -> sqlite3.Connection:
        assert self._db is not None
        if not self._indexed:
            self._write_pending()
            self._db.execute("COMMIT")
            self._db.execute("CREATE INDEX r_k ON r (k, seq)")
            self._indexed = True
        return self._db

    def get(self, key: Key) -> list[Row]:
        """The rows of one group (empty if none)."""
        if self._db is None:
            return self._mem.get(key, [])
        db = self._ready()
        return [marshal.loads(v) for (v,) in db.execute("SELECT v FROM r WHERE k = ? ORDER BY seq", (key,))]

    def groups(self) -> Iterator[tuple[Key, list[Row]]]:
        """Every group in key order, one at a time."""
        if self._db is None:
            for key in sorted(self._mem):
                yield key, self._mem[key]
            return
        db = self._ready()
        current: Key | None = None
        rows: list[Row] = []
        for key, blob in db.execute("SELECT k, v FROM r ORDER BY k, seq"):
            if key != current and rows:
                assert current is not None
                yield current, rows
                rows = []
            current = key
            rows.append(marshal.loads(blob))
        if rows:
            assert current is not None
            yield current, rows

    def close(self) -> None:
        self._mem = {}
        self._pending = []
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> Grouper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
