"""Helpers for the search tests: a small project database built directly with the store's tables.

(Named uniquely: ``tests/ingest`` has its own ``conftest`` module.)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from aia.store import fts5, migrations, schema
from aia.store.database import sqlite_engine, write
from aia.text.stemming import index_columns

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
NOW = "2024-01-01T00:00:00+00:00"


def _guid() -> str:
    return str(uuid.uuid4())


@contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A write transaction on the project's own connection settings (the FTS5 triggers run in it)."""
    with write(engine) as conn:
        yield conn


class ProjectBuilder:
    """Inserts tracks, work packages, sources (one segment per paragraph), codes … and returns their ids."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._counter = 0

    def _insert(self, table: sa.Table, **values: object) -> int:
        with writing(self.engine) as conn:
            result = conn.execute(table.insert().values(**values))
            return int(result.inserted_primary_key[0])

    def track(self, name: str, prefix: str) -> int:
        return self._insert(schema.tracks, guid=_guid(), name=name, prefix=prefix, created_at=NOW)

    def work_package(self, track_id: int, number: int) -> int:
        return self._insert(
            schema.work_packages,
            track_id=track_id,
            number=number,
            name=f"WP{number}",
            method="m",
            description="",
        )

    def activity(self, wp_id: int, title: str, date: str | None = None) -> int:
        return self._insert(
            schema.activities,
            wp_id=wp_id,
            kind="interview",
            title=title,
            date=date,
            researchers=[],
            created_at=NOW,
        )

    def participant(self, track_id: int, pseudonym: str) -> int:
        return self._insert(
            schema.participants,
            guid=_guid(),
            track_id=track_id,
            pseudonym=pseudonym,
            attributes={},
            created_at=NOW,
        )

    def code(self, name: str) -> int:
        return self._insert(schema.codes, guid=_guid(), name=name, color="#ff0000", created_by="tester", created_at=NOW)

    def coding(self, source_id: int, code_id: int, start: int, end: int) -> int:
        return self._insert(
            schema.codings,
            guid=_guid(),
            source_id=source_id,
            code_id=code_id,
            start=start,
            end=end,
            coder="tester",
            created_at=NOW,
        )

    def source(
        self,
        wp_id: int,
        paragraphs: Sequence[str],
        *,
        title: str | None = None,
        activity_id: int | None = None,
        date: str | None = None,
        linked_participants: Sequence[int] = (),
        speakers: Sequence[int | None] | None = None,
    ) -> tuple[int, list[int]]:
        """A source whose text is the paragraphs joined by blank lines, with one segment per paragraph."""
        self._counter += 1
        text = "\n\n".join(paragraphs)
        sha = f"{self._counter:064x}"
        with writing(self.engine) as conn:
            conn.execute(schema.files.insert().values(sha256=sha, size=len(text), created_at=NOW))
            source_id = conn.execute(
                schema.sources.insert().values(
                    guid=_guid(),
                    wp_id=wp_id,
                    activity_id=activity_id,
                    title=title or f"Source {self._counter}",
                    date=date,
                    language="da",
                    importer="test",
                    original_filename=f"s{self._counter}.txt",
                    sha256=sha,
                    size=len(text),
                    text=text,
                    metadata={},
                    created_at=NOW,
                    imported_by="tester",
                )
            ).inserted_primary_key[0]
            for participant_id in linked_participants:
                conn.execute(
                    schema.source_participants.insert().values(source_id=source_id, participant_id=participant_id)
                )
            segment_ids = []
            position = 0
            for ordinal, paragraph in enumerate(paragraphs):
                start = text.index(paragraph, position)
                position = start + len(paragraph)
                speaker = speakers[ordinal] if speakers else None
                stems, plain = index_columns(paragraph)
                segment_id = conn.execute(
                    schema.segments.insert().values(
                        source_id=source_id,
                        ordinal=ordinal,
                        kind="paragraph",
                        start=start,
                        end=position,
                        speaker=f"P{speaker}" if speaker else None,
                        participant_id=speaker,
                        meta={},
                        stem=stems,
                        plain=plain,
                    )
                ).inserted_primary_key[0]
                fts5.index_segments(conn, [(int(segment_id), stems, plain)])
                segment_ids.append(segment_id)
        return int(source_id), [int(i) for i in segment_ids]


def new_engine(path: Path) -> sa.Engine:
    engine = sqlite_engine(path / "aia.sqlite")
    migrations.apply(engine)
    return engine
