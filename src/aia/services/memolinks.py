"""Memos in the web workbench: one memo with its links, editing, and links from a memo to anything (a source, a
place in a source, a coding, a code, a participant, an organisation, an activity, a track or another memo)."""

from __future__ import annotations

from dataclasses import dataclass

from aia.errors import NotFoundError, ValidationError
from aia.model import Memo
from aia.services.audit import AuditService
from aia.services.memos import MemoService
from aia.store import memolinks as db
from aia.store.database import read, write
from aia.store.memolinks import MemoLink

#: what a memo can link to (besides its own target: see ``aia.model.MEMO_TARGETS``)
LINK_TARGETS = ("source", "place", "coding", "code", "participant", "organisation", "activity", "track", "memo")

#: objects whose page lists the memos about them; a source's memos include those about places in it
_SAME_OBJECT = {"source": ("source", "place")}


@dataclass(frozen=True)
class ShownLink:
    """A memo link ready to show: what it points at, its name (None when the object is gone) and where to go."""

    link: MemoLink
    label: str | None
    href: str | None


@dataclass(frozen=True)
class MemoView:
    memo: Memo
    links: list[ShownLink]


_PAGES = {
    "code": "/codes/",
    "participant": "/participants/",
    "activity": "/activities/",
    "track": "/tracks/",
    "memo": "/memos/",
}


def _href(link: MemoLink, coding_places: dict[int, tuple[int, int]]) -> str | None:
    kind, ident = link.target_type, link.target_id
    if ident is None:
        return None
    if kind == "source":
        return f"/sources/{ident}"
    if kind == "place":
        return f"/sources/{ident}#o{link.start}" if link.start is not None else f"/sources/{ident}"
    if kind == "coding":
        place = coding_places.get(ident)
        return f"/sources/{place[0]}#o{place[1]}" if place is not None else None
    page = _PAGES.get(kind)
    return f"{page}{ident}" if page is not None else None


class MemoLinkService(MemoService, AuditService):
    def memo(self, memo_id: int) -> Memo:
        with read(self.engine) as conn:
            found = db.get_memo(conn, memo_id)
        if found is None:
            raise NotFoundError(f"there is no memo {memo_id}; 'aia memo list' or the memo page lists them")
        return found

    def update_memo(self, memo_id: int, title: str, body: str) -> Memo:
        """Change a memo's title and Markdown text: the author may, and the project lead."""
        memo = self.memo(memo_id)
        if not title.strip():
            raise ValidationError(f"memo {memo_id} needs a title; write one and save again")
        if memo.author != self.user:
            self.require_lead(f"changing memo {memo_id}, which {memo.author} wrote,")
        with write(self.engine) as conn:
            return db.update_memo(conn, memo_id, title.strip(), body)

    def _link_target(self, target_type: str, target: str | int, start: int | None, end: int | None) -> int:
        if target_type not in LINK_TARGETS:
            raise ValidationError(f"a memo cannot be linked to {target_type!r}; use one of: {', '.join(LINK_TARGETS)}")
        ref = str(target).strip()
        if target_type == "place":
            source = self.source(int(ref), with_text=True) if ref.isdigit() else None
            if source is None:
                raise ValidationError(f"a place is in a source named by its number, not {ref!r}")
            if start is None or end is None or not 0 <= start < end <= len(source.text):
                raise ValidationError(
                    f"the place {start}–{end} is not inside source {source.id} (0–{len(source.text)}); "
                    "give a start before the end within the text"
                )
            return source.id
        if target_type == "organisation":
            return self.organisation(ref).id
        if target_type == "memo":
            if not ref.isdigit():
                raise ValidationError(f"a memo is named by its number, not {ref!r}")
            return self.memo(int(ref)).id
        found = self._resolve_target(target_type, ref)
        assert found is not None
        return found

    def link_memo(
        self, memo_id: int, target_type: str, target: str | int, start: int | None = None, end: int | None = None
    ) -> int:
        """Link memo ``memo_id`` to an object (a ``place`` is a source number with ``start``/``end`` in code
        points, end exclusive). Linking twice to the same object keeps one link. Returns the link's id."""
        self.memo(memo_id)
        target_id = self._link_target(target_type, target, start, end)
        if target_type == "memo" and target_id == memo_id:
            raise ValidationError(f"memo {memo_id} cannot be linked to itself; choose another memo")
        if target_type != "place":
            start = end = None
        with write(self.engine) as conn:
            known = db.find_link(conn, memo_id, target_type, target_id, start, end)
            if known is not None:
                return known
            return db.insert_link(
                conn,
                {
                    "memo_id": memo_id,
                    "target_type": target_type,
                    "target_id": target_id,
                    "start": start,
                    "end": end,
                    "created_by": self.user,
                },
            )

    def unlink_memo(self, memo_id: int, link_id: int) -> None:
        """Remove a link of a memo: the memo's author may, and the project lead."""
        memo = self.memo(memo_id)
        if memo.author != self.user:
            self.require_lead(f"removing a link of memo {memo_id}, which {memo.author} wrote,")
        with write(self.engine) as conn:
            if not db.delete_link(conn, memo_id, link_id):
                raise NotFoundError(f"memo {memo_id} has no link {link_id}; reload the memo page")

    def memo_views(self, memos: list[Memo]) -> list[MemoView]:
        """The memos with every link named and given a page address (links to deleted objects have no label)."""
        with read(self.engine) as conn:
            links = db.links_of(conn, [m.id for m in memos])
            refs = {
                (lk.target_type, lk.target_id) for group in links.values() for lk in group if lk.target_id is not None
            }
            labels = db.labels(conn, refs)
            coding_places = db.coding_places(conn, {i for k, i in refs if k == "coding"})
        return [
            MemoView(
                m,
                [
                    ShownLink(
                        lk,
                        labels.get((lk.target_type, lk.target_id)) if lk.target_id is not None else None,
                        _href(lk, coding_places),
                    )
                    for lk in links[m.id]
                ],
            )
            for m in memos
        ]

    def memos_about(self, target_type: str, target_id: int) -> list[Memo]:
        """Every memo about an object: attached to it, or linking to it (a source: also to places in it)."""
        kinds = _SAME_OBJECT.get(target_type, (target_type,))
        with read(self.engine) as conn:
            return db.memos_linked_to(conn, kinds, target_id)
