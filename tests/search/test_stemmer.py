"""The stemmer agrees with the Snowball project's reference output for Danish, word for word."""

from __future__ import annotations

from search_helpers import SHARED

from aia.text.stemming import stem

SNOWBALL = SHARED / "data" / "danish" / "snowball_danish"


def test_snowball_danish_vocabulary() -> None:
    words = SNOWBALL.joinpath("voc.txt").read_text(encoding="utf-8").splitlines()
    expected = SNOWBALL.joinpath("output.txt").read_text(encoding="utf-8").splitlines()
    assert len(words) == len(expected) > 20_000
    wrong = [(w, stem(w), e) for w, e in zip(words, expected, strict=True) if stem(w) != e]
    assert wrong == []
