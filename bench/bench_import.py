"""Benchmark: import 1,000 generated Danish-like text documents of ~5 KB through the Python API.

Target (issue 2): ≥ 400 documents/s on one core. Run: .venv/bin/python bench/bench_import.py [N] [--pseudonymise]

With ``--pseudonymise`` the project has a key store with 200 known persons, so every document is pseudonymised
(issue 6) and its original kept encrypted: the cost of data protection at import.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from danish_text import document

import aia
from aia.privacy.identities import PersonIdentity


def main(n: int = 1000, pseudonymise: bool = False) -> None:
    rng = random.Random(2026)
    docs = [document(rng, 5000).encode("utf-8") for _ in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        paths = []
        for i, data in enumerate(docs):
            path = folder / f"interview_{i:04d}.txt"
            path.write_bytes(data)
            paths.append(path)
        passphrase = "bench-nøglelager" if pseudonymise else None
        with aia.init_project(Path(tmp) / "p", user="bench", keystore_passphrase=passphrase) as project:
            project.add_track("Softwareudviklere", prefix="SWU")
            if pseudonymise:
                keys = project.keys()
                for i in range(200):
                    pseudonym = project.add_participant("SWU").pseudonym
                    first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
                    keys.set_person(
                        pseudonym,
                        PersonIdentity(
                            full_names=(f"{first} {last}",), surname=last, emails=(f"{first.lower()}{i}@firma.dk",)
                        ),
                    )
                project.save_keys()
            t0 = time.perf_counter()
            cpu0 = time.process_time()
            results = project.import_files(paths, track="SWU", wp=2)
            wall = time.perf_counter() - t0
            cpu = time.process_time() - cpu0
            assert all(r.status == "imported" for r in results), [r.message for r in results if r.message][:3]
            segments = sum(r.segments for r in results)
            mb = sum(len(d) for d in docs) / 1e6
            print(f"imported {n} documents ({mb:.1f} MB, {segments} segments) in {wall:.2f} s wall, {cpu:.2f} s CPU")
            print(
                f"  {n / wall:.0f} documents/s wall, {n / cpu:.0f} documents/s per CPU-second "
                f"({wall / n * 1000:.2f} ms per document); target ≥ 400 documents/s"
            )
            if pseudonymise:
                replaced = sum(r.replaced for r in results)
                flagged = sum(r.flagged for r in results)
                print(f"  pseudonymised: {replaced} identifiers replaced, {flagged} flagged for review")
            print(f"  search after import: {project.search('udviklerne').total} segments match 'udviklerne'")
            db = Path(tmp) / "p" / "aia.sqlite"
            print(f"  database {db.stat().st_size / 1e6:.1f} MB")


FIRST = ["Mette", "Søren", "Anne", "Lars", "Kirsten", "Niels", "Hanne", "Ahmed", "Fatima", "Jørgen"]
LAST = ["Hansen", "Jensen", "Nielsen", "Kjærgaard", "Østergaard", "Holmgaard", "Lindholm", "Brandt", "Dahl", "Friis"]

if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 1000, "--pseudonymise" in sys.argv)
