"""REFI-QDA import: round trips, merge by GUID, UTF-16 positions, every quirk's warning, hostile files refused."""

from __future__ import annotations

import stat
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from lxml import etree
from refi_fixtures import (
    FCode,
    FSelection,
    FSource,
    codebook_xml,
    position,
    project_xml,
    write_qdpx,
)
from refi_helpers import check_selections, codebook_schema, project_schema, rich_project

import aia
import aia.cli
from aia.cli.app import cli
from aia.errors import ImportFailed, ProjectError
from aia.exchange.refi import archive as read_module
from aia.exchange.refi.importer import import_into_new_project
from aia.project import Project
from aia.store import fts5
from aia.store import sources as sources_module
from aia.store.database import read, write
from aia.store.schema import tracks

# -- helpers -----------------------------------------------------------------------------------------------------------


def snapshot(p: Project) -> dict[str, Any]:
    """Everything an import can change, comparable."""
    with read(p.engine) as conn:
        tables = {
            t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("tracks", "codes", "sources", "segments", "codings", "memos", "participants", "organisations")
        }
    files = sorted(str(f.relative_to(p.path)) for f in (p.path / "files").rglob("*") if f.is_file())
    return {"tables": tables, "files": files}


def shape(p: Project) -> dict[str, Any]:
    """The project as the round trip must keep it: codebook, sources, texts, codings, memos, all by GUID."""
    codes = {c.id: c for c in p.codes()}
    sources = {s.id: s for s, _t, _n in p.sources()}
    return {
        "codes": {
            c.guid: (c.name, c.color.lower(), c.description, codes[c.parent_id].guid if c.parent_id else None)
            for c in codes.values()
        },
        "sources": {s.guid: (s.title, p.source(s.id).text) for s in sources.values()},
        "codings": {
            c.guid: (sources[c.source_id].guid, codes[c.code_id].guid, c.start, c.end, c.comment, c.coder)
            for c in p.codings()
        },
        "memos": {m.guid: (m.title, m.body, m.author) for m in p.memos()},
        "placement": sorted((s.guid, t, n) for s, t, n in p.sources()),
    }


@pytest.fixture
def rich(tmp_path: Path) -> Iterator[Project]:
    p = rich_project(tmp_path / "p")
    yield p
    p.close()


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Project]:
    with aia.init_project(tmp_path / "tom", user="Forsker C") as p:
        yield p


# -- round trip and merge ---------------------------------------------------------------------------------------------


