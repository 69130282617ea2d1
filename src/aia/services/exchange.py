"""Exchange with other QDA tools: REFI-QDA project (``.qdpx``) and codebook (``.qdc``) export and import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from aia.clock import now
from aia.errors import ImportFailed, NotFoundError, ValidationError
from aia.exchange.refi.export import ExportSummary, export_qdc, export_qdpx
from aia.exchange.refi.importer import ImportSummary
from aia.exchange.refi.merge import Existing, Plan, PreparedProject, merge, plan, plan_codebook, prepare
from aia.exchange.refi.positions import POSITION_CHOICES
from aia.exchange.refi.read import read_qdc, read_qdpx
from aia.ingest.base import ImportedSource
from aia.privacy.imported import PseudonymContext, pseudonymise_source, stored_original
from aia.services.consent import ConsentProblem, consent_problems, consent_refusal
from aia.services.memos import MemoService
from aia.store import dataprotection as dp_db
from aia.store import pseudonymisation as pseudo_db
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
        self,
        path: str | Path,
        positions: str = "auto",
        into: tuple[str | int, int] | None = None,
        consent_override: str | None = None,
        remove_missing: bool = False,
    ) -> ImportSummary:
        """Import a REFI-QDA project file into this project, merging by GUID (see ``docs/refi-qda.md``).

        Objects the project has already (same GUID) are updated to what the file says, and every change is
        reported (:attr:`ImportSummary.changes`); codings on such sources that the file lacks are kept unless
        ``remove_missing`` (then removed, counted and audited).

        ``positions``: ``auto`` (detect code points or UTF-16 units), ``utf16`` or ``codepoints``. ``into``:
        (forløb, WP) for sources that are in no forløb/WP Set (default: forløb "Importeret fra REFI-QDA", WP1).
        A source linked to a participant (a Case) whose consent does not cover its WP refuses the whole import,
        unless ``consent_override`` gives the lead's reason (recorded). The file is read and checked in memory
        first; then everything is stored in one transaction, or nothing."""
        if positions not in POSITION_CHOICES:
            raise ValidationError(f"positions must be one of {', '.join(POSITION_CHOICES)}, not {positions!r}")
        source = Path(path)
        parsed = read_qdpx(source)
        prepared = prepare(parsed, source.name, positions)
        pseudo = self.pseudonym_context()
        findings = pseudonymise_prepared(prepared, pseudo) if pseudo is not None else {}
        summary = self.import_prepared(source, prepared, into, pseudo, consent_override, findings, remove_missing)
        if pseudo is not None and summary.sources:
            stored = [f for guid in summary.source_guids for f in findings.get(guid, [])]
            replaced = sum(1 for f in stored if f["status"] == "replaced")
            flagged = sum(1 for f in stored if f["status"] == "flagged")
            summary.warnings.append(
                f"pseudonymised the imported texts ({replaced} identifiers replaced, {flagged} flagged; codings moved "
                "with them); review each source with 'aia pseudonymise review SOURCE'"
            )
        return summary

    def import_qdc(self, path: str | Path) -> ImportSummary:
        """Import a REFI-QDA codebook (``.qdc``): new codes are added, codes with a known GUID are matched."""
        source = Path(path)
        parsed = read_qdc(source)
        summary = ImportSummary(source, warnings=list(parsed.warnings))
        with write(self.engine) as conn:
            the_plan = plan_codebook(parsed, db.existing(conn))
            stored, _applied = merge(conn, the_plan, self.user)
        summary.codes = stored.codes
        summary.matched = dict(the_plan.matched)
        summary.warnings += the_plan.warnings
        summary.changed = dict(the_plan.updates.counts)
        summary.changes = list(the_plan.updates.changes)
        return summary

    def import_prepared(
        self,
        path: Path,
        prepared: PreparedProject,
        into: tuple[str | int, int] | None = None,
        pseudo: PseudonymContext | None = None,
        consent_override: str | None = None,
        findings: dict[str, list[dict[str, Any]]] | None = None,
        remove_missing: bool = False,
    ) -> ImportSummary:
        """Store a read and prepared project file (:func:`aia.exchange.refi.merge.prepare`): the one storing step
        of a ``.qdpx`` import (a hook for changing the texts, e.g. pseudonymisation, belongs before it).
        ``findings``: source GUID -> pseudonymisation findings (:func:`pseudonymise_prepared`) for the review list
        of each source stored new."""
        if consent_override is not None:
            self.require_lead("importing without covering consent")
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
            the_plan: Plan = plan(
                prepared, existing, self.user, target, db.stored_texts(conn, known), remove_missing=remove_missing
            )
            problems, unconsented = _consent_problems(conn, the_plan, existing)
            if problems and consent_override is None:
                raise ImportFailed(path.name, consent_refusal(problems))
            for s in the_plan.sources:
                sha = db.original_sha(s.original)
                kept = stored_original(s.original, sha, pseudo)  # encrypted when pseudonymising
                if kept is not None and self._store_file(sha, kept):
                    written.append(sha)
            stored, applied = merge(conn, the_plan, self.user)
            pseudo_db.insert_findings(
                conn,
                [
                    {**row, "source_id": source_id}
                    for source_id, s in zip(stored.source_ids, the_plan.sources, strict=True)
                    for row in (findings or {}).get(s.guid, [])
                ],
            )
            overridden = _record_overrides(conn, problems, the_plan, consent_override, self.user)
        for wp_number, pids in overridden.items():
            self.audit("consent.override", f"wp:{wp_number}", {"participants": pids})
        summary.tracks = stored.tracks
        summary.codes = stored.codes
        summary.sources = stored.sources
        summary.codings = stored.codings
        summary.memos = stored.memos
        summary.participants = stored.participants
        summary.organisations = stored.organisations
        summary.source_ids = stored.source_ids
        summary.source_guids = [s.guid for s in the_plan.sources]
        summary.matched = dict(the_plan.matched)
        summary.warnings = the_plan.warnings
        summary.changed = dict(the_plan.updates.counts)
        summary.changes = list(the_plan.updates.changes)
        if unconsented:
            summary.warnings.append(
                f"participants new from this file have no consent recorded: {', '.join(unconsented)}; record it with "
                f"'aia consent add {unconsented[0]} --wp N --sheet-version V --date YYYY-MM-DD' before importing more "
                "material naming them"
            )
        self.audit("import.qdpx", str(path.name), {"sources": stored.sources, "codings": stored.codings})
        if the_plan.updates.changes:
            self.audit(
                "import.qdpx.update",
                str(path.name),
                {
                    "changed": dict(the_plan.updates.counts),
                    "removed_coding_ids": applied.removed_codings,
                    "memos_moved_to_source": applied.memos_moved,
                },
            )
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


def _consent_problems(conn: Connection, the_plan: Plan, existing: Existing) -> tuple[list[ConsentProblem], list[str]]:
    """Consent problems of the registered participants (Cases matched by GUID) linked to the planned new sources, per
    WP, checked strictly (whether or not the project records consent for anyone else); and the pseudonyms of the
    participants the file brings along linked to a source: they are not registered yet, so not refused, but they
    have no consent recorded (the import says so)."""
    new = {p.guid: p.pseudonym for p in the_plan.participants}
    problems: list[ConsentProblem] = []
    by_wp: dict[int, list[str]] = {}
    for s in the_plan.sources:
        by_wp.setdefault(s.wp, []).extend(s.participants)
    unconsented: list[str] = []
    for wp_number, guids in sorted(by_wp.items()):
        known = [existing.participants[g] for g in dict.fromkeys(guids) if g in existing.participants]
        problems += consent_problems(conn, known, wp_number)
        unconsented += [new[g] for g in dict.fromkeys(guids) if g in new and g not in existing.participants]
    return problems, sorted(set(unconsented))


def _record_overrides(
    conn: Connection, problems: list[ConsentProblem], the_plan: Plan, reason: str | None, user: str
) -> dict[int, list[int]]:
    """Record the lead's override for every participant of ``problems`` (new ones now have their id)."""
    if not problems or reason is None:
        return {}
    if not reason.strip():
        raise ValidationError("an import without covering consent needs a reason (--override-consent REASON)")
    ids = db.existing(conn).participants
    by_pseudonym = {p.pseudonym: ids.get(p.guid) for p in the_plan.participants}
    at = now()
    out: dict[int, list[int]] = {}
    for problem in problems:
        pid = problem.participant_id or by_pseudonym.get(problem.participant)
        if pid:
            dp_db.insert_override(conn, pid, problem.wp, reason.strip(), user, at)
            out.setdefault(problem.wp, []).append(pid)
    return out


def pseudonymise_prepared(prepared: PreparedProject, pseudo: PseudonymContext) -> dict[str, list[dict[str, Any]]]:
    """Pseudonymise the texts of a prepared REFI-QDA project in place, moving its segments and codings with the
    text (a coding that touched an identifier covers its whole pseudonym). Returns the review-list findings (rows
    without ``source_id``) per source GUID, as a file import keeps them."""
    findings: dict[str, list[dict[str, Any]]] = {}
    for source in prepared.sources:
        done = pseudonymise_source(ImportedSource(source.text, source.segments, "refi-qda"), pseudo)
        for coding in source.codings:
            coding.start, coding.end = done.offset_map.map_span(coding.start, coding.end)
        source.text, source.segments = done.source.text, done.source.segments
        findings.setdefault(source.parsed.guid, []).extend(done.findings)
    return findings
