"""The Starlette app: every route is declared with :func:`route` and the minimum role it needs; one guard
checks the session, the role and (for POST) the CSRF token before the handler runs."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from aia.errors import AiaError, NotFoundError
from aia.project import Project, open_project
from aia.web import views
from aia.web.i18n import LANGUAGES, t
from aia.web.security import COOKIE, ROLE_RANK, RateLimiter, SecurityMiddleware, Session, SessionStore, safe_next

HERE = Path(__file__).parent
Handler = Callable[["Ctx"], Awaitable[Response]]


@dataclass
class Ctx:
    """What a handler gets: the request, the session, the project acting as the logged-in user, the form."""

    request: Request
    session: Session
    project: Project
    form: FormData | None

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return render(self.request, template, self.session, status, **context)

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, str) else default

    def int_param(self, name: str) -> int:
        return int(self.request.path_params[name])

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a (synchronous) Project call in the thread pool."""
        return await run_in_threadpool(fn, *args, **kwargs)


#: (path, method) -> minimum role; "public" for the login routes
ROUTE_ROLES: dict[tuple[str, str], str] = {}
_ROUTES: list[Route] = []


def route(path: str, role: str, methods: tuple[str, ...] = ("GET",)) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for method in methods:
            ROUTE_ROLES[(path, method)] = role

        async def endpoint(request: Request) -> Response:
            return await guard(request, role, handler)

        endpoint.__name__ = handler.__name__
        _ROUTES.append(Route(path, endpoint, methods=list(methods), name=handler.__name__))
        return handler

    return register


async def guard(request: Request, role: str, handler: Handler) -> Response:
    state = request.app.state
    session = state.sessions.get(request.cookies.get(COOKIE))
    if session is None:
        if request.method == "GET":
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return Response("login required", status_code=403)
    form = None
    if request.method == "POST":
        form = await request.form(max_files=50, max_fields=200)
        token = request.headers.get("x-csrf-token") or form.get("csrf")
        if not isinstance(token, str) or not secrets.compare_digest(token.encode(), session.csrf.encode()):
            return Response("missing or wrong CSRF token", status_code=403)
    if ROLE_RANK[session.role] < ROLE_RANK[role]:
        return render(request, "error.html", session, 403, message=t("error.forbidden", session.lang))
    project = copy.copy(state.project)
    project.user = session.username
    ctx = Ctx(request, session, project, form)
    try:
        return await handler(ctx)
    except NotFoundError as exc:
        return ctx.render("error.html", 404, message=str(exc))
    except (AiaError, ValueError) as exc:
        return ctx.render("error.html", 400, message=str(exc))


_ENV = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))


