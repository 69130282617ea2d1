"""SQL for the codebook (codes and their change events), codings and coded-text retrieval."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.model import Code, Coding
from aia.store.rows import new_id, to
from aia.store.schema import (
    activities,
    code_events,
    codes,
    codings,
    participants,
    segments,
    source_participants,
    sources,
    tracks,
    work_packages,
)


def insert_code(conn: sa.Connection, values: dict[str, Any]) -> Code:
    code_id = new_id(conn.execute(codes.insert().values(**values, guid=str(uuid.uuid4()), created_at=now())))
    return get_code(conn, int(code_id))


def get_code(conn: sa.Connection, code_id: int) -> Code:
    return to(Code, conn.execute(sa.select(codes).where(codes.c.id == code_id)).one())


def list_codes(conn: sa.Connection) -> list[Code]:
    return [to(Code, r) for r in conn.execute(sa.select(codes).order_by(codes.c.name, codes.c.id))]


def update_code(conn: sa.Connection, code_id: int, **values: Any) -> None:
    conn.execute(codes.update().where(codes.c.id == code_id).values(**values))


def delete_codes(conn: sa.Connection, code_ids: Sequence[int]) -> None:
    # children before parents (the parent reference is RESTRICT)
    for code_id in code_ids:
        conn.execute(codes.delete().where(codes.c.id == code_id))


def coding_counts(conn: sa.Connection) -> dict[int, int]:
    q = sa.select(codings.c.code_id, sa.func.count()).group_by(codings.c.code_id)
    return {int(code_id): int(n) for code_id, n in conn.execute(q)}


def count_codings(conn: sa.Connection, code_ids: Sequence[int]) -> int:
    q = sa.select(sa.func.count()).select_from(codings).where(codings.c.code_id.in_(code_ids))
    return int(conn.execute(q).scalar() or 0)


def move_codings(conn: sa.Connection, from_code: int, to_code: int) -> int:
    return conn.execute(codings.update().where(codings.c.code_id == from_code).values(code_id=to_code)).rowcount


def reparent_children(conn: sa.Connection, from_code: int, to_code: int) -> None:
    conn.execute(codes.update().where(codes.c.parent_id == from_code).values(parent_id=to_code))


def delete_codings_of(conn: sa.Connection, code_ids: Sequence[int]) -> int:
    return conn.execute(codings.delete().where(codings.c.code_id.in_(code_ids))).rowcount


def insert_event(
    conn: sa.Connection, actor: str, action: str, code: Code, details: dict[str, Any], rationale: str | None
) -> None:
    conn.execute(
        code_events.insert().values(
            at=now(),
            actor=actor,
            action=action,
            code_guid=code.guid,
            code_name=code.name,
            details=details,
            rationale=rationale,
        )
    )


def list_events(conn: sa.Connection, code_guid: str | None = None) -> list[dict[str, Any]]:
    q = sa.select(code_events).order_by(code_events.c.id)
    if code_guid is not None:
        q = q.where(code_events.c.code_guid == code_guid)
    return [dict(r._mapping) for r in conn.execute(q)]


def insert_coding(conn: sa.Connection, values: dict[str, Any]) -> Coding:
    coding_id = new_id(conn.execute(codings.insert().values(**values, guid=str(uuid.uuid4()), created_at=now())))
    return get_coding(conn, int(coding_id))


def get_coding(conn: sa.Connection, coding_id: int) -> Coding:
    return to(Coding, conn.execute(sa.select(codings).where(codings.c.id == coding_id)).one())


def find_coding(conn: sa.Connection, coding_id: int) -> Coding | None:
    row = conn.execute(sa.select(codings).where(codings.c.id == coding_id)).first()
    return to(Coding, row) if row else None


def delete_coding(conn: sa.Connection, coding_id: int) -> None:
    conn.execute(codings.delete().where(codings.c.id == coding_id))


def list_codings(
    conn: sa.Connection, source_id: int | None = None, code_ids: Sequence[int] | None = None
) -> list[Coding]:
    q = sa.select(codings).order_by(codings.c.source_id, codings.c.start, codings.c.id)
    if source_id is not None:
        q = q.where(codings.c.source_id == source_id)
    if code_ids is not None:
        q = q.where(codings.c.code_id.in_(code_ids))
    return [to(Coding, r) for r in conn.execute(q)]


@dataclass(frozen=True)
class CodedText:
    """One coded passage with where it comes from."""

    coding_id: int
    code_id: int
    code_name: str
    source_id: int
    source_title: str
    start: int
    end: int
    text: str
    coder: str
    comment: str | None
    speaker: str | None
    participants: list[str]
    track: str
    wp: int
    activity: str | None
    date: str | None


def retrieve(conn: sa.Connection, code_ids: Sequence[int]) -> list[CodedText]:
    """All coded text for the given codes, in source order, with provenance (one query plus one for names)."""
    seg = segments.alias("seg")
    speaker = (
        sa.select(seg.c.speaker)
        .where(seg.c.source_id == codings.c.source_id, seg.c.start <= codings.c.start, seg.c.end > codings.c.start)
        .order_by(seg.c.ordinal)
        .limit(1)
        .scalar_subquery()
    )
    seg_participant = (
        sa.select(seg.c.participant_id)
        .where(seg.c.source_id == codings.c.source_id, seg.c.start <= codings.c.start, seg.c.end > codings.c.start)
        .order_by(seg.c.ordinal)
        .limit(1)
        .scalar_subquery()
    )
    q = (
        sa.select(
            codings.c.id.label("coding_id"),
            codings.c.code_id,
            codes.c.name.label("code_name"),
            codings.c.source_id,
            sources.c.title.label("source_title"),
            codings.c.start,
            codings.c.end,
            sa.func.substr(sources.c.text, codings.c.start + 1, codings.c.end - codings.c.start).label("text"),
            codings.c.coder,
            codings.c.comment,
            speaker.label("speaker"),
            seg_participant.label("seg_participant"),
            tracks.c.name.label("track"),
            work_packages.c.number.label("wp"),
            activities.c.title.label("activity"),
            sa.func.coalesce(sources.c.date, activities.c.date).label("date"),
        )
        .select_from(codings)
        .join(codes, codes.c.id == codings.c.code_id)
        .join(sources, sources.c.id == codings.c.source_id)
        .join(work_packages, work_packages.c.id == sources.c.wp_id)
        .join(tracks, tracks.c.id == work_packages.c.track_id)
        .outerjoin(activities, activities.c.id == sources.c.activity_id)
        .where(codings.c.code_id.in_(code_ids))
        .order_by(tracks.c.id, work_packages.c.number, codings.c.source_id, codings.c.start)
    )
    rows = conn.execute(q).all()
    source_ids = {r.source_id for r in rows}
    pseudonyms = {int(pid): str(p) for pid, p in conn.execute(sa.select(participants.c.id, participants.c.pseudonym))}
    by_source: dict[int, list[str]] = {}
    if source_ids:
        sp = sa.select(source_participants).where(source_participants.c.source_id.in_(source_ids))
        for r in conn.execute(sp):
            by_source.setdefault(int(r.source_id), []).append(pseudonyms[int(r.participant_id)])
    out = []
    for r in rows:
        people = [pseudonyms[r.seg_participant]] if r.seg_participant else sorted(by_source.get(r.source_id, []))
        out.append(
            CodedText(
                coding_id=r.coding_id,
                code_id=r.code_id,
                code_name=r.code_name,
                source_id=r.source_id,
                source_title=r.source_title,
                start=r.start,
                end=r.end,
                text=r.text,
                coder=r.coder,
                comment=r.comment,
                speaker=r.speaker,
                participants=people,
                track=r.track,
                wp=r.wp,
                activity=r.activity,
                date=r.date,
            )
        )
    return out
