"""The faster import paths (issue 5, Performance) store exactly what the general paths store.

* HTML: the fast converter for simple, well-formed bodies gives what nh3 + lxml give (real Stack Exchange bodies and
  generated HTML), and leaves everything else to that path.
* Sources and segments are inserted through the driver's executemany with the columns' own bind processors: the
  stored values (JSON text included) are the bytes SQLAlchemy Core stored.
* The stem cache gives PyStemmer's stems, also when it is emptied midway.
* Profile links in posts: the literal prefilter never skips a link the regexes would replace.
* The worker process: results in order, an error in the worker raised in the caller, a dying worker reported."""

from __future__ import annotations

import copy
import json
import operator
import os
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import Stemmer
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from nn_helpers import SE, keyed_project

from aia.netnography import model
from aia.netnography.html import html_to_text, sanitised_html_to_text, simple_html_to_text
from aia.netnography.parallel import ThreadWork, WorkerFailed
from aia.store import sources as sources_db
from aia.store.database import write
from aia.text import stemming

# --- HTML -----------------------------------------------------------------------------------------------------------


def _bodies(name: str, attr: str) -> list[str]:
    out = []
    for _ev, el in etree.iterparse(str(SE / name), tag="row"):
        value = el.get(attr)
        if value and ("<" in value or "&" in value):
            out.append(value)
        el.clear()
    return out


def test_fast_html_equals_the_sanitising_path_on_a_real_dump() -> None:
    bodies = _bodies("Posts.xml", "Body")
    fast = [(b, simple_html_to_text(b)) for b in bodies]
    taken = [(b, text) for b, text in fast if text is not None]
    assert len(taken) >= 0.6 * len(bodies)  # the fast path covers most real bodies
    for body, text in taken:
        assert text == sanitised_html_to_text(body), body[:200]
    # the comments and the edit history (Markdown with stray '<' and '&') as well
    for body in _bodies("Comments.xml", "Text")[:1500]:
        text = simple_html_to_text(body)
        assert text is None or text == sanitised_html_to_text(body), body[:200]


TAGS = ["p", "div", "pre", "code", "blockquote", "ul", "ol", "li", "a", "b", "i", "em", "strong", "h2", "span"]
OTHER_TAGS = ["script", "style", "table", "td", "font", "A", "P", "br/", "iframe"]
TEXTS = [
    "Hej Søren",
    "æøå ÆØÅ",
    " ",
    "\n",
    "\r\n",
    "  \t",
    "a &amp; b",
    "&lt;tag&gt;",
    "&quot;citat&quot; &#39;x&#39;",
    "&nbsp;",
    "&mdash;",
    "&#8212;",
    "&#x1F600;",
    "&#0;",
    "&#13;",
    "&#x85;",
    "&bogus;",
    "& ",
    "&",
    "&copy",
    "a < b",
    "x > y",
    "\x01",
    "\u0085",
    "<!-- kommentar -->",
    "<![CDATA[x]]>",
]
HREFS = [
    "https://example.org/a?b=1&amp;c=2",
    "http://x.dk",
    "/questions/1",
    "//evil.example",
    "javascript:alert(1)",
    "mailto:a@b.dk",
    "HTTPS://X.DK",
    "https://x.dk/æ",
    "https://x.dk/a b",
    "",
    "&#106;avascript:x",
]


@st.composite
def html_fragments(draw: Any, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 9))
        if kind < 4 or depth >= 3:
            parts.append(draw(st.sampled_from(TEXTS)))
        elif kind == 4:
            parts.append(draw(st.sampled_from(["<br>", "<br/>", "<hr>", '<img src="x.png" alt="y">', "</p>", "<li>"])))
        else:
            tag = draw(st.sampled_from(TAGS + OTHER_TAGS if kind == 9 else TAGS))
            attrs = ""
            if tag == "a" and draw(st.booleans()):
                quote = draw(st.sampled_from(['"', "'", ""]))
                href = draw(st.sampled_from(HREFS))
                if quote == "" and (not href or " " in href):
                    quote = '"'
                attrs = f" href={quote}{href}{quote}" + draw(st.sampled_from(["", ' rel="nofollow"', " title='t'"]))
            inner = draw(html_fragments(depth + 1))
            close = draw(st.sampled_from([f"</{tag}>"] * 6 + ["", f"</{tag.upper()}>"]))
            parts.append(f"<{tag}{attrs}>{inner}{close}")
    return "".join(parts)


@settings(max_examples=600, deadline=None)
@given(html_fragments())
def test_fast_html_equals_the_sanitising_path_on_generated_html(html: str) -> None:
    fast = simple_html_to_text(html)
    if fast is not None:
        assert fast == sanitised_html_to_text(html)
    assert html_to_text(html) == sanitised_html_to_text(html)


