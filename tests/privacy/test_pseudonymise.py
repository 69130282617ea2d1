"""The pseudonymiser: known people first, genitive handling, consistent pseudonyms, offsets, apply()."""

from __future__ import annotations

import re
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aia.privacy.pseudonymise import (
    Known,
    KnownOrganisation,
    KnownPerson,
    OffsetMap,
    Replacement,
    apply,
    compile_known,
    pseudonym,
    pseudonymise,
)

SECRET = b"test-secret"
METTE = KnownPerson(
    "SWU-P03",
    names=("Mette Hansen",),
    first_name="Mette",
    surname="Hansen",
    aliases=("Mus",),
    emails=("mette.hansen@kodehuset.dk",),
    phones=("28914450",),
    cprs=("070761-4285",),
)
HANS = KnownPerson("SWU-P04", names=("Hans Jensen",), first_name="Hans")
KODEHUSET = KnownOrganisation("ORG-02", names=("Kodehuset",), websites=("https://www.kodehuset.dk",))
KNOWN: list[Known] = [METTE, HANS, KODEHUSET]


def test_known_person_and_org_with_genitive() -> None:
    r = pseudonymise("Mettes kollega sagde, at Kodehusets kunder kan lide Mette Hansen.", KNOWN, SECRET)
    assert r.text == "[SWU-P03]s kollega sagde, at [ORG-02]s kunder kan lide [SWU-P03]."
    assert {x.source for x in r.replacements} == {"known"}
    assert [x.kind for x in r.replacements] == ["PER", "ORG", "PER"]


def test_known_is_case_insensitive_and_covers_aliases_contacts() -> None:
    text = "METTE HANSEN (Mus) skrev fra mette.hansen@kodehuset.dk, tlf. +45 28 91 44 50, CPR 0707614285."
    r = pseudonymise(text, KNOWN, SECRET)
    assert r.text == "[SWU-P03] ([SWU-P03]) skrev fra [SWU-P03], tlf. [SWU-P03], CPR [SWU-P03]."
    assert [x.kind for x in r.replacements] == ["PER", "PER", "EMAIL", "PHONE", "CPR"]


def test_known_surname_alone_and_org_site() -> None:
    r = pseudonymise("Hansen har lavet www.kodehuset.dk/om-os selv.", KNOWN, SECRET)
    assert r.text == "[SWU-P03] har lavet [ORG-02] selv."


def test_known_ambiguous_first_name_rules() -> None:
    r = pseudonymise("Hans kone ringede. Det sagde Hans Jensen og Hans. Det er hans bil.", KNOWN, SECRET)
    assert r.text == "Hans kone ringede. Det sagde [SWU-P04] og [SWU-P04]. Det er hans bil."
    assert [(f.text, f.needs_review) for f in r.flags] == [("Hans", True)]
    assert r.text[r.flags[0].start : r.flags[0].end] == "Hans"


def test_known_first_name_shared_by_two_people_is_flagged() -> None:
    other = KnownPerson("SWU-P09", names=("Mette Berg",), first_name="Mette")
    r = pseudonymise("Vi talte med Mette i dag.", [METTE, other], SECRET)
    assert r.text == "Vi talte med Mette i dag."
    assert [f.text for f in r.flags] == ["Mette"]


def test_unknown_identifiers_get_hmac_pseudonyms() -> None:
    text = "Søren Pedersen (soren@firma.dk, sms 20 45 67 89) har @sorenp og https://github.com/sorenp."
    r = pseudonymise(text, [], SECRET)
    assert re.fullmatch(
        r"\[PERSON-[0-9a-f]{6}\] \(\[EMAIL-[0-9a-f]{6}\], sms \[PHONE-[0-9a-f]{6}\]\) har \[HANDLE-[0-9a-f]{6}\]"
        r" og \[URL-[0-9a-f]{6}\]\.",
        r.text,
    ), r.text
    assert r.replacements[0].replacement == pseudonym("PER", "Søren Pedersen", SECRET)


