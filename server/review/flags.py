"""Quality flags a supervisor sees in the queue. Pure: rows in, flags out (no Flask, no database).

A flag is a reason to look twice, never a verdict: a duplicate may be two real households with one head's name.
- possible_duplicate: another form of the same review year in the commune has the same head CCCD, or the same
  head name (case, tones and spacing ignored) and birth year, whoever the enumerator;
- short_interview: ended less than `min_interview_minutes` after it started;
- gps_far: farther than `gps_outlier_m` from the median point of the village's other households with GPS;
- class_changed: the household's class last year (same household code, else same head CCCD) differs;
- interview_date: the interview's day (in Vietnam) lies outside its review's window (`review_window`).
  An interview in the future is refused at ingest; this catches a phone's wrong clock or a form of another year.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta, timezone, tzinfo
from statistics import median

FLAGS = ("possible_duplicate", "short_interview", "gps_far", "class_changed", "interview_date")
FLAG_LABELS = {
    "possible_duplicate": ("Có thể trùng hộ", "Possible duplicate household"),
    "short_interview": ("Phỏng vấn quá ngắn", "Interview too short"),
    "gps_far": ("Vị trí GPS xa các hộ khác trong thôn", "GPS far from the village's other households"),
    "class_changed": ("Phân loại khác năm trước", "Class differs from last year"),
    "interview_date": ("Ngày phỏng vấn ngoài kỳ rà soát", "Interview date outside the review's window"),
}
# The periodic review runs from 01/09 to 14/12 of its year (QĐ 24/2021/QĐ-TTg; poverty-review.md §3.5).
PERIODIC_WINDOW = ((9, 1), (12, 14))
# A regular (on-request) review runs all year, monthly from the 15th, and is decided within 15 days: its
# window is the review year itself, with this margin either side for requests made and decided across the new
# year. Also used when a form names no review type. A local working rule, not the law's.
REGULAR_REVIEW_MARGIN_DAYS = 15
EARTH_RADIUS_M = 6_371_000


@dataclass(frozen=True)
class Flag:
    """One flag on one form, with the facts behind it."""

    code: str
    detail: dict

    @property
    def label(self) -> tuple[str, str]:
        """(Vietnamese, English) name of the flag."""
        return FLAG_LABELS[self.code]


def quality_flags(rows, previous=(), *, min_interview_minutes: int, gps_outlier_m: float,
                  gps_min_neighbours: int, local_zone: tzinfo = timezone.utc) -> dict[int, list[Flag]]:
    """Flag each row (a current household form); `previous` are last year's settled forms of the same communes.

    `local_zone` is the zone whose calendar dates the interviews (Vietnam's, for the review window)."""
    flags: dict[int, list[Flag]] = defaultdict(list)
    for row_id, others in _duplicates(rows).items():
        flags[row_id].append(Flag("possible_duplicate", {"others": sorted(others)}))
    for row in rows:
        minutes = _minutes(row)
        if minutes is not None and minutes < min_interview_minutes:
            flags[row.id].append(Flag("short_interview", {"minutes": minutes, "minimum": min_interview_minutes}))
    for row_id, metres in _gps_far(rows, gps_outlier_m, gps_min_neighbours).items():
        flags[row_id].append(Flag("gps_far", {"metres": metres, "limit": gps_outlier_m}))
    for row_id, before in _class_changes(rows, previous).items():
        flags[row_id].append(Flag("class_changed", {"previous_class": before}))
    for row in rows:
        outside = _outside_window(row, local_zone)
        if outside:
            flags[row.id].append(Flag("interview_date", outside))
    return dict(flags)


def review_window(year: int, review_type: str | None) -> tuple[date, date]:
    """The first and last day an interview of a review of `year` and type may fall on."""
    if review_type == "periodic":
        (m1, d1), (m2, d2) = PERIODIC_WINDOW
        return date(year, m1, d1), date(year, m2, d2)
    margin = timedelta(days=REGULAR_REVIEW_MARGIN_DAYS)
    return date(year, 1, 1) - margin, date(year, 12, 31) + margin


def _outside_window(row, zone: tzinfo) -> dict | None:
    """The facts of an interview dated outside its review's window, or None."""
    at = row.interview_started_at or row.interview_ended_at
    if at is None or not row.review_year:
        return None
    day = at.astimezone(zone).date()
    start, end = review_window(row.review_year, getattr(row, "review_type", None))
    if start <= day <= end:
        return None
    return {"day": day.isoformat(), "start": start.isoformat(), "end": end.isoformat(), "year": row.review_year}


def _duplicates(rows) -> dict[int, set[int]]:
    """Rows sharing a head CCCD, or a head name key and birth year, with another row of the commune and year."""
    groups = defaultdict(set)
    for row in rows:
        if row.head_id_number:
            groups[("id", row.commune_code, row.review_year, row.head_id_number)].add(row.id)
        if row.head_name_key and row.head_birth_year:
            groups[("name", row.commune_code, row.review_year, row.head_name_key, row.head_birth_year)].add(row.id)
    out: dict[int, set[int]] = defaultdict(set)
    for ids in groups.values():
        if len(ids) > 1:
            for row_id in ids:
                out[row_id] |= ids - {row_id}
    return out


def _minutes(row) -> int | None:
    if row.interview_started_at is None or row.interview_ended_at is None:
        return None
    return int((row.interview_ended_at - row.interview_started_at).total_seconds() // 60)


def _gps_far(rows, limit_m: float, min_neighbours: int) -> dict[int, int]:
    """Rows whose point lies farther than limit_m from the median of their village's other points."""
    by_village = defaultdict(list)
    for row in rows:
        if row.gps_lat is not None and row.gps_lon is not None:
            by_village[(row.review_year, row.village_code)].append(row)
    out = {}
    for points in by_village.values():
        if len(points) - 1 < min_neighbours:
            continue
        for row in points:
            others = [p for p in points if p.id != row.id]
            centre = (median(p.gps_lat for p in others), median(p.gps_lon for p in others))
            metres = distance_m((row.gps_lat, row.gps_lon), centre)
            if metres > limit_m:
                out[row.id] = round(metres)
    return out


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lat, lon) points (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def _class_changes(rows, previous) -> dict[int, str]:
    """Rows whose household (by household code in the commune, else head CCCD) had another class last year."""
    by_code, by_id = {}, {}
    for old in previous:
        if old.household_code:
            by_code[(old.commune_code, old.review_year, old.household_code)] = old.poverty_class
        if old.head_id_number:
            by_id[(old.review_year, old.head_id_number)] = old.poverty_class
    out = {}
    for row in rows:
        year = row.review_year - 1
        before = None
        if row.household_code:
            before = by_code.get((row.commune_code, year, row.household_code))
        if before is None and row.head_id_number:
            before = by_id.get((year, row.head_id_number))
        if before is not None and before != row.poverty_class:
            out[row.id] = before
    return out
