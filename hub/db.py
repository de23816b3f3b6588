"""Engine, session factory and the declarative base; nothing connects at import time.

SQLite gets two engines per database file. Writers share one connection and take the
write lock up front (BEGIN IMMEDIATE), so they queue in the pool instead of sleeping in
SQLite's busy handler. Readers (`read_sessionmaker`) use a pool of their own with
deferred, query-only transactions: in WAL mode a reader never waits for the writer nor
holds it up, so TAXII polls run beside publishing and beside each other. Reader
connections run their statements on the event loop's own thread: an indexed TAXII page
reads in well under a millisecond, while handing each call to a worker thread and back
(aiosqlite) costs several times that in thread switches.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, MetaData, event, make_url
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from hub.keys import Keyring

if TYPE_CHECKING:
    from hub.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime
    cache_ok = True

    def __init__(self, timezone: bool = True) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Reader connections cost no thread, only a file handle and page cache each.
READ_POOL_SIZE = 8
# A WAL reader is only ever busy for the instant another connection rebuilds the WAL index;
# never wait long on the event loop's thread.
READ_BUSY_TIMEOUT_MS = 2000
_read_engines: weakref.WeakKeyDictionary[Any, AsyncEngine] = weakref.WeakKeyDictionary()
_read_makers: weakref.WeakKeyDictionary[
    async_sessionmaker[AsyncSession], async_sessionmaker[AsyncSession]
] = weakref.WeakKeyDictionary()


def private_sqlite_file(url: str) -> None:
    """Create a SQLite database file readable by its owner only (it holds sealed originals).

    SQLite gives its -wal and -shm files the main file's permissions, so they follow. A file
    made before with wider permissions is narrowed.
    """
    backend = make_url(url)
    if backend.get_backend_name() != "sqlite" or backend.database in (None, "", ":memory:"):
        return
    path = backend.database
    if path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            try:
                os.chmod(path, mode & 0o700)
            except PermissionError:  # another user's file: theirs to narrow
                pass
    for suffix in ("-wal", "-shm"):
        side = path + suffix
        if os.path.exists(side) and stat.S_IMODE(os.stat(side).st_mode) & 0o077:
            try:
                os.chmod(side, 0o600)
            except PermissionError:
                pass


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys, durable commits and real transactions."""
    if url.startswith("sqlite"):
        private_sqlite_file(url)
        # One connection per process: SQLite has one writer, and queueing on the pool is
        # cheaper and fairer than sleeping in SQLite's busy handler.
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _tune_sqlite(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _tune_sqlite(engine: AsyncEngine, *, read_only: bool = False) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; take it over.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: an acknowledged submission survives a power cut, not only a process crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={READ_BUSY_TIMEOUT_MS if read_only else 30000}")
        if read_only:
            # A reader that tried to write would need a lock it never took: fail loudly.
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    # IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking;
    # a deferred BEGIN only pins a WAL snapshot at the first read and never blocks.
    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


def read_engine(engine: AsyncEngine) -> AsyncEngine:
    """The engine for read-only work on `engine`'s database: itself, or SQLite's reader pool.

    The reader pool is made once per engine and disposed with it. In-memory SQLite has no
    second connection to the same data, and PostgreSQL's pool already reads concurrently.
    """
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return engine
    found = _read_engines.get(engine.sync_engine)
    if found is None:
        path = url.database

        async def connect() -> _InlineConnection:
            return _InlineConnection(sqlite3.connect(path, check_same_thread=False))

        reader = create_async_engine(
            url, async_creator=connect, pool_size=READ_POOL_SIZE, max_overflow=0
        )
        _tune_sqlite(reader, read_only=True)
        _read_engines[engine.sync_engine] = found = reader

        @event.listens_for(engine.sync_engine, "engine_disposed")
        def _dispose_readers(_engine: Any) -> None:
            # Runs inside AsyncEngine.dispose()'s greenlet, so this sync dispose may await.
            reader.sync_engine.dispose()

    return found


class _InlineCursor:
    """aiosqlite's cursor surface over a sqlite3 cursor, run on the caller's thread."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> _InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> _InlineCursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> _InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _RunNow:
    """Stands in for aiosqlite's queue to its worker thread: runs each call at once."""

    def __init__(self) -> None:
        self.closed = False

    def put_nowait(self, item: tuple[Any, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # handed to the awaiting caller, as aiosqlite does
            if future is not None:
                future.set_exception(exc)
            return
        if future is not None:
            future.set_result(result)


class _InlineConnection:
    """The part of aiosqlite.Connection that SQLAlchemy's aiosqlite dialect uses, inline."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn
        self._tx = _RunNow()

    def __await__(self) -> Any:
        async def ready() -> _InlineConnection:
            return self

        return ready().__await__()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> _InlineCursor:
        return _InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Any = ()) -> _InlineCursor:
        return _InlineCursor(self._conn.execute(sql, parameters))

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def make_sessionmaker(
    engine: AsyncEngine, *, keyring: Keyring, info: Mapping[str, Any] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions carry the keyring, so every writer of the audit log can sign and seal."""
    return async_sessionmaker(
        engine, expire_on_commit=False, info={**keyring.session_info(), **(info or {})}
    )


def sessionmaker_for(engine: AsyncEngine, settings: Settings) -> async_sessionmaker[AsyncSession]:
    """Sessions of a configured hub: its keyring, its audit anchor, its connectors' egress."""
    from hub import audit_anchor, netpolicy

    return make_sessionmaker(
        engine,
        keyring=settings.keyring,
        info={
            audit_anchor.INFO_PATH: settings.audit_anchor_path,
            netpolicy.INFO_KEY: netpolicy.Policy.parse(settings.connector_allow_networks),
        },
    )


def read_sessionmaker(
    maker: async_sessionmaker[AsyncSession],
) -> async_sessionmaker[AsyncSession]:
    """Sessions for read-only work beside `maker`'s writers (never commit them).

    A maker bound to a connection rather than an engine (tests run each case inside one
    transaction, rolled back afterwards) reads through that same connection, so it sees
    its own uncommitted rows.
    """
    bind = maker.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        return maker
    engine = read_engine(bind)
    if engine is bind:
        return maker
    found = _read_makers.get(maker)
    if found is None:
        found = async_sessionmaker(
            engine, expire_on_commit=False, info=dict(maker.kw.get("info") or {})
        )
        _read_makers[maker] = found
    return found


@asynccontextmanager
async def transaction(maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work outside a request: commit on success, roll back on error."""
    async with maker.begin() as session:
        yield session
