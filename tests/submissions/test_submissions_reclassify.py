"""Re-classification of stored records when a rule set changes: results updated, each change recorded."""

from __future__ import annotations

from sqlalchemy import select

from server.core.scoping import unscoped
from server.submissions.models import ReviewEvent
from server.submissions.models import Submission
from server.submissions.operations import reclassify


def form(session, record_id) -> Submission:
    return session.execute(unscoped(select(Submission).where(Submission.first_id == record_id), "test")).scalar_one()


def history(session, submission) -> list[ReviewEvent]:
    stmt = select(ReviewEvent).where(ReviewEvent.submission_id == submission.id).order_by(ReviewEvent.id)
    return session.execute(unscoped(stmt, "test")).scalars().all()


def test_nothing_changes_when_the_rules_have_not(session, post, enumerator, household):
    record = household()
    post(record, enumerator)
    report = reclassify()
    assert (report["checked"], report["changed"], report["unchanged"]) == (1, 0, 1)
    assert [e.action for e in history(session, form(session, record["id"]))] == ["submitted"]


def test_a_changed_result_is_stored_and_recorded_with_old_and_new(session, post, enumerator, household, events):
    record = household(waste_handling="collected")
    post(record, enumerator)
    before = form(session, record["id"])
    revision, cursor = before.revision, before.change_seq
    report = reclassify(rule_set="2027-2030")
    assert report["changed"] == 1 and report["failed"] == []
    after = form(session, record["id"])
    assert after.rule_set == "2027-2030" and after.classification["rule_set"] == "2027-2030"
    assert after.revision == revision + 1 and after.change_seq > cursor
    step = history(session, after)[-1]
    assert step.action == "reclassified" and step.actor_id is None
    assert step.detail["old"]["rule_set"] == "2022-2026" and step.detail["new"]["rule_set"] == "2027-2030"
    assert events("submissions.reclassified")[0].detail["changed"] == 1
    assert reclassify(rule_set="2027-2030")["changed"] == 0


def test_a_record_the_new_rules_cannot_classify_is_reported_and_kept(session, post, enumerator, household):
    record = household()  # no waste_handling, which 2027-2030 needs
    post(record, enumerator)
    report = reclassify(rule_set="2027-2030")
    assert report["changed"] == 0
    assert report["failed"][0]["id"] == record["id"]
    assert [f["path"] for f in report["failed"][0]["fields"]] == ["waste_handling"]
    assert form(session, record["id"]).rule_set == "2022-2026"


def test_only_the_year_asked_for_is_checked(post, enumerator, household):
    post(household(), enumerator)
    post(household(review_year=2026, interview={"started_at": "2026-10-05T08:30:00+07:00"}), enumerator)
    assert reclassify(review_year=2026)["checked"] == 1


def test_the_command_prints_its_counts_and_fails_on_records_it_cannot_classify(app, post, enumerator, household):
    post(household(waste_handling="burned"), enumerator)
    post(household(), enumerator)
    result = app.test_cli_runner().invoke(args=["reclassify", "--rule-set", "2027-2030"])
    assert result.exit_code == 1
    assert "changed / thay đổi: 1" in result.output and "failed / lỗi: 1" in result.output
    assert app.test_cli_runner().invoke(args=["reclassify", "--rule-set", "no-such"]).exit_code == 2
