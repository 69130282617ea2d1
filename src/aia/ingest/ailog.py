"""The generic AI-interaction log format (JSONL or CSV), for logs from other tools and the project's own probes.

One record per turn with the fields ``session`` (required), ``turn`` (number; order within the session),
``role`` (user/assistant/system/tool; ``human`` is read as user), ``text`` (required), ``time`` (ISO 8601 or epoch
seconds), ``model``, and optionally ``title`` (of the session), ``attachments`` (a list, or ``;``-separated in CSV)
and ``alternative_of`` (the turn number this turn is an alternative of). JSONL: one JSON object per line. CSV: a
header row naming the columns, comma or semicolon separated, UTF-8. Each session becomes one source; its turns are
ordered by ``turn`` (file order where it is missing). See docs/wp1-wp2.md.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from aia.errors import ImportFailed
from aia.ingest.base import ImportedSource, Importer, register
from aia.ingest.conversations import Piece, Turn, build_source, iso_from_epoch, normalise_role, only_one, register_many
from aia.ingest.encoding import decode

NAME = "ailog"
REQUIRED = ("session", "role", "text")
COLUMNS = ("session", "turn", "role", "text", "time", "model", "title", "attachments", "alternative_of")


def _first_line(data: bytes) -> str:
    head = data[:8192].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.split(b"\n", 1)[0].decode("utf-8", "replace").strip()


def _csv_header(line: str) -> list[str] | None:
    delimiter = ";" if line.count(";") > line.count(",") else ","
    names = [c.strip().strip('"').strip().lower() for c in line.split(delimiter)]
    return names if all(r in names for r in REQUIRED) else None


def sniff(data: bytes, filename: str) -> bool:
    line = _first_line(data)
    if line.startswith("{"):
        try:
            record = json.loads(line)
        except ValueError:
            return False
        return isinstance(record, dict) and all(k in record for k in REQUIRED)
    return _csv_header(line) is not None


@dataclass
class _Session:
    key: str
    title: str | None = None
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _time(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.replace(".", "", 1).isdigit()):
        return iso_from_epoch(value)
    return str(value).strip()


def _records(text: str, filename: str) -> list[tuple[int, dict[str, Any]]]:
    stripped = text.lstrip()
    records: list[tuple[int, dict[str, Any]]] = []
    if stripped.startswith("{"):
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportFailed(filename, f"the line is not valid JSON ({exc.msg})", number) from None
            if not isinstance(record, dict):
                raise ImportFailed(filename, "each line must be a JSON object with session, role and text", number)
            records.append((number, record))
        return records
    first = stripped.split("\n", 1)[0]
    header = _csv_header(first)
    if header is None:
        raise ImportFailed(filename, f"the header row must name the columns {', '.join(REQUIRED)}", 1)
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(stripped), delimiter=delimiter)
    next(reader)
    skipped = text.count("\n", 0, len(text) - len(stripped))  # blank lines before the header
    last = reader.line_num
    try:
        for row in reader:
            start, last = last + 1 + skipped, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise ImportFailed(filename, f"the row has {len(row)} cells but the header names {len(header)}", start)
            record = {name: cell for name, cell in zip(header, row, strict=False) if cell != ""}
            if isinstance(record.get("attachments"), str):
                record["attachments"] = [a.strip() for a in record["attachments"].split(";") if a.strip()]
            records.append((start, record))
    except csv.Error as exc:
        raise ImportFailed(filename, f"the CSV cannot be read ({exc})", reader.line_num) from None
    return records


def _int(value: Any, name: str, filename: str, line: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise ImportFailed(filename, f"{name} must be a whole number, not {value!r}", line) from None


def parse_many(data: bytes, filename: str) -> list[ImportedSource]:
    text = decode(data, filename)
    sessions: dict[str, _Session] = {}
    for line, record in _records(text, filename):
        for name in REQUIRED:
            value = record.get(name)
            if value is None or (name != "text" and str(value).strip() == ""):
                raise ImportFailed(
                    filename, f"the record has no {name!r}; every turn needs session, role and text", line
                )
        key = str(record["session"]).strip()
        session = sessions.setdefault(key, _Session(key))
        if record.get("title") and not session.title:
            session.title = str(record["title"]).strip()
        session.rows.append((line, record))
    if not sessions:
        raise ImportFailed(filename, "the log holds no turns")
    sources: list[ImportedSource] = []
    for number, session in enumerate(sessions.values(), start=1):
        numbered = []
        explicit = any(record.get("turn") not in (None, "") for _, record in session.rows)
        for position, (line, record) in enumerate(session.rows):
            turn_no = _int(record.get("turn"), "turn", filename, line)
            if turn_no is None and explicit:
                raise ImportFailed(filename, f"the turn has no number while others in session {session.key!r} do", line)
            numbered.append((turn_no if turn_no is not None else position + 1, position, line, record))
        numbered.sort(key=lambda item: (item[0], item[1]))
        index_of: dict[int, int] = {}
        for i, (turn_no, _, line, _) in enumerate(numbered):
            if turn_no in index_of:
                raise ImportFailed(filename, f"session {session.key!r} has turn {turn_no} twice", line)
            index_of[turn_no] = i
        turns: list[Turn] = []
        models: set[str] = set()
        for turn_no, _, line, record in numbered:
            role = normalise_role(record["role"], filename, f"line {line} (session {session.key!r})")
            alt = _int(record.get("alternative_of"), "alternative_of", filename, line)
            if alt is not None and alt not in index_of:
                raise ImportFailed(
                    filename, f"alternative_of names turn {alt}, which session {session.key!r} lacks", line
                )
            attachments = record.get("attachments") or []
            if not isinstance(attachments, list):
                attachments = [attachments]
            model = str(record["model"]).strip() if record.get("model") else None
            if model:
                models.add(model)
            turns.append(
                Turn(
                    role,
                    [Piece(str(record["text"]))],
                    model,
                    _time(record.get("time")),
                    [str(a) for a in attachments],
                    parent=len(turns) - 1 if turns else None,
                    alternative_of=index_of[alt] if alt is not None else None,
                    branch=1 if alt is not None else None,
                    meta={"turn": turn_no, "line": line},
                )
            )
        first_time = next((t.time for t in turns if t.time), None)
        metadata = {
            "format": "AI-log (generic)",
            "session": session.key,
            "conversation_key": f"{NAME}:{session.key}",
            "conversation_number": number,
            "messages": len(turns),
            "models": sorted(models),
        }
        sources.append(build_source(turns, NAME, session.title or f"Session {session.key}", first_time, metadata))
    return sources


def parse(data: bytes, filename: str) -> ImportedSource:
    return only_one(parse_many(data, filename), filename)


register_many(NAME, parse_many)
IMPORTER = register(
    Importer(
        name=NAME,
        extensions=(".ailog.jsonl", ".ailog.csv"),
        parse=parse,
        sniff=sniff,
        description="AI-interaction log, generic JSONL/CSV (session, turn, role, text, time, model)",
    )
)
