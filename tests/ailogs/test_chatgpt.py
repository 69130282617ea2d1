"""The ChatGPT importer on the real export and on generated trees (branches, hidden messages, content types)."""

from __future__ import annotations

import json

import pytest
from ailog_helpers import CHATGPT_REAL, branching_conversation, check_turns, dumps, node, texts

from aia.errors import ImportFailed
from aia.ingest import chatgpt
from aia.ingest.base import choose_importer
from aia.ingest.conversations import parse_many_file


def test_real_export_shown_thread() -> None:
    data = CHATGPT_REAL.read_bytes()
    assert choose_importer(data, "conversations.json").name == "chatgpt"
    [source] = parse_many_file(data, "conversations.json")
    check_turns(source)
    raw = json.loads(data)[0]
    assert source.title == raw["title"] == "Average Distance in U(0,1)"
    assert source.date == "2023-09-21T19:57:53Z"
    meta = source.metadata
    assert meta["messages"] == 44 and meta["hidden_messages"] == 2 and meta["turns"] == 42
    assert meta["content_types"] == {"code": 11, "execution_output": 11, "text": 22}
    assert meta["branches"] == 0
    roles = [s.speaker for s in source.segments]
    assert roles[0] == "user" and roles[-1] == "assistant" and roles.count("tool") == 11
    assert "system" not in roles  # the two hidden system messages are left out
    # the thread is the path from current_node to the root, in order
    ids = [s.meta["message_id"] for s in source.segments]
    assert ids[-1] == raw["current_node"]
    assert [s.parent for s in source.segments] == [None, *range(41)]
    # code turns: one python block, exactly the code of the message (CRLF normalised)
    code_turns = [s for s in source.segments if s.meta["content_type"] == "code"]
    assert len(code_turns) == 11
    first = code_turns[0]
    [block] = first.meta["code_blocks"]
    assert block["language"] == "python" and block["kind"] == "code"
    original = raw["mapping"][first.meta["message_id"]]["message"]["content"]["text"]
    assert source.text[block["start"] : block["end"]] == original.replace("\r\n", "\n").rstrip()
    outputs = [s for s in source.segments if s.speaker == "tool"]
    assert all(s.meta["code_blocks"][0]["kind"] == "output" for s in outputs)
    assert "1/3" in texts(source)[[s.speaker for s in source.segments].index("tool") + 6]
    assert all(s.meta["model"] == "gpt-4-code-interpreter" for s in source.segments if s.speaker == "assistant")


def test_branches_are_kept_as_alternatives() -> None:
    [source] = chatgpt.parse_many(dumps([branching_conversation()]), "conversations.json")
    check_turns(source)
    shown = [t for t, s in zip(texts(source), source.segments, strict=True) if "branch" not in s.meta]
    assert shown == [
        "user: Forklar rødgrød med fløde 🍓",
        "assistant: Andet svar: rødgrød er en dansk dessert.",
        "user: Skriv en opskrift på dansk, tak.",
        "assistant: Opskrift:\n\n```python\nprint('bær og sukker')\n```\n\nVelbekomme!",
    ]
    alternatives = [s for s in source.segments if "branch" in s.meta]
    assert [source.text[s.start : s.end] for s in alternatives] == [
        "assistant: Første svar om grød.",
        "user: Skriv en opskrift på engelsk.",
        "assistant: Red berry pudding: …",
    ]
    regenerated, edited, reply = alternatives
    assert regenerated.meta["alternative_of"] == 1 and regenerated.parent == 0
    assert edited.meta["alternative_of"] == 2 and edited.parent == 1
    assert "alternative_of" not in reply.meta and reply.parent == source.segments.index(edited)
    assert edited.meta["branch"] == reply.meta["branch"] != regenerated.meta["branch"]
    assert source.metadata["hidden_messages"] == 1 and source.metadata["alternative_turns"] == 3
    block = source.segments[3].meta["code_blocks"][0]
    assert source.text[block["start"] : block["end"]] == "print('bær og sukker')" and block["language"] == "python"


def test_several_conversations_one_source_each() -> None:
    second = branching_conversation() | {"title": "Anden samtale", "id": "c-2", "conversation_id": "c-2"}
    data = dumps([branching_conversation(), second])
    sources = parse_many_file(data, "conversations.json")
    assert [s.title for s in sources] == ["Rødgrød med fløde", "Anden samtale"]
    assert sources[0].metadata["conversation_key"] != sources[1].metadata["conversation_key"]
    with pytest.raises(
        ImportFailed, match=r"AI-interaction log with 2 conversation\(s\); import it with 'aia ailog import'"
    ):
        chatgpt.parse(data, "conversations.json")


