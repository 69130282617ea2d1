"""Search over a small project: Danish stemming, phrases, prefixes, exclusion, filters, ranking and KWIC."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from search_helpers import ProjectBuilder, new_engine

from aia.errors import SearchSyntaxError, ValidationError
from aia.search import SearchFilters, SearchPage, search
from aia.store import fts5, schema
from aia.store.database import read, write
from aia.text.stemming import index_columns

S1 = [
    "Bilen holdt stille foran huset.",  # 0
    "Der var mange biler på vejen i dag.",  # 1
    "Bilerne kørte videre mod byen, og bilerne var røde.",  # 2
    "Udvikleren skrev ny kode til systemet.",  # 3
    "Vi taler om udviklingen af nye værktøjer.",  # 4
    "Den store bil var dyr, men den lille var billig.",  # 5
]
S2 = [
    "Udviklerne arbejdede med en gammel bil hele sommeren.",  # 0
    "Kunderne spurgte efter en e-mail om AI-værktøjet.",  # 1
    "Ingen nævnte noget om cykler eller busser.",  # 2
]
S3 = ["Bil, bil og bil: altid bilen."]


@dataclass
class Project:
    engine: sa.Engine
    track_a: int
    track_b: int
    act_a: int
    act_b: int
    p1: int
    p2: int
    s1: int
    s2: int
    s3: int
    seg1: list[int]
    seg2: list[int]
    seg3: list[int]
    code_cars: int
    code_other: int

    def search(self, query: str, filters: SearchFilters | None = None, **kw: int) -> SearchPage:
        with read(self.engine) as conn:
            return search(conn, query, filters, **kw)

    def ids(self, query: str, filters: SearchFilters | None = None) -> set[int]:
        page = self.search(query, filters, limit=100)
        assert page.total == len(page.hits)
        return {h.segment_id for h in page.hits}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    engine = new_engine(Path(tmp_path_factory.mktemp("search")))
    b = ProjectBuilder(engine)
    track_a, track_b = b.track("Sundhed", "S"), b.track("Byggeri", "B")
    wp_a1, wp_b2 = b.work_package(track_a, 1), b.work_package(track_b, 2)
    act_a = b.activity(wp_a1, "Interview på hospitalet", "2024-03-01")
    act_b = b.activity(wp_b2, "Workshop på byggepladsen", "2024-09-10")
    p1, p2 = b.participant(track_a, "P001"), b.participant(track_b, "P002")
    s1, seg1 = b.source(wp_a1, S1, title="Interview 1", activity_id=act_a)
    s2, seg2 = b.source(wp_b2, S2, title="Workshop", activity_id=act_b, date="2024-09-12", linked_participants=[p2])
    s3, seg3 = b.source(wp_a1, S3, title="Noter", date="2023-01-05", speakers=[p1])
    code_cars, code_other = b.code("Biler"), b.code("Andet")
    with read(engine) as conn:
        text = conn.execute(sa.text("SELECT text FROM sources WHERE id = :id"), {"id": s1}).scalar_one()
    # a coding spanning the end of paragraph 1 and the start of paragraph 2 of source 1
    start = text.index("vejen")
    b.coding(s1, code_cars, start, text.index("kørte"))
    b.coding(s2, code_other, 0, 5)
    yield Project(engine, track_a, track_b, act_a, act_b, p1, p2, s1, s2, s3, seg1, seg2, seg3, code_cars, code_other)
    engine.dispose()


def test_inflected_form_finds_other_inflections(project: Project) -> None:
    found = project.ids("bilerne")
    assert {project.seg1[0], project.seg1[1], project.seg1[2], project.seg1[5]} <= found
    assert {project.seg2[0], project.seg3[0]} <= found
    assert project.seg1[3] not in found


def test_agent_noun_inflections(project: Project) -> None:
    assert project.ids("udviklerne") == {project.seg1[3], project.seg2[0]}
    assert project.ids("Udvikleren") == {project.seg1[3], project.seg2[0]}


def test_phrase(project: Project) -> None:
    assert project.ids('"store bil"') == {project.seg1[5]}
    assert project.ids('"bil store"') == set()
    # a hyphenated word is a phrase of its parts
    assert project.ids("e-mail") == {project.seg2[1]}
    assert project.ids("AI-værktøjer") == {project.seg2[1]}


def test_prefix(project: Project) -> None:
    assert project.ids("udvikl*") == {project.seg1[3], project.seg1[4], project.seg2[0]}
    assert project.ids("bill*") == {project.seg1[5]}  # "billig", not "bil"
    # a prefix longer than the stem still finds the inflected word ("bilerne" is stored with stem "bil")
    assert project.ids("bilern*") == {project.seg1[2]}
    # a prefix that is a whole stem finds every form, and words that are their own stem
    assert project.ids("bil*") >= {project.seg1[0], project.seg1[1], project.seg1[2], project.seg1[5]}


def test_exclusion(project: Project) -> None:
    assert project.seg1[2] in project.ids("bil")
    assert project.seg1[2] not in project.ids("bil -røde")
    assert project.seg1[2] not in project.ids("bil NOT rød")
    assert project.seg1[5] not in project.ids('bil -"den lille"')
    assert project.ids("bil -bil") == set()


def test_and_and_or(project: Project) -> None:
    assert project.ids("bil huset") == {project.seg1[0]}
    assert project.ids("bil AND huset") == {project.seg1[0]}
    assert project.ids("huset OR kunden") == {project.seg1[0], project.seg2[1]}
    assert project.ids("cykler OR kunden e-mail") == {project.seg2[1]}


def test_filters_narrow(project: Project) -> None:
    everything = project.ids("bil")
    by_track = project.ids("bil", SearchFilters(track_ids=[project.track_b]))
    assert by_track == {project.seg2[0]}
    assert project.ids("bil", SearchFilters(wp_numbers=[1])) == everything - by_track
    assert project.ids("bil", SearchFilters(activity_ids=[project.act_a])) == {project.seg1[i] for i in (0, 1, 2, 5)}
    assert project.ids("bil", SearchFilters(source_ids=[project.s3])) == {project.seg3[0]}
    # participant: spoken by P1, or in a source linked to P2
    assert project.ids("bil", SearchFilters(participant_ids=[project.p1])) == {project.seg3[0]}
    assert project.ids("bil", SearchFilters(participant_ids=[project.p2])) == {project.seg2[0]}
    assert project.ids("bil", SearchFilters(participant_ids=[project.p1, project.p2])) == {
        project.seg3[0],
        project.seg2[0],
    }
    # code: segments overlapping a coding of it
    assert project.ids("bil", SearchFilters(code_ids=[project.code_cars])) == {
        project.seg1[1],
        project.seg1[2],
    }
    assert project.ids("bil", SearchFilters(code_ids=[project.code_other])) == {project.seg2[0]}
    # dates: the source's own date, else its activity's
    assert project.ids("bil", SearchFilters(date_from="2024-06-01")) == {project.seg2[0]}
    assert project.ids("bil", SearchFilters(date_to="2023-12-31")) == {project.seg3[0]}
    assert project.ids("bil", SearchFilters(date_from="2024-03", date_to="2024-03")) == {
        project.seg1[i] for i in (0, 1, 2, 5)
    }
    assert project.ids("bil", SearchFilters(date_to="2024")) == everything
    # filters combine with AND
    assert project.ids("bil", SearchFilters(track_ids=[project.track_a], date_from="2024-01-01")) == {
        project.seg1[i] for i in (0, 1, 2, 5)
    }
    assert project.ids("bil", SearchFilters(track_ids=[project.track_b], source_ids=[project.s1])) == set()
    # empty lists do not restrict
    assert project.ids("bil", SearchFilters(track_ids=[], code_ids=())) == everything


def test_bad_filters_and_paging(project: Project) -> None:
    with pytest.raises(ValidationError):
        SearchFilters(date_from="1. maj 2024")
    with pytest.raises(ValidationError):
        project.search("bil", limit=0)
    with pytest.raises(ValidationError):
        project.search("bil", offset=-1)


def test_ranking_more_hits_first(project: Project) -> None:
    page = project.search("bil")
    assert page.hits[0].segment_id == project.seg3[0]
    assert [h.rank for h in page.hits] == sorted(h.rank for h in page.hits)


def test_paging(project: Project) -> None:
    full = project.search("bil", limit=100)
    assert full.total == 6 and not full.has_more
    pages = [project.search("bil", limit=2, offset=o) for o in (0, 2, 4, 6)]
    assert all(p.total == 6 for p in pages)
    assert [h.segment_id for p in pages for h in p.hits] == [h.segment_id for h in full.hits]
    assert pages[0].has_more and not pages[3].hits


def test_hit_fields(project: Project) -> None:
    page = project.search("huset")
    (hit,) = page.hits
    assert hit.segment_id == project.seg1[0] and hit.source_id == project.s1
    assert hit.source_title == "Interview 1" and hit.track_name == "Sundhed" and hit.wp_number == 1
    assert hit.activity_title == "Interview på hospitalet" and hit.activity_date == "2024-03-01"
    assert hit.date == "2024-03-01" and hit.text == S1[0]
    (hit3,) = project.search("altid").hits
    assert hit3.speaker == "P1" and hit3.participant_id == project.p1 and hit3.activity_id is None
    assert hit3.date == "2023-01-05"
    (hit2,) = project.search("kunderne").hits
    assert hit2.text == S2[1] and hit2.start > 0 and hit2.end - hit2.start == len(S2[1])


def test_kwic_shows_original_words(project: Project) -> None:
    page = project.search("bilerne", SearchFilters(source_ids=[project.s1]))
    by_id = {h.segment_id: h for h in page.hits}
    hit = by_id[project.seg1[2]]
    assert [t for t, is_hit in hit.snippet if is_hit] == ["Bilerne", "bilerne"]
    assert "".join(t for t, _ in hit.snippet) == S1[2]
    assert [hit.text[s:e] for s, e in hit.hits] == ["Bilerne", "bilerne"]
    assert [t for t, is_hit in by_id[project.seg1[1]].snippet if is_hit] == ["biler"]
    prefix = project.search("udvikl*", SearchFilters(source_ids=[project.s1]))
    assert {t for h in prefix.hits for t, is_hit in h.snippet if is_hit} == {"Udvikleren", "udviklingen"}


@pytest.mark.parametrize("query", ["", "   ", "-bil", "NOT bil", "*", "-", "()", "😀", "_", '""'])
def test_nothing_to_search_is_a_syntax_error(project: Project, query: str) -> None:
    with pytest.raises(SearchSyntaxError):
        project.search(query)


def test_search_in_empty_project(builder: ProjectBuilder) -> None:
    with read(builder.engine) as conn:
        page = search(conn, "bil", SearchFilters(track_ids=[1], code_ids=[2], date_from="2020"))
    assert page.total == 0 and page.hits == ()


def test_index_follows_segment_updates_and_deletes(builder: ProjectBuilder) -> None:
    """Segments are indexed when stored; changing or deleting them (cascades included) updates the index."""
    track = builder.track("T", "T")
    source_id, segment_ids = builder.source(builder.work_package(track, 1), ["Bilen er rød.", "Bussen er gul."])
    with read(builder.engine) as conn:
        assert search(conn, "biler").total == 1
    stems, plain = index_columns("Cyklen er blå.")
    with write(builder.engine) as conn:
        conn.execute(
            schema.segments.update().where(schema.segments.c.id == segment_ids[0]).values(stem=stems, plain=plain)
        )
    with read(builder.engine) as conn:
        assert search(conn, "biler").total == 0
        assert search(conn, "cykler").total == 1
    with write(builder.engine) as conn:
        conn.execute(schema.sources.delete().where(schema.sources.c.id == source_id))
    with read(builder.engine) as conn:
        assert search(conn, "cykler").total == 0
        assert search(conn, "bussen").total == 0
    with write(builder.engine) as conn:
        fts5.check(conn)
