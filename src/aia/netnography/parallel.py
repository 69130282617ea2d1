"""CPU-bound work of a netnography import, in order, in this process or in one worker process.

The per-thread work (author pseudonyms, the project's text pseudonymiser, thread text and search-index columns) is
CPU-bound and independent from thread to thread, while the main process has its own work: reading the dump and
writing the sources. On a machine with two or more cores a large import therefore hands chunks of threads to ONE
worker process ('spawn': a fresh interpreter, nothing inherited) and takes the results back in the original order;
a small import (or a one-core machine) does the same work in this process. Both ways run the same functions, so
they store the same rows. The same worker first converts a Stack Exchange dump's HTML bodies while the main
process reads the XML (:func:`ThreadWork.map` runs one map after the other), so that it is not idle while the
dump is read.

The worker is fed through two pipes, not a process pool: a pool moves work to its worker and results back through
helper threads of the caller, which wait for the caller's GIL at every hand-over, and the worker sat idle for a third
of a large import. Here the caller writes chunks straight into an enlarged pipe and reads results when they are
ready; the worker reads, works, and hands each result to a thread that writes it, so it never waits for the caller.

Memory stays flat: at most ``ahead`` chunks wait for the worker, and rather than wait for it the caller's process
does the next chunk itself (up to a few chunks held), so both cores stay busy, also while the worker starts. The
worker holds no connection and writes nothing; an error there is raised again here, inside the caller's write
transaction, so nothing is stored, and a worker that dies raises :class:`WorkerFailed`."""

from __future__ import annotations

import fcntl
import os
import pickle
import queue
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from aia.errors import AiaError

S = TypeVar("S")
A = TypeVar("A")
T = TypeVar("T")
R = TypeVar("R")

#: the weight of a chunk sent to the worker (items, or what ``weight`` counts: large enough that pickling overhead
#: is small, small enough that ``AHEAD`` chunks fit in the pipe, so the caller never waits to write)
CHUNK = 128
#: chunks waiting for the worker at most; twice as many are held in all (memory stays flat)
AHEAD = 4
#: the pipes' kernel buffer (bytes): room for the chunks in flight, so that the caller does not wait to write
PIPE_BYTES = 1 << 20


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


def _enlarge(conn: Connection) -> None:
    """Give a pipe a larger kernel buffer where the system allows it (a smaller one only means more waiting)."""
    with suppress(OSError):  # a system with a lower pipe-max-size
        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _dumps(message: object) -> bytes:
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def _send_all(conn: Connection, out: queue.SimpleQueue[bytes | None]) -> None:
    """The worker's writer thread: sends the results in order (the pipe write releases the GIL)."""
    while (data := out.get()) is not None:
        conn.send_bytes(data)


def _serve(requests: Connection, results: Connection) -> None:
    """The worker process: ``("setup", (setup, work, arg))`` starts a new map (``setup`` runs on its first chunk),
    ``("chunk", items)`` answers ``("ok", results)`` or ``("error", exception)``, ``("peak", None)`` answers the
    peak RSS, and ``("stop", None)`` or a closed pipe ends it."""
    out: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    writer = threading.Thread(target=_send_all, args=(results, out), daemon=True)
    writer.start()
    setup: Callable[[Any], Any] | None = None
    work: Callable[[Any, Any], Any] | None = None
    arg: Any = None
    state: list[Any] = []
    while True:
        try:
            kind, payload = pickle.loads(requests.recv_bytes())
        except EOFError:
            break
        if kind == "stop":
            break
        if kind == "setup":
            setup, work, arg = payload
            state.clear()
        elif kind == "peak":
            out.put(_dumps(("ok", _peak_rss_kib())))
        elif kind == "chunk":
            assert setup is not None and work is not None
            try:
                if not state:
                    state.append(setup(arg))
                reply: tuple[str, Any] = ("ok", [work(state[0], item) for item in payload])
            except Exception as exc:  # raised again in the caller
                reply = ("error", exc)
            try:
                out.put(_dumps(reply))
            except Exception as exc:  # an exception (or result) that cannot be pickled
                out.put(_dumps(("error", RuntimeError(f"the import's worker process failed: {exc!r}"))))
    out.put(None)
    writer.join()


class _Worker:
    """The one worker process and its two pipes, seen from the caller."""

    def __init__(self) -> None:
        ctx = get_context("spawn")
        self._from_worker, results = ctx.Pipe(duplex=False)
        requests, self._to_worker = ctx.Pipe(duplex=False)
        _enlarge(self._to_worker)
        _enlarge(results)
        self._process = ctx.Process(target=_serve, args=(requests, results), daemon=True)
        with _main_not_imported():
            self._process.start()
        requests.close()  # the worker holds the other ends: its death closes them, and reads here see EOF
        results.close()
        self.broken = False

    def send(self, kind: str, payload: object) -> None:
        try:
            self._to_worker.send_bytes(_dumps((kind, payload)))
        except OSError as exc:
            raise self._failed() from exc

    def ready(self) -> bool:
        """Whether the next answer has arrived (answers come in the order of the requests)."""
        try:
            return self._from_worker.poll()
        except OSError as exc:  # pragma: no cover - poll on a closed pipe
            raise self._failed() from exc

    def receive(self) -> Any:
        """The next answer; the worker's exception raised here, or :class:`WorkerFailed` when it died."""
        try:
            kind, payload = pickle.loads(self._from_worker.recv_bytes())
        except (EOFError, OSError) as exc:
            raise self._failed() from exc
        if kind == "error":
            raise payload
        return payload

    def _failed(self) -> WorkerFailed:
        self.broken = True
        return WorkerFailed(
            "the import's worker process stopped unexpectedly (out of memory?); nothing was stored, run the "
            "import again"
        )

    def close(self) -> int | None:
        """Stop the worker; its peak RSS in KiB, or None when it had died."""
        peak: int | None = None
        if not self.broken:
            try:
                self.send("peak", None)
                peak = self.receive()
                self.send("stop", None)
            except WorkerFailed:
                peak = None
        self._to_worker.close()
        self._process.join(timeout=10)
        if self._process.is_alive():  # pragma: no cover - a worker that does not stop
            self._process.kill()
            self._process.join()
        self._from_worker.close()
        return peak


