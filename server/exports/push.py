"""The push to the provincial system: batches of approved records and commune figures, each with an idempotency
key, sent until the endpoint acknowledges them; nothing is sent twice, across retries and restarts.

    enqueue_all(year) -> int
        Queue every settled household form of a review year not queued yet (or refused): for an endpoint
        configured after the forms were approved. Later changes are queued by server.exports.outbox's listener.
    make_batches() -> list[PushBatch]
        Take the pending outbox rows, PUSH_BATCH_SIZE at a time, build each batch's payload and freeze it (the
        bytes and the key are stored), in the caller's transaction (the caller commits).
    send_pending(now=utcnow, sleep=time.sleep, *, actor=None, one_attempt=False) -> list[dict]
        Send each unacknowledged batch in the order they were made, committing after each answer. 2xx: the
        import summary is stored and each item marked accepted or refused (by its id in `conflicts`). A network
        error, 5xx or 429: retried with exponential backoff and jitter (2 s doubling, at most 10 minutes; a
        Retry-After is respected), up to PUSH_MAX_ATTEMPTS times in one run; the batch's `next_attempt_at` holds
        later runs back. Another answer (4xx, a redirect): the batch is refused with the endpoint's message and
        never retried. The run stops at the first batch it could not send, so the province never receives a
        form's newer batch before its older one. `one_attempt` (the page): at most one attempt, never a wait.
    push(now=utcnow, sleep=time.sleep, *, actor=None, one_attempt=False) -> list[dict]
        make_batches() (committed), then send_pending(): what the command and the page run.
    dry_run() -> dict
        What the next push would send (batches already made, then the pending rows), without writing anything.
    overview(limit=10) -> dict
        The outbox's counts by kind and state and the newest batches with their summaries (the page).

The request: POST PUSH_URL with `Idempotency-Key`, `Authorization: Bearer PUSH_TOKEN`, `Content-Type:
application/json`, and the body

    {"idempotency_key", "created_at", "source": {"system": "RaSoat", "province_code"},
     "records": [{"id" (the current version's id), "first_id" (the form's), "state", "set_aside", "withdrawn",
                  "class", "classification", "rule_set", "review_year", "commune_code", "village_code",
                  "household_code", "record" (the household record as posted, household-record.md)}],
     "aggregates": [{"id" ("COMMUNE:YEAR"), "unit_code", "review_year", "basis": "approved", "rule_set",
                     "rows": [the indicator table's rows of the commune and its villages, trimmed to the figures]}]}

A record is `withdrawn` (and carries no `record`) when the form, sent before as settled, no longer is (sent back
for re-survey, set aside as a duplicate). The answer is an import summary like DHIS2's: {"status", "imported",
"updated", "ignored", "conflicts": [{"id", "message"}]}; the endpoint must answer a retried key with the summary
of the first time and apply nothing again. The HTTP client is the standard library's urllib (no dependency).

Personal data leaves the installation here: every attempt is in the audit trail (push.sent, push.refused,
push.failed) with the endpoint's host, the batch and its item counts, never the data itself.
"""

from __future__ import annotations

import http.client
import json
import random
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select

from server.audit.operations import record_event
from server.core.db import utcnow
from server.core.errors import Problem, field_error
from server.core.scoping import unscoped
from server.exports.outbox import BATCH_STATES, ITEM_STATES, KINDS, PushBatch, PushOutbox, enqueue, is_settled
from server.extensions import db
from server.indicators.operations import indicator_table
from server.submissions.lifecycle import SETTLED
from server.submissions.models import Submission, SubmissionVersion

BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 600.0
# The figures of an indicator row sent to the province (the contract's keys of server.indicators.operations).
FIGURE_KEYS = ("code", "name", "level", "households", "persons", "surveyed", "poor", "near_poor", "middle",
               "poor_persons", "near_poor_persons", "poor_rate", "near_poor_rate", "multidimensional_rate",
               "poor_persons_rate", "deficits_poor", "mean_deficits_poor", "flows_poor")
MAX_ANSWER_BYTES = 4 * 1024 * 1024
ERROR_MAX = 500
WHY_UNSCOPED = "the push sends the installation's settled forms to the provincial system"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _bad_setting(key: str, vi: str, en: str) -> Problem:
    return Problem("validation_failed", fields=[field_error(key, vi, en)])


