"""Importing files: choose an importer, keep the original by hash, store each source atomically.

Each source is stored inside its own savepoint, so a file that fails leaves nothing behind while the others go
on. :meth:`ImportService.import_files` groups many sources into one write transaction (committed at least every
:data:`BATCH_SECONDS`), which saves a commit and a full-text-index flush per file on large imports; a crash
loses at most the uncommitted batch, never part of a source. Results are reported only after their commit.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from aia.errors import ImportFailed, ValidationError
from aia.ingest.base import ImportedSource, parse_file
from aia.model import Participant, WorkPackage
from aia.services.sources import SourceService
from aia.store import sources as db
from aia.store import structure as structure_db
from aia.store.database import read, savepoint, write
from aia.text.stemming import index_columns

#: files larger than this are refused before parsing (a transcript or document is far smaller)
MAX_FILE_BYTES = 200 * 1024 * 1024
#: longest time a batch of imported files waits for its commit
BATCH_SECONDS = 0.5
_PSEUDONYM_RE = re.compile(r"^[A-Z][A-Z0-9]{1,7}-P\d+$", re.IGNORECASE)


@dataclass
class ImportResult:
    filename: str
    status: str  # "imported" | "skipped" | "failed"
    message: str = ""
    source_id: int | None = None
    segments: int = 0
    importer: str | None = None
    warnings: list[str] = field(default_factory=list)


ProgressCallback = Callable[[ImportResult], None]


@dataclass
class _Prepared:
    """A parsed file, ready to be stored (everything that needs no database)."""

    filename: str
    sha256: str
    size: int
    imported: ImportedSource
    source_values: dict[str, Any]
    segment_rows: list[dict[str, Any]]


def check_offsets(imported: ImportedSource, filename: str) -> None:
    """Refuse an imported source whose segments do not slice its text (an importer bug, never stored)."""
    n = len(imported.text)
    previous_end = 0
    for i, seg in enumerate(imported.segments):
        if not (0 <= seg.start <= seg.end <= n) or seg.start < previous_end:
            raise ImportFailed(filename, f"the {imported.importer} importer produced an invalid segment {i}")
        previous_end = seg.end


def prepare(data: bytes, filename: str, wp: WorkPackage, activity_id: int | None, user: str) -> _Prepared:
    """Parse and index a file in memory: no database, no lock held."""
    imported = parse_file(data, filename)
    check_offsets(imported, filename)
    rows = []
    for ordinal, seg in enumerate(imported.segments):
        stems, plain = index_columns(imported.text[seg.start : seg.end])
        rows.append(
            {
                "ordinal": ordinal,
                "kind": seg.kind,
                "start": seg.start,
                "end": seg.end,
                "speaker": seg.speaker,
                "participant_id": None,
                "start_ms": seg.start_ms,
                "end_ms": seg.end_ms,
                "author": seg.author,
                "parent_ordinal": seg.parent,
                "meta": seg.meta,
                "stem": stems,
                "plain": plain,
            }
        )
    sha = hashlib.sha256(data).hexdigest()
    values = {
        "wp_id": wp.id,
        "activity_id": activity_id,
        "title": (imported.title or Path(filename).stem)[:500],
        "date": imported.date,
        "language": imported.language,
        "importer": imported.importer,
        "original_filename": filename[:500],
        "sha256": sha,
        "size": len(data),
        "text": imported.text,
        "metadata": imported.metadata,
        "imported_by": user,
    }
    return _Prepared(filename, sha, len(data), imported, values, rows)


class ImportService(SourceService):
    def _placement(
        self, track: str | int | None, wp: int | None, activity: int | None
    ) -> tuple[WorkPackage, int | None]:
        if activity is not None:
            act = self.activity(activity)
            with read(self.engine) as conn:
                act_wp = structure_db.get_work_package(conn, act.wp_id)
            if track is not None and self.track(track).id != act_wp.track_id:
                raise ValidationError(f"activity {activity} belongs to another forløb than {track!r}")
            if wp is not None and wp != act_wp.number:
                raise ValidationError(f"activity {activity} belongs to WP{act_wp.number}, not WP{wp}")
            return act_wp, act.id
        if track is None or wp is None:
            raise ValidationError("say where the material belongs: --track and --wp, or --activity")
        return self.work_package(track, wp), None

    def import_files(
        self,
        paths: Iterable[str | Path],
        track: str | int | None = None,
        wp: int | None = None,
        activity: int | None = None,
        participants: Sequence[str] = (),
        force: bool = False,
        on_result: ProgressCallback | None = None,
    ) -> list[ImportResult]:
        """Import files; each is stored whole or not at all, and a failing file does not stop the others."""
        work_package, activity_id = self._placement(track, wp, activity)
        people = [self.participant(p) for p in participants]
        results: list[ImportResult] = []
        pending: list[ImportResult] = []
        iterator = iter(paths)
        done = False
        while not done:
            written: list[str] = []
            with self._removing_orphans(written), write(self.engine) as conn, db.deferred_indexing(conn):
                started = time.monotonic()
                while time.monotonic() - started < BATCH_SECONDS:
                    path = next(iterator, None)
                    if path is None:
                        done = True
                        break
                    item = self._import_path(conn, Path(path), work_package, activity_id, people, force, written)
                    pending.append(item)
            # committed: now the results are true
            for result in pending:
                results.append(result)
                if on_result is not None:
                    on_result(result)
            pending = []
        return results

    def _import_path(
        self,
        conn: sa.Connection,
        path: Path,
        wp: WorkPackage,
        activity_id: int | None,
        people: list[Participant],
        force: bool,
        written: list[str],
    ) -> ImportResult:
        try:
            try:
                info = path.stat()
            except OSError:
                info = None
            if info is None or not stat.S_ISREG(info.st_mode):
                raise ImportFailed(path.name, "the file does not exist or is not a regular file")
            if info.st_size > MAX_FILE_BYTES:
                raise ImportFailed(path.name, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
            data = path.read_bytes()
            prepared = prepare(data, path.name, wp, activity_id, self.user)
            return self._store(conn, prepared, lambda: data, people, force, written)
        except ImportFailed as exc:
            return ImportResult(path.name, "failed", str(exc))

    def import_bytes(
        self,
        data: bytes,
        filename: str,
        track: str | int | None = None,
        wp: int | None = None,
        activity: int | None = None,
        participants: Sequence[str] = (),
        force: bool = False,
    ) -> ImportResult:
        """Import one file given as bytes; raises :class:`ImportFailed` if it cannot be imported."""
        work_package, activity_id = self._placement(track, wp, activity)
        people = [self.participant(p) for p in participants]
        prepared = prepare(data, filename, work_package, activity_id, self.user)
        written: list[str] = []
        with self._removing_orphans(written), write(self.engine) as conn:
            return self._store(conn, prepared, lambda: data, people, force, written)

    def _store(
        self,
        conn: sa.Connection,
        prepared: _Prepared,
        data: Callable[[], bytes],
        people: list[Participant],
        force: bool,
        written: list[str],
    ) -> ImportResult:
        """Store a prepared source in a savepoint of ``conn``; on any error nothing of it stays in the database
        (the caller removes originals in ``written`` that end up unreferenced, see :meth:`_removing_orphans`)."""
        values, rows = prepared.source_values, prepared.segment_rows
        if not force:
            dup = db.find_duplicate(conn, prepared.sha256, values["wp_id"], values["activity_id"])
            if dup is not None:
                dup_id, dup_name = dup
                return ImportResult(
                    prepared.filename,
                    "skipped",
                    f"already imported as source {dup_id} ({dup_name}); use --force to import it again",
                    source_id=dup_id,
                )
        warnings = list(prepared.imported.warnings)
        participant_ids = [p.id for p in people]
        speakers = {row["speaker"] for row in rows if row["speaker"]}
        if prepared.imported.participants or any(_PSEUDONYM_RE.match(s) for s in speakers):
            by_pseudonym = structure_db.pseudonym_ids(conn)
            for named in prepared.imported.participants:
                pid = by_pseudonym.get(str(named).strip().upper())
                if pid is None:
                    warnings.append(f"participant {named!r} named in the file is not registered; not linked")
                else:
                    participant_ids.append(pid)
            for row in rows:
                if row["speaker"]:
                    row["participant_id"] = by_pseudonym.get(row["speaker"].upper())
        if self._store_file(prepared.sha256, data):
            written.append(prepared.sha256)
        with savepoint(conn):
            db.ensure_file_row(conn, prepared.sha256, prepared.size)
            source_id = db.insert_source(conn, values, rows, participant_ids)
        return ImportResult(
            prepared.filename,
            "imported",
            f"imported as source {source_id}",
            source_id=source_id,
            segments=len(rows),
            importer=prepared.imported.importer,
            warnings=warnings,
        )

    # -- stored originals ---------------------------------------------------------------------
    @contextmanager
    def _removing_orphans(self, written: list[str]) -> Iterator[None]:
        """If the block fails, delete the originals it wrote (``written``) that no source refers to."""
        try:
            yield
        except BaseException:
            with read(self.engine) as conn:
                orphans = [sha for sha in written if not db.file_is_referenced(conn, sha)]
            for sha in orphans:
                self.file_path(sha).unlink(missing_ok=True)
            raise

    def _store_file(self, sha256: str, data: Callable[[], bytes]) -> bool:
        """Write the original under its hash (temp file + rename); False if it was there already."""
        target = self.file_path(sha256)
        if target.exists():
            return False
        if not target.parent.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".tmp-{os.getpid()}-{sha256}")
        try:
            tmp.write_bytes(data())
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return True
