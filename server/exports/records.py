"""The household records for the provincial system (issue 13 item 3): JSON Lines by sync cursor, streamed.

A pull is a change feed. Every change to a form (arrival, correction, review step, re-classification) gives it the
next sync cursor (server.submissions.history), whose row lock orders cursors by commit, so a pull from a cursor
never skips a change: a form changed while a client pages is met again at its new cursor, with its new state,
and no (form, revision) is ever sent twice. A client keeps the newest line of each `first_id`.

Each line: the form's summary as the sync API gives it (server.submissions.schemas.summary: id, first_id, version,
revision, state, class, classification, review year, places, household code, rule set, comments, cursor) and
`record`, the household record of household-record.md as stored. The lines of one answer are read in chunks of
CHUNK forms, the page's ids first, so the answer's cursor and `more` are known before the first byte is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from server.core.db import reading
from server.core.scoping import scoped
from server.extensions import db
from server.indicators.queries import commune_codes
from server.places.models import Unit
from server.submissions.models import Submission
from server.submissions.schemas import summaries

CHUNK = 200
LIMIT_DEFAULT, LIMIT_MAX = 1000, 10000


@dataclass(frozen=True)
class Page:
    """The forms of one answer (their ids in cursor order), the cursor to resume from, and whether more follow."""

    ids: list[int]
    cursor: int
    more: bool


def page(actor, since: int, limit: int, year: int | None = None, unit: Unit | None = None) -> Page:
    """The household forms in the actor's area changed after cursor `since`, oldest change first (`unit` already
    checked in the actor's area)."""
    stmt = select(Submission.id, Submission.change_seq).where(Submission.kind == "household",
                                                             Submission.change_seq > since)
    if year is not None:
        stmt = stmt.where(Submission.review_year == year)
    if unit is not None and unit.level == "village":
        stmt = stmt.where(Submission.village_code == unit.code)
    elif unit is not None and unit.level == "commune":
        stmt = stmt.where(Submission.commune_code.in_(commune_codes(unit)))
    stmt = scoped(stmt, actor, Submission).order_by(Submission.change_seq).limit(limit + 1)
    rows = db.session.execute(stmt).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return Page([r.id for r in rows], rows[-1].change_seq if rows else since, more)


def lines(actor, page_: Page) -> Iterator[dict]:
    """Each form of a page as one JSON Lines object, read CHUNK forms at a time in a read-only transaction (the
    answer streams after its request committed). A form changed since the page was read now has a cursor past
    the page's: it is left to the next page, which holds it, so that it is not sent twice at one revision."""
    ids = page_.ids
    with reading():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            found = {s.id: s for s in db.session.execute(
                scoped(select(Submission).where(Submission.id.in_(chunk)), actor)).scalars()}
            forms = [found[i] for i in chunk if i in found and found[i].change_seq <= page_.cursor]
            yield from summaries(actor, forms, include_record=True)
            for form in found.values():  # a long answer holds one chunk of forms at a time (not the actor)
                db.session.expunge(form)
