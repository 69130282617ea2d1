"""Turning result rows into domain objects."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa

T = TypeVar("T")


def to(cls: type[T], row: Any) -> T:
    """Build dataclass ``cls`` from a result row (or row mapping), taking the fields it has."""
    mapping = row if isinstance(row, sa.RowMapping) else row._mapping
    return cls(**{k: mapping[k] for k in cls.__dataclass_fields__ if k in mapping})  # type: ignore[attr-defined]


def new_id(result: sa.CursorResult[Any]) -> int:
    """The primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])
