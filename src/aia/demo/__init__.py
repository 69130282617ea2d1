"""The demo project: fictional, Danish AiA material shipped in the package (``aia/demo/data``).

:func:`build_demo` reads ``manifest.yaml`` and builds a project from it through the public API only, so the
demo also exercises the same paths a researcher uses.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from aia.errors import ProjectError
from aia.privacy.identities import OrganisationIdentity, PersonIdentity
from aia.project import DB_NAME, Project, init_project

DEMO_USER = "Forsker A"
#: the demo's key store passphrase: a demo only, printed by ``aia demo`` (never do this with real material)
DEMO_PASSPHRASE = "aia-demo-nøglelager"


@dataclass
class DemoSummary:
    path: Path
    tracks: int = 0
    organisations: int = 0
    participants: int = 0
    consents: int = 0
    activities: int = 0
    sources: int = 0
    segments: int = 0
    codes: int = 0
    codings: int = 0
    memos: int = 0
    #: identifiers the pseudonymiser replaced at import, and candidates it left for review
    replaced: int = 0
    flagged: int = 0
    warnings: list[str] = field(default_factory=list)


def data_dir() -> Path:
    return Path(str(resources.files("aia.demo") / "data"))


def build_demo(path: str | Path, replace: bool = False) -> tuple[Project, DemoSummary]:
    """Build the demo project in ``path``; with ``replace`` an earlier demo project there is removed first."""
    root = Path(path)
    if root.exists() and replace:
        if not (root / DB_NAME).exists() and any(root.iterdir()):
            raise ProjectError(f"{root} is not an aia project; refusing to replace it")
        shutil.rmtree(root)
    base = data_dir()
    manifest: dict[str, Any] = yaml.safe_load((base / "manifest.yaml").read_text(encoding="utf-8"))
    project = init_project(root, name="AiA demo", user=DEMO_USER, keystore_passphrase=DEMO_PASSPHRASE)
    summary = DemoSummary(root)
    try:
        _populate(project, manifest, base, summary)
    except BaseException:
        project.close()
        raise
    return project, summary


def _populate(project: Project, manifest: dict[str, Any], base: Path, summary: DemoSummary) -> None:
    for t in manifest["tracks"]:
        project.add_track(t["name"], prefix=t.get("prefix"), description=t.get("description", ""))
        summary.tracks += 1
    keys = project.keys()
    orgs: dict[str, str] = {}
    for o in manifest.get("organisations", []):
        # the database gets a descriptive label; the real names go into the key store
        code = project.add_organisation(o.get("label", o["name"]), o.get("sector"), o.get("size")).code
        orgs[o["key"]] = code
        keys.set_organisation(code, OrganisationIdentity(names=tuple(o.get("names", [o["name"]]))))
        summary.organisations += 1
    people: dict[str, str] = {}
    for p in manifest.get("participants", []):
        org = orgs[p["organisation"]] if p.get("organisation") else None
        pseudonym = project.add_participant(
            p["track"], p.get("role"), p.get("job_function"), org, p.get("attributes") or {}
        ).pseudonym
        people[p["key"]] = pseudonym
        consent = {**(manifest.get("consent") or {}), **(p.get("consent") or {})}
        if consent:
            project.add_consent(
                pseudonym,
                str(consent["sheet_version"]),
                str(consent["date"]),
                str(consent.get("basis", "consent")),
                [int(w) for w in consent.get("wps", [])],
                audio=bool(consent.get("audio")),
                quotes=bool(consent.get("quotes")),
                archiving=bool(consent.get("archiving")),
                reuse=bool(consent.get("reuse")),
            )
            summary.consents += 1
        identity = p.get("identity") or {}
        if identity:
            first, _, last = identity["name"].partition(" ")
            keys.set_person(
                pseudonym,
                PersonIdentity(
                    full_names=(identity["name"],),
                    first_name=first,
                    surname=last or None,
                    emails=tuple(filter(None, [identity.get("email")])),
                ),
            )
        summary.participants += 1
    project.save_keys()
    sources_by_file: dict[str, int] = {}
    for a in manifest.get("activities", []):
        pseudonyms = [people[k] for k in a.get("participants", [])]
        activity = project.add_activity(
            a["track"],
            int(a["wp"]),
            a["kind"],
            project.pseudonymise_text(a["title"]),
            date=str(a["date"]) if a.get("date") else None,
            place=project.pseudonymise_text(a["place"]) if a.get("place") else None,
            researchers=a.get("researchers", []),
            notes=project.pseudonymise_text(a.get("notes", "")),
            participants=pseudonyms,
        )
        summary.activities += 1
        for rel in a.get("files", []):
            result = project.import_bytes(
                (base / rel).read_bytes(), Path(rel).name, activity=activity.id, participants=pseudonyms
            )
            assert result.source_id is not None
            sources_by_file[rel] = result.source_id
            summary.sources += 1
            summary.segments += result.segments
            summary.replaced += result.replaced
            summary.flagged += result.flagged
            summary.warnings.extend(f"{rel}: {w}" for w in result.warnings)
    _add_codes(project, manifest.get("codes", []), None, summary)
    for c in manifest.get("codings", []):
        source_id = sources_by_file[c["file"]]
        text = project.source(source_id).text
        quote = project.pseudonymise_text(c["quote"])
        start = text.find(quote)
        if start < 0:
            raise ProjectError(f"demo coding quote not found in {c['file']}: {c['quote'][:40]!r}")
        project.user = c.get("coder", DEMO_USER)
        project.add_coding(source_id, start, start + len(quote), c["code"], c.get("comment"))
        summary.codings += 1
    project.user = DEMO_USER
    for m in manifest.get("memos", []):
        target = m.get("target", "project")
        if isinstance(target, dict):
            ((kind, ref),) = target.items()
            if kind == "participant":
                ref = people.get(ref, ref)
            project.add_memo(m["title"], project.pseudonymise_text(m["body"]), kind, ref)
        else:
            project.add_memo(m["title"], project.pseudonymise_text(m["body"]))
        summary.memos += 1


def _add_codes(project: Project, codes: list[dict[str, Any]], parent: int | None, summary: DemoSummary) -> None:
    for c in codes:
        code = project.add_code(c["name"], parent, c.get("description", ""), c.get("color"))
        summary.codes += 1
        _add_codes(project, c.get("children", []), code.id, summary)