def render(request: Request, template: str, session: Session | None, status: int = 200, **context: Any) -> HTMLResponse:
    lang = session.lang if session else "da"
    html = _ENV.get_template(template).render(
        t=lambda key, **kw: t(key, lang, **kw),
        lang=lang,
        session=session,
        can_code=session is not None and ROLE_RANK[session.role] >= ROLE_RANK["coder"],
        is_lead=session is not None and session.role == "lead",
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def back(ctx: Ctx, default: str) -> RedirectResponse:
    return RedirectResponse(safe_next(ctx.field("next", default)), status_code=303)


# -- login ------------------------------------------------------------------------------------------------------
async def login_page(request: Request) -> Response:
    if request.app.state.team is False:
        return render(request, "error.html", None, 403, message=t("login.token_used"))
    return render(request, "login.html", None, next=safe_next(request.query_params.get("next")), failed=None)


async def login_post(request: Request) -> Response:
    state = request.app.state
    if not state.team:
        return Response("team mode is off", status_code=403)
    form = await request.form()
    username = str(form.get("username", ""))
    password = str(form.get("password", ""))
    nxt = safe_next(str(form.get("next", "/")))
    key = f"{request.client.host if request.client else '?'}|{username}"
    if state.limiter.blocked(key):
        return render(request, "login.html", None, 429, next=nxt, failed=t("login.limited"))
    account = await run_in_threadpool(state.project.verify_login, username, password)
    if account is None:
        state.limiter.fail(key)
        return render(request, "login.html", None, 401, next=nxt, failed=t("login.failed"))
    return _start_session(request, account.username, account.role, nxt)


async def token_login(request: Request) -> Response:
    state = request.app.state
    token = request.query_params.get("token", "")
    expected = state.login_token
    if not expected or not secrets.compare_digest(token.encode(), expected.encode()):
        return render(request, "error.html", None, 403, message=t("login.token_used"))
    state.login_token = None  # one-time
    return _start_session(request, state.project.user, "lead", safe_next(request.query_params.get("next")))


def _start_session(request: Request, username: str, role: str, nxt: str) -> Response:
    sid, _ = request.app.state.sessions.create(username, role)
    response = RedirectResponse(nxt, status_code=303)
    response.set_cookie(COOKIE, sid, httponly=True, samesite="lax", path="/")
    return response


@route("/logout", "reader", ("POST",))
async def logout(ctx: Ctx) -> Response:
    ctx.request.app.state.sessions.drop(ctx.request.cookies.get(COOKIE))
    response = RedirectResponse("/login" if ctx.request.app.state.team else "/bye", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


async def bye(request: Request) -> Response:
    return render(request, "error.html", None, 200, message=t("login.token_used"))


@route("/lang", "reader", ("POST",))
async def set_language(ctx: Ctx) -> Response:
    lang = ctx.field("lang")
    if lang in LANGUAGES:
        ctx.session.lang = lang
    return back(ctx, "/")


# -- pages ------------------------------------------------------------------------------------------------------
@route("/", "reader")
async def dashboard(ctx: Ctx) -> Response:
    return ctx.render("dashboard.html", **await ctx.call(views.dashboard, ctx.project))


@route("/tracks/{track_id:int}", "reader")
async def track_page(ctx: Ctx) -> Response:
    return ctx.render("track.html", **await ctx.call(views.track_page, ctx.project, ctx.int_param("track_id")))


@route("/activities/{activity_id:int}", "reader")
async def activity_page(ctx: Ctx) -> Response:
    data = await ctx.call(views.activity_page, ctx.project, ctx.int_param("activity_id"))
    return ctx.render("activity.html", **data)


@route("/codes.css", "reader")
async def code_colours(ctx: Ctx) -> Response:
    css = await ctx.call(views.code_css, ctx.project)
    return Response(css, media_type="text/css")


@route("/sources", "reader")
async def source_list(ctx: Ctx) -> Response:
    q = ctx.request.query_params
    track = q.get("track") or None
    wp = int(q["wp"]) if q.get("wp", "").isdigit() else None
    data = await ctx.call(views.source_list, ctx.project, track, wp, q.get("q", ""))
    return ctx.render("sources.html", **data, track=track or "", wp=wp, q=q.get("q", ""))


@route("/sources/{source_id:int}", "reader")
async def source_viewer(ctx: Ctx) -> Response:
    data = await ctx.call(views.source_view, ctx.project, ctx.int_param("source_id"))
    return ctx.render("viewer.html", **data)


@route("/sources/{source_id:int}/codings", "coder", ("POST",))
async def apply_coding(ctx: Ctx) -> Response:
    source_id = ctx.int_param("source_id")
    await ctx.call(
        views.apply_coding,
        ctx.project,
        source_id,
        int(ctx.field("start")),
        int(ctx.field("end")),
        ctx.field("code_id"),
        ctx.field("new_code").strip(),
    )
    return RedirectResponse(f"/sources/{source_id}", status_code=303)


@route("/codings/{coding_id:int}/delete", "coder", ("POST",))
async def remove_coding(ctx: Ctx) -> Response:
    source_id = await ctx.call(views.remove_coding, ctx.project, ctx.int_param("coding_id"), ctx.session.role == "lead")
    return RedirectResponse(f"/sources/{source_id}", status_code=303)


@route("/codes", "reader")
async def codebook(ctx: Ctx) -> Response:
    return ctx.render("codes.html", tree=await ctx.call(ctx.project.code_tree))


@route("/codes", "coder", ("POST",))
async def create_code(ctx: Ctx) -> Response:
    parent = ctx.field("parent") or None
    await ctx.call(ctx.project.add_code, ctx.field("name").strip(), parent=int(parent) if parent else None)
    return RedirectResponse("/codes", status_code=303)


@route("/codes/{code_id:int}", "reader")
async def code_page(ctx: Ctx) -> Response:
    data = await ctx.call(views.code_page, ctx.project, ctx.int_param("code_id"), ctx.request.query_params)
    return ctx.render("code.html", **data)


@route("/codes/{code_id:int}/rename", "coder", ("POST",))
async def rename_code(ctx: Ctx) -> Response:
    code_id = ctx.int_param("code_id")
    await ctx.call(ctx.project.rename_code, code_id, ctx.field("name").strip())
    return RedirectResponse(f"/codes/{code_id}", status_code=303)


@route("/codes/{code_id:int}/move", "coder", ("POST",))
async def move_code(ctx: Ctx) -> Response:
    code_id = ctx.int_param("code_id")
    parent = ctx.field("parent")
    await ctx.call(ctx.project.move_code, code_id, int(parent) if parent else None)
    return RedirectResponse(f"/codes/{code_id}", status_code=303)


@route("/codes/{code_id:int}/merge", "lead", ("POST",))
async def merge_code(ctx: Ctx) -> Response:
    code_id = ctx.int_param("code_id")
    target = int(ctx.field("target"))
    if ctx.field("confirm") != "yes":
        preview = await ctx.call(views.merge_preview, ctx.project, code_id, target)
        return ctx.render("confirm_merge.html", **preview)
    await ctx.call(ctx.project.merge_codes, code_id, target)
    return RedirectResponse(f"/codes/{target}", status_code=303)


@route("/codes/{code_id:int}/delete", "lead", ("POST",))
async def delete_code(ctx: Ctx) -> Response:
    code_id = ctx.int_param("code_id")
    if ctx.field("confirm") != "yes":
        preview = await ctx.call(views.delete_preview, ctx.project, code_id)
        return ctx.render("confirm_delete.html", **preview)
    await ctx.call(ctx.project.delete_code, code_id, force=True)
    return RedirectResponse("/codes", status_code=303)


@route("/search", "reader")
async def search_page(ctx: Ctx) -> Response:
    q = ctx.request.query_params.get("q", "").strip()
    data = await ctx.call(views.search, ctx.project, q) if q else {"results": None, "total": 0}
    codes = await ctx.call(ctx.project.code_tree)
    return ctx.render("search.html", q=q, codes=codes, applied=None, **data)


@route("/search/apply", "coder", ("POST",))
async def search_apply(ctx: Ctx) -> Response:
    q = ctx.field("q").strip()
    code_id = int(ctx.field("code_id"))
    if ctx.field("confirm") != "yes":
        preview = await ctx.call(views.search_apply_preview, ctx.project, q, code_id)
        return ctx.render("confirm_apply.html", q=q, code_id=code_id, **preview)
    n = await ctx.call(views.search_apply, ctx.project, q, code_id)
    data = await ctx.call(views.search, ctx.project, q)
    codes = await ctx.call(ctx.project.code_tree)
    return ctx.render("search.html", q=q, codes=codes, applied=n, **data)


@route("/memos", "reader")
async def memo_list(ctx: Ctx) -> Response:
    return ctx.render("memos.html", memos=await ctx.call(ctx.project.memos))


@route("/memos", "coder", ("POST",))
async def memo_add(ctx: Ctx) -> Response:
    await ctx.call(ctx.project.add_memo, ctx.field("title").strip(), ctx.field("body"))
    return RedirectResponse("/memos", status_code=303)


@route("/participants", "reader")
async def participants(ctx: Ctx) -> Response:
    return ctx.render("participants.html", people=await ctx.call(ctx.project.participants))


@route("/organisations", "reader")
async def organisations(ctx: Ctx) -> Response:
    return ctx.render("organisations.html", orgs=await ctx.call(ctx.project.organisations))


@route("/import", "coder")
async def import_page(ctx: Ctx) -> Response:
    acts = await ctx.call(ctx.project.activities)
    return ctx.render("import.html", activities=acts, results=None)


@route("/import", "coder", ("POST",))
async def import_post(ctx: Ctx) -> Response:
    assert ctx.form is not None
    activity = int(ctx.field("activity"))
    files = [(f.filename or "upload", await f.read()) for f in ctx.form.getlist("files") if isinstance(f, UploadFile)]
    results = await ctx.call(views.import_files, ctx.project, activity, files)
    acts = await ctx.call(ctx.project.activities)
    return ctx.render("import.html", activities=acts, results=results)


@route("/users", "lead")
async def users_page(ctx: Ctx) -> Response:
    return ctx.render("users.html", accounts=await ctx.call(ctx.project.accounts))


@route("/users", "lead", ("POST",))
async def users_add(ctx: Ctx) -> Response:
    await ctx.call(ctx.project.add_account, ctx.field("username"), ctx.field("password"), ctx.field("role"))
    return RedirectResponse("/users", status_code=303)


PUBLIC_ROUTES = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login_post, methods=["POST"]),
    Route("/login/token", token_login, methods=["GET"]),
    Route("/bye", bye, methods=["GET"]),
]


def create_app(
    project_path: str | Path, team: bool = False, login_token: str | None = None, project: Project | None = None
) -> Starlette:
    """The web app for one project. Single-user mode (``team`` false): ``login_token`` (one use) logs in as lead;
    team mode: accounts with passwords (``aia user add``)."""
    app = Starlette(
        routes=[*PUBLIC_ROUTES, *_ROUTES, Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]
    )
    app.add_middleware(SecurityMiddleware)
    app.state.project = project or open_project(project_path)
    app.state.team = team
    app.state.login_token = login_token
    app.state.sessions = SessionStore()
    app.state.limiter = RateLimiter()
    return app
