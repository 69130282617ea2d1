"""Benchmark: REFI-QDA import of a project with 2,000 sources (~2 KB each) and 50,000 codings.

Target (issue 4): < 10 s and < 500 MB peak memory. Run: .venv/bin/python bench/bench_refi_import.py
The project is built as in ``bench_refi.py`` (same generator and seed) and exported; the import then runs in a
fresh process, so its peak memory is its own: first into a new project, then again into the same project
(everything matched by GUID and compared field by field, nothing stored twice, nothing changed). CPU time is
printed beside the wall time: on a busy machine it is the fairer figure.
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_refi import CODINGS, SOURCES, fill

import aia
from aia.exchange.refi.importer import import_into_new_project


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def build(root: Path) -> Path:
    """The benchmark project of bench_refi.py, exported; returns the .qdpx."""
    with aia.init_project(root / "p", user="bench") as project:
        fill(project, root / "files", random.Random(4))
        out = root / "export.qdpx"
        project.export_qdpx(out)
    return out


def run_import(qdpx: Path, target: Path) -> None:
    """In the child process: import into a new project, then again into the same one."""
    started, cpu = time.perf_counter(), time.process_time()
    project, summary = import_into_new_project(qdpx, target, user="bench")
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    print(summary.describe())
    for warning in summary.warnings:
        print("warning:", warning)
    print(f"import_qdpx into a new project: {elapsed:.2f} s ({cpu:.2f} s CPU), peak memory {peak_mb():.0f} MB")
    started, cpu = time.perf_counter(), time.process_time()
    again = project.import_qdpx(qdpx, remove_missing=True)
    again_s, again_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"re-import (all matched by GUID, each compared, --remove-missing): {again_s:.2f} s ({again_cpu:.2f} s CPU), "
        f"peak memory {peak_mb():.0f} MB"
    )
    print(again.describe())
    assert again.changes == [] and again.sources == again.codings == 0, "an unchanged re-import changed something"
    project.close()
    ok = max(elapsed, again_s) < 10 and peak_mb() < 500
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
