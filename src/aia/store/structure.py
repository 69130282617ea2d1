"""SQL for the AiA structure: tracks (forløb), work packages, activities, organisations, participants."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.model import WORK_PACKAGES, Activity, Organisation, Participant, Track, WorkPackage
from aia.store.rows import new_id, to
from aia.store.schema import (
    activities,
    activity_participants,
    organisations,
    participants,
    tracks,
    work_packages,
)


def insert_track(conn: sa.Connection, name: str, prefix: str, description: str) -> Track:
    track_id = new_id(
        conn.execute(
            tracks.insert().values(
                guid=str(uuid.uuid4()), name=name, prefix=prefix, description=description, created_at=now()
            )
        )
    )
    conn.execute(
        work_packages.insert(),
        [
            {
                "track_id": track_id,
                "number": wp.number,
                "name": wp.name,
                "method": wp.method,
                "description": wp.description,
            }
            for wp in WORK_PACKAGES
        ],
    )
    return get_track(conn, int(track_id))


def get_track(conn: sa.Connection, track_id: int) -> Track:
    return to(Track, conn.execute(sa.select(tracks).where(tracks.c.id == track_id)).one())


def find_tracks(conn: sa.Connection, ref: str) -> list[Track]:
    """Tracks whose id, name (case-insensitive) or prefix matches ``ref``."""
    cond = sa.or_(sa.func.lower(tracks.c.name) == ref.lower(), sa.func.upper(tracks.c.prefix) == ref.upper())
    if ref.isdigit():
        cond = sa.or_(cond, tracks.c.id == int(ref))
    return [to(Track, r) for r in conn.execute(sa.select(tracks).where(cond).order_by(tracks.c.id))]


def list_tracks(conn: sa.Connection) -> list[Track]:
    return [to(Track, r) for r in conn.execute(sa.select(tracks).order_by(tracks.c.id))]


def track_name_or_prefix_taken(conn: sa.Connection, name: str, prefix: str) -> bool:
    q = sa.select(sa.func.count()).where(
        sa.or_(sa.func.lower(tracks.c.name) == name.lower(), sa.func.upper(tracks.c.prefix) == prefix.upper())
    )
    return bool(conn.execute(q.select_from(tracks)).scalar())


def list_work_packages(conn: sa.Connection, track_id: int | None = None) -> list[WorkPackage]:
    q = sa.select(work_packages).order_by(work_packages.c.track_id, work_packages.c.number)
    if track_id is not None:
        q = q.where(work_packages.c.track_id == track_id)
    return [to(WorkPackage, r) for r in conn.execute(q)]


def get_work_package(conn: sa.Connection, wp_id: int) -> WorkPackage:
    return to(WorkPackage, conn.execute(sa.select(work_packages).where(work_packages.c.id == wp_id)).one())


def find_work_package(conn: sa.Connection, track_id: int, number: int) -> WorkPackage | None:
    row = conn.execute(
        sa.select(work_packages).where(work_packages.c.track_id == track_id, work_packages.c.number == number)
    ).one_or_none()
    return to(WorkPackage, row) if row else None


def insert_activity(conn: sa.Connection, values: dict[str, Any], participant_ids: Sequence[int]) -> Activity:
    activity_id = new_id(conn.execute(activities.insert().values(**values, created_at=now())))
    if participant_ids:
        conn.execute(
            activity_participants.insert(),
            [{"activity_id": activity_id, "participant_id": pid} for pid in participant_ids],
        )
    return get_activity(conn, int(activity_id))


def get_activity(conn: sa.Connection, activity_id: int) -> Activity:
    row = conn.execute(sa.select(activities).where(activities.c.id == activity_id)).one_or_none()
    if row is None:
        from aia.errors import NotFoundError

        raise NotFoundError(f"there is no activity {activity_id}; 'aia activity list' shows them")
    return to(Activity, row)


def list_activities(
    conn: sa.Connection, track_id: int | None = None, wp_number: int | None = None
) -> list[tuple[Activity, WorkPackage]]:
    q = sa.select(activities, work_packages.c.track_id, work_packages.c.number).join(
        work_packages, work_packages.c.id == activities.c.wp_id
    )
    if track_id is not None:
        q = q.where(work_packages.c.track_id == track_id)
    if wp_number is not None:
        q = q.where(work_packages.c.number == wp_number)
    out = []
    wps = {wp.id: wp for wp in list_work_packages(conn, track_id)}
    for row in conn.execute(q.order_by(activities.c.date, activities.c.id)):
        out.append((to(Activity, row), wps[row.wp_id]))
    return out


def activity_participant_ids(conn: sa.Connection, activity_id: int) -> list[int]:
    q = sa.select(activity_participants.c.participant_id).where(activity_participants.c.activity_id == activity_id)
    return [int(r[0]) for r in conn.execute(q)]


def insert_organisation(
    conn: sa.Connection, name: str, sector: str | None, size: str | None, attributes: dict[str, Any]
) -> Organisation:
    count = conn.execute(sa.select(sa.func.count()).select_from(organisations)).scalar() or 0
    code = f"ORG-{count + 1:02d}"
    while conn.execute(sa.select(organisations.c.id).where(organisations.c.code == code)).first():
        count += 1
        code = f"ORG-{count + 1:02d}"
    org_id = new_id(
        conn.execute(
            organisations.insert().values(
                guid=str(uuid.uuid4()), code=code, name=name, sector=sector, size=size, attributes=attributes
            )
        )
    )
    return to(Organisation, conn.execute(sa.select(organisations).where(organisations.c.id == org_id)).one())


def find_organisations(conn: sa.Connection, ref: str) -> list[Organisation]:
    cond = sa.or_(
        sa.func.lower(organisations.c.name) == ref.lower(), sa.func.upper(organisations.c.code) == ref.upper()
    )
    if ref.isdigit():
        cond = sa.or_(cond, organisations.c.id == int(ref))
    return [to(Organisation, r) for r in conn.execute(sa.select(organisations).where(cond))]


def list_organisations(conn: sa.Connection) -> list[Organisation]:
    return [to(Organisation, r) for r in conn.execute(sa.select(organisations).order_by(organisations.c.id))]


def next_pseudonym(conn: sa.Connection, track: Track) -> str:
    """The next free ``PREFIX-Pnn`` pseudonym in a track (never reuses a number, even after deletions)."""
    existing = conn.execute(
        sa.select(participants.c.pseudonym).where(participants.c.pseudonym.like(f"{track.prefix}-P%"))
    ).scalars()
    numbers = [int(p.rsplit("-P", 1)[1]) for p in existing if p.rsplit("-P", 1)[1].isdigit()]
    return f"{track.prefix}-P{max(numbers, default=0) + 1:02d}"


def insert_participant(conn: sa.Connection, values: dict[str, Any]) -> Participant:
    pid = new_id(conn.execute(participants.insert().values(**values, guid=str(uuid.uuid4()), created_at=now())))
    return to(Participant, conn.execute(sa.select(participants).where(participants.c.id == pid)).one())


def find_participants(conn: sa.Connection, ref: str) -> list[Participant]:
    cond = sa.func.upper(participants.c.pseudonym) == ref.upper()
    if ref.isdigit():
        cond = sa.or_(cond, participants.c.id == int(ref))
    return [to(Participant, r) for r in conn.execute(sa.select(participants).where(cond))]


def list_participants(conn: sa.Connection, track_id: int | None = None) -> list[Participant]:
    q = sa.select(participants).order_by(participants.c.track_id, participants.c.pseudonym)
    if track_id is not None:
        q = q.where(participants.c.track_id == track_id)
    return [to(Participant, r) for r in conn.execute(q)]


def pseudonym_ids(conn: sa.Connection) -> dict[str, int]:
    """Upper-cased pseudonym → participant id."""
    return {str(p).upper(): int(i) for i, p in conn.execute(sa.select(participants.c.id, participants.c.pseudonym))}
