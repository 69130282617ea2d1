"""From a parsed REFI-QDA file to what an aia project has to store: two pure steps.

:func:`prepare` needs no project: it chooses how the file counts positions (:mod:`.positions`), turns every
selection into code-point spans on the stored (LF, no BOM) text, builds the segments, and checks that every
span and segment slices its text. :func:`plan` compares the prepared file with what the project holds
(:class:`Existing`, read inside the import's write transaction) and decides what is new and what is matched:

- codes, sources, codings, memos, participants and organisations are matched by GUID (case-insensitive, braces
  dropped), so a re-import adds nothing twice; a new code whose name is taken under the same parent is matched to
  that code by name (with a warning);
- forløb are matched by their Set's GUID or by name; the WP of a source comes from the ``forløb / WPn …`` Set
  it is a member of (as aia exports them); sources in no such Set go to ``into`` (or the default forløb
  :data:`DEFAULT_TRACK`, WP1).

Everything that is left out or changed on the way is reported in the plan's warnings.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aia.errors import ImportFailed
from aia.exchange.refi.positions import Detection, Reading, TextMap, convert, detect
from aia.exchange.refi.read import ParsedCodebook, ParsedProject, PCode, PNote, PSource
from aia.ingest.base import ImportedSource, SegmentDraft
from aia.services.importing import check_offsets
from aia.services.structure import default_prefix

DEFAULT_TRACK = "Importeret fra REFI-QDA"
DEFAULT_PREFIX = "IMP"
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
_WP_SET = re.compile(r"^(.+?) / WP([1-5])\b")
_PREFIX_IN = re.compile(r"\(([A-Z][A-Z0-9]{1,7})\)\s*$")
_PSEUDONYM = re.compile(r"^([A-Z][A-Z0-9]{1,7})-P(\d+)$")
_MERGE_NAMESPACE = uuid.UUID("7c1f8e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b")


# -- step 1: prepare (no project needed) ----------------------------------------------------------------------------
@dataclass
class PreparedCoding:
    guid: str
    code: str  # code guid in the file
    start: int
    end: int
    coder: str | None
    created: str | None
    comment: str | None
    notes: list[str]


@dataclass
class PreparedSource:
    parsed: PSource
    #: the text to store: LF line ends, no BOM; every span below slices it
    text: str
    segments: list[SegmentDraft]
    codings: list[PreparedCoding]
    #: Notes on selections that carry no coding: they become memos on the source
    selection_notes: list[str] = field(default_factory=list)


@dataclass
class PreparedProject:
    parsed: ParsedProject
    sources: list[PreparedSource]
    reading: Reading
    warnings: list[str] = field(default_factory=list)


def paragraphs(text: str) -> list[SegmentDraft]:
    """Segments for a text from another tool: its runs of non-blank lines, in place (offsets into ``text``)."""
    out: list[SegmentDraft] = []
    pos = 0
    start: int | None = None
    end = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            if start is None:
                start = pos + lead
            end = pos + len(line.rstrip())
        elif start is not None:
            out.append(SegmentDraft("paragraph", start, end))
            start = None
        pos += len(line) + 1
    if start is not None:
        out.append(SegmentDraft("paragraph", start, end))
    return out


def prepare(parsed: ParsedProject, filename: str, positions: str = "auto") -> PreparedProject:
    """Convert the file's positions to code points on the stored texts; check every span and segment."""
    maps = [TextMap(s.text) for s in parsed.sources]
    spans = [[(sel.start, sel.end) for sel in s.selections] for s in parsed.sources]
    detection: Detection = detect(maps, spans, positions, trusted=parsed.from_aia)
    warnings = list(parsed.warnings) + detection.warnings
    crlf = sum(1 for m in maps if m.has_crlf)
    if crlf:
        warnings.append(
            f"{crlf} source texts have Windows line ends (CRLF); stored with LF and every selection position "
            "converted accordingly"
        )
    out: list[PreparedSource] = []
    impossible: list[str] = []
    uncoded = 0
    for source, m in zip(parsed.sources, maps, strict=True):
        codings: list[PreparedCoding] = []
        note_only: list[str] = []
        for sel in source.selections:
            span = convert(m, sel.start, sel.end, detection.reading)
            if span is None:
                impossible.append(f"{source.name} {sel.start}–{sel.end}")
                continue
            if not sel.codings:
                uncoded += 1
                note_only.extend(sel.notes)
                continue
            for i, c in enumerate(sel.codings):
                notes = c.notes + (sel.notes if i == 0 else [])
                codings.append(
                    PreparedCoding(c.guid, c.code, span[0], span[1], c.user, c.created, sel.description or None, notes)
                )
        if source.codings and m.text:
            for whole in source.codings:
                codings.append(
                    PreparedCoding(whole.guid, whole.code, 0, len(m.text), whole.user, whole.created, None, whole.notes)
                )
        segments = paragraphs(m.text)
        check_offsets(ImportedSource(m.text, segments, "refi"), filename)
        for pc in codings:
            if not 0 <= pc.start < pc.end <= len(m.text):  # pragma: no cover - convert() guarantees it
                raise ImportFailed(filename, f"a selection of source {source.name!r} falls outside its text")
        out.append(PreparedSource(source, m.text, segments, codings, note_only))
    if impossible:
        warnings.append(
            f"{len(impossible)} selections lie outside their text or split a character under the positions used "
            f"({', '.join(impossible[:3])}{' …' if len(impossible) > 3 else ''}); they were left out, not moved"
        )
    if uncoded:
        warnings.append(
            f"{uncoded} selections carry no coding (aia keeps only coded text); they were left out (their notes "
            "became memos on the source)"
        )
    return PreparedProject(parsed, out, detection.reading, warnings)


