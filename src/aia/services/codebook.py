"""The codebook (a tree of codes, every change recorded as an event), codings and coded-text retrieval."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from aia.errors import ConflictError, NotAllowedError, NotFoundError, ValidationError
from aia.model import Code, Coding
from aia.services.sources import SourceService
from aia.store import codebook as db
from aia.store import sources as sources_db
from aia.store.codebook import CodedText
from aia.store.database import read, write
from aia.store.retrieval import PassagePage, RetrievalFilters
from aia.store.retrieval import coders as _coders
from aia.store.retrieval import retrieve_page as _retrieve_page

#: colours given to new codes in turn (Tableau 10), unless a colour is chosen
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class CodeNode:
    code: Code
    path: str
    depth: int
    codings: int  # codings of this code alone
    total: int  # codings of this code and its descendants


class CodebookService(SourceService):
    # -- reading --------------------------------------------------------------------------------
    def codes(self) -> list[Code]:
        with read(self.engine) as conn:
            return db.list_codes(conn)

    def code_tree(self, with_counts: bool = True) -> list[CodeNode]:
        """The codebook depth-first (siblings by name), with paths and (unless ``with_counts`` is false, which saves
        counting every coding) coding counts."""
        with read(self.engine) as conn:
            all_codes = db.list_codes(conn)
            counts = db.coding_counts(conn) if with_counts else {}
        children: dict[int | None, list[Code]] = {}
        for c in all_codes:
            children.setdefault(c.parent_id, []).append(c)
        out: list[CodeNode] = []

        def walk(parent: int | None, prefix: str, depth: int) -> int:
            subtotal = 0
            for c in sorted(children.get(parent, []), key=lambda c: c.name.lower()):
                index = len(out)
                out.append(CodeNode(c, prefix + c.name, depth, counts.get(c.id, 0), 0))
                total = counts.get(c.id, 0) + walk(c.id, prefix + c.name + "/", depth + 1)
                out[index] = CodeNode(c, prefix + c.name, depth, counts.get(c.id, 0), total)
                subtotal += total
            return subtotal

        walk(None, "", 0)
        return out

    def code(self, ref: str | int) -> Code:
        """A code by id, by path (``Parent/Child``) or by name when the name is unique."""
        all_codes = self.codes()
        text = str(ref).strip()
        if text.isdigit():
            for c in all_codes:
                if c.id == int(text):
                    return c
        by_id = {c.id: c for c in all_codes}

        def path(c: Code) -> str:
            parts = [c.name]
            while c.parent_id is not None:
                c = by_id[c.parent_id]
                parts.append(c.name)
            return "/".join(reversed(parts))

        if "/" in text:
            for c in all_codes:
                if path(c) == text:
                    return c
        by_name = [c for c in all_codes if c.name.lower() == text.lower()]
        if len(by_name) == 1:
            return by_name[0]
        if len(by_name) > 1:
            paths = ", ".join(sorted(path(c) for c in by_name))
            raise ValidationError(f"several codes are called {text!r} ({paths}); name one by its path or id")
        raise NotFoundError(f"there is no code {text!r}; 'aia code list' shows the codebook")

    def descendants(self, code_id: int) -> list[int]:
        """Ids of the code's descendants (not the code itself)."""
        all_codes = self.codes()
        found: list[int] = []
        frontier = [code_id]
        while frontier:
            kids = [c.id for c in all_codes if c.parent_id in frontier]
            found.extend(kids)
            frontier = kids
        return found

    def code_events(self, code: str | int | None = None) -> list[dict[str, Any]]:
        """The codebook's history: every create, rename, move, merge, delete, recolour or redescription."""
        guid = self.code(code).guid if code is not None else None
        with read(self.engine) as conn:
            return db.list_events(conn, guid)

    # -- changing the codebook ------------------------------------------------------------------
    def _check_sibling_name(self, name: str, parent_id: int | None, except_id: int | None = None) -> None:
        for c in self.codes():
            if c.parent_id == parent_id and c.name.lower() == name.lower() and c.id != except_id:
                where = "at the top of the codebook" if parent_id is None else "under the same parent"
                raise ConflictError(f"a code called {c.name!r} exists {where} already")

    def add_code(
        self,
        name: str,
        parent: str | int | None = None,
        description: str = "",
        color: str | None = None,
        rationale: str | None = None,
    ) -> Code:
        name = name.strip()
        if not name or "/" in name:
            raise ValidationError("a code needs a name without '/' (the slash separates levels in paths)")
        parent_id = self.code(parent).id if parent is not None else None
        self._check_sibling_name(name, parent_id)
        if color is None:
            color = PALETTE[len(self.codes()) % len(PALETTE)]
        elif not _COLOR_RE.match(color):
            raise ValidationError(f"colour {color!r} is not a hex colour like #4e79a7")
        with write(self.engine) as conn:
            code = db.insert_code(
                conn,
                {
                    "parent_id": parent_id,
                    "name": name,
                    "description": description,
                    "color": color,
                    "created_by": self.user,
                },
            )
            db.insert_event(
                conn,
                self.user,
                "create",
                code,
                {"parent_id": parent_id, "description": description, "color": color},
                rationale,
            )
        return code

    def rename_code(self, ref: str | int, new_name: str, rationale: str | None = None) -> Code:
        code = self.code(ref)
        new_name = new_name.strip()
        if not new_name or "/" in new_name:
            raise ValidationError("a code needs a name without '/'")
        self._check_sibling_name(new_name, code.parent_id, except_id=code.id)
        with write(self.engine) as conn:
            db.update_code(conn, code.id, name=new_name)
            db.insert_event(conn, self.user, "rename", code, {"old": code.name, "new": new_name}, rationale)
            return db.get_code(conn, code.id)

    def describe_code(
        self, ref: str | int, description: str | None = None, color: str | None = None, rationale: str | None = None
    ) -> Code:
        code = self.code(ref)
        changes: dict[str, Any] = {}
        if description is not None:
            changes["description"] = description
        if color is not None:
            if not _COLOR_RE.match(color):
                raise ValidationError(
                    f"the colour {color!r} for code {code.name!r} is not a hex colour: "
                    "write it as #rrggbb, e.g. #4e79a7"
                )
            changes["color"] = color.lower()
        if not changes:
            return code
        with write(self.engine) as conn:
            db.update_code(conn, code.id, **changes)
            old = {k: getattr(code, k) for k in changes}
            db.insert_event(conn, self.user, "update", code, {"old": old, "new": changes}, rationale)
            return db.get_code(conn, code.id)

    def move_code(self, ref: str | int, new_parent: str | int | None, rationale: str | None = None) -> Code:
        code = self.code(ref)
        parent_id = self.code(new_parent).id if new_parent is not None else None
        if parent_id == code.id or (parent_id is not None and parent_id in self.descendants(code.id)):
            raise ConflictError(f"cannot move {code.name!r} under itself or one of its own subcodes")
        self._check_sibling_name(code.name, parent_id, except_id=code.id)
        with write(self.engine) as conn:
            db.update_code(conn, code.id, parent_id=parent_id)
            db.insert_event(
                conn, self.user, "move", code, {"old_parent_id": code.parent_id, "new_parent_id": parent_id}, rationale
            )
            return db.get_code(conn, code.id)

    def merge_codes(self, source: str | int, target: str | int, rationale: str | None = None) -> Code:
        """Merge ``source`` into ``target``: its codings and subcodes move to the target, then it is deleted."""
        src, dst = self.code(source), self.code(target)
        if src.id == dst.id:
            raise ConflictError("a code cannot be merged into itself")
        if dst.id in self.descendants(src.id):
            raise ConflictError(f"cannot merge {src.name!r} into its own subcode {dst.name!r}; move it first")
        with write(self.engine) as conn:
            moved = db.move_codings(conn, src.id, dst.id)
            db.reparent_children(conn, src.id, dst.id)
            db.delete_codes(conn, [src.id])
            db.insert_event(
                conn,
                self.user,
                "merge",
                src,
                {"into_guid": dst.guid, "into_name": dst.name, "codings_moved": moved},
                rationale,
            )
            return db.get_code(conn, dst.id)

    def delete_code(self, ref: str | int, force: bool = False, rationale: str | None = None) -> int:
        """Delete a code and its subcodes. Refused while they have codings unless ``force`` (which deletes
        those codings too). Returns the number of codings deleted."""
        code = self.code(ref)
        subtree = [*self.descendants(code.id), code.id]
        with write(self.engine) as conn:
            n = db.count_codings(conn, subtree)
            if n and not force:
                raise ConflictError(
                    f"code {code.name!r} (with its subcodes) has {n} codings; merge it into "
                    "another code, or delete with --force to delete the codings too"
                )
            deleted = db.delete_codings_of(conn, subtree)
            db.delete_codes(conn, list(reversed(self._depth_order(subtree))))
            db.insert_event(
                conn, self.user, "delete", code, {"subcodes": len(subtree) - 1, "codings_deleted": deleted}, rationale
            )
        return deleted

    def _depth_order(self, ids: list[int]) -> list[int]:
        order = [n.code.id for n in self.code_tree()]
        return sorted(ids, key=order.index)

    # -- codings --------------------------------------------------------------------------------
    def add_coding(self, source_id: int, start: int, end: int, code: str | int, comment: str | None = None) -> Coding:
        """Code the span ``text[start:end]`` (Unicode code points, end exclusive) of a source."""
        c = self.code(code)
        with write(self.engine) as conn:
            length = sources_db.source_text_length(conn, source_id)
            if length is None:
                raise NotFoundError(f"there is no source {source_id}; 'aia sources list' shows them")
            if not (0 <= start < end <= length):
                raise ValidationError(
                    f"the span {start}–{end} is not inside source {source_id}, whose text has "
                    f"{length} characters (start must be < end, both within 0–{length})"
                )
            return db.insert_coding(
                conn,
                {
                    "source_id": source_id,
                    "code_id": c.id,
                    "start": start,
                    "end": end,
                    "coder": self.user,
                    "comment": comment,
                },
            )

    def code_segment(self, source_id: int, ordinal: int, code: str | int, comment: str | None = None) -> Coding:
        seg = self.segment(source_id, ordinal)
        if seg.end <= seg.start:
            raise ValidationError(f"segment {ordinal} of source {source_id} is empty and cannot be coded")
        return self.add_coding(source_id, seg.start, seg.end, code, comment)

    def remove_coding(self, coding_id: int, only_own: bool = False) -> Coding:
        """Remove a coding; with ``only_own`` only one the current user made. Returns the removed coding."""
        with write(self.engine) as conn:
            coding = self._own_coding(conn, coding_id, only_own, "remove")
            db.delete_coding(conn, coding_id)
        return coding

    def coding(self, coding_id: int) -> Coding:
        with read(self.engine) as conn:
            found = db.find_coding(conn, coding_id)
        if found is None:
            raise NotFoundError(f"there is no coding {coding_id}; 'aia coding list' shows them")
        return found

    def edit_coding(
        self, coding_id: int, code: str | int | None = None, comment: str | None = None, only_own: bool = False
    ) -> Coding:
        """Give a coding another code and/or comment (an empty comment removes it); with ``only_own`` only a coding
        the current user made. The span and the coder stay."""
        changes: dict[str, Any] = {}
        if code is not None:
            changes["code_id"] = self.code(code).id
        if comment is not None:
            changes["comment"] = comment.strip() or None
        with write(self.engine) as conn:
            coding = self._own_coding(conn, coding_id, only_own, "change")
            if changes:
                db.update_coding(conn, coding_id, **changes)
                coding = db.get_coding(conn, coding_id)
        return coding

    def _own_coding(self, conn: sa.Connection, coding_id: int, only_own: bool, verb: str) -> Coding:
        coding = db.find_coding(conn, coding_id)
        if coding is None:
            raise NotFoundError(f"there is no coding {coding_id}; 'aia coding list' shows them")
        if only_own and coding.coder != self.user:
            raise NotAllowedError(
                f"coding {coding_id} was made by {coding.coder}; only they or a project lead can {verb} it"
            )
        return coding

    def codings(
        self, source_id: int | None = None, code: str | int | None = None, include_subcodes: bool = False
    ) -> list[Coding]:
        code_ids = self._code_ids(code, include_subcodes) if code is not None else None
        with read(self.engine) as conn:
            return db.list_codings(conn, source_id, code_ids)

    def _code_ids(self, code: str | int, include_subcodes: bool) -> list[int]:
        c = self.code(code)
        return [c.id, *self.descendants(c.id)] if include_subcodes else [c.id]

    def retrieve(self, code: str | int, include_subcodes: bool = False) -> list[CodedText]:
        """All text coded with a code (or its subtree), with source, speaker, participant, forløb, WP, date."""
        ids = self._code_ids(code, include_subcodes)
        with read(self.engine) as conn:
            return db.retrieve(conn, ids)

    def retrieve_page(
        self,
        code: str | int,
        include_subcodes: bool = False,
        filters: RetrievalFilters | None = None,
        limit: int = 500,
        offset: int = 0,
        context: int = 80,
    ) -> PassagePage:
        """A page of the text coded with a code (or its subtree), in source order, each passage with ``context``
        characters either side and its provenance (source, segment, speaker, time, coder); filtered in SQL."""
        ids = self._code_ids(code, include_subcodes)
        with read(self.engine) as conn:
            return _retrieve_page(conn, ids, filters, limit=limit, offset=offset, context=context)

    def coders(self, code: str | int, include_subcodes: bool = False) -> list[str]:
        """Who coded with a code (or its subtree): the names a retrieval can be filtered by."""
        ids = self._code_ids(code, include_subcodes)
        with read(self.engine) as conn:
            return _coders(conn, ids)