def test_fast_html_takes_the_usual_bodies_and_leaves_unsafe_ones() -> None:
    usual = (
        '<p>Jeg har prøvet <a href="https://example.org/x">det her</a> &amp; det <em>virker</em>.</p>\n'
        "<ul>\n<li>første</li>\n<li>andet</li>\n</ul>\n<pre><code>def svar():\n    return 1\n</code></pre>\n"
        "<blockquote>\n<p>citat</p>\n</blockquote>"
    )
    assert simple_html_to_text(usual) == sanitised_html_to_text(usual)
    assert simple_html_to_text(usual) is not None
    for unsafe in (
        "<p>a</p><script>alert('x')</script>",
        "<style>p {}</style><p>a</p>",
        '<a href="javascript:alert(1)">x</a>',
        "<p>a<!-- b --></p>",
        "<p>ikke lukket",
        "<p><div>blok i afsnit</div></p>",
    ):
        assert simple_html_to_text(unsafe) is None
        assert "alert" not in html_to_text(unsafe) and "p {}" not in html_to_text(unsafe)


# --- inserting sources ------------------------------------------------------------------------------------------------


def _new_source(n: int, wp_id: int) -> sources_db.NewSource:
    text = f"Første indlæg {n}\n\nSvar med æ, ø og å"
    values = {
        "wp_id": wp_id,
        "activity_id": None,
        "title": f"Tråd {n} om kunstig intelligens",
        "date": None if n % 2 else "2024-05-01",
        "language": "da",
        "importer": "netnography",
        "original_filename": f"tråd-{n}",
        "sha256": f"{n:064x}",
        "size": 100 + n,
        "text": text,
        "metadata": {"platform": "reddit", "tags": ["ai", "søgning"], "posts": 2, "none": None, "x": 1.5},
        "imported_by": "Forsker Ø",
    }
    rows = [
        {
            "ordinal": i,
            "kind": "post",
            "start": start,
            "end": end,
            "speaker": "user_abc123" if i else None,
            "participant_id": None,
            "start_ms": None,
            "end_ms": 1000 * i or None,
            "author": "user_abc123",
            "parent_ordinal": None if i == 0 else 0,
            "meta": {"time": "2024-05-01T12:00:00+00:00", "score": -2, "accepted": bool(i), "tekst": "æ\u2028"},
            "stem": "først indlæg",
            "plain": "første",
        }
        for i, (start, end) in enumerate([(0, 16), (18, len(text))])
    ]
    return sources_db.NewSource(values, rows, [])


