"""The DTTS&MN-area and ĐBKK cuts read the OFFICIAL status in force on 31/12 of the review year where one was
imported (server.indicators.status), before the units' own flags; a commune's official status stands for its
villages that have neither. Worked by hand on the province of tests/indicators/province.py (2027, approved).

Official statuses entered: V-98001-A not_dbkk until 30/06/2027 (not in force on 31/12/2027: its own flag, ĐBKK,
stands); commune 98002 kv3 (area III: ĐBKK, in the area) for its villages V-98002-A and V-98002-B, which have no
flags of their own; V-98003-A dbkk; V-98003-B out_of_scope (outside the area, not ĐBKK).

    ĐBKK yes: V-98001-A 5 counted (3 poor), V-98002-A 3 (1), V-98002-B 2 (0), V-98003-A 2 (2) = 12 (6)
    ĐBKK no:  V-98001-B 4 (1), V-98003-B 3 (2) = 7 (3)
    DTTS&MN area yes: every village but V-98003-B: 16 counted; poor 3 + 1 + 1 + 0 + 2 = 7 over the resident
    households 20 + 10 + 15 + 5 + 10 = 60; no: V-98003-B, 3 counted.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from server.extensions import db
from server.indicators.models import OfficialStatus
from server.indicators.operations import indicator_table

from province import C1, C2, PROVINCE, V1A, V3A, V3B


def rows_of(table):
    return {r["code"]: r for r in table["rows"]}


def enter(code, status, valid_from, valid_to=None):
    db.session.add(OfficialStatus(
        unit_code=code, status=status, criteria="nd-272-2025", decision="Quyết định thử 1/QĐ-UBND",
        decision_date=date(2026, 1, 29), valid_from=valid_from, valid_to=valid_to, source="tests",
        imported_by="tests", imported_at=datetime(2026, 2, 1, tzinfo=timezone.utc)))


@pytest.fixture
def official(province):
    indicator_table(2027, PROVINCE)           # kept before the import: the import must not be hidden by it
    enter(V1A, "not_dbkk", date(2026, 1, 1), date(2027, 6, 30))
    enter(C2, "kv3", date(2026, 1, 1))
    enter(V3A, "dbkk", date(2026, 1, 29))
    enter(V3B, "out_of_scope", date(2026, 1, 1))
    db.session.commit()
    return province


def test_the_cuts_read_the_official_status_of_the_year(official):
    p = rows_of(indicator_table(2027, PROVINCE))[PROVINCE]
    dbkk = p["cuts"]["especially_difficult"]
    assert {k: (v["counted"], v["poor"]) for k, v in dbkk.items() if v["counted"]} == {"yes": (12, 6),
                                                                                      "no": (7, 3)}
    area = p["cuts"]["dtts_mn_area"]
    assert {k: v["counted"] for k, v in area.items() if v["counted"]} == {"yes": 16, "no": 3}
    by_area = p["dtts_mn_poverty_rate"]["by_area"]
    assert (by_area["poor"], by_area["households"]) == (7, 60)
    assert by_area["rate"] == pytest.approx(7 * 100 / 60)


def test_each_row_says_the_official_flags_of_the_year(official):
    rows = rows_of(indicator_table(2027, PROVINCE))
    assert rows[C2]["status"] == {"in_dtts_mn_area": True, "is_especially_difficult": True, "is_urban": True}
    villages = rows_of(indicator_table(2027, C1))
    assert villages[V1A]["status"]["is_especially_difficult"] is True          # expired: its own flag
    # On 31/12/2026 V-98001-A's not_dbkk was in force: in the area, not ĐBKK.
    assert rows_of(indicator_table(2026, C1))[V1A]["status"] == {
        "in_dtts_mn_area": True, "is_especially_difficult": False, "is_urban": False}
