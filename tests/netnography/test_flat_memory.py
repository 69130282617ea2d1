"""Flat memory: readers spill rows to a temporary file beyond a threshold and give the same threads either way."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nn_helpers import REDDIT, SE, keyed_project

from aia.netnography.model import DumpError, Thread
from aia.netnography.reddit import read_reddit
from aia.netnography.stackexchange import read_stackexchange
from aia.store.database import read
from aia.store.netnography_spill import Grouper
from aia.store.schema import sources


def _shape(threads: list[Thread]) -> list[Any]:
    return [
        (
            t.platform,
            t.thread_id,
            t.community,
            t.tags,
            [
                (p.platform_id, p.kind, p.author, p.created, p.score, p.text, p.parent, p.depth, p.accepted)
                for p in t.posts
            ],
        )
        for t in threads
    ]


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Temporary files of the code under test go here, so a test can see that none are left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@given(
    st.lists(st.tuples(st.integers(-5, 30), st.text("aæøå", max_size=4)), max_size=80),
    st.integers(0, 90),
)
@settings(max_examples=80, deadline=None)
def test_grouper_gives_the_same_groups_spilled_or_not(rows: list[tuple[int, str]], limit: int) -> None:
    with Grouper(spill_after=10_000) as mem, Grouper(spill_after=limit) as disk:
        for i, (key, text) in enumerate(rows):
            mem.add(key, {"i": i, "t": text})
            disk.add(key, {"i": i, "t": text})
        assert disk.spilled == (len(rows) > limit) and not mem.spilled
        assert list(disk.groups()) == list(mem.groups())
        expected: dict[int, list[int]] = {}
        for i, (key, _) in enumerate(rows):
            expected.setdefault(key, []).append(i)
        assert [k for k, _ in disk.groups()] == sorted(expected)
        for key, idx in expected.items():
            assert [r["i"] for r in disk.get(key)] == idx
        assert disk.get(999) == []


def test_grouper_string_keys_sort_like_python(private_tmp: Path) -> None:
    keys = ["b", "a", "å", "Z", "æ", "10", "9", "ø", "ab"]
    with Grouper(spill_after=2) as g:
        for k in keys:
            g.add(k, {"k": k})
        assert g.spilled and len(list(private_tmp.iterdir())) == 1
        assert [k for k, _ in g.groups()] == sorted(keys)
    assert list(private_tmp.iterdir()) == []


def test_stackexchange_spilled_equals_in_memory(private_tmp: Path) -> None:
    small = list(read_stackexchange(SE, spill_after=7))
    assert _shape(small) == _shape(list(read_stackexchange(SE)))
    assert len(small) == 453
    assert list(private_tmp.iterdir()) == []


def test_reddit_spilled_equals_in_memory(tmp_path: Path, private_tmp: Path) -> None:
    # the sample plus a generated dump with threads spread over the file and submissions after their comments
    lines = REDDIT.read_text(encoding="utf-8").splitlines()
    for i in range(300):
        lines.append(
            json.dumps(
                {
                    "id": f"c{i}",
                    "link_id": f"t3_tr{i % 17}",
                    "parent_id": f"t1_c{i - 17}" if i >= 17 else f"t3_tr{i % 17}",
                    "author": f"bruger_{i % 11}",
                    "body": f"Svar nummer {i} om ChatGPT og kodegennemgang på arbejdet, til @bruger_{(i + 1) % 11}.",
                    "created_utc": 1_700_000_000 + i,
                    "score": i % 7,
                    "subreddit": "dkudvikler",
                },
                ensure_ascii=False,
            )
        )
    for t in range(17):
        lines.append(json.dumps({"id": f"tr{t}", "title": f"Tråd {t}: AI på jobbet", "selftext": "Hvad mener I?"}))
    dump = tmp_path / "RC_blandet.ndjson"
    dump.write_text("\n".join(lines), encoding="utf-8")
    spilled = list(read_reddit(dump, spill_after=5))
    assert _shape(spilled) == _shape(list(read_reddit(dump)))
    assert sum(len(t.posts) for t in spilled) >= 300 + 17
    assert list(private_tmp.iterdir()) == []


def test_spill_file_is_deleted_when_the_dump_is_malformed(tmp_path: Path, private_tmp: Path) -> None:
    lines = REDDIT.read_text(encoding="utf-8").splitlines()
    lines[20] = '{"id": "x", "body": '
    dump = tmp_path / "RC_itu.ndjson"
    dump.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DumpError, match=r"RC_itu\.ndjson line 21 is not valid JSON"):
        list(read_reddit(dump, spill_after=3))
    assert list(private_tmp.iterdir()) == []


def test_spill_file_is_deleted_when_reading_stops_early(private_tmp: Path) -> None:
    threads = read_stackexchange(SE, spill_after=10)
    next(threads)
    assert len(list(private_tmp.iterdir())) >= 1
    threads.close()
    assert list(private_tmp.iterdir()) == []


def _texts(project: Any, ids: list[int]) -> list[str]:
    with read(project.engine) as conn:
        return [r.text for r in conn.execute(sources.select().where(sources.c.id.in_(ids)).order_by(sources.c.id))]


def test_import_spilled_gives_the_same_corpus_and_sample(tmp_path: Path, private_tmp: Path) -> None:
    with keyed_project(tmp_path) as project:
        whole = project.import_corpus(SE, "SWU", "Hele", keywords=["chat"])
        whole_spilled = project.import_corpus(SE, "SWU", "Hele, spildt", keywords=["chat"], spill_after=11)
        assert whole.corpus.counts == whole_spilled.corpus.counts and whole.corpus.counts["keyword"] > 5
        assert _texts(project, whole.source_ids) == _texts(project, whole_spilled.source_ids)
        drawn = project.import_corpus(SE, "SWU", "Stikprøve", sample_size=12, seed=2024, stratify="year")
        again = project.import_corpus(SE, "SWU", "Stikprøve, spildt", sample_size=12, seed=2024, stratify="year")
        spilled = project.import_corpus(
            SE, "SWU", "Stikprøve, spildt", sample_size=12, seed=2024, stratify="year", spill_after=9
        )
        assert len(drawn.source_ids) == 12
        assert _texts(project, drawn.source_ids) == _texts(project, again.source_ids)
        assert _texts(project, drawn.source_ids) == _texts(project, spilled.source_ids)
        other = project.import_corpus(SE, "SWU", "Andet frø", sample_size=12, seed=2025, stratify="year")
        assert _texts(project, other.source_ids) != _texts(project, drawn.source_ids)
    assert list(private_tmp.iterdir()) == []


def test_many_threads_are_stored_in_batches_in_one_transaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import aia.services.netnography as service

    monkeypatch.setattr(service, "WRITE_BATCH", 10)
    with keyed_project(tmp_path) as project:
        batched = project.import_corpus(SE, "SWU", "I små portioner", spill_after=50)
        assert batched.corpus.threads == len(batched.source_ids) == 453
        assert batched.source_ids == list(range(batched.source_ids[0], batched.source_ids[0] + 453))
        assert sum(len(project.segments(i)) for i in batched.source_ids) == batched.corpus.posts


def test_malformed_midway_keeps_nothing_and_names_the_line(tmp_path: Path, private_tmp: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    data = (SE / "Posts.xml").read_text(encoding="utf-8-sig").splitlines()
    middle = len(data) // 2
    data[middle] = data[middle].replace("<row ", "<row <", 1)
    (site / "Posts.xml").write_text("\n".join(data), encoding="utf-8")
    with keyed_project(tmp_path) as project:
        with pytest.raises(DumpError, match=rf"Posts\.xml is not well-formed XML at line {middle + 1};"):
            project.import_corpus(site, "SWU", "Halvt", spill_after=20)
        assert project.corpora() == []
        with read(project.engine) as conn:
            assert conn.execute(sources.select()).first() is None
    assert list(private_tmp.iterdir()) == []


def test_progress_reports_rows_threads_and_matches(tmp_path: Path) -> None:
    seen: list[tuple[int, int, int]] = []
    with keyed_project(tmp_path) as project:
        result = project.import_corpus(
            SE, "SWU", "Med fremdrift", keywords=["chat"], progress=lambda *a: seen.append(a)
        )
    rows = [r for r, _, _ in seen]
    assert rows == sorted(rows) and rows[-1] >= 1000
    threads = [t for _, t, _ in seen]
    assert threads == sorted(threads) and 400 <= max(threads) <= 453
    assert seen[-1][2] == result.corpus.counts["keyword"] == result.corpus.threads