def _stored(engine: sa.Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        sources = conn.exec_driver_sql(
            "SELECT id, wp_id, title, date, language, importer, original_filename, sha256, size, metadata, "
            "typeof(metadata), imported_by, text FROM sources ORDER BY id"
        ).all()
        segments = conn.exec_driver_sql(
            'SELECT id, source_id, ordinal, kind, start, "end", speaker, participant_id, start_ms, end_ms, author, '
            "parent_ordinal, meta, typeof(meta), typeof(start_ms), stem, plain FROM segments ORDER BY id"
        ).all()
        index = conn.exec_driver_sql("SELECT rowid, stem, plain FROM segments_fts ORDER BY rowid").all()
    return [tuple(r) for r in [*sources, *segments, *index]]


def test_fast_insert_stores_what_core_stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stored = []
    for name, fast in (("core", False), ("fast", True)):
        project = keyed_project(tmp_path / name)
        wp_id = project.work_package("SWU", 4).id
        if not fast:
            monkeypatch.setattr(
                sources_db, "_insert_rows", lambda conn, table, rows: conn.execute(table.insert(), rows)
            )
        with write(project.engine) as conn:
            sources_db.insert_sources(conn, [_new_source(n, wp_id) for n in range(5)])
            sources_db.insert_sources(conn, [_new_source(n, wp_id) for n in range(5, 7)])
        stored.append(_stored(project.engine))
        project.close()
        monkeypatch.undo()
    assert stored[0] == stored[1]
    assert len(stored[1]) == 7 + 14 + 14
    meta = _new_source(0, 1).segment_rows[0]["meta"]
    assert stored[1][7][12] == json.dumps(meta)  # JSON text as SQLAlchemy's JSON type writes it (ASCII escapes)


# --- stems ------------------------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["bilerne", "Bilen", "udviklerne", "på", "AI", "løsningen", "42", "går"]), max_size=30))
def test_stem_cache_gives_pystemmers_stems_also_when_emptied(words: list[str]) -> None:
    reference = Stemmer.Stemmer("danish")
    text = " ".join(words)
    tokens = stemming.words(text)
    saved = stemming._STEM_CACHE_SIZE
    try:
        stemming._STEM_CACHE_SIZE = 3  # emptied on almost every call
        assert stemming.stem_words(tokens) == reference.stemWords(tokens)
        assert stemming.index_columns(text)[0] == " ".join(reference.stemWords(tokens))
    finally:
        stemming._STEM_CACHE_SIZE = saved
    assert len(stemming._stems) <= max(saved, 3 + len(tokens))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aæ_1 \t\n.,-()'\"«»İſK\u0307\u00a0²Ⅻ")) | st.characters(), max_size=60))
def test_words_are_the_regex_words(text: str) -> None:
    assert stemming.words(text) == stemming.WORD_RE.findall(text.lower())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["bilerne", "Bilen,", "(udviklerne)", "på", "AI", "AI-forordningen", "42", "går.", "—", "ſK"])
        | st.text(alphabet=st.sampled_from(list("aæB_1.,-()'İ²")), min_size=1, max_size=6),
        max_size=30,
    ),
    st.sampled_from([" ", "\n", "\t ", "\u00a0"]),
)
def test_index_columns_are_the_stems_of_the_words_also_when_the_piece_cache_is_emptied(
    pieces: list[str], space: str
) -> None:
    text = space.join(pieces)
    tokens = stemming.words(text)
    stems = Stemmer.Stemmer("danish").stemWords(tokens)
    saved = stemming._PIECE_CACHE_SIZE
    try:
        stemming._PIECE_CACHE_SIZE = 2  # emptied on almost every piece
        expected = (" ".join(stems), " ".join(t for t, s in zip(tokens, stems, strict=True) if t != s))
        assert stemming.index_columns(text) == expected
        assert stemming.index_columns(text) == expected  # again, from the cache
    finally:
        stemming._PIECE_CACHE_SIZE = saved


# --- profile links ----------------------------------------------------------------------------------------------------

LINK_PIECES = [
    "se https://stackoverflow.com/users/12345/mette-h",
    "HTTPS://MATH.STACKEXCHANGE.COM/USERS/77",
    "https://superuſer.com/uſers/5/x",  # long s: matches 's' without case
    "https://www.reddit.com/user/Soren_K",
    "reddit.com/U/kasper_dk",
    "https://github.com/mettehansen",
    "GITHUB.COM/Octocat",
    "news.ycombinator.com/user?id=pg",
    "NEWS.YCOMBİNATOR.COM/USER?İD=pg",  # dotted capital I
    "news.ycombınator.com/user?ıd=pg",  # dotless i
    "ſtackoverflow.com/users/1",
    "u/someone",
    " / ",
    "æøå",
    "@mette",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LINK_PIECES), max_size=6))
def test_link_prefilter_never_skips_a_profile_link(pieces: list[str]) -> None:
    text = " ".join(pieces)
    names = ["mette", "Soren_K"]
    fast = model.Pseudonymiser(b"hemmelig", "stackexchange").text(text, names)
    saved = model._ODD_CASE
    try:
        model._ODD_CASE = ("",)  # in every text: every link regex runs, as before the prefilter
        reference = model.Pseudonymiser(b"hemmelig", "stackexchange").text(text, names)
    finally:
        model._ODD_CASE = saved
    assert fast == reference


def test_link_prefilter_still_replaces_links() -> None:
    p = model.Pseudonymiser(b"hemmelig", "stackexchange")
    text = p.text(" ".join(LINK_PIECES))
    for name in ("12345", "/77", "Soren_K", "kasper_dk", "mettehansen", "Octocat", "=pg"):
        assert name not in text


# --- the worker process -----------------------------------------------------------------------------------------------


def test_worker_returns_results_in_order_and_raises_its_errors() -> None:
    items = list(range(300))
    with ThreadWork(parallel=True, chunk=7, ahead=2) as work:
        work.start()
        assert work.parallel
        assert list(work.map(abs, operator.mul, -3, items)) == [3 * i for i in items]
        assert list(work.map(abs, operator.mul, 5, items[:10])) == [5 * i for i in items[:10]]  # set up again
        assert list(work.map(abs, operator.sub, -1, items)) == [1 - i for i in items]  # other work, same worker
    with ThreadWork(parallel=False) as work:
        work.start()
        assert not work.parallel
        assert list(work.map(abs, operator.mul, -3, items)) == [3 * i for i in items]
    with ThreadWork(parallel=True, chunk=5) as work, pytest.raises(ZeroDivisionError):
        work.start()
        list(work.map(abs, operator.floordiv, 6, [3, 2, 1, 0, 1]))


