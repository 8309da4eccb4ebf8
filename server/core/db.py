"""The database: declarative base with stable constraint names, and one session per request."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager, nullcontext, suppress
from contextvars import ContextVar
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from flask import current_app, has_request_context, request
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Constraint names are part of the schema: migrations refer to them, so they must not depend on the backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware (SQLite forgets the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Store aware datetimes in UTC; refuse naive ones."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: timestamps must be timezone-aware")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        """Return timestamps as aware UTC datetimes."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


# Vietnam's time: pages show it, and dates people enter (a meeting, a decision) are days in it.
TIMEZONE = "Asia/Ho_Chi_Minh"
LOCAL_ZONE = ZoneInfo(TIMEZONE)


def local_today() -> date:
    """Today's date in Vietnam, whatever the server's clock zone."""
    return datetime.now(LOCAL_ZONE).date()


class _AppSession(Session):
    """A session bound to the current app's engine, unless a connection was given explicitly (tests)."""

    def get_bind(self, mapper=None, clause=None, **kw):
        """The explicit bind, else the engine of the app in context."""
        if self.bind is not None:
            return self.bind
        return current_app.extensions["rasoat_engine"]


class Database:
    """The request-scoped session; each app bound by `init_app` has its own engine."""

    def __init__(self) -> None:
        self.session = scoped_session(sessionmaker(class_=_AppSession, expire_on_commit=False))

    @property
    def engine(self) -> Engine:
        """The engine of the app in context."""
        return current_app.extensions["rasoat_engine"]

    def init_app(self, app) -> None:
        """Create the app's engine from DATABASE_URL and remove the session after each request."""
        app.extensions["rasoat_engine"] = make_engine(app.config["DATABASE_URL"], echo=app.config["SQL_ECHO"])

        @app.teardown_appcontext
        def _remove_session(exc):
            self.session.remove()


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


# Set by `writing()` for work outside a request (commands) that reads and then writes; by `reading()` (False) for
# the reads of a streamed answer, which run after the request's transaction committed.
_WRITING: ContextVar[bool | None] = ContextVar("rasoat_writing", default=None)


@contextmanager
def writing():
    """Within this block, a new SQLite transaction takes the write lock when it begins."""
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)


@contextmanager
def reading():
    """Within this block, a new transaction only reads, whatever the request: the body of a streamed answer, read
    after its request committed, must not hold SQLite's write lock while a slow client downloads it."""
    token = _WRITING.set(False)
    try:
        yield
    finally:
        _WRITING.reset(token)


def writes_on_get(view):
    """Mark a view that writes although it answers a GET (an audited read of personal data), so that on SQLite
    its transaction takes the write lock when it begins, like a POST's (see `_writes`)."""
    view._rasoat_writes = True
    return view


def _writes() -> bool:
    """Whether the transaction about to begin will write: inside `writing()`, a request whose method writes, or a
    view marked `writes_on_get`. (On SQLite a transaction that began reading cannot take the write lock once
    another writer has committed: it fails at once with SQLITE_BUSY, which would answer 500.)"""
    chosen = _WRITING.get()
    if chosen is not None:
        return chosen
    if not has_request_context():
        return False
    if request.method in WRITE_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "_rasoat_writes", False))


will_write = _writes


