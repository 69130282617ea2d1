"""Importing AI-interaction logs: one source per conversation, all conversations of a call in one transaction.

A ChatGPT or Claude export holds many conversations, a DevGPT file many sharings, a generic log many sessions.
:meth:`AiLogService.import_ai_logs` parses every file in memory (:func:`aia.ingest.conversations.parse_many_file`),
prepares each conversation the way :func:`aia.services.importing.prepare` prepares a file (offsets checked,
pseudonymised when the project says so, indexed), and stores them all with ``ImportService._store_all`` in one write
transaction. A conversation already stored from the same file in the same place is skipped unless ``force``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from aia.errors import ImportFailed
from aia.ingest.base import ImportedSource, SegmentDraft
from aia.ingest.conversations import SPAN_KEYS, parse_conversations
from aia.model import WorkPackage
from aia.privacy.imported import PseudonymContext, pseudonymise_filename, pseudonymise_source, stored_original
from aia.services.importing import MAX_FILE_BYTES, ImportResult, ImportService, _Prepared, check_offsets, stored_rows
from aia.store import ailogs as db
from aia.store.database import read


def check_spans(imported: ImportedSource, filename: str) -> None:
    """Refuse a source whose marked spans (code blocks, thinking) are not inside their turn (an importer bug)."""
    for i, seg in enumerate(imported.segments):
        for key in SPAN_KEYS:
            for span in seg.meta.get(key) or []:
                if not (seg.start <= span["start"] <= span["end"] <= seg.end):
                    raise ImportFailed(
                        filename, f"the {imported.importer} importer produced a {key} span outside turn {i}"
                    )


def _pieces(imported: ImportedSource) -> tuple[list[SegmentDraft], list[list[int]]]:
    """The turns cut at every marked span boundary, and for each turn the indexes of its pieces."""
    pieces: list[SegmentDraft] = []
    owned: list[list[int]] = []
    for seg in imported.segments:
        bounds = {seg.start, seg.end}
        for key in SPAN_KEYS:
            for span in seg.meta.get(key) or []:
                bounds.update((span["start"], span["end"]))
        ordered = sorted(bounds)
        mine: list[int] = []
        for a, b in itertools.pairwise(ordered):
            mine.append(len(pieces))
            pieces.append(SegmentDraft(seg.kind, a, b, seg.speaker, author=seg.author))
        owned.append(mine)
    return pieces, owned


def pseudonymise_conversation(imported: ImportedSource, pseudo: PseudonymContext) -> tuple[ImportedSource, list[Any]]:
    """Pseudonymise a conversation so that code blocks and thinking spans move with the text: the turns are cut at
    every span boundary (an identifier across a boundary is flagged, not replaced), then put together again."""
    pieces, owned = _pieces(imported)
    done = pseudonymise_source(dataclasses.replace(imported, segments=pieces), pseudo)
    moved = done.source.segments
    segments: list[SegmentDraft] = []
    for seg, mine in zip(imported.segments, owned, strict=True):
        starts: dict[int, int] = {}
        ends: dict[int, int] = {}
        for old, new in ((pieces[i], moved[i]) for i in mine):
            starts[old.start] = new.start
            ends[old.end] = new.end
        meta = dict(seg.meta)
        for key in SPAN_KEYS:
            if key in meta:
                meta[key] = [
                    {
                        **span,
                        "start": starts.get(span["start"], ends.get(span["start"], 0)),
                        "end": ends.get(span["end"], starts.get(span["end"], 0)),
                    }
                    for span in meta[key]
                ]
        if meta.get("attachments"):
            meta["attachments"] = [pseudonymise_filename(str(a), pseudo) for a in meta["attachments"]]
        first = moved[mine[0]] if mine else None
        segments.append(
            dataclasses.replace(
                seg,
                start=starts.get(seg.start, seg.start),
                end=ends.get(seg.end, seg.end),
                speaker=first.speaker if first else seg.speaker,
                author=first.author if first else seg.author,
                meta=meta,
            )
        )
    return dataclasses.replace(done.source, segments=segments), done.findings


def prepare_conversation(
    imported: ImportedSource,
    data: bytes,
    sha: str,
    filename: str,
    wp: WorkPackage,
    activity_id: int | None,
    user: str,
    pseudo: PseudonymContext | None,
) -> _Prepared:
    """What :func:`aia.services.importing.prepare` does for a file, for one conversation of it."""
    check_offsets(imported, filename)
    check_spans(imported, filename)
    findings: list[Any] = []
    shown_name = filename
    if pseudo is not None:
        imported, findings = pseudonymise_conversation(imported, pseudo)
        check_offsets(imported, filename)
        check_spans(imported, filename)
        shown_name = pseudonymise_filename(filename, pseudo)
    rows, values = stored_rows(imported, data, sha, shown_name, wp, activity_id, user)
    values["metadata"] = {
        **imported.metadata,
        "content_sha256": hashlib.sha256(imported.text.encode("utf-8")).hexdigest(),
    }
    label = f"{filename} [{imported.title}]" if imported.title else filename
    return _Prepared(
        label, sha, data, imported, values, rows, findings, stored_original(data, sha, pseudo), pseudo is not None
    )


def _place(p: _Prepared) -> db.Place:
    activity_id = p.source_values["activity_id"]
    return (activity_id, None if activity_id else p.source_values["wp_id"])


class AiLogService(ImportService):
    def import_ai_logs(
        self,
        paths: Iterable[str | Path],
        track: str | int | None = None,
        wp: int | None = None,
        activity: int | None = None,
        participants: Sequence[str] = (),
        force: bool = False,
        pseudonymise: bool | None = None,
        consent_override: str | None = None,
    ) -> list[ImportResult]:
        """Import AI-interaction logs (ChatGPT, Claude, DevGPT, generic JSONL/CSV): one source per conversation.

        A file that cannot be read, or is no AI-interaction log, is reported and nothing of it is stored; the
        conversations of the others are stored together in one transaction."""
        files: list[tuple[str, bytes | ImportFailed]] = []
        for path in paths:
            p = Path(path)
            try:
                info = p.stat()
            except OSError:
                info = None
            if info is None or not stat.S_ISREG(info.st_mode):
                files.append((p.name, ImportFailed(p.name, "the file does not exist or is not a regular file")))
            elif info.st_size > MAX_FILE_BYTES:
                files.append((p.name, ImportFailed(p.name, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")))
            else:
                files.append((p.name, p.read_bytes()))
        return self._import_ai_data(files, track, wp, activity, participants, force, pseudonymise, consent_override)

    def import_ai_log_bytes(
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
    ) -> list[ImportResult]:
        """Import the conversations of one file given as bytes; raises :class:`ImportFailed` if it cannot be read."""
        return self._import_ai_data(
            [(filename, data)], track, wp, activity, participants, force, pseudonymise, consent_override, True
        )

    def _import_ai_data(
        self,
        files: list[tuple[str, bytes | ImportFailed]],
        track: str | int | None,
        wp: int | None,
        activity: int | None,
        participants: Sequence[str],
        force: bool,
        pseudonymise: bool | None,
        consent_override: str | None = None,
        raise_failed: bool = False,
    ) -> list[ImportResult]:
        work_package, activity_id = self._placement(track, wp, activity)
        people = [self.participant(p) for p in participants]
        pseudo = self.pseudonym_context(pseudonymise)
        slots: list[ImportResult | _Prepared] = []
        for name, data in files:
            if isinstance(data, ImportFailed):
                slots.append(ImportResult(name, "failed", str(data)))
                continue
            try:
                sha = hashlib.sha256(data).hexdigest()
                prepared: list[ImportResult | _Prepared] = []
                for imported in parse_conversations(data, name):
                    if not imported.segments:
                        prepared.append(ImportResult(f"{name} [{imported.title}]", "skipped", "no visible messages"))
                        continue
                    prepared.append(
                        prepare_conversation(imported, data, sha, name, work_package, activity_id, self.user, pseudo)
                    )
            except ImportFailed as exc:
                if raise_failed:
                    raise
                slots.append(ImportResult(name, "failed", str(exc)))
                continue
            slots.extend(prepared)
        items = [s for s in slots if isinstance(s, _Prepared)]
        places = {_place(p) for p in items}
        with read(self.engine) as conn:
            stored = db.stored_conversations(
                conn, sorted({p.imported.importer for p in items}), sorted(places, key=str)
            )
        seen: set[tuple[db.Place, str, str]] = set()
        to_store: list[_Prepared] = []
        for i, slot in enumerate(slots):
            if not isinstance(slot, _Prepared):
                continue
            metadata = slot.source_values["metadata"]
            key = str(metadata.get("conversation_key") or f"{slot.filename}:{i}")
            content = str(metadata["content_sha256"])
            earlier = stored.get((_place(slot), key), [])
            if not force:
                same = [c for c in earlier if c.content_sha256 == content or c.sha256 == slot.sha256]
                if same:
                    source_id = same[-1].source_id
                    message = f"already imported as source {source_id}; use --force to import it again"
                    slots[i] = ImportResult(slot.filename, "skipped", message, source_id=source_id)
                    continue
                if (_place(slot), key, content) in seen:
                    slots[i] = ImportResult(slot.filename, "skipped", "the same conversation twice in this import")
                    continue
            if earlier:
                ids = ", ".join(str(c.source_id) for c in earlier)
                slot.imported.warnings.append(f"an earlier version of this conversation is stored as source {ids}")
            seen.add((_place(slot), key, content))
            to_store.append(slot)
        done = iter(self._store_all(to_store, people, True, consent_override))
        results: list[ImportResult] = []
        for slot in slots:
            if isinstance(slot, _Prepared):
                results.append(next(done))
            else:
                results.append(slot)
        return results
