"""Claude data export (``conversations.json``): one source per conversation.

A conversation has ``chat_messages`` in order, each with a ``sender`` (human/assistant), a plain ``text`` and
``content`` blocks. Blocks of type ``text`` are the message; ``thinking`` blocks are kept and marked
(``meta["thinking"]``); ``tool_use`` is written as a JSON code block and ``tool_result`` as output. Attachments and
files are named in ``meta["attachments"]``.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from aia.errors import ImportFailed
from aia.ingest.base import ImportedSource, Importer, register
from aia.ingest.chatgpt import conversation_list, load_json
from aia.ingest.conversations import Piece, Turn, build_source, normalise_role, only_one, register_many

NAME = "claude"


def sniff(data: bytes, filename: str) -> bool:
    head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"[", b"{") and b'"chat_messages"' in head


def _result_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(_result_text(v) for v in value)
    if isinstance(value, dict):
        if isinstance(value.get("text"), str):
            return str(value["text"])
        return _result_text(value.get("content"))
    return ""


def _pieces(msg: dict[str, Any], counts: Counter[str]) -> list[Piece]:
    blocks = msg.get("content")
    if not isinstance(blocks, list) or not blocks:
        return [Piece(str(msg.get("text") or ""))]
    pieces: list[Piece] = []
    for block in blocks:
        if not isinstance(block, dict):
            continue
        kind = str(block.get("type") or "text")
        counts[kind] += 1
        if kind == "text":
            pieces.append(Piece(str(block.get("text") or "")))
        elif kind == "thinking":
            pieces.append(Piece(str(block.get("thinking") or block.get("text") or ""), "thinking"))
        elif kind == "tool_use":
            call = {"name": block.get("name"), "input": block.get("input")}
            pieces.append(Piece(json.dumps(call, ensure_ascii=False, indent=2), "code", "json"))
        elif kind == "tool_result":
            pieces.append(Piece(_result_text(block.get("content")), "output"))
        elif isinstance(block.get("text"), str):
            pieces.append(Piece(block["text"]))
    return pieces


def _newest_leaf(messages: list[dict[str, Any]], children: dict[int | None, list[int]]) -> int:
    """The message shown when the export does not say: the newest leaf (latest ``created_at``; on a tie or without
    times, the later one in the file)."""
    leaves = [i for i in range(len(messages)) if not children.get(i)]
    return max(leaves or [len(messages) - 1], key=lambda i: (_timestamp(messages[i].get("created_at")), i))


def _timestamp(value: Any) -> float:
    """Seconds since the epoch of an ISO 8601 time (``Z`` allowed); -inf when missing or unreadable."""
    if not isinstance(value, str) or not value:
        return float("-inf")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return float("-inf")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _thread_order(
    messages: list[dict[str, Any]], current_leaf: Any
) -> tuple[list[tuple[int, int | None, int | None, int | None]], int]:
    """(message index, parent index, branch, alternative-of index) in reading order, and the number of branches.

    Messages linked by ``parent_message_uuid`` form a tree when a message was edited or an answer regenerated: the
    shown thread (``current_leaf_message_uuid`` up to the root, else the newest leaf's) comes first, the other
    branches follow. Without such links the messages are read in file order."""
    index = {str(m.get("uuid")): i for i, m in enumerate(messages) if m.get("uuid")}
    parent: dict[int, int | None] = {}
    for i, m in enumerate(messages):
        p = m.get("parent_message_uuid")
        parent[i] = index.get(str(p)) if p is not None else None
    linked = any(v is not None for v in parent.values())
    if not linked:
        return [(i, i - 1 if i else None, None, None) for i in range(len(messages))], 0
    children: dict[int | None, list[int]] = {}
    for i in range(len(messages)):
        children.setdefault(parent[i], []).append(i)
    leaf = index.get(str(current_leaf)) if current_leaf is not None else None
    node: int | None = leaf if leaf is not None else _newest_leaf(messages, children)
    path: list[int] = []
    while node is not None and node not in path:
        path.append(node)
        node = parent[node]
    path.reverse()
    on_path = set(path)
    order: list[tuple[int, int | None, int | None, int | None]] = [(i, parent[i], None, None) for i in path]
    branch = 0
    for position, key in enumerate([None, *path]):
        following = path[position] if position < len(path) else None
        for child in children.get(key, []):
            if child in on_path:
                continue
            branch += 1
            stack = [(child, True)]
            while stack:
                current, first = stack.pop()
                if current in on_path:
                    continue
                on_path.add(current)
                order.append((current, parent[current], branch, following if first else None))
                stack.extend((kid, False) for kid in reversed(children.get(current, [])))
    return order, branch


def _conversation(conv: Any, number: int, filename: str) -> ImportedSource:
    if not isinstance(conv, dict):
        raise ImportFailed(filename, f"conversation {number} is not a JSON object")
    title = str(conv.get("name") or "").strip() or f"Samtale {number}"
    where = f"conversation {number} ({title!r})"
    messages = conv.get("chat_messages")
    if not isinstance(messages, list):
        raise ImportFailed(filename, f"{where} has no list 'chat_messages'; it is not a Claude export")
    counts: Counter[str] = Counter()
    turns: list[Turn] = []
    model = conv.get("model")
    for i, msg in enumerate(messages, start=1):
        if not isinstance(msg, dict):
            raise ImportFailed(filename, f"{where}, message {i} is not a JSON object")
    order, branches = _thread_order(messages, conv.get("current_leaf_message_uuid"))
    turn_of: dict[int, int] = {}
    for i, parent, branch, alternative in order:
        msg = messages[i]
        role = normalise_role(msg.get("sender"), filename, f"{where}, message {i + 1},")
        attachments = [
            str(a.get("file_name") or a.get("name"))
            for key in ("attachments", "files")
            for a in msg.get(key) or []
            if isinstance(a, dict) and (a.get("file_name") or a.get("name"))
        ]
        turn_of[i] = len(turns)
        turns.append(
            Turn(
                role,
                _pieces(msg, counts),
                str(model) if model and role == "assistant" else None,
                str(msg["created_at"]) if msg.get("created_at") else None,
                attachments,
                turn_of.get(parent) if parent is not None else None,
                turn_of.get(alternative) if alternative is not None else None,
                branch,
                meta={"message_id": msg.get("uuid")},
            )
        )
    created = str(conv["created_at"]) if conv.get("created_at") else None
    metadata: dict[str, Any] = {
        "format": "Claude conversations.json",
        "conversation_id": conv.get("uuid"),
        "conversation_key": f"{NAME}:{conv.get('uuid') or number}",
        "conversation_number": number,
        "create_time": created,
        "update_time": conv.get("updated_at"),
        "messages": len(messages),
        "content_types": dict(sorted(counts.items())),
        "branches": branches,
        "alternative_turns": sum(1 for t in turns if t.branch is not None),
    }
    if conv.get("summary"):
        metadata["summary"] = str(conv["summary"])
    return build_source(turns, NAME, title, created, metadata)


def parse_many(data: bytes, filename: str) -> list[ImportedSource]:
    conversations = conversation_list(load_json(data, filename), filename, "Claude conversations")
    if not conversations:
        raise ImportFailed(filename, "the Claude export holds no conversations")
    return [_conversation(conv, number, filename) for number, conv in enumerate(conversations, start=1)]


def parse(data: bytes, filename: str) -> ImportedSource:
    return only_one(parse_many(data, filename), filename)


register_many(NAME, parse_many)
IMPORTER = register(
    Importer(
        name=NAME,
        extensions=(".claude.json",),
        parse=parse,
        sniff=sniff,
        description="Claude data export (conversations.json)",
    )
)
