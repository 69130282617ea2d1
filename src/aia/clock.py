"""Time stamps: stored as UTC ISO 8601 strings (seconds precision)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
