"""A minimal XLSX (Office Open XML spreadsheet) writer: one or more sheets of text cells, no dependencies.

Cells are inline strings, so nothing is ever a formula; characters XML 1.0 cannot hold are dropped. A cell whose
text begins like a formula (``= + - @``, tab, CR) also gets the "quote prefix" cell style, the spreadsheet's own
mark for "text typed with a leading apostrophe": it shows the text unchanged and keeps it text even when someone
edits the cell. Sheet names are made valid (no ``[]:*?/\\``, no leading/trailing apostrophe, at most 31 characters,
unique regardless of case). The file is written to a temporary name and renamed, so a crash never leaves half a
workbook.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
MAX_CELL = 32767  # Excel's limit on the characters of a cell
#: what makes a spreadsheet read typed text as a formula (or hide one)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CR = {"\r": "&#13;"}  # XML parsers turn a raw CR into LF
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" quotePrefix="1"/></cellXfs>'
    "</styleSheet>"
)

Sheet = tuple[str, Sequence[str], Sequence[Sequence[str]]]  # (name, header, rows)


def column(index: int) -> str:
    """Spreadsheet column letters of a 0-based column index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value: str) -> str:
    text = _ILLEGAL.sub("", value)[:MAX_CELL]
    style = ' s="1"' if text.startswith(FORMULA_START) else ""
    escaped = escape(text, _CR)
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'


def _sheet_xml(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>']
    lines.append('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    for r, row in enumerate([header, *rows], start=1):
        cells = "".join(_cell(f"{column(c)}{r}", str(v)) for c, v in enumerate(row))
        lines.append(f'<row r="{r}">{cells}</row>')
    lines.append("</sheetData></worksheet>")
    return "".join(lines)


def write_atomically(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temp file and a rename, so a reader never sees half a file."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def write_xlsx(path: str | Path, sheets: Sequence[Sheet]) -> None:
    """Write the sheets to ``path`` (temp file + rename)."""
    write_atomically(path, xlsx_bytes(sheets))


def sheet_names(wanted: Sequence[str]) -> list[str]:
    """Valid, distinct sheet names for the wanted ones (see the module doc)."""
    names: list[str] = []
    for name in wanted:
        clean = _ILLEGAL.sub("", _SHEET_NAME_BAD.sub("_", name)).strip("'")[:31].strip("'") or f"Ark{len(names) + 1}"
        n = 1
        base = clean
        while clean.casefold() in {x.casefold() for x in names} or clean.casefold() == "history":
            n += 1
            clean = f"{base[: 31 - len(str(n)) - 1]}_{n}"
        names.append(clean)
    return names


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The workbook as bytes (for a download)."""
    names = sheet_names([name for name, _, _ in sheets])
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + "</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join(
            f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, start=1)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + f'<Relationship Id="rId{len(sheets) + 1}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        + "</Relationships>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        zf.writestr("xl/styles.xml", _STYLES)
        for i, (_, header, rows) in enumerate(sheets, start=1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", _sheet_xml(header, rows))
    return out.getvalue()
