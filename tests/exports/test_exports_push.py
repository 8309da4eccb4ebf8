"""The push to the provincial system (issue 13 item 5) against a fake endpoint this module starts on 127.0.0.1.

The endpoint keeps what it applied by idempotency key, as the contract asks of the province's system: a key it has
seen gets the summary of the first time and applies nothing again. It can be told to answer 503 (or 429), to
refuse a batch (400), to refuse items (conflicts), or to apply a batch and drop the connection before answering:
the crash between send and acknowledgement. Forms are posted through the sync API and approved with the review
operation, as in production.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from server import create_app
from server.core.db import utcnow
from server.core.requests import undo_request_work
from server.core.scoping import unscoped
from server.exports import outbox, push, push_cli, push_views
from server.exports.outbox import PushBatch, PushOutbox
from server.review.operations import act, add_comment
from server.submissions.models import Submission

COMMUNE, YEAR = "06529", 2025


class FakeProvince:
    """The province's import endpoint: applies each batch once per idempotency key, answers a DHIS2-like summary."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()
        handler = type("Handler", (_Handler,), {"province": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/imports"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reset(self) -> None:
        """Forget everything; answer normally."""
        self.requests: list[dict] = []       # every request received: key, body bytes, headers
        self.summaries: dict[str, dict] = {}  # key -> the summary of its first application
        self.applied: dict[str, int] = {}     # item id -> times applied
        self.items: dict[str, dict] = {}      # item id -> the item as last applied
        self.unavailable = 0                  # answer this many requests with `unavailable_status`
        self.unavailable_status, self.retry_after = 503, None
        self.drop = 0                         # apply this many batches, then drop the connection unanswered
        self.refuse: tuple[int, str] | None = None  # answer every batch with this status and message
        self.conflicts: dict[str, str] = {}   # item id -> the message it is refused with

    def handle(self, key: str, body: bytes) -> tuple[int | None, dict, dict]:
        """(status or None to drop, headers, answer) for one request."""
        with self.lock:
            if self.unavailable:
                self.unavailable -= 1
                return self.unavailable_status, {"Retry-After": self.retry_after} if self.retry_after else {}, {}
            if self.refuse:
                return self.refuse[0], {}, {"message": self.refuse[1]}
            if key in self.summaries:  # a retry: the first summary, nothing applied again
                return 200, {}, self.summaries[key]
            payload = json.loads(body)
            imported = updated = 0
            conflicts = []
            for item in payload["records"] + payload["aggregates"]:
                if item["id"] in self.conflicts:
                    conflicts.append({"id": item["id"], "message": self.conflicts[item["id"]]})
                    continue
                if item["id"] in self.items:
                    updated += 1
                else:
                    imported += 1
                self.applied[item["id"]] = self.applied.get(item["id"], 0) + 1
                self.items[item["id"]] = item
            summary = {"status": "WARNING" if conflicts else "OK", "imported": imported, "updated": updated,
                       "ignored": len(conflicts), "conflicts": conflicts}
            self.summaries[key] = summary
            if self.drop:
                self.drop -= 1
                return None, {}, {}
            return 200, {}, summary

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    province: FakeProvince

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        key = self.headers.get("Idempotency-Key", "")
        self.province.requests.append({"key": key, "body": body, "headers": dict(self.headers)})
        status, headers, answer = self.province.handle(key, body)
        if status is None:  # applied, then the connection is lost before the answer
            self.close_connection = True
            return
        data = json.dumps(answer).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def province():
    fake = FakeProvince()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def app(app, province):
    """The conftest's database, in an app that pushes to the fake province (the exports wiring registered)."""
    pushing = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": app.config["INSTANCE_PATH"],
                          "SECRET_KEY": "test-secret", "TESTING": True, "WTF_CSRF_ENABLED": False,
                          "PUSH_URL": province.url, "PUSH_TOKEN": "bi-mat", "PUSH_BATCH_SIZE": 50})
    if "exports_push" not in pushing.blueprints:  # until create_app calls server.exports.init_app
        outbox.listen(pushing)
        push_views.register(pushing)
        push_cli.register(pushing)
    yield pushing
    pushing.extensions["rasoat_engine"].dispose()


@pytest.fixture(autouse=True)
def fresh_province(province):
    province.reset()


@pytest.fixture
def approve(session, submit, supervisor):
    """approve(**fields) → a new household form, posted and approved (committed, as two requests would)."""

    def make(**fields) -> Submission:
        form = submit(**fields)
        act(supervisor, form, "approve", revision=form.revision)
        session.commit()
        return form

    return make


