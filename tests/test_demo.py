"""`load-demo`: the demo households through the real procedure, safe to repeat, passwords kept unless asked."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from server.accounts import operations as ops
from server.accounts.models import User
from server.audit.models import AuditEvent
from server.core.db import LOCAL_ZONE, local_today, utcnow
from server.core.scoping import unscoped
from server.demo import DEMO_COMMUNE, DEMO_USERS, demo_forms
from server.poverty import classify, validate_record
from server.review.models import CommuneDecision, VillageMeeting
from server.submissions.lifecycle import STATES
from server.submissions.models import CLASSES, ReviewEvent, Submission, SubmissionVersion

LANG_SON_GROUPS = {"tay", "nung", "kinh", "dao", "mong", "san_chay"}


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Hash new passwords with scrypt at a low cost, so the test stays fast."""
    monkeypatch.setattr(ops, "generate_password_hash",
                        lambda password, method="scrypt", salt_length=16:
                        generate_password_hash(password, method="scrypt:1024:8:1", salt_length=salt_length))


@pytest.fixture
def run(app, session):
    """run(*args) → the click result of `flask --app server <args>`, in the test's transaction."""
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def _all(session, stmt):
    session.expire_all()
    return session.execute(unscoped(stmt, "test")).all()


def _demo_forms(session):
    return [row[0] for row in _all(session, select(Submission).where(Submission.village_code.like("DEMO-%")))]


def _tally(session) -> dict:
    """What a re-run must not change: rows of every table the load writes, and the users' password hashes."""
    demo = Submission.village_code.like("DEMO-%")

    def n(model, *where):
        return _all(session, select(func.count()).select_from(model).where(*where))[0][0]

    return {"forms": n(Submission, demo),
            "versions": n(SubmissionVersion, SubmissionVersion.village_code.like("DEMO-%")),
            "steps": n(ReviewEvent, ReviewEvent.village_code.like("DEMO-%")),
            "meetings": n(VillageMeeting, VillageMeeting.village_code.like("DEMO-%")),
            "decisions": n(CommuneDecision, CommuneDecision.number.like("DEMO%")),
            "users": n(User, User.username.like("demo-%")),
            "hashes": dict(_all(session, select(User.username, User.password_hash).where(User.username.like("demo-%"))))}