# -- step 2: plan against the project --------------------------------------------------------------------------------
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


def _stamp(value: str | None) -> str | None:
    if not value:
        return None
    try:
        datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return value.strip()


def _code_name(name: str) -> tuple[str, bool]:
    clean = name.replace("/", "-").strip()[:200]
    return (clean or "Kode uden navn"), clean != name.strip() or not clean


class _Codes:
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
        for code in codes:
            parent = self.target.get(code.parent) if code.parent else None
            if code.guid in self.existing.codes:
                self.target[code.guid] = code.guid
                self.plan.matched["codes"] += 1
                continue
            if code.guid in self.target:  # the same GUID twice in the file
                continue
            name, renamed = _code_name(code.name)
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
    codes = _Codes(existing, plan)
    codes.add(parsed.codes if isinstance(parsed, ParsedCodebook) else parsed)
    codes.report()
    return plan


def _aia_fields(description: str) -> dict[str, str]:
    """The parts of an aia export's source Description (``Forløb: X; WP2 …; date: …; original file: …``)."""
    out: dict[str, str] = {}
    for part in description.split("; "):
        for key in ("date", "original file"):
            if part.startswith(f"{key}: "):
                out[key] = part.removeprefix(f"{key}: ")
        m = re.match(r"^imported as (\w+) by aia$", part)
        if m:
            out["importer"] = m.group(1)
    return out


def _typed(kind: str, text: str) -> Any:
    try:
        if kind == "Boolean":
            return text.lower() in ("true", "1")
        if kind == "Integer":
            return int(text)
        if kind == "Float":
            value = float(text)
            return int(value) if value.is_integer() and "." not in text else value
    except ValueError:
        return text
    return text


