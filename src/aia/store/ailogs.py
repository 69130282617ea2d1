"""SQL for AI-interaction logs: which conversations are stored already in a place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from aia.store.schema import sources

#: a place a file can be imported into: (activity id, WP id when there is no activity)
Place = tuple[int | None, int | None]


@dataclass(frozen=True)
class StoredConversation:
    source_id: int
    sha256: str
    content_sha256: str | None


def stored_conversations(
    conn: sa.Connection, importers: Sequence[str], places: Sequence[Place]
) -> dict[tuple[Place, str], list[StoredConversation]]:
    """The AI-log sources stored in the given places, by (place, conversation key), oldest first."""
    found: dict[tuple[Place, str], list[StoredConversation]] = {}
    if not importers or not places:
        return found
    activity_ids = sorted({a for a, _ in places if a is not None})
    wp_ids = sorted({w for a, w in places if a is None and w is not None})
    where: list[sa.ColumnElement[bool]] = []
    if activity_ids:
        where.append(sources.c.activity_id.in_(activity_ids))
    if wp_ids:
        where.append(sa.and_(sources.c.activity_id.is_(None), sources.c.wp_id.in_(wp_ids)))
    q = (
        sa.select(sources.c.id, sources.c.sha256, sources.c.activity_id, sources.c.wp_id, sources.c.metadata)
        .where(sources.c.importer.in_(list(importers)), sa.or_(*where))
        .order_by(sources.c.id)
    )
    for source_id, sha, activity_id, wp_id, metadata in conn.execute(q):
        key = metadata.get("conversation_key") if isinstance(metadata, dict) else None
        if key is None:
            continue
        place: Place = (activity_id, None if activity_id else int(wp_id))
        content = metadata.get("content_sha256")
        found.setdefault((place, str(key)), []).append(
            StoredConversation(int(source_id), str(sha), str(content) if content else None)
        )
    return found
