"""SQL for WP2 critical incidents: records, their spans, emerging categories (with history), classifications by
several researchers, and resolutions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.store.rows import new_id, to
from aia.store.schema import (
    incident_categories,
    incident_category_events,
    incident_classifications,
    incident_resolutions,
    incident_spans,
    incidents,
    participants,
    sources,
    tracks,
    work_packages,
)

VALENCES = ("helpful", "hindering")


@dataclass(frozen=True)
class IncidentSpan:
    id: int
    source_id: int
    start: int
    end: int
    coding_id: int | None
    source_title: str
    wp: int
    track: str
    text: str


@dataclass(frozen=True)
class Incident:
    id: int
    guid: str
    title: str
    situation: str
    action: str
    outcome: str
    valence: str | None
    ai_tools: list[str]
    competence: str
    reporter: str | None
    recorded_by: str
    created_at: str
    updated_at: str
    spans: list[IncidentSpan] = field(default_factory=list)


@dataclass(frozen=True)
class Category:
    id: int
    guid: str
    name: str
    description: str
    status: str
    merged_into: int | None
    created_by: str
    created_at: str


@dataclass(frozen=True)
class Classification:
    incident_id: int
    classifier: str
    category_id: int
    category: str


@dataclass(frozen=True)
class Resolution:
    incident_id: int
    category_id: int
    category: str
    resolved_by: str
    resolved_at: str
    note: str


# -- incidents ---------------------------------------------------------------------------------------------------------
def insert_incident(conn: sa.Connection, values: dict[str, Any], spans: Sequence[dict[str, Any]]) -> int:
    stamp = now()
    incident_id = new_id(
        conn.execute(incidents.insert().values(**values, guid=str(uuid.uuid4()), created_at=stamp, updated_at=stamp))
    )
    insert_spans(conn, incident_id, spans)
    return incident_id


def insert_spans(conn: sa.Connection, incident_id: int, spans: Sequence[dict[str, Any]]) -> None:
    if spans:
        conn.execute(incident_spans.insert(), [{**s, "incident_id": incident_id} for s in spans])


def update_incident(conn: sa.Connection, incident_id: int, values: dict[str, Any]) -> None:
    conn.execute(incidents.update().where(incidents.c.id == incident_id).values(**values, updated_at=now()))


def delete_incident(conn: sa.Connection, incident_id: int) -> None:
    conn.execute(incidents.delete().where(incidents.c.id == incident_id))


def _spans(conn: sa.Connection, incident_ids: Sequence[int]) -> dict[int, list[IncidentSpan]]:
    if not incident_ids:
        return {}
    length = incident_spans.c.end - incident_spans.c.start
    q = (
        sa.select(
            incident_spans.c.incident_id,
            incident_spans.c.id,
            incident_spans.c.source_id,
            incident_spans.c.start,
            incident_spans.c.end,
            incident_spans.c.coding_id,
            sources.c.title.label("source_title"),
            work_packages.c.number.label("wp"),
            tracks.c.prefix.label("track"),
            sa.func.substr(sources.c.text, incident_spans.c.start + 1, length).label("text"),
        )
        .join(sources, sources.c.id == incident_spans.c.source_id)
        .join(work_packages, work_packages.c.id == sources.c.wp_id)
        .join(tracks, tracks.c.id == work_packages.c.track_id)
        .where(incident_spans.c.incident_id.in_(list(incident_ids)))
        .order_by(incident_spans.c.incident_id, incident_spans.c.source_id, incident_spans.c.start)
    )
    out: dict[int, list[IncidentSpan]] = {}
    for row in conn.execute(q):
        out.setdefault(int(row.incident_id), []).append(to(IncidentSpan, row))
    return out


def list_incidents(
    conn: sa.Connection,
    incident_ids: Sequence[int] | None = None,
    track_id: int | None = None,
    wp: int | None = None,
    source_id: int | None = None,
    valence: str | None = None,
    reporter_id: int | None = None,
) -> list[Incident]:
    q = sa.select(incidents, participants.c.pseudonym.label("reporter")).outerjoin(
        participants, participants.c.id == incidents.c.reporter_id
    )
    if incident_ids is not None:
        q = q.where(incidents.c.id.in_(list(incident_ids)))
    if valence is not None:
        q = q.where(incidents.c.valence == valence)
    if reporter_id is not None:
        q = q.where(incidents.c.reporter_id == reporter_id)
    if track_id is not None or wp is not None or source_id is not None:
        inner = (
            sa.select(incident_spans.c.incident_id)
            .join(sources, sources.c.id == incident_spans.c.source_id)
            .join(work_packages, work_packages.c.id == sources.c.wp_id)
        )
        if track_id is not None:
            inner = inner.where(work_packages.c.track_id == track_id)
        if wp is not None:
            inner = inner.where(work_packages.c.number == wp)
        if source_id is not None:
            inner = inner.where(incident_spans.c.source_id == source_id)
        q = q.where(incidents.c.id.in_(inner))
    rows = conn.execute(q.order_by(incidents.c.id)).all()
    spans = _spans(conn, [int(r.id) for r in rows])
    return [
        Incident(
            **{
                **{k: r._mapping[k] for k in Incident.__dataclass_fields__ if k != "spans"},
                "spans": spans.get(int(r.id), []),
            }
        )
        for r in rows
    ]


# -- categories --------------------------------------------------------------------------------------------------------
def insert_category(conn: sa.Connection, name: str, description: str, user: str) -> Category:
    category_id = new_id(
        conn.execute(
            incident_categories.insert().values(
                guid=str(uuid.uuid4()), name=name, description=description, created_by=user, created_at=now()
            )
        )
    )
    return get_category(conn, category_id)


def get_category(conn: sa.Connection, category_id: int) -> Category:
    return to(
        Category, conn.execute(sa.select(incident_categories).where(incident_categories.c.id == category_id)).one()
    )


def find_categories(conn: sa.Connection, ref: str, active_only: bool = True) -> list[Category]:
    cond = sa.func.lower(incident_categories.c.name) == ref.strip().lower()
    if ref.strip().isdigit():
        cond = sa.or_(cond, incident_categories.c.id == int(ref))
    q = sa.select(incident_categories).where(cond)
    if active_only:
        q = q.where(incident_categories.c.status == "active")
    return [to(Category, r) for r in conn.execute(q.order_by(incident_categories.c.id))]


def list_categories(conn: sa.Connection, include_merged: bool = False) -> list[Category]:
    q = sa.select(incident_categories).order_by(incident_categories.c.id)
    if not include_merged:
        q = q.where(incident_categories.c.status == "active")
    return [to(Category, r) for r in conn.execute(q)]


def update_category(conn: sa.Connection, category_id: int, values: dict[str, Any]) -> None:
    conn.execute(incident_categories.update().where(incident_categories.c.id == category_id).values(**values))


def insert_category_event(
    conn: sa.Connection, actor: str, action: str, category: Category, details: dict[str, Any], rationale: str | None
) -> None:
    conn.execute(
        incident_category_events.insert().values(
            at=now(),
            actor=actor,
            action=action,
            category_id=category.id,
            category_name=category.name,
            details=details,
            rationale=rationale,
        )
    )


def list_category_events(conn: sa.Connection) -> list[dict[str, Any]]:
    q = sa.select(incident_category_events).order_by(incident_category_events.c.id)
    return [dict(r._mapping) for r in conn.execute(q)]


def move_classifications(
    conn: sa.Connection, from_id: int, to_id: int, incident_ids: Sequence[int] | None = None
) -> int:
    """Move classifications (and resolutions) from one category to another; returns how many classifications."""
    moved = 0
    for table in (incident_classifications, incident_resolutions):
        stmt = table.update().where(table.c.category_id == from_id).values(category_id=to_id)
        if incident_ids is not None:
            stmt = stmt.where(table.c.incident_id.in_(list(incident_ids)))
        result = conn.execute(stmt)
        if table is incident_classifications:
            moved = int(result.rowcount)
    return moved


# -- classifications ---------------------------------------------------------------------------------------------------
def set_classification(conn: sa.Connection, incident_id: int, classifier: str, category_id: int) -> None:
    t = incident_classifications
    existing = conn.execute(
        sa.select(t.c.id).where(t.c.incident_id == incident_id, t.c.classifier == classifier)
    ).scalar()
    if existing is None:
        conn.execute(
            t.insert().values(incident_id=incident_id, classifier=classifier, category_id=category_id, created_at=now())
        )
    else:
        conn.execute(t.update().where(t.c.id == existing).values(category_id=category_id, created_at=now()))


def delete_classification(conn: sa.Connection, incident_id: int, classifier: str) -> int:
    t = incident_classifications
    return int(conn.execute(t.delete().where(t.c.incident_id == incident_id, t.c.classifier == classifier)).rowcount)


def list_classifications(conn: sa.Connection, incident_ids: Sequence[int] | None = None) -> list[Classification]:
    t = incident_classifications
    q = (
        sa.select(t.c.incident_id, t.c.classifier, t.c.category_id, incident_categories.c.name.label("category"))
        .join(incident_categories, incident_categories.c.id == t.c.category_id)
        .order_by(t.c.incident_id, t.c.classifier)
    )
    if incident_ids is not None:
        q = q.where(t.c.incident_id.in_(list(incident_ids)))
    return [to(Classification, r) for r in conn.execute(q)]


def category_in_use(conn: sa.Connection, category_id: int) -> bool:
    for table in (incident_classifications, incident_resolutions):
        if conn.execute(sa.select(table.c.incident_id).where(table.c.category_id == category_id).limit(1)).first():
            return True
    return False


# -- resolutions -------------------------------------------------------------------------------------------------------
def set_resolution(conn: sa.Connection, incident_id: int, category_id: int, user: str, note: str) -> None:
    t = incident_resolutions
    conn.execute(t.delete().where(t.c.incident_id == incident_id))
    conn.execute(
        t.insert().values(
            incident_id=incident_id, category_id=category_id, resolved_by=user, resolved_at=now(), note=note
        )
    )


def list_resolutions(conn: sa.Connection) -> dict[int, Resolution]:
    t = incident_resolutions
    q = sa.select(
        t.c.incident_id,
        t.c.category_id,
        incident_categories.c.name.label("category"),
        t.c.resolved_by,
        t.c.resolved_at,
        t.c.note,
    ).join(incident_categories, incident_categories.c.id == t.c.category_id)
    return {int(r.incident_id): to(Resolution, r) for r in conn.execute(q)}