def endpoint() -> tuple[str, str]:
    """The configured URL and its host; 422 naming PUSH_URL when there is none or it may not be used."""
    url = (current_app.config.get("PUSH_URL") or "").strip()
    if not url:
        raise _bad_setting("PUSH_URL", "Chưa cấu hình địa chỉ nhận dữ liệu của tỉnh (PUSH_URL): không có gì để gửi.",
                           "No provincial endpoint is configured (PUSH_URL): there is nothing to push to.")
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise _bad_setting("PUSH_URL", "PUSH_URL phải là một địa chỉ https://, ví dụ https://tinh.gov.vn/nhan.",
                           "PUSH_URL must be an https:// address, e.g. https://province.gov.vn/import.")
    if parts.scheme == "http" and host not in LOOPBACK:
        raise _bad_setting("PUSH_URL", "Dữ liệu hộ là dữ liệu cá nhân: PUSH_URL phải dùng https:// (http:// chỉ "
                           "dùng được với máy này).",
                           "Household data is personal data: PUSH_URL must use https:// (http:// only to this "
                           "machine).")
    return url, host


# --- Filling the outbox ------------------------------------------------------------------------------------------

_FORM_COLUMNS = (Submission.id, Submission.kind, Submission.current_id, Submission.state, Submission.poverty_class,
                 Submission.duplicate_of_id, Submission.commune_code, Submission.review_year)


def enqueue_all(year: int, chunk: int = 2000) -> int:
    """Queue the settled household forms of `year` the province does not have yet; the number queued."""
    endpoint()
    connection = db.session.connection()
    queued, last = 0, 0
    while True:
        rows = db.session.execute(unscoped(
            select(*_FORM_COLUMNS).where(Submission.kind == "household", Submission.review_year == year,
                                         Submission.state.in_(SETTLED), Submission.duplicate_of_id.is_(None),
                                         Submission.id > last).order_by(Submission.id).limit(chunk),
            WHY_UNSCOPED)).all()
        if not rows:
            return queued
        queued += sum(enqueue(connection, row, again_if_refused=True) for row in rows)
        last = rows[-1].id


# --- Making batches ----------------------------------------------------------------------------------------------

def _pending_rows(after: int, limit: int, lock: bool) -> list[PushOutbox]:
    """The next pending rows. `lock`: taken for this transaction, and rows another push is batching skipped, so
    two pushes at once (cron and the page) never put a row in two batches (SQLite: writers take turns anyway)."""
    stmt = select(PushOutbox).where(PushOutbox.state == "pending", PushOutbox.id > after).order_by(PushOutbox.id)
    if lock:
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db.session.execute(stmt.limit(limit)).scalars())


def _record_item(row: PushOutbox) -> dict:
    """A form's record as the province receives it (withdrawn: no longer settled, without its answers)."""
    s = db.session.execute(unscoped(select(Submission).where(Submission.id == row.submission_id),
                                    WHY_UNSCOPED)).scalar_one()
    settled = is_settled(s)
    item = {"id": s.current_id, "first_id": s.first_id, "state": s.state, "set_aside": s.duplicate_of_id is not None,
            "withdrawn": not settled, "class": s.poverty_class, "classification": s.classification,
            "rule_set": s.rule_set, "review_year": s.review_year, "commune_code": s.commune_code,
            "village_code": s.village_code, "household_code": s.household_code}
    if settled:
        version = db.session.execute(unscoped(select(SubmissionVersion.content)
                                              .where(SubmissionVersion.id == s.current_id), WHY_UNSCOPED)).scalar_one()
        item["record"] = version
    return item


def _aggregate_item(row: PushOutbox) -> dict:
    """A commune's figures of a year (approved basis): its villages' rows, then its own."""
    table = indicator_table(row.review_year, row.unit_code, "approved")
    return {"id": f"{row.unit_code}:{row.review_year}", "unit_code": row.unit_code, "review_year": row.review_year,
            "basis": table["basis"], "rule_set": table["rule_set"],
            "rows": [{k: r.get(k) for k in FIGURE_KEYS} for r in table["rows"]]}


def _item(row: PushOutbox) -> dict:
    """The row's item; a Problem when it cannot be made (the figures of a year without a rule set)."""
    return _record_item(row) if row.kind == "record" else _aggregate_item(row)


