"""Views the web workbench needs beyond the core services: recent changes, participants and organisations with
their source counts, and REFI-QDA files as downloads and uploads."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from aia.errors import NotFoundError, ValidationError
from aia.exchange.refi.export import export_qdc, export_qdpx
from aia.exchange.refi.importer import ImportSummary
from aia.model import Organisation, Participant, Source
from aia.services.exchange import ExchangeService
from aia.store import memolinks as db
from aia.store.database import read
from aia.store.memolinks import Change


@dataclass(frozen=True)
class ParticipantRow:
    participant: Participant
    organisation: str | None
    track: str
    sources: int


@dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    participants: int
    sources: int


def _safe_name(filename: str, default: str) -> str:
    """The last part of an uploaded file name, with nothing that could leave a directory."""
    base = re.split(r"[\\/]", filename or "")[-1].strip().lstrip(".")
    return base[:200] or default


class WorkbenchService(ExchangeService):
    def recent_changes(self, limit: int = 20) -> list[Change]:
        """The last imports, codings, codes and memos, newest first, with who and when."""
        with read(self.engine) as conn:
            return db.recent_changes(conn, limit)

    def participant_rows(self) -> list[ParticipantRow]:
        """Participants with their organisation, forløb and number of sources (no identifiers: pseudonyms only)."""
        people = self.participants()
        orgs = {o.id: o.name for o in self.organisations()}
        tracks = {t.id: t.name for t in self.tracks()}
        with read(self.engine) as conn:
            counts = db.source_counts_by_participant(conn)
        return [
            ParticipantRow(
                p,
                orgs.get(p.organisation_id) if p.organisation_id is not None else None,
                tracks.get(p.track_id, ""),
                counts.get(p.id, 0),
            )
            for p in people
        ]

    def organisation_rows(self) -> list[OrganisationRow]:
        people = self.participants()
        with read(self.engine) as conn:
            counts = db.source_counts_by_organisation(conn)
        return [
            OrganisationRow(o, sum(1 for p in people if p.organisation_id == o.id), counts.get(o.id, 0))
            for o in self.organisations()
        ]

    def participant_sources(self, participant_id: int) -> tuple[Participant, list[Source]]:
        """A participant (by id) and the sources they take part in, without their text."""
        person = self.participant(participant_id)
        with read(self.engine) as conn:
            ids = db.source_ids_of_participant(conn, person.id)
        return person, [self.source(i, with_text=False) for i in ids]

    def organisation_page(self, organisation_id: int) -> tuple[Organisation, list[ParticipantRow], list[Source]]:
        """An organisation (by id), its participants and the sources any of them take part in (without text)."""
        org = next((o for o in self.organisations() if o.id == organisation_id), None)
        if org is None:
            raise NotFoundError(f"there is no organisation {organisation_id}; 'aia organisation list' shows them")
        people = [r for r in self.participant_rows() if r.participant.organisation_id == org.id]
        with read(self.engine) as conn:
            ids = db.source_ids_of_organisation(conn, org.id)
        return org, people, [self.source(i, with_text=False) for i in ids]

    # -- REFI-QDA through the browser ------------------------------------------------------------------------------
    def export_download(self, kind: str) -> tuple[str, bytes]:
        """A ``.qdpx`` project or ``.qdc`` codebook as a download: (file name, bytes). Recorded in the export
        register (the path is ``download:`` + the file name, since the file goes to the user's browser)."""
        if kind not in ("qdpx", "qdc"):
            raise ValidationError(f"there is no export {kind!r}; choose qdpx or qdc")
        name = f"{_safe_name(self.path.name, 'aia')}.{kind}"
        with tempfile.TemporaryDirectory(prefix="aia-export-") as tmp:
            target = Path(tmp) / name
            if kind == "qdpx":
                summary = export_qdpx(self, target)
                counts = {"sources": summary.sources, "codings": summary.codings, "memos": summary.memos}
            else:
                summary = export_qdc(self, target)
                counts = {"codes": summary.codes}
            data = target.read_bytes()
        self.register_export(kind, f"download:{name}", counts)
        return name, data

    def import_upload(
        self, filename: str, data: bytes, positions: str = "auto", remove_missing: bool = False
    ) -> ImportSummary:
        """Import an uploaded ``.qdpx`` (merged into this project by GUID) or ``.qdc`` (codebook); ``remove_missing``
        removes codings on matched sources that the ``.qdpx`` no longer has (see :meth:`import_qdpx`)."""
        name = _safe_name(filename, "upload.qdpx")
        suffix = Path(name).suffix.lower()
        if suffix not in (".qdpx", ".qdc"):
            raise ValidationError(f"{name} is not a REFI-QDA file; upload a .qdpx project or a .qdc codebook")
        with tempfile.TemporaryDirectory(prefix="aia-import-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            if suffix == ".qdc":
                return self.import_qdc(path)
            return self.import_qdpx(path, positions, remove_missing=remove_missing)
