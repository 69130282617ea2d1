"""Importing corpora: one source per thread, provenance, pseudonymisation, nothing stored on bad input."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nn_helpers import REDDIT, SE, keyed_project

from aia.errors import AiaError
from aia.netnography.model import DumpError, Post, Pseudonymiser, Thread
from aia.netnography.query import sample
from aia.store.database import read
from aia.store.schema import sources


def _threads(n_years: list[int]) -> list[Thread]:
    return [
        Thread(
            "reddit",
            f"t{i}",
            [Post(f"t{i}", "submission", "a", datetime(y, 1, 1, tzinfo=UTC), 1, "x")],
            community=f"r{i % 3}",
        )
        for i, y in enumerate(n_years)
    ]


@given(st.lists(st.integers(2010, 2025), min_size=0, max_size=60), st.integers(0, 70), st.integers(0, 2**31))
@settings(max_examples=60, deadline=None)
def test_same_seed_same_sample_whatever_the_order(years: list[int], n: int, seed: int) -> None:
    threads = _threads(years)
    a = [t.thread_id for t in sample(threads, n, seed)]
    b = [t.thread_id for t in sample(list(reversed(threads)), n, seed)]
    assert a == b and len(a) == min(n, len(threads)) and len(set(a)) == len(a)


@given(st.lists(st.integers(2015, 2019), min_size=1, max_size=80), st.integers(1, 80), st.integers(0, 999))
@settings(max_examples=60, deadline=None)
def test_stratified_sample_is_proportional(years: list[int], n: int, seed: int) -> None:
    threads = _threads(years)
    chosen = sample(threads, n, seed, "year")
    sizes = Counter(years)
    got = Counter(t.created.year for t in chosen if t.created)
    k = min(n, len(threads))
    assert sum(got.values()) == k
    for year, size in sizes.items():
        assert abs(got[year] - k * size / len(threads)) < 1.0 + 1e-9


def test_pseudonymiser_is_keyed_and_replaces_mentions() -> None:
    p = Pseudonymiser(b"k1" * 16, "reddit")
    q = Pseudonymiser(b"k2" * 16, "reddit")
    assert p.author("Søren_K") == p.author("søren_k") != q.author("Søren_K")
    assert p.author("[deleted]") == "[deleted]"
    name = p.author("jensen")
    text = "Tak @jensen og u/jensen, jensen har ret"
    assert p.text(text, ["jensen"]) == f"Tak @{name} og u/{name}, {name} har ret"
    assert p.text(text) == f"Tak @{name} og u/{name}, jensen har ret"


def test_import_stackexchange_corpus(tmp_path: Path) -> None:
    with keyed_project(tmp_path) as project:
        result = project.import_corpus(SE, "SWU", "Meta om AI", keywords=["chat"], sample_size=5, seed=42)
        corpus = result.corpus
        assert corpus.threads == len(result.source_ids) == 5
        assert corpus.counts["read"] == 453 and corpus.counts["keyword"] >= 5 and corpus.counts["sampled"] == 5
        assert corpus.seed == 42 and corpus.dump_name == SE.name and len(corpus.dump_sha256) == 64
        again = project.import_corpus(SE, "SWU", "Meta om AI igen", keywords=["chat"], sample_size=5, seed=42)
        titles = [project.source(i).title for i in result.source_ids]
        assert titles == [project.source(i).title for i in again.source_ids]
        assert project.corpus(corpus.id).source_ids == result.source_ids
        assert [c.id for c in project.corpora()] == [corpus.id, again.corpus.id]
        names = {row["DisplayName"] for row in _users()}
        with read(project.engine) as conn:
            texts = [r.text for r in conn.execute(sources.select().where(sources.c.id.in_(result.source_ids)))]
        for text in texts:
            assert [n for n in names if len(n) > 3 and re.search(f"@{re.escape(n)}(?![\\w-])", text)] == []


def _users() -> list[dict[str, str]]:
    from aia.netnography.stackexchange import iter_rows

    with (SE / "Users.xml").open("rb") as f:
        return list(iter_rows(f, "Users.xml"))


def test_segments_follow_thread_order(tmp_path: Path) -> None:
    with keyed_project(tmp_path) as project:
        result = project.import_corpus(SE, "SWU", "Alt", sample_size=20, seed=1)
        assert len(result.source_ids) == 20
        for sid in result.source_ids:
            source = project.source(sid)
            segs = project.segments(sid)
            assert segs[0].kind == "post" and segs[0].parent_ordinal is None and segs[0].author
            assert [s.ordinal for s in segs] == list(range(len(segs)))
            for s in segs[1:]:
                assert s.parent_ordinal is not None and s.parent_ordinal < s.ordinal
                assert s.meta["depth"] == segs[s.parent_ordinal].meta["depth"] + 1
                assert s.author is None or s.author.startswith("user_")
            assert segs[-1].end == len(source.text)


def test_bad_input_stores_nothing(tmp_path: Path) -> None:
    lines = REDDIT.read_text(encoding="utf-8").splitlines()
    lines[9] = "{not json"
    bad = tmp_path / "RC_bad.ndjson"
    bad.write_text("\n".join(lines), encoding="utf-8")
    with keyed_project(tmp_path) as project:
        with pytest.raises(DumpError, match=r"RC_bad\.ndjson line 10 is not valid JSON"):
            project.import_corpus(bad, "SWU", "Dårlig")
        assert project.corpora() == []
        with read(project.engine) as conn:
            assert conn.execute(sources.select()).first() is None


def test_sample_needs_seed(tmp_path: Path) -> None:
    with keyed_project(tmp_path) as project, pytest.raises(AiaError, match="seed"):
        project.import_corpus(REDDIT, "SWU", "Uden frø", sample_size=3)


def test_cli_import_list_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner
    from nn_helpers import PASSPHRASE

    from aia.cli import cli

    keyed_project(tmp_path).close()
    monkeypatch.setenv("AIA_KEYSTORE_PASSPHRASE", PASSPHRASE)
    root = str(tmp_path / "projekt")
    runner = CliRunner()
    out = runner.invoke(
        cli,
        [
            "--project",
            root,
            "netnography",
            "import",
            str(REDDIT),
            "--track",
            "SWU",
            "--name",
            "Reddit-prøve",
            "--sample",
            "4",
            "--seed",
            "7",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["corpus"]["threads"] == 4 and data["corpus"]["seed"] == 7
    listed = runner.invoke(cli, ["--project", root, "netnography", "list"])
    assert "Reddit-prøve" in listed.output
    shown = runner.invoke(cli, ["--project", root, "netnography", "show", str(data["corpus"]["id"])])
    assert "frø 7" in shown.output and "sha256" in shown.output
