"""Benchmark: the web source viewer for a 2,000-segment transcript with 1,000 codings (server-side render), and
applying a coding through the web route (POST -> stored -> redirect), p50/p95.

Targets (issue 3): viewer p95 < 150 ms; applying a coding p95 < 15 ms; code retrieval page (300 codings) < 50 ms.
Run: .venv/bin/python bench/bench_web.py
"""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)

from starlette.testclient import TestClient  # noqa: E402

import aia  # noqa: E402
from aia.web import create_app  # noqa: E402

WORDS = [
    "vi",
    "bruger",
    "copilot",
    "hver",
    "dag",
    "til",
    "kodegennemgang",
    "og",
    "test",
    "men",
    "udviklerne",
    "er",
    "skeptiske",
    "over",
    "for",
    "forslag",
    "fra",
    "chatgpt",
    "når",
    "det",
    "gælder",
    "sikkerhed",
    "og",
    "persondata",
    "på",
    "tværs",
    "af",
    "teamet",
    "i",
    "løbet",
    "af",
    "året",
    "har",
    "værktøjet",
    "ændret",
    "måden",
    "vi",
    "arbejder",
    "på",
    "både",
    "før",
    "og",
    "efter",
    "møderne",
]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    rng = random.Random(3)
    lines = []
    for i in range(2000):
        speaker = "Interviewer" if i % 2 == 0 else "Mette"
        lines.append(f"{speaker}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))))
    text = "\n\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as tmp, aia.init_project(Path(tmp) / "p", user="bench") as project:
        project.add_track("Softwareudviklere", prefix="SWU")
        source = project.import_bytes(text.encode(), "stort_interview.txt", track="SWU", wp=2)
        assert source.source_id is not None
        segments = project.segments(source.source_id)
        codes = [project.add_code(f"Kode {i}") for i in range(20)]
        t0 = time.perf_counter()
        for i in range(1000):
            seg = rng.choice(segments)
            a = rng.randint(seg.start, seg.end - 2)
            b = rng.randint(a + 1, min(seg.end, a + 80))
            project.add_coding(source.source_id, a, b, codes[0 if i < 300 else 1 + i % 19].id)
        print(f"setup: {len(segments)} segments, 1000 codings in {time.perf_counter() - t0:.1f} s")

        client = TestClient(create_app(project.path, login_token="t", project=project), follow_redirects=False)
        client.get("/login/token?token=t")
        html = client.get(f"/sources/{source.source_id}").text
        csrf = re.search(r'data-csrf="([^"]+)"', html)
        assert csrf is not None
        print(f"viewer HTML: {len(html) / 1024:.0f} KB")

        view = timed(lambda: client.get(f"/sources/{source.source_id}"), 40)
        print(f"source viewer (2,000 segments, 1,000 codings): p50 {pct(view, 50):.1f} ms, p95 {pct(view, 95):.1f} ms")

        def apply() -> None:
            seg = rng.choice(segments)
            r = client.post(
                f"/sources/{source.source_id}/codings",
                data={"csrf": csrf.group(1), "start": str(seg.start), "end": str(seg.end), "code_id": str(codes[1].id)},
            )
            assert r.status_code == 303

        coding = timed(apply, 200)
        print(f"apply a coding (POST, stored, redirect): p50 {pct(coding, 50):.1f} ms, p95 {pct(coding, 95):.1f} ms")
        n = len(project.codings(code=codes[0].id))
        retrieval = timed(lambda: client.get(f"/codes/{codes[0].id}"), 40)
        print(f"code retrieval page ({n} codings): p50 {pct(retrieval, 50):.1f} ms, p95 {pct(retrieval, 95):.1f} ms")
        print(f"(mean viewer {statistics.mean(view):.1f} ms)")


if __name__ == "__main__":
    main()
