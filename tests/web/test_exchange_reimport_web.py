"""REFI-QDA re-import in the web (issue 4): the report lists the changes made to objects the project has already."""

from __future__ import annotations

import io
import zipfile

from webhelpers import client_for, csrf_of

from aia.project import Project


def _upload(project: Project, name: str, data: bytes, remove_missing: bool = False) -> str:
    client = client_for(project, "lea")
    form = {"csrf": csrf_of(client), "positions": "auto"} | ({"remove_missing": "1"} if remove_missing else {})
    r = client.post(
        "/exchange/import",
        data=form,
        files={"file": (name, data, "application/octet-stream")},
    )
    assert r.status_code == 200, r.text[:500]
    return r.text


def test_reimport_upload_lists_the_changes(webproject: Project) -> None:
    client = client_for(webproject, "lea")
    data = client.post("/exchange/export.qdpx", data={"csrf": csrf_of(client)}).content
    unchanged = _upload(webproject, "uændret.qdpx", data)
    assert "Intet kendt objekt blev ændret." in unchanged
    renamed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(renamed, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "project.qde":
                content = content.replace(b'name="Tillid"', b'name="Tillid og tvivl"')
            dst.writestr(item.filename, content)
    html = _upload(webproject, "omdøbt.qdpx", renamed.getvalue())
    assert "Ændringer af kendte objekter" in html
    assert "code &#39;Tillid&#39; renamed to &#39;Tillid og tvivl&#39;" in html
    assert [c.name for c in webproject.codes()] == ["Tillid og tvivl"]


def test_reimport_upload_removes_missing_codings_only_when_asked(webproject: Project) -> None:
    client = client_for(webproject, "lea")
    data = client.post("/exchange/export.qdpx", data={"csrf": csrf_of(client)}).content
    source = webproject.sources()[0][0]
    later = webproject.add_coding(source.id, 12, 20, "Tillid")  # coded after the export: not in the file
    kept = _upload(webproject, "uden-flueben.qdpx", data)
    assert "--remove-missing" in kept and later.id in {c.id for c in webproject.codings()}
    removed = _upload(webproject, "med-flueben.qdpx", data, remove_missing=True)
    assert later.id not in {c.id for c in webproject.codings()}
    assert len(webproject.codings()) == 1 and "Ændringer af kendte objekter" in removed
