"""A form's history and the sync cursor: every step appended to `review_events`, every change given a cursor.

Ingest (arrival, a correction, a re-classification) and review (a supervisor's step, a comment, the meeting,
the decision) both write here. The cursor is one counter row bumped last before commit: its row lock orders the
cursors of concurrent transactions by commit, so a client resuming from a cursor never skips a change.

A cursor handed out is "EPOCH.SEQ": the database's epoch (a random number, the `epoch` row of `sync_counters`) and
the counter. Restoring a backup rewinds the counter and draws a new epoch (server/backup.py), so a cursor from
before the restore is refused (409 `cursor_reset`) instead of silently skipping the changes renumbered after it.
"""

from __future__ import annotations

import re
import secrets

from flask import g
from sqlalchemy import select, update

from server.core.db import utcnow
from server.core.errors import Problem, field_error
from server.extensions import db
from server.submissions.models import ReviewEvent, Submission, SyncCounter

_counter = SyncCounter.__table__
_epoch_row = _counter.alias("epoch_row")
# The next cursor and the epoch it belongs to: the counter row's lock is held until commit.
NEXT_CURSOR = (update(_counter).where(_counter.c.name == "submissions").values(value=_counter.c.value + 1)
               .returning(_counter.c.value,
                          select(_epoch_row.c.value).where(_epoch_row.c.name == "epoch").scalar_subquery()))
_CURRENT_EPOCH = select(_counter.c.value).where(_counter.c.name == "epoch")
_HOLD_CURSOR = select(_counter.c.value).where(_counter.c.name == "submissions").with_for_update()
# EPOCH (hex) "." SEQ (decimal); bounded so that SEQ always fits a BIGINT.
_CURSOR = re.compile(r"([0-9a-f]{1,15})\.([0-9]{1,18})")


def add_event(submission: Submission, action: str, actor, *, version_id: str | None = None, from_state=None,
              to_state=None, field_path: str | None = None, comment: str | None = None,
              detail: dict | None = None) -> ReviewEvent:
    """Append a step to the form's history."""
    event = ReviewEvent(**event_values(
        submission.id, submission.commune_code, submission.village_code, version_id or submission.current_id,
        action, actor, from_state=from_state, to_state=to_state, field_path=field_path, comment=comment,
        detail=detail))
    db.session.add(event)
    return event


def event_values(submission_id: int, commune_code: str, village_code: str, version_id: str, action: str, actor, *,
                 from_state=None, to_state=None, field_path: str | None = None, comment: str | None = None,
                 detail: dict | None = None) -> dict:
    """The columns of one step of a form's history."""
    return {"submission_id": submission_id, "version_id": version_id, "commune_code": commune_code,
            "village_code": village_code, "at": utcnow(), "actor_id": getattr(actor, "id", None),
            "actor_name": getattr(actor, "full_name", None) or getattr(actor, "username", None) or "system",
            "action": action, "from_state": from_state, "to_state": to_state, "field_path": field_path,
            "comment": comment, "detail": detail or {}}


def next_cursor() -> int:
    """Take the next sync cursor. Its row lock is held until commit, so cursors follow commit order."""
    return taken(db.session.execute(NEXT_CURSOR).one())


def hold_cursor() -> None:
    """Lock the cursor's row now, for the rest of the transaction (a no-op on SQLite, whose writers take turns).

    A batch of posts calls it once before its records' SAVEPOINTs: the row is then locked by the transaction
    itself, not by the first record's savepoint, and concurrent batches queue on it once. (Bumped in a series of
    savepoints with others waiting, PostgreSQL measured about a second of stall per batch: bench/ingest.py --batch.)
    """
    db.session.execute(_HOLD_CURSOR)


def taken(row) -> int:
    """The counter value of a row returned by NEXT_CURSOR; its epoch is kept for formatting this request's cursors."""
    g.rasoat_sync_epoch = row[1]
    return row[0]


def current_epoch() -> int:
    """The database's cursor epoch (read once per request)."""
    epoch = g.get("rasoat_sync_epoch")
    if epoch is None:
        epoch = g.rasoat_sync_epoch = db.session.execute(_CURRENT_EPOCH).scalar_one()
    return epoch


def new_epoch() -> int:
    """Draw a new cursor epoch (after a restore): every cursor handed out before it is refused from now on."""
    epoch = random_epoch()
    db.session.execute(update(_counter).where(_counter.c.name == "epoch").values(value=epoch))
    g.rasoat_sync_epoch = epoch
    return epoch


def random_epoch() -> int:
    """A random epoch: 60 bits, never 0."""
    return secrets.randbits(60) or 1


def format_cursor(seq: int, epoch: int | None = None) -> str:
    """The cursor a client is given for the counter value `seq`: "EPOCH.SEQ"."""
    return f"{current_epoch() if epoch is None else epoch:x}.{seq}"


def parse_cursor(raw: str | None) -> int:
    """The counter value a client's `since` stands for: 0 (from the start) for empty or "0", else that of a cursor
    of the current epoch.

    A cursor of another epoch (made before a restore), or a bare number from before cursors had epochs, is a 409
    `cursor_reset`: the client must pull again from the start. Anything else is a 422 naming `since`.
    """
    raw = (raw or "").strip()
    if raw.isascii() and raw.isdigit():  # a bare number: the start, or a cursor from before epochs
        if not raw.strip("0"):  # (not int(): a number of thousands of digits is refused by int itself)
            return 0
        raise Problem("cursor_reset")
    if raw == "":
        return 0
    match = _CURSOR.fullmatch(raw.lower())
    if match is None:
        raise Problem("validation_failed", fields=[field_error(
            "since", "Phải là một con trỏ do máy chủ trả về (\"cursor\"), hoặc để trống để tải từ đầu.",
            "Must be a cursor the server returned (\"cursor\"), or empty to pull from the start.")])
    if int(match[1], 16) != current_epoch():
        raise Problem("cursor_reset")
    return int(match[2])


def touch(submission: Submission) -> None:
    """Give a changed form the next sync cursor; called last before commit, to hold the counter briefly."""
    db.session.flush()
    submission.change_seq = next_cursor()
    db.session.flush()
