"""Import page (uploads processed file by file in the background, the page polls a progress fragment) and user
accounts."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from aia.errors import AiaError, NotFoundError, ValidationError
from aia.project import Project
from aia.services.importing import ImportResult
from aia.web.core import Ctx, route
from aia.web.i18n import t

#: finished jobs kept per app, so that a page can still show them
KEEP_JOBS = 50
_job_ids = itertools.count(1)


@dataclass
class ImportJob:
    """Files uploaded in one request, imported one by one in a background thread."""

    id: int
    owner: str
    activity: int
    names: list[str]
    results: list[ImportResult] = field(default_factory=list)
    #: the lead's reason for importing material whose participants' consent does not cover the WP (None: refuse it)
    consent_override: str | None = None
    done: bool = False
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def waiting(self) -> list[str]:
        return self.names[len(self.results) :]


def import_one(
    project: Project, activity: int, name: str, data: bytes, consent_override: str | None = None
) -> ImportResult:
    """Import one uploaded file; a failure (also for want of consent) becomes a "failed" result with its
    one-sentence message (the importer stores nothing of a failed file)."""
    try:
        return project.import_bytes(data, name, activity=activity, consent_override=consent_override)
    except AiaError as exc:
        return ImportResult(filename=name, status="failed", message=str(exc))
    except Exception as exc:  # a bug, not the user's fault: still one line per file, and the others go on
        return ImportResult(filename=name, status="failed", message=f"{name}: {type(exc).__name__}: {exc}")


def run_job(project: Project, job: ImportJob, files: list[tuple[str, bytes]]) -> None:
    try:
        for name, data in files:
            job.results.append(import_one(project, job.activity, name, data, job.consent_override))
    finally:
        job.done = True
        job.finished.set()


def _jobs(request: Request) -> dict[int, ImportJob]:
    jobs: dict[int, ImportJob] | None = getattr(request.app.state, "import_jobs", None)
    if jobs is None:
        jobs = {}
        request.app.state.import_jobs = jobs
    return jobs


def start_job(
    request: Request,
    project: Project,
    activity: int,
    files: list[tuple[str, bytes]],
    consent_override: str | None = None,
) -> ImportJob:
    jobs = _jobs(request)
    for old in [j for j in jobs.values() if j.done][: max(0, len(jobs) - KEEP_JOBS)]:
        del jobs[old.id]
    names = [name for name, _ in files]
    job = ImportJob(next(_job_ids), project.user, activity, names, consent_override=consent_override)
    jobs[job.id] = job
    threading.Thread(target=run_job, args=(project, job, files), name=f"aia-import-{job.id}", daemon=True).start()
    return job


def import_page_data(project: Project) -> dict[str, Any]:
    return {"activities": project.activities()}


@route("/import", "coder")
async def import_page(ctx: Ctx) -> Response:
    data = await ctx.call(import_page_data, ctx.project)
    chosen = ctx.request.query_params.get("activity", "")
    return ctx.render("import.html", job=None, chosen=int(chosen) if chosen.isdigit() else None, **data)


@route("/import", "coder", ("POST",))
async def import_post(ctx: Ctx) -> Response:
    assert ctx.form is not None
    activity_field = ctx.field("activity")
    if not activity_field.isdigit():
        raise ValidationError("choose the activity the files belong to, then upload again")
    activity = (await ctx.call(ctx.project.activity, int(activity_field))).id
    files = [(f.filename or "upload", await f.read()) for f in ctx.form.getlist("files") if isinstance(f, UploadFile)]
    files = [(name, data) for name, data in files if name or data]
    if not files:
        raise ValidationError("choose one or more files to import, then upload again")
    override = ctx.field("consent_override").strip() or None
    if override is not None and ctx.session.role != "lead":  # the form shows the field to the lead only
        return ctx.render("error.html", 403, message=t("import.override_forbidden", ctx.session.lang))
    if override is not None:
        await ctx.call(ctx.project.require_lead, "importing without covering consent")
    job = start_job(ctx.request, ctx.project, activity, files, override)
    if ctx.request.headers.get("hx-request"):
        return ctx.render("import_status.html", job=job)  # the fragment polls itself until the job is done
    await ctx.call(job.finished.wait)  # without JavaScript nothing polls: answer when every file is done
    data = await ctx.call(import_page_data, ctx.project)
    return ctx.render("import.html", job=job, chosen=activity, **data)


@route("/import/jobs/{job_id:int}", "coder")
async def import_status(ctx: Ctx) -> Response:
    job = _jobs(ctx.request).get(ctx.int_param("job_id"))
    if job is None or job.owner != ctx.session.username:
        raise NotFoundError(f"there is no import {ctx.int_param('job_id')} of yours; upload the files again")
    if ctx.request.headers.get("hx-request"):
        return ctx.render("import_status.html", job=job)
    data = await ctx.call(import_page_data, ctx.project)
    return ctx.render("import.html", job=job, chosen=job.activity, **data)


@route("/users", "lead")
async def users_page(ctx: Ctx) -> Response:
    return ctx.render("users.html", accounts=await ctx.call(ctx.project.accounts))


@route("/users", "lead", ("POST",))
async def users_add(ctx: Ctx) -> Response:
    await ctx.call(ctx.project.add_account, ctx.field("username"), ctx.field("password"), ctx.field("role"))
    return RedirectResponse("/users", status_code=303)