def _passwords(output: str) -> dict[str, str]:
    """username → password printed (or the "(unchanged" marker)."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^\s+(demo-[a-z0-9-]+)\s+\S+\s+\S+\s+(\S+)", output, re.M)}


def test_load_demo_twice_adds_nothing_and_keeps_the_passwords(run, session):
    first = run("load-demo")
    assert first.exit_code == 0, first.output
    before = _tally(session)
    assert before["forms"] == len(demo_forms()) and before["users"] == len(DEMO_USERS)
    printed = _passwords(first.output)
    assert set(printed) == {u[0] for u in DEMO_USERS}
    for username, password in printed.items():
        assert check_password_hash(before["hashes"][username], password)

    again = run("load-demo")
    assert again.exit_code == 0, again.output
    assert _tally(session) == before
    assert set(_passwords(again.output).values()) == {"(unchanged"}
    assert "--reset-passwords" in again.output
    assert "0 forms added" in again.output and "0 review steps" in again.output
    assert not any(p in again.output for p in printed.values())


def test_reset_passwords_gives_new_ones_and_changes_nothing_else(run, session):
    assert run("load-demo").exit_code == 0
    before = _tally(session)
    result = run("load-demo", "--reset-passwords")
    assert result.exit_code == 0, result.output
    after = _tally(session)
    assert {k: v for k, v in after.items() if k != "hashes"} == {k: v for k, v in before.items() if k != "hashes"}
    printed = _passwords(result.output)
    assert set(printed) == {u[0] for u in DEMO_USERS}
    for username, password in printed.items():
        assert after["hashes"][username] != before["hashes"][username]
        assert check_password_hash(after["hashes"][username], password)
    resets = _all(session, select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "password_changed"))
    assert resets[0][0] >= len(DEMO_USERS)


def test_the_demo_set_covers_the_procedure_both_years_and_every_class(run, session):
    from server.accounts.operations import find_user
    from server.review.queue import flags_of

    result = run("load-demo")
    assert result.exit_code == 0, result.output
    forms = _demo_forms(session)
    assert {f.state for f in forms} == set(STATES)
    assert {f.review_year for f in forms} == {2025, 2026}
    for year in (2025, 2026):
        assert {f.poverty_class for f in forms if f.review_year == year} == set(CLASSES)
    assert {f.village_code for f in forms} == {f"DEMO-{DEMO_COMMUNE}-0{n}" for n in (1, 2, 3)}
    assert {f.head_ethnicity for f in forms} == LANG_SON_GROUPS
    assert all(f.head_name.startswith("DEMO ") and f.household_code.startswith("DEMO-") for f in forms)

    # The printed summary counts every form, by year, village and state.
    rows = re.findall(r"^\s+(2025|2026)\s+DEMO .+?\s+(\d+)\s", result.output, re.M)
    assert len(rows) == 6 and sum(int(n) for _, n in rows) == len(forms)

    # Each step left its trace: a comment at a field before a return, a second version, the meeting, the decision.
    events = defaultdict(list)
    for (event,) in _all(session, select(ReviewEvent).where(ReviewEvent.village_code.like("DEMO-%"))
                         .order_by(ReviewEvent.id)):
        events[event.submission_id].append(event)
    for form in forms:
        actions = [e.action for e in events[form.id]]
        if form.state == "returned":
            assert actions == ["submitted", "comment", "return"]
            assert events[form.id][1].field_path and events[form.id][2].comment
        if form.state == "resubmitted":
            assert form.version == 2 and actions == ["submitted", "comment", "return", "resubmitted"]
        if form.state == "recognised":
            assert form.decision_id is not None and "agree" in actions
        if form.state in ("agreed", "resurvey"):
            assert form.meeting_id is not None
    assert any(f.version == 2 and f.state == "recognised" for f in forms)

    # Dates: interviews inside their review year, none in the future; meetings and decisions after the approvals.
    now = utcnow()
    for form in forms:
        started = form.interview_started_at.astimezone(LOCAL_ZONE)
        assert started.year == form.review_year and 9 <= started.month <= 11 and form.interview_ended_at < now
    approvals = [e.at.astimezone(LOCAL_ZONE).date() for es in events.values() for e in es if e.action == "approve"]
    meetings = _all(session, select(VillageMeeting.held_on).where(VillageMeeting.village_code.like("DEMO-%")))
    decisions = _all(session, select(CommuneDecision.signed_on).where(CommuneDecision.number.like("DEMO%")))
    for (day,) in meetings + decisions:
        assert max(approvals) <= day <= local_today()

    # The queue flags the household posted twice and the short interview.
    supervisor = find_user("demo-supervisor")
    flags = flags_of(supervisor, DEMO_COMMUNE, 2026)
    by_id = {f.id: f for f in forms}
    duplicates = [by_id[i] for i, fl in flags.items()
                  if i in by_id and any(x.code == "possible_duplicate" for x in fl)]
    assert len(duplicates) == 2
    a, b = duplicates
    assert a.household_code == b.household_code and a.first_id != b.first_id
    assert (a.head_name_key, a.head_birth_year) == (b.head_name_key, b.head_birth_year)
    short = [i for i, fl in flags.items() if i in by_id and any(x.code == "short_interview" for x in fl)]
    assert len(short) == 1
    for year in (2025, 2026):  # every interview lies in its review's window (the flag, where the queue has it)
        assert not any(x.code == "interview_date" for fl in flags_of(supervisor, DEMO_COMMUNE, year).values()
                       for x in fl)

    # Household codes link the years: some households escape poverty, some become poor.
    classes = defaultdict(dict)
    for form in forms:
        classes[form.household_code][form.review_year] = form.poverty_class
    moves = {(c[2025], c[2026]) for c in classes.values() if len(c) == 2}
    assert any(old == "poor" and new != "poor" for old, new in moves)
    assert any(old != "poor" and new == "poor" for old, new in moves)
    assert any(i in by_id and any(x.code == "class_changed" for x in fl) for i, fl in flags.items())


def test_demo_records_are_stable_and_classified_by_the_rule_engine(app):
    with app.app_context():
        forms, again = demo_forms(), demo_forms()
        assert [f.versions for f in forms] == [f.versions for f in again]
        assert len({v["id"] for f in forms for v in f.versions}) == sum(len(f.versions) for f in forms)
        for form in forms:
            final = form.versions[-1]
            assert classify(validate_record(final))["class"] == form.poverty_class
            assert all(m["name"].startswith("DEMO ") for m in final["members"])
            for v in form.versions:
                assert datetime.fromisoformat(v["interview"]["ended_at"]) < utcnow()


def test_a_re_run_leaves_forms_a_newcomer_moved_on_alone(run, session):
    from server.accounts.operations import find_user
    from server.review.operations import act

    assert run("load-demo").exit_code == 0
    supervisor = find_user("demo-supervisor")
    moved = {}
    for form in _demo_forms(session):
        if form.state in ("submitted", "resubmitted"):
            act(supervisor, form, "approve", revision=form.revision)
            moved[form.id] = "approved"
        elif form.state == "approved" and form.review_year == 2026:
            act(supervisor, form, "agree", revision=form.revision)
            moved[form.id] = "agreed"
    session.commit()
    before = _tally(session)
    result = run("load-demo")
    assert result.exit_code == 0, result.output
    assert _tally(session) == before
    states = {f.id: f.state for f in _demo_forms(session)}
    assert {i: states[i] for i in moved} == moved
