"""Keyword in context: hits on the original words, a window cut at word boundaries, no markup."""

from __future__ import annotations

from aia.search import find_hits, parse_query, snippet
from aia.search.kwic import ELLIPSIS

LONG = (
    "Først talte vi om vejret og om hvordan det var gået med projektet i den forløbne måned, "
    "og så sagde hun at Bilerne på parkeringspladsen var et problem for udviklerne, "
    "fordi der aldrig var plads om morgenen når de kom fra hjemmet langt ude på landet."
)


def test_hits_are_original_words() -> None:
    text = "Bilerne kørte. En bil! BILER, bilernes dæk; cykler."
    hits = find_hits(text, parse_query("bilerne"))
    assert [text[s:e] for s, e in hits] == ["Bilerne", "bil", "BILER", "bilernes"]


def test_prefix_and_phrase_words_are_hits() -> None:
    text = "Udviklingen af værktøjer: udviklere bruger AI-værktøjet hver dag."
    assert [text[s:e] for s, e in find_hits(text, parse_query("udvikl*"))] == ["Udviklingen", "udviklere"]
    parsed = parse_query("AI-værktøjer")
    assert [text[s:e] for s, e in find_hits(text, parsed)] == ["værktøjer", "AI", "værktøjet"]


def test_window_is_cut_at_word_boundaries() -> None:
    snip = snippet(LONG, parse_query("bilerne udviklerne"))
    parts = snip.parts
    assert parts[0][0].startswith(ELLIPSIS) and parts[-1][0].endswith(ELLIPSIS)
    shown = snip.text.strip(ELLIPSIS)
    assert shown in LONG  # contiguous text, whole words only
    start = LONG.index(shown)
    assert not LONG[start - 1].isalnum() and not LONG[start + len(shown)].isalnum()
    assert 100 <= len(shown) <= 2 * 60 + len("Bilerne") + 2
    assert [t for t, is_hit in parts if is_hit] == ["Bilerne", "udviklerne"]
    assert [LONG[s:e] for s, e in snip.hits] == ["Bilerne", "udviklerne"]


def test_short_text_is_shown_whole_with_whitespace_collapsed() -> None:
    text = "  Bilen\n\n  er   rød.  "
    snip = snippet(text, parse_query("biler"))
    assert snip.parts == (("Bilen", True), (" er rød.", False))
    assert snip.hits == ((2, 7),)


def test_hit_at_the_end() -> None:
    text = "Det her er en ganske lang indledning uden det ord vi leder efter, men til sidst kommer bilen."
    snip = snippet(text, parse_query("bil"))
    assert snip.parts[0] == (ELLIPSIS + "uden det ord vi leder efter, men til sidst kommer ", False)
    assert snip.parts[-2:] == (("bilen", True), (".", False))


def test_no_hit_shows_the_beginning() -> None:
    snip = snippet(LONG, parse_query("xyzzy"))
    assert snip.hits == ()
    assert all(not is_hit for _, is_hit in snip.parts)
    assert snip.text.startswith("Først talte") and snip.text.endswith(ELLIPSIS)
    assert len(snip.text) <= 130


def test_empty_text() -> None:
    assert snippet("", parse_query("bil")).parts == ()
