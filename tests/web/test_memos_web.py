"""Memos in the web workbench: Markdown rendered safely, links to anything, editing rights, the memo box."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from webhelpers import client_for, csrf_of

from aia.errors import NotAllowedError, ValidationError
from aia.project import Project
from aia.web.memomarkdown import render_markdown
from aia.web.pages.memos import memos_for


def test_markdown_renders_and_escapes_script_and_drops_javascript_links() -> None:
    html = render_markdown(
        "# Første *indtryk*\n\nMette er **skeptisk** <script>alert(1)</script> "
        "[ondt](javascript:alert(2)) [kilde](/sources/1) [ekstern](https://example.dk/æøå) "
        "[skjult](JaVaScRiPt:alert(3)) [data](data:text/html,x) [net](//evil.example) <img src=x onerror=alert(4)>"
    )
    assert "<h1>Første <em>indtryk</em></h1>" in html and "<strong>skeptisk</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.lower().replace("[ondt](javascript:", "").replace("[skjult](javascript:", "")
    assert not re.search(r'href="(javascript|data|//)', html, re.I)
    assert '<a href="/sources/1"' in html and '<a href="https://example.dk/%C3%A6%C3%B8%C3%A5"' in html
    assert "<img" not in html


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'=/:()[]!*_`# \njavscriptonerøæå&;")), max_size=80))
def test_markdown_never_yields_active_markup(text: str) -> None:
    html = render_markdown(text)
    assert not re.search(r"<script|<img|<iframe|\son\w+=", html, re.I)
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("http://", "https://", "/", "#")) and not href.startswith("//")


def test_memo_with_links_to_everything_and_the_pages(webproject: Project) -> None:
    p = webproject
    source = p.sources()[0][0]
    code = p.codes()[0]
    coding = p.codings()[0]
    person = p.participants()[0]
    org = p.add_organisation("Kommunen Ærø", sector="Offentlig")
    p.add_consent(person.pseudonym, "v1", "2026-03-01", wps=[2])
    followup = p.import_bytes(
        "Mette: Jeg stoler mere på værktøjet nu.".encode(),
        "opfølgning.txt",
        track="SWU",
        wp=2,
        participants=[person.pseudonym],
    ).source_id
    memo = p.add_memo("Tværgående tema", f"Se [kilden](/sources/{source.id}) og **tilliden**.")
    p.link_memo(memo.id, "source", source.id)
    p.link_memo(memo.id, "place", source.id, 14, 40)
    p.link_memo(memo.id, "coding", coding.id)
    p.link_memo(memo.id, "code", code.name)
    p.link_memo(memo.id, "participant", person.pseudonym)
    p.link_memo(memo.id, "activity", p.activities()[0][0].id)
    p.link_memo(memo.id, "memo", p.memos()[0].id)
    p.link_memo(memo.id, "organisation", org.id)
    again = p.link_memo(memo.id, "code", code.id)  # the same object twice: one link
    (view,) = p.memo_views([p.memo(memo.id)])
    kinds = [s.link.target_type for s in view.links]
    assert kinds.count("code") == 1
    assert {"source", "place", "coding", "participant", "activity", "memo", "organisation"} <= set(kinds)
    assert again in {s.link.id for s in view.links}
    hrefs = {s.link.target_type: s.href for s in view.links}
    assert hrefs["place"] == f"/sources/{source.id}#o14" and hrefs["coding"] == f"/sources/{source.id}#o0"
    assert hrefs["participant"] == f"/participants/{person.id}"
    with_place = {m.id for m in p.memos_about("source", source.id)}
    assert memo.id in with_place
    assert [s.view.memo.id for s in memos_for(p, "code", code.id)] == [memo.id]

    client = client_for(p, "rikke")
    listing = client.get("/memos").text
    assert "Tværgående tema" in listing and person.pseudonym in listing and code.name in listing
    assert "Kommunen Ærø" in listing
    page = client.get(f"/memos/{memo.id}").text
    assert "<strong>tilliden</strong>" in page and f'<a href="/sources/{source.id}"' in page
    assert f'href="/codes/{code.id}"' in page and f'href="/participants/{person.id}"' in page
    assert "Fjern" not in page  # a reader sees no controls
    participant_page = client.get(f"/participants/{person.id}").text
    assert "Tværgående tema" in participant_page and f'href="/sources/{followup}"' in participant_page
    assert "interview_mette" not in participant_page  # not one of hers
    people = client.get("/participants").text
    assert re.search(rf'href="/participants/{person.id}">{person.pseudonym}</a>.*?<td>1</td></tr>', people, re.S)


def test_write_edit_link_and_unlink_through_the_web(webproject: Project) -> None:
    p = webproject
    code = p.codes()[0]
    client = client_for(p, "carl")
    token = csrf_of(client)
    r = client.post(
        "/memos",
        data={
            "csrf": token,
            "title": "Kodens grænser",
            "body": "Gælder *også* ChatGPT.",
            "link_type": "code",
            "link_target": code.name,
        },
    )
    assert r.status_code == 303
    memo_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert [m.id for m in p.memos_about("code", code.id)] == [memo_id]
    r = client.post(f"/memos/{memo_id}", data={"csrf": token, "title": "Kodens grænser II", "body": "Ændret: æøå"})
    assert r.status_code == 303 and p.memo(memo_id).body == "Ændret: æøå" and p.memo(memo_id).title.endswith("II")
    source = p.sources()[0][0]
    r = client.post(
        f"/memos/{memo_id}/links",
        data={"csrf": token, "target_type": "place", "target": str(source.id), "start": "3", "end": "9"},
    )
    assert r.status_code == 303
    bad = client.post(
        f"/memos/{memo_id}/links",
        data={"csrf": token, "target_type": "place", "target": str(source.id), "start": "9", "end": "3"},
    )
    assert bad.status_code == 400 and "place" in bad.text
    (view,) = p.memo_views([p.memo(memo_id)])
    place = next(s.link for s in view.links if s.link.target_type == "place")
    assert (place.start, place.end) == (3, 9)
    assert client.post(f"/memos/{memo_id}/unlink", data={"csrf": token, "link": str(place.id)}).status_code == 303
    (view,) = p.memo_views([p.memo(memo_id)])
    assert "place" not in {s.link.target_type for s in view.links}
    # the coder may not change the lead's memo ("Forsker A" wrote the demo memo, and is no account: not a lead)
    other = p.memos()[0]
    r = client.post(f"/memos/{other.id}", data={"csrf": token, "title": "Overtaget", "body": "x"})
    assert r.status_code == 400 and p.memo(other.id).title == "Første indtryk"
    # the reader may not write at all
    reader = client_for(p, "rikke")
    assert reader.post("/memos", data={"csrf": csrf_of(reader), "title": "Nej"}).status_code == 403


def test_link_errors_name_the_object(webproject: Project) -> None:
    p = webproject
    memo = p.memos()[0]
    for args, word in (
        (("nothing", 1), "cannot be linked"),
        (("memo", memo.id), "itself"),
        (("coding", 999), "coding 999"),
    ):
        try:
            p.link_memo(memo.id, *args)
        except ValidationError as exc:
            assert word in str(exc)
        else:
            raise AssertionError(args)
    lead = Project(p.path, user="carl")
    try:
        lead.update_memo(memo.id, "Ny titel", "x")
    except NotAllowedError as exc:
        assert "lead" in str(exc)
    else:
        raise AssertionError("a coder changed someone else's memo")
    lead.engine.dispose()
    lea = Project(p.path, user="lea")
    assert lea.update_memo(memo.id, "Ny titel", "x").title == "Ny titel"
    lea.engine.dispose()
