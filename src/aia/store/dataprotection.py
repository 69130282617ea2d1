"""Data protection in the store: consent records, the export register, the erasure journal and its plan, retention.

Erasure is planned first (:func:`plan_erasure`: ids, offsets and file hashes only, never the content), the plan is
written to ``erasure_jobs``, and then carried out in one transaction (:func:`execute_plan`). Cleaning the bytes
(search index rebuild, VACUUM, WAL checkpoint, deleting originals) follows and is idempotent, so an interrupted
erasure is completed by running the remaining steps again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from aia.store import fts5
from aia.store.schema import (
    activities,
    code_events,
    codings,
    consent_forms,
    consent_overrides,
    consents,
    erasure_jobs,
    export_register,
    files,
    incidents,
    memos,
    participants,
    pseudonymisation_findings,
    segments,
    source_participants,
    sources,
    turn_annotations,
)
from aia.text.stemming import index_columns

MARK = "[slettet]"


# --- consent -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentRow:
    id: int
    participant_id: int
    pseudonym: str
    sheet_version: str
    date: str
    legal_basis: str
    wps: tuple[int, ...]
    audio: bool
    quotes: bool
    archiving: bool
    reuse: bool
    note: str
    recorded_by: str
    recorded_at: str
    form_media_type: str | None
    form_size: int | None


def insert_consent(conn: sa.Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(consents.insert().values(**values)).inserted_primary_key[0])  # type: ignore[index]


def insert_consent_form(conn: sa.Connection, consent_id: int, media_type: str, size: int, blob: bytes) -> None:
    conn.execute(consent_forms.insert().values(consent_id=consent_id, media_type=media_type, size=size, blob=blob))


def list_consents(conn: sa.Connection, participant_id: int | None = None) -> list[ConsentRow]:
    query = (
        sa.select(
            consents,
            participants.c.pseudonym,
            consent_forms.c.media_type,
            consent_forms.c.size,
        )
        .join(participants, participants.c.id == consents.c.participant_id)
        .outerjoin(consent_forms, consent_forms.c.consent_id == consents.c.id)
        .order_by(participants.c.pseudonym, consents.c.date, consents.c.id)
    )
    if participant_id is not None:
        query = query.where(consents.c.participant_id == participant_id)
    return [
        ConsentRow(
            int(r.id),
            int(r.participant_id),
            r.pseudonym,
            r.sheet_version,
            r.date,
            r.legal_basis,
            tuple(int(w) for w in r.wps),
            bool(r.audio),
            bool(r.quotes),
            bool(r.archiving),
            bool(r.reuse),
            r.note,
            r.recorded_by,
            r.recorded_at,
            r.media_type,
            None if r.size is None else int(r.size),
        )
        for r in conn.execute(query)
    ]


def consent_form_blob(conn: sa.Connection, consent_id: int) -> tuple[str, bytes] | None:
    row = conn.execute(
        sa.select(consent_forms.c.media_type, consent_forms.c.blob).where(consent_forms.c.consent_id == consent_id)
    ).first()
    return None if row is None else (str(row.media_type), bytes(row.blob))


def insert_override(conn: sa.Connection, participant_id: int, wp: int, reason: str, by: str, at: str) -> None:
    conn.execute(
        consent_overrides.insert().values(
            participant_id=participant_id, wp=wp, reason=reason, decided_by=by, decided_at=at
        )
    )


def newest_consents(conn: sa.Connection, participant_ids: Sequence[int]) -> dict[int, ConsentRow]:
    """The current (newest) consent record of each of these participants that has one."""
    wanted = set(participant_ids)
    newest: dict[int, ConsentRow] = {}
    if not wanted:
        return newest
    for record in list_consents(conn):
        if record.participant_id in wanted:
            newest[record.participant_id] = record
    return newest


def erased_pseudonyms(conn: sa.Connection) -> set[str]:
    """Pseudonyms of participants who withdrew (an erasure job names them), upper case."""
    if not has_journal(conn):
        return set()
    return {str(r.pseudonym).upper() for r in conn.execute(sa.select(erasure_jobs.c.pseudonym))}


# --- export register ---------------------------------------------------------------------------------------------


def register_export(conn: sa.Connection, kind: str, path: str, summary: dict[str, Any], by: str, at: str) -> int:
    row = export_register.insert().values(kind=kind, path=path, summary=summary, exported_by=by, exported_at=at)
    return int(conn.execute(row).inserted_primary_key[0])  # type: ignore[index]


def list_exports(conn: sa.Connection) -> list[dict[str, Any]]:
    return [
        {
            "id": int(r.id),
            "kind": r.kind,
            "path": r.path,
            "summary": r.summary,
            "exported_by": r.exported_by,
            "exported_at": r.exported_at,
        }
        for r in conn.execute(sa.select(export_register).order_by(export_register.c.id))
    ]


# --- erasure: planning -------------------------------------------------------------------------------------------


def _pattern(needles: Sequence[str]) -> re.Pattern[str] | None:
    """Any needle as a whole word, case-insensitive, with an optional Danish genitive (``Mettes``, ``Mette's``)."""
    cleaned = sorted({n.strip() for n in needles if n and n.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    alternatives = "|".join(re.escape(n) for n in cleaned)
    return re.compile(r"(?<!\w)(?:" + alternatives + r")(?:s|'s|’s|')?(?!\w)", re.IGNORECASE)


def _spans(pattern: re.Pattern[str] | None, text: str | None) -> list[list[int]]:
    if pattern is None or not text:
        return []
    return [[m.start(), m.end()] for m in pattern.finditer(text)]


def _merge(spans: Iterable[Sequence[int]]) -> list[list[int]]:
    out: list[list[int]] = []
    pairs: list[tuple[int, int]] = [(int(s[0]), int(s[1])) for s in spans]
    for start, end in sorted(pairs):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


def _overlaps(start: int, end: int, spans: Sequence[Sequence[int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


#: columns scrubbed of the person's identifiers (replaced by MARK); (table, primary key column, column)
_SCRUB_COLUMNS: tuple[tuple[sa.Table, str, str], ...] = (
    (sources, "id", "title"),
    (sources, "id", "original_filename"),
    (sources, "id", "metadata"),
    (segments, "id", "speaker"),
    (segments, "id", "author"),
    (segments, "id", "meta"),
    (activities, "id", "title"),
    (activities, "id", "notes"),
    (activities, "id", "place"),
    (activities, "id", "researchers"),
    (turn_annotations, "id", "note"),
    (code_events, "id", "rationale"),
    (code_events, "id", "details"),
)
_TABLES = {t.name: t for t, _, _ in _SCRUB_COLUMNS}


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def plan_erasure(
    conn: sa.Connection,
    participant_id: int,
    needles: Sequence[str],
    shared: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """What erasing the participant changes, as ids, offsets and file hashes (content-free).

    ``needles`` identify the person anywhere (pseudonym, full names, e-mails, phones, CPR, and names nobody else in
    the key store has). ``shared``: names the person shares with others (a first name two participants have) ->
    the pseudonyms of those others; such a name is blanked only in the person's own sources (linked, or where they
    speak), and not in one where one of those others is linked or speaks too."""
    pattern = _pattern(needles)
    shared = shared or {}
    row: Any
    linked = {
        int(r.source_id)
        for r in conn.execute(
            sa.select(source_participants.c.source_id).where(source_participants.c.participant_id == participant_id)
        )
    }
    own_segments = conn.execute(
        sa.select(segments.c.id, segments.c.source_id, segments.c.start, segments.c.end).where(
            segments.c.participant_id == participant_id
        )
    ).all()
    candidate_sources = linked | {int(r.source_id) for r in own_segments}
    delete_sources: set[int] = set()
    blank: dict[int, list[list[int]]] = {}
    for source_id in sorted(candidate_sources):
        others = conn.execute(
            sa.select(sa.func.count())
            .select_from(source_participants)
            .where(source_participants.c.source_id == source_id, source_participants.c.participant_id != participant_id)
        ).scalar()
        other_speakers = conn.execute(
            sa.select(sa.func.count())
            .select_from(segments)
            .where(
                segments.c.source_id == source_id,
                segments.c.participant_id.is_not(None),
                segments.c.participant_id != participant_id,
            )
        ).scalar()
        if source_id in linked and not others and not other_speakers:
            delete_sources.add(source_id)
        else:
            blank[source_id] = [[int(r.start), int(r.end)] for r in own_segments if int(r.source_id) == source_id]
    # names shared with others: only in the person's own sources without one of those others
    weak: dict[int, re.Pattern[str] | None] = {}
    if shared:
        pseudonym_of = {int(r.id): str(r.pseudonym).upper() for r in conn.execute(sa.select(participants))}
        for source_id in sorted(candidate_sources - delete_sources):
            present = {
                pseudonym_of.get(int(r.participant_id), "")
                for r in conn.execute(
                    sa.select(source_participants.c.participant_id).where(source_participants.c.source_id == source_id)
                )
            } | {
                pseudonym_of.get(int(r.participant_id), "")
                for r in conn.execute(
                    sa.select(segments.c.participant_id)
                    .where(segments.c.source_id == source_id, segments.c.participant_id.is_not(None))
                    .distinct()
                )
            }
            usable = [name for name, others in shared.items() if not {o.upper() for o in others} & present]
            weak[source_id] = _pattern(usable)
    # the person named in the text of every source that stays
    for row in conn.execute(sa.select(sources.c.id, sources.c.text)):
        if int(row.id) in delete_sources:
            continue
        found = _spans(pattern, row.text) + _spans(weak.get(int(row.id)), row.text)
        if found:
            blank.setdefault(int(row.id), []).extend(found)
    blank = {k: _merge(v) for k, v in blank.items() if v}
    own_spans = {sid: [[int(r.start), int(r.end)] for r in own_segments if int(r.source_id) == sid] for sid in blank}

    delete_codings: set[int] = set()
    for row in conn.execute(
        sa.select(codings.c.id, codings.c.source_id, codings.c.start, codings.c.end, codings.c.comment)
    ):
        sid = int(row.source_id)
        in_own = sid in own_spans and _overlaps(int(row.start), int(row.end), own_spans[sid])
        if sid in delete_sources or in_own or _spans(pattern, row.comment):
            delete_codings.add(int(row.id))

    delete_memos: set[int] = set()
    for row in conn.execute(sa.select(memos.c.id, memos.c.target_type, memos.c.target_id, memos.c.title, memos.c.body)):
        target = None if row.target_id is None else int(row.target_id)
        if (
            (row.target_type == "participant" and target == participant_id)
            or (row.target_type == "source" and target in delete_sources)
            or (row.target_type == "coding" and target in delete_codings)
            or _spans(pattern, row.title)
            or _spans(pattern, row.body)
        ):
            delete_memos.add(int(row.id))

    delete_incidents: set[int] = set()
    for row in conn.execute(sa.select(incidents)):
        text = "\n".join(
            _as_text(row._mapping[c]) or ""
            for c in ("title", "situation", "action", "outcome", "competence", "ai_tools")
        )
        if row.reporter_id == participant_id or _spans(pattern, text):
            delete_incidents.add(int(row.id))

    delete_findings: set[int] = set()
    for row in conn.execute(
        sa.select(
            pseudonymisation_findings.c.id,
            pseudonymisation_findings.c.source_id,
            pseudonymisation_findings.c.start,
            pseudonymisation_findings.c.end,
            pseudonymisation_findings.c.replacement,
        )
    ):
        sid = int(row.source_id)
        if (sid in blank and _overlaps(int(row.start), int(row.end), blank[sid])) or _spans(pattern, row.replacement):
            delete_findings.add(int(row.id))

    scrub: list[list[Any]] = []
    for table, key, column in _SCRUB_COLUMNS:
        col = table.c[column]
        for row in conn.execute(sa.select(table.c[key], col).where(col.is_not(None))):
            if table is sources and int(row[0]) in delete_sources:
                continue
            found = _spans(pattern, _as_text(row[1]))
            if found:
                scrub.append([table.name, int(row[0]), column, found])

    # originals: unreferenced after the deletion -> file and row go; text changed -> the file goes (row stays)
    shas_deleted = {
        str(r.sha256) for r in conn.execute(sa.select(sources.c.sha256).where(sources.c.id.in_(delete_sources)))
    }
    shas_kept = {
        str(r.sha256)
        for r in conn.execute(
            sa.select(sources.c.sha256).where(sources.c.id.not_in(delete_sources) if delete_sources else sa.true())
        )
    }
    shas_changed = {
        str(r.sha256) for r in conn.execute(sa.select(sources.c.sha256).where(sources.c.id.in_(list(blank))))
    }
    return {
        "participant_id": participant_id,
        "delete_sources": sorted(delete_sources),
        "blank": {str(k): v for k, v in sorted(blank.items())},
        "delete_codings": sorted(delete_codings),
        "delete_memos": sorted(delete_memos),
        "delete_incidents": sorted(delete_incidents),
        "delete_findings": sorted(delete_findings),
        "scrub": scrub,
        "delete_file_rows": sorted(shas_deleted - shas_kept),
        "delete_files": sorted((shas_deleted - shas_kept) | shas_changed),
    }


# --- erasure: carrying the plan out ------------------------------------------------------------------------------


def blank_text(text: str, spans: Sequence[Sequence[int]]) -> str:
    """``text`` with every span overwritten by ``[slettet]`` and spaces (newlines kept): same length, so every
    other offset into the text stays valid."""
    chars = list(text)
    for start, end in spans:
        start, end = max(0, int(start)), min(len(chars), int(end))
        for i in range(start, end):
            if chars[i] != "\n":
                k = i - start
                chars[i] = MARK[k] if k < len(MARK) else " "
    return "".join(chars)


def _replace_spans(text: str, spans: Sequence[Sequence[int]]) -> str:
    out = text
    for start, end in sorted(((int(s[0]), int(s[1])) for s in spans), reverse=True):
        out = out[: int(start)] + MARK + out[int(end) :]
    return out


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


def execute_plan(conn: sa.Connection, plan: dict[str, Any]) -> dict[str, int]:
    """Carry out an erasure plan (idempotent: rows already gone are skipped). Returns counts per kind."""
    counts: dict[str, int] = {}

    def delete(table: sa.Table, ids: Sequence[int], name: str) -> None:
        n = 0
        for chunk in _chunks(ids):
            n += int(conn.execute(table.delete().where(table.c.id.in_(chunk))).rowcount or 0)
        counts[name] = n

    delete(pseudonymisation_findings, plan["delete_findings"], "findings")
    delete(memos, plan["delete_memos"], "memos")
    delete(incidents, plan["delete_incidents"], "incidents")
    delete(codings, plan["delete_codings"], "codings")
    # memos on the deleted codings and sources go with them (memos have no foreign key to their target)
    for chunk in _chunks(plan["delete_codings"]):
        conn.execute(memos.delete().where(memos.c.target_type == "coding", memos.c.target_id.in_(chunk)))
    for chunk in _chunks(plan["delete_sources"]):
        conn.execute(memos.delete().where(memos.c.target_type == "source", memos.c.target_id.in_(chunk)))
    delete(sources, plan["delete_sources"], "sources")
    blanked = 0
    for key, spans in plan["blank"].items():
        source_id = int(key)
        text = conn.execute(sa.select(sources.c.text).where(sources.c.id == source_id)).scalar()
        if text is None:
            continue
        new_text = blank_text(str(text), spans)
        if new_text != text:
            conn.execute(sources.update().where(sources.c.id == source_id).values(text=new_text))
            blanked += 1
        for seg in conn.execute(
            sa.select(segments.c.id, segments.c.start, segments.c.end, segments.c.stem, segments.c.plain).where(
                segments.c.source_id == source_id
            )
        ).all():
            stem, plain = index_columns(new_text[int(seg.start) : int(seg.end)])
            if (stem, plain) != (seg.stem, seg.plain):
                conn.execute(segments.update().where(segments.c.id == seg.id).values(stem=stem, plain=plain))
    counts["sources_blanked"] = blanked
    scrubbed = 0
    for table_name, row_id, column, spans in plan["scrub"]:
        table = _TABLES[table_name]
        value = conn.execute(sa.select(table.c[column]).where(table.c.id == row_id)).scalar()
        text = _as_text(value)
        if text is None:
            continue
        new_text = _replace_spans(text, spans)
        if new_text == text:
            continue
        new_value: Any = new_text
        if not isinstance(value, str):
            try:
                new_value = json.loads(new_text)
            except ValueError:
                new_value = {} if isinstance(value, dict) else []
        conn.execute(table.update().where(table.c.id == row_id).values({column: new_value}))
        scrubbed += 1
    counts["fields_scrubbed"] = scrubbed
    conn.execute(participants.delete().where(participants.c.id == plan["participant_id"]))
    for chunk in _chunks(plan["delete_file_rows"]):
        gone = sa.select(sources.c.id).where(sources.c.sha256 == files.c.sha256).exists()
        conn.execute(files.delete().where(files.c.sha256.in_(chunk), ~gone))
    return counts


def rebuild_search_index(conn: sa.Connection) -> None:
    """Rebuild the FTS5 index from the segments: drops every trace of deleted rows from its shadow tables."""
    fts5.rebuild(conn)


# --- erasure journal ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureJob:
    id: int
    pseudonym: str
    reason: str
    requested_by: str
    requested_at: str
    state: str
    plan: dict[str, Any]
    report: dict[str, Any]
    keystore: str
    finished_at: str | None


def _job(r: Any) -> ErasureJob:
    return ErasureJob(
        int(r.id),
        r.pseudonym,
        r.reason,
        r.requested_by,
        r.requested_at,
        r.state,
        dict(r.plan),
        dict(r.report),
        r.keystore,
        r.finished_at,
    )


def insert_job(conn: sa.Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(erasure_jobs.insert().values(**values)).inserted_primary_key[0])  # type: ignore[index]


def update_job(conn: sa.Connection, job_id: int, **values: Any) -> None:
    conn.execute(erasure_jobs.update().where(erasure_jobs.c.id == job_id).values(**values))


def get_job(conn: sa.Connection, job_id: int) -> ErasureJob | None:
    row = conn.execute(sa.select(erasure_jobs).where(erasure_jobs.c.id == job_id)).first()
    return None if row is None else _job(row)


def has_journal(conn: sa.Connection) -> bool:
    return sa.inspect(conn).has_table(erasure_jobs.name)


def list_jobs(conn: sa.Connection, unfinished_only: bool = False) -> list[ErasureJob]:
    query = sa.select(erasure_jobs).order_by(erasure_jobs.c.id)
    if unfinished_only:
        query = query.where(sa.or_(erasure_jobs.c.state != "done", erasure_jobs.c.keystore == "pending"))
    return [_job(r) for r in conn.execute(query)]


# --- retention ---------------------------------------------------------------------------------------------------


def content_counts(conn: sa.Connection) -> dict[str, int]:
    """How much identifiable material the project holds (for the retention report)."""
    out: dict[str, int] = {}
    for name, table in (
        ("participants", participants),
        ("sources", sources),
        ("segments", segments),
        ("codings", codings),
        ("memos", memos),
        ("incidents", incidents),
        ("consents", consents),
        ("consent_forms", consent_forms),
        ("files", files),
    ):
        out[name] = int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)
    return out


def participant_ids(conn: sa.Connection) -> list[tuple[int, str]]:
    return [(int(r.id), str(r.pseudonym)) for r in conn.execute(sa.select(participants.c.id, participants.c.pseudonym))]


def delete_all_material(conn: sa.Connection) -> list[str]:
    """Delete every source (segments, codings, findings cascade), memo, incident and consent; returns the file
    hashes whose originals are to be removed from ``files/``."""
    shas = [str(r.sha256) for r in conn.execute(sa.select(files.c.sha256))]
    conn.execute(memos.delete())
    conn.execute(incidents.delete())
    conn.execute(codings.delete())
    conn.execute(sources.delete())
    conn.execute(files.delete())
    conn.execute(consent_forms.delete())
    conn.execute(consent_overrides.delete())
    conn.execute(consents.delete())
    return shas


def all_file_shas(conn: sa.Connection) -> list[str]:
    return [str(r.sha256) for r in conn.execute(sa.select(files.c.sha256))]
