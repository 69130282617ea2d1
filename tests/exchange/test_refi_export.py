"""REFI-QDA export: schema validity, code-point offsets, stable GUIDs, zip hygiene, atomic writes, the CLI."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree
from refi_helpers import (
    NS,
    SHARED,
    Q,
    check_selections,
    codebook_schema,
    guids_by_tag,
    read_qde,
    rich_project,
)

import aia
import aia.cli
from aia.cli.app import cli
from aia.demo import build_demo
from aia.errors import ValidationError
from aia.exchange.refi import export as export_module
from aia.exchange.refi import export_qdc, export_qdpx
from aia.project import Project
from aia.services.exchange import ExchangeService


@pytest.fixture
def rich(tmp_path: Path) -> Iterator[Project]:
    p = rich_project(tmp_path / "p")
    yield p
    p.close()


def test_demo_project_validates_and_slices(tmp_path: Path) -> None:
    project, summary = build_demo(tmp_path / "demo")
    with project:
        out = tmp_path / "demo.qdpx"
        result = export_qdpx(project, out)
        assert (result.sources, result.codings, result.memos) == (summary.sources, summary.codings, summary.memos)
        assert check_selections(out, project) == summary.codings
        doc = read_qde(out)
        assert doc.tag == f"{Q}Project" and doc.get("origin") == f"aia {aia.__version__}"
        sets = [s.get("name") for s in doc.iter(f"{Q}Set")]
        assert len(sets) == summary.tracks * 6
        assert "Softwareudviklere / WP2 Interviews med AI-champions" in sets


def test_rich_project_validates_and_slices(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    export_qdpx(rich, out)
    assert check_selections(out, rich) == 5
    doc = read_qde(out)
    # nested codes, with the colour lower-cased
    copilot = doc.find(f".//{Q}Code[@name='Værktøjer']/{Q}Code[@name='Copilot 🤖']")
    assert copilot is not None and copilot.get("color") == "#abcdef"
    assert copilot.find(f"{Q}Code[@name='Tillid']") is not None
    # users: one per name, GUIDs from the name
    users = {u.get("name"): u.get("guid") for u in doc.iter(f"{Q}User")}
    assert set(users) == {"Forsker A", "Forsker B"}
    coder_guids = {c.get("creatingUser") for c in doc.iter(f"{Q}Coding")}
    assert coder_guids == set(users.values())


def test_memos_become_notes_referenced_where_the_schema_allows(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    export_qdpx(rich, out)
    doc = read_qde(out)
    notes = {n.get("name"): n for n in doc.iter(f"{Q}Note")}
    assert len(notes) == 7
    guid = {name: n.get("guid") for name, n in notes.items()}
    body = notes["Projektmemo"].find(f"{Q}PlainTextContent")
    assert body is not None and body.text == "# Overblik\n\nMarkdown med **fed** og emoji 🎉."
    source_body = notes["Om kilden"].find(f"{Q}PlainTextContent")
    assert source_body is not None and source_body.text == "Lang og god. Side to."  # \x0c cannot be in XML

    def refs(path: str) -> set[str | None]:
        return {r.get("targetGUID") for r in doc.findall(path)}

    assert refs(f"{Q}NoteRef") == {guid["Projektmemo"]}
    assert refs(f".//{Q}Code[@name='Copilot 🤖']/{Q}NoteRef") == {guid["Om koden"]}
    assert refs(f".//{Q}TextSource/{Q}NoteRef") == {guid["Om kilden"]}
    assert refs(f".//{Q}Coding/{Q}NoteRef") == {guid["Om kodningen"]}
    assert refs(f".//{Q}Set[@name='Softwareudviklere']/{Q}MemberNote") == {guid["Om forløbet"]}
    wp2 = f".//{Q}Set[@name='Softwareudviklere / WP2 Interviews med AI-champions']/{Q}MemberNote"
    assert refs(wp2) == {guid["Om aktiviteten"]}
    all_refs = {r.get("targetGUID") for r in doc.iter(f"{Q}NoteRef", f"{Q}MemberNote")}
    assert guid["Om deltageren"] not in all_refs  # a Case cannot carry a NoteRef


def test_cases_and_variables(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    export_qdpx(rich, out)
    doc = read_qde(out)
    variables = {v.get("guid"): (v.get("name"), v.get("typeOfVariable")) for v in doc.iter(f"{Q}Variable")}
    types = dict(variables.values())
    assert types["alder"] == "Text"  # 34 and "ukendt"
    assert types["erfaring"] == "Float"  # 7.5 and 3
    assert types["startdato"] == "Date"
    assert types["remote"] == "Boolean"
    assert types["grundlagt"] == "Integer"
    cases = {c.get("name"): c for c in doc.iter(f"{Q}Case")}
    assert set(cases) == {"SWU-P01", "SWU-P02", "Kodehuset ApS"}
    interview = rich.sources()[0][0]
    for name in ("SWU-P01", "Kodehuset ApS"):
        assert [r.get("targetGUID") for r in cases[name].findall(f"{Q}SourceRef")] == [interview.guid]
    values = {
        variables[v.find(f"{Q}VariableRef").get("targetGUID")][0]: v[1].text  # type: ignore[union-attr]
        for v in cases["SWU-P01"].findall(f"{Q}VariableValue")
    }
    assert values["role"] == "AI-champion"
    assert values["organisation"] == "Kodehuset ApS"
    assert values["erfaring"] == "7.5"


def test_codebook_file_validates(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "kodebog.qdc"
    result = export_qdc(rich, out)
    assert result.codes == 4
    doc = etree.parse(str(out))
    schema = codebook_schema()
    assert schema.validate(doc), schema.error_log
    root = doc.getroot()
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    names = [c.get("name", "") for c in root.iter("{urn:QDA-XML:codebook:1.0}Code")]
    assert sorted(names) == sorted(c.name for c in rich.codes())


def test_empty_codebook_is_refused(project: Project, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="codebook is empty"):
        export_qdc(project, tmp_path / "tom.qdc")
    assert not (tmp_path / "tom.qdc").exists()


def test_empty_project_validates(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "tom.qdpx"
    export_qdpx(project, out)
    read_qde(out)


def test_guids_are_stable_and_files_reproducible(rich: Project, tmp_path: Path) -> None:
    first, second = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    export_qdpx(rich, first)
    export_qdpx(rich, second)
    assert guids_by_tag(read_qde(first)) == guids_by_tag(read_qde(second))
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        assert a.read("project.qde") == b.read("project.qde")
    assert first.read_bytes() == second.read_bytes()
    guids = guids_by_tag(read_qde(first))
    stored = {c.guid for c in rich.codings()}
    assert guids["Coding"] == stored
    assert not guids["PlainTextSelection"] & stored  # derived, not reused
    all_guids = [g for gs in guids.values() for g in gs]
    assert len(all_guids) == len(set(all_guids))


def test_zip_hygiene(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    export_qdpx(rich, out)
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert zf.testzip() is None
    assert names[0] == "project.qde"
    for name in names:
        assert not name.startswith("/") and "\\" not in name and ".." not in name.split("/")
        assert name == "project.qde" or (name.startswith("sources/") and name.count("/") == 1)
    doc = read_qde(out)
    paths = {s.get("plainTextPath") for s in doc.iter(f"{Q}TextSource")}
    assert {f"internal://{n.removeprefix('sources/')}" for n in names[1:]} == paths
    assert len(names) == 1 + len(rich.sources())


def test_pdf_source_keeps_its_original(tmp_path: Path) -> None:
    pdf = SHARED / "data" / "transcripts" / "pdpilot_interviews" / "P1.pdf"
    with aia.init_project(tmp_path / "p", user="Forsker A") as p:
        p.add_track("Softwareudviklere", prefix="SWU")
        result = p.import_bytes(pdf.read_bytes(), "P1.pdf", track="SWU", wp=2)
        assert result.source_id is not None
        p.add_code("Tillid")
        text = p.source(result.source_id).text
        p.add_coding(result.source_id, 10, min(len(text), 60), "Tillid")
        out = tmp_path / "pdf.qdpx"
        assert export_qdpx(p, out).pdfs == 1
        check_selections(out, p)
        doc = read_qde(out)
        (source,) = doc.iter(f"{Q}PDFSource")
        guid = source.get("guid")
        assert source.get("path") == f"internal://{guid}.pdf"
        rep = source.find(f"{Q}Representation")
        assert rep is not None and rep.get("plainTextPath") == f"internal://{guid}.txt"
        assert len(rep.findall(f"{Q}PlainTextSelection")) == 1
        with zipfile.ZipFile(out) as zf:
            assert zf.read(f"sources/{guid}.pdf") == pdf.read_bytes()


def test_failed_export_leaves_no_file_behind(rich: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "rich.qdpx"
    out.write_bytes(b"the previous export")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(export_module, "write_project", broken)
    with pytest.raises(RuntimeError):
        export_qdpx(rich, out)
    assert out.read_bytes() == b"the previous export"
    assert sorted(os.listdir(tmp_path)) == ["p", "rich.qdpx"]


def test_bad_target_is_a_validation_error(rich: Project, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="does not exist"):
        export_qdpx(rich, tmp_path / "mangler" / "x.qdpx")
    with pytest.raises(ValidationError, match="is a folder"):
        export_qdpx(rich, tmp_path)


def test_project_api(rich: Project, tmp_path: Path) -> None:
    assert isinstance(rich, ExchangeService)
    assert rich.export_qdpx(tmp_path / "s.qdpx").codings == 5
    assert rich.export_qdc(tmp_path / "s.qdc").codes == 4


def test_cli_export(rich: Project, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cli.qdpx"
    result = runner.invoke(cli, ["--project", str(rich.path), "export", "qdpx", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {out}: 2 sources (0 with their PDF), 4 codes, 5 codings, 7 memos"
    read_qde(out)
    result = runner.invoke(cli, ["--project", str(rich.path), "export", "qdc", str(tmp_path / "cli.qdc")])
    assert result.exit_code == 0 and "4 codes" in result.output
    result = runner.invoke(cli, ["--project", str(rich.path), "export", "qdc", str(tmp_path / "no" / "x.qdc")])
    assert result.exit_code == 1
    assert result.output.startswith("error: the folder") and result.output.count("\n") == 1


def test_namespace_is_the_standard_one(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    export_qdpx(rich, out)
    with zipfile.ZipFile(out) as zf:
        head = zf.read("project.qde")[:200].decode()
    assert head.startswith('<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<Project ')
    assert f'xmlns="{NS}"' in head
