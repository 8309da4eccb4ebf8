"""A small hand-made province for the indicators (issue 12) and, later, the golden export files (issue 13).

Province 98 "Tỉnh Thử Chỉ Số", three communes of two villages each, and one old commune (98009, replaced on
01/07/2025, mapped to 98001) with one village. Three review years: 2025 (two forms, for the earlier-year flags
and the old→new mapping), 2026 (rule set 2022-2026) and 2027 (rule set 2027-2030: the series breaks).

    commune  kind   area   DTTS&MN  villages (DTTS&MN, ĐBKK)          resident households / persons
    98001    xã     rural  yes      V-98001-A (yes, yes), V-98001-B (-, no)   2026: 20/78, 10/40  2027: 20/80, 10/40
    98002    phường urban  no       V-98002-A, V-98002-B                      2026: 14/50, 5/20   2027: 15/50, 5/20
    98003    xã     rural  yes      V-98003-A (yes), V-98003-B (no)           2026: 10/44, 10/40  2027: 10/45, 10/-
    98009    old commune (valid to 01/07/2025), village V-98009-A; commune_mappings 98009 → 98001.

("-" = not given: V-98001-B takes its commune's DTTS&MN flag; V-98003-B has no persons count for 2027.)

The forms are rows written straight into `submissions` with their class and deficits (the rule engine is not
what is tested here), in the review states listed. `FORMS` is the whole province; the expected figures are
worked out by hand in tests/indicators/test_indicators_province.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from server.accounts.models import User
from server.places.models import CommuneMapping, Unit, UnitHouseholdCount
from server.review.models import CommuneDecision
from server.submissions.models import Submission

PROVINCE = "98"
C1, C2, C3, OLD = "98001", "98002", "98003", "98009"
V1A, V1B, V2A, V2B, V3A, V3B, VOLD = ("V-98001-A", "V-98001-B", "V-98002-A", "V-98002-B", "V-98003-A",
                                      "V-98003-B", "V-98009-A")

# code, level, kind, name, parent, commune, is_urban, in_dtts_mn_area, is_especially_difficult, valid_to
UNITS = [
    (PROVINCE, "province", "tinh", "Tỉnh Thử Chỉ Số", None, None, None, None, None, None),
    (C1, "commune", "xa", "Xã Một", PROVINCE, C1, False, True, None, None),
    (C2, "commune", "phuong", "Phường Hai", PROVINCE, C2, True, False, None, None),
    (C3, "commune", "xa", "Xã Ba", PROVINCE, C3, False, True, None, None),
    (OLD, "commune", "xa", "Xã Cũ", PROVINCE, OLD, False, True, None, date(2025, 7, 1)),
    (V1A, "village", "thon", "Thôn 1A", C1, C1, False, True, True, None),
    (V1B, "village", "thon", "Thôn 1B", C1, C1, False, None, False, None),
    (V2A, "village", "to_dan_pho", "Tổ 2A", C2, C2, True, None, None, None),
    (V2B, "village", "to_dan_pho", "Tổ 2B", C2, C2, True, None, None, None),
    (V3A, "village", "thon", "Thôn 3A", C3, C3, False, True, None, None),
    (V3B, "village", "thon", "Thôn 3B", C3, C3, False, False, None, None),
    (VOLD, "village", "thon", "Thôn Cũ", OLD, OLD, False, True, None, date(2025, 7, 1)),
]

# (village, year): (households, persons)
COUNTS = {
    (V1A, 2026): (20, 78), (V1B, 2026): (10, 40), (V2A, 2026): (14, 50), (V2B, 2026): (5, 20),
    (V3A, 2026): (10, 44), (V3B, 2026): (10, 40),
    (V1A, 2027): (20, 80), (V1B, 2027): (10, 40), (V2A, 2027): (15, 50), (V2B, 2027): (5, 20),
    (V3A, 2027): (10, 45), (V3B, 2027): (10, None),
}


@dataclass(frozen=True)
class Form:
    """One household form: the columns the indicators read."""

    key: str            # a name for the test (h01 ...), not stored
    year: int
    village: str
    code: str | None    # household_code (None = no code: cannot be linked across years)
    cls: str
    members: int
    deficits: tuple = ()
    state: str = "approved"
    ethnicity: str = "kinh"
    agricultural: bool | None = None
    duplicate_of: str | None = None  # set aside as a duplicate of that form (its key)
    commune: str | None = None       # default: the village's commune
    extra: dict = field(default_factory=dict)


F = Form
FORMS = [
    # ---- 2027 ----
    F("h01", 2027, V1A, "H01", "poor", 4, (1, 4, 9), "recognised", "tay"),
    F("h02", 2027, V1A, "H02", "poor", 5, (2, 4, 6), "agreed", "mong"),
    F("h03", 2027, V1A, "H03", "near_poor", 3, (4,), "approved", "kinh"),
    F("h04", 2027, V1A, "H04", "middle", 4, (), "approved", "tay", True),
    F("h05", 2027, V1A, "H05", "not_poor", 2, (), "submitted", "kinh"),
    F("h06", 2027, V1A, "H06", "poor", 6, (1, 2, 3), "resurvey", "dao"),
    F("h07", 2027, V1A, None, "poor", 3, (9, 10, 11), "approved", "mong"),
    F("h11", 2027, V1B, "H10", "poor", 2, (4, 5, 8), "approved", "tay"),
    F("h10", 2027, V1B, "H10", "poor", 2, (4, 5, 8), "approved", "tay", duplicate_of="h11"),
    F("h08", 2027, V1B, "H08", "near_poor", 4, (1, 12), "approved", "tay"),
    F("h09", 2027, V1B, "H09", "middle", 3, (), "recognised", "kinh", False),
    F("h24", 2027, V1B, "H24", "near_poor", 3, (4,), "approved", "tay"),
    F("h12", 2027, V2A, "H12", "poor", 3, (5, 6, 7), "approved", "kinh"),
    F("h13", 2027, V2A, "H13", "near_poor", 2, (7,), "approved", "kinh"),
    F("h14", 2027, V2A, "H14", "not_poor", 4, (), "approved", "kinh"),
    F("h15", 2027, V2A, "H15", "middle", 3, (), "returned", "kinh"),
    F("h16", 2027, V2B, "H16", "near_poor", 5, (3, 11), "recognised", "hoa"),
    F("h17", 2027, V2B, "H17", "not_poor", 1, (), "approved", "kinh"),
    F("h18", 2027, V3A, "H18", "poor", 5, (1, 2, 3, 4), "approved", "nung"),
    F("h19", 2027, V3A, "H19", "poor", 4, (4, 6, 9), "approved", "nung"),
    F("h20", 2027, V3A, "H20", "near_poor", 3, (2,), "submitted", "nung"),
    F("h21", 2027, V3B, "H21", "middle", 6, (), "approved", "nung", True),
    F("h22", 2027, V3B, "H22", "poor", 3, (8, 9, 10), "approved", "kinh"),
    F("h23", 2027, V3B, "H23", "poor", 2, (1, 5, 12), "approved", "tay"),
    # ---- 2026 ----
    F("p01", 2026, V1A, "H01", "poor", 4, (1, 2, 3), "recognised", "tay"),
    F("p02", 2026, V1A, "H02", "near_poor", 5, (2,), "recognised", "mong"),
    F("p03", 2026, V1A, "H03", "poor", 3, (1, 2, 3), "recognised", "kinh"),
    F("p04", 2026, V1A, "H04", "poor", 4, (1, 2, 3), "recognised", "tay"),
    F("p05", 2026, V1A, "H05", "poor", 2, (1, 2, 3), "recognised", "kinh"),
    F("p06", 2026, V1A, "H06", "near_poor", 6, (2,), "recognised", "dao"),
    F("p30", 2026, V1A, "H30", "poor", 3, (1, 2, 3), "recognised", "kinh"),
    F("p08", 2026, V1B, "H08", "near_poor", 4, (1,), "recognised", "tay"),
    F("p09", 2026, V1B, "H09", "middle", 3, (), "recognised", "kinh"),
    F("p10", 2026, V1B, "H10", "poor", 3, (1, 2, 3), "recognised", "tay"),
    F("p24", 2026, V1B, "H24", "middle", 3, (), "recognised", "tay"),
    F("p12", 2026, V2A, "H12", "poor", 3, (1, 2, 3), "approved", "kinh"),
    F("p13", 2026, V2A, "H13", "poor", 2, (1, 2, 3), "approved", "kinh"),
    F("p14", 2026, V2A, "H14", "near_poor", 4, (1,), "approved", "kinh"),
    F("p99", 2026, V2A, None, "poor", 2, (1, 2, 3), "approved", "kinh"),
    F("p16", 2026, V2B, "H16", "middle", 5, (), "approved", "hoa"),
    F("p17", 2026, V2B, "H17", "not_poor", 1, (), "approved", "kinh"),
    F("p18", 2026, V3A, "H18", "poor", 4, (1, 2, 3), "approved", "nung"),
    F("p19", 2026, V3A, "H19", "middle", 4, (), "approved", "nung"),
    F("p20", 2026, V3A, "H20", "near_poor", 3, (1,), "approved", "nung"),
    F("p21", 2026, V3B, "H21", "middle", 6, (), "approved", "nung"),
    F("p22", 2026, V3B, "H22", "not_poor", 3, (), "approved", "kinh"),
    F("p40", 2026, V3B, "H40", "near_poor", 2, (1,), "submitted", "tay"),
    # ---- 2025 ----
    F("q19", 2025, V3A, "H19", "poor", 4, (1, 2, 3), "recognised", "nung"),
    F("q24", 2025, VOLD, "H24", "near_poor", 3, (1,), "recognised", "tay"),
]


@dataclass
class Province:
    """What build() made: the users and each form's id by its key."""

    officer: User
    supervisors: dict          # commune code -> supervisor
    ids: dict                  # form key -> submission id
    forms: list = field(default_factory=lambda: list(FORMS))


