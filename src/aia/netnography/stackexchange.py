"""Stack Exchange dumps: a folder or a .7z archive of Posts.xml (+ Comments.xml, Users.xml), read with iterparse.

Memory is flat whatever the dump's size: elements are cleared as they are read, and rows are grouped by thread
in a :class:`~aia.store.netnography_spill.Grouper` that spills to a temporary SQLite file. Threads are yielded
after all files are read because answers and comments can come after their question anywhere in the files."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from lxml import etree

from aia.netnography.html import html_to_text
from aia.netnography.model import Convert, DumpError, Post, Thread, Tick, utc_from_iso
from aia.store.netnography_spill import SPILL_AFTER, Grouper


def parse_tags(value: str | None) -> list[str]:
    """Tags in both ``<a><b>`` and ``|a|b|`` form."""
    if not value:
        return []
    if value.startswith("<"):
        return re.findall(r"<([^<>]+)>", value)
    return [t for t in value.split("|") if t]


def iter_rows(stream: IO[bytes], name: str) -> Iterator[dict[str, str]]:
    """Attributes of each ``<row>``; a malformed file raises :class:`DumpError` naming file and line.

    A document type declaration is refused: dumps have none, and libxml2 expands internal entities inside
    attribute values even with ``resolve_entities=False`` (billion laughs)."""
    head = stream.read(1 << 16)
    stream.seek(0)
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
        raise DumpError(f"{name} declares a DTD or entities, which a Stack Exchange dump never does; it is refused.")
    parser = etree.iterparse(
        stream, events=("end",), tag="row", resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        for _event, el in parser:
            row: dict[str, str] = dict(el.attrib)
            el.clear()
            parent = el.getparent()
            while parent is not None and el.getprevious() is not None:
                del parent[0]
            yield row  # lxml gives names and values as str
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else "?"
        raise DumpError(f"{name} is not well-formed XML at line {line}; re-extract the dump and try again.") from exc


@contextmanager
def _opened(dump: Path) -> Iterator[Path]:
    if dump.is_dir():
        yield dump
        return
    if dump.suffix.lower() != ".7z":
        raise DumpError(f"{dump.name} is neither a folder nor a .7z Stack Exchange dump; give the folder or archive.")
    import py7zr

    tmp = Path(tempfile.mkdtemp(prefix="aia-se-"))
    try:
        with py7zr.SevenZipFile(dump, "r") as archive:
            wanted = [n for n in archive.getnames() if Path(n).name in ("Posts.xml", "Comments.xml", "Users.xml")]
            archive.extract(path=tmp, targets=wanted)
        found = {p.name: p for p in tmp.rglob("*.xml")}
        folder = tmp / "dump"
        folder.mkdir()
        for n, p in found.items():
            p.rename(folder / n)
        yield folder
    except py7zr.exceptions.Bad7zFile as exc:
        raise DumpError(f"{dump.name} is not a readable 7z archive; download it again.") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


_POST_KEYS = (
    "Id",
    "PostTypeId",
    "ParentId",
    "AcceptedAnswerId",
    "CreationDate",
    "Score",
    "Body",
    "Title",
    "Tags",
    "OwnerUserId",
    "OwnerDisplayName",
)
_COMMENT_KEYS = ("Id", "PostId", "Score", "Text", "CreationDate", "UserId", "UserDisplayName")


def convert_here(bodies: Iterable[str]) -> Iterator[str]:
    """:data:`Convert` in this process."""
    return map(html_to_text, bodies)


def _keep(row: dict[str, str], keys: tuple[str, ...]) -> dict[str, str]:
    return {k: row[k] for k in keys if k in row}


def _with_text(rows: Iterator[dict[str, str]], convert: Convert) -> Iterator[dict[str, str]]:
    """The rows with their ``Body`` turned into text by ``convert``; the rows it has read ahead wait in a queue
    (as many as it holds at once: memory stays flat)."""
    waiting: deque[dict[str, str]] = deque()

    def bodies() -> Iterator[str]:
        for row in rows:
            waiting.append(row)
            yield row.get("Body", "")

    for text in convert(bodies()):
        row = waiting.popleft()
        row["Body"] = text
        yield row


def read_stackexchange(
    dump: Path,
    site: str | None = None,
    spill_after: int = SPILL_AFTER,
    tick: Tick | None = None,
    convert: Convert = convert_here,
) -> Iterator[Thread]:
    """Threads of a Stack Exchange dump: question, then answers (accepted first, then by score, time), each answer
    followed by its comments; the question's comments come right after the question.

    Every file is read completely (and a malformed one refused) before the first thread comes out. Rows are grouped
    by thread in a :class:`Grouper`, which spills to a temporary file beyond ``spill_after`` rows; ``tick`` is
    called with the number of rows read every 1000 rows. The posts' HTML bodies are turned into text by
    ``convert`` as they are read (a worker process can do that while this one reads on)."""
    with (
        _opened(dump) as folder,
        Grouper(spill_after) as names,
        Grouper(spill_after) as posts,
        Grouper(spill_after) as comments,
    ):
        posts_xml = folder / "Posts.xml"
        if not posts_xml.is_file():
            raise DumpError(f"{dump.name} has no Posts.xml; give a complete Stack Exchange dump.")
        seen = 0

        def count() -> None:
            nonlocal seen
            seen += 1
            if tick is not None and seen % 1000 == 0:
                tick(seen)

        users_xml = folder / "Users.xml"
        if users_xml.is_file():
            with users_xml.open("rb") as f:
                for row in iter_rows(f, "Users.xml"):
                    if "DisplayName" in row and row.get("Id", "").lstrip("-").isdigit():
                        names.add(int(row["Id"]), {"n": row["DisplayName"]})

        def kept(rows: Iterator[dict[str, str]]) -> Iterator[dict[str, str]]:
            """Questions and answers (an answer with its question's id), each row counted."""
            for row in rows:
                count()
                kind = row.get("PostTypeId")
                if (kind == "1" and row.get("Id", "").isdigit()) or (kind == "2" and row.get("ParentId", "").isdigit()):
                    yield _keep(row, _POST_KEYS)

        with posts_xml.open("rb") as f:
            for row in _with_text(kept(iter_rows(f, "Posts.xml")), convert):
                posts.add(int(row["Id"] if row["PostTypeId"] == "1" else row["ParentId"]), row)
        comments_xml = folder / "Comments.xml"
        if comments_xml.is_file():
            with comments_xml.open("rb") as f:
                for row in iter_rows(f, "Comments.xml"):
                    count()
                    if row.get("PostId", "").isdigit():
                        comments.add(int(row["PostId"]), _keep(row, _COMMENT_KEYS))
        if tick is not None:
            tick(seen)
        community = site or dump.name.removesuffix(".7z")
        lookup = _Names(names)
        for _qid, rows in posts.groups():
            question = [r for r in rows if r.get("PostTypeId") == "1"]
            if question:
                answers = [r for r in rows if r.get("PostTypeId") == "2"]
                yield _thread(question[-1], answers, comments, lookup, community)


class _Names:
    """User id -> display name, from Users.xml (via the grouper), cached for the ids of the current thread."""

    def __init__(self, names: Grouper) -> None:
        self._names = names

    def get(self, uid: str | None) -> str | None:
        if not uid or not uid.lstrip("-").isdigit():
            return None
        found = self._names.get(int(uid))
        return str(found[-1]["n"]) if found else None


def _author(row: dict[str, str], key: str, names: _Names) -> str | None:
    uid = row.get(key)
    name = names.get(uid)
    if name is not None:
        return name
    return row.get("OwnerDisplayName") or row.get("UserDisplayName") or (f"user{uid}" if uid else None)


def _score(row: dict[str, str]) -> int | None:
    try:
        return int(row["Score"])
    except (KeyError, ValueError):
        return None


def _thread(
    q: dict[str, str],
    answers: list[dict[str, str]],
    comments: Grouper,
    names: _Names,
    community: str,
) -> Thread:
    accepted = q.get("AcceptedAnswerId")
    posts: list[Post] = []

    def add_comments(pid: str, parent: int, depth: int) -> None:
        for c in sorted(comments.get(int(pid)), key=lambda r: (r.get("CreationDate", ""), int(r["Id"]))):
            posts.append(
                Post(
                    f"c{c['Id']}",
                    "comment",
                    _author(c, "UserId", names),
                    utc_from_iso(c.get("CreationDate")),
                    _score(c),
                    c.get("Text", ""),
                    parent,
                    depth,
                )
            )

    posts.append(
        Post(
            q["Id"],
            "question",
            _author(q, "OwnerUserId", names),
            utc_from_iso(q.get("CreationDate")),
            _score(q),
            q.get("Body", ""),
            None,
            0,
            title=q.get("Title"),
        )
    )
    add_comments(q["Id"], 0, 1)
    ordered = sorted(
        answers, key=lambda a: (a["Id"] != accepted, -(_score(a) or 0), a.get("CreationDate", ""), int(a["Id"]))
    )
    for a in ordered:
        pos = len(posts)
        posts.append(
            Post(
                a["Id"],
                "answer",
                _author(a, "OwnerUserId", names),
                utc_from_iso(a.get("CreationDate")),
                _score(a),
                a.get("Body", ""),
                0,
                1,
                accepted=a["Id"] == accepted,
            )
        )
        add_comments(a["Id"], pos, 2)
    return Thread("stackexchange", q["Id"], posts, parse_tags(q.get("Tags")), community, f"q/{q['Id']}")
