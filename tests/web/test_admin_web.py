"""Dashboard recent changes, the import page with per-file progress and errors, participants and organisations."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import docx
from browserhelpers import FLAGS, chromium, serving
from playwright.sync_api import expect, sync_playwright
from starlette.testclient import TestClient
from webhelpers import PASSWORD, client_for, csrf_of, make_project

from aia.project import Project


def _docx(text: str) -> bytes:
    document = docx.Document()
    for para in text.split("\n\n"):
        document.add_paragraph(para)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_recent_changes_show_a_new_coding_with_its_coder(webproject: Project) -> None:
    carl = Project(webproject.path, user="carl")
    try:
        source = carl.sources()[0][0]
        code = carl.add_code("Skepsis")
        carl.add_coding(source.id, 30, 60, code.id)
        carl.add_memo("Carls note", "Om *skepsis* i teamet.")
    finally:
        carl.engine.dispose()
    changes = webproject.recent_changes()
    assert [c.kind for c in changes[:1]] in (["coding"], ["memo"], ["code"])
    assert {("coding", "Skepsis", "carl"), ("code", "Skepsis", "carl"), ("memo", "Carls note", "carl")} <= {
        (c.kind, c.label, c.who) for c in changes
    }
    assert {"import", "coding", "code", "memo"} <= {c.kind for c in changes}
    html = client_for(webproject, "rikke").get("/").text
    section = html.split("Seneste ændringer", 1)[1]
    assert re.search(rf'Kodning</span>\s*<a href="/sources/{source.id}#o30">Skepsis</a>\s*<small>af carl, ', section)
    assert "Carls note" in section and "interview_mette" in section
    assert webproject.recent_changes(2) == changes[:2]


def _wait(client: TestClient, job_url: str) -> str:
    for _ in range(200):
        html: str = client.get(job_url, headers={"HX-Request": "true"}).text
        if 'data-done="true"' in html:
            return html
        assert "hx-trigger" in html  # an unfinished job polls itself
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def test_import_page_reports_progress_and_per_file_errors(webproject: Project) -> None:
    client = client_for(webproject, "carl")
    token = csrf_of(client)
    activity = webproject.activities()[0][0]
    before = {s.id for s, _, _ in webproject.sources()}
    files = [
        ("files", ("gruppeinterview.txt", "Ole: Vi prøvede Copilot på møderne i Århus.\n".encode(), "text/plain")),
        (
            "files",
            (
                "notat.docx",
                _docx("Observation: Holdet brugte ChatGPT til at skrive tests.\n\nDet gik fint."),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
        ),
        ("files", ("ødelagt.docx", b"det her er ikke en zip-fil", "application/octet-stream")),
    ]
    r = client.post(
        "/import", data={"csrf": token, "activity": str(activity.id)}, files=files, headers={"HX-Request": "true"}
    )
    assert r.status_code == 200 and "<html" not in r.text  # the fragment only
    job_url = re.search(r'hx-get="(/import/jobs/\d+)"', r.text) or re.search(r'id="job-(\d+)"', r.text)
    assert job_url is not None
    url = job_url.group(1) if job_url.group(1).startswith("/") else f"/import/jobs/{job_url.group(1)}"
    html = _wait(client, url)
    items = re.findall(r'<li class="(\w+)">(.*?)</li>', html, re.S)
    assert [cls for cls, _ in items] == ["imported", "imported", "failed"]
    assert "ødelagt.docx" in items[2][1] and "fejlede" in items[2][1]
    message = items[2][1].split("fejlede", 1)[1].strip()
    assert message.startswith("cannot import ødelagt.docx") and message.count(". ") == 0  # one sentence
    assert 'value="3"' in html  # the progress bar is full
    after = {s.id: s for s, _, _ in webproject.sources()}
    new = [after[i] for i in after if i not in before]
    assert sorted(s.original_filename for s in new) == ["gruppeinterview.txt", "notat.docx"]
    assert all(s.activity_id == activity.id for s in new)
    assert "ødelagt" not in {s.title for s in after.values()}
    # the whole page (no JS) shows the same job; another user cannot see it
    page = client.get(url).text
    assert "<html" in page and "ødelagt.docx" in page
    other = client_for(webproject, "lea")
    assert other.get(url).status_code == 404


def test_import_refuses_without_files_or_activity(webproject: Project) -> None:
    client = client_for(webproject, "carl")
    token = csrf_of(client)
    assert client.post("/import", data={"csrf": token}).status_code == 400
    activity = webproject.activities()[0][0]
    r = client.post("/import", data={"csrf": token, "activity": str(activity.id)})
    assert r.status_code == 400 and "choose one or more files" in r.text
    assert client.post("/import", data={"csrf": token, "activity": "9999"}).status_code == 404
    assert client_for(webproject, "rikke").get("/import").status_code == 403


def test_participants_and_organisations_pages(webproject: Project) -> None:
    p = webproject
    org = p.add_organisation("Regionshuset Nørre Å", sector="Sundhed", size="stor", attributes={"by": "Viborg"})
    person = p.add_participant(
        "SWU", role="Tester", job_function="Testleder", organisation=org.id, attributes={"erfaring": "5 år"}
    )
    p.add_consent(person.pseudonym, "v1", "2026-03-01", wps=[2])
    p.import_bytes(b"Testleder: Vi tjekker alt.", "test.txt", track="SWU", wp=2, participants=[person.pseudonym])
    client = client_for(p, "rikke")
    people = client.get("/participants").text
    assert "Regionshuset Nørre Å" in people and "erfaring: 5 år" in people
    orgs = client.get("/organisations").text
    row = re.search(
        r'<tr><td><a href="/organisations/(\d+)">[^<]*</a></td><td>Regionshuset Nørre Å</td>(.*?)</tr>', orgs, re.S
    )
    assert row is not None and "by: Viborg" in row.group(2) and int(row.group(1)) == org.id
    assert re.findall(r"<td>(\d+)</td>", row.group(2)) == ["1", "1"]  # one participant, one source
    page = client.get(f"/participants/{person.id}").text
    assert "Testleder" in page and ">test<" in page and "5 år" in page
    assert client.get("/participants/9999").status_code == 404
    # the organisation's own page: its attributes, its participants and the sources they take part in
    page = client.get(f"/organisations/{org.id}").text
    assert "Regionshuset Nørre Å" in page and "Sundhed" in page and "Viborg" in page
    assert f'href="/participants/{person.id}">{person.pseudonym}</a>' in page and ">test<" in page
    other = client.get(f"/organisations/{p.organisations()[0].id}").text  # make_project's: no sources yet
    assert "Softwarehus (SMV)" in other and "Regionshuset" not in other and ">test<" not in other
    assert client.get("/organisations/9999").status_code == 404


# -- one browser test: the htmx upload and the polled progress fragment ------------------------------------------
def test_browser_import_shows_progress_and_per_file_results(tmp_path: Path) -> None:
    make_project(tmp_path).close()
    with serving(tmp_path / "projekt") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), headless=True, args=FLAGS)
        page = browser.new_page()
        page.goto(url + "/login?next=/import")
        page.fill("#username", "carl")
        page.fill("#password", PASSWORD)
        page.click("#login")
        expect(page).to_have_url(url + "/import")
        page.set_input_files(
            "input[name=files]",
            [
                {"name": "møde.txt", "mimeType": "text/plain", "buffer": "Ane: Vi så på Copilot.\n".encode()},
                {"name": "rapport.docx", "mimeType": "application/octet-stream", "buffer": _docx("Rapport om AI.")},
                {"name": "ødelagt.docx", "mimeType": "application/octet-stream", "buffer": b"ikke en zip"},
            ],
        )
        page.click("form[action='/import'] button")
        expect(page.locator(".import-job[data-done='true']")).to_be_visible(timeout=15000)
        expect(page).to_have_url(url + "/import")  # htmx swapped the fragment in; no page load
        expect(page.locator(".import-job li.imported")).to_have_count(2)
        expect(page.locator(".import-job li.failed")).to_contain_text("ødelagt.docx")
        expect(page.locator(".import-job progress")).to_have_attribute("value", "3")
        browser.close()