@pytest.fixture
def submit(post, household, enumerator, session):
    def send(**fields) -> Submission:
        record = household(**fields)
        assert post(record, enumerator).status_code == 201
        return session.execute(unscoped(select(Submission).where(Submission.first_id == record["id"]),
                                        "test")).scalar_one()

    return send


def rows(session, **where) -> list[PushOutbox]:
    session.expire_all()
    return list(session.execute(select(PushOutbox).filter_by(**where).order_by(PushOutbox.id)).scalars())


def batches(session) -> list[PushBatch]:
    session.expire_all()
    return list(session.execute(select(PushBatch).order_by(PushBatch.id)).scalars())


def never_sleep(seconds):
    raise AssertionError(f"slept {seconds} s")


# --- The outbox is written with the change -------------------------------------------------------------------------

def test_approving_a_form_queues_its_record_and_its_commune_in_the_same_transaction(session, submit, supervisor):
    form = submit()
    assert rows(session) == []  # submitted: nothing for the province yet
    act(supervisor, form, "approve", revision=form.revision)
    queued = rows(session)
    assert [(r.kind, r.submission_id, r.unit_code, r.review_year, r.state) for r in queued] == [
        ("record", form.id, None, None, "pending"), ("aggregate", None, COMMUNE, YEAR, "pending")]
    undo_request_work()  # the approval fails later in its request: the outbox rows go with it
    assert rows(session) == []
    form = session.get(Submission, form.id)
    assert form.state == "submitted"
    act(supervisor, form, "return", revision=form.revision, comment="Thiếu ảnh")  # not settled: not the province's
    session.commit()
    assert rows(session) == []


def test_one_pending_row_per_form_and_per_commune_year(session, approve, supervisor):
    first, second = approve(), approve()
    act(supervisor, first, "agree", revision=first.revision)  # still settled, a new state: the same pending row
    session.commit()
    assert [(r.kind, r.submission_id, r.form_state) for r in rows(session)] == [
        ("record", first.id, "agreed"), ("aggregate", None, None), ("record", second.id, "approved")]


def test_after_a_push_a_comment_queues_nothing_and_a_new_state_queues_again(session, approve, supervisor):
    form = approve()
    push.push(sleep=never_sleep)
    add_comment(supervisor, form, "Đã kiểm tra tại nhà")
    session.commit()
    assert rows(session, state="pending") == []
    act(supervisor, form, "agree", revision=form.revision)
    session.commit()
    assert [(r.kind, r.form_state) for r in rows(session, state="pending")] == [("record", "agreed"),
                                                                               ("aggregate", None)]


def test_nothing_is_queued_without_an_endpoint(session, app, submit, supervisor, monkeypatch):
    monkeypatch.setitem(app.config, "PUSH_URL", "")
    form = submit()
    act(supervisor, form, "approve", revision=form.revision)
    session.commit()
    assert rows(session) == []


# --- Pushing ---------------------------------------------------------------------------------------------------------

def test_a_push_sends_the_record_and_the_figures_once_and_stores_the_summary(session, approve, province, events):
    form = approve()
    reports = push.push(sleep=never_sleep)
    assert [r["outcome"] for r in reports] == ["acknowledged"]
    [request] = province.requests
    assert request["headers"]["Authorization"] == "Bearer bi-mat"
    assert request["headers"]["Content-Type"] == "application/json"
    [batch] = batches(session)
    assert request["key"] == batch.idempotency_key and request["body"] == batch.payload.encode()
    record = province.items[form.current_id]
    assert (record["first_id"], record["state"], record["class"], record["withdrawn"]) == (
        form.first_id, "approved", form.poverty_class, False)
    assert record["record"]["id"] == form.first_id and record["record"]["members"][0]["name"] == "Thành viên 1"
    figures = province.items[f"{COMMUNE}:{YEAR}"]
    assert figures["rows"][-1]["code"] == COMMUNE and figures["rows"][-1]["surveyed"] >= 1
    assert batch.state == "acknowledged" and json.loads(batch.summary)["imported"] == 2
    assert {r.state for r in rows(session)} == {"accepted"}
    [audit] = events("push.sent")
    assert (audit.detail["host"], audit.detail["records"], audit.detail["aggregates"]) == ("127.0.0.1", 1, 1)
    assert push.push(sleep=never_sleep) == [] and len(province.requests) == 1  # nothing twice


