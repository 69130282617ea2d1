"""The planner of a ``.qdpx`` import: forløb and WP placement from the Sets, participants and organisations from
the Cases, then sources, codings and memos, each new or matched by GUID (see :mod:`.plan`)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from aia.exchange.refi.cases import CasesMixin
from aia.exchange.refi.changes import code_changes, coding_differs, memo_change, source_title
from aia.exchange.refi.parsed import PNote
from aia.exchange.refi.plan import (
    DEFAULT_PREFIX,
    DEFAULT_TRACK,
    MERGE_NAMESPACE,
    PREFIX_IN,
    PSEUDONYM,
    WP_SET,
    CodePlanner,
    Existing,
    NewCoding,
    NewMemo,
    NewSourcePlan,
    NewTrack,
    Plan,
    StoredCoding,
    stamp,
)
from aia.exchange.refi.prepare import PreparedProject
from aia.services.structure import default_prefix


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


class _Planner(CasesMixin):
    def __init__(
        self,
        prepared: PreparedProject,
        existing: Existing,
        user: str,
        into: tuple[str, int] | None,
        stored_texts: dict[str, str],
        remove_missing: bool = False,
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
        self.remove_missing = remove_missing
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
        new = NewTrack(guid or str(uuid.uuid5(MERGE_NAMESPACE, f"track:{name}")), name[:200], candidate, description)
        if new.guid in self.existing.tracks or any(t.guid == new.guid for t in self.plan.tracks):
            new.guid = str(uuid.uuid4())
        self.plan.tracks.append(new)
        self.prefixes.add(candidate)
        self.track_by_name[name.lower()] = new.guid
        return new.guid

    def placements(self) -> tuple[dict[str, tuple[str, int]], dict[str, str]]:
        """(source guid -> (track guid, WP), set guid -> track guid) from the aia-style Sets."""
        sets = self.parsed.sets
        wp_sets = [(s, m) for s in sets if (m := WP_SET.match(s.name))]
        track_names = {m.group(1) for _s, m in wp_sets}
        track_sets = {s.name: s for s in sets if s.name in track_names}
        prefixes = self._prefixes_from_cases()
        placement: dict[str, tuple[str, int]] = {}
        set_track: dict[str, str] = {}
        twice = 0
        for name in sorted(track_names, key=lambda n: [m.group(1) for _s, m in wp_sets].index(n)):
            ts = track_sets.get(name)
            desc = ts.description if ts is not None else ""
            prefix_m = PREFIX_IN.search(desc) if desc.startswith("aia forløb ") else None
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
            m = PSEUDONYM.match(case.name)
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
        in_file = {c.guid for ps in self.prepared.sources for sel in ps.parsed.selections for c in sel.codings}
        in_file.update(c.guid for ps in self.prepared.sources for c in ps.parsed.codings)
        by_source: dict[int, list[tuple[str, StoredCoding]]] = {}
        for guid, row in self.existing.coding_rows.items():
            by_source.setdefault(row.source_id, []).append((guid, row))
        differs: list[str] = []
        missing = 0
        for ps in self.prepared.sources:
            s = ps.parsed
            if s.guid in self.existing.sources:
                self.plan.matched["sources"] += 1
                self.sources[s.guid] = s.guid
                if not self._same_text(s.guid, ps.text):
                    matched_other_text.append(self.existing.source_titles.get(s.guid) or s.name)
                    continue
                source_title(self.existing, s.guid, s.name, self.plan)
                missing += self._missing(s.name, by_source.get(self.existing.sources[s.guid], []), in_file)
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
                        created_at=stamp(s.created),
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
                    stored = self.existing.coding_rows.get(guid)
                    code_id = self.existing.codes[code][0] if code in self.existing.codes else -1
                    if stored is not None and coding_differs(stored, code_id, c.start, c.end, c.comment):
                        differs.append(f"{s.name} {c.start}–{c.end}")
                    continue
                if guid in seen_codings:
                    duplicate_guid += 1
                    guid = str(uuid.uuid5(MERGE_NAMESPACE, f"{guid}:{s.guid}:{c.start}:{c.end}:{duplicate_guid}"))
                seen_codings.add(guid)
                self.codings.setdefault(c.guid, guid)
                self.plan.codings.append(
                    NewCoding(guid, s.guid, code, c.start, c.end, self.name_of(c.coder), stamp(c.created), c.comment)
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
                f"({', '.join(matched_other_text[:3])}{' …' if len(matched_other_text) > 3 else ''}); they were not "
                "updated from the file and its codings on them were not imported (they would not fit the stored text)"
            )
        if missing and not self.remove_missing:
            w.append(
                f"{missing} codings on matched sources are not in the file; kept — pass --remove-missing to remove them"
            )
        if differs:
            w.append(
                f"{len(differs)} codings differ from the file in code, span or comment ({', '.join(differs[:3])}"
                f"{' …' if len(differs) > 3 else ''}); the project's codings were kept"
            )
        if foreign_desc:
            w.append(f"{foreign_desc} source descriptions were imported as memos on their sources")
        self.notes(code_map, set_track)
        return self.plan

    def _missing(self, source: str, stored: list[tuple[str, StoredCoding]], in_file: set[str]) -> int:
        """Count (and with ``remove_missing`` plan the removal of) a matched source's codings the file lacks."""
        gone = [(g, row) for g, row in stored if g not in in_file]
        if self.remove_missing:
            names = {cid: n for (cid, _p, n) in self.existing.codes.values()}
            for guid, row in gone:
                self.plan.updates.remove_codings.append(guid)
                self.plan.updates.add(
                    "codings removed",
                    f"coding {row.start}–{row.end} with {names.get(row.code_id, '?')!r} on {source!r} removed "
                    "(not in the file)",
                )
        self.plan.updates.missing += len(gone)
        return len(gone)

    def _same_text(self, guid: str, text: str) -> bool:
        return self.stored_texts.get(guid) == text

    def _memo_from_description(self, target: str, name: str, text: str) -> None:
        guid = str(uuid.uuid5(MERGE_NAMESPACE, f"description:{target}"))
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
        edited: list[str] = []
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
                if n.guid in self.existing.memo_rows and not memo_change(self.existing, n, self.plan):
                    edited.append(n.name or n.guid)
                continue
            self.plan.memos.append(self._memo(n, kind, ref))
        if not parsed.from_aia and parsed.description.strip():
            guid = str(uuid.uuid5(MERGE_NAMESPACE, f"description:project:{parsed.name}"))
            if guid not in self.existing.memos:
                self.plan.memos.append(
                    NewMemo(guid, "Projektbeskrivelse", parsed.description, self.user, "project", None, None, None)
                )
        if many:
            self.plan.warnings.append(f"{many} notes are referenced from several places; each is kept on the first")
        if edited:
            self.plan.warnings.append(
                f"{len(edited)} memos were edited in aia after the file's version of them ({', '.join(edited[:3])}"
                f"{' …' if len(edited) > 3 else ''}); aia's text was kept"
            )
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
            stamp(n.created),
            stamp(n.modified) or stamp(n.created),
        )


def plan(
    prepared: PreparedProject,
    existing: Existing,
    user: str,
    into: tuple[str, int] | None = None,
    stored_texts: dict[str, str] | None = None,
    remove_missing: bool = False,
) -> Plan:
    """What to store for a prepared project file in a project that holds ``existing``.

    ``stored_texts``: the stored texts of the file's sources that the project has already (by GUID), to decide
    whether new codings on them fit (and whether the source may be updated at all). Matched objects are updated to
    what the file says (:mod:`.changes`); ``remove_missing``: codings on matched sources that the file lacks are
    removed (by default they are kept and counted)."""
    planner = _Planner(prepared, existing, user, into, stored_texts or {}, remove_missing)
    codes = CodePlanner(existing, planner.plan)
    codes.add(prepared.parsed.codes)
    codes.report()
    code_changes(prepared.parsed.codes, codes.target, existing, planner.plan)
    planner.placements_cache = planner.placements()
    return planner.run(codes.target)
