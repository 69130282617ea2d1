"""Property: for any small project (Danish letters, emoji, random overlapping codings) the export validates and
every selection slices the exported text, in code points, to exactly the stored coded text."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from refi_helpers import check_selections, read_qde

import aia
from aia.exchange.refi import export_qdpx

ALPHABET = [*"abcdefghij æøåÆØÅé.,:\n<>&\"'\t", "😀", "👍🏽", "🤖", "𝔘", "🇩🇰", "\u0301", "—"]
texts = st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=120).map(lambda parts: "Tekst " + "".join(parts))
_counter = itertools.count()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("refi-props")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(texts, min_size=1, max_size=3), data=st.data())
def test_export_validates_and_slices(base: Path, docs: list[str], data: st.DataObject) -> None:
    root = base / f"p{next(_counter)}"
    with aia.init_project(root / "p", user="Forsker Å 😀") as p:
        p.add_track("Forløb æøå", prefix="FAE")
        p.add_code("Kode 🤖")
        p.add_code("Under", parent="Kode 🤖")
        ids = []
        for i, doc in enumerate(docs):
            result = p.import_bytes(doc.encode("utf-8"), f"kilde_{i}.txt", track="FAE", wp=1 + i % 5)
            assert result.source_id is not None
            ids.append(result.source_id)
        for sid in ids:
            length = len(p.source(sid).text)
            spans = data.draw(
                st.lists(st.tuples(st.integers(0, length - 1), st.integers(1, length)), max_size=6), label="spans"
            )
            for a, b in spans:
                start, end = min(a, b - 1), max(a + 1, b)
                code = data.draw(st.sampled_from(["Kode 🤖", "Kode 🤖/Under"]), label="code")
                p.add_coding(sid, start, end, code, comment=data.draw(st.none() | texts, label="comment"))
        p.add_memo("Memo 😀", data.draw(texts, label="memo"), "source", ids[0])
        out = root / "export.qdpx"
        export_qdpx(p, out)
        assert check_selections(out, p) == len(p.codings())
        assert len(read_qde(out).findall("{urn:QDA-XML:project:1.0}Notes/*")) == 1