def test_the_worker_starts_once_a_map_proves_large() -> None:
    items = list(range(1, 400))
    with ThreadWork(parallel=True, chunk=10) as work:
        assert list(work.map(abs, operator.mul, 2, items[:30], start_after=50)) == [2 * i for i in items[:30]]
        assert not work.parallel  # 30 items: done here, no worker started
        results = work.map(abs, operator.mul, 2, items, start_after=50)
        assert [next(results) for _ in range(50)] == [2 * i for i in items[:50]]
        assert not work.parallel  # the first 50 items are done here
        assert next(results) == 2 * items[50]
        assert work.parallel  # then the worker started
        assert list(results) == [2 * i for i in items[51:]]
    with ThreadWork(parallel=False) as work:
        assert list(work.map(abs, operator.mul, 2, items, start_after=0)) == [2 * i for i in items]
        assert not work.parallel


def test_a_map_after_an_error_or_an_early_stop_gets_its_own_results() -> None:
    # answers still owed by the worker when a map ends early are dropped, not handed to the next map
    items = list(range(1, 200))
    with ThreadWork(parallel=True, chunk=3, ahead=4) as work:
        work.start()
        with pytest.raises(ZeroDivisionError):
            list(work.map(abs, operator.floordiv, 7, [5, 4, 3, 2, 1, 0, *items]))
        first = work.map(abs, operator.floordiv, 100, items)
        assert [next(first) for _ in range(5)] == [100, 50, 33, 25, 20]
        first.close()
        assert list(work.map(abs, operator.floordiv, -60, items)) == [60 // i for i in items]


def test_chunks_are_weighed() -> None:
    # one heavy item fills a chunk alone; the results are the same whatever the chunking
    items = [1, 1, 50, 1, 1, 1, 99, 1] * 20
    with ThreadWork(parallel=True, chunk=50, ahead=1) as work:
        work.start()
        assert list(work.map(abs, operator.add, -1, items, weight=int)) == [i + 1 for i in items]


def test_a_dying_worker_is_reported() -> None:
    # the worker calls os._exit(3) on its first item: the pool breaks, and the caller gets a clear error
    with ThreadWork(parallel=True, chunk=1) as work, pytest.raises(WorkerFailed):
        work.start()
        list(work.map(copy.copy, operator.call, os._exit, [3]))


NAME_ALPHABET = "abæøå ÆØ_-.'"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet=NAME_ALPHABET, min_size=3, max_size=8), min_size=1, max_size=40),
    st.lists(st.integers(min_value=0, max_value=60), max_size=30),
    st.lists(st.sampled_from([" ", "", "x", "æ", ", ", "-", "\n", "@", "_"]), min_size=30, max_size=30),
)
def test_the_trie_of_a_threads_names_matches_like_the_longest_first_alternation(
    names: list[str], picks: list[int], glue: list[str]
) -> None:
    # texts made of the names (and pieces of them) glued with word and non-word characters
    long_names = list(dict.fromkeys(names))
    pieces = [*long_names, *(n[1:] for n in long_names), *(n + n[:2] for n in long_names)]
    text = "".join(pieces[i % len(pieces)] + glue[k] for k, i in enumerate(picks))
    alternation = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(n) for n in sorted(long_names, key=len, reverse=True)) + r")(?!\w)"
    )
    trie = model._names_regex(long_names)
    assert [m.span(1) for m in trie.finditer(text)] == [m.span(1) for m in alternation.finditer(text)]


def test_a_thread_of_many_authors_is_pseudonymised_as_one_of_few() -> None:
    authors = [f"Forfatter {chr(0x41 + i % 26)}{i}" for i in range(60)]
    posts = [
        model.Post(str(i), "comment", a, None, None, f"Tak {authors[(i + 1) % 60]}, og hej {authors[i - 1]}!", 0, 1)
        for i, a in enumerate(authors)
    ]
    many = model.Pseudonymiser(b"hemmelig", "reddit").apply(model.Thread("reddit", "t", copy.deepcopy(posts)))
    saved = model._MANY_NAMES
    try:
        model._MANY_NAMES = 10_000  # every thread has few authors: each name is looked for in each text
        few = model.Pseudonymiser(b"hemmelig", "reddit").apply(model.Thread("reddit", "t", copy.deepcopy(posts)))
    finally:
        model._MANY_NAMES = saved
    assert [p.text for p in many.posts] == [p.text for p in few.posts]
    assert not any("Forfatter" in p.text for p in many.posts)
