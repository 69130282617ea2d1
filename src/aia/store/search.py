"""Full-text search over segments: the SQL behind :func:`aia.search.search` (SQLite FTS5, backend-specific).

The FTS5 match runs first (in a CTE); filters are checked inside it, per matched row, with one primary-key
lookup of the segment (source-level filters are resolved once to a small set of allowed sources), so that the
ranking ``bm25(segments_fts)`` (lower is better, ties by segment id) is computed only for rows that pass. The page
is chosen on ids and ranks only; the segment texts (``substr`` of the source text, in code points) and labels
are fetched for the page's rows alone. Every value is a bound parameter; the SQL text is built from fixed
fragments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from aia.errors import ValidationError
from aia.search.filters import SearchFilters, SearchHit, SearchPage
from aia.search.query import ParsedQuery
from aia.store.fts5 import INDEX_TABLE

MAX_LIMIT = 1000


def _matched(where: str) -> str:
    """The FTS5 match, ranked. Filters sit inside it so that ``bm25`` is computed only for rows that pass
    them (SQLite evaluates the WHERE clause before the result columns)."""
    return f"""matched AS (
    SELECT {INDEX_TABLE}.rowid AS segment_id, bm25({INDEX_TABLE}) AS score
    FROM {INDEX_TABLE} WHERE {INDEX_TABLE} MATCH :match{where}
)"""


_DATE = "COALESCE(src.date, a.date)"

# Source-level filters: resolved once to the set of allowed sources (a few hundred rows at most), so that each
# matched segment costs one primary-key lookup plus a probe of that set.
_SOURCE_FILTERS: tuple[tuple[str, str], ...] = (
    ("track_ids", "wp.track_id IN :track_ids"),
    ("wp_numbers", "wp.number IN :wp_numbers"),
    ("activity_ids", "src.activity_id IN :activity_ids"),
    ("source_ids", "src.id IN :source_ids"),
)
_ALLOWED_SOURCES = """allowed_sources AS MATERIALIZED (
    SELECT src.id FROM sources AS src
    JOIN work_packages AS wp ON wp.id = src.wp_id
    LEFT JOIN activities AS a ON a.id = src.activity_id
    WHERE {conditions}
)"""
# Segment-level filters, probed for each matched segment. A coding overlaps the segment when it starts before
# the segment ends and ends after it starts; the codings index (code_id, source_id, start) finds them directly.
_SEGMENT_FILTERS: tuple[tuple[str, str], ...] = (
    (
        "participant_ids",
        """(s.participant_id IN :participant_ids OR s.source_id IN (
            SELECT source_id FROM source_participants WHERE participant_id IN :participant_ids))""",
    ),
    (
        "code_ids",
        """EXISTS (SELECT 1 FROM codings AS c WHERE c.code_id IN :code_ids AND c.source_id = s.source_id
            AND c.start < s."end" AND c."end" > s.start)""",
    ),
)

_PAGE_ROWS = f"""
SELECT s.id, s.source_id, src.title, t.id, t.name, wp.number, a.id, a.title, a.date, {_DATE},
       s.ordinal, s.kind, s.speaker, s.participant_id, s.start, s."end",
       substr(src.text, s.start + 1, s."end" - s.start), page.score, page.total
