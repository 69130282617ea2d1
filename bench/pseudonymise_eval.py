"""Precision/recall of the pseudonymiser on the hand-written Danish gold set (exact span + type).

Run: .venv/bin/python bench/pseudonymise_eval.py [--errors]
"""

from __future__ import annotations

import sys
from pathlib import Path

from aia.privacy.evaluation import errors, evaluate, load_gold, load_known

HERE = Path(__file__).resolve().parents[1] / "tests" / "privacy"


def main() -> None:
    text, gold = load_gold(HERE / "gold_da.txt")
    known = load_known(HERE / "gold_known.json")
    print(f"gold spans: {len(gold)}")
    for mode_name, known_list in (("no known persons", []), ("with known persons/orgs", known)):
        result = evaluate(text, gold, known_list)
        for counting, scores in result.items():
            label = "auto-replacements" if counting == "auto" else "auto + review flags"
            print(f"\n## {mode_name}, {label}")
            print(f"{'type':<7} {'P':>5} {'R':>5} {'tp':>4} {'fp':>4} {'fn':>4}")
            for kind, s in scores.items():
                print(f"{kind:<7} {s.precision:5.2f} {s.recall:5.2f} {s.tp:4d} {s.fp:4d} {s.fn:4d}")
        if "--errors" in sys.argv:
            print("\n".join(errors(text, gold, known_list)))


if __name__ == "__main__":
    main()
