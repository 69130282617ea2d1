"""SQL for the web workbench's memo links, memo editing, people overviews and the recent-changes feed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.model import Memo
from aia.store.rows import new_id, to
from aia.store.schema import (
    activities,
    codes,
    codings,
    memo_links,
    memos,
    organisations,
    participants,
    source_participants,
    sources,
    tracks,
)


@dataclass(frozen=True)
class MemoLink:
    """One link of a memo. ``id`` is None for the memo's own target (stored on the memo row)."""

    id: int | None
    memo_id: int
    target_type: str
    target_id: int | None
    start: int | None
    end: int | None


@dataclass(frozen=True)
class Change:
    """One entry of the recent-changes feed."""

    kind: str  # import | coding | code | memo
    object_id: int
    label: str
    who: str
    at: str
    #: for a coding: the source it is in and where it starts
    source_id: int | None = None
    start: int | None = None


def get_memo(conn: sa.Connection, memo_id: int) -> Memo | None:
    row = conn.execute(sa.select(memos).where(memos.c.id == memo_id)).first()
    return to(Memo, row) if row else None


def update_memo(conn: sa.Connection, memo_id: int, title: str, body: str) -> Memo:
    conn.execute(memos.update().where(memos.c.id == memo_id).values(title=title, body=body, updated_at=now()))
    found = get_memo(conn, memo_id)
    assert found is not None
    return found


def insert_link(conn: sa.Connection, values: dict[str, Any]) -> int:
    return new_id(conn.execute(memo_links.insert().values(**values, created_at=now())))


def find_link(
    conn: sa.Connection, memo_id: int, target_type: str, target_id: int, start: int | None, end: int | None
) -> int | None:
    c = memo_links.c
    q = sa.select(c.id).where(c.memo_id == memo_id, c.target_type == target_type, c.target_id == target_id)
    q = q.where(c.start.is_(None) if start is None else c.start == start)
    q = q.where(c.end.is_(None) if end is None else c.end == end)
    value = conn.execute(q).scalar()
    return int(value) if value is not None else None


def delete_link(conn: sa.Connection, memo_id: int, link_id: int) -> bool:
    result = conn.execute(memo_links.delete().where(memo_links.c.id == link_id, memo_links.c.memo_id == memo_id))
    return bool(result.rowcount)


def links_of(conn: sa.Connection, memo_ids: list[int]) -> dict[int, list[MemoLink]]:
    """Every link of the given memos (the memo's own target first), by memo id."""
    out: dict[int, list[MemoLink]] = {i: [] for i in memo_ids}
    if not memo_ids:
        return out
    for row in conn.execute(
        sa.select(memos.c.id, memos.c.target_type, memos.c.target_id).where(
            memos.c.id.in_(memo_ids), memos.c.target_type != "project"
        )
    ):
        out[row.id].append(MemoLink(None, row.id, row.target_type, row.target_id, None, None))
    c = memo_links.c
    for row in conn.execute(sa.select(memo_links).where(c.memo_id.in_(memo_ids)).order_by(c.id)):
        out[row.memo_id].append(MemoLink(row.id, row.memo_id, row.target_type, row.target_id, row.start, row.end))
    return out


def memos_linked_to(conn: sa.Connection, target_types: tuple[str, ...], target_id: int) -> list[Memo]:
    """Memos whose own target or one of whose links is (one of ``target_types``, ``target_id``), oldest first."""
    linked = sa.select(memo_links.c.memo_id).where(
        memo_links.c.target_type.in_(target_types), memo_links.c.target_id == target_id
    )
    q = (
        sa.select(memos)
        .where(
            sa.or_(
                sa.and_(memos.c.target_type.in_(target_types), memos.c.target_id == target_id),
                memos.c.id.in_(linked),
            )
        )
        .order_by(memos.c.id)
    )
    return [to(Memo, r) for r in conn.execute(q)]


_LABELS: dict[str, tuple[sa.Table, sa.ColumnElement[Any]]] = {
    "source": (sources, sources.c.title),
    "place": (sources, sources.c.title),
    "code": (codes, codes.c.name),
    "participant": (participants, participants.c.pseudonym),
    "organisation": (organisations, organisations.c.name),
    "activity": (activities, activities.c.title),
    "track": (tracks, tracks.c.name),
    "memo": (memos, memos.c.title),
}


