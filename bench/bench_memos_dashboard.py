"""Dashboard recent changes and the memo list on a big project: prints p50/p95 in milliseconds.

Run: .venv/bin/python bench/bench_memos_dashboard.py [--small]
Setup: 500 sources, 100,000 codings (inserted in one transaction), 300 memos with 5 links each."""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import aia
from aia.store.database import write
from aia.store.schema import codings as codings_table
from aia.web.pages.memos import memo_list_data, memos_for
from aia.web.pages.overview import dashboard_data


def timed(fn: Callable[[], object], n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    small = "--small" in sys.argv
    n_sources, n_codings, n_memos = (50, 5_000, 30) if small else (500, 100_000, 300)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp, aia.init_project(Path(tmp) / "p", user="bench") as p:
        p.add_track("Softwareudviklere", prefix="SWU")
        person = p.add_participant("SWU", role="Udvikler")
        codes = [p.add_code(f"Kode {i} æøå") for i in range(40)]
        t0 = time.perf_counter()
        for i in range(n_sources):
            p.import_bytes(
                f"Mette: Vi brugte Copilot i sprint {i} på Ærø.\n".encode(), f"i{i:04d}.txt", track="SWU", wp=2
            )
        ids = [s.id for s, _, _ in p.sources()]
        rows = [
            {
                "guid": f"b-{k}",
                "source_id": ids[k % len(ids)],
                "code_id": rng.choice(codes).id,
                "start": 0,
                "end": 10,
                "coder": "bench",
                "created_at": "2026-03-12T10:00:00+00:00",
                "comment": None,
            }
            for k in range(n_codings)
        ]
        with write(p.engine) as conn:
            conn.execute(codings_table.insert(), rows)
        coding_ids = [c.id for c in p.codings()[:1000]]
        for m in range(n_memos):
            memo = p.add_memo(f"Memo {m}", "Om **tillid** og [kilden](/sources/1).")
            p.link_memo(memo.id, "source", rng.choice(ids))
            p.link_memo(memo.id, "place", rng.choice(ids), 0, 5)
            p.link_memo(memo.id, "coding", rng.choice(coding_ids))
            p.link_memo(memo.id, "code", rng.choice(codes).id)
            p.link_memo(memo.id, "participant", person.pseudonym)
        print(
            f"setup: {len(ids)} sources, {n_codings} codings, {n_memos} memos x 5 links "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        for name, fn, n in (
            ("recent_changes(20)", lambda: p.recent_changes(20), 50),
            ("dashboard page data (grid + recent)", lambda: dashboard_data(p), 20),
            (f"memo list page data ({n_memos} memos with their links)", lambda: memo_list_data(p), 10),
            ("memos_for(code) (memo box)", lambda: memos_for(p, "code", codes[0].id), 50),
        ):
            p50, p95 = timed(fn, n)
            print(f"{name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
