"""Agreement between classifiers on nominal categories: percent agreement, Cohen's kappa, Krippendorff's alpha.

Pure functions over plain values (``None`` = not classified). Cohen's kappa compares two classifiers on the items
both classified; Krippendorff's alpha (nominal) takes any number of classifiers and allows missing values
(Krippendorff 2011, "Computing Krippendorff's alpha-reliability"). A coefficient whose expected disagreement is zero
(everybody used one category) is undefined and returned as ``None``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import combinations

Value = Hashable | None


@dataclass(frozen=True)
class PairStats:
    items: int
    agreed: int
    percent: float | None
    kappa: float | None


def _paired(a: Sequence[Value], b: Sequence[Value]) -> list[tuple[Hashable, Hashable]]:
    if len(a) != len(b):
        raise ValueError("the two classifications must cover the same items")
    return [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]


def percent_agreement(a: Sequence[Value], b: Sequence[Value]) -> float | None:
    pairs = _paired(a, b)
    return sum(1 for x, y in pairs if x == y) / len(pairs) if pairs else None


def cohen_kappa(a: Sequence[Value], b: Sequence[Value]) -> float | None:
    """Cohen's kappa over the items both classified: (p_o - p_e) / (1 - p_e)."""
    pairs = _paired(a, b)
    n = len(pairs)
    if n == 0:
        return None
    p_o = sum(1 for x, y in pairs if x == y) / n
    left = Counter(x for x, _ in pairs)
    right = Counter(y for _, y in pairs)
    p_e = sum(left[c] * right[c] for c in left) / (n * n)
    if p_e == 1:
        return None
    return (p_o - p_e) / (1 - p_e)


def pair_stats(a: Sequence[Value], b: Sequence[Value]) -> PairStats:
    pairs = _paired(a, b)
    agreed = sum(1 for x, y in pairs if x == y)
    return PairStats(len(pairs), agreed, agreed / len(pairs) if pairs else None, cohen_kappa(a, b))


def krippendorff_alpha_nominal(data: Sequence[Sequence[Value]]) -> float | None:
    """Krippendorff's alpha for nominal data; ``data[classifier][unit]``, ``None`` where a value is missing.

    Units with fewer than two values are not pairable and left out."""
    if not data:
        return None
    units = len(data[0])
    if any(len(row) != units for row in data):
        raise ValueError("every classifier's row must cover the same units")
    coincidence: dict[tuple[Hashable, Hashable], float] = {}
    for u in range(units):
        values = [row[u] for row in data if row[u] is not None]
        m = len(values)
        if m < 2:
            continue
        for i, j in ((i, j) for i in range(m) for j in range(m) if i != j):
            pair = (values[i], values[j])
            coincidence[pair] = coincidence.get(pair, 0.0) + 1 / (m - 1)
    totals: dict[Hashable, float] = {}
    for (c, _), count in coincidence.items():
        totals[c] = totals.get(c, 0.0) + count
    n = sum(totals.values())
    if n <= 1:
        return None
    observed = sum(count for (c, k), count in coincidence.items() if c != k)
    expected = sum(totals[c] * totals[k] for c, k in combinations(totals, 2)) * 2
    if expected == 0:
        return None
    return 1 - (n - 1) * observed / expected


def mean_pairwise_percent(data: Sequence[Sequence[Value]]) -> float | None:
    """Percent agreement averaged over all pairs of classifiers (items both classified, pooled)."""
    agreed = total = 0
    for a, b in combinations(data, 2):
        pairs = _paired(a, b)
        total += len(pairs)
        agreed += sum(1 for x, y in pairs if x == y)
    return agreed / total if total else None
