"""Reading sources, their segments and their stored originals."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aia.errors import NotFoundError
from aia.model import Segment, Source
from aia.privacy.filecrypt import decrypt, is_encrypted
from aia.services.keys import KeysService
from aia.services.structure import StructureService
from aia.store import sources as db
from aia.store.database import read


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
