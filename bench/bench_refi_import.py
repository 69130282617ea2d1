"""Benchmark: REFI-QDA import of a project with 2,000 sources (~2 KB each) and 50,000 codings.

Target (issue 4): < 10 s and < 500 MB peak memory. Run: .venv/bin/python bench/bench_refi_import.py
The project is built as in ``bench_refi.py`` (same generator and seed) and exported; the import then runs in a
fresh process, so its peak memory is its own: first into a new project, then again into the same project
(everything matched by GUID, nothing stored twice).
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from danish_text import document

import aia
from aia.clock import now
from aia.exchange.refi.importer import import_into_new_project
from aia.store.database import write
from aia.store.schema import codings

SOURCES = 2000
CODINGS = 50_000


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def build(root: Path) -> Path:
    """The benchmark project of bench_refi.py, exported; returns the .qdpx."""
    rng = random.Random(4)
    with aia.init_project(root / "p", user="bench") as project:
        project.add_track("Softwareudviklere", prefix="SWU")
        project.add_track("Multimediedesignere", prefix="MMD")
        for i in range(20):
            org = project.add_organisation(f"Virksomhed {i}", sector="IT", size="10-49", attributes={"by": "Århus"})
            project.add_participant(
                "SWU" if i % 2 else "MMD", role="AI-champion", organisation=org.code, attributes={"alder": 30 + i}
            )
        folder = root / "files"
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
                results = project.import_files(chunk, track=track, wp=wp, pseudonymise=False)
                source_ids += [r.source_id for r in results if r.source_id is not None]
        codes = [project.add_code(f"Kode {i}").id for i in range(20)]
        codes += [project.add_code(f"Underkode {i}", parent=f"Kode {i % 20}").id for i in range(40)]
        lengths = {sid: len(project.source(sid).text) for sid in source_ids}
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
        for i in range(200):
            project.add_memo(f"Memo {i}", "Markdown **memo** 🎉", "source", rng.choice(source_ids))
        out = root / "export.qdpx"
        project.export_qdpx(out)
    return out


def run_import(qdpx: Path, target: Path) -> None:
    """In the child process: import into a new project, then again into the same one."""
    started = time.perf_counter()
    project, summary = import_into_new_project(qdpx, target, user="bench")
    elapsed = time.perf_counter() - started
    print(summary.describe())
    for warning in summary.warnings:
        print("warning:", warning)
    print(f"import_qdpx into a new project: {elapsed:.2f} s, peak memory {peak_mb():.0f} MB")
    started = time.perf_counter()
    again = project.import_qdpx(qdpx)
    print(f"re-import (all matched by GUID): {time.perf_counter() - started:.2f} s, peak memory {peak_mb():.0f} MB")
    print(again.describe())
    project.close()
    ok = elapsed < 10 and peak_mb() < 500
    print("target < 10 s and < 500 MB:", "met" if ok else "NOT met")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--import":
        run_import(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        qdpx = build(Path(tmp))
        print(f"built and exported {SOURCES} sources, {CODINGS} codings in {time.perf_counter() - started:.1f} s")
        print(f".qdpx: {qdpx.stat().st_size / 2**20:.1f} MB")
        subprocess.run([sys.executable, __file__, "--import", str(qdpx), str(Path(tmp) / "importeret")], check=True)


if __name__ == "__main__":
    main()