def test_content_types_attachments_and_missing_current_node() -> None:
    conv = branching_conversation()
    del conv["current_node"]
    conv["mapping"]["u1"]["message"]["content"] = {
        "content_type": "multimodal_text",
        "parts": [
            {"content_type": "image_asset_pointer", "asset_pointer": "file-service://billede.png"},
            "Hvad viser billedet?",
        ],
    }
    conv["mapping"]["u1"]["message"]["metadata"] = {"attachments": [{"name": "rapport.pdf", "id": "f1"}]}
    [source] = chatgpt.parse_many(dumps([conv]), "conversations.json")
    check_turns(source)
    assert any("current_node is missing" in w for w in source.warnings)
    first = source.segments[0]
    assert texts(source)[0] == "user: Hvad viser billedet?"
    assert first.meta["attachments"] == ["file-service://billede.png", "rapport.pdf"]
    # without current_node the last replies are followed: u2b's branch is shown, nothing is lost
    assert len(source.segments) == 7
    assert [s.meta["message_id"] for s in source.segments[:4]] == ["u1", "a1b", "u2b", "a2b"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'[{"title": "x", "mapping": {}', r"line 1: the file is not valid JSON"),
        (b'[{"title": "Tom", "mapping": {}}]', r"conversation 1 \('Tom'\) has no 'mapping'"),
        (b'{"a": 1}', r"has no 'mapping'"),
    ],
)
def test_bad_files_give_one_sentence(data: bytes, message: str) -> None:
    with pytest.raises(ImportFailed, match=message) as info:
        chatgpt.parse_many(data, "conversations.json")
    assert str(info.value).startswith("cannot import conversations.json")
    assert str(info.value).count(". ") == 0


def test_unknown_role_and_cycle_are_named() -> None:
    conv = branching_conversation()
    conv["mapping"]["u1"]["message"]["author"]["role"] = "robot"
    with pytest.raises(
        ImportFailed, match=r"conversation 1 \('Rødgrød med fløde'\), message 'u1', has the role 'robot'"
    ):
        chatgpt.parse_many(dumps([conv]), "c.json")
    conv = branching_conversation()
    conv["mapping"]["root"]["parent"] = "a2b"
    with pytest.raises(ImportFailed, match="the mapping has a cycle"):
        chatgpt.parse_many(dumps([conv]), "c.json")


def test_huge_conversation_stays_linear() -> None:
    mapping = {"root": {"id": "root", "message": None, "parent": None, "children": ["n0"]}}
    previous = "root"
    for i in range(3000):
        key = f"n{i}"
        mapping[previous]["children"] = [key]
        mapping[key] = node(key, "user" if i % 2 == 0 else "assistant", f"Besked nummer {i} æøå", previous, [])
        previous = key
    conv = {"title": "Lang samtale", "mapping": mapping, "current_node": previous, "id": "lang"}
    [source] = chatgpt.parse_many(dumps([conv]), "c.json")
    check_turns(source)
    assert len(source.segments) == 3000 and texts(source)[-1] == "assistant: Besked nummer 2999 æøå"


def test_missing_fields_are_tolerated_or_named() -> None:
    conv = branching_conversation()
    a1b = conv["mapping"]["a1b"]["message"]
    del a1b["metadata"], a1b["create_time"], a1b["recipient"]
    del conv["mapping"]["u2"]["children"]
    conv["mapping"]["a1"]["message"]["content"] = None  # no content: an empty turn, counted
    [source] = chatgpt.parse_many(dumps([conv]), "c.json")
    check_turns(source)
    shown = source.segments[1]
    assert shown.meta["model"] is None and shown.meta["time"] is None
    assert source.metadata["empty_turns"] == 1 and source.metadata["content_types"]["missing"] == 1
    # a2 is not listed among u2's children, but names u2 as its parent: it is kept
    assert [s.meta["message_id"] for s in source.segments] == ["u1", "a1b", "u2b", "a2b", "u2", "a2"]
    conv["mapping"]["løs"] = node("løs", "user", "Et forældreløst spørgsmål", "findes-ikke", [])
    [source] = chatgpt.parse_many(dumps([conv]), "c.json")
    assert "løs" not in [s.meta["message_id"] for s in source.segments]
    assert any("1 messages are not connected to the conversation's root" in w for w in source.warnings)
    del conv["mapping"]["u1"]["message"]["author"]
    with pytest.raises(ImportFailed, match=r"message 'u1', has the role None; a role must be one of"):
        chatgpt.parse_many(dumps([conv]), "c.json")
