"""Importing files: choose an importer, keep the original by hash, store every source whole or not at all.

Everything that can fail because of a file — reading, decoding, parsing, checking the offsets — happens in
:func:`prepare`, in memory and without the write lock; a file that fails there is reported and stored not at all.
What is left is storing, which :meth:`ImportService.import_files` does for a batch of files (as many as were
parsed in :data:`BATCH_SECONDS`) in one short write transaction of a few statements. A database error or a crash
loses the uncommitted batch — never part of a source — and the originals it wrote are removed again. Results
are reported only after their commit.
"""

from __future__ import annotations

import hashlib
import re
import stat
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aia.clock import now
from aia.errors import ImportFailed, ValidationError
from aia.ingest.base import ImportedSource, parse_file
from aia.model import Participant, WorkPackage
from aia.privacy.imported import (
    PseudonymContext,
    pseudonymise_filename,
    pseudonymise_source,
    stored_original,
)
from aia.services.consent import consent_problems, consent_refusal, withdrawn_refusal
from aia.services.sources import SourceService
from aia.store import dataprotection as dp_db
from aia.store import pseudonymisation as pseudo_db
from aia.store import sources as db
from aia.store import structure as structure_db
from aia.store.database import read, write
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
    #: pseudonymisation: identifiers replaced, and candidates left in the text for review
    replaced: int = 0
    flagged: int = 0


ProgressCallback = Callable[[ImportResult], None]


@dataclass
class _Prepared:
    """A parsed file, ready to be stored (everything that needs no database)."""

    filename: str
    sha256: str
    data: bytes
    imported: ImportedSource
    source_values: dict[str, Any]
    segment_rows: list[dict[str, Any]]
    #: pseudonymisation findings for the review list (without ``source_id``); empty when it was off
    findings: list[dict[str, Any]] = field(default_factory=list)
    #: the bytes kept in ``files/`` (the original, or encrypted), None when originals are not kept
    stored: bytes | None = None
    #: whether the text was pseudonymised (recorded in the audit log)
    pseudonymised: bool = False


def check_offsets(imported: ImportedSource, filename: str) -> None:
    """Refuse an imported source whose segments do not slice its text (an importer bug, never stored)."""
    n = len(imported.text)
    previous_end = 0
    for i, seg in enumerate(imported.segments):
        if not (0 <= seg.start <= seg.end <= n) or seg.start < previous_end:
            raise ImportFailed(filename, f"the {imported.importer} importer produced an invalid segment {i}")
        previous_end = seg.end


def _duplicate(
    stored: list[tuple[int, str, int | None, int]], wp_id: int, activity_id: int | None
) -> tuple[int, str] | None:
    """The (id, filename) of a stored source from the same file in the same activity (or, without an activity,
    directly in the same WP), if there is one."""
    for source_id, filename, row_activity, row_wp in stored:
        if row_activity == activity_id and (activity_id is not None or row_wp == wp_id):
            return source_id, filename
    return None