class ThreadWork:
    """Maps ``work(setup(arg), item)`` over items in order, in one worker process when ``parallel`` is true.

    ``setup`` and ``work`` must be module-level functions and ``arg`` picklable (they go to the worker once per
    :meth:`map`, where ``setup`` runs on the first chunk). A chunk holds ``chunk`` items, or items of that total
    ``weight`` (e.g. posts, for threads of very different sizes). The worker starts with :meth:`start`, or in a
    :meth:`map` once ``start_after`` items were done here (a small job never pays for a worker's start); one
    ThreadWork runs one map after the other with the same worker. Close it (or use ``with``)."""

    def __init__(self, parallel: bool, chunk: int = CHUNK, ahead: int = AHEAD) -> None:
        self._allowed = parallel
        self._chunk = chunk
        self._ahead = ahead
        self._worker: _Worker | None = None

    @property
    def parallel(self) -> bool:
        """Whether the worker runs."""
        return self._worker is not None

    def start(self) -> None:
        """Start the worker (when ``parallel`` allows one and it has not started yet)."""
        if self._allowed and self._worker is None:
            self._worker = _Worker()

    def map(
        self,
        setup: Callable[[A], S],
        work: Callable[[S, T], R],
        arg: A,
        items: Iterable[T],
        weight: Callable[[T], int] | None = None,
        start_after: int | None = None,
    ) -> Iterator[R]:
        """``work(setup(arg), item)`` for every item, in order.

        With a worker, chunks go to it while it has fewer than ``ahead`` waiting; otherwise this process does the
        next chunk itself instead of waiting (so both cores stay busy, also while the worker starts), up to
        ``2 * ahead`` chunks held in all; results come out in the items' order. ``start_after``: start the worker
        (where allowed) once that many items were done here."""
        rest = iter(items)
        local: list[S] = []  # this process's state, set up on first use
        if self._worker is None and self._allowed and start_after is not None:
            if start_after > 0:
                local.append(setup(arg))
                for done, item in enumerate(rest, start=1):
                    yield work(local[0], item)
                    if done >= start_after:
                        break
                else:
                    return
            self.start()
        if self._worker is None:
            if not local:
                local.append(setup(arg))
            state = local[0]
            for item in rest:
                yield work(state, item)
            return
        yield from self._map_shared(self._worker, setup, work, arg, rest, weight, local)

    def _map_shared(
        self,
        worker: _Worker,
        setup: Callable[[A], S],
        work: Callable[[S, T], R],
        arg: A,
        items: Iterator[T],
        weight: Callable[[T], int] | None,
        local: list[S],
    ) -> Iterator[R]:
        """:meth:`map` with the worker: chunks to it, or done here while it has ``ahead`` waiting."""
        worker.send("setup", (setup, work, arg))
        pending: deque[list[R] | None] = deque()  # None: the worker's answer, still to be received
        in_worker = 0

        def ready() -> bool:
            return pending[0] is not None or worker.ready()

        def pop() -> list[R]:
            nonlocal in_worker
            head = pending.popleft()
            if head is not None:
                return head
            in_worker -= 1
            answer: list[R] = worker.receive()
            return answer

        def place(chunk: list[T]) -> None:
            nonlocal in_worker
            if in_worker < self._ahead:
                worker.send("chunk", chunk)
                pending.append(None)
                in_worker += 1
            else:
                if not local:
                    local.append(setup(arg))
                state = local[0]
                pending.append([work(state, item) for item in chunk])

        try:
            chunk: list[T] = []
            load = 0
            for item in items:
                chunk.append(item)
                load += 1 if weight is None else weight(item)
                if load < self._chunk:
                    continue
                load = 0
                while pending and (ready() or len(pending) >= 2 * self._ahead):
                    yield from pop()
                place(chunk)
                chunk = []
            if chunk:
                place(chunk)
            while pending:
                yield from pop()
        finally:
            # answers still owed (an error, or the caller stopped early) are read and dropped, so that the next
            # map() starts with none in the pipe
            while in_worker and not worker.broken:
                in_worker -= 1
                with suppress(Exception):  # dropped: the error that ended the map is the one raised
                    worker.receive()

    def close(self) -> None:
        global last_worker_peak_kib
        if self._worker is not None:
            last_worker_peak_kib = self._worker.close()
            self._worker = None

    def __enter__(self) -> ThreadWork:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
