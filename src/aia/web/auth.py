"""Logging in (password in team mode, one-time token in single-user mode), logging out, and the language switch."""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from aia.web.core import Ctx, back, render, route
from aia.web.i18n import LANGUAGES, t
from aia.web.security import COOKIE, safe_next


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


PUBLIC_ROUTES = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login_post, methods=["POST"]),
    Route("/login/token", token_login, methods=["GET"]),
    Route("/bye", bye, methods=["GET"]),
]
