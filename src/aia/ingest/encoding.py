"""Turn the bytes of a text file into a ``str``: BOM-aware, UTF-8 first, Windows-1252 as the fallback."""

from __future__ import annotations

import codecs

from aia.errors import ImportFailed

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def line_of(data: bytes, pos: int) -> int:
    """The 1-based line number of byte offset ``pos`` (LF, CRLF and CR all count as one line break)."""
    head = data[:pos].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return head.count(b"\n") + 1


def _line_of_char(text: str, pos: int) -> int:
    head = text[:pos].replace("\r\n", "\n").replace("\r", "\n")
    return head.count("\n") + 1


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes, filename: str, *, fallback: str = "cp1252") -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, else ``fallback`` (Windows-1252).

    The BOM is removed and line breaks become ``\\n``. Empty files, NUL bytes (binary files) and bytes that
    no candidate encoding can read raise :class:`ImportFailed` with the line of the first bad byte.
    """
    if not data:
        raise ImportFailed(filename, "the file is empty")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                text = body.decode(codec)
            except UnicodeDecodeError as exc:
                line = line_of(body, exc.start) if codec == "utf-8" else None
                raise ImportFailed(
                    filename,
                    f"the file starts with a {codec.upper()} byte-order mark "
                    f"but is not valid {codec.upper()}; "
                    "save it again as UTF-8",
                    line,
                ) from None
            return _check_text(text, filename)
    if b"\x00" in data:
        raise ImportFailed(
            filename,
            "the file contains NUL bytes, so it is binary data rather than text "
            "(if it is UTF-16 text, save it as UTF-8)",
            line_of(data, data.index(b"\x00")),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError as exc:
            bad = min(exc.start, utf8_error.start)
            raise ImportFailed(
                filename,
                "the file is neither UTF-8 nor Windows-1252 text; save it as UTF-8 and import it again",
                line_of(data, bad),
            ) from None
    return _check_text(text, filename)


def _check_text(text: str, filename: str) -> str:
    if "\x00" in text:
        raise ImportFailed(
            filename,
            "the file contains NUL characters, so it is binary data rather than text",
            _line_of_char(text, text.index("\x00")),
        )
    text = normalize_newlines(text)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ImportFailed(filename, "the file is empty (it contains only white space)")
    return text
