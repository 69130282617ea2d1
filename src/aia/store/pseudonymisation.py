"""The review list of pseudonymisation at import, and offset-preserving edits of a stored source's text.

:func:`edit_text` is the one place a stored text changes after import: it rewrites ``sources.text`` and moves
every offset that points into it — segments, codings and review findings — with :class:`aia.privacy.offsets.OffsetMap`,
and recomputes the search columns of the segments whose words changed (the FTS5 update trigger re-indexes them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.privacy.offsets import OffsetMap, Replacement
from aia.store.schema import codings, pseudonymisation_findings, segments, sources
from aia.text.stemming import index_columns

F = pseudonymisation_findings


@dataclass(frozen=True)
class FindingRow:
    id: int
    source_id: int
    start: int
    end: int
    kind: str
    detector: str
    status: str
    replacement: str
    value_enc: bytes | None
    confidence: float
    decided_by: str | None
    decided_at: str | None


def insert_findings(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(F.insert(), list(rows))


def list_findings(conn: sa.Connection, source_id: int, status: str | None = None) -> list[FindingRow]:
    query = sa.select(*F.c).where(F.c.source_id == source_id)
    if status is not None:
        query = query.where(F.c.status == status)
    return [FindingRow(**row._mapping) for row in conn.execute(query.order_by(F.c.start, F.c.id))]


def get_finding(conn: sa.Connection, finding_id: int) -> FindingRow | None:
    row = conn.execute(sa.select(*F.c).where(F.c.id == finding_id)).first()
    return FindingRow(**row._mapping) if row else None


def count_open(conn: sa.Connection, source_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Per source, how many findings still wait for a decision (replaced or flagged)."""
    query = (
        sa.select(F.c.source_id, sa.func.count()).where(F.c.status.in_(("replaced", "flagged"))).group_by(F.c.source_id)
    )
    if source_ids is not None:
        query = query.where(F.c.source_id.in_(list(source_ids)))
    return {int(sid): int(n) for sid, n in conn.execute(query)}


def decide(
    conn: sa.Connection, finding_id: int, status: str, user: str, replacement: str | None = None, **extra: Any
) -> None:
    values: dict[str, Any] = {"status": status, "decided_by": user, "decided_at": now(), **extra}
    if replacement is not None:
        values["replacement"] = replacement
    conn.execute(F.update().where(F.c.id == finding_id).values(**values))


def source_text(conn: sa.Connection, source_id: int) -> str | None:
    value = conn.execute(sa.select(sources.c.text).where(sources.c.id == source_id)).scalar()
    return None if value is None else str(value)


def edit_text(conn: sa.Connection, source_id: int, edits: Sequence[tuple[int, int, str]]) -> OffsetMap:
    """Replace ``text[start:end]`` by ``new`` for each (non-overlapping) edit and move every offset into the text.

    Coding starts map with ``side="start"``, ends with ``side="end"``: a coding that touched an edited stretch still
    covers all of its replacement. Segment boundaries inside an edited stretch move to its end, so segments keep
    tiling the text without overlap. Returns the map (old -> new offsets).
    """
    text = source_text(conn, source_id)
    if text is None:
        raise LookupError(f"no source {source_id}")
    ordered = sorted(edits)
    replacements = []
    previous = 0
    for start, end, new in ordered:
        if start < previous or not 0 <= start <= end <= len(text):
            raise ValueError(f"edit [{start}, {end}) overlaps another or lies outside the text")
        replacements.append(Replacement(start, end, text[start:end], new, "EDIT", "review"))
        previous = end
    offset_map = OffsetMap(replacements, len(text))
    parts: list[str] = []
    pos = 0
    for r in replacements:
        parts += [text[pos : r.start], r.replacement]
        pos = r.end
    parts.append(text[pos:])
    new_text = "".join(parts)
    conn.execute(sources.update().where(sources.c.id == source_id).values(text=new_text))

    changed = [(r.start, r.end) for r in replacements]

    def touched(start: int, end: int) -> bool:
        return any((s < end and start < e) or (s == e and start <= s <= end) for s, e in changed)

    seg_updates = []
    for seg_id, start, end in conn.execute(
        sa.select(segments.c.id, segments.c.start, segments.c.end).where(segments.c.source_id == source_id)
    ):
        # a segment boundary inside an edited stretch goes to the end of the replacement, so that neighbouring
        # segments never overlap (the replacement joins the earlier segment)
        new_start, new_end = offset_map.map(start, "end"), offset_map.map(end, "end")
        row: dict[str, Any] = {"b_id": seg_id, "start": new_start, "end": new_end}
        if touched(start, end):
            row["stem"], row["plain"] = index_columns(new_text[new_start:new_end])
            conn.execute(
                segments.update()
                .where(segments.c.id == seg_id)
                .values(start=new_start, end=new_end, stem=row["stem"], plain=row["plain"])
            )
        elif (new_start, new_end) != (start, end):
            seg_updates.append(row)
    if seg_updates:
        conn.execute(
            segments.update()
            .where(segments.c.id == sa.bindparam("b_id"))
            .values(start=sa.bindparam("start"), end=sa.bindparam("end")),
            seg_updates,
        )
    for table in (codings, F):
        moved = []
        for row_id, start, end in conn.execute(
            sa.select(table.c.id, table.c.start, table.c.end).where(table.c.source_id == source_id)
        ):
            new_start, new_end = offset_map.map(start, "start"), offset_map.map(end, "end")
            if (new_start, new_end) != (start, end):
                moved.append({"b_id": row_id, "start": new_start, "end": new_end})
        if moved:
            conn.execute(
                table.update()
                .where(table.c.id == sa.bindparam("b_id"))
                .values(start=sa.bindparam("start"), end=sa.bindparam("end")),
                moved,
            )
    return offset_map