def test_consistency_across_calls_and_secrets() -> None:
    a = pseudonymise("Vi mødte Søren Pedersen.", [], SECRET).text
    b = pseudonymise("Senere ringede Søren Pedersen igen.", [], SECRET).text
    c = pseudonymise("Vi mødte Søren Pedersen.", [], b"another secret").text
    code_a, code_b, code_c = (re.search(r"\[PERSON-\w+\]", t).group(0) for t in (a, b, c))  # type: ignore[union-attr]
    assert code_a == code_b != code_c
    assert pseudonym("PHONE", "+45 20 45 67 89", SECRET) == pseudonym("PHONE", "20456789", SECRET)
    assert pseudonym("EMAIL", "A@B.dk", SECRET) == pseudonym("EMAIL", "a@b.dk", SECRET)


def test_first_name_linked_to_full_name_in_same_text() -> None:
    r = pseudonymise("Vi talte med Søren Pedersen. Bagefter sagde Søren, at Sørens bil var væk.", [], SECRET)
    codes = re.findall(r"\[PERSON-\w+\]", r.text)
    assert len(codes) == 3 and len(set(codes)) == 1


def test_replacement_offsets_slice_the_old_text() -> None:
    text = "Mette Hansen (mette.hansen@kodehuset.dk) og Søren Pedersen, CPR 010203-4005, DK5000400440116243."
    r = pseudonymise(text, KNOWN, SECRET)
    for rep in r.replacements:
        assert text[rep.start : rep.end] == rep.original
        new_start = r.offset_map.map(rep.start)
        assert r.text[new_start : new_start + len(rep.replacement)] == rep.replacement
    assert {rep.kind for rep in r.replacements} == {"PER", "EMAIL", "CPR", "IBAN"}


def test_apply_accepted_subset() -> None:
    text = "Mette Hansen og Søren Pedersen."
    r = pseudonymise(text, KNOWN, SECRET)
    gazetteer_only = [x for x in r.replacements if x.source == "gazetteer"]
    again = apply(text, gazetteer_only)
    assert again.text.startswith("Mette Hansen og [PERSON-")
    with pytest.raises(ValueError):
        apply(text, [Replacement(0, 5, "Søren", "[X]", "PER", "known")])
    with pytest.raises(ValueError):
        apply(
            text, [Replacement(0, 5, "Mette", "[X]", "PER", "known"), Replacement(3, 8, "te Ha", "[Y]", "PER", "known")]
        )


def test_offset_map_rule() -> None:
    # "abcdef" with "cd" -> "XYZW"
    m = OffsetMap([Replacement(2, 4, "cd", "XYZW", "PER", "known")], 6)
    assert [m.map(i) for i in range(7)] == [0, 1, 2, 2, 6, 7, 8]
    assert [m.map(i, "end") for i in range(7)] == [0, 1, 2, 6, 6, 7, 8]
    assert m.map_span(3, 5) == (2, 7)
    with pytest.raises(ValueError):
        m.map(7)


def test_compiled_index_reusable() -> None:
    index = compile_known(KNOWN)
    assert pseudonymise("Mette", index, SECRET).text == "[SWU-P03]"


ALPHABET = "abc Mette Hansen Søren Per Hans 28 91 44 50 @x.dk\n.,:" + "æøå"
words = st.sampled_from(
    [
        "Mette",
        "Hansen",
        "Mettes",
        "Søren",
        "Pedersen",
        "Per",
        "Hans",
        "hans",
        "og",
        "i",
        "kl.",
        "28 91 44 50",
        "tlf.",
        "a@b.dk",
        "@bo",
        "070761-4285",
        "ordre",
        "48151623",
        ":",
        ".",
        "\n",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(alphabet=ALPHABET, max_size=80), st.lists(words, max_size=30).map(" ".join)))
def test_offset_map_properties(text: str) -> None:
    r = pseudonymise(text, KNOWN, SECRET)
    m = r.offset_map
    sides: tuple[Literal["start", "end"], ...] = ("start", "end")
    for side in sides:
        mapped = [m.map(i, side) for i in range(len(text) + 1)]
        assert mapped == sorted(mapped)
    assert m.map(0) == 0 and m.map(len(text)) == len(r.text)
    covered = [False] * len(text)
    for rep in r.replacements:
        assert text[rep.start : rep.end] == rep.original
        for i in range(rep.start, rep.end):
            covered[i] = True
    for i, ch in enumerate(text):
        if not covered[i]:
            assert r.text[m.map(i)] == ch
    for f in r.flags:
        assert r.text[f.start : f.end] == f.text
