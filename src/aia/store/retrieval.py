"""Code retrieval with context, filters and paging: the SQL behind the web code page (and ``Project.retrieve_page``).

One statement returns a page of passages without their text; a second slices, per source, the one window of
``sources.text`` that covers the page's codings in it with ``context`` characters either side (``substr``, code
points on SQLite and PostgreSQL), and the passages are cut from that window in Python. ``substr`` loads the whole
text value at every call, so one call per coding in a long transcript costs a millisecond or more each; one call
per source reads each text at most once. The segment holding a coding's start (speaker, participant, time, ordinal
for the link back) is found with one index probe per coding: the last segment of the source starting at or before
it (``ix_segments_source_start``). Filters (forløb, WP, participant, coder) are conditions of the same statement;
the total comes from ``count(*) OVER ()`` of the same pass. Every value is a bound parameter; the SQL text is
built from fixed fragments.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.errors import ValidationError
from aia.store.schema import codings

MAX_LIMIT = 1000


@dataclass(frozen=True)
class RetrievalFilters:
    """Restrictions on a retrieval; each one left empty does not restrict. Filters combine with AND, the values
    within one filter with OR. ``participant_ids`` matches passages coded in a segment spoken by the participant
    and every passage of a source linked to them (as the search does)."""

    track_ids: Sequence[int] = ()
    wp_numbers: Sequence[int] = ()
    participant_ids: Sequence[int] = ()
    coders: Sequence[str] = ()


@dataclass(frozen=True)
class Passage:
    """One coded passage with its context and where it comes from. ``before``/``after`` are up to ``context``
    characters of the source text around ``text`` (the coded span, ``start``–``end``)."""

    coding_id: int
    code_id: int
    code_name: str
    code_color: str
    source_id: int
    source_title: str
    start: int
    end: int
    before: str
    text: str
    after: str
    coder: str
    comment: str | None
    created_at: str
    track_id: int
    track_name: str
    wp: int
    activity: str | None
    date: str | None
    segment_ordinal: int | None
    speaker: str | None
    start_ms: int | None
    participant: str | None


@dataclass(frozen=True)
class PassagePage:
    """A page of passages in source order (forløb, WP, source, position); ``total`` counts all that match."""

    total: int
    limit: int
    offset: int
    passages: tuple[Passage, ...] = field(default_factory=tuple)

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.passages) < self.total


_PAGE = """
WITH hits AS (
    SELECT c.id AS coding_id, c.source_id, c.start, c."end", c.code_id, c.coder, c.comment, c.created_at,
           wp.track_id, wp.number AS wp_number
    FROM codings AS c
    JOIN sources AS src ON src.id = c.source_id
    JOIN work_packages AS wp ON wp.id = src.wp_id
    WHERE c.code_id IN :code_ids{conditions}
),
page AS (
    SELECT hits.*, count(*) OVER () AS total FROM hits
    {participant_where}
    ORDER BY track_id, wp_number, source_id, start, coding_id
    LIMIT :limit OFFSET :offset
)
SELECT page.coding_id, page.code_id, k.name, k.color, page.source_id, src.title, page.start, page."end",
       page.coder, page.comment, page.created_at, page.track_id, t.name, page.wp_number, a.title,
       COALESCE(src.date, a.date),
       s.ordinal, s."end", s.speaker, s.start_ms, p.pseudonym, page.total
FROM page
JOIN codes AS k ON k.id = page.code_id
JOIN sources AS src ON src.id = page.source_id
JOIN tracks AS t ON t.id = page.track_id
LEFT JOIN activities AS a ON a.id = src.activity_id
LEFT JOIN segments AS s ON s.id = (SELECT s2.id FROM segments AS s2 WHERE s2.source_id = page.source_id
                                   AND s2.start <= page.start ORDER BY s2.start DESC LIMIT 1)