def _unit(row) -> Unit:
    code, level, kind, name, parent, commune, urban, dtts, dbkk, valid_to = row
    return Unit(code=code, level=level, kind=kind, name=name, parent_code=parent, province_code=PROVINCE,
                commune_code=commune, is_urban=urban, in_dtts_mn_area=dtts, is_especially_difficult=dbkk,
                valid_from=date(2020, 1, 1), valid_to=valid_to, source="tests/indicators/province.py")


def build(session, password_hash: str = "x") -> Province:
    """Write the province, its counts, mapping, users, decisions and forms into the session (flushed)."""
    for row in UNITS:
        session.add(_unit(row))
    session.flush()
    for (village, year), (households, persons) in COUNTS.items():
        session.add(UnitHouseholdCount(unit_code=village, year=year, households=households, persons=persons))
    session.add(CommuneMapping(old_code=OLD, old_name="Xã Cũ", new_code=C1, valid_from=date(2025, 7, 1),
                               valid_to=None, source="tests"))
    officer = User(username=f"officer-98-{uuid.uuid4().hex[:6]}", full_name="Cán bộ tỉnh", role="officer",
                   unit_code=PROVINCE, password_hash=password_hash)
    supervisors = {c: User(username=f"sup-{c}-{uuid.uuid4().hex[:6]}", full_name="Cán bộ xã", role="supervisor",
                           unit_code=c, password_hash=password_hash) for c in (C1, C2, C3)}
    session.add_all([officer, *supervisors.values()])
    session.flush()
    decisions = {}
    for c in (C1, C2, C3, OLD):
        decisions[c] = CommuneDecision(commune_code=c, number=f"QĐ-{c}", signed_on=date(2027, 12, 1),
                                       recorded_by=officer.id)
        session.add(decisions[c])
    session.flush()
    village_commune = {row[0]: row[5] for row in UNITS if row[1] == "village"}
    ids: dict[str, int] = {}
    # Forms that others point at first (a set-aside form names the form it duplicates).
    for form in sorted(FORMS, key=lambda f: f.duplicate_of is not None):
        commune = form.commune or village_commune[form.village]
        fid = str(uuid.uuid4())
        row = Submission(
            kind="household", first_id=fid, current_id=fid, version=1, revision=1, state=form.state,
            review_year=form.year, review_type="periodic", commune_code=commune, village_code=form.village,
            household_code=form.code, area="urban" if commune == C2 else "rural", submitted_by=officer.id,
            head_name=f"Chủ hộ {form.key}", head_name_key=f"chu ho {form.key}", head_sex="male",
            head_ethnicity=form.ethnicity, head_is_dtts=form.ethnicity != "kinh",
            middle_income_agricultural=form.agricultural, members_count=form.members,
            interview_started_at=datetime(form.year, 10, 1, 2, 0, tzinfo=timezone.utc),
            rule_set="2027-2030" if form.year >= 2027 else "2022-2026", poverty_class=form.cls,
            deficit_mask=sum(1 << (k - 1) for k in form.deficits), deficit_count=len(form.deficits),
            decision_id=decisions[commune].id if form.state == "recognised" else None,
            duplicate_of_id=ids[form.duplicate_of] if form.duplicate_of else None, change_seq=0)
        session.add(row)
        session.flush()
        ids[form.key] = row.id
    return Province(officer=officer, supervisors=supervisors, ids=ids)
