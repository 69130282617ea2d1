"""Reading REFI-QDA files from other people: a safe look into the ``.qdpx`` zip, a safe XML parse, plain dataclasses.

Nothing here touches a project. Every check that can refuse a file runs before anything of it is used:
the zip's directory (entry count, names, symlinks, sizes, compression ratios) before any member is read, and
the XML is parsed with no DTD, no entity expansion and no network. A refusal is :class:`ImportFailed` with one
sentence; deviations that can be handled (a capitalised ``Sources/`` folder, a BOM, a codebook namespace variant
…) are handled here and listed in :attr:`ParsedProject.warnings`.

Positions are kept exactly as read (``start``/``end`` in the file's unit, on the raw text): choosing the unit and
converting to code points is :mod:`aia.exchange.refi.positions`' job.
"""

from __future__ import annotations

import re
import stat
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from aia.errors import ImportFailed

#: limits for a .qdpx (a 2,000-source project is ~6 MB and ~2,000 entries)
MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024
MAX_ENTRIES = 50_000
MAX_TOTAL_UNCOMPRESSED = 1024 * 1024 * 1024
MAX_MEMBER_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200
#: members smaller than this are too small to be a bomb, whatever their compression ratio
RATIO_MIN_SIZE = 1024 * 1024
#: a .qdc is a small XML file
MAX_QDC_BYTES = 64 * 1024 * 1024

PROJECT_NAMESPACES = ("urn:QDA-XML:project:1.0", "urn:QDA-XML:project:0:10")
CODEBOOK_NAMESPACES = ("urn:QDA-XML:codebook:1.0", "urn:QDA-XML:codebook:1:0", "urn:QDA-XML:codebook:0:4")

_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_COLOR = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_IMPORT_NAMESPACE = uuid.UUID("0d5b1c52-8a0e-4d7b-9a57-5e0b3a2f1c11")


# -- what a file holds ------------------------------------------------------------------------------------------------
@dataclass
class PCode:
    guid: str
    name: str
    parent: str | None
    codable: bool
    color: str | None
    description: str
    notes: list[str] = field(default_factory=list)


@dataclass
class PCoding:
    guid: str
    code: str
    user: str | None
    created: str | None
    notes: list[str] = field(default_factory=list)


@dataclass
class PSelection:
    guid: str
    start: int
    end: int
    description: str
    codings: list[PCoding]
    notes: list[str] = field(default_factory=list)


@dataclass
class PSource:
    guid: str
    name: str
    kind: str  # "text" | "pdf"
    #: the text as read (BOM removed, line ends as in the file); positions refer to it
    text: str
    had_bom: bool
    description: str
    selections: list[PSelection]
    #: codings directly on the source (the whole text)
    codings: list[PCoding]
    notes: list[str]
    user: str | None
    created: str | None
    #: the bytes kept as the original (the .txt as in the file, or the PDF)
    original: bytes
    original_name: str
    variables: dict[str, str] = field(default_factory=dict)


@dataclass
class PNote:
    guid: str
    name: str
    text: str
    description: str
    user: str | None
    created: str | None
    modified: str | None


@dataclass
class PSet:
    guid: str
    name: str
    description: str
    sources: list[str]
    notes: list[str]
    codes: list[str]


@dataclass
class PCase:
    guid: str
    name: str
    description: str
    #: variable name -> (type, value text)
    values: dict[str, tuple[str, str]]
    sources: list[str]


@dataclass
class ParsedProject:
    name: str
    origin: str
    users: dict[str, str]
    codes: list[PCode]  # parents before children
    sources: list[PSource]
    notes: list[PNote]
    sets: list[PSet]
    cases: list[PCase]
    project_notes: list[str]
    description: str
    warnings: list[str] = field(default_factory=list)

    @property
    def from_aia(self) -> bool:
        return self.origin.startswith("aia ")


