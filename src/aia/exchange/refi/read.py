"""Reading REFI-QDA files from other people into plain dataclasses (:mod:`.parsed`).

Nothing here touches a project. The zip and the XML are opened through :mod:`.archive`, which refuses unsafe
files before anything of them is used; deviations that can be handled (a capitalised ``Sources/`` folder, a BOM,
a codebook namespace variant …) are handled here and listed in :attr:`ParsedProject.warnings`.

Positions are kept exactly as read (``start``/``end`` in the file's unit, on the raw text): choosing the unit and
converting to code points is :mod:`aia.exchange.refi.positions`' job.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from lxml import etree

from aia.errors import ImportFailed
from aia.exchange.refi.archive import (
    MAX_QDC_BYTES,
    Quirks,
    SafeArchive,
    child,
    children,
    local_name,
    member_text,
    namespace_of,
    parse_xml,
    resolve,
    text_of,
    xml_parser,
)
from aia.exchange.refi.parsed import (
    ParsedCodebook,
    ParsedProject,
    PCase,
    PCode,
    PCoding,
    PNote,
    PSelection,
    PSet,
    PSource,
)

PROJECT_NAMESPACES = ("urn:QDA-XML:project:1.0", "urn:QDA-XML:project:0:10")
CODEBOOK_NAMESPACES = ("urn:QDA-XML:codebook:1.0", "urn:QDA-XML:codebook:1:0", "urn:QDA-XML:codebook:0:4")

_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_COLOR = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_IMPORT_NAMESPACE = uuid.UUID("0d5b1c52-8a0e-4d7b-9a57-5e0b3a2f1c11")


class _Guids:
    """Normalises GUIDs (lower case, no braces). A GUID that is not one (``code-001-aaaa``) becomes a uuid5 of its
    text, the same wherever it is used or referred to; a missing one becomes a stable uuid5 of its place."""

    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings
        self.bad = 0

    def of(self, el: etree._Element, attr: str = "guid", context: str = "") -> str:
        raw = (el.get(attr) or "").strip()
        m = _GUID.match(raw)
        if m:
            return m.group(1).lower()
        self.bad += 1
        if raw:
            return _derived(raw)
        basis = f"{context}|{local_name(el)}|{el.get('name') or ''}|{self.bad}"
        return str(uuid.uuid5(_IMPORT_NAMESPACE, basis))

    @staticmethod
    def ref(value: str | None) -> str | None:
        raw = (value or "").strip()
        m = _GUID.match(raw)
        if m:
            return m.group(1).lower()
        return _derived(raw) if raw else None


def _derived(raw: str) -> str:
    return str(uuid.uuid5(_IMPORT_NAMESPACE, f"guid:{raw.lower()}"))


# -- parsing ----------------------------------------------------------------------------------------------------------
def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def _codes(parent_el: etree._Element, parent: str | None, guids: _Guids, out: list[PCode], ctx: str) -> None:
    for el in children(parent_el, "Code"):
        color = (el.get("color") or "").strip()
        if _COLOR.match(color):
            if len(color) == 4:
                color = "#" + "".join(ch * 2 for ch in color[1:])
            color = color.lower()
        else:
            color = ""
        code = PCode(
            guid=guids.of(el, context=ctx),
            name=(el.get("name") or "").strip(),
            parent=parent,
            codable=(el.get("isCodable") or "true").strip().lower() not in ("false", "0"),
            color=color or None,
            description=text_of(el, "Description"),
            notes=[g for g in (_Guids.ref(n.get("targetGUID")) for n in children(el, "NoteRef")) if g],
        )
        out.append(code)
        _codes(el, code.guid, guids, out, ctx)


def _note_refs(el: etree._Element) -> list[str]:
    return [g for g in (_Guids.ref(n.get("targetGUID")) for n in children(el, "NoteRef")) if g]


def _coding(el: etree._Element, guids: _Guids, ctx: str) -> PCoding | None:
    ref = child(el, "CodeRef")
    code = _Guids.ref(ref.get("targetGUID")) if ref is not None else None
    if code is None:
        return None
    return PCoding(
        guids.of(el, context=ctx), code, _Guids.ref(el.get("creatingUser")), el.get("creationDateTime"), _note_refs(el)
    )


def _selections(holder: etree._Element, guids: _Guids, name: str, bad: list[str]) -> list[PSelection]:
    out: list[PSelection] = []
    for el in children(holder, "PlainTextSelection"):
        start, end = _int(el.get("startPosition")), _int(el.get("endPosition"))
        if start is None or end is None:
            bad.append(name)
            continue
        codings = [c for c in (_coding(c, guids, name) for c in children(el, "Coding")) if c is not None]
        out.append(
            PSelection(guids.of(el, context=name), start, end, text_of(el, "Description"), codings, _note_refs(el))
        )
    return out


def _variable_values(el: etree._Element, variables: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    values: dict[str, tuple[str, str]] = {}
    for vv in children(el, "VariableValue"):
        ref = child(vv, "VariableRef")
        guid = _Guids.ref(ref.get("targetGUID")) if ref is not None else None
        if guid is None or guid not in variables:
            continue
        name, kind = variables[guid]
        for c in vv:
            local = local_name(c)
            if local.endswith("Value"):
                values[name] = (local.removesuffix("Value") or kind, (c.text or "").strip())
                break
    return values


def _source(
    archive: SafeArchive | None,
    el: etree._Element,
    guids: _Guids,
    quirks: Quirks,
    variables: dict[str, tuple[str, str]],
    bad: list[str],
    skipped: list[str],
) -> PSource | None:
    local = local_name(el)
    guid = guids.of(el, context="source")
    name = (el.get("name") or "").strip() or guid
    if local == "TextSource":
        holder, kind = el, "text"
    elif local == "PDFSource":
        rep = child(el, "Representation")
        if rep is None:
            skipped.append(f"{name} (a PDF without a text representation)")
            return None
        holder, kind = rep, "pdf"
        quirks.pdf_areas += len(children(el, "PDFSelection"))
    else:
        skipped.append(f"{name} ({local})")
        return None
    text = member_text(archive, holder, name, quirks)
    if text is None:
        return None
    plain, bom, original, original_name = text
    if kind == "pdf" and archive is not None and el.get("path"):
        member = resolve(archive, el.get("path") or "", Quirks())
        if member is not None:
            original, original_name = archive.read(member), member.rpartition("/")[2]
    selections = _selections(holder, guids, name, bad)
    if holder is not el:
        selections += _selections(el, guids, name, bad)
    codings = [c for c in (_coding(c, guids, name) for c in [*children(holder, "Coding")]) if c is not None]
    notes = _note_refs(el) + (_note_refs(holder) if holder is not el else [])
    return PSource(
        guid=guid,
        name=name,
        kind=kind,
        text=plain,
        had_bom=bom,
        description=text_of(el, "Description"),
        selections=selections,
        codings=codings,
        notes=notes,
        user=_Guids.ref(el.get("creatingUser")),
        created=el.get("creationDateTime"),
        original=original,
        original_name=original_name,
        variables={k: v for k, (_t, v) in _variable_values(el, variables).items()},
    )


def _sets(root: etree._Element, guids: _Guids, warnings: list[str]) -> list[PSet]:
    sets_el = child(root, "Sets")
    if sets_el is None:
        return []
    found = children(sets_el, "Set")
    if not found:
        warnings.append("the project has an empty <Sets/> element (not allowed by the schema); ignored it")
    out: list[PSet] = []
    for el in found:

        def members(tag: str, el: etree._Element = el) -> list[str]:
            refs = (_Guids.ref(m.get("targetGUID") or m.get("guid")) for m in children(el, tag))
            return [g for g in refs if g]

        out.append(
            PSet(
                guids.of(el, context="set"),
                (el.get("name") or "").strip(),
                text_of(el, "Description"),
                members("MemberSource"),
                members("MemberNote"),
                members("MemberCode"),
            )
        )
    return out


def _check_namespace(
    root: etree._Element, expected: str, known: tuple[str, ...], filename: str, warnings: list[str], what: str
) -> None:
    ns = namespace_of(root)
    if local_name(root) != expected:
        raise ImportFailed(filename, f"the {what} has the root element <{local_name(root)}>, not <{expected}>")
    if ns == known[0]:
        return
    if ns in known:
        warnings.append(f"the {what} uses the namespace variant {ns!r} instead of {known[0]!r}; read it anyway")
    else:
        warnings.append(
            f"the {what} uses the unknown namespace {ns or '(none)'!r} instead of {known[0]!r}; read it anyway"
        )


def parse_project(
    archive: SafeArchive | None, root: etree._Element, filename: str, warnings: list[str]
) -> ParsedProject:
    _check_namespace(root, "Project", PROJECT_NAMESPACES, filename, warnings, "project file")
    guids = _Guids(warnings)
    quirks = Quirks()
    users: dict[str, str] = {}
    users_el = child(root, "Users")
    if users_el is not None:
        for u in children(users_el, "User"):
            g = _Guids.ref(u.get("guid"))
            if g:
                users[g] = (u.get("name") or u.get("id") or "").strip() or g
    codes: list[PCode] = []
    book = child(root, "CodeBook")
    if book is not None:
        codes_el = child(book, "Codes")
        if codes_el is not None:
            _codes(codes_el, None, guids, codes, "code")
        _code_groups(book, warnings)
    variables: dict[str, tuple[str, str]] = {}
    vars_el = child(root, "Variables")
    if vars_el is not None:
        for v in children(vars_el, "Variable"):
            g = _Guids.ref(v.get("guid"))
            if g:
                variables[g] = ((v.get("name") or "").strip() or g, v.get("typeOfVariable") or "Text")
    cases: list[PCase] = []
    cases_el = child(root, "Cases")
    if cases_el is not None:
        for c in children(cases_el, "Case"):
            refs = (_Guids.ref(s.get("targetGUID")) for s in children(c, "SourceRef"))
            cases.append(
                PCase(
                    guids.of(c, context="case"),
                    (c.get("name") or "").strip(),
                    text_of(c, "Description"),
                    _variable_values(c, variables),
                    [g for g in refs if g],
                )
            )
    sources: list[PSource] = []
    bad: list[str] = []
    skipped: list[str] = []
    sources_el = child(root, "Sources")
    if sources_el is not None:
        for el in sources_el:
            if isinstance(el.tag, str):
                s = _source(archive, el, guids, quirks, variables, bad, skipped)
                if s is not None:
                    sources.append(s)
    notes: list[PNote] = []
    notes_el = child(root, "Notes")
    if notes_el is not None:
        for n in children(notes_el, "Note"):
            name = (n.get("name") or "").strip()
            got = member_text(archive, n, name or "note", quirks)
            notes.append(
                PNote(
                    guids.of(n, context="note"),
                    name,
                    got[0] if got else "",
                    text_of(n, "Description"),
                    _Guids.ref(n.get("creatingUser")),
                    n.get("creationDateTime"),
                    n.get("modifiedDateTime"),
                )
            )
    parsed = ParsedProject(
        name=(root.get("name") or "").strip(),
        origin=(root.get("origin") or "").strip(),
        users=users,
        codes=codes,
        sources=sources,
        notes=notes,
        sets=_sets(root, guids, warnings),
        cases=cases,
        project_notes=_note_refs(root),
        description=text_of(root, "Description"),
        warnings=warnings,
    )
    if quirks.capital_sources:
        warnings.append(
            f"{quirks.capital_sources} source files are in a capitalised 'Sources/' folder; read them anyway"
        )
    if quirks.no_scheme:
        warnings.append(f"{quirks.no_scheme} plainTextPath values lack 'internal://'; read them as archive paths")
    if quirks.bom:
        warnings.append(f"{quirks.bom} source texts start with a byte order mark (BOM); it was removed and not counted")
    if quirks.not_utf8:
        warnings.append(
            f"{len(quirks.not_utf8)} source texts are not UTF-8 ({_few(quirks.not_utf8)}); read as UTF-16 or "
            "Windows-1252 — check them"
        )
    if quirks.missing:
        warnings.append(
            f"{len(quirks.missing)} sources or notes have no text in the archive ({_few(quirks.missing)}); "
            "such sources were not imported, such notes are empty"
        )
    if quirks.external:
        warnings.append(
            f"{len(quirks.external)} sources point at files outside the archive ({_few(quirks.external)}); not imported"
        )
    if skipped:
        warnings.append(f"{len(skipped)} sources of kinds aia cannot hold were left out: {_few(skipped)}")
    if bad:
        warnings.append(f"{len(bad)} selections without valid positions were left out ({_few(sorted(set(bad)))})")
    if quirks.pdf_areas:
        warnings.append(f"{quirks.pdf_areas} PDF area selections (PDFSelection) were left out; aia codes text only")
    for what in ("Links", "Graphs"):
        holder_el = child(root, what)
        if holder_el is not None and len(holder_el):
            warnings.append(f"{len(holder_el)} {what} were left out; aia has no place for them")
    if guids.bad:
        warnings.append(f"{guids.bad} elements had a missing or invalid GUID; they were given a derived one")
    return parsed


def _few(items: list[str], n: int = 3) -> str:
    shown = ", ".join(items[:n])
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")


def read_qdpx(path: str | Path) -> ParsedProject:
    """Read a ``.qdpx`` (safely) into plain dataclasses; raises :class:`ImportFailed` for a refused file."""
    archive = SafeArchive(Path(path))
    try:
        warnings: list[str] = []
        member = archive.project_member(warnings)
        root = parse_xml(archive.read(member), archive.filename, "project file")
        return parse_project(archive, root, archive.filename, warnings)
    finally:
        archive.close()


def _code_groups(book: etree._Element, warnings: list[str]) -> None:
    """A codebook's ``Sets`` are code groups, which aia does not have: say that they were left out, or that the
    element is empty (Taguette writes ``<Sets/>``, which the schema does not allow)."""
    sets_el = child(book, "Sets")
    if sets_el is None:
        return
    groups = len(children(sets_el, "Set"))
    if groups:
        warnings.append(f"{groups} code Sets (code groups) were left out; aia has no code groups")
    else:
        warnings.append("the codebook has an empty <Sets/> element (not allowed by the schema); ignored it")


def read_qdc(path: str | Path) -> ParsedCodebook:
    """Read a ``.qdc`` codebook (safely)."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError:
        raise ImportFailed(p.name, "the file does not exist or cannot be read") from None
    if not p.is_file():
        raise ImportFailed(p.name, "it is not a regular file")
    if size > MAX_QDC_BYTES:
        raise ImportFailed(p.name, f"the file is larger than {MAX_QDC_BYTES // 2**20} MB, too large for a codebook")
    root = parse_xml(p.read_bytes(), p.name, "codebook")
    warnings: list[str] = []
    _check_namespace(root, "CodeBook", CODEBOOK_NAMESPACES, p.name, warnings, "codebook")
    codes: list[PCode] = []
    codes_el = child(root, "Codes")
    if codes_el is not None:
        _codes(codes_el, None, _Guids(warnings), codes, "code")
    _code_groups(root, warnings)
    return ParsedCodebook((root.get("origin") or "").strip(), codes, warnings)


__all__ = [
    "CODEBOOK_NAMESPACES",
    "PROJECT_NAMESPACES",
    "PCase",
    "PCode",
    "PCoding",
    "PNote",
    "PSelection",
    "PSet",
    "PSource",
    "ParsedCodebook",
    "ParsedProject",
    "SafeArchive",
    "parse_project",
    "parse_xml",
    "read_qdc",
    "read_qdpx",
    "xml_parser",
]
