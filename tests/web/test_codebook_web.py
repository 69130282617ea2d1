"""The codebook pages: tree with counts, create, describe (colour validation, escaping), move by picker and by the
drag-and-drop request, merge and delete previews, and code retrieval with context, filters (done in SQL), paging and
links back into the sources."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browserhelpers import FLAGS, chromium, serving
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect, sync_playwright
from webhelpers import PASSWORD, client_for, csrf_of, make_project

from aia.project import Project
from aia.store.retrieval import Passage, RetrievalFilters
from aia.web.pages import codebook as page

STATIC = Path(page.__file__).parent.parent / "static"
LONG = (
    "Interviewer: Hvordan lærer I at bruge værktøjerne?\n\n"
    "Søren: Vi lærer mest af fejlene, når Copilot foreslår noget forkert og vi først opdager det i testen.\n\n"
    "Interviewer: Og kollegaerne?\n\n"
    "Åse: De stoler på forslagene, især når det gælder små ændringer i koden på æøå-projektet.\n"
)


def _span(project: Project, source_id: int, phrase: str) -> tuple[int, int]:
    text = project.source(source_id).text
    start = text.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def coded(webproject: Project) -> Project:
    """Two tracks; a second interview (WP3, MMD) with codings by two coders under a parent code."""
    p = webproject
    p.add_track("Multimediedesignere", prefix="MMD")
    imported = p.import_bytes(LONG.encode(), "interview_søren.txt", track="MMD", wp=3)
    assert imported.source_id is not None
    sid = imported.source_id
    parent = p.add_code("Læring")
    fejl = p.add_code("Læring gennem fejl", parent=parent.id)
    for phrase in ("lærer mest af fejlene", "opdager det i testen"):
        p.add_coding(sid, *_span(p, sid, phrase), fejl.id)
    p.user = "Forsker Ø"
    p.add_coding(sid, *_span(p, sid, "stoler på forslagene"), fejl.id)
    p.add_coding(sid, *_span(p, sid, "små ændringer"), parent.id)
    p.user = "Forsker A"
    return p


def _passages(html: str) -> list[str]:
    return [htmllib.unescape(m) for m in re.findall(r'<mark class="c\d+">(.*?)</mark>', html, re.S)]


# -- the tree ----------------------------------------------------------------------------------------------------
def test_tree_shows_counts_per_code_and_subtree(coded: Project) -> None:
    html = client_for(coded, "rikke").get("/codes").text
    parent = coded.code("Læring")
    li = re.search(rf'<li [^>]*id="code-{parent.id}".*?</li>', html, re.S)
    assert li is not None
    assert '<span class="n">1</span>' in li.group(0) and '<span class="total">4</span>' in li.group(0)
    assert "draggable" not in html and "codebook.js" not in html  # a reader cannot move codes


def test_create_code_with_colour_and_description(coded: Project) -> None:
    client = client_for(coded, "carl")
    parent = coded.code("Læring")
    r = client.post(
        "/codes",
        data={
            "csrf": csrf_of(client),
            "name": "Fejl i prompts",
            "parent": str(parent.id),
            "color": "#A1B2C3",
            "description": "Når prompten er uklar – æøå",
        },
    )
    assert r.status_code == 303
    made = coded.code("Læring/Fejl i prompts")
    assert made.parent_id == parent.id and made.color.lower() == "#a1b2c3"
    assert made.description == "Når prompten er uklar – æøå"


def test_describe_changes_description_and_colour_and_records_an_event(coded: Project) -> None:
    client = client_for(coded, "carl")
    code = coded.code("Læring gennem fejl")
    r = client.post(
        f"/codes/{code.id}/describe",
        data={"csrf": csrf_of(client), "description": "Fejl, man lærer af: «øv»", "color": "#00FF7f"},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/codes/{code.id}"
    changed = coded.code(code.id)
    assert changed.description == "Fejl, man lærer af: «øv»" and changed.color == "#00ff7f"
    assert [e["action"] for e in coded.code_events(code.id)][-1] == "update"
    assert "Fejl, man lærer af: «øv»" in client.get(f"/codes/{code.id}").text


@pytest.mark.parametrize("colour", ["rød", "#12345", "#1234567", "red", "#ggffee", "#fff;}body{x:y"])
def test_bad_colour_is_a_400_page_with_one_sentence(coded: Project, colour: str) -> None:
    client = client_for(coded, "carl")
    code = coded.code("Læring gennem fejl")
    r = client.post(f"/codes/{code.id}/describe", data={"csrf": csrf_of(client), "color": colour})
    assert r.status_code == 400
    message = re.search(r'<p class="error">(.*?)</p>', r.text, re.S)
    assert message is not None
    text = htmllib.unescape(message.group(1))
    assert "Læring gennem fejl" in text and "#rrggbb" in text
    assert coded.code(code.id).color == code.color  # nothing changed
    assert colour not in client.get("/codes.css").text


def test_description_is_escaped(coded: Project) -> None:
    client = client_for(coded, "lea")
    code = coded.code("Læring gennem fejl")
    evil = '<script>alert("æ")</script><img src=x onerror=alert(1)>'
    client.post(f"/codes/{code.id}/describe", data={"csrf": csrf_of(client), "description": evil})
    for url in ("/codes", f"/codes/{code.id}"):
        html = client.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;" in html, url


# -- moving, merging, deleting -----------------------------------------------------------------------------------
def test_move_by_picker(coded: Project) -> None:
    client = client_for(coded, "carl")
    code, tillid = coded.code("Læring gennem fejl"), coded.code("Tillid")
    r = client.post(f"/codes/{code.id}/move", data={"csrf": csrf_of(client), "parent": str(tillid.id)})
    assert r.status_code == 303 and r.headers["location"] == f"/codes/{code.id}"
    assert coded.code(code.id).parent_id == tillid.id


def test_move_as_the_drag_and_drop_script_posts_it(coded: Project) -> None:
    """codebook.js posts parent (empty: top level) and next=/codes with the token in the X-CSRF-Token header."""
    client = client_for(coded, "carl")
    token = csrf_of(client)
    code, tillid = coded.code("Læring gennem fejl"), coded.code("Tillid")
    r = client.post(
        f"/codes/{code.id}/move", data={"parent": str(tillid.id), "next": "/codes"}, headers={"X-CSRF-Token": token}
    )
    assert r.status_code == 303 and r.headers["location"] == "/codes"
    assert coded.code(code.id).parent_id == tillid.id
    html = client.get("/codes").text
    assert f'id="code-{code.id}" data-code="{code.id}" data-parent="{tillid.id}"' in html
    r = client.post(f"/codes/{code.id}/move", data={"parent": "", "next": "/codes"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 303 and coded.code(code.id).parent_id is None
    # under itself: a 400 page whose .error sentence the script shows
    parent = coded.code("Læring")
    coded.move_code(code.id, parent.id)
    r = client.post(f"/codes/{parent.id}/move", data={"parent": str(code.id)}, headers={"X-CSRF-Token": token})
    assert r.status_code == 400 and 'class="error"' in r.text and "under itself" in r.text
    # without the token nothing moves
    r = client.post(f"/codes/{code.id}/move", data={"parent": ""})
    assert r.status_code == 403 and coded.code(code.id).parent_id == parent.id
    script = (STATIC / "codebook.js").read_text(encoding="utf-8")
    assert '"X-CSRF-Token"' in script and '"/move"' in script and 'append("parent"' in script


def test_coder_tree_is_draggable_and_loads_the_script(coded: Project) -> None:
    html = client_for(coded, "carl").get("/codes").text
    assert '<script src="/static/codebook.js" defer></script>' in html
    assert html.count('draggable="true"') == len(coded.codes())
    assert 'id="drop-root"' in html


def test_merge_preview_names_counts_and_target_then_merges(coded: Project) -> None:
    client = client_for(coded, "lea")
    token = csrf_of(client)
    fejl, parent, tillid = coded.code("Læring gennem fejl"), coded.code("Læring"), coded.code("Tillid")
    r = client.post(f"/codes/{parent.id}/merge", data={"csrf": token, "target": str(tillid.id)})
    preview = htmllib.unescape(re.search(r'<p id="preview">(.*?)</p>', r.text, re.S).group(1))  # type: ignore[union-attr]
    assert "1 kodninger og 1 underkoder" in preview and "»Læring« til »Tillid«" in preview
    assert "har 1 kodninger nu og 2 bagefter" in preview  # Tillid's one from make_project, Læring's own one
    assert coded.code(parent.id)  # nothing happened yet
    r = client.post(f"/codes/{parent.id}/merge", data={"csrf": token, "target": str(tillid.id), "confirm": "yes"})
    assert r.status_code == 303
    assert coded.code(fejl.id).parent_id == tillid.id
    assert len(coded.codings(code=tillid.id)) == 2
    assert len(coded.codings(code=tillid.id, include_subcodes=True)) == 5


def test_delete_preview_counts_subtree(coded: Project) -> None:
    client = client_for(coded, "lea")
    parent = coded.code("Læring")
    r = client.post(f"/codes/{parent.id}/delete", data={"csrf": csrf_of(client)})
    preview = htmllib.unescape(re.search(r'<p id="preview">(.*?)</p>', r.text, re.S).group(1))  # type: ignore[union-attr]
    assert preview == "Slet »Læring«, dens 1 underkoder og deres 4 kodninger?"
    assert len(coded.codes()) == 3


# -- retrieval ---------------------------------------------------------------------------------------------------
def test_code_page_shows_passages_with_context_provenance_and_link(coded: Project) -> None:
    fejl = coded.code("Læring gennem fejl")
    html = client_for(coded, "rikke").get(f"/codes/{fejl.id}").text
    assert _passages(html) == ["lærer mest af fejlene", "opdager det i testen", "stoler på forslagene"]
    assert "3 kodede passager" in html
    source = next(s for s, _, _ in coded.sources() if s.title == "interview_søren")
    ordinal = next(g.ordinal for g in coded.segments(source.id) if "lærer mest" in LONG[g.start : g.end])
    assert f'href="/sources/{source.id}#seg-{ordinal}"' in html
    first = re.search(r'<li id="p\d+">.*?</li>', html, re.S).group(0)  # type: ignore[union-attr]
    assert "Multimediedesignere · WP3" in first and "Søren" in first and "Forsker A" in first
    # context either side of the coded words, cut at whole words
    assert re.search(r"Søren: Vi <mark[^>]*>lærer mest af fejlene</mark>, når Copilot", htmllib.unescape(first))
    assert "Forsker Ø" in html


def test_subtree_includes_subcodes(coded: Project) -> None:
    parent = coded.code("Læring")
    client = client_for(coded, "rikke")
    assert _passages(client.get(f"/codes/{parent.id}").text) == ["små ændringer"]
    assert len(_passages(client.get(f"/codes/{parent.id}?sub=1").text)) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("coder=Forsker+%C3%98", ["stoler på forslagene"]),
        ("coder=Forsker+A", ["lærer mest af fejlene", "opdager det i testen"]),
        ("wp=3", ["lærer mest af fejlene", "opdager det i testen", "stoler på forslagene"]),
        ("wp=2", []),
        ("track=TRACK_SWU", []),
        ("track=TRACK_MMD", ["lærer mest af fejlene", "opdager det i testen", "stoler på forslagene"]),
    ],
)
def test_retrieval_filters(coded: Project, query: str, expected: list[str]) -> None:
    tracks = {t.prefix: t.id for t in coded.tracks()}
    query = query.replace("TRACK_SWU", str(tracks["SWU"])).replace("TRACK_MMD", str(tracks["MMD"]))
    fejl = coded.code("Læring gennem fejl")
    html = client_for(coded, "rikke").get(f"/codes/{fejl.id}?{query}").text
    assert _passages(html) == expected
    assert f"{len(expected)} kodede passager" in html


def test_participant_filter_by_speaker_and_by_source_link(coded: Project) -> None:
    fejl = coded.code("Læring gennem fejl")
    source = next(s for s, _, _ in coded.sources() if s.title == "interview_søren")
    person = coded.add_participant("MMD", role="Designer")
    other = coded.add_participant("MMD", role="Udvikler")
    client = client_for(coded, "rikke")
    assert _passages(client.get(f"/codes/{fejl.id}?participant={person.id}").text) == []
    _link(coded, source.id, person.id)
    assert len(_passages(client.get(f"/codes/{fejl.id}?participant={person.id}").text)) == 3
    assert _passages(client.get(f"/codes/{fejl.id}?participant={other.id}").text) == []


def _link(project: Project, source_id: int, participant_id: int) -> None:
    from aia.store.database import write
    from aia.store.schema import source_participants

    with write(project.engine) as conn:
        conn.execute(source_participants.insert().values(source_id=source_id, participant_id=participant_id))


def test_filters_run_in_sql_and_page(coded: Project) -> None:
    fejl = coded.code("Læring gennem fejl")
    page = coded.retrieve_page(fejl.id, limit=2)
    assert page.total == 3 and len(page.passages) == 2 and page.has_more
    rest = coded.retrieve_page(fejl.id, limit=2, offset=2)
    assert rest.total == 3 and [p.text for p in rest.passages] == ["stoler på forslagene"]
    assert coded.retrieve_page(fejl.id, limit=2, offset=10).total == 3
    only = coded.retrieve_page(fejl.id, filters=RetrievalFilters(coders=["Forsker Ø"]))
    assert only.total == 1 and only.passages[0].coder == "Forsker Ø"
    assert coded.coders(fejl.id) == ["Forsker A", "Forsker Ø"]
    # the CLI's retrieval slices its texts the same way (one window per source)
    texts = [(x.text, x.speaker, x.coder) for x in coded.retrieve(fejl.id)]
    assert texts == [
        ("lærer mest af fejlene", "Søren", "Forsker A"),
        ("opdager det i testen", "Søren", "Forsker A"),
        ("stoler på forslagene", "Åse", "Forsker Ø"),
    ]


def test_code_page_paging_links_keep_filters(coded: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page, "PAGE_SIZE", 2)
    fejl = coded.code("Læring gennem fejl")
    client = client_for(coded, "rikke")
    html = client.get(f"/codes/{fejl.id}?wp=3").text
    assert _passages(html) == ["lærer mest af fejlene", "opdager det i testen"]
    nxt = re.search(r'<a href="([^"]+)" rel="next">', html)
    assert nxt is not None and "wp=3" in nxt.group(1)
    html = client.get(htmllib.unescape(nxt.group(1))).text
    assert _passages(html) == ["stoler på forslagene"] and 'rel="prev"' in html and 'rel="next"' not in html


# -- collapsible tree, a move picker per code, memos on the code page, passages built in Python (h10) ------------
def test_tree_nests_subcodes_in_collapsible_details(coded: Project) -> None:
    parent, child = coded.code("Læring"), coded.code("Læring gennem fejl")
    for who in ("rikke", "carl"):
        html = client_for(coded, who).get("/codes").text
        node = re.search(
            rf'<details class="node" data-node="{parent.id}" open><summary>(.*?)</summary>(.*)', html, re.S
        )
        assert node is not None, who
        assert f'href="/codes/{parent.id}"' in node.group(1)  # the parent's own line is the summary
        inner = node.group(2).split("</details>\n</li>")[0]
        assert f'id="code-{child.id}"' in inner  # the subcode lives inside the parent's details
        assert f'data-node="{child.id}"' not in html  # a leaf has nothing to fold
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    assert '"aia.codes.closed"' in script and "localStorage" in script and '"toggle"' in script


def test_move_picker_per_code_moves_by_path(coded: Project) -> None:
    client = client_for(coded, "carl")
    token = csrf_of(client)
    code, tillid = coded.code("Læring gennem fejl"), coded.code("Tillid")
    html = client.get("/codes").text
    assert html.count('name="parent_path" list="codes-dl"') == len(coded.codes())
    assert '<option value="Læring/Læring gennem fejl">' in html
    r = client.post(f"/codes/{code.id}/move", data={"csrf": token, "parent_path": "Tillid", "next": "/codes"})
    assert r.status_code == 303 and r.headers["location"] == "/codes"
    assert coded.code(code.id).parent_id == tillid.id
    r = client.post(f"/codes/{code.id}/move", data={"csrf": token, "parent_path": " "})
    assert r.status_code == 303 and coded.code(code.id).parent_id is None
    r = client.post(f"/codes/{code.id}/move", data={"csrf": token, "parent_path": "Findes ikke/Æbler"})
    assert r.status_code == 404 and 'class="error"' in r.text  # no such code: nothing moves
    assert coded.code(code.id).parent_id is None
    # a reader has no pickers (and the route refuses)
    assert "parent_path" not in client_for(coded, "rikke").get("/codes").text


def test_code_page_shows_memos_linked_to_the_code(coded: Project) -> None:
    fejl = coded.code("Læring gennem fejl")
    memo = coded.add_memo("Fejl som læring", "Søren og Åse *lærer* af fejl.")
    coded.link_memo(memo.id, "code", fejl.id)
    coded.add_memo("Om noget andet", "Ikke om koden.")
    html = client_for(coded, "carl").get(f"/codes/{fejl.id}").text
    box = html.split('<section class="memo-box">')[1].split("</section>")[0]
    assert "Fejl som læring" in box and "<em>lærer</em>" in box and "Om noget andet" not in box
    assert f'href="/memos?link_type=code&amp;link_target={fejl.id}#new"' in box
    assert "link_type=code" not in client_for(coded, "rikke").get(f"/codes/{fejl.id}").text


_TEXT = st.text(alphabet=st.sampled_from(list("aæøå😀<>&\"' \n")), max_size=20)


@settings(max_examples=40, deadline=None)
@given(text=_TEXT, before=_TEXT, after=_TEXT, title=_TEXT, comment=st.one_of(st.none(), _TEXT))
def test_passages_html_escapes_and_keeps_every_text(
    text: str, before: str, after: str, title: str, comment: str | None
) -> None:
    from dataclasses import replace

    base = Passage(
        1,
        2,
        "Kode <b>",
        "#aabbcc",
        3,
        title,
        0,
        len(text),
        before,
        text,
        after,
        "Forsker <Ø>",
        comment,
        "2026-03-12T10:00:00+00:00",
        1,
        "SWU",
        2,
        None,
        None,
        None,
        None,
        None,
        None,
    )
    shown = page.Shown(replace(base), before, after, "/sources/3#o0", "SWU · WP2")
    html = str(page.passages_html([shown], "Koder", with_code=True))
    assert "<b>" not in html and "<Ø>" not in html
    mark = re.search(r'<mark class="c2">(.*?)</mark>', html, re.S)
    assert mark is not None and htmllib.unescape(mark.group(1)) == text
    quote = re.search(r"<blockquote>(.*?)<mark", html, re.S)
    assert quote is not None and htmllib.unescape(quote.group(1)) == before
    link = re.search(r'<a href="/sources/3#o0">(.*?)</a>', html, re.S)
    assert link is not None and htmllib.unescape(link.group(1)) == title
    assert ('class="comment"' in html) == bool(comment)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_passage_context_slices_the_source(coded: Project, data: st.DataObject) -> None:
    """before + text + after is the source text around the coding (code points), for any context size."""
    context = data.draw(st.integers(0, 200))
    code = coded.code("Læring gennem fejl")
    for p in coded.retrieve_page(code.id, context=context).passages:
        text = coded.source(p.source_id).text
        assert p.text == text[p.start : p.end]
        assert p.before == text[max(0, p.start - context) : p.start]
        assert p.after == text[p.end : p.end + context]


# -- the one browser test: drag a code onto another ----------------------------------------------------------------
@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    root = tmp_path_factory.mktemp("codebook")
    project = make_project(root)
    ids = {"parent": project.add_code("Læring").id, "child": project.add_code("Fejl og æøå").id}
    project.close()
    with serving(root / "projekt") as url:
        yield url, ids


def test_browser_drag_a_code_onto_another(served: tuple[str, dict[str, int]]) -> None:
    url, ids = served
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), headless=True, args=FLAGS)
        try:
            page = browser.new_page()
            page.goto(url + "/login?next=/codes")
            page.fill("#username", "carl")
            page.fill("#password", PASSWORD)
            page.click("#login")
            expect(page).to_have_url(url + "/codes")
            child = page.locator(f"#code-{ids['child']}")
            expect(child).to_have_attribute("data-parent", "")
            page.drag_and_drop(f"#code-{ids['child']}", f"#code-{ids['parent']}")
            # the script posts the move and reloads the page: wait for the new tree
            expect(child).to_have_attribute("data-parent", str(ids["parent"]))
            page.reload()
            expect(child).to_have_attribute("data-parent", str(ids["parent"]))
            expect(child).to_have_class(re.compile(r"\bdepth-1\b"))
            # and back to the top level
            page.drag_and_drop(f"#code-{ids['child']}", "#drop-root")
            expect(child).to_have_attribute("data-parent", "")
            expect(page.locator("#move-error")).to_be_hidden()
        finally:
            browser.close()