def test_a_crash_between_send_and_acknowledgement_resends_the_same_bytes_and_nothing_is_applied_twice(
        session, approve, province):
    approve(), approve()
    province.drop = 1
    [report] = push.push(one_attempt=True)
    assert report["outcome"] == "failed" and "RemoteDisconnected" in report["error"]
    assert set(province.applied.values()) == {1} and len(province.applied) == 3  # applied, but not acknowledged
    session.expunge_all()  # a restart: what is known comes from the database
    [batch] = batches(session)
    assert (batch.state, batch.attempts) == ("pending", 1) and batch.next_attempt_at > utcnow()
    later = batch.next_attempt_at + timedelta(seconds=1)
    [report] = push.push(now=lambda: later, sleep=never_sleep)
    assert report["outcome"] == "acknowledged"
    first, second = province.requests
    assert first["key"] == second["key"] and first["body"] == second["body"]
    assert set(province.applied.values()) == {1} and len(province.applied) == 3
    assert {r.state for r in rows(session)} == {"accepted"}


def test_within_one_run_a_failed_batch_is_retried_after_a_growing_wait(session, approve, province, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUSH_MAX_ATTEMPTS", 4)
    approve()
    province.unavailable = 3
    waits = []
    push.make_batches()
    session.commit()
    [report] = push.send_pending(sleep=waits.append, rand=lambda: 0.0)
    assert report["outcome"] == "acknowledged" and report["attempts"] == 4
    assert waits == [1.0, 2.0, 4.0]  # half of 2 s, 4 s, 8 s (the other half is the jitter)
    assert set(province.applied.values()) == {1}


def test_after_a_503_a_run_before_the_next_attempt_time_sends_nothing(session, approve, province):
    approve()
    province.unavailable = 1
    clock = utcnow()
    [report] = push.push(now=lambda: clock, one_attempt=True)
    assert report["outcome"] == "failed" and report["error"].startswith("HTTP 503")
    [batch] = batches(session)
    assert batch.next_attempt_at > clock and batch.last_error.startswith("HTTP 503")
    [report] = push.send_pending(now=lambda: clock + timedelta(milliseconds=500), sleep=never_sleep)
    assert report["outcome"] == "waiting" and len(province.requests) == 1
    [report] = push.send_pending(now=lambda: batch.next_attempt_at, sleep=never_sleep)
    assert report["outcome"] == "acknowledged" and len(province.requests) == 2


def test_a_429_with_retry_after_is_waited_for(session, approve, province):
    approve()
    province.unavailable, province.unavailable_status, province.retry_after = 1, 429, "120"
    clock = utcnow()
    push.push(now=lambda: clock, one_attempt=True)
    [batch] = batches(session)
    assert batch.next_attempt_at >= clock + timedelta(seconds=120)


def test_the_wait_doubles_up_to_ten_minutes():
    assert [push.backoff_s(n, rand=lambda: 1.0) for n in (1, 2, 3, 10, 11, 40)] == [2, 4, 8, 600, 600, 600]
    assert push.backoff_s(1, rand=lambda: 0.0) == 1.0


def test_items_the_province_refuses_are_marked_with_its_message(session, approve, province):
    form = approve()
    province.conflicts = {form.current_id: "Mã hộ không có trong sổ của tỉnh"}
    [report] = push.push(sleep=never_sleep)
    assert (report["accepted"], report["refused"]) == (1, 1)
    [refused] = rows(session, state="refused")
    assert (refused.submission_id, refused.message) == (form.id, "Mã hộ không có trong sổ của tỉnh")
    assert [r.kind for r in rows(session, state="accepted")] == ["aggregate"]


def test_a_batch_refused_with_a_4xx_is_not_retried(session, approve, province, events):
    approve()
    province.refuse = (400, "Sai định dạng lô")
    [report] = push.push()  # PUSH_MAX_ATTEMPTS is 5, but a refusal is final: no sleep, one request
    assert report["outcome"] == "refused" and "Sai định dạng lô" in report["error"]
    assert len(province.requests) == 1
    [batch] = batches(session)
    assert batch.state == "refused" and {r.state for r in rows(session)} == {"refused"}
    assert push.push(sleep=never_sleep) == [] and len(province.requests) == 1
    assert events("push.refused")[0].detail["status"] == 400


def test_a_form_sent_back_for_resurvey_is_sent_again_as_withdrawn(session, approve, supervisor, province):
    form = approve()
    push.push(sleep=never_sleep)
    act(supervisor, form, "resurvey", revision=form.revision, comment="Hộ đã chuyển đi")
    session.commit()
    push.push(sleep=never_sleep)
    item = province.items[form.current_id]
    assert item["withdrawn"] is True and item["state"] == "resurvey" and "record" not in item
    assert province.applied[form.current_id] == 2


def test_a_dry_run_writes_nothing_and_sends_nothing(session, approve, province):
    form = approve()
    plan = push.dry_run()
    assert (plan["batches"], plan["records"], plan["aggregates"]) == (1, 1, 1)
    assert plan["first_ids"] == {"record": [form.current_id], "aggregate": [f"{COMMUNE}:{YEAR}"]}
    assert plan["bytes"] > 0
    assert batches(session) == [] and {r.state for r in rows(session)} == {"pending"}
    assert province.requests == []
    push.make_batches()
    session.commit()
    [batch] = batches(session)
    assert push.dry_run()["bytes"] == len(batch.payload.encode())  # the frozen bytes that will go


# --- The command ---------------------------------------------------------------------------------------------------

@pytest.fixture
def run(app, session):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["push", *args])


