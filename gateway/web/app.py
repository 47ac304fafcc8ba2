"""The console's ASGI app: sessions, CSRF, security headers and the route table.

Every page needs a session (a GET without one is sent to the login page, anything else gets
403); every form carries the session's CSRF token; actions need the operator role.  Responses
carry a strict Content-Security-Policy (no script at all, styles and images from this server
only) and ``Cache-Control: no-store``: nearly every page shows PHI.

Nothing about a claim goes into an address or a log line: claims are addressed by row id, the
filters of the Claims page travel in POST bodies, and the access log names the route template
(``/claims/{claim_id}``), not the path.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.domain.accounts import AuditAction, ConsoleSession, actor_of
from gateway.rules import RuleBook
from gateway.store import console
from gateway.store.db import Store
from gateway.web import security
from gateway.web.denials import DenialCache

log = logging.getLogger("gateway.web")
SESSION_COOKIE = "gw_session"
LOGIN_COOKIE = "gw_login"
STATIC = Path(__file__).resolve().parent / "static"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# A chart is an SVG document of its own: matplotlib styles it with attributes, and as an image it
# can run nothing.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"


@dataclass(frozen=True)
class WebConfig:
    host: str = "127.0.0.1"
    port: int = 8640
    idle_timeout: dt.timedelta = dt.timedelta(minutes=15)
    behind_tls: bool = False  # Secure cookies and HSTS; the proxy in front terminates TLS
    failed_logins_per_user: int = 5  # within login_window, then 429 until the window passes
    login_window: dt.timedelta = dt.timedelta(minutes=15)
    logins_per_address: int = 20  # per 5 minutes, in this process


@dataclass
class Console:
    store: Store
    book: RuleBook
    key: bytes
    config: WebConfig = field(default_factory=WebConfig)
    limiter: security.AddressLimiter = field(init=False)
    denials: DenialCache = field(init=False)
    templates: Environment = field(
        default_factory=lambda: Environment(
            loader=PackageLoader("gateway.web", "templates"), autoescape=select_autoescape(["html"])
        )
    )

    def __post_init__(self) -> None:
        self.limiter = security.AddressLimiter(self.config.logins_per_address)
        self.denials = DenialCache()

    def render(self, request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        session: ConsoleSession | None = getattr(request.state, "console_session", None)
        page = self.templates.get_template(name).render(session=session, **values)
        return HTMLResponse(page, status_code=status_code)


class Refused(Exception):
    """Turned into a 303 to the login page (a page view) or a 403 (anything else)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def current_session(console_app: Console, request: Request) -> ConsoleSession:
    """The request's session (idle time restarted), or ``Refused``."""
    found: ConsoleSession | None = getattr(request.state, "console_session", None)
    if found is not None:
        return found
    cookie = request.cookies.get(SESSION_COOKIE)
    token = security.unsign(cookie, console_app.key) if cookie else None
    if token is not None:
        found = console.resume_session(
            console_app.store, security.token_digest(token), console_app.config.idle_timeout
        )
    if found is None:
        raise Refused(303 if request.method == "GET" else 403, "no session: log in")
    request.state.console_session = found
    request.state.session_token = token
    return found


