"""SQL for WP1: probes, probe sessions (activities run with a probe), the annotation taxonomy and turn annotations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.store.rows import new_id, to
from aia.store.schema import (
    activities,
    activity_participants,
    annotation_terms,
    memos,
    participants,
    probe_sessions,
    probes,
    segments,
    sources,
    tracks,
    turn_annotations,
    work_packages,
)

PROBE_KINDS = ("jailbreak challenge", "provotype", "code-review probe", "other")
DIMENSIONS = ("technique", "outcome")


@dataclass(frozen=True)
class Probe:
    id: int
    guid: str
    name: str
    kind: str
    instructions: str
    setup: str
    created_by: str
    created_at: str


@dataclass(frozen=True)
class Term:
    id: int
    dimension: str
    name: str
    description: str
    position: int


@dataclass(frozen=True)
class TurnAnnotation:
    id: int
    source_id: int
    ordinal: int
    technique: str | None
    outcome: str | None
    note: str
    annotator: str
    created_at: str
    speaker: str | None = None


@dataclass(frozen=True)
class SessionRow:
    activity_id: int
    probe_id: int
    probe_name: str
    title: str
    date: str | None
    participants: list[str]


# -- probes ------------------------------------------------------------------------------------------------------------
def insert_probe(conn: sa.Connection, values: dict[str, Any]) -> Probe:
    probe_id = new_id(conn.execute(probes.insert().values(**values, guid=str(uuid.uuid4()), created_at=now())))
    return get_probe(conn, probe_id)


def get_probe(conn: sa.Connection, probe_id: int) -> Probe:
    return to(Probe, conn.execute(sa.select(probes).where(probes.c.id == probe_id)).one())


def find_probe(conn: sa.Connection, ref: str) -> Probe | None:
    cond = sa.func.lower(probes.c.name) == ref.strip().lower()
    if ref.strip().isdigit():
        cond = sa.or_(cond, probes.c.id == int(ref))
    row = conn.execute(sa.select(probes).where(cond).order_by(probes.c.id)).first()
    return to(Probe, row) if row else None


def list_probes(conn: sa.Connection) -> list[Probe]:
    return [to(Probe, r) for r in conn.execute(sa.select(probes).order_by(probes.c.id))]


def update_probe(conn: sa.Connection, probe_id: int, values: dict[str, Any]) -> Probe:
    conn.execute(probes.update().where(probes.c.id == probe_id).values(**values))
    return get_probe(conn, probe_id)


# -- sessions ----------------------------------------------------------------------------------------------------------
def insert_session(conn: sa.Connection, activity_id: int, probe_id: int) -> None:
    conn.execute(probe_sessions.insert().values(activity_id=activity_id, probe_id=probe_id, created_at=now()))


def session_probe(conn: sa.Connection, activity_id: int) -> int | None:
    value = conn.execute(
        sa.select(probe_sessions.c.probe_id).where(probe_sessions.c.activity_id == activity_id)
    ).scalar()
    return int(value) if value is not None else None


def add_activity_participants(conn: sa.Connection, activity_id: int, participant_ids: list[int]) -> None:
    """Link participants to an activity (those linked already are left as they are)."""
    have = set(
        conn.execute(
            sa.select(activity_participants.c.participant_id).where(activity_participants.c.activity_id == activity_id)
        ).scalars()
    )
    new = sorted(set(participant_ids) - have)
    if new:
        conn.execute(
            activity_participants.insert(), [{"activity_id": activity_id, "participant_id": pid} for pid in new]
        )


def list_sessions(conn: sa.Connection, probe_id: int | None = None) -> list[SessionRow]:
    q = (
        sa.select(
            probe_sessions.c.activity_id,
            probe_sessions.c.probe_id,
            probes.c.name,
            activities.c.title,
            activities.c.date,
        )
        .join(probes, probes.c.id == probe_sessions.c.probe_id)
        .join(activities, activities.c.id == probe_sessions.c.activity_id)
        .order_by(activities.c.date, activities.c.id)
    )
    if probe_id is not None:
        q = q.where(probe_sessions.c.probe_id == probe_id)
    rows = conn.execute(q).all()
    people: dict[int, list[str]] = {}
    if rows:
        pq = (
            sa.select(activity_participants.c.activity_id, participants.c.pseudonym)
            .join(participants, participants.c.id == activity_participants.c.participant_id)
            .where(activity_participants.c.activity_id.in_([r.activity_id for r in rows]))
            .order_by(participants.c.pseudonym)
        )
        for activity_id, pseudonym in conn.execute(pq):
            people.setdefault(int(activity_id), []).append(str(pseudonym))
    return [
        SessionRow(
            int(r.activity_id), int(r.probe_id), str(r.name), str(r.title), r.date, people.get(r.activity_id, [])
        )
        for r in rows
    ]


def session_sources(conn: sa.Connection, activity_ids: list[int]) -> list[dict[str, Any]]:
    """The sources of the sessions' activities: id, activity, title, importer, turn count."""
    if not activity_ids:
        return []
    turns = (
        sa.select(sa.func.count())
        .where(segments.c.source_id == sources.c.id, segments.c.kind == "turn")
        .scalar_subquery()
    )
    q = (
        sa.select(sources.c.id, sources.c.activity_id, sources.c.title, sources.c.importer, turns.label("turns"))
        .where(sources.c.activity_id.in_(activity_ids))
        .order_by(sources.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(q)]


def session_memos(conn: sa.Connection, activity_ids: list[int]) -> list[dict[str, Any]]:
    if not activity_ids:
        return []
    q = (
        sa.select(memos.c.id, memos.c.target_id.label("activity_id"), memos.c.title, memos.c.body, memos.c.author)
        .where(memos.c.target_type == "activity", memos.c.target_id.in_(activity_ids))
        .order_by(memos.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(q)]


# -- taxonomy ----------------------------------------------------------------------------------------------------------
def list_terms(conn: sa.Connection, dimension: str | None = None) -> list[Term]:
    q = sa.select(annotation_terms).order_by(
        annotation_terms.c.dimension, annotation_terms.c.position, annotation_terms.c.id
    )
    if dimension is not None:
        q = q.where(annotation_terms.c.dimension == dimension)
    return [to(Term, r) for r in conn.execute(q)]


def find_term(conn: sa.Connection, dimension: str, name: str) -> Term | None:
    row = conn.execute(
        sa.select(annotation_terms).where(
            annotation_terms.c.dimension == dimension,
            sa.func.lower(annotation_terms.c.name) == name.strip().lower(),
        )
    ).first()
    return to(Term, row) if row else None


def insert_term(conn: sa.Connection, dimension: str, name: str, description: str) -> Term:
    position = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(annotation_terms.c.position), -1) + 1).where(
            annotation_terms.c.dimension == dimension
        )
    ).scalar_one()
    term_id = new_id(
        conn.execute(
            annotation_terms.insert().values(
                dimension=dimension, name=name, description=description, position=int(position)
            )
        )
    )
    return to(Term, conn.execute(sa.select(annotation_terms).where(annotation_terms.c.id == term_id)).one())


