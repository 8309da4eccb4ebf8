"""Area scoping: one helper filters personal data by area, and an unscoped query of it is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.accounts.models import User
from server.core.scoping import ScopeNotApplied, can_access, scoped, unscoped


def test_unscoped_query_of_personal_data_is_refused(session):
    with pytest.raises(ScopeNotApplied):
        session.execute(select(User)).all()
    with pytest.raises(ScopeNotApplied):
        session.execute(select(User.username).where(User.id == 1)).all()


def test_unscoped_needs_a_reason(session):
    with pytest.raises(ValueError):
        unscoped(select(User), "")
    session.execute(unscoped(select(User), "test: system read")).all()


@pytest.mark.parametrize("viewer_role, viewer_unit, visible", [
    ("officer", "20", {"v1", "v2", "c1", "c2", "p"}),
    ("admin", "06529", {"v1", "v2", "c1"}),
    ("supervisor", "06529", {"v1", "v2", "c1"}),
    ("enumerator", "T-06529-01", {"v1"}),
    ("officer", "04", {"cb"}),
])
def test_scope_covers_every_unit_below(session, make_user, viewer_role, viewer_unit, visible):
    people = {"v1": "T-06529-01", "v2": "T-06529-02", "c1": "06529", "c2": "05977", "p": "20", "cb": "01273"}
    for name, unit in people.items():
        make_user("enumerator" if unit.startswith("T-") else "supervisor" if len(unit) == 5 else "officer",
                  unit, username=f"p-{name}")
    viewer = make_user(viewer_role, viewer_unit, username="viewer")
    names = set(session.execute(scoped(select(User.username).select_from(User), viewer, User)).scalars())
    assert {n[2:] for n in names if n.startswith("p-")} == visible


def test_disabled_user_sees_nothing_and_accesses_nothing(session, make_user):
    viewer = make_user("officer", "20", is_enabled=False)
    assert session.execute(scoped(select(User), viewer)).all() == []
    assert not can_access(viewer, "06529")


def test_can_access(session, make_user):
    sup = make_user("supervisor", "06529")
    assert can_access(sup, "06529") and can_access(sup, "T-06529-01")
    assert not can_access(sup, "05977") and not can_access(sup, "20") and not can_access(sup, "no-such")


def test_scoping_reads_units_through_the_model_places_registers(monkeypatch):
    from server.core import scoping
    from server.places.models import Unit

    assert scoping.unit_model() is Unit
    monkeypatch.delitem(scoping._models, "unit")
    with pytest.raises(RuntimeError, match="register_unit_model"):
        scoping.units_below(None)