def stored_rows(
    imported: ImportedSource,
    data: bytes,
    sha: str,
    shown_name: str,
    wp: WorkPackage,
    activity_id: int | None,
    user: str,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The segment rows (with their search columns) and the source row of a parsed, pseudonymised source."""
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
    values = {
        "wp_id": wp.id,
        "activity_id": activity_id,
        "title": (imported.title or Path(shown_name).stem)[:500],
        "date": imported.date,
        "language": imported.language,
        "importer": imported.importer,
        "original_filename": shown_name[:500],
        "sha256": sha,
        "size": len(data),
        "text": imported.text,
        "metadata": imported.metadata,
        "imported_by": user,
    }
    return rows, values


def prepare(
    data: bytes,
    filename: str,
    wp: WorkPackage,
    activity_id: int | None,
    user: str,
    pseudo: PseudonymContext | None = None,
) -> _Prepared:
    """Parse, pseudonymise (with ``pseudo``) and index a file in memory: no database, no lock held."""
    imported = parse_file(data, filename)
    check_offsets(imported, filename)
    findings: list[dict[str, Any]] = []
    shown_name = filename
    if pseudo is not None:
        done = pseudonymise_source(imported, pseudo)
        imported, findings = done.source, done.findings
        check_offsets(imported, filename)
        shown_name = pseudonymise_filename(filename, pseudo)
    sha = hashlib.sha256(data).hexdigest()
    rows, values = stored_rows(imported, data, sha, shown_name, wp, activity_id, user)
    return _Prepared(
        filename, sha, data, imported, values, rows, findings, stored_original(data, sha, pseudo), pseudo is not None
    )


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
        pseudonymise: bool | None = None,
        consent_override: str | None = None,
    ) -> list[ImportResult]:
        """Import files; each is stored whole or not at all, and a file that cannot be read does not stop the
        others. Files are parsed without holding the write lock, then stored in batches (see the module doc).

        ``pseudonymise``: None follows the project setting (on whenever the project has a key store).
        ``consent_override``: the lead's reason for importing material naming participants whose consent does not
        cover the WP (recorded); without it such a file fails (see :meth:`_store_all`)."""
        work_package, activity_id = self._placement(track, wp, activity)
        people = [self.participant(p) for p in participants]
        pseudo = self.pseudonym_context(pseudonymise)
        results: list[ImportResult] = []
        iterator = iter(paths)
        done = False
        while not done:
            batch: list[ImportResult | _Prepared] = []
            started = time.monotonic()
            while time.monotonic() - started < BATCH_SECONDS:
                path = next(iterator, None)
                if path is None:
                    done = True
                    break
                batch.append(self._prepare_path(Path(path), work_package, activity_id, pseudo))
            prepared = [p for p in batch if isinstance(p, _Prepared)]
            stored = iter(self._store_all(prepared, people, force, consent_override))
            # stored and committed: now the results are true
            for item in batch:
                result = next(stored) if isinstance(item, _Prepared) else item
                results.append(result)
                if on_result is not None:
                    on_result(result)
        return results

    def _prepare_path(
        self, path: Path, wp: WorkPackage, activity_id: int | None, pseudo: PseudonymContext | None
    ) -> _Prepared | ImportResult:
        try:
            try:
                info = path.stat()
            except OSError:
                info = None
            if info is None or not stat.S_ISREG(info.st_mode):
                raise ImportFailed(path.name, "the file does not exist or is not a regular file")
            if info.st_size > MAX_FILE_BYTES:
                raise ImportFailed(path.name, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
            return prepare(path.read_bytes(), path.name, wp, activity_id, self.user, pseudo)
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
        pseudonymise: bool | None = None,
        consent_override: str | None = None,
    ) -> ImportResult:
        """Import one file given as bytes; raises :class:`ImportFailed` if it cannot be imported (also for want
        of consent, see :meth:`import_files`)."""
        work_package, activity_id = self._placement(track, wp, activity)
        people = [self.participant(p) for p in participants]
        pseudo = self.pseudonym_context(pseudonymise)
        prepared = prepare(data, filename, work_package, activity_id, self.user, pseudo)
        result = self._store_all([prepared], people, force, consent_override)[0]
        if result.status == "failed":
            raise ImportFailed(filename, result.message.split(": ", 1)[1].rstrip("."))
        return result

    def _store_all(
        self, items: list[_Prepared], people: list[Participant], force: bool, consent_override: str | None = None
    ) -> list[ImportResult]:
        """Store parsed files in one write transaction: all of them, or (on a database error) none, and then
        no original written here stays on disk either.

        A file naming a participant (``people``, named in the file, or a speaker's pseudonym) whose consent does not
        cover the WP is refused (reported as failed, nothing of it stored), unless ``consent_override`` gives the
        lead's reason, which is recorded per participant. A file naming a participant who withdrew is refused."""
        if not items:
            return []
        if consent_override is not None and not consent_override.strip():
            raise ValidationError("an import without covering consent needs a reason (--override-consent REASON)")
        if consent_override is not None:
            self.require_lead("importing without covering consent")
        results: list[ImportResult] = []
        overridden: dict[int, set[int]] = {}
        new: list[db.NewSource] = []
        stored_items: list[_Prepared] = []
        written: list[str] = []
        with self._removing_orphans(written), write(self.engine) as conn:
            same_files = db.sources_with_files(conn, [p.sha256 for p in items])
            by_pseudonym: dict[str, int] | None = None
            erased: set[str] | None = None
            wp_numbers: dict[int, int] = {}
            in_batch: dict[tuple[str, int | None, int | None], str] = {}
            for p in items:
                values = p.source_values
                same_place = (p.sha256, values["activity_id"], None if values["activity_id"] else values["wp_id"])
                if not force:
                    dup = _duplicate(same_files.get(p.sha256, []), values["wp_id"], values["activity_id"])
                    if dup is not None:
                        message = f"already imported as source {dup[0]} ({dup[1]}); use --force to import it again"
                        results.append(ImportResult(p.filename, "skipped", message, source_id=dup[0]))
                        continue
                    if same_place in in_batch:
                        message = f"the same file as {in_batch[same_place]} in this import; use --force to import both"
                        results.append(ImportResult(p.filename, "skipped", message))
                        continue
                in_batch[same_place] = p.filename
                warnings = list(p.imported.warnings)
                participant_ids = [person.id for person in people]
                speakers = {row["speaker"] for row in p.segment_rows if row["speaker"]}
                if p.imported.participants or any(_PSEUDONYM_RE.match(s) for s in speakers):
                    if by_pseudonym is None:
                        by_pseudonym = structure_db.pseudonym_ids(conn)
                    if erased is None:
                        erased = dp_db.erased_pseudonyms(conn)
                    withdrawn = [
                        str(n).strip().upper() for n in p.imported.participants if str(n).strip().upper() in erased
                    ] + [s.upper() for s in speakers if s.upper() in erased]
                    if withdrawn:
                        results.append(
                            ImportResult(
                                p.filename, "failed", str(ImportFailed(p.filename, withdrawn_refusal(withdrawn)))
                            )
                        )
                        del in_batch[same_place]
                        continue
                    for named in p.imported.participants:
                        pid = by_pseudonym.get(str(named).strip().upper())
                        if pid is None:
                            warnings.append(f"participant {named!r} named in the file is not registered; not linked")
                        else:
                            participant_ids.append(pid)
                    for row in p.segment_rows:
                        if row["speaker"]:
                            row["participant_id"] = by_pseudonym.get(row["speaker"].upper())
                speaker_ids = [int(row["participant_id"]) for row in p.segment_rows if row["participant_id"]]
                named_ids = list(dict.fromkeys([*participant_ids, *speaker_ids]))
                if named_ids:
                    wp_id = int(values["wp_id"])
                    if wp_id not in wp_numbers:
                        wp_numbers[wp_id] = structure_db.get_work_package(conn, wp_id).number
                    problems = consent_problems(conn, named_ids, wp_numbers[wp_id])
                    if problems and consent_override is None:
                        results.append(
                            ImportResult(p.filename, "failed", str(ImportFailed(p.filename, consent_refusal(problems))))
                        )
                        del in_batch[same_place]
                        continue
                    if problems:
                        overridden.setdefault(wp_numbers[wp_id], set()).update(q.participant_id for q in problems)
                        warnings.append(
                            "imported without covering consent (override recorded): "
                            + "; ".join(str(problem) for problem in problems)
                        )
                if p.stored is not None and self._store_file(p.sha256, p.stored):
                    written.append(p.sha256)
                new.append(db.NewSource(values, p.segment_rows, participant_ids))
                stored_items.append(p)
                results.append(
                    ImportResult(
                        p.filename,
                        "imported",
                        segments=len(p.segment_rows),
                        importer=p.imported.importer,
                        warnings=warnings,
                        replaced=sum(1 for f in p.findings if f["status"] == "replaced"),
                        flagged=sum(1 for f in p.findings if f["status"] == "flagged"),
                    )
                )
            new_ids = db.insert_sources(conn, new)
            findings = [
                {**row, "source_id": source_id}
                for source_id, p in zip(new_ids, stored_items, strict=True)
                for row in p.findings
            ]
            pseudo_db.insert_findings(conn, findings)
            if new_ids and overridden:
                assert consent_override is not None
                at = now()
                for wp_number, pids in overridden.items():
                    for pid in sorted(pids):
                        dp_db.insert_override(conn, pid, wp_number, consent_override.strip(), self.user, at)
        ids = iter(new_ids)
        for result in results:
            if result.status == "imported":
                result.source_id = next(ids)
                result.message = f"imported as source {result.source_id}"
        if new_ids and overridden:
            for wp_number, pids in overridden.items():
                self.audit("consent.override", f"wp:{wp_number}", {"participants": sorted(pids)})
        if new_ids:  # content-free: ids and counts, never file names (they may name people)
            self.audit(
                "import",
                None,
                {
                    "sources": list(new_ids),
                    "pseudonymised": any(p.pseudonymised for p in stored_items),
                },
            )
        return results
