"""SQL for the project overview: counts per track × work package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from aia.store.schema import activities, codings, segments, sources, tracks, work_packages


@dataclass(frozen=True)
class CellCounts:
    track: str
    wp: int
    wp_name: str
    activities: int
    sources: int
    segments: int
    codings: int


def counts(conn: sa.Connection) -> list[CellCounts]:
    def per_wp(q: sa.Select[Any]) -> dict[int, int]:
        return {int(k): int(v) for k, v in conn.execute(q)}

    n_act = per_wp(sa.select(activities.c.wp_id, sa.func.count()).group_by(activities.c.wp_id))
    n_src = per_wp(sa.select(sources.c.wp_id, sa.func.count()).group_by(sources.c.wp_id))
    n_seg = per_wp(
        sa.select(sources.c.wp_id, sa.func.count())
        .select_from(segments.join(sources, sources.c.id == segments.c.source_id))
        .group_by(sources.c.wp_id)
    )
    n_cod = per_wp(
        sa.select(sources.c.wp_id, sa.func.count())
        .select_from(codings.join(sources, sources.c.id == codings.c.source_id))
        .group_by(sources.c.wp_id)
    )
    q = (
        sa.select(work_packages.c.id, tracks.c.name, work_packages.c.number, work_packages.c.name.label("wpn"))
        .join(tracks, tracks.c.id == work_packages.c.track_id)
        .order_by(tracks.c.id, work_packages.c.number)
    )
    return [
        CellCounts(
            r.name, r.number, r.wpn, n_act.get(r.id, 0), n_src.get(r.id, 0), n_seg.get(r.id, 0), n_cod.get(r.id, 0)
        )
        for r in conn.execute(q)
    ]