class _Planner:
    def __init__(
        self,
        prepared: PreparedProject,
        existing: Existing,
        user: str,
        into: tuple[str, int] | None,
        stored_texts: dict[str, str],
    ) -> None:
        self.prepared = prepared
        self.parsed = prepared.parsed
        self.existing = existing
        self.user = user
        self.into = into
        self.plan = Plan(warnings=list(prepared.warnings))
        self.track_by_name = {name.lower(): g for g, (_i, name, _p) in existing.tracks.items()}
        self.prefixes = {prefix for (_i, _n, prefix) in existing.tracks.values()}
        self.users = self.parsed.users
        #: file source guid -> project source guid that exists or will (sources not imported are absent)
        self.sources: dict[str, str] = {}
        self.codings: dict[str, str] = {}  # file coding guid -> stored coding guid
        self.stored_texts = stored_texts
        #: participant guid -> pseudonym (matched and new)
        self.pseudonym_of: dict[str, str] = {}
        self.placements_cache: tuple[dict[str, tuple[str, int]], dict[str, str]] = ({}, {})

    def name_of(self, user_guid: str | None) -> str:
        return self.users.get(user_guid or "", "") or self.user

    # -- forløb ------------------------------------------------------------------------------------------
    def track(self, name: str, guid: str | None = None, description: str = "", prefix: str | None = None) -> str:
        if guid and guid in self.existing.tracks:  # the same forløb, perhaps renamed since the export
            self.track_by_name.setdefault(name.lower(), guid)
            return guid
        found = self.track_by_name.get(name.lower())
        if found is not None:
            return found
        candidate = prefix if prefix and prefix not in self.prefixes else default_prefix(name)
        base, n = candidate[:6], 2
        while candidate in self.prefixes:
            candidate = f"{base}{n}"
            n += 1
        new = NewTrack(guid or str(uuid.uuid5(_MERGE_NAMESPACE, f"track:{name}")), name[:200], candidate, description)
        if new.guid in self.existing.tracks or any(t.guid == new.guid for t in self.plan.tracks):
            new.guid = str(uuid.uuid4())
        self.plan.tracks.append(new)
        self.prefixes.add(candidate)
        self.track_by_name[name.lower()] = new.guid
        return new.guid

    def placements(self) -> tuple[dict[str, tuple[str, int]], dict[str, str]]:
        """(source guid -> (track guid, WP), set guid -> track guid) from the aia-style Sets."""
        sets = self.parsed.sets
        wp_sets = [(s, m) for s in sets if (m := _WP_SET.match(s.name))]
        track_names = {m.group(1) for _s, m in wp_sets}
        track_sets = {s.name: s for s in sets if s.name in track_names}
        prefixes = self._prefixes_from_cases()
        placement: dict[str, tuple[str, int]] = {}
        set_track: dict[str, str] = {}
        twice = 0
        for name in sorted(track_names, key=lambda n: [m.group(1) for _s, m in wp_sets].index(n)):
            ts = track_sets.get(name)
            desc = ts.description if ts is not None else ""
            prefix_m = _PREFIX_IN.search(desc) if desc.startswith("aia forløb ") else None
            description = "" if desc.startswith("aia forløb ") else desc
            prefix = prefix_m.group(1) if prefix_m else prefixes.get(name)
            guid = self.track(name, ts.guid if ts is not None else None, description, prefix)
            if ts is not None:
                set_track[ts.guid] = guid
        for s, m in wp_sets:
            guid = self.track_by_name[m.group(1).lower()]
            set_track[s.guid] = guid
            for member in s.sources:
                if member in placement and placement[member] != (guid, int(m.group(2))):
                    twice += 1
                    continue
                placement[member] = (guid, int(m.group(2)))
        for name, ts in track_sets.items():  # in a forløb's Set but in no WP Set
            for member in ts.sources:
                placement.setdefault(member, (self.track_by_name[name.lower()], self.into[1] if self.into else 1))
        if twice:
            self.plan.warnings.append(f"{twice} sources are members of several WP Sets; each went to the first")
        other = [s.name for s in sets if s.guid not in set_track]
        if other:
            self.plan.warnings.append(
                f"{len(other)} Sets are not aia forløb or work packages ({', '.join(other[:3])}"
                f"{' …' if len(other) > 3 else ''}); aia has no sets of its own, so they were not imported"
            )
        return placement, set_track

    def _prefixes_from_cases(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for case in self.parsed.cases:
            m = _PSEUDONYM.match(case.name)
            if m and case.description.startswith("aia participant in forløb "):
                out.setdefault(case.description.removeprefix("aia participant in forløb "), m.group(1))
        return out

    def fallback(self) -> tuple[str, int]:
        if self.into is not None:
            return self.track(self.into[0]), self.into[1]
        return self.track(DEFAULT_TRACK, prefix=DEFAULT_PREFIX), 1

    # -- sources, codings, memos --------------------------------------------------------------------------
    def run(self, code_map: dict[str, str]) -> Plan:
        placement, set_track = self.placements_cache
        fallback_used = 0
        source_links = self.cases()
        unknown_code = 0
        foreign_desc = 0
        matched_other_text: list[str] = []
        seen_codings: set[str] = set()
        duplicate_guid = 0
        for ps in self.prepared.sources:
            s = ps.parsed
            if s.guid in self.existing.sources:
                self.plan.matched["sources"] += 1
                self.sources[s.guid] = s.guid
                if ps.codings and not self._same_text(s.guid, ps.text):
                    matched_other_text.append(s.name)
                    continue
            elif s.guid in self.sources:
                continue
            else:
                where = placement.get(s.guid)
                if where is None:
                    where = self.fallback()
                    fallback_used += 1
                aia = _aia_fields(s.description) if self.parsed.from_aia else {}
                metadata: dict[str, Any] = {"refi": {"origin": self.parsed.origin or None}}
                if s.variables:
                    metadata["refi"]["variables"] = s.variables
                importer = aia.get("importer") or ("pdf" if s.kind == "pdf" else "refi")
                self.plan.sources.append(
                    NewSourcePlan(
                        guid=s.guid,
                        track=where[0],
                        wp=where[1],
                        title=s.name[:500],
                        text=ps.text,
                        segments=ps.segments,
                        importer=importer[:32],
                        original=s.original,
                        original_filename=(aia.get("original file") or s.original_name)[:500],
                        date=aia.get("date"),
                        metadata=metadata,
                        imported_by=self.name_of(s.user),
                        created_at=_stamp(s.created),
                        participants=source_links.get(s.guid, []),
                    )
                )
                self.sources[s.guid] = s.guid
                if s.description and not self.parsed.from_aia:
                    foreign_desc += 1
                    self._memo_from_description(s.guid, s.name, s.description)
            for c in ps.codings:
                code = code_map.get(c.code)
                if code is None:
                    unknown_code += 1
                    continue
                guid = c.guid
                if guid in self.existing.codings:
                    self.plan.matched["codings"] += 1
                    self.codings[c.guid] = guid
                    continue
                if guid in seen_codings:
                    duplicate_guid += 1
                    guid = str(uuid.uuid5(_MERGE_NAMESPACE, f"{guid}:{s.guid}:{c.start}:{c.end}:{duplicate_guid}"))
                seen_codings.add(guid)
                self.codings.setdefault(c.guid, guid)
                self.plan.codings.append(
                    NewCoding(guid, s.guid, code, c.start, c.end, self.name_of(c.coder), _stamp(c.created), c.comment)
                )
        w = self.plan.warnings
        if fallback_used:
            place = f"forløb {self.into[0]!r}, WP{self.into[1]}" if self.into else f"forløb {DEFAULT_TRACK!r}, WP1"
            w.append(f"{fallback_used} sources belong to no forløb/WP Set; they were placed in {place}")
        if unknown_code:
            w.append(f"{unknown_code} codings refer to codes that are not in the file's codebook; left out")
        if duplicate_guid:
            w.append(f"{duplicate_guid} codings repeat another coding's GUID; they were given a derived GUID")
        if matched_other_text:
            w.append(
                f"{len(matched_other_text)} sources are in the project already with a different text "
                f"({', '.join(matched_other_text[:3])}); their codings from the file were not imported"
            )
        if foreign_desc:
            w.append(f"{foreign_desc} source descriptions were imported as memos on their sources")
        self.notes(code_map, set_track)
        return self.plan

    def _same_text(self, guid: str, text: str) -> bool:
        return self.stored_texts.get(guid) == text

    def _memo_from_description(self, target: str, name: str, text: str) -> None:
        guid = str(uuid.uuid5(_MERGE_NAMESPACE, f"description:{target}"))
        if guid not in self.existing.memos:
            self.plan.memos.append(
                NewMemo(guid, f"Beskrivelse af {name}"[:300], text, self.user, "source", target, None, None)
            )

    def notes(self, code_map: dict[str, str], set_track: dict[str, str]) -> None:
        parsed = self.parsed
        target: dict[str, tuple[str, str | None]] = {}
        many = 0

        def point(note: str, kind: str, ref: str | None) -> None:
            nonlocal many
            if note in target:
                many += target[note] != (kind, ref)
                return
            target[note] = (kind, ref)

        for note in parsed.project_notes:
            point(note, "project", None)
        for code in parsed.codes:
            for note in code.notes:
                point(note, "code", code_map.get(code.guid))
        for ps in self.prepared.sources:
            for note in ps.parsed.notes + ps.selection_notes:
                point(note, "source", self.sources.get(ps.parsed.guid))
            for c in ps.codings:
                for note in c.notes:
                    point(note, "coding", self.codings.get(c.guid))
        for s in parsed.sets:
            for note in s.notes:
                point(note, "track", set_track.get(s.guid))
        lost = 0
        for n in parsed.notes:
            kind, ref = target.get(n.guid, ("project", None))
            if kind == "project" and n.description.startswith("aia memo on participant "):
                pseudonym = n.description.removeprefix("aia memo on participant ")
                ref = next((g for g, p in self.pseudonym_of.items() if p == pseudonym), None)
                kind = "participant" if ref else "project"
            if kind != "project" and ref is None:
                lost += 1
                kind = "project"
            if n.guid in self.existing.memos:
                self.plan.matched["memos"] += 1
                continue
            self.plan.memos.append(self._memo(n, kind, ref))
        if not parsed.from_aia and parsed.description.strip():
            guid = str(uuid.uuid5(_MERGE_NAMESPACE, f"description:project:{parsed.name}"))
            if guid not in self.existing.memos:
                self.plan.memos.append(
                    NewMemo(guid, "Projektbeskrivelse", parsed.description, self.user, "project", None, None, None)
                )
        if many:
            self.plan.warnings.append(f"{many} notes are referenced from several places; each is kept on the first")
        if lost:
            self.plan.warnings.append(
                f"{lost} notes belong to something that was not imported; they became memos on the project"
            )

    def _memo(self, n: PNote, kind: str, ref: str | None) -> NewMemo:
        return NewMemo(
            n.guid,
            (n.name or "Memo")[:300],
            n.text,
            self.name_of(n.user),
            kind,
            ref,
            _stamp(n.created),
            _stamp(n.modified) or _stamp(n.created),
        )

    # -- cases ------------------------------------------------------------------------------------------------
    def cases(self) -> dict[str, list[str]]:
        """Participants and organisations from the Cases; returns source guid -> participant guids to link."""
        links: dict[str, list[str]] = {}
        taken = set(self.existing.pseudonyms)
        org_names = dict(self.existing.organisation_names)
        org_codes = set(self.existing.organisation_codes)
        orgs = [c for c in self.parsed.cases if c.description.startswith("aia organisation")]
        people = [c for c in self.parsed.cases if c not in orgs]
        foreign = 0
        for case in orgs:
            org_names.setdefault(case.name.lower(), case.guid)
            if case.guid in self.existing.organisations:
                self.plan.matched["organisations"] += 1
                continue
            values = {k: _typed(t, v) for k, (t, v) in case.values.items()}
            code = str(values.pop("organisation code", "") or "")
            n = len(org_codes) + 1
            while not code or code in org_codes:
                code, n = f"ORG-{n:02d}", n + 1
            org_codes.add(code)
            sector, size = values.pop("sector", None), values.pop("size", None)
            self.plan.organisations.append(
                NewOrganisation(
                    case.guid,
                    case.name[:300] or code,
                    code,
                    None if sector is None else str(sector),
                    None if size is None else str(size),
                    values,
                )
            )
        placement, _sets = self.placements_cache
        for case in people:
            if case.guid in self.existing.participants:
                self.plan.matched["participants"] += 1
                self.pseudonym_of[case.guid] = case.name
                for s in case.sources:
                    links.setdefault(s, []).append(case.guid)
                continue
            aia = case.description.startswith("aia participant")
            foreign += not aia
            values = {k: _typed(t, v) for k, (t, v) in case.values.items()}
            track_name = str(values.pop("forløb", "") or "") or (
                case.description.removeprefix("aia participant in forløb ") if aia else ""
            )
            if track_name and track_name != "?":
                track = self.track(track_name)
            else:
                track = next((placement[s][0] for s in case.sources if s in placement), None) or self.fallback()[0]
            prefix = self._prefix(track)
            m = _PSEUDONYM.match(case.name)
            if aia and m and m.group(1) == prefix and case.name.upper() not in taken:
                pseudonym = case.name
            else:
                numbers = [
                    int(p.rsplit("-P", 1)[1])
                    for p in taken
                    if p.startswith(f"{prefix}-P") and p.rsplit("-P", 1)[1].isdigit()
                ]
                pseudonym = f"{prefix}-P{max(numbers, default=0) + 1:02d}"
                if not aia:
                    values["REFI-case"] = case.name
            taken.add(pseudonym.upper())
            org = values.pop("organisation", None)
            role, job = values.pop("role", None), values.pop("job function", None)
            self.plan.participants.append(
                NewParticipant(
                    case.guid,
                    track,
                    pseudonym,
                    None if role is None else str(role),
                    None if job is None else str(job),
                    org_names.get(str(org).lower()) if org else None,
                    values,
                )
            )
            self.pseudonym_of[case.guid] = pseudonym
            for s in case.sources:
                links.setdefault(s, []).append(case.guid)
        if foreign:
            self.plan.warnings.append(
                f"{foreign} Cases from another tool became participants with new pseudonyms (the case name is "
                "kept in the attribute 'REFI-case')"
            )
        return links

    def _prefix(self, track_guid: str) -> str:
        if track_guid in self.existing.tracks:
            return self.existing.tracks[track_guid][2]
        return next(t.prefix for t in self.plan.tracks if t.guid == track_guid)


def plan(
    prepared: PreparedProject,
    existing: Existing,
    user: str,
    into: tuple[str, int] | None = None,
    stored_texts: dict[str, str] | None = None,
) -> Plan:
    """What to store for a prepared project file in a project that holds ``existing``.

    ``stored_texts``: the stored texts of the file's sources that the project has already (by GUID), to decide
    whether new codings on them fit."""
    planner = _Planner(prepared, existing, user, into, stored_texts or {})
    codes = _Codes(existing, planner.plan)
    codes.add(prepared.parsed.codes)
    codes.report()
    planner.placements_cache = planner.placements()
    return planner.run(codes.target)


__all__ = [
    "DEFAULT_PREFIX",
    "DEFAULT_TRACK",
    "Existing",
    "Plan",
    "PreparedProject",
    "plan",
    "plan_codebook",
    "prepare",
]
