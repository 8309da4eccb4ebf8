"""server.core.db.Prepared: the hot path's statements behave as Connection.execute would, on both backends."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from server.audit.models import AuditEvent
from server.core.db import Prepared
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


def test_pending_orm_objects_are_flushed_first(session):
    session.add(Unit(code="TEST-PREP-1", name="Thôn Thử", level="village", kind="thon", parent_code="06529",
                     province_code="20", commune_code="06529", valid_from=date(2025, 7, 1), source="test"))
    found = Prepared(select(Unit.__table__.c.name).where(Unit.__table__.c.code == "TEST-PREP-1")).first(session, {})
    assert found == ("Thôn Thử",)


def test_leaving_out_a_column_with_a_python_default_is_refused(session):
    values = _event()
    del values["at"]
    with pytest.raises(ValueError, match="give at"):
        Prepared(insert(AuditEvent.__table__)).first(session, values)
