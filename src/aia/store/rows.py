"""Turning result rows into domain objects."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa

T = TypeVar("T")


def to(cls: type[T], row: sa.Row[Any] | sa.RowMapping) -> T:
    mapping = row if isinstance(row, sa.RowMapping) else row._mapping
    return cls(**{k: mapping[k] for k in cls.__dataclass_fields__ if k in mapping})  # type: ignore[attr-defined]
