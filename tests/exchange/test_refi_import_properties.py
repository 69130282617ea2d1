"""Properties of the REFI-QDA import.

1. Round trip: any small aia project (Danish letters, emoji, overlapping codings, CRLF in the imported files)
   exported and imported into a fresh project has the same codebook, sources, texts, codings (offsets, coded
   text) and memos, all under the same GUIDs.
2. Foreign files: for any text (CRLF, lone CR, BOM, emoji) and any selections written in code points or UTF-16
   units, the import (told the unit) codes exactly the text the selection covers — never a shifted one.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from refi_fixtures import FCode, FSelection, FSource, utf16_len, write_qdpx

import aia
from aia.exchange.refi.importer import import_into_new_project
from aia.exchange.refi.positions import Reading, TextMap

ALPHABET = [*"abcdefghij æøåÆØÅé.,:\n<>&\"'\t", "\r\n", "😀", "👍🏽", "🤖", "𝔘", "🇩🇰", "\u0301", "—"]
texts = st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=80).map(lambda parts: "Tekst " + "".join(parts))
_counter = itertools.count()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("refi-import-props")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(texts, min_size=1, max_size=3), data=st.data())
def test_export_then_import_is_lossless(base: Path, docs: list[str], data: st.DataObject) -> None:
    root = base / f"p{next(_counter)}"
    with aia.init_project(root / "p", user="Forsker Å 😀") as p:
        p.add_track("Forløb æøå", prefix="FAE")
        p.add_code("Kode 🤖", description="Beskrivelse æøå")
        p.add_code("Under", parent="Kode 🤖")
        ids = []
        for i, doc in enumerate(docs):
            result = p.import_bytes(doc.encode("utf-8"), f"kilde_{i}.txt", track="FAE", wp=1 + i % 5)
            assert result.source_id is not None
            ids.append(result.source_id)
        for sid in ids:
            length = len(p.source(sid).text)
            spans = data.draw(st.lists(st.tuples(st.integers(0, length - 1), st.integers(1, length)), max_size=6))
            for a, b in spans:
                code = data.draw(st.sampled_from(["Kode 🤖", "Kode 🤖/Under"]))
                p.add_coding(sid, min(a, b - 1), max(a + 1, b), code, comment=data.draw(st.none() | texts))
        p.add_memo("Memo 😀", data.draw(texts).replace("\r", ""), "source", ids[0])
        out = root / "export.qdpx"
        p.export_qdpx(out)
        copy, summary = import_into_new_project(out, root / "kopi")
        with copy:
            assert summary.warnings == []
            codes = {c.id: c.guid for c in p.codes()}
            copy_codes = {c.id: c.guid for c in copy.codes()}
            assert {(c.guid, c.name, c.description) for c in p.codes()} == {
                (c.guid, c.name, c.description) for c in copy.codes()
            }
            src = {s.id: s.guid for s, _t, _n in p.sources()}
            copy_src = {s.id: s.guid for s, _t, _n in copy.sources()}
            assert {src[i]: p.source(i).text for i in src} == {copy_src[i]: copy.source(i).text for i in copy_src}

            def codings(project: aia.Project, sources: dict[int, str], code_guids: dict[int, str]) -> set[object]:
                return {
                    (
                        c.guid,
                        sources[c.source_id],
                        code_guids[c.code_id],
                        c.start,
                        c.end,
                        project.source(c.source_id).text[c.start : c.end],
                        c.comment,
                    )
                    for c in project.codings()
                }

            assert codings(p, src, codes) == codings(copy, copy_src, copy_codes)
            assert {(m.guid, m.title, m.body) for m in p.memos()} == {(m.guid, m.title, m.body) for m in copy.memos()}


FOREIGN = [*"abc æøå.\n", "\r\n", "\r", "😀", "👍🏽", "𝔘", "\u0301"]
foreign_texts = st.lists(st.sampled_from(FOREIGN), min_size=2, max_size=60).map("".join)


def stored_index(raw: str, i: int) -> int:
    """Where raw index ``i`` lands once CRLF became LF (a position between CR and LF lands on the LF)."""
    prefix = raw[:i]
    shift = 1 if prefix.endswith("\r") and raw[i : i + 1] == "\n" else 0
    return len(prefix.replace("\r\n", "\n")) - shift


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=foreign_texts,
    unit=st.sampled_from(["codepoints", "utf16"]),
    bom=st.booleans(),
    data=st.data(),
)
def test_foreign_selections_code_exactly_their_text(
    base: Path, raw: str, unit: str, bom: bool, data: st.DataObject
) -> None:
    root = base / f"f{next(_counter)}"
    root.mkdir()
    spans = data.draw(st.lists(st.tuples(st.integers(0, len(raw)), st.integers(0, len(raw))), min_size=1, max_size=5))
    code = FCode("Kode")
    selections = []
    expected = []
    stored = raw.replace("\r\n", "\n").replace("\r", "\n")
    for a, b in spans:
        a, b = min(a, b), max(a, b)
        sa, sb = stored_index(raw, a), stored_index(raw, b)
        if sb == sa and b > a:
            continue  # only the CR of a CRLF: a file that means CRLF counts as one would say the same
        pa, pb = (utf16_len(raw[:a]), utf16_len(raw[:b])) if unit == "utf16" else (a, b)
        selections.append(FSelection(pa, pb, code.guid))
        if sb > sa:
            expected.append(stored[sa:sb])
    data_bytes = (b"\xef\xbb\xbf" if bom else b"") + raw.encode("utf-8")
    path = write_qdpx(root / "f.qdpx", [FSource("Kilde", raw, selections, data=data_bytes)], [code])
    with aia.init_project(root / "p") as p:
        summary = p.import_qdpx(path, positions=unit)
        assert p.source(p.sources()[0][0].id).text == stored
        got = sorted(c.text for c in p.retrieve("Kode"))
        assert got == sorted(expected)
        if len(expected) < len(selections):
            assert any("left out, not moved" in w for w in summary.warnings)


@given(raw=foreign_texts, data=st.data())
def test_text_map_converts_every_position_and_refuses_half_characters(raw: str, data: st.DataObject) -> None:
    m = TextMap(raw)
    i = data.draw(st.integers(0, len(raw)))
    assert m.index(i, Reading("codepoints", "raw")) == stored_index(raw, i)
    assert m.index(utf16_len(raw[:i]), Reading("utf16", "raw")) == stored_index(raw, i)
    astral = [k for k, ch in enumerate(raw) if ord(ch) > 0xFFFF]
    for k in astral:  # between the two UTF-16 halves of the character
        assert m.index(utf16_len(raw[:k]) + 1, Reading("utf16", "raw")) is None
    assert m.index(len(raw) + 1, Reading("codepoints", "raw")) is None
    assert m.index(-1, Reading("codepoints", "raw")) is None
