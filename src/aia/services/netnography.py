"""WP4 netnography: import a query over an online-community dump as a corpus of pseudonymised thread sources.

Reading, filtering and sampling stream (see :mod:`aia.netnography`); the sampled threads are turned into source
rows in memory and stored in ONE write transaction together with the WP4 activity and the corpus provenance row,
so a dump that fails midway leaves nothing behind."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from aia.errors import NotFoundError, ValidationError
from aia.model import ActivityKind
from aia.netnography.model import Thread
from aia.netnography.parallel import ThreadWork, usable_cores
from aia.netnography.query import Query, apply_filters, detect, read_dump, sample, steps
from aia.netnography.thread_rows import (
    TextHook,
    ThreadJob,
    body_text,
    html_weight,
    no_state,
    post_count,
    text_hook,
    thread_state,
)
from aia.netnography.thread_rows import thread_work as _thread_work  # a module global: tests replace it
from aia.services.importing import ImportService
from aia.store import fts5
from aia.store import netnography as db
from aia.store import pseudonymisation as pseudo_db
from aia.store import sources as sources_db
from aia.store import structure as structure_db
from aia.store.database import bulk_write, read
from aia.store.netnography import Corpus
from aia.store.netnography_spill import SPILL_AFTER

#: progress callback: (rows read from the dump, threads read, threads matched)
Progress = Callable[[int, int, int], None]
#: posts stored per insert statement batch (all batches are in the one write transaction)
WRITE_BATCH = 250
#: the page cache (KiB) of the import's write connection (instead of the usual 64 MiB)
IMPORT_CACHE_KIB = 16_384
#: dumps of at least this many rows share the per-thread work with a worker process (see aia.netnography.parallel)
PARALLEL_ROWS = 10_000


@dataclass(frozen=True)
class CorpusResult:
    corpus: Corpus
    source_ids: list[int]
    #: pseudonymisation findings this import put on the review list (0 when shown later or when it was off)
    findings: int = 0


def parse_day(value: str | None, what: str) -> datetime | None:
    """A ``YYYY-MM-DD`` (or ISO time) as an aware UTC datetime; a clear error otherwise."""
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{what} {value!r} is not a date; write it as YYYY-MM-DD") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def dump_fingerprint(path: Path) -> tuple[str, int, str]:
    """Name, total size and SHA-256 of a dump file, or of a dump folder's files (names and bytes, sorted)."""
    digest = hashlib.sha256()
    size = 0
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for p in files:
        if path.is_dir():
            digest.update(p.relative_to(path).as_posix().encode() + b"\0")
        with p.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    return path.name, size, digest.hexdigest()


