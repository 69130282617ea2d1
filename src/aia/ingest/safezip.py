"""Open ZIP-based documents (.docx, .odt) only after checking that they cannot exhaust memory or disk."""

from __future__ import annotations

import io
import zipfile

from aia.errors import ImportFailed

MAX_MEMBERS = 10_000
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200
#: members smaller than this are too small to be a bomb, whatever their compression ratio
RATIO_MIN_SIZE = 64 * 1024


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def open_zip(data: bytes, filename: str, what: str) -> zipfile.ZipFile:
    """Open ``data`` as a ZIP archive after the safety checks; ``what`` names the format in messages."""
    if not data:
        raise ImportFailed(filename, "the file is empty")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ImportFailed(
            filename,
            f"the file is not a valid {what}; it may be damaged or incompletely copied, so open it and save it again",
        ) from None
    if len(infos) >= MAX_MEMBERS:
        raise ImportFailed(filename, f"the {what} has {len(infos)} parts, too many for a real document")
    total = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in name.split("/"):
            raise ImportFailed(filename, f"the {what} contains an unsafe path ({info.filename!r}), so it was refused")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_MIN_SIZE and ratio >= MAX_RATIO:
            raise ImportFailed(
                filename,
                f"the {what} contains a part that expands {ratio:.0f} times ({info.filename}), "
                "which looks like a zip bomb, so it was refused",
            )
    if total >= MAX_TOTAL_UNCOMPRESSED:
        raise ImportFailed(
            filename, f"the {what} would unpack to {total // (1024 * 1024)} MB, more than the 200 MB allowed"
        )
    return archive


def read_member(archive: zipfile.ZipFile, name: str, filename: str, what: str) -> bytes:
    """Read one member; zipfile stops at the declared (already checked) size and verifies the CRC."""
    try:
        return archive.read(name)
    except KeyError:
        raise ImportFailed(filename, f"the {what} has no {name}, so it is not a valid {what}") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise ImportFailed(
            filename, f"the {what} is damaged ({name} cannot be read); open it and save it again"
        ) from None
