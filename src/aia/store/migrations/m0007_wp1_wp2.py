"""Migration 7: WP1 probes, sessions and turn annotations; WP2 critical incidents and their classification."""

from __future__ import annotations

import sqlalchemy as sa

from aia.store import schema

TABLES = (
    schema.probes,
    schema.probe_sessions,
    schema.annotation_terms,
    schema.turn_annotations,
    schema.incidents,
    schema.incident_spans,
    schema.incident_categories,
    schema.incident_category_events,
    schema.incident_classifications,
    schema.incident_resolutions,
)

#: the taxonomy a new project starts with (the project can edit it)
DEFAULT_TERMS: dict[str, tuple[str, ...]] = {
    "technique": (
        "role-play",
        "hypothetical framing",
        "obfuscation/encoding",
        "prompt injection",
        "multi-turn escalation",
        "persona",
        "other",
    ),
    "outcome": ("refused", "partly complied", "complied", "off-topic"),
}


def upgrade(conn: sa.Connection) -> None:
    for table in TABLES:
        table.create(conn, checkfirst=True)
    terms = schema.annotation_terms
    if conn.execute(sa.select(sa.func.count()).select_from(terms)).scalar():
        return
    conn.execute(
        terms.insert(),
        [
            {"dimension": dimension, "name": name, "description": "", "position": i}
            for dimension, names in DEFAULT_TERMS.items()
            for i, name in enumerate(names)
        ],
    )
