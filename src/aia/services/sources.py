"""Reading sources, their segments and their stored originals."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aia.clock import now
from aia.errors import NotFoundError, ValidationError
from aia.model import Segment, Source
from aia.privacy.filecrypt import decrypt, is_encrypted
from aia.services.keys import KeysService
from aia.services.structure import StructureService
from aia.store import dataprotection as dp_db
from aia.store import sources as db
from aia.store import structure as structure_db
from aia.store.database import read, write


@dataclass(frozen=True)
class SourceMove:
    """What :meth:`SourceService.move_source` did: where the source was and is, and whose consent was overridden."""

    source_id: int
    from_activity: int | None
    from_wp: int
    to_activity: int
    to_wp: int
    #: pseudonyms of the participants let through by the lead's consent override (empty without one)
    overridden: list[str] = field(default_factory=list)


class SourceService(StructureService, KeysService):
    def file_path(self, sha256: str) -> Path:
        """Where the original file with this SHA-256 is kept (``files/ab/abcdef…``)."""
        return self.files_dir / sha256[:2] / sha256

    def source(self, source_id: int, with_text: bool = True) -> Source:
        with read(self.engine) as conn:
            found = db.get_source(conn, source_id, with_text)
        if found is None:
            raise NotFoundError(f"there is no source {source_id}; 'aia sources list' shows them")
        return found

    def original(self, source_id: int) -> bytes:
        """The bytes of the file the source was imported from (decrypted with the key store if it is encrypted)."""
        sha = self.source(source_id, with_text=False).sha256
        try:
            blob = self.file_path(sha).read_bytes()
        except FileNotFoundError:
            raise NotFoundError(
                f"the original file of source {source_id} was not kept (project setting originals=none)"
            ) from None
        if not is_encrypted(blob):
            return blob
        return decrypt(blob, self.originals_key(), sha.encode("ascii"), f"the original file of source {source_id}")

    def sources(
        self, track: str | int | None = None, wp: int | None = None, activity: int | None = None
    ) -> list[tuple[Source, str, int]]:
        """Sources (without their text) with the name of their forløb and their WP number."""
        names = {t.id: t.name for t in self.tracks()}
        track_id = self.track(track).id if track is not None else None
        with read(self.engine) as conn:
            rows = db.list_sources(conn, track_id, wp, activity)
        return [(src, names[tid], number) for src, tid, number in rows]

    def segments(self, source_id: int) -> list[Segment]:
        self.source(source_id, with_text=False)
        with read(self.engine) as conn:
            return db.list_segments(conn, source_id)

    def segment(self, source_id: int, ordinal: int) -> Segment:
        with read(self.engine) as conn:
            found = db.get_segment(conn, source_id, ordinal)
        if found is None:
            raise NotFoundError(
                f"source {source_id} has no segment {ordinal}; 'aia source show {source_id}' lists its segments"
            )
        return found

    def source_participants(self, source_id: int) -> list[str]:
        with read(self.engine) as conn:
            ids = set(db.source_participant_ids(conn, source_id))
        return [p.pseudonym for p in self.participants() if p.id in ids]

    def move_source(self, source_id: int, activity_id: int, consent_override: str | None = None) -> SourceMove:
        """Move a source to another activity (and so to that activity's WP); its segments, codings, annotations,
        memos and incident spans stay as they are. Refused when the consent of a participant the source names
        (linked, or a speaker) does not cover the target WP, unless ``consent_override`` gives the lead's reason
        (recorded per participant, as for imports). Audited."""
        from aia.services.consent import consent_problems, consent_refusal  # consent builds on this module

        if consent_override is not None and not consent_override.strip():
            raise ValidationError("moving a source without covering consent needs a reason (--override-consent REASON)")
        if consent_override is not None:
            self.require_lead("moving a source without covering consent")
        with write(self.engine) as conn:
            found = db.get_source(conn, source_id, with_text=False)
            if found is None:
                raise NotFoundError(f"there is no source {source_id}; 'aia sources list' shows them")
            target = structure_db.get_activity(conn, activity_id)
            if found.activity_id == target.id:
                raise ValidationError(f"source {source_id} is in activity {activity_id} already")
            old_wp = structure_db.get_work_package(conn, found.wp_id)
            new_wp = structure_db.get_work_package(conn, target.wp_id)
            named = db.linked_participant_ids(conn, source_id)
            problems = consent_problems(conn, named, new_wp.number) if named else []
            if problems and consent_override is None:
                reason = consent_refusal(problems).replace("let the lead import it", "let the lead move it")
                raise ValidationError(f"cannot move source {source_id} to activity {activity_id}: {reason}")
            db.move_source(conn, source_id, new_wp.id, target.id)
            at = now()
            for problem in problems:
                assert consent_override is not None
                dp_db.insert_override(
                    conn, problem.participant_id, new_wp.number, consent_override.strip(), self.user, at
                )
        moved = SourceMove(
            source_id, found.activity_id, old_wp.number, target.id, new_wp.number, [p.participant for p in problems]
        )
        if problems:
            pids = sorted({p.participant_id for p in problems})
            self.audit("consent.override", f"wp:{new_wp.number}", {"participants": pids, "source": source_id})
        self.audit(
            "source.move",
            f"source:{source_id}",
            {
                "from_activity": found.activity_id,
                "from_wp": old_wp.number,
                "to_activity": target.id,
                "to_wp": new_wp.number,
                "consent_override": bool(problems),
            },
        )
        return moved

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

    def _store_file(self, sha256: str, data: bytes) -> bool:
        """Write the original under its hash (temp file + rename); False if it was there already."""
        target = self.file_path(sha256)
        if target.exists():
            return False
        if not target.parent.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".tmp-{os.getpid()}-{sha256}")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return True
