"""The ``.qdpx`` zip and the XML parser, both for untrusted files: every check that can refuse a file runs before
anything of it is used (the zip's directory: entry count, names, symlinks, encryption, sizes, compression ratios;
the XML: no DTD, no entity expansion, no network, no huge trees). A refusal is :class:`ImportFailed` with one
sentence. The archive is never extracted: members are read one at a time into memory, at most their declared size.
"""

from __future__ import annotations

import stat
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


# -- XML helpers (shared with read.py) ------------------------------------------------------------------------------
def local_name(el: etree._Element) -> str:
    tag = el.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def namespace_of(el: etree._Element) -> str:
    tag = el.tag
    return tag[1:].partition("}")[0] if isinstance(tag, str) and tag.startswith("{") else ""


def children(el: etree._Element, name: str) -> list[etree._Element]:
    """Child elements called ``name`` in any namespace (or none)."""
    return list(el.iterchildren(f"{{*}}{name}"))


def child(el: etree._Element, name: str) -> etree._Element | None:
    return next(el.iterchildren(f"{{*}}{name}"), None)


def text_of(el: etree._Element, name: str) -> str:
    c = child(el, name)
    return (c.text or "") if c is not None else ""


# -- text of a source -------------------------------------------------------------------------------------------------
@dataclass
class Quirks:
    """Counts of handled deviations, turned into one warning each at the end."""

    capital_sources: int = 0
    no_scheme: int = 0
    bom: int = 0
    not_utf8: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    pdf_areas: int = 0


def decode(data: bytes, name: str, quirks: Quirks) -> tuple[str, bool]:
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


def resolve(archive: SafeArchive, path: str, quirks: Quirks) -> str | None:
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


def member_text(
    archive: SafeArchive | None, holder: etree._Element, name: str, quirks: Quirks
) -> tuple[str, bool, bytes, str] | None:
    """(text, had a BOM, original bytes, original file name) of a TextSource-like element, or None if missing."""
    inline = child(holder, "PlainTextContent")
    path = holder.get("plainTextPath")
    if path and archive is not None:
        member = resolve(archive, path, quirks)
        if member is not None:
            data = archive.read(member)
            text, bom = decode(data, name, quirks)
            return text, bom, data, member.rpartition("/")[2]
        if inline is None:
            (quirks.external if "://" in path and not path.startswith("internal://") else quirks.missing).append(name)
            return None
    if inline is not None:
        text = inline.text or ""
        return text, False, text.encode("utf-8"), f"{name}.txt"
    if local_name(holder) == "Note" and not path:  # a note with a name only
        return "", False, b"", ""
    quirks.missing.append(name)
    return None
