"""Jinja2 rendering for console pages: autoescaped templates, filters, the signed-in context."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from fastapi import Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from hub.stix.tlp import Tlp

TEMPLATES = Path(__file__).parent / "templates"
_REDACTED = re.compile(r"\[REDACTED:[^\]]{0,64}\]")


def timestamp(value: datetime | None) -> Markup:
    """A <time> element in UTC; the console's script shows it in the viewer's zone."""
    if value is None:
        return Markup('<span class="muted">—</span>')
    value = value.astimezone(UTC)
    iso = value.isoformat().replace("+00:00", "Z")
    text = value.strftime("%Y-%m-%d %H:%M UTC")
    return Markup('<time datetime="{0}" title="{1}">{1}</time>').format(iso, text)


def micros(value: int) -> Markup:
    """A date_added (epoch microseconds) as a <time> element."""
    return timestamp(datetime.fromtimestamp(value / 1_000_000, UTC))


def age(value: datetime, now: datetime | None = None) -> str:
    """How long ago, coarse: for queue rows where minutes matter less than days."""
    seconds = int(((now or datetime.now(UTC)) - value).total_seconds())
    if seconds < 3600:
        return f"{max(seconds // 60, 0)} min"
    if seconds < 86400 * 2:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def pretty(value: Any) -> str:
    """JSON as people read it: indented, non-ASCII (Japanese) kept as text."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def show(value: Any) -> str:
    """A leaf value in a property table: strings bare, the rest as compact JSON."""
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def redactions(value: Any) -> Markup:
    """A sanitized value with every [REDACTED:…] marker highlighted."""
    raw = show(value)
    parts: list[Markup] = []
    last = 0
    for m in _REDACTED.finditer(raw):
        parts.append(escape(raw[last : m.start()]))
        parts.append(Markup('<mark class="redacted">{}</mark>').format(m.group(0)))
        last = m.end()
    parts.append(escape(raw[last:]))
    return Markup("").join(parts)


def tlp_class(label: str) -> str:
    """A CSS class for a TLP label such as TLP:AMBER+STRICT."""
    try:
        level = Tlp.parse(label)
    except ValueError:
        return "tlp-none"
    return "tlp-" + level.name.lower().replace("_", "-")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        ts=timestamp,
        micros=micros,
        age=age,
        pretty=pretty,
        show=show,
        redactions=redactions,
        tlp_class=tlp_class,
    )
    return env


ENV = _environment()


def page(request: Request, name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a console page with who is signed in, their CSRF token and the current path."""
    current = getattr(request.state, "web", None)
    body = ENV.get_template(name).render(
        request=request,
        me=current.principal if current is not None else None,
        csrf=current.session.csrf_token if current is not None else "",
        path=request.url.path,
        **context,
    )
    return HTMLResponse(body, status_code=status)


def error_page(status: int, title: str, detail: str, errors: list[dict[str, Any]]) -> HTMLResponse:
    """A readable error page with the right status, for errors raised on console routes."""
    body = ENV.get_template("error.html").render(
        me=None, csrf="", path="", status=status, title=title, detail=detail, errors=errors
    )
    return HTMLResponse(body, status_code=status)
