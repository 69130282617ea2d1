"""The core of the web app: every route is declared with :func:`route` and the minimum role it needs; one guard
checks the session, the role and (for POST) the CSRF token before the handler runs."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from aia.errors import AiaError, NotFoundError
from aia.project import Project
from aia.web.i18n import t
from aia.web.security import COOKIE, ROLE_RANK, Session, safe_next

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
