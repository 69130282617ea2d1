"""The source viewer: coding details on demand, editing and removing codings (rights per role), the searchable
picker, chunked loading and page weight, structure by kind (AI-log turns, netnography posts), escaping."""

from __future__ import annotations

import copy
import html as htmllib
import itertools
import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from webhelpers import INTERVIEW, client_for, csrf_of

import aia
from aia.errors import NotAllowedError, NotFoundError
from aia.privacy.kdf import Argon2idParams, ScryptParams, argon2_available
from aia.project import Project
from aia.services.webviews import ViewerChunk
from aia.store.webviews import CodingSpan, SegmentBounds
from aia.web.pages.sources import segments_html

SHARED = Path(__file__).resolve().parents[2] / "../shared/data"
STACKEXCHANGE = SHARED / "stackexchange/bicycles.meta.stackexchange.com"
CLAUDE = Path(__file__).resolve().parents[1] / "ailogs/data/claude_conversations.json"
SEGMENT = (
    r'<div class="s[^"]*" id="seg-(\d+)">(?:<div class="m">.*?</div>)?<div class="x" data-o="(\d+)">(.*?)</div></div>\n'
)
EVIL = "</script><img src=x onerror=alert(1)>"


def _source_id(project: Project) -> int:
    return project.sources()[0][0].id


