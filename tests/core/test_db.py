"""server.core.db.Prepared: the hot path's statements behave as Connection.execute would, on both backends."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import time

import pytest
from sqlalchemy import create_engine, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import NullPool

from server.audit.models import AuditEvent
from server.core import db as db_module
from server.core.db import Prepared, make_engine, run_together
from server.core.scoping import unscoped
from server.places.models import Unit
from server.submissions.models import SyncCounter

HANOI = timezone(timedelta(hours=7))


def _event(**overrides) -> dict:
    values = {"at": datetime(2026, 11, 22, 9, 30, 15, 123456, tzinfo=HANOI), "action": "test.prepared",
              "actor_id": None, "actor_name": "Hoàng Văn Đức", "target_type": "submission", "target_id": None,
              "unit_code": None, "ip": None, "detail": {"ghi_chú": "Nùng Phàn Slình", "n": 8, "list": [1, None]}}
    return values | overrides


def _read(session, event_id: int) -> AuditEvent:
    stmt = unscoped(select(AuditEvent).where(AuditEvent.id == event_id), "test reads back its own row")
    return session.execute(stmt).scalar_one()


def test_a_prepared_insert_stores_what_connection_execute_stores(session):
    statement = insert(AuditEvent.__table__).returning(AuditEvent.__table__.c.id)
    fast_id = Prepared(statement).first(session, _event(target_id="fast"))[0]
    usual_id = session.execute(statement, _event(target_id="usual")).scalar_one()
    session.expire_all()
    fast, usual = _read(session, fast_id), _read(session, usual_id)
    for column in AuditEvent.__table__.columns:
        if column.key not in ("id", "target_id"):
            assert getattr(fast, column.key) == getattr(usual, column.key), column.key
    # Stored in UTC, read back aware; JSON with Vietnamese text intact.
    assert fast.at == datetime(2026, 11, 22, 2, 30, 15, 123456, tzinfo=timezone.utc)
    assert fast.at.utcoffset() == timedelta(0)
    assert fast.detail["ghi_chú"] == "Nùng Phàn Slình"


def test_a_naive_timestamp_is_refused_as_on_the_usual_path(session):
    with pytest.raises(Exception, match="naive datetime"):
        Prepared(insert(AuditEvent.__table__)).first(session, _event(at=datetime(2026, 11, 22, 9, 30)))


def test_a_duplicate_key_is_sqlalchemys_integrity_error_and_the_transaction_goes_on(session):
    statement = Prepared(insert(AuditEvent.__table__).returning(AuditEvent.__table__.c.id))
    event_id = statement.first(session, _event())[0]
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            statement.first(session, _event(id=event_id))
    # The savepoint is rolled back; the row written before it is still there and the session still works.
    assert _read(session, event_id).action == "test.prepared"


def test_a_statement_with_values_of_its_own(session):
    counter = SyncCounter.__table__
    bump = Prepared(update(counter).where(counter.c.name == "submissions").values(value=counter.c.value + 1)
                    .returning(counter.c.value))
    first = bump.first(session, {})[0]
    assert bump.first(session, {})[0] == first + 1


def test_statements_run_together_return_their_rows_in_order(session):
    statement = Prepared(insert(AuditEvent.__table__).returning(AuditEvent.__table__.c.id))
    counter = SyncCounter.__table__
    plain = Prepared(update(counter).where(counter.c.name == "submissions").values(value=counter.c.value + 1))
    first, none, second = run_together(session, [(statement, _event(target_id="a")), (plain, {}),
                                                 (statement, _event(target_id="b"))])
    assert none is None  # a statement returning no rows
    assert _read(session, first[0]).target_id == "a" and _read(session, second[0]).target_id == "b"


def test_an_error_among_statements_run_together_refuses_them_all(session):
    statement = Prepared(insert(AuditEvent.__table__).returning(AuditEvent.__table__.c.id))
    taken = statement.first(session, _event())[0]
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            run_together(session, [(statement, _event(target_id="lost")), (statement, _event(id=taken))])
    stmt = unscoped(select(AuditEvent).where(AuditEvent.target_id == "lost"), "test")
    assert session.execute(stmt).first() is None


def test_pending_orm_objects_are_flushed_first(session):
    session.add(Unit(code="TEST-PREP-1", name="Thôn Thử", level="village", kind="thon", parent_code="06529",
                     province_code="20", commune_code="06529", valid_from=date(2025, 7, 1), source="test"))
    units = Unit.__table__
    found = Prepared(update(units).where(units.c.code == "TEST-PREP-1").values(source="test, seen")
                     .returning(units.c.name)).first(session, {})
    assert found == ("Thôn Thử",)


def test_only_inserts_and_updates_are_prepared():
    # A SELECT on this path would bypass the area-scope guard, which watches the session's ORM executions.
    with pytest.raises(TypeError, match="INSERT or an UPDATE"):
        Prepared(select(Unit.__table__.c.name))
    with pytest.raises(TypeError, match="INSERT or an UPDATE"):
        Prepared(text("DELETE FROM units"))


def test_leaving_out_a_column_with_a_python_default_is_refused(session):
    values = _event()
    del values["at"]
    with pytest.raises(ValueError, match="give at"):
        Prepared(insert(AuditEvent.__table__)).first(session, values)


@pytest.fixture
def own_engine(app, backend):
    """An engine of the test database of our own, so its pool can be watched; disposed after the test."""
    if backend == "sqlite":
        pytest.skip("SQLite's connections are files of this process: none can be dropped by a server")
    engine = make_engine(app.config["DATABASE_URL"])
    yield engine
    engine.dispose()


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(engine, pid: int) -> None:
    """End a server process from a connection outside the engine's pool, as a server restart would."""
    outside = create_engine(engine.url, poolclass=NullPool)
    with outside.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        conn.commit()
    outside.dispose()
    time.sleep(0.05)


def test_a_connection_dropped_while_idle_is_replaced_when_taken(own_engine, monkeypatch):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    first = _backend_pid(own_engine)  # now idle in the pool, its only connection
    _terminate(own_engine, first)
    assert _backend_pid(own_engine) not in (first, None)  # no error: the dead connection was replaced


def test_a_busy_connection_is_not_pinged(own_engine, monkeypatch):
    # Within the idle limit the pool hands the connection out as it is: a dropped one then fails the statement,
    # which shows the ping (not luck) is what replaced it above.
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    first = _backend_pid(own_engine)  # now idle in the pool, its only connection
    _terminate(own_engine, first)
    with pytest.raises(DBAPIError):
        _backend_pid(own_engine)