def test_round_trip_into_a_new_project_keeps_everything(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    rich.export_qdpx(out)
    copy, summary = import_into_new_project(out, tmp_path / "kopi", user="Importør")
    with copy:
        assert summary.warnings == [
            "participants new from this file have no consent recorded: SWU-P01; record it with 'aia consent add "
            "SWU-P01 --wp N --sheet-version V --date YYYY-MM-DD' before importing more material naming them"
        ]
        assert (summary.sources, summary.codes, summary.codings, summary.memos) == (2, 4, 5, 7)
        a, b = shape(rich), shape(copy)
        assert a["codes"] == b["codes"]
        assert a["sources"] == b["sources"]
        assert a["codings"] == b["codings"]
        assert a["placement"] == b["placement"]
        # the export removes characters XML cannot hold (a form feed in one memo): the rest is identical
        assert {g: (t, body.replace("\x0c", ""), au) for g, (t, body, au) in a["memos"].items()} == b["memos"]
        memo_targets = {m.title: m.target_type for m in copy.memos()}
        assert memo_targets == {
            "Projektmemo": "project",
            "Om koden": "code",
            "Om kilden": "source",
            "Om kodningen": "coding",
            "Om deltageren": "participant",
            "Om forløbet": "track",
            "Om aktiviteten": "track",  # activities are not exported: their memos come back on the forløb
        }
        assert [(t.name, t.prefix) for t in copy.tracks()] == [("Softwareudviklere", "SWU")]
        people = {x.guid: (x.pseudonym, x.role, x.job_function) for x in copy.participants()}
        assert people == {x.guid: (x.pseudonym, x.role, x.job_function) for x in rich.participants()}
        assert [o.guid for o in copy.organisations()] == [o.guid for o in rich.organisations()]
        assert copy.participant("SWU-P01").organisation_id == copy.organisations()[0].id
        assert copy.source_participants(copy.sources()[0][0].id) == ["SWU-P01"]
        # the search index was filled through the importer's insert, and agrees with the segments
        assert copy.search("Copilot").total >= 1
        with read(copy.engine) as conn:
            fts5.check(conn)
        # export again: the same GUIDs, and every selection still slices the same text
        again = tmp_path / "again.qdpx"
        copy.export_qdpx(again)
        assert check_selections(again, copy) == 5


def test_reimport_merges_by_guid_without_duplicates(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    rich.export_qdpx(out)
    before = snapshot(rich)
    summary = rich.import_qdpx(out)
    assert (summary.sources, summary.codes, summary.codings, summary.memos) == (0, 0, 0, 0)
    assert summary.matched == {
        "codes": 4,
        "sources": 2,
        "codings": 5,
        "memos": 7,
        "participants": 2,
        "organisations": 1,
    }
    assert snapshot(rich) == before


def test_reimport_adds_only_new_codings_and_codes(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    rich.export_qdpx(out)
    copy, _ = import_into_new_project(out, tmp_path / "kopi")
    with copy:
        sid = copy.sources()[0][0].id
        copy.add_code("Ny kode æøå")
        copy.add_coding(sid, 0, 11, "Ny kode æøå")
        second = tmp_path / "second.qdpx"
        copy.export_qdpx(second)
    summary = rich.import_qdpx(second)
    assert (summary.codes, summary.codings, summary.sources) == (1, 1, 0)
    assert rich.retrieve("Ny kode æøå")[0].text == "Interviewer"


def test_qdc_import_adds_codes_and_matches_known_ones(rich: Project, empty: Project, tmp_path: Path) -> None:
    out = tmp_path / "bog.qdc"
    rich.export_qdc(out)
    summary = empty.import_qdc(out)
    assert summary.codes == 4 and summary.warnings == []
    assert {c.guid: c.name for c in empty.codes()} == {c.guid: c.name for c in rich.codes()}
    assert [n.path for n in empty.code_tree()] == [n.path for n in rich.code_tree()]
    again = empty.import_qdc(out)
    assert again.codes == 0 and again.matched == {"codes": 4}
    assert len(empty.codes()) == 4


# -- positions ---------------------------------------------------------------------------------------------------------

NVIVO_TEXT = (
    "Interviewer: Hvordan bruger I AI? 😀🎉\n"
    "Deltager: Vi bruger Copilot 🤖 hver dag, og 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 giver problemer i vores søgning.\n"
    "Interviewer: Stoler I på forslagene? 🙈\n"
    "Deltager: Nej, vi læser altid koden igennem først.\n"
)


def nvivo_file(path: Path, unit: str = "utf16", to_the_end: bool = True) -> tuple[Path, list[str]]:
    """An NVivo-like file; with ``to_the_end`` the last selection reaches past the text in code points."""
    code = FCode("Tillid")
    needles = ["Copilot", "søgning", "forslagene", "læser altid koden"] + (["først"] if to_the_end else [])
    selections = [FSelection(*position(NVIVO_TEXT, n, unit), code.guid) for n in needles]
    write_qdpx(path, [FSource("Interview med udvikler", NVIVO_TEXT, selections)], [code])
    with zipfile.ZipFile(path) as zf:  # a valid file: only the unit of its positions differs from the standard
        assert project_schema().validate(etree.fromstring(zf.read("project.qde")).getroottree())
    return path, needles


@pytest.mark.parametrize("to_the_end", [True, False])
@pytest.mark.parametrize("unit", ["utf16", "codepoints"])
def test_positions_are_detected_and_converted(empty: Project, tmp_path: Path, unit: str, to_the_end: bool) -> None:
    # to_the_end=False: every selection is possible in both units; only where the boundaries fall tells them apart
    path, needles = nvivo_file(tmp_path / "nvivo.qdpx", unit, to_the_end)
    summary = empty.import_qdpx(path)
    assert [c.text for c in empty.retrieve("Tillid")] == needles
    utf16_warning = [w for w in summary.warnings if "UTF-16" in w]
    if unit == "utf16":
        assert summary.positions == "utf16"
        assert len(utf16_warning) == 1 and "converted to code points" in utf16_warning[0]
    else:
        assert summary.positions == "codepoints" and utf16_warning == []


def test_positions_can_be_forced(empty: Project, tmp_path: Path) -> None:
    path, needles = nvivo_file(tmp_path / "nvivo.qdpx", "utf16")
    summary = empty.import_qdpx(path, positions="codepoints")
    texts = [c.text for c in empty.retrieve("Tillid")]
    assert texts != needles  # read the wrong way on purpose: shifted, and that is what the user asked for
    assert summary.positions == "codepoints"
    # the last selection reaches past the text in code points: left out and reported, never moved
    assert len(texts) == len(needles) - 1
    assert any("left out, not moved" in w for w in summary.warnings)


def test_crlf_and_bom_are_converted_with_warnings(empty: Project, tmp_path: Path) -> None:
    lf_text = "Første linje med æøå 😀\nAnden linje: Copilot.\r\nTredje."
    raw = lf_text.replace("\n", "\r\n").replace("\r\r\n", "\r\n")
    code = FCode("Værktøj")
    start, end = position(raw, "Copilot", "codepoints")
    t_start, t_end = position(raw, "Tredje", "codepoints")
    source = FSource(
        "Windows-fil",
        raw,
        [FSelection(start, end, code.guid), FSelection(t_start, t_end, code.guid)],
        data=b"\xef\xbb\xbf" + raw.encode("utf-8"),
    )
    summary = empty.import_qdpx(write_qdpx(tmp_path / "crlf.qdpx", [source], [code]))
    stored = empty.source(empty.sources()[0][0].id).text
    assert "\r" not in stored and stored == raw.replace("\r\n", "\n")
    assert [c.text for c in empty.retrieve("Værktøj")] == ["Copilot", "Tredje"]
    assert any("CRLF" in w for w in summary.warnings)
    assert any("byte order mark" in w for w in summary.warnings)


# -- quirks ------------------------------------------------------------------------------------------------------------


def simple(unit: str = "codepoints") -> tuple[list[FSource], list[FCode]]:
    text = "Vi taler om kunstig intelligens i hverdagen på kontoret."
    code = FCode("AI")
    return [FSource("Feltnote", text, [FSelection(*position(text, "kunstig intelligens", unit), code.guid)])], [code]


def test_capitalised_sources_folder(empty: Project, tmp_path: Path) -> None:
    sources, codes = simple()
    summary = empty.import_qdpx(write_qdpx(tmp_path / "a.qdpx", sources, codes, folder="Sources"))
    assert [c.text for c in empty.retrieve("AI")] == ["kunstig intelligens"]
    assert any("capitalised 'Sources/'" in w for w in summary.warnings)


def test_plain_text_path_without_internal_scheme(empty: Project, tmp_path: Path) -> None:
    sources, codes = simple()
    path = write_qdpx(tmp_path / "a.qdpx", sources, codes, path_style="sources/{guid}.txt")
    summary = empty.import_qdpx(path)
    assert [c.text for c in empty.retrieve("AI")] == ["kunstig intelligens"]
    assert any("lack 'internal://'" in w for w in summary.warnings)


def test_maxqda_style_selections_without_codings(empty: Project, tmp_path: Path) -> None:
    sources, codes = simple()
    sources[0].selections.append(FSelection(0, 2, None))
    summary = empty.import_qdpx(write_qdpx(tmp_path / "a.qdpx", sources, codes))
    assert len(empty.codings()) == 1
    assert any("1 selections carry no coding" in w for w in summary.warnings)


def test_empty_sets_element(empty: Project, tmp_path: Path) -> None:
    sources, codes = simple()
    data = project_xml(sources, codes, empty_sets=True)
    assert not project_schema().validate(etree.fromstring(data).getroottree())  # the schema forbids it
    summary = empty.import_qdpx(write_qdpx(tmp_path / "a.qdpx", sources, codes, empty_sets=True))
    assert any("empty <Sets/>" in w for w in summary.warnings)
    assert len(empty.codings()) == 1


def test_project_file_not_named_project_qde(empty: Project, tmp_path: Path) -> None:
    sources, codes = simple()
    summary = empty.import_qdpx(write_qdpx(tmp_path / "a.qdpx", sources, codes, member="Feltarbejde.qde"))
    assert any("'Feltarbejde.qde' instead of 'project.qde'" in w for w in summary.warnings)
    assert len(empty.sources()) == 1


def test_description_used_for_memos(empty: Project, tmp_path: Path) -> None:
    sources, codes = simple()
    sources[0].description = "Noter fra besøget: travlt, men åbent."
    summary = empty.import_qdpx(write_qdpx(tmp_path / "a.qdpx", sources, codes))
    memos = empty.memos("source", empty.sources()[0][0].id)
    assert [m.body for m in memos] == ["Noter fra besøget: travlt, men åbent."]
    assert any("descriptions were imported as memos" in w for w in summary.warnings)


def test_notes_and_inline_text_and_default_placement(empty: Project, tmp_path: Path) -> None:
    sources, codes = simple()
    sources[0].inline = True
    notes = [("6B4F0B7E-2D7A-4C49-9A3B-1F2E3D4C5B6A", "Et notat om kilden.", sources[0].guid)]
    path = write_qdpx(tmp_path / "a.qdpx", sources, codes, notes=notes)
    with zipfile.ZipFile(path) as zf:
        assert project_schema().validate(etree.fromstring(zf.read("project.qde")).getroottree())
    summary = empty.import_qdpx(path)
    (source, track, wp) = empty.sources()[0]
    assert (track, wp) == ("Importeret fra REFI-QDA", 1)
    assert any("belong to no forløb/WP Set" in w for w in summary.warnings)
    memo = empty.memos("source", source.id)[0]
    assert memo.guid == "6b4f0b7e-2d7a-4c49-9a3b-1f2e3d4c5b6a" and memo.body == "Et notat om kilden."


def test_into_option_places_sources_without_a_set(swu: Project, tmp_path: Path) -> None:
    sources, codes = simple()
    swu.import_qdpx(write_qdpx(tmp_path / "a.qdpx", sources, codes), into=("SWU", 3))
    assert [(t, n) for _s, t, n in swu.sources()] == [("Softwareudviklere", 3)]


def test_guids_keep_their_value_in_lower_case(empty: Project, tmp_path: Path) -> None:
    sources, codes = simple()
    empty.import_qdpx(write_qdpx(tmp_path / "a.qdpx", sources, codes))
    assert empty.codes()[0].guid == codes[0].guid.lower()
    assert empty.sources()[0][0].guid == sources[0].guid.lower()
    assert empty.codings()[0].guid == sources[0].selections[0].coding.lower()


@pytest.mark.parametrize(
    "namespace", ["urn:QDA-XML:codebook:1.0", "urn:QDA-XML:codebook:1:0", "urn:QDA-XML:codebook:0:4"]
)
def test_codebook_namespace_variants(empty: Project, tmp_path: Path, namespace: str) -> None:
    codes = [FCode("Tillid", children=[FCode("Mistillid")]), FCode("Læring")]
    data = codebook_xml(codes, namespace)
    valid = codebook_schema().validate(etree.fromstring(data).getroottree())
    assert valid == (namespace == "urn:QDA-XML:codebook:1.0")
    path = tmp_path / "bog.qdc"
    path.write_bytes(data)
    summary = empty.import_qdc(path)
    assert sorted(n.path for n in empty.code_tree()) == ["Læring", "Tillid", "Tillid/Mistillid"]
    assert any("namespace variant" in w for w in summary.warnings) == (not valid)


def test_codes_with_slashes_and_name_clashes(swu: Project, tmp_path: Path) -> None:
    swu.add_code("Tillid")
    codes = [FCode("Tillid"), FCode("Før/efter")]
    path = tmp_path / "bog.qdc"
    path.write_bytes(codebook_xml(codes, "urn:QDA-XML:codebook:1.0"))
    summary = swu.import_qdc(path)
    assert sorted(c.name for c in swu.codes()) == ["Før-efter", "Tillid"]
    assert any("'/'" in w for w in summary.warnings)
    assert any("merged into it" in w for w in summary.warnings)


# -- hostile files ----------------------------------------------------------------------------------------------------


def _zip(path: Path, entries: dict[str, bytes], symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name == symlink:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, data)
    return path


def _valid_entries() -> dict[str, bytes]:
    sources, codes = simple()
    return {"project.qde": project_xml(sources, codes), f"sources/{sources[0].guid}.txt": sources[0].text.encode()}


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol2;"/>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Description>&xxe;</Description></Project>"""


@pytest.mark.parametrize(
    ("entries", "symlink", "message"),
    [
        ({**_valid_entries(), "../../evil.txt": b"x"}, None, "unsafe path"),
        ({**_valid_entries(), "/etc/evil.txt": b"x"}, None, "unsafe path"),
        ({**_valid_entries(), "sources\\evil.txt": b"x"}, None, "unsafe path"),
        ({**_valid_entries(), "sources/link.txt": b"/etc/passwd"}, "sources/link.txt", "symbolic link"),
        ({**_valid_entries(), "sources/bomb.txt": b"\0" * (20 * 2**20)}, None, "zip bomb"),
        ({"project.qde": BILLION_LAUGHS}, None, "DTD or entities"),
        ({"project.qde": EXTERNAL}, None, "DTD or entities"),
        ({"project.qde": b"<Project xmlns='urn:QDA-XML:project:1.0'><Sources>"}, None, "not well-formed XML"),
        ({"readme.txt": b"hej"}, None, "no project.qde"),
    ],
)
def test_hostile_archives_are_refused_and_nothing_is_stored(
    rich: Project, tmp_path: Path, entries: dict[str, bytes], symlink: str | None, message: str
) -> None:
    path = _zip(tmp_path / "ond.qdpx", entries, symlink)
    before = snapshot(rich)
    with pytest.raises(ImportFailed) as info:
        rich.import_qdpx(path)
    assert message in str(info.value)
    assert str(info.value).startswith("cannot import ond.qdpx") and str(info.value).count(". ") == 0
    assert snapshot(rich) == before


def test_limits_on_entries_and_size(empty: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _zip(tmp_path / "mange.qdpx", {**_valid_entries(), **{f"sources/{i}.txt": b"x" for i in range(30)}})
    monkeypatch.setattr(read_module, "MAX_ENTRIES", 20)
    with pytest.raises(ImportFailed, match="more than the 20 allowed"):
        empty.import_qdpx(path)
    monkeypatch.setattr(read_module, "MAX_ENTRIES", 50_000)
    monkeypatch.setattr(read_module, "MAX_ARCHIVE_BYTES", 100)
    with pytest.raises(ImportFailed, match="larger than"):
        empty.import_qdpx(path)
    assert snapshot(empty)["tables"]["sources"] == 0


def test_not_a_zip_and_qdc_with_dtd(empty: Project, tmp_path: Path) -> None:
    bad = tmp_path / "ikke.qdpx"
    bad.write_bytes(b"ikke en zip")
    with pytest.raises(ImportFailed, match=r"not a valid \.qdpx"):
        empty.import_qdpx(bad)
    qdc = tmp_path / "ond.qdc"
    qdc.write_bytes(BILLION_LAUGHS.replace(b"Project", b"CodeBook"))
    with pytest.raises(ImportFailed, match="DTD"):
        empty.import_qdc(qdc)
    assert empty.codes() == []


def test_a_failure_while_storing_stores_nothing(rich: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "rich.qdpx"
    rich.export_qdpx(out)
    target = aia.init_project(tmp_path / "mål")
    original = sources_module.insert_sources

    def failing(conn: sa.Connection, items: Any) -> list[int]:
        original(conn, items)
        raise RuntimeError("disken er fuld")

    monkeypatch.setattr(sources_module, "insert_sources", failing)
    with target:
        before = snapshot(target)
        with pytest.raises(RuntimeError):
            target.import_qdpx(out)
        assert snapshot(target) == before


def test_new_project_is_removed_when_the_import_fails(tmp_path: Path) -> None:
    bad = _zip(tmp_path / "ond.qdpx", {"project.qde": BILLION_LAUGHS})
    with pytest.raises(ImportFailed):
        import_into_new_project(bad, tmp_path / "ny")
    assert not (tmp_path / "ny").exists()
    (tmp_path / "fyldt").mkdir()
    (tmp_path / "fyldt" / "x").write_text("x")
    sources, codes = simple()
    with pytest.raises(ProjectError, match="not an empty directory"):
        import_into_new_project(write_qdpx(tmp_path / "a.qdpx", sources, codes), tmp_path / "fyldt")


# -- CLI ---------------------------------------------------------------------------------------------------------------


def test_cli_import_qdpx_new_project_and_merge(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    rich.export_qdpx(out)
    rich.export_qdc(tmp_path / "bog.qdc")
    runner = CliRunner()
    new = tmp_path / "ny"
    result = runner.invoke(cli, ["import", str(out), "--new-project", str(new)])
    assert result.exit_code == 0, result.output
    assert "2 sources, 4 codes, 5 codings" in result.output
    result = runner.invoke(cli, ["--project", str(new), "import", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert '"codings": 5' in result.output  # matched
    result = runner.invoke(cli, ["--project", str(new), "import", str(tmp_path / "bog.qdc")])
    assert result.exit_code == 0 and "already in the project: 4 codes" in result.output
    result = runner.invoke(cli, ["--project", str(new), "import", str(out), "--activity", "1"])
    assert result.exit_code == 2


def test_cli_positions_option_and_warnings(empty: Project, tmp_path: Path) -> None:
    path, needles = nvivo_file(tmp_path / "nvivo.qdpx")
    result = CliRunner().invoke(
        cli, ["--project", str(empty.path), "import", str(path), "--positions", "utf16", "--track", "Nye", "--wp", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "warning: nvivo.qdpx: selection positions were read as UTF-16 code units (as requested)" in result.output
    assert [c.text for c in empty.retrieve("Tillid")] == needles
    assert [(t, n) for _s, t, n in empty.sources()] == [("Nye", 2)]


def test_demo_project_round_trip(tmp_path: Path) -> None:
    from aia.demo import build_demo

    project, _ = build_demo(tmp_path / "demo")
    with project:
        out = tmp_path / "demo.qdpx"
        project.export_qdpx(out)
        copy, summary = import_into_new_project(out, tmp_path / "kopi")
        with copy:
            # a new project has no consent records: the one warning says so for the participants the file brings
            (consent,) = summary.warnings
            assert consent.startswith("participants new from this file have no consent recorded: ")
            a, b = shape(project), shape(copy)
            assert (a["codes"], a["sources"], a["codings"], a["placement"]) == (
                b["codes"],
                b["sources"],
                b["codings"],
                b["placement"],
            )
            assert sorted(s.importer for s, _t, _n in copy.sources()) == sorted(
                s.importer for s, _t, _n in project.sources()
            )


PDF_PROJECT = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="PDF-projekt" origin="ATLAS.ti 23.4.0">
  <CodeBook><Codes><Code guid="{code}" name="Etik" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <PDFSource guid="{pdf}" name="Rapport om AI" path="internal://{pdf}.pdf">
      <PDFSelection guid="{area}" page="1" firstX="10" firstY="10" secondX="50" secondY="50"/>
      <Representation guid="{rep}" name="Rapport om AI" plainTextPath="internal://{rep}.txt">
        <PlainTextSelection guid="{sel}" startPosition="4" endPosition="8">
          <Coding guid="{coding}"><CodeRef targetGUID="{code}"/></Coding>
        </PlainTextSelection>
      </Representation>
    </PDFSource>
  </Sources>
  <Links>
    <Link guid="{link}" name="hænger sammen" direction="Associative" originGUID="{code}" targetGUID="{pdf}"/>
  </Links>
</Project>
"""


def test_pdf_source_keeps_its_original_and_reports_areas(empty: Project, tmp_path: Path) -> None:
    ids = {k: str(uuid.uuid4()) for k in ("code", "pdf", "area", "rep", "sel", "coding", "link")}
    qde = PDF_PROJECT.format(**ids).encode("utf-8")
    assert project_schema().validate(etree.fromstring(qde).getroottree())
    pdf = b"%PDF-1.4\n% en lille pdf\n"
    path = _zip(
        tmp_path / "pdf.qdpx",
        {
            "project.qde": qde,
            f"sources/{ids['pdf']}.pdf": pdf,
            f"sources/{ids['rep']}.txt": b"Den etiske side.",
        },
    )
    summary = empty.import_qdpx(path)
    source = empty.sources()[0][0]
    assert (source.importer, source.guid) == ("pdf", ids["pdf"])
    assert empty.original(source.id) == pdf
    assert [c.text for c in empty.retrieve("Etik")] == ["etis"]
    assert any("1 PDF area selections" in w for w in summary.warnings)
    assert any("1 Links were left out" in w for w in summary.warnings)


def test_a_pseudonymising_project_pseudonymises_refi_texts_and_moves_codings(tmp_path: Path) -> None:
    from aia.privacy.identities import PersonIdentity
    from aia.privacy.kdf import Argon2idParams

    fast = Argon2idParams(iterations=1, lanes=1, memory_kib=8 * 1024)
    text = "Mette Kjærgaard skrev fra mette@kodehuset.dk, at kodegennemgangen tog længere tid med Copilot."
    start, end = position(text, "kodegennemgangen tog længere tid", "codepoints")
    code = FCode("Tid")
    path = write_qdpx(tmp_path / "a.qdpx", [FSource("Interview", text, [FSelection(start, end, code.guid)])], [code])
    with aia.init_project(tmp_path / "nøgle", keystore_passphrase="korrekt hest batteri", kdf=fast) as p:
        p.add_track("Softwareudviklere", prefix="SWU")
        p.add_participant("SWU")
        p.keys().set_person("SWU-P01", PersonIdentity(full_names=("Mette Kjærgaard",), emails=("mette@kodehuset.dk",)))
        p.save_keys()
        summary = p.import_qdpx(path, into=("SWU", 2))
        (stored,) = [s for s, _, _ in p.sources()]
        stored_text = p.source(stored.id).text or ""
        assert stored_text.startswith("[SWU-P01] skrev fra [SWU-P01], at")
        assert [c.text for c in p.retrieve("Tid")] == ["kodegennemgangen tog længere tid"]
        assert any("2 identifiers replaced" in w for w in summary.warnings)
        assert p.original(stored.id).decode("utf-8") == text  # kept, encrypted with the key store's key
        # the replacements are on the review list, as for a file import
        items = p.review_items(stored.id)
        assert sorted(stored_text[i.start : i.end] for i in items) == ["[SWU-P01]", "[SWU-P01]"]
    raw = b"".join(f.read_bytes() for f in (tmp_path / "nøgle").rglob("*") if f.is_file() and f.name != "keys.aia")
    assert "Kjærgaard".encode() not in raw and b"mette@kodehuset.dk" not in raw


# -- files written by other tools (tests/exchange/data/README.md) -----------------------------------------------------

DATA = Path(__file__).parent / "data"


def test_atlas_ti_codebook(empty: Project) -> None:
    path = DATA / "atlasti-23.4-codebook.qdc"
    assert codebook_schema().validate(etree.parse(str(path)))
    summary = empty.import_qdc(path)
    (code,) = empty.codes()
    assert (code.guid, code.name, code.color, code.description) == (
        "1ff58b12-6f6f-4b0c-8be5-bbdc91f55294",
        "code1",
        "#46aa00",
        "description",
    )
    # the 0:4 variant appears only in xsi:schemaLocation (a valid file): the one warning is about the code group
    assert summary.warnings == ["1 code Sets (code groups) were left out; aia has no code groups"]


def test_taguette_codebook(empty: Project) -> None:
    path = DATA / "taguette-codebook.qdc"
    assert not codebook_schema().validate(etree.parse(str(path)))  # Taguette writes an empty <Sets/>
    summary = empty.import_qdc(path)
    assert summary.warnings == ["the codebook has an empty <Sets/> element (not allowed by the schema); ignored it"]
    assert sorted((c.guid, c.name, c.parent_id) for c in empty.codes()) == [
        ("0d62985d-b147-5d01-a9b5-cae5dcd98342", "interesting", None),
        ("725f0645-9cd3-598a-8d2b-ec3d39ab3c3f", "interesting.places", None),  # a name, not a hierarchy
        ("dfe5c38e-9449-5959-a1f7-e3d895cfa87f", "people", None),
    ]
    again = empty.import_qdc(path)  # merged by GUID: nothing twice
    assert len(empty.codes()) == 3 and again.warnings == summary.warnings


def test_requal_test_project(empty: Project, tmp_path: Path) -> None:
    qde = (DATA / "requal-test-project.qde").read_bytes()
    assert not project_schema().validate(etree.fromstring(qde).getroottree())  # CodeBook/Sets, createdDateTime
    text = "This is the content of the first document. It contains some text that will be coded."
    path = _zip(tmp_path / "requal.qdpx", {"project.qde": qde, "doc1.txt": (text + "\n").encode()})
    summary = empty.import_qdpx(path)
    assert sorted((c.text, c.code_name) for c in empty.retrieve("Theme A") + empty.retrieve("Theme B")) == sorted(
        [(text[0:31], "Theme A"), (text[32:55], "Theme B")]
    )
    source = empty.sources()[0][0]
    assert empty.source(source.id).text == text + "\n"  # read from doc1.txt (the path wins over the inline copy)
    memos = {m.body: m.target_type for m in empty.memos()}
    assert memos == {
        "This is a test note.": "source",  # on a selection without a coding: kept on the source
        "Another test note with more content.": "project",
        "First document": "source",  # the source's Description
        "A test project for QDPX import.": "project",  # the project's Description
    }
    assert any("lack 'internal://'" in w for w in summary.warnings)
    assert any("1 selections carry no coding" in w for w in summary.warnings)
    assert any("invalid GUID" in w for w in summary.warnings)
    assert any("Sets are not aia forløb" in w for w in summary.warnings)
    assert {c.name for c in empty.codes()} == {"Theme A", "Theme B"}
    again = empty.import_qdpx(path)  # the derived GUIDs are stable: nothing twice
    assert (again.sources, again.codes, again.codings, again.memos) == (0, 0, 0, 0)


def test_a_renamed_forloeb_is_matched_by_its_guid(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    rich.export_qdpx(out)
    with write(rich.engine) as conn:
        conn.execute(tracks.update().values(name="Udviklere (omdøbt)"))
    copy, _ = import_into_new_project(out, tmp_path / "kopi")
    with copy:
        sid = copy.sources()[0][0].id
        copy.add_code("Ny")
        copy.add_coding(sid, 0, 5, "Ny")
        copy.export_qdpx(tmp_path / "tilbage.qdpx")
    summary = rich.import_qdpx(tmp_path / "tilbage.qdpx")
    assert summary.tracks == 0 and summary.codings == 1
    assert [t.name for t in rich.tracks()] == ["Udviklere (omdøbt)"]


def test_sources_without_text_in_the_archive_are_reported(empty: Project, tmp_path: Path) -> None:
    sources, codes = simple()
    outside = FSource("Lydfil-transskription", "findes ikke her")
    missing = FSource("Mangler", "heller ikke her")
    qde = project_xml([*sources, outside, missing], codes)
    qde = qde.replace(f"internal://{outside.guid}.txt".encode(), b"relative://interviews/lyd.txt")
    path = _zip(tmp_path / "a.qdpx", {"project.qde": qde, f"sources/{sources[0].guid}.txt": sources[0].text.encode()})
    summary = empty.import_qdpx(path)
    assert [s.title for s, _t, _n in empty.sources()] == ["Feltnote"]
    assert any("1 sources point at files outside the archive (Lydfil-transskription)" in w for w in summary.warnings)
    assert any("1 sources or notes have no text in the archive (Mangler)" in w for w in summary.warnings)