class NetnographyService(ImportService):
    def _author_secret(self) -> bytes:
        """The project's pseudonymisation secret, from the key store (unlocked, or with AIA_KEYSTORE_PASSPHRASE)."""
        return self.keys().secret

    def _text_hook(self) -> TextHook:
        """The project's own text pseudonymiser, see :func:`text_hook`. The context is built once per import."""
        return text_hook(self.pseudonym_context())

    def import_corpus(
        self,
        dump: str | Path,
        track: str | int,
        name: str,
        match: str | None = None,
        keywords: tuple[str, ...] | list[str] = (),
        tags: tuple[str, ...] | list[str] = (),
        subreddits: tuple[str, ...] | list[str] = (),
        since: str | None = None,
        until: str | None = None,
        min_score: int | None = None,
        sample_size: int | None = None,
        seed: int | None = None,
        stratify: str | None = None,
        secret: bytes | None = None,
        progress: Progress | None = None,
        spill_after: int = SPILL_AFTER,
        parallel: bool | None = None,
    ) -> CorpusResult:
        """Read a dump, keep the threads matching every filter, sample them (seeded), pseudonymise and store them
        as one source per thread under a new WP4 activity of ``track``, with the query as provenance.

        Memory stays flat whatever the dump's size: the readers group rows through a spill file beyond
        ``spill_after`` rows, threads stream through the filters, and (without ``sample_size``) into the one write
        transaction in batches; a sample holds at most ``sample_size`` threads per stratum. The whole dump is read
        and checked before that transaction opens; any later error rolls it back, so nothing is half-stored.

        ``parallel``: share the per-thread work (pseudonymising, thread text, search columns) with one worker
        process (:mod:`aia.netnography.parallel`; the same rows either way); by default for dumps of
        ``PARALLEL_ROWS`` rows or more (Stack Exchange and Reddit) on a machine with two or more cores."""
        path = Path(dump)
        if not name.strip():
            raise ValidationError("a corpus needs a name (--name)")
        if sample_size is not None and seed is None:
            raise ValidationError("a sample needs a seed (--seed) so that it can be drawn again")
        if stratify is not None and sample_size is None:
            raise ValidationError("--stratify needs --sample")
        if stratify not in (None, "year", "tag", "subreddit"):
            raise ValidationError(f"--stratify {stratify!r} is unknown; use year, tag or subreddit")
        query = Query(
            match,
            list(keywords),
            list(tags),
            list(subreddits),
            parse_day(since, "--since"),
            parse_day(until, "--until"),
            min_score,
        )
        steps(query)  # a bad --match is refused before the dump is read
        wp = self.work_package(track, 4)
        platform = detect(path) if path.exists() else "?"
        counts: dict[str, int] = {}
        state = [0, 0, 0]  # rows read, threads read, threads matched

        def report() -> None:
            if progress is not None:
                progress(state[0], state[1], state[2])

        def tick(rows: int) -> None:
            state[0] = rows
            report()

        # one worker process where that pays (parallel: None decides by the dump's size), see aia.netnography.parallel
        with ThreadWork(parallel if parallel is not None else usable_cores() >= 2) as work:
            if parallel:
                work.start()
            # Stack Exchange bodies are converted by the worker while this process reads on (once the dump proves large)
            raw = read_dump(
                path,
                spill_after=spill_after,
                tick=tick,
                convert=lambda bodies: work.map(
                    no_state, body_text, None, bodies, weight=html_weight, start_after=PARALLEL_ROWS
                ),
            )
            # the readers yield their first thread only once the whole dump is read (and checked), so a malformed
            # dump fails here, before anything is written
            first = next(raw, None)
            opened = [first] if first is not None else []
            threads: Iterator[Thread] = _counting(itertools.chain(opened, raw), state, report)
            matched = _matched(apply_filters(threads, query, counts), state, report)
            if sample_size is not None:
                assert seed is not None
                chosen: Iterable[Thread] = sample(matched, sample_size, seed, stratify)
            else:
                chosen = matched
            job = ThreadJob(
                secret if secret is not None else self._author_secret(),
                platform,
                self.pseudonym_context(),
                wp.id,
                self.user,
            )
            name_, size, sha = dump_fingerprint(path)
            if parallel is None and state[0] >= PARALLEL_ROWS:  # state[0]: the rows the reader read
                work.start()
            activity_values = {
                "wp_id": wp.id,
                "kind": ActivityKind.NETNOGRAPHY_QUERY.value,
                "title": name.strip()[:300],
                "date": date.today().isoformat(),
                "place": platform,
                "researchers": [self.user],
                "notes": json.dumps({"dump": name_, "query": query.as_dict()}, ensure_ascii=False),
            }
            ids: list[int] = []
            n_threads = n_posts = n_findings = 0
            # the corpus is written once and not read back here: a small page cache keeps memory flat (issue 5: RSS)
            with (
                bulk_write(self.engine, IMPORT_CACHE_KIB) as conn,
                fts5.bulk_indexing(conn),
            ):
                activity = structure_db.insert_activity(conn, activity_values, [])
                batch: list[sources_db.NewSource] = []
                batch_posts = 0
                batch_findings: list[list[dict[str, Any]]] = []

                def flush() -> None:
                    new_ids = sources_db.insert_sources(conn, batch)
                    ids.extend(new_ids)
                    review = [
                        {**row, "source_id": source_id}
                        for source_id, rows in zip(new_ids, batch_findings, strict=True)
                        for row in rows
                    ]
                    if review:
                        pseudo_db.insert_findings(conn, review)
                    batch.clear()
                    batch_findings.clear()

                for source, source_findings, posts, found in work.map(
                    thread_state, _thread_work, job, chosen, post_count
                ):
                    source.values["activity_id"] = activity.id
                    batch.append(source)
                    batch_findings.append(source_findings)
                    n_threads += 1
                    n_posts += posts
                    n_findings += found
                    batch_posts += posts
                    if batch_posts >= WRITE_BATCH:
                        flush()
                        batch_posts = 0
                flush()
                counts["sampled"] = n_threads
                corpus_id = db.insert_corpus(
                    conn,
                    {
                        "activity_id": activity.id,
                        "name": name.strip()[:300],
                        "platform": platform,
                        "dump_name": name_,
                        "dump_size": size,
                        "dump_sha256": sha,
                        "query": query.as_dict(),
                        "counts": counts,
                        "sample_size": sample_size,
                        "seed": seed,
                        "stratify": stratify,
                        "threads": n_threads,
                        "posts": n_posts,
                        "created_by": self.user,
                    },
                )
                corpus = db.get_corpus(conn, corpus_id)
        assert corpus is not None
        return CorpusResult(corpus, ids, n_findings)

    def corpora(self) -> list[Corpus]:
        with read(self.engine) as conn:
            return db.list_corpora(conn)

    def corpus(self, corpus_id: int) -> CorpusResult:
        with read(self.engine) as conn:
            found = db.get_corpus(conn, corpus_id)
            if found is None:
                raise NotFoundError(f"there is no corpus {corpus_id}; 'aia netnography list' shows them")
            return CorpusResult(found, db.corpus_source_ids(conn, found.activity_id))


def _counting(threads: Iterable[Thread], state: list[int], report: Callable[[], None]) -> Iterator[Thread]:
    for thread in threads:
        state[1] += 1
        if state[1] % 100 == 0:
            report()
        yield thread


def _matched(threads: Iterable[Thread], state: list[int], report: Callable[[], None]) -> Iterator[Thread]:
    for thread in threads:
        state[2] += 1
        yield thread
    report()