def _carls_coding(project: Project, client: TestClient) -> int:
    """Carl codes "Copilot" (with a new code) through the picker; returns the coding's id."""
    start = INTERVIEW.index("Copilot")
    r = client.post(
        f"/sources/{_source_id(project)}/codings",
        data={"csrf": csrf_of(client), "start": str(start), "end": str(start + 7), "code": "Værktøjer"},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/sources/{_source_id(project)}#o{start}"
    return next(c.id for c in project.codings() if c.coder == "carl")


# -- details fragment --------------------------------------------------------------------------------------------
def test_coding_details_fragment_shows_code_coder_time_comment_and_memos(webproject: Project) -> None:
    source_id = _source_id(webproject)
    coding = webproject.codings()[0]
    webproject.edit_coding(coding.id, comment="Interviewerens første spørgsmål – vigtigt for tilliden")
    webproject.add_memo("Om spørgsmålet", "Spørgsmålet er *åbent*.", "coding", coding.id)
    client = client_for(webproject, "rikke")
    r = client.get(f"/sources/{source_id}/codings/{coding.id}")
    assert r.status_code == 200
    text = r.text
    assert '<span class="swatch c' in text and "Tillid" in text
    assert '<dd class="coder">Forsker A</dd>' in text
    assert "Interviewerens første spørgsmål – vigtigt for tilliden" in text
    assert coding.created_at[:10] in text
    assert "Om spørgsmålet" in text
    assert "<blockquote>Interviewer</blockquote>" in text  # the coded text
    assert "<form" not in text  # a reader gets no controls
    # the page does not list the codings any more: details come on demand
    page = client.get(f"/sources/{source_id}").text
    assert "Interviewerens første spørgsmål" not in page
    assert f'data-c="{coding.id}"' in page


def test_coding_details_of_a_missing_coding_or_another_source(webproject: Project) -> None:
    client = client_for(webproject, "rikke")
    source_id = _source_id(webproject)
    assert client.get(f"/sources/{source_id}/codings/9999").status_code == 404
    other = webproject.import_bytes(
        "Mette: Et andet interview – om ChatGPT på færgen.\n".encode(), "andet.txt", track="SWU", wp=2
    )
    coding = webproject.codings()[0]
    assert client.get(f"/sources/{other.source_id}/codings/{coding.id}").status_code == 400


def test_comment_is_escaped_everywhere(webproject: Project) -> None:
    coding = webproject.codings()[0]
    lea = client_for(webproject, "lea")
    r = lea.post(
        f"/sources/{_source_id(webproject)}/codings/{coding.id}",
        data={"csrf": csrf_of(lea), "comment": EVIL, "code": "Tillid"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200
    assert webproject.coding(coding.id).comment == EVIL
    for client in (lea, client_for(webproject, "rikke")):
        html = client.get(f"/sources/{_source_id(webproject)}/codings/{coding.id}").text
        assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
        assert "<img" not in html and "</script>" not in html


# -- editing and removing: rights per role -----------------------------------------------------------------------
def test_coder_edits_and_removes_only_own_codings(webproject: Project) -> None:
    carl = client_for(webproject, "carl")
    token = csrf_of(carl)
    source_id = _source_id(webproject)
    others = webproject.codings()[0]  # made by Forsker A
    # another's coding: no controls, and the routes refuse
    assert "<form" not in carl.get(f"/sources/{source_id}/codings/{others.id}").text.split("<details>")[0]
    r = carl.post(f"/sources/{source_id}/codings/{others.id}", data={"csrf": token, "comment": "Min mening"})
    assert r.status_code == 400 and "Forsker A" in r.text
    assert carl.post(f"/codings/{others.id}/delete", data={"csrf": token}).status_code == 400
    assert webproject.coding(others.id).comment is None
    # own coding: comment, then another code (made on the spot under an existing parent), then remove
    mine = _carls_coding(webproject, carl)
    assert webproject.code(webproject.coding(mine).code_id).name == "Værktøjer"
    fragment = carl.get(f"/sources/{source_id}/codings/{mine}").text
    assert (
        f'action="/sources/{source_id}/codings/{mine}"' in fragment and f'action="/codings/{mine}/delete"' in fragment
    )
    r = carl.post(
        f"/sources/{source_id}/codings/{mine}",
        data={"csrf": token, "comment": "Nævnt uden tøven", "code": "Værktøjer"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "HX-Refresh" not in r.headers
    assert "Nævnt uden tøven" in r.text
    assert webproject.coding(mine).comment == "Nævnt uden tøven"
    r = carl.post(
        f"/sources/{source_id}/codings/{mine}",
        data={"csrf": token, "comment": "Nævnt uden tøven", "code": "Tillid/Tillid til værktøjer"},
        headers={"HX-Request": "true"},
    )
    assert r.headers.get("HX-Refresh") == "true"  # the highlight's colour changed
    code = webproject.code(webproject.coding(mine).code_id)
    assert code.name == "Tillid til værktøjer" and code.parent_id == webproject.code("Tillid").id
    r = carl.post(f"/codings/{mine}/delete", data={"csrf": token})
    assert r.status_code == 303
    assert [c.id for c in webproject.codings()] == [others.id]


def test_lead_edits_anyones_coding_and_reader_none(webproject: Project) -> None:
    coding = webproject.codings()[0]
    source_id = _source_id(webproject)
    rikke = client_for(webproject, "rikke")
    r = rikke.post(f"/sources/{source_id}/codings/{coding.id}", data={"csrf": csrf_of(rikke), "comment": "Nej"})
    assert r.status_code == 403
    lea = client_for(webproject, "lea")
    r = lea.post(f"/sources/{source_id}/codings/{coding.id}", data={"csrf": csrf_of(lea), "comment": "Lederens note"})
    assert r.status_code == 303  # without htmx: back to the viewer
    assert webproject.coding(coding.id).comment == "Lederens note"
    assert webproject.coding(coding.id).coder == "Forsker A"  # the coder stays
    r = lea.post(f"/sources/{source_id}/codings/{coding.id}", data={"csrf": csrf_of(lea), "comment": ""})
    assert webproject.coding(coding.id).comment is None  # an empty comment removes it


def test_service_edit_and_remove_with_only_own(webproject: Project) -> None:
    coding = webproject.codings()[0]  # made by Forsker A
    as_carl = copy.copy(webproject)
    as_carl.user = "carl"
    with pytest.raises(NotAllowedError, match="Forsker A"):
        as_carl.edit_coding(coding.id, comment="Nej", only_own=True)
    with pytest.raises(NotAllowedError):
        as_carl.remove_coding(coding.id, only_own=True)
    with pytest.raises(NotFoundError):
        as_carl.edit_coding(9999, comment="Nej")
    edited = webproject.edit_coding(
        coding.id, code=webproject.add_code("Vane").id, comment="  Flyttet  ", only_own=True
    )
    assert (edited.comment, edited.start, edited.end, edited.coder) == (
        "Flyttet",
        coding.start,
        coding.end,
        "Forsker A",
    )
    assert webproject.remove_coding(coding.id, only_own=True).id == coding.id
    assert webproject.codings() == []


def test_memo_on_a_coding_from_the_details(webproject: Project) -> None:
    carl = client_for(webproject, "carl")
    coding = webproject.codings()[0]
    r = carl.post(
        f"/sources/{_source_id(webproject)}/codings/{coding.id}/memos",
        data={"csrf": csrf_of(carl), "title": "Tvivl om koden", "body": "Er det *tillid* eller vane?"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "Tvivl om koden" in r.text
    [memo] = webproject.memos("coding", coding.id)
    assert memo.author == "carl" and memo.body == "Er det *tillid* eller vane?"


# -- the picker --------------------------------------------------------------------------------------------------
def test_picker_is_a_searchable_list_of_code_paths(webproject: Project) -> None:
    webproject.add_code("Skepsis", parent="Tillid")
    html = client_for(webproject, "carl").get(f"/sources/{_source_id(webproject)}").text
    assert '<input name="code" id="pick-code" list="codes-dl"' in html
    options = re.findall(r'<option value="([^"]*)">', html.split('<datalist id="codes-dl">')[1].split("</datalist>")[0])
    assert options == ["Tillid", "Tillid/Skepsis"]


def test_picker_applies_existing_code_by_path_or_refuses_a_missing_parent(webproject: Project) -> None:
    skepsis = webproject.add_code("Skepsis", parent="Tillid")
    carl = client_for(webproject, "carl")
    token = csrf_of(carl)
    url = f"/sources/{_source_id(webproject)}/codings"
    assert carl.post(url, data={"csrf": token, "start": "0", "end": "5", "code": "tillid/skepsis"}).status_code == 303
    assert [c.code_id for c in webproject.codings() if c.coder == "carl"] == [skepsis.id]
    r = carl.post(url, data={"csrf": token, "start": "0", "end": "5", "code": "Findes ikke/Ny kode"})
    assert r.status_code == 400 and "Findes ikke" in r.text
    assert len(webproject.codes()) == 2


# -- page weight and chunks --------------------------------------------------------------------------------------
def _big_project(root: Path) -> tuple[Project, int]:
    rng = random.Random(7)
    words = re.findall(r"\w+", "vi bruger copilot hver dag til kodegennemgang, men udviklerne er skeptiske over for")
    words += re.findall(r"\w+", "forslag fra chatgpt når det gælder sikkerhed og persondata på tværs af teamet")
    text = "\n\n".join(
        f"{'Interviewer' if i % 2 == 0 else 'Mette'}: " + " ".join(rng.choice(words) for _ in range(rng.randint(8, 30)))
        for i in range(2000)
    )
    project = aia.init_project(root / "stor", user="Forsker A")
    project.add_track("Softwareudviklere", prefix="SWU")
    result = project.import_bytes((text + "\n").encode(), "stort_interview.txt", track="SWU", wp=2)
    assert result.source_id is not None
    codes = [project.add_code(f"Kode {i}") for i in range(20)]
    segments = project.segments(result.source_id)
    for i in range(300):
        seg = segments[rng.randrange(len(segments))]
        a = rng.randint(seg.start, seg.end - 2)
        project.add_coding(result.source_id, a, min(seg.end, a + rng.randint(1, 60)), codes[i % 20].id)
    project.add_account("lea", "hemmeligt-kodeord", "lead")
    return project, result.source_id


def test_viewer_first_load_stays_under_300_kb_and_chunks_load_the_rest(tmp_path: Path) -> None:
    project, source_id = _big_project(tmp_path)
    try:
        client = client_for(project, "lea")
        html = client.get(f"/sources/{source_id}").text
        assets = re.findall(r'(?:src|href)="(/static/[^"]+|/codes.css)"', html)
        assert "/static/htmx.min.js" in assets and "/codes.css" in assets
        weight = len(html.encode()) + sum(len(client.get(a).content) for a in assets)
        assert weight < 300 * 1024, weight
        # follow the "more" markers: every segment exactly once, in order, each text block its segment's text
        segments = project.segments(source_id)
        source_text = project.source(source_id).text
        seen: list[int] = []
        page = html
        while True:
            for ordinal, offset, body in re.findall(
                SEGMENT,
                page,
                re.S,
            ):
                seg = segments[int(ordinal)]
                assert int(offset) == seg.start
                assert htmllib.unescape(re.sub(r"<[^>]+>", "", body)) == source_text[seg.start : seg.end]
                seen.append(int(ordinal))
            more = re.search(r'hx-get="(/sources/\d+/segments\?from=\d+)"', page)
            if more is None:
                break
            page = client.get(more.group(1)).text
        assert seen == list(range(len(segments)))
        assert len(re.findall(r'class="s"', html)) < len(segments)  # the first load is only a part
        whole = client.get(f"/sources/{source_id}?all=1").text
        assert len(re.findall(r'id="seg-\d+"', whole)) == len(segments) and 'id="more"' not in whole
    finally:
        project.close()


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet="aæøå😀 <>&\"'\n", min_size=1, max_size=40),
    cuts=st.lists(st.integers(0, 40), max_size=5),
    spans=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(1, 3)), max_size=6),
)
def test_segments_html_keeps_text_and_offsets(text: str, cuts: list[int], spans: list[tuple[int, int, int]]) -> None:
    """Whatever the segments and codings: each text block holds exactly its segment's text (escaped), starts at its
    offset, and every coded piece lies inside the codings it names."""
    base = 5
    points = sorted({0, len(text), *(c for c in cuts if c <= len(text))})
    bounds = [
        SegmentBounds(i, "turn", base + a, base + b, None, None, "{}")
        for i, (a, b) in enumerate(itertools.pairwise(points))
    ]
    codings = sorted(
        (
            CodingSpan(i + 1, code, base + min(a, b), base + max(a, b) + 1, "x")
            for i, (a, b, code) in enumerate(spans)
            if min(a, b) < len(text)
        ),
        key=lambda c: (c.start, c.id),
    )
    out = str(segments_html(ViewerChunk(bounds, codings, base, text, None), lambda key: key))
    blocks = re.findall(r'<div class="x" data-o="(\d+)">(.*?)</div></div>\n', out, re.S)
    assert len(blocks) == len(bounds)
    by_id = {c.id: c for c in codings}
    for seg, (offset, body) in zip(bounds, blocks, strict=True):
        assert int(offset) == seg.start
        assert htmllib.unescape(re.sub(r"<[^>]+>", "", body)) == text[seg.start - base : seg.end - base]
        pos = seg.start
        for ids, piece in re.findall(
            r'(?:<span class="c\d+(?: overlap)?" data-c="([\d ]+)">)?([^<]*)(?:</span>)?', body
        ):
            n = len(htmllib.unescape(piece))
            for cid in ids.split():
                assert by_id[int(cid)].start <= pos and pos + n <= by_id[int(cid)].end
            pos += n


# -- structure by kind -------------------------------------------------------------------------------------------
def test_ai_log_turns_show_model_and_code_blocks_as_pre(webproject: Project) -> None:
    [result, *_] = webproject.import_ai_logs([CLAUDE], track="SWU", wp=1)
    assert result.source_id is not None
    segments = webproject.segments(result.source_id)
    blocks = [b for s in segments for b in s.meta.get("code_blocks", [])]
    assert blocks
    source_text = webproject.source(result.source_id).text
    html = client_for(webproject, "rikke").get(f"/sources/{result.source_id}").text
    pres = re.findall(r"<pre>(.*?)</pre>", html, re.S)
    assert [htmllib.unescape(re.sub(r"<[^>]+>", "", p)) for p in pres] == [
        source_text[b["start"] : b["end"]] for b in blocks
    ]
    models = {s.meta["model"] for s in segments if s.meta.get("model")}
    for model in models:
        assert f"<small>{htmllib.escape(model)}</small>" in html
    assert "user: Kan du gennemgå denne funktion?" in html


def test_netnography_thread_as_cards_with_author_score_depth_and_accepted_answer(tmp_path: Path) -> None:
    cheap = Argon2idParams(iterations=1, lanes=1, memory_kib=8) if argon2_available() else ScryptParams(n=2**10)
    project = aia.init_project(tmp_path / "netno", user="Forsker Ø")
    try:
        project.add_track("Softwareudviklere", prefix="SWU")
        project.create_keystore("rødgrød med fløde på æbleskiver", kdf=cheap)
        project.add_account("rikke", "hemmeligt-kodeord", "reader")
        result = project.import_corpus(STACKEXCHANGE, "SWU", "Cykler", sample_size=20, seed=7)
        client = client_for(project, "rikke")
        accepted_seen = deep_seen = 0
        for source_id in result.source_ids:
            segments = project.segments(source_id)
            html = client.get(f"/sources/{source_id}").text
            cards = re.findall(r'<div class="s card( d\d)?" id="seg-(\d+)"><div class="m">(.*?)</div>', html)
            assert len(cards) == len(segments)
            for depth_class, ordinal, head in cards:
                seg = segments[int(ordinal)]
                assert f"<b>{htmllib.escape(seg.speaker or '')}</b>" in head
                assert seg.speaker and seg.speaker.startswith("user_")  # a pseudonym, not a name
                assert (depth_class.strip() == f"d{seg.meta['depth']}") == (seg.meta["depth"] > 0)
                assert ("accepteret svar" in head) == (seg.meta["accepted"] is True)
                assert f"point {seg.meta['score']}" in head
                accepted_seen += seg.meta["accepted"] is True
                deep_seen += seg.meta["depth"] >= 2
        assert accepted_seen and deep_seen
    finally:
        project.close()


def test_coded_piece_markup_is_lean(webproject: Project) -> None:
    html = client_for(webproject, "rikke").get(f"/sources/{_source_id(webproject)}").text
    viewer = html.split('<div id="viewer"')[1].split("</aside>")[0]
    # no repeated class strings or per-piece offsets: one class per coded piece, offsets per text block
    assert viewer.count("data-o=") == len(webproject.segments(_source_id(webproject)))
    assert "hl " not in viewer and "<span data-o" not in viewer


@pytest.mark.parametrize("path", ["/sources/{sid}/segments", "/sources/{sid}/segments?from=x"])
def test_segments_route_needs_a_start(webproject: Project, path: str) -> None:
    client = client_for(webproject, "rikke")
    assert client.get(path.format(sid=_source_id(webproject))).status_code == 400
    assert client.get(f"/sources/{_source_id(webproject)}/segments?from=99").status_code == 404


# -- the selection's other action, review links, memos, keyboard, remove confirmation (h10) ----------------------
def test_picker_offers_a_critical_incident_over_the_selection(webproject: Project) -> None:
    source_id = _source_id(webproject)
    carl = client_for(webproject, "carl")
    html = carl.get(f"/sources/{source_id}").text
    picker = html.split('<form id="picker"')[1].split("</form>")[0]
    assert f'id="pick-incident" href="/incidents/new?source={source_id}"' in picker
    assert f'data-base="/incidents/new?source={source_id}"' in picker
    # the script appends the selection's code-point offsets; the incident form then shows that very text
    script = (Path(segments_html.__code__.co_filename).parent.parent / "static/app.js").read_text(encoding="utf-8")
    assert '"&start=" + a + "&end=" + b' in script
    phrase = "æøå-projektet 🚀"
    start = INTERVIEW.index(phrase)
    r = carl.get(f"/incidents/new?source={source_id}&start={start}&end={start + len(phrase)}")
    assert r.status_code == 200 and f"»{phrase}«" in r.text
    # a reader has no picker and so no incident link
    assert "pick-incident" not in client_for(webproject, "rikke").get(f"/sources/{source_id}").text


def test_only_the_lead_sees_the_review_links(webproject: Project) -> None:
    source_id = _source_id(webproject)
    link = f'href="/sources/{source_id}/review"'
    lea = client_for(webproject, "lea")
    assert link in lea.get(f"/sources/{source_id}").text and link in lea.get("/sources").text
    assert lea.get(f"/sources/{source_id}/review").status_code == 200
    for who in ("carl", "rikke"):
        client = client_for(webproject, who)
        assert link not in client.get(f"/sources/{source_id}").text
        assert link not in client.get("/sources").text


def test_viewer_shows_memos_about_the_source_and_its_places(webproject: Project) -> None:
    source_id = _source_id(webproject)
    about = webproject.add_memo("Om interviewet", "Mette taler **åbent** om fejl.")
    webproject.link_memo(about.id, "source", source_id)
    place = webproject.add_memo("Om et sted", "Her nævnes æøå-projektet.")
    start = INTERVIEW.index("æøå")
    webproject.link_memo(place.id, "place", source_id, start, start + 3)
    webproject.add_memo("Noget helt andet", "Ikke om kilden.")
    html = client_for(webproject, "carl").get(f"/sources/{source_id}").text
    box = html.split('<section class="memo-box">')[1].split("</section>")[0]
    assert "Om interviewet" in box and "Om et sted" in box and "Noget helt andet" not in box
    assert "<strong>åbent</strong>" in box  # Markdown rendered (and sanitised)
    assert f'href="/memos?link_type=source&amp;link_target={source_id}#new"' in box
    reader = client_for(webproject, "rikke").get(f"/sources/{source_id}").text
    assert "Om interviewet" in reader and "link_type=source" not in reader


def test_highlights_are_focusable_buttons(webproject: Project) -> None:
    html = client_for(webproject, "rikke").get(f"/sources/{_source_id(webproject)}").text
    spans = re.findall(r"<span [^>]*data-c=[^>]*>", html)
    assert spans and all('tabindex="0"' in s and 'role="button"' in s for s in spans)
    script = (Path(segments_html.__code__.co_filename).parent.parent / "static/app.js").read_text(encoding="utf-8")
    assert 'ev.key !== "Enter" && ev.key !== " "' in script


def test_removing_a_coding_asks_for_confirmation_first(webproject: Project) -> None:
    carl = client_for(webproject, "carl")
    mine = _carls_coding(webproject, carl)
    fragment = carl.get(f"/sources/{_source_id(webproject)}/codings/{mine}").text
    confirm = re.search(
        r'<details class="confirm"><summary class="remove">Fjern</summary>(.*?)</details>', fragment, re.S
    )
    assert confirm is not None
    assert "Fjern kodningen? Den kan ikke genskabes." in confirm.group(1)
    # the one form that removes sits inside the closed confirmation, its button says what happens
    assert fragment.count(f'action="/codings/{mine}/delete"') == 1
    assert f'action="/codings/{mine}/delete"' in confirm.group(1) and "Ja, fjern kodningen" in confirm.group(1)
    assert '<details class="confirm" open' not in fragment


def test_htmx_indicator_styles_come_from_the_stylesheet(webproject: Project) -> None:
    html = client_for(webproject, "rikke").get(f"/sources/{_source_id(webproject)}").text
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert meta is not None
    assert json.loads(meta.group(1))["includeIndicatorStyles"] is False
    css = (Path(segments_html.__code__.co_filename).parent.parent / "static/app.css").read_text(encoding="utf-8")
    assert ".htmx-request .htmx-indicator" in css and "<style" not in html
