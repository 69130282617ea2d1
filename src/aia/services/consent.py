"""Consent as data: what each participant agreed to, on which legal basis, with the signed form kept encrypted.

The newest record of a participant counts. ``legal_basis`` is ``consent`` (GDPR Art. 6(1)(a)/9(2)(a): withdrawal
applies) or ``research`` (Danish Data Protection Act § 10: research of significant societal importance). The signed
form is stored in the database as AES-256-GCM ciphertext under a key derived (HKDF) from the key store's secret, so
it can be read only with the key store open. :meth:`ConsentService.check_consent` is what an import asks.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from aia.clock import now
from aia.errors import NotFoundError, ValidationError
from aia.privacy.filecrypt import decrypt, encrypt
from aia.services.audit import AuditService
from aia.services.structure import check_date
from aia.store import dataprotection as db
from aia.store.database import read, write
from aia.store.dataprotection import ConsentRow

CONSENT_FORMS = b"aia consent forms v1"
LEGAL_BASES = ("consent", "research")
MAX_FORM_BYTES = 50 * 2**20


@dataclass(frozen=True)
class ConsentProblem:
    """Why material naming a participant may not be imported into a WP."""

    participant: str
    wp: int
    problem: str
    participant_id: int = 0

    def __str__(self) -> str:
        return f"{self.participant}: {self.problem}"


def consent_problems(conn: Connection, participant_ids: Sequence[int], wp_number: int) -> list[ConsentProblem]:
    """:meth:`ConsentService.check_consent` inside a transaction (an import asks it where it stores).

    Strict: every registered participant named is checked against their newest consent record, whether or not the
    project records consent for anyone else (a project that records none refuses material naming a participant)."""
    problems: list[ConsentProblem] = []
    wanted = list(dict.fromkeys(participant_ids))
    if not wanted:
        return problems
    newest = db.newest_consents(conn, wanted)
    pseudonyms = dict(db.participant_ids(conn))
    for pid in wanted:
        name = pseudonyms.get(pid, f"participant {pid}")
        current = newest.get(pid)
        if current is None:
            problems.append(ConsentProblem(name, wp_number, "no consent is recorded", pid))
        elif wp_number not in current.wps:
            covered = ", ".join(f"WP{w}" for w in current.wps) or "no WP"
            problems.append(ConsentProblem(name, wp_number, f"the consent covers {covered}, not WP{wp_number}", pid))
    return problems


def consent_refusal(problems: Sequence[ConsentProblem]) -> str:
    """Why an import is refused for want of consent, naming who and the two ways on (after "cannot import X:")."""
    wp = problems[0].wp
    who = "; ".join(f"{p.participant} ({p.problem})" for p in problems)
    first = problems[0].participant
    return (
        f"it names participants without consent covering WP{wp}: {who}; record the consent with "
        f"'aia consent add {first} --wp {wp} --sheet-version V --date YYYY-MM-DD', or let the lead import it with "
        "--override-consent REASON"
    )


def withdrawn_refusal(pseudonyms: Sequence[str]) -> str:
    """Why an import naming a participant who withdrew (was erased) is refused (after "cannot import X:")."""
    names = ", ".join(sorted(set(pseudonyms)))
    return f"it names {names}, who withdrew from the project and was erased; remove their part before importing it"


class ConsentService(AuditService):
    def consent_key(self) -> bytes:
        return self._derive(CONSENT_FORMS)

    def add_consent(
        self,
        participant: str | int,
        sheet_version: str,
        date: str,
        legal_basis: str = "consent",
        wps: tuple[int, ...] | list[int] = (),
        audio: bool = False,
        quotes: bool = False,
        archiving: bool = False,
        reuse: bool = False,
        form: str | Path | None = None,
        note: str = "",
    ) -> ConsentRow:
        """Record a participant's consent (a new record; the newest counts). ``form``: the signed form, kept
        encrypted (needs the key store)."""
        person = self.participant(participant)
        if legal_basis not in LEGAL_BASES:
            raise ValidationError(f"the legal basis must be 'consent' or 'research' (§ 10), not {legal_basis!r}")
        if not sheet_version.strip():
            raise ValidationError("say which version of the information sheet the participant was given")
        day = check_date(date, "the consent date")
        bad = [w for w in wps if w not in range(1, 6)]
        if bad:
            raise ValidationError(f"work package {bad[0]} does not exist; AiA has WP1 to WP5")
        blob: tuple[str, int, bytes] | None = None
        if form is not None:
            path = Path(form)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ValidationError(f"cannot read the consent form {path}: {exc.strerror or exc}") from None
            if len(data) > MAX_FORM_BYTES:
                raise ValidationError(f"the consent form {path} is larger than {MAX_FORM_BYTES // 2**20} MB")
            media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            key = self.consent_key()
            aad = f"consent-form:{person.guid}".encode()
            blob = (media, len(data), encrypt(data, key, aad))
        with write(self.engine) as conn:
            consent_id = db.insert_consent(
                conn,
                {
                    "participant_id": person.id,
                    "sheet_version": sheet_version.strip(),
                    "date": day,
                    "legal_basis": legal_basis,
                    "wps": sorted(set(int(w) for w in wps)),
                    "audio": audio,
                    "quotes": quotes,
                    "archiving": archiving,
                    "reuse": reuse,
                    "note": note,
                    "recorded_by": self.user,
                    "recorded_at": now(),
                },
            )
            if blob is not None:
                db.insert_consent_form(conn, consent_id, *blob)
        self.audit("consent.add", f"participant:{person.pseudonym}", {"consent_id": consent_id})
        return self.consent(person.pseudonym)

    def consents(self, participant: str | int | None = None) -> list[ConsentRow]:
        """Every consent record (all versions), by participant and date."""
        pid = None if participant is None else self.participant(participant).id
        with read(self.engine) as conn:
            return db.list_consents(conn, pid)

    def consent(self, participant: str | int) -> ConsentRow:
        """The participant's current (newest) consent record."""
        person = self.participant(participant)
        records = self.consents(person.id)
        if not records:
            raise NotFoundError(
                f"participant {person.pseudonym} has no consent recorded; add it with 'aia consent add'"
            )
        return records[-1]

    def consent_form(self, participant: str | int) -> tuple[str, bytes]:
        """The signed form of the current consent record, decrypted: (media type, bytes). Needs the key store."""
        person = self.participant(participant)
        record = self.consent(person.id)
        with read(self.engine) as conn:
            found = db.consent_form_blob(conn, record.id)
        if found is None:
            raise NotFoundError(f"the consent of {person.pseudonym} has no signed form attached")
        media, blob = found
        data = decrypt(blob, self.consent_key(), f"consent-form:{person.guid}".encode(), "the consent form")
        self.audit("consent.form.view", f"participant:{person.pseudonym}", {"consent_id": record.id})
        return media, data

    def check_consent(self, participant_ids: list[int], wp_number: int) -> list[ConsentProblem]:
        """What stands in the way of importing material naming these participants into WP ``wp_number``: no
        consent, or consent whose scope does not include the WP. Empty when everything is covered."""
        with read(self.engine) as conn:
            return consent_problems(conn, participant_ids, wp_number)

    def override_consent(self, participant_ids: list[int], wp_number: int, reason: str) -> None:
        """Record that the lead lets an import through although consent does not cover it, and why."""
        if not reason.strip():
            raise ValidationError("an import without covering consent needs a reason (--reason)")
        at = now()
        with write(self.engine) as conn:
            for pid in dict.fromkeys(participant_ids):
                db.insert_override(conn, pid, wp_number, reason.strip(), self.user, at)
        self.audit("consent.override", f"wp:{wp_number}", {"participants": sorted(set(participant_ids))})
