"""REFI-QDA re-import in the web (issue 4): the report lists the changes made to objects the project has already."""

from __future__ import annotations

import io
import zipfile

from webhelpers import client_for, csrf_of

from aia.project import Project


def _upload(project: Project, name: str, data: bytes) -> str:
    client = client_for(project, "lea")
    r = client.post(
        "/exchange/import",
        data={"csrf": csrf_of(client), "positions": "auto"},
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
