"""Property tests: turns slice the text, marked spans lie inside their turn and hold exactly the code, and every
visible message of a random ChatGPT tree appears exactly once."""

from __future__ import annotations

import random

from ailog_helpers import check_turns, dumps, node
from hypothesis import given, settings
from hypothesis import strategies as st

from aia.ingest import chatgpt
from aia.ingest.conversations import Piece, Turn, build_source

# no backticks: then the only code blocks are the code and output pieces, and each can be checked exactly
alphabet = st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="`")
words = st.text(alphabet=alphabet, max_size=40)
code = st.text(alphabet=alphabet, max_size=40)
pieces = st.lists(
    st.one_of(
        st.builds(Piece, words),
        st.builds(Piece, code, st.sampled_from(["code", "output"]), st.sampled_from([None, "python", "sql"])),
        st.builds(Piece, words, st.just("thinking")),
    ),
    max_size=4,
)
turns = st.lists(st.builds(Turn, st.sampled_from(["user", "assistant", "system", "tool"]), pieces), max_size=8)


@settings(max_examples=200, deadline=None)
@given(turns)
def test_turns_slice_the_text(items: list[Turn]) -> None:
    source = build_source(items, "test", "Prøve", None, {})
    check_turns(source)
    assert len(source.segments) + source.metadata.get("empty_turns", 0) == len(items)
    # every code or output piece is found again, exactly, at its marked span, with its language
    marked = [
        (b["kind"], b["language"], source.text[b["start"] : b["end"]])
        for seg in source.segments
        for b in seg.meta["code_blocks"]
    ]
    expected = [
        (p.kind, p.language, p.text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip("\n").rstrip())
        for t in items
        for p in t.pieces
        if p.kind in ("code", "output")
    ]
    assert marked == [e for e in expected if e[2]]
    thinking = [source.text[b["start"] : b["end"]] for seg in source.segments for b in seg.meta.get("thinking", [])]
    assert thinking == [
        p.text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
        for t in items
        for p in t.pieces
        if p.kind == "thinking" and p.text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    ]


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=40), st.randoms(use_true_random=False), st.data())
def test_random_trees_lose_nothing(size: int, rnd: random.Random, data: st.DataObject) -> None:
    mapping = {"root": {"id": "root", "message": None, "parent": None, "children": []}}
    keys = ["root"]
    for i in range(size):
        parent = rnd.choice(keys)
        key = f"n{i}"
        role = "user" if rnd.random() < 0.5 else "assistant"
        mapping[key] = node(key, role, f"tekst {i} æøå", parent, [])
        mapping[parent]["children"].append(key)
        keys.append(key)
    hidden = data.draw(st.sets(st.sampled_from(keys[1:])))
    for key in hidden:
        mapping[key]["message"]["metadata"] = {"is_visually_hidden_from_conversation": True}
    current = rnd.choice(keys)
    conv = {"title": "Træ", "mapping": mapping, "current_node": current, "id": "t"}
    [source] = chatgpt.parse_many(dumps([conv]), "c.json")
    check_turns(source)
    ids = [s.meta["message_id"] for s in source.segments]
    assert sorted(ids) == sorted(set(keys[1:]) - hidden)
    assert source.metadata["hidden_messages"] == len(hidden)
    # the shown thread comes first and is the path to current_node
    path = []
    key: str | None = current
    while key is not None:
        path.append(key)
        key = mapping[key]["parent"]
    shown = [k for k in reversed(path) if k != "root" and k not in hidden]
    assert ids[: len(shown)] == shown
    assert all("branch" not in s.meta for s in source.segments[: len(shown)])
    assert all("branch" in s.meta for s in source.segments[len(shown) :])
    for seg in source.segments:
        assert seg.parent is None or 0 <= seg.parent < len(source.segments)
