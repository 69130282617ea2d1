"""Step 2 of a REFI-QDA import: what the project holds (:class:`Existing`, read inside the import's write
transaction), and the :class:`Plan` of what to store new and what to change on matched objects (pure data).

- codes, sources, codings, memos, participants and organisations are matched by GUID (case-insensitive, braces
  dropped), so a re-import adds nothing twice; a new code whose name is taken under the same parent is matched to
  that code by name (with a warning);
- forløb are matched by their Set's GUID or by name; the WP of a source comes from the ``forløb / WPn …`` Set
  it is a member of (as aia exports them); sources in no such Set go to ``into`` (or the default forløb
  :data:`DEFAULT_TRACK`, WP1);
- matched objects are updated to what the file says (:mod:`.changes`).

Everything that is left out or changed on the way is reported in the plan's warnings and changes.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from aia.exchange.refi.parsed import ParsedCodebook, PCode
from aia.ingest.base import SegmentDraft

DEFAULT_TRACK = "Importeret fra REFI-QDA"
DEFAULT_PREFIX = "IMP"
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
WP_SET = re.compile(r"^(.+?) / WP([1-5])\b")
PREFIX_IN = re.compile(r"\(([A-Z][A-Z0-9]{1,7})\)\s*$")
PSEUDONYM = re.compile(r"^([A-Z][A-Z0-9]{1,7})-P(\d+)$")
MERGE_NAMESPACE = uuid.UUID("7c1f8e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b")


@dataclass
class Existing:
    """What the project holds, as far as an import needs to know (read inside the write transaction)."""

    #: track guid -> (id, name, prefix)
    tracks: dict[str, tuple[int, str, str]]
    #: code guid -> (id, parent id, name)
    codes: dict[str, tuple[int, int | None, str]]
    sources: dict[str, int]
    codings: set[str]
    memos: set[str]
    participants: dict[str, int]
    pseudonyms: set[str]
    organisations: dict[str, int]
    organisation_names: dict[str, str]  # lower-cased name -> guid
    organisation_codes: set[str]
    code_count: int = 0
    #: code guid -> (description, colour), for the codes' updates
    code_details: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: source guid -> title
    source_titles: dict[str, str] = field(default_factory=dict)
    #: coding guid -> the stored coding (for codings on matched sources)
    coding_rows: dict[str, StoredCoding] = field(default_factory=dict)
    #: memo guid -> (title, body, updated_at)
    memo_rows: dict[str, tuple[str, str, str]] = field(default_factory=dict)


class StoredCoding(NamedTuple):
    source_id: int
    code_id: int
    start: int
    end: int
    comment: str | None


@dataclass
class CodeChange:
    """A matched code's fields that the file changes: field -> (old, new); ``parent`` by GUID (None: the top)."""

    guid: str
    name: str  # the name before the change
    fields: dict[str, tuple[Any, Any]]


@dataclass
class Updates:
    """What a re-import changes on objects the project has already (matched by GUID)."""

    codes: list[CodeChange] = field(default_factory=list)
    #: (source guid, old title, new title)
    source_titles: list[tuple[str, str, str]] = field(default_factory=list)
    #: (memo guid, new title, new body)
    memos: list[tuple[str, str, str]] = field(default_factory=list)
    #: codings on matched sources whose GUID is not in the file, removed (``remove_missing``)
    remove_codings: list[str] = field(default_factory=list)
    #: how many codings on matched sources are not in the file (removed or kept)
    missing: int = 0
    #: one line per change, for the report
    changes: list[str] = field(default_factory=list)
    #: kind of change -> how many ("codes renamed", "sources renamed", "codings removed" …)
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, line: str) -> None:
        self.counts[kind] += 1
        self.changes.append(line)


@dataclass
class NewTrack:
    guid: str
    name: str
    prefix: str
    description: str


@dataclass
class NewCode:
    guid: str
    parent: str | None  # guid (existing or new)
    name: str
    description: str
    color: str


@dataclass
class NewSourcePlan:
    guid: str
    track: str  # track guid
    wp: int
    title: str
    text: str
    segments: list[SegmentDraft]
    importer: str
    original: bytes
    original_filename: str
    date: str | None
    metadata: dict[str, Any]
    imported_by: str
    created_at: str | None
    participants: list[str]  # participant guids


@dataclass
class NewCoding:
    guid: str
    source: str  # source guid
    code: str  # code guid (existing or new)
    start: int
    end: int
    coder: str
    created_at: str | None
    comment: str | None