def test_the_command_prints_each_summary_and_exits_0_when_all_was_accepted(run, approve, province):
    approve()
    result = run()
    assert result.exit_code == 0, result.output
    assert "acknowledged / đã nhận: status OK, imported 2" in result.output
    assert "total / tổng: 1 batches / lô, 1 acknowledged" in result.output
    assert len(province.requests) == 1


def test_the_command_exits_2_when_an_item_is_refused_or_a_batch_is_not_sent(run, approve, province, app,
                                                                          monkeypatch):
    form = approve()
    province.conflicts = {form.current_id: "Trùng hộ"}
    result = run()
    assert result.exit_code == 2 and f"refused / từ chối {form.current_id}: Trùng hộ" in result.output
    monkeypatch.setitem(app.config, "PUSH_MAX_ATTEMPTS", 1)
    approve()
    province.unavailable = 1
    result = run()
    assert result.exit_code == 2 and "not sent / chưa gửi được" in result.output


def test_the_command_dry_run_and_enqueue_all(run, approve, province, app, monkeypatch, session):
    monkeypatch.setitem(app.config, "PUSH_URL", "")
    approve(), approve()  # approved before the endpoint was configured: not queued
    result = run()
    assert result.exit_code == 1 and "PUSH_URL" in result.output
    monkeypatch.setitem(app.config, "PUSH_URL", province.url)
    result = run("--enqueue-all", "--year", str(YEAR), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "queued / đã đưa vào hàng đợi: 2 forms" in result.output
    assert "would send / sẽ gửi: 1 batches / lô, 2 records / hồ sơ, 1 aggregates" in result.output
    assert province.requests == []
    assert run().exit_code == 0 and len(json.loads(province.requests[0]["body"])["records"]) == 2
    assert "queued / đã đưa vào hàng đợi: 0 forms" in run("--enqueue-all", "--year", str(YEAR)).output
    assert run("--enqueue-all").exit_code == 1


def test_http_is_refused_for_another_machine(run, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUSH_URL", "http://tinh.example.vn/import")
    result = run("--dry-run")
    assert result.exit_code == 1 and "https://" in result.output


# --- The page ------------------------------------------------------------------------------------------------------

def test_the_page_shows_the_outbox_to_an_officer_and_pushes_on_request(client, login, make_user, approve, province):
    approve()
    login(make_user("officer", "20"))
    page = client.get("/exports/push")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "127.0.0.1" in text and province.url not in text  # the host, not the address with its path
    assert 'data-state="pending" data-kind="record">1<' in text
    dry = client.get("/exports/push?dry_run=1").get_data(as_text=True)
    assert 'id="dry-run"' in dry and province.requests == []
    done = client.post("/exports/push")
    assert done.status_code == 200 and len(province.requests) == 1
    assert 'data-state="accepted" data-kind="record">1<' in done.get_data(as_text=True)


def test_the_page_makes_one_attempt_and_never_waits(client, login, make_user, approve, province):
    approve()
    province.unavailable = 5
    login(make_user("admin", "20"))
    assert client.post("/exports/push").status_code == 200
    assert len(province.requests) == 1


def test_an_enumerator_may_not_open_the_page(client, login, enumerator):
    login(enumerator)
    assert client.get("/exports/push").status_code == 403
    assert client.post("/exports/push").status_code == 403


def test_a_commune_administrator_may_not_see_the_installations_outbox(client, login, make_user):
    login(make_user("admin", "06529"))
    assert client.get("/exports/push").status_code == 403
    assert client.post("/exports/push").status_code == 403


def test_the_page_says_when_no_endpoint_is_configured(client, login, make_user, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUSH_URL", "")
    login(make_user("officer", "20"))
    assert "PUSH_URL" in client.get("/exports/push").get_data(as_text=True)
    refused = client.post("/exports/push")
    assert refused.status_code == 422 and "PUSH_URL" in refused.get_data(as_text=True)
