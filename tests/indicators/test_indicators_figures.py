"""The figures of a unit from household rows, pure: rates over resident households, never over the surveyed."""

from __future__ import annotations

import pytest

from server.indicators.figures import Denominator, dtts_mn_readings, rate, unit_figures


def row(cls, members, deficits=(), **kw):
    """One household as a one-household cell."""
    cell = {"poverty_class": cls, "households": 1, "persons": members, "deficits": len(deficits),
            **{f"deficit_{k}": int(k in deficits) for k in range(1, 13)}}
    cell.update(kw)
    return cell


HOUSEHOLDS = [row("poor", 4, (1, 2, 3), head_is_dtts=True), row("poor", 2, (1, 4, 5, 6)),
              row("near_poor", 3, (2,)), row("middle", 5, agricultural=True), row("middle", 1),
              row("not_poor", 2)]


def test_rates_are_over_the_resident_households_and_persons():
    # 2 poor of 40 resident households = 5 %; (2 + 1) / 40 = 7.5 %; poor persons 4 + 2 = 6 of 150 = 4 %.
    f = unit_figures(HOUSEHOLDS, Denominator(40, 150), range(1, 13))
    assert (f["poor"], f["near_poor"], f["middle"], f["not_poor"], f["counted"]) == (2, 1, 2, 1, 6)
    assert f["poor_rate"] == 5.0 and f["multidimensional_rate"] == 7.5 and f["poor_persons_rate"] == 4.0
    assert f["middle_agricultural"] == 1 and f["middle_agricultural_rate"] == 2.5
    assert f["deficits_poor"]["1"] == 2 and f["deficits_poor"]["4"] == 1 and f["deficits_poor_pct"]["1"] == 100
    assert f["mean_deficits_poor"] == 3.5 and f["mean_deficits_near_poor"] == 1
    assert f["rate_missing"] == {}


def test_a_missing_denominator_gives_no_rate_and_says_why():
    reason = {"vi": "Thiếu số hộ", "en": "No count"}
    f = unit_figures(HOUSEHOLDS, Denominator(None, None, reason=reason), range(1, 13))
    assert f["poor"] == 2 and f["poor_rate"] is None and f["multidimensional_rate"] is None
    assert f["poor_persons_rate"] is None and f["rate_missing"]["households"] == reason
    empty = unit_figures([], Denominator(0, 0), range(1, 13))
    assert empty["poor_rate"] is None and empty["mean_deficits_poor"] is None
    assert empty["rate_missing"]["households"]["en"] == "The unit has no resident households."


def test_the_two_dtts_mn_readings_have_their_own_denominators():
    cells = [row("poor", 3, dtts_mn_area=True, head_is_dtts=False), row("poor", 3, dtts_mn_area=False, head_is_dtts=True),
             row("near_poor", 3, dtts_mn_area=True, head_is_dtts=True)]
    r = dtts_mn_readings(cells, 20, None)
    assert (r["by_area"]["poor"], r["by_area"]["rate"]) == (1, 5.0)
    assert (r["by_head"]["poor"], r["by_head"]["households"], r["by_head"]["rate"]) == (1, 2, 50.0)
    assert dtts_mn_readings(cells, None, {"vi": "x", "en": "y"})["by_area"]["rate"] is None


def test_rate_is_a_percentage_not_rounded():
    assert rate(4643, 199765) == pytest.approx(2.3242309713913847)
    assert rate(1, 3) == 100 / 3 and rate(1, 0) is None and rate(None, 5) is None
