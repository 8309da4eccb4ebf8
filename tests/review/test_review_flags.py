"""Quality flags on rows made for them: duplicates, short interviews, far GPS points, class changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from server.review.flags import distance_m, quality_flags
from server.submissions.operations import name_key

START = datetime(2025, 10, 5, 1, 30, tzinfo=timezone.utc)
LIMITS = {"min_interview_minutes": 15, "gps_outlier_m": 3000, "gps_min_neighbours": 3}
# Lộc Bình town, roughly; 0.01° of latitude is about 1.1 km.
LAT, LON = 21.76, 106.92


@dataclass
class Row:
    id: int
    commune_code: str = "06529"
    village_code: str = "V1"
    review_year: int = 2025
    head_id_number: str | None = None
    head_name_key: str | None = None
    head_birth_year: int | None = None
    interview_started_at: datetime | None = START
    interview_ended_at: datetime | None = field(default_factory=lambda: START + timedelta(minutes=40))
    gps_lat: float | None = None
    gps_lon: float | None = None
    household_code: str | None = None
    poverty_class: str = "poor"


def codes(flags, row_id):
    return sorted(f.code for f in flags.get(row_id, []))


def test_the_same_head_cccd_in_the_commune_flags_both_forms():
    rows = [Row(1, head_id_number="020190000001"), Row(2, head_id_number="020190000001", village_code="V2"),
            Row(3, head_id_number="020190000002")]
    flags = quality_flags(rows, **LIMITS)
    assert codes(flags, 1) == codes(flags, 2) == ["possible_duplicate"] and codes(flags, 3) == []
    assert flags[1][0].detail == {"others": [2]}


def test_the_same_head_name_and_birth_year_ignoring_tones_and_case_is_a_possible_duplicate():
    rows = [Row(1, head_name_key=name_key("Hoàng Văn Đức"), head_birth_year=1970),
            Row(2, head_name_key=name_key("hoang  van duc"), head_birth_year=1970),
            Row(3, head_name_key=name_key("Hoàng Văn Đức"), head_birth_year=1971)]
    flags = quality_flags(rows, **LIMITS)
    assert codes(flags, 1) == codes(flags, 2) == ["possible_duplicate"] and codes(flags, 3) == []


def test_duplicates_are_sought_within_one_commune_and_one_review_year():
    rows = [Row(1, head_id_number="020190000001"), Row(2, head_id_number="020190000001", commune_code="05977"),
            Row(3, head_id_number="020190000001", review_year=2024, interview_started_at=START.replace(year=2024),
                interview_ended_at=START.replace(year=2024) + timedelta(minutes=40))]
    assert quality_flags(rows, **LIMITS) == {}


def test_an_interview_shorter_than_the_minimum_is_flagged_and_one_without_an_end_is_not():
    rows = [Row(1, interview_ended_at=START + timedelta(minutes=14, seconds=59)),
            Row(2, interview_ended_at=START + timedelta(minutes=15)), Row(3, interview_ended_at=None)]
    flags = quality_flags(rows, **LIMITS)
    assert codes(flags, 1) == ["short_interview"] and flags[1][0].detail == {"minutes": 14, "minimum": 15}
    assert codes(flags, 2) == codes(flags, 3) == []


def test_a_gps_point_far_from_the_village_is_flagged():
    near = [Row(i, gps_lat=LAT + i * 0.001, gps_lon=LON) for i in range(1, 6)]
    far = Row(9, gps_lat=LAT + 0.05, gps_lon=LON)  # about 5.5 km north
    flags = quality_flags(near + [far], **LIMITS)
    assert codes(flags, 9) == ["gps_far"] and 5000 < flags[9][0].detail["metres"] < 6000
    assert all(codes(flags, r.id) == [] for r in near)


def test_the_gps_check_waits_for_enough_neighbours():
    rows = [Row(1, gps_lat=LAT, gps_lon=LON), Row(2, gps_lat=LAT, gps_lon=LON), Row(3, gps_lat=LAT + 1, gps_lon=LON)]
    assert quality_flags(rows, **LIMITS) == {}


def test_a_class_different_from_last_year_is_flagged_by_household_code_or_head_cccd():
    previous = [Row(100, review_year=2024, household_code="H1", poverty_class="near_poor"),
                Row(101, review_year=2024, head_id_number="020190000009", poverty_class="poor"),
                Row(102, review_year=2024, household_code="H3", poverty_class="poor")]
    rows = [Row(1, household_code="H1", poverty_class="poor"),
            Row(2, head_id_number="020190000009", poverty_class="not_poor"),
            Row(3, household_code="H3", poverty_class="poor"),
            Row(4, household_code="H4", poverty_class="poor")]
    flags = quality_flags(rows, previous, **LIMITS)
    assert codes(flags, 1) == ["class_changed"] and flags[1][0].detail == {"previous_class": "near_poor"}
    assert codes(flags, 2) == ["class_changed"]
    assert codes(flags, 3) == codes(flags, 4) == []


def test_distance_is_the_great_circle_distance():
    assert abs(distance_m((21.0, 106.0), (22.0, 106.0)) - 111_195) < 50
    assert distance_m((LAT, LON), (LAT, LON)) == 0
