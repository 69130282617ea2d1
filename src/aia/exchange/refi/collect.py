"""Everything an export needs, read from the project in a handful of queries (texts are read later, one by one).

Codings come from one query and are grouped by source in Python; source participants are read over one
connection. The snapshot also decides the users, variables and memo attachments, so the writer only writes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from aia.exchange.refi.guids import variable_guid, wp_set_guid
from aia.model import Activity, Coding, Memo, Organisation, Participant, Source, Track, WorkPackage
from aia.services.codebook import CodeNode
from aia.services.memos import MemoService
from aia.store import sources as sources_db
from aia.store.database import read

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Variable:
    guid: str
    name: str
    type: str  # Text | Boolean | Integer | Float | Date
    description: str


@dataclass(frozen=True)
class Value:
    variable: Variable
    element: str  # TextValue | BooleanValue | IntegerValue | FloatValue | DateValue
    text: str


@dataclass
class Snapshot:
    name: str
    tracks: list[Track]
    work_packages: list[WorkPackage]
    sources: list[Source]  # without text, in id order
    wp_of_source: dict[int, WorkPackage]
    code_nodes: list[CodeNode]
    codings_by_source: dict[int, list[Coding]]
    memos: list[Memo]
    participants: list[Participant]
    organisations: list[Organisation]
    activities: dict[int, Activity]
    sources_of_participant: dict[int, list[int]]
    #: memo guids per target guid (code, source, coding, project ("") ...)
    notes_on: dict[str, list[str]] = field(default_factory=dict)
    #: memo guids per Set guid (track memos on the forløb's Set, activity memos on the forløb × WP Set)
    notes_in_set: dict[str, list[str]] = field(default_factory=dict)
    #: what each memo is about, for its Description
    memo_about: dict[str, str] = field(default_factory=dict)
    variables: list[Variable] = field(default_factory=list)
    values: dict[str, list[Value]] = field(default_factory=dict)  # case guid -> values
    users: list[str] = field(default_factory=list)

    @property
    def coding_count(self) -> int:
        return sum(len(c) for c in self.codings_by_source.values())


def collect(project: MemoService) -> Snapshot:
    tracks = project.tracks()
    wps = project.work_packages()
    wp_by_id = {wp.id: wp for wp in wps}
    listed = project.sources()
    sources = [s for s, _track, _number in listed]
    codings_by_source: dict[int, list[Coding]] = defaultdict(list)
    for coding in project.codings():
        codings_by_source[coding.source_id].append(coding)
    participants = project.participants()
    sources_of_participant: dict[int, list[int]] = defaultdict(list)
    with read(project.engine) as conn:
        for s in sources:
            for pid in sources_db.source_participant_ids(conn, s.id):
                sources_of_participant[pid].append(s.id)
    snap = Snapshot(
        name=str(getattr(project, "name", project.path.name)),
        tracks=tracks,
        work_packages=wps,
        sources=sources,
        wp_of_source={s.id: wp_by_id[s.wp_id] for s in sources},
        code_nodes=project.code_tree(),
        codings_by_source=dict(codings_by_source),
        memos=project.memos(),
        participants=participants,
        organisations=project.organisations(),
        activities={a.id: a for a, _wp in project.activities()},
        sources_of_participant=dict(sources_of_participant),
    )
    _attach_memos(snap, wp_by_id)
    _variables(snap)
    _users(snap)
    return snap


def _attach_memos(snap: Snapshot, wp_by_id: dict[int, WorkPackage]) -> None:
    tracks = {t.id: t for t in snap.tracks}
    codes = {n.code.id: n for n in snap.code_nodes}
    sources = {s.id: s for s in snap.sources}
    codings = {c.id: c for cs in snap.codings_by_source.values() for c in cs}
    people = {p.id: p for p in snap.participants}
    for memo in snap.memos:
        tid = memo.target_id
        about = "the project"
        if memo.target_type == "project":
            snap.notes_on.setdefault("", []).append(memo.guid)
        elif memo.target_type == "code" and tid in codes:
            snap.notes_on.setdefault(codes[tid].code.guid, []).append(memo.guid)
            about = f"code {codes[tid].path}"
        elif memo.target_type == "source" and tid in sources:
            snap.notes_on.setdefault(sources[tid].guid, []).append(memo.guid)
            about = f"source {tid} ({sources[tid].title})"
        elif memo.target_type == "coding" and tid in codings:
            snap.notes_on.setdefault(codings[tid].guid, []).append(memo.guid)
            about = f"coding {tid}"
        elif memo.target_type == "track" and tid in tracks:
            snap.notes_in_set.setdefault(tracks[tid].guid, []).append(memo.guid)
            about = f"forløb {tracks[tid].name}"
        elif memo.target_type == "activity" and tid in snap.activities:
            activity = snap.activities[tid]
            wp = wp_by_id[activity.wp_id]
            snap.notes_in_set.setdefault(wp_set_guid(tracks[wp.track_id].guid, wp.number), []).append(memo.guid)
            about = f"activity {tid} ({activity.title})"
        elif memo.target_type == "participant" and tid in people:
            about = f"participant {people[tid].pseudonym}"
        else:
            about = f"{memo.target_type} {tid} (no longer in the project)"
        snap.memo_about[memo.guid] = f"aia memo on {about}"


def _typed(value: Any) -> tuple[str, str, str]:
    """(typeOfVariable, value element, value text) for one attribute value."""
    if isinstance(value, bool):
        return "Boolean", "BooleanValue", "true" if value else "false"
    if isinstance(value, int):
        return "Integer", "IntegerValue", str(value)
    if isinstance(value, float) and value == value and value not in (float("inf"), float("-inf")):
        return "Float", "FloatValue", format(Decimal(repr(value)), "f")
    if isinstance(value, str) and _DATE.match(value):
        try:
            date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return "Date", "DateValue", value
    if isinstance(value, list):
        return "Text", "TextValue", ", ".join(str(v) for v in value)
    return "Text", "TextValue", str(value)


def _variables(snap: Snapshot) -> None:
    """Participant and organisation attributes as REFI Variables (one per name) and the cases' values."""
    raw: dict[str, list[tuple[Any, Any]]] = {}  # case guid -> [(name, value)]
    orgs = {o.id: o for o in snap.organisations}
    tracks = {t.id: t for t in snap.tracks}
    for p in snap.participants:
        fixed = {
            "forløb": tracks[p.track_id].name if p.track_id in tracks else None,
            "role": p.role,
            "job function": p.job_function,
            "organisation": orgs[p.organisation_id].name if p.organisation_id in orgs else None,
        }
        raw[p.guid] = _pairs(fixed, p.attributes)
    for o in snap.organisations:
        raw[o.guid] = _pairs({"organisation code": o.code, "sector": o.sector, "size": o.size}, o.attributes)
    kinds: dict[str, set[str]] = defaultdict(set)
    for pairs in raw.values():
        for name, value in pairs:
            kinds[name].add(_typed(value)[0])
    variables: dict[str, Variable] = {}
    for name, types in kinds.items():
        kind = "Float" if types == {"Integer", "Float"} else (next(iter(types)) if len(types) == 1 else "Text")
        variables[name] = Variable(variable_guid(name), name, kind, "aia participant/organisation attribute")
    snap.variables = sorted(variables.values(), key=lambda v: v.name)
    for case, pairs in raw.items():
        out: list[Value] = []
        for name, value in pairs:
            var = variables[name]
            kind, element, text = _typed(value)
            if var.type == "Float" and kind == "Integer":
                element = "FloatValue"
            elif var.type == "Text" and kind != "Text":
                element, text = "TextValue", str(value)
            out.append(Value(var, element, text))
        snap.values[case] = out


def _pairs(fixed: dict[str, Any], attributes: dict[str, Any]) -> list[tuple[Any, Any]]:
    pairs = [(k, v) for k, v in fixed.items() if v is not None and v != ""]
    taken = set(fixed)
    for key in sorted(attributes, key=str):
        value = attributes[key]
        if str(key) in taken or value is None or value == "" or isinstance(value, dict):
            continue
        pairs.append((str(key), value))
    return pairs


def _users(snap: Snapshot) -> None:
    names: set[str] = set()
    names.update(s.imported_by for s in snap.sources)
    names.update(n.code.created_by for n in snap.code_nodes)
    names.update(c.coder for cs in snap.codings_by_source.values() for c in cs)
    names.update(m.author for m in snap.memos)
    snap.users = sorted(n for n in names if n)
