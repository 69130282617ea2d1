"""SQL for the codebook (codes and their change events), codings and coded-text retrieval."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.model import Code, Coding
from aia.store.retrieval import slice_windows
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


def update_coding(conn: sa.Connection, coding_id: int, **values: Any) -> None:
    """Change a coding's code and/or comment (the web viewer's edit)."""
    conn.execute(codings.update().where(codings.c.id == coding_id).values(**values))


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


def _segment_at_start() -> sa.ScalarSelect[Any]:
    """The id of the last segment of the coding's source starting at or before the coding: one index probe
    (a range join on ``start <= coding.start AND end > coding.start`` scans every earlier segment)."""
    s2 = segments.alias("s2")
    return (
        sa.select(s2.c.id)
        .where(s2.c.source_id == codings.c.source_id, s2.c.start <= codings.c.start)
        .order_by(s2.c.start.desc())
        .limit(1)
        .scalar_subquery()
    )


def _retrieve_statement() -> sa.Select[Any]:
    seg = segments.alias("seg")
    q = (
        sa.select(
            codings.c.id,
            codings.c.code_id,
            codes.c.name,
            codings.c.source_id,
            sources.c.title,
            codings.c.start,
            codings.c.end,
            sa.null(),  # the text: sliced per source by retrieval.slice_windows (substr loads the whole text per call)
            codings.c.coder,
            codings.c.comment,
            seg.c.speaker,
            tracks.c.name,
            work_packages.c.number,
            activities.c.title,
            sa.func.coalesce(sources.c.date, activities.c.date),
            participants.c.pseudonym,
        )
        .select_from(codings)
        .join(codes, codes.c.id == codings.c.code_id)
        .join(sources, sources.c.id == codings.c.source_id)
        .join(work_packages, work_packages.c.id == sources.c.wp_id)
        .join(tracks, tracks.c.id == work_packages.c.track_id)
        .outerjoin(activities, activities.c.id == sources.c.activity_id)
        .outerjoin(seg, sa.and_(seg.c.id == _segment_at_start(), seg.c.end > codings.c.start))
        .outerjoin(participants, participants.c.id == seg.c.participant_id)
        .where(codings.c.code_id.in_(sa.bindparam("code_ids", expanding=True)))
        .order_by(tracks.c.id, work_packages.c.number, codings.c.source_id, codings.c.start, codings.c.id)
    )
    return q


#: built once: constructing this statement costs more than running it
_RETRIEVE = _retrieve_statement()


def retrieve(conn: sa.Connection, code_ids: Sequence[int]) -> list[CodedText]:
    """All coded text for the given codes, in source order, with provenance.

    One query for the passages (the segment holding each coding's start gives speaker and participant;
    segments never overlap, so the outer join adds at most one row) and one for the sources' participants.
    """
    rows = conn.execute(_RETRIEVE, {"code_ids": list(code_ids)}).all()
    windows = slice_windows(conn, [(r[3], r[5], r[6]) for r in rows])
    by_source: dict[int, list[str]] = {}
    source_ids = {r[3] for r in rows}
    if source_ids:
        sp = (
            sa.select(source_participants.c.source_id, participants.c.pseudonym)
            .join(participants, participants.c.id == source_participants.c.participant_id)
            .where(source_participants.c.source_id.in_(source_ids))
            .order_by(participants.c.pseudonym)
        )
        for source_id, pseudonym in conn.execute(sp):
            by_source.setdefault(source_id, []).append(pseudonym)
    out = []
    for cid, code_id, name, sid, title, start, end, _, coder, comment, speaker, track, wp, act, date, who in rows:
        people = [who] if who else by_source.get(sid, [])
        window_start, window = windows[sid]
        text = window[start - window_start : end - window_start]
        out.append(
            CodedText(
                cid,
                code_id,
                name,
                sid,
                title,
                start,
                end,
                text,
                coder,
                comment,
                speaker,
                list(people),
                track,
                wp,
                act,
                date,
            )
        )
    return out