def update_term(conn: sa.Connection, term_id: int, values: dict[str, Any]) -> None:
    conn.execute(annotation_terms.update().where(annotation_terms.c.id == term_id).values(**values))


def term_in_use(conn: sa.Connection, term_id: int) -> int:
    q = sa.select(sa.func.count()).where(
        sa.or_(turn_annotations.c.technique_id == term_id, turn_annotations.c.outcome_id == term_id)
    )
    return int(conn.execute(q.select_from(turn_annotations)).scalar_one())


def delete_term(conn: sa.Connection, term_id: int) -> None:
    conn.execute(annotation_terms.delete().where(annotation_terms.c.id == term_id))


# -- turn annotations --------------------------------------------------------------------------------------------------
def upsert_annotation(conn: sa.Connection, values: dict[str, Any]) -> int:
    existing = conn.execute(
        sa.select(turn_annotations.c.id).where(
            turn_annotations.c.source_id == values["source_id"], turn_annotations.c.ordinal == values["ordinal"]
        )
    ).scalar()
    if existing is not None:
        conn.execute(turn_annotations.update().where(turn_annotations.c.id == existing).values(**values))
        return int(existing)
    return new_id(conn.execute(turn_annotations.insert().values(**values, created_at=now())))


def delete_annotation(conn: sa.Connection, source_id: int, ordinal: int) -> int:
    result = conn.execute(
        turn_annotations.delete().where(
            turn_annotations.c.source_id == source_id, turn_annotations.c.ordinal == ordinal
        )
    )
    return int(result.rowcount)


def list_annotations(conn: sa.Connection, source_ids: list[int] | None = None) -> list[TurnAnnotation]:
    technique = annotation_terms.alias("technique")
    outcome = annotation_terms.alias("outcome")
    q = (
        sa.select(
            turn_annotations.c.id,
            turn_annotations.c.source_id,
            turn_annotations.c.ordinal,
            technique.c.name.label("technique"),
            outcome.c.name.label("outcome"),
            turn_annotations.c.note,
            turn_annotations.c.annotator,
            turn_annotations.c.created_at,
            segments.c.speaker,
        )
        .outerjoin(technique, technique.c.id == turn_annotations.c.technique_id)
        .outerjoin(outcome, outcome.c.id == turn_annotations.c.outcome_id)
        .outerjoin(
            segments,
            sa.and_(
                segments.c.source_id == turn_annotations.c.source_id, segments.c.ordinal == turn_annotations.c.ordinal
            ),
        )
        .order_by(turn_annotations.c.source_id, turn_annotations.c.ordinal)
    )
    if source_ids is not None:
        q = q.where(turn_annotations.c.source_id.in_(source_ids))
    return [to(TurnAnnotation, r) for r in conn.execute(q)]


#: importers whose sources are AI-interaction logs (one turn segment per message)
AI_LOG_IMPORTERS = ("chatgpt", "claude", "devgpt", "ailog")


def ai_log_sources(conn: sa.Connection, outside_activity: int | None = None) -> list[dict[str, Any]]:
    """AI-log sources (id, title, importer, activity id, WP number, forløb), without those of ``outside_activity``."""
    q = (
        sa.select(
            sources.c.id,
            sources.c.title,
            sources.c.importer,
            sources.c.activity_id,
            work_packages.c.number.label("wp"),
            tracks.c.name.label("track"),
        )
        .join(work_packages, work_packages.c.id == sources.c.wp_id)
        .join(tracks, tracks.c.id == work_packages.c.track_id)
        .where(sources.c.importer.in_(AI_LOG_IMPORTERS))
        .order_by(sources.c.id)
    )
    if outside_activity is not None:
        q = q.where(sa.or_(sources.c.activity_id.is_(None), sources.c.activity_id != outside_activity))
    return [dict(r._mapping) for r in conn.execute(q)]
