"""Benchmark: retrieve all coded text for one code with 300 codings (with provenance).

Target (issue 2): < 20 ms. Run: .venv/bin/python bench/bench_retrieve.py
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from danish_text import document

import aia


def main() -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp, aia.init_project(Path(tmp) / "p", user="bench") as project:
        project.add_track("Softwareudviklere", prefix="SWU")
        project.add_track("Multimediedesignere", prefix="MMD")
        for i in range(5):
            project.add_participant("SWU" if i % 2 else "MMD")
        source_ids = []
        for i in range(200):
            track = "SWU" if i % 2 else "MMD"
            act = project.add_activity(track, 1 + i % 5, "interview", f"Interview {i}", date="2026-03-12")
            r = project.import_bytes(
                document(rng, 8000).encode(), f"i{i}.txt", activity=act.id, participants=[f"{track}-P01"]
            )
            assert r.source_id is not None
            source_ids.append(r.source_id)
        target = project.add_code("Læring gennem fejl")
        others = [project.add_code(f"Kode {k}") for k in range(9)]
        for code, count in [(target, 300)] + [(c, 150) for c in others]:
            for _ in range(count):
                sid = rng.choice(source_ids)
                seg = rng.choice(project.segments(sid))
                start = rng.randint(seg.start, max(seg.start, seg.end - 40))
                project.add_coding(sid, start, min(seg.end, start + rng.randint(20, 200)), code.id)
        times = []
        for _ in range(50):
            t0 = time.perf_counter()
            passages = project.retrieve(target.id)
            times.append((time.perf_counter() - t0) * 1000)
        assert len(passages) == 300
        times.sort()
        print(f"retrieve 300 codings of one code (of {300 + 150 * 9} codings in 200 sources), 50 runs:")
        print(
            f"  p50 {statistics.median(times):.2f} ms, p95 {times[int(len(times) * 0.95) - 1]:.2f} ms, "
            f"max {times[-1]:.2f} ms; target < 20 ms"
        )


if __name__ == "__main__":
    main()
