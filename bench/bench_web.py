"""Benchmark: the web workbench on a generated project of 2,000 sources and 100,000 codings: the source viewer for
a 2,000-segment transcript with 1,000 codings (server-side render of the first load, of the next chunk, and of the
whole source at once), a coding's details fragment, applying a coding through the web route (POST -> stored ->
redirect), the code retrieval page, and the page weight (HTML + JS + CSS) of the viewer's first load. p50/p95.

Targets (issue 3): viewer p95 < 150 ms; applying a coding p95 < 15 ms; code retrieval page (300 codings) < 50 ms;
no page over 300 KB of HTML+JS+CSS on first load.
Run: .venv/bin/python bench/bench_web.py [--small]   (--small: only the big transcript, no 1,999 other sources)
"""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)

import httpx  # noqa: E402

import aia  # noqa: E402
from aia.store.database import write  # noqa: E402
from aia.store.schema import codings as codings_table  # noqa: E402
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


SEGMENT_DIV = '<div class="s'


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


class Timings(list[float]):
    """Wall-clock milliseconds per call, with the process's CPU milliseconds per call in ``cpu`` (all threads: a
    figure that a busy machine inflates much less than the wall clock)."""

    cpu: list[float]


def timed(fn: Callable[[], object], n: int) -> Timings:
    out = Timings()
    out.cpu = []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
        out.cpu.append((time.process_time() - c0) * 1000)
    return out


def fmt(t: Timings) -> str:
    wall = f"p50 {pct(t, 50):.1f} ms, p95 {pct(t, 95):.1f} ms"
    return f"{wall} (CPU p50 {pct(t.cpu, 50):.1f} ms, p95 {pct(t.cpu, 95):.1f} ms)"


class InProcess:
    """Requests straight to the ASGI app on one event loop (Starlette's TestClient starts a thread portal per
    request, which adds ~4-9 ms that a real server does not have). Times are the app's: routing, guard, form
    parsing, the service call in the thread pool, rendering."""

    def __init__(self, app: object) -> None:
        self.loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        self.client = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", follow_redirects=False)

    def get(self, url: str) -> httpx.Response:
        return self.loop.run_until_complete(self.client.get(url))

    def post(self, url: str, data: dict[str, str]) -> httpx.Response:
        return self.loop.run_until_complete(self.client.post(url, data=data))


def fill(project: aia.Project, rng: random.Random, sources: int, codings: int, code_ids: list[int]) -> None:
    """``sources`` small interviews and ``codings`` codings spread over them (stored in one transaction each)."""
    texts = []
    for i in range(sources):
        turns = [
            f"{'Interviewer' if k % 2 == 0 else 'Deltager'}: " + " ".join(rng.choice(WORDS) for _ in range(12))
            for k in range(rng.randint(4, 20))
        ]
        texts.append(("\n\n".join(turns) + "\n", f"interview_{i:04d}.txt"))
    for text, name in texts:
        project.import_bytes(text.encode(), name, track="SWU", wp=2)
    lengths = [(s.id, 200) for s, _, _ in project.sources()]
    rows = []
    for k in range(codings):
        source_id, _ = lengths[k % len(lengths)]
        a = rng.randint(0, 150)
        rows.append(
            {
                "guid": f"bench-{k}",
                "source_id": source_id,
                "code_id": rng.choice(code_ids),
                "start": a,
                "end": a + rng.randint(1, 40),
                "coder": "bench",
                "created_at": "2026-03-12T10:00:00+00:00",
                "comment": None,
            }
        )
    with write(project.engine) as conn:
        conn.execute(codings_table.insert(), rows)


def main() -> None:
    small = "--small" in sys.argv
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
        parents = [project.add_code(f"Tema {i}") for i in range(10)]
        codes = [project.add_code(f"Kode {i}", parent=parents[i % 10].id) for i in range(50)]
        t0 = time.perf_counter()
        for i in range(1000):
            seg = rng.choice(segments)
            a = rng.randint(seg.start, seg.end - 2)
            b = rng.randint(a + 1, min(seg.end, a + 80))
            project.add_coding(source.source_id, a, b, codes[0 if i < 300 else 1 + i % 49].id)
        if not small:
            fill(project, rng, 1999, 99_000, [c.id for c in codes[1:]])
        n_sources = len(project.sources())
        n_codings = len(project.codings())
        print(
            f"setup: {n_sources} sources, {n_codings} codings, {len(project.codes())} codes "
            f"(big transcript: {len(segments)} segments, 1000 codings) in {time.perf_counter() - t0:.1f} s"
        )

        client = InProcess(create_app(project.path, login_token="t", project=project))
        client.get("/login/token?token=t")
        url = f"/sources/{source.source_id}"
        html = client.get(url).text
        csrf = re.search(r'data-csrf="([^"]+)"', html)
        assert csrf is not None
        assets = re.findall(r'(?:src|href)="(/static/[^"]+|/codes.css)"', html)
        asset_bytes = {a: len(client.get(a).content) for a in assets}
        total = len(html.encode()) + sum(asset_bytes.values())
        print(
            f"viewer first load: HTML {len(html.encode()) / 1024:.0f} KB + "
            + " + ".join(f"{a} {n / 1024:.1f} KB" for a, n in asset_bytes.items())
            + f" = {total / 1024:.0f} KB (target < 300 KB); "
            f"{html.count(SEGMENT_DIV)} of {len(segments)} segments in the first load"
        )
        whole = client.get(url + "?all=1").text
        print(f"viewer ?all=1 (whole source at once): HTML {len(whole.encode()) / 1024:.0f} KB")

        view = timed(lambda: client.get(url), 40)
        print(f"source viewer first load: {fmt(view)}")
        more = re.search(r'hx-get="([^"]+segments\?from=\d+)"', html)
        if more:
            next_url = more.group(1)
            chunk = timed(lambda: client.get(next_url), 40)
            print(f"next chunk ({next_url}): {fmt(chunk)}")
        view_all = timed(lambda: client.get(url + "?all=1"), 20)
        print(f"source viewer, whole source (2,000 segments, 1,000 codings): {fmt(view_all)}")
        some = project.codings(source_id=source.source_id)[:40]
        it = iter(some * 2)
        details = timed(lambda: client.get(f"{url}/codings/{next(it).id}"), 40)
        print(f"coding details fragment: {fmt(details)}")

        def apply() -> None:
            seg = rng.choice(segments)
            r = client.post(
                f"/sources/{source.source_id}/codings",
                data={"csrf": csrf.group(1), "start": str(seg.start), "end": str(seg.end), "code_id": str(codes[1].id)},
            )
            assert r.status_code == 303

        coding = timed(apply, 200)
        print(f"apply a coding (POST, stored, redirect): {fmt(coding)}")
        n = len(project.codings(code=codes[0].id))
        retrieval = timed(lambda: client.get(f"/codes/{codes[0].id}"), 40)
        print(f"code retrieval page ({n} codings): {fmt(retrieval)}")
        print(f"(mean viewer first load {statistics.mean(view):.1f} ms)")


if __name__ == "__main__":
    main()