async def form_with_csrf(console_app: Console, request: Request) -> tuple[ConsoleSession, dict[str, str]]:
    """The session and the form's fields, once the form's CSRF token matched the session's."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    session = current_session(console_app, request)
    if not security.same_token(session.csrf_token, fields.get("csrf")):
        raise Refused(403, "the form's CSRF token is missing or wrong: reload the page and try again")
    return session, fields


def flash(console_app: Console, request: Request, message: str) -> None:
    token = getattr(request.state, "session_token", None)
    if token is not None:
        console.set_flash(console_app.store, security.token_digest(token), message)


# -- login / logout ------------------------------------------------------------------------------


def login_page(
    console_app: Console, request: Request, message: str | None = None, status_code: int = 200
) -> Response:
    pre = security.new_token()
    response = console_app.render(request, "login.html", status_code, csrf=pre, message=message)
    _set_cookie(console_app, response, LOGIN_COOKIE, security.sign(pre, console_app.key), max_age=900)
    return response


async def login(request: Request) -> Response:
    app: Console = request.app.state.console
    if request.method == "GET":
        return login_page(app, request)
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    cookie = request.cookies.get(LOGIN_COOKIE)
    pre = security.unsign(cookie, app.key) if cookie else None
    if pre is None or not security.same_token(pre, fields.get("csrf")):
        return login_page(app, request, "The login form expired or came from elsewhere; try again.", 403)
    name = fields.get("name", "").strip().lower()[:40]
    password = fields.get("password", "")
    address = request.client.host if request.client else "?"
    if not app.limiter.allow(address):
        return login_page(app, request, "Too many login attempts from this address; wait a few minutes.", 429)
    since = dt.datetime.now(dt.UTC) - app.config.login_window
    if name and console.failed_logins_since(app.store, name, since) >= app.config.failed_logins_per_user:
        return login_page(app, request, "Too many failed logins for this user; wait 15 minutes.", 429)
    user = console.find_user(app.store, name) if name else None
    if (
        not security.verify_or_decoy(user.password_hash if user else None, password)
        or user is None
        or user.disabled
    ):
        if name:
            console.record_audit(app.store, actor_of(name), AuditAction.LOGIN_FAILED)
        log.info("console login refused")
        return login_page(app, request, "Wrong name or password.", 401)
    token, csrf = security.new_token(), security.new_token()
    console.open_session(app.store, user, security.token_digest(token), csrf)
    console.record_audit(app.store, user.actor, AuditAction.LOGIN)
    response = RedirectResponse("/", status_code=303)
    _set_cookie(app, response, SESSION_COOKIE, security.sign(token, app.key), max_age=None)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


async def logout(request: Request) -> Response:
    app: Console = request.app.state.console
    session, _ = await form_with_csrf(app, request)
    console.close_session(app.store, security.token_digest(request.state.session_token))
    console.record_audit(app.store, session.user.actor, AuditAction.LOGOUT)
    response = login_page(app, request, "You are logged out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _set_cookie(app: Console, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite="strict", secure=app.config.behind_tls
    )


# -- headers, errors and the access log ----------------------------------------------------------


class ConsoleHeaders:
    """Security headers on every response, ``no-store`` on everything but the style sheet, and
    an access log line that names the route template (never the path: it could hold an id)."""

    def __init__(self, app: ASGIApp, behind_tls: bool) -> None:
        self.app = app
        self.behind_tls = behind_tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # until the response starts
        response_started = False

        async def with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                is_svg = any(k.lower() == b"content-type" and v.startswith(b"image/svg") for k, v in headers)
                headers += [
                    (b"content-security-policy", (SVG_CSP if is_svg else CSP).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (
                        b"cache-control",
                        b"max-age=3600" if scope["path"].startswith("/static/") else b"no-store",
                    ),
                ]
                if self.behind_tls:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception as error:
            log.error("console: internal error %s", type(error).__name__)
            log.debug("console: internal error", exc_info=error)
            if not response_started:
                page = b"<!doctype html><title>Error</title><p>Something went wrong; see the server log.</p>"
                await with_headers(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"text/html; charset=utf-8")],
                    }
                )
                await send({"type": "http.response.body", "body": page})
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "(no route)")
            elapsed = (time.perf_counter() - started) * 1000
            log.info("%s %s %s %.0f ms", scope.get("method", "?"), template, status, elapsed)


def _refused(request: Request, error: Exception) -> Response:
    assert isinstance(error, Refused)
    if error.status == 303:
        return RedirectResponse("/login", status_code=303)
    app: Console = request.app.state.console
    return app.render(request, "error.html", error.status, message=str(error))


Endpoint = Callable[[Request], Awaitable[Response]]


def create_app(console_app: Console) -> Starlette:
    from gateway.web import actions, pages  # the page modules import this one for the helpers

    routes = [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        *pages.ROUTES,
        *actions.ROUTES,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={Refused: _refused})
    app.state.console = console_app
    app.add_middleware(ConsoleHeaders, behind_tls=console_app.config.behind_tls)
    return app
