"""Importing files: choose an importer, store the original by hash, store the source in one transaction."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aia.errors import ImportFailed, ValidationError
from aia.ingest.base import ImportedSource, parse_file
from aia.model import Participant, WorkPackage
from aia.services.sources import SourceService
from aia.store import sources as db
from aia.store import structure as structure_db
from aia.store.database import read, write
from aia.text.stemming import plain_text, stem_text

#: files larger than this are refused before parsing (a transcript or document is far smaller)
MAX_FILE_BYTES = 200 * 1024 * 1024


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


def check_offsets(imported: ImportedSource, filename: str) -> None:
    """Refuse an imported source whose segments do not slice its text (an importer bug, never stored)."""
    n = len(imported.text)
    previous_end = 0
    for i, seg in enumerate(imported.segments):
        if not (0 <= seg.start <= seg.end <= n) or seg.start < previous_end:
            raise ImportFailed(filename, f"the {imported.importer} importer produced an invalid segment {i}")
        previous_end = seg.end


class ImportService(SourceService):
    def _placement(self, track: str | int | None, wp: int | None,
                   activity: int | None) -> tuple[WorkPackage, int | None]:
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
        """Import each file in its own transaction; a failing file is reported and the others go on."""
        work_package, activity_id = self._placement(track, wp, activity)
        people = [self.participant(p) for p in participants]
        results = []
        for path in paths:
            p = Path(path)
            try:
                if not p.is_file():
                    raise ImportFailed(p.name, "the file does not exist or is not a regular file")
                if p.stat().st_size > MAX_FILE_BYTES:
                    raise ImportFailed(p.name, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
                result = self._import_one(p.read_bytes(), p.name, work_package, activity_id, people, force)
            except ImportFailed as exc:
                result = ImportResult(p.name, "failed", str(exc))
            results.append(result)
            if on_result is not None:
                on_result(result)
        return results

    def import_bytes(self, data: bytes, filename: str, track: str | int | None = None, wp: int | None = None,
                     activity: int | None = None, participants: Sequence[str] = (),
                     force: bool = False) -> ImportResult:
        """Import one file given as bytes; raises :class:`ImportFailed` if it cannot be imported."""
        work_package, activity_id = self._placement(track, wp, activity)
        people = [self.participant(p) for p in participants]
        return self._import_one(data, filename, work_package, activity_id, people, force)

    def _import_one(self, data: bytes, filename: str, wp: WorkPackage, activity_id: int | None,
                    people: list[Participant], force: bool) -> ImportResult:
        sha = hashlib.sha256(data).hexdigest()
        if not force:
            with read(self.engine) as conn:
                dup = db.find_duplicate(conn, sha, wp.id, activity_id)
            if dup is not None:
                return ImportResult(filename, "skipped", f"already imported as source {dup.id} "
                                    f"({dup.original_filename}); use --force to import it again",
                                    source_id=dup.id)
        imported = parse_file(data, filename)
        check_offsets(imported, filename)
        warnings = list(imported.warnings)
        participant_ids = [p.id for p in people]
        by_pseudonym = {p.pseudonym.upper(): p.id for p in self.participants()}
        for named in imported.participants:
            pid = by_pseudonym.get(str(named).strip().upper())
            if pid is None:
                warnings.append(f"participant {named!r} named in the file is not registered; not linked")
            else:
                participant_ids.append(pid)
        segment_rows = []
        for ordinal, seg in enumerate(imported.segments):
            body = imported.text[seg.start:seg.end]
            segment_rows.append({
                "ordinal": ordinal, "kind": seg.kind, "start": seg.start, "end": seg.end,
                "speaker": seg.speaker,
                "participant_id": by_pseudonym.get(seg.speaker.upper()) if seg.speaker else None,
                "start_ms": seg.start_ms, "end_ms": seg.end_ms, "author": seg.author,
                "parent_ordinal": seg.parent, "meta": seg.meta,
                "stem": stem_text(body), "plain": plain_text(body),
            })
        values = {
            "wp_id": wp.id, "activity_id": activity_id,
            "title": (imported.title or Path(filename).stem)[:500], "date": imported.date,
            "language": imported.language, "importer": imported.importer, "original_filename": filename[:500],
            "sha256": sha, "size": len(data), "text": imported.text, "metadata": imported.metadata,
            "imported_by": self.user,
        }
        written = self._store_file(sha, data)
        try:
            with write(self.engine) as conn:
                db.ensure_file_row(conn, sha, len(data))
                source_id = db.insert_source(conn, values, segment_rows, participant_ids)
        except BaseException:
            if written:
                with read(self.engine) as conn:
                    if not db.file_is_referenced(conn, sha):
                        self.file_path(sha).unlink(missing_ok=True)
            raise
        return ImportResult(filename, "imported", f"imported as source {source_id}", source_id=source_id,
                            segments=len(segment_rows), importer=imported.importer, warnings=warnings)

    # -- stored originals ---------------------------------------------------------------------
    def _store_file(self, sha256: str, data: bytes) -> bool:
        """Write the original under its hash (atomically); False if it was there already."""
        target = self.file_path(sha256)
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True

