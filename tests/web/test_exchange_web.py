"""REFI-QDA in the web (issue 4): export downloads, import uploads with their report, lead only."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from webhelpers import PASSWORD, client_for, csrf_of

import aia
from aia.project import Project

SCHEMAS = Path(__file__).resolve().parents[2] / "../shared/refi-qda"


def _export(project: Project, kind: str) -> bytes:
    client = client_for(project, "lea")
    r = client.post(f"/exchange/export.{kind}", data={"csrf": csrf_of(client)})
    assert r.status_code == 200, r.text[:300]
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith(f'.{kind}"')
    return r.content


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser)


def test_export_qdpx_download_is_a_valid_zip_and_registered(webproject: Project) -> None:
    data = _export(webproject, "qdpx")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        root = _parse(zf.read("project.qde"))
        texts = [n for n in zf.namelist() if n.startswith("sources/")]
    assert etree.QName(root).localname == "Project"
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "Project-mrt2019.xsd")))
    assert schema.validate(root), schema.error_log
    assert len(texts) == 1
    names = {el.get("name") for el in root.iter("{urn:QDA-XML:project:1.0}Code")}
    assert "Tillid" in names
    (entry,) = [e for e in webproject.exports() if e["kind"] == "qdpx"]
    assert entry["path"].startswith("download:") and entry["path"].endswith(".qdpx")
    assert entry["exported_by"] == "lea"


def test_export_qdc_download_parses(webproject: Project) -> None:
    root = _parse(_export(webproject, "qdc"))
    assert etree.QName(root).localname == "CodeBook"
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "Codebook-mrt2019.xsd")))
    assert schema.validate(root), schema.error_log
    assert any(e["kind"] == "qdc" for e in webproject.exports())


def _other_project(tmp_path: Path) -> Project:
    other = aia.init_project(tmp_path / "modtager", user="Forsker B")
    other.add_account("lea", PASSWORD, "lead")
    return other


def _upload(project: Project, name: str, data: bytes, positions: str = "auto") -> str:
    client = client_for(project, "lea")
    r = client.post(
        "/exchange/import",
        data={"csrf": csrf_of(client), "positions": positions},
        files={"file": (name, data, "application/octet-stream")},
    )
    assert r.status_code == 200, r.text[:500]
    return r.text


def _count(html: str, label: str) -> tuple[int, int]:
    m = re.search(rf"<th>{label}</th><td>(\d+)</td><td>(\d+) ", html)
    assert m is not None, label
    return int(m.group(1)), int(m.group(2))


def test_import_qdpx_upload_merges_by_guid_and_reports(webproject: Project, tmp_path: Path) -> None:
    data = _export(webproject, "qdpx")
    other = _other_project(tmp_path)
    try:
        html = _upload(other, "fra kollega.qdpx", data)
        assert "Importrapport: fra kollega.qdpx" in html
        assert _count(html, "Nye kilder") == (1, 0) and _count(html, "Nye kodninger") == (1, 0)
        assert [s.title for s, _, _ in other.sources()] == ["interview_mette"]
        assert [c.name for c in other.codes()] == ["Tillid"]
        again = _upload(other, "fra kollega.qdpx", data)  # the same GUIDs: nothing new, all matched
        assert _count(again, "Nye kilder") == (0, 1) and _count(again, "Nye kodninger") == (0, 1)
        assert len(other.sources()) == 1 and len(other.codings()) == 1
        assert any(e.action == "import.qdpx" and e.actor == "lea" for e in other.audit_events())
    finally:
        other.close()


def test_import_shows_warnings(webproject: Project, tmp_path: Path) -> None:
    data = _export(webproject, "qdpx")
    renamed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(renamed, "w") as dst:
        for item in src.infolist():
            name = "Mit projekt.qde" if item.filename == "project.qde" else item.filename
            dst.writestr(name, src.read(item.filename))
    other = _other_project(tmp_path)
    try:
        html = _upload(other, "omdøbt.qdpx", renamed.getvalue())
        assert "Advarsler" in html and "the project file is named &#39;Mit projekt.qde&#39;" in html
    finally:
        other.close()


def test_import_qdc_upload_adds_codes(webproject: Project, tmp_path: Path) -> None:
    source = aia.init_project(tmp_path / "kodebog", user="Forsker C")
    try:
        source.add_code("Øget effektivitet")
        source.add_code("Tvivl om kvalitet")
        source.export_qdc(tmp_path / "kodebog.qdc")
    finally:
        source.close()
    html = _upload(webproject, "kodebog.qdc", (tmp_path / "kodebog.qdc").read_bytes())
    assert _count(html, "Nye koder") == (2, 0)
    assert {"Øget effektivitet", "Tvivl om kvalitet", "Tillid"} <= {c.name for c in webproject.codes()}


def test_import_refuses_what_is_not_refi_qda(webproject: Project) -> None:
    client = client_for(webproject, "lea")
    token = csrf_of(client)
    before = len(webproject.sources())
    r = client.post("/exchange/import", data={"csrf": token}, files={"file": ("noter.txt", b"hej", "text/plain")})
    assert r.status_code == 400 and "noter.txt is not a REFI-QDA file" in r.text
    r = client.post("/exchange/import", data={"csrf": token}, files={"file": ("ødelagt.qdpx", b"ikke zip", "x/y")})
    assert r.status_code == 400 and "ødelagt.qdpx" in r.text
    assert client.post("/exchange/import", data={"csrf": token}).status_code == 400
    assert len(webproject.sources()) == before


@pytest.mark.parametrize("who", ["rikke", "carl"])
def test_exchange_is_for_the_lead_only(webproject: Project, who: str) -> None:
    client = client_for(webproject, who)
    token = csrf_of(client)
    assert client.get("/exchange").status_code == 403
    for path in ("/exchange/export.qdpx", "/exchange/export.qdc", "/exchange/import"):
        assert client.post(path, data={"csrf": token}).status_code == 403, path
    assert webproject.exports() == []
    assert 'href="/exchange"' not in client.get("/").text
    lead = client_for(webproject, "lea")
    assert 'href="/exchange"' in lead.get("/").text and lead.get("/exchange").status_code == 200
