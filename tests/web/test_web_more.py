"""The web app over the demo project, concurrent coding, the import page, and the `aia user` commands."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from click.testing import CliRunner
from starlette.testclient import TestClient
from webhelpers import client_for, csrf_of

import aia
from aia.cli import cli
from aia.demo import build_demo
from aia.project import Project
from aia.web import create_app


def test_every_page_of_the_demo_project_renders(tmp_path: Path) -> None:
    project, _ = build_demo(tmp_path / "demo")
    with project:
        client = TestClient(create_app(project.path, login_token="t", project=project), follow_redirects=False)
        assert client.get("/login/token?token=t").status_code == 303
        dash = client.get("/")
        assert dash.status_code == 200 and "Forløb" in dash.text
        pages = ["/sources", "/codes", "/memos", "/participants", "/organisations", "/import", "/users"]
        pages += [f"/sources/{s.id}" for s, _, _ in project.sources()]
        pages += [f"/codes/{c.id}" for c in project.codes()]
        pages += [f"/tracks/{t.id}" for t in project.tracks()]
        pages += [f"/activities/{a.id}" for a, _ in project.activities()]
        pages.append("/search?q=" + "kunstig intelligens")
        for url in pages:
            r = client.get(url)
            assert r.status_code == 200, (url, r.text[:200])
            assert len(r.content) < 300_000, url
        tracks = {t.name for t in project.tracks()}
        assert all(name in dash.text for name in tracks)


def test_concurrent_coders_lose_nothing(webproject: Project) -> None:
    source = webproject.sources()[0][0]
    code = webproject.codes()[0]
    clients = [client_for(webproject, "carl") for _ in range(4)]
    tokens = [csrf_of(c) for c in clients]
    failures: list[str] = []

    def work(i: int) -> None:
        for j in range(15):
            r = clients[i].post(
                f"/sources/{source.id}/codings",
                data={"csrf": tokens[i], "start": str(i * 15 + j), "end": str(i * 15 + j + 1), "code_id": str(code.id)},
            )
            if r.status_code != 303:
                failures.append(r.text)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert failures == []
    assert len([c for c in webproject.codings() if c.coder == "carl"]) == 60


def test_import_page_shows_per_file_errors(webproject: Project) -> None:
    client = client_for(webproject, "carl")
    activity = webproject.activities()[0][0]
    files = [
        ("files", ("fokusgruppe_åben.txt", "Ordstyrer: Velkommen til fokusgruppen om ChatGPT.\n", "text/plain")),
        ("files", ("ødelagt.docx", b"PK\x03\x04 ikke et rigtigt dokument", "application/octet-stream")),
    ]
    r = client.post("/import", data={"csrf": csrf_of(client), "activity": str(activity.id)}, files=files)
    assert r.status_code == 200
    assert re.search(r'<li class="imported">fokusgruppe_åben.txt: <a href="/sources/\d+">importeret</a>', r.text)
    assert re.search(r'<li class="failed">ødelagt.docx: fejlede \S', r.text)
    assert any(s.title.startswith("fokusgruppe") for s, _, _ in webproject.sources())


def test_user_add_command(tmp_path: Path) -> None:
    aia.init_project(tmp_path / "p", user="Forsker A").close()
    runner = CliRunner()
    args = ["--project", str(tmp_path / "p"), "user", "add", "søren", "--role", "coder"]
    result = runner.invoke(cli, args, input="langt-kodeord\nlangt-kodeord\n")
    assert result.exit_code == 0, result.output
    assert "user søren (coder) added" in result.output
    again = runner.invoke(cli, args, input="langt-kodeord\nlangt-kodeord\n")
    assert again.exit_code == 1 and "exists already" in again.output
    with aia.open_project(tmp_path / "p") as project:
        assert project.verify_login("søren", "langt-kodeord") is not None
        assert project.verify_login("søren", "forkert-kode") is None
