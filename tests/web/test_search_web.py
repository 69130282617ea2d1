"""The search page: keyword in context, filters (forløb, WP, participant, kind of activity, code), paging, and
"apply code to all results" that respects the filters and says how many will be coded and how many already are."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from webhelpers import client_for, csrf_of

import aia.services.codesearch as codesearch
from aia.project import Project
from aia.store.database import write
from aia.store.schema import source_participants
from aia.web.pages import search as page

WORKSHOP = (
    "Facilitator: Hvilke værktøjer bruger I?\n\n"
    "Åse: Copilot, men kun når kunderne har sagt ja – ellers skriver vi selv.\n\n"
    "Facilitator: Og ChatGPT?\n\n"
    "Åse: Den bruger vi til at forklare fejl i koden for hinanden; Copilot skriver testene.\n"
)


@pytest.fixture
def two_tracks(webproject: Project) -> Project:
    """SWU WP2: the interview from make_project (one Copilot segment); MMD WP3: a workshop (two Copilot segments),
    linked to a participant."""
    p = webproject
    p.add_track("Multimediedesignere", prefix="MMD")
    act = p.add_activity("MMD", 3, "workshop", "Workshop om værktøjer", date="2026-04-02")
    imported = p.import_bytes(WORKSHOP.encode(), "workshop_åse.txt", activity=act.id)
    assert imported.source_id is not None
    person = p.add_participant("MMD", role="Designer")
    with write(p.engine) as conn:
        conn.execute(source_participants.insert().values(source_id=imported.source_id, participant_id=person.id))
    return p


def _titles(html: str) -> list[str]:
    return re.findall(r'<li><a href="/sources/\d+#seg-\d+">([^<]+)</a>', html)


def _q(project: Project, query: str) -> str:
    tracks = {t.prefix: t.id for t in project.tracks()}
    person = project.participants()[-1].id
    return query.format(swu=tracks["SWU"], mmd=tracks["MMD"], person=person)


def test_keyword_in_context_marks_danish_inflections(two_tracks: Project) -> None:
    html = client_for(two_tracks, "rikke").get("/search?q=kunde").text
    assert "<mark>kunderne</mark>" in html and "Copilot, men kun når" in htmllib.unescape(html)
    assert _titles(html) == ["workshop_åse"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=Copilot", {"interview_mette": 1, "workshop_åse": 2}),
        ("q=Copilot&track={swu}", {"interview_mette": 1}),
        ("q=Copilot&track={mmd}", {"workshop_åse": 2}),
        ("q=Copilot&wp=3", {"workshop_åse": 2}),
        ("q=Copilot&wp=4", {}),
        ("q=Copilot&kind=workshop", {"workshop_åse": 2}),
        ("q=Copilot&kind=interview", {}),
        ("q=Copilot&kind=ikke-en-type", {"interview_mette": 1, "workshop_åse": 2}),  # ignored
        ("q=Copilot&participant={person}", {"workshop_åse": 2}),
    ],
)
def test_search_filters(two_tracks: Project, query: str, expected: dict[str, int]) -> None:
    html = client_for(two_tracks, "rikke").get("/search?" + _q(two_tracks, query)).text
    titles = _titles(html)
    assert {t: titles.count(t) for t in titles} == expected
    assert f"{sum(expected.values())} resultater" in html


def test_code_filter(two_tracks: Project) -> None:
    tillid = two_tracks.code("Tillid")  # make_project codes "Interviewer" in the interview's first segment
    html = client_for(two_tracks, "rikke").get(f"/search?q=Copilot&code={tillid.id}").text
    assert _titles(html) == []
    html = client_for(two_tracks, "rikke").get(f"/search?q=teamet&code={tillid.id}").text
    assert _titles(html) == ["interview_mette"]


def test_paging_keeps_query_and_filters(two_tracks: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page, "PAGE_SIZE", 1)
    client = client_for(two_tracks, "rikke")
    html = client.get(_q(two_tracks, "/search?q=Copilot&track={mmd}")).text
    assert len(_titles(html)) == 1 and "(viser 1–1)" in html
    nxt = re.search(r'<a href="([^"]+)" rel="next">', html)
    assert nxt is not None
    url = htmllib.unescape(nxt.group(1))
    assert "q=Copilot" in url and f"track={two_tracks.track('MMD').id}" in url and "page=2" in url
    html = client.get(url).text
    assert _titles(html) == ["workshop_åse"] and 'rel="next"' not in html and 'rel="prev"' in html


def test_apply_respects_filters_and_counts_already_coded(two_tracks: Project) -> None:
    client = client_for(two_tracks, "carl")
    token = csrf_of(client)
    mmd = two_tracks.track("MMD").id
    code = two_tracks.add_code("Værktøjer")
    workshop = next(s for s, _, _ in two_tracks.sources() if s.title == "workshop_åse")
    segment = next(g for g in two_tracks.segments(workshop.id) if "testene" in workshop_text(two_tracks, g))
    two_tracks.add_coding(workshop.id, segment.start, segment.end, code.id)  # one result is coded already
    form = {"csrf": token, "q": "Copilot", "track": str(mmd), "code_id": str(code.id)}
    r = client.post("/search/apply", data=form)
    preview = htmllib.unescape(re.search(r'<p id="preview">(.*?)</p>', r.text, re.S).group(1))  # type: ignore[union-attr]
    assert preview == (
        "1 segmenter, som søgningen »Copilot« finder, kodes med »Værktøjer«; 1 er allerede kodet med den og "
        "springes over."
    )
    assert f'name="track" value="{mmd}"' in r.text  # the confirmation keeps the filter
    assert len(two_tracks.codings(code=code.id)) == 1  # nothing stored by the preview
    r = client.post("/search/apply", data={**form, "confirm": "yes"})
    applied = htmllib.unescape(re.search(r'<p class="ok" id="applied">(.*?)</p>', r.text).group(1))  # type: ignore[union-attr]
    assert applied == "1 segmenter kodet med »Værktøjer« (1 var allerede kodet)."
    coded = two_tracks.codings(code=code.id)
    assert {c.source_id for c in coded} == {workshop.id} and len(coded) == 2  # the SWU interview was filtered out
    assert all(c.coder == "carl" for c in coded if c.start != segment.start)
    # again: everything is coded already, the button is disabled
    r = client.post("/search/apply", data=form)
    assert "0 segmenter" in r.text and "2 er allerede kodet" in r.text and 'id="confirm" disabled' in r.text


def workshop_text(project: Project, segment: object) -> str:
    text = project.source(segment.source_id).text  # type: ignore[attr-defined]
    return text[segment.start : segment.end]  # type: ignore[attr-defined]


def test_apply_says_when_only_the_best_results_are_coded(two_tracks: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codesearch, "APPLY_LIMIT", 2)
    client = client_for(two_tracks, "carl")
    code = two_tracks.add_code("Værktøjer")
    r = client.post("/search/apply", data={"csrf": csrf_of(client), "q": "Copilot", "code_id": str(code.id)})
    limited = htmllib.unescape(re.search(r'<p id="limited">(.*?)</p>', r.text).group(1))  # type: ignore[union-attr]
    assert limited == "Søgningen finder 3 segmenter; kun de 2 bedste kodes."
    assert "2 segmenter, som søgningen" in htmllib.unescape(r.text)


def test_reader_cannot_apply(two_tracks: Project) -> None:
    client = client_for(two_tracks, "rikke")
    code = two_tracks.codes()[0]
    html = client.get("/search?q=Copilot").text
    assert 'action="/search/apply"' not in html
    r = client.post("/search/apply", data={"csrf": csrf_of(client), "q": "Copilot", "code_id": str(code.id)})
    assert r.status_code == 403
