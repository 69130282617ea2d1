"""Benchmark: full-text search over 100,000 generated Danish-like segments.

Run: ``.venv/bin/python bench/bench_search.py [--segments N] [--keep DIR] [--paradigm-share F ...]``

Two corpora by default, differing only in how often the query words occur:

* ``stress`` (paradigm share 0.15): 15 % of all tokens are forms of the 15 query paradigms, so a query word
  occurs in 5–25 % of all segments (up to 30,000 hits) — far commoner than content words in real material.
* ``topical`` (paradigm share 0.015): a query word occurs in about 0.5–3 % of segments, as the topic words of a
  project (værktøj, kunde, udvikler) do in real interview transcripts.

Ranking (``bm25``) costs about 1 µs per matching segment in SQLite 3.40's FTS5, so query time grows with the
number of hits; both corpora are printed so that the figure can be read for what it is.

Builds a temporary project database (the real migrations: tables + FTS5 index with its triggers), fills it
with word-salad paragraphs of about 30 words built from real Danish inflection paradigms, function words and
filler words (fixed seed), spread over a few hundred sources in 2 tracks x 5 work packages, then runs 20 typical
queries 10 times each through :func:`aia.search.search` (count + page of 20 hits + KWIC snippets) and prints p50/p95.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from aia.search import SearchFilters, search
from aia.store import migrations
from aia.store.database import read, sqlite_engine
from aia.text.stemming import index_columns

SEED = 20241128
NOW = "2024-01-01T00:00:00+00:00"

PARADIGMS = [
    "bil bilen biler bilerne bilens bilernes",
    "udvikler udvikleren udviklere udviklerne udviklerens",
    "udvikling udviklingen udviklinger udviklingerne",
    "arbejde arbejder arbejdede arbejdet arbejdes arbejdende",
    "kunde kunden kunder kunderne kundens",
    "værktøj værktøjet værktøjer værktøjerne",
    "sygeplejerske sygeplejersken sygeplejersker sygeplejerskerne",
    "oplevelse oplevelsen oplevelser oplevelserne opleve oplever oplevede",
    "virksomhed virksomheden virksomheder virksomhederne",
    "medarbejder medarbejderen medarbejdere medarbejderne",
    "leder lederen ledere lederne lede ledede",
    "system systemet systemer systemerne",
    "opgave opgaven opgaver opgaverne",
    "beslutning beslutningen beslutninger beslutningerne",
    "kollega kollegaen kollegaer kollegaerne",
    "skole skolen skoler skolerne",
    "hospital hospitalet hospitaler hospitalerne",
    "borger borgeren borgere borgerne",
    "fortælle fortæller fortalte fortalt",
    "bruge bruger brugte brugt brugere brugerne",
    "lære lærer lærte lært læring læringen",
    "stor store større størst",
    "ny nye nyt nyere nyeste",
    "data dataene model modellen modeller modellerne",
    "tid tiden tider tiderne",
    "e-mail e-mailen e-mails AI-værktøj AI-værktøjet AI-værktøjer",
]
FUNCTION_WORDS = [
    "og",
    "i",
    "at",
    "det",
    "er",
    "en",
    "til",
    "på",
    "de",
    "med",
    "for",
    "ikke",
    "der",
    "som",
    "har",
    "af",
    "den",
    "vi",
    "var",
    "om",
    "så",
    "men",
    "også",
    "jeg",
    "han",
    "hun",
    "man",
    "kan",
    "skal",
    "vil",
    "ville",
    "kunne",
    "når",
    "hvor",
    "hvad",
    "hvis",
    "fordi",
    "eller",
    "efter",
    "over",
    "under",
    "mod",
    "fra",
    "ud",
    "op",
    "ned",
    "meget",
    "lidt",
]
_SYLLABLES = [
    "ka",
    "lo",
    "ne",
    "ri",
    "ste",
    "mø",
    "bå",
    "ge",
    "sk",
    "und",
    "for",
    "ling",
    "hed",
    "er",
    "en",
    "et",
    "ter",
    "ved",
    "mi",
    "pa",
    "tro",
    "gaard",
    "sen",
    "hav",
]


def filler_words(rng: random.Random, n: int = 4000) -> list[str]:
    """Pseudo-Danish filler words (no dictionary is installed here)."""
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def paragraphs(n: int, rng: random.Random, paradigm_share: float) -> list[str]:
    paradigm = [w for p in PARADIGMS for w in p.split()]
    filler = filler_words(rng)
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(filler))))  # Zipf-like
    out = []
    for _ in range(n):
        length = rng.randint(20, 40)
        kinds = rng.choices(("f", "p", "x"), weights=(0.45, paradigm_share, 0.55 - paradigm_share), k=length)
        fillers = iter(rng.choices(filler, cum_weights=cumulative, k=length))
        words = [
            (rng.choice(FUNCTION_WORDS) if k == "f" else rng.choice(paradigm) if k == "p" else next(fillers))
            for k in kinds
        ]
        words[0] = words[0].capitalize()
        out.append(" ".join(words) + rng.choice([".", ".", "?", "!"]))
    return out


def build(path: Path, n_segments: int, paradigm_share: float = 0.15) -> dict[str, float]:
    rng = random.Random(SEED)
    engine = sqlite_engine(path)
    migrations.apply(engine)
    engine.dispose()
    t0 = time.perf_counter()
    texts = paragraphs(n_segments, rng, paradigm_share)
    t_gen = time.perf_counter() - t0
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    t1 = time.perf_counter()
    with con:
        for t, track in enumerate(("Sundhed", "Byggeri"), start=1):
            con.execute(
                "INSERT INTO tracks(id, guid, name, prefix, created_at) VALUES (?, ?, ?, ?, ?)",
                (t, f"t{t}", track, track[0], NOW),
            )
            for number in range(1, 6):
                wp = (t - 1) * 5 + number
                con.execute(
                    "INSERT INTO work_packages(id, track_id, number, name, method, description) "
                    "VALUES (?, ?, ?, ?, '', '')",
                    (wp, t, number, f"WP{number}"),
                )
                for a in range(5):
                    con.execute(
                        "INSERT INTO activities(id, wp_id, kind, title, date, researchers, created_at) "
                        "VALUES (?, ?, 'interview', ?, ?, '[]', ?)",
                        (wp * 10 + a, wp, f"Aktivitet {wp}.{a}", f"2024-{1 + (wp + a) % 12:02d}-15", NOW),
                    )
        con.executemany(
            "INSERT INTO participants(id, guid, track_id, pseudonym, attributes, created_at) "
            "VALUES (?, ?, ?, ?, '{}', ?)",
            [(p, f"p{p}", 1 + p % 2, f"P{p:03d}", NOW) for p in range(1, 41)],
        )
        con.execute(
            "INSERT INTO codes(id, guid, name, color, created_by, created_at) "
            "VALUES (1, 'c1', 'Biler', '#f00', 'x', ?)",
            (NOW,),
        )
        per_source = 300
        segment_rows: list[tuple[object, ...]] = []
        codings: list[tuple[object, ...]] = []
        for s, first in enumerate(range(0, n_segments, per_source), start=1):
            chunk = texts[first : first + per_source]
            text = "\n\n".join(chunk)
            wp = 1 + s % 10
            sha = f"{s:064x}"
            con.execute("INSERT INTO files VALUES (?, ?, ?)", (sha, len(text), NOW))
            con.execute(
                "INSERT INTO sources(id, guid, wp_id, activity_id, title, date, language, importer, "
                "original_filename, sha256, size, text, metadata, created_at, imported_by) "
                "VALUES (?, ?, ?, ?, ?, NULL, 'da', 'bench', ?, ?, ?, ?, '{}', ?, 'bench')",
                (s, f"s{s}", wp, wp * 10 + s % 5, f"Kilde {s}", f"k{s}.txt", sha, len(text), text, NOW),
            )
            con.execute("INSERT INTO source_participants VALUES (?, ?)", (s, 1 + s % 40))
            start = 0
            for ordinal, paragraph in enumerate(chunk):
                end = start + len(paragraph)
                speaker = 1 + (s + ordinal) % 40
                stems, plain = index_columns(paragraph)
                segment_rows.append((s, ordinal, start, end, f"P{speaker:03d}", speaker, stems, plain))
                if ordinal % 10 == 0:
                    codings.append((f"g{s}.{ordinal}", s, start, end))
                start = end + 2
        t_stem = time.perf_counter()
        con.executemany(
            'INSERT INTO segments(source_id, ordinal, kind, start, "end", speaker, participant_id, meta, '
            "stem, plain) VALUES (?, ?, 'paragraph', ?, ?, ?, ?, '{}', ?, ?)",
            segment_rows,
        )
        con.execute("INSERT INTO segments_fts(segments_fts) VALUES ('rebuild')")  # index them all at once
        t_insert = time.perf_counter() - t_stem
        con.executemany(
            'INSERT INTO codings(guid, source_id, code_id, start, "end", coder, created_at) '
            "VALUES (?, ?, 1, ?, ?, 'x', '2024-01-01')",
            codings,
        )
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("ANALYZE")
    con.close()
    return {
        "generate": t_gen,
        "load_total": time.perf_counter() - t1,
        "insert_and_index": t_insert,
        "sources": float(len(range(0, n_segments, per_source))),
    }


QUERIES: list[tuple[str, SearchFilters | None]] = [
    ("bil", None),
    ("bilerne", None),
    ("udviklerne", None),
    ("udvikler", None),
    ("arbejdede", None),
    ("kunden", None),
    ("værktøjerne", None),
    ("sygeplejersken", None),
    ("oplevelser", None),
    ("virksomhederne", None),
    ('"kunden arbejder"', None),
    ("e-mail", None),
    ("udvikl*", None),
    ("medarb*", None),
    ("bil kunde", None),
    ("udvikleren værktøj", None),
    ("bil OR skole", None),
    ("bilerne -kunden", None),
    ("kunderne", SearchFilters(track_ids=[2], wp_numbers=[3])),
    ("lederne", SearchFilters(code_ids=[1], date_from="2024-03", date_to="2024-08")),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def run(args: argparse.Namespace, directory: Path, share: float) -> list[float]:
    path = directory / f"aia-{share}.sqlite"
    if path.exists():
        path.unlink()
    t0 = time.perf_counter()
    info = build(path, args.segments, share)
    print(
        f"\ncorpus with paradigm share {share}: built {args.segments:,} segments in {int(info['sources'])} sources "
        f"in {time.perf_counter() - t0:.1f} s "
        f"(generate {info['generate']:.1f} s, stem+load {info['load_total']:.1f} s, "
        f"of which segment insert + FTS index {info['insert_and_index']:.1f} s); "
        f"database {path.stat().st_size / 1e6:.1f} MB"
    )
    engine = sqlite_engine(path)
    everything: list[float] = []
    print(f"{'query':<28} {'filters':<8} {'hits':>7} {'p50 ms':>7} {'p95 ms':>7}")
    with read(engine) as conn:
        search(conn, "bil")  # warm the cache
        for query, filters in QUERIES:
            times = []
            total = 0
            for _ in range(args.repeat):
                t = time.perf_counter()
                page = search(conn, query, filters)
                times.append((time.perf_counter() - t) * 1000)
                total = page.total
            everything.extend(times)
            shown = "yes" if filters else ""
            print(f"{query:<28} {shown:<8} {total:>7,} {statistics.median(times):>7.2f} {percentile(times, 95):>7.2f}")
    print(f"{'overall':<28} {'':<8} {'':>7} {statistics.median(everything):>7.2f} {percentile(everything, 95):>7.2f}")
    engine.dispose()
    return everything


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="build the databases in this directory and keep them")
    parser.add_argument("--paradigm-share", type=float, nargs="+", default=[0.15, 0.015])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        for share in args.paradigm_share:
            run(args, directory, share)


if __name__ == "__main__":
    main()
