"""SQL for the REFI-QDA import: what the project holds (by GUID), and storing a whole import plan.

:func:`store_plan` runs inside the import's one write transaction: a handful of bulk statements per table, ids
given here (the caller holds the write lock). Sources go through :func:`aia.store.sources.insert_sources`, the one
place segments are inserted and indexed for search; the GUIDs read from the file are then put on the new rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.exchange.refi.plan import Existing, Plan, StoredCoding
from aia.model import WORK_PACKAGES
from aia.store import sources as sources_db
from aia.store.schema import (
    code_events,
    codes,
    codings,
    memos,
    organisations,
    participants,
    sources,
    tracks,
    work_packages,
)
from aia.text.stemming import index_columns


def existing(conn: sa.Connection) -> Existing:
    """What the project holds, keyed by lower-case GUID."""
    return Existing(
        tracks={
            str(g).lower(): (int(i), str(n), str(p))
            for i, g, n, p in conn.execute(sa.select(tracks.c.id, tracks.c.guid, tracks.c.name, tracks.c.prefix))
        },
        codes={
            str(g).lower(): (int(i), None if p is None else int(p), str(n))
            for i, g, p, n in conn.execute(sa.select(codes.c.id, codes.c.guid, codes.c.parent_id, codes.c.name))
        },
        sources={str(g).lower(): int(i) for i, g in conn.execute(sa.select(sources.c.id, sources.c.guid))},
        codings={str(g).lower() for g in conn.execute(sa.select(codings.c.guid)).scalars()},
        memos={str(g).lower() for g in conn.execute(sa.select(memos.c.guid)).scalars()},
        participants={
            str(g).lower(): int(i) for i, g in conn.execute(sa.select(participants.c.id, participants.c.guid))
        },
        pseudonyms={str(p).upper() for p in conn.execute(sa.select(participants.c.pseudonym)).scalars()},
        organisations={
            str(g).lower(): int(i) for i, g in conn.execute(sa.select(organisations.c.id, organisations.c.guid))
        },
        organisation_names={
            str(n).lower(): str(g).lower()
            for n, g in conn.execute(sa.select(organisations.c.name, organisations.c.guid))
        },
        organisation_codes={str(c) for c in conn.execute(sa.select(organisations.c.code)).scalars()},
        code_count=int(conn.execute(sa.select(sa.func.count()).select_from(codes)).scalar_one()),
        code_details={
            str(g).lower(): (str(d or ""), str(c))
            for g, d, c in conn.execute(sa.select(codes.c.guid, codes.c.description, codes.c.color))
        },
        source_titles={str(g).lower(): str(t) for g, t in conn.execute(sa.select(sources.c.guid, sources.c.title))},
        coding_rows={
            str(g).lower(): StoredCoding(int(s), int(c), int(a), int(b), m)
            for g, s, c, a, b, m in conn.execute(
                sa.select(
                    codings.c.guid,
                    codings.c.source_id,
                    codings.c.code_id,
                    codings.c.start,
                    codings.c.end,
                    codings.c.comment,
                )
            )
        },
        memo_rows={
            str(g).lower(): (str(t), str(b), str(u))
            for g, t, b, u in conn.execute(sa.select(memos.c.guid, memos.c.title, memos.c.body, memos.c.updated_at))
        },
    )


def stored_texts(conn: sa.Connection, ids_by_guid: dict[str, int]) -> dict[str, str]:
    """The texts of the given sources (guid -> text)."""
    if not ids_by_guid:
        return {}
    guid_of = {i: g for g, i in ids_by_guid.items()}
    q = sa.select(sources.c.id, sources.c.text).where(sources.c.id.in_(sa.bindparam("ids", expanding=True)))
    return {guid_of[int(i)]: str(t) for i, t in conn.execute(q, {"ids": sorted(guid_of)})}


def _ids(conn: sa.Connection, table: sa.Table, guids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(guids))
    out: dict[str, int] = {}
    for chunk in range(0, len(wanted), 500):
        part = wanted[chunk : chunk + 500]
        q = sa.select(table.c.guid, table.c.id).where(table.c.guid.in_(part))  # stored GUIDs are lower case
        out.update({str(g).lower(): int(i) for g, i in conn.execute(q)})
    return out


def _next_id(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()) + 1


@dataclass(frozen=True)
class Stored:
    source_ids: list[int]
    tracks: int
    codes: int
    sources: int
    codings: int
    memos: int
    participants: int
    organisations: int


def original_sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_plan(conn: sa.Connection, plan: Plan, user: str) -> Stored:
    """Store everything the plan says is new, in the caller's (write) transaction."""
    stamp = now()
    # forløb with their five work packages
    track_ids = {g: i for g, (i, _n, _p) in existing_tracks(conn).items()}
    if plan.tracks:
        first = _next_id(conn, tracks)
        rows = []
        for n, t in enumerate(plan.tracks):
            track_ids[t.guid] = first + n
            rows.append(
                {
                    "id": first + n,
                    "guid": t.guid,
                    "name": t.name,
                    "prefix": t.prefix,
                    "description": t.description,
                    "created_at": stamp,
                }
            )
        conn.execute(tracks.insert(), rows)
        conn.execute(
            work_packages.insert(),
            [
                {
                    "track_id": r["id"],
                    "number": wp.number,
                    "name": wp.name,
                    "method": wp.method,
                    "description": wp.description,
                }
                for r in rows
                for wp in WORK_PACKAGES
            ],
        )
    wp_ids = {
        (int(t), int(n)): int(i)
        for i, t, n in conn.execute(sa.select(work_packages.c.id, work_packages.c.track_id, work_packages.c.number))
    }
    # organisations and participants
    if plan.organisations:
        conn.execute(
            organisations.insert(),
            [
                {
                    "guid": o.guid,
                    "code": o.code,
                    "name": o.name,
                    "sector": o.sector,
                    "size": o.size,
                    "attributes": o.attributes,
                }
                for o in plan.organisations
            ],
        )
    org_ids = _ids(conn, organisations, [p.organisation for p in plan.participants if p.organisation])
    if plan.participants:
        conn.execute(
            participants.insert(),
            [
                {
                    "guid": p.guid,
                    "track_id": track_ids[p.track],
                    "pseudonym": p.pseudonym,
                    "role": p.role,
                    "job_function": p.job_function,
                    "organisation_id": org_ids.get(p.organisation) if p.organisation else None,
                    "attributes": p.attributes,
                    "created_at": stamp,
                }
                for p in plan.participants
            ],
        )
    # codes, parents first, with their history event
    code_ids = _ids(conn, codes, [c.parent for c in plan.codes if c.parent])
    if plan.codes:
        first = _next_id(conn, codes)
        rows = []
        for n, c in enumerate(plan.codes):
            code_ids[c.guid] = first + n
            rows.append(
                {
                    "id": first + n,
                    "guid": c.guid,
                    "parent_id": code_ids[c.parent] if c.parent else None,
                    "name": c.name,
                    "description": c.description,
                    "color": c.color,
                    "created_by": user,
                    "created_at": stamp,
                }
            )
        conn.execute(codes.insert(), rows)
        conn.execute(
            code_events.insert(),
            [
                {
                    "at": stamp,
                    "actor": user,
                    "action": "create",
                    "code_guid": r["guid"],
                    "code_name": r["name"],
                    "details": {
                        "parent_id": r["parent_id"],
                        "description": r["description"],
                        "color": r["color"],
                        "imported_from": "REFI-QDA",
                    },
                    "rationale": None,
                }
                for r in rows
            ],
        )
    # sources, through the importer's own insert (segments + search index)
    people = _ids(conn, participants, [g for s in plan.sources for g in s.participants])
    new_sources = []
    for s in plan.sources:
        values: dict[str, Any] = {
            "wp_id": wp_ids[(track_ids[s.track], s.wp)],
            "activity_id": None,
            "title": s.title,
            "date": s.date,
            "language": None,
            "importer": s.importer,
            "original_filename": s.original_filename,
            "sha256": original_sha(s.original),
            "size": len(s.original),
            "text": s.text,
            "metadata": s.metadata,
            "imported_by": s.imported_by,
        }
        segment_rows = []
        for ordinal, seg in enumerate(s.segments):
            stems, plain = index_columns(s.text[seg.start : seg.end])
            segment_rows.append(
                {
                    "ordinal": ordinal,
                    "kind": seg.kind,
                    "start": seg.start,
                    "end": seg.end,
                    "speaker": seg.speaker,
                    "participant_id": None,
                    "start_ms": seg.start_ms,
                    "end_ms": seg.end_ms,
                    "author": seg.author,
                    "parent_ordinal": seg.parent,
                    "meta": seg.meta,
                    "stem": stems,
                    "plain": plain,
                }
            )
        new_sources.append(
            sources_db.NewSource(values, segment_rows, [people[g] for g in s.participants if g in people])
        )
    new_ids = sources_db.insert_sources(conn, new_sources)
    if new_ids:
        conn.execute(
            sources.update()
            .where(sources.c.id == sa.bindparam("b_id"))
            .values(guid=sa.bindparam("b_guid"), created_at=sa.bindparam("b_created")),
            [
                {"b_id": i, "b_guid": s.guid, "b_created": s.created_at or stamp}
                for i, s in zip(new_ids, plan.sources, strict=True)
            ],
        )
    source_ids = _ids(conn, sources, {c.source for c in plan.codings} | {m.target for m in plan.memos if m.target})
    code_ids.update(_ids(conn, codes, {c.code for c in plan.codings if c.code not in code_ids}))
    if plan.codings:
        conn.execute(
            codings.insert(),
            [
                {
                    "guid": c.guid,
                    "source_id": source_ids[c.source],
                    "code_id": code_ids[c.code],
                    "start": c.start,
                    "end": c.end,
                    "coder": c.coder,
                    "created_at": c.created_at or stamp,
                    "comment": c.comment,
                }
                for c in plan.codings
            ],
        )
    # memos: targets by GUID
    if plan.memos:
        targets: dict[str, dict[str, int]] = {
            "source": source_ids,
            "code": _ids(conn, codes, [m.target for m in plan.memos if m.target_type == "code" and m.target]),
            "coding": _ids(conn, codings, [m.target for m in plan.memos if m.target_type == "coding" and m.target]),
            "track": _ids(conn, tracks, [m.target for m in plan.memos if m.target_type == "track" and m.target]),
            "participant": _ids(
                conn, participants, [m.target for m in plan.memos if m.target_type == "participant" and m.target]
            ),
        }
        rows = []
        for m in plan.memos:
            target_id = targets[m.target_type].get(m.target) if m.target_type in targets and m.target else None
            kind = m.target_type if target_id is not None else "project"
            rows.append(
                {
                    "guid": m.guid,
                    "title": m.title,
                    "body": m.body,
                    "author": m.author,
                    "target_type": kind,
                    "target_id": target_id,
                    "created_at": m.created_at or stamp,
                    "updated_at": m.updated_at or m.created_at or stamp,
                }
            )
        conn.execute(memos.insert(), rows)
    return Stored(
        source_ids=new_ids,
        tracks=len(plan.tracks),
        codes=len(plan.codes),
        sources=len(new_ids),
        codings=len(plan.codings),
        memos=len(plan.memos),
        participants=len(plan.participants),
        organisations=len(plan.organisations),
    )


def existing_tracks(conn: sa.Connection) -> dict[str, tuple[int, str, str]]:
    return {
        str(g).lower(): (int(i), str(n), str(p))
        for i, g, n, p in conn.execute(sa.select(tracks.c.id, tracks.c.guid, tracks.c.name, tracks.c.prefix))
    }