def labels(conn: sa.Connection, refs: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """A short name for each (type, id) that still exists; a coding is named "code name: source title"."""
    out: dict[tuple[str, int], str] = {}
    by_type: dict[str, set[int]] = {}
    for kind, ident in refs:
        by_type.setdefault(kind, set()).add(ident)
    for kind, ids in by_type.items():
        if kind == "coding":
            q = (
                sa.select(codings.c.id, codes.c.name, sources.c.title)
                .join(codes, codes.c.id == codings.c.code_id)
                .join(sources, sources.c.id == codings.c.source_id)
                .where(codings.c.id.in_(ids))
            )
            for crow in conn.execute(q):
                out[(kind, crow.id)] = f"{crow.name}: {crow.title}"
        elif kind in _LABELS:
            table, column = _LABELS[kind]
            for row in conn.execute(sa.select(table.c.id, column.label("label")).where(table.c.id.in_(ids))):
                out[(kind, row.id)] = str(row.label)
    return out


def coding_places(conn: sa.Connection, coding_ids: set[int]) -> dict[int, tuple[int, int]]:
    """The source and start offset of each coding."""
    if not coding_ids:
        return {}
    q = sa.select(codings.c.id, codings.c.source_id, codings.c.start).where(codings.c.id.in_(coding_ids))
    return {row.id: (row.source_id, row.start) for row in conn.execute(q)}


def source_counts_by_participant(conn: sa.Connection) -> dict[int, int]:
    q = sa.select(source_participants.c.participant_id, sa.func.count()).group_by(source_participants.c.participant_id)
    return {int(pid): int(n) for pid, n in conn.execute(q)}


def source_counts_by_organisation(conn: sa.Connection) -> dict[int, int]:
    """Distinct sources with at least one participant of each organisation."""
    q = (
        sa.select(participants.c.organisation_id, sa.func.count(sa.distinct(source_participants.c.source_id)))
        .join(participants, participants.c.id == source_participants.c.participant_id)
        .where(participants.c.organisation_id.is_not(None))
        .group_by(participants.c.organisation_id)
    )
    return {int(oid): int(n) for oid, n in conn.execute(q)}


def source_ids_of_organisation(conn: sa.Connection, organisation_id: int) -> list[int]:
    """Sources with at least one participant of the organisation (those :func:`source_counts_by_organisation`
    counts)."""
    q = (
        sa.select(source_participants.c.source_id)
        .distinct()
        .join(participants, participants.c.id == source_participants.c.participant_id)
        .where(participants.c.organisation_id == organisation_id)
        .order_by(source_participants.c.source_id)
    )
    return [int(v) for v in conn.execute(q).scalars()]


def source_ids_of_participant(conn: sa.Connection, participant_id: int) -> list[int]:
    q = (
        sa.select(source_participants.c.source_id)
        .where(source_participants.c.participant_id == participant_id)
        .order_by(source_participants.c.source_id)
    )
    return [int(v) for v in conn.execute(q).scalars()]


def recent_changes(conn: sa.Connection, limit: int) -> list[Change]:
    """The last ``limit`` imports, codings, codes and memos (newest first). Each table is read newest id first
    (ids grow with time), so this reads at most ``limit`` rows of each table, whatever its size."""
    found: list[Change] = []
    q_src = sa.select(sources.c.id, sources.c.title, sources.c.imported_by, sources.c.created_at)
    for row in conn.execute(q_src.order_by(sources.c.id.desc()).limit(limit)):
        found.append(Change("import", row.id, row.title, row.imported_by, row.created_at))
    q_coding = (
        sa.select(
            codings.c.id, codings.c.source_id, codings.c.start, codings.c.coder, codings.c.created_at, codes.c.name
        )
        .join(codes, codes.c.id == codings.c.code_id)
        .order_by(codings.c.id.desc())
        .limit(limit)
    )
    for crow in conn.execute(q_coding):
        found.append(Change("coding", crow.id, crow.name, crow.coder, crow.created_at, crow.source_id, crow.start))
    q_code = sa.select(codes.c.id, codes.c.name, codes.c.created_by, codes.c.created_at)
    for krow in conn.execute(q_code.order_by(codes.c.id.desc()).limit(limit)):
        found.append(Change("code", krow.id, krow.name, krow.created_by, krow.created_at))
    q_memo = sa.select(memos.c.id, memos.c.title, memos.c.author, memos.c.updated_at)
    for mrow in conn.execute(q_memo.order_by(memos.c.updated_at.desc(), memos.c.id.desc()).limit(limit)):
        found.append(Change("memo", mrow.id, mrow.title, mrow.author, mrow.updated_at))
    found.sort(key=lambda c: (c.at, c.object_id), reverse=True)
    return found[:limit]
