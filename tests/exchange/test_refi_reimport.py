"""REFI-QDA re-import into the same project: matched objects are updated to what the file says and every change is
reported; codings the file lacks are kept unless remove_missing; an unchanged export changes nothing."""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from refi_helpers import Q, rich_project, span

from aia.cli.app import cli
from aia.exchange.refi.changes import code_changes
from aia.exchange.refi.parsed import PCode
from aia.exchange.refi.plan import Existing, Plan
from aia.project import Project


@pytest.fixture
def rich(tmp_path: Path) -> Iterator[Project]:
    p = rich_project(tmp_path / "p")
    yield p
    p.close()


def edited(qdpx: Path, out: Path, change: Callable[[etree._Element, dict[str, bytes]], None]) -> Path:
    """A copy of ``qdpx`` whose project.qde (and members) ``change`` edited, as another tool would have."""
    with zipfile.ZipFile(qdpx) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    root = etree.fromstring(members["project.qde"])
    change(root, members)
    members["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out


def code_el(root: etree._Element, name: str) -> etree._Element:
    return next(el for el in root.iter(f"{Q}Code") if el.get("name") == name)


def state(p: Project) -> dict[str, object]:
    codes = {c.id: c for c in p.codes()}
    return {
        "codes": {
            c.name: (c.color, c.description, codes[c.parent_id].name if c.parent_id else None) for c in codes.values()
        },
        "titles": sorted(s.title for s, _t, _n in p.sources()),
        "codings": sorted((codes[c.code_id].name, c.start, c.end) for c in p.codings()),
        "memos": {m.title: m.body for m in p.memos()},
    }


def other_tool(root: etree._Element, members: dict[str, bytes]) -> None:
    """What a colleague did in another tool: rename, recolour, re-describe, re-parent, delete a coding (the one
    with a memo), add a coding, change a note, rename a source."""
    code_el(root, "Følelser").set("name", "Følelser og stemning")
    code_el(root, "Værktøjer").set("color", "#112233")
    description = code_el(root, "Værktøjer").find(f"{Q}Description")
    assert description is not None
    description.text = "Alle værktøjer, også søgemaskiner."
    tillid = code_el(root, "Tillid")
    codes = root.find(f"{Q}CodeBook/{Q}Codes")
    assert codes is not None
    codes.append(tillid)  # from Værktøjer/Copilot 🤖 to the top
    source = next(s for s in root.iter(f"{Q}TextSource") if s.get("name") == "interview_swu")
    source.set("name", "Interview med SWU-P01")
    first = next(sel for sel in source.iter(f"{Q}PlainTextSelection") if sel.find(f"{Q}Coding/{Q}NoteRef") is not None)
    source.remove(first)
    new = etree.SubElement(
        source, f"{Q}PlainTextSelection", guid=str(uuid.uuid4()), startPosition="0", endPosition="11"
    )
    coding = etree.SubElement(new, f"{Q}Coding", guid=str(uuid.uuid4()))
    etree.SubElement(coding, f"{Q}CodeRef", targetGUID=tillid.get("guid", ""))
    note = next(n for n in root.iter(f"{Q}Note") if n.get("name") == "Om koden")
    content = note.find(f"{Q}PlainTextContent")
    assert content is not None
    content.text = "Copilot-koden dækker også Cursor og Windsurf."


def test_reimport_applies_exactly_the_other_tools_changes(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    rich.export_qdpx(out)
    before = state(rich)
    text = rich.source(rich.sources()[0][0].id).text
    first = span(text, "Rigtig godt 👍🏽 med Copilot 🤖")
    first_id = next(c.id for c in rich.codings() if (c.start, c.end) == first)
    events = len(rich.code_events())
    summary = rich.import_qdpx(edited(out, tmp_path / "kollega.qdpx", other_tool))
    assert summary.changed == {
        "codes renamed": 1,
        "codes recoloured": 1,
        "code descriptions changed": 1,
        "codes moved": 1,
        "sources renamed": 1,
        "memos changed": 1,
    }
    assert "code 'Følelser' renamed to 'Følelser og stemning'" in summary.changes
    assert "code 'Tillid' moved to the top of the codebook" in summary.changes
    assert "changed: " in summary.describe() and "1 codes renamed" in summary.describe()
    assert summary.codings == 1 and summary.sources == 0 and summary.codes == 0
    assert summary.warnings == [
        "1 codings on matched sources are not in the file; kept — pass --remove-missing to remove them"
    ]
    after = state(rich)
    expected_codes = dict(before["codes"])  # type: ignore[call-overload]
    expected_codes["Følelser og stemning"] = expected_codes.pop("Følelser")
    expected_codes["Værktøjer"] = ("#112233", "Alle værktøjer, også søgemaskiner.", None)
    color, description, _parent = expected_codes["Tillid"]
    expected_codes["Tillid"] = (color, description, None)
    assert after["codes"] == expected_codes
    assert after["titles"] == ["Interview med SWU-P01", "felt"]
    old_codings = [(("Følelser og stemning" if n == "Følelser" else n), a, b) for n, a, b in before["codings"]]  # type: ignore[attr-defined]
    assert after["codings"] == sorted([*old_codings, ("Tillid", 0, 11)])  # the deleted coding is kept
    memos = dict(before["memos"])  # type: ignore[call-overload]
    memos["Om koden"] = "Copilot-koden dækker også Cursor og Windsurf."
    assert after["memos"] == memos
    history = rich.code_events()[events:]
    assert sorted(e["action"] for e in history) == ["move", "rename", "update"]
    assert all(e["details"]["imported_from"] == "REFI-QDA" for e in history)

    # again, with remove_missing: the coding the colleague deleted goes, its memo moves to the source
    again = rich.import_qdpx(tmp_path / "kollega.qdpx", remove_missing=True)
    assert again.changed == {"codings removed": 1}
    assert again.warnings == [] and again.codings == 0
    assert (
        "coding "
        f"{first[0]}–{first[1]} with 'Copilot 🤖' on 'Interview med SWU-P01' removed (not in the file)" in again.changes
    )
    assert ("Copilot 🤖", *first) not in state(rich)["codings"]  # type: ignore[operator]
    memo = next(m for m in rich.memos() if m.title == "Om kodningen")
    assert (memo.target_type, memo.target_id) == ("source", rich.sources()[0][0].id)
    audit = [e for e in rich.audit_events() if e.action == "import.qdpx.update"]
    assert len(audit) == 2 and audit[-1].details == {
        "changed": {"codings removed": 1},
        "removed_coding_ids": [first_id],
        "memos_moved_to_source": 1,
    }
    # and a third time: nothing left to change
    third = rich.import_qdpx(tmp_path / "kollega.qdpx", remove_missing=True)
    assert third.changed == {} and third.changes == [] and third.warnings == []


def test_unchanged_reimport_reports_nothing(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    rich.export_qdpx(out)
    before, events = state(rich), len(rich.code_events())
    summary = rich.import_qdpx(out, remove_missing=True)
    assert (summary.changed, summary.changes, summary.warnings) == ({}, [], [])
    assert state(rich) == before and len(rich.code_events()) == events
    qdc = tmp_path / "bog.qdc"
    rich.export_qdc(qdc)
    book = rich.import_qdc(qdc)
    assert (book.changed, book.changes, book.warnings) == ({}, [], [])


def test_work_done_in_aia_after_the_export_is_kept(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    rich.export_qdpx(out)
    sid = rich.sources()[0][0].id
    added = rich.add_coding(sid, 0, 11, "Følelser")
    memo = next(m for m in rich.memos() if m.title == "Om koden")
    rich.update_memo(memo.id, memo.title, "Ændret i aia efter eksporten.")

    def note_changed(root: etree._Element, _members: dict[str, bytes]) -> None:
        note = next(n for n in root.iter(f"{Q}Note") if n.get("name") == "Om koden")
        content = note.find(f"{Q}PlainTextContent")
        assert content is not None
        content.text = "Ændret i det andet værktøj."
        note.set("modifiedDateTime", "2026-01-02T09:00:00+00:00")  # the file's version predates the edit in aia

    summary = rich.import_qdpx(edited(out, tmp_path / "b.qdpx", note_changed))
    assert added.guid in {c.guid for c in rich.codings()}
    assert next(m for m in rich.memos() if m.title == "Om koden").body == "Ændret i aia efter eksporten."
    assert summary.changed == {}
    assert any("1 memos were edited in aia after the file's version" in w for w in summary.warnings)
    assert any("1 codings on matched sources are not in the file; kept" in w for w in summary.warnings)


def test_a_matched_source_with_another_text_is_not_updated(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    rich.export_qdpx(out)
    before = state(rich)

    def rewritten(root: etree._Element, members: dict[str, bytes]) -> None:
        source = next(s for s in root.iter(f"{Q}TextSource") if s.get("name") == "interview_swu")
        source.set("name", "Omdøbt")
        member = "sources/" + source.get("plainTextPath", "").removeprefix("internal://")
        members[member] = members[member].replace(b"Rigtig godt", b"Ret godt")
        for sel in list(source.iter(f"{Q}PlainTextSelection"))[:1]:
            source.remove(sel)

    summary = rich.import_qdpx(edited(out, tmp_path / "c.qdpx", rewritten), remove_missing=True)
    assert state(rich) == before
    assert summary.changed == {}
    assert any(
        "1 sources are in the project already with a different text (interview_swu)" in w for w in summary.warnings
    )


def test_crlf_and_bom_alone_do_not_count_as_another_text(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    rich.export_qdpx(out)

    def windows(root: etree._Element, members: dict[str, bytes]) -> None:
        source = next(s for s in root.iter(f"{Q}TextSource") if s.get("name") == "felt")
        source.set("name", "Feltnote fra kaffen")
        member = "sources/" + source.get("plainTextPath", "").removeprefix("internal://")
        members[member] = b"\xef\xbb\xbf" + members[member].replace(b"\n", b"\r\n")

    summary = rich.import_qdpx(edited(out, tmp_path / "d.qdpx", windows))
    assert summary.changed == {"sources renamed": 1}
    assert "Feltnote fra kaffen" in state(rich)["titles"]  # type: ignore[operator]


def test_cli_reports_changes_and_removes_missing_on_request(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    rich.export_qdpx(out)
    path = edited(out, tmp_path / "kollega.qdpx", other_tool)
    project = str(rich.path)
    runner = CliRunner()
    result = runner.invoke(cli, ["--project", project, "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "changed: code 'Følelser' renamed to 'Følelser og stemning'" in result.output
    assert "pass --remove-missing to remove them" in result.output
    result = runner.invoke(cli, ["--project", project, "import", str(path), "--remove-missing"])
    assert result.exit_code == 0, result.output
    assert "changed: 1 codings removed" in result.output


# -- the codebook's tree stays a tree ------------------------------------------------------------------------------


def _existing(parents: dict[str, str | None], names: dict[str, str]) -> Existing:
    ids = {g: i + 1 for i, g in enumerate(parents)}
    return Existing(
        tracks={},
        codes={g: (ids[g], ids[p] if p else None, names[g]) for g, p in parents.items()},
        sources={},
        codings=set(),
        memos=set(),
        participants={},
        pseudonyms=set(),
        organisations={},
        organisation_names={},
        organisation_codes=set(),
        code_details={g: ("", "#4e79a7") for g in parents},
    )


def test_a_move_under_its_own_subcode_is_refused() -> None:
    # the file's new code "X" was merged by name into the project's X, which sits under A: A cannot go under it
    existing = _existing({"a": None, "x": "a"}, {"a": "A", "x": "X"})
    plan = Plan()
    code_changes([PCode("a", "A", "x2", True, None, "")], {"a": "a", "x2": "x"}, existing, plan)
    assert plan.updates.codes == []
    assert plan.warnings == [
        "1 codes were not renamed or moved as the file says: 'A' (it would be under its own subcode 'X'); they "
        "stay where and as they are"
    ]


def _walk(parents: dict[str, str | None], g: str) -> list[str]:
    chain: list[str] = []
    p = parents[g]
    while p is not None:
        assert p not in chain and p != g, "cycle"
        chain.append(p)
        p = parents[p]
    return chain


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    old=st.lists(st.integers(min_value=-1, max_value=20), min_size=1, max_size=12),
    new=st.lists(st.integers(min_value=-1, max_value=20), min_size=12, max_size=12),
    names=st.lists(st.sampled_from(["Tillid", "tillid", "Tvivl", "Æstetik", "Øvrigt", "Åbenhed"]), min_size=12),
)
def test_random_renames_and_moves_keep_a_valid_tree_equal_to_the_file(
    old: list[int], new: list[int], names: list[str]
) -> None:
    """A generated codebook; the file (a valid tree over the same codes) renames and re-parents at will. The result
    is a tree without cycles and without two siblings of one name, and equals the file wherever nothing was refused."""
    guids = [f"c{i}" for i in range(len(old))]
    parents = {g: (guids[p] if 0 <= p < i else None) for i, (g, p) in enumerate(zip(guids, old, strict=False))}
    stored_names = {g: f"Kode {i}" for i, g in enumerate(guids)}
    file_parent = {g: (guids[p] if 0 <= p < i else None) for i, (g, p) in enumerate(zip(guids, new, strict=False))}
    file_codes = [PCode(g, names[i], file_parent[g], True, None, "") for i, g in enumerate(guids)]
    plan = Plan()
    code_changes(file_codes, {g: g for g in guids}, _existing(parents, stored_names), plan)
    final_parent, final_name = dict(parents), dict(stored_names)
    for change in plan.updates.codes:
        if "parent" in change.fields:
            final_parent[change.guid] = change.fields["parent"][1]
        if "name" in change.fields:
            final_name[change.guid] = change.fields["name"][1]
    for g in guids:
        _walk(final_parent, g)
    siblings = [(final_parent[g], final_name[g].lower()) for g in guids]
    assert len(siblings) == len(set(siblings))
    if not plan.warnings:
        assert final_parent == file_parent
        assert final_name == {c.guid: c.name for c in file_codes}
