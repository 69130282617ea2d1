"""Regression floors on the hand-written Danish gold set (exact span + type); see bench/pseudonymise_eval.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from aia.privacy.evaluation import Score, evaluate, load_gold, load_known, parse_gold

HERE = Path(__file__).parent
Scores = dict[str, dict[str, dict[str, Score]]]
# (mode, counting, type) -> (precision floor, recall floor): measured values minus a small margin.
FLOORS = {
    ("none", "auto", "ALL"): (0.91, 0.85),
    ("none", "auto", "PER"): (0.87, 0.92),
    ("none", "review", "ALL"): (0.84, 0.89),
    ("known", "auto", "ALL"): (0.97, 0.93),
    ("known", "auto", "PER"): (0.96, 0.92),
    ("known", "review", "ALL"): (0.89, 0.96),
}
EXACT_TYPES = ("EMAIL", "HANDLE", "CPR", "IBAN")


def test_parse_gold_format() -> None:
    text, spans = parse_gold("# comment\nHej [[PER:Mette]]s mail [[EMAIL:a@b.dk]].\n\nTo")
    assert text == "Hej Mettes mail a@b.dk.\nTo"
    assert [(text[s:e], k) for s, e, k in spans] == [("Mette", "PER"), ("a@b.dk", "EMAIL")]
    with pytest.raises(ValueError):
        parse_gold("[[XYZ:foo]]")


@pytest.fixture(scope="module")
def scores() -> Scores:
    text, gold = load_gold(HERE / "gold_da.txt")
    assert len(gold) >= 200
    known = load_known(HERE / "gold_known.json")
    return {"none": evaluate(text, gold, []), "known": evaluate(text, gold, known)}


@pytest.mark.parametrize(("key", "floor"), FLOORS.items())
def test_gold_floors(scores: Scores, key: tuple[str, str, str], floor: tuple[float, float]) -> None:
    mode, counting, kind = key
    s = scores[mode][counting][kind]
    assert s.precision >= floor[0], f"{key} precision {s.precision:.3f}"
    assert s.recall >= floor[1], f"{key} recall {s.recall:.3f}"


@pytest.mark.parametrize("kind", EXACT_TYPES)
def test_gold_pattern_types_perfect(scores: Scores, kind: str) -> None:
    s = scores["none"]["auto"][kind]
    assert (s.precision, s.recall) == (1.0, 1.0)
