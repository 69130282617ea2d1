"""Withdrawal / erasure: the canary test (reliability.md acceptance tests 8 and 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dp_helpers import CANARIES, EMAIL, NAME, canary_project, hits
from hypothesis import given, settings
from hypothesis import strategies as st

import aia
from aia.errors import NotFoundError
from aia.store.dataprotection import MARK, blank_text


def test_canary_participant_is_gone_everywhere_after_withdrawal(tmp_path: Path) -> None:
    root = tmp_path / "projekt"
    project = canary_project(root)
    assert hits(root), "the canaries must be planted before the erasure"
    group_id = next(s.id for s, _, _ in project.sources() if s.original_filename == "gruppe.txt")
    kept = [c for c in project.codings() if c.source_id == group_id and c.comment is None]
    assert len(kept) == 1
    group_text = project.source(group_id).text
    kept_text = group_text[kept[0].start : kept[0].end]
    before = tmp_path / "før.qdpx"
    project.export_qdpx(before)

    report = project.withdraw_participant("SWU-P01")
    project.close()

    assert report.state == "done" and report.keystore == "done"
    assert [e["path"] for e in report.earlier_exports] == [str(before.resolve())]
    assert report.counts["sources"] == 1 and report.counts["sources_blanked"] == 2
    assert report.counts["memos"] == 2  # the memo on the participant and the one naming the e-mail
    assert hits(root) == []
    assert not (root / "aia.sqlite-wal").exists() or (root / "aia.sqlite-wal").stat().st_size == 0

    with aia.open_project(root, user="Forsker A") as again:
        after = tmp_path / "efter.qdpx"
        again.export_qdpx(after)
        assert hits(root, [after]) == []
        # the other participant's coding still covers the same words: offsets stay valid
        survivor = [c for c in again.codings() if c.source_id == group_id]
        assert len(survivor) == 1
        text = again.source(group_id).text
        assert len(text) == len(group_text)
        assert text[survivor[0].start : survivor[0].end] == kept_text
        assert "Vi andre er mere forsigtige" in text
        assert [m.title for m in again.memos()] == ["Teamet"]
        # search finds nothing of the participant any more, the others' words still
        assert again.search("Kjærgaard").total == 0
        assert again.search("forsigtige").total == 1
        with pytest.raises(NotFoundError):
            again.participant("SWU-P01")
        # the audit log keeps one content-free event and still verifies
        erasures = again.audit_events(action="participant.erase")
        assert len(erasures) == 1 and erasures[0].target == "participant:SWU-P01"
        assert again.verify_audit() == []
        # the key store entry is gone
        assert again.unlock_keys("hemmelig nøgle til æbleskiver").person("SWU-P01") is None
        # an import naming the withdrawn participant is refused
        with pytest.raises(NotFoundError):
            again.import_bytes(b"SWU-P01: hej igen", "ny.txt", "SWU", 2, participants=["SWU-P01"])


def test_locked_key_store_leaves_the_entry_pending_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "projekt"
    canary_project(root).close()
    monkeypatch.delenv("AIA_KEYSTORE_PASSPHRASE", raising=False)
    with aia.open_project(root, user="Forsker A") as project:
        report = project.withdraw_participant("SWU-P01")
        assert report.keystore == "pending"
        assert any("locked" in note for note in report.notes)
        assert any("pseudonym only" in note for note in report.notes)
    with aia.open_project(root, user="Forsker A") as project:
        keys = project.unlock_keys("hemmelig nøgle til æbleskiver")
        assert keys.person("SWU-P01") is None
        assert [j.keystore for j in project.erasure_jobs()] == ["done"]


def test_blank_text_keeps_length_and_newlines() -> None:
    text = f"Hej {NAME}\nskriv til {EMAIL}."
    spans = [[4, 4 + len(NAME)], [text.index(EMAIL), text.index(EMAIL) + len(EMAIL)]]
    out = blank_text(text, spans)
    assert len(out) == len(text) and out.count("\n") == 1
    assert out.startswith("Hej " + MARK)
    assert not any(c in out for c in CANARIES)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abæøå \nXY", max_size=60), st.lists(st.tuples(st.integers(0, 70), st.integers(0, 70))))
def test_blanking_never_moves_offsets_outside_the_spans(text: str, raw: list[tuple[int, int]]) -> None:
    spans = [[min(a, b), max(a, b)] for a, b in raw]
    out = blank_text(text, spans)
    assert len(out) == len(text)
    for i, (before, after) in enumerate(zip(text, out, strict=True)):
        inside = any(s <= i < e for s, e in spans)
        if not inside or before == "\n":
            assert after == before
        else:
            assert after in MARK + " "


def test_identifiers_match_whole_words_with_genitive() -> None:
    from aia.store.dataprotection import _pattern, _spans

    pattern = _pattern(["Bo", "Mette Kjærgaard"])
    text = "Bos kaffe, Bo's kop, Bolig og Mette Kjærgaards bil; Bo."
    found = [text[s:e] for s, e in _spans(pattern, text)]
    assert found == ["Bos", "Bo's", "Mette Kjærgaards", "Bo"]
