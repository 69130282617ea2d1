"""SQL for netnography corpora."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from aia.clock import now
from aia.store.rows import new_id
from aia.store.schema import corpora


@dataclass(frozen=True)
class Corpus:
    id: int
    activity_id: int
    name: str
    platform: str
    dump_name: str
    dump_size: int
    dump_sha256: str
    query: dict[str, Any]
    counts: dict[str, int]
    sample_size: int | None
    seed: int | None
    stratify: str | None
    threads: int
    posts: int
    created_by: str
    created_at: str


def _corpus(row: sa.Row[Any]) -> Corpus:
    m = row._mapping
    return Corpus(**{c.name: m[c.name] for c in corpora.columns})


def insert_corpus(conn: sa.Connection, values: dict[str, Any]) -> int:
    return new_id(conn.execute(corpora.insert().values(**values, created_at=now())))


def list_corpora(conn: sa.Connection) -> list[Corpus]:
    return [_corpus(r) for r in conn.execute(corpora.select().order_by(corpora.c.id))]


def get_corpus(conn: sa.Connection, corpus_id: int) -> Corpus | None:
    row = conn.execute(corpora.select().where(corpora.c.id == corpus_id)).first()
    return _corpus(row) if row is not None else None


def corpus_source_ids(conn: sa.Connection, activity_id: int) -> list[int]:
    from aia.store.schema import sources

    rows = conn.execute(sa.select(sources.c.id).where(sources.c.activity_id == activity_id).order_by(sources.c.id))
    return [int(r[0]) for r in rows]
