"""Benchmark: code retrieval (all coded text for one code, with provenance and context) in a generated project of
2,000 sources and 100,000 codings: the store's retrieval for codes with 300 and 1,000 codings, and the web code
page (server-side, in process: routing, guard, the service call, rendering) unfiltered, filtered by track, WP,
participant and coder, and for a subtree. Prints p50/p95.

Targets (issue 3): code retrieval page for a code with 300 codings < 50 ms (issue 2: store retrieval < 20 ms).
Run: .venv/bin/python bench/bench_retrieve.py [--small] [--keep=DIR]
(--small: 200 sources and 10,000 codings; --keep=DIR: build the project in DIR once and reuse it on later runs)
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)
sys.path.insert(0, str(Path(__file__).parent))

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from danish_text import document  # noqa: E402

import aia  # noqa: E402
from aia.store.database import write  # noqa: E402
from aia.store.schema import codings as codings_table  # noqa: E402
from aia.store.schema import segments as segments_table  # noqa: E402
from aia.store.schema import source_participants  # noqa: E402
from aia.web import create_app  # noqa: E402

CODERS = ("Forsker A", "Forsker B", "Forsker Æ")
CODES = ("Læring/Læring gennem fejl", "Læring/Tillid til værktøjet", "Læring")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def timed(fn: Callable[[], object], n: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (this process) milliseconds of ``n`` calls: on a loaded machine the CPU time is the
    steadier figure."""
    wall, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def report(label: str, times: tuple[list[float], list[float]]) -> None:
    wall, cpu = times
    print(
        f"  {label}: p50 {pct(wall, 50):.1f} ms, p95 {pct(wall, 95):.1f} ms "
        f"(CPU p50 {pct(cpu, 50):.1f} ms, p95 {pct(cpu, 95):.1f} ms)"
    )


class InProcess:
    """Requests straight to the ASGI app on one event loop (no thread portal per request as in TestClient)."""

    def __init__(self, app: object) -> None:
        self.loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        self.client = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", follow_redirects=False)

    def get(self, url: str) -> httpx.Response:
        r = self.loop.run_until_complete(self.client.get(url))
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
        return r


def build(project: aia.Project, rng: random.Random, n_sources: int, n_codings: int) -> tuple[int, int, int]:
    """Two tracks, five WPs each, 20 participants; one 2,000-segment transcript and ``n_sources - 1`` interviews.
    Returns (code with 300 codings, code with 1,000 codings, parent of both)."""
    project.add_track("Softwareudviklere", prefix="SWU")
    project.add_track("Multimediedesignere", prefix="MMD")
    people = [project.add_participant("SWU" if i % 2 else "MMD") for i in range(20)]
    big = "\n\n".join(
        f"{'Interviewer' if i % 2 == 0 else 'Mette'}: {document(rng, 90, speakers=False)}" for i in range(2000)
    )
    r = project.import_bytes(big.encode(), "stort_interview.txt", track="SWU", wp=2)
    assert r.source_id is not None
    for i in range(n_sources - 1):
        turns = "\n\n".join(
            f"{'Interviewer' if k % 2 == 0 else 'Deltager'}: {document(rng, 120, speakers=False)}" for k in range(8)
        )
        project.import_bytes(turns.encode(), f"interview_{i:04d}.txt", track=("SWU", "MMD")[i % 2], wp=1 + i % 5)
    sources = [(s.id, len(project.segments(s.id))) for s, _, _ in project.sources()]
    theme = project.add_code("Læring")
    target = project.add_code("Læring gennem fejl", parent=theme.id)
    thousand = project.add_code("Tillid til værktøjet", parent=theme.id)
    others = [project.add_code(f"Kode {k}") for k in range(40)]
    with write(project.engine) as conn:
        conn.execute(
            source_participants.insert(),
            [{"source_id": sid, "participant_id": people[k % 20].id} for k, (sid, _) in enumerate(sources)],
        )
        spans = {
            sid: conn.execute(
                sa.select(segments_table.c.start, segments_table.c.end).where(segments_table.c.source_id == sid)
            ).all()
            for sid, _ in sources
        }
        rows = []
        plan = [(target.id, 300), (thousand.id, 1000)] + [(others[k % 40].id, 1) for k in range(n_codings - 1300)]
        k = 0
        for code_id, count in plan:
            for j in range(count):
                # half of the target code's codings in the big transcript (the worst case for slicing context)
                sid = sources[0][0] if j % 2 == 0 and count > 1 else rng.choice(sources)[0]
                seg_start, seg_end = rng.choice(spans[sid])
                a = rng.randint(seg_start, max(seg_start, seg_end - 20))
                rows.append(
                    {
                        "guid": f"bench-{k}",
                        "source_id": sid,
                        "code_id": code_id,
                        "start": a,
                        "end": min(seg_end, a + rng.randint(10, 200)) if seg_end > a else a + 1,
                        "coder": CODERS[k % 3],
                        "created_at": "2026-03-12T10:00:00+00:00",
                        "comment": None,
                    }
                )
                k += 1
        conn.execute(codings_table.insert(), rows)
    return target.id, thousand.id, theme.id