FROM page
JOIN segments AS s ON s.id = page.segment_id
JOIN sources AS src ON src.id = s.source_id
JOIN work_packages AS wp ON wp.id = src.wp_id
JOIN tracks AS t ON t.id = wp.track_id
LEFT JOIN activities AS a ON a.id = src.activity_id
ORDER BY page.score, page.segment_id"""


@dataclass
class _Filtered:
    """The filtering part of the search SQL: extra CTEs and the condition added to the match."""

    ctes: str = ""
    where: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    expanding: list[str] = field(default_factory=list)

    def add_list(self, name: str, values: Sequence[int]) -> None:
        self.params[name] = [int(v) for v in values]
        self.expanding.append(name)


def _filtered(filters: SearchFilters) -> _Filtered:
    out = _Filtered()
    source_conditions = []
    for name, condition in _SOURCE_FILTERS:
        values: Sequence[int] | None = getattr(filters, name)
        if values:
            source_conditions.append(condition)
            out.add_list(name, values)
    if filters.activity_kinds:
        source_conditions.append("a.kind IN :activity_kinds")
        out.params["activity_kinds"] = [str(k) for k in filters.activity_kinds]
        out.expanding.append("activity_kinds")
    if filters.date_from:
        source_conditions.append(f"{_DATE} >= :date_from")
        out.params["date_from"] = filters.date_from
    if filters.date_to:  # "2024-05" includes every date in May
        source_conditions.append(f"substr({_DATE}, 1, length(:date_to)) <= :date_to")
        out.params["date_to"] = filters.date_to
    conditions = []
    ctes = []
    if source_conditions:
        ctes.append(_ALLOWED_SOURCES.format(conditions="\n      AND ".join(source_conditions)))
        conditions.append("s.source_id IN (SELECT id FROM allowed_sources)")
    for name, condition in _SEGMENT_FILTERS:
        values = getattr(filters, name)
        if values:
            conditions.append(condition)
            out.add_list(name, values)
    if conditions:
        out.ctes = "".join(f"{cte},\n" for cte in ctes)
        out.where = (
            f"\n      AND EXISTS (SELECT 1 FROM segments AS s WHERE s.id = {INDEX_TABLE}.rowid\n        AND "
            + "\n        AND ".join(conditions)
            + ")"
        )
    return out


def _statement(sql: str, expanding: list[str]) -> sa.TextClause:
    return sa.text(sql).bindparams(*(sa.bindparam(name, expanding=True) for name in expanding))


def search_segments(
    conn: sa.Connection,
    parsed: ParsedQuery,
    filters: SearchFilters | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """One page of the segments matching ``parsed`` and ``filters``, best first, with the total count.

    The hits' ``snippet`` and ``hits`` are left empty (see :func:`aia.search.search`).
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"a search page holds 1 to {MAX_LIMIT} hits, not {limit}.")
    if offset < 0:
        raise ValidationError(f"a search offset cannot be negative ({offset}).")
    f = _filtered(filters or SearchFilters())
    params = {**f.params, "match": parsed.match, "limit": limit, "offset": offset}
    # with filters, every match costs lookups, so count in the same pass as the ranking; without, a separate
    # count of the index matches is far cheaper than ranking them
    total_sql = "count(*) OVER ()" if f.where else "NULL"
    page_sql = (
        f"WITH {f.ctes}{_matched(f.where)},\npage AS (\n"
        f"SELECT matched.segment_id, matched.score, {total_sql} AS total FROM matched\n"
        "ORDER BY matched.score, matched.segment_id LIMIT :limit OFFSET :offset\n)" + _PAGE_ROWS
    )
    rows = conn.execute(_statement(page_sql, f.expanding), params).all()
    if rows and rows[0][18] is not None:
        total = int(rows[0][18])
    else:  # no filters, or a page past the end
        count_sql = (
            f"WITH {f.ctes.rstrip().rstrip(',')}\n" if f.ctes else ""
        ) + f"SELECT count(*) FROM {INDEX_TABLE} WHERE {INDEX_TABLE} MATCH :match{f.where}"
        total = int(conn.execute(_statement(count_sql, f.expanding), params).scalar_one())
    hits = tuple(
        SearchHit(
            segment_id=r[0],
            source_id=r[1],
            source_title=r[2],
            track_id=r[3],
            track_name=r[4],
            wp_number=r[5],
            activity_id=r[6],
            activity_title=r[7],
            activity_date=r[8],
            date=r[9],
            ordinal=r[10],
            kind=r[11],
            speaker=r[12],
            participant_id=r[13],
            start=r[14],
            end=r[15],
            text=r[16],
            rank=float(r[17]),
        )
        for r in rows
    )
    return SearchPage(query=parsed.text, total=total, limit=limit, offset=offset, hits=hits)
