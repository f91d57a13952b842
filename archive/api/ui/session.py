"""Who is using the web interface, and whether a form post really came from its own pages.

Logging in with an API key starts a server-side session: the browser holds only a random session token,
in an HttpOnly, SameSite=Strict cookie, which stands for the key until it expires (8 hours), the visitor
logs out, or the key is revoked, whichever comes first; pages are behind the same keys and roles as the
API. A cookie from before sessions existed (the key itself) is no longer accepted: its holder logs in
again. Every form carries a CSRF token that must equal the one in a second cookie (double submit): another
site can neither read that cookie nor make the browser send the session cookie with its post
(SameSite=Strict), and a post whose `Origin` names another site is refused as well. The token is checked
by the routes themselves, not a middleware, because the upload form is parsed as a stream (a middleware
reading `request.form()` would hold the whole file in memory).
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response

from archive.api.deps import AppContext, Context, Uow
from archive.errors import Forbidden, RequestForged, Unauthenticated
from archive.roles import Role
from archive.services.keys import ANONYMOUS_READER, Principal, end_session, session_principal, start_session
from archive.services.unit_of_work import UnitOfWork

SESSION_COOKIE = "archive_session"
OLD_KEY_COOKIE = "archive_key"
CSRF_COOKIE = "archive_csrf"
CSRF_FIELD = "csrf"
COOKIE_PATH = "/ui"
SESSION_LIFETIME = timedelta(hours=8)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


class LoginRequired(Exception):
    """A page that needs a key, asked for without one: the visitor is sent to the login form."""


@dataclass(frozen=True)
class Visitor:
    """The person at the browser: who they are (None before logging in) and their form token."""

    principal: Principal | None
    csrf: str
    signed_in: bool

    def may(self, role: Role | str) -> bool:
        return self.principal is not None and self.principal.role.includes(Role(role))

    @property
    def viewer(self) -> Principal:
        """Who is reading (a page that needs a key is only shown once the visitor has one)."""
        if self.principal is None:
            raise LoginRequired()
        return self.principal


def _visitor(request: Request, context: Context, uow: Uow) -> Visitor:
    csrf = request.cookies.get(CSRF_COOKIE, "")
    if not _TOKEN.match(csrf):
        csrf = secrets.token_urlsafe(32)
        request.state.new_csrf = csrf
    principal: Principal | None = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            with uow.reading():
                principal = session_principal(uow, token)
        except Unauthenticated:
            request.state.forget_key = True  # ended, expired or revoked: ask for a key again
    visitor = Visitor(
        principal=principal or (ANONYMOUS_READER if context.settings.public_read else None),
        csrf=csrf,
        signed_in=principal is not None,
    )
    request.state.visitor = visitor
    return visitor


def signed_in(role: Role) -> object:
    """A dependency: the visitor, who must hold a key whose role includes `role`."""

    def dependency(visitor: Annotated[Visitor, Depends(_visitor)]) -> Visitor:
        if visitor.principal is None:
            raise LoginRequired()
        if not visitor.principal.role.includes(role):
            raise Forbidden(role.value, visitor.principal.role.value)
        return visitor

    return Depends(dependency)


AnyVisitor = Annotated[Visitor, Depends(_visitor)]
ReaderVisitor = Annotated[Visitor, signed_in(Role.READER)]
AuditorVisitor = Annotated[Visitor, signed_in(Role.AUDITOR)]
ArchivistVisitor = Annotated[Visitor, signed_in(Role.ARCHIVIST)]


def check_post(request: Request, context: AppContext) -> None:
    """What can be checked of a form post before its body is read: its origin, and that the browser holds
    a form token at all. An upload refused here is never spooled."""
    origin = request.headers.get("origin")
    if origin is not None and not _from_this_site(origin, request, context):
        raise RequestForged(f"the form was posted from {origin[:100]}, not from this site")
    if not _TOKEN.match(request.cookies.get(CSRF_COOKIE, "")):
        raise RequestForged("the form carries no valid token: reload the page and submit it again")


def check_form(request: Request, visitor: Visitor, submitted: str | bytes | None) -> None:
    """Refuse a form post that does not carry the visitor's token (the body read)."""
    if isinstance(submitted, bytes):
        submitted = submitted.decode("ascii", "replace")
    if not submitted:
        raise RequestForged("the form carries no valid token: reload the page and submit it again")
    if not hmac.compare_digest(submitted.encode(), visitor.csrf.encode()):
        raise RequestForged("the form's token does not match: reload the page and submit it again")


def _from_this_site(origin: str, request: Request, context: AppContext) -> bool:
    """Whether `Origin` names this service: the configured public URL's origin, or else the host the request
    was sent to (the scheme is not compared then: behind a proxy that ends TLS the service sees http where
    the browser said https). An opaque origin ("null") is never this site."""
    public_url = context.settings.public_url
    if public_url is not None:
        public = urlsplit(public_url)
        return origin.lower() == f"{public.scheme}://{public.netloc}".lower()
    host = request.headers.get("host")
    return host is not None and urlsplit(origin).netloc.lower() == host.lower()


def _secure(request: Request, context: AppContext) -> bool:
    public_url = context.settings.public_url
    if public_url is not None:
        return public_url.startswith("https://")
    return request.url.scheme == "https"


def log_in(request: Request, context: AppContext, uow: UnitOfWork, key: str, response: Response) -> Principal:
    """Check a key and, when it is good, start a session and keep its token in the visitor's cookie (a
    session the browser already held is ended: one sign-in, one session)."""
    previous = request.cookies.get(SESSION_COOKIE)
    with uow.writing():
        token, principal = start_session(uow, key.strip(), SESSION_LIFETIME)
        if previous:
            end_session(uow, previous)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path=COOKIE_PATH,
        secure=_secure(request, context),
        httponly=True,
        samesite="strict",
    )
    return principal


def log_out(request: Request, uow: UnitOfWork, response: Response) -> None:
    """End the visitor's session on the server (the token is worthless from now on) and drop the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with uow.writing():
            end_session(uow, token)
    forget_session(response)


def forget_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")


def finish(request: Request, response: Response) -> None:
    """Set or clear the cookies this request decided on."""
    new_csrf = getattr(request.state, "new_csrf", None)
    if new_csrf is not None:
        context = request.app.state.context
        assert isinstance(context, AppContext)
        response.set_cookie(
            CSRF_COOKIE,
            new_csrf,
            path=COOKIE_PATH,
            secure=_secure(request, context),
            httponly=True,
            samesite="strict",
        )
    if getattr(request.state, "forget_key", False):
        forget_session(response)
    if OLD_KEY_COOKIE in request.cookies:  # releases before sessions kept the API key itself there
        response.delete_cookie(OLD_KEY_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
