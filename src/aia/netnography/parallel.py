"""Per-thread work of a netnography import, in order, in this process or in one worker process.

The per-thread work (author pseudonyms, the project's text pseudonymiser, thread text and search-index columns) is
CPU-bound and independent from thread to thread, while the main process has its own work: reading and converting the
dump and writing the sources. On a machine with two or more cores a large import therefore hands chunks of threads to
ONE worker process ('spawn': a fresh interpreter, nothing inherited) and takes the results back in the original
order; a small import (or a one-core machine) does the same work in this process. Both ways run the same two
functions, so they store the same rows.

Memory stays flat: at most ``ahead`` chunks wait for the worker, and rather than wait for it the caller's process
does the next chunk itself (up to a few chunks held), so both cores stay busy, also while the worker starts. The
worker holds no connection and writes nothing; an error there is raised again here, inside the caller's write
transaction, so nothing is stored, and a worker that dies raises :class:`WorkerFailed`."""

from __future__ import annotations

import os
import sys
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Generic, TypeVar

from aia.errors import AiaError

S = TypeVar("S")
A = TypeVar("A")
T = TypeVar("T")
R = TypeVar("R")

#: threads per chunk sent to the worker (large enough that pickling overhead is small)
CHUNK = 32
#: chunks waiting for the worker at most; twice as many are held in all (memory stays flat)
AHEAD = 4


class WorkerFailed(AiaError):
    """The worker process of an import stopped without an answer (killed, out of memory)."""


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@contextmanager
def _main_not_imported() -> Iterator[None]:
    """While the worker starts, hide where the ``__main__`` module came from, so that the worker does not import
    (run) the caller's main script: everything it needs is imported by the functions it is given, and a script
    without an ``if __name__ == "__main__"`` guard would otherwise start the import again in the worker."""
    main = sys.modules["__main__"]
    saved: dict[str, Any] = {key: main.__dict__[key] for key in ("__file__", "__spec__") if key in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


# the worker's state: (token of the map() call it was built for, setup(arg))
_worker: tuple[str, Any] | None = None


def _warm(work: Callable[..., Any]) -> None:
    """Nothing: receiving ``work`` imports its module, so the worker is ready when the first chunk comes."""


def _peak_rss_kib() -> int:
    """This process's peak resident memory in KiB (VmHWM: since its start, not counting its parent's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:  # pragma: no cover - not on Linux
        pass
    return 0


#: the peak resident memory (KiB) of the last worker process that was closed, for benchmarks; None before any
last_worker_peak_kib: int | None = None


def _run_chunk(
    token: str, setup: Callable[[Any], Any], work: Callable[[Any, Any], Any], arg: Any, items: list[Any]
) -> list[Any]:
    global _worker
    if _worker is None or _worker[0] != token:
        _worker = (token, setup(arg))
    state = _worker[1]
    return [work(state, item) for item in items]


class ThreadWork(Generic[A, S, T, R]):
    """Maps ``work(setup(arg), item)`` over items in order, in one worker process when ``parallel`` is true.

    ``setup`` and ``work`` must be module-level functions and ``arg`` picklable (they go to the worker with every
    chunk; ``setup`` runs once per :meth:`map`). Create it early, so that the worker starts (and imports the
    modules of ``work``) while the caller reads the dump, and close it (or use ``with``)."""

    def __init__(
        self,
        setup: Callable[[A], S],
        work: Callable[[S, T], R],
        parallel: bool,
        chunk: int = CHUNK,
        ahead: int = AHEAD,
    ) -> None:
        self._setup = setup
        self._work = work
        self._chunk = chunk
        self._ahead = ahead
        self._pool: ProcessPoolExecutor | None = None
        if parallel:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
            with _main_not_imported():
                self._pool.submit(_warm, work)  # starts the worker (the pool starts it on the first submit)

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    def map(self, arg: A, items: Iterable[T]) -> Iterator[R]:
        """``work(setup(arg), item)`` for every item, in order.

        With a worker, chunks go to it while it has fewer than ``ahead`` waiting; otherwise this process does the
        next chunk itself instead of waiting (so both cores stay busy, also while the worker starts), up to
        ``2 * ahead`` chunks held in all; results come out in the items' order."""
        if self._pool is None:
            state = self._setup(arg)
            for item in items:
                yield self._work(state, item)
            return
        pool = self._pool
        token = uuid.uuid4().hex
        local: list[S] = []  # this process's state, set up on first use
        pending: deque[Future[list[R]] | list[R]] = deque()
        in_worker = 0

        def ready() -> bool:
            head = pending[0]
            return isinstance(head, list) or head.done()

        def pop() -> list[R]:
            nonlocal in_worker
            head = pending.popleft()
            if isinstance(head, list):
                return head
            in_worker -= 1
            return head.result()

        def place(chunk: list[T]) -> None:
            nonlocal in_worker
            if in_worker < self._ahead:
                pending.append(pool.submit(_run_chunk, token, self._setup, self._work, arg, chunk))
                in_worker += 1
            else:
                if not local:
                    local.append(self._setup(arg))
                state = local[0]
                pending.append([self._work(state, item) for item in chunk])

        try:
            chunk: list[T] = []
            for item in items:
                chunk.append(item)
                if len(chunk) < self._chunk:
                    continue
                while pending and (ready() or len(pending) >= 2 * self._ahead):
                    yield from pop()
                place(chunk)
                chunk = []
            if chunk:
                place(chunk)
            while pending:
                yield from pop()
        except BrokenProcessPool as exc:
            raise WorkerFailed(
                "the import's worker process stopped unexpectedly (out of memory?); nothing was stored, run the "
                "import again"
            ) from exc
        finally:
            for entry in pending:
                if not isinstance(entry, list):
                    entry.cancel()

    def close(self) -> None:
        global last_worker_peak_kib
        if self._pool is not None:
            try:
                last_worker_peak_kib = self._pool.submit(_peak_rss_kib).result()
            except (BrokenProcessPool, RuntimeError):
                last_worker_peak_kib = None
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ThreadWork[A, S, T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
