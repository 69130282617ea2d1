"""Writing REFI-QDA files the way other tools do (NVivo, MAXQDA, ATLAS.ti …), with each quirk switchable.

Nothing here uses aia's exporter: the files are built element by element, so the import tests read files that
aia did not write. Positions are computed from the text in the unit asked for (code points or UTF-16 units).
"""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

NS = "urn:QDA-XML:project:1.0"


def new_guid() -> str:
    return str(uuid.uuid4()).upper()


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class FCode:
    name: str
    guid: str = field(default_factory=new_guid)
    children: list[FCode] = field(default_factory=list)
    color: str | None = "#FF0000"


@dataclass
class FSelection:
    start: int
    end: int
    code: str | None  # code guid; None = a selection without a coding (MAXQDA style)
    guid: str = field(default_factory=new_guid)
    coding: str = field(default_factory=new_guid)
    description: str | None = None


@dataclass
class FSource:
    name: str
    text: str
    selections: list[FSelection] = field(default_factory=list)
    guid: str = field(default_factory=new_guid)
    description: str | None = None
    #: bytes of the .txt in the archive (default: the text as UTF-8)
    data: bytes | None = None
    inline: bool = False


def position(text: str, needle: str, unit: str, occurrence: int = 0, raw: str | None = None) -> tuple[int, int]:
    """Start and end of ``needle`` in ``text`` in the given unit ("codepoints" or "utf16")."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    end = start + len(needle)
    if unit == "utf16":
        return utf16_len(text[:start]), utf16_len(text[:end])
    return start, end


def project_xml(
    sources: list[FSource],
    codes: list[FCode],
    *,
    namespace: str = NS,
    path_style: str = "internal://{guid}.txt",
    origin: str = "NVivo 14.23.0 (Windows)",
    empty_sets: bool = False,
    sets: list[tuple[str, list[str]]] | None = None,
    notes: list[tuple[str, str, str | None]] | None = None,
) -> bytes:
    """``project.qde`` bytes; ``notes``: (guid, text, source guid the note is on or None)."""
    q = f"{{{namespace}}}"
    nsmap: dict[Any, str] = {None: namespace}
    root = etree.Element(f"{q}Project", nsmap=nsmap, name="Projekt fra NVivo", origin=origin)
    users = etree.SubElement(root, f"{q}Users")
    user = new_guid()
    etree.SubElement(users, f"{q}User", guid=user, name="Søren Åberg")
    if codes:
        book = etree.SubElement(etree.SubElement(root, f"{q}CodeBook"), f"{q}Codes")

        def add(parent: etree._Element, code: FCode) -> None:
            attrs = {"guid": code.guid, "name": code.name, "isCodable": "true"}
            if code.color:
                attrs["color"] = code.color
            el = etree.SubElement(parent, f"{q}Code", attrs)
            for child in code.children:
                add(el, child)

        for code in codes:
            add(book, code)
    if sources:
        holder = etree.SubElement(root, f"{q}Sources")
        for s in sources:
            attrs = {"guid": s.guid, "name": s.name, "creatingUser": user}
            if not s.inline:
                attrs["plainTextPath"] = path_style.format(guid=s.guid)
            el = etree.SubElement(holder, f"{q}TextSource", attrs)
            if s.description is not None:
                etree.SubElement(el, f"{q}Description").text = s.description
            if s.inline:
                etree.SubElement(el, f"{q}PlainTextContent").text = s.text
            for sel in s.selections:
                sel_el = etree.SubElement(
                    el,
                    f"{q}PlainTextSelection",
                    guid=sel.guid,
                    startPosition=str(sel.start),
                    endPosition=str(sel.end),
                    creatingUser=user,
                    creationDateTime="2024-05-01T10:00:00Z",
                )
                if sel.description:
                    etree.SubElement(sel_el, f"{q}Description").text = sel.description
                if sel.code is not None:
                    coding = etree.SubElement(sel_el, f"{q}Coding", guid=sel.coding, creatingUser=user)
                    etree.SubElement(coding, f"{q}CodeRef", targetGUID=sel.code)
            for note_guid, _text, on in notes or []:
                if on == s.guid:
                    etree.SubElement(el, f"{q}NoteRef", targetGUID=note_guid)
    if notes:
        holder = etree.SubElement(root, f"{q}Notes")
        for note_guid, text, _on in notes:
            note = etree.SubElement(holder, f"{q}Note", guid=note_guid, name="Notat", creatingUser=user)
            etree.SubElement(note, f"{q}PlainTextContent").text = text
    if empty_sets:
        etree.SubElement(root, f"{q}Sets")
    elif sets:
        holder = etree.SubElement(root, f"{q}Sets")
        for name, members in sets:
            set_el = etree.SubElement(holder, f"{q}Set", guid=new_guid(), name=name)
            for member in members:
                etree.SubElement(set_el, f"{q}MemberSource", targetGUID=member)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", standalone=True)


def write_qdpx(
    path: Path,
    sources: list[FSource],
    codes: list[FCode],
    *,
    member: str = "project.qde",
    folder: str = "sources",
    **options: object,
) -> Path:
    qde = project_xml(sources, codes, **options)  # type: ignore[arg-type]
    style = str(options.get("path_style", "internal://{guid}.txt"))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, qde)
        for s in sources:
            if s.inline:
                continue
            name = style.format(guid=s.guid).removeprefix("internal://")
            if "/" not in name:
                name = f"{folder}/{name}"
            zf.writestr(name, s.data if s.data is not None else s.text.encode("utf-8"))
    return path


def codebook_xml(codes: list[FCode], namespace: str) -> bytes:
    q = f"{{{namespace}}}"
    nsmap: dict[Any, str] = {None: namespace}
    root = etree.Element(f"{q}CodeBook", nsmap=nsmap, origin="ATLAS.ti 23.4.0")
    holder = etree.SubElement(root, f"{q}Codes")

    def add(parent: etree._Element, code: FCode) -> None:
        el = etree.SubElement(parent, f"{q}Code", guid=code.guid, name=code.name, isCodable="true")
        for child in code.children:
            add(el, child)

    for code in codes:
        add(holder, code)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
