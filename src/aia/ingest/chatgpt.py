"""ChatGPT data export (``conversations.json``): one source per conversation.

A conversation's ``mapping`` is a tree of message nodes; edits and regenerations make branches. The shown thread is
the path from ``current_node`` up to the root: it comes first, turn by turn. The other branches follow it, so
nothing is lost; their turns carry ``meta["branch"]`` and the first turn of a branch ``meta["alternative_of"]``.
Content types ``text``, ``multimodal_text`` (images named as attachments), ``code`` and ``execution_output`` are
kept; hidden messages (``is_visually_hidden_from_conversation``, custom instructions) are left out and counted in the
source's metadata, like content types without text.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from aia.errors import ImportFailed
from aia.ingest.base import ImportedSource, Importer, register
from aia.ingest.conversations import Piece, Turn, build_source, iso_from_epoch, normalise_role, only_one, register_many
from aia.ingest.encoding import decode

NAME = "chatgpt"
_HIDDEN_TYPES = frozenset({"user_editable_context", "model_editable_context"})


def sniff(data: bytes, filename: str) -> bool:
    head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"[", b"{") and b'"mapping"' in head and b'"chat_messages"' not in head


def load_json(data: bytes, filename: str) -> Any:
    text = decode(data, filename)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(filename, f"the file is not valid JSON ({exc.msg})", exc.lineno) from None
    except RecursionError:
        raise ImportFailed(filename, "the JSON is nested too deeply to read") from None


def conversation_list(value: Any, filename: str, what: str) -> list[Any]:
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise ImportFailed(filename, f"the file holds no list of {what}")
    return value


def _pieces(content: Any, attachments: list[str]) -> tuple[list[Piece], str]:
    """The content's pieces and its content type."""
    if not isinstance(content, dict):
        return [], "missing"
    ctype = str(content.get("content_type") or "text")
    if ctype == "code":
        language = content.get("language")
        lang = str(language) if language and language != "unknown" else None
        return [Piece(str(content.get("text") or ""), "code", lang)], ctype
    if ctype == "execution_output":
        return [Piece(str(content.get("text") or ""), "output")], ctype
    pieces: list[Piece] = []
    parts = content.get("parts")
    if isinstance(parts, list):
        for part in parts:
            if isinstance(part, str):
                pieces.append(Piece(part))
            elif isinstance(part, dict):
                name = part.get("name") or part.get("asset_pointer") or part.get("content_type")
                if name:
                    attachments.append(str(name))
                if isinstance(part.get("text"), str):
                    pieces.append(Piece(part["text"]))
    elif isinstance(content.get("text"), str):
        pieces.append(Piece(content["text"]))
    elif isinstance(content.get("result"), str):
        pieces.append(Piece(content["result"]))
    return pieces, ctype


