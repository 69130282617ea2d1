"""PDF (.pdf) via pypdf, read in a separate process with a time limit.

Each page's text layer is cleaned (page headers such as ``2/5``, trailing line-number columns, lines
repeated from the bottom of the previous page), then wrapped lines are joined into paragraphs and speaker
turns, which continue across page breaks. Every segment records its page in ``meta["page"]``.
"""

from __future__ import annotations

import io
import multiprocessing
import re
from multiprocessing.connection import Connection
from typing import Any

from aia.errors import ImportFailed
from aia.ingest.base import ImportedSource, Importer, register
from aia.ingest.blocks import Block, assemble, stem
from aia.ingest.speakers import apply_speakers, parse_label

NAME = "pdf"
#: seconds a PDF may take to read before the worker process is killed
PDF_TIMEOUT_S: float = 60.0
#: address-space limit of the worker process (bytes): a hostile PDF fails with MemoryError instead of swapping
PDF_MEMORY_LIMIT = 2 * 1024**3

_PAGE_NUMBER = re.compile(r"^\s*(?:(?:page|side|s\.)\s*)?-?\s*\d+\s*-?\s*(?:(?:/|of|af)\s*\d+)?\s*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:\"”»)]$")
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
#: minimum characters a repeated page top must have to count as an overlap with the previous page
_MIN_OVERLAP_CHARS = 20


class WorkerTimeout(Exception):
    pass


class WorkerFailed(Exception):
    pass


def sniff(data: bytes, filename: str) -> bool:
    return b"%PDF-" in data[:1024]


def _child(conn: Connection, func: Any, args: tuple[Any, ...]) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (PDF_MEMORY_LIMIT, PDF_MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on this platform
        pass
    try:
        result: tuple[str, Any] = ("ok", func(*args))
    except BaseException as exc:
        result = ("error", f"{type(exc).__name__}: {exc}"[:300])
    conn.send(result)
    conn.close()


def call_with_timeout(func: Any, args: tuple[Any, ...], timeout: float) -> Any:
    """Run ``func(*args)`` (a module-level function) in a spawned process; kill it after ``timeout`` s."""
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(sender, func, args), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise WorkerTimeout()
        try:
            status, payload = receiver.recv()
        except EOFError:
            raise WorkerFailed("the reader process stopped unexpectedly") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()
    if status != "ok":
        raise WorkerFailed(payload)
    return payload


def extract(data: bytes) -> dict[str, Any]:
    """Runs in the worker: the text of every page plus document information."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            opened = bool(reader.decrypt(""))
        except Exception:
            opened = False
        if not opened:
            return {"encrypted": True}
    info: Any = reader.metadata or {}
    return {
        "pages": [page.extract_text() or "" for page in reader.pages],
        "title": str(info.get("/Title") or "").strip() or None,
        "created": str(info.get("/CreationDate") or "") or None,
        "producer": str(info.get("/Producer") or "").strip() or None,
    }


def clean_page(text: str) -> list[str]:
    """Lines of one page without a page-number header/footer and without a trailing line-number column."""
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and _PAGE_NUMBER.match(lines[0]):
        lines.pop(0)
    while lines and (not lines[-1].strip() or _PAGE_NUMBER.match(lines[-1])):
        lines.pop()
    return lines


def _norm(line: str) -> str:
    return " ".join(line.split())


def drop_overlap(previous: list[str], current: list[str]) -> list[str]:
    """``current`` without leading lines that repeat the last lines of ``previous`` (page captures)."""
    prev = [_norm(line) for line in previous if line.strip()]
    cur = [_norm(line) for line in current if line.strip()]
    for k in range(min(len(prev), len(cur), 15), 0, -1):
        if prev[-k:] == cur[:k] and sum(len(line) for line in cur[:k]) >= _MIN_OVERLAP_CHARS:
            kept = [line for line in current if line.strip()]
            return kept[k:]
    return current


def build_blocks(pages: list[list[str]]) -> list[Block]:
    """Join wrapped lines into paragraphs; labels, indents and short sentence-final lines start new ones."""
    blocks: list[Block] = []
    parts: list[str] = []
    first_page = last_page = 0
    after_label = False
    previous_short_end = False

    def flush() -> None:
        nonlocal parts
        if parts:
            meta: dict[str, Any] = {"page": first_page}
            if last_page != first_page:
                meta["page_end"] = last_page
            blocks.append(Block("".join(parts), meta=meta))
            parts = []

    for number, lines in enumerate(pages, start=1):
        width = max((len(_norm(line)) for line in lines), default=0)
        for raw in lines:
            line = _norm(raw)
            if not line:
                flush()
                after_label = previous_short_end = False
                continue
            label = parse_label(line)
            indented = raw[:1] in (" ", "\t")
            if label is not None or (parts and not after_label and (indented or previous_short_end)):
                flush()
            if not parts:
                first_page = number
                parts.append(line)
            elif parts[-1][-1:] == "-" and parts[-1][-2:-1].isalpha() and line[:1].isalpha():
                parts.append(line)
            else:
                parts.append(" " + line)
            last_page = number
            after_label = label is not None and label.alone
            previous_short_end = bool(_SENTENCE_END.search(line)) and len(line) < 0.7 * width
    flush()
    return blocks


def _pdf_date(value: str | None) -> str | None:
    match = _PDF_DATE.match(value or "")
    if not match:
        return None
    return "-".join(part for part in match.groups() if part)


def parse(data: bytes, filename: str) -> ImportedSource:
    if not data:
        raise ImportFailed(filename, "the file is empty")
    if not sniff(data, filename):
        raise ImportFailed(filename, "the file is not a PDF (it does not start with '%PDF-')", 1)
    try:
        info = call_with_timeout(extract, (data,), PDF_TIMEOUT_S)
    except WorkerTimeout:
        raise ImportFailed(
            filename,
            f"reading the PDF took too long (more than {PDF_TIMEOUT_S:g} seconds); "
            "print it to a new PDF or import a text version",
        ) from None
    except WorkerFailed as exc:
        raise ImportFailed(
            filename,
            f"the file is not a readable PDF ({exc}); check that it opens in a PDF reader and save it again",
        ) from None
    if info.get("encrypted"):
        raise ImportFailed(
            filename,
            "the PDF is protected with a password; remove the protection (or print it to a new PDF) first",
        )
    raw_pages: list[str] = info["pages"]
    pages: list[list[str]] = []
    for text in raw_pages:
        lines = clean_page(text)
        pages.append(drop_overlap(pages[-1], lines) if pages else lines)
    blocks = apply_speakers(build_blocks(pages), split_lines=False)
    if not blocks:
        raise ImportFailed(
            filename,
            "the PDF has no text layer (it is probably scanned); run OCR on it first or import a transcript",
        )
    plain, segments = assemble(blocks)
    empty = [str(n) for n, lines in enumerate(pages, start=1) if not any(line.strip() for line in lines)]
    source = ImportedSource(
        text=plain,
        segments=segments,
        importer=NAME,
        title=info.get("title") or stem(filename),
        date=_pdf_date(info.get("created")),
        metadata={"pages": len(raw_pages)},
    )
    if info.get("producer"):
        source.metadata["producer"] = info["producer"]
    if source.date:
        source.metadata["created"] = source.date
    if empty:
        source.warnings.append(f"page(s) {', '.join(empty)} have no text layer and were skipped")
    return source


IMPORTER = register(Importer(name=NAME, extensions=(".pdf",), parse=parse, sniff=sniff, description="PDF (.pdf)"))
