"""Exchange with other QDA tools: REFI-QDA project (``.qdpx``) and codebook (``.qdc``) export and import."""

from __future__ import annotations

from pathlib import Path

from aia.errors import NotFoundError, ValidationError
from aia.exchange.refi.export import ExportSummary, export_qdc, export_qdpx
from aia.exchange.refi.importer import ImportSummary
from aia.exchange.refi.merge import Plan, PreparedProject, plan, plan_codebook, prepare
from aia.exchange.refi.positions import POSITION_CHOICES
from aia.exchange.refi.read import read_qdc, read_qdpx
from aia.ingest.base import ImportedSource
from aia.privacy.imported import PseudonymContext, pseudonymise_source, stored_original
from aia.services.memos import MemoService
from aia.store import refi_import as db
from aia.store.database import write


class ExchangeService(MemoService):
    def export_qdpx(self, path: str | Path) -> ExportSummary:
        """Write the whole project (sources, codebook, codings, memos, cases, forløb/WP sets) as a ``.qdpx``."""
        summary = export_qdpx(self, path)
        counts = {"sources": summary.sources, "codings": summary.codings, "memos": summary.memos}
        self.register_export("qdpx", Path(path).resolve(), counts)
        return summary

    def export_qdc(self, path: str | Path) -> ExportSummary:
        """Write the codebook as a REFI-QDA ``.qdc`` file."""
        summary = export_qdc(self, path)
        self.register_export("qdc", Path(path).resolve(), {"codes": summary.codes})
        return summary

    # -- import ---------------------------------------------------------------------------------------------------
    def import_qdpx(
        self, path: str | Path, positions: str = "auto", into: tuple[str | int, int] | None = None
    ) -> ImportSummary:
        """Import a REFI-QDA project file into this project, merging by GUID (see ``docs/refi-qda.md``).

        ``positions``: ``auto`` (detect code points or UTF-16 units), ``utf16`` or ``codepoints``. ``into``:
        (forløb, WP) for sources that are in no forløb/WP Set (default: forløb "Importeret fra REFI-QDA", WP1).
        The file is read and checked in memory first; then everything is stored in one transaction, or nothing."""
        if positions not in POSITION_CHOICES:
            raise ValidationError(f"positions must be one of {', '.join(POSITION_CHOICES)}, not {positions!r}")
        source = Path(path)
        parsed = read_qdpx(source)
        prepared = prepare(parsed, source.name, positions)
        pseudo = self.pseudonym_context()
        replaced = pseudonymise_prepared(prepared, pseudo) if pseudo is not None else 0
        summary = self.import_prepared(source, prepared, into, pseudo)
        if pseudo is not None and summary.sources:
            summary.warnings.append(
                f"pseudonymised the imported texts ({replaced} identifiers replaced, codings moved with them); "
                "REFI-QDA imports keep no review list, so read the imported texts"
            )
        return summary

    def import_qdc(self, path: str | Path) -> ImportSummary:
        """Import a REFI-QDA codebook (``.qdc``): new codes are added, codes with a known GUID are matched."""
        source = Path(path)
        parsed = read_qdc(source)
        summary = ImportSummary(source, warnings=list(parsed.warnings))
        with write(self.engine) as conn:
            the_plan = plan_codebook(parsed, db.existing(conn))
            stored = db.store_plan(conn, the_plan, self.user)
        summary.codes = stored.codes
        summary.matched = dict(the_plan.matched)
        summary.warnings += the_plan.warnings
        return summary

    def import_prepared(
        self,
        path: Path,
        prepared: PreparedProject,
        into: tuple[str | int, int] | None = None,
        pseudo: PseudonymContext | None = None,
    ) -> ImportSummary:
        """Store a read and prepared project file (:func:`aia.exchange.refi.merge.prepare`): the one storing step
        of a ``.qdpx`` import (a hook for changing the texts, e.g. pseudonymisation, belongs before it)."""
        target = self._into(into)
        summary = ImportSummary(path, positions=prepared.reading.unit)
        if prepared.reading.newlines == "lf":
            summary.positions += " (CRLF counted as one)"
        written: list[str] = []
        with self._removing_orphans(written), write(self.engine) as conn:
            existing = db.existing(conn)
            known = {
                s.parsed.guid: existing.sources[s.parsed.guid]
                for s in prepared.sources
                if s.parsed.guid in existing.sources
            }
            the_plan: Plan = plan(prepared, existing, self.user, target, db.stored_texts(conn, known))
            for s in the_plan.sources:
                sha = db.original_sha(s.original)
                kept = stored_original(s.original, sha, pseudo)  # encrypted when pseudonymising
                if kept is not None and self._store_file(sha, kept):
                    written.append(sha)
            stored = db.store_plan(conn, the_plan, self.user)
        summary.tracks = stored.tracks
        summary.codes = stored.codes
        summary.sources = stored.sources
        summary.codings = stored.codings
        summary.memos = stored.memos
        summary.participants = stored.participants
        summary.organisations = stored.organisations
        summary.source_ids = stored.source_ids
        summary.matched = dict(the_plan.matched)
        summary.warnings = the_plan.warnings
        self.audit("import.qdpx", str(path.name), {"sources": stored.sources, "codings": stored.codings})
        return summary

    def _into(self, into: tuple[str | int, int] | None) -> tuple[str, int] | None:
        if into is None:
            return None
        ref, wp = into
        if wp not in range(1, 6):
            raise ValidationError(f"work package {wp} does not exist; AiA has WP1 to WP5")
        try:
            return self.track(ref).name, wp
        except NotFoundError:
            name = str(ref).strip()
            if not name or name.isdigit():
                raise
            return name, wp  # a new forløb of that name is created


def pseudonymise_prepared(prepared: PreparedProject, pseudo: PseudonymContext) -> int:
    """Pseudonymise the texts of a prepared REFI-QDA project in place, moving its segments and codings with the
    text (a coding that touched an identifier covers its whole pseudonym). Returns how many were replaced."""
    replaced = 0
    for source in prepared.sources:
        done = pseudonymise_source(ImportedSource(source.text, source.segments, "refi-qda"), pseudo)
        for coding in source.codings:
            coding.start, coding.end = done.offset_map.map_span(coding.start, coding.end)
        source.text, source.segments = done.source.text, done.source.segments
        replaced += done.replaced
    return replaced