LEFT JOIN participants AS p ON p.id = s.participant_id
ORDER BY page.track_id, page.wp_number, page.source_id, page.start, page.coding_id
"""

_PARTICIPANT_WHERE = """WHERE (EXISTS (SELECT 1 FROM segments AS s3 WHERE s3.id = (SELECT s2.id FROM segments AS s2
                   WHERE s2.source_id = hits.source_id AND s2.start <= hits.start ORDER BY s2.start DESC LIMIT 1)
                   AND s3."end" > hits.start AND s3.participant_id IN :participant_ids)
        OR source_id IN (SELECT source_id FROM source_participants WHERE participant_id IN :participant_ids))"""


def retrieve_page(
    conn: sa.Connection,
    code_ids: Sequence[int],
    filters: RetrievalFilters | None = None,
    limit: int = 500,
    offset: int = 0,
    context: int = 80,
) -> PassagePage:
    """One page of the passages coded with ``code_ids`` that pass ``filters``, in source order, with context."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"a retrieval page holds 1 to {MAX_LIMIT} passages, not {limit}.")
    if offset < 0 or context < 0:
        raise ValidationError(f"a retrieval offset and context cannot be negative ({offset}, {context}).")
    f = filters or RetrievalFilters()
    params: dict[str, Any] = {"code_ids": [int(c) for c in code_ids], "limit": limit, "offset": offset}
    expanding = ["code_ids"]
    conditions = []
    for name, column, values in (
        ("track_ids", "wp.track_id", [int(v) for v in f.track_ids]),
        ("wp_numbers", "wp.number", [int(v) for v in f.wp_numbers]),
        ("coders", "c.coder", [str(v) for v in f.coders]),
    ):
        if values:
            conditions.append(f"\n      AND {column} IN :{name}")
            params[name] = values
            expanding.append(name)
    participant_where = ""
    if f.participant_ids:
        participant_where = _PARTICIPANT_WHERE
        params["participant_ids"] = [int(v) for v in f.participant_ids]
        expanding.append("participant_ids")
    sql = _PAGE.format(conditions="".join(conditions), participant_where=participant_where)
    statement = _page_statement(sql, tuple(expanding))
    rows = conn.execute(statement, params).all() if code_ids else []
    windows = slice_windows(conn, [(r[4], r[6], r[7]) for r in rows], context)
    passages = []
    for r in rows:
        start, end = r[6], r[7]
        window_start, window = windows[r[4]]
        lo = max(0, start - context) - window_start
        seg_end = r[17]
        inside = seg_end is not None and seg_end > start  # the coding starts inside that segment
        passages.append(
            Passage(
                coding_id=r[0],
                code_id=r[1],
                code_name=r[2],
                code_color=r[3],
                source_id=r[4],
                source_title=r[5],
                start=start,
                end=end,
                before=window[lo : start - window_start],
                text=window[start - window_start : end - window_start],
                after=window[end - window_start : end - window_start + context],
                coder=r[8],
                comment=r[9],
                created_at=r[10],
                track_id=r[11],
                track_name=r[12],
                wp=r[13],
                activity=r[14],
                date=r[15],
                segment_ordinal=r[16] if inside else None,
                speaker=r[18] if inside else None,
                start_ms=r[19] if inside else None,
                participant=r[20] if inside else None,
            )
        )
    total = int(rows[0][21]) if rows else 0
    if not rows and offset > 0:  # a page past the end: count separately
        total = retrieve_page(conn, code_ids, filters, limit=1, offset=0, context=0).total
    return PassagePage(total=total, limit=limit, offset=offset, passages=tuple(passages))


def coded_spans(conn: sa.Connection, code_id: int, source_ids: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
    """(start, end) of the codings with ``code_id`` in each of the sources (index ``ix_codings_code_source``)."""
    q = sa.select(codings.c.source_id, codings.c.start, codings.c.end).where(
        codings.c.code_id == code_id, codings.c.source_id.in_(sa.bindparam("source_ids", expanding=True))
    )
    out: dict[int, list[tuple[int, int]]] = {}
    for source_id, start, end in conn.execute(q, {"source_ids": [int(s) for s in source_ids]}):
        out.setdefault(int(source_id), []).append((int(start), int(end)))
    return out


def insert_codings(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Store many codings in one statement (guid and creation time added here)."""
    at = now()
    conn.execute(codings.insert(), [{**row, "guid": str(uuid.uuid4()), "created_at": at} for row in rows])


def coders(conn: sa.Connection, code_ids: Sequence[int]) -> list[str]:
    """Who made the codings with these codes, by name."""
    q = (
        sa.select(codings.c.coder)
        .distinct()
        .where(codings.c.code_id.in_(sa.bindparam("code_ids", expanding=True)))
        .order_by(codings.c.coder)
    )
    return [str(name) for name in conn.execute(q, {"code_ids": [int(c) for c in code_ids]}).scalars()]


def slice_windows(
    conn: sa.Connection, spans: Sequence[tuple[int, int, int]], context: int = 0
) -> dict[int, tuple[int, str]]:
    """For each source among ``spans`` (source id, start, end): (offset, text) of the one window of its text that
    covers all its spans with ``context`` characters either side, sliced in SQL in one statement."""
    bounds: dict[int, tuple[int, int]] = {}
    for source_id, start, end in spans:
        lo, hi = max(0, start - context), end + context
        if source_id in bounds:
            old_lo, old_hi = bounds[source_id]
            lo, hi = min(lo, old_lo), max(hi, old_hi)
        bounds[source_id] = (lo, hi)
    if not bounds:
        return {}
    size = 1 << (len(bounds) - 1).bit_length()  # padded to a power of two: few distinct statements to cache
    padded = [(int(source_id), lo, hi - lo) for source_id, (lo, hi) in bounds.items()]
    padded += [(-1, 0, 0)] * (size - len(bounds))
    params = {f"{key}{i}": value for i, row in enumerate(padded) for key, value in zip("sln", row, strict=True)}
    rows = conn.execute(_windows_statement(size), params)
    return {int(sid): (int(lo), text or "") for sid, lo, text in rows}


@functools.lru_cache(maxsize=32)
def _windows_statement(size: int) -> sa.TextClause:
    """``size`` rows of (source id, offset, length) -> the sources' text windows (parsing ``sa.text`` with hundreds
    of parameters costs ~10 ms, so the statements are built once per size)."""
    values = ", ".join(f"(:s{i}, :l{i}, :n{i})" for i in range(size))
    return sa.text(
        f"WITH w(source_id, lo, n) AS (VALUES {values})\n"
        "SELECT w.source_id, w.lo, substr(src.text, w.lo + 1, w.n) FROM w JOIN sources AS src ON src.id = w.source_id"
    )


@functools.lru_cache(maxsize=64)
def _page_statement(sql: str, expanding: tuple[str, ...]) -> sa.TextClause:
    return sa.text(sql).bindparams(*(sa.bindparam(name, expanding=True) for name in expanding))
