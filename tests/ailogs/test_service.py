"""Importing AI logs into a project: one source per conversation, one transaction, skips, pseudonymisation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ailog_helpers import CHATGPT_REAL, DATA, branching_conversation, check_turns, dumps

import aia
from aia.errors import ImportFailed
from aia.privacy.identities import PersonIdentity
from aia.privacy.kdf import Argon2idParams
from aia.project import Project
from aia.store import fts5
from aia.store.database import read

PASSPHRASE = "korrekt hest batteri hæfteklamme"
FAST_KDF = Argon2idParams(iterations=1, lanes=1, memory_kib=8 * 1024)


@pytest.fixture
def wp1(project: Project) -> Project:
    project.add_track("Softwareudviklere", prefix="SWU")
    return project


def test_real_export_into_a_project(wp1: Project) -> None:
    [result] = wp1.import_ai_logs([CHATGPT_REAL], track="SWU", wp=1)
    assert result.status == "imported" and result.segments == 42 and result.importer == "chatgpt"
    source = wp1.source(result.source_id or 0)
    assert source.title == "Average Distance in U(0,1)" and source.metadata["hidden_messages"] == 2
    segments = wp1.segments(source.id)
    assert [s.speaker for s in segments][:3] == ["user", "assistant", "assistant"]
    block = segments[2].meta["code_blocks"][0]
    assert source.text[block["start"] : block["end"]].startswith("from sympy import symbols")
    assert segments[2].parent_ordinal == 1
    assert wp1.original(source.id) == CHATGPT_REAL.read_bytes()
    with read(wp1.engine) as conn:
        fts5.check(conn)
    # again: skipped; with force: a second source
    [again] = wp1.import_ai_logs([CHATGPT_REAL], track="SWU", wp=1)
    assert again.status == "skipped" and again.source_id == source.id and "--force" in again.message
    [forced] = wp1.import_ai_logs([CHATGPT_REAL], track="SWU", wp=1, force=True)
    assert forced.status == "imported" and forced.source_id != source.id


def test_several_conversations_and_a_bad_file(wp1: Project, tmp_path: Path) -> None:
    export = tmp_path / "conversations.json"
    second = branching_conversation() | {"title": "Anden samtale", "id": "c-2", "conversation_id": "c-2"}
    export.write_bytes(dumps([branching_conversation(), second]))
    bad = tmp_path / "ødelagt.ailog.jsonl"
    bad.write_text('{"session": "A", "role": "user", "text": "Hej"}\n{"session": "A"}\n', encoding="utf-8")
    results = wp1.import_ai_logs(
        [export, bad, DATA / "claude_conversations.json", DATA / "probe_log.ailog.jsonl"], track="SWU", wp=1
    )
    assert [r.status for r in results] == ["imported"] * 2 + ["failed"] + ["imported"] * 4
    assert "ødelagt.ailog.jsonl, line 2" in results[2].message
    titles = [s.title for s, _, _ in wp1.sources()]
    assert titles == [
        "Rødgrød med fløde",
        "Anden samtale",
        "Kodegennemgang af betalingsmodul",
        "Jailbreak-forsøg: bedstemor-tricket",
        "Jailbreak-udfordring, gruppe 1",
        "Session S2",
    ]
    # a file whose conversations are partly stored: only the new ones are imported
    export.write_bytes(
        dumps([branching_conversation(), second, second | {"id": "c-3", "conversation_id": "c-3", "title": "Tredje"}])
    )
    results = wp1.import_ai_logs([export], track="SWU", wp=1)
    assert [r.status for r in results] == ["skipped", "skipped", "imported"]  # a new export: only the new one
    results = wp1.import_ai_logs([export], track="SWU", wp=1)
    assert [r.status for r in results] == ["skipped"] * 3
    # a conversation that went on after the last export is imported again, with a warning naming the earlier one
    longer = branching_conversation()
    longer["mapping"]["a2b"]["message"]["content"]["parts"] = ["Opskrift: bær, sukker og fløde."]
    export.write_bytes(dumps([longer]))
    [result] = wp1.import_ai_logs([export], track="SWU", wp=1)
    assert result.status == "imported"
    assert result.warnings == ["an earlier version of this conversation is stored as source 1"]
    # in another WP nothing counts as imported
    assert [r.status for r in wp1.import_ai_logs([export], track="SWU", wp=4)] == ["imported"]


def test_bytes_api_raises_for_a_bad_file(wp1: Project) -> None:
    with pytest.raises(ImportFailed, match=r"cannot import x\.json: .*has no 'mapping'"):
        wp1.import_ai_log_bytes(b'[{"title": "Tom", "mapping": null}]', "x.json", track="SWU", wp=1)
    assert wp1.sources() == []
    results = wp1.import_ai_log_bytes((DATA / "devgpt_sharings.json").read_bytes(), "devgpt.json", track="SWU", wp=4)
    assert [r.status for r in results] == ["imported", "imported"]
    assert wp1.sources()[0][0].metadata["context"]["RepoName"] == "eksempel/faktura"


def test_a_store_error_stores_nothing(wp1: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from aia.store import sources as sources_db

    def boom(conn: object, items: object) -> list[int]:
        raise RuntimeError("disk fuld")

    monkeypatch.setattr(sources_db, "insert_sources", boom)
    with pytest.raises(RuntimeError):
        wp1.import_ai_logs([DATA / "claude_conversations.json"], track="SWU", wp=1)
    monkeypatch.undo()
    assert wp1.sources() == []
    assert not any(wp1.files_dir.rglob("*")) or all(p.is_dir() for p in wp1.files_dir.rglob("*"))


@pytest.fixture
def keyed(tmp_path: Path) -> Iterator[Project]:
    with aia.init_project(tmp_path / "nøgle", user="Forsker A", keystore_passphrase=PASSPHRASE, kdf=FAST_KDF) as p:
        p.add_track("Softwareudviklere", prefix="SWU")
        p.add_participant("SWU", role="AI-champion")
        keys = p.keys()
        keys.set_person(
            "SWU-P01",
            PersonIdentity(
                full_names=("Mette Kjærgaard",), first_name="Mette", surname="Kjærgaard", emails=("mette@kodehuset.dk",)
            ),
        )
        p.save_keys()
        yield p


def test_pseudonymised_conversation_keeps_code_blocks_in_place(keyed: Project) -> None:
    line = (
        '{"session": "P1", "turn": 1, "role": "user", "text": "Hej, jeg hedder Mette Kjærgaard '
        "(mette@kodehuset.dk). Se koden:\\n```python\\nprint('Mette Kjærgaard')\\n```\\nHvad gør den?\"}\n"
        '{"session": "P1", "turn": 2, "role": "assistant", '
        '"text": "Den skriver et navn ud.\\n```\\nMette Kjærgaard\\n```"}\n'
    )
    [result] = keyed.import_ai_log_bytes(line.encode("utf-8"), "mette.ailog.jsonl", track="SWU", wp=1)
    assert result.status == "imported" and result.replaced >= 2
    source = keyed.source(result.source_id or 0)
    assert "Kjærgaard" not in source.text and "mette@kodehuset.dk" not in source.text
    first, second = keyed.segments(source.id)
    [block] = first.meta["code_blocks"]
    assert source.text[block["start"] : block["end"]] == "print('[SWU-P01]')"
    assert source.text[first.start : first.end].startswith("user: Hej, jeg hedder [SWU-P01]")
    [out] = second.meta["code_blocks"]
    assert source.text[out["start"] : out["end"]] == "[SWU-P01]"
    assert source.text[second.start : second.end].endswith("```")


def test_generic_import_points_to_ailog_import(wp1: Project) -> None:
    [result] = wp1.import_files([CHATGPT_REAL], track="SWU", wp=1)
    assert result.status == "failed"
    assert "AI-interaction log with 1 conversation(s); import it with 'aia ailog import'" in result.message
    assert wp1.sources() == []


def test_pseudonymisation_moves_every_marked_span(keyed: Project) -> None:
    """Property: whatever mix of text, code, output and thinking, with the known name anywhere, the pseudonymised
    turns still slice the text and every marked span holds its piece with the name replaced."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from aia.ingest.conversations import Piece, Turn, build_source
    from aia.services.ailogs import pseudonymise_conversation

    ctx = keyed.pseudonym_context(True)
    assert ctx is not None
    bits = st.sampled_from(["Mette Kjærgaard", "mette@kodehuset.dk", "kode", "æøå 🍓", "\n", " ", "x = 1"])
    chunk = st.lists(bits, min_size=1, max_size=6).map(" ".join)
    piece = st.builds(Piece, chunk, st.sampled_from(["text", "code", "output", "thinking"]))
    turns = st.lists(st.builds(Turn, st.sampled_from(["user", "assistant"]), st.lists(piece, max_size=3)), max_size=5)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(turns)
    def check(items: list[Turn]) -> None:
        source = build_source(items, "ailog", "Prøve", None, {})
        moved, _ = pseudonymise_conversation(source, ctx)
        check_turns(moved)
        for before, after in zip(source.segments, moved.segments, strict=True):
            for key in ("code_blocks", "thinking"):
                for old, new in zip(before.meta.get(key, []), after.meta.get(key, []), strict=True):
                    original = source.text[old["start"] : old["end"]]
                    now = moved.text[new["start"] : new["end"]]
                    expected = original.replace("Mette Kjærgaard", "[SWU-P01]").replace(
                        "mette@kodehuset.dk", "[SWU-P01]"
                    )
                    assert now == expected

    check()


def test_other_files_are_refused(wp1: Project, interview_file: Path) -> None:
    [result] = wp1.import_ai_logs([interview_file], track="SWU", wp=1)
    assert result.status == "failed"
    assert result.message == (
        "cannot import interview_mette.txt: the file is not an AI-interaction log (it reads as Plain text (.txt)); "
        "import it with 'aia import'."
    )


def test_bytes_api_keeps_the_line(wp1: Project) -> None:
    data = b'{"session": "A", "role": "user", "text": "Hej"}\n{"session": "A", "role": "user"}\n'
    with pytest.raises(ImportFailed) as info:
        wp1.import_ai_log_bytes(data, "log.ailog.jsonl", track="SWU", wp=1)
    assert info.value.line == 2
    assert str(info.value) == (
        "cannot import log.ailog.jsonl, line 2: the record has no 'text'; every turn needs session, role and text."
    )
