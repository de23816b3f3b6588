"""One place that renders every error: problem details, or a TAXII error under /taxii2/."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from hub.errors import HubError

log = logging.getLogger("mamori.api")

WWW_AUTHENTICATE = 'Basic realm="mamori", Bearer realm="mamori"'
PROBLEM_MEDIA = "application/problem+json"

# Routers with their own error body (TAXII) register a renderer for their path prefix.
Renderer = Callable[[int, str, str, list[dict[str, Any]]], Response]
_renderers: dict[str, Renderer] = {}


class Refused(StarletteHTTPException):
    """A hub error raised where only an HTTPException passes (api.guard's `receive`).

    FastAPI lets HTTPExceptions through its body parsing unchanged; this one carries the
    hub's error, and is rendered exactly like it.
    """

    def __init__(self, error: HubError) -> None:
        super().__init__(error.status_code, error.detail, headers=error.headers())
        self.error = error


def register_renderer(prefix: str, renderer: Renderer) -> None:
    _renderers[prefix] = renderer


def problem(
    status: int, title: str, detail: str, errors: list[dict[str, Any]] | None = None
) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_MEDIA)


def render(
    request: Request,
    status: int,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
) -> Response:
    path = request.url.path
    response: Response | None = None
    for prefix, renderer in _renderers.items():
        if path.startswith(prefix):
            response = renderer(status, title, detail, errors or [])
            break
    if response is None:
        response = problem(status, title, detail, errors)
    if status == 401:
        response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE
    return response


def install(app: FastAPI) -> None:
    @app.exception_handler(HubError)
    async def _hub_error(request: Request, exc: HubError) -> Response:
        response = render(request, exc.status_code, exc.title, exc.detail, exc.errors)
        response.headers.update(exc.headers())
        return response

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        return await _hub_error(request, exc.error)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"location": ".".join(str(p) for p in e.get("loc", ())), "reason": e.get("msg", "")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['location']}: {e['reason']}" for e in errors) or "invalid request"
        return render(request, 422, "Unprocessable content", detail, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: "Not found", 405: "Method not allowed", 413: "Payload too large"}
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no resource at {request.url.path}"
        response = render(request, exc.status_code, titles.get(exc.status_code, "Error"), detail)
        for name, value in (exc.headers or {}).items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> Response:
        # The database refused a value as data (PostgreSQL takes no NUL character in text,
        # say): the input was at fault, not the hub. SQLite accepts what PostgreSQL refuses,
        # so this is the one place both backends answer alike.
        log.info("value refused by the database", extra={"path": request.url.path})
        return render(
            request,
            422,
            "Unprocessable content",
            "a value in the request cannot be stored (a NUL or other invalid character?)",
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", extra={"path": request.url.path})
        return render(
            request, 500, "Internal server error", "the hub could not handle this request"
        )