@dataclass
class NewMemo:
    guid: str
    title: str
    body: str
    author: str
    target_type: str
    target: str | None  # guid of the target (track, source, code, coding, participant), None for the project
    created_at: str | None
    updated_at: str | None


@dataclass
class NewOrganisation:
    guid: str
    name: str
    code: str
    sector: str | None
    size: str | None
    attributes: dict[str, Any]


@dataclass
class NewParticipant:
    guid: str
    track: str  # track guid
    pseudonym: str
    role: str | None
    job_function: str | None
    organisation: str | None  # organisation guid
    attributes: dict[str, Any]


@dataclass
class Plan:
    tracks: list[NewTrack] = field(default_factory=list)
    codes: list[NewCode] = field(default_factory=list)
    organisations: list[NewOrganisation] = field(default_factory=list)
    participants: list[NewParticipant] = field(default_factory=list)
    sources: list[NewSourcePlan] = field(default_factory=list)
    codings: list[NewCoding] = field(default_factory=list)
    memos: list[NewMemo] = field(default_factory=list)
    matched: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    updates: Updates = field(default_factory=Updates)


def stamp(value: str | None) -> str | None:
    if not value:
        return None
    try:
        datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return value.strip()


def code_name(name: str) -> tuple[str, bool]:
    clean = name.replace("/", "-").strip()[:200]
    return (clean or "Kode uden navn"), clean != name.strip() or not clean


class CodePlanner:
    """Maps the file's code GUIDs to project code GUIDs, planning the new ones."""

    def __init__(self, existing: Existing, plan: Plan) -> None:
        self.plan = plan
        self.target: dict[str, str] = {}
        #: (parent guid, lower name) -> guid, for existing and planned codes
        id_to_guid = {cid: g for g, (cid, _p, _n) in existing.codes.items()}
        self.by_name: dict[tuple[str | None, str], str] = {
            (id_to_guid.get(parent) if parent is not None else None, name.lower()): g
            for g, (_cid, parent, name) in existing.codes.items()
        }
        self.existing = existing
        self.count = existing.code_count
        self.renamed = self.by_name_matched = self.folders = 0

    def add(self, codes: list[PCode]) -> None:
        id_to_guid = {cid: g for g, (cid, _p, _n) in self.existing.codes.items()}
        for code in codes:  # matched codes that the file renames or moves free their old name
            if code.guid in self.existing.codes:
                _cid, parent_id, name = self.existing.codes[code.guid]
                old_parent = id_to_guid.get(parent_id) if parent_id is not None else None
                if (code.parent, code_name(code.name)[0].lower()) != (old_parent, name.lower()):
                    self.by_name.pop((old_parent, name.lower()), None)
        for code in codes:
            parent = self.target.get(code.parent) if code.parent else None
            if code.guid in self.existing.codes:
                if code.guid not in self.target:
                    self.plan.matched["codes"] += 1
                    self.by_name.setdefault((parent, code_name(code.name)[0].lower()), code.guid)
                self.target[code.guid] = code.guid
                continue
            if code.guid in self.target:  # the same GUID twice in the file
                continue
            name, renamed = code_name(code.name)
            self.renamed += renamed
            self.folders += not code.codable
            same = self.by_name.get((parent, name.lower()))
            if same is not None:
                self.target[code.guid] = same
                self.by_name_matched += 1
                continue
            color = code.color or PALETTE[self.count % len(PALETTE)]
            self.count += 1
            self.plan.codes.append(NewCode(code.guid, parent, name, code.description, color))
            self.target[code.guid] = code.guid
            self.by_name[(parent, name.lower())] = code.guid

    def report(self) -> None:
        w = self.plan.warnings
        if self.renamed:
            w.append(f"{self.renamed} code names were empty or held '/' (aia's path separator); '/' became '-'")
        if self.by_name_matched:
            w.append(
                f"{self.by_name_matched} codes with a new GUID have the name of an existing code under the same "
                "parent; they were merged into it"
            )
        if self.folders:
            w.append(f"{self.folders} codes are marked not codable (folders); aia imported them as ordinary codes")


def plan_codebook(parsed: ParsedCodebook | list[PCode], existing: Existing) -> Plan:
    """The plan of a codebook import (.qdc): new codes only."""
    plan = Plan()
    codes = CodePlanner(existing, plan)
    file_codes = parsed.codes if isinstance(parsed, ParsedCodebook) else parsed
    codes.add(file_codes)
    codes.report()
    from aia.exchange.refi.changes import code_changes  # changes builds on this module

    code_changes(file_codes, codes.target, existing, plan)
    return plan
