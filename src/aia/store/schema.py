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

# --- WP1 probes and WP2 critical incidents (issue 7; migration 7) ----------------------------------------------------

#: a WP1 probe: a described scenario (jailbreak challenge, provotype, code-review probe, other)
probes = sa.Table(
    "probes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("instructions", sa.Text, nullable=False, server_default=""),
    sa.Column("setup", sa.Text, nullable=False, server_default=""),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

#: a probe session is an activity (its participants, logs and reflections hang on the activity) run with a probe
probe_sessions = sa.Table(
    "probe_sessions",
    metadata,
    sa.Column("activity_id", sa.Integer, sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("probe_id", sa.Integer, sa.ForeignKey("probes.id", ondelete="RESTRICT"), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Index("ix_probe_sessions_probe", "probe_id"),
)

#: the editable taxonomy for turn annotations: dimension ``technique`` or ``outcome``
annotation_terms = sa.Table(
    "annotation_terms",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dimension", sa.String(16), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("dimension", "name"),
)

#: a turn (segment ordinal of an AI-log source) annotated with a technique and/or an outcome
turn_annotations = sa.Table(
    "turn_annotations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    sa.Column("ordinal", sa.Integer, nullable=False),
    sa.Column("technique_id", sa.Integer, sa.ForeignKey("annotation_terms.id", ondelete="RESTRICT")),
    sa.Column("outcome_id", sa.Integer, sa.ForeignKey("annotation_terms.id", ondelete="RESTRICT")),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("annotator", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.UniqueConstraint("source_id", "ordinal"),
)

#: a WP2 critical incident (Flanagan): situation, what the person did, outcome, and more
incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("situation", sa.Text, nullable=False, server_default=""),
    sa.Column("action", sa.Text, nullable=False, server_default=""),
    sa.Column("outcome", sa.Text, nullable=False, server_default=""),
    sa.Column("valence", sa.String(16)),
    sa.Column("ai_tools", sa.JSON, nullable=False),
    sa.Column("competence", sa.Text, nullable=False, server_default=""),
    sa.Column("reporter_id", sa.Integer, sa.ForeignKey("participants.id", ondelete="SET NULL")),
    sa.Column("recorded_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
)

#: the spans of interviews (or netnography threads) an incident was recorded from
incident_spans = sa.Table(
    "incident_spans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("coding_id", sa.Integer, sa.ForeignKey("codings.id", ondelete="SET NULL")),
    sa.CheckConstraint('start >= 0 AND "end" > start', name="incident_span"),
    sa.Index("ix_incident_spans_incident", "incident_id"),
    sa.Index("ix_incident_spans_source", "source_id"),
)

#: categories that emerge from the incidents; merged ones stay (status ``merged``, ``merged_into``) for the history
incident_categories = sa.Table(
    "incident_categories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("merged_into", sa.Integer, sa.ForeignKey("incident_categories.id", ondelete="SET NULL")),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

incident_category_events = sa.Table(
    "incident_category_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("category_id", sa.Integer, nullable=False),
    sa.Column("category_name", sa.String(200), nullable=False),
    sa.Column("details", sa.JSON, nullable=False),
    sa.Column("rationale", sa.Text),
)

#: one category per incident per classifier (researchers classify independently)
incident_classifications = sa.Table(
    "incident_classifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
    sa.Column("classifier", sa.String(200), nullable=False),
    sa.Column("category_id", sa.Integer, sa.ForeignKey("incident_categories.id", ondelete="RESTRICT"), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.UniqueConstraint("incident_id", "classifier"),
)

#: the agreed category of an incident after the classifiers disagreed (or agreed)
incident_resolutions = sa.Table(
    "incident_resolutions",
    metadata,
    sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("category_id", sa.Integer, sa.ForeignKey("incident_categories.id", ondelete="RESTRICT"), nullable=False),
    sa.Column("resolved_by", sa.String(200), nullable=False),
    sa.Column("resolved_at", sa.String(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
)

# --- data protection: consent, erasure, exports register, audit log (issue 6 items 3-7; migration 4) -----------------

#: what a participant consented to (or the § 10 basis they are processed under); the newest row counts
consents = sa.Table(
    "consents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("sheet_version", sa.String(64), nullable=False),
    sa.Column("date", sa.String(32), nullable=False),
    #: consent | research (Danish Data Protection Act § 10: research of significant societal importance)
    sa.Column("legal_basis", sa.String(16), nullable=False),
    #: the WP numbers the consent covers (JSON list of ints)
    sa.Column("wps", sa.JSON, nullable=False),
    sa.Column("audio", sa.Boolean, nullable=False),
    sa.Column("quotes", sa.Boolean, nullable=False),
    sa.Column("archiving", sa.Boolean, nullable=False),
    sa.Column("reuse", sa.Boolean, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("recorded_by", sa.String(200), nullable=False),
    sa.Column("recorded_at", sa.String(32), nullable=False),
    sa.Index("ix_consents_participant", "participant_id"),
)

#: the signed consent form, AES-GCM encrypted under a key derived from the key store's secret
consent_forms = sa.Table(
    "consent_forms",
    metadata,
    sa.Column("consent_id", sa.Integer, sa.ForeignKey("consents.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("blob", sa.LargeBinary, nullable=False),
)

#: an import the lead let through although consent did not cover it, with the reason
consent_overrides = sa.Table(
    "consent_overrides",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("wp", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("decided_by", sa.String(200), nullable=False),
    sa.Column("decided_at", sa.String(32), nullable=False),
)

#: every file that left the project (exports, backups): who, when, what; listed in erasure reports
export_register = sa.Table(
    "export_register",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),
    sa.Column("exported_by", sa.String(200), nullable=False),
    sa.Column("exported_at", sa.String(32), nullable=False),
)

#: the erasure journal: a participant's withdrawal, planned (content-free ids and spans), purged, then finished.
#: ``plan`` and ``report`` hold ids, offsets, file hashes and export paths only, never the erased content.
erasure_jobs = sa.Table(
    "erasure_jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pseudonym", sa.String(32), nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("requested_by", sa.String(200), nullable=False),
    sa.Column("requested_at", sa.String(32), nullable=False),
    #: planned -> purged -> done
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("plan", sa.JSON, nullable=False),
    sa.Column("report", sa.JSON, nullable=False),
    #: the key-store entry still to remove (the key store was locked): pending | done | none
    sa.Column("keystore", sa.String(16), nullable=False, server_default="none"),
    sa.Column("finished_at", sa.String(32)),
)

#: append-only, hash-chained audit log. ``digest`` is sha256 of the canonical event; ``hash`` chains it to the
#: previous row. Erasure may clear ``target`` and ``details`` of rows that name the person (``redacted``): the
#: digest stays, so the chain still verifies and nothing else can be changed unnoticed.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.String(300)),
    sa.Column("details", sa.Text),
    sa.Column("redacted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Index("ix_audit_log_actor_at", "actor", "at"),
    sa.Index("ix_audit_log_action_at", "action", "at"),
)

# -- web workbench accounts (issue 3, migration 5) -------------------------------------------------------------
#: login accounts of the web workbench (team mode); not the REFI-QDA ``users`` list
accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(200), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(300), nullable=False),
    #: lead | coder | reader
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

# -- netnography corpora (issue 5, migration 6) ----------------------------------------------------------------
#: a saved query over an online-community dump, with its provenance; its threads are sources of ``activity_id``
corpora = sa.Table(
    "corpora",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("activity_id", sa.Integer, sa.ForeignKey("activities.id", ondelete="RESTRICT"), nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("platform", sa.String(32), nullable=False),
    sa.Column("dump_name", sa.String(500), nullable=False),
    sa.Column("dump_size", sa.BigInteger, nullable=False),
    sa.Column("dump_sha256", sa.String(64), nullable=False),
    #: the filters as given (match, keywords, tags, subreddits, since, until, min_score)
    sa.Column("query", sa.JSON, nullable=False),
    #: threads read, then left after each filter in order, then sampled
    sa.Column("counts", sa.JSON, nullable=False),
    sa.Column("sample_size", sa.Integer),
    sa.Column("seed", sa.Integer),
    sa.Column("stratify", sa.String(16)),
    sa.Column("threads", sa.Integer, nullable=False),
    sa.Column("posts", sa.Integer, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

# -- memo links (issue 3 web memos, migration 8) -----------------------------------------------------------------
#: more links of a memo (besides its own target): to a source, a place in a source (``start``/``end``, code points,
#: end exclusive), a coding, a code, a participant, an organisation, an activity, a track or another memo
memo_links = sa.Table(
    "memo_links",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("memo_id", sa.Integer, sa.ForeignKey("memos.id", ondelete="CASCADE"), nullable=False),
    sa.Column("target_type", sa.String(32), nullable=False),
    sa.Column("target_id", sa.Integer, nullable=False),
    sa.Column("start", sa.Integer),
    sa.Column("end", sa.Integer),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Index("ix_memo_links_memo", "memo_id"),
    sa.Index("ix_memo_links_target", "target_type", "target_id"),
)
