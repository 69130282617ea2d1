"""Memos: Markdown notes on the project or on any track, activity, source, code, coding or participant."""

from __future__ import annotations

from aia.errors import ValidationError
from aia.model import MEMO_TARGETS, Memo
from aia.services.codebook import CodebookService
from aia.store import codebook as codebook_db
from aia.store import memos as db
from aia.store.database import read, write


class MemoService(CodebookService):
    def _resolve_target(self, target_type: str, target: str | int | None) -> int | None:
        if target_type not in MEMO_TARGETS:
            raise ValidationError(
                f"a memo cannot be attached to {target_type!r}; use one of: {', '.join(MEMO_TARGETS)}"
            )
        if target_type == "project":
            return None
        if target is None:
            raise ValidationError(f"say which {target_type} the memo is about")
        ref = str(target)
        if target_type == "track":
            return self.track(ref).id
        if target_type == "participant":
            return self.participant(ref).id
        if target_type == "code":
            return self.code(ref).id
        if not ref.isdigit():
            raise ValidationError(f"a {target_type} is named by its number, not {ref!r}")
        number = int(ref)
        if target_type == "activity":
            return self.activity(number).id
        if target_type == "source":
            return self.source(number, with_text=False).id
        with read(self.engine) as conn:
            if codebook_db.find_coding(conn, number) is None:
                raise ValidationError(f"there is no coding {number}")
        return number

    def add_memo(self, title: str, body: str, target_type: str = "project", target: str | int | None = None) -> Memo:
        if not title.strip():
            raise ValidationError("a memo needs a title")
        target_id = self._resolve_target(target_type, target)
        with write(self.engine) as conn:
            return db.insert_memo(
                conn,
                {
                    "title": title.strip(),
                    "body": body,
                    "author": self.user,
                    "target_type": target_type,
                    "target_id": target_id,
                },
            )

    def memos(self, target_type: str | None = None, target: str | int | None = None) -> list[Memo]:
        target_id = self._resolve_target(target_type, target) if target_type is not None else None
        with read(self.engine) as conn:
            return db.list_memos(conn, target_type, target_id)
