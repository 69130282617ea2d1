"""Helpers for the AI-log tests (imported by name: tests/ailogs is on sys.path in pytest's prepend mode)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aia.ingest.base import ImportedSource

SHARED = Path(__file__).resolve().parents[3] / "shared"
CHATGPT_REAL = SHARED / "data" / "chat_exports" / "chatgpt_conversations.chatgpt2graph_example.json"
DATA = Path(__file__).resolve().parent / "data"


def check_turns(source: ImportedSource) -> None:
    """The invariants every AI-log source keeps: turns slice the text in order, marked spans lie inside their turn."""
    previous = 0
    for seg in source.segments:
        assert seg.kind == "turn"
        assert previous <= seg.start < seg.end <= len(source.text)
        assert seg.speaker in ("user", "assistant", "system", "tool")
        assert source.text[seg.start : seg.end].startswith(f"{seg.speaker}: ")
        for key in ("code_blocks", "thinking"):
            for span in seg.meta.get(key) or []:
                assert seg.start <= span["start"] < span["end"] <= seg.end, (key, span, seg)
        previous = seg.end


def texts(source: ImportedSource) -> list[str]:
    return [source.text[s.start : s.end] for s in source.segments]


def node(key: str, role: str, text: str, parent: str | None, children: list[str], **extra: Any) -> dict[str, Any]:
    """A ChatGPT mapping node with a text message."""
    message = {
        "id": key,
        "author": {"role": role, "name": None, "metadata": {}},
        "create_time": 1700000000.0 + len(key),
        "content": {"content_type": "text", "parts": [text]},
        "metadata": {"model_slug": "gpt-4o"} if role == "assistant" else {},
        "recipient": "all",
    }
    message.update(extra)
    return {"id": key, "message": message, "parent": parent, "children": children}


def branching_conversation() -> dict[str, Any]:
    """root → u1 → {a1 (regenerated: a1b shown), …}; u2 edited (u2 → a2, u2b → a2b shown)."""
    mapping = {
        "root": {"id": "root", "message": None, "parent": None, "children": ["sys"]},
        "sys": node("sys", "system", "", "root", ["u1"]),
        "u1": node("u1", "user", "Forklar rødgrød med fløde 🍓", "sys", ["a1", "a1b"]),
        "a1": node("a1", "assistant", "Første svar om grød.", "u1", []),
        "a1b": node("a1b", "assistant", "Andet svar: rødgrød er en dansk dessert.", "u1", ["u2", "u2b"]),
        "u2": node("u2", "user", "Skriv en opskrift på engelsk.", "a1b", ["a2"]),
        "a2": node("a2", "assistant", "Red berry pudding: …", "u2", []),
        "u2b": node("u2b", "user", "Skriv en opskrift på dansk, tak.", "a1b", ["a2b"]),
        "a2b": node(
            "a2b", "assistant", "Opskrift:\n\n```python\nprint('bær og sukker')\n```\n\nVelbekomme!", "u2b", []
        ),
    }
    mapping["sys"]["message"]["metadata"] = {"is_visually_hidden_from_conversation": True}
    return {
        "title": "Rødgrød med fløde",
        "create_time": 1700000000.5,
        "update_time": 1700000100.0,
        "mapping": mapping,
        "current_node": "a2b",
        "conversation_id": "c-1",
        "id": "c-1",
    }


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
