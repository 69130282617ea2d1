"""SQL for imported material: stored files, sources and their segments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.model import NewSource as NewSource  # re-exported: the importers build them
from aia.model import Segment, Source
from aia.store import fts5
from aia.store.rows import to
from aia.store.schema import files, segments, source_participants, sources, work_packages

_SOURCE_META_COLS = [c for c in sources.c if c.name != "text"]


# Statements on the import path are built once: constructing a statement costs more than running it here.
_KNOWN_FILES = sa.select(files.c.sha256).where(files.c.sha256.in_(sa.bindparam("shas", expanding=True)))
_INSERT_FILE = files.insert()
_REFERENCED = sa.select(sources.c.id).where(sources.c.sha256 == sa.bindparam("sha256")).limit(1)
_SAME_FILES = sa.select(
    sources.c.sha256, sources.c.id, sources.c.original_filename, sources.c.activity_id, sources.c.wp_id
).where(sources.c.sha256.in_(sa.bindparam("shas", expanding=True)))
_MAX_SOURCE_ID = sa.select(sa.func.coalesce(sa.func.max(sources.c.id), 0))
_MAX_SEGMENT_ID = sa.select(sa.func.coalesce(sa.func.max(segments.c.id), 0))
_INSERT_SOURCE_PARTICIPANTS = source_participants.insert()


def file_is_referenced(conn: sa.Connection, sha256: str) -> bool:
    return conn.execute(_REFERENCED, {"sha256": sha256}).first() is not None


def sources_with_files(conn: sa.Connection, shas: Sequence[str]) -> dict[str, list[tuple[int, str, int | None, int]]]:
    """For each hash, the sources stored from that file: (id, original filename, activity id, WP id)."""
    found: dict[str, list[tuple[int, str, int | None, int]]] = {}
    if shas:
        for sha, source_id, filename, activity_id, wp_id in conn.execute(_SAME_FILES, {"shas": sorted(set(shas))}):
            found.setdefault(sha, []).append((int(source_id), str(filename), activity_id, int(wp_id)))
    return found


def insert_sources(conn: sa.Connection, items: Sequence[NewSource]) -> list[int]:
    """Store sources with their segments, participants and file rows, and index the segments for search.

    A handful of statements for the whole batch, whatever its size. Ids are given here (the caller holds the
    write lock), so nothing has to be read back; the search index is filled in one pass at the end, which FTS5
    does far faster than row by row. Returns the new sources' ids, in order.
    """
    if not items:
        return []
    stamp = now()
    first_source = int(conn.execute(_MAX_SOURCE_ID).scalar_one()) + 1
    last_segment = int(conn.execute(_MAX_SEGMENT_ID).scalar_one())
    source_rows: list[dict[str, Any]] = []
    segment_rows: list[dict[str, Any]] = []
    participant_rows: list[dict[str, int]] = []
    next_segment = last_segment + 1
    for source_id, item in enumerate(items, start=first_source):
        source_rows.append({**item.values, "id": source_id, "guid": str(uuid.uuid4()), "created_at": stamp})
        for row in item.segment_rows:
            row["source_id"] = source_id
            row["id"] = next_segment
            next_segment += 1
            segment_rows.append(row)
        participant_rows.extend(
            {"source_id": source_id, "participant_id": pid} for pid in sorted(set(item.participant_ids))
        )
    sizes = {item.values["sha256"]: item.values["size"] for item in items}
    known = set(conn.execute(_KNOWN_FILES, {"shas": sorted(sizes)}).scalars())
    new_files = [{"sha256": sha, "size": size, "created_at": stamp} for sha, size in sizes.items() if sha not in known]
    if new_files:
        conn.execute(_INSERT_FILE, new_files)
    _insert_rows(conn, sources, source_rows)
    if segment_rows:
        _insert_rows(conn, segments, segment_rows)
        fts5.index_segments_after(conn, last_segment)
    if participant_rows:
        conn.execute(_INSERT_SOURCE_PARTICIPANTS, participant_rows)
    return [row["id"] for row in source_rows]


#: DB-API placeholder per paramstyle, for the positional styles the fast path below supports
_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}
_Processor = Any  # a SQLAlchemy bind processor: value -> DB-API value


@lru_cache(maxsize=32)
def _fast_insert(
    dialect: sa.Dialect, table: sa.Table, names: tuple[str, ...]
) -> tuple[str, tuple[tuple[int, _Processor], ...]] | None:
    """An ``INSERT`` with positional placeholders for ``names`` and the bind processors of its columns (the same
    functions SQLAlchemy applies, e.g. JSON serialisation), or None when the driver's paramstyle is not positional."""
    mark = _PLACEHOLDER.get(dialect.paramstyle)
    if mark is None or not dialect.positional:
        return None
    quote = dialect.identifier_preparer.quote
    columns = [table.c[name] for name in names]  # KeyError for a name that is not a column, as Core would refuse it
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    processors = tuple(
        (i, proc)
        for i, c in enumerate(columns)
        if (proc := c.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    )
    return sql, processors


def _insert_rows(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows of ``table`` (all with the keys of the first) with the driver's ``executemany``.

    Core's executemany of a compiled insert processes every parameter of every row in Python, which costs more than
    SQLite's work on the import path; here the rows become tuples in column order and only columns with a bind
    processor (JSON) are converted, by the same processor Core would use, so the stored values are identical."""
    names = tuple(rows[0])
    prepared = _fast_insert(conn.dialect, table, names)
    if prepared is None or any(len(row) != len(names) for row in rows):
        conn.execute(table.insert(), rows)
        return
    sql, processors = prepared
    getter = itemgetter(*names)
    if len(names) == 1:
        values: list[tuple[Any, ...]] = [(getter(row),) for row in rows]
    else:
        values = [getter(row) for row in rows]
    if processors:
        converted: list[tuple[Any, ...]] = []
        for value in values:
            as_list = list(value)
            for i, proc in processors:
                as_list[i] = proc(as_list[i])
            converted.append(tuple(as_list))
        values = converted
    conn.exec_driver_sql(sql, values)


def get_source(conn: sa.Connection, source_id: int, with_text: bool = True) -> Source | None:
    cols = list(sources.c) if with_text else _SOURCE_META_COLS
    row = conn.execute(sa.select(*cols).where(sources.c.id == source_id)).first()
    return to(Source, row) if row else None


def source_text_length(conn: sa.Connection, source_id: int) -> int | None:
    value = conn.execute(sa.select(sa.func.length(sources.c.text)).where(sources.c.id == source_id)).scalar()
    return None if value is None else int(value)


def list_sources(
    conn: sa.Connection,
    track_id: int | None = None,
    wp_number: int | None = None,
    activity_id: int | None = None,
) -> list[tuple[Source, int, int]]:
    """Sources (without text) with their track id and WP number, newest last."""
    q = sa.select(*_SOURCE_META_COLS, work_packages.c.track_id, work_packages.c.number).join(
        work_packages, work_packages.c.id == sources.c.wp_id
    )
    if track_id is not None:
        q = q.where(work_packages.c.track_id == track_id)
    if wp_number is not None:
        q = q.where(work_packages.c.number == wp_number)
    if activity_id is not None:
        q = q.where(sources.c.activity_id == activity_id)
    return [(to(Source, r), int(r.track_id), int(r.number)) for r in conn.execute(q.order_by(sources.c.id))]


def list_segments(conn: sa.Connection, source_id: int) -> list[Segment]:
    q = sa.select(segments).where(segments.c.source_id == source_id).order_by(segments.c.ordinal)
    return [to(Segment, r) for r in conn.execute(q)]


def get_segment(conn: sa.Connection, source_id: int, ordinal: int) -> Segment | None:
    row = conn.execute(
        sa.select(segments).where(segments.c.source_id == source_id, segments.c.ordinal == ordinal)
    ).first()
    return to(Segment, row) if row else None


def source_participant_ids(conn: sa.Connection, source_id: int) -> list[int]:
    q = sa.select(source_participants.c.participant_id).where(source_participants.c.source_id == source_id)
    return [int(r[0]) for r in conn.execute(q)]


def move_source(conn: sa.Connection, source_id: int, wp_id: int, activity_id: int | None) -> None:
    """Put a source (with everything hanging on it: segments, codings, annotations) in another WP/activity."""
    conn.execute(sources.update().where(sources.c.id == source_id).values(wp_id=wp_id, activity_id=activity_id))


def linked_participant_ids(conn: sa.Connection, source_id: int) -> list[int]:
    """Participants a source names: linked to the source, or the speaker of one of its segments."""
    linked = sa.select(source_participants.c.participant_id).where(source_participants.c.source_id == source_id)
    speakers = sa.select(segments.c.participant_id).where(
        segments.c.source_id == source_id, segments.c.participant_id.is_not(None)
    )
    return sorted({int(r[0]) for r in conn.execute(sa.union(linked, speakers))})