def make_engine(url: str, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout so concurrent writers wait."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # The sqlite3 module's own transaction handling breaks SAVEPOINTs; SQLAlchemy emits BEGIN instead.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            # FULL: an acknowledged commit survives a power cut, not only a crash of the process.
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        # SQLite has one writer at a time. Writers of this process queue on a lock rather than in SQLite's busy
        # handler, which polls with sleeps of up to 100 ms (long tails under load); other processes still wait
        # there. Held from BEGIN IMMEDIATE until the connection goes back to the pool, after commit or rollback.
        writer = threading.RLock()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A request that writes takes the write lock up front: a deferred transaction that read first cannot
            # upgrade once another writer has committed (SQLITE_BUSY at once, no wait), and would fail the request.
            if _writes():
                if writer.acquire(timeout=30):
                    conn.info["rasoat_writer"] = writer
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

        @event.listens_for(engine.pool, "checkin")
        def _sqlite_release(_dbapi_conn, record):
            # The session gives its connection back once the transaction has ended (after the commit's fsync).
            held = record.info.pop("rasoat_writer", None) if record is not None else None
            if held is not None:
                try:
                    held.release()
                except RuntimeError:  # returned by another thread (a leaked connection collected): not ours
                    pass

        return engine
    engine = create_engine(url, echo=echo)

    # A pooled connection may have been dropped while it sat idle (the server restarted, a firewall forgot it):
    # one idle longer than PING_AFTER_IDLE_SECONDS is pinged when taken, and replaced if dead. Unlike
    # pool_pre_ping this spares a round trip on every request of a busy server.
    @event.listens_for(engine.pool, "checkout")
    def _ping_if_idle(dbapi_conn, record, _proxy):
        idle_since = record.info.get("rasoat_idle_since")
        if idle_since is not None and time.monotonic() - idle_since > PING_AFTER_IDLE_SECONDS:
            try:
                alive = engine.dialect.do_ping(dbapi_conn)
            except engine.dialect.loaded_dbapi.Error:
                alive = False
            if not alive:
                raise DisconnectionError("the pooled connection was dropped while idle")

    @event.listens_for(engine.pool, "checkin")
    def _idle_since(_dbapi_conn, record):
        if record is not None:
            record.info["rasoat_idle_since"] = time.monotonic()

    return engine


# How long a pooled connection may sit idle before it is pinged when taken (see make_engine).
PING_AFTER_IDLE_SECONDS = 10.0


class Prepared:
    """A Core INSERT or UPDATE run straight on the transaction's DBAPI cursor: compiled once per dialect and set of
    parameter names, its values passed through SQLAlchemy's own bind processors (JSON, UTC timestamps).

    Only for the five writes every phone's new household makes (server/submissions/operations.py: the cursor, the
    form, its version, its history step and its audit entry), where bench/ingest.py showed that SQLAlchemy's
    per-execution machinery costs more than the statement itself; every other statement goes through the session
    (every other audit entry too: server.audit.operations.record_event). A SELECT is refused: it would bypass the area-scope guard
    (server.core.scoping), which watches the session's ORM executions. Columns with a Python-side default must be
    given (such defaults are not applied here: leaving one out is refused), the session is flushed first (as
    `Session.execute` would), database errors come as SQLAlchemy's exceptions, and the first row is returned, for
    RETURNING (on PostgreSQL SQLAlchemy adds RETURNING of the primary key to an INSERT without one). Neither
    SQL_ECHO nor engine events see these statements.

    Checked against SQLAlchemy 2.1.9 (requirements.txt). Of the compiled statement it reads the private
    `_bind_processors` and the attributes `positional`, `positiontup`, `bind_names`, `insert_prefetch`,
    `update_prefetch`, `construct_params()` and `string`; tests/core/test_db.py compares what it stores with what
    `Session.execute` stores, so an upgrade that changes them fails there.
    """

    def __init__(self, stmt) -> None:
        if not (getattr(stmt, "is_insert", False) or getattr(stmt, "is_update", False)):
            raise TypeError(f"Prepared takes an INSERT or an UPDATE, not {type(stmt).__name__}")
        self.stmt = stmt
        self._compiled: dict = {}

    def first(self, session, params: dict):
        """Execute with `params` in the session's transaction; the first row returned, or None."""
        return run_together(session, [(self, params)])[0]

    def _bound(self, dialect, params: dict) -> tuple[str, list | dict]:
        """The SQL and the processed parameters, in the driver's parameter style."""
        keys = tuple(params)
        plan = self._compiled.get((dialect.name, keys))
        if plan is None:
            compiled = self.stmt.compile(dialect=dialect, column_keys=list(keys))
            # Defaults computed in Python are applied by Connection.execute, not here: leaving one out is refused.
            skipped = [c.key for c in (*compiled.insert_prefetch, *compiled.update_prefetch)]
            if skipped:
                raise ValueError(f"Prepared statement on {self.stmt.table.name}: give {', '.join(skipped)} "
                                 "(Python-side defaults are not applied on this path)")
            processors = compiled._bind_processors  # noqa: SLF001 - the processors Connection.execute applies
            names = compiled.positiontup if compiled.positional else list(compiled.bind_names.values())
            plan = (compiled, [(n, processors.get(n)) for n in names])
            self._compiled[(dialect.name, keys)] = plan
        compiled, binds = plan
        given = compiled.construct_params(params)  # with the values the statement itself binds
        values = [p(given[n]) if p else given[n] for n, p in binds]
        return compiled.string, values if compiled.positional else dict(zip((n for n, _ in binds), values))


def run_together(session, steps: list[tuple[Prepared, dict]]) -> list:
    """Run Prepared statements in order in the session's transaction; return the first row of each (or None).

    On PostgreSQL they go in one round trip (psycopg's pipeline mode): none may need another's result. An error
    comes as SQLAlchemy's exception, as from Connection.execute; a lost connection is invalidated.
    """
    session.flush()
    connection = session.connection()
    dialect, fairy = connection.dialect, connection.connection
    bound = [prepared._bound(dialect, params) for prepared, params in steps]  # noqa: SLF001 - same module
    pipeline = getattr(fairy.dbapi_connection, "pipeline", None) if len(bound) > 1 else None
    cursors = []
    sql, parameters = bound[0]
    try:
        with pipeline() if pipeline is not None else nullcontext():
            for sql, parameters in bound:
                cursors.append(fairy.cursor())
                cursors[-1].execute(sql, parameters)
        return [cursor.fetchone() if cursor.description else None for cursor in cursors]
    except dialect.loaded_dbapi.Error as e:
        lost = dialect.is_disconnect(e, fairy.dbapi_connection, cursors[-1] if cursors else None)
        if lost:
            connection.invalidate(e)
        raise DBAPIError.instance(sql, parameters, e, dialect.loaded_dbapi.Error, connection_invalidated=lost,
                                  dialect=dialect) from e
    finally:
        for cursor in cursors:
            with suppress(dialect.loaded_dbapi.Error):
                cursor.close()
