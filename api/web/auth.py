"""Console sign-in with an API key, the session cookie, role checks and CSRF on every form."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from api.deps import Db, client_address, get_settings, get_throttle
from api.web.templating import page
from hub import audit
from hub.errors import Forbidden, TooManyRequests
from hub.members import keys, principals, sessions
from hub.members.sessions import Current
from hub.models import Role

PREFIX = "/console"
COOKIE = "mamori_console"
SIGN_IN_COOKIE = "mamori_sign_in"  # double-submit token for the sign-in form (no session yet)
router = APIRouter()


def is_https(request: Request) -> bool:
    settings = get_settings(request)
    base = settings.public_base_url or ""
    return request.url.scheme == "https" or base.startswith("https://")


def _set_cookie(
    request: Request, response: Response, name: str, value: str, *, path: str, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        secure=is_https(request),
        httponly=True,
        samesite="strict",
    )


def safe_next(target: str | None) -> str:
    """Only a console path of this hub: never an absolute or scheme-relative URL."""
    if not target:
        return f"{PREFIX}/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith(f"{PREFIX}/") or "\\" in target:
        return f"{PREFIX}/"
    return target


def home_of(current: Current) -> str:
    role = current.principal.role
    if role in (Role.OPERATOR, Role.ADMIN):
        return f"{PREFIX}/queue"
    if role is Role.SUBMITTER:
        return f"{PREFIX}/my/submissions"
    return f"{PREFIX}/collections"


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def optional_session(request: Request, db: Db) -> Current | None:
    token = request.cookies.get(COOKIE)
    found = await sessions.lookup(db, token) if token else None
    if found is not None:
        request.state.web = found
    return found


async def current_session(request: Request, db: Db) -> Current:
    """The signed-in user; anyone else is sent to the sign-in page and brought back."""
    found = await optional_session(request, db)
    if found is None:
        raise sign_in_first(request)
    return found


def sign_in_first(request: Request) -> StarletteHTTPException:
    """The redirect (303) to the sign-in page, bringing the user back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = request.url.path
    return StarletteHTTPException(
        303,
        "sign in to continue",
        headers={"Location": f"{PREFIX}/sign-in?next={quote(safe_next(target), safe='/')}"},
    )


Signed = Annotated[Current, Depends(current_session)]


def role(*roles: Role) -> Callable[[Current], Coroutine[Any, Any, Current]]:
    allowed = frozenset(roles)

    async def check(current: Signed) -> Current:
        if current.principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"this page is for: {names}")
        return current

    return check


Staff = Annotated[Current, Depends(role(Role.OPERATOR, Role.ADMIN))]
AdminOnly = Annotated[Current, Depends(role(Role.ADMIN))]
SubmitterOnly = Annotated[Current, Depends(role(Role.SUBMITTER))]
Anyone = Signed


def _same_origin(request: Request) -> bool:
    """A browser's Origin (when it sends one) must be this hub's."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin == f"{request.url.scheme}://{request.url.netloc}"


async def check_csrf(request: Request, current: Signed) -> None:
    """Every state-changing form carries the session's token, from this hub's own pages."""
    form = await request.form()
    sent = form.get("csrf_token")
    if (
        not isinstance(sent, str)
        or not hmac.compare_digest(sent.encode(), current.session.csrf_token.encode())
        or not _same_origin(request)
    ):
        raise Forbidden(
            "this form's security token is missing or out of date; reload the page and try again"
        )


Csrf = Annotated[None, Depends(check_csrf)]


def _sign_in_form(
    request: Request, *, status: int = 200, error: str | None = None, next_url: str | None = None
) -> Response:
    token = secrets.token_urlsafe(32)
    response = page(
        request,
        "sign_in.html",
        status=status,
        error=error,
        sign_in_token=token,
        next_url=safe_next(next_url),
    )
    _set_cookie(request, response, SIGN_IN_COOKIE, token, path=f"{PREFIX}/sign-in", max_age=3600)
    return response


@router.get("/sign-in")
async def sign_in_page(request: Request, db: Db, next: str | None = None) -> Response:
    """The sign-in form; a signed-in user goes straight on."""
    current = await optional_session(request, db)
    if current is not None:
        return redirect(safe_next(next) if next else home_of(current))
    return _sign_in_form(request, next_url=next)


@router.post("/sign-in")
async def sign_in(
    request: Request,
    db: Db,
    key: Annotated[str, Form(max_length=300)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Exchange an API key for a session; failures are counted per address and audited."""
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf_token.encode(), expected.encode()):
        return _sign_in_form(
            request, status=403, next_url=next, error="The form expired. Please sign in again."
        )
    client = client_address(request)
    parts = keys.split_key(key.strip())
    throttle = get_throttle(request)
    # Counted per (address, key id): a stranger's guesses never lock out a colleague's key.
    key_id = parts[0] if parts else None
    try:
        await throttle.check_sign_in(client, key_id)
    except TooManyRequests as limited:
        response = _sign_in_form(
            request,
            status=429,
            next_url=next,
            error="Too many failed sign-ins with this key from this address. Wait and retry.",
        )
        response.headers.update(limited.headers())
        return response
    principal = None
    if parts is not None:
        principal = await principals.from_key(
            db, *parts, touch_after=timedelta(seconds=get_settings(request).key_touch_seconds)
        )
    if principal is None or parts is None:
        await throttle.note_failure(client, key_id)
        # The key id is public (it is the Basic user name); the secret never reaches the log.
        await audit.record(
            db,
            actor=None,
            action="console.sign_in_failed",
            subject=f"client:{client}",
            details={"key_id": parts[0] if parts else None},
        )
        return _sign_in_form(
            request,
            status=401,
            next_url=next,
            error="That key was not accepted. Check it and try again.",
        )
    await sessions.purge(db)
    opened = await sessions.open_session(db, principal, parts[0])
    await audit.record(
        db,
        actor=principal,
        action="console.sign_in",
        subject=f"account:{principal.account_id}",
        details={"key_id": parts[0], "client": client},
    )
    current = await sessions.lookup(db, opened.token)
    target = safe_next(next) if next else (home_of(current) if current else f"{PREFIX}/")
    response = redirect(target)
    _set_cookie(
        request,
        response,
        COOKIE,
        opened.token,
        path=PREFIX,
        max_age=int(sessions.LIFETIME.total_seconds()),
    )
    response.delete_cookie(SIGN_IN_COOKIE, path=f"{PREFIX}/sign-in")
    return response


@router.post("/sign-out")
async def sign_out(request: Request, db: Db, current: Signed, _: Csrf) -> Response:
    """End the session on the server, then forget the cookie."""
    await sessions.close(db, request.cookies.get(COOKIE, ""))
    await audit.record(
        db,
        actor=current.principal,
        action="console.sign_out",
        subject=f"account:{current.principal.account_id}",
    )
    response = redirect(f"{PREFIX}/sign-in")
    response.delete_cookie(
        COOKIE, path=PREFIX, secure=is_https(request), httponly=True, samesite="strict"
    )
    return response


@router.get("/")
async def home(current: Signed) -> Response:
    """Each role starts where its work is."""
    return redirect(home_of(current))
