"""Benchmark: REFI-QDA export of a project with 2,000 sources (~2 KB each) and 50,000 codings.

Target (issue 4): < 10 s and < 500 MB peak memory. Run: .venv/bin/python bench/bench_refi.py
Codings are inserted in bulk with SQLAlchemy Core here only (``add_coding`` checks each one in its own transaction).
"""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from danish_text import document

import aia
from aia.clock import now
from aia.exchange.refi import export_qdc, export_qdpx
from aia.store.database import write
from aia.store.schema import codings

SOURCES = 2000
CODINGS = 50_000


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def fill(project: aia.Project, folder: Path, rng: random.Random) -> int:
    """The benchmark project: 2 forløb, 20 organisations and participants, SOURCES generated Danish texts spread
    over all WPs, 60 codes, CODINGS codings (bulk insert) and 200 memos. Returns the number of sources."""
    project.add_track("Softwareudviklere", prefix="SWU")
    project.add_track("Multimediedesignere", prefix="MMD")
    for i in range(20):
        org = project.add_organisation(f"Virksomhed {i}", sector="IT", size="10-49", attributes={"by": "Århus"})
        project.add_participant(
            "SWU" if i % 2 else "MMD", role="AI-champion", organisation=org.code, attributes={"alder": 30 + i}
        )
    folder.mkdir()
    paths = []
    for i in range(SOURCES):
        path = folder / f"kilde_{i:04d}.txt"
        path.write_text(document(rng, 2000, speakers=i % 2 == 0) + " 😀 æøå\n", encoding="utf-8")
        paths.append(path)
    source_ids: list[int] = []
    for track in ("SWU", "MMD"):
        for wp in range(1, 6):
            chunk = paths[: SOURCES // 10]
            paths = paths[SOURCES // 10 :]
            results = project.import_files(chunk, track=track, wp=wp)
            source_ids += [r.source_id for r in results if r.source_id is not None]
    codes = [project.add_code(f"Kode {i}").id for i in range(20)]
    codes += [project.add_code(f"Underkode {i}", parent=f"Kode {i % 20}").id for i in range(40)]
    lengths = {sid: len(project.source(sid).text or "") for sid in source_ids}
    stamp = now()
    rows = []
    for _ in range(CODINGS):
        sid = rng.choice(source_ids)
        start = rng.randrange(0, lengths[sid] - 1)
        end = min(lengths[sid], start + rng.randint(1, 400))
        rows.append(
            {
                "guid": str(uuid.uuid4()),
                "source_id": sid,
                "code_id": rng.choice(codes),
                "start": start,
                "end": end,
                "coder": rng.choice(["Forsker A", "Forsker B", "Forsker C"]),
                "created_at": stamp,
                "comment": "kommentar ☺" if rng.random() < 0.05 else None,
            }
        )
    with write(project.engine) as conn:
        conn.execute(codings.insert(), rows)
    del rows
    for i in range(200):
        project.add_memo(f"Memo {i}", "Markdown **memo** 🎉", "source", rng.choice(source_ids))
    return len(source_ids)


def main() -> None:
    rng = random.Random(4)
    with tempfile.TemporaryDirectory() as tmp, aia.init_project(Path(tmp) / "p", user="bench") as project:
        started = time.perf_counter()
        n = fill(project, Path(tmp) / "files", rng)
        print(f"built {n} sources, {CODINGS} codings in {time.perf_counter() - started:.1f} s")
        print(f"peak memory before the export: {peak_mb():.0f} MB")

        out = Path(tmp) / "export.qdpx"
        started = time.perf_counter()
        summary = export_qdpx(project, out)
        elapsed = time.perf_counter() - started
        print(summary.describe("qdpx"))
        print(f"export_qdpx: {elapsed:.2f} s, file {out.stat().st_size / 2**20:.1f} MB, peak memory {peak_mb():.0f} MB")
        started = time.perf_counter()
        export_qdc(project, Path(tmp) / "export.qdc")
        print(f"export_qdc: {time.perf_counter() - started:.3f} s")
        ok = elapsed < 10 and peak_mb() < 500
        print("target < 10 s and < 500 MB:", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
