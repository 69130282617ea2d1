"""The project's key store as a service: create, unlock, and the identities the pseudonymiser looks for.

The key store (``keys.aia``, :mod:`aia.privacy.keystore`) is separate from the database and needs its passphrase.
A :class:`aia.Project` opens it only when something needs it — pseudonymising an import, reading an encrypted
original, reviewing replacements — with the passphrase given to :meth:`KeysService.unlock_keys` or, for scripts,
from the environment variable ``AIA_KEYSTORE_PASSPHRASE``. Everything else works without it.
"""

from __future__ import annotations

from pathlib import Path

from aia.errors import KeyStoreError, ValidationError
from aia.privacy.filecrypt import ORIGINALS, REVIEW_VALUES, derive_key
from aia.privacy.identities import OrganisationIdentity, PersonIdentity
from aia.privacy.imported import PseudonymContext, pseudonymise_short
from aia.privacy.kdf import KdfParams
from aia.privacy.keystore import PASSPHRASE_ENV, KeyStore, default_path, passphrase_from_env
from aia.privacy.pseudonymise import Known, KnownIndex, KnownOrganisation, KnownPerson, compile_known
from aia.services.base import ProjectBase
from aia.store.database import read, write
from aia.store.settings import get_setting, set_setting


def known_from_keystore(keys: KeyStore) -> list[Known]:
    """The key store's people and organisations as the pseudonymiser's search list."""
    known: list[Known] = []
    for pseudonym, person in keys.people().items():
        known.append(_known_person(pseudonym, person))
    for code, org in keys.organisations().items():
        known.append(_known_org(code, org))
    return known


def _known_person(pseudonym: str, person: PersonIdentity) -> KnownPerson:
    return KnownPerson(
        pseudonym=pseudonym,
        names=person.full_names,
        first_name=person.first_name,
        surname=person.surname,
        aliases=person.aliases,
        emails=person.emails,
        phones=person.phones,
        cprs=(person.cpr,) if person.cpr else (),
    )


def _known_org(code: str, org: OrganisationIdentity) -> KnownOrganisation:
    return KnownOrganisation(pseudonym=code, names=org.names, aliases=org.aliases)


PSEUDONYMISE = "pseudonymise"
ORIGINALS_SETTING = "originals"


class KeysService(ProjectBase):
    _keys: KeyStore | None = None
    _known_index: KnownIndex | None = None
    _derived: dict[bytes, bytes] | None = None

    @property
    def keystore_path(self) -> Path:
        return default_path(self.path)

    def has_keystore(self) -> bool:
        return self.keystore_path.is_file()

    def keys_unlocked(self) -> bool:
        return self._keys is not None

    def create_keystore(self, passphrase: str, kdf: KdfParams | None = None) -> KeyStore:
        """Create the project's key store (and keep it open)."""
        self._keys = KeyStore.create(self.keystore_path, passphrase, kdf=kdf)
        self._derived = None
        self._known_index = None
        return self._keys

    def unlock_keys(self, passphrase: str) -> KeyStore:
        """Open the key store with its passphrase and keep it open while this project is open."""
        if self._keys is None:
            self._keys = KeyStore.open(self.keystore_path, passphrase)
            self._derived = None
            self._known_index = None
        return self._keys

    def keys(self) -> KeyStore:
        """The open key store: unlocked before, or now with ``AIA_KEYSTORE_PASSPHRASE``; else a clear error."""
        if self._keys is not None:
            return self._keys
        if not self.has_keystore():
            raise KeyStoreError(
                f"the project {self.path} has no key store; create one with 'aia keys init' (as the project lead)"
            )
        passphrase = passphrase_from_env()
        if passphrase is None:
            raise KeyStoreError(
                f"the key store {self.keystore_path} is locked; set {PASSPHRASE_ENV} or give its passphrase when asked"
            )
        return self.unlock_keys(passphrase)

    def save_keys(self) -> None:
        self.keys().save()
        self._known_index = None

    def lock_keys(self) -> None:
        if self._keys is not None:
            self._keys.close()
        self._keys = None
        self._known_index = None
        self._derived = None

    def known_index(self) -> KnownIndex:
        """The compiled search list of every identifier in the key store (cached until the store changes)."""
        keys = self.keys()
        if self._known_index is None or keys.modified:
            self._known_index = compile_known(known_from_keystore(keys))
        return self._known_index

    def _derive(self, purpose: bytes) -> bytes:
        secret = self.keys().secret
        if self._derived is None:
            self._derived = {}
        if purpose not in self._derived:
            self._derived[purpose] = derive_key(secret, purpose)
        return self._derived[purpose]

    def originals_key(self) -> bytes:
        return self._derive(ORIGINALS)

    def review_key(self) -> bytes:
        return self._derive(REVIEW_VALUES)

    # -- settings of pseudonymisation at import ----------------------------------------------------------

    def pseudonymisation_setting(self) -> bool:
        """Whether imports are pseudonymised: the project setting, by default on whenever there is a key store."""
        with read(self.engine) as conn:
            value = get_setting(conn, PSEUDONYMISE)
        return self.has_keystore() if value is None else value == "on"

    def originals_setting(self) -> str:
        """``encrypted`` (default: originals kept, encrypted with the key store's key) or ``none`` (not kept)."""
        with read(self.engine) as conn:
            return get_setting(conn, ORIGINALS_SETTING) or "encrypted"

    def set_pseudonymisation(self, on: bool | None = None, originals: str | None = None) -> None:
        """Change the project's pseudonymisation settings (lead). Switching it on needs a key store."""
        if originals is not None and originals not in ("encrypted", "none"):
            raise ValidationError(f"originals must be 'encrypted' or 'none', not {originals!r}")
        if on and not self.has_keystore():
            raise ValidationError("pseudonymisation needs a key store; create it first with 'aia keys init'")
        with write(self.engine) as conn:
            if on is not None:
                set_setting(conn, PSEUDONYMISE, "on" if on else "off")
            if originals is not None:
                set_setting(conn, ORIGINALS_SETTING, originals)

    def pseudonymise_text(self, text: str) -> str:
        """A short text written in the project (a place, a note, a memo) with its identifiers replaced, as an
        import would; unchanged when pseudonymisation is off."""
        pseudo = self.pseudonym_context()
        return text if pseudo is None else pseudonymise_short(text, pseudo)

    def pseudonym_context(self, requested: bool | None = None) -> PseudonymContext | None:
        """What an import needs to pseudonymise, or None when it is off (opens the key store if needed)."""
        on = self.pseudonymisation_setting() if requested is None else requested
        if not on:
            return None
        keys = self.keys()
        originals = self.originals_key() if self.originals_setting() == "encrypted" else None
        return PseudonymContext(self.known_index(), keys.secret, self.review_key(), originals)
