"""The audit log: append-only and hash-chained.

Each row's ``digest`` is the SHA-256 of its canonical content (id, time, actor, action, target, details); its
``hash`` is SHA-256 over the previous row's hash and this digest. Ids are consecutive from 1, so a removed row
shows as a gap or a broken link, an edited row as a digest mismatch. A redacted row (erasure cleared the target and
details because they named the person) keeps its digest, so the chain still verifies.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from aia.store.schema import audit_log, project_meta

GENESIS = "0" * 64
HEAD_KEY = "audit_head"


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: str
    actor: str
    action: str
    target: str | None
    details: dict[str, Any] | None
    redacted: bool
    hash: str


def canonical_details(details: dict[str, Any] | None) -> str | None:
    return None if details is None else json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest_of(row_id: int, at: str, actor: str, action: str, target: str | None, details: str | None) -> str:
    content = json.dumps([row_id, at, actor, action, target, details], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def chain(prev_hash: str, digest: str) -> str:
    return hashlib.sha256(f"{prev_hash}:{digest}".encode("ascii")).hexdigest()


def append(
    conn: sa.Connection, at: str, actor: str, action: str, target: str | None, details: dict[str, Any] | None
) -> int:
    """Add one event at the end of the chain (call inside a write transaction: the lock keeps ids consecutive)."""
    last = conn.execute(sa.select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)).first()
    row_id, prev = (1, GENESIS) if last is None else (int(last.id) + 1, str(last.hash))
    text = canonical_details(details)
    digest = digest_of(row_id, at, actor, action, target, text)
    row_hash = chain(prev, digest)
    conn.execute(
        audit_log.insert().values(
            id=row_id,
            at=at,
            actor=actor,
            action=action,
            target=target,
            details=text,
            redacted=False,
            digest=digest,
            prev_hash=prev,
            hash=row_hash,
        )
    )
    _set_head(conn, f"{row_id}:{row_hash}")
    return row_id


def _set_head(conn: sa.Connection, value: str) -> None:
    updated = conn.execute(project_meta.update().where(project_meta.c.key == HEAD_KEY).values(value=value))
    if not updated.rowcount:
        conn.execute(project_meta.insert().values(key=HEAD_KEY, value=value))


def redact(conn: sa.Connection, row_ids: list[int]) -> int:
    """Clear target and details of these rows (their digest stays, so the chain verifies)."""
    if not row_ids:
        return 0
    result = conn.execute(
        audit_log.update()
        .where(audit_log.c.id.in_(row_ids), audit_log.c.redacted.is_(False))
        .values(target=None, details=None, redacted=True)
    )
    return int(result.rowcount or 0)


def rows_mentioning(conn: sa.Connection, needles: list[str]) -> list[int]:
    """Ids of unredacted rows whose target or details contain any of ``needles`` (case-insensitive)."""
    lowered = [n.casefold() for n in needles if n]
    if not lowered:
        return []
    found: list[int] = []
    query = sa.select(audit_log.c.id, audit_log.c.target, audit_log.c.details).where(audit_log.c.redacted.is_(False))
    for row in conn.execute(query):
        haystack = f"{row.target or ''}\n{row.details or ''}".casefold()
        if any(n in haystack for n in lowered):
            found.append(int(row.id))
    return found


def verify(conn: sa.Connection) -> list[str]:
    """Every problem of the chain, each naming the row; empty when the log is intact."""
    problems: list[str] = []
    prev = GENESIS
    expected_id = 1
    last_id = 0
    for row in conn.execute(sa.select(audit_log).order_by(audit_log.c.id)):
        row_id = int(row.id)
        if row_id != expected_id:
            problems.append(f"audit rows {expected_id}–{row_id - 1} are missing (removed)")
        if row.prev_hash != prev:
            problems.append(f"audit row {row_id} does not link to the row before it (a row was removed or changed)")
        if row.redacted:
            if row.target is not None or row.details is not None:
                problems.append(f"audit row {row_id} is marked redacted but has content (edited)")
        elif digest_of(row_id, row.at, row.actor, row.action, row.target, row.details) != row.digest:
            problems.append(f"audit row {row_id} was edited (its content does not match its digest)")
        if chain(str(row.prev_hash), str(row.digest)) != row.hash:
            problems.append(f"audit row {row_id} has a wrong hash (edited)")
        prev = str(row.hash)
        expected_id = row_id + 1
        last_id = row_id
    head = conn.execute(sa.select(project_meta.c.value).where(project_meta.c.key == HEAD_KEY)).scalar()
    if head is not None:
        head_id, _, head_hash = str(head).partition(":")
        if not head_id.isdigit() or int(head_id) != last_id or head_hash != prev:
            problems.append(
                f"the audit log ends at row {last_id} but its recorded head is row {head_id} (rows were removed)"
            )
    elif last_id:
        problems.append("the audit log has rows but no recorded head (edited)")
    return problems


def list_events(
    conn: sa.Connection,
    actor: str | None = None,
    action: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
) -> list[AuditEvent]:
    query = sa.select(audit_log).order_by(audit_log.c.id)
    if actor is not None:
        query = query.where(audit_log.c.actor == actor)
    if action is not None:
        query = query.where(sa.or_(audit_log.c.action == action, audit_log.c.action.like(f"{action}.%")))
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if until is not None:
        query = query.where(audit_log.c.at <= until)
    if limit is not None:
        query = query.limit(limit)
    return [
        AuditEvent(
            int(r.id),
            r.at,
            r.actor,
            r.action,
            r.target,
            None if r.details is None else json.loads(r.details),
            bool(r.redacted),
            r.hash,
        )
        for r in conn.execute(query)
    ]