def _problem_text(problem: Problem) -> str:
    body = problem.to_dict()
    details = "; ".join(f"{f['path']}: {f['message']['vi']} / {f['message']['en']}" for f in body.get("fields", []))
    return f"{body['message']['vi']} / {body['message']['en']}" + (f" ({details})" if details else "")


def _plan(size: int, lock: bool = False):
    """Yield (rows, items, unbuildable) for each batch the pending rows make, reading only (no write); `items`
    are (kind, item) in the order of `rows`."""
    after = 0
    while True:
        rows = _pending_rows(after, size, lock)
        if not rows:
            return
        after = rows[-1].id
        items, kept, unbuildable = [], [], []
        for row in rows:
            try:
                items.append((row.kind, _item(row)))
                kept.append(row)
            except Problem as problem:
                unbuildable.append((row, _problem_text(problem)))
        yield kept, items, unbuildable


def _payload(key: str, created_at: datetime, items: list[tuple[str, dict]]) -> str:
    body = {"idempotency_key": key, "created_at": created_at.isoformat(),
            "source": {"system": "RaSoat", "province_code": current_app.config["PROVINCE_CODE"]},
            "records": [i for kind, i in items if kind == "record"],
            "aggregates": [i for kind, i in items if kind == "aggregate"]}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def make_batches() -> list[PushBatch]:
    """Freeze the pending rows into batches (see the module docstring); the caller commits."""
    endpoint()
    made = []
    for rows, items, unbuildable in _plan(int(current_app.config["PUSH_BATCH_SIZE"]), lock=True):
        for row, why in unbuildable:
            row.state, row.message = "refused", why
        if not rows:
            continue
        created = utcnow()
        key = str(uuid.uuid4())
        batch = PushBatch(idempotency_key=key, created_at=created, payload=_payload(key, created, items),
                          item_count=len(rows), attempts=0, state="pending")
        db.session.add(batch)
        db.session.flush()
        for row, (_kind, item) in zip(rows, items, strict=True):
            row.batch_id, row.state, row.item_id = batch.id, "sent", item["id"]
        made.append(batch)
    db.session.flush()
    return made


