"""What a re-import changes on objects the project has already (matched by GUID): pure comparisons of the file with
:class:`~aia.exchange.refi.plan.Existing`, filling :class:`~aia.exchange.refi.plan.Updates`.

The file wins for what it says about a matched code (name, colour, description, parent), a source's title and a
memo's title and text — except where that would break the project: a move that would make a code its own
ancestor, or two codes with the same name under one parent, is refused (warning); a memo edited in aia after the
file's version of it is kept. Codings are never changed: new ones are added, codings whose GUID the file lacks on
a matched source are kept (or removed with ``remove_missing``), codings that differ are reported.
Values are compared as the export writes them (:func:`aia.exchange.refi.guids.xml_text`), so an unchanged
export reports nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aia.exchange.refi.guids import xml_color, xml_text
from aia.exchange.refi.parsed import PCode, PNote
from aia.exchange.refi.plan import CodeChange, Existing, Plan, StoredCoding, code_name


def _few(items: list[str], n: int = 3) -> str:
    return ", ".join(items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


def code_changes(file_codes: list[PCode], target: dict[str, str], existing: Existing, plan: Plan) -> None:
    """Plan the changes of matched codes (after the new codes are planned: ``target`` maps file to project GUIDs)."""
    id_to_guid = {cid: g for g, (cid, _p, _n) in existing.codes.items()}
    #: the tree as it stands: guid -> (parent guid, name), for existing and planned new codes
    parent: dict[str, str | None] = {
        g: (id_to_guid.get(p) if p is not None else None) for g, (_i, p, _n) in existing.codes.items()
    }
    name: dict[str, str] = {g: n for g, (_i, _p, n) in existing.codes.items()}
    for new in plan.codes:
        parent[new.guid], name[new.guid] = new.parent, new.name
    proposals: dict[str, dict[str, tuple[object, object]]] = {}
    not_codable: list[str] = []
    for code in file_codes:
        if code.guid not in existing.codes or code.guid in proposals:
            continue
        fields: dict[str, tuple[object, object]] = {}
        new_name = code_name(code.name)[0]
        if new_name != xml_text(name[code.guid]).strip():
            fields["name"] = (name[code.guid], new_name)
        new_parent = target.get(code.parent) if code.parent else None
        if (code.parent is None or new_parent is not None) and new_parent != parent[code.guid]:
            fields["parent"] = (parent[code.guid], new_parent)
        description, color = existing.code_details.get(code.guid, ("", ""))
        if code.color and code.color != (xml_color(color) or ""):
            fields["color"] = (color, code.color)
        if code.description != xml_text(description):
            fields["description"] = (description, code.description)
        if not code.codable:
            not_codable.append(name[code.guid])
        proposals[code.guid] = fields
    refused: list[str] = []
    changed = True
    while changed:  # two codes with one name under one parent: the file's rename/move of them is refused
        changed = False
        final: dict[tuple[str | None, str], list[str]] = {}
        for g in parent:
            f = proposals.get(g, {})
            p = f["parent"][1] if "parent" in f else parent[g]
            n = f["name"][1] if "name" in f else name[g]
            final.setdefault((p if isinstance(p, str) else None, str(n).lower()), []).append(g)
        for (_p, n), guids in final.items():
            if len(guids) < 2:
                continue
            for g in guids:
                f = proposals.get(g, {})
                if "name" in f or "parent" in f:
                    f.pop("name", None)
                    f.pop("parent", None)
                    refused.append(f"{name[g]!r} (a code called {n!r} would be there twice)")
                    changed = True
    current = dict(parent)
    for code in file_codes:  # moves in the file's order (parents first); one that makes a cycle is refused
        f = proposals.get(code.guid, {})
        if "parent" not in f:
            continue
        up = f["parent"][1]
        seen = 0
        while isinstance(up, str) and up != code.guid and seen <= len(current):
            up, seen = current.get(up), seen + 1
        if up == code.guid:
            to = f["parent"][1]
            refused.append(f"{name[code.guid]!r} (it would be under its own subcode {name.get(str(to), '?')!r})")
            del f["parent"]
            continue
        current[code.guid] = f["parent"][1] if isinstance(f["parent"][1], str) else None
    u = plan.updates
    for code in file_codes:
        f = proposals.pop(code.guid, {})
        if not f:
            continue
        old = name[code.guid]
        u.codes.append(CodeChange(code.guid, old, dict(f)))
        if "name" in f:
            u.add("codes renamed", f"code {old!r} renamed to {f['name'][1]!r}")
        if "parent" in f:
            to = f["parent"][1]
            where = f"under {name.get(str(to), str(to))!r}" if isinstance(to, str) else "to the top of the codebook"
            u.add("codes moved", f"code {old!r} moved {where}")
        if "color" in f:
            u.add("codes recoloured", f"code {old!r}: colour {f['color'][0]} → {f['color'][1]}")
        if "description" in f:
            u.add("code descriptions changed", f"code {old!r}: description changed")
    if refused:
        plan.warnings.append(
            f"{len(refused)} codes were not renamed or moved as the file says: {_few(refused)}; they stay where "
            "and as they are"
        )
    if not_codable:
        plan.warnings.append(
            f"{len(not_codable)} codes of the project are marked not codable in the file ({_few(not_codable)}); "
            "aia has no folders, so they stay codable"
        )


def source_title(existing: Existing, guid: str, file_name: str, plan: Plan) -> None:
    """Plan a matched source's new title (a file that gives no name, so that the GUID stands for it, changes none)."""
    old = existing.source_titles.get(guid, "")
    new = file_name[:500]
    if new and new != guid and new != xml_text(old).strip()[:500]:
        plan.updates.source_titles.append((guid, old, new))
        plan.updates.add("sources renamed", f"source {old!r} renamed to {new!r}")


def coding_differs(stored: StoredCoding, code_id: int | None, start: int, end: int, comment: str | None) -> bool:
    return (
        (code_id is not None and stored.code_id != code_id)
        or (stored.start, stored.end) != (start, end)
        or (xml_text(stored.comment or "") != (comment or ""))
    )


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def memo_change(existing: Existing, note: PNote, plan: Plan) -> bool:
    """Plan a matched memo's new title/text; False when aia's copy was edited after the file's (it is kept)."""
    title, body, updated = existing.memo_rows[note.guid]
    new_title, new_body = (note.name or "Memo")[:300], note.text
    same_title = new_title == xml_text(title).strip()[:300] or not note.name
    same_body = new_body.replace("\r\n", "\n") == xml_text(body).replace("\r\n", "\n")
    if same_title and same_body:
        return True
    ours, theirs = _when(updated), _when(note.modified or note.created)
    if ours is not None and theirs is not None and ours > theirs:
        return False
    plan.updates.memos.append((note.guid, title if same_title else new_title, body if same_body else new_body))
    what = " and ".join(w for w, same in (("title", same_title), ("text", same_body)) if not same)
    plan.updates.add("memos changed", f"memo {title!r}: {what} changed")
    return True


__all__ = ["code_changes", "coding_differs", "memo_change", "source_title"]
