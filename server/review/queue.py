"""The supervisor's queue: a commune's forms of one review year, their quality flags, filters and counts.

A commune has at most a few thousand households, so the forms are read once (the columns the queue shows, not
the records) and flagged, filtered and counted in Python. Forms set aside as duplicates count nowhere: not in the
totals, the counts or the flags; the filter `set_aside=1` lists them (and only them).

The indicator pages link each figure to the households behind it with three more filters: `basis` (the forms a
figure counts: `submitted` every form, `approved` those approved or further, `recognised` those recognised by a
commune decision), `deficit` (deprived on indicator N, from the stored deficit mask) and `previous` (the class of
the same household code's settled form last year, `none` when there is none: the §5.2 flows).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from server.accounts.models import User
from server.core.scoping import scoped
from server.core.text import vi_sort_key
from server.core.db import LOCAL_ZONE
from server.extensions import db
from server.places.models import Unit, UnitHouseholdCount
from server.review.flags import FLAGS, Flag, quality_flags
from server.submissions.lifecycle import SETTLED
from server.submissions.models import CLASSES, STATES, Submission

PAGE_SIZE = 50
FILTERS = ("village", "enumerator", "state", "class", "flag", "basis", "deficit", "previous")
# The forms each basis of the indicators counts (server.indicators reads the same states).
BASIS_STATES = {"submitted": frozenset(STATES), "approved": SETTLED, "recognised": frozenset({"recognised"})}
# `previous`: no settled form of the same household code last year.
NO_PREVIOUS = "none"
# Deficit indicators are numbered from 1; the mask holds at most this many (server.submissions.models).
MAX_DEFICIT = 31
# The filter that lists the forms set aside as duplicates instead of the others.
SET_ASIDE_FILTER = "set_aside"
# Forms waiting for the supervisor come first.
WAITING = ("submitted", "resubmitted")

# The columns the queue and the flags read (never the record itself).
COLUMNS = (Submission.id, Submission.kind, Submission.state, Submission.review_year, Submission.commune_code,
           Submission.village_code, Submission.household_code, Submission.submitted_by, Submission.head_name,
           Submission.head_name_key, Submission.head_id_number, Submission.head_birth_year,
           Submission.members_count, Submission.poverty_class, Submission.deficit_count, Submission.deficit_mask,
           Submission.interview_started_at, Submission.interview_ended_at, Submission.gps_lat, Submission.gps_lon,
           Submission.revision, Submission.updated_at, Submission.review_type, Submission.duplicate_of_id)


@dataclass
class Queue:
    """One commune's queue for one review year, filtered, with its counts."""

    commune: Unit
    year: int | None
    years: list[int]
    filters: dict[str, str]
    rows: list = field(default_factory=list)          # the households that pass the filters, in queue order
    villages_forms: list = field(default_factory=list)  # village records (kind='village') of the year
    flags: dict[int, list[Flag]] = field(default_factory=dict)
    counts: dict[str, Counter] = field(default_factory=dict)  # filter name → value → household forms counted
    total: int = 0                                     # household forms received, not set aside, before filtering
    set_aside: int = 0                                 # household forms set aside as duplicates
    # Resident households (the village data) of the villages that have a count, and the forms of those villages.
    resident: int | None = None
    surveyed_of_resident: int = 0
    villages_without_count: int = 0
    villages: dict[str, Unit] = field(default_factory=dict)
    enumerators: dict[int, str] = field(default_factory=dict)
    page: int = 1

    @property
    def pages(self) -> int:
        """The number of pages of the filtered rows."""
        return max(1, -(-len(self.rows) // PAGE_SIZE))

    @property
    def page_rows(self) -> list:
        """The rows of the current page."""
        start = (self.page - 1) * PAGE_SIZE
        return self.rows[start:start + PAGE_SIZE]


def communes_of(actor) -> list[Unit]:
    """The communes in the actor's area, in Vietnamese alphabetical order."""
    from server.core.scoping import units_below

    rows = db.session.execute(select(Unit).where(Unit.level == "commune", units_below(actor))).scalars().all()
    return sorted(rows, key=lambda u: vi_sort_key(u.name))


def review_years(actor, commune_code: str) -> list[int]:
    """The review years with forms in the commune, latest first."""
    stmt = scoped(select(Submission.review_year).where(Submission.commune_code == commune_code).distinct(),
                  actor, Submission)
    return sorted(db.session.execute(stmt).scalars().all(), reverse=True)


def commune_rows(actor, commune_code: str, year: int) -> list:
    """The commune's current forms (households and villages) of a review year: queue columns only."""
    stmt = scoped(select(*COLUMNS).where(Submission.commune_code == commune_code, Submission.review_year == year),
                  actor, Submission)
    return db.session.execute(stmt).all()


def settled_rows(actor, commune_code: str, year: int) -> list:
    """The commune's settled household forms of a year (last year's class, for the class_changed flag)."""
    stmt = scoped(select(*COLUMNS).where(Submission.commune_code == commune_code, Submission.review_year == year,
                                         Submission.kind == "household", Submission.state.in_(SETTLED),
                                         Submission.duplicate_of_id.is_(None)), actor, Submission)
    return db.session.execute(stmt).all()


def flags_of(actor, commune_code: str, year: int, rows=None, previous=None) -> dict[int, list[Flag]]:
    """The quality flags of the commune's household forms of a year (not those set aside), as configured
    (`previous`: last year's settled rows, when already read)."""
    if rows is None:
        rows = commune_rows(actor, commune_code, year)
    if previous is None:
        previous = settled_rows(actor, commune_code, year - 1)
    households = [r for r in rows if r.kind == "household" and r.duplicate_of_id is None]
    cfg = current_app.config
    return quality_flags(households, previous,
                         min_interview_minutes=cfg["MIN_INTERVIEW_MINUTES"],
                         gps_outlier_m=cfg["GPS_OUTLIER_METRES"], gps_min_neighbours=cfg["GPS_MIN_NEIGHBOURS"],
                         local_zone=LOCAL_ZONE)


def clean_filters(args) -> dict[str, str]:
    """The queue filters from the query string; values that cannot match anything are dropped."""
    allowed = {"state": STATES, "class": CLASSES, "flag": FLAGS, "basis": tuple(BASIS_STATES),
               "deficit": tuple(str(n) for n in range(1, MAX_DEFICIT + 1)), "previous": (*CLASSES, NO_PREVIOUS)}
    out = {}
    for name in FILTERS:
        value = (args.get(name) or "").strip()
        if value and (name not in allowed or value in allowed[name]):
            out[name] = value
    if (args.get(SET_ASIDE_FILTER) or "").strip() == "1":
        out[SET_ASIDE_FILTER] = "1"
    return out


def _values(row, flags: list[Flag], previous: dict[str, str]) -> dict[str, set[str]]:
    """The values a household has for each filter (a household may have several flags, bases and deficits;
    `previous`: household code → last year's class)."""
    mask = row.deficit_mask or 0
    return {"village": {row.village_code}, "enumerator": {str(row.submitted_by)}, "state": {row.state},
            "class": {row.poverty_class}, "flag": {f.code for f in flags},
            "basis": {b for b, states in BASIS_STATES.items() if row.state in states},
            "deficit": {str(n) for n in range(1, MAX_DEFICIT + 1) if mask >> (n - 1) & 1},
            "previous": {previous.get(row.household_code, NO_PREVIOUS) if row.household_code else NO_PREVIOUS}}


def _order(row) -> tuple:
    """Waiting forms first, then by village and head name."""
    return (row.state not in WAITING, row.village_code, vi_sort_key(row.head_name or ""))


def build(actor, commune: Unit, *, year: int | None, filters: dict[str, str], page: int = 1) -> Queue:
    """The commune's queue for the year (default: the latest year with forms), filtered and counted."""
    years = review_years(actor, commune.code)
    if year not in years:
        year = years[0] if years else None
    queue = Queue(commune=commune, year=year, years=years, filters=filters)
    queue.villages = {u.code: u for u in db.session.execute(
        select(Unit).where(Unit.parent_code == commune.code, Unit.level == "village")).scalars()}
    if year is None:
        return queue
    rows = commune_rows(actor, commune.code, year)
    households = [r for r in rows if r.kind == "household" and r.duplicate_of_id is None]
    aside = [r for r in rows if r.kind == "household" and r.duplicate_of_id is not None]
    queue.villages_forms = sorted((r for r in rows if r.kind == "village"), key=lambda r: r.village_code)
    last_year = settled_rows(actor, commune.code, year - 1)
    queue.flags = flags_of(actor, commune.code, year, rows, last_year)
    previous = {r.household_code: r.poverty_class for r in last_year if r.household_code}
    queue.total, queue.set_aside = len(households), len(aside)
    _resident(queue, households, year)
    values = {r.id: _values(r, queue.flags.get(r.id, []), previous) for r in households + aside}
    queue.counts = {name: Counter(v for r in households for v in values[r.id][name]) for name in FILTERS}
    listed = aside if filters.get(SET_ASIDE_FILTER) else households
    queue.rows = sorted((r for r in listed if all(value in values[r.id][name] for name, value in filters.items()
                                                  if name in FILTERS)), key=_order)
    queue.enumerators = names_of(actor, {r.submitted_by for r in households + aside})
    queue.page = min(max(page, 1), queue.pages)
    return queue


def _resident(queue: Queue, households: list, year: int) -> None:
    """Set the resident households of the commune's villages (each village's latest count up to the review year)
    and the household forms of the villages that have one, for "surveyed / resident"."""
    latest: dict[str, UnitHouseholdCount] = {}
    stmt = select(UnitHouseholdCount).where(UnitHouseholdCount.unit_code.in_(list(queue.villages)),
                                            UnitHouseholdCount.year <= year).order_by(UnitHouseholdCount.year)
    for count in db.session.execute(stmt).scalars():
        latest[count.unit_code] = count
    queue.villages_without_count = len(set(queue.villages) - set(latest))
    if latest:
        queue.resident = sum(c.households for c in latest.values())
        queue.surveyed_of_resident = sum(r.village_code in latest for r in households)


def names_of(actor, user_ids) -> dict[int, str]:
    """Full names of the users (in the actor's area) who sent forms; others are shown by number."""
    if not user_ids:
        return {}
    stmt = scoped(select(User.id, User.full_name).where(User.id.in_(list(user_ids))), actor, User)
    names = dict(db.session.execute(stmt).all())
    return {uid: names.get(uid) or f"#{uid}" for uid in user_ids}
