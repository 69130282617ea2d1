"""The project database as SQLAlchemy Core tables: the one description queries are written against.

Portable by design: plain types, no SQLite-only SQL (the search index in :mod:`aia.store.search` is the one
backend-specific part). Migrations in :mod:`aia.store.migrations` create and evolve exactly these tables.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

project_meta = sa.Table(
    "project_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("created_at", sa.String(32), nullable=False),
)

tracks = sa.Table(
    "tracks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("prefix", sa.String(16), nullable=False, unique=True),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.String(32), nullable=False),
)

work_packages = sa.Table(
    "work_packages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("track_id", sa.Integer, sa.ForeignKey("tracks.id", ondelete="CASCADE"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.UniqueConstraint("track_id", "number"),
    sa.CheckConstraint("number BETWEEN 1 AND 5", name="wp_number_range"),
)

activities = sa.Table(
    "activities",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("wp_id", sa.Integer, sa.ForeignKey("work_packages.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("date", sa.String(32)),
    sa.Column("place", sa.String(300)),
    sa.Column("researchers", sa.JSON, nullable=False),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.String(32), nullable=False),
)

organisations = sa.Table(
    "organisations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("sector", sa.String(200)),
    sa.Column("size", sa.String(64)),
    sa.Column("attributes", sa.JSON, nullable=False),
)

participants = sa.Table(
    "participants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column("track_id", sa.Integer, sa.ForeignKey("tracks.id", ondelete="RESTRICT"), nullable=False),
    sa.Column("pseudonym", sa.String(32), nullable=False, unique=True),
    sa.Column("role", sa.String(200)),
    sa.Column("job_function", sa.String(200)),
    sa.Column("organisation_id", sa.Integer, sa.ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True),
    sa.Column("attributes", sa.JSON, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

activity_participants = sa.Table(
    "activity_participants",
    metadata,
    sa.Column("activity_id", sa.Integer, sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
)

files = sa.Table(
    "files",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column("wp_id", sa.Integer, sa.ForeignKey("work_packages.id", ondelete="RESTRICT"), nullable=False),
    sa.Column("activity_id", sa.Integer, sa.ForeignKey("activities.id", ondelete="RESTRICT"), nullable=True),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("date", sa.String(32)),
    sa.Column("language", sa.String(16)),
    sa.Column("importer", sa.String(32), nullable=False),
    sa.Column("original_filename", sa.String(500), nullable=False),
    sa.Column("sha256", sa.String(64), sa.ForeignKey("files.sha256"), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("metadata", sa.JSON, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("imported_by", sa.String(200), nullable=False),
    #: the plain text, last: SQLite reads a row's columns in order, so the other columns stay cheap to read
    sa.Column("text", sa.Text, nullable=False),
    sa.Index("ix_sources_sha_activity", "sha256", "activity_id"),
    sa.Index("ix_sources_wp", "wp_id"),
)

source_participants = sa.Table(
    "source_participants",
    metadata,
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True),
)

segments = sa.Table(
    "segments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    sa.Column("ordinal", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("speaker", sa.String(200)),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id", ondelete="SET NULL"), nullable=True),
    sa.Column("start_ms", sa.BigInteger),
    sa.Column("end_ms", sa.BigInteger),
    sa.Column("author", sa.String(200)),
    sa.Column("parent_ordinal", sa.Integer),
    sa.Column("meta", sa.JSON, nullable=False),
    #: search columns: Danish stems and plain lower-cased words of the segment text (see aia.text.stemming)
    sa.Column("stem", sa.Text, nullable=False, server_default=""),
    sa.Column("plain", sa.Text, nullable=False, server_default=""),
    sa.UniqueConstraint("source_id", "ordinal"),
    sa.CheckConstraint('start >= 0 AND "end" >= start', name="segment_span"),
    sa.Index("ix_segments_source_start", "source_id", "start"),
)

codes = sa.Table(
    "codes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("codes.id", ondelete="RESTRICT"), nullable=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("color", sa.String(16), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Index("ix_codes_parent", "parent_id"),
)

codings = sa.Table(
    "codings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    sa.Column("code_id", sa.Integer, sa.ForeignKey("codes.id", ondelete="RESTRICT"), nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("coder", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("comment", sa.Text),
    sa.CheckConstraint('start >= 0 AND "end" > start', name="coding_span"),
    sa.Index("ix_codings_code_source", "code_id", "source_id", "start"),
    sa.Index("ix_codings_source", "source_id", "start"),
)

memos = sa.Table(
    "memos",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("target_type", sa.String(32), nullable=False),
    sa.Column("target_id", sa.Integer),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.Index("ix_memos_target", "target_type", "target_id"),
)

code_events = sa.Table(
    "code_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("code_guid", sa.String(36), nullable=False),
    sa.Column("code_name", sa.String(200), nullable=False),
    sa.Column("details", sa.JSON, nullable=False),
    sa.Column("rationale", sa.Text),
    sa.Index("ix_code_events_code", "code_guid"),
)

# --- pseudonymisation at import (issue 6; migration 3) --------------------------------------------------------------

#: what the pseudonymiser replaced or flagged in a source, for the review step. Offsets are in the stored text and
#: are kept correct when the text is edited. The original value of a replaced identifier is never stored in clear:
#: ``value_enc`` is AES-GCM ciphertext under a key derived from the key store (see aia.privacy.filecrypt).
pseudonymisation_findings = sa.Table(
    "pseudonymisation_findings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("detector", sa.String(16), nullable=False),
    #: replaced | flagged (left in the text) | accepted | rejected
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("replacement", sa.String(200), nullable=False),
    sa.Column("value_enc", sa.LargeBinary),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("decided_by", sa.String(200)),
    sa.Column("decided_at", sa.String(32)),
    sa.Index("ix_pseudonymisation_findings_source", "source_id", "start"),
)
