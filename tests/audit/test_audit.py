"""The audit trail: append-only at the database, shown to officers and administrators for their area only."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from server.audit.models import AuditEvent
from server.audit.operations import record_event
from server.core.scoping import ScopeNotApplied, unscoped


@pytest.fixture
def event(session, make_user):
    """One committed audit event in Xã Lộc Bình."""
    actor = make_user("admin", "06529")
    event_id = record_event("user_created", actor, target_type="user", target_id=42, unit_code="06529", role="x")
    session.commit()
    return session.execute(unscoped(select(AuditEvent).where(AuditEvent.id == event_id), "test")).scalar_one()


def test_record_event_keeps_who_what_where(session, event):
    stored = session.execute(unscoped(select(AuditEvent).where(AuditEvent.id == event.id), "test")).scalar_one()
    assert (stored.action, stored.target_type, stored.target_id, stored.unit_code, stored.detail) == \
        ("user_created", "user", "42", "06529", {"role": "x"})
    assert stored.actor_name.startswith("admin-") and stored.at.tzinfo is not None
    assert stored.ip is None


def test_a_request_records_the_callers_address(client, make_user, login, events):
    login(make_user("officer", "20"))
    client.post("/logout", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert [e.ip for e in events("logout")] == ["203.0.113.9"]


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET action = 'nothing' WHERE id = :id",
    "UPDATE audit_events SET detail = '{}' WHERE id = :id",
    "DELETE FROM audit_events WHERE id = :id",
    "DELETE FROM audit_events",
])
def test_the_database_refuses_to_change_or_delete_an_event(session, event, statement):
    with pytest.raises(DBAPIError) as info:
        with session.begin_nested():
            session.execute(text(statement), {"id": event.id})
    assert "append-only" in str(info.value)
    stored = session.execute(text("SELECT action FROM audit_events WHERE id = :id"), {"id": event.id}).scalar_one()
    assert stored == "user_created"


def test_the_orm_cannot_delete_an_event_either(session, event):
    stored = session.execute(unscoped(select(AuditEvent).where(AuditEvent.id == event.id), "test")).scalar_one()
    with pytest.raises(DBAPIError):
        with session.begin_nested():
            session.delete(stored)
    assert session.scalar(text("SELECT count(*) FROM audit_events WHERE id = :id"), {"id": event.id}) == 1


def test_reading_events_without_the_scope_is_refused(session, event):
    with pytest.raises(ScopeNotApplied):
        session.execute(select(AuditEvent)).all()


def test_officers_see_only_their_provinces_events(client, session, make_user, login):
    record_event("seen_in_province", None, unit_code="06529")
    record_event("seen_in_village", None, unit_code="T-06529-01")
    record_event("hidden_cao_bang", None, unit_code="01273")
    record_event("hidden_no_unit", None)
    session.commit()
    login(make_user("officer", "20"))
    page = client.get("/audit").get_data(as_text=True)
    assert "seen_in_province" in page and "seen_in_village" in page
    assert "hidden_cao_bang" not in page and "hidden_no_unit" not in page


def test_a_commune_admin_sees_only_their_communes_events(client, session, make_user, login):
    record_event("seen_in_commune", None, unit_code="06529")
    record_event("seen_in_village", None, unit_code="T-06529-02")
    record_event("hidden_other_commune", None, unit_code="05977")
    record_event("hidden_province", None, unit_code="20")
    session.commit()
    login(make_user("admin", "06529"))
    page = client.get("/audit").get_data(as_text=True)
    assert "seen_in_commune" in page and "seen_in_village" in page
    assert "hidden_other_commune" not in page and "hidden_province" not in page


def test_the_page_filters_by_action(client, session, make_user, login):
    record_event("first_kind", None, unit_code="06529")
    record_event("second_kind", None, unit_code="06529")
    session.commit()
    login(make_user("officer", "20"))
    page = client.get("/audit", query_string={"action": "second_kind"}).get_data(as_text=True)
    assert "second_kind" in page and "<code>first_kind</code>" not in page


@pytest.mark.parametrize("role, unit", [("supervisor", "06529"), ("enumerator", "T-06529-01")])
def test_supervisors_and_enumerators_cannot_read_the_trail(client, make_user, login, role, unit):
    login(make_user(role, unit))
    assert client.get("/audit").status_code == 403


def test_failed_logins_for_unknown_names_reach_the_provinces_officers(client, session, make_user, login):
    login(make_user("officer", "20"))
    assert client.post("/login", data={"username": "intruder", "password": "guess-guess"}).status_code == 401
    page = client.get("/audit", query_string={"action": "login_failed"}).get_data(as_text=True)
    assert "intruder" in page


def test_events_are_only_added(session, event):
    count = session.execute(unscoped(select(func.count()).select_from(AuditEvent), "test")).scalar_one()
    record_event("another", None, unit_code="06529")
    assert session.execute(unscoped(select(func.count()).select_from(AuditEvent), "test")).scalar_one() == count + 1


def test_officers_see_every_step_on_a_form_with_who_and_from_where(client, make_user, login, post, enumerator,
                                                                 supervisor, household):
    from server.review.operations import act, get_submission
    from server.submissions.models import Submission

    record = household()
    post(record, enumerator, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    from server.extensions import db

    form_id = db.session.execute(unscoped(select(Submission.id).where(Submission.first_id == record["id"]),
                                          "test")).scalar_one()
    act(supervisor, get_submission(supervisor, form_id), "approve", revision=1)
    db.session.commit()
    login(make_user("officer", "20"))
    page = client.get("/audit").get_data(as_text=True)
    table = page[page.index("<tbody>"):]
    assert "<td>Nhận phiếu</td>" in table and "<td>Xã duyệt phiếu</td>" in table and "198.51.100.7" in table
    login(make_user("officer", "04"))
    page = client.get("/audit").get_data(as_text=True)
    table = page[page.index("<tbody>"):]
    assert "Xã duyệt phiếu" not in table and "Nhận phiếu" not in table


def test_actions_are_named_and_the_filter_is_a_list_of_them(client, session, make_user, login):
    record_event("login_failed", None, actor_name="intruder", unit_code="06529")
    record_event("review.recognise", None, unit_code="06529")
    session.commit()
    login(make_user("officer", "20"))
    page = html.unescape(client.get("/audit").get_data(as_text=True))
    table = page[page.index("<tbody>"):]
    assert "<td>Đăng nhập sai</td>" in table and "<td>Công nhận theo quyết định của xã</td>" in table
    assert "login_failed" not in table and "review.recognise" not in table
    assert '<select id="action" name="action">' in page and '<option value="login_failed" >Đăng nhập sai</option>' in page
    filtered = html.unescape(client.get("/audit", query_string={"action": "login_failed"}).get_data(as_text=True))
    assert '<option value="login_failed" selected>Đăng nhập sai</option>' in filtered
    assert "Công nhận theo quyết định của xã</td>" not in filtered[filtered.index("<tbody>"):]


def _written_action_codes() -> set[str]:
    """Every action code passed to record_event in server/ (an f-string's variable part expanded by hand)."""
    import re
    from pathlib import Path

    from server.submissions.lifecycle import ACTIONS

    codes = set()
    for path in (Path(__file__).resolve().parents[2] / "server").rglob("*.py"):
        for match in re.finditer(r"record_event\(\s*(f?)\"([^\"]+)\"", path.read_text(encoding="utf-8")):
            is_f, code = match.groups()
            if not is_f:
                codes.add(code)
            elif code == "review.{action}":
                codes |= {f"review.{a}" for a in ACTIONS}
            elif code == "import_{kind}":
                from server.places.operations import IMPORTERS

                codes |= {f"import_{k}" for k in IMPORTERS}
            else:
                raise AssertionError(f"{path}: an audit code built at run time needs expanding here: {code}")
    return codes


def test_every_action_written_anywhere_has_a_name():
    from server.audit.labels import ACTION_LABELS

    missing = _written_action_codes() - set(ACTION_LABELS)
    assert not missing, f"add these to server/audit/labels.py: {sorted(missing)}"


def test_every_target_type_written_anywhere_has_a_name():
    import re
    from pathlib import Path

    from server.audit.labels import TARGET_LABELS

    written = set()
    for path in (Path(__file__).resolve().parents[2] / "server").rglob("*.py"):
        written |= set(re.findall(r"target_type=\"([a-z_]+)\"", path.read_text(encoding="utf-8")))
    assert "submission" in written
    missing = sorted(written - set(TARGET_LABELS))
    assert not missing, f"add these to server/audit/labels.py: {missing}"


def test_the_audit_page_names_what_an_entry_is_about(client, login, make_user):
    from server.audit.operations import record_event

    officer = login(make_user("officer", "20"))
    record_event("review.approve", officer, target_type="submission", target_id=7, unit_code="T-06529-01")
    page = client.get("/audit").get_data(as_text=True)
    assert "Phiếu 7" in page and "submission 7" not in page
