"""A REFI-QDA import in three steps: :func:`prepare` (no project: positions, spans, segments checked), :func:`plan`
(pure: what is new, what is matched, what changes on matched objects) and :func:`merge` (writing the plan in the
caller's one write transaction, through :mod:`aia.store.refi_import`)."""

from __future__ import annotations

import sqlalchemy as sa

from aia.exchange.refi.plan import DEFAULT_PREFIX, DEFAULT_TRACK, Existing, Plan, plan_codebook
from aia.exchange.refi.planner import plan
from aia.exchange.refi.prepare import PreparedProject, prepare
from aia.store import refi_import as db
from aia.store import refi_update


def merge(conn: sa.Connection, the_plan: Plan, user: str) -> tuple[db.Stored, refi_update.Applied]:
    """Store what ``the_plan`` says is new, then change the matched objects it says changed (in that order: a
    matched code may move under a new one); the caller's transaction makes it all or nothing."""
    stored = db.store_plan(conn, the_plan, user)
    return stored, refi_update.apply_updates(conn, the_plan.updates, user)


__all__ = [
    "DEFAULT_PREFIX",
    "DEFAULT_TRACK",
    "Existing",
    "Plan",
    "PreparedProject",
    "merge",
    "plan",
    "plan_codebook",
    "prepare",
]
