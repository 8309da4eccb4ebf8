"""The indicator tables kept in memory (server.indicators.cache): used again only while nothing they were made
from changed — a form's review step, a resident count, a unit's flag written by any path, a restore's epoch —
and never a table of a transaction that wrote."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, select, text

from server.core.scoping import unscoped

from server.extensions import db
from server.indicators.operations import indicator_table
from server.places.models import UnitHouseholdCount
from server.submissions.history import touch
from server.submissions.models import Submission

from province import C1, C3, PROVINCE, V1A


@contextmanager
def statements():
    """The SQL statements run inside the block."""
    seen: list[str] = []
    engine = db.session.get_bind()

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def fresh(app, *args, **kwargs):
    """The table computed now, with nothing kept."""
    app.extensions.pop("rasoat_indicator_cache", None)
    return indicator_table(*args, **kwargs)


def form(province, key) -> Submission:
    stmt = select(Submission).where(Submission.id == province.ids[key])
    return db.session.execute(unscoped(stmt, "test")).scalar_one()


def row(table, code):
    return next(r for r in table["rows"] if r["code"] == code)


def test_a_table_is_kept_while_nothing_changed_and_each_caller_gets_a_copy(app, province):
    first = indicator_table(2027, PROVINCE)
    with statements() as seen:
        again = indicator_table(2027, PROVINCE)
    assert again == first
    assert not [s for s in seen if "FROM submissions" in s], seen   # the unit and the data version only
    again["rows"][0]["poor"] = 999      # a caller changing its copy does not change what the next one gets
    assert indicator_table(2027, PROVINCE) == first
    # Each unit, year and basis is its own table.
    assert indicator_table(2027, PROVINCE, basis="submitted") == fresh(app, 2027, PROVINCE, basis="submitted")


def test_a_form_change_is_seen_at_once(app, province):
    """A review step changes the form and takes the next sync cursor (server.submissions.history.touch), as
    every change to a form does; tests/indicators/test_indicators_api.py walks the real approval."""
    h20 = form(province, "h20")                  # submitted: not yet counted under `approved`
    commune = h20.commune_code
    before = row(indicator_table(2027, commune, basis="approved"), commune)
    h20.state = "approved"
    touch(h20)
    db.session.commit()
    after = row(indicator_table(2027, commune, basis="approved"), commune)
    assert after["coverage"]["approved"] == before["coverage"]["approved"] + 1
    assert after == row(fresh(app, 2027, commune, basis="approved"), commune)


def test_a_resident_count_changed_through_the_orm_is_seen(app, province):
    before = row(indicator_table(2027, C1), V1A)
    count = db.session.get(UnitHouseholdCount, (V1A, 2027))
    count.households += 20
    db.session.commit()
    after = row(indicator_table(2027, C1), V1A)
    assert after["households"] == before["households"] + 20
    assert after == row(fresh(app, 2027, C1), V1A)


def test_a_unit_changed_by_plain_sql_is_seen(app, province):
    """The places counter is bumped by the database's triggers, whatever wrote the row."""
    before = indicator_table(2027, PROVINCE)
    flag = row(before, C1)["status"]["in_dtts_mn_area"]
    db.session.execute(text("UPDATE units SET in_dtts_mn_area = :flag WHERE code = :code"),
                       {"flag": not flag, "code": C1})
    db.session.commit()
    after = indicator_table(2027, PROVINCE)
    assert row(after, C1)["status"]["in_dtts_mn_area"] is (not flag)
    assert after == fresh(app, 2027, PROVINCE)


def test_a_new_epoch_is_a_new_version(app, province):
    """A restore gives the sync counters a new epoch: nothing kept before it is used after it."""
    indicator_table(2027, PROVINCE)
    db.session.execute(text("UPDATE sync_counters SET value = value + 1 WHERE name = 'epoch'"))
    db.session.commit()
    with statements() as seen:
        indicator_table(2027, PROVINCE)
    assert [s for s in seen if "FROM submissions" in s]


def test_a_table_computed_in_a_transaction_that_wrote_is_not_kept(app, province):
    h05 = form(province, "h05")
    was = h05.poverty_class
    h05.poverty_class = "poor" if was != "poor" else "not_poor"
    db.session.flush()                  # a write in this transaction, not committed
    indicator_table(2027, PROVINCE, basis="submitted")
    db.session.rollback()
    assert form(province, "h05").poverty_class == was
    with statements() as seen:
        table = indicator_table(2027, PROVINCE, basis="submitted")
    assert [s for s in seen if "FROM submissions" in s]   # computed again: the rolled-back write's table was never kept
    assert table == fresh(app, 2027, PROVINCE, basis="submitted")


def test_a_communes_table_outlives_changes_in_other_communes_but_not_in_its_old_communes(app, province):
    """98001's flows read the forms filed under the old commune 98009 mapped into it (q24, 2025, V-98009-A)."""
    commune_table = indicator_table(2027, C1)
    village_table = indicator_table(2027, V1A)
    other = form(province, "h20")                # a form of 98003
    assert other.commune_code == C3
    other.state = "approved"
    touch(other)
    db.session.commit()
    with statements() as seen:
        assert indicator_table(2027, C1) == commune_table
        assert indicator_table(2027, V1A) == village_table
    assert not [s for s in seen if "FROM submissions" in s and "max(" not in s.lower()], seen
    # The province's table is computed again, and so is 98001's after a change to a form of the old commune.
    with statements() as seen:
        indicator_table(2027, PROVINCE)
    assert [s for s in seen if "FROM submissions" in s and "max(" not in s.lower()]
    old = form(province, "q24")
    assert old.commune_code == "98009"
    touch(old)                               # a change to the form (its figures stay the same)
    db.session.commit()
    with statements() as seen:
        assert indicator_table(2027, C1) == fresh(app, 2027, C1)
    assert [s for s in seen if "FROM submissions" in s and "max(" not in s.lower()]