def main() -> None:
    small = "--small" in sys.argv
    n_sources, n_codings = (200, 10_000) if small else (2000, 100_000)
    rng = random.Random(7)
    keep = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--keep=")), None)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(keep) if keep else Path(tmp) / "p"
        reuse = path.exists()
        project = aia.open_project(path, user="bench") if reuse else aia.init_project(path, user="bench")
        t0 = time.perf_counter()
        if reuse:
            target, thousand, theme = (project.code(name).id for name in CODES)
        else:
            target, thousand, theme = build(project, rng, n_sources, n_codings)
        run(project, target, thousand, theme, n_codings, t0)
        project.close()


def run(project: aia.Project, target: int, thousand: int, theme: int, n_codings: int, t0: float) -> None:
    print(
        f"setup: {len(project.sources())} sources, {n_codings} codings, "
        f"built or opened in {time.perf_counter() - t0:.0f} s "
        f"(target code: 300 codings, 150 of them in a 2,000-segment transcript)"
    )
    print("store retrieval (project.retrieve), 40 runs:")
    assert len(project.retrieve(target)) == 300
    report("300 codings", timed(lambda: project.retrieve(target), 40))
    report("1,000 codings", timed(lambda: project.retrieve(thousand), 40))
    page = project.retrieve_page(target)
    assert page.total == 300
    report("retrieve_page, 300 codings with context", timed(lambda: project.retrieve_page(target), 40))
    report(
        "retrieve_page, subtree (1,300 codings), first page (retrieve_page default limit)",
        timed(lambda: project.retrieve_page(theme, include_subcodes=True), 40),
    )

    client = InProcess(create_app(project.path, login_token="t", project=project))
    client.loop.run_until_complete(client.client.get("/login/token?token=t"))
    track = project.tracks()[0].id
    participant = project.participants()[0].id
    print("web code page (GET /codes/N, server-side, in process), 40 runs:")
    html = client.get(f"/codes/{target}").text
    print(f"  page size {len(html.encode()) / 1024:.0f} KB")
    for label, url in [
        ("300 codings, unfiltered", f"/codes/{target}"),
        ("filtered by track", f"/codes/{target}?track={track}"),
        ("filtered by WP 2", f"/codes/{target}?wp=2"),
        ("filtered by participant", f"/codes/{target}?participant={participant}"),
        ("filtered by coder", f"/codes/{target}?coder=Forsker+B"),
        ("subtree (1,300 codings)", f"/codes/{theme}?sub=1"),
        ("1,000 codings", f"/codes/{thousand}"),
    ]:
        report(label, timed(lambda url=url: client.get(url), 40))  # type: ignore[misc]
    print(f"target: code page for 300 codings < 50 ms (load average now {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
