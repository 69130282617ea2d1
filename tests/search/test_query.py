"""Query parsing: the FTS5 expressions it renders, and that no input ever makes FTS5 fail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from search_helpers import ProjectBuilder, new_engine

from aia.errors import SearchSyntaxError
from aia.search import SearchFilters, parse_query, search
from aia.store.database import read


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ("bilerne", 'stem : "bil"'),
        ("Bilerne", 'stem : "bil"'),
        ('"store biler"', 'stem : "stor bil"'),
        ("e-mail", 'stem : "e mail"'),
        ("udvikl*", '(stem : "udvikl"* OR plain : "udvikl"*)'),
        ("bil huse", 'stem : "bil" AND stem : "hus"'),
        ("bil AND bus", 'stem : "bil" AND stem : "bus"'),
        ("bil OR bus", '(stem : "bil" OR stem : "bus")'),
        ("bil -bus", '(stem : "bil") NOT (stem : "bus")'),
        ("bil NOT bus", '(stem : "bil") NOT (stem : "bus")'),
        ("AND", 'stem : "and"'),
        ("bil OR", 'stem : "bil" AND stem : "or"'),
        ("a:b", 'stem : "a b"'),
        ('bil"', 'stem : "bil"'),
        ("bil bil", 'stem : "bil"'),
    ],
)
def test_rendering(query: str, match: str) -> None:
    assert parse_query(query).match == match


def test_highlight_terms() -> None:
    parsed = parse_query('bilerne "store huse" udvikl* -cykel e-mai*')
    assert parsed.stems == {"bil", "stor", "hus", "e"}
    assert parsed.plain == {"bilerne", "store", "huse", "e"}
    assert parsed.prefixes == ("udvikl", "mai")
    assert [str(t) for t in parsed.terms] == ["bilerne", '"store huse"', "udvikl*", '"e mai*"']
    assert [str(t) for t in parsed.excluded] == ["cykel"]


def test_or_binds_tighter_than_and() -> None:
    parsed = parse_query("bil OR bus elektrisk")
    assert [[str(t) for t in g] for g in parsed.groups] == [["bil", "bus"], ["elektrisk"]]


@pytest.mark.parametrize("query", ["-bil", "NOT bil", '-"store bil"', "-e-mail"])
def test_only_exclusions_is_explained(query: str) -> None:
    with pytest.raises(SearchSyntaxError, match="only excludes"):
        parse_query(query)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    engine = new_engine(Path(tmp_path_factory.mktemp("fuzz")))
    b = ProjectBuilder(engine)
    wp = b.work_package(b.track("T", "T"), 1)
    b.source(
        wp,
        [
            "Bilerne og udviklerne: AND, OR, NOT og NEAR er ord.",
            'Hun sagde "e-mail" (måske) 100% sikkert — 😀 stem: plain:',
            "Near the car, and or not.",
        ],
        date="2024-01-01",
    )
    yield engine
    engine.dispose()


def run(engine: sa.Engine, query: str) -> None:
    """The query either gives a page or SearchSyntaxError; anything else (sqlite/sqlalchemy errors) fails."""
    with read(engine) as conn:
        try:
            page = search(conn, query, limit=5)
        except SearchSyntaxError as e:
            assert str(e)
            return
        assert page.total >= len(page.hits)
        filtered = search(conn, query, SearchFilters(track_ids=[1], date_to="2024"), limit=5)
        assert filtered.total == page.total
        for hit in page.hits:
            assert "".join(t for t, _ in hit.snippet).strip()


EXPLICIT = [
    '"',
    'bil"',
    "(",
    ")",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(a b)",
    "NEAR(bil, 2)",
    "-",
    "--",
    "*",
    "**",
    "a:b",
    "OR OR",
    "AND AND bil",
    "bil AND",
    "NOT NOT",
    "'",
    "bil'",
    "^bil",
    "+bil",
    "{stem}: bil",
    "stem:bil",
    "plain : x",
    "bil*tog",
    "*bil",
    '"bil',
    '""',
    '""""',
    '"-"',
    '-"',
    "- bil",
    "bil -",
    "\x00",
    "bil\x00kat",
    "😀",
    "bil 😀",
    "a OR -b",
    "NOT -bil",
    "-bil OR kat",
    "bil NEAR/2 kat",
    "(bil OR kat) AND NOT hund",
    "_",
    "__init__",
    "bil_",
    "rowid",
    "segments_fts",
    "MATCH",
    "x NOT",
    "\\",
    "%",
    "$1",
    "ÆØÅ æøå",
]


@pytest.mark.parametrize("query", EXPLICIT)
def test_explicit_awkward_queries(engine: sa.Engine, query: str) -> None:
    run(engine, query)


_PIECES = st.sampled_from(
    [
        "AND",
        "OR",
        "NOT",
        "NEAR",
        "NEAR(",
        '"',
        "'",
        "-",
        "*",
        "(",
        ")",
        ":",
        "^",
        "+",
        "{",
        "}",
        ",",
        "/",
        "bil",
        "Bilerne",
        "udvikl*",
        "-udviklerne",
        "e-mail",
        "stem",
        "plain",
        "😀",
        "\x00",
        "\\",
        "_",
        "and",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=8), st.sampled_from([" ", "", "\t"]))
def test_any_query_is_safe(engine: sa.Engine, pieces: list[str], joiner: str) -> None:
    run(engine, joiner.join(pieces))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=40))
def test_any_text_is_safe(engine: sa.Engine, query: str) -> None:
    run(engine, query)
