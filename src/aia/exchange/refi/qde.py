"""Streaming writers of REFI-QDA XML: the project document (``project.qde``) and the codebook (``.qdc``).

Elements are written in the order of the schemas' ``xs:sequence``s, straight to the output as they are produced,
so memory stays flat however many codings there are. The writer is a small string writer rather than lxml's
``xmlfile`` (three times faster on 50,000 codings, and leaves are self-closing); every value goes through
:func:`aia.exchange.refi.guids.xml_text` and is escaped here. See ``docs/refi-qda.md`` for the mapping.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import IO

from aia.exchange.refi.collect import Snapshot
from aia.exchange.refi.guids import (
    representation_guid,
    selection_guid,
    user_guid,
    wp_set_guid,
    xml_color,
    xml_datetime,
    xml_text,
)
from aia.model import Code, Source
from aia.services.codebook import CodeNode

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
DECLARATION = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n'

_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def attrs(**values: str | int | None) -> dict[str, str]:
    """XML attributes from keyword arguments, leaving out the ones that are None."""
    return {k: xml_text(v) for k, v in values.items() if v is not None}


class Writer:
    """Writes indented XML with one default namespace; ``open``/``close`` for hot paths, ``element`` otherwise."""

    def __init__(self, out: IO[str], namespace: str) -> None:
        self.write = out.write
        self.ns = namespace
        self._has_children: list[bool] = []

    def _start(self, tag: str, attrib: dict[str, str] | None) -> str:
        depth = len(self._has_children)
        if depth:
            self._has_children[-1] = True
        head = f"\n{'  ' * depth}<{tag}" if depth else f'<{tag} xmlns="{self.ns}"'
        if not attrib:
            return head
        return head + "".join(f' {k}="{v.translate(_ATTR_ESCAPES)}"' for k, v in attrib.items())

    def open(self, tag: str, attrib: dict[str, str] | None = None) -> None:
        self.write(self._start(tag, attrib) + ">")
        self._has_children.append(False)

    def close(self, tag: str) -> None:
        if self._has_children.pop():
            self.write(f"\n{'  ' * len(self._has_children)}</{tag}>")
        else:
            self.write(f"</{tag}>")

    def leaf(self, tag: str, attrib: dict[str, str] | None = None, text: str | None = None) -> None:
        start = self._start(tag, attrib)
        if text:
            self.write(f"{start}>{xml_text(text).translate(_TEXT_ESCAPES)}</{tag}>")
        else:
            self.write(start + "/>")

    @contextmanager
    def element(self, tag: str, attrib: dict[str, str] | None = None) -> Iterator[None]:
        self.open(tag, attrib)
        yield
        self.close(tag)


@contextmanager
def _document(fh: IO[bytes], namespace: str) -> Iterator[Writer]:
    text = io.TextIOWrapper(fh, encoding="utf-8", newline="\n", write_through=False)
    try:
        text.write(DECLARATION)
        yield Writer(text, namespace)
        text.write("\n")
        text.flush()
    finally:
        text.detach()


def _children(nodes: list[CodeNode]) -> dict[int | None, list[Code]]:
    children: dict[int | None, list[Code]] = {}
    for node in nodes:  # depth-first, siblings by name: the order is kept
        children.setdefault(node.code.parent_id, []).append(node.code)
    return children


def _codes(w: Writer, children: dict[int | None, list[Code]], parent: int | None, notes: dict[str, list[str]]) -> None:
    for code in children.get(parent, []):
        with w.element("Code", attrs(guid=code.guid, name=code.name, isCodable="true", color=xml_color(code.color))):
            if code.description:
                w.leaf("Description", text=code.description)
            for note in notes.get(code.guid, []):
                w.leaf("NoteRef", attrs(targetGUID=note))
            _codes(w, children, code.id, notes)


def write_codebook(fh: IO[bytes], code_nodes: list[CodeNode], origin: str) -> None:
    """The ``.qdc`` document: the code tree only (the codebook schema has no NoteRefs)."""
    with _document(fh, NS_CODEBOOK) as w, w.element("CodeBook", attrs(origin=origin)), w.element("Codes"):
        _codes(w, _children(code_nodes), None, {})


@lru_cache(maxsize=1024)
def _user(name: str | None) -> str | None:
    return user_guid(name) if name else None


@lru_cache(maxsize=65536)
def _when(stamp: str | None) -> str | None:
    return xml_datetime(stamp)


def write_project(fh: IO[bytes], snap: Snapshot, origin: str, pdf_ids: set[int]) -> None:
    """The ``project.qde`` document; ``pdf_ids`` are the sources exported as PDFSource with their original."""
    stamps = sorted(
        t
        for t in (
            *(xml_datetime(s.created_at) for s in snap.sources),
            *(xml_datetime(t.created_at) for t in snap.tracks),
            *(xml_datetime(n.code.created_at) for n in snap.code_nodes),
            *(xml_datetime(m.updated_at) for m in snap.memos),
            *(xml_datetime(c.created_at) for cs in snap.codings_by_source.values() for c in cs),
        )
        if t is not None
    )
    with _document(fh, NS_PROJECT) as w:
        root = attrs(
            name=snap.name,
            origin=origin,
            creationDateTime=stamps[0] if stamps else None,
            modifiedDateTime=stamps[-1] if stamps else None,
        )
        with w.element("Project", root):
            _users(w, snap)
            if snap.code_nodes:
                with w.element("CodeBook"), w.element("Codes"):
                    _codes(w, _children(snap.code_nodes), None, snap.notes_on)
            _variables(w, snap)
            _cases(w, snap)
            _sources(w, snap, pdf_ids)
            _notes(w, snap)
            _sets(w, snap)
            w.leaf("Description", text=f"AiA project exported by {origin}; forløb and work packages are Sets.")
            for note in snap.notes_on.get("", []):
                w.leaf("NoteRef", attrs(targetGUID=note))


def _users(w: Writer, snap: Snapshot) -> None:
    if not snap.users:
        return
    with w.element("Users"):
        for name in snap.users:
            w.leaf("User", attrs(guid=user_guid(name), name=name))


def _variables(w: Writer, snap: Snapshot) -> None:
    if not snap.variables:
        return
    with w.element("Variables"):
        for var in snap.variables:
            with w.element("Variable", attrs(guid=var.guid, name=var.name, typeOfVariable=var.type)):
                w.leaf("Description", text=var.description)


def _cases(w: Writer, snap: Snapshot) -> None:
    if not snap.participants and not snap.organisations:
        return
    tracks = {t.id: t.name for t in snap.tracks}
    guid_of = {s.id: s.guid for s in snap.sources}
    with w.element("Cases"):
        for p in snap.participants:
            about = f"aia participant in forløb {tracks.get(p.track_id, '?')}"
            _case(w, snap, p.guid, p.pseudonym, about, sorted(snap.sources_of_participant.get(p.id, [])), guid_of)
        for o in snap.organisations:
            ids = sorted(
                {
                    s
                    for p in snap.participants
                    if p.organisation_id == o.id
                    for s in snap.sources_of_participant.get(p.id, [])
                }
            )
            _case(w, snap, o.guid, o.name, f"aia organisation {o.code}", ids, guid_of)


def _case(
    w: Writer, snap: Snapshot, guid: str, name: str, about: str, source_ids: list[int], guid_of: dict[int, str]
) -> None:
    with w.element("Case", attrs(guid=guid, name=name)):
        w.leaf("Description", text=about)
        for value in snap.values.get(guid, []):
            with w.element("VariableValue"):
                w.leaf("VariableRef", attrs(targetGUID=value.variable.guid))
                w.leaf(value.element, text=value.text)
        for sid in source_ids:
            w.leaf("SourceRef", attrs(targetGUID=guid_of[sid]))


def _describe(snap: Snapshot, source: Source) -> str:
    wp = snap.wp_of_source[source.id]
    track = next((t.name for t in snap.tracks if t.id == wp.track_id), "?")
    parts = [f"Forløb: {track}", wp.label]
    if source.activity_id is not None and source.activity_id in snap.activities:
        activity = snap.activities[source.activity_id]
        parts.append(f"activity: {activity.title}" + (f" ({activity.date})" if activity.date else ""))
    if source.date:
        parts.append(f"date: {source.date}")
    parts.append(f"original file: {source.original_filename}")
    parts.append(f"imported as {source.importer} by aia")
    return "; ".join(parts)


def _sources(w: Writer, snap: Snapshot, pdf_ids: set[int]) -> None:
    if not snap.sources:
        return
    code_guid = {n.code.id: n.code.guid for n in snap.code_nodes}
    with w.element("Sources"):
        for source in snap.sources:
            common = attrs(creatingUser=_user(source.imported_by), creationDateTime=xml_datetime(source.created_at))
            text_path = f"internal://{source.guid}.txt"
            if source.id in pdf_ids:
                pdf = attrs(guid=source.guid, name=source.title, path=f"internal://{source.guid}.pdf") | common
                with w.element("PDFSource", pdf):
                    w.leaf("Description", text=_describe(snap, source))
                    rep = attrs(guid=representation_guid(source.guid), name=source.title, plainTextPath=text_path)
                    with w.element("Representation", rep | common):
                        _selections(w, snap, source, code_guid)
                    _note_refs(w, snap, source.guid)
            else:
                with w.element(
                    "TextSource", attrs(guid=source.guid, name=source.title, plainTextPath=text_path) | common
                ):
                    w.leaf("Description", text=_describe(snap, source))
                    _selections(w, snap, source, code_guid)
                    _note_refs(w, snap, source.guid)


def _note_refs(w: Writer, snap: Snapshot, target: str) -> None:
    for note in snap.notes_on.get(target, []):
        w.leaf("NoteRef", attrs(targetGUID=note))


def _selections(w: Writer, snap: Snapshot, source: Source, code_guid: dict[int, str]) -> None:
    for coding in snap.codings_by_source.get(source.id, []):
        code = code_guid.get(coding.code_id)
        if code is None:  # the code was deleted while the export was reading
            continue
        audit = attrs(creatingUser=_user(coding.coder), creationDateTime=_when(coding.created_at))
        selection = {
            "guid": selection_guid(coding.guid),
            "startPosition": str(coding.start),
            "endPosition": str(coding.end),
        }
        w.open("PlainTextSelection", selection | audit)
        if coding.comment:
            w.leaf("Description", text=coding.comment)
        w.open("Coding", {"guid": coding.guid} | audit)
        w.leaf("CodeRef", {"targetGUID": code})
        _note_refs(w, snap, coding.guid)
        w.close("Coding")
        w.close("PlainTextSelection")


def _notes(w: Writer, snap: Snapshot) -> None:
    if not snap.memos:
        return
    with w.element("Notes"):
        for memo in snap.memos:
            note = attrs(
                guid=memo.guid,
                name=memo.title,
                creatingUser=_user(memo.author),
                creationDateTime=xml_datetime(memo.created_at),
                modifiedDateTime=xml_datetime(memo.updated_at),
            )
            with w.element("Note", note):
                w.leaf("Description", text=snap.memo_about[memo.guid])
                w.leaf("PlainTextContent", text=memo.body)


def _sets(w: Writer, snap: Snapshot) -> None:
    if not snap.tracks:
        return
    by_wp: dict[int, list[str]] = {}
    for source in snap.sources:
        by_wp.setdefault(source.wp_id, []).append(source.guid)
    with w.element("Sets"):
        for track in snap.tracks:
            wps = sorted((wp for wp in snap.work_packages if wp.track_id == track.id), key=lambda wp: wp.number)
            with w.element("Set", attrs(guid=track.guid, name=track.name)):
                w.leaf("Description", text=track.description or f"aia forløb {track.name} ({track.prefix})")
                for wp in wps:
                    for guid in by_wp.get(wp.id, []):
                        w.leaf("MemberSource", attrs(targetGUID=guid))
                for note in snap.notes_in_set.get(track.guid, []):
                    w.leaf("MemberNote", attrs(targetGUID=note))
            for wp in wps:
                guid = wp_set_guid(track.guid, wp.number)
                with w.element("Set", attrs(guid=guid, name=f"{track.name} / {wp.label}")):
                    w.leaf("Description", text=f"aia work package: {wp.method}")
                    for member in by_wp.get(wp.id, []):
                        w.leaf("MemberSource", attrs(targetGUID=member))
                    for note in snap.notes_in_set.get(guid, []):
                        w.leaf("MemberNote", attrs(targetGUID=note))
