"""Gazetteer name detection: capitalisation, sentence starts, ambiguous words, spans, genitive."""

from __future__ import annotations

from aia.privacy.names import find_names, gazetteer, is_sentence_start


def _names(text: str) -> list[tuple[str, bool]]:
    return [(f.text, f.needs_review) for f in find_names(text)]


def test_gazetteer_loads_package_data() -> None:
    first, last, ambiguous = gazetteer()
    assert {"mette", "søren", "jørgen", "åse"} <= first or {"mette", "søren", "jørgen"} <= first
    assert {"hansen", "jørgensen", "østergaard"} <= last
    assert {"hans", "per", "bo"} <= ambiguous


def test_full_name_is_one_span() -> None:
    assert _names("Vi talte med Mette Hansen og Karl Johan Nørgaard.") == [
        ("Mette Hansen", False),
        ("Karl Johan Nørgaard", False),
    ]


def test_genitive_left_outside() -> None:
    assert _names("Det var Mettes idé, og Mikkel Østergaards erfaring.") == [
        ("Mette", False),
        ("Mikkel Østergaard", False),
    ]


def test_ambiguous_word_at_sentence_start_is_flagged() -> None:
    assert _names("Hans kone arbejder her. Per måned betaler vi 100 kr.") == [("Hans", True), ("Per", True)]
    assert _names("Interviewer: Hans kone?") == [("Hans", True)]


def test_ambiguous_name_mid_sentence_is_replaced() -> None:
    assert _names("Det mente Per også, og Hans var enig.") == [("Per", False), ("Hans", False)]


def test_lowercase_words_are_not_names() -> None:
    assert _names("prisen per bruger og hans bil") == []


def test_company_forms_are_not_persons() -> None:
    assert _names("Bang & Olufsen og Jensen A/S blev nævnt.") == []


def test_places_and_companies_not_in_gazetteer() -> None:
    assert _names("Novo Nordisk i Aarhus og Danske Bank i Vejle.") == []


def test_lone_surname_rules() -> None:
    assert _names("Det sagde Lauridsen i går, og hr. Lund var enig; Lund ligger i Sverige.") == [
        ("Lauridsen", False),
        ("Lund", False),
        ("Lund", True),
    ]


def test_sentence_start() -> None:
    text = "Ja. Mette\n1. Søren: Hans"
    assert is_sentence_start(text, 0)
    assert is_sentence_start(text, text.index("Mette"))
    assert is_sentence_start(text, text.index("Søren"))
    assert is_sentence_start(text, text.index("Hans"))
    assert not is_sentence_start("og Mette", 3)
