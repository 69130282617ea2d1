"""REFI-QDA export: a whole project as ``.qdpx`` (zip of ``project.qde`` + ``sources/``), the codebook as ``.qdc``.

Both files are written to a temporary file beside the target and renamed over it when complete, so the target
name never holds a partial export. Exporting an unchanged project twice gives byte-identical files: every GUID
is stored or derived (see :mod:`aia.exchange.refi.guids`), and the time stamps used are the project's own.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from aia import __version__
from aia.errors import AiaError, ValidationError
from aia.exchange.refi.collect import Snapshot, collect
from aia.exchange.refi.guids import xml_datetime
from aia.exchange.refi.qde import write_codebook, write_project
from aia.privacy.filecrypt import MAGIC, is_encrypted
from aia.services.memos import MemoService
from aia.store import sources as sources_db
from aia.store.database import read

ORIGIN = f"aia {__version__}"
#: zip entries get the project's latest change as their time (not the export time), for reproducible files
_EPOCH = (1980, 1, 1, 0, 0, 0)


class ExportError(AiaError):
    """An export could not be written (the target folder is missing, the disk is full …)."""


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    sources: int
    codes: int
    codings: int
    memos: int
    pdfs: int = 0
    warnings: tuple[str, ...] = ()

    def describe(self, what: str) -> str:
        if what == "qdc":
            return f"wrote {self.path}: codebook with {self.codes} codes"
        return (
            f"wrote {self.path}: {self.sources} sources ({self.pdfs} with their PDF), {self.codes} codes, "
            f"{self.codings} codings, {self.memos} memos"
        )


def _check_target(out_path: str | Path) -> Path:
    target = Path(out_path)
    if target.is_dir():
        raise ValidationError(f"{target} is a folder; give the name of the file to write")
    if not target.parent.is_dir():
        raise ValidationError(f"the folder {target.parent} does not exist; create it first or choose another path")
    return target


@contextmanager
def _atomic(target: Path) -> Iterator[IO[bytes]]:
    """A binary file that becomes ``target`` (by ``os.replace``) only when the block completes."""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise ExportError(f"cannot write to {target.parent}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _zip_time(snap: Snapshot) -> tuple[int, int, int, int, int, int]:
    stamps = [xml_datetime(s.created_at) for s in snap.sources] + [xml_datetime(m.updated_at) for m in snap.memos]
    stamps += [xml_datetime(c.created_at) for cs in snap.codings_by_source.values() for c in cs]
    known = [s for s in stamps if s is not None]
    if not known:
        return _EPOCH
    t = datetime.fromisoformat(max(known))
    return max(_EPOCH, (t.year, t.month, t.day, t.hour, t.minute, t.second))


def _entry(name: str, when: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, when)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _encrypted(path: Path) -> bool:
    with path.open("rb") as fh:
        return is_encrypted(fh.read(len(MAGIC)))


def export_qdpx(project: MemoService, out_path: str | Path) -> ExportSummary:
    """Write the project as a REFI-QDA project file (``.qdpx``)."""
    target = _check_target(out_path)
    snap = collect(project)
    warnings: list[str] = []
    pdf_ids: set[int] = set()
    for source in snap.sources:
        if source.importer == "pdf":
            path = project.file_path(source.sha256)
            if not path.is_file():
                warnings.append(f"the original PDF of source {source.id} is missing, so only its text is exported")
            elif _encrypted(path):
                warnings.append(
                    f"the original PDF of source {source.id} holds identifiers (it is kept encrypted), so only its "
                    "pseudonymised text is exported"
                )
            else:
                pdf_ids.add(source.id)
    when = _zip_time(snap)
    with _atomic(target) as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        with zf.open(_entry("project.qde", when), "w", force_zip64=True) as qde:
            write_project(qde, snap, ORIGIN, pdf_ids)
        with read(project.engine) as conn:  # one connection for all texts: far faster than a query each
            for source in snap.sources:
                stored = sources_db.get_source(conn, source.id)
                text = stored.text if stored is not None else ""
                zf.writestr(_entry(f"sources/{source.guid}.txt", when), text.encode("utf-8"))
                if source.id in pdf_ids:
                    zf.writestr(_entry(f"sources/{source.guid}.pdf", when), project.original(source.id))
    return ExportSummary(
        target,
        sources=len(snap.sources),
        codes=len(snap.code_nodes),
        codings=snap.coding_count,
        memos=len(snap.memos),
        pdfs=len(pdf_ids),
        warnings=tuple(warnings),
    )


def export_qdc(project: MemoService, out_path: str | Path) -> ExportSummary:
    """Write the codebook as a REFI-QDA codebook file (``.qdc``)."""
    target = _check_target(out_path)
    nodes = project.code_tree()
    if not nodes:
        raise ValidationError("the codebook is empty, so there is nothing to export; add codes with 'aia code add'")
    with _atomic(target) as fh:
        write_codebook(fh, nodes, ORIGIN)
    return ExportSummary(target, sources=0, codes=len(nodes), codings=0, memos=0)