@dataclass
class ParsedCodebook:
    origin: str
    codes: list[PCode]
    warnings: list[str] = field(default_factory=list)


# -- helpers ----------------------------------------------------------------------------------------------------------
def _local(el: etree._Element) -> str:
    tag = el.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _namespace(el: etree._Element) -> str:
    tag = el.tag
    return tag[1:].partition("}")[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    """Child elements called ``name`` in any namespace (or none)."""
    return list(el.iterchildren(f"{{*}}{name}"))


def _child(el: etree._Element, name: str) -> etree._Element | None:
    return next(el.iterchildren(f"{{*}}{name}"), None)


def _text_of(el: etree._Element, name: str) -> str:
    c = _child(el, name)
    return (c.text or "") if c is not None else ""


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
        basis = f"{context}|{_local(el)}|{el.get('name') or ''}|{self.bad}"
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


def xml_parser() -> etree.XMLParser:
    """No DTD, no entities, no network, no huge trees: what every REFI file is parsed with."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, filename: str, what: str) -> etree._Element:
    """Parse untrusted XML; a document type declaration (DTD, entities) is refused outright."""
    head = data[:65536]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data:
        raise ImportFailed(
            filename, f"the {what} declares a DTD or entities, which REFI-QDA files never do, so it was refused"
        )
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        raise ImportFailed(filename, f"the {what} is not well-formed XML ({exc.msg})", line) from None
    info: Any = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise ImportFailed(filename, f"the {what} declares a DTD, which REFI-QDA files never do, so it was refused")
    for el in root.iter():
        if not isinstance(el.tag, str):
            raise ImportFailed(
                filename, f"the {what} uses XML entities, which REFI-QDA files never do, so it was refused"
            )
    return root


# -- the zip ----------------------------------------------------------------------------------------------------------
class SafeArchive:
    """A .qdpx whose directory has been checked; members are read one at a time, never extracted."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.filename = path.name
        try:
            size = path.stat().st_size
        except OSError:
            raise ImportFailed(self.filename, "the file does not exist or cannot be read") from None
        if not path.is_file():
            raise ImportFailed(self.filename, "it is not a regular file")
        if size > MAX_ARCHIVE_BYTES:
            raise ImportFailed(self.filename, f"the file is larger than {MAX_ARCHIVE_BYTES // 2**20} MB")
        try:
            self.zip = zipfile.ZipFile(path)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise ImportFailed(
                self.filename, "the file is not a valid .qdpx (zip) archive; it may be damaged or incompletely copied"
            ) from None
        self._check(infos)
        #: lower-cased member name -> member name
        self.names: dict[str, str] = {}
        for info in infos:
            if not info.is_dir():
                self.names[info.filename.lower()] = info.filename

    def _check(self, infos: list[zipfile.ZipInfo]) -> None:
        name = self.filename
        if len(infos) > MAX_ENTRIES:
            raise ImportFailed(name, f"the archive has {len(infos)} entries, more than the {MAX_ENTRIES} allowed")
        total = 0
        seen: set[str] = set()
        for info in infos:
            member = info.filename
            if (
                "\\" in member
                or member.startswith("/")
                or (len(member) > 1 and member[1] == ":")
                or ".." in member.split("/")
                or "\x00" in member
            ):
                raise ImportFailed(name, f"the archive contains an unsafe path ({member!r}), so it was refused")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ImportFailed(name, f"the archive contains a symbolic link ({member!r}), so it was refused")
            if info.flag_bits & 0x1:
                raise ImportFailed(
                    name, f"the archive entry {member!r} is encrypted; export the project without a password"
                )
            if member.lower() in seen:
                raise ImportFailed(name, f"the archive holds {member!r} twice, so it is ambiguous and was refused")
            seen.add(member.lower())
            if info.file_size > MAX_MEMBER_BYTES:
                raise ImportFailed(
                    name, f"the archive entry {member!r} would unpack to more than {MAX_MEMBER_BYTES // 2**20} MB"
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size >= RATIO_MIN_SIZE and ratio >= MAX_RATIO:
                raise ImportFailed(
                    name,
                    f"the archive entry {member!r} expands {ratio:.0f} times, which looks like a zip bomb, "
                    "so it was refused",
                )
            total += info.file_size
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise ImportFailed(
                name,
                f"the archive would unpack to {total // 2**20} MB, "
                f"more than the {MAX_TOTAL_UNCOMPRESSED // 2**20} MB allowed",
            )

    def read(self, member: str) -> bytes:
        info = self.zip.getinfo(member)
        try:
            with self.zip.open(info) as fh:
                data = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
            raise ImportFailed(self.filename, f"the archive entry {member!r} is damaged and cannot be read") from None
        if len(data) > info.file_size:  # pragma: no cover - zipfile stops at the declared size
            raise ImportFailed(self.filename, f"the archive entry {member!r} is larger than it declares")
        return data

    def close(self) -> None:
        self.zip.close()

    def project_member(self, warnings: list[str]) -> str:
        """The project document: ``project.qde`` (any case), else the one ``.qde`` in the archive."""
        if "project.qde" in self.names:
            member = self.names["project.qde"]
            if member != "project.qde":
                warnings.append(f"the project file is named {member!r} instead of 'project.qde'; read it anyway")
            return member
        qdes = sorted(real for low, real in self.names.items() if low.endswith(".qde"))
        if len(qdes) == 1:
            warnings.append(f"the project file is named {qdes[0]!r} instead of 'project.qde'; read it anyway")
            return qdes[0]
        if not qdes:
            raise ImportFailed(self.filename, "the archive holds no project.qde, so it is not a REFI-QDA project")
        raise ImportFailed(
            self.filename, f"the archive holds several project files ({', '.join(qdes)}) and none is project.qde"
        )


# -- text of a source -------------------------------------------------------------------------------------------------
@dataclass
class _Quirks:
    """Counts of handled deviations, turned into one warning each at the end."""

    capital_sources: int = 0
    no_scheme: int = 0
    bom: int = 0
    not_utf8: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    pdf_areas: int = 0


def _decode(data: bytes, name: str, quirks: _Quirks) -> tuple[str, bool]:
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        quirks.bom += 1
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        quirks.not_utf8.append(name)
        return data.decode("utf-16"), False
    try:
        return data.decode("utf-8"), bom
    except UnicodeDecodeError:
        quirks.not_utf8.append(name)
        return data.decode("cp1252", errors="replace"), bom


def _resolve(archive: SafeArchive, path: str, quirks: _Quirks) -> str | None:
    """The member an internal path points at (``internal://x.txt`` → ``sources/x.txt``), matched without case."""
    if path.startswith(("relative://", "absolute://", "file://", "http://", "https://")):
        return None
    scheme = path.startswith("internal://")
    rest = path.removeprefix("internal://").lstrip("/")
    if not scheme:
        quirks.no_scheme += 1
    candidates = [f"sources/{rest}", rest] if scheme else [rest, f"sources/{rest}"]
    for candidate in candidates:
        member = archive.names.get(candidate.lower())
        if member is not None:
            if member.startswith("Sources/"):
                quirks.capital_sources += 1
            return member
    return None


def _text(
    archive: SafeArchive | None, holder: etree._Element, name: str, quirks: _Quirks
) -> tuple[str, bool, bytes, str] | None:
    """(text, had a BOM, original bytes, original file name) of a TextSource-like element, or None if missing."""
    inline = _child(holder, "PlainTextContent")
    path = holder.get("plainTextPath")
    if path and archive is not None:
        member = _resolve(archive, path, quirks)
        if member is not None:
            data = archive.read(member)
            text, bom = _decode(data, name, quirks)
            return text, bom, data, member.rpartition("/")[2]
        if inline is None:
            (quirks.external if "://" in path and not path.startswith("internal://") else quirks.missing).append(name)
            return None
    if inline is not None:
        text = inline.text or ""
        return text, False, text.encode("utf-8"), f"{name}.txt"
    if _local(holder) == "Note" and not path:  # a note with a name only
        return "", False, b"", ""
    quirks.missing.append(name)
    return None


# -- parsing ----------------------------------------------------------------------------------------------------------
def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def _codes(parent_el: etree._Element, parent: str | None, guids: _Guids, out: list[PCode], ctx: str) -> None:
    for el in _children(parent_el, "Code"):
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
            description=_text_of(el, "Description"),
            notes=[g for g in (_Guids.ref(n.get("targetGUID")) for n in _children(el, "NoteRef")) if g],
        )
        out.append(code)
        _codes(el, code.guid, guids, out, ctx)


def _note_refs(el: etree._Element) -> list[str]:
    return [g for g in (_Guids.ref(n.get("targetGUID")) for n in _children(el, "NoteRef")) if g]


def _coding(el: etree._Element, guids: _Guids, ctx: str) -> PCoding | None:
    ref = _child(el, "CodeRef")
    code = _Guids.ref(ref.get("targetGUID")) if ref is not None else None
    if code is None:
        return None
    return PCoding(
        guids.of(el, context=ctx), code, _Guids.ref(el.get("creatingUser")), el.get("creationDateTime"), _note_refs(el)
    )


def _selections(holder: etree._Element, guids: _Guids, name: str, bad: list[str]) -> list[PSelection]:
    out: list[PSelection] = []
    for el in _children(holder, "PlainTextSelection"):
        start, end = _int(el.get("startPosition")), _int(el.get("endPosition"))
        if start is None or end is None:
            bad.append(name)
            continue
        codings = [c for c in (_coding(c, guids, name) for c in _children(el, "Coding")) if c is not None]
        out.append(
            PSelection(guids.of(el, context=name), start, end, _text_of(el, "Description"), codings, _note_refs(el))
        )
    return out


def _variable_values(el: etree._Element, variables: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    values: dict[str, tuple[str, str]] = {}
    for vv in _children(el, "VariableValue"):
        ref = _child(vv, "VariableRef")
        guid = _Guids.ref(ref.get("targetGUID")) if ref is not None else None
        if guid is None or guid not in variables:
            continue
        name, kind = variables[guid]
        for c in vv:
            local = _local(c)
            if local.endswith("Value"):
                values[name] = (local.removesuffix("Value") or kind, (c.text or "").strip())
                break
    return values


def _source(
    archive: SafeArchive | None,
    el: etree._Element,
    guids: _Guids,
    quirks: _Quirks,
    variables: dict[str, tuple[str, str]],
    bad: list[str],
    skipped: list[str],
) -> PSource | None:
    local = _local(el)
    guid = guids.of(el, context="source")
    name = (el.get("name") or "").strip() or guid
    if local == "TextSource":
        holder, kind = el, "text"
    elif local == "PDFSource":
        rep = _child(el, "Representation")
        if rep is None:
            skipped.append(f"{name} (a PDF without a text representation)")
            return None
        holder, kind = rep, "pdf"
        quirks.pdf_areas += len(_children(el, "PDFSelection"))
    else:
        skipped.append(f"{name} ({local})")
        return None
    text = _text(archive, holder, name, quirks)
    if text is None:
        return None
    plain, bom, original, original_name = text
    if kind == "pdf" and archive is not None and el.get("path"):
        member = _resolve(archive, el.get("path") or "", _Quirks())
        if member is not None:
            original, original_name = archive.read(member), member.rpartition("/")[2]
    selections = _selections(holder, guids, name, bad)
    if holder is not el:
        selections += _selections(el, guids, name, bad)
    codings = [c for c in (_coding(c, guids, name) for c in [*_children(holder, "Coding")]) if c is not None]
    notes = _note_refs(el) + (_note_refs(holder) if holder is not el else [])
    return PSource(
        guid=guid,
        name=name,
        kind=kind,
        text=plain,
        had_bom=bom,
        description=_text_of(el, "Description"),
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
    sets_el = _child(root, "Sets")
    if sets_el is None:
        return []
    found = _children(sets_el, "Set")
    if not found:
        warnings.append("the project has an empty <Sets/> element (not allowed by the schema); ignored it")
    out: list[PSet] = []
    for el in found:

        def members(tag: str, el: etree._Element = el) -> list[str]:
            refs = (_Guids.ref(m.get("targetGUID") or m.get("guid")) for m in _children(el, tag))
            return [g for g in refs if g]

        out.append(
            PSet(
                guids.of(el, context="set"),
                (el.get("name") or "").strip(),
                _text_of(el, "Description"),
                members("MemberSource"),
                members("MemberNote"),
                members("MemberCode"),
            )
        )
    return out


def _check_namespace(
    root: etree._Element, expected: str, known: tuple[str, ...], filename: str, warnings: list[str], what: str
) -> None:
    ns = _namespace(root)
    if _local(root) != expected:
        raise ImportFailed(filename, f"the {what} has the root element <{_local(root)}>, not <{expected}>")
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
    quirks = _Quirks()
    users: dict[str, str] = {}
    users_el = _child(root, "Users")
    if users_el is not None:
        for u in _children(users_el, "User"):
            g = _Guids.ref(u.get("guid"))
            if g:
                users[g] = (u.get("name") or u.get("id") or "").strip() or g
    codes: list[PCode] = []
    book = _child(root, "CodeBook")
    if book is not None:
        codes_el = _child(book, "Codes")
        if codes_el is not None:
            _codes(codes_el, None, guids, codes, "code")
    variables: dict[str, tuple[str, str]] = {}
    vars_el = _child(root, "Variables")
    if vars_el is not None:
        for v in _children(vars_el, "Variable"):
            g = _Guids.ref(v.get("guid"))
            if g:
                variables[g] = ((v.get("name") or "").strip() or g, v.get("typeOfVariable") or "Text")
    cases: list[PCase] = []
    cases_el = _child(root, "Cases")
    if cases_el is not None:
        for c in _children(cases_el, "Case"):
            refs = (_Guids.ref(s.get("targetGUID")) for s in _children(c, "SourceRef"))
            cases.append(
                PCase(
                    guids.of(c, context="case"),
                    (c.get("name") or "").strip(),
                    _text_of(c, "Description"),
                    _variable_values(c, variables),
                    [g for g in refs if g],
                )
            )
    sources: list[PSource] = []
    bad: list[str] = []
    skipped: list[str] = []
    sources_el = _child(root, "Sources")
    if sources_el is not None:
        for el in sources_el:
            if isinstance(el.tag, str):
                s = _source(archive, el, guids, quirks, variables, bad, skipped)
                if s is not None:
                    sources.append(s)
    notes: list[PNote] = []
    notes_el = _child(root, "Notes")
    if notes_el is not None:
        for n in _children(notes_el, "Note"):
            name = (n.get("name") or "").strip()
            got = _text(archive, n, name or "note", quirks)
            notes.append(
                PNote(
                    guids.of(n, context="note"),
                    name,
                    got[0] if got else "",
                    _text_of(n, "Description"),
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
        description=_text_of(root, "Description"),
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
        holder_el = _child(root, what)
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
    codes_el = _child(root, "Codes")
    if codes_el is not None:
        _codes(codes_el, None, _Guids(warnings), codes, "code")
    sets_el = _child(root, "Sets")
    groups = len(_children(sets_el, "Set")) if sets_el is not None else 0
    if groups:
        warnings.append(f"{groups} code Sets (code groups) were left out; aia has no code groups")
    return ParsedCodebook((root.get("origin") or "").strip(), codes, warnings)
