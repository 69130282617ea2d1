"""The review step of pseudonymisation at import: list what was replaced or flagged in a source, then accept,
reject, or assign a value to a participant/organisation in the key store. Decisions that change the text go through
:func:`aia.store.pseudonymisation.edit_text`, so segments, codings and the search index stay correct."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from aia.errors import NotFoundError, ValidationError
from aia.privacy.filecrypt import decrypt, encrypt
from aia.privacy.identities import OrganisationIdentity, PersonIdentity, org_key, person_key
from aia.services.codebook import CodebookService
from aia.store import pseudonymisation as db
from aia.store.database import read, write

CONTEXT_CHARS = 40
_AAD = b"finding"


@dataclass(frozen=True)
class ReviewItem:
    id: int
    source_id: int
    start: int
    end: int
    kind: str
    detector: str
    #: replaced | flagged | accepted | rejected
    status: str
    #: what the text holds at [start, end) now
    shown: str
    #: the pseudonym put in (replaced, accepted) or proposed (flagged)
    replacement: str
    #: the identifier as it was (replaced and accepted items; needs the key store), else None
    original: str | None
    before: str
    after: str
    confidence: float


class PseudonymisationService(CodebookService):
    def review_items(self, source_id: int, status: str | None = None, with_originals: bool = True) -> list[ReviewItem]:
        """Every replacement and flagged candidate of a source, with context (originals need the key store)."""
        text = self.source(source_id).text or ""
        with read(self.engine) as conn:
            rows = db.list_findings(conn, source_id, status)
        key = self.review_key() if with_originals and any(r.value_enc for r in rows) else None
        items = []
        for r in rows:
            original = None
            if key is not None and r.value_enc is not None:
                original = decrypt(r.value_enc, key, _AAD, f"review item {r.id}").decode("utf-8")
            items.append(
                ReviewItem(
                    r.id,
                    r.source_id,
                    r.start,
                    r.end,
                    r.kind,
                    r.detector,
                    r.status,
                    text[r.start : r.end],
                    r.replacement,
                    original,
                    text[max(0, r.start - CONTEXT_CHARS) : r.start],
                    text[r.end : r.end + CONTEXT_CHARS],
                    r.confidence,
                )
            )
        return items

    def review_open(self) -> dict[int, int]:
        """Per source id, how many review items still wait for a decision."""
        with read(self.engine) as conn:
            return db.count_open(conn)

    def _finding(self, finding_id: int) -> db.FindingRow:
        with read(self.engine) as conn:
            row = db.get_finding(conn, finding_id)
        if row is None:
            raise NotFoundError(f"there is no review item {finding_id}; 'aia pseudonymise review SOURCE' lists them")
        return row

    def _value(self, row: db.FindingRow) -> str:
        """The identifier behind a finding: the encrypted original, or the flagged text itself."""
        if row.value_enc is not None:
            return decrypt(row.value_enc, self.review_key(), _AAD, f"review item {row.id}").decode("utf-8")
        text = self.source(row.source_id).text or ""
        return text[row.start : row.end]

    def review_accept(self, finding_id: int, pseudonym: str | None = None) -> ReviewItem:
        """Keep a replacement (optionally with another pseudonym), or replace a flagged candidate."""
        row = self._finding(finding_id)
        if row.status not in ("replaced", "flagged", "accepted"):
            raise ValidationError(f"review item {finding_id} was rejected; it cannot be accepted now")
        new = f"[{self._pseudonym_ref(pseudonym)}]" if pseudonym else row.replacement
        value = self._value(row)
        with write(self.engine) as conn:
            if row.status == "flagged" or new != row.replacement:
                db.edit_text(conn, row.source_id, [(row.start, row.end, new)])
            db.decide(
                conn,
                finding_id,
                "accepted",
                self.user,
                replacement=new,
                value_enc=encrypt(value.encode("utf-8"), self.review_key(), _AAD),
            )
        return self._item(finding_id)

    def review_reject(self, finding_id: int) -> ReviewItem:
        """Undo a replacement (the original value goes back into the text), or dismiss a flagged candidate."""
        row = self._finding(finding_id)
        with write(self.engine) as conn:
            if row.status in ("replaced", "accepted") and row.value_enc is not None:
                original = decrypt(row.value_enc, self.review_key(), _AAD, f"review item {row.id}").decode("utf-8")
                db.edit_text(conn, row.source_id, [(row.start, row.end, original)])
            db.decide(conn, finding_id, "rejected", self.user)
        return self._item(finding_id)

    def review_assign(self, finding_id: int, pseudonym: str) -> list[ReviewItem]:
        """Add the finding's value to a participant or organisation in the key store (as an alias) and replace it
        — here and in every other undecided item of the same source with the same value."""
        ref = self._pseudonym_ref(pseudonym)
        row = self._finding(finding_id)
        value = self._value(row)
        keys = self.keys()
        if ref.startswith("ORG-"):
            org = keys.organisation(ref) or OrganisationIdentity()
            keys.set_organisation(ref, dataclasses.replace(org, aliases=(*org.aliases, value)))
        else:
            person = keys.person(ref) or PersonIdentity()
            keys.set_person(ref, dataclasses.replace(person, aliases=(*person.aliases, value)))
        self.save_keys()
        same = [
            other.id
            for other in self.review_items(row.source_id)
            if other.id != finding_id
            and other.status in ("replaced", "flagged")
            and (other.original or other.shown).casefold() == value.casefold()
        ]
        return [self.review_accept(i, ref) for i in [finding_id, *same]]

    def _pseudonym_ref(self, pseudonym: str) -> str:
        value = pseudonym.strip().strip("[]").upper()
        if value.startswith("ORG-"):
            return self.organisation(org_key(value)).code
        return self.participant(person_key(value)).pseudonym

    def _item(self, finding_id: int) -> ReviewItem:
        row = self._finding(finding_id)
        return next(i for i in self.review_items(row.source_id) if i.id == finding_id)