def _conversation(conv: Any, number: int, filename: str) -> ImportedSource:
    if not isinstance(conv, dict):
        raise ImportFailed(filename, f"conversation {number} is not a JSON object")
    title = str(conv.get("title") or "").strip() or f"Samtale {number}"
    where = f"conversation {number} ({title!r})"
    mapping = conv.get("mapping")
    if not isinstance(mapping, dict) or not mapping:
        raise ImportFailed(filename, f"{where} has no 'mapping' of messages; it is not a ChatGPT export")
    for key, entry in mapping.items():
        if not isinstance(entry, dict):
            raise ImportFailed(filename, f"{where}: the mapping entry {key!r} is not an object")

    def parent_of(key: str) -> str | None:
        parent = mapping[key].get("parent")
        return parent if isinstance(parent, str) and parent in mapping else None

    # children as listed, then any node that names a parent without being listed as its child
    children: dict[str, list[str]] = {}
    for key, entry in mapping.items():
        listed = entry.get("children")
        children[key] = [c for c in listed if isinstance(c, str) and c in mapping] if isinstance(listed, list) else []
    for key in mapping:
        parent = parent_of(key)
        if parent is not None and key not in children[parent]:
            children[parent].append(key)

    warnings: list[str] = []
    current = conv.get("current_node")
    # the shown thread: current_node up to the root
    path: list[str] = []
    if isinstance(current, str) and current in mapping:
        seen: set[str] = set()
        node: str | None = current
        while node is not None:
            if node in seen:
                raise ImportFailed(filename, f"{where}: the mapping has a cycle at node {node!r}")
            seen.add(node)
            path.append(node)
            node = parent_of(node)
        path.reverse()
    roots = [k for k in mapping if parent_of(k) is None]
    if not path:
        if not roots:
            raise ImportFailed(filename, f"{where}: the mapping has no root node")
        warnings.append(f"{where}: current_node is missing; the thread of the last replies is shown")
        node = roots[0]
        seen = set()
        while node is not None and node not in seen:
            seen.add(node)
            path.append(node)
            kids = children[node]
            node = kids[-1] if kids else None
    on_path = set(path)

    turns: list[Turn] = []
    turn_of: dict[str, int] = {}
    counts: Counter[str] = Counter()
    models: Counter[str] = Counter()
    hidden = 0

    def add(key: str, parent_turn: int | None, branch: int | None, alternative_of: int | None) -> int | None:
        nonlocal hidden
        msg = mapping[key].get("message")
        if not isinstance(msg, dict):
            return parent_turn
        content = msg.get("content")
        meta: dict[str, Any] = msg["metadata"] if isinstance(msg.get("metadata"), dict) else {}
        ctype = str(content.get("content_type")) if isinstance(content, dict) else "missing"
        counts[ctype] += 1
        if meta.get("is_visually_hidden_from_conversation") or ctype in _HIDDEN_TYPES:
            hidden += 1
            return parent_turn
        author: dict[str, Any] = msg["author"] if isinstance(msg.get("author"), dict) else {}
        role = normalise_role(author.get("role"), filename, f"{where}, message {key!r},")
        attachments: list[str] = []
        pieces, _ = _pieces(content, attachments)
        if ctype == "code" and pieces and pieces[0].language is None and msg.get("recipient") == "python":
            pieces[0].language = "python"
        for att in meta.get("attachments") or []:
            if isinstance(att, dict) and att.get("name"):
                attachments.append(str(att["name"]))
        model = meta.get("model_slug")
        if model:
            models[str(model)] += 1
        extra: dict[str, Any] = {"message_id": key, "content_type": ctype}
        if author.get("name"):
            extra["author_name"] = str(author["name"])
        if msg.get("recipient") not in (None, "all"):
            extra["recipient"] = str(msg["recipient"])
        turns.append(
            Turn(
                role,
                pieces,
                str(model) if model else None,
                iso_from_epoch(msg.get("create_time")),
                attachments,
                parent_turn,
                alternative_of,
                branch,
                extra,
            )
        )
        turn_of[key] = len(turns) - 1
        return len(turns) - 1

    previous: int | None = None
    for key in path:
        previous = add(key, previous, None, None)
    # branches: every child of a shown-thread node that is not on the thread, with its whole subtree
    branch = 0
    for index, key in enumerate(path):
        following = path[index + 1] if index + 1 < len(path) else None
        for child in children[key]:
            if child in on_path:
                continue
            branch += 1
            parent_turn = _nearest_turn(key, turn_of, parent_of)
            alt = _first_turn_from(following, path, turn_of) if following else None
            stack: list[tuple[str, int | None, bool]] = [(child, parent_turn, True)]
            visited: set[str] = set()
            while stack:
                node, node_parent, first = stack.pop()
                if node in visited or node in on_path:
                    continue
                visited.add(node)
                before = len(turns)
                made = add(node, node_parent, branch, alt if first else None)
                still_first = first and len(turns) == before  # a hidden node passes "first" on
                for kid in reversed(children[node]):
                    stack.append((kid, made, still_first))
    reachable = {path[0]}
    queue = [path[0]]
    while queue:
        for kid in children[queue.pop()]:
            if kid not in reachable:
                reachable.add(kid)
                queue.append(kid)
    unreachable = sum(1 for k, n in mapping.items() if isinstance(n.get("message"), dict) and k not in reachable)
    if unreachable:
        warnings.append(
            f"{where}: {unreachable} messages are not connected to the conversation's root and were left out"
        )
    metadata: dict[str, Any] = {
        "format": "ChatGPT conversations.json",
        "conversation_id": conv.get("conversation_id") or conv.get("id"),
        "conversation_key": f"{NAME}:{conv.get('conversation_id') or conv.get('id') or number}",
        "conversation_number": number,
        "create_time": iso_from_epoch(conv.get("create_time")),
        "update_time": iso_from_epoch(conv.get("update_time")),
        "messages": sum(1 for n in mapping.values() if isinstance(n.get("message"), dict)),
        "hidden_messages": hidden,
        "branches": branch,
        "alternative_turns": sum(1 for t in turns if t.branch is not None),
        "content_types": dict(sorted(counts.items())),
        "models": dict(models.most_common()),
    }
    for field_name in ("default_model_slug", "gizmo_id", "is_archived", "conversation_origin"):
        if conv.get(field_name) is not None:
            metadata[field_name] = conv[field_name]
    created = metadata["create_time"]
    return build_source(turns, NAME, title, created, metadata, warnings)


def _nearest_turn(key: str | None, turn_of: dict[str, int], parent_of: Any) -> int | None:
    seen: set[str] = set()
    while key is not None and key not in turn_of and key not in seen:
        seen.add(key)
        key = parent_of(key)
    return turn_of.get(key) if key is not None else None


def _first_turn_from(key: str, path: list[str], turn_of: dict[str, int]) -> int | None:
    """The first visible turn of the shown thread at or after node ``key``."""
    for node in path[path.index(key) :]:
        if node in turn_of:
            return turn_of[node]
    return None


def parse_many(data: bytes, filename: str) -> list[ImportedSource]:
    conversations = conversation_list(load_json(data, filename), filename, "ChatGPT conversations")
    if not conversations:
        raise ImportFailed(filename, "the ChatGPT export holds no conversations")
    sources = [_conversation(conv, number, filename) for number, conv in enumerate(conversations, start=1)]
    for source in sources:
        if not source.segments:
            source.warnings.append(f"conversation {source.title!r} has no visible messages")
    return sources


def parse(data: bytes, filename: str) -> ImportedSource:
    return only_one(parse_many(data, filename), filename)


register_many(NAME, parse_many)
IMPORTER = register(
    Importer(
        name=NAME,
        extensions=(".chatgpt.json",),
        parse=parse,
        sniff=sniff,
        description="ChatGPT data export (conversations.json)",
    )
)
