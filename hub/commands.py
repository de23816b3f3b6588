"""What every `mamori` subcommand shares: settings, one unit of work, JSON output, failing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from hub import migrate
from hub.config import Settings
from hub.db import make_engine, sessionmaker_for
from hub.errors import ConfigurationError, HubError

T = TypeVar("T")


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"mamori: error: {message}", err=True)
    raise typer.Exit(code)


def settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        # The first problem, in the words of the check that found it (never the value).
        first = exc.errors()[0] if exc.errors() else None
        if first is None:
            fail("invalid settings", 2)
        where = "".join(f"MAMORI_{str(part).upper()}: " for part in first["loc"][:1])
        fail(where + str(first["msg"]).removeprefix("Value error, "), 2)
    except ValueError as exc:
        fail(str(exc).splitlines()[-1] if str(exc) else "invalid settings", 2)


def run(work: Callable[[AsyncSession], Awaitable[T]], *, upgrade: bool = True) -> T:
    """Run one unit of work against the configured database, migrating it first."""
    config = settings()

    async def main() -> T:
        engine = make_engine(config.async_database_url)
        try:
            if upgrade:
                await migrate.upgrade(engine, keyring=config.keyring)
            maker = sessionmaker_for(engine, config)
            async with maker.begin() as db:
                return await work(db)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except HubError as exc:
        fail(exc.detail)
    except ConfigurationError as exc:
        fail(str(exc), 2)
    except (SQLAlchemyError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fail(f"database {safe_url(config.database_url)}: {first}")


def safe_url(url: str) -> str:
    """The URL without a password, for messages."""
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme, _, credentials = head.partition("://")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{tail}"


def jsonable(data: Any) -> Any:
    """Plain data as JSON types, the way the API renders them (ISO 8601 times, enum values)."""
    return to_jsonable_python(data)


def emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
