"""Gold-set loading and scoring for the pseudonymiser (used by tests and ``bench/pseudonymise_eval.py``).

Gold format: UTF-8 text, one example line per line; blank lines and lines starting with ``#`` are ignored.
A gold span is written inline as ``[[TYPE:text]]`` (TYPE in :data:`aia.privacy.detect.KINDS`); the markup is
removed and the remaining lines are joined with ``\\n``. Scoring is exact span + type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aia.privacy.detect import KINDS
from aia.privacy.pseudonymise import Known, KnownOrganisation, KnownPerson, pseudonymise

_MARK = re.compile(r"\[\[([A-Z]+):(.*?)\]\]")

Span = tuple[int, int, str]


def parse_gold(raw: str) -> tuple[str, list[Span]]:
    lines: list[str] = []
    spans: list[Span] = []
    offset = 0
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        out: list[str] = []
        pos = 0
        length = 0
        for m in _MARK.finditer(line):
            kind, value = m.group(1), m.group(2)
            if kind not in KINDS:
                raise ValueError(f"unknown gold type {kind!r} in {line!r}")
            before = line[pos : m.start()]
            out.append(before)
            length += len(before)
            spans.append((offset + length, offset + length + len(value), kind))
            out.append(value)
            length += len(value)
            pos = m.end()
        out.append(line[pos:])
        text_line = "".join(out)
        lines.append(text_line)
        offset += len(text_line) + 1
    return "\n".join(lines), spans


def load_gold(path: str | Path) -> tuple[str, list[Span]]:
    return parse_gold(Path(path).read_text(encoding="utf-8"))


def load_known(path: str | Path) -> list[Known]:
    """Known persons/organisations from JSON: ``{"persons": [{...KnownPerson fields}], "organisations": [...]}``."""
    data: dict[str, list[dict[str, Any]]] = json.loads(Path(path).read_text(encoding="utf-8"))

    def tuples(d: dict[str, Any]) -> dict[str, Any]:
        return {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}

    persons: list[Known] = [KnownPerson(**tuples(p)) for p in data.get("persons", [])]
    orgs: list[Known] = [KnownOrganisation(**tuples(o)) for o in data.get("organisations", [])]
    return persons + orgs


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def score(gold: Iterable[Span], predicted: Iterable[Span]) -> dict[str, Score]:
    """Per-type and ``ALL`` scores, exact span and type."""
    gold_set, pred_set = set(gold), set(predicted)
    out: dict[str, Score] = {}
    for kind in (*KINDS, "ALL"):
        g = {s for s in gold_set if kind in ("ALL", s[2])}
        p = {s for s in pred_set if kind in ("ALL", s[2])}
        if g or p:
            out[kind] = Score(len(g & p), len(p - g), len(g - p))
    return out


def evaluate(
    text: str, gold: list[Span], known: Iterable[Known], secret: bytes = b"eval"
) -> dict[str, dict[str, Score]]:
    """Scores for ``auto`` (replacements only) and ``review`` (replacements plus review flags)."""
    result = pseudonymise(text, list(known), secret)
    auto = [(r.start, r.end, r.kind) for r in result.replacements]
    flagged = [(f.start, f.end, f.kind) for f in result.original_flags]
    return {"auto": score(gold, auto), "review": score(gold, auto + flagged)}


def errors(text: str, gold: list[Span], known: Iterable[Known], secret: bytes = b"eval") -> list[str]:
    """Human-readable false positives and misses (auto-replacements plus flags), for looking at failures."""
    result = pseudonymise(text, list(known), secret)
    pred = {(r.start, r.end, r.kind): "auto" for r in result.replacements}
    pred.update({(f.start, f.end, f.kind): "flag" for f in result.original_flags})
    gold_set = set(gold)
    out = [f"FP {how} {k} {text[s:e]!r}" for (s, e, k), how in sorted(pred.items()) if (s, e, k) not in gold_set]
    out += [f"FN {k} {text[s:e]!r}" for (s, e, k) in sorted(gold_set) if (s, e, k) not in pred]
    return out