# --- Sending -------------------------------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Follow no redirect: urllib would repeat a POST as a GET without its body. A 3xx is an answer (refused)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - urllib's hook
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post(url: str, token: str, key: str, body: bytes, timeout: float) -> tuple[int | None, object, str]:
    """POST the batch; (status, headers (case-insensitive `.get`), answer text), status None when no answer came
    (refused, reset, timed out, or the connection dropped before the answer)."""
    headers = {"Content-Type": "application/json", "Idempotency-Key": key, "Accept": "application/json",
               "User-Agent": "RaSoat-push"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, response.headers, _read(response)
    except urllib.error.HTTPError as e:
        return e.code, e.headers or {}, _read(e)
    except (OSError, http.client.HTTPException) as e:  # URLError, refused, reset, timeout, connection dropped
        return None, {}, f"{type(e).__name__}: {e}"[:ERROR_MAX]


def _read(response) -> str:
    try:
        return response.read(MAX_ANSWER_BYTES).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as e:
        return f"({type(e).__name__} while reading the answer)"


def _retryable(status: int | None) -> bool:
    return status is None or status == 429 or status >= 500


def backoff_s(attempts: int, retry_after: str | None = None, rand=random.random) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: 2 s doubling, at most 10 minutes, half of it random
    (so installations that failed together do not retry together); at least the endpoint's Retry-After."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(attempts - 1, 0))
    delay = ceiling / 2 + rand() * ceiling / 2
    try:
        asked = float(retry_after) if retry_after else 0.0
    except ValueError:  # an HTTP date: not worth parsing, the backoff applies
        asked = 0.0
    return min(BACKOFF_CAP_S, max(delay, asked))


def _summary(text: str) -> dict:
    """The import summary of a 2xx answer; an answer that is not one still acknowledges the batch (no conflicts)."""
    try:
        body = json.loads(text) if text.strip() else {}
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    conflicts = [c for c in body.get("conflicts") or [] if isinstance(c, dict)]
    return {"status": body.get("status"), "imported": body.get("imported"), "updated": body.get("updated"),
            "ignored": body.get("ignored"),
            "conflicts": [{"id": str(c.get("id")), "message": str(c.get("message") or "")[:ERROR_MAX]}
                          for c in conflicts]}


def _item_ids(batch: PushBatch) -> dict[str, str]:
    """item id → kind, from the frozen payload."""
    body = json.loads(batch.payload)
    return {**{i["id"]: "record" for i in body["records"]}, **{i["id"]: "aggregate" for i in body["aggregates"]}}


def _rows_of(batch: PushBatch) -> list[PushOutbox]:
    return list(db.session.execute(select(PushOutbox).where(PushOutbox.batch_id == batch.id)
                                   .order_by(PushOutbox.id)).scalars())


def _counts(batch: PushBatch) -> dict:
    kinds = list(_item_ids(batch).values())
    return {"records": kinds.count("record"), "aggregates": kinds.count("aggregate")}


def _acknowledge(batch: PushBatch, summary: dict, at: datetime) -> dict:
    """Store the summary; mark each item accepted, or refused when the summary's conflicts name its id."""
    conflicts = {c["id"]: c["message"] for c in summary["conflicts"]}
    rows = _rows_of(batch)
    refused = 0
    for row in rows:
        if row.item_id in conflicts:
            row.state, row.message = "refused", conflicts[row.item_id] or "refused"
            refused += 1
        else:
            row.state = "accepted"
    batch.state, batch.acknowledged_at, batch.next_attempt_at = "acknowledged", at, None
    batch.summary = json.dumps(summary, ensure_ascii=False)
    return {"accepted": len(rows) - refused, "refused": refused}


def _answer_message(status: int, text: str) -> str:
    try:
        body = json.loads(text)
        text = str(body.get("message") or body.get("error") or text) if isinstance(body, dict) else text
    except ValueError:
        pass
    return f"HTTP {status}: {text.strip()}"[:ERROR_MAX]


def send_pending(now=utcnow, sleep=time.sleep, *, actor=None, one_attempt: bool = False, rand=random.random) -> list:
    """Send the unacknowledged batches in order (see the module docstring); one report dict per batch looked at."""
    url, host = endpoint()
    cfg = current_app.config
    token, timeout = cfg.get("PUSH_TOKEN") or "", float(cfg["PUSH_TIMEOUT_S"])
    max_attempts = 1 if one_attempt else max(int(cfg["PUSH_MAX_ATTEMPTS"]), 1)
    audit = {"actor_name": None if actor is not None else "cli"}
    reports = []
    ids = db.session.execute(select(PushBatch.id).where(PushBatch.state == "pending").order_by(PushBatch.id))
    for batch_id in list(ids.scalars()):
        batch = db.session.get(PushBatch, batch_id)
        report = {"batch": batch.id, "key": batch.idempotency_key, "items": batch.item_count, **_counts(batch)}
        reports.append(report)
        if batch.next_attempt_at is not None and batch.next_attempt_at > now():
            report.update(outcome="waiting", next_attempt_at=batch.next_attempt_at, attempts=batch.attempts)
            return reports
        for attempt in range(1, max_attempts + 1):
            db.session.commit()  # no transaction stays open while the endpoint is asked
            status, headers, text = _post(url, token, batch.idempotency_key, batch.payload.encode("utf-8"), timeout)
            at = now()
            batch.attempts += 1
            batch.last_attempt_at = at
            base = {"host": host, "batch": batch.id, "attempt": batch.attempts, "items": batch.item_count,
                    "records": report["records"], "aggregates": report["aggregates"]}
            if status is not None and 200 <= status < 300:
                summary = _summary(text)
                marked = _acknowledge(batch, summary, at)
                batch.last_error = None
                report.update(outcome="acknowledged", summary=summary, attempts=batch.attempts, **marked)
                record_event("push.sent", actor, target_type="push_batch", target_id=batch.id, **audit, **base,
                             **marked)
                break
            if not _retryable(status):
                message = _answer_message(status, text)
                batch.state, batch.last_error, batch.next_attempt_at = "refused", message, None
                for row in _rows_of(batch):
                    row.state, row.message = "refused", message
                report.update(outcome="refused", error=message, attempts=batch.attempts, accepted=0,
                              refused=batch.item_count)
                record_event("push.refused", actor, target_type="push_batch", target_id=batch.id, **audit, **base,
                             status=status)
                break
            error = (f"HTTP {status}: {text.strip()}" if status is not None else text)[:ERROR_MAX]
            delay = backoff_s(batch.attempts, headers.get("Retry-After"), rand)
            batch.last_error, batch.next_attempt_at = error, at + timedelta(seconds=delay)
            report.update(outcome="failed", error=error, attempts=batch.attempts,
                          next_attempt_at=batch.next_attempt_at)
            record_event("push.failed", actor, target_type="push_batch", target_id=batch.id, **audit, **base,
                         status=status)
            db.session.commit()
            if attempt < max_attempts:
                sleep(delay)
        db.session.commit()
        if report["outcome"] == "failed":
            return reports
    return reports


def totals(reports: list[dict]) -> dict:
    """The run's totals: batches by outcome, items accepted and refused."""
    out = {"batches": len(reports), "acknowledged": 0, "refused_batches": 0, "unsent": 0, "accepted": 0,
           "refused": 0}
    for r in reports:
        if r["outcome"] == "acknowledged":
            out["acknowledged"] += 1
        elif r["outcome"] == "refused":
            out["refused_batches"] += 1
        else:
            out["unsent"] += 1
        out["accepted"] += r.get("accepted", 0)
        out["refused"] += r.get("refused", 0)
    return out


def push(now=utcnow, sleep=time.sleep, *, actor=None, one_attempt: bool = False) -> list[dict]:
    """Make the batches of what is pending (committed), then send every unacknowledged batch."""
    make_batches()
    db.session.commit()
    return send_pending(now, sleep, actor=actor, one_attempt=one_attempt)


# --- Looking ---------------------------------------------------------------------------------------------------

def dry_run(first: int = 10) -> dict:
    """What the next push would send, without writing or sending anything: the batches made and not yet
    acknowledged, then the batches the pending rows would make (counts per kind, sizes, the first item ids)."""
    _url, host = endpoint()
    firsts: dict[str, list] = {"record": [], "aggregate": []}

    def note(ids) -> None:
        for item_id, kind in ids:
            if len(firsts[kind]) < first:
                firsts[kind].append(item_id)

    waiting = []
    for batch in db.session.execute(select(PushBatch).where(PushBatch.state == "pending")
                                    .order_by(PushBatch.id)).scalars():
        waiting.append({"batch": batch.id, "items": batch.item_count, "bytes": len(batch.payload.encode("utf-8")),
                        "attempts": batch.attempts, "next_attempt_at": batch.next_attempt_at, **_counts(batch)})
        note(_item_ids(batch).items())
    new, unbuildable = [], []
    for rows, items, bad in _plan(int(current_app.config["PUSH_BATCH_SIZE"])):
        unbuildable += [{"kind": row.kind, "row": row.id, "message": why} for row, why in bad]
        if rows:
            body = _payload(str(uuid.uuid4()), utcnow(), items)
            new.append({"items": len(items), "bytes": len(body.encode("utf-8")),
                        "records": sum(k == "record" for k, _ in items),
                        "aggregates": sum(k == "aggregate" for k, _ in items)})
            note((item["id"], kind) for kind, item in items)
    every = waiting + new
    return {"host": host, "waiting": waiting, "new": new, "unbuildable": unbuildable,
            "batches": len(every), "records": sum(b["records"] for b in every),
            "aggregates": sum(b["aggregates"] for b in every), "bytes": sum(b["bytes"] for b in every),
            "first_ids": firsts}


def overview(limit: int = 10) -> dict:
    """The outbox's counts by kind and state, and the newest batches (the page)."""
    counts = {kind: {state: 0 for state in ITEM_STATES} for kind in KINDS}
    for kind, state, n in db.session.execute(select(PushOutbox.kind, PushOutbox.state, func.count())
                                             .group_by(PushOutbox.kind, PushOutbox.state)):
        counts[kind][state] = n
    batches = {state: 0 for state in BATCH_STATES}
    for state, n in db.session.execute(select(PushBatch.state, func.count()).group_by(PushBatch.state)):
        batches[state] = n
    newest = []
    for b in db.session.execute(select(PushBatch).order_by(PushBatch.id.desc()).limit(limit)).scalars():
        newest.append({"id": b.id, "key": b.idempotency_key, "created_at": b.created_at, "items": b.item_count,
                       "attempts": b.attempts, "state": b.state, "next_attempt_at": b.next_attempt_at,
                       "last_error": b.last_error, "acknowledged_at": b.acknowledged_at,
                       "summary": json.loads(b.summary) if b.summary else None})
    return {"counts": counts, "batches": batches, "newest": newest}
