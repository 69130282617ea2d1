"""SQL for a REFI-QDA re-import's changes to objects the project has already (matched by GUID): codes (with their
history events), source titles, memos, and the removal of codings the file lacks (``--remove-missing``). Runs in
the import's one write transaction, after :func:`aia.store.refi_import.store_plan`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.exchange.refi.plan import Updates
from aia.store.schema import code_events, codes, codings, memo_links, memos, sources


@dataclass(frozen=True)
class Applied:
    codes: int
    sources: int
    memos: int
    #: ids of the codings removed
    removed_codings: list[int]
    #: memos (and memo links) that pointed at a removed coding and now point at its source
    memos_moved: int


def _ids(conn: sa.Connection, table: sa.Table, guids: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    wanted = sorted(set(guids))
    for chunk in range(0, len(wanted), 500):
        q = sa.select(table.c.guid, table.c.id).where(table.c.guid.in_(wanted[chunk : chunk + 500]))
        out.update({str(g).lower(): int(i) for g, i in conn.execute(q)})
    return out


def apply_updates(conn: sa.Connection, updates: Updates, user: str) -> Applied:
    """Apply ``updates`` in the caller's (write) transaction; every code change writes its history event."""
    stamp = now()
    code_ids = _ids(
        conn,
        codes,
        [c.guid for c in updates.codes]
        + [str(c.fields["parent"][1]) for c in updates.codes if isinstance(c.fields.get("parent", (0, 0))[1], str)],
    )
    events: list[dict[str, Any]] = []
    for change in updates.codes:
        values: dict[str, Any] = {}
        f = change.fields
        base = {"at": stamp, "actor": user, "code_guid": change.guid, "rationale": None}
        if "name" in f:
            values["name"] = f["name"][1]
            details = {"old": f["name"][0], "new": f["name"][1], "imported_from": "REFI-QDA"}
            events.append({**base, "action": "rename", "code_name": change.name, "details": details})
        if "parent" in f:
            old, new = (code_ids.get(g) if isinstance(g, str) else None for g in f["parent"])
            values["parent_id"] = new
            details = {"old_parent_id": old, "new_parent_id": new, "imported_from": "REFI-QDA"}
            events.append({**base, "action": "move", "code_name": values.get("name", change.name), "details": details})
        described = {k: f[k] for k in ("description", "color") if k in f}
        if described:
            values.update({k: new for k, (_old, new) in described.items()})
            details = {
                "old": {k: old for k, (old, _new) in described.items()},
                "new": {k: new for k, (_old, new) in described.items()},
                "imported_from": "REFI-QDA",
            }
            events.append(
                {**base, "action": "update", "code_name": values.get("name", change.name), "details": details}
            )
        conn.execute(codes.update().where(codes.c.id == code_ids[change.guid]).values(**values))
    if events:
        conn.execute(code_events.insert(), events)
    if updates.source_titles:
        conn.execute(
            sources.update().where(sources.c.guid == sa.bindparam("b_guid")).values(title=sa.bindparam("b_title")),
            [{"b_guid": g, "b_title": new} for g, _old, new in updates.source_titles],
        )
    if updates.memos:
        conn.execute(
            memos.update()
            .where(memos.c.guid == sa.bindparam("b_guid"))
            .values(title=sa.bindparam("b_title"), body=sa.bindparam("b_body"), updated_at=stamp),
            [{"b_guid": g, "b_title": t, "b_body": b} for g, t, b in updates.memos],
        )
    removed: list[int] = []
    moved = 0
    wanted = sorted(set(updates.remove_codings))
    for chunk in range(0, len(wanted), 500):
        rows = conn.execute(
            sa.select(codings.c.id, codings.c.source_id, codings.c.start, codings.c.end).where(
                codings.c.guid.in_(wanted[chunk : chunk + 500])
            )
        ).all()
        ids = [int(r.id) for r in rows]
        for r in rows:  # memos on a removed coding stay, on its source (a link becomes a link to the coded place)
            moved += conn.execute(
                memos.update()
                .where(memos.c.target_type == "coding", memos.c.target_id == r.id)
                .values(target_type="source", target_id=r.source_id)
            ).rowcount
            moved += conn.execute(
                memo_links.update()
                .where(memo_links.c.target_type == "coding", memo_links.c.target_id == r.id)
                .values(target_type="place", target_id=r.source_id, start=r.start, end=r.end)
            ).rowcount
        if ids:
            conn.execute(codings.delete().where(codings.c.id.in_(ids)))
        removed += ids
    return Applied(len(updates.codes), len(updates.source_titles), len(updates.memos), removed, moved)
